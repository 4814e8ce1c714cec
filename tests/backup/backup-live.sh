#!/bin/bash
# restore --live on real QEMU (TCG) with the test guest: a snapshot of a
# 64 MiB data disk with known patterns is restored into a new domain that
# runs at once from the snapshot's NBD export while the disk is copied
# underneath it (slowed with --bandwidth so it is really mid-copy):
#   - the domain runs soon after the command (the tool's own measure; the
#     2 s target is measured by bench/live-restore.sh on a quiet machine);
#   - the guest checks its data (cairn.check) while the pull runs, and
#     writes the outcome to its second disk (cairn.result);
#   - kill -9 of the tool and of the server mid-copy: --status says the
#     export is dead; a rerun restarts the server on the same socket and
#     QEMU reconnects (the copy moves on);
#   - kill -9 of QEMU mid-copy: the domain is shut off over partly filled
#     images; a rerun starts it again and finishes the copy;
#   - afterwards the image equals a plain restore of the snapshot, has no
#     backing, the definition has no <backingStore>, no server is left.
. "$(dirname "$0")/lib.sh"
bk_setup live
note() { echo "== [${SECONDS}s] $*" >&2; }
# The 2 s target holds on a machine with a core to spare; on a loaded one
# (load average above the CPU count) starting QEMU alone takes longer.
if awk -v l="$(cut -d' ' -f1 /proc/loadavg)" -v n="$(nproc)" 'BEGIN { exit !(l < n) }'; then
    START_LIMIT=${LIVE_START_LIMIT:-2}
else
    START_LIMIT=${LIVE_START_LIMIT:-10}
fi

out=$("$here/tests/guest/make-guest.sh" --quiet ${CAIRN_GUEST_OFFLINE:+--offline} "$root/guest" \
    2>"$root/guest.log") || { [ $? = 3 ] && { echo "skip: guest packages"; exit 77; }; fail "make-guest.sh"; }
kernel=$(sed -n 1p <<<"$out")
initrd=$(sed -n 2p <<<"$out")

# The source: vda with patterns, vdb (raw) takes the guest's verdict.
qemu-img create -q -f qcow2 "$img/src-vda.qcow2" 64M
# 0xab and 0xcd are checked by the guest; 0xef is ballast that keeps the
# copy at 1 MiB/s busy well beyond the guest's checks.
qemu-io -f qcow2 -c "write -P 0xab 1M 12M" -c "write -P 0xcd 40M 1M" -c "write -P 0xef 16M 20M" \
    "$img/src-vda.qcow2" >/dev/null
qemu-img create -q -f raw "$img/src-vdb.raw" 1M
cat >"$root/src.xml" <<EOF
<domain type='qemu'><name>src</name><memory unit='MiB'>256</memory>
<os><type arch='x86_64' machine='q35'>hvm</type><kernel>$kernel</kernel><initrd>$initrd</initrd>
<cmdline>console=ttyS0 quiet panic=-1 cryptomgr.notests rodata=off cairn.check=vda:1M:12M:ab,vda:40M:1M:cd cairn.result=vdb cairn.wait=1</cmdline></os>
<features><acpi/></features><devices>
<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='$img/src-vda.qcow2'/><target dev='vda' bus='virtio'/></disk>
<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='$img/src-vdb.raw'/><target dev='vdb' bus='virtio'/></disk>
</devices></domain>
EOF
c define "$root/src.xml" >/dev/null
repo=$root/repo
cb init "$repo" >/dev/null
id=$(cb run "src" "$repo" --disk vda 2>/dev/null | tail -1)
[ -n "$id" ] || fail "no snapshot"
cb restore "$repo" "$id" "$root/plain" --disk vda >/dev/null
dir=$root/live
LIVE=("$cairn_backup" restore "$repo" "$id" -c "$uri" --live lv --to "$dir")
live() { "${LIVE[@]}" "$@"; }
# The servers are daemons: stop them at the end, whatever happens.
stop_servers() {
    local f pid
    for f in "$dir"/.cairn-live/*.pid; do
        pid=$(cat "$f" 2>/dev/null) || continue
        grep -q nbdkit "/proc/$pid/cmdline" 2>/dev/null && kill -9 "$pid"
    done
    return 0
}
trap 'rc=$?; stop_servers; (exit $rc); bk_cleanup' EXIT
verdict() { head -c 15 "$img/src-vdb.raw" | tr -d '\0'; }
qemu_pid() { cat "$root/cairn/run/lv.pid" 2>/dev/null; }
server_pid() { cat "$dir/.cairn-live/vda.pid" 2>/dev/null; }
# wait_for SECONDS COMMAND...: poll until COMMAND succeeds
wait_for() {
    local n=$(($1 * 10)); shift
    until "$@"; do n=$((n - 1)); [ $n -gt 0 ] || return 1; sleep 0.1; done
}
pulled() { c blockjob lv vda --raw | sed -n 's/^ cur=//p'; }

note "1. restore --live, copying at 1 MiB/s"
"${LIVE[@]}" --bandwidth 1 >"$root/live1.out" 2>"$root/live1.err" &
tool=$!
wait_for 60 grep -q "running after" "$root/live1.err" || fail "domain not started: $(cat "$root/live1.err")"
secs=$(sed -n "s/.*running after \([0-9.]*\) s/\1/p" "$root/live1.err")
note "domain running after $secs s (limit $START_LIMIT s, load $(cut -d' ' -f1 /proc/loadavg))"
awk -v s="$secs" -v l="$START_LIMIT" 'BEGIN { exit !(s < l) }' || fail "domain ran only after $secs s"
c dumpxml lv | grep -q "<backingStore type='network'>" || fail "live XML without the NBD backing"

note "2. the guest checks its data while the copy runs"
wait_for 150 grep -q CAIRN-CHECKS "$img/src-vdb.raw" || fail "no verdict from the guest"
[ "$(verdict)" = CAIRN-CHECKS-OK ] || fail "guest: $(head -c 200 "$img/src-vdb.raw")"
c blockjob lv vda --info | grep -q "Block Pull: \[" || fail "the copy was over before the guest read"
cur1=$(pulled)
note "guest verdict OK with $cur1 bytes copied"

note "3. kill -9 of the tool and the server mid-copy"
spid=$(server_pid)
kill -9 "$tool" "$spid"
wait "$tool" 2>/dev/null || true
gone() { ! grep -q nbdkit "/proc/$1/cmdline" 2>/dev/null; }
wait_for 10 gone "$spid" || fail "server $spid still there"
if live --status >"$root/status.out" 2>&1; then fail "--status with a dead server succeeded"; fi
grep -q "server DEAD" "$root/status.out" || fail "--status: $(cat "$root/status.out")"
"${LIVE[@]}" --bandwidth 1 >"$root/live2.out" 2>"$root/live2.err" &
tool=$!
moved() { local now; now=$(pulled); [ -n "$now" ] && [ "$now" -gt "$((cur1 + 1048576))" ]; }
wait_for 60 moved || fail "the copy did not move on after the server came back: $(cat "$root/live2.err")"
live --status >/dev/null || fail "--status after the rerun"

note "4. kill -9 of QEMU mid-copy"
kill -9 "$tool" "$(qemu_pid)"
wait "$tool" 2>/dev/null || true
domoff() { c domstate lv | grep -q 'shut off'; }
wait_for 20 domoff || fail "domain not shut off"
size=$(qemu-img info --output=json "$dir/vda.qcow2" | json "['actual-size']")
[ "$size" -gt 2097152 ] || fail "only $size bytes copied before QEMU died"

note "5. the rerun finishes"
live >"$root/live3.out" 2>"$root/live3.err" || fail "rerun: $(cat "$root/live3.err")"
grep -qx "$dir/vda.qcow2" "$root/live3.out" || fail "rerun output: $(cat "$root/live3.out")"
c destroy lv >/dev/null
bk_same "$dir/vda.qcow2" "$root/plain/vda.qcow2"
[ "$(qemu-img info --backing-chain "$dir/vda.qcow2" | grep -c '^image:')" = 1 ] || fail "backing left"
if c dumpxml lv --inactive | grep -q backingStore; then fail "definition keeps <backingStore>"; fi
[ ! -e "$dir/.cairn-live" ] || fail "runtime directory left"
if pgrep -f "$dir/.cairn-live" >/dev/null; then fail "server left"; fi
echo "ok: live restore, guest check mid-copy, server and QEMU killed and recovered"
