#!/bin/bash
# File-level restore: a snapshot of a disk holding an ext4 filesystem with
# known files (mkfs.ext4 -d). `ls`/`cat` read it from the repository with
# libext2fs; `mount` shows the disk as a read-only raw image (nbdfuse),
# whose filesystem (as root: a loop mount) holds the same files; `umount`
# leaves nothing mounted. A damaged chunk under a file: cat fails naming
# the chunk, other files still read.
# (the file's block at 10 MiB lies in another chunk than hello.txt)
. "$(dirname "$0")/lib.sh"
for tool in mkfs.ext4 debugfs dumpe2fs nbdkit nbdfuse fusermount3; do
    command -v "$tool" >/dev/null || { echo "skip: $tool missing"; exit 77; }
done
[ -c /dev/fuse ] || { echo "skip: no /dev/fuse"; exit 77; }
bk_setup files
repo=$root/repo
mp=$root/mp
trap 'rc=$?; mountpoint -q "$mp" 2>/dev/null && fusermount3 -u "$mp"; (exit $rc); bk_cleanup' EXIT

tree=$root/tree
mkdir -p "$tree/sub/dir" "$mp"
echo "hello from cairn" >"$tree/hello.txt"
head -c 12000000 /dev/urandom >"$tree/sub/dir/data.bin"
ln -s hello.txt "$tree/link"
truncate -s 64M "$root/fs.raw"
mkfs.ext4 -q -d "$tree" "$root/fs.raw"
bk_define vm 1
qemu-img convert -n -f raw -O qcow2 "$root/fs.raw" "$img/vm-vda.qcow2"
cb init "$repo" >/dev/null
s1=$(cb run vm "$repo" 2>/dev/null | tail -1)

note "ls and cat from the repository"
[ "$(cb ls "$repo" "$s1")" = "$(printf 'hello.txt\nlink\nlost+found/\nsub/')" ] ||
    fail "ls /: $(cb ls "$repo" "$s1")"
[ "$(cb ls "$repo" "$s1" /sub/dir --disk vda)" = data.bin ] || fail "ls /sub/dir"
[ "$(cb cat "$repo" "$s1" /hello.txt)" = "hello from cairn" ] || fail "cat hello.txt"
[ "$(cb cat "$repo" "$s1" link)" = "hello from cairn" ] || fail "cat link"
cb cat "$repo" "$s1" /sub/dir/data.bin | cmp - "$tree/sub/dir/data.bin" || fail "cat data.bin"
if cb cat "$repo" "$s1" /nothing 2>"$root/err"; then fail "cat of a missing file"; fi
grep -q "'/nothing'" "$root/err" || fail "no reason: $(cat "$root/err")"
if cb cat "$repo" "$s1" /sub 2>"$root/err"; then fail "cat of a directory"; fi
grep -q "not a regular file" "$root/err" || fail "no reason: $(cat "$root/err")"

note "mount: the disk as a read-only image"
[ "$(cb mount "$repo" "$s1" "$mp")" = "$mp/vda" ] || fail "mount printed no path"
mountpoint -q "$mp" || fail "nothing mounted"
cmp "$mp/vda" "$root/fs.raw" || fail "the mounted image differs"
[ "$(debugfs -R "cat /hello.txt" "$mp/vda" 2>/dev/null)" = "hello from cairn" ] || fail "debugfs cat"
if echo x 2>/dev/null >>"$mp/vda"; then fail "the image is writable"; fi
if [ "$(id -u)" = 0 ] && loop=$(losetup -r -f --show "$mp/vda" 2>/dev/null); then
    note "as root: the filesystem, read-only, through a loop device"
    mkdir "$root/fs"
    if mount -o ro,noload "$loop" "$root/fs"; then
        diff -r "$tree" "$root/fs" -x lost+found || { umount "$root/fs"; losetup -d "$loop"; fail "files differ"; }
        umount "$root/fs"
    else
        note "mount of $loop refused here: loop mount not checked"
    fi
    losetup -d "$loop"
fi
cb umount "$mp"
mountpoint -q "$mp" && fail "still mounted"
if cb umount "$mp" 2>"$root/err"; then fail "umount of nothing"; fi

note "a damaged chunk under data.bin"
bs=$(dumpe2fs -h "$root/fs.raw" 2>/dev/null | awk '/^Block size/ {print $3}')
blk=$(debugfs -R "bmap /sub/dir/data.bin $((10485760 / bs))" "$root/fs.raw" 2>/dev/null)
hblk=$(debugfs -R "bmap /hello.txt 0" "$root/fs.raw" 2>/dev/null)
c=$((blk * bs / 4194304))
[ "$c" != $((hblk * bs / 4194304)) ] || fail "hello.txt and data.bin share chunk $c"
digest=$(dd if="$root/fs.raw" bs=4M skip=$c count=1 status=none | sha256sum | cut -c1-64)
chunk=$repo/chunks/${digest:0:2}/$digest
[ -f "$chunk" ] || fail "chunk $c is not $chunk"
chmod u+w "$chunk"
printf '\x55' | dd of="$chunk" bs=1 seek=$(($(stat -c %s "$chunk") - 100)) conv=notrunc status=none
if cb cat "$repo" "$s1" /sub/dir/data.bin >"$root/out" 2>"$root/err"; then fail "damaged file read"; fi
grep -q "chunk $digest" "$root/err" || fail "the chunk is not named: $(cat "$root/err")"
[ "$(cb cat "$repo" "$s1" /hello.txt)" = "hello from cairn" ] || fail "cat hello.txt after damage"
echo ok
