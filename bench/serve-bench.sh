#!/bin/bash
# bench/serve-bench.sh -- `cairn-backup serve` read by nbdcopy, beside
# `qemu-img convert` of a plain qcow2 holding the same data, in the same
# run (issue 12's target: serve >= 0.8x). One shut-off domain whose qcow2
# disk of SIZE holds SIZE/2 of data (half random, half text-like) and
# SIZE/2 of zeros; one full backup; then, wall seconds, best of RUNS:
# qemu-img convert -O raw of the disk, nbdcopy of the served snapshot into
# a raw file (4 connections), a plain `cairn-backup restore --format raw`,
# qemu-img convert -O qcow2 of the disk and `cairn-backup restore` to qcow2
# (issue 11's target: restore <= 1.5x convert); raw restore also without
# O_DIRECT (CAIRN_BACKUP_NO_DIRECT=1, through the page cache), qcow2 also
# with 4 threads (more than the CPUs: O_DIRECT writes block). Restore flushes what it
# wrote (fsync) and qemu-img convert does not: "+ sync" is the reference
# with a flush of its output. Then the floor of any verifying server here:
# nbdcopy of a trivial nbdkit server of the same bytes (the file plugin on
# a raw copy of the disk: no decoding, no digests) and the CPU seconds of
# the two steps serve cannot skip, SHA-256 over the data and zstd decoding
# of the text half. Prints the load average before and after.
#
#   usage: bash bench/serve-bench.sh     (BUILD=dir, SIZE=1G, RUNS=3, KEEP=1,
#                                         NBDCOPY_ARGS="--request-size=4194304",
#                                         WORKDIR=/var/tmp for the scratch dir)
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cairn_backup=$build/tools/cairn-backup
[ -x "$cairn_backup" ] || die "no $cairn_backup: build first"
need qemu-img qemu-io nbdkit nbdcopy openssl zstd
SIZE=${SIZE:-1G}
RUNS=${RUNS:-3}
bytes=$(numfmt --from=iec "$SIZE")
half=$((bytes / 4))

bench_work cairn-serve-bench "${WORKDIR:-/var/tmp}"
uri="qemu:///embed?root=$work/root"
mkdir -p "$work/root/etc" "$work/img"
write_qemu_conf "$work/root/etc/qemu.conf"
serve_pid=
file_pid=
bench_teardown() {
    [ -z "$serve_pid" ] || kill "$serve_pid" 2>/dev/null || true
    [ -z "$file_pid" ] || kill "$file_pid" 2>/dev/null || true
}

# best CMD...: "WALL CPU", the best wall seconds of RUNS runs and the least
# CPU seconds (user + system of CMD and its children, plus what the
# running server $srv, if set, used meanwhile). On a loaded machine the
# CPU time is the steadier measure.
srv=
srv_ticks() { if [ -n "$srv" ]; then awk '{ print $14 + $15 }' "/proc/$srv/stat"; else echo 0; fi; }
best() {
    local i s0 s1 w u y b= c=
    for ((i = 0; i < RUNS; i++)); do
        s0=$(srv_ticks)
        { TIMEFORMAT='%R %U %S'; time "$@" >"$work/last.log" 2>&1; } 2>"$work/time" ||
            { cat "$work/last.log" >&2; return 1; }
        s1=$(srv_ticks)
        read -r w u y <"$work/time"
        b=$(awk -v t="$w" -v b="$b" 'BEGIN { print (b == "" || t < b) ? t : b }')
        c=$(awk -v u="$u" -v y="$y" -v d=$((s1 - s0)) -v hz="$(getconf CLK_TCK)" -v c="$c" \
            'BEGIN { t = u + y + d / hz; printf "%.2f", (c == "" || t < c) ? t : c }')
    done
    echo "$b $c"
}
mbs() { awk -v s="$1" -v n="$bytes" 'BEGIN { printf "%.0f", n / 1048576 / s }'; }

raw=$work/data.raw
truncate -s "$SIZE" "$raw"
openssl enc -aes-128-ctr -pass pass:cairn -nosalt -pbkdf2 </dev/zero 2>/dev/null |
    head -c "$half" | dd of="$raw" bs=4M conv=notrunc status=none || true
{ for _ in $(seq 200); do
    find /usr/share/doc /usr/share/man -type f -name '*.gz' -print0 2>/dev/null |
        xargs -0 zcat 2>/dev/null || break
done; } | head -c "$half" | dd of="$raw" bs=4M seek=$((half / 4194304)) conv=notrunc status=none || true
qemu-img convert -f raw -O qcow2 "$raw" "$work/img/vda.qcow2"
# for the floor: the data alone, and the text half compressed as chunks are
cp --sparse=always "$raw" "$work/data.only"
truncate -s $((2 * half)) "$work/data.only"
dd if="$raw" bs=4M skip=$((half / 4194304)) count=$((half / 4194304)) status=none |
    zstd -3 -q -c >"$work/text.zst"
domain_xml bench 128 "$work/img/vda.qcow2" >"$work/dom.xml"
"$cairn" -c "$uri" define "$work/dom.xml" >/dev/null
"$cairn_backup" init "$work/repo" >/dev/null
snap=$("$cairn_backup" run -c "$uri" bench "$work/repo" 2>/dev/null | tail -1)

sock=$work/serve.sock
"$cairn_backup" serve "$work/repo" "$snap" --disk vda --socket "$sock" 2>"$work/serve.log" &
serve_pid=$!
for ((i = 0; i < 100; i++)); do [ -S "$sock" ] && break; sleep 0.1; done
[ -S "$sock" ] || die "serve did not start: $(cat "$work/serve.log")"
fsock=$work/file.sock
nbdkit --foreground --readonly --threads 4 --unix "$fsock" file "$raw" 2>"$work/file.log" &
file_pid=$!
for ((i = 0; i < 100; i++)); do [ -S "$fsock" ] && break; sleep 0.1; done
[ -S "$fsock" ] || die "nbdkit file did not start: $(cat "$work/file.log")"

convert() { rm -f "$work/out.raw"; qemu-img convert -f qcow2 -O raw "$work/img/vda.qcow2" "$work/out.raw"; }
convert_q() { rm -f "$work/out.qcow2"; qemu-img convert -f qcow2 -O qcow2 "$work/img/vda.qcow2" "$work/out.qcow2"; }
convert_qs() { convert_q && sync -f "$work/out.qcow2"; }
copy() { rm -f "$work/out.raw"; nbdcopy --connections=4 ${NBDCOPY_ARGS:-} "nbd+unix:///?socket=$sock" "$work/out.raw"; }
copy_file() { rm -f "$work/out.raw"; nbdcopy --connections=4 ${NBDCOPY_ARGS:-} "nbd+unix:///?socket=$fsock" "$work/out.raw"; }
sha() { openssl dgst -sha256 "$work/data.only" >/dev/null; }
unzstd() { zstd -d -q -c "$work/text.zst" >/dev/null; }
restore() { rm -rf "$work/r"; "$cairn_backup" restore "$work/repo" "$snap" "$work/r" --format raw; }
restore_q() { rm -rf "$work/r"; "$cairn_backup" restore "$work/repo" "$snap" "$work/r" --format qcow2; }
restore_q4() { rm -rf "$work/r"; "$cairn_backup" restore "$work/repo" "$snap" "$work/r" --format qcow2 --connections 4; }
restore_b() { rm -rf "$work/r"; CAIRN_BACKUP_NO_DIRECT=1 "$cairn_backup" restore "$work/repo" "$snap" "$work/r" --format raw; }
load0=$(cut -d' ' -f1-3 /proc/loadavg)
read -r t_convert c_convert < <(best convert)
srv=$serve_pid
read -r t_copy c_copy < <(best copy)
srv=$file_pid
read -r t_copy_file c_copy_file < <(best copy_file)
srv=
read -r t_sha c_sha < <(best sha)
read -r t_unzstd c_unzstd < <(best unzstd)
read -r t_restore c_restore < <(best restore)
read -r t_restore_b c_restore_b < <(best restore_b)
read -r t_convert_q c_convert_q < <(best convert_q)
read -r t_convert_qs c_convert_qs < <(best convert_qs)
read -r t_restore_q c_restore_q < <(best restore_q)
read -r t_restore_q4 c_restore_q4 < <(best restore_q4)
load1=$(cut -d' ' -f1-3 /proc/loadavg)

row() { printf '%-44s %8s %8s %8s\n' "$1" "$2" "$(mbs "$2")" "$3"; }
printf '%-44s %8s %8s %8s\n' "size $SIZE (half data), best of $RUNS" seconds MiB/s "CPU s"
row "qemu-img convert qcow2 -> raw (reference)" "$t_convert" "$c_convert"
row "nbdcopy of cairn-backup serve -> raw" "$t_copy" "$c_copy"
row "nbdcopy of nbdkit file (no decode) -> raw" "$t_copy_file" "$c_copy_file"
row "cairn-backup restore --format raw" "$t_restore" "$c_restore"
row "  the same without O_DIRECT" "$t_restore_b" "$c_restore_b"
row "qemu-img convert qcow2 -> qcow2 (reference)" "$t_convert_q" "$c_convert_q"
row "  the same + sync" "$t_convert_qs" "$c_convert_qs"
row "cairn-backup restore --format qcow2" "$t_restore_q" "$c_restore_q"
row "  the same, 4 threads (--connections 4)" "$t_restore_q4" "$c_restore_q4"
ratio() { awk -v a="$2" -v b="$3" -v c="$4" -v d="$5" -v m="$1" \
    'BEGIN { printf "%s wall %.2fx, CPU %.2fx%s\n", m, a / b, c / d, ENVIRON["TARGET"] }'; }
TARGET=" (target >= 0.8)" ratio "serve / convert throughput:" "$t_convert" "$t_copy" "$c_convert" "$c_copy"
TARGET="" ratio "nbdkit file (the floor of any server) / convert:" "$t_convert" "$t_copy_file" "$c_convert" "$c_copy_file"
TARGET="" ratio "serve / nbdkit file throughput:" "$t_copy_file" "$t_copy" "$c_copy_file" "$c_copy"
gib() { awk -v c="$1" -v n="$2" 'BEGIN { printf "%.2f", c / (n / 1073741824) }'; }
echo "CPU s per GiB: SHA-256 $(gib "$c_sha" $((2 * half))) (openssl dgst over the data)," \
    "zstd decode $(gib "$c_unzstd" "$half") (zstd -d of the text half, level 3)"
TARGET="" ratio "restore raw / convert time:" "$t_restore" "$t_convert" "$c_restore" "$c_convert"
TARGET=" (target <= 1.5)" ratio "restore qcow2 / convert time:" "$t_restore_q" "$t_convert_q" "$c_restore_q" "$c_convert_q"
TARGET="" ratio "restore qcow2 / (convert + sync) time:" "$t_restore_q" "$t_convert_qs" "$c_restore_q" "$c_convert_qs"
echo "load average before: $load0; after: $load1 (nproc $(nproc))"
