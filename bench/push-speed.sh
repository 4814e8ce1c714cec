#!/bin/bash
# push-speed.sh -- a full push backup beside qemu-img convert of the same
# image, in one run, for several settings of ROOT/etc/backup.conf:
#
#   image     a SIZE_GIB (default 2) GiB qcow2 with DATA_MIB (default
#             1536) MiB of data in 64 MiB pieces of distinct patterns, the
#             only disk of a running domain (no guest OS)
#   convert   qemu-img convert -U -O qcow2 of that image (-W, unordered
#             writes, is left to qemu-img's default: off)
#   push      backup-begin of a full push into a new qcow2 beside it, timed
#             until the completed job appears (domjobinfo --wait), for
#             each CONFIGS entry (a backup.conf body, ';' for newlines,
#             '|' between entries); the target is compared with the image
#
# Prints, per rep, seconds and the ratio convert/push (1.0: as fast as
# convert), and the CPU seconds QEMU spent on the push (from
# /proc/PID/stat: utime+stime before and after).
#
# Environment: BUILD (default build), REPS (3), SIZE_GIB, DATA_MIB, DIR
# (default /var/tmp: a disk, not tmpfs), CONFIGS (default: the shipped
# defaults, then direct=false, then max-chunk=1 MiB with 16 workers).
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
REPS=${REPS:-3}
SIZE_GIB=${SIZE_GIB:-2}
DATA_MIB=${DATA_MIB:-1536}
need qemu-system-x86_64 qemu-img qemu-io

bench_work cairn-push-speed "${DIR:-/var/tmp}"
curi="qemu:///embed?root=$work/root"
img=$work/d.qcow2
mkdir -p "$work/root/etc"

if [ -z "${CONFIGS+x}" ]; then
    CONFIGS=("" "[backup];direct=false" "[backup];max-chunk=1048576;max-workers=16")
else
    IFS='|' read -r -a CONFIGS <<<"$CONFIGS"
fi

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }
cli() { "$cairn" -q -c "$curi" "$@"; }
qemu_cpu() {  # utime+stime of the domain's QEMU, in clock ticks
    local pid
    pid=$(pgrep -f -- "$work/root/run/bench" | head -1)
    awk '{ print $14 + $15 }' "/proc/$pid/stat"
}

echo "push-speed: making the ${SIZE_GIB} GiB image with ${DATA_MIB} MiB of data ..." >&2
qemu-img create -q -f qcow2 "$img" "${SIZE_GIB}G"
args=()
for ((o = 0; o < DATA_MIB; o += 64)); do
    args+=(-c "write -P $((o / 64 % 250 + 1)) ${o}M 64M")
done
qemu-io -f qcow2 "${args[@]}" "$img" >/dev/null
domain_xml bench 256 "$img" >"$work/dom.xml"
cli define "$work/dom.xml" >/dev/null
cli start bench >/dev/null
tck=$(getconf CLK_TCK)

printf '%-44s %4s %9s %9s %7s %9s %s\n' config rep convert push ratio qemu-cpu target
for conf in "${CONFIGS[@]}"; do
    tr ';' '\n' <<<"$conf" >"$work/root/etc/backup.conf"
    for ((r = 1; r <= REPS; r++)); do
        rm -f "$work/conv.qcow2" "$img".*
        sync
        s=$(now)
        qemu-img convert -U -O qcow2 "$img" "$work/conv.qcow2"
        conv=$(since "$s")
        rm -f "$work/conv.qcow2"
        sync
        c0=$(qemu_cpu)
        s=$(now)
        cli backup-begin bench >/dev/null
        cli domjobinfo bench --wait >/dev/null
        push=$(since "$s")
        c1=$(qemu_cpu)
        same=same
        qemu-img compare -q -U "$img" "$img".[0-9]* || same=DIFFERENT
        printf '%-44s %4d %9s %9s %7.2f %9.2f %s\n' "${conf:-(defaults)}" "$r" "$conv" "$push" \
            "$(awk -v a="$conv" -v b="$push" 'BEGIN { print a / b }')" \
            "$(awk -v a="$c0" -v b="$c1" -v t="$tck" 'BEGIN { print (b - a) / t }')" "$same"
    done
done
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
cli destroy bench >/dev/null
