#!/bin/bash
# remote-rtt.sh: API round trips in one process (bench/remote-rtt.c:
# dominfo x N, checkpoint-dumpxml x N) and cairnd's resident memory.
#
#   1. test driver: embedded test:///default, then through cairnd --test;
#   2. qemu driver, one running domain: embedded qemu:///embed?root=R, then
#      through cairnd --session --root R; cairnd's RSS with 0 and VMS
#      running domains (no guest OS, 64 MiB each);
#   3. libvirtd (qemu:///system), the same calls on a transient domain of
#      the same shape (bench/libvirt-rtt.c): a libvirtd that already
#      answers is used, else one is started with $LVREF/daemon.sh (the
#      libvirt reference scripts of the shared workspace) when
#      LIBVIRTD_START=1 and LVREF are set.
#
# Environment: BUILD (default build), N (1000), VMS (10), SKIP_LIBVIRT=1.
# Every process started here is stopped by its pid.
set -eu
BUILD=${BUILD:-build}
N=${N:-1000}
VMS=${VMS:-10}
LVREF=${LVREF:-}
work=$(mktemp -d /tmp/cairn-rtt-XXXXXX)
root=$work/root
daemon_pids=()
lv_started=

cleanup() {
    for p in "${daemon_pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for f in "$root"/run/*.pid; do
        [ -s "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null || true
    done
    [ -n "$lv_started" ] && WORK=$work/lv bash "$LVREF/daemon.sh" stop >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

. "$(dirname "${BASH_SOURCE[0]}")/../scripts/kvm.sh"
virt=$(kvm_virt_type)

rss() { awk '/VmRSS/ { printf "%.1f MiB", $2 / 1024 }' "/proc/$1/status"; }

# start_cairnd SOCKET ARGS...: start it, wait for the socket; pid in $daemon_pid.
start_cairnd() {
    local sock=$1
    shift
    "$BUILD/daemon/cairnd" --socket "$sock" "$@" 2>>"$work/cairnd.log" &
    daemon_pid=$!
    daemon_pids+=("$daemon_pid")
    for _ in $(seq 500); do [ -S "$sock" ] && return 0; sleep 0.02; done
    echo "cairnd did not start" >&2
    exit 1
}

domain_xml() { # NAME MEM_MIB IMAGE
    cat <<XML
<domain type='$virt'>
  <name>$1</name>
  <memory unit='MiB'>$2</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64'>hvm</type></os>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='$3'/>
      <target dev='vda' bus='virtio'/>
    </disk>
  </devices>
</domain>
XML
}

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')," \
     "nproc $(nproc), load $(cut -d' ' -f1-3 /proc/loadavg), N $N, virt $virt"

echo "## test driver"
start_cairnd "$work/test.sock" --test
echo "# embedded test:///default"
"$BUILD/bench/remote-rtt" test:///default "$N"
echo "# through cairnd --test"
"$BUILD/bench/remote-rtt" "test+unix:///default?socket=$work/test.sock" "$N"
echo "# cairnd --test RSS after the run: $(rss "$daemon_pid")"

echo "## qemu driver, one running domain"
mkdir -p "$root/img"
start_cairnd "$work/qemu.sock" --session --root "$root"
quri="qemu+unix:///session?socket=$work/qemu.sock"
echo "# cairnd (qemu driver) RSS, 0 domains, no client yet: $(rss "$daemon_pid")"
cmds=
for i in $(seq 0 "$VMS"); do
    name=rtt; [ "$i" -gt 0 ] && name=vm$i
    qemu-img create -q -f qcow2 "$root/img/$name.qcow2" 64M
    domain_xml "$name" 64 "$root/img/$name.qcow2" >"$work/$name.xml"
    cmds="$cmds define $work/$name.xml;"
done
"$BUILD/tools/cairn" -q -c "$quri" "$cmds start rtt" >/dev/null
echo "# embedded qemu:///embed?root=R"
"$BUILD/bench/remote-rtt" "qemu:///embed?root=$root" "$N" rtt
echo "# through cairnd --session --root R"
"$BUILD/bench/remote-rtt" "$quri" "$N" rtt
"$BUILD/tools/cairn" -q -c "$quri" "destroy rtt" >/dev/null
echo "# cairnd RSS, 0 running domains ($((VMS + 1)) defined, after the runs): $(rss "$daemon_pid")"
cmds=
for i in $(seq 1 "$VMS"); do cmds="$cmds start vm$i;"; done
"$BUILD/tools/cairn" -q -c "$quri" "$cmds" >/dev/null
running=$("$BUILD/tools/cairn" -q -c "$quri" "list --state-running --name" | grep -c . || true)
echo "# cairnd RSS, $running running domains: $(rss "$daemon_pid")"
cmds=
for i in $(seq 1 "$VMS"); do cmds="$cmds destroy vm$i;"; done
"$BUILD/tools/cairn" -q -c "$quri" "$cmds" >/dev/null

[ "${SKIP_LIBVIRT:-}" = 1 ] && exit 0
echo "## libvirtd"
if ! virsh -c qemu:///system version >/dev/null 2>&1; then
    if [ "${LIBVIRTD_START:-}" = 1 ] && [ -n "$LVREF" ] &&
        WORK=$work/lv bash "$LVREF/daemon.sh" start >/dev/null; then
        lv_started=1
    else
        echo "# no libvirtd answers on qemu:///system (LIBVIRTD_START=1 LVREF=DIR starts one): skipped"
        exit 0
    fi
fi
echo "# libvirtd $(virsh -c qemu:///system version --daemon 2>/dev/null | awk '/Running against daemon/ { print $4 }'), qemu:///system, transient domain"
qemu-img create -q -f qcow2 "$work/lv.qcow2" 64M
domain_xml "cairn-rtt-$$" 64 "$work/lv.qcow2" >"$work/lv.xml"
"$BUILD/bench/libvirt-rtt" qemu:///system "$work/lv.xml" "$N"
