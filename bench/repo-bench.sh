#!/bin/bash
# bench/repo-bench.sh -- cairn-backup on the workload of the reference
# measurement of virtnbdbackup (../shared/reference/virtnbdbackup/run.sh):
# one running domain (no guest OS) whose 4 GiB qcow2 disk holds 3 GiB of
# mixed data (1 GiB random, 1 GiB text-like, 1 GiB of 64 KiB blocks drawn
# from a 128 MiB random pool). Timed, wall seconds: qemu-img convert -U of
# the disk (the reference), a full backup, 256 MiB written in 256
# scattered 1 MiB pieces through the disk device, an incremental, a
# restore to qcow2 and to raw (each compared with the disk), a second full
# of the unchanged disk, and a full of a second domain whose disk is a
# copy of the first. Sizes: what each step added to the repository. Each
# cairn-backup step also reports its CPU seconds (user+system) and, for
# run, its phases (CAIRN_BACKUP_TIMING=1) in $work/logs/ (KEEP=1 keeps it).
#
# With REFERENCE=1, virtnbdbackup's run.sh runs in the same invocation
# right after (libvirtd started and stopped around it), and one table
# puts both side by side with the ratios of the issue's targets.
#
#   usage: bash bench/repo-bench.sh
#     SIZE=4G          disk size (the data is 3/4 of it; the reference is 4G only)
#     CHUNK_SIZE=1M    init --chunk-size of the repository (default: the tool's, 4M)
#     REFERENCE=1      also run virtnbdbackup (needs root, libvirtd from
#                      ../shared/reference/libvirt, the virtnbdbackup package)
#     QUICK=1          only convert, full and incremental (no restores, no copies)
#     BUILD=dir KEEP=1 VIRT=kvm WORKDIR=/var/tmp (the scratch dir's parent)
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cairn_backup=$build/tools/cairn-backup
# TCG unless told: a /dev/kvm that opens is not always a KVM that works.
virt=${VIRT:-qemu}
[ -x "$cairn_backup" ] || die "no $cairn_backup: build first"
need qemu-img qemu-io qemu-nbd openssl python3
SIZE=${SIZE:-4G}
# The data sizes scale with the disk: 3/4 of it, in three equal parts.
disk_bytes=$(numfmt --from=iec "$SIZE")
part=$((disk_bytes / 4))
ref_dir=$top/../shared/reference
if [ -n "${REFERENCE:-}" ]; then
    [ -f "$ref_dir/virtnbdbackup/run.sh" ] || die "no $ref_dir/virtnbdbackup/run.sh"
    need virtnbdbackup virtnbdrestore virsh libvirtd
fi

bench_work cairn-repo-bench "${WORKDIR:-/var/tmp}"
uri="qemu:///embed?root=$work/root"
mkdir -p "$work/root/etc" "$work/img" "$work/logs"
write_qemu_conf "$work/root/etc/qemu.conf"
export CAIRN_BACKUP_TIMING=1

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
# t NAME CMD...: run CMD, its output in logs/NAME.log and .err; print wall seconds.
# The CPU seconds (user+system, of CMD and its children) go to logs/NAME.cpu.
t() {
    local name=$1 s e
    shift
    s=$(now)
    /usr/bin/time -f '%U %S' -o "$work/logs/$name.time" "$@" >"$work/logs/$name.log" 2>"$work/logs/$name.err" ||
        { cat "$work/logs/$name.log" "$work/logs/$name.err" >&2; return 1; }
    e=$(now)
    awk '{ printf "%.2f", $1 + $2 }' "$work/logs/$name.time" >"$work/logs/$name.cpu"
    elapsed "$s" "$e"
}
cpu() { cat "$work/logs/$1.cpu"; }
# CPU seconds (user+system) QEMU of domain $1 has used so far: its NBD
# server is part of what a backup costs on the same CPUs.
qemu_cpu() {
    local pid
    pid=$(pgrep -f -- "guest=$1,.*$work" | head -1)
    awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$pid/stat"
}
mib() { du -sb "$1" | awk '{ printf "%.0f", $1 / 1048576 }'; }
c() { "$cairn" -c "$uri" "$@"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

make_data() { # the reference's data, as a qcow2 image $1
    local raw=$work/data.raw
    truncate -s "$SIZE" "$raw"
    openssl enc -aes-128-ctr -pass pass:cairn -nosalt -pbkdf2 </dev/zero 2>/dev/null |
        head -c "$part" | dd of="$raw" bs=4M conv=notrunc status=none || true
    { for _ in $(seq 200); do
        find /usr/share/doc /usr/share/man -type f -name '*.gz' -print0 2>/dev/null |
            xargs -0 zcat 2>/dev/null || break
    done; } | head -c "$part" |
        dd of="$raw" bs=4M seek=$((part / 4194304)) conv=notrunc status=none || true
    openssl enc -aes-128-ctr -pass pass:pool -nosalt -pbkdf2 </dev/zero 2>/dev/null |
        head -c 128M >"$work/pool" || true
    python3 - "$work/pool" "$raw" "$part" <<'PY'
import random, sys
pool = open(sys.argv[1], 'rb').read(); B = 65536; n = len(pool) // B
part = int(sys.argv[3])
r = random.Random(7)
with open(sys.argv[2], 'r+b') as f:
    f.seek(2 * part)
    for _ in range(part // B):
        i = r.randrange(n); f.write(pool[i * B:(i + 1) * B])
PY
    qemu-img convert -f raw -O qcow2 "$raw" "$1"
    rm -f "$raw" "$work/pool"
}

define() { # define NAME IMAGE, start it
    domain_xml "$1" 256 "$2" >"$work/$1.xml"
    c define "$work/$1.xml" >/dev/null
    c start "$1" >/dev/null
}

echo "$bench: making ${SIZE} of data ..." >&2
make_data "$work/img/vm1.qcow2"
define vm1 "$work/img/vm1.qcow2"
repo=$work/repo
"$cairn_backup" init "$repo" ${CHUNK_SIZE:+--chunk-size "$CHUNK_SIZE"} >/dev/null
load_before=$(loadavg)
echo "$bench: cairn-backup ..." >&2

# The image was just written: flush it first. The first reader of the image
# after it was made pays more (5-7 CPU s here against ~1.2 for a second
# convert right after it: the kernel had let the page cache of the fresh image
# go): that first convert is the reference of the issue (its 5.4 s) and of
# virtnbdbackup's run.sh; the second, warm one is what a backup reading a warm
# image is up against. The reference does not flush its output; a backup is
# durable when it ends (one syncfs before the manifest), so convert + sync is
# timed too (warm).
sync
convert_s=$(t convert qemu-img convert -U -O qcow2 "$work/img/vm1.qcow2" "$work/convert.qcow2")
rm -f "$work/convert.qcow2"
sync
convert_warm_s=$(t convert-warm qemu-img convert -U -O qcow2 "$work/img/vm1.qcow2" "$work/convert.qcow2")
rm -f "$work/convert.qcow2"
sync
convert_sync_s=$(t convert-sync sh -c 'qemu-img convert -U -O qcow2 "$1" "$2" && sync "$2"' sh \
    "$work/img/vm1.qcow2" "$work/convert.qcow2")
rm -f "$work/convert.qcow2"
sync

q0=$(qemu_cpu vm1)
full_s=$(t full "$cairn_backup" run vm1 "$repo" -c "$uri")
full_qemu=$(awk -v a="$q0" -v b="$(qemu_cpu vm1)" 'BEGIN { printf "%.2f", b - a }')
full_mb=$(mib "$repo")

# 256 MiB in 256 scattered 1 MiB pieces (every 16 MiB of a 4 GiB disk).
stride=$((disk_bytes / 256 / 1048576))
for i in $(seq 0 255); do
    c qemu-monitor-command vm1 --hmp \
        "qemu-io -d /machine/peripheral/virtio-disk0/virtio-backend \"write -P $((i % 200 + 7)) $((i * stride))M 1M\"" \
        >/dev/null
done
c qemu-monitor-command vm1 --hmp \
    "qemu-io -d /machine/peripheral/virtio-disk0/virtio-backend \"flush\"" >/dev/null
q0=$(qemu_cpu vm1)
inc_s=$(t inc "$cairn_backup" run vm1 "$repo" -c "$uri")
inc_qemu=$(awk -v a="$q0" -v b="$(qemu_cpu vm1)" 'BEGIN { printf "%.2f", b - a }')
inc_mb=$(($(mib "$repo") - full_mb))
id=$(tail -1 "$work/logs/inc.log")

if [ -z "${QUICK:-}" ]; then
    qemu-img convert -U -O qcow2 "$work/img/vm1.qcow2" "$work/ref.qcow2"
    restore_s=$(t restore "$cairn_backup" restore "$repo" "$id" "$work/r-qcow2")
    same=$(qemu-img compare -q "$work/r-qcow2/vda.qcow2" "$work/ref.qcow2" && echo identical || echo DIFFERENT)
    qemu-img check -q "$work/r-qcow2/vda.qcow2" || same="$same, qemu-img check FAILED"
    rm -rf "$work/r-qcow2"
    restore_raw_s=$(t restore-raw "$cairn_backup" restore "$repo" "$id" "$work/r-raw" --format raw)
    same_raw=$(qemu-img compare -q "$work/r-raw/vda.raw" "$work/ref.qcow2" && echo identical || echo DIFFERENT)
    rm -rf "$work/r-raw"
    convert_raw_s=$(t convert-raw qemu-img convert -U -O raw "$work/ref.qcow2" "$work/convert.raw")
    rm -f "$work/convert.raw"

    before=$(mib "$repo")
    full2_s=$(t full2 "$cairn_backup" run vm1 "$repo" -c "$uri" --full)
    full2_mb=$(($(mib "$repo") - before))

    c destroy vm1 >/dev/null
    cp "$work/ref.qcow2" "$work/img/vm2.qcow2"
    define vm2 "$work/img/vm2.qcow2"
    before=$(mib "$repo")
    copy_s=$(t copy "$cairn_backup" run vm2 "$repo" -c "$uri")
    copy_mb=$(($(mib "$repo") - before))
    c destroy vm2 >/dev/null
else
    c destroy vm1 >/dev/null
fi
load_after=$(loadavg)

# The reference, same invocation: libvirtd up for it only.
vnb_convert= vnb_full= vnb_full_mb= vnb_inc= vnb_inc_mb= vnb_restore= vnb_lz4= vnb_lz4_mb=
if [ -n "${REFERENCE:-}" ]; then
    echo "$bench: virtnbdbackup (the reference) ..." >&2
    vnb_work=${VNB_WORK:-$work/vnb}
    WORK=$vnb_work bash "$ref_dir/libvirt/daemon.sh" start >/dev/null
    WORK=$vnb_work bash "$ref_dir/virtnbdbackup/run.sh" >"$work/logs/virtnbdbackup.log" 2>&1 ||
        { WORK=$vnb_work bash "$ref_dir/libvirt/daemon.sh" stop >/dev/null
          cat "$work/logs/virtnbdbackup.log" >&2; die "virtnbdbackup's run.sh failed"; }
    WORK=$vnb_work bash "$ref_dir/libvirt/daemon.sh" stop >/dev/null
    [ -n "${KEEP:-}" ] || rm -rf "$vnb_work"
    row() { grep -F "$1" "$work/logs/virtnbdbackup.log" | tail -1 | awk '{ print $(NF - ('"$2"')) }'; }
    vnb_convert=$(row "qemu-img convert -U" 0)
    vnb_full=$(row "full backup (stream format)" 1)
    vnb_full_mb=$(row "full backup (stream format)" 0)
    vnb_inc=$(row "incremental, 256 MiB" 1)
    vnb_inc_mb=$(row "incremental, 256 MiB" 0)
    vnb_restore=$(row "restore full+inc" 0)
    vnb_lz4=$(row "copy backup, lz4" 1)
    vnb_lz4_mb=$(row "copy backup, lz4" 0)
    load_after=$(loadavg)
fi

rev=$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo ?)
line() { printf '%-46s %9s %9s %9s %11s\n' "$@"; }
echo
line "cairn-backup $rev, SIZE $SIZE, chunks ${CHUNK_SIZE:-4M}" seconds cpu-s "MiB added" virtnbdbackup
line "qemu-img convert -U to qcow2 (reference)" "$convert_s" "$(cpu convert)" "" "$vnb_convert"
line "  the same again, warm" "$convert_warm_s" "$(cpu convert-warm)" "" ""
line "  the same, warm, + sync of its output" "$convert_sync_s" "$(cpu convert-sync)" "" ""
line "full backup" "$full_s" "$(cpu full)" "$full_mb" "$vnb_full${vnb_full:+ s}"
line "incremental, 256 MiB scattered" "$inc_s" "$(cpu inc)" "$inc_mb" "$vnb_inc${vnb_inc:+ s}"
if [ -z "${QUICK:-}" ]; then
    line "restore to qcow2 ($same)" "$restore_s" "$(cpu restore)" "" "$vnb_restore${vnb_restore:+ s}"
    line "restore to raw ($same_raw)" "$restore_raw_s" "$(cpu restore-raw)" "" ""
    line "qemu-img convert to raw (reference for raw)" "$convert_raw_s" "$(cpu convert-raw)" "" ""
    line "second full of the unchanged disk" "$full2_s" "$(cpu full2)" "$full2_mb" ""
    line "full of a second domain, copy of the disk" "$copy_s" "$(cpu copy)" "$copy_mb" ""
fi
[ -z "$vnb_lz4" ] || line "virtnbdbackup copy backup, lz4 (-z)" "" "" "" "$vnb_lz4 s"
echo
echo "targets (issue 11)                               value   target"
printf '%-46s %7s   %s\n' "full / qemu-img convert" "$(ratio "$full_s" "$convert_s")" "<= 1.5"
printf '%-46s %7s   %s\n' "full / warm qemu-img convert" "$(ratio "$full_s" "$convert_warm_s")" ""
printf '%-46s %7s   %s\n' "full / (qemu-img convert + sync)" "$(ratio "$full_s" "$convert_sync_s")" ""
[ -z "$vnb_full" ] ||
    printf '%-46s %7s   %s\n' "full / virtnbdbackup full" "$(ratio "$full_s" "$vnb_full")" "<= 0.4"
printf '%-46s %7s   %s\n' "incremental, seconds" "$inc_s" "<= 1"
[ -n "${QUICK:-}" ] ||
    printf '%-46s %7s   %s\n' "restore to qcow2 / qemu-img convert" "$(ratio "$restore_s" "$convert_s")" "<= 1.5"
[ -n "${QUICK:-}" ] ||
    printf '%-46s %7s   %s\n' "restore to qcow2 / warm convert" "$(ratio "$restore_s" "$convert_warm_s")" ""
[ -n "${QUICK:-}" ] ||
    printf '%-46s %7s   %s\n' "restore to qcow2 / (convert + sync)" "$(ratio "$restore_s" "$convert_sync_s")" ""
printf '%-46s %7s   %s\n' "stored MiB by the full" "$full_mb" \
    "<= virtnbdbackup -z full${vnb_lz4_mb:+ ($vnb_lz4_mb)}, issue: 2270"
echo "load average before: $load_before, after: $load_after; $(nproc) CPUs, virt type $virt"
echo "QEMU's CPU seconds (its NBD server) during the full: $full_qemu, the incremental: $inc_qemu"
echo "phases of the full and the incremental (CAIRN_BACKUP_TIMING=1):"
for s in full inc; do
    printf '  %-5s %s\n' "$s" "$(grep '^timing:' "$work/logs/$s.err" | awk '{ printf "%s %s, ", $2, $3 }')"
done
[ -z "$vnb_full" ] || [ "$SIZE" = 4G ] ||
    echo "note: virtnbdbackup's run.sh always uses a 4G disk; SIZE is $SIZE here"
