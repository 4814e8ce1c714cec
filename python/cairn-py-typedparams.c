/*
 * cairn-py-typedparams.c: typed parameters to a dict, as libvirt-python
 * converts virTypedParameter arrays (job statistics, the job-completed
 * event).
 */
#include "cairn-py.h"


static PyObject *
typedParamValue(const cairnTypedParameter *p)
{
    switch ((cairnTypedParameterType)p->type) {
    case CAIRN_TYPED_PARAM_INT:
        return PyLong_FromLong(p->value.i);
    case CAIRN_TYPED_PARAM_UINT:
        return PyLong_FromUnsignedLong(p->value.ui);
    case CAIRN_TYPED_PARAM_LLONG:
        return PyLong_FromLongLong(p->value.l);
    case CAIRN_TYPED_PARAM_ULLONG:
        return PyLong_FromUnsignedLongLong(p->value.ul);
    case CAIRN_TYPED_PARAM_DOUBLE:
        return PyFloat_FromDouble(p->value.d);
    case CAIRN_TYPED_PARAM_BOOLEAN:
        return PyBool_FromLong(p->value.b);
    case CAIRN_TYPED_PARAM_STRING:
        return PyUnicode_FromString(p->value.s ? p->value.s : "");
    }
    PyErr_Format(PyExc_ValueError, "typed parameter '%s' has unknown type %d", p->field, p->type);
    return NULL;
}


PyObject *
cairnPyTypedParamsToDict(cairnTypedParameterPtr params, int nparams)
{
    PyObject *dict = PyDict_New();

    /* Keys are plain strings: PyDict_SetItemString() would intern them,
     * and churn the interpreter's table of interned strings on every
     * call. */
    for (int i = 0; dict && i < nparams; i++) {
        PyObject *key = PyUnicode_FromString(params[i].field);
        PyObject *value = key ? typedParamValue(&params[i]) : NULL;

        if (!value || PyDict_SetItem(dict, key, value) < 0)
            Py_CLEAR(dict);
        Py_XDECREF(key);
        Py_XDECREF(value);
    }
    return dict;
}
