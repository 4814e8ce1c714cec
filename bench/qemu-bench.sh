#!/bin/bash
# qemu-bench.sh -- Cairn's qemu driver beside libvirt's, both embedded:
#
#   cairn -c 'qemu:///embed?root=A'   and   virsh -c 'qemu:///embed?root=B'
#
# on the same domain XML (KVM when /dev/kvm opens, else TCG; 128 MiB, one
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

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/.." && pwd)
build=${BUILD:-build}
case $build in /*) ;; *) build=$top/$build ;; esac
cairn=$build/tools/cairn
STARTS=${STARTS:-5} INFOS=${INFOS:-200} DUMPS=${DUMPS:-1000} REPS=${REPS:-3}

die() { echo "qemu-bench: $*" >&2; exit 1; }
[ -x "$cairn" ] || die "no $cairn: build first (meson setup $build && ninja -C $build)"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 is not installed"

ensure_libvirt() {
    if ! command -v virsh >/dev/null; then
        echo "qemu-bench: installing libvirt (virsh) ..." >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            libvirt-clients libvirt-daemon libvirt-daemon-driver-qemu >/dev/null
    fi
    getent group libvirt-qemu >/dev/null || groupadd --system libvirt-qemu
    getent passwd libvirt-qemu >/dev/null ||
        useradd --system -g libvirt-qemu -d /var/lib/libvirt -s /usr/sbin/nologin libvirt-qemu
}

work=$(mktemp -d /tmp/cairn-qemu-bench-XXXXXX)
cleanup() {
    local pid
    # Every QEMU either driver started here names a path under $work.
    for pid in $(pgrep -f -- "$work" || true); do
        [ "$pid" != $$ ] && kill -9 "$pid" 2>/dev/null || true
    done
    [ -n "${KEEP:-}" ] && echo "kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT

ensure_libvirt
virt=qemu
if (exec 3<>/dev/kvm) 2>/dev/null; then
    virt=kvm
fi

# setup TOOL: a root, an image and a defined domain "bench".
setup() {
    local tool=$1 root=$work/$1
    mkdir -p "$root/etc" "$root/img"
    cat >"$root/etc/qemu.conf" <<'EOF'
user = "root"
group = "root"
security_driver = "none"
stdio_handler = "file"
namespaces = [ ]
cgroup_controllers = [ ]
EOF
    qemu-img create -q -f qcow2 "$root/img/disk.qcow2" 64M
    cat >"$root/bench.xml" <<EOF
<domain type='$virt'>
  <name>bench</name>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64'>hvm</type></os>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='$root/img/disk.qcow2'/>
      <target dev='vda' bus='virtio'/>
    </disk>
  </devices>
</domain>
EOF
    run_cli "$tool" "define $root/bench.xml" >/dev/null 2>"$work/setup.err" ||
        { cat "$work/setup.err" >&2; die "$tool: define failed"; }
}

uri() { echo "qemu:///embed?root=$work/$1"; }

# run_cli TOOL: the session on stdin (or $2 as one command).
run_cli() {
    local tool=$1 bin=$cairn
    [ "$tool" = virsh ] && bin=virsh
    if [ $# -gt 1 ]; then
        "$bin" -q -c "$(uri "$tool")" "$2"
    else
        "$bin" -q -c "$(uri "$tool")"
    fi
}

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

stamp() {
    local line
    while IFS= read -r line; do
        case $line in *@@*) echo "$EPOCHREALTIME ${line##*@@}" ;; esac
    done
}

# session_cairn OUT: one session, markers on stderr stamped as they come.
session_cairn() {
    local out=$1 marks=$work/marks.cairn
    script marks | run_cli cairn 2> >(stamp >"$marks") >/dev/null
    sleep 0.2
    awk -v starts="$STARTS" -v infos="$INFOS" '
        { t[$2] = $1 }
        END {
            for (i = 1; i <= starts; i++)
                printf "start %.2f\n", (t["start" i "-b"] - t["start" i "-a"]) * 1000
            printf "dominfo %.1f\n", (t["info-b"] - t["info-a"]) * 1e6 / infos
            printf "dumpxml %.2f\n", (t["dump-b"] - t["dump-a"]) * 1000
        }' "$marks" >"$out"
}

# session_virsh OUT: one session with virsh -t, which prints "(Time: X ms)"
# after every command (virsh holds stderr back when it is a pipe, so the
# markers would all arrive at exit); the commands are in script order.
session_virsh() {
    local out=$1
    script | virsh -q -t -c "$(uri virsh)" 2>/dev/null |
        sed -n 's/^(Time: \([0-9.]*\) ms)$/\1/p' |
        awk -v starts="$STARTS" -v infos="$INFOS" -v dumps="$DUMPS" '
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
    grep -h "^$metric " "$@" | awk '{print $2}' | sort -n | awk '
        { v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
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
echo "(median of $REPS sessions each; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg))"
