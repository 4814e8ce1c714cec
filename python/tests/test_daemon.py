"""The module through cairnd (the remote driver): a cairnd from this build
serving test:///default on a private socket (test+unix:///default?socket=),
as tests/daemon does; calls, errors, events and the libvirt-style script
go over the daemon's protocol."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import pytest

import cairn
from conftest import PYTHON_CHILD_ENV, checkpoint_xml, names

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "libvirt-style-backup.py")
PULL_XML = ("<domainbackup mode='pull'>"
            "<server transport='unix' socket='/run/t.sock'/></domainbackup>")


def listens(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(path)
        return True
    except OSError:
        return False
    finally:
        s.close()


@pytest.fixture(scope="module")
def daemon_uri():
    cairnd = os.environ.get("CAIRND")
    if not cairnd:
        pytest.fail("CAIRND must name cairnd (meson test sets it)")
    tmp = tempfile.mkdtemp(prefix="cairn-python-daemon-")
    sock = os.path.join(tmp, "sock")
    with open(os.path.join(tmp, "log"), "w") as log:
        proc = subprocess.Popen([cairnd, "--socket", sock, "--test", "--timeout=0"],
                                stdout=log, stderr=log)
    try:
        for _ in range(1000):
            if listens(sock):
                break
            assert proc.poll() is None, open(os.path.join(tmp, "log")).read()
            time.sleep(0.01)
        else:
            pytest.fail("cairnd did not listen within 10 s")
        yield "test+unix:///default?socket=" + sock
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture
def rconn(daemon_uri):
    c = cairn.open(daemon_uri)
    with c:
        yield c


def test_calls_through_the_daemon(rconn):
    dom = rconn.lookupByName("test")
    assert dom.isActive() == 1
    assert [d.name() for d in rconn.listAllDomains()] == ["test"]
    c1 = dom.checkpointCreateXML(checkpoint_xml("c1"))
    dom.checkpointCreateXML(checkpoint_xml("c2"))
    assert names(dom.listAllCheckpoints()) == ["c1", "c2"]
    assert names(c1.listAllChildren()) == ["c2"]
    assert dom.checkpointLookupByName("c2").getParent().getName() == "c1"
    with pytest.raises(cairn.cairnError) as e:
        rconn.lookupByName("nosuch")
    assert e.value.get_error_code() == cairn.CAIRN_ERR_NO_DOMAIN
    assert "nosuch" in e.value.get_error_message()


def test_events_through_the_daemon(rconn):
    cairn.cairnEventRegisterDefaultImpl()
    dom = rconn.lookupByName("test")
    seen = []
    cid = rconn.domainEventRegisterAny(dom, cairn.CAIRN_DOMAIN_EVENT_ID_JOB_COMPLETED,
                                       lambda c, d, params, op: seen.append((c, d.name(), params,
                                                                             op)), "x")
    dom.backupBegin(PULL_XML, None, cairn.CAIRN_DOMAIN_BACKUP_BEGIN_REUSE_EXTERNAL)
    assert dom.jobStats()["type"] == cairn.CAIRN_DOMAIN_JOB_UNBOUNDED
    dom.abortJob()
    for _ in range(1000):
        if seen:
            break
        cairn.cairnEventRunDefaultImpl()
    assert len(seen) == 1
    c, name, params, op = seen[0]
    assert (c, name, op) == (rconn, "test", "x")
    assert params[cairn.CAIRN_DOMAIN_JOB_SUCCESS] is True
    rconn.domainEventDeregisterAny(cid)


def test_libvirt_style_script_through_the_daemon(daemon_uri):
    r = subprocess.run([sys.executable, SCRIPT, daemon_uri, "test", "2"], capture_output=True,
                       text=True, timeout=120, env=PYTHON_CHILD_ENV)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.splitlines()[:4] == [
        "b1: full backup started",
        "b1: succeeded, job of test for b1, all of some bytes copied, completed job type 3",
        "b2: incremental backup started",
        "b2: succeeded, job of test for b2, all of some bytes copied, completed job type 3",
    ]
