/*
 * qemu_backup_end.c: per-disk completion, termination, abort and
 * rollback of a backup (see qemu_backup_end.h).
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cairn/cairn-error.h"
#include "conf/backup_job.h"
#include "hypervisor/domain_checkpoint.h"
#include "qemu_backup_end.h"
#include "qemu_backup_fleece.h"
#include "qemu_backup_storage.h"
#include "qemu_blockhost.h"
#include "qemu_checkpoint_meta.h"
#include "qemu_monitor_cmd.h"
#include "qemu_process.h"
#include "util/cairncrash.h"
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


/* BLOCK_JOB and BLOCK_JOB_2 of a disk that ended. */
static void
qemuBackupEmitBlockJob(qemuBackupCtx *ctx, const cairnBackupDiskDef *disk)
{
    cairnBackupEmitBlockJob(ctx->conn, qemuDomainObjGetDef(ctx->obj), qemuDomainObjGetID(ctx->obj),
                            disk);
}


/* Record @job as it is now; a failure is logged (the step goes on: what
 * it removes is removed whatever the record says). */
static void
qemuBackupRecord(qemuBackupCtx *ctx, const qemuBackupJob *job)
{
    g_autoptr(GError) err = NULL;

    if (!qemuBackupJobSave(ctx->drv, ctx->obj->name, job, &err))
        qemuBackupLogError("saving job", &err);
}


/* Move @job to phase @next and record it (see qemuBackupRecord()). */
static void
qemuBackupRecordPhase(qemuBackupCtx *ctx, qemuBackupJob *job, cairnBackupPhase next)
{
    g_autoptr(GError) err = NULL;

    if (job->phase == next)
        return;
    if (!cairnBackupPhaseAdvance(&job->phase, next, &err)) {
        qemuBackupLogError("phase", &err);
        job->phase = next;
    }
    qemuBackupRecord(ctx, job);
}


/* ---- what Cairn made in QEMU ------------------------------------------- */

/* Force-cancel QEMU job @id and wait until it concluded. */
static void
qemuBackupCancelWait(qemuBackupCtx *ctx, const char *id)
{
    g_autoptr(qemuMonitorEventWaiter) waiter =
        qemuMonitorJobWaiterNew(ctx->mon, id, QEMU_MONITOR_JOB_STATUS_CONCLUDED);
    g_autoptr(JsonObject) data = NULL;
    g_autoptr(GError) err = NULL;

    if (!qemuMonitorJobCancel(ctx->mon, id, &err)) {
        qemuBackupLogError("job-cancel", &err);
        return;
    }
    if (!(data = qemuMonitorEventWaiterWait(waiter, QEMU_BACKUP_CANCEL_TIMEOUT_MS, &err)))
        qemuBackupLogError("waiting for a cancelled job", &err);
}


/* The server's UNIX socket, which QEMU leaves behind when it stops the
 * server or dies (only a socket is removed, never another file). */
static void
qemuBackupRemoveSocket(const qemuBackupJob *job)
{
    const cairnBackupServerDef *srv = job->def->server;
    struct stat st;

    if (!qemuBackupIsPull(job) || !srv || srv->transport != CAIRN_BACKUP_TRANSPORT_UNIX ||
        !srv->socket || lstat(srv->socket, &st) < 0 || !S_ISSOCK(st.st_mode))
        return;
    if (unlink(srv->socket) < 0 && errno != ENOENT)
        g_debug("backup cleanup, socket '%s': %s", srv->socket, g_strerror(errno));
}


/* Cancel and dismiss every QEMU job @job's record names (disk jobs, and
 * the blockdev-create of a store) that still exists; true if some disk
 * job existed, i.e. the begin's transaction ran. */
static bool
qemuBackupClearQemuJobs(qemuBackupCtx *ctx, const qemuBackupJob *job)
{
    g_autoptr(GPtrArray) qjobs = NULL;
    g_autoptr(GError) err = NULL;
    bool ran = false;

    if (!ctx->mon || !(qjobs = qemuMonitorQueryJobs(ctx->mon, &err))) {
        qemuBackupLogError("query-jobs", &err);
        return false;
    }
    for (guint i = 0; i < job->disks->len; i++) {
        qemuBackupJobDisk *jd = g_ptr_array_index(job->disks, i);
        g_autofree char *create = g_strdup_printf("create-%s", jd->store_storage);
        const char *ids[] = { jd->job_id, jd->store_storage ? create : NULL };

        for (guint k = 0; k < G_N_ELEMENTS(ids); k++) {
            qemuMonitorJobInfo *qjob = ids[k] ? qemuMonitorJobInfoFind(qjobs, ids[k]) : NULL;

            if (!qjob)
                continue;
            ran |= k == 0;
            if (qjob->status != QEMU_MONITOR_JOB_STATUS_CONCLUDED)
                qemuBackupCancelWait(ctx, ids[k]);
            if (!qemuMonitorJobDismiss(ctx->mon, ids[k], &err))
                qemuBackupLogError("job-dismiss", &err);
        }
    }
    return ran;
}


static void
qemuBackupStopServer(qemuBackupCtx *ctx, qemuBackupJob *job)
{
    g_autoptr(GError) err = NULL;

    for (guint i = 0; i < job->disks->len; i++) {
        qemuBackupJobDisk *jd = g_ptr_array_index(job->disks, i);

        if (jd->export_id && ctx->mon &&
            !qemuMonitorBlockExportDel(ctx->mon, jd->export_id, true, &err))
            qemuBackupLogError("block-export-del", &err);
        g_clear_pointer(&jd->export_id, g_free);
    }
    if (job->nbd_server && ctx->mon && !qemuMonitorNBDServerStop(ctx->mon, &err))
        qemuBackupLogError("nbd-server-stop", &err);
    if (job->nbd_server)
        qemuBackupRemoveSocket(job);
    job->nbd_server = false;
}


/* Remove the temporary bitmap and detach the store of one disk. */
static void
qemuBackupDiskRelease(qemuBackupCtx *ctx, const qemuBackupJob *job, qemuBackupJobDisk *jd)
{
    g_autoptr(GError) err = NULL;

    if (jd->bitmap && ctx->mon &&
        !qemuMonitorBitmapRemove(ctx->mon, jd->bitmap_node, jd->bitmap, &err))
        qemuBackupLogError("block-dirty-bitmap-remove", &err);
    g_clear_pointer(&jd->bitmap, g_free);
    g_clear_pointer(&jd->bitmap_node, g_free);
    /* The fleecing nodes sit between the device and the disk, and the
     * job's read node above them: they go before the target. */
    qemuBackupFleeceRemove(ctx->mon, jd, qemuBackupDefDisk(job, jd)->fleece);
    /* A node QEMU refused to let go keeps its name (retried later; a push
     * target left so fails its backup in qemuBackupSyncTargets). Without
     * QEMU there is nothing left to detach. */
    if (ctx->mon) {
        qemuBackupStoreDetach(ctx->mon, jd);
    } else {
        g_clear_pointer(&jd->store_format, g_free);
        g_clear_pointer(&jd->store_storage, g_free);
    }
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


bool
qemuBackupResume(qemuBackupCtx *ctx, qemuBackupJob *job, GError **error)
{
    if (!job->paused)
        return true;
    if (ctx->mon && !qemuMonitorCont(ctx->mon, error))
        return false;
    job->paused = false;
    return qemuBackupJobSave(ctx->drv, ctx->obj->name, job, error);
}


/* ---- termination ------------------------------------------------------- */

/* A completed push is durable before it is reported: its targets were
 * written without flushes (qemu_backup_storage.h), so each is detached
 * first (QEMU writes what it still caches of it), then synced with its
 * directory. Detaching again is harmless: a disk's end did it already
 * unless the process died between. Idempotent, and before the phase
 * 'terminating' is recorded: a process killed during it or right after
 * (crash point backup-end-disk-released is the same state) syncs again. */
static bool
qemuBackupSyncTargets(qemuBackupCtx *ctx, qemuBackupJob *job, GError **error)
{
    if (qemuBackupIsPull(job))
        return true;
    for (guint i = 0; i < job->disks->len; i++) {
        qemuBackupJobDisk *jd = g_ptr_array_index(job->disks, i);
        const char *node = jd->store_format ? jd->store_format : jd->store_storage;

        /* A target still attached holds metadata only QEMU has seen
         * (written without flushes): it must be detached by QEMU, or the
         * file synced is not the backup. */
        if (node && !ctx->mon) {
            cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_FAILED,
                          "backup target of disk '%s' was not detached before QEMU went away",
                          jd->name);
            return false;
        }
        qemuBackupDiskRelease(ctx, job, jd);
        if ((node = jd->store_format ? jd->store_format : jd->store_storage)) {
            cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_FAILED,
                          "backup target of disk '%s' cannot be detached from QEMU (node '%s' is "
                          "still attached): its data are not known to be complete",
                          jd->name, node);
            return false;
        }
    }
    for (guint i = 0; i < job->disks->len; i++) {
        const char *path = qemuBackupStorePath(job, g_ptr_array_index(job->disks, i));

        if (path && !qemuBackupStoreSync(path, error))
            return false;
    }
    return true;
}


/* End the job as @type: recorded first (phase terminating), so that an
 * interrupted termination is finished by the next call with that type. */
static void
qemuBackupTerminate(qemuBackupCtx *ctx, qemuBackupJob *job, cairnDomainJobType type)
{
    g_autoptr(GError) err = NULL;

    if (job->phase != CAIRN_BACKUP_PHASE_TERMINATING) {
        /* A target that cannot be made durable fails the backup. */
        if (type == CAIRN_DOMAIN_JOB_COMPLETED && !qemuBackupSyncTargets(ctx, job, &err)) {
            qemuBackupJobSetError(job, err->message);
            g_clear_error(&err);
            type = CAIRN_DOMAIN_JOB_FAILED;
        }
        job->end_type = type;
        qemuBackupRecordPhase(ctx, job, CAIRN_BACKUP_PHASE_TERMINATING);
        cairnCrashPoint(CAIRN_CRASH_BACKUP_END_TERMINATING);
    } else if (job->end_type == CAIRN_DOMAIN_JOB_COMPLETED &&
               !qemuBackupSyncTargets(ctx, job, &err)) {
        /* Recorded complete by a process that died: synced again. */
        qemuBackupLogError("syncing targets", &err);
    }
    type = job->end_type;
    job->data->type = type;
    job->data->time_elapsed = (unsigned long long)MAX(0, g_get_real_time() / 1000 - job->start_ms);
    qemuBackupClearQemuJobs(ctx, job);
    qemuBackupStopServer(ctx, job);
    for (guint i = 0; i < job->disks->len; i++)
        qemuBackupDiskRelease(ctx, job, g_ptr_array_index(job->disks, i));
    qemuBackupDeleteFiles(job, type);
    cairnCrashPoint(CAIRN_CRASH_BACKUP_END_RELEASED);
    if (!qemuBackupCompletedSave(ctx->drv, ctx->obj->name, job->data, &err))
        qemuBackupLogError("saving completed job", &err);
    if (!qemuBackupJobRemove(ctx->drv, ctx->obj->name, &err))
        qemuBackupLogError("removing job", &err);
    cairnCrashPoint(CAIRN_CRASH_BACKUP_END_REMOVED);
    /* Before the event: whoever hears it may start the domain at once. */
    qemuBackupStopDaemon(ctx, job);
    cairnBackupEmitJobCompleted(ctx->conn, qemuDomainObjGetDef(ctx->obj),
                                qemuDomainObjGetID(ctx->obj), job->data);
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
    qemuBackupTerminate(ctx, job, CAIRN_DOMAIN_JOB_FAILED);
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
qemuBackupDiskEnd(qemuBackupCtx *ctx,
                  qemuBackupJob *job,
                  qemuBackupJobDisk *jd,
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
    qemuBackupRecord(ctx, job);
    cairnCrashPoint(CAIRN_CRASH_BACKUP_END_DISK_RECORDED);
    if (qjob && !qemuMonitorJobDismiss(ctx->mon, jd->job_id, &err))
        qemuBackupLogError("job-dismiss", &err);
    /* Pull: the first disk to end takes the server down (libvirt). */
    if (qemuBackupIsPull(job))
        qemuBackupStopServer(ctx, job);
    qemuBackupDiskRelease(ctx, job, jd);
    cairnCrashPoint(CAIRN_CRASH_BACKUP_END_DISK_RELEASED);
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


/* Every running disk becomes cancelling (recorded), then every
 * cancelling disk's job is force-cancelled: an abort found interrupted is
 * completed by the next abort. A cancel that fails because the job
 * concluded meanwhile is left to the next collection. */
static void
qemuBackupCancelRunning(qemuBackupCtx *ctx, qemuBackupJob *job, GPtrArray *waiters)
{
    for (guint i = 0; i < job->disks->len; i++) {
        cairnBackupDiskDef *disk = qemuBackupDefDisk(job, g_ptr_array_index(job->disks, i));

        if (disk->state == CAIRN_BACKUP_DISK_STATE_RUNNING)
            cairnBackupDiskApply(disk, CAIRN_BACKUP_VERB_CANCEL, NULL);
    }
    qemuBackupRecord(ctx, job);
    cairnCrashPoint(CAIRN_CRASH_BACKUP_ABORT_RECORDED);
    for (guint i = 0; i < job->disks->len; i++) {
        qemuBackupJobDisk *jd = g_ptr_array_index(job->disks, i);
        cairnBackupDiskDef *disk = qemuBackupDefDisk(job, jd);
        g_autoptr(qemuMonitorEventWaiter) waiter = NULL;
        g_autoptr(GError) err = NULL;

        if (disk->state != CAIRN_BACKUP_DISK_STATE_CANCELLING || !ctx->mon)
            continue;
        if (waiters)
            waiter =
                qemuMonitorJobWaiterNew(ctx->mon, jd->job_id, QEMU_MONITOR_JOB_STATUS_CONCLUDED);
        if (!qemuMonitorBlockJobCancel(ctx->mon, jd->job_id, true, &err)) {
            qemuBackupLogError("block-job-cancel", &err);
            continue;
        }
        if (waiters)
            g_ptr_array_add(waiters, g_steal_pointer(&waiter));
    }
    cairnCrashPoint(CAIRN_CRASH_BACKUP_ABORT_CANCELLED);
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


/* Phase committing found interrupted: the disks run, the exports are in
 * place; commit the recorded checkpoint unless its metadata was written,
 * then the job runs. */
static bool
qemuBackupFinishBegin(qemuBackupCtx *ctx, qemuBackupJob *job, GError **error)
{
    g_autoptr(cairnCheckpointDef) def = NULL;
    cairnMomentObj *node;

    if (job->chk_xml) {
        if (!(def = cairnCheckpointDefParseString(job->chk_xml, CAIRN_CHECKPOINT_PARSE_REDEFINE,
                                                  error)) ||
            !qemuCheckpointObjRefresh(ctx->drv, ctx->obj, error))
            return false;
        /* Its file may be written already, and it not yet current. */
        if (!(node = cairnMomentListLookup(ctx->obj->checkpoints, def->name)) &&
            (!(node = cairnCheckpointCommit(ctx->obj->checkpoints, &def, false, true, error)) ||
             !qemuCheckpointSaveDef(ctx->drv, ctx->obj, node, error))) {
            g_clear_pointer(&ctx->obj->checkpoint_files, g_hash_table_unref);
            return false;
        }
        cairnMomentListSetCurrent(ctx->obj->checkpoints, node);
        if (!qemuCheckpointSaveCurrent(ctx->drv, ctx->obj, error))
            return false;
    }
    g_clear_pointer(&job->chk_xml, g_free);
    return qemuBackupJobAdvance(ctx->drv, ctx->obj->name, job, CAIRN_BACKUP_PHASE_RUNNING, error);
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

    /* A begin that stopped the guest for its fleecing filters died. */
    if (!qemuBackupResume(ctx, job, error))
        return false;
    switch (cairnBackupPhaseRecovery(job->phase)) {
    case CAIRN_BACKUP_RECOVER_UNDO:
        qemuBackupRollback(ctx, job);
        return true;
    case CAIRN_BACKUP_RECOVER_TERMINATE:
        qemuBackupTerminate(ctx, job, job->end_type);
        return true;
    case CAIRN_BACKUP_RECOVER_COMMIT:
        if (!qemuBackupFinishBegin(ctx, job, error))
            return false;
        break;
    case CAIRN_BACKUP_RECOVER_RECONCILE:
        break;
    }
    if (!ctx->mon) {
        qemuBackupFailGone(ctx, job,
                           job->daemon_monitor ? "qemu-storage-daemon of the backup exited" :
                                                 "domain is not running");
        return true;
    }
    if (!(qjobs = qemuMonitorQueryJobs(ctx->mon, error)))
        return false;
    /* Settled even when no disk just ended: the last end may have been
     * recorded by a process that died before it terminated the job. */
    if (qemuBackupCollect(ctx, job, qjobs) ||
        cairnBackupJobNext(job->def, &(cairnDomainJobType){ 0 }) != CAIRN_BACKUP_NEXT_WAIT) {
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
    return (*ret_mon = qemuProcessAttach(drv, obj, error)) != NULL;
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


/* The bitmaps the begin's transaction made for the new checkpoint. */
static void
qemuBackupDropCheckpointBitmaps(qemuBackupCtx *ctx, const qemuBackupJob *job)
{
    for (guint i = 0; i < job->chk_bitmaps->len; i++) {
        qemuBackupJobBitmap *bitmap = g_ptr_array_index(job->chk_bitmaps, i);
        g_autoptr(GError) err = NULL;

        if (!qemuMonitorBitmapRemove(ctx->mon, bitmap->node, bitmap->name, &err))
            qemuBackupLogError("checkpoint bitmap", &err);
    }
}


void
qemuBackupRollback(qemuBackupCtx *ctx, qemuBackupJob *job)
{
    g_autoptr(GError) err = NULL;
    bool ran;

    qemuBackupRecordPhase(ctx, job, CAIRN_BACKUP_PHASE_ROLLBACK);
    if (!qemuBackupResume(ctx, job, &err))
        qemuBackupLogError("resuming the guest", &err);
    /* The transaction made bitmaps only if it ran (then its disk jobs
     * exist, auto-dismiss being off); bitmaps of the same names that it
     * did not make are left alone. */
    ran = qemuBackupClearQemuJobs(ctx, job);
    qemuBackupStopServer(ctx, job);
    /* The new checkpoint's bitmaps go first: a storage daemon stopped
     * below writes whatever persistent bitmap it still has. */
    if (ran)
        qemuBackupDropCheckpointBitmaps(ctx, job);
    for (guint i = 0; i < job->disks->len; i++) {
        qemuBackupJobDisk *jd = g_ptr_array_index(job->disks, i);

        if (!ran)
            g_clear_pointer(&jd->bitmap, g_free);
        qemuBackupDiskRelease(ctx, job, jd);
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
