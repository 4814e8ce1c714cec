#!/bin/bash
# kill -9 of `run` at every named moment (CAIRN_BACKUP_CRASH_AT, see
# tools/cairn-backup.h): the repository stays consistent (verify passes, no
# partial snapshot is listed), the next run works (full when the killed
# run's checkpoint is the newest, since no snapshot names it) and restores
# exactly; the domain keeps no job and no stray checkpoint of ours.
. "$(dirname "$0")/lib.sh"
bk_setup kill
repo=$root/repo
BK_KEY=

bk_define vm 2
bk_random "$img/vm-vda.qcow2" 0 8
c start vm >/dev/null
cb init "$repo" >/dev/null
base=$(cb run vm "$repo" | tail -1)
n=1
pattern=40
for point in begun chunk read ended committed; do
    note "killed at $point"
    pattern=$((pattern + 1))
    bk_write vm 0 "$pattern" $((pattern % 8))M 1M
    set +e
    CAIRN_BACKUP_CRASH_AT=$point cb run vm "$repo" >/dev/null 2>&1
    rc=$?
    set -e
    [ $rc = 137 ] || fail "run killed at $point exited $rc"
    [ "$point" = committed ] && n=$((n + 1))
    count=$(cb list "$repo" --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
    [ "$count" = $n ] || fail "after a kill at $point: $count snapshots, want $n"
    cb verify "$repo" >/dev/null || fail "verify after a kill at $point"
    bk_copy vm k
    out=$(cb run vm "$repo" --json)
    id=$(json "['snapshot']" <<<"$out")
    n=$((n + 1))
    bk_restore_check "$id" k qcow2
    [ "$(c checkpoint-list vm --name | grep -c '^cb-')" = 1 ] ||
        fail "checkpoints after a kill at $point: $(c checkpoint-list vm --name)"
done
note "killed while restoring: nothing left, the next restore works"
set +e
CAIRN_BACKUP_CRASH_AT=restoring cb restore "$repo" "$id" "$root/rk" >/dev/null 2>&1
rc=$?
set -e
[ $rc = 137 ] || fail "restore killed exited $rc"
for _ in $(seq 50); do pgrep -f "$root/rk" >/dev/null || break; sleep 0.1; done
! pgrep -af "$root/rk" || fail "a helper outlived a killed restore"
[ ! -e "$root/rk/vda.qcow2" ] || fail "a killed restore left vda.qcow2"
cb restore "$repo" "$id" "$root/rk" >/dev/null
bk_same "$root/rk/vda.qcow2" "$root/ref-k-vda.qcow2"
[ -z "$(ls -A "$root/rk" | grep partial)" ] || fail "partial files left: $(ls -A "$root/rk")"
[ -z "$(ls -d "$root"/cairn-backup-* 2>/dev/null)" ] || fail "socket directories left: $(ls -d "$root"/cairn-backup-*)"
c domjobinfo vm | grep -q 'None' || fail "a job is left: $(c domjobinfo vm)"
cb gc "$repo" >/dev/null
cb verify "$repo" >/dev/null
echo ok
