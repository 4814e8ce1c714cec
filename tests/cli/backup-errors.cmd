# Errors of the backup, job and event commands on test:///default.
#
# Arguments and options.
$ cairn backup-begin
$ cairn backup-begin test nosuch.xml
$ cairn backup-begin nosuch
$ cairn domjobinfo test --keep-completed
$ cairn domjobinfo test --progress
$ cairn domjobinfo test --wait --completed
$ cairn event
$ cairn event --list --all
$ cairn event --all --event lifecycle
$ cairn event --event nosuch
$ cairn event --event lifecycle --timeout 0
$ cairn event nosuch --event lifecycle
#
# No job.
$ cairn backup-dumpxml test
$ cairn domjobabort test
$ cairn domjobabort test --postcopy
$ cairn 'domjobinfo test; domjobinfo test --completed'
#
# What the driver refuses: XML, alignment, a second backup, an unknown
# checkpoint, pull servers, read-only connections; a job to abort on a
# shut-off domain that has none.
$ echo '<domainbackup mode="pull"/>' > noserver.xml
$ echo '<domainbackup><disks><disk name="vdz"/></disks></domainbackup>' > vdz.xml
$ echo '<domainbackup><incremental>nope</incremental></domainbackup>' > nope.xml
$ echo '<domainbackup mode="pull"><server name="localhost"/></domainbackup>' > noport.xml
$ echo '<domainbackup mode="pull"><server name="localhost" port="10809" tls="yes"/></domainbackup>' > tls.xml
$ echo '<domainbackup><disks><disk name="vda" backup="no"/></disks></domainbackup>' > none.xml
$ cairn backup-begin test noserver.xml
$ cairn backup-begin test vdz.xml
$ cairn backup-begin test nope.xml
$ cairn backup-begin test noport.xml
$ cairn backup-begin test tls.xml
$ cairn backup-begin test none.xml
$ cairn 'backup-begin test; backup-begin test'
$ cairn -r backup-begin test
$ cairn -r 'domjobinfo test; domjobabort test'
# A shut-off domain without a job: libvirt 9.0 checks that the domain runs
# first (qemuDomainAbortJobFlags), so "domain is not running", not "no job".
$ cairn 'destroy test; domjobabort test'
# --quiesce: a shut-off guest has nothing to freeze.
$ cairn 'destroy test; backup-begin test --quiesce'
