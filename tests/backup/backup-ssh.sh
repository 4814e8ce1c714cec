#!/bin/bash
# cairn-backup of a domain on a remote host: run by qemurunner with
# CAIRN_TEST_SSH=1, the URI is qemu+ssh://root@127.0.0.1:PORT/session
# through a private sshd (tests/daemon/sshtestutils.h). The daemon makes the
# NBD socket as /tmp/cairn-backup-ID-*.sock on the far side and `run` reads
# it through the ssh connection (cairnConnectForwardUnixSocket): init, a
# full and an incremental run, a run killed after the job began (its job
# and socket are cleaned by the next run), every snapshot restored and
# compared with copies taken at backup time. Skips (77) without QEMU/sshd.
. "$(dirname "$0")/lib.sh"
[ -n "${CAIRN_TEST_QEMU_URI:-}" ] || { echo "skip: run by qemurunner"; exit 77; }
bk_setup ssh
uri=$CAIRN_TEST_QEMU_URI
case $uri in qemu+ssh://*) ;; *) fail "not an ssh URI: $uri" ;; esac
repo=$root/repo
BK_KEY=

# The daemon's QEMUs live under its root, not ours: kill them on failure.
bk_ssh_cleanup() {
    local rc=$? f pid
    for f in "$CAIRN_TEST_QEMU_ROOT"/run/*.pid; do
        [ -e "$f" ] || continue
        pid=$(cat "$f" 2>/dev/null || true)
        if [ -n "$pid" ] && grep -qa "$CAIRN_TEST_QEMU_ROOT" "/proc/$pid/cmdline" 2>/dev/null; then
            kill -9 "$pid" 2>/dev/null || true
        fi
    done
    (exit $rc)
    bk_cleanup
}
trap bk_ssh_cleanup EXIT

bk_define vm 2
bk_random "$img/vm-vda.qcow2" 0 8
bk_random "$img/vm-vdb.qcow2" 16 4
c start vm >/dev/null
bk_write vm 0 11 32M 4M
cb init "$repo" >/dev/null

note "full over ssh"
bk_copy vm s1
out=$(cb run vm "$repo" --json)
s1=$(json "['snapshot']" <<<"$out")
for i in 0 1; do
    [ "$(json "['disks'][$i]['mode']" <<<"$out")" = full ] || fail "disk $i of s1: $out"
done

note "incremental over ssh"
bk_write vm 0 33 4M 1M
bk_write vm 1 44 10M 2M
bk_copy vm s2
out=$(cb run vm "$repo" --json)
s2=$(json "['snapshot']" <<<"$out")
for i in 0 1; do
    [ "$(json "['disks'][$i]['mode']" <<<"$out")" = incremental ] || fail "disk $i of s2: $out"
done
read_b=$(json "['disks'][0]['bytes_read']" <<<"$out")
[ "$read_b" -le $((8 * 1048576)) ] || fail "incremental read $read_b bytes of vda"

note "killed after the job began: the socket is on the far side"
CAIRN_BACKUP_CRASH_AT=begun cb run vm "$repo" >/dev/null 2>&1 && fail "crash point did not kill"
xml=$(c backup-dumpxml vm)
sock=$(sed -n "s/.*<server[^>]* socket='\([^']*\)'.*/\1/p" <<<"$xml")
case $sock in /tmp/cairn-backup-*.sock) ;; *) fail "backup socket '$sock' is not the far side's: $xml" ;; esac
[ -S "$sock" ] || fail "no socket $sock while the job runs"
grep -q "<scratch file='$TMPDIR/cairn-backup-" <<<"$xml" &&
    fail "scratch in the local private directory: $xml"

note "the next run ends the job left behind"
bk_write vm 0 55 0 1M
bk_copy vm s3
out=$(cb run vm "$repo" --json)
s3=$(json "['snapshot']" <<<"$out")
[ ! -e "$sock" ] || fail "far socket $sock left after recovery"
[ -z "$(ls -d "$TMPDIR"/cairn-backup-* 2>/dev/null)" ] ||
    fail "local private directories left: $(ls -d "$TMPDIR"/cairn-backup-*)"

note "restore every snapshot"
bk_restore_check "$s1" s1 qcow2
bk_restore_check "$s2" s2 qcow2
bk_restore_check "$s3" s3 raw
c destroy vm >/dev/null
echo ok
