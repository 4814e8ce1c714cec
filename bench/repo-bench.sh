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
# copy of the first. Sizes: what each step added to the repository.
#
#   usage: bash bench/repo-bench.sh     (BUILD=dir, SIZE=4G, KEEP=1, VIRT=kvm,
#                                        WORKDIR=/var/tmp for the scratch dir;
#                                        REFERENCE=1 also runs virtnbdbackup's
#                                        run.sh, which needs root, libvirtd from
#                                        ../shared/reference/libvirt and the
#                                        virtnbdbackup package)
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cairn_backup=$build/tools/cairn-backup
# TCG unless told: a /dev/kvm that opens is not always a KVM that works.
virt=${VIRT:-qemu}
[ -x "$cairn_backup" ] || die "no $cairn_backup: build first"
need qemu-img qemu-io qemu-nbd openssl python3
SIZE=${SIZE:-4G}
GiB=$((1 << 30))
# The data sizes scale with the disk: 3/4 of it, in three equal parts.
disk_bytes=$(numfmt --from=iec "$SIZE")
part=$((disk_bytes / 4))

bench_work cairn-repo-bench "${WORKDIR:-/var/tmp}"
uri="qemu:///embed?root=$work/root"
mkdir -p "$work/root/etc" "$work/img"
write_qemu_conf "$work/root/etc/qemu.conf"

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
t() {
    local s e
    s=$(now)
    "$@" >"$work/last.log" 2>&1 || { cat "$work/last.log" >&2; return 1; }
    e=$(now)
    elapsed "$s" "$e"
}
mib() { du -sb "$1" | awk '{ printf "%.0f", $1 / 1048576 }'; }
c() { "$cairn" -c "$uri" "$@"; }

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
"$cairn_backup" init "$repo" >/dev/null
load_before=$(loadavg)

convert_s=$(t qemu-img convert -U -O qcow2 "$work/img/vm1.qcow2" "$work/convert.qcow2")
rm -f "$work/convert.qcow2"

full_s=$(t "$cairn_backup" run vm1 "$repo" -c "$uri")
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
inc_s=$(t "$cairn_backup" run vm1 "$repo" -c "$uri")
inc_mb=$(($(mib "$repo") - full_mb))
id=$(tail -1 "$work/last.log")
qemu-img convert -U -O qcow2 "$work/img/vm1.qcow2" "$work/ref.qcow2"

restore_s=$(t "$cairn_backup" restore "$repo" "$id" "$work/r-qcow2")
same=$(qemu-img compare -q "$work/r-qcow2/vda.qcow2" "$work/ref.qcow2" && echo identical || echo DIFFERENT)
rm -rf "$work/r-qcow2"
restore_raw_s=$(t "$cairn_backup" restore "$repo" "$id" "$work/r-raw" --format raw)
same_raw=$(qemu-img compare -q "$work/r-raw/vda.raw" "$work/ref.qcow2" && echo identical || echo DIFFERENT)
rm -rf "$work/r-raw"
convert_raw_s=$(t qemu-img convert -U -O raw "$work/ref.qcow2" "$work/convert.raw")
rm -f "$work/convert.raw"

before=$(mib "$repo")
full2_s=$(t "$cairn_backup" run vm1 "$repo" -c "$uri" --full)
full2_mb=$(($(mib "$repo") - before))

c destroy vm1 >/dev/null
cp "$work/ref.qcow2" "$work/img/vm2.qcow2"
define vm2 "$work/img/vm2.qcow2"
before=$(mib "$repo")
copy_s=$(t "$cairn_backup" run vm2 "$repo" -c "$uri")
copy_mb=$(($(mib "$repo") - before))
c destroy vm2 >/dev/null
load_after=$(loadavg)

printf '%-50s %10s %10s\n' "cairn-backup ($(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo ?))" seconds "MiB added"
printf '%-50s %10s %10s\n' "qemu-img convert -U to qcow2 (reference)" "$convert_s" ""
printf '%-50s %10s %10s\n' "full backup" "$full_s" "$full_mb"
printf '%-50s %10s %10s\n' "incremental, 256 MiB scattered" "$inc_s" "$inc_mb"
printf '%-50s %10s %10s\n' "restore to qcow2 ($same)" "$restore_s" ""
printf '%-50s %10s %10s\n' "restore to raw ($same_raw)" "$restore_raw_s" ""
printf '%-50s %10s %10s\n' "qemu-img convert to raw (reference for raw)" "$convert_raw_s" ""
printf '%-50s %10s %10s\n' "second full of the unchanged disk" "$full2_s" "$full2_mb"
printf '%-50s %10s %10s\n' "full of a second domain, copy of the disk" "$copy_s" "$copy_mb"
echo "load average before: $load_before, after: $load_after; $(nproc) CPUs, virt type $virt"

if [ -n "${REFERENCE:-}" ]; then
    ref=$top/../shared/reference/virtnbdbackup/run.sh
    [ -f "$ref" ] || die "no $ref"
    echo
    WORK=${VNB_WORK:-/tmp/vnb} bash "$ref"
fi
