/*
 * cairn-domain-job.h: domain jobs (a backup is one), the twins of
 * libvirt's virDomainGetJobInfo, virDomainGetJobStats and
 * virDomainAbortJob(Flags), and block jobs (virDomainBlockPull,
 * virDomainGetBlockJobInfo, virDomainBlockJobAbort), with libvirt's names
 * and values.
 *
 * Users include <cairn/cairn.h>, never this file directly.
 */
#ifndef CAIRN_DOMAIN_JOB_H
#define CAIRN_DOMAIN_JOB_H

#include <cairn/cairn-common.h>
#include <cairn/cairn-typedparams.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * cairnDomainJobType:
 *
 * A running backup is UNBOUNDED; a finished one is COMPLETED, FAILED or
 * CANCELLED (reported with CAIRN_DOMAIN_JOB_STATS_COMPLETED).
 *
 * Since: 0.1.0
 */
typedef enum {
    CAIRN_DOMAIN_JOB_NONE = 0,      /* no job is active. Since: 0.1.0 */
    CAIRN_DOMAIN_JOB_BOUNDED = 1,   /* job with a finite completion time. Since: 0.1.0 */
    CAIRN_DOMAIN_JOB_UNBOUNDED = 2, /* job without a finite completion time. Since: 0.1.0 */
    CAIRN_DOMAIN_JOB_COMPLETED = 3, /* job has finished, successfully. Since: 0.1.0 */
    CAIRN_DOMAIN_JOB_FAILED = 4,    /* job hit an error, but not cancelled. Since: 0.1.0 */
    CAIRN_DOMAIN_JOB_CANCELLED = 5  /* job was aborted. Since: 0.1.0 */
} cairnDomainJobType;

/**
 * cairnDomainJobOperation:
 *
 * What a job does (the "operation" statistic).
 *
 * Since: 0.1.0
 */
typedef enum {
    CAIRN_DOMAIN_JOB_OPERATION_UNKNOWN = 0,         /* Since: 0.1.0 */
    CAIRN_DOMAIN_JOB_OPERATION_START = 1,           /* Since: 0.1.0 */
    CAIRN_DOMAIN_JOB_OPERATION_SAVE = 2,            /* Since: 0.1.0 */
    CAIRN_DOMAIN_JOB_OPERATION_RESTORE = 3,         /* Since: 0.1.0 */
    CAIRN_DOMAIN_JOB_OPERATION_MIGRATION_IN = 4,    /* Since: 0.1.0 */
    CAIRN_DOMAIN_JOB_OPERATION_MIGRATION_OUT = 5,   /* Since: 0.1.0 */
    CAIRN_DOMAIN_JOB_OPERATION_SNAPSHOT = 6,        /* Since: 0.1.0 */
    CAIRN_DOMAIN_JOB_OPERATION_SNAPSHOT_REVERT = 7, /* Since: 0.1.0 */
    CAIRN_DOMAIN_JOB_OPERATION_DUMP = 8,            /* Since: 0.1.0 */
    CAIRN_DOMAIN_JOB_OPERATION_BACKUP = 9,          /* Since: 0.1.0 */
    CAIRN_DOMAIN_JOB_OPERATION_SNAPSHOT_DELETE = 10 /* Since: 0.1.0 */
} cairnDomainJobOperation;

/**
 * cairnDomainJobInfo:
 *
 * The fixed-layout summary of cairnDomainGetJobInfo(). A push backup fills
 * the file* fields (bytes), as libvirt's qemu driver does.
 *
 * Since: 0.1.0
 */
typedef struct _cairnDomainJobInfo cairnDomainJobInfo;
typedef cairnDomainJobInfo *cairnDomainJobInfoPtr;
struct _cairnDomainJobInfo {
    int type;                         /* a cairnDomainJobType */
    unsigned long long timeElapsed;   /* ms */
    unsigned long long timeRemaining; /* ms; 0 for unbounded jobs */
    unsigned long long dataTotal;
    unsigned long long dataProcessed;
    unsigned long long dataRemaining;
    unsigned long long memTotal;
    unsigned long long memProcessed;
    unsigned long long memRemaining;
    unsigned long long fileTotal;
    unsigned long long fileProcessed;
    unsigned long long fileRemaining;
};

/**
 * cairnDomainGetJobStatsFlags:
 *
 * Since: 0.1.0
 */
typedef enum {
    /* return stats of the most recently completed job. Since: 0.1.0 */
    CAIRN_DOMAIN_JOB_STATS_COMPLETED = 1 << 0,
    /* don't remove completed job stats once read. Since: 0.1.0 */
    CAIRN_DOMAIN_JOB_STATS_KEEP_COMPLETED = 1 << 1
} cairnDomainGetJobStatsFlags;

/**
 * cairnDomainAbortJobFlagsValues:
 *
 * Since: 0.1.0
 */
typedef enum {
    /* interrupt post-copy migration (not a backup). Since: 0.1.0 */
    CAIRN_DOMAIN_ABORT_JOB_POSTCOPY = 1 << 0
} cairnDomainAbortJobFlagsValues;

/**
 * CAIRN_DOMAIN_JOB_OPERATION:
 *
 * "operation": a cairnDomainJobOperation, as CAIRN_TYPED_PARAM_INT.
 * Since: 0.1.0
 */
#define CAIRN_DOMAIN_JOB_OPERATION "operation"

/**
 * CAIRN_DOMAIN_JOB_TIME_ELAPSED:
 *
 * "time_elapsed": ms since the job started, CAIRN_TYPED_PARAM_ULLONG.
 * Since: 0.1.0
 */
#define CAIRN_DOMAIN_JOB_TIME_ELAPSED "time_elapsed"

/**
 * CAIRN_DOMAIN_JOB_DISK_TOTAL:
 *
 * "disk_total": bytes a push backup copies, CAIRN_TYPED_PARAM_ULLONG.
 * Since: 0.1.0
 */
#define CAIRN_DOMAIN_JOB_DISK_TOTAL "disk_total"

/**
 * CAIRN_DOMAIN_JOB_DISK_PROCESSED:
 *
 * "disk_processed": bytes copied so far, CAIRN_TYPED_PARAM_ULLONG.
 * Since: 0.1.0
 */
#define CAIRN_DOMAIN_JOB_DISK_PROCESSED "disk_processed"

/**
 * CAIRN_DOMAIN_JOB_DISK_REMAINING:
 *
 * "disk_remaining": disk_total - disk_processed, CAIRN_TYPED_PARAM_ULLONG.
 * Since: 0.1.0
 */
#define CAIRN_DOMAIN_JOB_DISK_REMAINING "disk_remaining"

/**
 * CAIRN_DOMAIN_JOB_DISK_TEMP_USED:
 *
 * "disk_temp_used": bytes of scratch space a pull backup uses,
 * CAIRN_TYPED_PARAM_ULLONG. Since: 0.1.0
 */
#define CAIRN_DOMAIN_JOB_DISK_TEMP_USED "disk_temp_used"

/**
 * CAIRN_DOMAIN_JOB_DISK_TEMP_TOTAL:
 *
 * "disk_temp_total": bytes of scratch space a pull backup may use,
 * CAIRN_TYPED_PARAM_ULLONG. Since: 0.1.0
 */
#define CAIRN_DOMAIN_JOB_DISK_TEMP_TOTAL "disk_temp_total"

/**
 * CAIRN_DOMAIN_JOB_SUCCESS:
 *
 * "success": whether a finished job succeeded, CAIRN_TYPED_PARAM_BOOLEAN;
 * only in completed-job statistics. Since: 0.1.0
 */
#define CAIRN_DOMAIN_JOB_SUCCESS "success"

/**
 * CAIRN_DOMAIN_JOB_ERRMSG:
 *
 * "errmsg": the first error a finished job met, CAIRN_TYPED_PARAM_STRING;
 * optional. Since: 0.1.0
 */
#define CAIRN_DOMAIN_JOB_ERRMSG "errmsg"

int cairnDomainGetJobInfo(cairnDomainPtr domain, cairnDomainJobInfoPtr info);
int cairnDomainGetJobStats(cairnDomainPtr domain,
                           int *type,
                           cairnTypedParameterPtr *params,
                           int *nparams,
                           unsigned int flags);
int cairnDomainAbortJob(cairnDomainPtr domain);
int cairnDomainAbortJobFlags(cairnDomainPtr domain, unsigned int flags);

/**
 * cairnDomainBlockJobCursor:
 *
 * A position in a block job, in bytes (libvirt's unit for pull jobs).
 *
 * Since: 0.1.0
 */
typedef unsigned long long cairnDomainBlockJobCursor;

/**
 * cairnDomainBlockJobInfo:
 *
 * The progress of a block job on one disk (cairnDomainGetBlockJobInfo()):
 * @type a cairnDomainBlockJobType, @bandwidth the speed limit (MiB/s, or
 * bytes/s with CAIRN_DOMAIN_BLOCK_JOB_INFO_BANDWIDTH_BYTES; 0 for none),
 * @cur of @end units done.
 *
 * Since: 0.1.0
 */
typedef struct _cairnDomainBlockJobInfo cairnDomainBlockJobInfo;
typedef cairnDomainBlockJobInfo *cairnDomainBlockJobInfoPtr;
struct _cairnDomainBlockJobInfo {
    int type;
    unsigned long bandwidth;
    cairnDomainBlockJobCursor cur;
    cairnDomainBlockJobCursor end;
};

/**
 * cairnDomainBlockJobInfoFlags:
 *
 * Since: 0.1.0
 */
typedef enum {
    /* bandwidth in bytes/s instead of MiB/s. Since: 0.1.0 */
    CAIRN_DOMAIN_BLOCK_JOB_INFO_BANDWIDTH_BYTES = 1 << 0
} cairnDomainBlockJobInfoFlags;

/**
 * cairnDomainBlockJobAbortFlags:
 *
 * Since: 0.1.0
 */
typedef enum {
    /* return once the cancel is requested. Since: 0.1.0 */
    CAIRN_DOMAIN_BLOCK_JOB_ABORT_ASYNC = 1 << 0,
    /* pivot to the copy (copy and active commit jobs only). Since: 0.1.0 */
    CAIRN_DOMAIN_BLOCK_JOB_ABORT_PIVOT = 1 << 1
} cairnDomainBlockJobAbortFlags;

/**
 * cairnDomainBlockPullFlags:
 *
 * Since: 0.1.0
 */
typedef enum {
    /* bandwidth in bytes/s instead of MiB/s. Since: 0.1.0 */
    CAIRN_DOMAIN_BLOCK_PULL_BANDWIDTH_BYTES = 1 << 6
} cairnDomainBlockPullFlags;

int cairnDomainBlockPull(cairnDomainPtr dom,
                         const char *disk,
                         unsigned long bandwidth,
                         unsigned int flags);
int cairnDomainGetBlockJobInfo(cairnDomainPtr dom,
                               const char *disk,
                               cairnDomainBlockJobInfoPtr info,
                               unsigned int flags);
int cairnDomainBlockJobAbort(cairnDomainPtr dom, const char *disk, unsigned int flags);

#ifdef __cplusplus
}
#endif

#endif /* CAIRN_DOMAIN_JOB_H */
