# checkpoint-validate (not in virsh) against test:///default (domain "test",
# one disk vda). The test driver has no images: every bitmap is intact.
$ cairn -c test:///default '
  checkpoint-create-as test c1
  checkpoint-create-as test c2 --diskspec vda,checkpoint=no
  checkpoint-validate test
  checkpoint-validate test c1 --xml
  checkpoint-validate test --repair
  checkpoint-validate test nosuch
'
$ cairn -r -c test:///default 'checkpoint-validate test --repair'
