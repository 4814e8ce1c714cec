#!/bin/bash
# make-guest.sh -- build Cairn's test guest: a Debian kernel plus a small
# busybox initramfs whose /init (tests/guest/init.sh) follows the kernel
# command line (cairn.write=, cairn.check=, cairn.loop=, cairn.wait=, see
# README.md), prints CAIRN-* marker lines on the serial console and powers
# the machine off.
#
#   make-guest.sh [--cache DIR] [--offline] [--quiet] OUTDIR
#
# Writes into OUTDIR:
#   vmlinux     the kernel, uncompressed (ELF with a PVH entry note); QEMU
#               boots it directly and it skips the slow in-guest
#               decompression under TCG
#   vmlinuz     Debian's bzImage, unchanged
#   initrd.gz   the initramfs (reproducible: same inputs, same bytes)
#   guest.env   KEY=value lines (shell-sourceable) describing the build
# and prints two lines on stdout: the kernel to boot (vmlinux, or vmlinuz if
# the payload could not be extracted) and the initrd.  Progress goes to
# stderr.
#
# Packages are fetched with `apt-get download` and unpacked with `dpkg -x`;
# nothing is installed.  The kernel is the linux-image-*-amd64 package that
# linux-image-amd64 depends on; the user space is busybox-static, plus
# qemu-ga from qemu-guest-agent with the shared libraries ldd finds for it
# on this host (the same Debian release), for cairn.agent=.
#
# Cache (default $CAIRN_GUEST_CACHE, else $XDG_CACHE_HOME/cairn-guest, else
# ~/.cache/cairn-guest), shared by every test and build:
#   debs/                  the downloaded .deb files
#   kernel/<deb>/          vmlinuz, vmlinux, modules/*.ko, *.list, release
#   agent/<deb>/qemu-ga    the guest agent, unpacked
#   initrd/<sha256>.gz     finished initramfs images, keyed by their inputs
# With a warm cache a run only hashes its inputs and links files: well
# under a second.  Runs sharing a cache serialise on DIR/lock (flock).
#
# Exit status: 0 built; 1 failed; 2 usage; 3 the packages cannot be had
# (no network or apt lists, and nothing cached) -- tests turn 3 into a skip.
set -euo pipefail
shopt -s nullglob

me=make-guest
say() { [ -n "$quiet" ] || printf '%s: %s\n' "$me" "$*" >&2; }
die() { printf '%s: error: %s\n' "$me" "$*" >&2; exit 1; }
unavailable() { printf '%s: packages unavailable: %s\n' "$me" "$*" >&2; exit 3; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
init_script=$here/init.sh
# Change this when the layout of the cache or of the initramfs changes.
format=cairn-guest-2

cache=${CAIRN_GUEST_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/cairn-guest}
offline='' quiet='' outdir=''
while [ $# -gt 0 ]; do
    case $1 in
    --cache) [ $# -ge 2 ] || die "--cache wants a directory"; cache=$2; shift 2 ;;
    --cache=*) cache=${1#--cache=}; shift ;;
    --offline) offline=1; shift ;;
    --quiet) quiet=1; shift ;;
    -h | --help) sed -n '2,/^set -e/{/^set -e/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    -*) printf '%s: unknown option %s\n' "$me" "$1" >&2; exit 2 ;;
    *) [ -z "$outdir" ] || { echo "$me: one OUTDIR only" >&2; exit 2; }; outdir=$1; shift ;;
    esac
done
[ -n "$outdir" ] || { echo "usage: $me [--cache DIR] [--offline] [--quiet] OUTDIR" >&2; exit 2; }
[ -r "$init_script" ] || die "missing $init_script"
for tool in dpkg-deb flock gzip cpio sha256sum od ldd; do
    command -v "$tool" >/dev/null || die "needs $tool"
done

# Modules /init loads: always the virtio PCI transport and block driver;
# for cairn.loop / cairn.wait also the ACPI power button and evdev, so it
# can notice system_powerdown.  Dependencies are found from the modules.
always_modules=(virtio_pci virtio_blk)
button_modules=(button evdev)
# For cairn.agent: the virtio-serial port and the ext4 the agent freezes.
agent_modules=(virtio_console ext4 crc32c_generic)

mkdir -p "$cache"/{debs,kernel,initrd} || die "cannot create the cache $cache"
cache=$(cd "$cache" && pwd)
mkdir -p "$outdir" || die "cannot create $outdir"
outdir=$(cd "$outdir" && pwd)

exec {lockfd}>"$cache/lock"
flock "$lockfd"
tmp=$(mktemp -d "$cache/tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# ----------------------------------------------------------------------------
# Packages
# ----------------------------------------------------------------------------
updated=
refresh_lists() {
    [ -z "$updated" ] && [ -z "$offline" ] && [ "$(id -u)" = 0 ] || return 1
    updated=1
    say "apt-get update"
    apt-get update -qq >&2 2>&1 || return 1
}

# The versioned kernel package linux-image-amd64 points at.
kernel_package() {
    apt-cache depends linux-image-amd64 2>/dev/null |
        awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9].*-amd64$/ { print $2; exit }'
}

# newest_deb GLOB: the newest cached .deb whose package name matches GLOB.
newest_deb() {
    local debs=("$cache"/debs/$1_*.deb)
    [ ${#debs[@]} -gt 0 ] && printf '%s\n' "${debs[@]}" | sort -V | tail -n 1
}

# get_deb PKG: print the cached PKG_*.deb, downloading it first if needed.
# The download lands in a scratch directory and is moved into the cache
# only when complete.
get_deb() {
    local pkg=$1 dl got
    newest_deb "$pkg" && return 0
    [ -z "$offline" ] || return 1
    command -v apt-get >/dev/null || return 1
    dl=$(mktemp -d "$tmp/dl.XXXXXX")
    say "downloading $pkg"
    if ! (cd "$dl" && apt-get download -qq -o APT::Sandbox::User=root "$pkg" >&2); then
        refresh_lists || return 1
        (cd "$dl" && apt-get download -qq -o APT::Sandbox::User=root "$pkg" >&2) || return 1
    fi
    got=("$dl"/*.deb)
    [ ${#got[@]} = 1 ] || return 1
    mv "${got[0]}" "$cache/debs/"
    echo "$cache/debs/${got[0]##*/}"
}

# apt-cache takes about a second; its answer is kept in the cache for as
# long as the package lists are the same files (names, sizes, mtimes).
lists_stamp() {
    local lists=(/var/lib/apt/lists/*_Packages*)
    [ ${#lists[@]} -gt 0 ] && stat -c '%n %s %Y' "${lists[@]}" | sha256sum | cut -c1-32
}
kpkg=
if [ -z "$offline" ] && command -v apt-cache >/dev/null; then
    stamp=$(lists_stamp) || stamp=none
    read -r memo_stamp memo_pkg 2>/dev/null <"$cache/kernel-package" || true
    if [ "$stamp" != none ] && [ "${memo_stamp:-}" = "$stamp" ] && [ -n "${memo_pkg:-}" ]; then
        kpkg=$memo_pkg
    else
        kpkg=$(kernel_package)
        if [ -z "$kpkg" ] && refresh_lists; then kpkg=$(kernel_package); fi
        stamp=$(lists_stamp) || stamp=none
        [ -z "$kpkg" ] || echo "$stamp $kpkg" >"$cache/kernel-package"
    fi
fi
if [ -n "$kpkg" ]; then
    kdeb=$(get_deb "$kpkg") || {
        # The lists may name an ABI the archive has dropped: refresh, retry.
        refresh_lists && kpkg=$(kernel_package) && [ -n "$kpkg" ] &&
            kdeb=$(get_deb "$kpkg")
    } || kdeb=$(newest_deb 'linux-image-[0-9]*-amd64') ||
        unavailable "cannot download $kpkg and no kernel .deb is cached in $cache/debs"
else
    kdeb=$(newest_deb 'linux-image-[0-9]*-amd64') ||
        unavailable "cannot resolve linux-image-amd64 and no kernel .deb is cached in $cache/debs"
fi
bdeb=$(get_deb busybox-static) ||
    unavailable "cannot download busybox-static and none is cached in $cache/debs"
gdeb=$(get_deb qemu-guest-agent) ||
    unavailable "cannot download qemu-guest-agent and none is cached in $cache/debs"
say "kernel: ${kdeb##*/}; busybox: ${bdeb##*/}; agent: ${gdeb##*/}"

# ----------------------------------------------------------------------------
# Kernel and modules (once per kernel .deb)
# ----------------------------------------------------------------------------

# u32 FILE OFFSET / u8 FILE OFFSET: little-endian integers from a file.
u32() { od -An -tu4 -j "$2" -N4 "$1" | tr -d ' \n'; }
u8() { od -An -tu1 -j "$2" -N1 "$1" | tr -d ' \n'; }
hex() { od -An -tx1 -j "$2" -N"$3" "$1" | tr -d ' \n'; }

# unpack_bzimage BZIMAGE OUT: write the kernel ELF that the bzImage carries
# compressed.  The x86 boot header (boot protocol >= 2.08) gives the
# payload: setup_sects at 0x1f1 (the 32-bit part starts after
# (setup_sects + 1) sectors of 512 bytes), payload_offset at 0x248 (from
# that start) and payload_length at 0x24c.  If the header looks wrong, the
# first xz stream magic in the file is used instead.
unpack_bzimage() {
    local bz=$1 out=$2 sects start len magic size
    size=$(stat -c %s "$bz")
    [ "$(hex "$bz" $((0x202)) 4)" = 48647253 ] || { say "$bz: no HdrS header"; return 1; }
    sects=$(u8 "$bz" $((0x1f1)))
    [ "$sects" != 0 ] || sects=4
    start=$(((sects + 1) * 512 + $(u32 "$bz" $((0x248)))))
    len=$(u32 "$bz" $((0x24c)))
    if [ $((start + len)) -gt "$size" ] || [ "$len" = 0 ]; then
        start=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$bz" | head -n 1 | cut -d: -f1)
        [ -n "$start" ] || { say "$bz: no compressed payload found"; return 1; }
        len=$((size - start))
    fi
    magic=$(hex "$bz" "$start" 6)
    # Each decompressor stops at the end of its stream: the payload ends with
    # 4 bytes of size that must not be taken for more data.
    case $magic in
    fd377a585a00) dd if="$bz" bs=64K iflag=skip_bytes,count_bytes skip="$start" count="$len" status=none |
        xz -dc --single-stream >"$out" 2>/dev/null ;;
    1f8b*) dd if="$bz" bs=64K iflag=skip_bytes,count_bytes skip="$start" count="$len" status=none |
        gzip -dc >"$out" 2>/dev/null || [ -s "$out" ] ;;
    28b52ffd*) dd if="$bz" bs=64K iflag=skip_bytes,count_bytes skip="$start" count="$len" status=none |
        zstd -dcq >"$out" 2>/dev/null ;;
    *) say "$bz: payload compression $magic not handled"; return 1 ;;
    esac || { say "$bz: decompressing the payload failed"; return 1; }
    [ "$(hex "$out" 0 4)" = 7f454c46 ] || { say "$bz: payload is not an ELF file"; return 1; }
}

# modinfo_field KO FIELD: a field of the module's .modinfo section, read
# straight from the file (NUL-separated key=value strings), without kmod.
modinfo_field() {
    tr '\0' '\n' <"$1" | sed -n "s/^$2=//p" | head -n 1
}

# copy_ko SRC DST: a module as plain ELF (busybox insmod takes no .ko.xz).
copy_ko() {
    case $1 in
    *.ko) cp "$1" "$2" ;;
    *.ko.xz) xz -dc "$1" >"$2" ;;
    *.ko.zst) zstd -dcq "$1" >"$2" ;;
    *.ko.gz) gzip -dc "$1" >"$2" ;;
    *) die "unknown module file $1" ;;
    esac
}

kname=${kdeb##*/}
kdir=$cache/kernel/${kname%.deb}
kstamp="$format ${always_modules[*]} / ${button_modules[*]} / ${agent_modules[*]}"
if [ "$(cat "$kdir/stamp" 2>/dev/null)" != "$kstamp" ]; then
    say "unpacking $kname (once per kernel package)"
    root=$tmp/kernel-root new=$tmp/kernel-new
    dpkg -x "$kdeb" "$root"
    images=("$root"/boot/vmlinuz-*)
    [ ${#images[@]} = 1 ] || die "$kname: expected exactly one /boot/vmlinuz-*"
    release=${images[0]##*/vmlinuz-}
    mods=$root/lib/modules/$release
    [ -d "$mods/kernel" ] || die "$kname: no $mods/kernel"
    mkdir -p "$new/modules"

    declare -A where=() builtin=() done_mod=()
    while IFS= read -r -d '' f; do
        n=${f##*/}; n=${n%%.ko*}; where[${n//-/_}]=$f
    done < <(find "$mods/kernel" -name '*.ko*' -print0)
    if [ -r "$mods/modules.builtin" ]; then
        while IFS= read -r f; do
            n=${f##*/}; n=${n%%.ko*}; builtin[${n//-/_}]=1
        done <"$mods/modules.builtin"
    fi
    # add_module NAME LIST: NAME after its dependencies (post-order), so LIST
    # is an insmod order.  Built-in modules need no loading.
    add_module() {
        local name=${1//-/_} list=$2 dep
        [ -z "${done_mod[$name]:-}" ] || return 0
        done_mod[$name]=1
        [ -z "${builtin[$name]:-}" ] || { say "  $name is built in"; return 0; }
        [ -n "${where[$name]:-}" ] || die "$kname: module $name not found"
        copy_ko "${where[$name]}" "$new/modules/$name.ko"
        local deps
        deps=$(modinfo_field "$new/modules/$name.ko" depends)
        for dep in ${deps//,/ }; do add_module "$dep" "$list"; done
        echo "$name" >>"$list"
    }
    : >"$new/always.list"
    : >"$new/button.list"
    : >"$new/agent.list"
    for m in "${always_modules[@]}"; do add_module "$m" "$new/always.list"; done
    for m in "${button_modules[@]}"; do add_module "$m" "$new/button.list"; done
    for m in "${agent_modules[@]}"; do add_module "$m" "$new/agent.list"; done

    cp "${images[0]}" "$new/vmlinuz"
    unpack_bzimage "$new/vmlinuz" "$new/vmlinux" || rm -f "$new/vmlinux"
    echo "$release" >"$new/release"
    echo "$kstamp" >"$new/stamp"
    rm -rf "$kdir" "$root"
    mv "$new" "$kdir"
fi
release=$(cat "$kdir/release")

# ----------------------------------------------------------------------------
# The guest agent: qemu-ga from its .deb, and the libraries it links
# ----------------------------------------------------------------------------
# Unpacked once per .deb, into the cache.
gname=${gdeb##*/}
qga=$cache/agent/${gname%.deb}/qemu-ga
if [ ! -x "$qga" ]; then
    say "unpacking $gname"
    dpkg -x "$gdeb" "$tmp/agent"
    [ -x "$tmp/agent/usr/sbin/qemu-ga" ] || die "$gname: no usr/sbin/qemu-ga"
    rm -rf "$cache/agent"
    mkdir -p "${qga%/*}"
    cp "$tmp/agent/usr/sbin/qemu-ga" "$qga.tmp" && mv "$qga.tmp" "$qga"
fi
# The loader and every library, as paths on this host (ldd prints
# "name => /path (addr)" or "/path (addr)"; the vDSO has no path).
qga_libs=$(ldd "$qga" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | sort -u)
[ -n "$qga_libs" ] || die "ldd found no libraries for qemu-ga"
for lib in $qga_libs; do
    [ -r "$lib" ] || die "qemu-ga needs $lib, which is not readable here"
done

# ----------------------------------------------------------------------------
# The initramfs (once per set of inputs)
# ----------------------------------------------------------------------------
key=$( {
    # root's image has a /dev/console node, another user's has none
    echo "$format" "$kname" "${bdeb##*/}" "${gdeb##*/}" "$([ "$(id -u)" = 0 ] && echo root || echo user)"
    # the libraries by content: a host upgrade makes a new image
    for lib in $qga_libs; do echo "$lib"; done
    # shellcheck disable=SC2086
    cat $qga_libs | sha256sum
    cat "$init_script" "$kdir/always.list" "$kdir/button.list" "$kdir/agent.list"
    sed -n '/^# BEGIN initramfs/,/^# END initramfs/p' "$0"
} | sha256sum | cut -c1-32)
initrd=$cache/initrd/$key.gz
if [ ! -s "$initrd" ]; then
    say "packing the initramfs"
# BEGIN initramfs (this part is hashed into the cache key)
    r=$tmp/initramfs
    mkdir -p "$r"/{bin,dev,proc,sys,tmp,lib/modules} "$tmp/busybox"
    dpkg -x "$bdeb" "$tmp/busybox"
    [ -x "$tmp/busybox/bin/busybox" ] || die "${bdeb##*/}: no bin/busybox"
    cp "$tmp/busybox/bin/busybox" "$r/bin/busybox"
    # The applet links are made by /init itself (busybox --install -s).
    cp "$init_script" "$r/init"
    chmod 0755 "$r/init" "$r/bin/busybox"
    cp "$kdir"/modules/*.ko "$kdir/always.list" "$kdir/button.list" "$kdir/agent.list" "$r/lib/modules/"
    chmod 0644 "$r"/lib/modules/*
    # qemu-ga and its libraries at their paths on this host (the loader
    # path is compiled into the binary)
    cp "$qga" "$r/bin/qemu-ga"
    chmod 0755 "$r/bin/qemu-ga"
    for lib in $qga_libs; do
        mkdir -p "$r$(dirname "$lib")"
        cp -L "$lib" "$r$lib"
    done
    # A console node lets the kernel hand /init its stdio; only root can make
    # it, and /init copes without (it mounts devtmpfs and reopens).
    mknod -m 0600 "$r/dev/console" c 5 1 2>/dev/null || true
    find "$r" -exec touch -h -d @0 {} +
    (cd "$r" && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort |
        cpio -o -H newc -R 0:0 --reproducible --quiet) | gzip -n -6 >"$tmp/initrd.gz"
# END initramfs
    mv "$tmp/initrd.gz" "$initrd"
fi

# Prune: kernels other than this one (Debian moved to a new ABI; each is
# ~110 MB between .deb and unpacked files) unless this run is --offline, and
# initramfs images of other inputs not touched for a week.
if [ -z "$offline" ]; then
    for f in "$cache"/debs/linux-image-*.deb; do
        [ "$f" = "$kdeb" ] || { say "pruning ${f##*/}"; rm -f "$f"; }
    done
    for f in "$cache"/kernel/*/; do
        f=${f%/}
        [ "$f" = "$kdir" ] || rm -rf "$f"
    done
fi
find "$cache/initrd" -name '*.gz' ! -name "$key.gz" -mtime +7 -delete 2>/dev/null || true
touch "$initrd"

# ----------------------------------------------------------------------------
# Output: hard links into the cache when possible, replaced atomically
# ----------------------------------------------------------------------------
place() {   # place SRC NAME
    local dst=$outdir/$2
    [ "$1" -ef "$dst" ] && return 0
    ln -f "$1" "$dst.tmp$$" 2>/dev/null || cp "$1" "$dst.tmp$$"
    mv -f "$dst.tmp$$" "$dst"
}
place "$kdir/vmlinuz" vmlinuz
place "$initrd" initrd.gz
kernel=$outdir/vmlinuz
if [ -f "$kdir/vmlinux" ]; then
    place "$kdir/vmlinux" vmlinux
    kernel=$outdir/vmlinux
else
    rm -f "$outdir/vmlinux"
fi
cat >"$outdir/guest.env.tmp$$" <<EOF
GUEST_KERNEL=$kernel
GUEST_INITRD=$outdir/initrd.gz
GUEST_RELEASE=$release
GUEST_CACHE=$cache
GUEST_KERNEL_DEB=$kname
GUEST_BUSYBOX_DEB=${bdeb##*/}
GUEST_AGENT_DEB=${gdeb##*/}
GUEST_MODULES="$(tr "\n" " " <"$kdir/always.list" | sed "s/ $//")"
GUEST_BUTTON_MODULES="$(tr "\n" " " <"$kdir/button.list" | sed "s/ $//")"
GUEST_AGENT_MODULES="$(tr "\n" " " <"$kdir/agent.list" | sed "s/ $//")"
GUEST_APPEND_BASE="console=ttyS0 quiet panic=-1 cryptomgr.notests rodata=off"
EOF
mv -f "$outdir/guest.env.tmp$$" "$outdir/guest.env"
say "kernel $release: $kernel ($(stat -c %s "$kernel") bytes), initrd $(stat -c %s "$initrd") bytes"
echo "$kernel"
echo "$outdir/initrd.gz"
