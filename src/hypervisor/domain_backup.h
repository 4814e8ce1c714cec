/*
 * domain_backup.h: the backup job as the in-process drivers (test, qemu)
 * both run it: the recorded phases of the whole job, their recovery, the
 * checks of the NBD server, and the events.
 *
 * Each disk runs through conf/backup_job.h (none, running, complete, ...);
 * the job as a whole runs through the phases below. A driver that keeps
 * its job on disk (qemu: ROOT/run/NAME.backup-job) writes the next phase
 * atomically *before* the step that needs it, so whatever process comes
 * next under the domain's lock finds a record that parses and names what
 * may exist, and runs the phase's one recovery:
 *
 *   phase        recorded before                     recovery (next call)
 *   begin        anything is made (files, nodes,     undo: remove what the
 *                NBD server): each thing is          record names, ignore
 *                recorded before it is made          what is not there
 *   starting     the one transaction (checkpoint     undo, also any disk job
 *                bitmaps, temporary bitmaps, disk    and checkpoint bitmap
 *                jobs)                               the record names
 *   committing   the new checkpoint's metadata is    finish: commit the
 *                written (every disk runs, exports   recorded checkpoint if
 *                are in place)                       missing, then running
 *   running      (begin returned)                    reconcile with QEMU
 *   terminating  server, nodes, bitmaps and files    finish the termination
 *                go, the completed record is written with the recorded type
 *   rollback     a failed begin is undone            undo
 *
 *   begin --> starting --> committing --> running --> terminating --> (gone)
 *     \            \             \
 *      +-----------+-------------+---> rollback --> (gone)
 *
 * Any other move is an error naming the phase. Per disk, an end is
 * recorded (state and progress) before the disk's job is dismissed and its
 * nodes released; an abort records the disks as cancelling before it asks
 * QEMU to cancel them. Every step has a crash point (util/cairncrash.h).
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "conf/backup_conf.h"
#include "conf/domain_conf.h"
#include "conf/domain_job.h"
#include "datatypes.h"
#include "util/cairnerror.h"

typedef enum {
    CAIRN_BACKUP_PHASE_BEGIN = 0,
    CAIRN_BACKUP_PHASE_STARTING,
    CAIRN_BACKUP_PHASE_COMMITTING,
    CAIRN_BACKUP_PHASE_RUNNING,
    CAIRN_BACKUP_PHASE_TERMINATING,
    CAIRN_BACKUP_PHASE_ROLLBACK,
    CAIRN_BACKUP_PHASE_LAST
} cairnBackupPhase;

/* What the next call does with a job found in a phase. */
typedef enum {
    CAIRN_BACKUP_RECOVER_UNDO = 0,  /* roll the begin back */
    CAIRN_BACKUP_RECOVER_COMMIT,    /* finish the begin */
    CAIRN_BACKUP_RECOVER_RECONCILE, /* the job runs: reconcile it */
    CAIRN_BACKUP_RECOVER_TERMINATE, /* finish the termination */
} cairnBackupRecovery;

const char *cairnBackupPhaseToString(cairnBackupPhase phase);
/* -1 for an unknown name. */
int cairnBackupPhaseFromString(const char *name);

/* Move *@phase to @next if the table allows it; else
 * CAIRN_ERR_OPERATION_INVALID "backup job cannot go from phase 'X' to
 * 'Y'" and *@phase is left as it was. */
bool cairnBackupPhaseAdvance(cairnBackupPhase *phase, cairnBackupPhase next, GError **error);

cairnBackupRecovery cairnBackupPhaseRecovery(cairnBackupPhase phase);

/* The pull server checks of spec/qemu.md 5 (libvirt's wording), with
 * errors from @from. */
bool cairnBackupCheckServer(const cairnBackupDef *def, int from, GError **error);

/* The BLOCK_JOB status of a disk that ended in @state. */
int cairnBackupBlockJobStatus(cairnBackupDiskState state);

/* BLOCK_JOB (by source path, when the disk has one) and BLOCK_JOB_2 (by
 * target) for @disk, which ended, as libvirt emits them. @conn NULL: no-op. */
void cairnBackupEmitBlockJob(cairnConnect *conn,
                             const cairnDomainDef *domdef,
                             int id,
                             const cairnBackupDiskDef *disk);

/* JOB_COMPLETED with @data's statistics. @conn NULL: no-op. */
void cairnBackupEmitJobCompleted(cairnConnect *conn,
                                 const cairnDomainDef *domdef,
                                 int id,
                                 const cairnDomainJobData *data);
