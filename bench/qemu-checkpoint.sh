#!/bin/bash
# qemu-checkpoint.sh -- checkpoint create and delete latency on a running
# 2-disk domain, Cairn's qemu driver beside libvirt's, both embedded:
#
#   cairn -c 'qemu:///embed?root=A'   and   virsh -c 'qemu:///embed?root=B'
#
# Same domain XML for both (KVM when usable, else TCG; 128 MiB, two
# virtio qcow2 disks of 64 MiB, no guest OS). In one long-running CLI
# session per tool and repetition (process start and driver start-up are
# not counted): start the domain, N x `checkpoint-create-as bench cI`
# (each a transaction adding a persistent bitmap to both disks, parent =
# the previous one), then N x `checkpoint-delete bench cI` newest first
# (each removes the bitmaps of a leaf; the parent becomes current), then
# destroy. Every create and delete is timed on its own; the table shows the
# median (and the 90th percentile) over N x REPS.
#
# Timing as bench/qemu-bench.sh: cairn's session has `echo --err @@MARK`
# around each command, stamped with $EPOCHREALTIME as they arrive (so
# cairn's numbers include its CLI's parsing and printing); virsh holds its
# stderr back when it is a pipe, so its session runs with `virsh -t`, which
# prints the time of each command's handler.
#
# libvirt's packages are installed when virsh is missing (libvirt-clients
# libvirt-daemon libvirt-daemon-driver-qemu, --no-install-recommends), with
# the libvirt-qemu account, and ROOT/etc/qemu.conf is written for root QEMU
# without a security driver, virtlogd, namespaces or cgroups.
#
# Environment: BUILD (build dir, default build), N (50), REPS (3), KEEP=1
# keeps the scratch directory.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
N=${N:-50} REPS=${REPS:-3}
need qemu-system-x86_64 qemu-img

bench_work cairn-qemu-checkpoint
ensure_libvirt

# setup TOOL: a fresh root with two images and the domain defined.
setup() {
    rm -rf "${work:?}/$1"
    setup_root "$1" 128 a b
}

# The session; with MARKS, `echo --err @@MARK` around each timed command.
script() {
    local marks=${1:-} i
    mark() { [ -z "$marks" ] || echo "echo --err @@$1"; }
    echo "start bench"
    for ((i = 1; i <= N; i++)); do
        mark "c$i-a"
        echo "checkpoint-create-as bench c$i"
        mark "c$i-b"
    done
    for ((i = N; i >= 1; i--)); do
        mark "d$i-a"
        echo "checkpoint-delete bench c$i"
        mark "d$i-b"
    done
    echo "destroy bench"
}

# session_cairn OUT: lines "create MS" and "delete MS".
session_cairn() {
    local out=$1 marks=$work/marks.cairn
    cairn_marks "$marks"
    awk -v n="$N" '
        { t[$2] = $1 }
        END {
            for (i = 1; i <= n; i++) printf "create %.3f\n", (t["c" i "-b"] - t["c" i "-a"]) * 1000
            for (i = 1; i <= n; i++) printf "delete %.3f\n", (t["d" i "-b"] - t["d" i "-a"]) * 1000
        }' "$marks" >"$out"
}

# session_virsh OUT: virsh -t's times in script order: start, N creates,
# N deletes, destroy.
session_virsh() {
    local out=$1
    virsh_times | awk -v n="$N" '
        { t[NR] = $1 }
        END {
            for (i = 2; i <= n + 1; i++) printf "create %.3f\n", t[i]
            for (i = n + 2; i <= 2 * n + 1; i++) printf "delete %.3f\n", t[i]
        }' >"$out"
}

# pct METRIC P FILES...: the P-th percentile (50 = median) of METRIC.
pct() {
    local metric=$1 p=$2
    shift 2
    grep -h "^$metric " "$@" | awk '{print $2}' | sort -n | awk -v p="$p" '
        { v[NR] = $1 }
        END { i = int((NR - 1) * p / 100 + 0.5) + 1; printf "%.2f", v[i] }'
}

# libvirt probes QEMU's capabilities on first use; that is not timed.
setup virsh
run_cli virsh "list --all" >/dev/null 2>&1

for tool in cairn virsh; do
    for ((r = 1; r <= REPS; r++)); do
        setup "$tool"
        "session_$tool" "$work/result.$tool.$r"
    done
done

printf '%-44s %16s %22s\n' "operation (virt type $virt, 2 qcow2 disks)" cairn "virsh (libvirt $(virsh -v))"
for metric in create delete; do
    printf '%-44s %13s ms %19s ms\n' "checkpoint $metric, median of $((N * REPS))" \
        "$(pct $metric 50 "$work"/result.cairn.*)" "$(pct $metric 50 "$work"/result.virsh.*)"
    printf '%-44s %13s ms %19s ms\n' "checkpoint $metric, 90th percentile" \
        "$(pct $metric 90 "$work"/result.cairn.*)" "$(pct $metric 90 "$work"/result.virsh.*)"
done
echo "($(nproc) CPUs, load $(loadavg))"
