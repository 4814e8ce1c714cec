#!/bin/bash
# qemu-bench.sh -- Cairn's qemu driver beside libvirt's, both embedded:
#
#   cairn -c 'qemu:///embed?root=A'   and   virsh -c 'qemu:///embed?root=B'
#
# on the same domain XML (KVM when usable, else TCG; 128 MiB, one
# virtio qcow2 disk, no guest OS). Measured, each inside one long-running
# CLI process (so process start and driver start-up are not counted):
#
#   start         `start` until the command returns: QEMU launched and its
#                 QMP monitor answering (both drivers return only then);
#                 median of STARTS (each followed by a destroy)
#   dominfo       one `dominfo` round trip on a running domain (mean of
#                 INFOS in a row, after one untimed)
#   dumpxml       DUMPS `dumpxml` of the running domain, total
#
# Timing: cairn's session runs `echo --err @@MARK` between phases; stdout
# goes to /dev/null and stderr to a reader that stamps each marker with
# $EPOCHREALTIME. virsh holds its stderr back when it is a pipe, so its
# session runs with `virsh -t` instead, which prints each command's time
# (its handler, measured inside virsh). Each session runs REPS times; the
# table shows the median of the REPS results (for start: of all STARTS x
# REPS starts).
#
# libvirt's packages are installed when virsh is missing (libvirt-clients
# libvirt-daemon libvirt-daemon-driver-qemu, --no-install-recommends), with
# the libvirt-qemu account its QEMU driver looks up before reading
# ROOT/etc/qemu.conf, which this script writes (root, no security driver,
# stdio to files, no namespaces or cgroups: the machine has no systemd).
#
# Environment: BUILD (build dir, default build), STARTS (5), INFOS (200),
# DUMPS (1000), REPS (3), KEEP=1 keeps the scratch directory.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
STARTS=${STARTS:-5} INFOS=${INFOS:-200} DUMPS=${DUMPS:-1000} REPS=${REPS:-3}
need qemu-system-x86_64 qemu-img

bench_work cairn-qemu-bench
ensure_libvirt

# setup TOOL: a root, an image and a defined domain "bench".
setup() { setup_root "$1" 128 disk; }

# The session: STARTS x (start, destroy), then start, one dominfo not
# timed (libvirt's first one after a start can take seconds), and the
# dominfo and dumpxml runs.
# With MARKS, `echo --err @@MARK` lines around what is timed.
script() {
    local marks=${1:-} i
    mark() { [ -z "$marks" ] || echo "echo --err @@$1"; }
    for ((i = 1; i <= STARTS; i++)); do
        mark "start$i-a"
        echo "start bench"
        mark "start$i-b"
        echo "destroy bench"
    done
    echo "start bench"
    echo "dominfo bench"
    mark info-a
    for ((i = 0; i < INFOS; i++)); do echo "dominfo bench"; done
    mark info-b
    mark dump-a
    for ((i = 0; i < DUMPS; i++)); do echo "dumpxml bench"; done
    mark dump-b
    echo "destroy bench"
}

# session_cairn OUT: one session, markers on stderr stamped as they come.
session_cairn() {
    local out=$1 marks=$work/marks.cairn
    cairn_marks "$marks"
    awk -v starts="$STARTS" -v infos="$INFOS" '
        { t[$2] = $1 }
        END {
            for (i = 1; i <= starts; i++)
                printf "start %.2f\n", (t["start" i "-b"] - t["start" i "-a"]) * 1000
            printf "dominfo %.1f\n", (t["info-b"] - t["info-a"]) * 1e6 / infos
            printf "dumpxml %.2f\n", (t["dump-b"] - t["dump-a"]) * 1000
        }' "$marks" >"$out"
}

# session_virsh OUT: one session with virsh -t (its times in script order).
session_virsh() {
    local out=$1
    virsh_times | awk -v starts="$STARTS" -v infos="$INFOS" -v dumps="$DUMPS" '
        { t[NR] = $1 }
        END {
            for (i = 1; i <= starts; i++) printf "start %.2f\n", t[2 * i - 1]
            n = 2 * starts + 2
            for (i = 1; i <= infos; i++) info += t[n + i]
            n += infos
            for (i = 1; i <= dumps; i++) dump += t[n + i]
            printf "dominfo %.1f\n", info * 1000 / infos
            printf "dumpxml %.2f\n", dump
        }' >"$out"
}

median_of() {
    local metric=$1
    shift
    grep -h "^$metric " "$@" | awk '{print $2}' | median
}

for tool in cairn virsh; do
    setup "$tool"
done
# libvirt probes QEMU's capabilities on first use; that is not what we time.
run_cli virsh "list --all" >/dev/null 2>&1

for tool in cairn virsh; do
    for ((r = 1; r <= REPS; r++)); do
        "session_$tool" "$work/result.$tool.$r"
    done
done

c() { median_of "$1" "$work"/result.cairn.*; }
v() { median_of "$1" "$work"/result.virsh.*; }
printf '%-44s %14s %14s\n' "operation (virt type $virt)" "cairn" "virsh (libvirt $(virsh --version))"
printf '%-44s %11s ms %11s ms\n' "start -> QMP ready (median of $((STARTS * REPS)))" "$(c start)" "$(v start)"
printf '%-44s %11s us %11s us\n' "dominfo round trip (mean of $INFOS)" "$(c dominfo)" "$(v dominfo)"
printf '%-44s %11s ms %11s ms\n' "$DUMPS x dumpxml, running domain (total)" "$(c dumpxml)" "$(v dumpxml)"
echo "(median of $REPS sessions each; $(nproc) CPUs, load $(loadavg))"
