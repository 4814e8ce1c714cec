# bench/lib.sh -- what the qemu benchmarks share. Sourced, never run (make
# bench skips it):
#
#   set -euo pipefail
#   . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#
# Sourcing it sets here (bench/), top (the checkout), build ($BUILD, default
# build, taken from the top when relative), cairn (the CLI; checked to be
# built), bench (the script's name, for messages) and virt (kvm when KVM is
# usable, scripts/kvm.sh; else qemu). The functions below need nothing else but $work, which
# bench_work makes.

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/.." && pwd)
build=${BUILD:-build}
case $build in /*) ;; *) build=$top/$build ;; esac
cairn=$build/tools/cairn
bench=$(basename "$0" .sh)

die() { echo "$bench: $*" >&2; exit 1; }
[ -x "$cairn" ] || die "no $cairn: build first (meson setup $build && ninja -C $build)"

. "$top/scripts/kvm.sh"
virt=$(kvm_virt_type)

# need CMD...: die unless every CMD is on the PATH.
need() {
    local t
    for t in "$@"; do
        command -v "$t" >/dev/null || die "$t is not installed (make deps)"
    done
}

# bench_work PREFIX [DIR]: the scratch directory $work (DIR/PREFIX-XXXXXX,
# DIR default /tmp), removed at exit unless KEEP is set. At exit, first the
# script's bench_teardown runs if it defines one, then every process whose
# command line names $work is killed by its pid: every QEMU the drivers
# start here has a path under $work on its command line.
bench_work() {
    work=$(mktemp -d "${2:-/tmp}/$1-XXXXXX")
    trap bench_cleanup EXIT
}

bench_cleanup() {
    local pid
    if declare -F bench_teardown >/dev/null; then
        bench_teardown || true
    fi
    for pid in $(pgrep -f -- "$work" || true); do
        [ "$pid" != $$ ] && kill -9 "$pid" 2>/dev/null || true
    done
    [ -n "${KEEP:-}" ] && echo "kept $work" >&2 || rm -rf "$work"
}

# ensure_libvirt: install Debian's libvirt (virsh and the QEMU driver) when
# virsh is missing, and the libvirt-qemu account its QEMU driver looks up.
ensure_libvirt() {
    if ! command -v virsh >/dev/null; then
        echo "$bench: installing libvirt (virsh) ..." >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            libvirt-clients libvirt-daemon libvirt-daemon-driver-qemu >/dev/null
    fi
    getent group libvirt-qemu >/dev/null || groupadd --system libvirt-qemu
    getent passwd libvirt-qemu >/dev/null ||
        useradd --system -g libvirt-qemu -d /var/lib/libvirt -s /usr/sbin/nologin libvirt-qemu
}

# write_qemu_conf FILE: libvirt's qemu.conf for root QEMU without a
# security driver, virtlogd, namespaces or cgroups (no systemd here).
write_qemu_conf() {
    printf '%s\n' 'user = "root"' 'group = "root"' 'security_driver = "none"' \
        'stdio_handler = "file"' 'namespaces = [ ]' 'cgroup_controllers = [ ]' >"$1"
}

# domain_xml NAME MIB IMAGE...: a domain of type $virt, one vCPU, no guest
# OS, one virtio qcow2 disk per IMAGE (vda, vdb, ...).
domain_xml() {
    local name=$1 mib=$2 letters=abcdefghijklmnopqrstuvwxyz i=0 image dev
    shift 2
    cat <<EOF
<domain type='$virt'>
  <name>$name</name>
  <memory unit='MiB'>$mib</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64'>hvm</type></os>
  <devices>
EOF
    for image in "$@"; do
        dev=vd${letters:i:1}
        i=$((i + 1))
        cat <<EOF
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='$image'/>
      <target dev='$dev' bus='virtio'/>
    </disk>
EOF
    done
    printf '%s\n' '  </devices>' '</domain>'
}

# data_image IMAGE SIZE DATA_MIB: a new qcow2 IMAGE of SIZE (qemu-img's
# units: 2G, 1024M) whose first DATA_MIB MiB hold data, written in 64 MiB
# pieces of distinct patterns (so no two clusters of different pieces are
# alike and nothing is zero); the workload of the push benches.
data_image() {
    local image=$1 size=$2 data=$3 o args=()
    qemu-img create -q -f qcow2 "$image" "$size"
    for ((o = 0; o < data; o += 64)); do
        args+=(-c "write -P $((o / 64 % 250 + 1)) ${o}M $((data - o < 64 ? data - o : 64))M")
    done
    qemu-io -f qcow2 "${args[@]}" "$image" >/dev/null
}

# --- cairn and virsh side by side, both embedded ---------------------------
# Each TOOL (cairn or virsh) has its own root $work/TOOL.

uri() { echo "qemu:///embed?root=$work/$1"; }

# run_cli TOOL [COMMAND]: one command, or the session on stdin.
run_cli() {
    local tool=$1 bin=$cairn
    [ "$tool" = virsh ] && bin=virsh
    if [ $# -gt 1 ]; then
        "$bin" -q -c "$(uri "$tool")" "$2"
    else
        "$bin" -q -c "$(uri "$tool")"
    fi
}

# setup_root TOOL MIB DISK...: TOOL's root with etc/qemu.conf, a 64 MiB
# qcow2 image img/DISK.qcow2 per DISK, and the domain "bench" (MIB MiB, those
# disks) defined.
setup_root() {
    local tool=$1 mib=$2 root=$work/$1 disk images=()
    shift 2
    mkdir -p "$root/etc" "$root/img"
    write_qemu_conf "$root/etc/qemu.conf"
    for disk in "$@"; do
        images+=("$root/img/$disk.qcow2")
        qemu-img create -q -f qcow2 "$root/img/$disk.qcow2" 64M
    done
    domain_xml bench "$mib" "${images[@]}" >"$root/bench.xml"
    run_cli "$tool" "define $root/bench.xml" >/dev/null 2>"$work/setup.err" ||
        { cat "$work/setup.err" >&2; die "$tool: define failed"; }
}

# The sessions: the sourcing script's `script [marks]` prints the commands;
# with an argument it puts `echo --err @@MARK` lines around what is timed.

# stamp: each @@MARK line of stdin as "EPOCHREALTIME MARK", as it arrives.
stamp() {
    local line
    while IFS= read -r line; do
        case $line in *@@*) echo "$EPOCHREALTIME ${line##*@@}" ;; esac
    done
}

# cairn_marks FILE: the session with markers through cairn; stdout goes to
# /dev/null, the stamped markers to FILE.
cairn_marks() {
    script marks | run_cli cairn 2> >(stamp >"$1") >/dev/null
    sleep 0.2
}

# virsh_times: the session through `virsh -t`, which prints "(Time: X ms)"
# after every command (virsh holds stderr back when it is a pipe, so markers
# would all arrive at exit); prints X per command, in script order.
virsh_times() {
    script | virsh -q -t -c "$(uri virsh)" 2>/dev/null |
        sed -n 's/^(Time: \([0-9.]*\) ms)$/\1/p'
}

# median: of the numbers on stdin, one a line.
median() {
    sort -g | awk '
        { v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
