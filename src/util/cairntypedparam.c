/*
 * cairntypedparam.c: building, copying and serialising typed parameters.
 */
#include <string.h>

#include "cairntypedparam.h"
#include "cairnerror.h"

struct _cairnTypedParamList {
    GArray *params; /* of cairnTypedParameter */
};


cairnTypedParamList *
cairnTypedParamListNew(void)
{
    cairnTypedParamList *list = g_new0(cairnTypedParamList, 1);

    list->params = g_array_new(FALSE, TRUE, sizeof(cairnTypedParameter));
    return list;
}


static void
typedParamClear(cairnTypedParameter *param)
{
    if (param->type == CAIRN_TYPED_PARAM_STRING)
        g_free(param->value.s);
    param->value.s = NULL;
}


void
cairnTypedParamArrayClear(cairnTypedParameter *params, int nparams)
{
    if (!params)
        return;
    for (int i = 0; i < nparams; i++) {
        if (params[i].type == CAIRN_TYPED_PARAM_STRING)
            g_clear_pointer(&params[i].value.s, g_free);
    }
}


void
cairnTypedParamArrayFree(cairnTypedParameter *params, int nparams)
{
    cairnTypedParamArrayClear(params, nparams);
    g_free(params);
}


void
cairnTypedParamListFree(cairnTypedParamList *list)
{
    if (!list)
        return;
    for (guint i = 0; i < list->params->len; i++)
        typedParamClear(&g_array_index(list->params, cairnTypedParameter, i));
    g_array_unref(list->params);
    g_free(list);
}


static cairnTypedParameter *
typedParamListAppend(cairnTypedParamList *list, const char *name, int type)
{
    cairnTypedParameter param = { 0 };

    g_assert(strlen(name) < CAIRN_TYPED_PARAM_FIELD_LENGTH);
    g_strlcpy(param.field, name, sizeof(param.field));
    param.type = type;
    g_array_append_val(list->params, param);
    return &g_array_index(list->params, cairnTypedParameter, list->params->len - 1);
}


void
cairnTypedParamListAddInt(cairnTypedParamList *list, const char *name, int value)
{
    typedParamListAppend(list, name, CAIRN_TYPED_PARAM_INT)->value.i = value;
}


void
cairnTypedParamListAddUInt(cairnTypedParamList *list, const char *name, unsigned int value)
{
    typedParamListAppend(list, name, CAIRN_TYPED_PARAM_UINT)->value.ui = value;
}


void
cairnTypedParamListAddLLong(cairnTypedParamList *list, const char *name, long long value)
{
    typedParamListAppend(list, name, CAIRN_TYPED_PARAM_LLONG)->value.l = value;
}


void
cairnTypedParamListAddULLong(cairnTypedParamList *list, const char *name, unsigned long long value)
{
    typedParamListAppend(list, name, CAIRN_TYPED_PARAM_ULLONG)->value.ul = value;
}


void
cairnTypedParamListAddDouble(cairnTypedParamList *list, const char *name, double value)
{
    typedParamListAppend(list, name, CAIRN_TYPED_PARAM_DOUBLE)->value.d = value;
}


void
cairnTypedParamListAddBoolean(cairnTypedParamList *list, const char *name, bool value)
{
    typedParamListAppend(list, name, CAIRN_TYPED_PARAM_BOOLEAN)->value.b = value ? 1 : 0;
}


void
cairnTypedParamListAddString(cairnTypedParamList *list, const char *name, const char *value)
{
    typedParamListAppend(list, name, CAIRN_TYPED_PARAM_STRING)->value.s = g_strdup(value);
}


void
cairnTypedParamListSteal(cairnTypedParamList *list,
                         cairnTypedParameter **ret_params,
                         int *ret_nparams)
{
    guint n = list->params->len;

    *ret_nparams = (int)n;
    if (n == 0) {
        *ret_params = NULL;
        return;
    }
    *ret_params = g_memdup2(list->params->data, n * sizeof(cairnTypedParameter));
    g_array_set_size(list->params, 0);
}


cairnTypedParameter *
cairnTypedParamsCopy(const cairnTypedParameter *params, int nparams)
{
    cairnTypedParameter *copy;

    if (nparams <= 0 || !params)
        return NULL;
    copy = g_memdup2(params, (gsize)nparams * sizeof(cairnTypedParameter));
    for (int i = 0; i < nparams; i++) {
        if (copy[i].type == CAIRN_TYPED_PARAM_STRING)
            copy[i].value.s = g_strdup(params[i].value.s);
    }
    return copy;
}


static GVariant *
typedParamValueToVariant(const cairnTypedParameter *param)
{
    switch ((cairnTypedParameterType)param->type) {
    case CAIRN_TYPED_PARAM_INT:
        return g_variant_new_int32(param->value.i);
    case CAIRN_TYPED_PARAM_UINT:
        return g_variant_new_uint32(param->value.ui);
    case CAIRN_TYPED_PARAM_LLONG:
        return g_variant_new_int64(param->value.l);
    case CAIRN_TYPED_PARAM_ULLONG:
        return g_variant_new_uint64(param->value.ul);
    case CAIRN_TYPED_PARAM_DOUBLE:
        return g_variant_new_double(param->value.d);
    case CAIRN_TYPED_PARAM_BOOLEAN:
        return g_variant_new_boolean(param->value.b != 0);
    case CAIRN_TYPED_PARAM_STRING:
        return g_variant_new_string(param->value.s ? param->value.s : "");
    }
    g_assert_not_reached();
}


GVariant *
cairnTypedParamsToVariant(const cairnTypedParameter *params, int nparams)
{
    GVariantBuilder builder;

    g_variant_builder_init(&builder, G_VARIANT_TYPE("a(sv)"));
    for (int i = 0; i < nparams; i++)
        g_variant_builder_add(&builder, "(sv)", params[i].field,
                              typedParamValueToVariant(&params[i]));
    return g_variant_builder_end(&builder);
}


static bool
typedParamListAddVariant(cairnTypedParamList *list,
                         const char *name,
                         GVariant *value,
                         GError **error)
{
    if (strlen(name) >= CAIRN_TYPED_PARAM_FIELD_LENGTH) {
        cairnErrorSet(error, CAIRN_FROM_NONE, CAIRN_ERR_INTERNAL_ERROR,
                      "typed parameter name '%s' too long", name);
        return false;
    }
    if (g_variant_is_of_type(value, G_VARIANT_TYPE_INT32))
        cairnTypedParamListAddInt(list, name, g_variant_get_int32(value));
    else if (g_variant_is_of_type(value, G_VARIANT_TYPE_UINT32))
        cairnTypedParamListAddUInt(list, name, g_variant_get_uint32(value));
    else if (g_variant_is_of_type(value, G_VARIANT_TYPE_INT64))
        cairnTypedParamListAddLLong(list, name, g_variant_get_int64(value));
    else if (g_variant_is_of_type(value, G_VARIANT_TYPE_UINT64))
        cairnTypedParamListAddULLong(list, name, g_variant_get_uint64(value));
    else if (g_variant_is_of_type(value, G_VARIANT_TYPE_DOUBLE))
        cairnTypedParamListAddDouble(list, name, g_variant_get_double(value));
    else if (g_variant_is_of_type(value, G_VARIANT_TYPE_BOOLEAN))
        cairnTypedParamListAddBoolean(list, name, g_variant_get_boolean(value));
    else if (g_variant_is_of_type(value, G_VARIANT_TYPE_STRING))
        cairnTypedParamListAddString(list, name, g_variant_get_string(value, NULL));
    else {
        cairnErrorSet(error, CAIRN_FROM_NONE, CAIRN_ERR_INTERNAL_ERROR,
                      "unexpected value type '%s' of typed parameter '%s'",
                      g_variant_get_type_string(value), name);
        return false;
    }
    return true;
}


bool
cairnTypedParamsFromVariant(GVariant *value,
                            cairnTypedParameter **ret_params,
                            int *ret_nparams,
                            GError **error)
{
    g_autoptr(cairnTypedParamList) list = cairnTypedParamListNew();
    GVariantIter iter;
    const char *name;
    GVariant *item;

    if (!g_variant_is_of_type(value, G_VARIANT_TYPE("a(sv)"))) {
        cairnErrorSet(error, CAIRN_FROM_NONE, CAIRN_ERR_INTERNAL_ERROR,
                      "typed parameters must be 'a(sv)', not '%s'",
                      g_variant_get_type_string(value));
        return false;
    }
    g_variant_iter_init(&iter, value);
    while (g_variant_iter_next(&iter, "(&sv)", &name, &item)) {
        bool ok = typedParamListAddVariant(list, name, item, error);

        g_variant_unref(item);
        if (!ok)
            return false;
    }
    cairnTypedParamListSteal(list, ret_params, ret_nparams);
    return true;
}


char *
cairnTypedParamToString(const cairnTypedParameter *param)
{
    switch ((cairnTypedParameterType)param->type) {
    case CAIRN_TYPED_PARAM_INT:
        return g_strdup_printf("%d", param->value.i);
    case CAIRN_TYPED_PARAM_UINT:
        return g_strdup_printf("%u", param->value.ui);
    case CAIRN_TYPED_PARAM_LLONG:
        return g_strdup_printf("%lld", param->value.l);
    case CAIRN_TYPED_PARAM_ULLONG:
        return g_strdup_printf("%llu", param->value.ul);
    case CAIRN_TYPED_PARAM_DOUBLE:
        return g_strdup_printf("%lf", param->value.d);
    case CAIRN_TYPED_PARAM_BOOLEAN:
        /* as libvirt's virTypedParameterToString: "1" or "0" */
        return g_strdup_printf("%d", param->value.b ? 1 : 0);
    case CAIRN_TYPED_PARAM_STRING:
        return g_strdup(param->value.s);
    }
    return NULL;
}
