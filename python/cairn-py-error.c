/*
 * cairn-py-error.c: cairn.cairnError, libvirtError's twin, and the
 * last-error functions (libvirt-python's virGetLastError & co. under the
 * cairn prefix).
 *
 * An error carries libvirtError's err tuple: (code, domain, message,
 * level, str1, str2, str3, int1, int2); Cairn's errors have no str/int
 * extras, so those are None, None, None, 0, 0.
 */
#include <glib.h>

#include "cairn-py.h"

static PyObject *errorClass; /* cairn.cairnError (strong) */

enum {
    ERR_CODE,
    ERR_DOMAIN,
    ERR_MESSAGE,
    ERR_LEVEL,
    ERR_STR1,
    ERR_STR2,
    ERR_STR3,
    ERR_INT1,
    ERR_INT2,
    ERR_FIELDS
};


/* The err tuple of @err. */
static PyObject *
errorTuple(const cairnError *err)
{
    return Py_BuildValue("(iisiOOOii)", err->code, err->domain, err->message ? err->message : "",
                         (int)err->level, Py_None, Py_None, Py_None, 0, 0);
}


/* The err tuple of this thread's last error, or None. */
static PyObject *
lastErrorTuple(void)
{
    cairnErrorPtr err = cairnGetLastError();

    if (!err)
        Py_RETURN_NONE;
    return errorTuple(err);
}


PyObject *
cairnPyRaise(const char *defmsg)
{
    cairnError copy = { 0 };
    PyObject *err, *msg, *exc = NULL, *args = NULL;

    /* Copied before anything allocates Python objects: an allocation may
     * run the garbage collector, and a handle it frees resets this
     * thread's last error. */
    cairnCopyLastError(&copy);
    if (copy.code != CAIRN_ERR_OK) {
        err = errorTuple(&copy);
    } else {
        err = Py_None;
        Py_INCREF(err);
    }
    cairnResetError(&copy);
    if (!err)
        return NULL;
    if (err == Py_None) {
        msg = PyUnicode_FromString(defmsg);
    } else {
        msg = PyTuple_GET_ITEM(err, ERR_MESSAGE);
        Py_INCREF(msg);
    }
    /* __init__ reads the last error again, as libvirtError's does; what
     * the call failed with is set over what it found. */
    if (msg && (exc = PyObject_CallFunction(errorClass, "s", defmsg)) &&
        (args = PyTuple_Pack(1, msg)) && PyObject_SetAttrString(exc, "args", args) == 0 &&
        PyObject_SetAttrString(exc, "err", err) == 0)
        PyErr_SetObject(errorClass, exc);
    Py_XDECREF(args);
    Py_XDECREF(exc);
    Py_XDECREF(msg);
    Py_DECREF(err);
    return NULL;
}


/* cairnError.__init__(self, defmsg, conn=None, dom=None, net=None,
 * pool=None, vol=None): the message is the last error's, else @defmsg;
 * the other arguments are accepted for libvirtError's signature. */
static PyObject *
errorInit(PyObject *unused, PyObject *args, PyObject *kwargs)
{
    static const char *kwlist[] = { "self", "defmsg", "conn", "dom", "net", "pool", "vol", NULL };
    PyObject *self, *defmsg;
    PyObject *conn = NULL, *dom = NULL, *net = NULL, *pool = NULL, *vol = NULL;
    PyObject *err, *ret;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OO|OOOOO:cairnError", (char **)kwlist, &self,
                                     &defmsg, &conn, &dom, &net, &pool, &vol))
        return NULL;
    if (!(err = lastErrorTuple()))
        return NULL;
    ret = PyObject_CallMethod(PyExc_Exception, "__init__", "OO", self,
                              err == Py_None ? defmsg : PyTuple_GET_ITEM(err, ERR_MESSAGE));
    if (!ret || PyObject_SetAttrString(self, "err", err) < 0) {
        Py_XDECREF(ret);
        Py_DECREF(err);
        return NULL;
    }
    Py_DECREF(ret);
    Py_DECREF(err);
    Py_RETURN_NONE;
}


/* cairnError.get_...(self): field @index (a Python int, bound when the
 * method was made) of self.err, or None when err is None. */
static PyObject *
errorField(PyObject *index, PyObject *args)
{
    Py_ssize_t i = PyLong_AsSsize_t(index);
    PyObject *self, *err, *ret;

    if (!PyArg_ParseTuple(args, "O", &self))
        return NULL;
    if (!(err = PyObject_GetAttrString(self, "err")))
        return NULL;
    if (err == Py_None || !PyTuple_Check(err) || i < 0 || PyTuple_GET_SIZE(err) <= i) {
        Py_DECREF(err);
        Py_RETURN_NONE;
    }
    ret = PyTuple_GET_ITEM(err, i);
    Py_INCREF(ret);
    Py_DECREF(err);
    return ret;
}

static PyMethodDef errorInitDef = { "__init__", (PyCFunction)(void (*)(void))errorInit,
                                    METH_VARARGS | METH_KEYWORDS, NULL };

/* libvirtError's accessors, each reading one field of err. */
static PyMethodDef errorGetterDefs[] = {
    { "get_error_code", errorField, METH_VARARGS, "The error's cairnErrorNumber." },
    { "get_error_domain", errorField, METH_VARARGS, "The error's cairnErrorDomain." },
    { "get_error_message", errorField, METH_VARARGS, "The error's full message." },
    { "get_error_level", errorField, METH_VARARGS, "The error's cairnErrorLevel." },
    { "get_str1", errorField, METH_VARARGS, "Always None: Cairn's errors have no str1." },
    { "get_str2", errorField, METH_VARARGS, "Always None: Cairn's errors have no str2." },
    { "get_str3", errorField, METH_VARARGS, "Always None: Cairn's errors have no str3." },
    { "get_int1", errorField, METH_VARARGS, "Always 0: Cairn's errors have no int1." },
    { "get_int2", errorField, METH_VARARGS, "Always 0: Cairn's errors have no int2." },
};
G_STATIC_ASSERT(G_N_ELEMENTS(errorGetterDefs) == ERR_FIELDS);


/* Module functions: libvirt-python's virGetLastError & co. */
static PyObject *
pyGetLastError(PyObject *self, PyObject *args)
{
    return lastErrorTuple();
}


static PyObject *
pyGetLastErrorCode(PyObject *self, PyObject *args)
{
    return PyLong_FromLong(cairnGetLastErrorCode());
}


static PyObject *
pyGetLastErrorDomain(PyObject *self, PyObject *args)
{
    return PyLong_FromLong(cairnGetLastErrorDomain());
}


static PyObject *
pyGetLastErrorMessage(PyObject *self, PyObject *args)
{
    return PyUnicode_FromString(cairnGetLastErrorMessage());
}


static PyObject *
pyResetLastError(PyObject *self, PyObject *args)
{
    cairnResetLastError();
    Py_RETURN_NONE;
}

static PyMethodDef lastErrorFunctions[] = {
    { "cairnGetLastError", pyGetLastError, METH_NOARGS,
      "The last error of this thread as libvirtError's err tuple, or None." },
    { "cairnGetLastErrorCode", pyGetLastErrorCode, METH_NOARGS,
      "The code of this thread's last error (CAIRN_ERR_OK if none)." },
    { "cairnGetLastErrorDomain", pyGetLastErrorDomain, METH_NOARGS,
      "The domain of this thread's last error (CAIRN_FROM_NONE if none)." },
    { "cairnGetLastErrorMessage", pyGetLastErrorMessage, METH_NOARGS,
      "The message of this thread's last error." },
    { "cairnResetLastError", pyResetLastError, METH_NOARGS, "Forget this thread's last error." },
    { NULL, NULL, 0, NULL },
};


/* Add @def to the class dict @dict as a method whose C function gets
 * @bound (may be NULL) as its first argument and (self, ...) as args. */
static int
addMethod(PyObject *dict, PyMethodDef *def, PyObject *bound, PyObject *modname)
{
    PyObject *fn = PyCFunction_NewEx(def, bound, modname);
    PyObject *method = fn ? PyInstanceMethod_New(fn) : NULL;
    int rc = method ? PyDict_SetItemString(dict, def->ml_name, method) : -1;

    Py_XDECREF(method);
    Py_XDECREF(fn);
    return rc;
}


static int
addErrorMethods(PyObject *dict, PyObject *modname)
{
    if (addMethod(dict, &errorInitDef, NULL, modname) < 0)
        return -1;
    for (Py_ssize_t i = 0; i < ERR_FIELDS; i++) {
        PyObject *index = PyLong_FromSsize_t(i);
        int rc = index ? addMethod(dict, &errorGetterDefs[i], index, modname) : -1;

        Py_XDECREF(index);
        if (rc < 0)
            return -1;
    }
    return 0;
}


int
cairnPyErrorInit(PyObject *module)
{
    PyObject *dict = PyDict_New();
    PyObject *modname = PyUnicode_FromString("cairn");
    int rc = -1;

    if (!dict || !modname || addErrorMethods(dict, modname) < 0)
        goto out;
    errorClass = PyErr_NewExceptionWithDoc(
        "cairn.cairnError",
        "The one exception of the cairn module, libvirt-python's libvirtError: err is the "
        "tuple (code, domain, message, level, str1, str2, str3, int1, int2) or None.",
        PyExc_Exception, dict);
    if (!errorClass)
        goto out;
    Py_INCREF(errorClass);
    if (PyModule_AddObject(module, "cairnError", errorClass) < 0) {
        Py_DECREF(errorClass);
        goto out;
    }
    if (PyModule_AddFunctions(module, lastErrorFunctions) < 0)
        goto out;
    rc = 0;
out:
    Py_XDECREF(modname);
    Py_XDECREF(dict);
    return rc;
}
