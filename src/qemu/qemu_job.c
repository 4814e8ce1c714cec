/*
 * qemu_job.c: job info, statistics, abort and events of the qemu driver
 * (see qemu_job.h).
 */
#include <string.h>

#include "cairn/cairn-domain-backup.h"
#include "cairn/cairn-error.h"
#include "conf/object_event.h"
#include "qemu_backup_end.h"
#include "qemu_blockhost.h"
#include "qemu_call.h"
#include "qemu_job.h"
#include "qemu_process.h"
#include "util/cairnerror.h"

#define FROM CAIRN_FROM_QEMU


/* ---- one call ---------------------------------------------------------- */

/* Reconcile the locked, refreshed @call->obj, events to @conn. The job
 * runs in the domain's QEMU, or in a storage daemon of its own when it was
 * begun on the shut-off domain (qemuBackupJobMonitor() chooses). */
static bool
qemuJobCallReconcile(qemuJobCall *call, cairnConnect *conn, GError **error)
{
    qemuBackupCtx ctx = { .drv = call->drv, .obj = call->obj, .conn = conn };

    /* Cheap when there is no job: no QEMU is asked. */
    if (!qemuBackupJobExists(call->drv, call->obj->name) && qemuDomainObjIsActive(call->obj))
        return true;
    return qemuBackupReconcileDomain(&ctx, &call->mon, &call->job, &call->qjobs, error);
}


bool
qemuJobSettle(
    qemuDriverState *drv, qemuDomainObj *obj, cairnConnect *conn, bool *ret_busy, GError **error)
{
    g_auto(qemuJobCall) call = { .drv = drv, .obj = obj };

    *ret_busy = false;
    if (!qemuJobCallReconcile(&call, conn, error))
        return false;
    *ret_busy = call.job != NULL;
    return true;
}


bool
qemuJobCheckDisksFree(qemuDriverState *drv,
                      qemuDomainObj *obj,
                      cairnConnect *conn,
                      const char *action,
                      GError **error)
{
    bool busy = false;

    if (qemuDomainObjIsActive(obj))
        return true;
    if (!qemuJobSettle(drv, obj, conn, &busy, error))
        return false;
    return !busy || qemuBlockHostCheckFree(drv, obj, action, error);
}


bool
qemuJobCallBegin(qemuJobCall *call, cairnDomain *dom, int timeout_ms, GError **error)
{
    memset(call, 0, sizeof(*call));
    call->drv = qemuStateOf(dom->conn);
    /* While a backup runs, QEMU is asked how the guest is, so that a guest
     * that powered off ends the domain (and the backup) as libvirt does,
     * unless the backup preserves it. */
    if (!(call->obj =
              qemuCallBegin(call->drv, dom,
                            QEMU_CALL_NO_SETTLE |
                                (qemuBackupJobExists(call->drv, dom->name) ? QEMU_CALL_QUERY : 0),
                            timeout_ms, &call->lock, error)))
        return false;
    return qemuJobCallReconcile(call, dom->conn, error) &&
           qemuProcessEndPreservedShutdown(call->drv, call->obj, error);
}


void
qemuJobCallEnd(qemuJobCall *call)
{
    g_clear_pointer(&call->qjobs, g_ptr_array_unref);
    g_clear_pointer(&call->job, qemuBackupJobFree);
    g_clear_pointer(&call->mon, qemuMonitorClose);
    g_clear_pointer(&call->lock, cairnFileLockRelease);
}


/* ---- info, stats, abort ------------------------------------------------ */

bool
qemuDomainGetJobInfo(cairnDomain *dom, cairnDomainJobInfo *info, GError **error)
{
    qemuDriverState *drv = qemuStateOf(dom->conn);
    g_auto(qemuJobCall) call = { 0 };
    g_autoptr(cairnDomainJobData) data = NULL;
    QEMU_LOCK(drv);

    if (!qemuJobCallBegin(&call, dom, QEMU_LOCK_TIMEOUT_MS, error))
        return false;
    memset(info, 0, sizeof(*info));
    if (!call.job)
        return true;
    data = qemuBackupRunningStats(call.job, call.qjobs);
    cairnDomainJobDataToInfo(data, info);
    return true;
}


/* The last completed job's statistics; forgotten unless @keep. */
static bool
qemuJobCompletedStats(qemuJobCall *call, bool keep, cairnDomainJobData **ret_data, GError **error)
{
    if (!qemuBackupCompletedLoad(call->drv, call->obj->name, ret_data, error))
        return false;
    if (*ret_data && !keep && !qemuBackupCompletedRemove(call->drv, call->obj->name, error)) {
        g_clear_pointer(ret_data, cairnDomainJobDataFree);
        return false;
    }
    return true;
}


bool
qemuDomainGetJobStats(cairnDomain *dom,
                      int *type,
                      cairnTypedParameter **params,
                      int *nparams,
                      unsigned int flags,
                      GError **error)
{
    qemuDriverState *drv = qemuStateOf(dom->conn);
    g_auto(qemuJobCall) call = { 0 };
    g_autoptr(cairnDomainJobData) data = NULL;
    QEMU_LOCK(drv);

    if (!cairnCheckFlags(flags,
                         CAIRN_DOMAIN_JOB_STATS_COMPLETED | CAIRN_DOMAIN_JOB_STATS_KEEP_COMPLETED,
                         FROM, __func__, error) ||
        !qemuJobCallBegin(&call, dom, QEMU_LOCK_TIMEOUT_MS, error))
        return false;
    if (flags & CAIRN_DOMAIN_JOB_STATS_COMPLETED) {
        if (!qemuJobCompletedStats(&call, flags & CAIRN_DOMAIN_JOB_STATS_KEEP_COMPLETED, &data,
                                   error))
            return false;
    } else if (call.job) {
        data = qemuBackupRunningStats(call.job, call.qjobs);
    }
    if (!data) {
        *type = CAIRN_DOMAIN_JOB_NONE;
        *params = NULL;
        *nparams = 0;
        return true;
    }
    cairnDomainJobDataToParams(data, type, params, nparams);
    return true;
}


bool
qemuDomainAbortJob(cairnDomain *dom, unsigned int flags, GError **error)
{
    qemuDriverState *drv = qemuStateOf(dom->conn);
    g_auto(qemuJobCall) call = { 0 };
    qemuBackupCtx ctx = { .drv = drv, .conn = dom->conn };
    QEMU_LOCK(drv);

    if (!cairnCheckFlags(flags, CAIRN_DOMAIN_ABORT_JOB_POSTCOPY, FROM, __func__, error) ||
        !qemuJobCallBegin(&call, dom, QEMU_LOCK_TIMEOUT_MS, error))
        return false;
    /* libvirt 9.0's order (qemuDomainAbortJobFlags): the domain must be
     * active, then POSTCOPY needs an outgoing migration, then a job must
     * exist; so a shut-off domain without a job gets "domain is not
     * running", not "no job is active". A shut-off domain may have a
     * backup job here (run by a storage daemon), which can be aborted. */
    if (!call.job && !qemuDomainObjIsActive(call.obj)) {
        cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_INVALID, "domain is not running");
        return false;
    }
    if (flags & CAIRN_DOMAIN_ABORT_JOB_POSTCOPY) {
        cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_INVALID,
                      "current job is not outgoing migration in post-copy mode");
        return false;
    }
    if (!call.job) {
        cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_INVALID, "no job is active on the domain");
        return false;
    }
    ctx.obj = call.obj;
    ctx.mon = call.mon;
    return qemuBackupAbort(&ctx, call.job, error);
}


/* The participating disk of @job that @disk names, by target or by the
 * domain disk's source path. */
static qemuBackupJobDisk *
qemuJobFindDisk(qemuJobCall *call, const char *disk, GError **error)
{
    const cairnDomainDef *def = qemuDomainObjGetDef(call->obj);
    const cairnDomainDiskDef *domdisk = cairnDomainDiskByName(def, disk);
    qemuBackupJobDisk *jd;

    if (!domdisk) {
        cairnErrorSet(error, FROM, CAIRN_ERR_INVALID_ARG, "disk '%s' not found in domain", disk);
        return NULL;
    }
    if (!call->job || !(jd = qemuBackupJobFindDisk(call->job, domdisk->dst)) ||
        cairnBackupDefFindDisk(call->job->def, jd->name)->state !=
            CAIRN_BACKUP_DISK_STATE_RUNNING) {
        cairnErrorSet(error, FROM, CAIRN_ERR_INVALID_ARG,
                      "disk %s does not have an active block job", domdisk->dst);
        return NULL;
    }
    return jd;
}


bool
qemuDomainBlockJobSetSpeed(cairnDomain *dom,
                           const char *disk,
                           unsigned long long bandwidth,
                           unsigned int flags,
                           GError **error)
{
    qemuDriverState *drv = qemuStateOf(dom->conn);
    g_auto(qemuJobCall) call = { 0 };
    qemuBackupJobDisk *jd;
    QEMU_LOCK(drv);

    if (!cairnCheckFlags(flags, CAIRN_DOMAIN_BLOCK_JOB_SPEED_BANDWIDTH_BYTES, FROM, __func__,
                         error) ||
        !qemuJobCallBegin(&call, dom, QEMU_LOCK_TIMEOUT_MS, error))
        return false;
    /* A shut-off domain's backup runs in a storage daemon and can be
     * slowed down too. */
    if (!call.job && !qemuDomainObjIsActive(call.obj)) {
        cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_INVALID, "domain is not running");
        return false;
    }
    if (!(jd = qemuJobFindDisk(&call, disk, error)))
        return false;
    return qemuMonitorBlockJobSetSpeed(call.mon, jd->job_id, bandwidth, error);
}


/* ---- the watcher ------------------------------------------------------- */

static GMutex qemuJobWatchLock;
static GHashTable *qemuJobWatchers; /* cairnConnect* -> GSource* */


static bool
qemuJobWatchedEvent(int event_id)
{
    return event_id == CAIRN_DOMAIN_EVENT_ID_JOB_COMPLETED ||
           event_id == CAIRN_DOMAIN_EVENT_ID_BLOCK_JOB ||
           event_id == CAIRN_DOMAIN_EVENT_ID_BLOCK_JOB_2;
}


/* Reconcile domain @name if its lock is free. */
static void
qemuJobWatchDomain(cairnConnect *conn, const char *name)
{
    qemuDriverState *drv = qemuStateOf(conn);
    qemuJobCall call = { .drv = drv };
    g_autoptr(GError) err = NULL;
    bool gone = false;

    if (!(call.obj = qemuDriverFindByName(drv, name, &err)) ||
        !(call.lock = qemuDomainLock(drv, name, 0, &err)) ||
        !qemuDomainObjRefresh(drv, call.obj, &gone, &err) ||
        (!gone && !qemuProcessCheck(drv, call.obj, false, &err)) ||
        !qemuJobCallReconcile(&call, conn, &err) ||
        !qemuProcessEndPreservedShutdown(drv, call.obj, &err))
        g_debug("watching %s: %s", name, err ? err->message : "gone");
    qemuJobCallEnd(&call);
}


static gboolean
qemuJobWatchTick(gpointer opaque)
{
    cairnConnect *conn = opaque;
    qemuDriverState *drv = qemuStateOf(conn);
    g_autoptr(GDir) dir = NULL;
    const char *ent;
    QEMU_LOCK(drv);

    if (!(dir = g_dir_open(drv->run_dir, 0, NULL)))
        return G_SOURCE_CONTINUE;
    while ((ent = g_dir_read_name(dir))) {
        g_autofree char *name = NULL;

        if (!g_str_has_suffix(ent, QEMU_BACKUP_JOB_SUFFIX))
            continue;
        name = g_strndup(ent, strlen(ent) - strlen(QEMU_BACKUP_JOB_SUFFIX));
        qemuJobWatchDomain(conn, name);
    }
    return G_SOURCE_CONTINUE;
}


static void
qemuJobWatchStart(cairnConnect *conn)
{
    g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new(&qemuJobWatchLock);
    GSource *source;

    if (!qemuJobWatchers)
        qemuJobWatchers = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                                (GDestroyNotify)g_source_destroy);
    if (g_hash_table_contains(qemuJobWatchers, conn))
        return;
    source = g_timeout_source_new(QEMU_JOB_WATCH_INTERVAL_MS);
    g_source_set_callback(source, qemuJobWatchTick, conn, NULL);
    g_source_set_name(source, "cairn qemu job watcher");
    g_source_attach(source, g_main_context_get_thread_default());
    g_source_unref(source);
    g_hash_table_insert(qemuJobWatchers, conn, source);
}


void
qemuJobWatchStop(cairnConnect *conn)
{
    g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new(&qemuJobWatchLock);

    if (qemuJobWatchers)
        g_hash_table_remove(qemuJobWatchers, conn);
}


int
qemuConnectDomainEventRegisterAny(cairnConnect *conn,
                                  cairnDomain *dom,
                                  int eventID,
                                  cairnConnectDomainEventGenericCallback cb,
                                  void *opaque,
                                  cairnFreeCallback freecb,
                                  GError **error)
{
    int id = cairnConnectEventRegister(conn, dom, eventID, cb, opaque, freecb, error);

    if (id > 0 && qemuJobWatchedEvent(eventID))
        qemuJobWatchStart(conn);
    return id;
}


bool
qemuConnectDomainEventDeregisterAny(cairnConnect *conn, int callbackID, GError **error)
{
    if (!cairnConnectEventDeregister(conn, callbackID, error))
        return false;
    if (cairnEventStateCount(conn->events, CAIRN_DOMAIN_EVENT_ID_JOB_COMPLETED) == 0 &&
        cairnEventStateCount(conn->events, CAIRN_DOMAIN_EVENT_ID_BLOCK_JOB) == 0 &&
        cairnEventStateCount(conn->events, CAIRN_DOMAIN_EVENT_ID_BLOCK_JOB_2) == 0)
        qemuJobWatchStop(conn);
    return true;
}
