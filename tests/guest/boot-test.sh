#!/bin/bash
# boot-test.sh -- build Cairn's test guest and boot it under QEMU (TCG) on
# fresh qcow2 images; check from outside, with qemu-io and qemu-img, that
# it wrote exactly what its kernel command line asked for.
#
#   boot-test.sh [SCENARIO...]     default: all of them, in this order
#
#   build   make-guest.sh: cached rebuild time, byte-identical initramfs
#           from a fresh cache, a PVH-bootable vmlinux, usage errors
#   write   one disk: several patterns (one unaligned); qemu-io finds each,
#           qemu-img compare finds nothing else
#   disks   two disks, addressed as vda, vdb and by serial
#   check   cairn.check= on an image written from outside: match, mismatch
#           (down to one byte), and bad specs -> CAIRN-GUEST-FAILED
#   loop    cairn.loop with a count: the image holds exactly the ring
#   power   cairn.wait=1 and an endless cairn.loop, each ended by QMP
#           system_powerdown (the ACPI power button)
#   backup  a QEMU full backup (QMP blockdev-backup) taken while the loop
#           runs holds a consistent ring, at least as new as the last WROTE
#           line seen before it started
#
# Exit 0 if every check passed, 1 otherwise, 77 (skip) when QEMU or the
# guest's Debian packages cannot be had at all.  Environment: GUEST_TIMEOUT
# (seconds per boot, default 90), GUEST_KEEP=1 keeps the scratch directory.
set -uo pipefail

. "$(cd "$(dirname "$0")" && pwd)/lib.sh"

all=(build write disks check loop power backup)
if [ $# = 0 ]; then set -- "${all[@]}"; fi
for s in "$@"; do
    case " ${all[*]} " in *" $s "*) ;; *) echo "unknown scenario '$s' (have: ${all[*]})" >&2; exit 2 ;; esac
done

guest_setup

# expect_same WHAT EXPECTED ACTUAL [EXPECTED-FORMAT]: qemu-img compare
expect_same() {
    local out
    if out=$(qemu-img compare -f "${4:-qcow2}" -F qcow2 "$2" "$3" 2>&1); then
        pass "$1: image content as expected"
    else
        fail "$1: qemu-img compare: $(tr '\n' ' ' <<<"$out")"
    fi
}

# outside_image NAME SIZE QEMU-IO-WRITE...: an image written by qemu-io, as
# the reference the guest's work is compared with
outside_image() {
    local img c args=()
    img=$(new_disk "$1" "$2")
    shift 2
    for c in "$@"; do args+=(-c "write -q -P $c"); done
    [ $# = 0 ] || qemu-io -f qcow2 "${args[@]}" "$img" >/dev/null
    echo "$img"
}

# ---------------------------------------------------------------------------
scenario_build() {
    local t0 ms out rc cache2 k
    t0=$(now_ms)
    out=$("$GUEST_HERE/make-guest.sh" --quiet "$GT/again" 2>&1)
    rc=$? ms=$(($(now_ms) - t0))
    if [ $rc = 0 ] && [ "$ms" -lt 10000 ]; then pass "cached rebuild in $ms ms"
    else fail "cached rebuild: rc=$rc, $ms ms: $out"; fi

    # The initramfs again, from a fresh cache that shares only the .debs and
    # the unpacked kernel: the same bytes.
    cache2=$GT/cache2
    k=$GUEST_CACHE/kernel/${GUEST_KERNEL_DEB%.deb}
    mkdir -p "$cache2/debs" "$cache2/kernel"
    cp -l "$GUEST_CACHE/debs/$GUEST_KERNEL_DEB" "$GUEST_CACHE/debs/$GUEST_BUSYBOX_DEB" \
        "$GUEST_CACHE/debs/$GUEST_AGENT_DEB" "$cache2/debs/" &&
        cp -al "$k" "$cache2/kernel/"
    out=$("$GUEST_HERE/make-guest.sh" --offline --quiet --cache "$cache2" "$GT/fresh" 2>&1)
    rc=$?
    if [ $rc = 0 ] && cmp -s "$GUEST_INITRD" "$GT/fresh/initrd.gz"; then
        pass "initramfs is reproducible ($(stat -c %s "$GUEST_INITRD") bytes)"
    else
        fail "initramfs differs when rebuilt (rc=$rc): $out"
    fi

    if [ "${GUEST_KERNEL##*/}" = vmlinux ] && [ "$(head -c 4 "$GUEST_KERNEL" | od -An -tx1 | tr -d ' ')" = 7f454c46 ]; then
        pass "vmlinux extracted ($(stat -c %s "$GUEST_KERNEL") bytes from a $(stat -c %s "$GT/guest/vmlinuz")-byte bzImage)"
    else
        fail "no uncompressed vmlinux: $GUEST_KERNEL"
    fi
    # The PVH entry point QEMU needs to boot an ELF kernel: the Xen
    # XEN_ELFNOTE_PHYS32_ENTRY note (type 18).
    if command -v readelf >/dev/null; then
        if readelf -n "$GUEST_KERNEL" | grep -Eq 'Xen[[:space:]]+0x[0-9a-f]+[[:space:]]+(Unknown note type: \(0x00000012\)|.*PHYS32)'; then
            pass "vmlinux has the PVH entry note"
        else
            fail "vmlinux has no PVH entry note"
        fi
    fi

    "$GUEST_HERE/make-guest.sh" >/dev/null 2>&1
    rc=$?
    [ $rc = 2 ] && pass "no OUTDIR: usage error (2)" || fail "no OUTDIR: exit $rc, want 2"
    mkdir -p "$GT/empty"
    "$GUEST_HERE/make-guest.sh" --offline --quiet --cache "$GT/empty" "$GT/none" >/dev/null 2>&1
    rc=$?
    [ $rc = 3 ] && pass "--offline with an empty cache: packages unavailable (3)" ||
        fail "--offline with an empty cache: exit $rc, want 3"
    rm -rf "$GT/again" "$GT/fresh" "$cache2" "$GT/empty" "$GT/none"
}

# ---------------------------------------------------------------------------
scenario_write() {
    local d want
    d=$(new_disk write)
    vm_start write "cairn.write=1M:64k:ab,vda:0x300000:4096:0x5c cairn.write=5000:3:7" "$d"
    vm_wait_exit
    expect_done "write: boot with three writes"
    serial_has '^CAIRN-GUEST-READY kernel=[^ ]+ disks=vda:1073741824' &&
        pass "write: READY names the kernel and the disk" || fail "write: READY line: $(serial_tail)"
    [ "$(grep -c '^CAIRN-WRITE-OK' "$VM_SERIAL")" = 3 ] && pass "write: three WRITE-OK" ||
        fail "write: WRITE-OK lines: $(serial_tail)"
    check_pattern "$d" 1M 64k 0xab
    check_pattern "$d" 0x300000 4096 0x5c
    check_pattern "$d" 5000 3 0x07
    check_pattern "$d" 4999 1 0
    check_pattern "$d" 5003 1 0
    want=$(outside_image write-want 1G "0xab 1M 64k" "0x5c 0x300000 4096" "0x07 5000 3")
    expect_same write "$want" "$d"
}

# ---------------------------------------------------------------------------
scenario_disks() {
    local a b
    a=$(new_disk disk-a) b=$(new_disk disk-b 512M)
    vm_start disks "cairn.write=vda:0:1M:11,vdb:2M:128k:22 cairn.write=data-b:4M:4k:33,data-a:8M:4k:44" \
        "$a,serial=data-a" "$b,serial=data-b"
    vm_wait_exit
    expect_done "disks: two disks by name and by serial"
    serial_has 'CAIRN-GUEST-READY .*disks=vda:1073741824,vdb:536870912' &&
        pass "disks: READY lists both with their sizes" || fail "disks: READY: $(serial_tail)"
    expect_same "disks: vda" "$(outside_image disk-a-want 1G '0x11 0 1M' '0x44 8M 4k')" "$a"
    expect_same "disks: vdb" "$(outside_image disk-b-want 512M '0x22 2M 128k' '0x33 4M 4k')" "$b"
}

# ---------------------------------------------------------------------------
scenario_check() {
    local d copy
    # Written from outside; the guest must see it.
    d=$(outside_image check 256M "0x3c 2M 128k" "0x01 777 5")
    copy=$GT/check-before.qcow2
    cp "$d" "$copy"

    vm_start check-ok "cairn.check=2M:128k:3c,vda:777:5:0x1 cairn.check=0x10000:4k:0,0x220000:4k:00" "$d"
    vm_wait_exit
    expect_done "check: four matching ranges"
    [ "$(grep -c 'CAIRN-CHECK-OK' "$VM_SERIAL")" = 4 ] && pass "check: four CHECK-OK" ||
        fail "check: CHECK-OK lines: $(serial_tail)"

    vm_start check-bad "cairn.check=2M:128k:3d,0x1fffff:2:3c" "$d"
    vm_wait_exit
    expect_failed "check: mismatch -> FAILED, powered off" 'check failed: 2M:128k:3d; check failed: 0x1fffff:2:3c'
    serial_has '^CAIRN-CHECK-FAIL 2M:128k:3d \(131072 bytes differ\)' &&
        serial_has '^CAIRN-CHECK-FAIL 0x1fffff:2:3c \(1 bytes differ\)' &&
        pass "check: CHECK-FAIL counts the differing bytes (down to one)" ||
        fail "check: CHECK-FAIL lines: $(serial_tail)"
    expect_same "check: checks wrote nothing" "$copy" "$d"

    vm_start bad-disk "cairn.write=vdz:0:1:ff" "$d"
    vm_wait_exit
    expect_failed "check: unknown disk -> FAILED" "no disk 'vdz' for 'vdz:0:1:ff'"
    vm_start bad-range "cairn.write=255M:2M:ff" "$d"
    vm_wait_exit
    expect_failed "check: range past the end -> FAILED" "'255M:2M:ff' ends beyond the end of /dev/vda"
    vm_start bad-spec "cairn.check=1M:zz:ab" "$d"
    vm_wait_exit
    expect_failed "check: malformed spec -> FAILED" "bad spec '1M:zz:ab'"
    expect_same "check: failed boots wrote nothing" "$copy" "$d"
}

# ring_want OUT SIZE OFF SLOTS STRIDE LAST: a raw image of what the loop
# leaves after block LAST: slot s holds the newest seq k <= LAST with
# (k-1) % SLOTS == s, and nothing is written anywhere else.
ring_want() {
    local out=$1 size=$2 off=$3 slots=$4 stride=$5 last=$6 s k
    rm -f "$out"
    truncate -s "$size" "$out"
    for ((s = 0; s < slots && s < last; s++)); do
        k=$((s + 1 + slots * ((last - 1 - s) / slots)))
        {
            printf 'CAIRN-LOOP seq=%010d slot=%06d\n' "$k" "$s"
            head -c 4058 /dev/zero
        } | dd of="$out" bs=4096 seek=$(((off + s * stride) / 4096)) conv=notrunc status=none
    done
}

# ---------------------------------------------------------------------------
scenario_loop() {
    local d
    d=$(new_disk loop 16M)
    vm_start loop "cairn.loop=vda:1M:8:64k cairn.loop.ms=10 cairn.loop.count=20" "$d"
    vm_wait_exit
    expect_done "loop: 20 blocks round 8 slots"
    [ "$(grep -c 'CAIRN-LOOP-WROTE' "$VM_SERIAL")" = 20 ] && serial_has '^CAIRN-LOOP-END seq=20$' &&
        serial_has '^CAIRN-LOOP-START dev=vda offset=1048576 slots=8 stride=65536 ms=10 count=20' &&
        pass "loop: START, 20 WROTE, END seq=20" || fail "loop: markers: $(serial_tail)"
    ring_want "$GT/loop-want.raw" 16M 1048576 8 65536 20
    expect_same "loop: ring after seq 20" "$GT/loop-want.raw" "$d" raw
    # And a 3-block loop leaves 3 slots filled, the rest empty.
    d=$(new_disk loop3 16M)
    vm_start loop3 "cairn.loop=1 cairn.loop.ms=0 cairn.loop.count=3" "$d"
    vm_wait_exit
    expect_done "loop: cairn.loop=1 (vda:0:16:64K), 3 blocks"
    ring_want "$GT/loop3-want.raw" 16M 0 16 65536 3
    expect_same "loop: ring after seq 3 of 16 slots" "$GT/loop3-want.raw" "$d" raw
}

# ---------------------------------------------------------------------------
scenario_power() {
    local d last
    d=$(new_disk wait 64M)
    vm_start wait "cairn.write=0:4k:ee cairn.wait=1" "$d"
    if vm_wait_for '^CAIRN-GUEST-WAITING'; then
        pass "power: WAITING after $(($(now_ms) - VM_T0)) ms"
        sleep 1
        qmp query-status && [[ $QMP_REPLY == *'"status": "running"'* ]] &&
            pass "power: QMP query-status: running, 1 s after WAITING" ||
            fail "power: query-status: $QMP_REPLY"
        qmp system_powerdown && pass "power: QMP system_powerdown accepted" ||
            fail "power: system_powerdown refused"
        vm_wait_exit 30
        expect_done "power: cairn.wait=1 ended by the power button"
        check_pattern "$d" 0 4k 0xee
    else
        vm_wait_exit 1
        fail "power: never WAITING: $(serial_tail)"
    fi

    d=$(new_disk spin 16M)
    vm_start spin "cairn.loop=1 cairn.loop.ms=20" "$d"
    if vm_wait_for '^CAIRN-LOOP-WROTE seq=5 '; then
        qmp system_powerdown || fail "power: system_powerdown refused (loop)"
        vm_wait_exit 30
        expect_done "power: endless loop ended by the power button"
        last=$(serial_value '^CAIRN-LOOP-END seq=([0-9]+)$')
        if [ -n "$last" ] && [ "$last" -ge 5 ]; then
            pass "power: loop ended at seq=$last"
            ring_want "$GT/spin-want.raw" 16M 0 16 65536 "$last"
            expect_same "power: ring after seq $last" "$GT/spin-want.raw" "$d" raw
        else
            fail "power: no LOOP-END seq>=5: $(serial_tail)"
        fi
    else
        vm_wait_exit 1
        fail "power: loop never reached seq=5: $(serial_tail)"
    fi
}

# ring_last IMG SIZE OFF SLOTS STRIDE: the highest seq found in the ring
ring_last() {
    local raw=$GT/ring-last.raw s h max=0
    qemu-img convert -f qcow2 -O raw "$1" "$raw" || return 1
    for ((s = 0; s < $4; s++)); do
        h=$(dd if="$raw" bs=4096 skip=$((($3 + s * $5) / 4096)) count=1 status=none | head -c 25 | tr -d "\0")
        case $h in
        "CAIRN-LOOP seq="[0-9]*) h=${h#CAIRN-LOOP seq=}; h=$((10#$h)); [ "$h" -le "$max" ] || max=$h ;;
        esac
    done
    rm -f "$raw"
    echo "$max"
}

# ---------------------------------------------------------------------------
scenario_backup() {
    local d bk seen last end
    d=$(new_disk live 16M)
    bk=$(new_disk live-backup 16M)
    vm_start live "cairn.loop=vda:0:16:64k cairn.loop.ms=30" "$d"
    if ! vm_wait_for '^CAIRN-LOOP-WROTE seq=5 '; then
        vm_wait_exit 1
        fail "backup: loop never reached seq=5: $(serial_tail)"
        return
    fi
    seen=$(tr -d '\r' <"$VM_SERIAL" | sed -n 's/^CAIRN-LOOP-WROTE seq=\([0-9]*\) .*/\1/p' | tail -n 1)
    if qmp blockdev-add "{\"driver\": \"qcow2\", \"node-name\": \"backup0\",
            \"file\": {\"driver\": \"file\", \"filename\": \"$bk\"}}" &&
        qmp blockdev-backup '{"job-id": "job0", "device": "disk0", "target": "backup0", "sync": "full"}' &&
        qmp_event BLOCK_JOB_COMPLETED 60 && [[ $QMP_REPLY != *'"error"'* ]]; then
        pass "backup: blockdev-backup sync=full completed while the guest wrote (after WROTE seq=$seen)"
    else
        fail "backup: QMP: $QMP_REPLY"
    fi
    qmp blockdev-del '{"node-name": "backup0"}' || fail "backup: blockdev-del: $QMP_REPLY"
    qmp system_powerdown || fail "backup: system_powerdown: $QMP_REPLY"
    vm_wait_exit 30
    expect_done "backup: loop ended by the power button"

    last=$(ring_last "$bk" 16M 0 16 65536)
    if [ -n "$last" ] && [ "$last" -ge "$seen" ]; then
        pass "backup: backup holds seq $last >= $seen"
        ring_want "$GT/live-backup-want.raw" 16M 0 16 65536 "$last"
        expect_same "backup: a consistent ring at seq $last" "$GT/live-backup-want.raw" "$bk" raw
    else
        fail "backup: newest block in the backup is seq '$last', want >= $seen"
    fi
    end=$(serial_value '^CAIRN-LOOP-END seq=([0-9]+)$')
    if [ -n "$end" ] && [ "$end" -ge "$last" ]; then
        ring_want "$GT/live-want.raw" 16M 0 16 65536 "$end"
        expect_same "backup: the disk itself is the ring at seq $end" "$GT/live-want.raw" "$d" raw
    else
        fail "backup: LOOP-END '$end' before the backup's seq $last"
    fi
}

for s in "$@"; do
    echo "# $s"
    "scenario_$s"
done
finish
