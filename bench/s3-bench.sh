#!/bin/bash
# bench/s3-bench.sh -- cairn-backup into S3 (a Ceph RADOS Gateway on this
# machine, tests/repo/rgw.sh, memstore OSD) beside the local-directory
# repository, in the same run, on the workload of bench/repo-bench.sh (its
# data generation is taken from there): a running domain whose 4 GiB qcow2
# disk holds 3 GiB of mixed data. Two domains with identical disks, one per
# repository (each keeps its own checkpoint chain), take the same steps one
# after the other: full backup, 256 MiB written in 256 scattered 1 MiB
# pieces, incremental, restore to qcow2 (compared with the disk). Printed:
# seconds local and s3, the throughput ratio s3/local (target >= 0.5 for
# backup and restore), and the S3 requests of each s3 step (CAIRN_S3_STATS=1):
# PUT/GET/HEAD counts and bytes up/down; the CPU seconds (user + system) of
# cairn-backup and its children in each step, and of the Ceph daemons
# (radosgw, ceph-osd, ceph-mon) during each s3 step.
#
# WARM=1 (the default) first PUTs and DELETEs about as many bytes as the
# full backup will (curl --parallel, not timed), so that the memstore OSD
# runs on memory it has already faulted in, as a long-running OSD would:
# a memstore growing from nothing pays a page fault per 4 KiB stored,
# which in this VM was more than half of the OSD's CPU (bench/README.md,
# bench/s3-ceiling.sh). WARM=0 measures the cold OSD.
#
#   usage: bash bench/s3-bench.sh    (BUILD=dir, SIZE=4G, KEEP=1,
#                                     WORKDIR=/var/tmp for the scratch dir,
#                                     WARM=0|1, CONNECTIONS=N for run/restore's
#                                     --connections, CHUNK_SIZE=bytes when
#                                     'cairn-backup init --chunk-size' exists)
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cairn_backup=$build/tools/cairn-backup
rgwsh=$top/tests/repo/rgw.sh
virt=${VIRT:-qemu}
[ -x "$cairn_backup" ] || die "no $cairn_backup: build first"
need qemu-img qemu-io openssl python3 curl /usr/bin/time ceph-mon ceph-osd radosgw radosgw-admin uuidgen
SIZE=${SIZE:-4G}
disk_bytes=$(numfmt --from=iec "$SIZE")
part=$((disk_bytes / 4))
conn=()
[ -z "${CONNECTIONS:-}" ] || conn=(--connections "$CONNECTIONS")
init_opts=()
if [ -n "${CHUNK_SIZE:-}" ]; then
    "$cairn_backup" init --help 2>&1 | grep -q -- --chunk-size ||
        die "CHUNK_SIZE: this cairn-backup has no 'init --chunk-size'"
    init_opts=(--chunk-size "$CHUNK_SIZE")
fi

bench_work cairn-s3-bench "${WORKDIR:-/var/tmp}"
bench_teardown() { [ -d "$work/rgw" ] && bash "$rgwsh" stop "$work/rgw"; }
uri="qemu:///embed?root=$work/root"
mkdir -p "$work/root/etc" "$work/img"
write_qemu_conf "$work/root/etc/qemu.conf"

# repo-bench.sh's make_data (the same data, byte for byte)
eval "$(sed -n '/^make_data() {/,/^}/p' "$here/repo-bench.sh")"
declare -F make_data >/dev/null || die "no make_data in $here/repo-bench.sh"

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
# t LOG CMD...: run CMD (stdout and stderr to LOG), print its wall seconds;
# its CPU seconds go to LOG.cpu, the Ceph daemons' meanwhile to LOG.ceph
t() {
    local log=$1 s e c0 c1
    shift
    c0=$(ceph_ticks)
    s=$(now)
    /usr/bin/time -f '%U %S' -o "$log.time" "$@" >"$log" 2>&1 || { cat "$log" >&2; return 1; }
    e=$(now)
    c1=$(ceph_ticks)
    awk '{ printf "%.1f", $1 + $2 }' "$log.time" >"$log.cpu"
    awk -v a="$c0" -v b="$c1" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", (b - a) / hz }' >"$log.ceph"
    elapsed "$s" "$e"
}
# user + system clock ticks of the Ceph daemons so far
ceph_ticks() {
    local f sum=0 pid
    for f in "$work"/rgw/run/*.pid; do
        [ -f "$f" ] || continue
        pid=$(cat "$f")
        [ -r "/proc/$pid/stat" ] && sum=$((sum + $(awk '{ print $14 + $15 }' "/proc/$pid/stat")))
    done
    echo "$sum"
}
cpu() { echo "$(cat "$1.cpu")/$(cat "$2.cpu")+$(cat "$2.ceph")"; }
c() { "$cairn" -c "$uri" "$@"; }
ratio() { awk -v l="$1" -v s="$2" 'BEGIN { printf "%.2f", (s > 0 ? l / s : 0) }'; }
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
# the S3 counters CAIRN_S3_STATS=1 printed into LOG (the last store closed)
s3stats() {
    grep -o 's3 requests: .*' "$1" | tail -1 | python3 -c '
import re, sys
s = sys.stdin.read()
m = lambda p: re.search(p, s).group(1)
print("PUT %s (%s MiB), GET %s (%s MiB), HEAD %s, at once %s" % (
    m(r"PUT (\d+)"), "%.1f" % (int(m(r"PUT \d+ \((\d+) bytes")) / 1048576),
    m(r"GET (\d+)"), "%.1f" % (int(m(r"GET \d+ \((\d+) bytes")) / 1048576),
    m(r"HEAD (\d+)"), m(r"at once (\d+)")))'
}

echo "$bench: starting a RADOS Gateway ..." >&2
export CAIRN_RGW_MEMSTORE_BYTES=$((disk_bytes * 3 / 2))
port=$(bash "$rgwsh" start "$work/rgw")
read -r access secret < <(bash "$rgwsh" keys)
export AWS_ENDPOINT_URL=http://127.0.0.1:$port AWS_ACCESS_KEY_ID=$access
export AWS_SECRET_ACCESS_KEY=$secret AWS_REGION=us-east-1 CAIRN_S3_STATS=1
unset AWS_ENDPOINT_URL_S3 AWS_PROFILE AWS_SESSION_TOKEN
code=$(curl -s -o /dev/null -w '%{http_code}' --aws-sigv4 aws:amz:us-east-1:s3 \
    -u "$access:$secret" -H "x-amz-content-sha256: $(printf '' | sha256sum | cut -d' ' -f1)" \
    -X PUT "$AWS_ENDPOINT_URL/bench")
[ "$code" = 200 ] || die "cannot create bucket: HTTP $code"
if [ "${WARM:-1}" = 1 ]; then
    echo "$bench: warming the OSD's memory ..." >&2
    s3curl() {
        curl -s --no-progress-meter --aws-sigv4 aws:amz:us-east-1:s3 -u "$access:$secret" "$@"
    }
    empty=$(printf '' | sha256sum | cut -d' ' -f1)
    s3curl -o /dev/null -H "x-amz-content-sha256: $empty" -X PUT "$AWS_ENDPOINT_URL/warm"
    head -c 1048576 /dev/urandom >"$work/warm.body"
    for i in $(seq 1 $((disk_bytes * 5 / 8 / 1048576))); do
        printf 'upload-file = "%s"\nurl = "%s/warm/%06d"\n' "$work/warm.body" "$AWS_ENDPOINT_URL" "$i"
    done >"$work/warm.cfg"
    s3curl --parallel --parallel-max 16 --fail -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" \
        -o /dev/null -K "$work/warm.cfg" || die "cannot warm the OSD"
    sed 's/^upload-file.*$/request = "DELETE"/' "$work/warm.cfg" >"$work/warm-del.cfg"
    s3curl --parallel --parallel-max 16 --fail -H "x-amz-content-sha256: $empty" \
        -o /dev/null -K "$work/warm-del.cfg" || die "cannot delete the warm-up objects"
fi

echo "$bench: making ${SIZE} of data ..." >&2
make_data "$work/img/vm1.qcow2"
cp "$work/img/vm1.qcow2" "$work/img/vm2.qcow2"
for vm in vm1 vm2; do
    domain_xml "$vm" 256 "$work/img/$vm.qcow2" >"$work/$vm.xml"
    c define "$work/$vm.xml" >/dev/null
    c start "$vm" >/dev/null
done
local_repo=$work/repo
s3_repo=s3://bench/repo
"$cairn_backup" init "${init_opts[@]}" "$local_repo" >/dev/null
"$cairn_backup" init "${init_opts[@]}" "$s3_repo" >/dev/null 2>&1
load_before=$(loadavg)

convert_s=$(t "$work/convert.log" qemu-img convert -U -O qcow2 "$work/img/vm1.qcow2" "$work/convert.qcow2")
rm -f "$work/convert.qcow2"

full_l=$(t "$work/full-l.log" "$cairn_backup" run vm1 "$local_repo" -c "$uri" "${conn[@]}")
full_s=$(t "$work/full-s.log" "$cairn_backup" run vm2 "$s3_repo" -c "$uri" "${conn[@]}")

# 256 MiB in 256 scattered 1 MiB pieces (as repo-bench.sh), on both
stride=$((disk_bytes / 256 / 1048576))
for vm in vm1 vm2; do
    for i in $(seq 0 255); do
        c qemu-monitor-command "$vm" --hmp \
            "qemu-io -d /machine/peripheral/virtio-disk0/virtio-backend \"write -P $((i % 200 + 7)) $((i * stride))M 1M\"" \
            >/dev/null
    done
    c qemu-monitor-command "$vm" --hmp \
        "qemu-io -d /machine/peripheral/virtio-disk0/virtio-backend \"flush\"" >/dev/null
done
inc_l=$(t "$work/inc-l.log" "$cairn_backup" run vm1 "$local_repo" -c "$uri" "${conn[@]}")
inc_s=$(t "$work/inc-s.log" "$cairn_backup" run vm2 "$s3_repo" -c "$uri" "${conn[@]}")
id_l=$(grep -v 's3 requests' "$work/inc-l.log" | tail -1)
id_s=$(grep -v 's3 requests' "$work/inc-s.log" | tail -1)
qemu-img convert -U -O qcow2 "$work/img/vm1.qcow2" "$work/ref.qcow2"

restore_l=$(t "$work/res-l.log" "$cairn_backup" restore "$local_repo" "$id_l" "$work/r-l" "${conn[@]}")
same_l=$(qemu-img compare -q "$work/r-l/vda.qcow2" "$work/ref.qcow2" && echo identical || echo DIFFERENT)
rm -rf "$work/r-l"
restore_s=$(t "$work/res-s.log" "$cairn_backup" restore "$s3_repo" "$id_s" "$work/r-s" "${conn[@]}")
same_s=$(qemu-img compare -q "$work/r-s/vda.qcow2" "$work/ref.qcow2" && echo identical || echo DIFFERENT)
rm -rf "$work/r-s"
load_after=$(loadavg)
for vm in vm1 vm2; do c destroy "$vm" >/dev/null; done

printf '%-34s %8s %8s %9s %16s  %s\n' "cairn-backup ($(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo ?)), $SIZE disk" \
    "local s" "s3 s" "s3/local" "CPU s l/s+ceph" "S3 requests of the s3 step"
printf '%-34s %8s\n' "qemu-img convert -U (reference)" "$convert_s"
printf '%-34s %8s %8s %9s %16s  %s\n' "full backup" "$full_l" "$full_s" "$(ratio "$full_l" "$full_s")" \
    "$(cpu "$work/full-l.log" "$work/full-s.log")" "$(s3stats "$work/full-s.log")"
printf '%-34s %8s %8s %9s %16s  %s\n' "incremental, 256 MiB scattered" "$inc_l" "$inc_s" "$(ratio "$inc_l" "$inc_s")" \
    "$(cpu "$work/inc-l.log" "$work/inc-s.log")" "$(s3stats "$work/inc-s.log")"
printf '%-34s %8s %8s %9s %16s  %s\n' "restore to qcow2 ($same_l/$same_s)" "$restore_l" "$restore_s" "$(ratio "$restore_l" "$restore_s")" \
    "$(cpu "$work/res-l.log" "$work/res-s.log")" "$(s3stats "$work/res-s.log")"
echo "local repository: $(du -sb "$local_repo" | awk '{ printf "%.0f MiB", $1 / 1048576 }');" \
    "load average before: $load_before, after: $load_after; $(nproc) CPUs, virt type $virt;" \
    "OSD $([ "${WARM:-1}" = 1 ] && echo warmed || echo cold)"
[ "$same_l" = identical ] && [ "$same_s" = identical ] || die "a restore differs from the disk"
