# Domain commands. test:///default has one running domain "test" (id 1);
# $srcdir/data/guest2.xml defines another one with a disk and a cdrom.
$ cairn 'list; list --all; list --inactive; list --name; list --uuid; list --id; list --uuid --name --all'
$ cairn "define $srcdir/data/guest2.xml; list --all; list --inactive --name; list --all --id --name; start guest2; list --all" 2>&1 | sed "s|$srcdir|SRCDIR|"
$ cairn "define $srcdir/data/guest2.xml; start guest2; start guest2; domid guest2; domblklist guest2; domblklist guest2 --details; destroy guest2; domid guest2; domstate guest2 --reason; domblklist guest2 --inactive; undefine guest2; list --all" 2>&1 | sed "s|$srcdir|SRCDIR|"
$ cairn 'dominfo test; domstate test; domstate test --reason; domuuid test; domname 1; domid 6695eb01-f6a4-8304-79aa-97f2502e193f'
$ cairn 'dumpxml test --xpath //os --wrap; dumpxml test --inactive --xpath "/domain/name"; dumpxml test --security-info --xpath "//disk/source"'
$ cairn dumpxml test
$ cairn 'shutdown test; domstate test --reason; dominfo test; shutdown test; start test; domid test; destroy test; domstate test --reason'
$ cairn 'list --table --name'
$ cairn 'dominfo nosuch; domstate; define nosuch.xml'
$ cairn -r 'destroy test; start test; list'
