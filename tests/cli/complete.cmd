# The hidden 'complete' command that the bash completion asks (as virsh's):
# the candidates for the last word, one per line. Checkpoint names need a
# connection that has some, so the commands run in one invocation.
$ cairn complete -- checkpoint-cr
$ cairn complete -- checkpoint-list test --no
$ cairn complete -- checkpoint-list test --leaves --no-leaves --l
$ cairn complete -- checkpoint-list --from
$ cairn -c test:///default complete -- dominfo ''
$ cairn -c test:///default '
  checkpoint-create-as test c1
  checkpoint-create-as test c2
  checkpoint-create-as test d3
  complete -- checkpoint-delete test ""
  complete -- checkpoint-delete --domain test c
  complete -- checkpoint-list test --from ""
  complete -- checkpoint-dumpxml nosuch ""
'
$ cairn complete -- help domj
$ cairn help | grep -c complete
