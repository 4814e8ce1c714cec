# tests/backup/lib.sh -- helpers of the cairn-backup tests (suite backup).
# Sourced by each scenario; needs bash. Real QEMU (TCG), real qcow2 images,
# the cairn CLI for the domain and cairn-backup for everything else.
#
#   bk_setup NAME        test root, URI, cleanup at exit; skips (77) without QEMU
#   bk_define DOM N      define a domain with N qcow2 disks of $BK_SIZE in $img
#   c ARGS               cairn -c $uri ARGS
#   cb ARGS              cairn-backup ARGS (with -c $uri where it takes one)
#   bk_write DOM DISKNO PATTERN OFFSET LEN   write through the running disk device
#   bk_copy DOM TAG      copy every disk to $root/ref-TAG-vdX.qcow2 (the disks
#                        as a backup taken now must restore them)
#   bk_same A B          qemu-img compare, fail if they differ
#   fail MSG             print and exit 1
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${abs_builddir:+$abs_builddir/..}
build=${build:-$here/build}
cairn=$build/tools/cairn
cairn_backup=${CAIRN_BACKUP:-$build/tools/cairn-backup}
BK_SIZE=${BK_SIZE:-64M}

fail() { echo "FAIL: $*" >&2; exit 1; }
note() { echo "== $*" >&2; }

bk_setup() {
    for tool in qemu-system-x86_64 qemu-img qemu-io; do
        command -v "$tool" >/dev/null || { echo "skip: $tool missing"; exit 77; }
    done
    . "$here/tests/testroot.sh"
    test_root_make "backup-$1"
    root=$TEST_ROOT
    uri="qemu:///embed?root=$root/cairn"
    img=$root/images
    mkdir -p "$img" "$root/cairn"
    export TMPDIR=$root
    trap bk_cleanup EXIT
}

bk_cleanup() {
    local rc=$? f pid
    [ -z "${BK_UMOUNT:-}" ] || umount "$BK_UMOUNT" 2>/dev/null || true
    for f in "$root"/cairn/run/*.pid "$root"/cairn/run/*.backup-qsd-pid; do
        [ -e "$f" ] || continue
        pid=$(cat "$f" 2>/dev/null || true)
        if [ -n "$pid" ] && grep -qa "$root" "/proc/$pid/cmdline" 2>/dev/null; then
            kill -9 "$pid" 2>/dev/null || true
        fi
    done
    if [ $rc -eq 0 ] || [ -z "${CAIRN_TEST_KEEP:-}" ]; then
        rm -rf "$root"
    else
        echo "kept $root" >&2
    fi
    exit $rc
}

c() { "$cairn" -c "$uri" "$@"; }
cb() {
    local cmd=$1; shift
    case $cmd in
        run) "$cairn_backup" run -c "$uri" "$@" ;;
        *) "$cairn_backup" "$cmd" "$@" ;;
    esac
}

# The domain XML: type qemu (TCG), no OS, N virtio qcow2 disks vda, vdb...
bk_define() {
    local dom=$1 n=$2 i letters=abcdefgh
    [ -e "$root/$dom.uuid" ] || cat /proc/sys/kernel/random/uuid >"$root/$dom.uuid"
    {
        echo "<domain type='qemu'><name>$dom</name><uuid>$(cat "$root/$dom.uuid")</uuid>"
        echo "<memory unit='MiB'>128</memory>"
        echo "<os><type arch='x86_64'>hvm</type></os><devices>"
        for ((i = 0; i < n; i++)); do
            local d=vd${letters:$i:1}
            [ -e "$img/$dom-$d.qcow2" ] || qemu-img create -q -f qcow2 "$img/$dom-$d.qcow2" "$BK_SIZE"
            echo "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
            echo "<source file='$img/$dom-$d.qcow2'/><target dev='$d' bus='virtio'/></disk>"
        done
        echo "</devices></domain>"
    } >"$root/$dom.xml"
    c define "$root/$dom.xml" >/dev/null
}

# Disk number N (0 = vda) of a running domain: write LEN bytes of PATTERN
# at OFFSET through the guest's disk device, then flush.
bk_write() {
    local dom=$1 alias=virtio-disk$2 out
    out=$(c qemu-monitor-command "$dom" --hmp \
        "qemu-io -d /machine/peripheral/$alias/virtio-backend \"write -P 0x$3 $4 $5\"")
    case $out in *rror*) fail "write to $alias: $out" ;; esac
    c qemu-monitor-command "$dom" --hmp \
        "qemu-io -d /machine/peripheral/$alias/virtio-backend \"flush\"" >/dev/null
}

# Random data into a disk image of a shut-off domain (or before the first
# start): LEN MiB at OFFSET MiB.
bk_random() {
    head -c "$(($3 * 1048576))" /dev/urandom >"$root/rand.bin"
    qemu-io -f qcow2 -c "write -s $root/rand.bin $(($2 * 1048576)) $(($3 * 1048576))" "$1" >/dev/null
    rm -f "$root/rand.bin"
}

bk_copy() {
    local dom=$1 tag=$2 f d
    for f in "$img/$dom"-vd?.qcow2; do
        d=${f##*-}; d=${d%.qcow2}
        qemu-img convert -U -O qcow2 "$f" "$root/ref-$tag-$d.qcow2"
    done
}

bk_same() {
    qemu-img compare -U -q "$1" "$2" || fail "$1 and $2 differ"
}

# Restore snapshot ID into $root/restore-ID (format $2, default qcow2)
# and compare every disk with the copies of TAG; qcow2 images must also
# pass qemu-img check.
bk_restore_check() {
    local id=$1 tag=$2 fmt=${3:-qcow2} dir=$root/restore-$1-${3:-qcow2} f d
    cb restore "$repo" "$id" "$dir" --format "$fmt" $BK_KEY >/dev/null
    for f in "$root/ref-$tag"-vd?.qcow2; do
        d=${f##*-}; d=${d%.qcow2}
        bk_same "$dir/$d.$fmt" "$f"
        # Our own qcow2 writer: no error, no leak, the source's size.
        if [ "$fmt" = qcow2 ]; then
            qemu-img check -q -f qcow2 "$dir/$d.$fmt" || fail "qemu-img check $dir/$d.$fmt"
        fi
    done
    rm -rf "$dir"
}

# Field FIELD (jq-like path in python) of JSON on stdin.
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval('d' + sys.argv[1]))" "$1"; }

# Bytes the repository takes on disk.
repo_bytes() { du -sb "$1" | cut -f1; }
