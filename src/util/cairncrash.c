/*
 * cairncrash.c: named crash points (see cairncrash.h).
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "cairncrash.h"

static const char *const crashPointNames[] = {
    [CAIRN_CRASH_BACKUP_BEGIN_RECORDED] = "backup-begin-recorded",
    [CAIRN_CRASH_BACKUP_BEGIN_STORE_FILE] = "backup-begin-store-file",
    [CAIRN_CRASH_BACKUP_BEGIN_STORE_NODES] = "backup-begin-store-nodes",
    [CAIRN_CRASH_BACKUP_BEGIN_SERVER] = "backup-begin-server",
    [CAIRN_CRASH_BACKUP_BEGIN_STARTING] = "backup-begin-starting",
    [CAIRN_CRASH_BACKUP_BEGIN_TRANSACTION] = "backup-begin-transaction",
    [CAIRN_CRASH_BACKUP_BEGIN_EXPORTS] = "backup-begin-exports",
    [CAIRN_CRASH_BACKUP_BEGIN_COMMITTING] = "backup-begin-committing",
    [CAIRN_CRASH_BACKUP_BEGIN_CHECKPOINT] = "backup-begin-checkpoint",
    [CAIRN_CRASH_BACKUP_END_DISK_RECORDED] = "backup-end-disk-recorded",
    [CAIRN_CRASH_BACKUP_END_DISK_RELEASED] = "backup-end-disk-released",
    [CAIRN_CRASH_BACKUP_END_TERMINATING] = "backup-end-terminating",
    [CAIRN_CRASH_BACKUP_END_RELEASED] = "backup-end-released",
    [CAIRN_CRASH_BACKUP_END_REMOVED] = "backup-end-removed",
    [CAIRN_CRASH_BACKUP_ABORT_RECORDED] = "backup-abort-recorded",
    [CAIRN_CRASH_BACKUP_ABORT_CANCELLED] = "backup-abort-cancelled",
    [CAIRN_CRASH_CHECKPOINT_CREATE_RECORDED] = "checkpoint-create-recorded",
    [CAIRN_CRASH_CHECKPOINT_CREATE_BITMAPS] = "checkpoint-create-bitmaps",
    [CAIRN_CRASH_CHECKPOINT_CREATE_COMMITTING] = "checkpoint-create-committing",
    [CAIRN_CRASH_CHECKPOINT_CREATE_METADATA] = "checkpoint-create-metadata",
    [CAIRN_CRASH_CHECKPOINT_CREATE_COMMITTED] = "checkpoint-create-committed",
    [CAIRN_CRASH_CHECKPOINT_DELETE_RECORDED] = "checkpoint-delete-recorded",
    [CAIRN_CRASH_CHECKPOINT_DELETE_BITMAPS] = "checkpoint-delete-bitmaps",
    [CAIRN_CRASH_CHECKPOINT_DELETE_CHANGED] = "checkpoint-delete-changed",
    [CAIRN_CRASH_CHECKPOINT_DELETE_REMOVED] = "checkpoint-delete-removed",
    [CAIRN_CRASH_CHECKPOINT_DELETE_COMMITTED] = "checkpoint-delete-committed",
    [CAIRN_CRASH_QUIESCE_FROZEN] = "quiesce-frozen",
};
G_STATIC_ASSERT(G_N_ELEMENTS(crashPointNames) == CAIRN_CRASH_LAST);


const char *
cairnCrashPointName(cairnCrashPointId point)
{
    return (unsigned int)point < CAIRN_CRASH_LAST ? crashPointNames[point] : NULL;
}


void
cairnCrashPoint(cairnCrashPointId point)
{
    const char *at = getenv("CAIRN_CRASH_AT");

    if (!at || !*at || g_strcmp0(at, cairnCrashPointName(point)) != 0)
        return;
    g_debug("crash point %s: SIGKILL", at);
    raise(SIGKILL);
}
