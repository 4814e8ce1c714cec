/*
 * backup_job.c: the backup state machine as a transition table.
 */
#include "backup_job.h"
#include "util/cairnerror.h"
#include "util/cairnenum.h"

#define S_NONE CAIRN_BACKUP_DISK_STATE_NONE
#define S_RUNNING CAIRN_BACKUP_DISK_STATE_RUNNING
#define S_COMPLETE CAIRN_BACKUP_DISK_STATE_COMPLETE
#define S_FAILED CAIRN_BACKUP_DISK_STATE_FAILED
#define S_CANCELLING CAIRN_BACKUP_DISK_STATE_CANCELLING
#define S_CANCELLED CAIRN_BACKUP_DISK_STATE_CANCELLED
/* No transition: the verb is illegal in that state. */
#define S_ILLEGAL CAIRN_BACKUP_DISK_STATE_LAST

/* next state = backupTransitions[verb][current state] */
/* clang-format off */
static const cairnBackupDiskState
    backupTransitions[CAIRN_BACKUP_VERB_LAST][CAIRN_BACKUP_DISK_STATE_LAST] = {
        /*                               none       running       complete   failed     cancelling   cancelled */
        [CAIRN_BACKUP_VERB_START] =      { S_RUNNING, S_ILLEGAL,    S_ILLEGAL, S_ILLEGAL, S_ILLEGAL,   S_ILLEGAL },
        [CAIRN_BACKUP_VERB_CANCEL] =     { S_ILLEGAL, S_CANCELLING, S_ILLEGAL, S_ILLEGAL, S_ILLEGAL,   S_ILLEGAL },
        [CAIRN_BACKUP_VERB_FINISH_OK] =  { S_ILLEGAL, S_COMPLETE,   S_ILLEGAL, S_ILLEGAL, S_CANCELLED, S_ILLEGAL },
        [CAIRN_BACKUP_VERB_FINISH_ERROR] = { S_ILLEGAL, S_FAILED,   S_ILLEGAL, S_ILLEGAL, S_FAILED,    S_ILLEGAL },
        [CAIRN_BACKUP_VERB_FINISH_CANCEL] = { S_ILLEGAL, S_CANCELLED, S_ILLEGAL, S_ILLEGAL, S_CANCELLED, S_ILLEGAL },
};
/* clang-format on */

static const char *const backupVerbNames[] = {
    [CAIRN_BACKUP_VERB_START] = "start",
    [CAIRN_BACKUP_VERB_CANCEL] = "cancel",
    [CAIRN_BACKUP_VERB_FINISH_OK] = "finish",
    [CAIRN_BACKUP_VERB_FINISH_ERROR] = "fail",
    [CAIRN_BACKUP_VERB_FINISH_CANCEL] = "finish cancelling",
};
G_STATIC_ASSERT(G_N_ELEMENTS(backupVerbNames) == CAIRN_BACKUP_VERB_LAST);


const char *
cairnBackupVerbToString(cairnBackupVerb verb)
{
    return cairnEnumToString(backupVerbNames, G_N_ELEMENTS(backupVerbNames), verb);
}


bool
cairnBackupDiskApply(cairnBackupDiskDef *disk, cairnBackupVerb verb, GError **error)
{
    cairnBackupDiskState next;

    g_assert((unsigned int)verb < CAIRN_BACKUP_VERB_LAST);
    g_assert((unsigned int)disk->state < CAIRN_BACKUP_DISK_STATE_LAST);
    next = backupTransitions[verb][disk->state];
    if (next == S_ILLEGAL) {
        cairnErrorSet(error, CAIRN_FROM_DOMAIN, CAIRN_ERR_OPERATION_INVALID,
                      "backup of disk '%s' cannot %s in state '%s'", disk->name,
                      backupVerbNames[verb],
                      disk->state == S_NONE ? "none" : cairnBackupDiskStateToString(disk->state));
        return false;
    }
    disk->state = next;
    return true;
}


bool
cairnBackupJobIsActive(const cairnBackupDef *def)
{
    for (guint i = 0; i < def->disks->len; i++) {
        const cairnBackupDiskDef *disk = g_ptr_array_index(def->disks, i);

        if (disk->backup && (disk->state == S_RUNNING || disk->state == S_CANCELLING))
            return true;
    }
    return false;
}


cairnBackupNext
cairnBackupJobNext(const cairnBackupDef *def, cairnDomainJobType *ret_type)
{
    bool running = false, cancelling = false, failed = false, cancelled = false;

    for (guint i = 0; i < def->disks->len; i++) {
        const cairnBackupDiskDef *disk = g_ptr_array_index(def->disks, i);

        if (!disk->backup)
            continue;
        running |= disk->state == S_RUNNING;
        cancelling |= disk->state == S_CANCELLING;
        failed |= disk->state == S_FAILED;
        cancelled |= disk->state == S_CANCELLED;
    }
    if (running && (failed || cancelled))
        return CAIRN_BACKUP_NEXT_CANCEL_REST;
    if (running || cancelling)
        return CAIRN_BACKUP_NEXT_WAIT;
    if (failed)
        *ret_type = CAIRN_DOMAIN_JOB_FAILED;
    else if (cancelled && def->type != CAIRN_BACKUP_TYPE_PULL)
        *ret_type = CAIRN_DOMAIN_JOB_CANCELLED;
    else
        *ret_type = CAIRN_DOMAIN_JOB_COMPLETED;
    return CAIRN_BACKUP_NEXT_TERMINATE;
}
