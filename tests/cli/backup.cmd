# Backups, jobs and events on test:///default. The test driver simulates a
# push backup over 1 s of its clock; CAIRN_TEST_CLOCK_STEP_MS=250 makes
# that clock advance 250 ms at every reading (each job query, each main
# loop tick), so the transcript is deterministic.
#
# A full push backup of every disk: the generated target, the progress,
# the raw statistics, then completion and the completed job (read once).
$ CAIRN_TEST_CLOCK_STEP_MS=250 cairn 'backup-begin test; domjobinfo test; backup-dumpxml test; domjobinfo test --rawstats; domjobinfo test; domjobinfo test; domjobinfo test --completed --keep-completed; domjobinfo test --completed; domjobinfo test --completed'
#
# XPath on the running job's definition.
$ CAIRN_TEST_CLOCK_STEP_MS=100 cairn 'backup-begin test --quiesce; backup-dumpxml test --xpath //target/@file; backup-dumpxml test --xpath //disk/@name --wrap; backup-dumpxml test --xpath //@index'
#
# A backup file and a checkpoint file, then an incremental backup since
# that checkpoint.
$ cat > push.xml <<'X'
<domainbackup mode='push'>
  <disks>
    <disk name='vda' type='file'>
      <driver type='raw'/>
      <target file='/backups/vda.raw'/>
    </disk>
  </disks>
</domainbackup>
X
$ cat > chk.xml <<'X'
<domaincheckpoint><name>c1</name></domaincheckpoint>
X
$ echo '<domainbackup><incremental>c1</incremental></domainbackup>' > inc.xml
$ CAIRN_TEST_CLOCK_STEP_MS=250 cairn 'backup-begin test push.xml chk.xml; backup-dumpxml test; domjobinfo test --wait; checkpoint-list test --name; backup-begin test --backupxml inc.xml --checkpointxml /dev/null; backup-begin test --backupxml inc.xml --reuse-external; backup-dumpxml test; domjobinfo test'
#
# Following a job: --wait prints the completed job, --progress draws a
# progress line on stderr while waiting ("\rBackup: [ NN %]"; how many
# depends on the timers, so the lines are folded into one here).
$ CAIRN_TEST_CLOCK_STEP_MS=250 cairn 'backup-begin test; domjobinfo test --wait --progress; domjobinfo test --completed --anystats' 2>&1 | tr '\r' '\n' | sed 's/^Backup: \[ *[0-9]* %\]$/Backup: [progress]/' | uniq
#
# A pull backup runs until aborted; ended by domjobabort it completed.
$ echo "<domainbackup mode='pull'><server transport='unix' socket='/run/bk.sock'/></domainbackup>" > pull.xml
$ CAIRN_TEST_CLOCK_STEP_MS=60000 cairn 'backup-begin test pull.xml; backup-dumpxml test; domjobinfo test; domjobabort test; domjobinfo test; domjobinfo test --completed'
#
# An aborted push backup: Cancelled, whose statistics only --anystats or
# --rawstats show.
$ CAIRN_TEST_CLOCK_STEP_MS=100 cairn 'backup-begin test; domjobabort test; domjobinfo test --completed --keep-completed; domjobinfo test --completed --anystats --keep-completed; domjobinfo test --completed --rawstats'
#
# Events: one job-completed event; every event of a backup with --loop
# until --timeout; block-job only, for one domain.
$ CAIRN_TEST_CLOCK_STEP_MS=250 cairn 'backup-begin test; event test --event job-completed --timeout 10'
$ CAIRN_TEST_CLOCK_STEP_MS=250 cairn 'backup-begin test; event --all --loop --timeout 1'
$ CAIRN_TEST_CLOCK_STEP_MS=250 cairn 'backup-begin test; event --domain test --event block-job-2'
$ CAIRN_TEST_CLOCK_STEP_MS=250 cairn 'backup-begin test; event --event block-job --timestamp' | sed 's/^[0-9-]* [0-9:.]*+0000: /TIMESTAMP: /'
$ cairn event --list
#
# A guest that shuts down during a backup begun with
# --preserve-domain-on-shutdown is kept paused (shutting down) until the
# backup ends, then it is shut off; without the flag it stops at once.
$ CAIRN_TEST_CLOCK_STEP_MS=100 cairn 'backup-begin test --preserve-domain-on-shutdown; shutdown test; domstate test --reason; resume test; domjobinfo test --wait; domstate test --reason; start test; backup-begin test; shutdown test; domstate test --reason'
# Beyond virsh: a rate limit on each disk's copy. backup-begin --bandwidth
# sets it (MiB/s) on every disk right after the start, blockjob
# --bandwidth changes it (by target or source path; --bytes for bytes/s;
# 0 lifts it): the simulated 1 GiB copy slows to 128 MiB/s, then runs
# unlimited again. Errors: a disk without a job, an unknown disk, a
# malformed number.
$ CAIRN_TEST_CLOCK_STEP_MS=250 cairn 'backup-begin test --bandwidth 128; domjobinfo test; domjobinfo test; blockjob test /guest/diskimage1 --bandwidth 0; domjobinfo test --wait; blockjob test vda --bandwidth 10'
$ cairn 'blockjob test vdz --bandwidth 1; blockjob test vda --bandwidth 1048576 --bytes; blockjob test vda --bandwidth x; backup-begin test --bandwidth -1; domjobinfo test'
