/*
 * test_backup.c: backups, jobs and events of the test driver (not in
 * libvirt, whose test driver has no backups).
 *
 * Begin checks what the qemu driver checks, in its order and with its
 * errors where they apply, aligns the definition and applies the qemu
 * driver's defaults (qcow2 stores, export names and bitmaps, a store
 * index), then simulates the job (test_backup.h): every participating
 * disk runs through the backup state machine (conf/backup_job.h); when all
 * have ended, the job's statistics become the completed job's, and the
 * per-disk BLOCK_JOB/BLOCK_JOB_2 events and the JOB_COMPLETED event are
 * emitted, in that order. No file is touched.
 *
 * A shut-off domain can be backed up, as with the qemu driver (whose job
 * then runs in a qemu-storage-daemon holding the disks): such a job does
 * not depend on the domain running, and while it runs the domain cannot
 * be started or undefined, nor checkpoint bitmaps created or deleted
 * (testBackupCheckDisksFree()). CAIRN_DOMAIN_BACKUP_BEGIN_QUIESCE is
 * accepted and ignored for a running domain, as a quiesced checkpoint.
 */
#include <stdlib.h>
#include <string.h>

#include "cairn/cairn-domain-backup.h"
#include "cairn/cairn-error.h"
#include "conf/backup_conf.h"
#include "conf/backup_job.h"
#include "conf/checkpoint_conf.h"
#include "hypervisor/domain_backup.h"
#include "conf/object_event.h"
#include "hypervisor/domain_checkpoint.h"
#include "test_backup.h"
#include "test_private.h"
#include "util/cairnerror.h"
#include "util/cairntime.h"

#define FROM CAIRN_FROM_TEST


struct _testBackupJob {
    cairnBackupDef *def;      /* aligned, with the driver's defaults and disk states */
    cairnDomainJobData *data; /* running statistics */
    gint64 start_ms;          /* on the simulated clock */
    GSource *timer;           /* advances the simulation from the main loop, or NULL */
    bool offline;             /* begun on the shut-off domain */
    bool preserve_shutdown;   /* CAIRN_DOMAIN_BACKUP_BEGIN_PRESERVE_SHUTDOWN_DOMAIN */
    cairnBackupPhase phase;   /* hypervisor/domain_backup.h (nothing to recover here) */
    GArray *rates;            /* of testBackupRate, one per disk of def */
};

/* The rate limit of one disk's simulated copy (cairnDomainBlockJobSetSpeed):
 * @base bytes were done at @base_ms of the job's time, then the copy runs
 * at @speed bytes/s, but never faster than the unlimited copy (the whole
 * disk in TEST_BACKUP_DURATION_MS). */
typedef struct {
    guint64 speed; /* bytes/s; 0: no limit */
    gint64 base_ms;
    unsigned long long base;
} testBackupRate;

/* What the timer needs to find its job again. */
typedef struct {
    cairnConnect *conn; /* not referenced: the job dies with the connection */
    unsigned char uuid[CAIRN_UUID_BUFLEN];
} testBackupTimerData;


void
testBackupJobFree(testBackupJob *job)
{
    if (!job)
        return;
    if (job->timer) {
        g_source_destroy(job->timer);
        g_source_unref(job->timer);
    }
    cairnBackupDefFree(job->def);
    cairnDomainJobDataFree(job->data);
    if (job->rates)
        g_array_unref(job->rates);
    g_free(job);
}


G_DEFINE_AUTOPTR_CLEANUP_FUNC(testBackupJob, testBackupJobFree)


/* ---- the simulated clock ---- */

void
testBackupSetClock(cairnConnect *conn, gint64 (*now)(void *opaque), void *opaque)
{
    testDriverState *st = testStateOf(conn);
    TEST_LOCK(st);

    st->clock = now;
    st->clock_opaque = opaque;
}


static gint64
testClockStep(void)
{
    const char *step = g_getenv("CAIRN_TEST_CLOCK_STEP_MS");

    return step && *step ? g_ascii_strtoll(step, NULL, 10) : 0;
}


/* Call with the state's lock held. */
static gint64
testClockNow(testDriverState *st)
{
    gint64 step;

    if (st->clock)
        return st->clock(st->clock_opaque);
    if ((step = testClockStep()) > 0)
        return st->clock_fake += step;
    return g_get_monotonic_time() / 1000;
}


/* ---- statistics ---- */

static unsigned long long
testBackupDiskBytes(const cairnBackupDiskDef *disk)
{
    return disk->mode == CAIRN_BACKUP_DISK_MODE_INCREMENTAL ? TEST_BACKUP_INCREMENTAL_BYTES :
                                                              TEST_BACKUP_FULL_BYTES;
}


/* Bytes of disk @i copied after @elapsed ms of the job. */
static unsigned long long
testBackupDiskDone(const testBackupJob *job, guint i, gint64 elapsed)
{
    const cairnBackupDiskDef *disk = g_ptr_array_index(job->def->disks, i);
    const testBackupRate *rate = &g_array_index(job->rates, testBackupRate, i);
    unsigned long long bytes = testBackupDiskBytes(disk);
    unsigned long long span = (unsigned long long)MAX(elapsed - rate->base_ms, 0);
    unsigned long long add = bytes * span / TEST_BACKUP_DURATION_MS;

    if (disk->state == CAIRN_BACKUP_DISK_STATE_COMPLETE)
        return bytes;
    if (rate->speed > 0)
        add = MIN(add, rate->speed * span / 1000);
    return MIN(bytes, rate->base + add);
}


/* Recompute the running statistics for @elapsed ms. */
static void
testBackupUpdateStats(testBackupJob *job, gint64 elapsed)
{
    cairnDomainJobData *data = job->data;
    bool pull = job->def->type == CAIRN_BACKUP_TYPE_PULL;

    data->time_elapsed = (unsigned long long)elapsed;
    data->disk_total = data->disk_processed = data->temp_total = data->temp_used = 0;
    for (guint i = 0; i < job->def->disks->len; i++) {
        const cairnBackupDiskDef *disk = g_ptr_array_index(job->def->disks, i);

        if (!disk->backup)
            continue;
        if (pull) {
            data->temp_total += TEST_BACKUP_FULL_BYTES;
            data->temp_used +=
                MIN(TEST_BACKUP_FULL_BYTES, (unsigned long long)elapsed * TEST_BACKUP_TEMP_RATE);
        } else {
            data->disk_total += testBackupDiskBytes(disk);
            data->disk_processed += testBackupDiskDone(job, i, elapsed);
        }
    }
}


/* Push: every running disk whose copy is done completes. */
static void
testBackupFinishCopied(cairnConnect *conn, testDomainObj *obj, gint64 elapsed)
{
    testBackupJob *job = obj->backup;

    for (guint i = 0; i < job->def->disks->len; i++) {
        cairnBackupDiskDef *disk = g_ptr_array_index(job->def->disks, i);

        if (!disk->backup || disk->state != CAIRN_BACKUP_DISK_STATE_RUNNING ||
            testBackupDiskDone(job, i, elapsed) < testBackupDiskBytes(disk))
            continue;
        if (!cairnBackupDiskApply(disk, CAIRN_BACKUP_VERB_FINISH_OK, NULL))
            g_assert_not_reached();
        cairnBackupEmitBlockJob(conn, obj->def, obj->id, disk);
    }
}


/* ---- the job's end ---- */

/* End the job as @type: its statistics become the completed job's, the
 * JOB_COMPLETED event goes out, the job is dropped. */
static void
testBackupTerminate(cairnConnect *conn, testDomainObj *obj, cairnDomainJobType type)
{
    g_autoptr(testBackupJob) job = g_steal_pointer(&obj->backup);

    if (!cairnBackupPhaseAdvance(&job->phase, CAIRN_BACKUP_PHASE_TERMINATING, NULL))
        g_assert_not_reached();
    job->data->type = type;
    cairnDomainJobDataFree(obj->completed_job);
    obj->completed_job = g_steal_pointer(&job->data);
    cairnBackupEmitJobCompleted(conn, obj->def, obj->id, obj->completed_job);
    /* The guest asked to stop while the backup ran: it stops now. */
    if (obj->shutdown_pending) {
        obj->shutdown_pending = false;
        obj->id = -1;
        obj->state = CAIRN_DOMAIN_SHUTOFF;
        obj->reason = CAIRN_DOMAIN_SHUTOFF_SHUTDOWN;
    }
}


/* Apply @verb to every disk in @from, emitting the block-job event of
 * every disk that ended. */
static void
testBackupApplyAll(cairnConnect *conn,
                   testDomainObj *obj,
                   cairnBackupDiskState from,
                   cairnBackupVerb verb)
{
    for (guint i = 0; i < obj->backup->def->disks->len; i++) {
        cairnBackupDiskDef *disk = g_ptr_array_index(obj->backup->def->disks, i);

        if (!disk->backup || disk->state != from)
            continue;
        if (!cairnBackupDiskApply(disk, verb, NULL))
            g_assert_not_reached();
        if (disk->state != CAIRN_BACKUP_DISK_STATE_CANCELLING)
            cairnBackupEmitBlockJob(conn, obj->def, obj->id, disk);
    }
}


/* After disks changed state: cancel the rest or terminate, as the state
 * machine says. */
static void
testBackupSettle(cairnConnect *conn, testDomainObj *obj)
{
    cairnDomainJobType type = CAIRN_DOMAIN_JOB_COMPLETED;

    switch (cairnBackupJobNext(obj->backup->def, &type)) {
    case CAIRN_BACKUP_NEXT_WAIT:
        return;
    case CAIRN_BACKUP_NEXT_CANCEL_REST:
        testBackupApplyAll(conn, obj, CAIRN_BACKUP_DISK_STATE_RUNNING, CAIRN_BACKUP_VERB_CANCEL);
        testBackupApplyAll(conn, obj, CAIRN_BACKUP_DISK_STATE_CANCELLING,
                           CAIRN_BACKUP_VERB_FINISH_CANCEL);
        testBackupSettle(conn, obj);
        return;
    case CAIRN_BACKUP_NEXT_TERMINATE:
        testBackupTerminate(conn, obj, type);
        return;
    }
}


/* Bring @obj's backup up to the clock. Call with the state's lock held. */
static void
testBackupAdvance(cairnConnect *conn, testDomainObj *obj)
{
    testBackupJob *job = obj->backup;
    gint64 elapsed;

    if (!job)
        return;
    elapsed = testClockNow(testStateOf(conn)) - job->start_ms;
    testBackupUpdateStats(job, elapsed);
    if (!job->offline && !testDomainObjIsActive(obj)) {
        /* The domain went away under the job: every disk job fails. */
        if (!job->data->errmsg)
            job->data->errmsg = g_strdup("domain is not running");
        testBackupApplyAll(conn, obj, CAIRN_BACKUP_DISK_STATE_RUNNING,
                           CAIRN_BACKUP_VERB_FINISH_ERROR);
        testBackupApplyAll(conn, obj, CAIRN_BACKUP_DISK_STATE_CANCELLING,
                           CAIRN_BACKUP_VERB_FINISH_ERROR);
    } else if (job->def->type != CAIRN_BACKUP_TYPE_PULL) {
        testBackupFinishCopied(conn, obj, elapsed);
        testBackupUpdateStats(job, elapsed);
    }
    testBackupSettle(conn, obj);
}


bool
testBackupPreservesShutdown(cairnConnect *conn, testDomainObj *obj)
{
    testBackupAdvance(conn, obj);
    return obj->backup && obj->backup->preserve_shutdown && !obj->backup->offline;
}


void
testBackupTick(cairnConnect *conn)
{
    testDriverState *st = testStateOf(conn);
    TEST_LOCK(st);

    for (guint i = 0; i < st->domains->len; i++)
        testBackupAdvance(conn, g_ptr_array_index(st->domains, i));
}


/* ---- the main-loop timer ---- */

static gboolean
testBackupTimerFire(gpointer opaque)
{
    testBackupTimerData *data = opaque;
    testDriverState *st = testStateOf(data->conn);
    TEST_LOCK(st);

    for (guint i = 0; i < st->domains->len; i++) {
        testDomainObj *obj = g_ptr_array_index(st->domains, i);

        if (memcmp(obj->def->uuid, data->uuid, CAIRN_UUID_BUFLEN) != 0 || !obj->backup)
            continue;
        /* The job owns this source: dropping the job destroys it. */
        testBackupAdvance(data->conn, obj);
        return obj->backup ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
    }
    return G_SOURCE_REMOVE;
}


/* A push job ends by itself: without a test clock, advance it from the
 * main loop (at the end of its duration, or every 10 ms of real time with
 * the stepping clock), so that its events fire with nobody polling. */
static void
testBackupStartTimer(cairnConnect *conn, testDomainObj *obj)
{
    testDriverState *st = testStateOf(conn);
    testBackupTimerData *data;
    guint interval = testClockStep() > 0 ? 10 : TEST_BACKUP_DURATION_MS;

    if (st->clock || obj->backup->def->type == CAIRN_BACKUP_TYPE_PULL)
        return;
    data = g_new0(testBackupTimerData, 1);
    data->conn = conn;
    memcpy(data->uuid, obj->def->uuid, CAIRN_UUID_BUFLEN);
    obj->backup->timer = g_timeout_source_new(interval);
    g_source_set_callback(obj->backup->timer, testBackupTimerFire, data, g_free);
    g_source_set_name(obj->backup->timer, "cairn test backup");
    g_source_attach(obj->backup->timer, g_main_context_get_thread_default());
}


/* ---- begin ---- */

/* The checkpoint made with the backup: parsed, its disks aligned against
 * the domain, its parent the current checkpoint (as a checkpoint created
 * with cairnDomainCheckpointCreateXML). */
static cairnCheckpointDef *
testBackupCheckpointPrepare(testDomainObj *obj, const char *xml, GError **error)
{
    g_autoptr(cairnCheckpointDef) def = NULL;

    if (!(def = cairnCheckpointDefParseString(xml, 0, error)) ||
        !cairnCheckpointPrepareNew(obj->checkpoints, def, obj->def, error))
        return NULL;
    if (cairnMomentListLookup(obj->checkpoints, def->name)) {
        cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_FAILED, "domain moment %s already exists",
                      def->name);
        return NULL;
    }
    return g_steal_pointer(&def);
}


static bool
testBackupCheckDisks(testDomainObj *obj, const cairnBackupDef *def, GError **error)
{
    for (guint i = 0; i < def->disks->len; i++) {
        const cairnBackupDiskDef *disk = g_ptr_array_index(def->disks, i);

        if (disk->backup && disk->mode == CAIRN_BACKUP_DISK_MODE_INCREMENTAL &&
            !cairnMomentListLookup(obj->checkpoints, disk->incremental)) {
            cairnErrorSet(error, CAIRN_FROM_DOMAIN_CHECKPOINT, CAIRN_ERR_NO_DOMAIN_CHECKPOINT,
                          "Checkpoint '%s' for incremental backup of disk '%s' not found",
                          disk->incremental, disk->name);
            return false;
        }
    }
    if (cairnBackupDefCountParticipating(def) == 0) {
        cairnErrorSet(error, FROM, CAIRN_ERR_CONFIG_UNSUPPORTED, "%s",
                      "no disks selected for backup");
        return false;
    }
    return true;
}


/* The qemu driver's order: align, only one backup, server, the
 * checkpoint, the disks. The domain may be shut off. */
static bool
testBackupPrepare(testDomainObj *obj,
                  cairnBackupDef *def,
                  const char *checkpointXML,
                  const char *suffix,
                  cairnCheckpointDef **ret_chk,
                  GError **error)
{
    if (!cairnBackupAlignDisks(def, obj->def, suffix, error))
        return false;
    if (obj->backup) {
        cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_INVALID, "%s",
                      "another backup job is already running");
        return false;
    }
    if (!cairnBackupCheckServer(def, FROM, error))
        return false;
    if (checkpointXML && !(*ret_chk = testBackupCheckpointPrepare(obj, checkpointXML, error)))
        return false;
    return testBackupCheckDisks(obj, def, error);
}


/* Start every participating disk and give it a store index, as the qemu
 * driver numbers its storage sources. */
static void
testBackupStartDisks(testDomainObj *obj, cairnBackupDef *def)
{
    unsigned int index = obj->def->disks->len;

    for (guint i = 0; i < def->disks->len; i++) {
        cairnBackupDiskDef *disk = g_ptr_array_index(def->disks, i);

        if (!disk->backup)
            continue;
        disk->index = ++index;
        if (!cairnBackupDiskApply(disk, CAIRN_BACKUP_VERB_START, NULL))
            g_assert_not_reached();
    }
}


static void
testBackupCommitCheckpoint(testDomainObj *obj, cairnCheckpointDef *chk)
{
    cairnMomentObj *node G_GNUC_UNUSED;

    if (!chk)
        return;
    /* The name was checked free when the backup was prepared. */
    node = cairnCheckpointCommit(obj->checkpoints, &chk, false, true, NULL);
    g_assert(node);
}


bool
testDomainBackupBegin(cairnDomain *dom,
                      const char *backupXML,
                      const char *checkpointXML,
                      unsigned int flags,
                      GError **error)
{
    testDriverState *st = testStateOf(dom->conn);
    g_autoptr(cairnBackupDef) def = NULL;
    g_autoptr(cairnCheckpointDef) chk = NULL;
    g_autofree char *suffix = NULL;
    testDomainObj *obj;
    TEST_LOCK(st);

    if (!cairnCheckFlags(flags,
                         CAIRN_DOMAIN_BACKUP_BEGIN_REUSE_EXTERNAL |
                             CAIRN_DOMAIN_BACKUP_BEGIN_PRESERVE_SHUTDOWN_DOMAIN |
                             CAIRN_DOMAIN_BACKUP_BEGIN_QUIESCE,
                         FROM, __func__, error) ||
        !(def = cairnBackupDefParseString(backupXML, 0, error)) ||
        !(obj = testDomainObjFromHandle(st, dom, error)))
        return false;
    /* QUIESCE: as a quiesced checkpoint here, accepted and ignored, but a
     * shut-off guest has nothing to freeze (the qemu driver's error). */
    if ((flags & CAIRN_DOMAIN_BACKUP_BEGIN_QUIESCE) && !testDomainObjIsActive(obj)) {
        cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_INVALID, "domain is not running");
        return false;
    }
    testBackupAdvance(dom->conn, obj);
    if (checkpointXML) {
        /* The suffix is the new checkpoint's name: parse it once for that. */
        g_autoptr(cairnCheckpointDef) probe =
            cairnCheckpointDefParseString(checkpointXML, 0, error);

        if (!probe)
            return false;
        suffix = g_strdup(probe->name);
    } else {
        suffix = g_strdup_printf("%lld", cairnClockNow());
    }
    if (!testBackupPrepare(obj, def, checkpointXML, suffix, &chk, error))
        return false;
    cairnBackupDefApplyDriverDefaults(def);
    /* The phases of the qemu driver, with nothing to record: the whole
     * begin happens under the state's lock and cannot be interrupted. */
    obj->backup = g_new0(testBackupJob, 1);
    if (!cairnBackupPhaseAdvance(&obj->backup->phase, CAIRN_BACKUP_PHASE_STARTING, NULL))
        g_assert_not_reached();
    testBackupStartDisks(obj, def);
    if (!cairnBackupPhaseAdvance(&obj->backup->phase, CAIRN_BACKUP_PHASE_COMMITTING, NULL))
        g_assert_not_reached();
    testBackupCommitCheckpoint(obj, g_steal_pointer(&chk));
    if (!cairnBackupPhaseAdvance(&obj->backup->phase, CAIRN_BACKUP_PHASE_RUNNING, NULL))
        g_assert_not_reached();
    obj->backup->def = g_steal_pointer(&def);
    obj->backup->rates = g_array_new(FALSE, TRUE, sizeof(testBackupRate));
    g_array_set_size(obj->backup->rates, obj->backup->def->disks->len);
    obj->backup->data = cairnDomainJobDataNew(CAIRN_DOMAIN_JOB_OPERATION_BACKUP);
    obj->backup->start_ms = testClockNow(st);
    obj->backup->offline = !testDomainObjIsActive(obj);
    obj->backup->preserve_shutdown = flags & CAIRN_DOMAIN_BACKUP_BEGIN_PRESERVE_SHUTDOWN_DOMAIN;
    testBackupUpdateStats(obj->backup, 0);
    testBackupStartTimer(dom->conn, obj);
    return true;
}


/* ---- queries and abort ---- */

/* The domain behind @dom with its backup brought up to the clock. */
static testDomainObj *
testBackupObj(cairnDomain *dom, GError **error)
{
    testDriverState *st = testStateOf(dom->conn);
    testDomainObj *obj;

    if (!(obj = testDomainObjFromHandle(st, dom, error)))
        return NULL;
    testBackupAdvance(dom->conn, obj);
    return obj;
}


char *
testDomainBackupGetXMLDesc(cairnDomain *dom, unsigned int flags, GError **error)
{
    testDriverState *st = testStateOf(dom->conn);
    testDomainObj *obj;
    TEST_LOCK(st);

    if (!cairnCheckFlags(flags, 0, FROM, __func__, error) || !(obj = testBackupObj(dom, error)))
        return NULL;
    if (!obj->backup) {
        cairnErrorSet(error, FROM, CAIRN_ERR_NO_DOMAIN_BACKUP, "%s",
                      "no domain backup job present");
        return NULL;
    }
    return cairnBackupDefFormat(obj->backup->def, 0);
}


bool
testDomainGetJobInfo(cairnDomain *dom, cairnDomainJobInfo *info, GError **error)
{
    testDriverState *st = testStateOf(dom->conn);
    testDomainObj *obj;
    TEST_LOCK(st);

    if (!(obj = testBackupObj(dom, error)))
        return false;
    memset(info, 0, sizeof(*info));
    if (obj->backup)
        cairnDomainJobDataToInfo(obj->backup->data, info);
    return true;
}


bool
testDomainGetJobStats(cairnDomain *dom,
                      int *type,
                      cairnTypedParameter **params,
                      int *nparams,
                      unsigned int flags,
                      GError **error)
{
    testDriverState *st = testStateOf(dom->conn);
    const cairnDomainJobData *data;
    testDomainObj *obj;
    TEST_LOCK(st);

    if (!cairnCheckFlags(flags,
                         CAIRN_DOMAIN_JOB_STATS_COMPLETED | CAIRN_DOMAIN_JOB_STATS_KEEP_COMPLETED,
                         FROM, __func__, error) ||
        !(obj = testBackupObj(dom, error)))
        return false;
    if (flags & CAIRN_DOMAIN_JOB_STATS_COMPLETED)
        data = obj->completed_job;
    else
        data = obj->backup ? obj->backup->data : NULL;
    if (!data) {
        *type = CAIRN_DOMAIN_JOB_NONE;
        *params = NULL;
        *nparams = 0;
        return true;
    }
    cairnDomainJobDataToParams(data, type, params, nparams);
    if ((flags & CAIRN_DOMAIN_JOB_STATS_COMPLETED) &&
        !(flags & CAIRN_DOMAIN_JOB_STATS_KEEP_COMPLETED))
        g_clear_pointer(&obj->completed_job, cairnDomainJobDataFree);
    return true;
}


bool
testDomainAbortJob(cairnDomain *dom, unsigned int flags, GError **error)
{
    testDriverState *st = testStateOf(dom->conn);
    testDomainObj *obj;
    TEST_LOCK(st);

    if (!cairnCheckFlags(flags, CAIRN_DOMAIN_ABORT_JOB_POSTCOPY, FROM, __func__, error) ||
        !(obj = testBackupObj(dom, error)))
        return false;
    if (!obj->backup && !testDomainObjIsActive(obj)) {
        cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_INVALID, "%s", "domain is not running");
        return false;
    }
    if (flags & CAIRN_DOMAIN_ABORT_JOB_POSTCOPY) {
        cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_INVALID, "%s",
                      "current job is not outgoing migration in post-copy mode");
        return false;
    }
    if (!obj->backup) {
        cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_INVALID, "%s",
                      "no job is active on the domain");
        return false;
    }
    /* A cancelled disk job concludes at once in the simulation. */
    testBackupApplyAll(dom->conn, obj, CAIRN_BACKUP_DISK_STATE_RUNNING, CAIRN_BACKUP_VERB_CANCEL);
    testBackupApplyAll(dom->conn, obj, CAIRN_BACKUP_DISK_STATE_CANCELLING,
                       CAIRN_BACKUP_VERB_FINISH_CANCEL);
    testBackupSettle(dom->conn, obj);
    return true;
}


bool
testDomainBlockJobSetSpeed(cairnDomain *dom,
                           const char *disk,
                           unsigned long long bandwidth,
                           unsigned int flags,
                           GError **error)
{
    testDriverState *st = testStateOf(dom->conn);
    const cairnDomainDiskDef *domdisk;
    testDomainObj *obj;
    gint64 elapsed;
    TEST_LOCK(st);

    if (!cairnCheckFlags(flags, CAIRN_DOMAIN_BLOCK_JOB_SPEED_BANDWIDTH_BYTES, FROM, __func__,
                         error) ||
        !(obj = testBackupObj(dom, error)))
        return false;
    if (!obj->backup && !testDomainObjIsActive(obj)) {
        cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_INVALID, "%s", "domain is not running");
        return false;
    }
    if (!(domdisk = cairnDomainDiskByName(obj->def, disk))) {
        cairnErrorSet(error, FROM, CAIRN_ERR_INVALID_ARG, "disk '%s' not found in domain", disk);
        return false;
    }
    for (guint i = 0; obj->backup && i < obj->backup->def->disks->len; i++) {
        const cairnBackupDiskDef *bdisk = g_ptr_array_index(obj->backup->def->disks, i);
        testBackupRate *rate = &g_array_index(obj->backup->rates, testBackupRate, i);

        if (!g_str_equal(bdisk->name, domdisk->dst) ||
            bdisk->state != CAIRN_BACKUP_DISK_STATE_RUNNING)
            continue;
        /* A pull job copies nothing itself; its limit is only kept. */
        elapsed = testClockNow(st) - obj->backup->start_ms;
        rate->base = testBackupDiskDone(obj->backup, i, elapsed);
        rate->base_ms = elapsed;
        rate->speed = bandwidth;
        return true;
    }
    cairnErrorSet(error, FROM, CAIRN_ERR_INVALID_ARG, "disk %s does not have an active block job",
                  domdisk->dst);
    return false;
}


bool
testBackupCheckDisksFree(cairnConnect *conn, testDomainObj *obj, const char *action, GError **error)
{
    testBackupAdvance(conn, obj);
    if (!obj->backup || !obj->backup->offline)
        return true;
    cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_INVALID,
                  "cannot %s: domain '%s' has an active backup job whose qemu-storage-daemon "
                  "holds the disks",
                  action, obj->def->name);
    return false;
}


/* ---- events ---- */

int
testConnectDomainEventRegisterAny(cairnConnect *conn,
                                  cairnDomain *dom,
                                  int eventID,
                                  cairnConnectDomainEventGenericCallback cb,
                                  void *opaque,
                                  cairnFreeCallback freecb,
                                  GError **error)
{
    return cairnConnectEventRegister(conn, dom, eventID, cb, opaque, freecb, error);
}


bool
testConnectDomainEventDeregisterAny(cairnConnect *conn, int callbackID, GError **error)
{
    return cairnConnectEventDeregister(conn, callbackID, error);
}
