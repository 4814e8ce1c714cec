"""Domain events (those the test driver emits: BLOCK_JOB(_2), JOB_COMPLETED):
domainEventRegisterAny with libvirt-python's callback
arguments, the default event loop, callbacks taking the GIL back from
another thread's C call, deregistration, and exceptions in callbacks."""

import faulthandler
import sys
import threading
import time

import pytest

import cairn
from conftest import checkpoint_xml, watchdog_arm

PULL_XML = ("<domainbackup mode='pull'>"
            "<server transport='unix' socket='/run/t.sock'/></domainbackup>")


@pytest.fixture(scope="module", autouse=True)
def default_impl():
    assert cairn.cairnEventRegisterDefaultImpl() == 0
    assert cairn.eventRegisterDefaultImpl() == 0


def run_until(predicate, limit=1000):
    """Iterate the default loop until @predicate() holds (each iteration
    waits for something to happen)."""
    for _ in range(limit):
        if predicate():
            return
        assert cairn.eventRunDefaultImpl() == 0
    pytest.fail("the event loop ran %d times without the expected events" % limit)


def test_job_completed_and_block_job(conn, dom):
    seen = []
    opaque = object()

    def job_completed(c, d, params, op):
        seen.append(("job", c, d.name(), params, op))

    def block_job(c, d, disk, type_, status, op):
        seen.append(("block", c, d.name(), disk, type_, status, op))

    id1 = conn.domainEventRegisterAny(dom, cairn.CAIRN_DOMAIN_EVENT_ID_JOB_COMPLETED,
                                      job_completed, opaque)
    id2 = conn.domainEventRegisterAny(None, cairn.CAIRN_DOMAIN_EVENT_ID_BLOCK_JOB_2, block_job,
                                      "o2")
    assert id1 >= 1 and id2 > id1
    assert dom.backupBegin(PULL_XML, checkpoint_xml("c1"),
                           cairn.CAIRN_DOMAIN_BACKUP_BEGIN_REUSE_EXTERNAL) == 0
    assert dom.abortJob() == 0
    run_until(lambda: len(seen) == 2)

    block, job = seen
    assert block == ("block", conn, "test", "vda", cairn.CAIRN_DOMAIN_BLOCK_JOB_TYPE_BACKUP,
                     cairn.CAIRN_DOMAIN_BLOCK_JOB_CANCELED, "o2")
    assert job[:3] == ("job", conn, "test") and job[4] is opaque
    params = job[3]
    assert params[cairn.CAIRN_DOMAIN_JOB_OPERATION] == cairn.CAIRN_DOMAIN_JOB_OPERATION_BACKUP
    assert params[cairn.CAIRN_DOMAIN_JOB_SUCCESS] is True
    assert conn.domainEventDeregisterAny(id1) == 0
    assert conn.domainEventDeregisterAny(id2) == 0
    with pytest.raises(cairn.cairnError) as e:
        conn.domainEventDeregisterAny(id1)
    assert e.value.get_error_code() == cairn.CAIRN_ERR_INVALID_ARG


def test_push_backup_completes_through_the_loop(conn, dom):
    # The test driver's push job ends by itself from a timer on the loop.
    done = []
    conn.domainEventRegisterAny(dom, cairn.CAIRN_DOMAIN_EVENT_ID_JOB_COMPLETED,
                                lambda c, d, params, op: done.append(params), None)
    dom.backupBegin("<domainbackup/>", checkpoint_xml("full"))
    run_until(lambda: done)
    assert done[0][cairn.CAIRN_DOMAIN_JOB_SUCCESS] is True
    assert done[0][cairn.CAIRN_DOMAIN_JOB_DISK_PROCESSED] == done[0][
        cairn.CAIRN_DOMAIN_JOB_DISK_TOTAL]


def test_gil_is_released_while_the_loop_waits(conn, dom):
    # The main thread waits in eventRunDefaultImpl(); another Python
    # thread ends the job, which it can only do if the wait released the
    # GIL; the callback then takes the GIL back.
    seen = []
    conn.domainEventRegisterAny(dom, cairn.CAIRN_DOMAIN_EVENT_ID_JOB_COMPLETED,
                                lambda c, d, params, op: seen.append(threading.get_ident()),
                                None)
    dom.backupBegin(PULL_XML, None, cairn.CAIRN_DOMAIN_BACKUP_BEGIN_REUSE_EXTERNAL)

    def abort_later():
        time.sleep(0.2)
        dom.abortJob()

    # Were the GIL held while the loop waits, the thread could never run
    # and the loop never wake: faulthandler's watchdog (a C thread) ends
    # the run after 20 s instead of letting it hang.
    watchdog_arm(20)
    t = threading.Thread(target=abort_later)
    t.start()
    run_until(lambda: seen)
    t.join()
    faulthandler.cancel_dump_traceback_later()
    assert seen == [threading.get_ident()]


def test_callback_exception_is_reported_not_raised(conn, dom, monkeypatch):
    reported = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: reported.append(u.exc_type))
    calls = []

    def bad(c, d, params, op):
        calls.append(params)
        raise RuntimeError("callback failed")

    conn.domainEventRegisterAny(dom, cairn.CAIRN_DOMAIN_EVENT_ID_JOB_COMPLETED, bad, None)
    dom.backupBegin(PULL_XML, None, cairn.CAIRN_DOMAIN_BACKUP_BEGIN_REUSE_EXTERNAL)
    dom.abortJob()
    run_until(lambda: calls)
    assert reported == [RuntimeError]
    # The loop and the module go on.
    assert dom.jobStats()["type"] == cairn.CAIRN_DOMAIN_JOB_NONE


def test_registration_errors(conn, dom):
    cb = lambda *args: None  # noqa: E731
    with pytest.raises(TypeError):
        conn.domainEventRegisterAny(dom, cairn.CAIRN_DOMAIN_EVENT_ID_LIFECYCLE, "not callable")
    with pytest.raises(TypeError):
        conn.domainEventRegisterAny("test", cairn.CAIRN_DOMAIN_EVENT_ID_LIFECYCLE, cb)
    with pytest.raises(cairn.cairnError) as e:
        conn.domainEventRegisterAny(None, cairn.CAIRN_DOMAIN_EVENT_ID_COUNT, cb)
    assert e.value.get_error_code() == cairn.CAIRN_ERR_INVALID_ARG
    other = cairn.open("test:///default")
    with pytest.raises(cairn.cairnError) as e:
        other.domainEventRegisterAny(dom, cairn.CAIRN_DOMAIN_EVENT_ID_LIFECYCLE, cb)
    assert e.value.get_error_code() == cairn.CAIRN_ERR_INVALID_ARG
    other.close()
    # An event Cairn never emits may be registered (generic signature).
    cid = conn.domainEventRegisterAny(None, cairn.CAIRN_DOMAIN_EVENT_ID_REBOOT, cb)
    assert conn.domainEventDeregisterAny(cid) == 0


def test_callback_references_are_released(dom):
    conn = cairn.open("test:///default")
    cb = lambda *args: None  # noqa: E731
    opaque = object()
    before = (sys.getrefcount(conn), sys.getrefcount(cb), sys.getrefcount(opaque))
    cid = conn.domainEventRegisterAny(None, cairn.CAIRN_DOMAIN_EVENT_ID_LIFECYCLE, cb, opaque)
    assert sys.getrefcount(cb) == before[1] + 1
    assert sys.getrefcount(opaque) == before[2] + 1
    conn.domainEventDeregisterAny(cid)
    assert (sys.getrefcount(conn), sys.getrefcount(cb), sys.getrefcount(opaque)) == before
    # Closing the connection releases what its callbacks held.
    conn.domainEventRegisterAny(None, cairn.CAIRN_DOMAIN_EVENT_ID_LIFECYCLE, cb, opaque)
    conn.close()
    assert (sys.getrefcount(cb), sys.getrefcount(opaque)) == before[1:]
