# Checkpoint commands against test:///default (domain "test", running, one
# disk vda). Every cairn process starts from a fresh test driver; creation
# times come from CAIRN_TEST_FAKE_TIME=1700000000 and print in TZ=UTC.
#
# Part 1: the scenario of libvirt's tests/virsh-checkpoint, as one command
# string: names sort differently by topology (c1 -> c3 -> c2) than by name.
$ cairn -c test:///default '
  checkpoint-create-as test c1
  checkpoint-create-as test c1
  checkpoint-create-as test c3
  checkpoint-create-as test c2
  # Checking tree view (siblings sorted alphabetically)
  checkpoint-list test --tree
  # Demonstrate list filtering
  checkpoint-list test --roots
  checkpoint-list test --leaves
  checkpoint-list test --parent --no-leaves
  checkpoint-list test --from c3
  checkpoint-list test --from c1 --descendants --name
  # Now the tree is linear, so we have an unambiguous topological order
  checkpoint-list test --name
  checkpoint-list test --name --topological
  # Capture some XML for later redefine
  checkpoint-delete test c1
  echo "<!--MarkerA-->"
  checkpoint-dumpxml test c3
  echo "<!--MarkerB-->"
  checkpoint-dumpxml test c2
  echo "<!--MarkerC-->"
  # Deleting current checkpoint moves current up to remaining parent
  checkpoint-delete test --children-only c3
  checkpoint-list test --leaves --name
  checkpoint-delete test --children c3
  checkpoint-list test --leaves --name
'
# Part 2: save the XML of c3 and c2 (c1 deleted) into files ...
$ cairn 'checkpoint-create-as test c1; checkpoint-create-as test c3; checkpoint-create-as test c2; checkpoint-delete test c1; echo c3.xml; checkpoint-dumpxml test c3; echo c2.xml; checkpoint-dumpxml test c2' | awk '/^c[0-9]\.xml$/ { f = $0; next } f { print > f }'
# ... and restore them in a new process with --redefine, reading commands
# from stdin: parents must come first.
$ cairn -c test:///default <<EOF
  checkpoint-create test --redefine c2.xml
  echo --err marker
  checkpoint-create test --redefine c3.xml
  checkpoint-create test --redefine c2.xml
  checkpoint-list test --leaves --name
  checkpoint-info test c2
  checkpoint-info test c3
  checkpoint-parent test c2
  checkpoint-list test --parent
EOF
# Redefining an existing checkpoint replaces its definition in place.
$ cairn 'checkpoint-create test --redefine c3.xml; checkpoint-create test --redefine c2.xml; checkpoint-create test --redefine c3.xml; checkpoint-info test c3'
#
# Part 3: checkpoint-create without a file names the checkpoint after its
# creation time; with a file it says where it came from; --quiesce is
# accepted (and ignored) by the test driver; options can be named too
# (here a duplicate name, refused).
$ printf '<domaincheckpoint>\n  <name>fromfile</name>\n  <description>made from a file</description>\n</domaincheckpoint>\n' > new.xml
$ cairn 'checkpoint-create test; checkpoint-create test new.xml --quiesce; checkpoint-create --domain test --xmlfile new.xml; checkpoint-list test --parent; checkpoint-dumpxml test fromfile --no-domain'
#
# Part 4: checkpoint-create-as with name, description and disk specs;
# --print-xml shows the document instead of creating it (",," escapes a
# comma, markup is escaped); an empty description is refused.
$ cairn 'checkpoint-create-as test --print-xml c1 "a <b> & '\''c'\''" vda,checkpoint=bitmap,bitmap=map,,1 --diskspec vdb,checkpoint=no'
$ cairn 'checkpoint-create-as test --print-xml; checkpoint-create-as test --print-xml --name only-name; checkpoint-list test --name'
$ cairn 'checkpoint-create-as test c1 "first one" vda,bitmap=b1 --quiesce; checkpoint-create-as --domain test --name c2 --description=second --diskspec vda,checkpoint=bitmap; checkpoint-create-as test c3 "" vda; checkpoint-create-as test c3 --diskspec vda,checkpoint=no; checkpoint-dumpxml test c1 --no-domain; checkpoint-dumpxml test c2 --no-domain; checkpoint-dumpxml test c3 --no-domain'
#
# Part 5: checkpoint-dumpxml flags: --security-info, --no-domain, --size
# (a running domain; the test driver reports 1024 bytes per bitmap disk),
# --xpath and --wrap.
$ cairn 'checkpoint-create-as test c1 --description "dump me"; checkpoint-dumpxml test c1 --security-info; checkpoint-dumpxml test c1 --size --no-domain; checkpoint-dumpxml test c1 --xpath //disk; checkpoint-dumpxml test c1 --xpath "/domaincheckpoint/name|/domaincheckpoint/description" --wrap; checkpoint-dumpxml test c1 --xpath //nosuch --wrap; checkpoint-dumpxml test c1 --xpath //nosuch'
#
# Part 6: a tree with fanout, built by redefining checkpoints with explicit
# parents; names sort case-insensitively (a < B < c), except with
# --topological (parents before children).
$ for n in B a d; do printf '<domaincheckpoint>\n  <name>%s</name>\n  <parent>\n    <name>c</name>\n  </parent>\n  <creationTime>%s</creationTime>\n</domaincheckpoint>\n' $n 1700000100 > $n.xml; done
$ cairn 'checkpoint-create-as test root; checkpoint-create-as test c; checkpoint-create test --redefine B.xml; checkpoint-create test --redefine a.xml; checkpoint-create-as test e; checkpoint-create test --redefine d.xml
  checkpoint-list test --tree
  checkpoint-list test --tree --from c
  checkpoint-list test --tree --from B
  checkpoint-list test --parent
  checkpoint-list test --name --topological --from root --descendants
  checkpoint-list test --name --from c
  checkpoint-list test --name --leaves
  checkpoint-list test --name --no-leaves
  checkpoint-list test --name --leaves --no-leaves
  checkpoint-list test --roots --name
  checkpoint-info test c
  checkpoint-info test root
  checkpoint-parent test a'
#
# Part 7: delete: children are re-parented to the parent; --children
# removes the subtree; --children-only keeps the checkpoint; --metadata
# leaves bitmaps alone (the test driver only has metadata anyway).
$ cairn 'checkpoint-create-as test c1; checkpoint-create-as test c2; checkpoint-create-as test c3; checkpoint-create-as test c4
  checkpoint-delete test c2
  checkpoint-list test --tree
  checkpoint-delete test c3 --metadata
  checkpoint-list test --tree
  checkpoint-create-as test c5
  checkpoint-delete --domain test --checkpointname c1 --children-only
  checkpoint-list test --tree
  checkpoint-create-as test c6
  checkpoint-delete test c1 --children
  checkpoint-list test --name'
#
# Part 8: domains with and without checkpoints, and undefine with
# checkpoint metadata.
$ cairn 'list --all --with-checkpoint; checkpoint-create-as test c1; list --with-checkpoint; list --without-checkpoint; destroy test; undefine test; undefine test --checkpoints-metadata; list --all'
#
# Part 9: DOMAIN may be a name, an id or a UUID.
$ cairn 'checkpoint-create-as 1 c1; checkpoint-create-as 6695eb01-f6a4-8304-79aa-97f2502e193f c2; checkpoint-list test --name; checkpoint-parent 1 c2'
