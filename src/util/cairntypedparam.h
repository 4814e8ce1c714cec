/*
 * cairntypedparam.h: building, copying and serialising arrays of
 * cairnTypedParameter (the public type, cairn-typedparams.h).
 *
 * A list grows with the Add functions and is handed out as the plain
 * g_malloc'd array the public API returns (cairnTypedParamArrayFree()
 * frees it, as the public cairnTypedParamsFree() does). The GVariant
 * form, "a(sv)" with each value in its natural GVariant type (i, u, x, t,
 * d, b, s), is what the daemon sends over D-Bus and what a driver may
 * store on disk.
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "cairn/cairn-typedparams.h"

typedef struct _cairnTypedParamList cairnTypedParamList;

cairnTypedParamList *cairnTypedParamListNew(void);
void cairnTypedParamListFree(cairnTypedParamList *list);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(cairnTypedParamList, cairnTypedParamListFree)

/* Append one parameter named @name (at most
 * CAIRN_TYPED_PARAM_FIELD_LENGTH - 1 bytes; longer names are a
 * programming error). The string is copied. */
void cairnTypedParamListAddInt(cairnTypedParamList *list, const char *name, int value);
void cairnTypedParamListAddUInt(cairnTypedParamList *list, const char *name, unsigned int value);
void cairnTypedParamListAddLLong(cairnTypedParamList *list, const char *name, long long value);
void
cairnTypedParamListAddULLong(cairnTypedParamList *list, const char *name, unsigned long long value);
void cairnTypedParamListAddDouble(cairnTypedParamList *list, const char *name, double value);
void cairnTypedParamListAddBoolean(cairnTypedParamList *list, const char *name, bool value);
void cairnTypedParamListAddString(cairnTypedParamList *list, const char *name, const char *value);

/* Hand the parameters out as a g_malloc'd array (NULL when empty) and
 * empty the list. */
void cairnTypedParamListSteal(cairnTypedParamList *list,
                              cairnTypedParameter **ret_params,
                              int *ret_nparams);

/* Free the strings inside @params, not the array; NULL is fine. What the
 * public cairnTypedParamsClear() does, for the layers below the public
 * one. */
void cairnTypedParamArrayClear(cairnTypedParameter *params, int nparams);

/* Free the strings inside @params and the array; NULL is fine. */
void cairnTypedParamArrayFree(cairnTypedParameter *params, int nparams);

/* A deep copy (NULL when @nparams is 0). */
cairnTypedParameter *cairnTypedParamsCopy(const cairnTypedParameter *params, int nparams);

/* The "a(sv)" form, floating reference. */
GVariant *cairnTypedParamsToVariant(const cairnTypedParameter *params, int nparams);

/* Back from "a(sv)"; unknown value types are CAIRN_ERR_INTERNAL_ERROR. */
bool cairnTypedParamsFromVariant(GVariant *value,
                                 cairnTypedParameter **ret_params,
                                 int *ret_nparams,
                                 GError **error);

/* The value as text, as virsh prints it (virTypedParameterToString):
 * integers in decimal, doubles with %lf, booleans "1"/"0" (libvirt 9.0's
 * "%d"; virsh prints a job's "success" so). */
char *cairnTypedParamToString(const cairnTypedParameter *param);
