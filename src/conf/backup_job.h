/*
 * backup_job.h: the state machine of a running backup (spec/semantics.md
 * 7.2), shared by the qemu and test drivers.
 *
 * Each participating disk has a cairnBackupDiskState (kept in the
 * definition, so the status XML carries it). Verbs move a disk between
 * states through one transition table; an illegal move is an error naming
 * the state. After every disk end, cairnBackupJobNext() says what the
 * backup as a whole must do: keep waiting, cancel the disks still running
 * (one failure or cancellation ends the whole backup), or terminate with a
 * final job type.
 *
 *   disk:  none --start--> running --finish_ok----> complete
 *                          running --finish_error-> failed
 *                          running --cancel-------> cancelling
 *                       cancelling --finish_*-----> cancelled (finish_ok of
 *                                                   a cancelled job too)
 *                       cancelling --finish_error-> failed
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "backup_conf.h"
#include "cairn/cairn-domain-job.h"

typedef enum {
    CAIRN_BACKUP_VERB_START = 0,     /* the disk's block job was started */
    CAIRN_BACKUP_VERB_CANCEL,        /* abort requested for the disk */
    CAIRN_BACKUP_VERB_FINISH_OK,     /* its job concluded without error */
    CAIRN_BACKUP_VERB_FINISH_ERROR,  /* its job concluded with an error */
    CAIRN_BACKUP_VERB_FINISH_CANCEL, /* its job concluded as cancelled */
    CAIRN_BACKUP_VERB_LAST
} cairnBackupVerb;

typedef enum {
    CAIRN_BACKUP_NEXT_WAIT = 0,    /* disks still run; nothing to do */
    CAIRN_BACKUP_NEXT_CANCEL_REST, /* cancel every disk still running */
    CAIRN_BACKUP_NEXT_TERMINATE,   /* end the backup with *ret_type */
} cairnBackupNext;

/* Apply @verb to @disk (a participating disk). On an illegal transition
 * sets CAIRN_ERR_OPERATION_INVALID ("backup of disk 'vda' cannot VERB in
 * state 'STATE'") in CAIRN_FROM_DOMAIN and leaves the disk as it was. */
bool cairnBackupDiskApply(cairnBackupDiskDef *disk, cairnBackupVerb verb, GError **error);

/* What to do after a disk changed state (spec/semantics.md 7.2 step 3).
 * On TERMINATE *ret_type is CAIRN_DOMAIN_JOB_FAILED if any disk failed,
 * else CANCELLED if any was cancelled and the backup is push, else
 * COMPLETED. */
cairnBackupNext cairnBackupJobNext(const cairnBackupDef *def, cairnDomainJobType *ret_type);

/* True while some participating disk is running or cancelling. */
bool cairnBackupJobIsActive(const cairnBackupDef *def);

const char *cairnBackupVerbToString(cairnBackupVerb verb);
