/*
 * qemu_backup_end.h: how a backup ends, with no daemon to watch it.
 *
 * QEMU tells a connected monitor client when a job concludes
 * (JOB_STATUS_CHANGE, BLOCK_JOB_COMPLETED), but an embedded driver keeps
 * no monitor connection: the process that started a backup may be gone
 * long before the job ends. So the blockdev-backup jobs are started with
 * auto-dismiss off (a concluded job waits in QEMU until dismissed), and
 * every call that looks at the domain's job first reconciles: under the
 * domain's lock it reads ROOT/run/NAME.backup-job, asks QEMU (query-jobs)
 * and does the completion work of every disk whose job concluded
 * (spec/qemu.md 6): read its progress and error, job-dismiss, stop the NBD
 * server (pull), detach the target/scratch nodes, remove the temporary
 * bitmap, emit BLOCK_JOB/BLOCK_JOB_2 to the calling connection. When no
 * disk runs any more the backup terminates: files Cairn created and that
 * are not a finished push backup are deleted, the statistics go to
 * ROOT/run/NAME.job-completed, the job file is removed and JOB_COMPLETED
 * is emitted. The lock and the job file make this happen exactly once,
 * whichever process comes first.
 *
 * A job begun on a shut-off domain runs in a qemu-storage-daemon of its
 * own (named in the job file): everything above talks to that daemon
 * instead (qemuBackupJobMonitor() is the one place that chooses), the
 * daemon is stopped when the job terminates, and a daemon found gone ends
 * the job as failed, as a domain that stopped does.
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "datatypes.h"
#include "qemu_backup_job.h"
#include "qemu_domain.h"
#include "qemu_monitor.h"

/* One reconciliation: the domain (its lock held), its monitor, and the
 * connection whose listeners get the events (may be NULL). */
typedef struct {
    qemuDriverState *drv;
    qemuDomainObj *obj;
    qemuMonitor *mon;
    cairnConnect *conn;
} qemuBackupCtx;

/* Bring @obj's backup job up to date with QEMU (see above) through
 * ctx->mon. *@ret_job is the job still running afterwards, or NULL (none,
 * or it just ended); @ret_job may be NULL. With @ret_jobs, the query-jobs
 * result is passed back for statistics (NULL when there is no job). */
bool qemuBackupReconcile(qemuBackupCtx *ctx,
                         qemuBackupJob **ret_job,
                         GPtrArray **ret_jobs,
                         GError **error);

/* The one place that knows which process runs a backup job: the job's
 * qemu-storage-daemon when it was begun on a shut-off domain (its pid and
 * socket are in the job file), else the domain's QEMU. *@ret_mon is a new
 * connection to it, or NULL (and true is returned) when that process is
 * gone: the job then ends as failed on reconciliation. */
bool qemuBackupJobMonitor(qemuDriverState *drv,
                          qemuDomainObj *obj,
                          const qemuBackupJob *job,
                          qemuMonitor **ret_mon,
                          GError **error);

/* qemuBackupReconcile() of whatever job the domain has, through the
 * monitor qemuBackupJobMonitor() chooses (ctx->mon is set to it; the
 * caller owns and closes *@ret_mon, also on failure). Without a job, a
 * storage daemon that no job file names is stopped (shut-off domain). */
bool qemuBackupReconcileDomain(qemuBackupCtx *ctx,
                               qemuMonitor **ret_mon,
                               qemuBackupJob **ret_job,
                               GPtrArray **ret_jobs,
                               GError **error);

/* Abort (cairnDomainAbortJob): force-cancel every running disk job, wait
 * for each to conclude, then reconcile. A job with no disk running ends
 * at once as cancelled. */
bool qemuBackupAbort(qemuBackupCtx *ctx, qemuBackupJob *job, GError **error);

/* Undo a backup that failed to start: cancel and dismiss its disk jobs,
 * remove its exports, NBD server, temporary bitmaps, nodes, the files it
 * created and the job file, and stop its storage daemon (shut-off
 * domain). Errors are logged. */
void qemuBackupRollback(qemuBackupCtx *ctx, qemuBackupJob *job);

/* The begin stopped the guest for fleecing (@job->paused): resume it and
 * record that (qemu_backup_fleece.h). No-op otherwise. */
bool qemuBackupResume(qemuBackupCtx *ctx, qemuBackupJob *job, GError **error);

/* The running statistics: totals of the ended disks plus each running
 * disk's QEMU progress from @qjobs, and the elapsed time. */
cairnDomainJobData *qemuBackupRunningStats(const qemuBackupJob *job, GPtrArray *qjobs);
