# disk-add-metadata on a qemu:///embed root (no QEMU runs): a qcow2
# metadata layer over a raw disk of a shut-off domain, its data left in
# place; refusals; and a run killed (kill -9) after each of its steps,
# finished by running it again. Paths under the temporary directory are
# printed as TMP.
$ qemu-img create -q -f raw disk.raw 16M && qemu-io -f raw -c 'write -P 0x5a 0 1M' disk.raw >/dev/null
$ cp disk.raw other.raw && qemu-img create -q -f qcow2 q.qcow2 16M
$ cat > dom.xml <<X
<domain type='qemu'>
  <name>d</name>
  <memory unit='MiB'>64</memory>
  <os><type arch='x86_64'>hvm</type></os>
  <devices>
    <disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='$PWD/disk.raw'/><target dev='vda' bus='virtio'/></disk>
    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='$PWD/q.qcow2'/><target dev='vdb' bus='virtio'/></disk>
    <disk type='file' device='disk'><source file='$PWD/other.raw'/><target dev='vdc' bus='virtio'/></disk>
  </devices>
</domain>
X
$ cairn -c "qemu:///embed?root=$PWD/root" 'define dom.xml; disk-add-metadata d vda; dumpxml d --xpath //disk[1]' | sed "s|$PWD|TMP|g"
#
# The data stays in the raw file (read back through the qcow2); the
# qcow2 holds the metadata.
$ qemu-img compare -q disk.qcow2 other.raw && echo identical; qemu-io -f qcow2 -c 'read -P 0x5a 0 1M' disk.qcow2 | head -1; ls disk.*; qemu-img info --output=json disk.qcow2 | grep -o '"data-file": "[^"]*"' | sed "s|$PWD|TMP|g"
#
# Refused: a running domain, a converted disk, a qcow2 disk, an existing
# target, no such disk.
$ cairn 'disk-add-metadata test vda' 2>&1
$ cairn -c "qemu:///embed?root=$PWD/root" 'disk-add-metadata d vda' 2>&1 | sed "s|$PWD|TMP|g"
$ cairn -c "qemu:///embed?root=$PWD/root" 'disk-add-metadata d vdb' 2>&1 | sed "s|$PWD|TMP|g"
$ cairn -c "qemu:///embed?root=$PWD/root" 'disk-add-metadata d vdc --meta q.qcow2' 2>&1 | sed "s|$PWD|TMP|g"
$ cairn -c "qemu:///embed?root=$PWD/root" 'disk-add-metadata d vdz' 2>&1 | sed "s|$PWD|TMP|g"
#
# Killed (SIGKILL) after each step, then run again: it finishes.
$ for p in recorded created defined; do cp other.raw k-$p.raw; printf "<domain type='qemu'><name>k-$p</name><memory unit='MiB'>64</memory><os><type>hvm</type></os><devices><disk type='file'><source file='$PWD/k-$p.raw'/><target dev='vda'/></disk></devices></domain>" > k-$p.xml; cairn -c "qemu:///embed?root=$PWD/root" "define k-$p.xml" >/dev/null; CAIRN_CRASH_AT=disk-add-metadata-$p cairn -c "qemu:///embed?root=$PWD/root" "disk-add-metadata k-$p vda"; echo "$p: killed, exit $?: $(ls k-$p.* | tr '\n' ' ')"; cairn -c "qemu:///embed?root=$PWD/root" "disk-add-metadata k-$p vda" | sed "s|$PWD|TMP|g"; echo "$(ls k-$p.* | tr '\n' ' ')"; cairn -c "qemu:///embed?root=$PWD/root" "dumpxml k-$p --xpath //disk/source" | sed "s|$PWD|TMP|g"; qemu-img compare -q k-$p.qcow2 other.raw && echo identical; done
