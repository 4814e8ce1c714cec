/*
 * domain_job.h: the statistics of one domain job (a backup), and how they
 * become the public cairnDomainJobInfo and typed parameters, exactly as
 * libvirt's qemu driver reports a backup (spec/api.md 4.3).
 *
 * A driver keeps one cairnDomainJobData for the running job and one for the
 * last completed job; cairnDomainGetJobStats() with
 * CAIRN_DOMAIN_JOB_STATS_COMPLETED reports the latter and, without
 * KEEP_COMPLETED, the driver then forgets it. The GVariant form lets the
 * qemu driver keep the completed job under ROOT/run (g_variant_print /
 * g_variant_parse) and the daemon send it.
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "cairn/cairn-domain-job.h"

typedef struct _cairnDomainJobData cairnDomainJobData;
struct _cairnDomainJobData {
    /* UNBOUNDED while the job runs; COMPLETED, FAILED or CANCELLED once
     * it finished (the "success" parameter is type == COMPLETED). */
    cairnDomainJobType type;
    cairnDomainJobOperation operation;
    unsigned long long time_elapsed;   /* ms */
    unsigned long long disk_total;     /* push: bytes to copy */
    unsigned long long disk_processed; /* push: bytes copied */
    unsigned long long temp_used;      /* pull: scratch bytes used */
    unsigned long long temp_total;     /* pull: scratch bytes available */
    char *errmsg;                      /* first error, or NULL */
};

cairnDomainJobData *cairnDomainJobDataNew(cairnDomainJobOperation operation);
void cairnDomainJobDataFree(cairnDomainJobData *data);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(cairnDomainJobData, cairnDomainJobDataFree)
cairnDomainJobData *cairnDomainJobDataCopy(const cairnDomainJobData *data);

/* True once the job finished (COMPLETED, FAILED, CANCELLED). */
bool cairnDomainJobDataIsFinished(const cairnDomainJobData *data);

/* The typed parameters libvirt's qemu driver gives for a backup:
 * operation, time_elapsed; disk_total/processed/remaining when total or
 * processed > 0; disk_temp_used/total when either > 0; success when
 * finished; errmsg when set. *ret_type = data->type. Never fails. */
void cairnDomainJobDataToParams(const cairnDomainJobData *data,
                                int *ret_type,
                                cairnTypedParameter **ret_params,
                                int *ret_nparams);

/* The cairnDomainJobInfo summary (type, timeElapsed, file* from disk_*). */
void cairnDomainJobDataToInfo(const cairnDomainJobData *data, cairnDomainJobInfo *info);

/* Serialised form, "(iitttttms)"; floating reference. */
GVariant *cairnDomainJobDataToVariant(const cairnDomainJobData *data);
cairnDomainJobData *cairnDomainJobDataFromVariant(GVariant *value, GError **error);
