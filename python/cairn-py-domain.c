/*
 * cairn-py-domain.c: cairn.cairnDomain, libvirt-python's virDomain for
 * what Cairn has: identity, XML, info/state, lifecycle, checkpoints,
 * backups and jobs.
 */
#include <stdlib.h>

#include "cairn-py.h"


PyObject *
cairnPyDomainWrap(PyObject *conn, cairnDomainPtr dom)
{
    cairnPyDomain *self = PyObject_New(cairnPyDomain, &cairnPyDomainType);

    if (!self) {
        cairnDomainFree(dom);
        return NULL;
    }
    self->dom = dom;
    Py_INCREF(conn);
    self->conn = conn;
    return (PyObject *)self;
}


bool
cairnPyDomainGet(PyObject *obj, bool none_ok, cairnDomainPtr *ret_dom)
{
    if (none_ok && obj == Py_None) {
        *ret_dom = NULL;
        return true;
    }
    if (!PyObject_TypeCheck(obj, &cairnPyDomainType)) {
        PyErr_Format(PyExc_TypeError, "expected a cairn.cairnDomain%s, not %s",
                     none_ok ? " or None" : "", Py_TYPE(obj)->tp_name);
        return false;
    }
    *ret_dom = ((cairnPyDomain *)obj)->dom;
    return true;
}


static void
domainDealloc(cairnPyDomain *self)
{
    cairnDomainPtr dom = self->dom;

    self->dom = NULL;
    if (dom) {
        Py_BEGIN_ALLOW_THREADS;
        cairnDomainFree(dom);
        Py_END_ALLOW_THREADS;
    }
    Py_CLEAR(self->conn);
    Py_TYPE(self)->tp_free((PyObject *)self);
}


/* ---- shapes of calls shared by several methods ---- */

/* f(dom) -> int, raising on -1. */
static PyObject *
callInt(cairnPyDomain *self, int (*fn)(cairnDomainPtr), const char *failed)
{
    cairnDomainPtr dom = self->dom;
    int rc;

    Py_BEGIN_ALLOW_THREADS;
    rc = fn(dom);
    Py_END_ALLOW_THREADS;
    if (rc < 0)
        return cairnPyRaise(failed);
    return PyLong_FromLong(rc);
}


/* f(dom, flags=0) -> int, raising on -1. */
static PyObject *
callIntFlags(cairnPyDomain *self,
             PyObject *args,
             int (*fn)(cairnDomainPtr, unsigned int),
             const char *format,
             const char *failed)
{
    cairnDomainPtr dom = self->dom;
    unsigned int flags = 0;
    int rc;

    if (!PyArg_ParseTuple(args, format, &flags))
        return NULL;
    Py_BEGIN_ALLOW_THREADS;
    rc = fn(dom, flags);
    Py_END_ALLOW_THREADS;
    if (rc < 0)
        return cairnPyRaise(failed);
    return PyLong_FromLong(rc);
}


/* f(dom, flags=0) -> str (malloc'ed by the library), raising on NULL. */
static PyObject *
callStringFlags(cairnPyDomain *self,
                PyObject *args,
                char *(*fn)(cairnDomainPtr, unsigned int),
                const char *format,
                const char *failed)
{
    cairnDomainPtr dom = self->dom;
    unsigned int flags = 0;
    PyObject *ret;
    char *str;

    if (!PyArg_ParseTuple(args, format, &flags))
        return NULL;
    Py_BEGIN_ALLOW_THREADS;
    str = fn(dom, flags);
    Py_END_ALLOW_THREADS;
    if (!str)
        return cairnPyRaise(failed);
    ret = PyUnicode_FromString(str);
    free(str);
    return ret;
}


/* ---- identity ---- */

static PyObject *
domainName(cairnPyDomain *self, PyObject *args)
{
    const char *name = cairnDomainGetName(self->dom);

    if (!name)
        return cairnPyRaise("cairnDomainGetName() failed");
    return PyUnicode_FromString(name);
}


/* ID() -> int: -1 for a domain that is not running, as libvirt-python. */
static PyObject *
domainID(cairnPyDomain *self, PyObject *args)
{
    return PyLong_FromLong(cairnDomainGetID(self->dom));
}


static PyObject *
domainUUID(cairnPyDomain *self, PyObject *args)
{
    unsigned char uuid[CAIRN_UUID_BUFLEN];

    if (cairnDomainGetUUID(self->dom, uuid) < 0)
        return cairnPyRaise("cairnDomainGetUUID() failed");
    return PyBytes_FromStringAndSize((const char *)uuid, sizeof(uuid));
}


static PyObject *
domainUUIDString(cairnPyDomain *self, PyObject *args)
{
    char uuid[CAIRN_UUID_STRING_BUFLEN];

    if (cairnDomainGetUUIDString(self->dom, uuid) < 0)
        return cairnPyRaise("cairnDomainGetUUIDString() failed");
    return PyUnicode_FromString(uuid);
}


static PyObject *
domainConnect(cairnPyDomain *self, PyObject *args)
{
    Py_INCREF(self->conn);
    return self->conn;
}


static PyObject *
domainXMLDesc(cairnPyDomain *self, PyObject *args)
{
    return callStringFlags(self, args, cairnDomainGetXMLDesc, "|I:XMLDesc",
                           "cairnDomainGetXMLDesc() failed");
}


/* ---- state ---- */

/* info() -> [state, maxMem, memory, nrVirtCpu, cpuTime] */
static PyObject *
domainInfo(cairnPyDomain *self, PyObject *args)
{
    cairnDomainPtr dom = self->dom;
    cairnDomainInfo info = { 0 };
    int rc;

    Py_BEGIN_ALLOW_THREADS;
    rc = cairnDomainGetInfo(dom, &info);
    Py_END_ALLOW_THREADS;
    if (rc < 0)
        return cairnPyRaise("cairnDomainGetInfo() failed");
    return Py_BuildValue("[ikkiK]", (int)info.state, info.maxMem, info.memory, (int)info.nrVirtCpu,
                         info.cpuTime);
}


/* state(flags=0) -> [state, reason] */
static PyObject *
domainState(cairnPyDomain *self, PyObject *args)
{
    cairnDomainPtr dom = self->dom;
    unsigned int flags = 0;
    int state = 0, reason = 0;
    int rc;

    if (!PyArg_ParseTuple(args, "|I:state", &flags))
        return NULL;
    Py_BEGIN_ALLOW_THREADS;
    rc = cairnDomainGetState(dom, &state, &reason, flags);
    Py_END_ALLOW_THREADS;
    if (rc < 0)
        return cairnPyRaise("cairnDomainGetState() failed");
    return Py_BuildValue("[ii]", state, reason);
}


static PyObject *
domainIsActive(cairnPyDomain *self, PyObject *args)
{
    return callInt(self, cairnDomainIsActive, "cairnDomainIsActive() failed");
}


static PyObject *
domainIsPersistent(cairnPyDomain *self, PyObject *args)
{
    return callInt(self, cairnDomainIsPersistent, "cairnDomainIsPersistent() failed");
}


static PyObject *
domainHasCheckpoints(cairnPyDomain *self, PyObject *args)
{
    return callInt(self, cairnDomainHasCheckpoints, "cairnDomainHasCheckpoints() failed");
}


/* ---- lifecycle ---- */

static PyObject *
domainCreate(cairnPyDomain *self, PyObject *args)
{
    return callInt(self, cairnDomainCreate, "cairnDomainCreate() failed");
}


static PyObject *
domainCreateWithFlags(cairnPyDomain *self, PyObject *args)
{
    return callIntFlags(self, args, cairnDomainCreateWithFlags, "|I:createWithFlags",
                        "cairnDomainCreateWithFlags() failed");
}


static PyObject *
domainDestroy(cairnPyDomain *self, PyObject *args)
{
    return callInt(self, cairnDomainDestroy, "cairnDomainDestroy() failed");
}


static PyObject *
domainShutdown(cairnPyDomain *self, PyObject *args)
{
    return callInt(self, cairnDomainShutdown, "cairnDomainShutdown() failed");
}


static PyObject *
domainUndefine(cairnPyDomain *self, PyObject *args)
{
    return callInt(self, cairnDomainUndefine, "cairnDomainUndefine() failed");
}


static PyObject *
domainUndefineFlags(cairnPyDomain *self, PyObject *args)
{
    return callIntFlags(self, args, cairnDomainUndefineFlags, "|I:undefineFlags",
                        "cairnDomainUndefineFlags() failed");
}


/* ---- checkpoints ---- */

static PyObject *
domainCheckpointCreateXML(cairnPyDomain *self, PyObject *args)
{
    cairnDomainPtr dom = self->dom;
    cairnDomainCheckpointPtr chk;
    unsigned int flags = 0;
    const char *xml;

    if (!PyArg_ParseTuple(args, "z|I:checkpointCreateXML", &xml, &flags))
        return NULL;
    Py_BEGIN_ALLOW_THREADS;
    chk = cairnDomainCheckpointCreateXML(dom, xml, flags);
    Py_END_ALLOW_THREADS;
    if (!chk)
        return cairnPyRaise("cairnDomainCheckpointCreateXML() failed");
    return cairnPyCheckpointWrap((PyObject *)self, chk);
}


static PyObject *
domainCheckpointLookupByName(cairnPyDomain *self, PyObject *args)
{
    cairnDomainPtr dom = self->dom;
    cairnDomainCheckpointPtr chk;
    unsigned int flags = 0;
    const char *name;

    if (!PyArg_ParseTuple(args, "z|I:checkpointLookupByName", &name, &flags))
        return NULL;
    Py_BEGIN_ALLOW_THREADS;
    chk = cairnDomainCheckpointLookupByName(dom, name, flags);
    Py_END_ALLOW_THREADS;
    if (!chk)
        return cairnPyRaise("cairnDomainCheckpointLookupByName() failed");
    return cairnPyCheckpointWrap((PyObject *)self, chk);
}


static PyObject *
domainListAllCheckpoints(cairnPyDomain *self, PyObject *args)
{
    cairnDomainPtr dom = self->dom;
    cairnDomainCheckpointPtr *chks = NULL;
    unsigned int flags = 0;
    PyObject *list;
    int n;

    if (!PyArg_ParseTuple(args, "|I:listAllCheckpoints", &flags))
        return NULL;
    Py_BEGIN_ALLOW_THREADS;
    n = cairnDomainListAllCheckpoints(dom, &chks, flags);
    Py_END_ALLOW_THREADS;
    if (n < 0)
        return cairnPyRaise("cairnDomainListAllCheckpoints() failed");
    list = cairnPyCheckpointList((PyObject *)self, chks, n);
    free(chks);
    return list;
}


/* checkpointValidate(checkpoint=None, flags=0) -> str: the validation
 * report (not in libvirt; cairnDomainCheckpointValidate). */
static PyObject *
domainCheckpointValidate(cairnPyDomain *self, PyObject *args)
{
    cairnDomainPtr dom = self->dom;
    const char *name = NULL;
    unsigned int flags = 0;
    PyObject *ret;
    char *report;

    if (!PyArg_ParseTuple(args, "|zI:checkpointValidate", &name, &flags))
        return NULL;
    Py_BEGIN_ALLOW_THREADS;
    report = cairnDomainCheckpointValidate(dom, name, flags);
    Py_END_ALLOW_THREADS;
    if (!report)
        return cairnPyRaise("cairnDomainCheckpointValidate() failed");
    ret = PyUnicode_FromString(report);
    free(report);
    return ret;
}


/* ---- backups and jobs ---- */

/* backupBegin(backupXML, checkpointXML=None, flags=0) -> int */
static PyObject *
domainBackupBegin(cairnPyDomain *self, PyObject *args)
{
    cairnDomainPtr dom = self->dom;
    const char *backup_xml, *checkpoint_xml = NULL;
    unsigned int flags = 0;
    int rc;

    if (!PyArg_ParseTuple(args, "z|zI:backupBegin", &backup_xml, &checkpoint_xml, &flags))
        return NULL;
    Py_BEGIN_ALLOW_THREADS;
    rc = cairnDomainBackupBegin(dom, backup_xml, checkpoint_xml, flags);
    Py_END_ALLOW_THREADS;
    if (rc < 0)
        return cairnPyRaise("cairnDomainBackupBegin() failed");
    return PyLong_FromLong(rc);
}


static PyObject *
domainBackupGetXMLDesc(cairnPyDomain *self, PyObject *args)
{
    return callStringFlags(self, args, cairnDomainBackupGetXMLDesc, "|I:backupGetXMLDesc",
                           "cairnDomainBackupGetXMLDesc() failed");
}


/* jobInfo() -> [type, timeElapsed, timeRemaining, dataTotal,
 * dataProcessed, dataRemaining, memTotal, memProcessed, memRemaining,
 * fileTotal, fileProcessed, fileRemaining] */
static PyObject *
domainJobInfo(cairnPyDomain *self, PyObject *args)
{
    cairnDomainPtr dom = self->dom;
    cairnDomainJobInfo info = { 0 };
    int rc;

    Py_BEGIN_ALLOW_THREADS;
    rc = cairnDomainGetJobInfo(dom, &info);
    Py_END_ALLOW_THREADS;
    if (rc < 0)
        return cairnPyRaise("cairnDomainGetJobInfo() failed");
    return Py_BuildValue("[iKKKKKKKKKKK]", info.type, info.timeElapsed, info.timeRemaining,
                         info.dataTotal, info.dataProcessed, info.dataRemaining, info.memTotal,
                         info.memProcessed, info.memRemaining, info.fileTotal, info.fileProcessed,
                         info.fileRemaining);
}


/* blockPull(disk, bandwidth=0, flags=0) -> int */
static PyObject *
domainBlockPull(cairnPyDomain *self, PyObject *args)
{
    cairnDomainPtr dom = self->dom;
    const char *disk = NULL;
    unsigned long bandwidth = 0;
    unsigned int flags = 0;
    int rc;

    if (!PyArg_ParseTuple(args, "s|kI:blockPull", &disk, &bandwidth, &flags))
        return NULL;
    Py_BEGIN_ALLOW_THREADS;
    rc = cairnDomainBlockPull(dom, disk, bandwidth, flags);
    Py_END_ALLOW_THREADS;
    if (rc < 0)
        return cairnPyRaise("cairnDomainBlockPull() failed");
    return PyLong_FromLong(rc);
}


/* blockJobInfo(path, flags=0) -> dict: type, bandwidth, cur, end; empty
 * when the disk has no block job (as libvirt-python). */
static PyObject *
domainBlockJobInfo(cairnPyDomain *self, PyObject *args)
{
    cairnDomainPtr dom = self->dom;
    cairnDomainBlockJobInfo info = { 0 };
    const char *disk = NULL;
    unsigned int flags = 0;
    int rc;

    if (!PyArg_ParseTuple(args, "s|I:blockJobInfo", &disk, &flags))
        return NULL;
    Py_BEGIN_ALLOW_THREADS;
    rc = cairnDomainGetBlockJobInfo(dom, disk, &info, flags);
    Py_END_ALLOW_THREADS;
    if (rc < 0)
        return cairnPyRaise("cairnDomainGetBlockJobInfo() failed");
    if (rc == 0)
        return PyDict_New();
    return Py_BuildValue("{s:i,s:k,s:K,s:K}", "type", info.type, "bandwidth", info.bandwidth, "cur",
                         info.cur, "end", info.end);
}


/* blockJobAbort(disk, flags=0) -> int */
static PyObject *
domainBlockJobAbort(cairnPyDomain *self, PyObject *args)
{
    cairnDomainPtr dom = self->dom;
    const char *disk = NULL;
    unsigned int flags = 0;
    int rc;

    if (!PyArg_ParseTuple(args, "s|I:blockJobAbort", &disk, &flags))
        return NULL;
    Py_BEGIN_ALLOW_THREADS;
    rc = cairnDomainBlockJobAbort(dom, disk, flags);
    Py_END_ALLOW_THREADS;
    if (rc < 0)
        return cairnPyRaise("cairnDomainBlockJobAbort() failed");
    return PyLong_FromLong(rc);
}


/* jobStats(flags=0) -> dict: the statistics plus "type", the
 * cairnDomainJobType, as libvirt-python adds it. */
static PyObject *
domainJobStats(cairnPyDomain *self, PyObject *args)
{
    cairnDomainPtr dom = self->dom;
    cairnTypedParameterPtr params = NULL;
    unsigned int flags = 0;
    int type = 0, nparams = 0;
    PyObject *dict, *value;
    int rc;

    if (!PyArg_ParseTuple(args, "|I:jobStats", &flags))
        return NULL;
    Py_BEGIN_ALLOW_THREADS;
    rc = cairnDomainGetJobStats(dom, &type, &params, &nparams, flags);
    Py_END_ALLOW_THREADS;
    if (rc < 0)
        return cairnPyRaise("cairnDomainGetJobStats() failed");
    dict = cairnPyTypedParamsToDict(params, nparams);
    cairnTypedParamsFree(params, nparams);
    if (!dict)
        return NULL;
    if (!(value = PyLong_FromLong(type)) || PyDict_SetItemString(dict, "type", value) < 0)
        Py_CLEAR(dict);
    Py_XDECREF(value);
    return dict;
}


static PyObject *
domainAbortJob(cairnPyDomain *self, PyObject *args)
{
    return callInt(self, cairnDomainAbortJob, "cairnDomainAbortJob() failed");
}


static PyObject *
domainAbortJobFlags(cairnPyDomain *self, PyObject *args)
{
    return callIntFlags(self, args, cairnDomainAbortJobFlags, "|I:abortJobFlags",
                        "cairnDomainAbortJobFlags() failed");
}


static PyObject *
domainBlockJobSetSpeed(cairnPyDomain *self, PyObject *args)
{
    cairnDomainPtr dom = self->dom;
    const char *disk = NULL;
    unsigned long bandwidth = 0;
    unsigned int flags = 0;
    int rc;

    if (!PyArg_ParseTuple(args, "sk|I:blockJobSetSpeed", &disk, &bandwidth, &flags))
        return NULL;
    Py_BEGIN_ALLOW_THREADS;
    rc = cairnDomainBlockJobSetSpeed(dom, disk, bandwidth, flags);
    Py_END_ALLOW_THREADS;
    if (rc < 0)
        return cairnPyRaise("cairnDomainBlockJobSetSpeed() failed");
    return PyLong_FromLong(rc);
}


static PyMethodDef domainMethods[] = {
    { "name", (PyCFunction)domainName, METH_NOARGS, "name() -> str" },
    { "ID", (PyCFunction)domainID, METH_NOARGS, "ID() -> int (-1 when not running)" },
    { "UUID", (PyCFunction)domainUUID, METH_NOARGS, "UUID() -> bytes (16)" },
    { "UUIDString", (PyCFunction)domainUUIDString, METH_NOARGS, "UUIDString() -> str" },
    { "connect", (PyCFunction)domainConnect, METH_NOARGS,
      "connect() -> cairnConnect: the connection this domain came from." },
    { "XMLDesc", (PyCFunction)domainXMLDesc, METH_VARARGS, "XMLDesc(flags=0) -> str" },
    { "info", (PyCFunction)domainInfo, METH_NOARGS,
      "info() -> [state, maxMem, memory, nrVirtCpu, cpuTime]" },
    { "state", (PyCFunction)domainState, METH_VARARGS, "state(flags=0) -> [state, reason]" },
    { "isActive", (PyCFunction)domainIsActive, METH_NOARGS, "isActive() -> int" },
    { "isPersistent", (PyCFunction)domainIsPersistent, METH_NOARGS, "isPersistent() -> int" },
    { "hasCheckpoints", (PyCFunction)domainHasCheckpoints, METH_NOARGS,
      "hasCheckpoints() -> int (not in libvirt)" },
    { "create", (PyCFunction)domainCreate, METH_NOARGS, "create() -> int: start the domain." },
    { "createWithFlags", (PyCFunction)domainCreateWithFlags, METH_VARARGS,
      "createWithFlags(flags=0) -> int" },
    { "destroy", (PyCFunction)domainDestroy, METH_NOARGS, "destroy() -> int" },
    { "shutdown", (PyCFunction)domainShutdown, METH_NOARGS, "shutdown() -> int" },
    { "undefine", (PyCFunction)domainUndefine, METH_NOARGS, "undefine() -> int" },
    { "undefineFlags", (PyCFunction)domainUndefineFlags, METH_VARARGS,
      "undefineFlags(flags=0) -> int" },
    { "checkpointCreateXML", (PyCFunction)domainCheckpointCreateXML, METH_VARARGS,
      "checkpointCreateXML(xmlDesc, flags=0) -> cairnDomainCheckpoint" },
    { "checkpointLookupByName", (PyCFunction)domainCheckpointLookupByName, METH_VARARGS,
      "checkpointLookupByName(name, flags=0) -> cairnDomainCheckpoint" },
    { "listAllCheckpoints", (PyCFunction)domainListAllCheckpoints, METH_VARARGS,
      "listAllCheckpoints(flags=0) -> [cairnDomainCheckpoint]" },
    { "checkpointValidate", (PyCFunction)domainCheckpointValidate, METH_VARARGS,
      "checkpointValidate(checkpoint=None, flags=0) -> str: the validation report "
      "(not in libvirt)" },
    { "backupBegin", (PyCFunction)domainBackupBegin, METH_VARARGS,
      "backupBegin(backupXML, checkpointXML=None, flags=0) -> int" },
    { "backupGetXMLDesc", (PyCFunction)domainBackupGetXMLDesc, METH_VARARGS,
      "backupGetXMLDesc(flags=0) -> str" },
    { "jobInfo", (PyCFunction)domainJobInfo, METH_NOARGS,
      "jobInfo() -> [type, timeElapsed, timeRemaining, dataTotal, dataProcessed, "
      "dataRemaining, memTotal, memProcessed, memRemaining, fileTotal, fileProcessed, "
      "fileRemaining]" },
    { "jobStats", (PyCFunction)domainJobStats, METH_VARARGS,
      "jobStats(flags=0) -> dict (with 'type')" },
    { "abortJob", (PyCFunction)domainAbortJob, METH_NOARGS, "abortJob() -> int" },
    { "abortJobFlags", (PyCFunction)domainAbortJobFlags, METH_VARARGS,
      "abortJobFlags(flags=0) -> int" },
    { "blockPull", (PyCFunction)domainBlockPull, METH_VARARGS,
      "blockPull(disk, bandwidth=0, flags=0) -> int" },
    { "blockJobInfo", (PyCFunction)domainBlockJobInfo, METH_VARARGS,
      "blockJobInfo(path, flags=0) -> dict (empty: no job)" },
    { "blockJobAbort", (PyCFunction)domainBlockJobAbort, METH_VARARGS,
      "blockJobAbort(disk, flags=0) -> int" },
    { "blockJobSetSpeed", (PyCFunction)domainBlockJobSetSpeed, METH_VARARGS,
      "blockJobSetSpeed(disk, bandwidth, flags=0) -> int" },
    { NULL, NULL, 0, NULL },
};

/* PyVarObject_HEAD_INIT() ends with its own comma. */
/* clang-format off */
PyTypeObject cairnPyDomainType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "cairn.cairnDomain",
    .tp_doc = "A domain (libvirt-python's virDomain); from a cairnConnect's lookups or lists.",
    .tp_basicsize = sizeof(cairnPyDomain),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_dealloc = (destructor)domainDealloc,
    .tp_methods = domainMethods,
};
/* clang-format on */
