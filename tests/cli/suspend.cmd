# suspend and resume, with virsh 9.0's messages. test:///default has one
# running domain "test" (id 1). As libvirt's QEMU driver: suspending a
# paused domain and resuming a running one succeed and change nothing; a
# shut-off domain is refused with "domain is not running".
$ cairn 'suspend test; domstate test --reason; dominfo test; list --all; list --state-paused --name; list --state-running --name'
$ cairn 'suspend test; suspend test; domstate test --reason; resume test; domstate test --reason; resume test; domstate test --reason; list'
$ cairn 'suspend --domain 1; checkpoint-create-as test c1; checkpoint-list test --name; resume 6695eb01-f6a4-8304-79aa-97f2502e193f; domstate test'
$ cairn 'suspend test; destroy test; domstate test --reason; suspend test; resume test; domstate test --reason'
$ cairn suspend nosuch
$ cairn resume
$ cairn 'suspend test --force'
$ cairn -r 'suspend test; resume test; domstate test'
$ cairn 'help suspend; help resume'
