/*
 * cairn-py-module.c: the cairn module: its functions (open, openReadOnly,
 * getVersion, the event loop, qemuMonitorCommand), its types and every
 * CAIRN_ constant of the public headers.
 *
 * Names follow libvirt-python with the cairn prefix for vir, so that a
 * script written for libvirt's checkpoint and backup calls runs after
 * "import cairn as libvirt" with the prefixes changed.
 */
#include "cairn-py.h"

/* The table python/gen-constants.py makes from the public headers. */
typedef struct {
    const char *name;
    long long value; /* when str is NULL */
    const char *str;
} cairnPyConstant;

/* clang-format off */
#define CAIRN_PY_INT(name) { #name, (long long)(name), NULL },
#define CAIRN_PY_STR(name) { #name, 0, name },
static const cairnPyConstant constants[] = {
#include "cairn-py-constants.h"
};
#undef CAIRN_PY_INT
#undef CAIRN_PY_STR
/* clang-format on */


int
cairnPyConstantsInit(PyObject *module)
{
    for (size_t i = 0; i < sizeof(constants) / sizeof(constants[0]); i++) {
        const cairnPyConstant *c = &constants[i];
        PyObject *value = c->str ? PyUnicode_FromString(c->str) : PyLong_FromLongLong(c->value);

        if (!value || PyModule_AddObject(module, c->name, value) < 0) {
            Py_XDECREF(value);
            return -1;
        }
    }
    return 0;
}


static PyObject *
openWith(const char *name, unsigned int flags, const char *func)
{
    cairnConnectPtr conn;

    Py_BEGIN_ALLOW_THREADS;
    conn = cairnConnectOpenFlags(name, flags);
    Py_END_ALLOW_THREADS;
    if (!conn)
        return cairnPyRaise(func);
    return cairnPyConnectWrap(conn);
}


static PyObject *
pyOpen(PyObject *self, PyObject *args)
{
    const char *name = NULL;

    if (!PyArg_ParseTuple(args, "|z:open", &name))
        return NULL;
    return openWith(name, 0, "cairnConnectOpen() failed");
}


static PyObject *
pyOpenReadOnly(PyObject *self, PyObject *args)
{
    const char *name = NULL;

    if (!PyArg_ParseTuple(args, "|z:openReadOnly", &name))
        return NULL;
    return openWith(name, CAIRN_CONNECT_RO, "cairnConnectOpenReadOnly() failed");
}


static PyObject *
pyGetVersion(PyObject *self, PyObject *args)
{
    unsigned long version = 0;

    if (cairnGetVersion(&version) < 0)
        return cairnPyRaise("cairnGetVersion() failed");
    return PyLong_FromUnsignedLong(version);
}


/* qemuMonitorCommand(domain, cmd, flags): libvirt_qemu's function. */
static PyObject *
pyQemuMonitorCommand(PyObject *self, PyObject *args)
{
    PyObject *pydom;
    const char *cmd;
    unsigned int flags = 0;
    cairnDomainPtr dom;
    char *result = NULL;
    PyObject *ret;
    int rc;

    if (!PyArg_ParseTuple(args, "Os|I:qemuMonitorCommand", &pydom, &cmd, &flags) ||
        !cairnPyDomainGet(pydom, false, &dom))
        return NULL;
    Py_BEGIN_ALLOW_THREADS;
    rc = cairnDomainQemuMonitorCommand(dom, cmd, &result, flags);
    Py_END_ALLOW_THREADS;
    if (rc < 0)
        return cairnPyRaise("cairnDomainQemuMonitorCommand() failed");
    ret = PyUnicode_FromString(result ? result : "");
    free(result);
    return ret;
}


static PyMethodDef moduleFunctions[] = {
    { "open", pyOpen, METH_VARARGS,
      "open(name=None) -> cairnConnect: a read-write connection to URI @name "
      "(None: $CAIRN_DEFAULT_URI or the default)." },
    { "openReadOnly", pyOpenReadOnly, METH_VARARGS,
      "openReadOnly(name=None) -> cairnConnect: a read-only connection." },
    { "getVersion", pyGetVersion, METH_NOARGS,
      "getVersion() -> int: the library's version, major * 1000000 + minor * 1000 + micro." },
    { "qemuMonitorCommand", pyQemuMonitorCommand, METH_VARARGS,
      "qemuMonitorCommand(domain, cmd, flags) -> str: libvirt_qemu's call, QMP (or HMP with "
      "CAIRN_DOMAIN_QEMU_MONITOR_COMMAND_HMP) straight to the domain's QEMU." },
    { "cairnEventRegisterDefaultImpl", cairnPyEventRegisterDefaultImpl, METH_NOARGS,
      "Prepare the default event loop (libvirt's virEventRegisterDefaultImpl)." },
    { "cairnEventRunDefaultImpl", cairnPyEventRunDefaultImpl, METH_NOARGS,
      "Run one iteration of the default event loop, waiting for something to happen "
      "(libvirt's virEventRunDefaultImpl)." },
    { "eventRegisterDefaultImpl", cairnPyEventRegisterDefaultImpl, METH_NOARGS,
      "Alias of cairnEventRegisterDefaultImpl." },
    { "eventRunDefaultImpl", cairnPyEventRunDefaultImpl, METH_NOARGS,
      "Alias of cairnEventRunDefaultImpl." },
    { NULL, NULL, 0, NULL },
};

static struct PyModuleDef cairnModule = {
    PyModuleDef_HEAD_INIT,
    .m_name = "cairn",
    .m_doc = "Cairn's checkpoint and backup API, with libvirt-python's names "
             "(cairn prefix for vir, cairnError for libvirtError).",
    .m_size = -1,
    .m_methods = moduleFunctions,
};


static int
addType(PyObject *module, const char *name, PyTypeObject *type)
{
    if (PyType_Ready(type) < 0)
        return -1;
    Py_INCREF(type);
    if (PyModule_AddObject(module, name, (PyObject *)type) < 0) {
        Py_DECREF(type);
        return -1;
    }
    return 0;
}


PyMODINIT_FUNC PyInit_cairn(void);

PyMODINIT_FUNC
PyInit_cairn(void)
{
    PyObject *module = PyModule_Create(&cairnModule);

    if (!module)
        return NULL;
    if (cairnPyErrorInit(module) < 0 || cairnPyConstantsInit(module) < 0 ||
        addType(module, "cairnConnect", &cairnPyConnectType) < 0 ||
        addType(module, "cairnDomain", &cairnPyDomainType) < 0 ||
        addType(module, "cairnDomainCheckpoint", &cairnPyCheckpointType) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
