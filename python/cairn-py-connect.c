/*
 * cairn-py-connect.c: cairn.cairnConnect, libvirt-python's virConnect for
 * what Cairn has: lookups, listAllDomains, define, URI/type/version, close
 * (also as a context manager) and the event registration of
 * cairn-py-event.c.
 */
#include <stdlib.h>

#include "cairn-py.h"


PyObject *
cairnPyConnectWrap(cairnConnectPtr conn)
{
    cairnPyConnect *self = PyObject_New(cairnPyConnect, &cairnPyConnectType);

    if (!self) {
        cairnConnectClose(conn);
        return NULL;
    }
    self->conn = conn;
    return (PyObject *)self;
}


static void
connectDealloc(cairnPyConnect *self)
{
    cairnConnectPtr conn = self->conn;

    self->conn = NULL;
    if (conn) {
        Py_BEGIN_ALLOW_THREADS;
        cairnConnectClose(conn);
        Py_END_ALLOW_THREADS;
    }
    Py_TYPE(self)->tp_free((PyObject *)self);
}


/* close() -> int: drop this object's reference on the connection (the
 * connection's remaining references, as libvirt returns them). */
static PyObject *
connectClose(cairnPyConnect *self, PyObject *args)
{
    cairnConnectPtr conn = self->conn;
    int rc;

    Py_BEGIN_ALLOW_THREADS;
    rc = cairnConnectClose(conn);
    Py_END_ALLOW_THREADS;
    if (rc < 0)
        return cairnPyRaise("cairnConnectClose() failed");
    self->conn = NULL;
    return PyLong_FromLong(rc);
}


static PyObject *
connectEnter(PyObject *self, PyObject *args)
{
    Py_INCREF(self);
    return self;
}


static PyObject *
connectExit(cairnPyConnect *self, PyObject *args)
{
    PyObject *ret;

    if (!self->conn)
        Py_RETURN_NONE;
    if (!(ret = connectClose(self, NULL)))
        return NULL;
    Py_DECREF(ret);
    Py_RETURN_NONE;
}


static PyObject *
connectGetURI(cairnPyConnect *self, PyObject *args)
{
    cairnConnectPtr conn = self->conn;
    PyObject *ret;
    char *uri;

    Py_BEGIN_ALLOW_THREADS;
    uri = cairnConnectGetURI(conn);
    Py_END_ALLOW_THREADS;
    if (!uri)
        return cairnPyRaise("cairnConnectGetURI() failed");
    ret = PyUnicode_FromString(uri);
    free(uri);
    return ret;
}


static PyObject *
connectGetType(cairnPyConnect *self, PyObject *args)
{
    cairnConnectPtr conn = self->conn;
    const char *type;

    Py_BEGIN_ALLOW_THREADS;
    type = cairnConnectGetType(conn);
    Py_END_ALLOW_THREADS;
    if (!type)
        return cairnPyRaise("cairnConnectGetType() failed");
    return PyUnicode_FromString(type);
}


static PyObject *
connectGetLibVersion(cairnPyConnect *self, PyObject *args)
{
    cairnConnectPtr conn = self->conn;
    unsigned long version = 0;
    int rc;

    Py_BEGIN_ALLOW_THREADS;
    rc = cairnConnectGetLibVersion(conn, &version);
    Py_END_ALLOW_THREADS;
    if (rc < 0)
        return cairnPyRaise("cairnConnectGetLibVersion() failed");
    return PyLong_FromUnsignedLong(version);
}


static PyObject *
connectIsReadOnly(cairnPyConnect *self, PyObject *args)
{
    cairnConnectPtr conn = self->conn;
    int rc;

    Py_BEGIN_ALLOW_THREADS;
    rc = cairnConnectIsReadOnly(conn);
    Py_END_ALLOW_THREADS;
    if (rc < 0)
        return cairnPyRaise("cairnConnectIsReadOnly() failed");
    return PyLong_FromLong(rc);
}


/* A domain lookup's result: the wrapper, or cairnError(@func() failed). */
static PyObject *
domainResult(cairnPyConnect *self, cairnDomainPtr dom, const char *failed)
{
    if (!dom)
        return cairnPyRaise(failed);
    return cairnPyDomainWrap((PyObject *)self, dom);
}


static PyObject *
connectLookupByName(cairnPyConnect *self, PyObject *args)
{
    cairnConnectPtr conn = self->conn;
    cairnDomainPtr dom;
    const char *name;

    if (!PyArg_ParseTuple(args, "z:lookupByName", &name))
        return NULL;
    Py_BEGIN_ALLOW_THREADS;
    dom = cairnDomainLookupByName(conn, name);
    Py_END_ALLOW_THREADS;
    return domainResult(self, dom, "cairnDomainLookupByName() failed");
}


static PyObject *
connectLookupByUUIDString(cairnPyConnect *self, PyObject *args)
{
    cairnConnectPtr conn = self->conn;
    cairnDomainPtr dom;
    const char *uuid;

    if (!PyArg_ParseTuple(args, "z:lookupByUUIDString", &uuid))
        return NULL;
    Py_BEGIN_ALLOW_THREADS;
    dom = cairnDomainLookupByUUIDString(conn, uuid);
    Py_END_ALLOW_THREADS;
    return domainResult(self, dom, "cairnDomainLookupByUUIDString() failed");
}


/* lookupByUUID(uuid): @uuid is the raw 16 bytes, as libvirt-python has it. */
static PyObject *
connectLookupByUUID(cairnPyConnect *self, PyObject *args)
{
    cairnConnectPtr conn = self->conn;
    cairnDomainPtr dom;
    const char *uuid;
    Py_ssize_t len;

    if (!PyArg_ParseTuple(args, "y#:lookupByUUID", &uuid, &len))
        return NULL;
    if (len != CAIRN_UUID_BUFLEN) {
        PyErr_Format(PyExc_ValueError, "a UUID has %d bytes, not %zd", CAIRN_UUID_BUFLEN, len);
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS;
    dom = cairnDomainLookupByUUID(conn, (const unsigned char *)uuid);
    Py_END_ALLOW_THREADS;
    return domainResult(self, dom, "cairnDomainLookupByUUID() failed");
}


static PyObject *
connectLookupByID(cairnPyConnect *self, PyObject *args)
{
    cairnConnectPtr conn = self->conn;
    cairnDomainPtr dom;
    int id;

    if (!PyArg_ParseTuple(args, "i:lookupByID", &id))
        return NULL;
    Py_BEGIN_ALLOW_THREADS;
    dom = cairnDomainLookupByID(conn, id);
    Py_END_ALLOW_THREADS;
    return domainResult(self, dom, "cairnDomainLookupByID() failed");
}


static PyObject *
connectDefineXML(cairnPyConnect *self, PyObject *args)
{
    cairnConnectPtr conn = self->conn;
    cairnDomainPtr dom;
    const char *xml;

    if (!PyArg_ParseTuple(args, "z:defineXML", &xml))
        return NULL;
    Py_BEGIN_ALLOW_THREADS;
    dom = cairnDomainDefineXML(conn, xml);
    Py_END_ALLOW_THREADS;
    return domainResult(self, dom, "cairnDomainDefineXML() failed");
}


static PyObject *
connectDefineXMLFlags(cairnPyConnect *self, PyObject *args)
{
    cairnConnectPtr conn = self->conn;
    unsigned int flags = 0;
    cairnDomainPtr dom;
    const char *xml;

    if (!PyArg_ParseTuple(args, "z|I:defineXMLFlags", &xml, &flags))
        return NULL;
    Py_BEGIN_ALLOW_THREADS;
    dom = cairnDomainDefineXMLFlags(conn, xml, flags);
    Py_END_ALLOW_THREADS;
    return domainResult(self, dom, "cairnDomainDefineXMLFlags() failed");
}


/* listAllDomains(flags=0) -> [cairnDomain]. */
static PyObject *
connectListAllDomains(cairnPyConnect *self, PyObject *args)
{
    cairnConnectPtr conn = self->conn;
    cairnDomainPtr *doms = NULL;
    unsigned int flags = 0;
    PyObject *list;
    int n;

    if (!PyArg_ParseTuple(args, "|I:listAllDomains", &flags))
        return NULL;
    Py_BEGIN_ALLOW_THREADS;
    n = cairnConnectListAllDomains(conn, &doms, flags);
    Py_END_ALLOW_THREADS;
    if (n < 0)
        return cairnPyRaise("cairnConnectListAllDomains() failed");
    /* Each handle goes to its wrapper (which releases it even when it
     * fails) or, after a failure, is freed here. */
    list = PyList_New(n);
    for (int i = 0; i < n; i++) {
        PyObject *item;

        if (!list) {
            cairnDomainFree(doms[i]);
        } else if (!(item = cairnPyDomainWrap((PyObject *)self, doms[i]))) {
            Py_CLEAR(list);
        } else {
            PyList_SET_ITEM(list, i, item);
        }
    }
    free(doms);
    return list;
}


static PyMethodDef connectMethods[] = {
    { "close", (PyCFunction)connectClose, METH_NOARGS,
      "close() -> int: close the connection (references left, as libvirt returns them)." },
    { "__enter__", connectEnter, METH_NOARGS, NULL },
    { "__exit__", (PyCFunction)connectExit, METH_VARARGS, NULL },
    { "getURI", (PyCFunction)connectGetURI, METH_NOARGS, "getURI() -> str" },
    { "getType", (PyCFunction)connectGetType, METH_NOARGS, "getType() -> str: the driver's name." },
    { "getLibVersion", (PyCFunction)connectGetLibVersion, METH_NOARGS, "getLibVersion() -> int" },
    { "isReadOnly", (PyCFunction)connectIsReadOnly, METH_NOARGS, "isReadOnly() -> int (0 or 1)" },
    { "lookupByName", (PyCFunction)connectLookupByName, METH_VARARGS,
      "lookupByName(name) -> cairnDomain" },
    { "lookupByUUIDString", (PyCFunction)connectLookupByUUIDString, METH_VARARGS,
      "lookupByUUIDString(uuidstr) -> cairnDomain" },
    { "lookupByUUID", (PyCFunction)connectLookupByUUID, METH_VARARGS,
      "lookupByUUID(uuid: bytes) -> cairnDomain" },
    { "lookupByID", (PyCFunction)connectLookupByID, METH_VARARGS, "lookupByID(id) -> cairnDomain" },
    { "defineXML", (PyCFunction)connectDefineXML, METH_VARARGS, "defineXML(xml) -> cairnDomain" },
    { "defineXMLFlags", (PyCFunction)connectDefineXMLFlags, METH_VARARGS,
      "defineXMLFlags(xml, flags=0) -> cairnDomain" },
    { "listAllDomains", (PyCFunction)connectListAllDomains, METH_VARARGS,
      "listAllDomains(flags=0) -> [cairnDomain] (CAIRN_CONNECT_LIST_DOMAINS_* filters)" },
    { "domainEventRegisterAny", cairnPyConnectDomainEventRegisterAny, METH_VARARGS,
      "domainEventRegisterAny(dom, eventID, cb, opaque) -> int: call cb for event eventID of "
      "dom (None: every domain); returns the callback ID." },
    { "domainEventDeregisterAny", cairnPyConnectDomainEventDeregisterAny, METH_VARARGS,
      "domainEventDeregisterAny(callbackID) -> int" },
    { NULL, NULL, 0, NULL },
};

/* PyVarObject_HEAD_INIT() ends with its own comma. */
/* clang-format off */
PyTypeObject cairnPyConnectType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "cairn.cairnConnect",
    .tp_doc = "A connection (libvirt-python's virConnect); made by cairn.open().",
    .tp_basicsize = sizeof(cairnPyConnect),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_dealloc = (destructor)connectDealloc,
    .tp_methods = connectMethods,
};
/* clang-format on */
