/*
 * qemu_blockjob.c: block pull jobs of the qemu driver (see
 * qemu_blockjob.h).
 */
#define G_LOG_DOMAIN "cairn.qemu.blockjob"

#include <string.h>

#include "cairn/cairn-error.h"
#include "cairn/cairn-event.h"
#include "hypervisor/domain_blockjob.h"
#include "qemu_blockjob.h"
#include "qemu_call.h"
#include "qemu_domain.h"
#include "qemu_monitor_cmd.h"
#include "qemu_process.h"
#include "util/cairnerror.h"
#include "util/cairnfile.h"

#define FROM CAIRN_FROM_QEMU

#define QEMU_BLOCKJOB_ABORT_WAIT_MS 30000
#define QEMU_BLOCKJOB_POLL_MS 20


/* One block job call on a locked, refreshed domain. */
typedef struct {
    qemuDriverState *drv;
    cairnConnect *conn;
    cairnFileLock *lock;
    qemuDomainObj *obj;
    qemuMonitor *mon; /* NULL until needed */
    GKeyFile *record; /* ROOT/run/NAME.blockjobs; empty when absent */
    GPtrArray *qjobs; /* query-jobs; NULL until asked */
} qemuBlockJobCall;


static void
qemuBlockJobCallEnd(qemuBlockJobCall *call)
{
    g_clear_pointer(&call->qjobs, g_ptr_array_unref);
    g_clear_pointer(&call->record, g_key_file_unref);
    g_clear_pointer(&call->mon, qemuMonitorClose);
    g_clear_pointer(&call->lock, cairnFileLockRelease);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(qemuBlockJobCall, qemuBlockJobCallEnd)


static char *
qemuBlockJobRecordPath(qemuBlockJobCall *call)
{
    return qemuDomainRunPath(call->drv, call->obj->name, QEMU_BLOCKJOB_SUFFIX);
}


static bool
qemuBlockJobRecordLoad(qemuBlockJobCall *call, GError **error)
{
    g_autofree char *path = qemuBlockJobRecordPath(call);
    g_autofree char *text = NULL;
    g_autoptr(GError) gerr = NULL;

    call->record = g_key_file_new();
    if (!cairnFileReadOptional(path, 1 << 20, &text, error))
        return false;
    if (text && !g_key_file_load_from_data(call->record, text, -1, G_KEY_FILE_NONE, &gerr)) {
        cairnErrorSet(error, FROM, CAIRN_ERR_INTERNAL_ERROR, "malformed block job record '%s': %s",
                      path, gerr->message);
        return false;
    }
    return true;
}


/* Write the record atomically, or remove it when no job is left. */
static bool
qemuBlockJobRecordSave(qemuBlockJobCall *call, GError **error)
{
    g_autofree char *path = qemuBlockJobRecordPath(call);
    g_autofree char *text = NULL;
    gsize ngroups = 0;
    g_auto(GStrv) groups G_GNUC_UNUSED = g_key_file_get_groups(call->record, &ngroups);

    if (ngroups == 0)
        return cairnFileRemove(path, true, error);
    text = g_key_file_to_data(call->record, NULL, NULL);
    return cairnFileWriteAtomic(path, text, -1, 0600, error);
}


static bool
qemuBlockJobMonitor(qemuBlockJobCall *call, GError **error)
{
    if (!call->mon && !(call->mon = qemuProcessAttach(call->drv, call->obj, error)))
        return false;
    if (!call->qjobs && !(call->qjobs = qemuMonitorQueryJobs(call->mon, error)))
        return false;
    return true;
}


static void
qemuBlockJobRefreshJobs(qemuBlockJobCall *call)
{
    g_clear_pointer(&call->qjobs, g_ptr_array_unref);
}


/* The record has ended for @dst: event @status, group removed. */
static void
qemuBlockJobDrop(qemuBlockJobCall *call, const char *dst, int status)
{
    const cairnDomainDef *def = qemuDomainObjGetDef(call->obj);
    const cairnDomainDiskDef *disk = def ? cairnDomainDiskByTarget(def, dst) : NULL;

    g_debug("block pull of %s/%s ended with status %d", call->obj->name, dst, status);
    if (disk)
        cairnBlockJobEmit(call->conn, def, qemuDomainObjGetID(call->obj), disk,
                          CAIRN_DOMAIN_BLOCK_JOB_TYPE_PULL, status);
    g_key_file_remove_group(call->record, dst, NULL);
}


/* Write the persistent definition of @call->obj after a change. */
static bool
qemuBlockJobSaveDef(qemuBlockJobCall *call, GError **error)
{
    g_autofree char *path = qemuDomainDefPath(call->drv, call->obj->name);
    g_autofree char *text = cairnDomainDefFormat(call->obj->def, CAIRN_DOMAIN_DEF_FORMAT_INACTIVE);

    cairnFileCacheClear(&call->obj->def_file);
    return cairnFileWriteAtomic(path, text, -1, 0600, error);
}


/* The pull of @dst completed: the top image has no backing. Forget the
 * layers (live state, both definitions); *@ret_layers gets them, for
 * qemuBlockJobDeleteLayers() once the job is dismissed (until then the
 * job holds their nodes). */
static bool
qemuBlockJobFinishPull(qemuBlockJobCall *call,
                       const char *dst,
                       GPtrArray **ret_layers,
                       GError **error)
{
    qemuDomainStatus *st = call->obj->status;
    qemuStatusDisk *sdisk = qemuDomainStatusFindDisk(st, dst);
    cairnDomainDiskDef *live = cairnDomainDiskByTarget(st->def, dst);
    cairnDomainDiskDef *persistent =
        call->obj->def ? cairnDomainDiskByTarget(call->obj->def, dst) : NULL;

    if (sdisk)
        *ret_layers = g_steal_pointer(&sdisk->layers);
    if (live)
        g_clear_pointer(&live->backing, cairnDomainDiskBackingFree);
    if (!qemuDomainObjSaveStatus(call->drv, call->obj, error))
        return false;
    if (persistent && persistent->backing) {
        g_clear_pointer(&persistent->backing, cairnDomainDiskBackingFree);
        if (!qemuBlockJobSaveDef(call, error))
            return false;
    }
    return true;
}


/* Delete the nodes of layers a pull left unused (a failure is only
 * logged: the nodes stay open, unused, until QEMU ends). */
static void
qemuBlockJobDeleteLayers(qemuBlockJobCall *call, GPtrArray *layers)
{
    for (guint i = 0; layers && i < layers->len; i++) {
        qemuBlockLayer *layer = g_ptr_array_index(layers, i);
        g_autoptr(GError) gerr = NULL;

        if ((layer->format_node && !qemuMonitorBlockdevDel(call->mon, layer->format_node, &gerr)) ||
            (layer->storage_node && !qemuMonitorBlockdevDel(call->mon, layer->storage_node, &gerr)))
            g_warning("cannot delete the pulled layer '%s': %s", layer->file, gerr->message);
    }
}


/* Reconcile the record of one disk with QEMU (see qemu_blockjob.h). */
static bool
qemuBlockJobReconcileDisk(qemuBlockJobCall *call, const char *dst, GError **error)
{
    qemuDomainStatus *st = call->obj->status;
    gint64 pid = g_key_file_get_int64(call->record, dst, "pid", NULL);
    g_autofree char *id = g_key_file_get_string(call->record, dst, "job", NULL);
    bool aborting = g_key_file_get_boolean(call->record, dst, "aborting", NULL);
    g_autoptr(GPtrArray) layers = NULL;
    qemuMonitorJobInfo *job;
    qemuStatusDisk *sdisk;
    int status;

    if (!st || st->pid != pid) {
        qemuBlockJobDrop(call, dst, CAIRN_DOMAIN_BLOCK_JOB_FAILED);
        return true;
    }
    if (!qemuBlockJobMonitor(call, error))
        return false;
    if (!(job = qemuMonitorJobInfoFind(call->qjobs, id))) {
        /* Dismissed by a call that died before it removed the record: its
         * result shows in the live state. */
        sdisk = qemuDomainStatusFindDisk(st, dst);
        qemuBlockJobDrop(call, dst,
                         sdisk && !sdisk->layers ? CAIRN_DOMAIN_BLOCK_JOB_COMPLETED :
                                                   CAIRN_DOMAIN_BLOCK_JOB_FAILED);
        return true;
    }
    if (job->status != QEMU_MONITOR_JOB_STATUS_CONCLUDED &&
        job->status != QEMU_MONITOR_JOB_STATUS_NULL)
        return true;
    if (!job->error && !aborting) {
        if (!qemuBlockJobFinishPull(call, dst, &layers, error))
            return false;
        status = CAIRN_DOMAIN_BLOCK_JOB_COMPLETED;
    } else {
        if (job->error)
            g_debug("block pull of %s/%s: %s", call->obj->name, dst, job->error);
        status = aborting ? CAIRN_DOMAIN_BLOCK_JOB_CANCELED : CAIRN_DOMAIN_BLOCK_JOB_FAILED;
    }
    if (!qemuMonitorJobDismiss(call->mon, id, error))
        return false;
    qemuBlockJobDeleteLayers(call, layers);
    qemuBlockJobDrop(call, dst, status);
    return true;
}


static bool
qemuBlockJobReconcile(qemuBlockJobCall *call, GError **error)
{
    gsize ngroups = 0;
    g_auto(GStrv) groups G_GNUC_UNUSED = g_key_file_get_groups(call->record, &ngroups);
    bool ok = true;

    if (ngroups == 0)
        return true;
    for (gsize i = 0; ok && i < ngroups; i++)
        ok = qemuBlockJobReconcileDisk(call, groups[i], error);
    /* Whatever was settled is written, even after an error. */
    if (!qemuBlockJobRecordSave(call, ok ? error : NULL))
        return false;
    return ok;
}


static bool
qemuBlockJobCallBegin(qemuBlockJobCall *call, cairnDomain *dom, GError **error)
{
    memset(call, 0, sizeof(*call));
    call->drv = qemuStateOf(dom->conn);
    call->conn = dom->conn;
    if (!(call->obj = qemuCallBegin(call->drv, dom, 0, QEMU_LOCK_TIMEOUT_MS, &call->lock, error)))
        return false;
    return qemuBlockJobRecordLoad(call, error) && qemuBlockJobReconcile(call, error);
}


static bool
qemuBlockJobCheckActive(qemuBlockJobCall *call, GError **error)
{
    if (qemuDomainObjIsActive(call->obj))
        return true;
    cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_INVALID, "domain is not running");
    return false;
}


/* ---- the calls --------------------------------------------------------- */

bool
qemuDomainBlockPull(
    cairnDomain *dom, const char *name, unsigned long bandwidth, unsigned int flags, GError **error)
{
    qemuDriverState *drv = qemuStateOf(dom->conn);
    g_auto(qemuBlockJobCall) call = { 0 };
    unsigned long long speed = bandwidth;
    g_autofree char *id = NULL;
    cairnDomainDiskDef *disk;
    qemuStatusDisk *sdisk;
    qemuMonitorJobInfo *stale;
    g_autoptr(GError) gerr = NULL;
    QEMU_LOCK(drv);

    if (!cairnCheckFlags(flags, CAIRN_DOMAIN_BLOCK_PULL_BANDWIDTH_BYTES, FROM, __func__, error))
        return false;
    if (!(flags & CAIRN_DOMAIN_BLOCK_PULL_BANDWIDTH_BYTES)) {
        if (speed > (G_MAXINT64 >> 20)) {
            cairnErrorSet(error, FROM, CAIRN_ERR_OVERFLOW, "bandwidth must be less than %llu",
                          (unsigned long long)(G_MAXINT64 >> 20) + 1);
            return false;
        }
        speed <<= 20;
    }
    if (!qemuBlockJobCallBegin(&call, dom, error) || !qemuBlockJobCheckActive(&call, error) ||
        !(disk = cairnBlockJobFindDisk(qemuDomainObjGetDef(call.obj), name, error)))
        return false;
    if (g_key_file_has_group(call.record, disk->dst)) {
        cairnBlockJobErrorBusy(disk->dst, error);
        return false;
    }
    sdisk = qemuDomainStatusFindDisk(call.obj->status, disk->dst);
    if (!sdisk || !sdisk->format_node || disk->readonly) {
        cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_INVALID,
                      "disk '%s' has no writable image to pull into", disk->dst);
        return false;
    }
    id = g_strdup_printf("cairn-pull-%s", disk->dst);
    if (!qemuBlockJobMonitor(&call, error))
        return false;
    /* A concluded job of an earlier pull whose record is gone holds the id. */
    if ((stale = qemuMonitorJobInfoFind(call.qjobs, id)) &&
        !qemuMonitorJobDismiss(call.mon, id, error))
        return false;
    g_key_file_set_string(call.record, disk->dst, "job", id);
    g_key_file_set_int64(call.record, disk->dst, "pid", call.obj->status->pid);
    g_key_file_set_string(call.record, disk->dst, "node", sdisk->format_node);
    g_key_file_set_uint64(call.record, disk->dst, "bandwidth", speed);
    g_key_file_set_boolean(call.record, disk->dst, "aborting", FALSE);
    if (!qemuBlockJobRecordSave(&call, error))
        return false;
    if (!qemuMonitorBlockStream(call.mon, id, sdisk->format_node, speed, error)) {
        g_key_file_remove_group(call.record, disk->dst, NULL);
        if (!qemuBlockJobRecordSave(&call, &gerr))
            g_warning("cannot remove the record of a failed block pull: %s", gerr->message);
        return false;
    }
    return true;
}


int
qemuDomainGetBlockJobInfo(cairnDomain *dom,
                          const char *name,
                          cairnDomainBlockJobInfo *info,
                          unsigned int flags,
                          GError **error)
{
    qemuDriverState *drv = qemuStateOf(dom->conn);
    g_auto(qemuBlockJobCall) call = { 0 };
    g_autofree char *id = NULL;
    cairnDomainDiskDef *disk;
    qemuMonitorJobInfo *job;
    guint64 speed;
    QEMU_LOCK(drv);

    if (!cairnCheckFlags(flags, CAIRN_DOMAIN_BLOCK_JOB_INFO_BANDWIDTH_BYTES, FROM, __func__,
                         error) ||
        !qemuBlockJobCallBegin(&call, dom, error) || !qemuBlockJobCheckActive(&call, error) ||
        !(disk = cairnBlockJobFindDisk(qemuDomainObjGetDef(call.obj), name, error)))
        return -1;
    if (!g_key_file_has_group(call.record, disk->dst))
        return 0;
    id = g_key_file_get_string(call.record, disk->dst, "job", NULL);
    if (!qemuBlockJobMonitor(&call, error))
        return -1;
    speed = g_key_file_get_uint64(call.record, disk->dst, "bandwidth", NULL);
    info->type = CAIRN_DOMAIN_BLOCK_JOB_TYPE_PULL;
    info->bandwidth =
        (unsigned long)(flags & CAIRN_DOMAIN_BLOCK_JOB_INFO_BANDWIDTH_BYTES ? speed : speed >> 20);
    if ((job = qemuMonitorJobInfoFind(call.qjobs, id))) {
        info->cur = job->current_progress;
        info->end = job->total_progress;
    }
    return 1;
}


/* Wait until job @id has concluded (or is gone). */
static bool
qemuBlockJobWaitConcluded(qemuBlockJobCall *call, const char *id, GError **error)
{
    gint64 deadline =
        g_get_monotonic_time() + QEMU_BLOCKJOB_ABORT_WAIT_MS * G_TIME_SPAN_MILLISECOND;

    for (;;) {
        qemuMonitorJobInfo *job;

        qemuBlockJobRefreshJobs(call);
        if (!qemuBlockJobMonitor(call, error))
            return false;
        job = qemuMonitorJobInfoFind(call->qjobs, id);
        if (!job || job->status == QEMU_MONITOR_JOB_STATUS_CONCLUDED ||
            job->status == QEMU_MONITOR_JOB_STATUS_NULL)
            return true;
        if (g_get_monotonic_time() > deadline) {
            cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_TIMEOUT,
                          "block job '%s' did not end after it was cancelled", id);
            return false;
        }
        g_usleep(QEMU_BLOCKJOB_POLL_MS * G_TIME_SPAN_MILLISECOND);
    }
}


bool
qemuDomainBlockJobAbort(cairnDomain *dom, const char *name, unsigned int flags, GError **error)
{
    qemuDriverState *drv = qemuStateOf(dom->conn);
    g_auto(qemuBlockJobCall) call = { 0 };
    g_autofree char *id = NULL;
    cairnDomainDiskDef *disk;
    QEMU_LOCK(drv);

    if (!cairnCheckFlags(flags,
                         CAIRN_DOMAIN_BLOCK_JOB_ABORT_ASYNC | CAIRN_DOMAIN_BLOCK_JOB_ABORT_PIVOT,
                         FROM, __func__, error) ||
        !qemuBlockJobCallBegin(&call, dom, error) || !qemuBlockJobCheckActive(&call, error) ||
        !(disk = cairnBlockJobFindDisk(qemuDomainObjGetDef(call.obj), name, error)))
        return false;
    if (!g_key_file_has_group(call.record, disk->dst)) {
        cairnBlockJobErrorNone(disk->dst, error);
        return false;
    }
    if (flags & CAIRN_DOMAIN_BLOCK_JOB_ABORT_PIVOT) {
        cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_INVALID,
                      "pivot of disk '%s' requires an active copy job", disk->dst);
        return false;
    }
    id = g_key_file_get_string(call.record, disk->dst, "job", NULL);
    g_key_file_set_boolean(call.record, disk->dst, "aborting", TRUE);
    if (!qemuBlockJobRecordSave(&call, error) || !qemuBlockJobMonitor(&call, error) ||
        !qemuMonitorBlockJobCancel(call.mon, id, false, error))
        return false;
    if (flags & CAIRN_DOMAIN_BLOCK_JOB_ABORT_ASYNC)
        return true;
    if (!qemuBlockJobWaitConcluded(&call, id, error))
        return false;
    qemuBlockJobRefreshJobs(&call);
    return qemuBlockJobReconcile(&call, error);
}
