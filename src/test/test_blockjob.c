/*
 * test_blockjob.c: block pull jobs of the test driver.
 *
 * A simulated pull: the job covers TEST_BLOCKJOB_END bytes and moves on
 * by a quarter of them at each cairnDomainGetBlockJobInfo(), so a client
 * polling sees 0%, 25%, 50%, 75%, 100%; the query after the one that saw
 * 100% finishes the job (the disk loses its <backingStore>, BLOCK_JOB and
 * BLOCK_JOB_2 events report COMPLETED) and returns 0. An abort ends it
 * as CANCELED. A job belongs to one run of the domain: stopping the
 * domain drops it. Deterministic, for the CLI and API tests.
 */
#include "cairn/cairn-error.h"
#include "cairn/cairn-event.h"
#include "hypervisor/domain_blockjob.h"
#include "test_private.h"
#include "util/cairnerror.h"

#define FROM CAIRN_FROM_TEST

#define TEST_BLOCKJOB_END (1ULL << 30)


struct _testBlockJob {
    int domid;                    /* the run of the domain the job belongs to */
    unsigned long long bandwidth; /* bytes/s */
    unsigned long long cur;
};


void
testBlockJobsFree(GHashTable *jobs)
{
    if (jobs)
        g_hash_table_unref(jobs);
}


/* The jobs of @obj's current run (stale ones dropped). */
static GHashTable *
testBlockJobs(testDomainObj *obj)
{
    GHashTableIter iter;
    testBlockJob *job;

    if (!obj->blockjobs)
        obj->blockjobs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    g_hash_table_iter_init(&iter, obj->blockjobs);
    while (g_hash_table_iter_next(&iter, NULL, (gpointer *)&job)) {
        if (!testDomainObjIsActive(obj) || job->domid != obj->id)
            g_hash_table_iter_remove(&iter);
    }
    return obj->blockjobs;
}


static testDomainObj *
testBlockJobObj(cairnDomain *dom, GError **error)
{
    return testDomainObjFromHandle(testStateOf(dom->conn), dom, error);
}


bool
testDomainBlockPull(
    cairnDomain *dom, const char *name, unsigned long bandwidth, unsigned int flags, GError **error)
{
    testDriverState *st = testStateOf(dom->conn);
    testDomainObj *obj;
    cairnDomainDiskDef *disk;
    testBlockJob *job;
    TEST_LOCK(st);

    if (!cairnCheckFlags(flags, CAIRN_DOMAIN_BLOCK_PULL_BANDWIDTH_BYTES, FROM, __func__, error) ||
        !(obj = testBlockJobObj(dom, error)))
        return false;
    if (!testDomainObjIsActive(obj)) {
        cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_INVALID, "%s", "domain is not running");
        return false;
    }
    if (!(disk = cairnBlockJobFindDisk(obj->def, name, error)))
        return false;
    if (g_hash_table_contains(testBlockJobs(obj), disk->dst)) {
        cairnBlockJobErrorBusy(disk->dst, error);
        return false;
    }
    job = g_new0(testBlockJob, 1);
    job->domid = obj->id;
    job->bandwidth = flags & CAIRN_DOMAIN_BLOCK_PULL_BANDWIDTH_BYTES ?
                         bandwidth :
                         (unsigned long long)bandwidth << 20;
    g_hash_table_insert(obj->blockjobs, g_strdup(disk->dst), job);
    return true;
}


int
testDomainGetBlockJobInfo(cairnDomain *dom,
                          const char *name,
                          cairnDomainBlockJobInfo *info,
                          unsigned int flags,
                          GError **error)
{
    testDriverState *st = testStateOf(dom->conn);
    testDomainObj *obj;
    cairnDomainDiskDef *disk;
    testBlockJob *job;
    TEST_LOCK(st);

    if (!cairnCheckFlags(flags, CAIRN_DOMAIN_BLOCK_JOB_INFO_BANDWIDTH_BYTES, FROM, __func__,
                         error) ||
        !(obj = testBlockJobObj(dom, error)))
        return -1;
    if (!testDomainObjIsActive(obj)) {
        cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_INVALID, "%s", "domain is not running");
        return -1;
    }
    if (!(disk = cairnBlockJobFindDisk(obj->def, name, error)))
        return -1;
    if (!(job = g_hash_table_lookup(testBlockJobs(obj), disk->dst)))
        return 0;
    if (job->cur > TEST_BLOCKJOB_END) {
        g_clear_pointer(&disk->backing, cairnDomainDiskBackingFree);
        cairnBlockJobEmit(dom->conn, obj->def, obj->id, disk, CAIRN_DOMAIN_BLOCK_JOB_TYPE_PULL,
                          CAIRN_DOMAIN_BLOCK_JOB_COMPLETED);
        g_hash_table_remove(obj->blockjobs, disk->dst);
        return 0;
    }
    info->type = CAIRN_DOMAIN_BLOCK_JOB_TYPE_PULL;
    info->bandwidth =
        flags & CAIRN_DOMAIN_BLOCK_JOB_INFO_BANDWIDTH_BYTES ? job->bandwidth : job->bandwidth >> 20;
    info->cur = MIN(job->cur, TEST_BLOCKJOB_END);
    info->end = TEST_BLOCKJOB_END;
    job->cur += TEST_BLOCKJOB_END / 4;
    return 1;
}


bool
testDomainBlockJobAbort(cairnDomain *dom, const char *name, unsigned int flags, GError **error)
{
    testDriverState *st = testStateOf(dom->conn);
    testDomainObj *obj;
    cairnDomainDiskDef *disk;
    TEST_LOCK(st);

    if (!cairnCheckFlags(flags,
                         CAIRN_DOMAIN_BLOCK_JOB_ABORT_ASYNC | CAIRN_DOMAIN_BLOCK_JOB_ABORT_PIVOT,
                         FROM, __func__, error) ||
        !(obj = testBlockJobObj(dom, error)))
        return false;
    if (!testDomainObjIsActive(obj)) {
        cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_INVALID, "%s", "domain is not running");
        return false;
    }
    if (!(disk = cairnBlockJobFindDisk(obj->def, name, error)))
        return false;
    if (!g_hash_table_contains(testBlockJobs(obj), disk->dst)) {
        cairnBlockJobErrorNone(disk->dst, error);
        return false;
    }
    if (flags & CAIRN_DOMAIN_BLOCK_JOB_ABORT_PIVOT) {
        cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_INVALID,
                      "pivot of disk '%s' requires an active copy job", disk->dst);
        return false;
    }
    cairnBlockJobEmit(dom->conn, obj->def, obj->id, disk, CAIRN_DOMAIN_BLOCK_JOB_TYPE_PULL,
                      CAIRN_DOMAIN_BLOCK_JOB_CANCELED);
    g_hash_table_remove(obj->blockjobs, disk->dst);
    return true;
}
