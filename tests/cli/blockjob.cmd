# blockpull and blockjob, virsh-compatible, on test:///default: the test
# driver's pull moves on by a quarter of its 1 GiB at each query, and the
# query after the one that saw 100 % finishes it (no <backingStore> left).
# Errors as libvirt's: unknown disk, a second job on the disk, no job,
# pivot of a pull, a shut-off domain.
$ cairn 'blockpull test vda --bandwidth 10; blockjob test vda; blockjob test vda --info --bytes; blockjob test vda --raw; blockpull test vda'
$ cairn 'blockpull test /guest/diskimage1 --wait --verbose; blockjob test vda --info'
$ cairn 'blockpull test vda; blockjob test vda --pivot; blockjob test vda --abort; blockjob test vda --abort; blockjob test vda'
$ cairn 'blockpull test vdz'
$ cairn 'blockpull test vda --bandwidth x'
$ cairn 'blockpull test vda --verbose'
$ cairn 'blockjob test vda --abort --info'
$ cairn 'destroy test; blockpull test vda; blockjob test vda --info'
$ cairn -r 'blockpull test vda'
