#!/bin/bash
# A running 2-disk domain: full, then incremental with data written between
# them through the disk devices; every snapshot restored (qcow2 and raw) and
# compared with copies taken at backup time; a second full of unchanged
# disks stores (almost) nothing; another tool's checkpoint survives run and
# prune; prune + gc shrink the repository and keep the rest restorable;
# verify catches a flipped byte and a missing chunk, and restore refuses.
. "$(dirname "$0")/lib.sh"
bk_setup running
repo=$root/repo
BK_KEY=

bk_define vm 2
bk_random "$img/vm-vda.qcow2" 0 8
bk_random "$img/vm-vdb.qcow2" 16 4
c start vm >/dev/null
bk_write vm 0 11 32M 4M
bk_write vm 1 22 0 1M

cb init "$repo" >/dev/null
cb init "$repo" 2>/dev/null && fail "init of an existing repository succeeded"

note "full"
bk_copy vm s1
s1=$(cb run vm "$repo" | tail -1)
[ -n "$s1" ] || fail "no snapshot id"
cb list "$repo" vm --json | json "[0]['disks'][0]['mode']" | grep -qx full || fail "s1 not full"

note "another tool's checkpoint"
c checkpoint-create-as vm other-tool >/dev/null

note "incremental"
bk_write vm 0 33 4M 1M
bk_write vm 0 34 60M 64K
bk_write vm 1 44 10M 2M
bk_copy vm s2
out=$(cb run vm "$repo" --json)
s2=$(json "['snapshot']" <<<"$out")
for i in 0 1; do
    mode=$(json "['disks'][$i]['mode']" <<<"$out")
    [ "$mode" = incremental ] || fail "disk $i of s2 is $mode: $out"
done
read_b=$(json "['disks'][0]['bytes_read']" <<<"$out")
[ "$read_b" -le $((8 * 1048576)) ] || fail "incremental read $read_b bytes of vda"
c checkpoint-list vm --name | grep -qx other-tool || fail "other tool's checkpoint gone after run"
[ "$(c checkpoint-list vm --name | grep -c '^cb-')" = 1 ] || fail "old checkpoints of ours left"

note "second full of unchanged disks"
before=$(repo_bytes "$repo")
bk_copy vm s3
out=$(cb run vm "$repo" --full --json)
s3=$(json "['snapshot']" <<<"$out")
after=$(repo_bytes "$repo")
[ $((after - before)) -lt $((before / 100 + 65536)) ] ||
    fail "second full added $((after - before)) bytes to $before"

note "restore every snapshot"
bk_restore_check "$s1" s1 qcow2
bk_restore_check "$s2" s2 qcow2
bk_restore_check "$s2" s2 raw
bk_restore_check "$s3" s3 raw
cb restore "$repo" "$s2" "$root/one" --disk vdb >/dev/null
[ -e "$root/one/vdb.qcow2" ] && [ ! -e "$root/one/vda.qcow2" ] || fail "restore --disk vdb"
cb restore "$repo" "$s2" "$root/one" --disk vdb 2>"$root/err" && fail "restore overwrote"
grep -q "vdb.qcow2' exists" "$root/err" || fail "message: $(cat "$root/err")"

note "prune + gc"
cb prune "$repo" vm --keep-last 1 >/dev/null
[ "$(cb list "$repo" --json | json "[0]['id']")" = "$s3" ] || fail "prune kept the wrong one"
c checkpoint-list vm --name | grep -qx other-tool || fail "other tool's checkpoint gone after prune"
before=$(repo_bytes "$repo")
cb gc "$repo" >/dev/null
after=$(repo_bytes "$repo")
[ "$after" -lt "$before" ] || fail "gc did not shrink the repository ($before -> $after)"
bk_restore_check "$s3" s3 qcow2
cb verify "$repo" >/dev/null || fail "verify of a sound repository"

note "incremental after prune"
bk_write vm 0 55 0 1M
bk_copy vm s4
s4=$(cb run vm "$repo" | tail -1)
bk_restore_check "$s4" s4 qcow2

note "damage: flipped byte, missing chunk"
mapfile -t chunks < <(find "$repo" -path '*chunk*' -type f -size +1k | sort)
[ ${#chunks[@]} -ge 2 ] || fail "no chunk files found"
python3 - "${chunks[0]}" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
b[len(b) // 2] ^= 0x40
open(p, 'wb').write(bytes(b))
PY
rm -f "${chunks[1]}"
set +e
cb verify "$repo" >"$root/verify.out"
rc=$?
set -e
[ $rc = 3 ] || fail "verify exit $rc, want 3"
grep -q "$(basename "${chunks[0]}" | cut -c1-16)" "$root/verify.out" || fail "flipped chunk not named: $(cat "$root/verify.out")"
cat "$root/verify.out" >&2
cb restore "$repo" "$s4" "$root/bad" 2>"$root/err" && fail "restore of a damaged snapshot succeeded"
cat "$root/err" >&2
grep -qE "$(basename "${chunks[0]}" | cut -c1-16)|$(basename "${chunks[1]}" | cut -c1-16)" "$root/err" ||
    fail "the restore error names no chunk: $(cat "$root/err")"
[ -z "$(ls -A "$root/bad" 2>/dev/null)" ] || fail "restore left files: $(ls -A "$root/bad")"
c destroy vm >/dev/null
echo ok
