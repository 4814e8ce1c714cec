#!/bin/bash
# cairn-backup with a repository in S3 (a private RADOS Gateway that
# tests/repo/with-rgw.sh starts): init, a full and an incremental run of a
# real domain, list, verify, restore, sync s3 -> directory -> s3, gc; three
# hosts backing up into one bucket at once, gc during a fourth host's run;
# the gateway killed in the middle of a run and restarted.
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

# Keys under PREFIX in the test bucket (ListObjectsV2, signed by curl).
s3ls() {
    local enc=${1//\//%2F}
    curl -s --aws-sigv4 aws:amz:${AWS_REGION}:s3 -u "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
        -H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" \
        "$AWS_ENDPOINT_URL/cairn-test?list-type=2&prefix=$enc" |
        grep -o '<Key>[^<]*</Key>' | sed 's/<[^>]*>//g' || true
}
# Wait (up to 60 s) until a shared marker is under PREFIX/locks/: the run
# of process PID has opened the repository.
wait_marker() {
    for _ in $(seq 600); do
        s3ls "$1/locks/" | grep -q shared- && return 0
        kill -0 "$2" 2>/dev/null || return 0
        sleep 0.1
    done
    fail "no marker of the run under $1/locks/"
}
# cairn-backup run as host N: its own driver root, runtime and temp dirs.
host_run() {
    local n=$1; shift
    mkdir -p "$root/host$n/run" "$root/host$n/tmp"
    XDG_RUNTIME_DIR=$root/host$n/run TMPDIR=$root/host$n/tmp \
        "$cairn_backup" run -c "qemu:///embed?root=$root/host$n/cairn" "$@"
}
nsnaps() { cb list "$1" --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }

note "three hosts back up three domains sharing most content into one bucket at once"
hrepo=s3://cairn-test/hosts-$$
repo=$hrepo
cb init "$hrepo" >/dev/null
qemu-img create -q -f qcow2 "$root/base.qcow2" 32M
bk_random "$root/base.qcow2" 0 12
save_uri=$uri
for n in 1 2 3 4; do
    cp "$root/base.qcow2" "$img/h$n-vda.qcow2"
    # 2 MiB of its own at 16 MiB; host 4 (the run gc meets) 12 MiB
    bk_random "$img/h$n-vda.qcow2" 16 $((n == 4 ? 12 : 2))
    uri="qemu:///embed?root=$root/host$n/cairn"
    mkdir -p "$root/host$n/cairn"
    bk_define "h$n" 1
    bk_copy "h$n" "h$n"
done
uri=$save_uri
pids=()
for n in 1 2 3; do
    host_run $n "h$n" "$hrepo" >"$root/h$n.out" 2>"$root/h$n.err" &
    pids+=($!)
done
for n in 1 2 3; do
    wait "${pids[$((n - 1))]}" || fail "host $n: $(cat "$root/h$n.err")"
done

note "gc with zero grace while a fourth host uploads"
host_run 4 h4 "$hrepo" >"$root/h4.out" 2>"$root/h4.err" &
pid4=$!
wait_marker "hosts-$$" "$pid4"
if cb gc "$hrepo" --grace 0 >"$root/gc.out" 2>&1; then
    echo "gc ran (the fourth run was already done)"
else
    grep -q "in use" "$root/gc.out" || fail "gc during a run: $(cat "$root/gc.out")"
    echo "gc refused while the fourth host was uploading"
fi
wait "$pid4" || fail "host 4: $(cat "$root/h4.err")"
out=$(cb gc "$hrepo" --grace 0 --json) || fail "gc after the runs"
kept=$(json "['bytes_kept']" <<<"$out")
# stored once: 12 MiB shared + 3 x 2 + 12 MiB own (random: no compression)
# = 30 MiB; without cross-host dedup it would be 66 MiB
echo "four hosts: $kept bytes of chunks kept"
[ "$kept" -lt $((42 * 1048576)) ] || fail "no dedup across hosts: $out"
[ "$kept" -gt $((28 * 1048576)) ] || fail "chunks missing: $out"
[ "$(nsnaps "$hrepo")" = 4 ] || fail "four snapshots expected: $(cb list "$hrepo")"
for n in 1 2 3 4; do
    id=$(tail -1 "$root/h$n.out")
    bk_restore_check "$id" "h$n" qcow2
done

note "the gateway killed in the middle of a run, then restarted"
bk_random "$img/h1-vda.qcow2" 24 4
bk_copy h1 h1b
before=$(nsnaps "$hrepo")
CAIRN_S3_RETRIES=2 host_run 1 h1 "$hrepo" >"$root/k.out" 2>"$root/k.err" &
pidk=$!
wait_marker "hosts-$$" "$pidk"
read -r rgwsh rgwdir <<<"$CAIRN_TEST_RGW"
bash "$rgwsh" kill-rgw "$rgwdir"
if wait "$pidk"; then
    echo "the run retried past the kill and finished"
    killed=0
else
    killed=1
    echo "the run failed: $(tail -1 "$root/k.err")"
    grep -q "failed after 3 attempts" "$root/k.err" || fail "unclear error: $(cat "$root/k.err")"
fi
bash "$rgwsh" start-rgw "$rgwdir" >/dev/null
after=$(nsnaps "$hrepo")
[ "$after" = $((before + 1 - killed)) ] || fail "snapshots: $before before, $after after"
host_run 1 h1 "$hrepo" >"$root/k2.out" 2>"$root/k2.err" || fail "run after restart: $(cat "$root/k2.err")"
[ "$(nsnaps "$hrepo")" = $((after + 1)) ] || fail "run after restart listed no snapshot"
# (every snapshot of the four hosts, after gc, the kill and the restart)
cb verify "$hrepo" >/dev/null || fail "verify after the gateway's restart"
bk_restore_check "$(tail -1 "$root/k2.out")" h1b qcow2
echo ok
