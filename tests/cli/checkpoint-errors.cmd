# Error messages of the checkpoint commands. A failing command prints
# "error: ..." lines on stderr (its own message first, then the library's)
# and the exit status is that of the last command.
#
# Missing arguments, unknown options and option syntax.
$ cairn checkpoint-list
$ cairn checkpoint-parent test
$ cairn checkpoint-delete
$ cairn checkpoint-info test c1 extra
$ cairn checkpoint-list test --nosuch
$ cairn checkpoint-list test --tree --tree
$ cairn checkpoint-list test --from
$ cairn checkpoint-list test --tree=yes
$ cairn 'checkpoint-list test --from ""'
$ cairn checkpoint-nosuch test
#
# Unknown domain and checkpoint.
$ cairn checkpoint-list nosuch
$ cairn checkpoint-info test nosuch
$ cairn checkpoint-delete test nosuch
$ cairn checkpoint-dumpxml test nosuch
$ cairn checkpoint-edit test nosuch
$ cairn checkpoint-list test --from nosuch
$ cairn checkpoint-parent test nosuch
#
# Mutually exclusive and dependent options of checkpoint-list (checked
# before the domain is looked up).
$ cairn checkpoint-list test --tree --name
$ cairn checkpoint-list test --parent --roots
$ cairn checkpoint-list test --parent --tree
$ cairn checkpoint-list test --roots --tree
$ cairn checkpoint-list test --roots --from c1
$ cairn checkpoint-list test --leaves --tree
$ cairn checkpoint-list test --no-leaves --tree
$ cairn checkpoint-list test --descendants
$ cairn checkpoint-list nosuch --descendants
#
# checkpoint-create: --redefine-validate needs --redefine; the test driver
# does not validate; --redefine and --quiesce exclude each other; a missing
# file; the wrong parent on redefine; a root has no parent.
$ cairn checkpoint-create test --redefine-validate
$ cairn checkpoint-create test --redefine --redefine-validate
$ cairn 'checkpoint-create-as test c1; checkpoint-dumpxml test c1' > c1.xml
$ cairn checkpoint-create test c1.xml --redefine --quiesce
$ cairn checkpoint-create test nosuch.xml
$ printf '<domaincheckpoint>\n  <name>orphan</name>\n  <parent>\n    <name>gone</name>\n  </parent>\n  <creationTime>1</creationTime>\n</domaincheckpoint>\n' > orphan.xml
$ cairn checkpoint-create test orphan.xml --redefine
$ printf '<domaincheckpoint>\n  <name>self</name>\n  <parent>\n    <name>self</name>\n  </parent>\n  <creationTime>1</creationTime>\n</domaincheckpoint>\n' > self.xml
$ cairn checkpoint-create test self.xml --redefine
$ printf '<domaincheckpoint>\n  <name>../escape</name>\n</domaincheckpoint>\n' > bad.xml
$ cairn checkpoint-create test bad.xml
$ cairn 'checkpoint-create-as test c1; checkpoint-parent test c1'
#
# checkpoint-create-as: duplicate names, bad disk specs, empty values.
$ cairn 'checkpoint-create-as test c1; checkpoint-create-as test c1'
$ cairn checkpoint-create-as test c1 desc vda,foo=bar
$ cairn checkpoint-create-as test c1 --diskspec vda,bitmap=a,bitmap=b
$ cairn checkpoint-create-as test c1 --diskspec vda,checkpoint=bitmap,checkpoint=no
$ cairn checkpoint-create-as test c1 --diskspec vda --diskspec vda,checkpoint=bitmap,bitmap=
$ cairn checkpoint-create-as test c1 --diskspec vdz
$ cairn checkpoint-create-as test --name ''
#
# checkpoint-delete: --children and --children-only exclude each other.
$ cairn 'checkpoint-create-as test c1; checkpoint-delete test c1 --children --children-only'
#
# An inactive domain: no new checkpoints, no --size.
$ cairn 'checkpoint-create-as test c1; destroy test; checkpoint-create-as test c2; checkpoint-dumpxml test c1 --size; checkpoint-list test --name'
#
# checkpoint-dumpxml --xpath must select nodes.
$ cairn 'checkpoint-create-as test c1; checkpoint-dumpxml test c1 --xpath "string(/domaincheckpoint/name)"'
#
# A read-only connection (-r, or connect --readonly) lists but refuses
# every change. (Each connection to test:///default starts afresh, so a
# read-only one never has checkpoints to delete or dump.)
$ cairn -r 'checkpoint-create-as test c1; checkpoint-create test; checkpoint-list test; checkpoint-list test --tree'
$ cairn 'connect test:///default --readonly; checkpoint-create-as test c1; uri'
$ cairn 'checkpoint-create-as test c1; connect --readonly; checkpoint-list test --name; checkpoint-create-as test c1'
