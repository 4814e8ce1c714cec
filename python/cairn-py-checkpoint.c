/*
 * cairn-py-checkpoint.c: cairn.cairnDomainCheckpoint, libvirt-python's
 * virDomainCheckpoint: name, parent, XML, children, delete.
 */
#include <stdlib.h>

#include "cairn-py.h"


PyObject *
cairnPyCheckpointWrap(PyObject *dom, cairnDomainCheckpointPtr chk)
{
    cairnPyCheckpoint *self = PyObject_New(cairnPyCheckpoint, &cairnPyCheckpointType);

    if (!self) {
        cairnDomainCheckpointFree(chk);
        return NULL;
    }
    self->chk = chk;
    Py_INCREF(dom);
    self->dom = dom;
    return (PyObject *)self;
}


PyObject *
cairnPyCheckpointList(PyObject *dom, cairnDomainCheckpointPtr *chks, int n)
{
    PyObject *list = PyList_New(n);

    /* Each handle goes to its wrapper (which releases it even when it
     * fails) or, after a failure, is freed here. */
    for (int i = 0; i < n; i++) {
        PyObject *item;

        if (!list) {
            cairnDomainCheckpointFree(chks[i]);
        } else if (!(item = cairnPyCheckpointWrap(dom, chks[i]))) {
            Py_CLEAR(list);
        } else {
            PyList_SET_ITEM(list, i, item);
        }
    }
    return list;
}


static void
checkpointDealloc(cairnPyCheckpoint *self)
{
    cairnDomainCheckpointPtr chk = self->chk;

    self->chk = NULL;
    if (chk) {
        Py_BEGIN_ALLOW_THREADS;
        cairnDomainCheckpointFree(chk);
        Py_END_ALLOW_THREADS;
    }
    Py_CLEAR(self->dom);
    Py_TYPE(self)->tp_free((PyObject *)self);
}


static PyObject *
checkpointGetName(cairnPyCheckpoint *self, PyObject *args)
{
    const char *name = cairnDomainCheckpointGetName(self->chk);

    if (!name)
        return cairnPyRaise("cairnDomainCheckpointGetName() failed");
    return PyUnicode_FromString(name);
}


static PyObject *
checkpointGetDomain(cairnPyCheckpoint *self, PyObject *args)
{
    Py_INCREF(self->dom);
    return self->dom;
}


static PyObject *
checkpointGetConnect(cairnPyCheckpoint *self, PyObject *args)
{
    PyObject *conn = ((cairnPyDomain *)self->dom)->conn;

    Py_INCREF(conn);
    return conn;
}


/* getParent(flags=0) -> cairnDomainCheckpoint; cairnError
 * (CAIRN_ERR_NO_DOMAIN_CHECKPOINT) for a root. */
static PyObject *
checkpointGetParent(cairnPyCheckpoint *self, PyObject *args)
{
    cairnDomainCheckpointPtr chk = self->chk, parent;
    unsigned int flags = 0;

    if (!PyArg_ParseTuple(args, "|I:getParent", &flags))
        return NULL;
    Py_BEGIN_ALLOW_THREADS;
    parent = cairnDomainCheckpointGetParent(chk, flags);
    Py_END_ALLOW_THREADS;
    if (!parent)
        return cairnPyRaise("cairnDomainCheckpointGetParent() failed");
    return cairnPyCheckpointWrap(self->dom, parent);
}


static PyObject *
checkpointGetXMLDesc(cairnPyCheckpoint *self, PyObject *args)
{
    cairnDomainCheckpointPtr chk = self->chk;
    unsigned int flags = 0;
    PyObject *ret;
    char *xml;

    if (!PyArg_ParseTuple(args, "|I:getXMLDesc", &flags))
        return NULL;
    Py_BEGIN_ALLOW_THREADS;
    xml = cairnDomainCheckpointGetXMLDesc(chk, flags);
    Py_END_ALLOW_THREADS;
    if (!xml)
        return cairnPyRaise("cairnDomainCheckpointGetXMLDesc() failed");
    ret = PyUnicode_FromString(xml);
    free(xml);
    return ret;
}


static PyObject *
checkpointDelete(cairnPyCheckpoint *self, PyObject *args)
{
    cairnDomainCheckpointPtr chk = self->chk;
    unsigned int flags = 0;
    int rc;

    if (!PyArg_ParseTuple(args, "|I:delete", &flags))
        return NULL;
    Py_BEGIN_ALLOW_THREADS;
    rc = cairnDomainCheckpointDelete(chk, flags);
    Py_END_ALLOW_THREADS;
    if (rc < 0)
        return cairnPyRaise("cairnDomainCheckpointDelete() failed");
    return PyLong_FromLong(rc);
}


static PyObject *
checkpointListAllChildren(cairnPyCheckpoint *self, PyObject *args)
{
    cairnDomainCheckpointPtr chk = self->chk;
    cairnDomainCheckpointPtr *children = NULL;
    unsigned int flags = 0;
    PyObject *list;
    int n;

    if (!PyArg_ParseTuple(args, "|I:listAllChildren", &flags))
        return NULL;
    Py_BEGIN_ALLOW_THREADS;
    n = cairnDomainCheckpointListAllChildren(chk, &children, flags);
    Py_END_ALLOW_THREADS;
    if (n < 0)
        return cairnPyRaise("cairnDomainCheckpointListAllChildren() failed");
    list = cairnPyCheckpointList(self->dom, children, n);
    free(children);
    return list;
}


static PyMethodDef checkpointMethods[] = {
    { "getName", (PyCFunction)checkpointGetName, METH_NOARGS, "getName() -> str" },
    { "getParent", (PyCFunction)checkpointGetParent, METH_VARARGS,
      "getParent(flags=0) -> cairnDomainCheckpoint" },
    { "getXMLDesc", (PyCFunction)checkpointGetXMLDesc, METH_VARARGS,
      "getXMLDesc(flags=0) -> str (CAIRN_DOMAIN_CHECKPOINT_XML_* flags)" },
    { "delete", (PyCFunction)checkpointDelete, METH_VARARGS,
      "delete(flags=0) -> int (CAIRN_DOMAIN_CHECKPOINT_DELETE_* flags)" },
    { "listAllChildren", (PyCFunction)checkpointListAllChildren, METH_VARARGS,
      "listAllChildren(flags=0) -> [cairnDomainCheckpoint]" },
    { "domain", (PyCFunction)checkpointGetDomain, METH_NOARGS,
      "domain() -> cairnDomain: the domain this checkpoint belongs to." },
    { "getDomain", (PyCFunction)checkpointGetDomain, METH_NOARGS, "Same as domain()." },
    { "connect", (PyCFunction)checkpointGetConnect, METH_NOARGS,
      "connect() -> cairnConnect: the connection of the checkpoint's domain." },
    { "getConnect", (PyCFunction)checkpointGetConnect, METH_NOARGS, "Same as connect()." },
    { NULL, NULL, 0, NULL },
};

/* PyVarObject_HEAD_INIT() ends with its own comma. */
/* clang-format off */
PyTypeObject cairnPyCheckpointType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "cairn.cairnDomainCheckpoint",
    .tp_doc = "A checkpoint (libvirt-python's virDomainCheckpoint).",
    .tp_basicsize = sizeof(cairnPyCheckpoint),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_dealloc = (destructor)checkpointDealloc,
    .tp_methods = checkpointMethods,
};
/* clang-format on */
