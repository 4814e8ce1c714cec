/*
 * qemu_backup_job.h: a domain's backup job as files under ROOT/run, so
 * that it outlives the process that started it.
 *
 *   ROOT/run/NAME.backup-job         the running backup: its definition in
 *                                    the internal form (disk states), and
 *                                    what Cairn made in QEMU and on disk
 *                                    for it, per disk:
 *
 *   <backupjob phase='running' start='1700000000123' reuse-external='no'
 *              nbd-server='yes'>
 *     <storage-daemon pid='4242' monitor='ROOT/run/NAME.backup-qsd-qmp'/>
 *     <checkpoint-bitmap node='cairn-1-format' name='c1'/>
 *     <newcheckpoint><domaincheckpoint>...</domaincheckpoint></newcheckpoint>
 *     <stats total='..' processed='..' temp-used='..' temp-total='..'/>
 *     <errmsg>first error</errmsg>
 *     <disk name='vda' job='backup-vda-cairn-1-format' top='cairn-1-format'
 *           storage='cairn-3-storage' format='cairn-3-format'
 *           bitmap='backup-vda' bitmap-node='cairn-1-format'
 *           export='cairn-nbd-cairn-3-format' created='yes'
 *           total='..' processed='..'/>
 *     <disk name='vdb' ... fleece-storage='cairn-4-fleece-storage'
 *           fleece-format='cairn-4-fleece' cbw='cairn-4-cbw'
 *           access='cairn-4-access'
 *           qdev='/machine/peripheral/virtio-disk1/virtio-backend'
 *           swapped='yes' fleece-created='yes' .../>
 *     <domainbackup>...</domainbackup>
 *   </backupjob>
 *
 *   ROOT/run/NAME.job-completed      the last finished job's statistics
 *                                    (cairnDomainJobDataToVariant, printed)
 *
 * preserve-shutdown='yes' (only written when set) records the flag
 * CAIRN_DOMAIN_BACKUP_BEGIN_PRESERVE_SHUTDOWN_DOMAIN: a guest that powers
 * off meanwhile keeps its QEMU (see qemuProcessCheck()).
 * phase is the job's phase (hypervisor/domain_backup.h), written before
 * the step that needs it; 'terminating' also records end-type (the final
 * job type). A file without phase (written by Cairn before phases) is
 * 'begin' while some disk has no state, else 'running'. In phases begin
 * and starting a disk may lack its state attribute (not started).
 * <checkpoint-bitmap> lists the bitmaps the one transaction adds for the
 * checkpoint made with the backup, <newcheckpoint> that checkpoint's
 * definition (metadata form) until it is committed.
 *
 * <storage-daemon> is there when the domain was shut off at the start:
 * the job runs in that qemu-storage-daemon (qemu_blockhost.h), not in the
 * domain's QEMU. A node, bitmap, export, nbd-server or created attribute
 * is recorded before the thing is made and removed once it is gone, so
 * whoever finishes or rolls back the job (any process, under the domain's
 * lock) knows what may exist and removes it, ignoring what is not there.
 * paused='yes' on <backupjob> says the begin stopped the guest to insert
 * fleecing filters: whoever finds it resumes the guest first. The <stats> are the
 * totals of the disks that have ended; running disks add their QEMU job's
 * progress when statistics are asked for. Both files are written
 * atomically; the completed file survives the domain's stop.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>
#include <glib.h>

#include "conf/backup_conf.h"
#include "conf/domain_job.h"
#include "hypervisor/domain_backup.h"
#include "qemu_domain.h"

/* What Cairn made for one participating disk. */
/* The suffix of a domain's job file under ROOT/run. It does not end in
 * ".xml", so it can never be the live state file (ROOT/run/NAME.xml) of
 * another domain, whatever that domain is called. */
#define QEMU_BACKUP_JOB_SUFFIX ".backup-job"

typedef struct _qemuBackupJobDisk qemuBackupJobDisk;
struct _qemuBackupJobDisk {
    char *name;          /* the disk target, e.g. "vda" */
    char *job_id;        /* the QEMU block job, backup-<dst>-<top> */
    char *top_node;      /* the disk's top format node */
    char *store_storage; /* target/scratch file node, while attached */
    char *store_format;  /* target/scratch format node, while attached */
    char *bitmap;        /* the temporary bitmap, while it exists */
    char *bitmap_node;   /* the node carrying @bitmap */
    char *export_id;     /* pull: the NBD export, while it exists */
    bool created;        /* Cairn created the store's file */
    /* Push with fleecing (qemu_backup_fleece.h), each while it may exist: */
    char *fleece_storage; /* the scratch image's file node */
    char *fleece_format;  /* its qcow2 node, the copy-before-write target */
    char *cbw_node;       /* the copy-before-write filter above top_node */
    char *access_node;    /* the snapshot-access node the job reads */
    char *qdev;           /* the disk device's QOM path */
    bool swapped;         /* the device may be attached to cbw_node */
    bool fleece_created;  /* Cairn created the scratch file */
    guint64 total;        /* progress when the disk's job ended */
    guint64 processed;
};

typedef struct _qemuBackupJob qemuBackupJob;
struct _qemuBackupJob {
    cairnBackupDef *def;         /* aligned, internal form (disk states) */
    GPtrArray *disks;            /* of qemuBackupJobDisk*, participating disks */
    bool reuse_external;         /* CAIRN_DOMAIN_BACKUP_BEGIN_REUSE_EXTERNAL */
    bool preserve_shutdown;      /* ..._PRESERVE_SHUTDOWN_DOMAIN */
    bool nbd_server;             /* pull: the NBD server runs */
    gint64 start_ms;             /* wall clock, ms since the epoch */
    pid_t daemon_pid;            /* shut off: the job's qemu-storage-daemon */
    char *daemon_monitor;        /* its QMP socket; NULL: the domain's QEMU */
    cairnDomainJobData *data;    /* totals of ended disks, first error */
    cairnBackupPhase phase;      /* hypervisor/domain_backup.h */
    cairnDomainJobType end_type; /* phase terminating: the final type */
    GPtrArray *chk_bitmaps;      /* of qemuBackupJobBitmap*: the checkpoint's */
    char *chk_xml;               /* the new checkpoint until committed, or NULL */
    bool paused;                 /* fleecing stopped the running guest */
};

/* One bitmap the begin's transaction adds for the new checkpoint. */
typedef struct {
    char *node;
    char *name;
} qemuBackupJobBitmap;

void qemuBackupJobAddCheckpointBitmap(qemuBackupJob *job, const char *node, const char *name);

/* Record @job's next phase (cairnBackupPhaseAdvance()) and save it. */
bool qemuBackupJobAdvance(qemuDriverState *drv,
                          const char *name,
                          qemuBackupJob *job,
                          cairnBackupPhase next,
                          GError **error);

qemuBackupJob *qemuBackupJobNew(cairnBackupDef *def /* stolen */);
void qemuBackupJobFree(qemuBackupJob *job);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(qemuBackupJob, qemuBackupJobFree)

qemuBackupJobDisk *qemuBackupJobAddDisk(qemuBackupJob *job, const char *name);
qemuBackupJobDisk *qemuBackupJobFindDisk(const qemuBackupJob *job, const char *name);

/* Keep @msg as the job's error unless one is kept already. */
void qemuBackupJobSetError(qemuBackupJob *job, const char *msg);

/* ROOT/run/NAME.backup-job: *@ret_job NULL when there is none. A file
 * that cannot be parsed is CAIRN_ERR_INTERNAL_ERROR. */
bool
qemuBackupJobLoad(qemuDriverState *drv, const char *name, qemuBackupJob **ret_job, GError **error);
bool
qemuBackupJobSave(qemuDriverState *drv, const char *name, const qemuBackupJob *job, GError **error);
bool qemuBackupJobRemove(qemuDriverState *drv, const char *name, GError **error);
/* Whether ROOT/run/NAME.backup-job exists (cheap; no parse). */
bool qemuBackupJobExists(qemuDriverState *drv, const char *name);

/* ROOT/run/NAME.job-completed: *@ret_data NULL when there is none. */
bool qemuBackupCompletedLoad(qemuDriverState *drv,
                             const char *name,
                             cairnDomainJobData **ret_data,
                             GError **error);
bool qemuBackupCompletedSave(qemuDriverState *drv,
                             const char *name,
                             const cairnDomainJobData *data,
                             GError **error);
bool qemuBackupCompletedRemove(qemuDriverState *drv, const char *name, GError **error);

/* Formatting and parsing of the job document (exposed for tests). */
char *qemuBackupJobFormat(const qemuBackupJob *job);
qemuBackupJob *qemuBackupJobParse(const char *xml, const char *what, GError **error);
