#!/bin/bash
# A shut-off 2-disk domain (Cairn backs it up through a storage daemon):
# full, data written into the images, incremental; restores compared with
# copies. A disk added since the last snapshot is read in full, and a
# checkpoint removed behind our back makes the next run read in full and
# say so. The repository has 1 MiB chunks (init --chunk-size): run reads,
# restore and verify follow it (backup-running.sh covers the default 4 MiB).
. "$(dirname "$0")/lib.sh"
bk_setup offline
repo=$root/repo
BK_KEY=

bk_define vm 2
bk_random "$img/vm-vda.qcow2" 0 6
bk_random "$img/vm-vdb.qcow2" 20 2
cb init "$repo" --chunk-size 3M 2>"$root/err" && fail "--chunk-size 3M accepted"
grep -q "power of two" "$root/err" || fail "no reason: $(cat "$root/err")"
[ ! -e "$repo" ] || fail "a refused init left $repo"
[ "$(cb init "$repo" --chunk-size 1M --json | json "['chunk_size']")" = 1048576 ] ||
    fail "init --chunk-size 1M"

note "full of a shut-off domain"
bk_copy vm s1
s1=$(cb run vm "$repo" | tail -1)
c domstate vm | grep -q 'shut off' || fail "the domain is not shut off"

note "incremental of a shut-off domain"
qemu-io -f qcow2 -c "write -P 0x61 8M 1M" "$img/vm-vda.qcow2" >/dev/null
qemu-io -f qcow2 -c "write -P 0x62 40M 64K" "$img/vm-vdb.qcow2" >/dev/null
bk_copy vm s2
out=$(cb run vm "$repo" --json)
s2=$(json "['snapshot']" <<<"$out")
[ "$(json "['disks'][0]['mode']" <<<"$out")" = incremental ] || fail "not incremental: $out"
# 1 MiB written at 8 MiB: one chunk of 1 MiB read, not 4 MiB
[ "$(json "['disks'][0]['bytes_read']" <<<"$out")" -eq 1048576 ] || fail "read not 1 chunk: $out"
[ "$(json "['disks'][1]['bytes_read']" <<<"$out")" -eq 1048576 ] || fail "read not 1 chunk: $out"

note "a disk added since the last snapshot"
bk_define vm 3
qemu-io -f qcow2 -c "write -P 0x63 0 2M" "$img/vm-vdc.qcow2" >/dev/null
bk_copy vm s3
s3=$(cb run vm "$repo" 2>"$root/err" | tail -1)
cat "$root/err" >&2
out=$(cb list "$repo" vm --json)
[ "$(json "[-1]['disks'][2]['mode']" <<<"$out")" = full ] || fail "new disk not full: $out"
[ "$(json "[-1]['disks'][0]['mode']" <<<"$out")" = incremental ] || fail "vda not incremental: $out"
grep -q "vdc.*disk not in snapshot" "$root/err" || fail "no reason given: $(cat "$root/err")"

note "checkpoint gone: full read, said so"
chk=$(c checkpoint-list vm --name | grep '^cb-')
c checkpoint-delete vm "$chk" >/dev/null
bk_copy vm s4
out=$(cb run vm "$repo" --json)
s4=$(json "['snapshot']" <<<"$out")
[ "$(json "['disks'][0]['mode']" <<<"$out")" = full ] || fail "not full: $out"
json "['disks'][0]['read']" <<<"$out" | grep -q "checkpoint $chk of snapshot .* is missing" ||
    fail "no reason: $out"

for s in 1 2 3 4; do
    id=s$s
    bk_restore_check "${!id}" "s$s" qcow2
done
cb verify "$repo" >/dev/null
echo ok
