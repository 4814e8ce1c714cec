#!/bin/bash
# bench/live-restore.sh -- `cairn-backup restore --live` (issue 12): the
# time from the command to the domain running, for each disk size in
# SIZES (it must not grow with the size), and the time until the copy
# underneath the running domain is over, beside a plain `cairn-backup
# restore` of the same snapshot in the same run. Each size: one shut-off
# domain (no guest OS) whose qcow2 disk holds DATA of random data spread
# over the disk (the rest zeros), one full backup, then RUNS times: a live
# restore into a fresh directory and domain (the tool's own "running after"
# figure, and its total wall time), and a plain restore (wall time).
#
#   usage: bash bench/live-restore.sh   (BUILD=dir, SIZES="1G 8G", DATA=256M,
#                                        RUNS=3, KEEP=1, WORKDIR=/var/tmp)
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cairn_backup=$build/tools/cairn-backup
[ -x "$cairn_backup" ] || die "no $cairn_backup: build first"
need qemu-img qemu-io nbdkit openssl
SIZES=${SIZES:-1G 8G}
DATA=${DATA:-256M}
RUNS=${RUNS:-3}
data=$(numfmt --from=iec "$DATA")

bench_work cairn-live-bench "${WORKDIR:-/var/tmp}"
uri="qemu:///embed?root=$work/root"
mkdir -p "$work/root/etc" "$work/img"
write_qemu_conf "$work/root/etc/qemu.conf"
"$cairn_backup" init "$work/repo" >/dev/null

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
# min/median of the numbers on stdin
stats() { sort -n | awk '{ v[NR] = $1 } END { printf "%s %s", v[1], v[int((NR + 1) / 2)] }'; }

printf '%-6s %-8s %-22s %-22s %-14s\n' size data "running after (min med)" \
    "live total (min med)" "plain (min med)"
for size in $SIZES; do
    bytes=$(numfmt --from=iec "$size")
    img=$work/img/$size.qcow2
    qemu-img create -q -f qcow2 "$img" "$size"
    # DATA of random data in 8 extents spread over the disk.
    ext=$((data / 8 / 1048576))
    for i in 0 1 2 3 4 5 6 7; do
        off=$((bytes / 8 * i / 1048576))
        openssl enc -aes-128-ctr -pass pass:"$size$i" -nosalt -pbkdf2 </dev/zero 2>/dev/null |
            head -c $((ext * 1048576)) >"$work/ext.bin" || true
        qemu-io -f qcow2 -c "write -s $work/ext.bin ${off}M ${ext}M" "$img" >/dev/null
    done
    rm -f "$work/ext.bin"
    domain_xml "src$size" 128 "$img" >"$work/src.xml"
    "$cairn" -c "$uri" define "$work/src.xml" >/dev/null
    snap=$("$cairn_backup" run -c "$uri" "src$size" "$work/repo" 2>/dev/null | tail -1)
    : >"$work/up" && : >"$work/live" && : >"$work/plain"
    for ((r = 0; r < RUNS; r++)); do
        s=$(now)
        "$cairn_backup" restore "$work/repo" "$snap" -c "$uri" --live "lv$size$r" \
            --to "$work/live-$size-$r" >/dev/null 2>"$work/live.log" ||
            die "live restore: $(cat "$work/live.log")"
        since "$s" >>"$work/live"
        echo >>"$work/live"
        sed -n 's/.*running after \([0-9.]*\) s/\1/p' "$work/live.log" >>"$work/up"
        "$cairn" -c "$uri" destroy "lv$size$r" >/dev/null
        "$cairn" -c "$uri" undefine "lv$size$r" >/dev/null
        rm -rf "$work/live-$size-$r"
        s=$(now)
        "$cairn_backup" restore "$work/repo" "$snap" "$work/plain-$size" >/dev/null 2>&1
        since "$s" >>"$work/plain"
        echo >>"$work/plain"
        rm -rf "$work/plain-$size"
    done
    printf '%-6s %-8s %-22s %-22s %-14s\n' "$size" "$DATA" "$(stats <"$work/up")" \
        "$(grep . "$work/live" | stats)" "$(grep . "$work/plain" | stats)"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
