/*
 * cairn-py.h: what the files of the cairn Python module share.
 *
 * The module mirrors libvirt-python: cairnConnect, cairnDomain and
 * cairnDomainCheckpoint objects wrap one reference on a libcairn handle
 * each; a domain keeps the connection object it came from alive, a
 * checkpoint its domain object, as libvirt-python's _conn/_dom do. Every
 * call into libcairn runs with the GIL released; event callbacks take it
 * back (cairn-py-event.c).
 */
#pragma once

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdbool.h>

#include <cairn/cairn.h>

typedef struct {
    PyObject ob_base;
    cairnConnectPtr conn; /* NULL once closed */
} cairnPyConnect;

typedef struct {
    PyObject ob_base;
    cairnDomainPtr dom;
    PyObject *conn; /* the cairnPyConnect it belongs to (strong) */
} cairnPyDomain;

typedef struct {
    PyObject ob_base;
    cairnDomainCheckpointPtr chk;
    PyObject *dom; /* the cairnPyDomain it belongs to (strong) */
} cairnPyCheckpoint;

extern PyTypeObject cairnPyConnectType;
extern PyTypeObject cairnPyDomainType;
extern PyTypeObject cairnPyCheckpointType;

/* Raise cairn.cairnError from this thread's last error (@defmsg when there
 * is none, as libvirtError does). Returns NULL, for "return
 * cairnPyRaise(...)". */
PyObject *cairnPyRaise(const char *defmsg);

/* The exception class and the last-error functions; 0 or -1. */
int cairnPyErrorInit(PyObject *module);

/* Every CAIRN_ constant of the public headers as a module attribute. */
int cairnPyConstantsInit(PyObject *module);

/* New wrappers. Each takes over the reference on the handle (released
 * even when it fails) and takes a new reference on @conn / @dom. NULL with
 * a Python exception on failure. */
PyObject *cairnPyConnectWrap(cairnConnectPtr conn);
PyObject *cairnPyDomainWrap(PyObject *conn, cairnDomainPtr dom);
PyObject *cairnPyCheckpointWrap(PyObject *dom, cairnDomainCheckpointPtr chk);

/* A list of wrappers of the @n handles of @chks, all of @dom; every
 * handle is taken over (the array itself stays the caller's). */
PyObject *cairnPyCheckpointList(PyObject *dom, cairnDomainCheckpointPtr *chks, int n);

/* The handle inside @obj, which must be of the wrapper's type (a
 * TypeError otherwise); NULL for None where @none_ok. The result is
 * borrowed: valid while @obj lives. Returns false with an exception set on
 * a wrong type. */
bool cairnPyDomainGet(PyObject *obj, bool none_ok, cairnDomainPtr *ret_dom);

/* A dict of typed parameters (libvirt-python's conversion: INT, UINT,
 * LLONG, ULLONG to int, DOUBLE to float, BOOLEAN to bool, STRING to str). */
PyObject *cairnPyTypedParamsToDict(cairnTypedParameterPtr params, int nparams);

/* conn.domainEventRegisterAny / domainEventDeregisterAny and the module's
 * event loop functions (cairn-py-event.c). */
PyObject *cairnPyConnectDomainEventRegisterAny(PyObject *self, PyObject *args);
PyObject *cairnPyConnectDomainEventDeregisterAny(PyObject *self, PyObject *args);
PyObject *cairnPyEventRegisterDefaultImpl(PyObject *self, PyObject *args);
PyObject *cairnPyEventRunDefaultImpl(PyObject *self, PyObject *args);
