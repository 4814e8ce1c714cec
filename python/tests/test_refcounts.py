"""No reference or memory leaks: 100,000 rounds of calls (successful and
failing) leave the reference counts of the objects involved where they
were, and neither Python's allocations (tracemalloc) nor the process's
resident memory grow with the number of rounds."""

import gc
import os
import sys
import tracemalloc

import cairn
from conftest import checkpoint_xml

ROUNDS = 100000
PULL_XML = ("<domainbackup mode='pull'>"
            "<server transport='unix' socket='/run/t.sock'/></domainbackup>")


def rss_kib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def one_round(conn, dom, chk, name):
    """One of each kind of call: handles made and dropped, strings, lists,
    dicts, and a raised and caught error."""
    d = conn.lookupByName(name)
    d.name()
    d.UUIDString()
    d.info()
    d.state()
    d.jobInfo()
    d.jobStats()
    dom.listAllCheckpoints()
    chk.getParent().getName()
    chk.getXMLDesc(cairn.CAIRN_DOMAIN_CHECKPOINT_XML_NO_DOMAIN)
    conn.listAllDomains()
    try:
        conn.lookupByName("nosuch")
    except cairn.cairnError as e:
        e.get_error_message()


def measure(rounds, conn, dom, chk, name):
    for _ in range(rounds):
        one_round(conn, dom, chk, name)
    gc.collect()


def test_no_leaks_over_100k_rounds():
    conn = cairn.open("test:///default")
    dom = conn.lookupByName("test")
    dom.checkpointCreateXML(checkpoint_xml("c1"))
    chk = dom.checkpointCreateXML(checkpoint_xml("c2"))
    # A string of its own: the literal "test" is shared with the rest of
    # the run, whose garbage may hold and drop it meanwhile.
    name = "".join(["te", "st"])
    watched = (conn, dom, chk, name)

    # Warm up (caches, interned strings, the allocator's arenas).
    measure(2000, *watched)
    refs = [sys.getrefcount(o) for o in watched]
    tracemalloc.start()
    traced_before = tracemalloc.get_traced_memory()[0]
    rss_before = rss_kib()

    measure(ROUNDS, *watched)

    traced_growth = tracemalloc.get_traced_memory()[0] - traced_before
    tracemalloc.stop()
    rss_growth = rss_kib() - rss_before
    assert [sys.getrefcount(o) for o in watched] == refs
    # A leak of one small object per round would be several MB here.
    assert traced_growth < 256 * 1024, traced_growth
    if os.environ.get("CAIRN_PY_ASAN"):
        # ASan keeps freed memory in quarantine (up to 256 MB): RSS says
        # nothing there; LeakSanitizer is off for python (see meson.build).
        return
    assert rss_growth < 8 * 1024, "RSS grew by %d KiB over %d rounds" % (rss_growth, ROUNDS)


def backup_round(dom):
    dom.backupBegin(PULL_XML, None, cairn.CAIRN_DOMAIN_BACKUP_BEGIN_REUSE_EXTERNAL)
    dom.backupGetXMLDesc()
    dom.jobStats()
    dom.abortJob()
    dom.jobStats(cairn.CAIRN_DOMAIN_JOB_STATS_COMPLETED)


def test_backup_job_calls_do_not_leak():
    conn = cairn.open("test:///default")
    dom = conn.lookupByName("test")
    for _ in range(1000):
        backup_round(dom)
    gc.collect()
    refs = [sys.getrefcount(o) for o in (conn, dom)]
    tracemalloc.start()
    start = tracemalloc.get_traced_memory()[0]
    for _ in range(10000):
        backup_round(dom)
    gc.collect()
    growth = tracemalloc.get_traced_memory()[0] - start
    tracemalloc.stop()
    assert [sys.getrefcount(o) for o in (conn, dom)] == refs
    assert growth < 64 * 1024, growth


def test_wrappers_are_freed():
    # Every wrapper a call returns goes away with its last reference and
    # takes its reference on the connection with it.
    conn = cairn.open("test:///default")
    before = sys.getrefcount(conn)
    doms = [conn.lookupByName("test") for _ in range(100)]
    assert sys.getrefcount(conn) == before + 100
    chks = [doms[0].checkpointCreateXML(checkpoint_xml("c%d" % i)) for i in range(10)]
    del doms
    assert sys.getrefcount(conn) == before + 1  # doms[0], kept by the checkpoints
    del chks
    assert sys.getrefcount(conn) == before
    assert conn.close() == 0
