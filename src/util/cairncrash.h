/*
 * cairncrash.h: named crash points, so that tests can kill the process
 * between any two steps of a multi-step change (STYLE.md 8).
 *
 * Every step of a recorded change (backup begin and end, abort,
 * checkpoint create and delete) calls cairnCrashPoint() with its name
 * right after it acted. The hook is always compiled in and inert: only
 * when the environment variable CAIRN_CRASH_AT names the point does the
 * process kill itself with SIGKILL there (no exit handler runs, exactly as
 * kill -9). The points are one enum with one name table, so a test can
 * walk all of them (tests/daemon/crashpointtest.c) and a new step cannot
 * be forgotten.
 */
#pragma once

#include <stdbool.h>

typedef enum {
    /* backup begin (qemu driver): hypervisor/domain_backup.h phases */
    CAIRN_CRASH_BACKUP_BEGIN_RECORDED = 0, /* first job record written */
    CAIRN_CRASH_BACKUP_BEGIN_STORE_FILE,   /* a target/scratch file created */
    CAIRN_CRASH_BACKUP_BEGIN_STORE_NODES,  /* its nodes attached */
    CAIRN_CRASH_BACKUP_BEGIN_SERVER,       /* pull: NBD server started */
    CAIRN_CRASH_BACKUP_BEGIN_STARTING,     /* phase 'starting' recorded */
    CAIRN_CRASH_BACKUP_BEGIN_TRANSACTION,  /* the transaction ran */
    CAIRN_CRASH_BACKUP_BEGIN_EXPORTS,      /* pull: NBD exports added */
    CAIRN_CRASH_BACKUP_BEGIN_COMMITTING,   /* phase 'committing' recorded */
    CAIRN_CRASH_BACKUP_BEGIN_CHECKPOINT,   /* the new checkpoint committed */
    /* backup end (any process reconciling) */
    CAIRN_CRASH_BACKUP_END_DISK_RECORDED, /* a disk's end recorded */
    CAIRN_CRASH_BACKUP_END_DISK_RELEASED, /* its job dismissed, nodes gone */
    CAIRN_CRASH_BACKUP_END_TERMINATING,   /* phase 'terminating' recorded */
    CAIRN_CRASH_BACKUP_END_RELEASED,      /* server, nodes and files gone */
    CAIRN_CRASH_BACKUP_END_REMOVED,       /* job record removed */
    /* abort */
    CAIRN_CRASH_BACKUP_ABORT_RECORDED,  /* disks recorded as cancelling */
    CAIRN_CRASH_BACKUP_ABORT_CANCELLED, /* cancel sent to every disk job */
    /* checkpoint create (qemu_checkpoint_op.h) */
    CAIRN_CRASH_CHECKPOINT_CREATE_RECORDED,   /* the create recorded */
    CAIRN_CRASH_CHECKPOINT_CREATE_BITMAPS,    /* its bitmaps added */
    CAIRN_CRASH_CHECKPOINT_CREATE_COMMITTING, /* phase 'metadata' recorded */
    CAIRN_CRASH_CHECKPOINT_CREATE_METADATA,   /* its file written, not current yet */
    CAIRN_CRASH_CHECKPOINT_CREATE_COMMITTED,  /* current, record not yet removed */
    /* checkpoint delete */
    CAIRN_CRASH_CHECKPOINT_DELETE_RECORDED,  /* the delete recorded */
    CAIRN_CRASH_CHECKPOINT_DELETE_BITMAPS,   /* the bitmaps removed */
    CAIRN_CRASH_CHECKPOINT_DELETE_CHANGED,   /* children re-parented on disk */
    CAIRN_CRASH_CHECKPOINT_DELETE_REMOVED,   /* the files removed, current not yet */
    CAIRN_CRASH_CHECKPOINT_DELETE_COMMITTED, /* current, record not yet removed */
    /* quiesce (qemu_quiesce.h): covered by tests/qemu/quiesce.c, which has
     * the guest agent crashpointtest lacks */
    CAIRN_CRASH_QUIESCE_FROZEN, /* the guest frozen, record written */
    CAIRN_CRASH_LAST
} cairnCrashPointId;

/* Kill the process with SIGKILL if $CAIRN_CRASH_AT names @point. */
void cairnCrashPoint(cairnCrashPointId point);

/* The name of @point ("backup-begin-recorded"), NULL when out of range. */
const char *cairnCrashPointName(cairnCrashPointId point);
