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
# (GLib writes debug messages to stdout)
G_MESSAGES_DEBUG=cairn.repo cb run vm "$repo" --json >"$root/debug" 2>&1
out=$(grep '^{' "$root/debug")
s2=$(json "['snapshot']" <<<"$out")
[ "$(json "['disks'][0]['mode']" <<<"$out")" = incremental ] || fail "not incremental: $out"
# 1 MiB changed: one chunk, the index, the manifest and the marker are
# PUT (the marker is also deleted), nothing more
stats=$(grep -o 's3 requests: .*' "$root/debug" | tail -1)
echo "incremental: $stats"
puts=$(sed -n 's/.*PUT \([0-9]*\) (\([0-9]*\) bytes).*/\1/p' <<<"$stats")
put_bytes=$(sed -n 's/.*PUT \([0-9]*\) (\([0-9]*\) bytes).*/\2/p' <<<"$stats")
[ -n "$puts" ] && [ "$puts" -le 4 ] || fail "incremental PUT too many objects: $stats"
[ "$put_bytes" -le $((4 * 1048576 + 65536)) ] || fail "incremental PUT too many bytes: $stats"
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
