# Backups of a shut-off domain (test:///default simulates what the qemu
# driver does with a qemu-storage-daemon): they work as for a running
# domain, and while one runs the domain cannot be started or undefined and
# checkpoint bitmaps cannot be made or removed. The simulated push takes
# 1 s of the stepping clock.
#
# A push backup with a checkpoint: the job reported, its XML, what is
# refused meanwhile, then its completion; afterwards the domain starts.
$ echo '<domaincheckpoint><name>c1</name></domaincheckpoint>' > chk.xml
$ CAIRN_TEST_CLOCK_STEP_MS=100 cairn 'destroy test; backup-begin test --checkpointxml chk.xml; domjobinfo test; backup-dumpxml test; start test; undefine test; checkpoint-create-as test c2; checkpoint-delete test c1; checkpoint-list test --name; domjobinfo test --wait; domjobinfo test --completed; start test; domstate test'
#
# A pull backup (incremental since c1) runs until domjobabort ends it;
# METADATA_ONLY delete does not touch the disks and is allowed meanwhile.
$ echo "<domainbackup mode='pull'><incremental>c1</incremental><server transport='unix' socket='/run/bk.sock'/></domainbackup>" > pull.xml
$ CAIRN_TEST_CLOCK_STEP_MS=60000 cairn 'destroy test; backup-begin test --checkpointxml chk.xml; backup-begin test pull.xml; domjobinfo test; backup-dumpxml test; start test; checkpoint-delete test c1 --metadata; checkpoint-list test --name; domjobabort test; domjobinfo test --completed; start test; domstate test'
