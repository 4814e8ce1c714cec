"""The module against test:///default: connections, domains, checkpoints,
backups, jobs and errors, with libvirt-python's names, argument orders and
return types."""

import gc
import uuid

import pytest

import cairn
from conftest import checkpoint_xml, names

PULL_XML = ("<domainbackup mode='pull'>"
            "<server transport='unix' socket='/run/t.sock'/></domainbackup>")


# ---- connections ----

def test_open_and_identity(conn):
    assert isinstance(conn, cairn.cairnConnect)
    assert conn.getURI() == "test:///default"
    assert conn.getType() == "Test"
    assert conn.getLibVersion() == cairn.getVersion()
    assert conn.isReadOnly() == 0


def test_open_bad_uri():
    with pytest.raises(cairn.cairnError) as e:
        cairn.open("nosuch:///x")
    assert e.value.get_error_code() in (cairn.CAIRN_ERR_NO_CONNECT, cairn.CAIRN_ERR_INVALID_ARG)
    assert str(e.value) == e.value.get_error_message()


def test_read_only_refuses_changes():
    ro = cairn.openReadOnly("test:///default")
    assert ro.isReadOnly() == 1
    dom = ro.lookupByName("test")
    assert dom.name() == "test"
    with pytest.raises(cairn.cairnError) as e:
        dom.checkpointCreateXML(checkpoint_xml("c1"))
    assert e.value.get_error_code() == cairn.CAIRN_ERR_OPERATION_DENIED
    del dom
    assert ro.close() == 0


def test_close_and_use_after_close():
    c = cairn.open("test:///default")
    assert c.close() == 0
    with pytest.raises(cairn.cairnError) as e:
        c.getURI()
    assert e.value.get_error_code() == cairn.CAIRN_ERR_INVALID_CONN
    with pytest.raises(cairn.cairnError):
        c.close()


def test_close_with_live_domains_keeps_them_usable():
    c = cairn.open("test:///default")
    dom = c.lookupByName("test")
    # The domain holds a reference on the connection, as in libvirt.
    assert c.close() == 1
    assert dom.name() == "test"
    del dom


def test_context_manager():
    with cairn.open("test:///default") as c:
        assert c.lookupByName("test").name() == "test"
    with pytest.raises(cairn.cairnError):
        c.getURI()


# ---- domains ----

def test_lookups(conn, dom):
    assert isinstance(dom, cairn.cairnDomain)
    assert conn.lookupByUUIDString(dom.UUIDString()).name() == "test"
    assert conn.lookupByUUID(dom.UUID()).name() == "test"
    assert uuid.UUID(bytes=dom.UUID()) == uuid.UUID(dom.UUIDString())
    assert conn.lookupByID(dom.ID()).name() == "test"
    assert dom.connect() is conn
    with pytest.raises(cairn.cairnError) as e:
        conn.lookupByName("nosuch")
    assert e.value.get_error_code() == cairn.CAIRN_ERR_NO_DOMAIN
    assert e.value.get_error_domain() == cairn.CAIRN_FROM_TEST or e.value.get_error_domain() > 0
    with pytest.raises(ValueError):
        conn.lookupByUUID(b"short")
    with pytest.raises(TypeError):
        conn.lookupByName(42)


def test_list_all_domains(conn):
    doms = conn.listAllDomains()
    assert [d.name() for d in doms] == ["test"]
    assert all(isinstance(d, cairn.cairnDomain) for d in doms)
    assert [d.name() for d in conn.listAllDomains(cairn.CAIRN_CONNECT_LIST_DOMAINS_ACTIVE)] == \
        ["test"]
    assert conn.listAllDomains(cairn.CAIRN_CONNECT_LIST_DOMAINS_INACTIVE) == []
    assert conn.listAllDomains(cairn.CAIRN_CONNECT_LIST_DOMAINS_HAS_CHECKPOINT) == []


def test_domain_state_and_info(dom):
    assert dom.isActive() == 1
    assert dom.isPersistent() == 1
    assert dom.state() == [cairn.CAIRN_DOMAIN_RUNNING, cairn.CAIRN_DOMAIN_RUNNING_BOOTED]
    info = dom.info()
    assert isinstance(info, list) and len(info) == 5
    assert info[0] == cairn.CAIRN_DOMAIN_RUNNING
    assert info[1] >= info[2] > 0
    assert "<name>test</name>" in dom.XMLDesc(0)
    assert dom.XMLDesc() == dom.XMLDesc(0)


def test_lifecycle(dom):
    assert dom.destroy() == 0
    assert dom.isActive() == 0
    assert dom.ID() == -1
    assert dom.state()[0] == cairn.CAIRN_DOMAIN_SHUTOFF
    with pytest.raises(cairn.cairnError) as e:
        dom.destroy()
    assert e.value.get_error_code() == cairn.CAIRN_ERR_OPERATION_INVALID
    assert dom.create() == 0
    assert dom.isActive() == 1
    assert dom.destroy() == 0
    assert dom.createWithFlags(0) == 0


def test_define_and_undefine(conn, dom):
    xml = dom.XMLDesc(cairn.CAIRN_DOMAIN_XML_INACTIVE)
    xml = xml.replace("<name>test</name>", "<name>other</name>")
    xml = "\n".join(line for line in xml.split("\n") if "<uuid>" not in line)
    other = conn.defineXML(xml)
    assert other.name() == "other"
    assert other.isActive() == 0
    assert sorted(d.name() for d in conn.listAllDomains()) == ["other", "test"]
    assert other.undefine() == 0
    with pytest.raises(cairn.cairnError):
        conn.lookupByName("other")
    again = conn.defineXMLFlags(xml, 0)
    assert again.undefineFlags(0) == 0


# ---- checkpoints ----

def test_checkpoint_tree(dom):
    c1 = dom.checkpointCreateXML(checkpoint_xml("c1"), 0)
    assert isinstance(c1, cairn.cairnDomainCheckpoint)
    c2 = dom.checkpointCreateXML(checkpoint_xml("c2", "after the upgrade"))
    c3 = dom.checkpointCreateXML(checkpoint_xml("c3"))
    assert c1.getName() == "c1"
    assert c2.getParent().getName() == "c1"
    assert c3.getParent(0).getName() == "c2"
    assert c1.domain() is dom and c1.getDomain() is dom
    assert c1.connect() is dom.connect() and c1.getConnect() is dom.connect()
    assert dom.hasCheckpoints() == 1

    assert names(dom.listAllCheckpoints()) == ["c1", "c2", "c3"]
    assert [c.getName() for c in
            dom.listAllCheckpoints(cairn.CAIRN_DOMAIN_CHECKPOINT_LIST_TOPOLOGICAL)] == \
        ["c1", "c2", "c3"]
    assert names(dom.listAllCheckpoints(cairn.CAIRN_DOMAIN_CHECKPOINT_LIST_ROOTS)) == ["c1"]
    assert names(dom.listAllCheckpoints(cairn.CAIRN_DOMAIN_CHECKPOINT_LIST_LEAVES)) == ["c3"]
    assert names(c1.listAllChildren()) == ["c2"]
    assert names(c1.listAllChildren(cairn.CAIRN_DOMAIN_CHECKPOINT_LIST_DESCENDANTS)) == \
        ["c2", "c3"]
    assert c3.listAllChildren() == []

    assert dom.checkpointLookupByName("c2").getName() == "c2"
    xml = c2.getXMLDesc(cairn.CAIRN_DOMAIN_CHECKPOINT_XML_NO_DOMAIN)
    assert "<description>after the upgrade</description>" in xml
    assert "<domain " not in xml
    assert "<domain type='test'>" in c2.getXMLDesc()

    # Deleting c2 re-parents c3 onto c1.
    assert c2.delete() == 0
    assert c3.getParent().getName() == "c1"
    with pytest.raises(cairn.cairnError) as e:
        dom.checkpointLookupByName("c2")
    assert e.value.get_error_code() == cairn.CAIRN_ERR_NO_DOMAIN_CHECKPOINT
    assert e.value.get_error_domain() == cairn.CAIRN_FROM_DOMAIN_CHECKPOINT
    assert c1.delete(cairn.CAIRN_DOMAIN_CHECKPOINT_DELETE_CHILDREN) == 0
    assert dom.listAllCheckpoints() == []
    assert dom.hasCheckpoints() == 0


def test_checkpoint_errors(dom):
    c1 = dom.checkpointCreateXML(checkpoint_xml("c1"))
    with pytest.raises(cairn.cairnError) as e:
        c1.getParent()
    assert e.value.get_error_code() == cairn.CAIRN_ERR_NO_DOMAIN_CHECKPOINT
    assert "does not have a parent" in str(e.value)
    with pytest.raises(cairn.cairnError) as e:
        dom.checkpointCreateXML("<domaincheckpoint>")
    assert e.value.get_error_code() == cairn.CAIRN_ERR_XML_ERROR
    with pytest.raises(cairn.cairnError) as e:
        c1.delete(cairn.CAIRN_DOMAIN_CHECKPOINT_DELETE_CHILDREN |
                  cairn.CAIRN_DOMAIN_CHECKPOINT_DELETE_CHILDREN_ONLY)
    assert e.value.get_error_code() == cairn.CAIRN_ERR_INVALID_ARG


def test_checkpoint_validate(dom):
    dom.checkpointCreateXML(checkpoint_xml("c1"))
    report = dom.checkpointValidate()
    assert "<checkpointvalidation" in report and "name='c1'" in report
    assert "name='c1'" in dom.checkpointValidate("c1", 0)


# ---- backups and jobs ----

def test_pull_backup_and_job(dom):
    assert dom.jobInfo()[0] == cairn.CAIRN_DOMAIN_JOB_NONE
    assert dom.jobStats() == {"type": cairn.CAIRN_DOMAIN_JOB_NONE}
    assert dom.backupBegin(PULL_XML, checkpoint_xml("c1"),
                           cairn.CAIRN_DOMAIN_BACKUP_BEGIN_REUSE_EXTERNAL) == 0
    xml = dom.backupGetXMLDesc()
    assert "<domainbackup mode='pull'>" in xml and "exportname='vda'" in xml
    assert dom.backupGetXMLDesc(0) == xml

    info = dom.jobInfo()
    assert isinstance(info, list) and len(info) == 12
    assert info[0] == cairn.CAIRN_DOMAIN_JOB_UNBOUNDED
    stats = dom.jobStats()
    assert stats["type"] == cairn.CAIRN_DOMAIN_JOB_UNBOUNDED
    assert stats[cairn.CAIRN_DOMAIN_JOB_OPERATION] == cairn.CAIRN_DOMAIN_JOB_OPERATION_BACKUP
    assert isinstance(stats[cairn.CAIRN_DOMAIN_JOB_TIME_ELAPSED], int)
    assert cairn.CAIRN_DOMAIN_JOB_DISK_TEMP_TOTAL in stats

    with pytest.raises(cairn.cairnError) as e:
        dom.backupBegin(PULL_XML, None, cairn.CAIRN_DOMAIN_BACKUP_BEGIN_REUSE_EXTERNAL)
    assert e.value.get_error_code() == cairn.CAIRN_ERR_OPERATION_INVALID

    assert dom.abortJob() == 0
    assert dom.jobStats()["type"] == cairn.CAIRN_DOMAIN_JOB_NONE
    done = dom.jobStats(cairn.CAIRN_DOMAIN_JOB_STATS_COMPLETED)
    assert done["type"] == cairn.CAIRN_DOMAIN_JOB_COMPLETED
    assert done[cairn.CAIRN_DOMAIN_JOB_SUCCESS] is True
    assert names(dom.listAllCheckpoints()) == ["c1"]
    with pytest.raises(cairn.cairnError) as e:
        dom.abortJob()
    assert e.value.get_error_code() == cairn.CAIRN_ERR_OPERATION_INVALID


def test_block_pull(dom):
    assert dom.blockJobInfo("vda") == {}
    assert dom.blockPull("vda", 8) == 0
    info = dom.blockJobInfo("vda", 0)
    assert info == {"type": cairn.CAIRN_DOMAIN_BLOCK_JOB_TYPE_PULL, "bandwidth": 8,
                    "cur": 0, "end": 1024 ** 3}
    with pytest.raises(cairn.cairnError) as e:
        dom.blockPull("vda")
    assert e.value.get_error_code() == cairn.CAIRN_ERR_OPERATION_INVALID
    assert dom.blockJobAbort("vda") == 0
    assert dom.blockJobInfo("vda") == {}
    with pytest.raises(cairn.cairnError) as e:
        dom.blockJobAbort("vda", cairn.CAIRN_DOMAIN_BLOCK_JOB_ABORT_ASYNC)
    assert e.value.get_error_code() == cairn.CAIRN_ERR_OPERATION_INVALID


def test_push_backup_aborted(dom):
    assert dom.backupBegin("<domainbackup/>", None) == 0
    assert dom.blockJobSetSpeed("vda", 16) == 0
    assert dom.blockJobSetSpeed("vda", 1 << 20,
                                cairn.CAIRN_DOMAIN_BLOCK_JOB_SPEED_BANDWIDTH_BYTES) == 0
    with pytest.raises(cairn.cairnError) as e:
        dom.blockJobSetSpeed("vdz", 1)
    assert e.value.get_error_code() == cairn.CAIRN_ERR_INVALID_ARG
    assert dom.abortJobFlags(0) == 0
    done = dom.jobStats(cairn.CAIRN_DOMAIN_JOB_STATS_COMPLETED)
    assert done["type"] == cairn.CAIRN_DOMAIN_JOB_CANCELLED
    assert done[cairn.CAIRN_DOMAIN_JOB_SUCCESS] is False
    assert done[cairn.CAIRN_DOMAIN_JOB_DISK_TOTAL] == 1024 ** 3


def test_backup_errors(dom):
    with pytest.raises(cairn.cairnError) as e:
        dom.backupGetXMLDesc()
    assert e.value.get_error_code() == cairn.CAIRN_ERR_NO_DOMAIN_BACKUP
    with pytest.raises(cairn.cairnError) as e:
        dom.backupBegin("<domainbackup mode='pull'/>")
    assert e.value.get_error_code() == cairn.CAIRN_ERR_XML_INVALID_SCHEMA


def test_qemu_monitor_command_on_test_driver(dom):
    with pytest.raises(cairn.cairnError) as e:
        cairn.qemuMonitorCommand(dom, '{"execute":"query-status"}', 0)
    assert e.value.get_error_code() == cairn.CAIRN_ERR_NO_SUPPORT
    with pytest.raises(TypeError):
        cairn.qemuMonitorCommand("test", "x", 0)


# ---- errors ----

def test_error_is_libvirt_error(conn):
    assert issubclass(cairn.cairnError, Exception)
    # No collection in between: a handle it freed would reset the thread's
    # last error that cairnGetLastError() reads below.
    gc.collect()
    gc.disable()
    try:
        check_error_is_libvirt_error(conn)
    finally:
        gc.enable()


def check_error_is_libvirt_error(conn):
    with pytest.raises(cairn.cairnError) as e:
        conn.lookupByName("nosuch")
    err = e.value
    assert err.err == (err.get_error_code(), err.get_error_domain(), err.get_error_message(),
                       err.get_error_level(), None, None, None, 0, 0)
    assert err.get_error_level() == cairn.CAIRN_ERR_ERROR
    assert (err.get_str1(), err.get_str2(), err.get_str3()) == (None, None, None)
    assert (err.get_int1(), err.get_int2()) == (0, 0)
    assert err.get_error_message() == "Domain not found: no domain with matching name 'nosuch'"
    # The last error of the thread, as virGetLastError() gives it.
    assert cairn.cairnGetLastError() == err.err
    assert cairn.cairnGetLastErrorCode() == cairn.CAIRN_ERR_NO_DOMAIN
    assert cairn.cairnGetLastErrorDomain() == err.get_error_domain()
    assert cairn.cairnGetLastErrorMessage() == err.get_error_message()
    cairn.cairnResetLastError()
    assert cairn.cairnGetLastError() is None


def test_error_raised_by_hand():
    cairn.cairnResetLastError()
    e = cairn.cairnError("my message")
    assert str(e) == "my message"
    assert e.err is None
    assert e.get_error_code() is None and e.get_error_message() is None
    with pytest.raises(cairn.cairnError):
        raise cairn.cairnError("x", conn=None)


def test_error_survives_the_collector_freeing_handles(conn):
    # Freeing a handle resets the thread's last error (as in libvirt), and
    # the garbage collector may free handles in any allocation, including
    # those that build the exception: the error must be taken before.
    # Here every collection (one every other allocation) frees a domain.
    pool = [conn.lookupByName("test") for _ in range(2000)]

    def free_one(phase, info):
        if phase == "start" and pool:
            pool.pop()

    old = gc.get_threshold()
    gc.callbacks.append(free_one)
    codes = []
    try:
        gc.set_threshold(1)
        for _ in range(100):
            try:
                conn.lookupByName("nosuch")
            except cairn.cairnError as e:
                codes.append(e.get_error_code())
    finally:
        gc.set_threshold(*old)
        gc.callbacks.remove(free_one)
    assert len(pool) < 2000 - 100
    assert codes == [cairn.CAIRN_ERR_NO_DOMAIN] * 100
