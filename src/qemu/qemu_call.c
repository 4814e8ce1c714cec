/*
 * qemu_call.c: the one entry of the qemu driver's domain calls (see
 * qemu_call.h).
 */
#include "cairn/cairn-error.h"
#include "qemu_backup_end.h"
#include "qemu_backup_job.h"
#include "qemu_call.h"
#include "qemu_checkpoint_op.h"
#include "qemu_process.h"
#include "qemu_quiesce.h"
#include "util/cairnerror.h"


/* A backup job of the shut-off @obj is brought up to date. */
static bool
qemuCallSettleBackup(qemuDriverState *drv, qemuDomainObj *obj, cairnConnect *conn, GError **error)
{
    qemuBackupCtx ctx = { .drv = drv, .obj = obj, .conn = conn };
    g_autoptr(qemuBackupJob) job = NULL;
    qemuMonitor *mon = NULL;
    bool ok;

    if (qemuDomainObjIsActive(obj) || !qemuBackupJobExists(drv, obj->name))
        return true;
    ok = qemuBackupReconcileDomain(&ctx, &mon, &job, NULL, error);
    g_clear_pointer(&mon, qemuMonitorClose);
    return ok;
}


qemuDomainObj *
qemuCallBegin(qemuDriverState *drv,
              cairnDomain *dom,
              unsigned int flags,
              int timeout_ms,
              cairnFileLock **ret_lock,
              GError **error)
{
    g_autoptr(cairnFileLock) lock = NULL;
    qemuDomainObj *obj;
    bool gone = false;

    if (!qemuDriverFindByHandle(drv, dom, error) ||
        !(lock = qemuDomainLock(drv, dom->name, timeout_ms, error)) ||
        !(obj = qemuDriverFindByHandle(drv, dom, error)) ||
        !qemuDomainObjRefresh(drv, obj, &gone, error) ||
        (!gone && !qemuProcessCheck(drv, obj, flags & QEMU_CALL_QUERY, error)))
        return NULL;
    if (!obj->def && !obj->status) {
        qemuDriverForget(drv, obj);
        cairnErrorSet(error, CAIRN_FROM_DOMAIN, CAIRN_ERR_NO_DOMAIN,
                      "no domain with matching name '%s'", dom->name);
        return NULL;
    }
    /* First of all: a guest left frozen by a process that died. */
    qemuQuiesceRecover(drv, obj);
    if (!(flags & QEMU_CALL_NO_SETTLE) && (!qemuCallSettleBackup(drv, obj, dom->conn, error) ||
                                           !qemuCheckpointOpRecover(drv, obj, error) ||
                                           !qemuProcessEndPreservedShutdown(drv, obj, error)))
        return NULL;
    *ret_lock = g_steal_pointer(&lock);
    return obj;
}
