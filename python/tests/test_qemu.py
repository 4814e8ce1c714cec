"""The module against a real QEMU (TCG here): a qemu:///embed domain with a
qcow2 disk, started; guest writes through qemuMonitorCommand; a checkpoint
and an incremental pull backup read back with nbdinfo and nbdcopy; the
job-completed event; the libvirt-style script's push backups.

The root follows tests/testroot.h (cairn-test-NAME-XXXXXX with an owner
marker), so the sweep of the C tests kills a QEMU this test leaves when it
is killed itself. Skipped only where QEMU or libnbd's tools cannot run.
"""

import os
import random
import shutil
import signal
import string
import subprocess
import sys
import tempfile

import pytest

import cairn
from conftest import PYTHON_CHILD_ENV

NAME = "pyvm"
MiB = 1024 * 1024
TOOLS = ["qemu-system-x86_64", "qemu-img", "nbdinfo", "nbdcopy"]
SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "libvirt-style-backup.py")

pytestmark = pytest.mark.skipif(any(shutil.which(t) is None for t in TOOLS),
                                reason="needs " + ", ".join(TOOLS))


def make_test_root(name):
    """$TMPDIR/cairn-test-NAME-XXXXXX (0700) with the owner marker "PID
    STARTTIME" of this process (tests/testroot.h)."""
    tmp = tempfile.gettempdir()
    with open("/proc/self/stat") as f:
        starttime = f.read().rsplit(")", 1)[1].split()[19]
    while True:
        suffix = "".join(random.choice(string.ascii_letters + string.digits) for _ in range(6))
        root = os.path.join(tmp, "cairn-test-%s-%s" % (name, suffix))
        try:
            os.mkdir(root, 0o700)
            break
        except FileExistsError:
            continue
    with open(os.path.join(root, ".cairn-test-owner"), "w") as f:
        f.write("%d %s\n" % (os.getpid(), starttime))
    return root


def domain_xml(image):
    return """<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64'>hvm</type></os>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='%s'/>
      <target dev='vda' bus='virtio'/>
    </disk>
  </devices>
</domain>
""" % (NAME, image)


def kill_recorded_qemu(root):
    try:
        with open(os.path.join(root, "run", NAME + ".pid")) as f:
            pid = int(f.read().strip())
        os.kill(pid, signal.SIGKILL)
    except (OSError, ValueError):
        pass


@pytest.fixture(scope="module")
def vm():
    root = make_test_root("python")
    try:
        image = os.path.join(root, "vda.qcow2")
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", image, "64M"], check=True)
        cairn.cairnEventRegisterDefaultImpl()
        conn = cairn.open("qemu:///embed?root=" + root)
        dom = conn.defineXML(domain_xml(image))
        dom.create()
        yield root, image, conn, dom
        if dom.isActive():
            dom.destroy()
        dom.undefineFlags(cairn.CAIRN_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA)
        del dom
        conn.close()
    finally:
        kill_recorded_qemu(root)
        shutil.rmtree(root, ignore_errors=True)


def guest_write(dom, pattern, offset, length):
    """Write as the guest would, through QEMU's qemu-io HMP command."""
    dev = "/machine/peripheral/virtio-disk0/virtio-backend"
    for cmd in ('qemu-io -d %s "write -P 0x%02x %d %d"' % (dev, pattern, offset, length),
                'qemu-io -d %s "flush"' % dev):
        out = cairn.qemuMonitorCommand(dom, cmd, cairn.CAIRN_DOMAIN_QEMU_MONITOR_COMMAND_HMP)
        assert "rror" not in out, out


def test_running_domain(vm):
    root, image, conn, dom = vm
    assert conn.getType() == "QEMU"
    assert dom.isActive() == 1
    assert dom.state()[0] == cairn.CAIRN_DOMAIN_RUNNING
    assert dom.ID() > 0
    assert dom.info()[0] == cairn.CAIRN_DOMAIN_RUNNING
    assert [d.name() for d in conn.listAllDomains(cairn.CAIRN_CONNECT_LIST_DOMAINS_ACTIVE)] == \
        [NAME]
    reply = cairn.qemuMonitorCommand(dom, '{"execute":"query-status"}', 0)
    assert '"running"' in reply


def test_checkpoint_and_pull_backup(vm):
    root, image, conn, dom = vm
    sock = os.path.join(root, "nbd.sock")
    export = "nbd+unix:///vda?socket=" + sock
    guest_write(dom, 0x11, 0, 1 * MiB)
    c1 = dom.checkpointCreateXML("<domaincheckpoint><name>c1</name></domaincheckpoint>")
    assert c1.getName() == "c1"
    guest_write(dom, 0x22, 8 * MiB, 128 * 1024)

    finished = []
    cid = conn.domainEventRegisterAny(dom, cairn.CAIRN_DOMAIN_EVENT_ID_JOB_COMPLETED,
                                      lambda c, d, params, op: finished.append(params), None)
    dom.backupBegin("<domainbackup mode='pull'><incremental>c1</incremental>"
                    "<server transport='unix' socket='%s'/></domainbackup>" % sock,
                    "<domaincheckpoint><name>c2</name></domaincheckpoint>")
    desc = dom.backupGetXMLDesc()
    assert "exportname='vda'" in desc and "exportbitmap='backup-vda'" in desc
    assert dom.jobStats()["type"] == cairn.CAIRN_DOMAIN_JOB_UNBOUNDED
    assert dom.jobInfo()[0] == cairn.CAIRN_DOMAIN_JOB_UNBOUNDED

    size = subprocess.run(["nbdinfo", "--size", export], check=True, capture_output=True,
                          text=True).stdout
    assert int(size) == 64 * MiB
    dirty = subprocess.run(["nbdinfo", "--map=qemu:dirty-bitmap:backup-vda", export],
                           check=True, capture_output=True, text=True).stdout
    # Only what was written after c1 is dirty: 8 MiB + 128 KiB (rounded
    # to the bitmap's granularity).
    dirty_extents = [line.split() for line in dirty.splitlines() if line.split()[2] == "1"]
    assert dirty_extents and int(dirty_extents[0][0]) <= 8 * MiB
    assert all(8 * MiB - 64 * 1024 <= int(e[0]) < 9 * MiB for e in dirty_extents), dirty
    out = os.path.join(root, "vda.raw")
    subprocess.run(["nbdcopy", export, out], check=True)
    with open(out, "rb") as f:
        assert f.read(4096) == b"\x11" * 4096
        f.seek(8 * MiB)
        assert f.read(128 * 1024) == b"\x22" * 128 * 1024

    assert dom.abortJob() == 0
    while not finished:
        cairn.eventRunDefaultImpl()
    assert finished[0][cairn.CAIRN_DOMAIN_JOB_SUCCESS] is True
    conn.domainEventDeregisterAny(cid)
    assert [c.getName() for c in
            dom.listAllCheckpoints(cairn.CAIRN_DOMAIN_CHECKPOINT_LIST_TOPOLOGICAL)] == \
        ["c1", "c2"]
    assert dom.checkpointLookupByName("c2").getParent().getName() == "c1"
    assert "<disk name='vda' checkpoint='bitmap'" in \
        dom.checkpointLookupByName("c2").getXMLDesc(cairn.CAIRN_DOMAIN_CHECKPOINT_XML_NO_DOMAIN)
    assert c1.delete(cairn.CAIRN_DOMAIN_CHECKPOINT_DELETE_CHILDREN) == 0
    assert dom.listAllCheckpoints() == []


def test_libvirt_style_script_on_qemu(vm):
    # Another process on the same root, as a backup tool would be.
    root, image, conn, dom = vm
    r = subprocess.run([sys.executable, SCRIPT, "qemu:///embed?root=" + root, NAME, "2"],
                       capture_output=True, text=True, timeout=300, env=PYTHON_CHILD_ENV)
    assert r.returncode == 0, r.stdout + r.stderr
    lines = r.stdout.splitlines()
    assert lines[:4] == [
        "b1: full backup started",
        "b1: succeeded, job of pyvm for b1, all of some bytes copied, completed job type 3",
        "b2: incremental backup started",
        # Nothing was written since b1: an incremental backup copies nothing.
        "b2: succeeded, job of pyvm for b2, all of no bytes copied, completed job type 3",
    ]
    assert lines[4:6] == ["checkpoint b1 parent - disks 1", "checkpoint b2 parent b1 disks 1"]
    assert os.path.exists(image + ".b1") and os.path.exists(image + ".b2")
    # This connection sees what the other process did.
    assert sorted(c.getName() for c in dom.listAllCheckpoints()) == ["b1", "b2"]
