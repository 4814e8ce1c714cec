#!/bin/bash
# push-speed.sh -- a full push backup beside qemu-img convert of the same
# image, in one run, for several settings of ROOT/etc/backup.conf:
#
#   image     a SIZE_GIB (default 2) GiB qcow2 with DATA_MIB (default
#             1536) MiB of data in 64 MiB pieces of distinct patterns, the
#             only disk of a running domain (no guest OS)
#   convert   qemu-img convert -U -O qcow2 of that image (-W, unordered
#             writes, is left to qemu-img's default: off); it writes into
#             the page cache and never flushes, so "+sync" is convert then
#             sync(1) of its output and directory: what a push does, whose
#             target is synced before the backup is reported complete
#   push      backup-begin of a full push into a new qcow2 beside it, timed
#             until the completed job appears (domjobinfo --wait), for
#             each CONFIGS entry (a backup.conf body, ';' for newlines,
#             '|' between entries); the target is compared with the image
#
# Prints, per rep, seconds, the ratios convert/push and (convert+sync)/push
# (1.0: as fast as the reference), and the CPU seconds QEMU spent on the
# push (from /proc/PID/stat: utime+stime before and after); then where the
# push's time went, from the QMP traffic the CLI logs
# (G_MESSAGES_DEBUG=cairn.qemu.monitor, millisecond timestamps):
#
#   begin     backup-begin, process start to exit; within it "create" (the
#             target's blockdev-add/blockdev-create/blockdev-add and job
#             records) and "tx" (the transaction that starts the job)
#   copy      the begin's exit to the first poll that saw the QEMU job
#             concluded; "seen" is how long before that the last poll saw
#             it still running (the end lies in between)
#   end       that poll to domjobinfo's exit: job records, the target
#             detached, synced ("sync", the fsync of the target and its
#             directory with the record written after it) and released
#
# Environment: BUILD (default build), REPS (3), SIZE_GIB, DATA_MIB, DIR
# (default /var/tmp: a disk, not tmpfs), CONFIGS (default: the shipped
# defaults, then direct=yes, then use-copy-range=no).
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
    CONFIGS=("" "[backup];direct=yes" "[backup];use-copy-range=no")
else
    IFS='|' read -r -a CONFIGS <<<"$CONFIGS"
fi

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }
cli() { "$cairn" -q -c "$curi" "$@"; }
qemu_cpu() { # utime+stime of the domain's QEMU, in clock ticks
    local pid
    pid=$(pgrep -f -- "$work/root/run/bench" | head -1)
    awk '{ print $14 + $15 }' "/proc/$pid/stat"
}
# The CLI with its QMP traffic logged to file $1 (GLib's local
# HH:MM:SS.mmm timestamps; GLib writes debug messages to stdout, the
# command's output goes there too).
cli_logged() {
    local log=$1
    shift
    G_MESSAGES_DEBUG=cairn.qemu.monitor "$cairn" -q -c "$curi" "$@" >"$log"
}
# phases BEGIN_START BEGIN_END WAIT_END BEGIN_LOG WAIT_LOG: the breakdown
# (see the header) on one line.
phases() {
    local midnight
    midnight=$(date -d "$(date +%F) 00:00:00" +%s)
    cat "$4" <(echo "@@wait") "$5" | awk -v m="$midnight" -v bs="$1" -v be="$2" -v we="$3" '
        function t(line,   f, hms) {  # the log line'"'"'s time, epoch seconds
            if (!match(line, /-DEBUG: [0-9:.]+:/)) return -1
            f = substr(line, RSTART + 8, RLENGTH - 9)
            split(f, hms, ":")
            return m + hms[1] * 3600 + hms[2] * 60 + hms[3]
        }
        /^@@wait/ { wait = 1; next }
        !wait && />>> .*"blockdev-add"/ && !c0 { c0 = t($0) }
        !wait && />>> .*"transaction"/ { c1 = t($0); tx0 = c1; intx = 1; next }
        !wait && intx && /<<< \{"return"/ { tx1 = t($0); intx = 0 }
        wait && /<<< .*"status": "running".*"type": "backup"/ { run = t($0) }
        wait && /<<< .*"status": "concluded".*"type": "backup"/ && !conc { conc = t($0) }
        wait && />>> .*"blockdev-del"/ { indel = 1; next }
        wait && indel && /<<< \{"return"/ { del = t($0); indel = 0; next }
        wait && del && !s1 && />>> / { s1 = t($0) }
        END {
            printf "begin %.2f (create %.2f, tx %.2f)  copy %.2f (seen %.2f)  end %.2f (sync %.2f)\n",
                be - bs, c1 - c0, tx1 - tx0, conc - be, conc - run, we - conc, s1 - del
        }'
}

echo "push-speed: making the ${SIZE_GIB} GiB image with ${DATA_MIB} MiB of data ..." >&2
data_image "$img" "${SIZE_GIB}G" "$DATA_MIB"
domain_xml bench 256 "$img" >"$work/dom.xml"
cli define "$work/dom.xml" >/dev/null
cli start bench >/dev/null
tck=$(getconf CLK_TCK)

printf '%-36s %3s %8s %8s %8s %6s %6s %8s %s\n' config rep convert +sync push ratio r-sync qemu-cpu target
for conf in "${CONFIGS[@]}"; do
    tr ';' '\n' <<<"$conf" >"$work/root/etc/backup.conf"
    for ((r = 1; r <= REPS; r++)); do
        rm -f "$work/conv.qcow2" "$img".*
        sync
        s=$(now)
        qemu-img convert -U -O qcow2 "$img" "$work/conv.qcow2"
        conv=$(since "$s")
        sync "$work/conv.qcow2" "$work"
        convsync=$(since "$s")
        rm -f "$work/conv.qcow2"
        sync
        c0=$(qemu_cpu)
        s=$(now)
        cli_logged "$work/begin.log" backup-begin bench
        b=$(now)
        cli_logged "$work/wait.log" domjobinfo bench --wait
        e=$(now)
        push=$(awk -v a="$s" -v b="$e" 'BEGIN { printf "%.3f", b - a }')
        c1=$(qemu_cpu)
        same=same
        qemu-img compare -q -U "$img" "$img".[0-9]* || same=DIFFERENT
        printf '%-36s %3d %8s %8s %8s %6.2f %6.2f %8.2f %s\n' "${conf:-(defaults)}" "$r" "$conv" \
            "$convsync" "$push" "$(awk -v a="$conv" -v b="$push" 'BEGIN { print a / b }')" \
            "$(awk -v a="$convsync" -v b="$push" 'BEGIN { print a / b }')" \
            "$(awk -v a="$c0" -v b="$c1" -v t="$tck" 'BEGIN { print (b - a) / t }')" "$same"
        echo "    $(phases "$s" "$b" "$e" "$work/begin.log" "$work/wait.log")"
    done
done
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
cli destroy bench >/dev/null
