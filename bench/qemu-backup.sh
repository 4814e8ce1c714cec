#!/bin/bash
# qemu-backup.sh -- Cairn's backups beside libvirt 9.0's and qemu-img
# convert, on the same machine in the same run:
#
#   image         a 4 GiB qcow2 with 3 GiB of data (one copy per tool), the
#                 only disk of a running domain (KVM when usable,
#                 else TCG; no guest OS)
#   convert       qemu-img convert -U -O qcow2 of that image (what a copy of
#                 the disk costs without any backup machinery)
#   full push     backup-begin with a checkpoint, until the job is seen done
#   incremental   after 256 MiB written in 256 scattered 1 MiB pieces (HMP
#                 qemu-io through the disk's device, as in libvirt's
#                 reference run), an incremental push from that checkpoint
#   pull          a full pull backup on a unix socket, the vda export read
#                 by nbdcopy into a file (the nbdcopy time), then aborted
#
# "Until the job is seen done": both tools are polled the same way, one
# `domjobinfo --completed --keep-completed` process every 20 ms until the
# finished job's statistics appear (Cairn's embedded driver finishes the
# job in the process that looks; libvirt's daemon already has); the
# table also shows each job's own time_elapsed. libvirt
# runs as a hand-started root libvirtd on qemu:///system
# (shared/reference/libvirt/daemon.sh), Cairn as qemu:///embed under a
# scratch root. Median of REPS (default 5) runs per row; targets are
# deleted between runs.
#
# Environment: BUILD (default build), REPS (5), SKIP_LIBVIRT=1, KEEP=1,
# LVREF (the libvirt reference scripts; default ../shared/reference/libvirt
# beside the checkout).
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
REPS=${REPS:-5}
lvref=${LVREF:-$top/../shared/reference/libvirt}
need qemu-system-x86_64 qemu-img qemu-io nbdcopy

bench_work cairn-backup-bench /var/tmp
curi="qemu:///embed?root=$work/cairn"
luri=qemu:///system
ldom=lvb-bench
started_libvirtd=
bench_teardown() {
    [ -n "${SKIP_LIBVIRT:-}" ] && return 0
    virsh -c $luri destroy $ldom >/dev/null 2>&1 || true
    virsh -c $luri undefine $ldom --checkpoints-metadata >/dev/null 2>&1 || true
    [ -n "$started_libvirtd" ] && WORK=$work/lv bash "$lvref/daemon.sh" stop >/dev/null || true
}

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }

# tool wrappers: T is cairn or virsh
cli() {
    local t=$1; shift
    if [ "$t" = cairn ]; then "$cairn" -q -c "$curi" "$@"; else virsh -q -c $luri "$@"; fi
}
dom() { [ "$1" = cairn ] && echo bench || echo $ldom; }
img() { echo "$work/$1/d.qcow2"; }
# Poll until the job's completed statistics appear (both tools keep them;
# forget_completed runs before each begin), then print the job's own
# "Time elapsed" in seconds on fd 3.
forget_completed() { cli "$1" domjobinfo "$(dom "$1")" --completed >/dev/null 2>&1 || true; }
wait_done() {
    local out
    until out=$(cli "$1" domjobinfo "$(dom "$1")" --completed --keep-completed 2>/dev/null) &&
        grep -q 'Job type: *\(Completed\|Failed\|Cancelled\)' <<<"$out"; do
        sleep 0.02
    done
    grep -q 'Job type: *Completed' <<<"$out" || echo "qemu-backup: $1: job did not complete" >&2
    awk '/Time elapsed/ { printf "%.3f\n", $3 / 1000 }' <<<"$out" >>"$work/$1.elapsed.$2"
}

setup_libvirt() {
    if [ ! -e /etc/libvirt/qemu.conf ]; then
        mkdir -p /etc/libvirt /var/log/libvirt /var/lib/libvirt/qemu /var/cache/libvirt/qemu
        write_qemu_conf /etc/libvirt/qemu.conf
    fi
    if ! virsh -c $luri version >/dev/null 2>&1; then
        WORK=$work/lv bash "$lvref/daemon.sh" start >/dev/null || die "libvirtd does not start"
        started_libvirtd=1
    fi
}

echo "qemu-backup: making the 4 GiB image with 3 GiB of data ..." >&2
mkdir -p "$work/cairn" "$work/virsh"
qemu-img create -q -f qcow2 "$(img cairn)" 4G
qemu-io -f qcow2 -c 'write -P 0x5a 0 1G' -c 'write -P 0x5b 1G 1G' -c 'write -P 0x5c 2G 1G' \
    "$(img cairn)" >/dev/null
tools=(cairn)
if [ -z "${SKIP_LIBVIRT:-}" ]; then
    cp --sparse=always "$(img cairn)" "$(img virsh)"
    setup_libvirt
    tools+=(virsh)
fi
for t in "${tools[@]}"; do
    domain_xml "$(dom "$t")" 256 "$(img "$t")" >"$work/$t/dom.xml"
    cli "$t" define "$work/$t/dom.xml" >/dev/null
    cli "$t" start "$(dom "$t")" >/dev/null
done

# The scattered writes: 256 x 1 MiB, 15 MiB apart, through the device.
scatter() {
    local t=$1 d i
    d=$(dom "$t")
    for ((i = 0; i < 256; i++)); do
        echo "qemu-monitor-command $d --hmp 'qemu-io -d /machine/peripheral/virtio-disk0/virtio-backend \"write -P 0x$((i % 200 + 16)) $((i * 15))M 1M\"'"
    done | cli "$t" >/dev/null
}

run_full() {  # tool rep
    local t=$1 r=$2 d s
    d=$(dom "$t")
    rm -f "$(img "$t")".*
    printf '<domaincheckpoint><name>f%s</name></domaincheckpoint>\n' "$r" >"$work/$t/f$r.xml"
    forget_completed "$t"
    s=$(now)
    cli "$t" backup-begin "$d" --checkpointxml "$work/$t/f$r.xml" >/dev/null
    wait_done "$t" full
    since "$s"
}

run_incremental() {  # tool rep
    local t=$1 r=$2 d s
    d=$(dom "$t")
    scatter "$t"
    printf '<domainbackup><incremental>f%s</incremental></domainbackup>\n' "$r" >"$work/$t/i.xml"
    printf '<domaincheckpoint><name>i%s</name></domaincheckpoint>\n' "$r" >"$work/$t/i$r.xml"
    forget_completed "$t"
    s=$(now)
    cli "$t" backup-begin "$d" --backupxml "$work/$t/i.xml" --checkpointxml "$work/$t/i$r.xml" \
        >/dev/null
    wait_done "$t" inc
    since "$s"
}

run_pull() {  # tool
    local t=$1 d sock=$work/$1/nbd.sock s el
    d=$(dom "$t")
    printf "<domainbackup mode='pull'><server transport='unix' socket='%s'/></domainbackup>\n" \
        "$sock" >"$work/$t/pull.xml"
    forget_completed "$t"
    cli "$t" backup-begin "$d" --backupxml "$work/$t/pull.xml" >/dev/null
    s=$(now)
    nbdcopy "nbd+unix:///vda?socket=$sock" "$work/$t/pull.raw"
    el=$(since "$s")
    cli "$t" domjobabort "$d" >/dev/null
    wait_done "$t" pull
    rm -f "$work/$t/pull.raw" "$(img "$t")".*
    echo "$el"
}

run_convert() {
    local s
    rm -f "$work/conv.qcow2"
    s=$(now)
    qemu-img convert -U -O qcow2 "$(img cairn)" "$work/conv.qcow2"
    since "$s"
    rm -f "$work/conv.qcow2"
}

declare -A res
for ((r = 1; r <= REPS; r++)); do
    echo "qemu-backup: run $r of $REPS ..." >&2
    res[convert]+="$(run_convert) "
    for t in "${tools[@]}"; do
        res[full.$t]+="$(run_full "$t" "$r") "
        res[inc.$t]+="$(run_incremental "$t" "$r") "
        rm -f "$(img "$t")".*
        res[pull.$t]+="$(run_pull "$t") "
    done
done

med() { tr ' ' '\n' <<<"${res[$1]:-}" | grep . | median; }
jmed() { [ -s "$work/$2.elapsed.$1" ] && median <"$work/$2.elapsed.$1" || echo -; }
printf '\n%-30s %9s %9s %11s %11s\n' "median of $REPS, seconds" "cairn" "libvirt" \
    "cairn job" "libvirt job"
printf '%-30s %9s\n' "qemu-img convert (3 GiB data)" "$(med convert)"
printf '%-30s %9s %9s %11s %11s\n' "full push" "$(med full.cairn)" "$(med full.virsh)" \
    "$(jmed full cairn)" "$(jmed full virsh)"
printf '%-30s %9s %9s %11s %11s\n' "incremental push (256 MiB)" "$(med inc.cairn)" \
    "$(med inc.virsh)" "$(jmed inc cairn)" "$(jmed inc virsh)"
printf '%-30s %9s %9s\n' "full pull, nbdcopy" "$(med pull.cairn)" "$(med pull.virsh)"
echo "(cairn/libvirt: wall time from backup-begin until the job is seen finished, polled"
echo " every 20 ms; job: the job's own time_elapsed from its completed statistics)"
echo
echo "runs: convert ${res[convert]}"
for k in full inc pull; do
    for t in "${tools[@]}"; do echo "runs: $k.$t ${res[$k.$t]}"; done
done
echo "machine: $(nproc) CPUs, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)," \
    "$(qemu-system-x86_64 --version | head -1), virt=$virt, load $(loadavg)"
