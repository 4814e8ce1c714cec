/*
 * cairn-py-event.c: domain events, libvirt-python's
 * domainEventRegisterAny/domainEventDeregisterAny and
 * virEventRegisterDefaultImpl/virEventRunDefaultImpl.
 *
 * Python callbacks get libvirt-python's arguments:
 *   LIFECYCLE              cb(conn, dom, event, detail, opaque)
 *   BLOCK_JOB, BLOCK_JOB_2 cb(conn, dom, disk, type, status, opaque)
 *   JOB_COMPLETED          cb(conn, dom, params: dict, opaque)
 *   every other ID         cb(conn, dom, opaque) (Cairn never emits them)
 * where conn is the cairnConnect registered on and dom a new cairnDomain.
 * They run from the GLib main context that was the registering thread's
 * default (cairn-event.h): with the default implementation, inside
 * eventRunDefaultImpl(), which runs with the GIL released; each callback
 * takes it back. An exception a callback raises goes to
 * sys.unraisablehook (printed by default) and is not propagated.
 *
 * As in libvirt, one connection cannot register the same event ID for the
 * same domain (or for every domain) twice: CAIRN_ERR_INVALID_ARG "event
 * callback already tracked".
 */
#include <glib.h>

#include "cairn-py.h"

/* What one registration keeps, freed by the library when the callback is
 * deregistered or its connection closes. */
typedef struct {
    PyObject *conn; /* cairnPyConnect */
    PyObject *cb;
    PyObject *opaque;
} eventData;


static void
eventDataFree(void *opaque)
{
    eventData *data = opaque;
    PyGILState_STATE gil = PyGILState_Ensure();

    Py_XDECREF(data->conn);
    Py_XDECREF(data->cb);
    Py_XDECREF(data->opaque);
    PyGILState_Release(gil);
    g_free(data);
}


/* Call data->cb with (conn, dom, ARGS..., opaque), ARGS the items of the
 * tuple @args. Runs with the GIL held; reports, never raises. */
static void
eventCall(eventData *data, cairnDomainPtr dom, PyObject *args)
{
    PyObject *pydom, *all, *ret;
    Py_ssize_t nargs = PyTuple_GET_SIZE(args);

    if (cairnDomainRef(dom) < 0) {
        PyErr_SetString(PyExc_RuntimeError, "event for an invalid domain");
        PyErr_WriteUnraisable(data->cb);
        return;
    }
    if (!(pydom = cairnPyDomainWrap(data->conn, dom)) || !(all = PyTuple_New(nargs + 3))) {
        Py_XDECREF(pydom);
        PyErr_WriteUnraisable(data->cb);
        return;
    }
    Py_INCREF(data->conn);
    PyTuple_SET_ITEM(all, 0, data->conn);
    PyTuple_SET_ITEM(all, 1, pydom);
    for (Py_ssize_t i = 0; i < nargs; i++) {
        PyObject *item = PyTuple_GET_ITEM(args, i);

        Py_INCREF(item);
        PyTuple_SET_ITEM(all, i + 2, item);
    }
    Py_INCREF(data->opaque);
    PyTuple_SET_ITEM(all, nargs + 2, data->opaque);
    if (!(ret = PyObject_CallObject(data->cb, all)))
        PyErr_WriteUnraisable(data->cb);
    Py_XDECREF(ret);
    Py_DECREF(all);
}


/* eventCall() with @args (a new reference, consumed), which NULL means
 * failed to build. Runs with the GIL held. */
static void
eventDispatch(eventData *data, cairnDomainPtr dom, PyObject *args)
{
    if (!args) {
        PyErr_WriteUnraisable(data->cb);
        return;
    }
    eventCall(data, dom, args);
    Py_DECREF(args);
}


static void
eventGenericCb(cairnConnectPtr conn, cairnDomainPtr dom, void *opaque)
{
    PyGILState_STATE gil = PyGILState_Ensure();

    eventDispatch(opaque, dom, PyTuple_New(0));
    PyGILState_Release(gil);
}


static int
eventLifecycleCb(cairnConnectPtr conn, cairnDomainPtr dom, int event, int detail, void *opaque)
{
    PyGILState_STATE gil = PyGILState_Ensure();

    eventDispatch(opaque, dom, Py_BuildValue("(ii)", event, detail));
    PyGILState_Release(gil);
    return 0;
}


static void
eventBlockJobCb(
    cairnConnectPtr conn, cairnDomainPtr dom, const char *disk, int type, int status, void *opaque)
{
    PyGILState_STATE gil = PyGILState_Ensure();

    eventDispatch(opaque, dom, Py_BuildValue("(zii)", disk, type, status));
    PyGILState_Release(gil);
}


static void
eventJobCompletedCb(cairnConnectPtr conn,
                    cairnDomainPtr dom,
                    cairnTypedParameterPtr params,
                    int nparams,
                    void *opaque)
{
    PyGILState_STATE gil = PyGILState_Ensure();
    PyObject *dict = cairnPyTypedParamsToDict(params, nparams);

    eventDispatch(opaque, dom, dict ? Py_BuildValue("(N)", dict) : NULL);
    PyGILState_Release(gil);
}


static cairnConnectDomainEventGenericCallback
eventCallbackFor(int eventID)
{
    switch (eventID) {
    case CAIRN_DOMAIN_EVENT_ID_LIFECYCLE:
        return CAIRN_DOMAIN_EVENT_CALLBACK(eventLifecycleCb);
    case CAIRN_DOMAIN_EVENT_ID_BLOCK_JOB:
    case CAIRN_DOMAIN_EVENT_ID_BLOCK_JOB_2:
        return CAIRN_DOMAIN_EVENT_CALLBACK(eventBlockJobCb);
    case CAIRN_DOMAIN_EVENT_ID_JOB_COMPLETED:
        return CAIRN_DOMAIN_EVENT_CALLBACK(eventJobCompletedCb);
    default:
        return eventGenericCb;
    }
}


/* conn.domainEventRegisterAny(dom, eventID, cb, opaque=None) -> int */
PyObject *
cairnPyConnectDomainEventRegisterAny(PyObject *self, PyObject *args)
{
    cairnConnectPtr conn = ((cairnPyConnect *)self)->conn;
    PyObject *pydom, *cb, *opaque = Py_None;
    cairnDomainPtr dom;
    eventData *data;
    int eventID, id;

    if (!PyArg_ParseTuple(args, "OiO|O:domainEventRegisterAny", &pydom, &eventID, &cb, &opaque) ||
        !cairnPyDomainGet(pydom, true, &dom))
        return NULL;
    if (!PyCallable_Check(cb)) {
        PyErr_SetString(PyExc_TypeError, "domainEventRegisterAny: cb must be callable");
        return NULL;
    }
    data = g_new0(eventData, 1);
    Py_INCREF(self);
    data->conn = self;
    Py_INCREF(cb);
    data->cb = cb;
    Py_INCREF(opaque);
    data->opaque = opaque;
    Py_BEGIN_ALLOW_THREADS;
    id = cairnConnectDomainEventRegisterAny(conn, dom, eventID, eventCallbackFor(eventID), data,
                                            eventDataFree);
    Py_END_ALLOW_THREADS;
    if (id < 0) {
        /* Not registered: the library never calls eventDataFree. The
         * error is taken first: what the references kept may free handles,
         * which resets it. */
        cairnPyRaise("cairnConnectDomainEventRegisterAny() failed");
        Py_DECREF(data->conn);
        Py_DECREF(data->cb);
        Py_DECREF(data->opaque);
        g_free(data);
        return NULL;
    }
    return PyLong_FromLong(id);
}


/* conn.domainEventDeregisterAny(callbackID) -> int */
PyObject *
cairnPyConnectDomainEventDeregisterAny(PyObject *self, PyObject *args)
{
    cairnConnectPtr conn = ((cairnPyConnect *)self)->conn;
    int id, rc;

    if (!PyArg_ParseTuple(args, "i:domainEventDeregisterAny", &id))
        return NULL;
    Py_BEGIN_ALLOW_THREADS;
    rc = cairnConnectDomainEventDeregisterAny(conn, id);
    Py_END_ALLOW_THREADS;
    if (rc < 0)
        return cairnPyRaise("cairnConnectDomainEventDeregisterAny() failed");
    return PyLong_FromLong(rc);
}


PyObject *
cairnPyEventRegisterDefaultImpl(PyObject *self, PyObject *args)
{
    if (cairnEventRegisterDefaultImpl() < 0)
        return cairnPyRaise("cairnEventRegisterDefaultImpl() failed");
    return PyLong_FromLong(0);
}


/* One iteration of the default loop, GIL released while it waits; a
 * pending signal (Ctrl-C) is raised afterwards. */
PyObject *
cairnPyEventRunDefaultImpl(PyObject *self, PyObject *args)
{
    int rc;

    Py_BEGIN_ALLOW_THREADS;
    rc = cairnEventRunDefaultImpl();
    Py_END_ALLOW_THREADS;
    if (PyErr_CheckSignals() < 0)
        return NULL;
    if (rc < 0)
        return cairnPyRaise("cairnEventRunDefaultImpl() failed");
    return PyLong_FromLong(rc);
}
