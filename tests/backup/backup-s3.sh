#!/bin/bash
# cairn-backup with a repository in S3 (a private RADOS Gateway that
# tests/repo/with-rgw.sh starts): init, a full and an incremental run of a
# real domain, list, verify, restore, sync s3 -> directory -> s3, gc.
. "$(dirname "$0")/lib.sh"
[ -n "${AWS_ENDPOINT_URL:-}" ] || { echo "skip: run through tests/repo/with-rgw.sh"; exit 77; }
bk_setup s3
repo=s3://cairn-test/tool-$$
BK_KEY=

bk_define vm 1
bk_random "$img/vm-vda.qcow2" 0 6
cb init "$repo" >/dev/null

note "full and incremental into s3"
bk_copy vm s1
s1=$(cb run vm "$repo" | tail -1)
qemu-io -f qcow2 -c "write -P 0x61 8M 1M" "$img/vm-vda.qcow2" >/dev/null
bk_copy vm s2
out=$(cb run vm "$repo" --json)
s2=$(json "['snapshot']" <<<"$out")
[ "$(json "['disks'][0]['mode']" <<<"$out")" = incremental ] || fail "not incremental: $out"
out=$(cb list "$repo" vm --json)
[ "$(json "[-1]['id']" <<<"$out")" = "$s2" ] || fail "list: $out"
cb verify "$repo" >/dev/null || fail "verify"
bk_restore_check "$s1" s1 qcow2
bk_restore_check "$s2" s2 qcow2

note "sync s3 -> directory -> another prefix"
s3repo=$repo
cb init "$root/local" >/dev/null
cb sync "$s3repo" "$root/local" --last 1 >/dev/null
out=$(cb sync "$s3repo" "$root/local" --json)
[ "$(json "['snapshots_copied']" <<<"$out")" = 1 ] || fail "second sync: $out"
[ "$(json "['snapshots_present']" <<<"$out")" = 1 ] || fail "second sync: $out"
cb init "$s3repo-copy" >/dev/null
cb sync "$root/local" "$s3repo-copy" >/dev/null
repo=$s3repo-copy
bk_restore_check "$s1" s1 qcow2
bk_restore_check "$s2" s2 qcow2
repo=$root/local
bk_restore_check "$s2" s2 qcow2

note "gc on s3"
cb gc "$s3repo" --grace 0 >/dev/null || fail "gc"
repo=$s3repo
bk_restore_check "$s1" s1 qcow2
echo ok
