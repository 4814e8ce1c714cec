/*
 * libcairn-typedparams.c: the public typed-parameter getters and
 * destructors, the twins of libvirt's virTypedParamsGet* and
 * virTypedParamsFree.
 */
#include <string.h>

#include "cairn/cairn.h"
#include "libcairn-internal.h"
#include "util/cairnerror.h"
#include "util/cairntypedparam.h"
#include "util/cairnenum.h"

#define FROM CAIRN_FROM_NONE

static const char *const typedParamTypeNames[] = {
    [CAIRN_TYPED_PARAM_INT] = "int",       [CAIRN_TYPED_PARAM_UINT] = "uint",
    [CAIRN_TYPED_PARAM_LLONG] = "llong",   [CAIRN_TYPED_PARAM_ULLONG] = "ullong",
    [CAIRN_TYPED_PARAM_DOUBLE] = "double", [CAIRN_TYPED_PARAM_BOOLEAN] = "boolean",
    [CAIRN_TYPED_PARAM_STRING] = "string",
};


static const char *
typedParamTypeName(int type)
{
    const char *name =
        cairnEnumToString(typedParamTypeNames, G_N_ELEMENTS(typedParamTypeNames), type);

    return name ? name : "unknown";
}


/**
 * cairnTypedParamsGet:
 * @params: array of typed parameters
 * @nparams: number of parameters in @params
 * @name: the field to find
 *
 * Returns the first parameter named @name (owned by @params), or NULL.
 *
 * Since: 0.1.0
 */
cairnTypedParameterPtr
cairnTypedParamsGet(cairnTypedParameterPtr params, int nparams, const char *name)
{
    if (!params || !name)
        return NULL;
    for (int i = 0; i < nparams; i++) {
        if (strcmp(params[i].field, name) == 0)
            return &params[i];
    }
    return NULL;
}


/* The common part of the typed getters: 1 found (*ret_param set), 0 not
 * found, -1 error (last error set). */
static int
typedParamsLookup(cairnTypedParameter *params,
                  int nparams,
                  const char *name,
                  const void *value,
                  int type,
                  const char *func,
                  cairnTypedParameter **ret_param)
{
    g_autoptr(GError) err = NULL;
    cairnTypedParameter *param;

    cairnResetLastError();
    if (!cairnEntryCheckNonNull(name, "name", FROM, func, &err) ||
        !cairnEntryCheckNonNull(value, "value", FROM, func, &err))
        return cairnEntryFail(err);
    if (!(param = cairnTypedParamsGet(params, nparams, name)))
        return 0;
    if (param->type != type) {
        cairnErrorSet(&err, FROM, CAIRN_ERR_INVALID_ARG,
                      "invalid type '%s' requested for parameter '%s', actual type is '%s'",
                      typedParamTypeName(type), name, typedParamTypeName(param->type));
        return cairnEntryFail(err);
    }
    *ret_param = param;
    return 1;
}


/**
 * cairnTypedParamsGetInt:
 * @params: array of typed parameters
 * @nparams: number of parameters in @params
 * @name: the field to find
 * @value: where to store the value
 *
 * Returns 1 if found (and of type INT), 0 if not found, -1 on error
 * (wrong type: CAIRN_ERR_INVALID_ARG).
 *
 * Since: 0.1.0
 */
int
cairnTypedParamsGetInt(cairnTypedParameterPtr params, int nparams, const char *name, int *value)
{
    cairnTypedParameter *param = NULL;
    int rc =
        typedParamsLookup(params, nparams, name, value, CAIRN_TYPED_PARAM_INT, __func__, &param);

    if (rc == 1)
        *value = param->value.i;
    return rc;
}


/**
 * cairnTypedParamsGetUInt:
 * @params: array of typed parameters
 * @nparams: number of parameters in @params
 * @name: the field to find
 * @value: where to store the value
 *
 * Returns 1 if found, 0 if not found, -1 on error.
 *
 * Since: 0.1.0
 */
int
cairnTypedParamsGetUInt(cairnTypedParameterPtr params,
                        int nparams,
                        const char *name,
                        unsigned int *value)
{
    cairnTypedParameter *param = NULL;
    int rc =
        typedParamsLookup(params, nparams, name, value, CAIRN_TYPED_PARAM_UINT, __func__, &param);

    if (rc == 1)
        *value = param->value.ui;
    return rc;
}


/**
 * cairnTypedParamsGetLLong:
 * @params: array of typed parameters
 * @nparams: number of parameters in @params
 * @name: the field to find
 * @value: where to store the value
 *
 * Returns 1 if found, 0 if not found, -1 on error.
 *
 * Since: 0.1.0
 */
int
cairnTypedParamsGetLLong(cairnTypedParameterPtr params,
                         int nparams,
                         const char *name,
                         long long *value)
{
    cairnTypedParameter *param = NULL;
    int rc =
        typedParamsLookup(params, nparams, name, value, CAIRN_TYPED_PARAM_LLONG, __func__, &param);

    if (rc == 1)
        *value = param->value.l;
    return rc;
}


/**
 * cairnTypedParamsGetULLong:
 * @params: array of typed parameters
 * @nparams: number of parameters in @params
 * @name: the field to find
 * @value: where to store the value
 *
 * Returns 1 if found, 0 if not found, -1 on error.
 *
 * Since: 0.1.0
 */
int
cairnTypedParamsGetULLong(cairnTypedParameterPtr params,
                          int nparams,
                          const char *name,
                          unsigned long long *value)
{
    cairnTypedParameter *param = NULL;
    int rc =
        typedParamsLookup(params, nparams, name, value, CAIRN_TYPED_PARAM_ULLONG, __func__, &param);

    if (rc == 1)
        *value = param->value.ul;
    return rc;
}


/**
 * cairnTypedParamsGetDouble:
 * @params: array of typed parameters
 * @nparams: number of parameters in @params
 * @name: the field to find
 * @value: where to store the value
 *
 * Returns 1 if found, 0 if not found, -1 on error.
 *
 * Since: 0.1.0
 */
int
cairnTypedParamsGetDouble(cairnTypedParameterPtr params,
                          int nparams,
                          const char *name,
                          double *value)
{
    cairnTypedParameter *param = NULL;
    int rc =
        typedParamsLookup(params, nparams, name, value, CAIRN_TYPED_PARAM_DOUBLE, __func__, &param);

    if (rc == 1)
        *value = param->value.d;
    return rc;
}


/**
 * cairnTypedParamsGetBoolean:
 * @params: array of typed parameters
 * @nparams: number of parameters in @params
 * @name: the field to find
 * @value: where to store the value (0 or 1)
 *
 * Returns 1 if found, 0 if not found, -1 on error.
 *
 * Since: 0.1.0
 */
int
cairnTypedParamsGetBoolean(cairnTypedParameterPtr params, int nparams, const char *name, int *value)
{
    cairnTypedParameter *param = NULL;
    int rc = typedParamsLookup(params, nparams, name, value, CAIRN_TYPED_PARAM_BOOLEAN, __func__,
                               &param);

    if (rc == 1)
        *value = param->value.b != 0;
    return rc;
}


/**
 * cairnTypedParamsGetString:
 * @params: array of typed parameters
 * @nparams: number of parameters in @params
 * @name: the field to find
 * @value: where to store the string (owned by @params)
 *
 * Returns 1 if found, 0 if not found, -1 on error.
 *
 * Since: 0.1.0
 */
int
cairnTypedParamsGetString(cairnTypedParameterPtr params,
                          int nparams,
                          const char *name,
                          const char **value)
{
    cairnTypedParameter *param = NULL;
    int rc =
        typedParamsLookup(params, nparams, name, value, CAIRN_TYPED_PARAM_STRING, __func__, &param);

    if (rc == 1)
        *value = param->value.s;
    return rc;
}


/**
 * cairnTypedParamsClear:
 * @params: array of typed parameters, or NULL
 * @nparams: number of parameters in @params
 *
 * Frees the strings inside @params, not the array.
 *
 * Since: 0.1.0
 */
void
cairnTypedParamsClear(cairnTypedParameterPtr params, int nparams)
{
    cairnTypedParamArrayClear(params, nparams);
}


/**
 * cairnTypedParamsFree:
 * @params: array of typed parameters, or NULL
 * @nparams: number of parameters in @params
 *
 * Frees the strings inside @params and the array.
 *
 * Since: 0.1.0
 */
void
cairnTypedParamsFree(cairnTypedParameterPtr params, int nparams)
{
    cairnTypedParamArrayFree(params, nparams);
}
