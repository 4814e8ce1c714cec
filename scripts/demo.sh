#!/usr/bin/env bash
# make demo: Cairn's main job on a real QEMU, through the cairn CLI.
#
#   1. a tiny Linux guest (tests/guest/make-guest.sh) on a 2-disk qcow2
#      domain, type='qemu' (TCG), under a fresh qemu:///embed root;
#   2. the guest writes data; a full push backup creates checkpoint c1;
#   3. the guest is restarted and writes more (and keeps writing: a loop);
#      an incremental push from c1 creates c2;
#   4. a pull backup exports the disks over NBD while the guest writes;
#      nbdcopy reads them; domjobabort ends it;
#   5. cairn-backup keeps the backups: a repository, a full and an
#      incremental run while the guest writes, each snapshot restored in one
#      command and compared with the disks using qemu-img compare;
#   6. a table of sizes and times.
#
# Every step is a separate `cairn` process: the backup jobs live under the
# root, not in one process. Reference copies for the comparisons are taken
# while the guest is paused for an instant (QMP stop/cont through
# `cairn qemu-monitor-command`). Cleans up on exit: QEMU killed by its pid,
# the temporary root removed.
#
# usage: scripts/demo.sh    (CAIRN=path/to/cairn, default build/tools/cairn;
#                            CAIRN_BACKUP=path/to/cairn-backup;
#                            CAIRN_DEMO_KEEP=1 keeps the root)
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
cairn=${CAIRN:-$here/build/tools/cairn}
cairn_backup=${CAIRN_BACKUP:-$here/build/tools/cairn-backup}
for exe in "$cairn" "$cairn_backup"; do
    [ -x "$exe" ] || { echo "demo: $exe not built yet (make build)" >&2; exit 1; }
done
for tool in qemu-system-x86_64 qemu-img qemu-io nbdcopy nbdinfo; do
    command -v "$tool" >/dev/null || { echo "demo: $tool missing (make deps)" >&2; exit 1; }
done

# A test root (tests/testroot.sh): should this script be killed by SIGKILL,
# the next real-QEMU test, or build/tests/cairn-test-sweep, kills its QEMU.
. "$here/tests/testroot.sh"
test_root_make demo
root=$TEST_ROOT
uri="qemu:///embed?root=$root"
dom=demo
uuid=$(cat /proc/sys/kernel/random/uuid)
img=$root/images
mkdir -p "$img"

cleanup() {
    local pid
    pid=$(cat "$root/run/$dom.pid" 2>/dev/null || true)
    if [ -n "$pid" ] && grep -qa "$root/run/$dom.qmp" "/proc/$pid/cmdline" 2>/dev/null; then
        kill -9 "$pid" 2>/dev/null || true
    fi
    if [ -n "${CAIRN_DEMO_KEEP:-}" ]; then echo "demo: kept $root"; else rm -rf "$root"; fi
}
trap cleanup EXIT

bold=$(tput bold 2>/dev/null || true); plain=$(tput sgr0 2>/dev/null || true)
say() { printf '\n%s== %s%s\n' "$bold" "$*" "$plain"; }
# Show and run one cairn command.
c() { printf '%s$ cairn %s%s\n' "$bold" "$*" "$plain"; "$cairn" -c "$uri" "$@"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
size() { du -h --apparent-size "$1" | cut -f1; }
used() { du -h "$1" | cut -f1; }
rows=()
row() { rows+=("$(printf '%-34s %10s %10s %8s' "$@")"); }

# Wait until the guest's pattern @2 is on disk @1 at @3 length @4.
wait_pattern() {
    local deadline=$((SECONDS + 180))
    until qemu-io -r -U -f qcow2 -c "read -P 0x$2 $3 $4" "$1" >/dev/null 2>&1; do
        [ $SECONDS -lt $deadline ] || { echo "demo: the guest did not write 0x$2" >&2; exit 1; }
        sleep 0.5
    done
}
# Pause the guest, copy both disks with qemu-img, run "$@", resume.
paused_copy() {
    local tag=$1; shift
    c qemu-monitor-command $dom '{"execute":"stop"}' >/dev/null
    qemu-img convert -U -O qcow2 "$img/vda.qcow2" "$root/ref-$tag-vda.qcow2"
    qemu-img convert -U -O qcow2 "$img/vdb.qcow2" "$root/ref-$tag-vdb.qcow2"
    "$@"
    c qemu-monitor-command $dom '{"execute":"cont"}' >/dev/null
}
compare() {
    if qemu-img compare -U -q "$1" "$2"; then
        echo "identical: $(basename "$1") = $(basename "$2")"
    else
        echo "DIFFERENT: $1 vs $2" >&2; exit 1
    fi
}

domain_xml() {
    cat <<EOF
<domain type='qemu'>
  <name>$dom</name>
  <uuid>$uuid</uuid>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='q35'>hvm</type>
    <kernel>$kernel</kernel>
    <initrd>$initrd</initrd>
    <cmdline>console=ttyS0 quiet panic=-1 cryptomgr.notests rodata=off $1</cmdline>
  </os>
  <features><acpi/></features>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='$img/vda.qcow2'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='$img/vdb.qcow2'/>
      <target dev='vdb' bus='virtio'/>
    </disk>
  </devices>
</domain>
EOF
}

wait_shutoff() {
    local deadline=$((SECONDS + 120))
    until "$cairn" -c "$uri" domstate $dom | grep -q 'shut off'; do
        [ $SECONDS -lt $deadline ] || { echo "demo: guest did not power off" >&2; exit 1; }
        sleep 0.5
    done
}

# ---------------------------------------------------------------------------
say "1. The guest: a Debian kernel and a busybox initramfs (tests/guest)"
out=$("$here/tests/guest/make-guest.sh" --quiet "$root/guest")
kernel=$(sed -n 1p <<<"$out"); initrd=$(sed -n 2p <<<"$out")
echo "kernel $kernel, initrd $initrd"
qemu-img create -q -f qcow2 "$img/vda.qcow2" 256M
qemu-img create -q -f qcow2 "$img/vdb.qcow2" 128M
echo "disks: vda 256 MiB, vdb 128 MiB (qcow2); root $root"

say "2. The guest writes 48 MiB to vda and 16 MiB to vdb; full push backup with checkpoint c1"
domain_xml "cairn.write=vda:0:32M:a1,vda:100M:16M:a2,vdb:0:16M:b1 cairn.wait=1" >"$root/dom1.xml"
c define "$root/dom1.xml"
c start $dom
wait_pattern "$img/vdb.qcow2" b1 0 16M
echo "<domaincheckpoint><name>c1</name></domaincheckpoint>" >"$root/c1.xml"
t=$(now)
c backup-begin $dom --checkpointxml "$root/c1.xml"
c domjobinfo $dom --wait
t_full=$(since "$t")
c domjobinfo $dom --completed --keep-completed
c checkpoint-list $dom
echo "targets (generated names <source>.<checkpoint>):"; ls -ls "$img"
row "full push vda (c1)" "$(size "$img/vda.qcow2.c1")" "$(used "$img/vda.qcow2.c1")" "$t_full"
row "full push vdb (c1)" "$(size "$img/vdb.qcow2.c1")" "$(used "$img/vdb.qcow2.c1")" ""

say "3. The guest powers off; it boots again, writes 24 MiB more and keeps writing (a loop)"
c shutdown $dom
wait_shutoff
c checkpoint-validate $dom c1
domain_xml "cairn.write=vda:40M:16M:c1,vdb:64M:8M:d1 cairn.loop=vda:200M:64:64K cairn.loop.ms=50" \
    >"$root/dom2.xml"
c define "$root/dom2.xml"
c start $dom
wait_pattern "$img/vdb.qcow2" d1 64M 8M
echo "<domaincheckpoint><name>c2</name></domaincheckpoint>" >"$root/c2.xml"
echo "<domainbackup><incremental>c1</incremental></domainbackup>" >"$root/inc.xml"
t=$(now)
paused_copy inc c backup-begin $dom --backupxml "$root/inc.xml" --checkpointxml "$root/c2.xml"
c domjobinfo $dom --wait
t_inc=$(since "$t")
row "incremental push vda (c1..c2)" "$(size "$img/vda.qcow2.c2")" "$(used "$img/vda.qcow2.c2")" "$t_inc"
row "incremental push vdb (c1..c2)" "$(size "$img/vdb.qcow2.c2")" "$(used "$img/vdb.qcow2.c2")" ""
echo "clusters the incremental backup of vda holds (its own, depth 0):"
qemu-img map -U --output=human "$img/vda.qcow2.c2" | awk 'NR == 1 || $0 ~ /vda.qcow2.c2$/'

say "4. A pull backup over NBD while the guest keeps writing; nbdcopy reads it"
sock=$root/nbd.sock
cat >"$root/pull.xml" <<EOF
<domainbackup mode='pull'>
  <incremental>c2</incremental>
  <server transport='unix' socket='$sock'/>
</domainbackup>
EOF
paused_copy pull c backup-begin $dom --backupxml "$root/pull.xml"
c backup-dumpxml $dom
sleep 1   # the guest's loop writes meanwhile; the export stays at the start
t=$(now)
nbdcopy "nbd+unix:///vda?socket=$sock" "$root/pull-vda.raw"
t_pull=$(since "$t")
nbdcopy "nbd+unix:///vdb?socket=$sock" "$root/pull-vdb.raw"
echo "changed since c2 (nbdinfo --map=qemu:dirty-bitmap:backup-vda):"
nbdinfo --map=qemu:dirty-bitmap:backup-vda "nbd+unix:///vda?socket=$sock" | awk '$3 == 1'
c domjobinfo $dom
c domjobabort $dom
c domjobinfo $dom --completed --keep-completed
row "pull vda read by nbdcopy" "$(size "$root/pull-vda.raw")" "$(used "$root/pull-vda.raw")" "$t_pull"
compare "$root/pull-vda.raw" "$root/ref-pull-vda.qcow2"
compare "$root/pull-vdb.raw" "$root/ref-pull-vdb.qcow2"

say "5. cairn-backup: a deduplicating repository, full then incremental, each restored in one command"
# Show and run one cairn-backup command.
cbk() { printf '%s$ cairn-backup %s%s\n' "$bold" "$*" "$plain" >&2; "$cairn_backup" "$@"; }
cb_run() { cbk run $dom "$root/repo" -c "$uri" | tee "$root/$1.id"; }
cbk init "$root/repo"
for tag in cb1 cb2; do
    t=$(now)
    paused_copy "$tag" cb_run "$tag"
    row "cairn-backup run ($tag)" "" "$(used "$root/repo")" "$(since "$t")"
    sleep 1   # the guest's loop writes meanwhile
done
cbk list "$root/repo"
for tag in cb1 cb2; do
    t=$(now)
    cbk restore "$root/repo" "$(tail -1 "$root/$tag.id")" "$root/restored-$tag"
    row "cairn-backup restore ($tag)" "" "$(used "$root/restored-$tag")" "$(since "$t")"
    for d in vda vdb; do
        compare "$root/restored-$tag/$d.qcow2" "$root/ref-$tag-$d.qcow2"
    done
done
c shutdown $dom
wait_shutoff
c checkpoint-list $dom --tree

say "6. Sizes and times"
printf '%-34s %10s %10s %8s\n' "step" "size" "on disk" "seconds"
printf '%s\n' "${rows[@]}"
echo
echo "demo: all backups restored and identical to the disks at their start"
