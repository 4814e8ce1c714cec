/*
 * qemu_job.h: the qemu driver's domain-job calls (a backup is the only
 * job), and its events.
 *
 * Each call takes the domain's lock file, re-reads the domain, and
 * reconciles the backup job with the QEMU that runs it (the domain's, or
 * the job's storage daemon when it was begun on the shut-off domain:
 * qemu_backup_end.h) before it answers, so a job started by another
 * process is seen, finished and reported here. Events go to the calling
 * connection's callbacks.
 *
 * A connection with job or block-job callbacks registered also watches by
 * itself: a timer on the main context of its first registration (the one
 * cairnEventRunDefaultImpl() iterates) reconciles every domain with a
 * backup job every QEMU_JOB_WATCH_INTERVAL_MS, taking each domain's lock
 * without waiting (a busy domain is tried again on the next tick). It
 * polls because QEMU's QMP socket serves one client at a time: a watcher
 * that stayed connected to hear JOB_STATUS_CHANGE would lock every other
 * process out of the monitor.
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "driver.h"
#include "qemu_backup_job.h"
#include "qemu_domain.h"
#include "qemu_monitor.h"
#include "util/cairnfile.h"

#define QEMU_JOB_WATCH_INTERVAL_MS 200

/* One job call on a domain: its lock, the object, the monitor of the job
 * (NULL when there is none), the running backup job (NULL when none) and
 * QEMU's jobs. */
typedef struct {
    qemuDriverState *drv;
    cairnFileLock *lock;
    qemuDomainObj *obj;
    qemuMonitor *mon;
    qemuBackupJob *job;
    GPtrArray *qjobs;
} qemuJobCall;

/* Lock, refresh and reconcile @dom, waiting up to @timeout_ms for the
 * lock; events go to @dom->conn. */
bool qemuJobCallBegin(qemuJobCall *call, cairnDomain *dom, int timeout_ms, GError **error);
void qemuJobCallEnd(qemuJobCall *call);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(qemuJobCall, qemuJobCallEnd)

/* Reconcile the backup job of the locked, refreshed @obj (events to
 * @conn); *@ret_busy tells whether one still runs. */
bool qemuJobSettle(
    qemuDriverState *drv, qemuDomainObj *obj, cairnConnect *conn, bool *ret_busy, GError **error);

/* For a call that needs the disks of shut-off @obj (start, undefine):
 * finish a backup job that ended, and refuse with OPERATION_INVALID
 * "cannot @action: ..." while one runs (its storage daemon holds the
 * disks). No-op for a running domain. The caller holds the domain's lock
 * and refreshed @obj. */
bool qemuJobCheckDisksFree(qemuDriverState *drv,
                           qemuDomainObj *obj,
                           cairnConnect *conn,
                           const char *action,
                           GError **error);

bool qemuDomainGetJobInfo(cairnDomain *dom, cairnDomainJobInfo *info, GError **error);
bool qemuDomainGetJobStats(cairnDomain *dom,
                           int *type,
                           cairnTypedParameter **params,
                           int *nparams,
                           unsigned int flags,
                           GError **error);
bool qemuDomainAbortJob(cairnDomain *dom, unsigned int flags, GError **error);
bool qemuDomainBlockJobSetSpeed(cairnDomain *dom,
                                const char *disk,
                                unsigned long long bandwidth,
                                unsigned int flags,
                                GError **error);

int qemuConnectDomainEventRegisterAny(cairnConnect *conn,
                                      cairnDomain *dom,
                                      int eventID,
                                      cairnConnectDomainEventGenericCallback cb,
                                      void *opaque,
                                      cairnFreeCallback freecb,
                                      GError **error);
bool qemuConnectDomainEventDeregisterAny(cairnConnect *conn, int callbackID, GError **error);

/* Stop @conn's watcher (connection close). */
void qemuJobWatchStop(cairnConnect *conn);
