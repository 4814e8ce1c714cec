/*
 * test_private.h: state shared by the test driver's files.
 *
 * One connection = one fresh driver state (as libvirt's test:///default):
 * a list of domains guarded by one mutex that every call holds throughout.
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "conf/domain_conf.h"
#include "conf/moment_tree.h"
#include "conf/domain_job.h"
#include "datatypes.h"
#include "cairn/cairn-event.h"
#include "cairn/cairn-domain-job.h"

typedef struct _testBackupJob testBackupJob; /* test_backup.c */
typedef struct _testBlockJob testBlockJob;   /* test_blockjob.c */

typedef struct _testDomainObj testDomainObj;
struct _testDomainObj {
    cairnDomainDef *def;
    bool persistent;
    int state;  /* cairnDomainState */
    int reason; /* reason of that state */
    int id;     /* -1 when inactive */
    cairnMomentList *checkpoints;
    testBackupJob *backup;             /* the running backup, or NULL */
    cairnDomainJobData *completed_job; /* last finished job, or NULL */
    GHashTable *blockjobs;             /* disk target -> testBlockJob*, or NULL */
    /* The guest shut down during a backup begun with
     * PRESERVE_SHUTDOWN_DOMAIN: kept PAUSED/SHUTTING_DOWN until it ends. */
    bool shutdown_pending;
};

/* Hold @st's lock until the end of the enclosing block: every driver
 * call does, throughout. */
#define TEST_LOCK(st) g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new(&(st)->lock)

typedef struct _testDriverState testDriverState;
struct _testDriverState {
    GMutex lock;
    GPtrArray *domains; /* of testDomainObj*, owned */
    int next_id;
    /* The simulated clock of backup jobs (test_backup.h), ms; NULL: the
     * monotonic clock, or a stepping one with CAIRN_TEST_CLOCK_STEP_MS. */
    gint64 (*clock)(void *opaque);
    void *clock_opaque;
    gint64 clock_fake; /* the stepping clock's time */
};

static inline testDriverState *
testStateOf(cairnConnect *conn)
{
    return conn->privateData;
}

bool testDomainObjIsActive(const testDomainObj *obj);

/* Refuse (OPERATION_INVALID, "cannot @action: ...") while a backup begun
 * on the shut-off @obj runs, as the qemu driver does (its storage daemon
 * holds the disks); the job is brought up to the clock first. Call with
 * the state's lock held (test_backup.c). */
bool testBackupCheckDisksFree(cairnConnect *conn,
                              testDomainObj *obj,
                              const char *action,
                              GError **error);
void testDomainObjFree(testDomainObj *obj);

/* The object behind handle @dom, or NULL with CAIRN_ERR_NO_DOMAIN. Call
 * with the state's lock held. */
testDomainObj *testDomainObjFromHandle(testDriverState *st, cairnDomain *dom, GError **error);

/* A new handle on @obj. */
cairnDomain *testDomainHandleNew(cairnConnect *conn, const testDomainObj *obj);

/* Domain calls (test_domain.c). */
int testConnectListAllDomains(cairnConnect *conn,
                              cairnDomain ***domains,
                              unsigned int flags,
                              GError **error);
cairnDomain *testDomainLookupByName(cairnConnect *conn, const char *name, GError **error);
cairnDomain *testDomainLookupByUUID(cairnConnect *conn, const unsigned char *uuid, GError **error);
cairnDomain *testDomainLookupByID(cairnConnect *conn, int id, GError **error);
cairnDomain *
testDomainDefineXML(cairnConnect *conn, const char *xml, unsigned int flags, GError **error);
bool testDomainUndefine(cairnDomain *dom, unsigned int flags, GError **error);
bool testDomainCreate(cairnDomain *dom, unsigned int flags, GError **error);
bool testDomainDestroy(cairnDomain *dom, unsigned int flags, GError **error);
bool testDomainShutdown(cairnDomain *dom, unsigned int flags, GError **error);
bool testDomainSuspend(cairnDomain *dom, unsigned int flags, GError **error);
bool testDomainResume(cairnDomain *dom, unsigned int flags, GError **error);
char *testDomainGetXMLDesc(cairnDomain *dom, unsigned int flags, GError **error);
bool testDomainGetInfo(cairnDomain *dom, cairnDomainInfo *info, GError **error);
bool
testDomainGetState(cairnDomain *dom, int *state, int *reason, unsigned int flags, GError **error);
int testDomainIsActive(cairnDomain *dom, GError **error);
int testDomainIsPersistent(cairnDomain *dom, GError **error);

/* Checkpoint calls (test_checkpoint.c). */
cairnDomainCheckpoint *testDomainCheckpointCreateXML(cairnDomain *dom,
                                                     const char *xml,
                                                     unsigned int flags,
                                                     GError **error);
char *
testDomainCheckpointGetXMLDesc(cairnDomainCheckpoint *chk, unsigned int flags, GError **error);
int testDomainListAllCheckpoints(cairnDomain *dom,
                                 cairnDomainCheckpoint ***chks,
                                 unsigned int flags,
                                 GError **error);
int testDomainCheckpointListAllChildren(cairnDomainCheckpoint *chk,
                                        cairnDomainCheckpoint ***chks,
                                        unsigned int flags,
                                        GError **error);
cairnDomainCheckpoint *testDomainCheckpointLookupByName(cairnDomain *dom,
                                                        const char *name,
                                                        unsigned int flags,
                                                        GError **error);
cairnDomainCheckpoint *
testDomainCheckpointGetParent(cairnDomainCheckpoint *chk, unsigned int flags, GError **error);
bool testDomainCheckpointDelete(cairnDomainCheckpoint *chk, unsigned int flags, GError **error);
char *testDomainCheckpointValidate(cairnDomain *dom,
                                   const char *checkpoint,
                                   unsigned int flags,
                                   GError **error);

/* Backups, jobs and events (test_backup.c). */
int testConnectDomainEventRegisterAny(cairnConnect *conn,
                                      cairnDomain *dom,
                                      int eventID,
                                      cairnConnectDomainEventGenericCallback cb,
                                      void *opaque,
                                      cairnFreeCallback freecb,
                                      GError **error);
bool testConnectDomainEventDeregisterAny(cairnConnect *conn, int callbackID, GError **error);
bool testDomainBackupBegin(cairnDomain *dom,
                           const char *backupXML,
                           const char *checkpointXML,
                           unsigned int flags,
                           GError **error);
char *testDomainBackupGetXMLDesc(cairnDomain *dom, unsigned int flags, GError **error);
bool testDomainGetJobInfo(cairnDomain *dom, cairnDomainJobInfo *info, GError **error);
bool testDomainGetJobStats(cairnDomain *dom,
                           int *type,
                           cairnTypedParameter **params,
                           int *nparams,
                           unsigned int flags,
                           GError **error);
bool testDomainAbortJob(cairnDomain *dom, unsigned int flags, GError **error);
bool testDomainBlockJobSetSpeed(cairnDomain *dom,
                                const char *disk,
                                unsigned long long bandwidth,
                                unsigned int flags,
                                GError **error);
void testBackupJobFree(testBackupJob *job);

/* Block jobs (test_blockjob.c). */
void testBlockJobsFree(GHashTable *jobs);
bool testDomainBlockPull(cairnDomain *dom,
                         const char *disk,
                         unsigned long bandwidth,
                         unsigned int flags,
                         GError **error);
int testDomainGetBlockJobInfo(cairnDomain *dom,
                              const char *disk,
                              cairnDomainBlockJobInfo *info,
                              unsigned int flags,
                              GError **error);
bool
testDomainBlockJobAbort(cairnDomain *dom, const char *disk, unsigned int flags, GError **error);
/* Whether @obj's running backup (brought up to the clock first)
 * preserves a guest that shuts down. Call with the state's lock held. */
bool testBackupPreservesShutdown(cairnConnect *conn, testDomainObj *obj);
