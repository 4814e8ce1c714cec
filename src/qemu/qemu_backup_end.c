/*
 * qemu_backup_end.c: per-disk completion, termination, abort and
 * rollback of a backup (see qemu_backup_end.h).
 */
#include <string.h>

#include "cairn/cairn-error.h"
#include "conf/backup_job.h"
#include "conf/domain_event.h"
#include "conf/object_event.h"
#include "qemu_backup_end.h"
#include "qemu_backup_storage.h"
#include "qemu_blockhost.h"
#include "qemu_monitor_cmd.h"
#include "qemu_process.h"
#include "util/cairnerror.h"

#define FROM CAIRN_FROM_QEMU

/* How long a cancelled disk job may take to conclude. */
#define QEMU_BACKUP_CANCEL_TIMEOUT_MS 30000


/* ---- helpers ----------------------------------------------------------- */

static cairnBackupDiskDef *
qemuBackupDefDisk(const qemuBackupJob *job, const qemuBackupJobDisk *jd)
{
    cairnBackupDiskDef *disk = cairnBackupDefFindDisk(job->def, jd->name);

    g_assert(disk);
    return disk;
}


static const char *
qemuBackupStorePath(const qemuBackupJob *job, const qemuBackupJobDisk *jd)
{
    cairnBackupDiskDef *disk = qemuBackupDefDisk(job, jd);

    return disk->store ? disk->store->path : NULL;
}


static bool
qemuBackupIsPull(const qemuBackupJob *job)
{
    return job->def->type == CAIRN_BACKUP_TYPE_PULL;
}


static void
qemuBackupLogError(const char *what, GError **err)
{
    if (*err)
        g_debug("backup cleanup, %s: %s", what, (*err)->message);
    g_clear_error(err);
}


static int
qemuBackupBlockJobStatus(cairnBackupDiskState state)
{
    switch (state) {
    case CAIRN_BACKUP_DISK_STATE_COMPLETE:
        return CAIRN_DOMAIN_BLOCK_JOB_COMPLETED;
    case CAIRN_BACKUP_DISK_STATE_CANCELLED:
        return CAIRN_DOMAIN_BLOCK_JOB_CANCELED;
    case CAIRN_BACKUP_DISK_STATE_FAILED:
    case CAIRN_BACKUP_DISK_STATE_NONE:
    case CAIRN_BACKUP_DISK_STATE_RUNNING:
    case CAIRN_BACKUP_DISK_STATE_CANCELLING:
    case CAIRN_BACKUP_DISK_STATE_LAST:
        break;
    }
    return CAIRN_DOMAIN_BLOCK_JOB_FAILED;
}


/* BLOCK_JOB (by source path) and BLOCK_JOB_2 (by target), as libvirt. */
static void
qemuBackupEmitBlockJob(qemuBackupCtx *ctx, const cairnBackupDiskDef *disk)
{
    const cairnDomainDef *def = qemuDomainObjGetDef(ctx->obj);
    const cairnDomainDiskDef *domdisk = cairnDomainDiskByTarget(def, disk->name);
    int status = qemuBackupBlockJobStatus(disk->state);
    int id = qemuDomainObjGetID(ctx->obj);

    if (!ctx->conn)
        return;
    if (domdisk && domdisk->src)
        cairnConnectEmitEvent(ctx->conn,
                              cairnDomainEventBlockJobNew(def->name, def->uuid, id,
                                                          CAIRN_DOMAIN_EVENT_ID_BLOCK_JOB,
                                                          domdisk->src,
                                                          CAIRN_DOMAIN_BLOCK_JOB_TYPE_BACKUP,
                                                          status));
    cairnConnectEmitEvent(ctx->conn, cairnDomainEventBlockJobNew(
                                         def->name, def->uuid, id,
                                         CAIRN_DOMAIN_EVENT_ID_BLOCK_JOB_2, disk->name,
                                         CAIRN_DOMAIN_BLOCK_JOB_TYPE_BACKUP, status));
}


/* ---- what Cairn made in QEMU ------------------------------------------- */

static void
qemuBackupStopServer(qemuBackupCtx *ctx, qemuBackupJob *job)
{
    g_autoptr(GError) err = NULL;

    for (guint i = 0; i < job->disks->len; i++) {
        qemuBackupJobDisk *jd = g_ptr_array_index(job->disks, i);

        if (jd->export_id && ctx->mon && !qemuMonitorBlockExportDel(ctx->mon, jd->export_id,
                                                                    true, &err))
            qemuBackupLogError("block-export-del", &err);
        g_clear_pointer(&jd->export_id, g_free);
    }
    if (job->nbd_server && ctx->mon && !qemuMonitorNBDServerStop(ctx->mon, &err))
        qemuBackupLogError("nbd-server-stop", &err);
    job->nbd_server = false;
}


/* Remove the temporary bitmap and detach the store of one disk. */
static void
qemuBackupDiskRelease(qemuBackupCtx *ctx, qemuBackupJobDisk *jd)
{
    g_autoptr(GError) err = NULL;

    if (jd->bitmap && ctx->mon &&
        !qemuMonitorBitmapRemove(ctx->mon, jd->bitmap_node, jd->bitmap, &err))
        qemuBackupLogError("block-dirty-bitmap-remove", &err);
    g_clear_pointer(&jd->bitmap, g_free);
    g_clear_pointer(&jd->bitmap_node, g_free);
    if (ctx->mon)
        qemuBackupStoreDetach(ctx->mon, jd);
    g_clear_pointer(&jd->store_format, g_free);
    g_clear_pointer(&jd->store_storage, g_free);
}


/* Delete the store files the terminated job of type @type must not leave:
 * scratch files always, push targets unless the backup completed. */
static void
qemuBackupDeleteFiles(qemuBackupJob *job, cairnDomainJobType type)
{
    bool keep = !qemuBackupIsPull(job) && type == CAIRN_DOMAIN_JOB_COMPLETED;

    for (guint i = 0; i < job->disks->len; i++) {
        qemuBackupJobDisk *jd = g_ptr_array_index(job->disks, i);

        if (!keep)
            qemuBackupStoreDelete(jd, qemuBackupStorePath(job, jd));
    }
}


/* A job of a shut-off domain: its storage daemon goes with it (quit over
 * ctx->mon when connected, which writes the persistent bitmaps). */
static void
qemuBackupStopDaemon(qemuBackupCtx *ctx, const qemuBackupJob *job)
{
    g_autofree char *pidfile = NULL;
    g_autofree char *log = NULL;

    if (!job->daemon_monitor)
        return;
    qemuBlockHostDaemonPaths(ctx->drv, ctx->obj->name, NULL, &pidfile, &log);
    qemuBlockHostDaemonStop(ctx->mon, job->daemon_pid, job->daemon_monitor, pidfile, log);
}


/* ---- termination ------------------------------------------------------- */

static void
qemuBackupTerminate(qemuBackupCtx *ctx, qemuBackupJob *job, cairnDomainJobType type)
{
    const cairnDomainDef *def = qemuDomainObjGetDef(ctx->obj);
    g_autoptr(GError) err = NULL;
    cairnTypedParameter *params = NULL;
    int nparams = 0;
    int ignored;

    qemuBackupStopServer(ctx, job);
    for (guint i = 0; i < job->disks->len; i++)
        qemuBackupDiskRelease(ctx, g_ptr_array_index(job->disks, i));
    qemuBackupDeleteFiles(job, type);
    job->data->type = type;
    job->data->time_elapsed = (unsigned long long)MAX(0, g_get_real_time() / 1000 - job->start_ms);
    if (!qemuBackupCompletedSave(ctx->drv, ctx->obj->name, job->data, &err))
        qemuBackupLogError("saving completed job", &err);
    if (!qemuBackupJobRemove(ctx->drv, ctx->obj->name, &err))
        qemuBackupLogError("removing job", &err);
    /* Before the event: whoever hears it may start the domain at once. */
    qemuBackupStopDaemon(ctx, job);
    if (!ctx->conn)
        return;
    cairnDomainJobDataToParams(job->data, &ignored, &params, &nparams);
    cairnConnectEmitEvent(ctx->conn,
                          cairnDomainEventJobCompletedNew(def->name, def->uuid,
                                                          qemuDomainObjGetID(ctx->obj), params,
                                                          nparams));
}


/* The process running @job is gone: the backup terminates as failed
 * with @why, without QMP; its files go as for any failed backup. */
static void
qemuBackupFailGone(qemuBackupCtx *ctx, qemuBackupJob *job, const char *why)
{
    for (guint i = 0; i < job->def->disks->len; i++) {
        cairnBackupDiskDef *disk = g_ptr_array_index(job->def->disks, i);

        if (disk->backup && (disk->state == CAIRN_BACKUP_DISK_STATE_RUNNING ||
                             disk->state == CAIRN_BACKUP_DISK_STATE_CANCELLING)) {
            cairnBackupDiskApply(disk, CAIRN_BACKUP_VERB_FINISH_ERROR, NULL);
            qemuBackupEmitBlockJob(ctx, disk);
        }
    }
    qemuBackupJobSetError(job, why);
    job->nbd_server = false;
    qemuBackupTerminate(ctx, job, CAIRN_DOMAIN_JOB_FAILED);
}


void
qemuBackupDomainStopped(qemuDriverState *drv, qemuDomainObj *obj)
{
    g_autoptr(qemuBackupJob) job = NULL;
    g_autoptr(GError) err = NULL;
    qemuBackupCtx ctx = { .drv = drv, .obj = obj, .conn = drv->conn };

    if (!qemuBackupJobExists(drv, obj->name))
        return;
    if (!qemuBackupJobLoad(drv, obj->name, &job, &err) || !job) {
        qemuBackupLogError("loading job", &err);
        qemuBackupJobRemove(drv, obj->name, NULL);
        return;
    }
    /* A job of its own storage daemon (begun while shut off) does not
     * depend on the domain's QEMU. */
    if (job->daemon_monitor)
        return;
    qemuBackupFailGone(&ctx, job, "domain is not running");
}


/* ---- per-disk end ------------------------------------------------------ */

static void
qemuBackupAccount(qemuBackupJob *job, qemuBackupJobDisk *jd, const qemuMonitorJobInfo *qjob)
{
    if (qjob) {
        jd->total = (guint64)MAX(0, qjob->total_progress);
        jd->processed = (guint64)MAX(0, qjob->current_progress);
    }
    if (qemuBackupIsPull(job)) {
        job->data->temp_total += jd->total;
        job->data->temp_used += jd->processed;
    } else {
        job->data->disk_total += jd->total;
        job->data->disk_processed += jd->processed;
    }
}


/* The disk's QEMU job concluded (@qjob) or vanished (NULL). */
static void
qemuBackupDiskEnd(qemuBackupCtx *ctx, qemuBackupJob *job, qemuBackupJobDisk *jd,
                  const qemuMonitorJobInfo *qjob)
{
    cairnBackupDiskDef *disk = qemuBackupDefDisk(job, jd);
    g_autoptr(GError) err = NULL;
    cairnBackupVerb verb = CAIRN_BACKUP_VERB_FINISH_OK;

    if (!qjob)
        qemuBackupJobSetError(job, "backup job vanished from QEMU");
    else if (qjob->error)
        qemuBackupJobSetError(job, qjob->error);
    if (disk->state == CAIRN_BACKUP_DISK_STATE_CANCELLING)
        verb = CAIRN_BACKUP_VERB_FINISH_CANCEL;
    else if (!qjob || qjob->error)
        verb = CAIRN_BACKUP_VERB_FINISH_ERROR;
    cairnBackupDiskApply(disk, verb, NULL);
    qemuBackupAccount(job, jd, qjob);
    if (qjob && !qemuMonitorJobDismiss(ctx->mon, jd->job_id, &err))
        qemuBackupLogError("job-dismiss", &err);
    /* Pull: the first disk to end takes the server down (libvirt). */
    if (qemuBackupIsPull(job))
        qemuBackupStopServer(ctx, job);
    qemuBackupDiskRelease(ctx, jd);
    qemuBackupEmitBlockJob(ctx, disk);
}


static bool
qemuBackupDiskIsActive(const cairnBackupDiskDef *disk)
{
    return disk->state == CAIRN_BACKUP_DISK_STATE_RUNNING ||
           disk->state == CAIRN_BACKUP_DISK_STATE_CANCELLING;
}


/* End every disk whose job concluded; true if some did. */
static bool
qemuBackupCollect(qemuBackupCtx *ctx, qemuBackupJob *job, GPtrArray *qjobs)
{
    bool changed = false;

    for (guint i = 0; i < job->disks->len; i++) {
        qemuBackupJobDisk *jd = g_ptr_array_index(job->disks, i);
        qemuMonitorJobInfo *qjob = qemuMonitorJobInfoFind(qjobs, jd->job_id);

        if (!qemuBackupDiskIsActive(qemuBackupDefDisk(job, jd)))
            continue;
        if (qjob && qjob->status != QEMU_MONITOR_JOB_STATUS_CONCLUDED)
            continue;
        qemuBackupDiskEnd(ctx, job, jd, qjob);
        changed = true;
    }
    return changed;
}


/* Force-cancel every running disk job (a cancel that fails because the
 * job concluded meanwhile is left to the next collection). */
static void
qemuBackupCancelRunning(qemuBackupCtx *ctx, qemuBackupJob *job, GPtrArray *waiters)
{
    for (guint i = 0; i < job->disks->len; i++) {
        qemuBackupJobDisk *jd = g_ptr_array_index(job->disks, i);
        cairnBackupDiskDef *disk = qemuBackupDefDisk(job, jd);
        g_autoptr(qemuMonitorEventWaiter) waiter = NULL;
        g_autoptr(GError) err = NULL;

        if (disk->state != CAIRN_BACKUP_DISK_STATE_RUNNING)
            continue;
        if (waiters)
            waiter = qemuMonitorJobWaiterNew(ctx->mon, jd->job_id,
                                             QEMU_MONITOR_JOB_STATUS_CONCLUDED);
        if (!qemuMonitorBlockJobCancel(ctx->mon, jd->job_id, true, &err)) {
            qemuBackupLogError("block-job-cancel", &err);
            continue;
        }
        cairnBackupDiskApply(disk, CAIRN_BACKUP_VERB_CANCEL, NULL);
        if (waiters)
            g_ptr_array_add(waiters, g_steal_pointer(&waiter));
    }
}


/* After disks ended: cancel the rest or terminate (spec/semantics.md 7.2
 * step 3). Returns true when the job terminated. */
static bool
qemuBackupSettle(qemuBackupCtx *ctx, qemuBackupJob *job)
{
    cairnDomainJobType type = CAIRN_DOMAIN_JOB_COMPLETED;

    switch (cairnBackupJobNext(job->def, &type)) {
    case CAIRN_BACKUP_NEXT_WAIT:
        return false;
    case CAIRN_BACKUP_NEXT_CANCEL_REST:
        qemuBackupCancelRunning(ctx, job, NULL);
        return false;
    case CAIRN_BACKUP_NEXT_TERMINATE:
        qemuBackupTerminate(ctx, job, type);
        return true;
    }
    return false;
}


/* A job file whose disks never started: a begin that died half-way. */
static bool
qemuBackupIsStillborn(const qemuBackupJob *job)
{
    for (guint i = 0; i < job->def->disks->len; i++) {
        const cairnBackupDiskDef *disk = g_ptr_array_index(job->def->disks, i);

        if (disk->backup && disk->state == CAIRN_BACKUP_DISK_STATE_NONE)
            return true;
    }
    return false;
}


/* Reconcile the loaded @job (stolen) through ctx->mon, which is NULL when
 * the process running the job is gone. */
static bool
qemuBackupReconcileJob(qemuBackupCtx *ctx,
                       qemuBackupJob *owned,
                       qemuBackupJob **ret_job,
                       GPtrArray **ret_jobs,
                       GError **error)
{
    g_autoptr(qemuBackupJob) job = owned;
    g_autoptr(GPtrArray) qjobs = NULL;

    if (qemuBackupIsStillborn(job)) {
        qemuBackupRollback(ctx, job);
        return true;
    }
    if (!ctx->mon) {
        qemuBackupFailGone(ctx, job,
                           job->daemon_monitor ? "qemu-storage-daemon of the backup exited" :
                                                 "domain is not running");
        return true;
    }
    if (!(qjobs = qemuMonitorQueryJobs(ctx->mon, error)))
        return false;
    if (qemuBackupCollect(ctx, job, qjobs)) {
        if (qemuBackupSettle(ctx, job))
            return true;
        if (!qemuBackupJobSave(ctx->drv, ctx->obj->name, job, error))
            return false;
        g_clear_pointer(&qjobs, g_ptr_array_unref);
        if (!(qjobs = qemuMonitorQueryJobs(ctx->mon, error)))
            return false;
    }
    if (ret_job)
        *ret_job = g_steal_pointer(&job);
    if (ret_jobs)
        *ret_jobs = g_steal_pointer(&qjobs);
    return true;
}


/* Load @ctx->obj's job; false on a read error, true with *@ret_job NULL
 * when there is none. */
static bool
qemuBackupLoad(qemuBackupCtx *ctx, qemuBackupJob **ret_job, GError **error)
{
    *ret_job = NULL;
    if (!qemuBackupJobExists(ctx->drv, ctx->obj->name))
        return true;
    return qemuBackupJobLoad(ctx->drv, ctx->obj->name, ret_job, error);
}


bool
qemuBackupReconcile(qemuBackupCtx *ctx,
                    qemuBackupJob **ret_job,
                    GPtrArray **ret_jobs,
                    GError **error)
{
    qemuBackupJob *job = NULL;

    if (ret_job)
        *ret_job = NULL;
    if (ret_jobs)
        *ret_jobs = NULL;
    if (!qemuBackupLoad(ctx, &job, error))
        return false;
    return !job || qemuBackupReconcileJob(ctx, job, ret_job, ret_jobs, error);
}


bool
qemuBackupJobMonitor(qemuDriverState *drv,
                     qemuDomainObj *obj,
                     const qemuBackupJob *job,
                     qemuMonitor **ret_mon,
                     GError **error)
{
    *ret_mon = NULL;
    if (job->daemon_monitor) {
        if (!qemuBlockHostDaemonAlive(job->daemon_pid, job->daemon_monitor))
            return true;
        return (*ret_mon =
                    qemuBlockHostDaemonAttach(job->daemon_pid, job->daemon_monitor, error)) != NULL;
    }
    if (!qemuDomainObjIsActive(obj))
        return true;
    return (*ret_mon = qemuProcessAttach(obj, error)) != NULL;
}


bool
qemuBackupReconcileDomain(qemuBackupCtx *ctx,
                          qemuMonitor **ret_mon,
                          qemuBackupJob **ret_job,
                          GPtrArray **ret_jobs,
                          GError **error)
{
    qemuBackupJob *job = NULL;

    *ret_mon = NULL;
    if (ret_job)
        *ret_job = NULL;
    if (ret_jobs)
        *ret_jobs = NULL;
    if (!qemuBackupLoad(ctx, &job, error))
        return false;
    if (!job) {
        if (!qemuDomainObjIsActive(ctx->obj))
            qemuBlockHostDaemonSweep(ctx->drv, ctx->obj->name);
        return true;
    }
    if (!qemuBackupJobMonitor(ctx->drv, ctx->obj, job, ret_mon, error)) {
        qemuBackupJobFree(job);
        return false;
    }
    ctx->mon = *ret_mon;
    return qemuBackupReconcileJob(ctx, job, ret_job, ret_jobs, error);
}


/* ---- abort and rollback ------------------------------------------------ */

static void
qemuBackupWaitAll(GPtrArray *waiters)
{
    for (guint i = 0; i < waiters->len; i++) {
        g_autoptr(JsonObject) data = NULL;
        g_autoptr(GError) err = NULL;

        if (!(data = qemuMonitorEventWaiterWait(g_ptr_array_index(waiters, i),
                                                QEMU_BACKUP_CANCEL_TIMEOUT_MS, &err)))
            qemuBackupLogError("waiting for a cancelled job", &err);
    }
}


bool
qemuBackupAbort(qemuBackupCtx *ctx, qemuBackupJob *job, GError **error)
{
    g_autoptr(GPtrArray) waiters =
        g_ptr_array_new_with_free_func((GDestroyNotify)qemuMonitorEventWaiterFree);

    if (!cairnBackupJobIsActive(job->def)) {
        qemuBackupTerminate(ctx, job, CAIRN_DOMAIN_JOB_CANCELLED);
        return true;
    }
    qemuBackupCancelRunning(ctx, job, waiters);
    if (!qemuBackupJobSave(ctx->drv, ctx->obj->name, job, error))
        return false;
    qemuBackupWaitAll(waiters);
    return qemuBackupReconcile(ctx, NULL, NULL, error);
}


/* Cancel and dismiss the disk jobs a failed begin had started. */
static void
qemuBackupRollbackJobs(qemuBackupCtx *ctx, qemuBackupJob *job)
{
    g_autoptr(GPtrArray) waiters =
        g_ptr_array_new_with_free_func((GDestroyNotify)qemuMonitorEventWaiterFree);
    g_autoptr(GError) err = NULL;

    qemuBackupCancelRunning(ctx, job, waiters);
    qemuBackupWaitAll(waiters);
    for (guint i = 0; i < job->disks->len; i++) {
        qemuBackupJobDisk *jd = g_ptr_array_index(job->disks, i);

        if (qemuBackupDiskIsActive(qemuBackupDefDisk(job, jd)) &&
            !qemuMonitorJobDismiss(ctx->mon, jd->job_id, &err))
            qemuBackupLogError("job-dismiss", &err);
    }
}


void
qemuBackupRollback(qemuBackupCtx *ctx, qemuBackupJob *job)
{
    g_autoptr(GError) err = NULL;

    if (ctx->mon)
        qemuBackupRollbackJobs(ctx, job);
    qemuBackupStopServer(ctx, job);
    for (guint i = 0; i < job->disks->len; i++) {
        qemuBackupJobDisk *jd = g_ptr_array_index(job->disks, i);

        qemuBackupDiskRelease(ctx, jd);
        qemuBackupStoreDelete(jd, qemuBackupStorePath(job, jd));
    }
    if (!qemuBackupJobRemove(ctx->drv, ctx->obj->name, &err))
        qemuBackupLogError("removing job", &err);
    qemuBackupStopDaemon(ctx, job);
}


/* ---- statistics -------------------------------------------------------- */

cairnDomainJobData *
qemuBackupRunningStats(const qemuBackupJob *job, GPtrArray *qjobs)
{
    cairnDomainJobData *data = cairnDomainJobDataCopy(job->data);

    data->type = CAIRN_DOMAIN_JOB_UNBOUNDED;
    data->time_elapsed = (unsigned long long)MAX(0, g_get_real_time() / 1000 - job->start_ms);
    for (guint i = 0; qjobs && i < job->disks->len; i++) {
        qemuBackupJobDisk *jd = g_ptr_array_index(job->disks, i);
        qemuMonitorJobInfo *qjob = qemuMonitorJobInfoFind(qjobs, jd->job_id);
        guint64 cur;
        guint64 total;

        if (!qjob || !qemuBackupDiskIsActive(qemuBackupDefDisk(job, jd)))
            continue;
        cur = (guint64)MAX(0, qjob->current_progress);
        total = (guint64)MAX(0, qjob->total_progress);
        if (qemuBackupIsPull(job)) {
            data->temp_used += cur;
            data->temp_total += total;
        } else {
            data->disk_processed += cur;
            data->disk_total += total;
        }
    }
    return data;
}
