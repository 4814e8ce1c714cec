/*
 * domain_job.c: job statistics and their public forms.
 */
#include <string.h>

#include "domain_job.h"
#include "util/cairnerror.h"
#include "util/cairntypedparam.h"

#define JOB_VARIANT_TYPE "(iitttttms)"


cairnDomainJobData *
cairnDomainJobDataNew(cairnDomainJobOperation operation)
{
    cairnDomainJobData *data = g_new0(cairnDomainJobData, 1);

    data->type = CAIRN_DOMAIN_JOB_UNBOUNDED;
    data->operation = operation;
    return data;
}


void
cairnDomainJobDataFree(cairnDomainJobData *data)
{
    if (!data)
        return;
    g_free(data->errmsg);
    g_free(data);
}


cairnDomainJobData *
cairnDomainJobDataCopy(const cairnDomainJobData *data)
{
    cairnDomainJobData *copy = g_memdup2(data, sizeof(*data));

    copy->errmsg = g_strdup(data->errmsg);
    return copy;
}


bool
cairnDomainJobDataIsFinished(const cairnDomainJobData *data)
{
    return data->type == CAIRN_DOMAIN_JOB_COMPLETED || data->type == CAIRN_DOMAIN_JOB_FAILED ||
           data->type == CAIRN_DOMAIN_JOB_CANCELLED;
}


void
cairnDomainJobDataToParams(const cairnDomainJobData *data,
                           int *ret_type,
                           cairnTypedParameter **ret_params,
                           int *ret_nparams)
{
    g_autoptr(cairnTypedParamList) list = cairnTypedParamListNew();

    cairnTypedParamListAddInt(list, CAIRN_DOMAIN_JOB_OPERATION, data->operation);
    cairnTypedParamListAddULLong(list, CAIRN_DOMAIN_JOB_TIME_ELAPSED, data->time_elapsed);
    if (data->disk_total > 0 || data->disk_processed > 0) {
        cairnTypedParamListAddULLong(list, CAIRN_DOMAIN_JOB_DISK_TOTAL, data->disk_total);
        cairnTypedParamListAddULLong(list, CAIRN_DOMAIN_JOB_DISK_PROCESSED, data->disk_processed);
        cairnTypedParamListAddULLong(list, CAIRN_DOMAIN_JOB_DISK_REMAINING,
                                     data->disk_total - data->disk_processed);
    }
    if (data->temp_used > 0 || data->temp_total > 0) {
        cairnTypedParamListAddULLong(list, CAIRN_DOMAIN_JOB_DISK_TEMP_USED, data->temp_used);
        cairnTypedParamListAddULLong(list, CAIRN_DOMAIN_JOB_DISK_TEMP_TOTAL, data->temp_total);
    }
    if (cairnDomainJobDataIsFinished(data))
        cairnTypedParamListAddBoolean(list, CAIRN_DOMAIN_JOB_SUCCESS,
                                      data->type == CAIRN_DOMAIN_JOB_COMPLETED);
    if (data->errmsg)
        cairnTypedParamListAddString(list, CAIRN_DOMAIN_JOB_ERRMSG, data->errmsg);
    *ret_type = data->type;
    cairnTypedParamListSteal(list, ret_params, ret_nparams);
}


void
cairnDomainJobDataToInfo(const cairnDomainJobData *data, cairnDomainJobInfo *info)
{
    memset(info, 0, sizeof(*info));
    info->type = data->type;
    info->timeElapsed = data->time_elapsed;
    info->fileTotal = data->disk_total;
    info->fileProcessed = data->disk_processed;
    info->fileRemaining = data->disk_total - data->disk_processed;
}


GVariant *
cairnDomainJobDataToVariant(const cairnDomainJobData *data)
{
    return g_variant_new(JOB_VARIANT_TYPE, (gint32)data->type, (gint32)data->operation,
                         (guint64)data->time_elapsed, (guint64)data->disk_total,
                         (guint64)data->disk_processed, (guint64)data->temp_used,
                         (guint64)data->temp_total, data->errmsg);
}


cairnDomainJobData *
cairnDomainJobDataFromVariant(GVariant *value, GError **error)
{
    g_autoptr(cairnDomainJobData) data = g_new0(cairnDomainJobData, 1);
    gint32 type;
    gint32 operation;
    guint64 elapsed, total, processed, used, temp_total;

    if (!g_variant_is_of_type(value, G_VARIANT_TYPE(JOB_VARIANT_TYPE))) {
        cairnErrorSet(error, CAIRN_FROM_NONE, CAIRN_ERR_INTERNAL_ERROR,
                      "job statistics must be '%s', not '%s'", JOB_VARIANT_TYPE,
                      g_variant_get_type_string(value));
        return NULL;
    }
    g_variant_get(value, JOB_VARIANT_TYPE, &type, &operation, &elapsed, &total, &processed, &used,
                  &temp_total, &data->errmsg);
    if (type < CAIRN_DOMAIN_JOB_NONE || type > CAIRN_DOMAIN_JOB_CANCELLED ||
        operation < CAIRN_DOMAIN_JOB_OPERATION_UNKNOWN ||
        operation > CAIRN_DOMAIN_JOB_OPERATION_SNAPSHOT_DELETE || processed > total) {
        cairnErrorSet(error, CAIRN_FROM_NONE, CAIRN_ERR_INTERNAL_ERROR, "%s",
                      "malformed job statistics");
        return NULL;
    }
    data->type = type;
    data->operation = operation;
    data->time_elapsed = elapsed;
    data->disk_total = total;
    data->disk_processed = processed;
    data->temp_used = used;
    data->temp_total = temp_total;
    return g_steal_pointer(&data);
}
