/*
 * repos3test.c: the repository in S3, against a real Ceph RADOS Gateway
 * that tests/repo/with-rgw.sh starts for this test (docs/s3.md).
 */
#include <errno.h>
#include <string.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "repo-private.h"
#include "repo-store.h"
#include "repotestutils.h"

#define BUCKET "s3://cairn-test"

static int fixtureCount;

/* A fresh prefix in the test bucket for each test. */
static char *
newUrl(const char *name)
{
    return g_strdup_printf(BUCKET "/%s-%d-%d", name, (int)getpid(), ++fixtureCount);
}


static const rtFill fills3[] = { RT_TEXT, RT_ZERO, RT_RANDOM };
static const guint32 seedsA[] = { 1, 0, 2 };
static const rtDisk disksA[] = {
    { "vda", 2 * CAIRN_REPO_CHUNK_SIZE + 1000, fills3, seedsA },
    { NULL, 0, NULL, NULL },
};


static cairnRepo *
initOpen(const char *url, cairnRepoLockMode lock)
{
    g_autoptr(GError) err = NULL;

    bool ok = cairnRepoInit(url, NULL, &err);

    g_assert_no_error(err);
    g_assert_true(ok);
    return rtOpen(url, NULL, lock);
}


static void
testBasic(void)
{
    g_autofree char *url = newUrl("basic");
    g_autoptr(cairnRepo) repo = initOpen(url, CAIRN_REPO_LOCK_SHARED);
    g_autofree char *id1 = rtWriteSnapshot(repo, "dom", disksA, 0);
    g_autofree char *id2 = NULL;
    g_autoptr(GPtrArray) snaps = NULL;
    g_autoptr(cairnRepoManifest) m = NULL;
    g_autoptr(cairnRepoVerifyReport) report = NULL;
    g_autoptr(GError) err = NULL;

    rtCheckDisk(repo, id1, &disksA[0]);
    /* the same data again: every chunk exists (HEAD), nothing new */
    id2 = rtWriteSnapshot(repo, "dom", disksA, 0);
    m = cairnRepoLoadManifest(repo, id2, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(((cairnRepoManifestDisk *)m->disks->pdata[0])->chunks_new, ==, 0);
    snaps = cairnRepoListSnapshots(repo, "dom", &err);
    g_assert_no_error(err);
    g_assert_cmpuint(snaps->len, ==, 2);
    g_assert_true(cairnRepoVerify(repo, NULL, NULL, NULL, &report, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(report->problems->len, ==, 0);
    g_assert_cmpuint(report->chunks, ==, 2);
}


static void
testInitErrors(void)
{
    g_autofree char *url = newUrl("init");
    g_autofree char *empty = newUrl("empty");
    G_GNUC_UNUSED g_autoptr(cairnRepo) repo = initOpen(url, CAIRN_REPO_LOCK_SHARED);
    g_autoptr(GError) err = NULL;

    g_assert_false(cairnRepoInit(url, NULL, &err));
    g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_EXISTS);
    g_clear_error(&err);
    g_assert_null(cairnRepoOpen(empty, NULL, CAIRN_REPO_LOCK_SHARED, &err));
    g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_NOT_A_REPO);
    g_clear_error(&err);
    g_assert_null(cairnRepoOpen("s3://no-such-bucket/x", NULL, CAIRN_REPO_LOCK_SHARED, &err));
    g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_IO);
    g_assert_nonnull(strstr(err->message, "bucket 'no-such-bucket' does not exist"));
}


static void
testWrongCredentials(void)
{
    g_autofree char *url = newUrl("creds");
    g_autofree char *secret = g_strdup(g_getenv("AWS_SECRET_ACCESS_KEY"));
    G_GNUC_UNUSED g_autoptr(cairnRepo) repo = initOpen(url, CAIRN_REPO_LOCK_SHARED);
    g_autoptr(GError) err = NULL;

    g_setenv("AWS_SECRET_ACCESS_KEY", "wrongwrongwrongwrongwrongwrongwrongwrong", TRUE);
    g_assert_null(cairnRepoOpen(url, NULL, CAIRN_REPO_LOCK_SHARED, &err));
    g_setenv("AWS_SECRET_ACCESS_KEY", secret, TRUE);
    g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_KEY);
    g_assert_nonnull(strstr(err->message, "access denied"));
    g_assert_nonnull(strstr(err->message, "check the S3 credentials"));
}


static void
testProfileFile(void)
{
    g_autofree char *url = newUrl("profile");
    g_autofree char *access = g_strdup(g_getenv("AWS_ACCESS_KEY_ID"));
    g_autofree char *secret = g_strdup(g_getenv("AWS_SECRET_ACCESS_KEY"));
    g_autofree char *dir = rtMakeDir();
    g_autofree char *file = g_build_filename(dir, "credentials", NULL);
    g_autofree char *text = g_strdup_printf("[other]\naws_access_key_id = %s\n"
                                            "aws_secret_access_key = %s\n",
                                            access, secret);
    G_GNUC_UNUSED g_autoptr(cairnRepo) repo = initOpen(url, CAIRN_REPO_LOCK_SHARED);
    g_autoptr(cairnRepo) again = NULL;
    g_autoptr(GError) err = NULL;

    g_assert_true(g_file_set_contents(file, text, -1, NULL));
    g_assert_cmpint(chmod(file, 0644), ==, 0);
    g_unsetenv("AWS_ACCESS_KEY_ID");
    g_unsetenv("AWS_SECRET_ACCESS_KEY");
    g_setenv("AWS_SHARED_CREDENTIALS_FILE", file, TRUE);
    g_setenv("AWS_PROFILE", "other", TRUE);
    g_assert_null(cairnRepoOpen(url, NULL, CAIRN_REPO_LOCK_SHARED, &err));
    g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_KEY);
    g_assert_nonnull(strstr(err->message, "readable by others"));
    g_clear_error(&err);
    g_assert_cmpint(chmod(file, 0600), ==, 0);
    again = cairnRepoOpen(url, NULL, CAIRN_REPO_LOCK_SHARED, &err);
    g_setenv("AWS_ACCESS_KEY_ID", access, TRUE);
    g_setenv("AWS_SECRET_ACCESS_KEY", secret, TRUE);
    g_unsetenv("AWS_SHARED_CREDENTIALS_FILE");
    g_unsetenv("AWS_PROFILE");
    rtRemoveTree(dir);
    g_assert_no_error(err);
    g_assert_nonnull(again);
}


static void
testMarkers(void)
{
    g_autofree char *url = newUrl("markers");
    g_autoptr(cairnRepo) a = initOpen(url, CAIRN_REPO_LOCK_SHARED);
    g_autoptr(cairnRepo) b = rtOpen(url, NULL, CAIRN_REPO_LOCK_SHARED);
    g_autoptr(cairnRepo) gc = NULL;
    g_autoptr(GError) err = NULL;

    /* gc refuses while anything else uses the repository */
    g_assert_null(cairnRepoOpen(url, NULL, CAIRN_REPO_LOCK_EXCLUSIVE, &err));
    g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_LOCKED);
    g_assert_nonnull(strstr(err->message, "in use by 2 other"));
    g_clear_error(&err);
    g_clear_pointer(&a, cairnRepoFree);
    g_clear_pointer(&b, cairnRepoFree);
    gc = rtOpen(url, NULL, CAIRN_REPO_LOCK_EXCLUSIVE);
    /* and a run refuses while gc runs */
    g_assert_null(cairnRepoOpen(url, NULL, CAIRN_REPO_LOCK_SHARED, &err));
    g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_LOCKED);
    g_assert_nonnull(strstr(err->message, "locked by gc"));
    g_clear_error(&err);
    g_clear_pointer(&gc, cairnRepoFree);
    a = rtOpen(url, NULL, CAIRN_REPO_LOCK_SHARED);
}


/* A marker older than CAIRN_S3_MARKER_STALE (a killed process's) does not
 * stop gc, and gc removes it. */
static void
testStaleMarker(void)
{
    g_autofree char *url = newUrl("stale");
    G_GNUC_UNUSED g_autoptr(cairnRepo) a = initOpen(url, CAIRN_REPO_LOCK_SHARED);
    g_autoptr(cairnRepo) gc = NULL;

    g_setenv("CAIRN_S3_MARKER_STALE", "1", TRUE);
    g_usleep(2200 * 1000);
    gc = rtOpen(url, NULL, CAIRN_REPO_LOCK_EXCLUSIVE);
    g_unsetenv("CAIRN_S3_MARKER_STALE");
}


static guint64
gcRun(const char *url, gint64 grace, cairnRepoGcStats *stats)
{
    g_autoptr(cairnRepo) repo = rtOpen(url, NULL, CAIRN_REPO_LOCK_EXCLUSIVE);
    g_autoptr(GError) err = NULL;

    if (grace >= 0)
        cairnRepoSetGcGrace(repo, grace);
    g_assert_true(cairnRepoGc(repo, false, stats, &err));
    g_assert_no_error(err);
    return stats->chunks_removed;
}


/* A run that uploaded chunks but wrote no manifest (still running on
 * another host, or killed) keeps them through gc within the grace. */
static void
testGcGrace(void)
{
    g_autofree char *url = newUrl("grace");
    g_autoptr(cairnRepo) repo = initOpen(url, CAIRN_REPO_LOCK_SHARED);
    g_autofree char *id = rtWriteSnapshot(repo, "dom", disksA, 0);
    g_autofree guint8 *buf = g_malloc(CAIRN_REPO_CHUNK_SIZE);
    cairnRepoGcStats stats;
    g_autoptr(GError) err = NULL;

    {
        g_autoptr(cairnRepoWriter) w = cairnRepoWriterNew(repo, "dom", NULL, &err);

        g_assert_no_error(err);
        g_assert_true(cairnRepoWriterAddDisk(w, "vda", CAIRN_REPO_CHUNK_SIZE, NULL, &err));
        rtFillBuffer(buf, CAIRN_REPO_CHUNK_SIZE, RT_TEXT, 777);
        g_assert_true(cairnRepoWriterPutChunk(w, "vda", 0, buf, CAIRN_REPO_CHUNK_SIZE, &err));
        g_assert_no_error(err);
        /* freed without commit: an orphan chunk */
    }
    g_clear_pointer(&repo, cairnRepoFree);
    /* default grace (24 h): the orphan survives */
    g_assert_cmpuint(gcRun(url, -1, &stats), ==, 0);
    g_assert_cmpuint(stats.chunks_young, ==, 1);
    g_assert_cmpuint(stats.chunks, ==, 3);
    /* a grace of an hour: still young */
    g_assert_cmpuint(gcRun(url, 3600, &stats), ==, 0);
    /* zero grace: only the orphan goes */
    g_assert_cmpuint(gcRun(url, 0, &stats), ==, 1);
    g_assert_cmpuint(stats.chunks, ==, 3);
    repo = rtOpen(url, NULL, CAIRN_REPO_LOCK_SHARED);
    rtCheckDisk(repo, id, &disksA[0]);
}


typedef struct {
    const char *url;
    guint32 seed;
    char *id;
} writerJob;

static const rtFill fills4[] = { RT_TEXT, RT_TEXT, RT_RANDOM, RT_TEXT };


static gpointer
writerThread(gpointer opaque)
{
    writerJob *job = opaque;
    g_autoptr(cairnRepo) repo = rtOpen(job->url, NULL, CAIRN_REPO_LOCK_SHARED);
    /* chunks 0-2 shared by every writer, chunk 3 its own */
    guint32 seeds[] = { 11, 12, 13, job->seed };
    rtDisk disks[] = { { "vda", 4 * CAIRN_REPO_CHUNK_SIZE, fills4, seeds },
                       { NULL, 0, NULL, NULL } };

    job->id = rtWriteSnapshot(repo, "dom", disks, 0);
    return NULL;
}


/* Three writers (as three hosts) into one prefix at once, then gc with no
 * grace: every snapshot reads back, shared chunks are stored once. */
static void
testConcurrentWriters(void)
{
    g_autofree char *url = newUrl("writers");
    g_autoptr(cairnRepo) repo = initOpen(url, CAIRN_REPO_LOCK_SHARED);
    writerJob jobs[3];
    GThread *threads[3];
    cairnRepoGcStats stats;

    g_clear_pointer(&repo, cairnRepoFree);
    for (int i = 0; i < 3; i++) {
        jobs[i] = (writerJob){ url, 100 + (guint32)i, NULL };
        threads[i] = g_thread_new("writer", writerThread, &jobs[i]);
    }
    for (int i = 0; i < 3; i++)
        g_thread_join(threads[i]);
    g_assert_cmpuint(gcRun(url, 0, &stats), ==, 0);
    /* 3 shared + 3 own */
    g_assert_cmpuint(stats.chunks, ==, 6);
    repo = rtOpen(url, NULL, CAIRN_REPO_LOCK_SHARED);
    for (int i = 0; i < 3; i++) {
        guint32 seeds[] = { 11, 12, 13, 100 + (guint32)i };
        rtDisk d = { "vda", 4 * CAIRN_REPO_CHUNK_SIZE, fills4, seeds };

        rtCheckDisk(repo, jobs[i].id, &d);
        g_free(jobs[i].id);
    }
}


/* gc started while a run is writing refuses, removing nothing; the run
 * completes and reads back. */
static void
testGcDuringRun(void)
{
    g_autofree char *url = newUrl("gcrun");
    g_autoptr(cairnRepo) repo = initOpen(url, CAIRN_REPO_LOCK_SHARED);
    g_autofree guint8 *buf = g_malloc(CAIRN_REPO_CHUNK_SIZE);
    g_autoptr(cairnRepoWriter) w = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *id = NULL;
    rtDisk d = { "vda", CAIRN_REPO_CHUNK_SIZE, fills3, seedsA };

    w = cairnRepoWriterNew(repo, "dom", NULL, &err);
    g_assert_no_error(err);
    g_assert_true(cairnRepoWriterAddDisk(w, "vda", CAIRN_REPO_CHUNK_SIZE, NULL, &err));
    rtFillBuffer(buf, CAIRN_REPO_CHUNK_SIZE, RT_TEXT, 1);
    g_assert_true(cairnRepoWriterPutChunk(w, "vda", 0, buf, CAIRN_REPO_CHUNK_SIZE, &err));
    g_assert_no_error(err);
    /* the run has uploaded its chunk but not its manifest: gc, zero grace */
    {
        g_autoptr(cairnRepo) gc = cairnRepoOpen(url, NULL, CAIRN_REPO_LOCK_EXCLUSIVE, &err);

        g_assert_null(gc);
        g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_LOCKED);
        g_clear_error(&err);
    }
    g_assert_true(cairnRepoWriterCommit(w, NULL, &id, &err));
    g_assert_no_error(err);
    rtCheckDisk(repo, id, &d);
}


static int failures;

static int
failHook(const char *step)
{
    if (g_str_equal(step, "s3-request") && failures > 0) {
        failures--;
        return ECONNRESET;
    }
    return 0;
}


/* Failed requests are retried; when they keep failing the error says so
 * and nothing half-made is visible. */
static void
testRetries(void)
{
    g_autofree char *url = newUrl("retry");
    g_autoptr(cairnRepo) repo = initOpen(url, CAIRN_REPO_LOCK_SHARED);
    g_autofree char *id = NULL;
    g_autoptr(GPtrArray) snaps = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree guint8 *buf = g_malloc(CAIRN_REPO_CHUNK_SIZE);

    cairnRepoTestHook = failHook;
    failures = 3;
    id = rtWriteSnapshot(repo, "dom", disksA, 0);
    g_assert_cmpint(failures, ==, 0);
    rtCheckDisk(repo, id, &disksA[0]);
    g_clear_pointer(&repo, cairnRepoFree);

    /* every attempt fails: a clear error naming the attempts */
    g_setenv("CAIRN_S3_RETRIES", "2", TRUE);
    repo = rtOpen(url, NULL, CAIRN_REPO_LOCK_SHARED);
    {
        g_autoptr(cairnRepoWriter) w = cairnRepoWriterNew(repo, "dom", NULL, &err);

        g_assert_no_error(err);
        g_assert_true(cairnRepoWriterAddDisk(w, "vda", CAIRN_REPO_CHUNK_SIZE, NULL, &err));
        rtFillBuffer(buf, CAIRN_REPO_CHUNK_SIZE, RT_TEXT, 4242);
        failures = 1000;
        g_assert_false(cairnRepoWriterPutChunk(w, "vda", 0, buf, CAIRN_REPO_CHUNK_SIZE, &err));
        failures = 0;
        g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_IO);
        g_assert_nonnull(strstr(err->message, "after 3 attempts"));
        g_clear_error(&err);
    }
    g_unsetenv("CAIRN_S3_RETRIES");
    cairnRepoTestHook = NULL;
    snaps = cairnRepoListSnapshots(repo, NULL, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(snaps->len, ==, 1);
}


static int
uploadFailHook(const char *step)
{
    return g_str_equal(step, "s3-upload") ? EIO : 0;
}


/* A chunk's upload runs behind the writer (queued, not durable): when it
 * fails, commit's sync fails and no manifest is written. */
static void
testUploadFails(void)
{
    g_autofree char *url = newUrl("upfail");
    g_autoptr(cairnRepo) repo = initOpen(url, CAIRN_REPO_LOCK_SHARED);
    g_autofree guint8 *buf = g_malloc(CAIRN_REPO_CHUNK_SIZE);
    g_autoptr(cairnRepoWriter) w = NULL;
    g_autoptr(GPtrArray) snaps = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *id = NULL;
    bool ok = true;

    w = cairnRepoWriterNew(repo, "dom", NULL, &err);
    g_assert_no_error(err);
    g_assert_true(cairnRepoWriterAddDisk(w, "vda", CAIRN_REPO_CHUNK_SIZE, NULL, &err));
    cairnRepoTestHook = uploadFailHook;
    /* one chunk: its put is queued; commit's sync reports the failure */
    rtFillBuffer(buf, CAIRN_REPO_CHUNK_SIZE, RT_RANDOM, 7700);
    ok = cairnRepoWriterPutChunk(w, "vda", 0, buf, CAIRN_REPO_CHUNK_SIZE, &err);
    g_assert_no_error(err);
    g_assert_true(ok);
    ok = cairnRepoWriterCommit(w, NULL, &id, &err);
    cairnRepoTestHook = NULL;
    g_assert_false(ok);
    g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_IO);
    g_assert_nonnull(strstr(err->message, "upload of chunks/"));
    g_clear_error(&err);
    g_clear_pointer(&w, cairnRepoWriterFree);
    snaps = cairnRepoListSnapshots(repo, NULL, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(snaps->len, ==, 0);
    g_clear_pointer(&repo, cairnRepoFree);
    repo = rtOpen(url, NULL, CAIRN_REPO_LOCK_SHARED);
    id = rtWriteSnapshot(repo, "dom", disksA, 0);
    rtCheckDisk(repo, id, &disksA[0]);
}


static bool
firstChunk(const char *key, guint64 size, gint64 mtime, gpointer opaque, GError **error)
{
    char **ret = opaque;

    if (!*ret)
        *ret = g_strdup(key);
    return true;
}


/* verify catches an object overwritten with other bytes; a read never
 * hands them on. */
static void
testVerifyOverwritten(void)
{
    g_autofree char *url = newUrl("overwrite");
    g_autoptr(cairnRepo) repo = initOpen(url, CAIRN_REPO_LOCK_SHARED);
    g_autofree char *id = rtWriteSnapshot(repo, "dom", disksA, 0);
    g_autoptr(cairnRepoStore) store = NULL;
    g_autoptr(cairnRepoVerifyReport) report = NULL;
    g_autoptr(cairnRepoIndex) index = NULL;
    g_autofree char *key = NULL;
    g_autofree guint8 *buf = NULL;
    g_autofree guint8 *out = g_malloc(CAIRN_REPO_CHUNK_SIZE);
    size_t cap = 0;
    size_t len = 0;
    struct iovec iov;
    g_autoptr(GError) err = NULL;
    bool bad = false;

    store = cairnRepoStoreS3Open(url, &err);
    g_assert_no_error(err);
    g_assert_true(store->driver->list(store, "chunks/", firstChunk, &key, &err));
    g_assert_nonnull(key);
    g_assert_true(store->driver->get(store, key, 8 << 20, &buf, &cap, &len, &err));
    g_assert_no_error(err);
    buf[len - 1] ^= 0x55;
    iov = (struct iovec){ buf, len };
    g_assert_true(store->driver->put(store, key, &iov, 1, false, true, NULL, &err));
    g_assert_no_error(err);

    g_assert_true(cairnRepoVerify(repo, NULL, NULL, NULL, &report, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(report->problems->len, ==, 1);
    index = cairnRepoLoadIndex(repo, id, "vda", &err);
    g_assert_no_error(err);
    for (guint64 c = 0; c < cairnRepoIndexGetChunkCount(index); c++) {
        if (!cairnRepoReadIndexChunk(repo, index, c, out, &err)) {
            g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_CORRUPT);
            g_clear_error(&err);
            bad = true;
        }
    }
    g_assert_true(bad);
}


static void
testEncrypted(void)
{
    g_autofree char *url = newUrl("enc");
    g_autofree char *dir = rtMakeDir();
    g_autofree char *keyfile = g_build_filename(dir, "key", NULL);
    g_autoptr(cairnRepo) repo = NULL;
    g_autofree char *id = NULL;
    g_autoptr(GError) err = NULL;

    g_assert_true(cairnRepoInit(url, keyfile, &err));
    g_assert_no_error(err);
    repo = rtOpen(url, keyfile, CAIRN_REPO_LOCK_SHARED);
    g_assert_true(cairnRepoIsEncrypted(repo));
    id = rtWriteSnapshot(repo, "dom", disksA, 0);
    rtCheckDisk(repo, id, &disksA[0]);
    g_clear_pointer(&repo, cairnRepoFree);
    g_assert_null(cairnRepoOpen(url, NULL, CAIRN_REPO_LOCK_SHARED, &err));
    g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_KEY);
    rtRemoveTree(dir);
}


static void
rgw(const char *verb)
{
    const char *env = g_getenv("CAIRN_TEST_RGW");
    g_autofree char *cmd = NULL;
    g_auto(GStrv) parts = g_strsplit(env, " ", 2);
    int status = 0;

    cmd = g_strdup_printf("bash %s %s %s >/dev/null", parts[0], verb, parts[1]);
    g_assert_true(g_spawn_command_line_sync(cmd, NULL, NULL, &status, NULL));
    g_assert_true(g_spawn_check_wait_status(status, NULL));
}


/* The gateway killed in the middle of a run: the run fails cleanly (after
 * its retries), nothing of it is visible; after a restart the next run
 * works. */
static void
testGatewayKilled(void)
{
    g_autofree char *url = newUrl("killed");
    g_autoptr(cairnRepo) repo = NULL;
    g_autofree char *id0 = NULL;
    g_autofree char *id = NULL;
    g_autofree guint8 *buf = g_malloc(CAIRN_REPO_CHUNK_SIZE);
    g_autoptr(GPtrArray) snaps = NULL;
    g_autoptr(GError) err = NULL;

    g_setenv("CAIRN_S3_RETRIES", "2", TRUE);
    repo = initOpen(url, CAIRN_REPO_LOCK_SHARED);
    id0 = rtWriteSnapshot(repo, "dom", disksA, 0);
    {
        g_autoptr(cairnRepoWriter) w = cairnRepoWriterNew(repo, "dom", NULL, &err);

        g_assert_no_error(err);
        g_assert_true(cairnRepoWriterAddDisk(w, "vda", 2 * CAIRN_REPO_CHUNK_SIZE, NULL, &err));
        rtFillBuffer(buf, CAIRN_REPO_CHUNK_SIZE, RT_TEXT, 9001);
        g_assert_true(cairnRepoWriterPutChunk(w, "vda", 0, buf, CAIRN_REPO_CHUNK_SIZE, &err));
        rgw("kill-rgw");
        rtFillBuffer(buf, CAIRN_REPO_CHUNK_SIZE, RT_TEXT, 9002);
        /* a new chunk by the listing is queued without a request: its
         * upload fails behind the writer, and the commit reports it */
        if (cairnRepoWriterPutChunk(w, "vda", 1, buf, CAIRN_REPO_CHUNK_SIZE, &err)) {
            g_autofree char *never = NULL;

            g_assert_false(cairnRepoWriterCommit(w, NULL, &never, &err));
            g_assert_null(never);
        }
        g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_IO);
        g_assert_nonnull(strstr(err->message, "after 3 attempts"));
        g_clear_error(&err);
    }
    g_unsetenv("CAIRN_S3_RETRIES");
    rgw("start-rgw");
    /* the next run opens the repository anew (the failed run's store may
     * hold the failure of a queued upload for its next sync) */
    g_clear_pointer(&repo, cairnRepoFree);
    repo = rtOpen(url, NULL, CAIRN_REPO_LOCK_SHARED);
    snaps = cairnRepoListSnapshots(repo, NULL, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(snaps->len, ==, 1);
    id = rtWriteSnapshot(repo, "dom", disksA, 0);
    rtCheckDisk(repo, id, &disksA[0]);
}


static int requestsLeft;

static int
budgetHook(const char *step)
{
    if (g_str_equal(step, "s3-request") && requestsLeft-- <= 0)
        return ECONNRESET;
    return 0;
}


/* sync dir -> s3 -> dir: only missing chunks move, an interrupted sync is
 * resumed, and the copies read back identical. */
static void
testSyncRoundTrip(void)
{
    g_autofree char *url = newUrl("sync");
    g_autofree char *dir = rtMakeDir();
    g_autofree char *local = g_build_filename(dir, "a", NULL);
    g_autofree char *back = g_build_filename(dir, "b", NULL);
    g_autoptr(cairnRepo) a = NULL;
    g_autoptr(cairnRepo) s3 = NULL;
    g_autoptr(cairnRepo) b = NULL;
    g_autofree char *id1 = NULL;
    g_autofree char *id2 = NULL;
    g_autoptr(GPtrArray) snaps = NULL;
    cairnRepoSyncStats st;
    g_autoptr(GError) err = NULL;
    static const guint32 seedsB[] = { 1, 0, 3 };
    const rtDisk disksB[] = { { "vda", 2 * CAIRN_REPO_CHUNK_SIZE + 1000, fills3, seedsB },
                              { NULL, 0, NULL, NULL } };

    g_assert_true(cairnRepoInit(local, NULL, &err));
    g_assert_true(cairnRepoInit(back, NULL, &err));
    a = rtOpen(local, NULL, CAIRN_REPO_LOCK_SHARED);
    id1 = rtWriteSnapshot(a, "dom", disksA, 1700000000);
    id2 = rtWriteSnapshot(a, "dom", disksB, 1700000100);
    g_setenv("CAIRN_S3_RETRIES", "0", TRUE);
    s3 = initOpen(url, CAIRN_REPO_LOCK_SHARED);
    g_unsetenv("CAIRN_S3_RETRIES");

    /* interrupted after a few requests: nothing visible */
    cairnRepoTestHook = budgetHook;
    requestsLeft = 4;
    g_assert_false(cairnRepoSync(a, s3, NULL, 0, &st, &err));
    g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_IO);
    g_clear_error(&err);
    cairnRepoTestHook = NULL;
    snaps = cairnRepoListSnapshots(s3, NULL, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(snaps->len, ==, 0);
    g_clear_pointer(&snaps, g_ptr_array_unref);

    /* resumed: the chunk already copied is not copied again */
    g_assert_true(cairnRepoSync(a, s3, NULL, 0, &st, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(st.snapshots_copied, ==, 2);
    g_assert_cmpuint(st.chunks_present, >=, 1);
    g_assert_cmpuint(st.chunks_copied + st.chunks_present, ==, 3);
    g_assert_true(cairnRepoSync(a, s3, NULL, 0, &st, &err));
    g_assert_cmpuint(st.snapshots_present, ==, 2);
    g_assert_cmpuint(st.chunks_copied, ==, 0);

    /* back to a directory, the newest only */
    b = rtOpen(back, NULL, CAIRN_REPO_LOCK_SHARED);
    g_assert_true(cairnRepoSync(s3, b, "dom", 1, &st, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(st.snapshots_copied, ==, 1);
    snaps = cairnRepoListSnapshots(b, NULL, &err);
    g_assert_cmpuint(snaps->len, ==, 1);
    g_assert_cmpstr(((cairnRepoManifest *)snaps->pdata[0])->id, ==, id2);
    rtCheckDisk(b, id2, &disksB[0]);
    rtCheckDisk(s3, id1, &disksA[0]);
    g_clear_pointer(&a, cairnRepoFree);
    g_clear_pointer(&b, cairnRepoFree);
    rtRemoveTree(dir);
}


/* CAIRN_S3_ADDRESSING: virtual-hosted (BUCKET.HOST, which curl resolves
 * for *.localhost, and the gateway knows as its DNS name) and path-style
 * reach the same objects; virtual on an IP address cannot. */
static void
testAddressing(void)
{
    g_autofree char *url = newUrl("vhost");
    g_autofree char *endpoint = g_strdup(g_getenv("AWS_ENDPOINT_URL"));
    g_autofree char *local = NULL;
    g_autoptr(cairnRepo) repo = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *id = NULL;
    const char *ip = strstr(endpoint, "127.0.0.1");

    g_assert_nonnull(ip);
    local = g_strdup_printf("%.*slocalhost%s", (int)(ip - endpoint), endpoint,
                            ip + strlen("127.0.0.1"));
    g_setenv("AWS_ENDPOINT_URL", local, TRUE);
    g_setenv("CAIRN_S3_ADDRESSING", "virtual", TRUE);
    repo = initOpen(url, CAIRN_REPO_LOCK_SHARED);
    id = rtWriteSnapshot(repo, "dom", disksA, 0);
    g_clear_pointer(&repo, cairnRepoFree);

    g_setenv("AWS_ENDPOINT_URL", endpoint, TRUE);
    g_assert_null(cairnRepoOpen(url, NULL, CAIRN_REPO_LOCK_SHARED, &err));
    g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_IO);
    g_assert_nonnull(strstr(err->message, "cairn-test.127.0.0.1"));
    g_clear_error(&err);

    g_setenv("CAIRN_S3_ADDRESSING", "sideways", TRUE);
    g_assert_null(cairnRepoOpen(url, NULL, CAIRN_REPO_LOCK_SHARED, &err));
    g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_INVALID);
    g_clear_error(&err);

    g_setenv("CAIRN_S3_ADDRESSING", "path", TRUE);
    repo = rtOpen(url, NULL, CAIRN_REPO_LOCK_SHARED);
    g_unsetenv("CAIRN_S3_ADDRESSING");
    rtCheckDisk(repo, id, &disksA[0]);
}


typedef struct {
    cairnRepoStore *store;
    int n;
} putJob;

#define PAR_THREADS 8
#define PAR_PER_THREAD 4
#define PAR_SIZE (256 * 1024)

static gpointer
parallelPutThread(gpointer opaque)
{
    putJob *job = opaque;
    g_autofree guint8 *buf = g_malloc(PAR_SIZE);

    for (int i = 0; i < PAR_PER_THREAD; i++) {
        g_autofree char *key = g_strdup_printf("par/%d-%d", job->n, i);
        struct iovec iov = { buf, PAR_SIZE };
        g_autoptr(GError) err = NULL;
        bool created = false;

        rtFillBuffer(buf, PAR_SIZE, RT_RANDOM, (guint32)(job->n * 100 + i));
        /* as the writer does: HEAD, then a put that need not HEAD again */
        g_assert_cmpint(job->store->driver->exists(job->store, key, NULL, &err), ==, 0);
        g_assert_true(
            job->store->driver->put(job->store, key, &iov, 1, true, false, &created, &err));
        g_assert_no_error(err);
        g_assert_true(created);
    }
    return NULL;
}


static bool
countKey(const char *key, guint64 size, gint64 mtime, gpointer opaque, GError **error)
{
    (*(guint *)opaque)++;
    return true;
}


/* Requests of many threads run at once in the store's one multi handle,
 * over no more connections than it is allowed (kept alive and reused);
 * the DELETEs of remove_many too. */
static void
testParallel(void)
{
    g_autofree char *url = newUrl("parallel");
    g_autoptr(cairnRepoStore) store = NULL;
    g_autoptr(GError) err = NULL;
    g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func(g_free);
    putJob jobs[PAR_THREADS];
    GThread *threads[PAR_THREADS];
    cairnRepoS3Stats st;
    guint count = 0;

    g_setenv("CAIRN_S3_CONNECTIONS", "4", TRUE);
    store = cairnRepoStoreS3Open(url, &err);
    g_unsetenv("CAIRN_S3_CONNECTIONS");
    g_assert_no_error(err);
    for (int i = 0; i < PAR_THREADS; i++) {
        jobs[i] = (putJob){ store, i };
        threads[i] = g_thread_new("put", parallelPutThread, &jobs[i]);
    }
    for (int i = 0; i < PAR_THREADS; i++)
        g_thread_join(threads[i]);
    /* the puts (not durable) are queued: sync waits for their uploads */
    g_assert_true(store->driver->sync(store, &err));
    g_assert_no_error(err);
    g_assert_true(cairnRepoStoreS3GetStats(store, &st));
    g_test_message("%u transfers at once at most, over %u connections", st.peak_running,
                   st.connects);
    /* a HEAD (exists) and a PUT each */
    g_assert_cmpuint(st.put, ==, PAR_THREADS * PAR_PER_THREAD);
    g_assert_cmpuint(st.head, ==, PAR_THREADS * PAR_PER_THREAD);
    g_assert_cmpuint(st.bytes_up, ==, (guint64)PAR_THREADS * PAR_PER_THREAD * PAR_SIZE);
    g_assert_cmpuint(st.peak_running, >=, 2);
    /* each thread's HEAD, plus at most as many uploads queued as connections */
    g_assert_cmpuint(st.peak_running, <=, PAR_THREADS + 4);
    g_assert_cmpuint(st.connects, >=, 1);
    g_assert_cmpuint(st.connects, <=, 4);

    g_assert_true(store->driver->list(store, "par/", countKey, &count, &err));
    g_assert_cmpuint(count, ==, PAR_THREADS * PAR_PER_THREAD);
    for (int t = 0; t < PAR_THREADS; t++) {
        for (int i = 0; i < PAR_PER_THREAD; i++)
            g_ptr_array_add(keys, g_strdup_printf("par/%d-%d", t, i));
    }
    g_ptr_array_add(keys, g_strdup("par/never-stored"));
    g_assert_true(
        store->driver->remove_many(store, (const char *const *)keys->pdata, keys->len, &err));
    g_assert_no_error(err);
    count = 0;
    g_assert_true(store->driver->list(store, "par/", countKey, &count, &err));
    g_assert_cmpuint(count, ==, 0);
    g_assert_true(cairnRepoStoreS3GetStats(store, &st));
    g_assert_cmpuint(st.del, ==, keys->len);
    g_assert_cmpuint(st.connects, <=, 4);
}


static const guint32 seedsC[] = { 5, 0, 6 };
static const rtDisk disksC[] = {
    { "vda", 2 * CAIRN_REPO_CHUNK_SIZE + 1000, fills3, seedsC },
    { NULL, 0, NULL, NULL },
};


/* Write a snapshot of @disks into @repo; the requests it took in *@d and
 * the manifest's chunks_new in *@ret_new. */
static char *
listingWrite(cairnRepo *repo, const rtDisk *disks, cairnRepoS3Stats *d, guint64 *ret_new)
{
    cairnRepoS3Stats a;
    cairnRepoS3Stats b;
    g_autoptr(cairnRepoManifest) m = NULL;
    g_autoptr(GError) err = NULL;
    char *id;

    g_assert_true(cairnRepoStoreS3GetStats(repo->store, &a));
    id = rtWriteSnapshot(repo, "dom", disks, 0);
    g_assert_true(cairnRepoStoreS3GetStats(repo->store, &b));
    d->put = b.put - a.put;
    d->head = b.head - a.head;
    d->list = b.list - a.list;
    m = cairnRepoLoadManifest(repo, id, &err);
    g_assert_no_error(err);
    *ret_new = ((cairnRepoManifestDisk *)m->disks->pdata[0])->chunks_new;
    return id;
}


static bool
verifyClean(cairnRepo *repo)
{
    g_autoptr(cairnRepoVerifyReport) report = NULL;
    g_autoptr(GError) err = NULL;

    g_assert_true(cairnRepoVerify(repo, NULL, NULL, NULL, &report, &err));
    g_assert_no_error(err);
    return report->problems->len == 0;
}


/* The chunks a store has are listed once (at most CAIRN_S3_LIST_CHUNKS)
 * instead of a HEAD each: no chunk is HEADed, a second open finds them all
 * and PUTs none; a chunk another host stored after the listing is PUT
 * again, harmlessly; an object too short to be a chunk (debris) is
 * replaced; with more chunks than the limit, each is HEADed as before. */
static void
testChunkListing(void)
{
    g_autofree char *url = newUrl("listing");
    g_autofree char *url0 = newUrl("listing-off");
    g_autoptr(cairnRepo) a = initOpen(url, CAIRN_REPO_LOCK_SHARED);
    g_autoptr(cairnRepo) off = NULL;
    g_autoptr(cairnRepo) b = NULL;
    g_autoptr(cairnRepo) c = NULL;
    g_autoptr(cairnRepo) other = NULL;
    g_autoptr(cairnRepoStore) raw = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *key = NULL;
    cairnRepoS3Stats on;
    cairnRepoS3Stats heads;
    cairnRepoS3Stats d;
    guint64 fresh = 0;
    guint8 debris[3] = { 1, 2, 3 };
    struct iovec iov = { debris, sizeof(debris) };
    G_GNUC_UNUSED g_autofree char *id1 = NULL;
    G_GNUC_UNUSED g_autofree char *id2 = NULL;
    G_GNUC_UNUSED g_autofree char *id3 = NULL;
    G_GNUC_UNUSED g_autofree char *id4 = NULL;
    G_GNUC_UNUSED g_autofree char *id5 = NULL;
    G_GNUC_UNUSED g_autofree char *id6 = NULL;
    g_autofree char *id7 = NULL;

    /* the same write with the listing and with a HEAD per chunk: two
     * chunks (text, random; the zero one is not stored) */
    id1 = listingWrite(a, disksA, &on, &fresh);
    g_assert_cmpuint(fresh, ==, 2);
    g_setenv("CAIRN_S3_LIST_CHUNKS", "0", TRUE);
    off = initOpen(url0, CAIRN_REPO_LOCK_SHARED);
    g_unsetenv("CAIRN_S3_LIST_CHUNKS");
    id2 = listingWrite(off, disksA, &heads, &fresh);
    g_assert_cmpuint(fresh, ==, 2);
    g_assert_cmpuint(heads.head, ==, on.head + 2);
    g_assert_cmpuint(heads.put, ==, on.put);
    g_assert_cmpuint(on.list, ==, 1);

    /* a second open: every chunk found in the listing, none HEADed or PUT */
    b = rtOpen(url, NULL, CAIRN_REPO_LOCK_SHARED);
    id3 = listingWrite(b, disksA, &d, &fresh);
    g_assert_cmpuint(fresh, ==, 0);
    g_assert_cmpuint(d.head, ==, on.head);
    g_assert_cmpuint(d.put, ==, on.put - 2);

    /* another host stores new chunks after b's listing: b PUTs them again */
    other = rtOpen(url, NULL, CAIRN_REPO_LOCK_SHARED);
    id4 = listingWrite(other, disksC, &d, &fresh);
    g_assert_cmpuint(fresh, ==, 2);
    id5 = listingWrite(b, disksC, &d, &fresh);
    g_assert_cmpuint(fresh, ==, 2);
    g_assert_cmpuint(d.head, ==, on.head);
    rtCheckDisk(b, id5, &disksC[0]);
    g_assert_true(verifyClean(b));

    /* debris under a chunk's key: a new open sees its size and replaces it */
    raw = cairnRepoStoreS3Open(url, &err);
    g_assert_no_error(err);
    g_assert_true(raw->driver->list(raw, "chunks/", firstChunk, &key, &err));
    g_assert_nonnull(key);
    g_assert_true(raw->driver->put(raw, key, &iov, 1, false, true, NULL, &err));
    g_assert_no_error(err);
    g_assert_false(verifyClean(b));
    c = rtOpen(url, NULL, CAIRN_REPO_LOCK_SHARED);
    id6 = listingWrite(c, disksA, &d, &fresh);
    id7 = listingWrite(c, disksC, &d, &fresh);
    g_assert_true(verifyClean(c));
    rtCheckDisk(c, id7, &disksC[0]);
    g_clear_pointer(&c, cairnRepoFree);

    /* more chunks than the limit: a HEAD each */
    g_setenv("CAIRN_S3_LIST_CHUNKS", "1", TRUE);
    c = rtOpen(url, NULL, CAIRN_REPO_LOCK_SHARED);
    g_unsetenv("CAIRN_S3_LIST_CHUNKS");
    g_clear_pointer(&id6, g_free);
    id6 = listingWrite(c, disksA, &d, &fresh);
    g_assert_cmpuint(fresh, ==, 0);
    g_assert_cmpuint(d.head, ==, on.head + 2);
    g_assert_cmpuint(d.put, ==, on.put - 2);
}


/* CAIRN_S3_PAYLOAD=unsigned: PUT bodies go as UNSIGNED-PAYLOAD (the
 * default over https), which the gateway takes; what they hold reads back
 * and verifies. Any other value than signed/unsigned is refused. */
static void
testUnsignedPayload(void)
{
    g_autofree char *url = newUrl("unsigned");
    g_autoptr(cairnRepo) repo = NULL;
    g_autoptr(cairnRepo) back = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *id = NULL;

    g_setenv("CAIRN_S3_PAYLOAD", "unsigned", TRUE);
    repo = initOpen(url, CAIRN_REPO_LOCK_SHARED);
    id = rtWriteSnapshot(repo, "dom", disksA, 0);
    g_setenv("CAIRN_S3_PAYLOAD", "maybe", TRUE);
    g_assert_null(cairnRepoOpen(url, NULL, CAIRN_REPO_LOCK_SHARED, &err));
    g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_INVALID);
    g_assert_nonnull(strstr(err->message, "CAIRN_S3_PAYLOAD"));
    g_setenv("CAIRN_S3_PAYLOAD", "signed", TRUE);
    back = rtOpen(url, NULL, CAIRN_REPO_LOCK_SHARED);
    g_unsetenv("CAIRN_S3_PAYLOAD");
    rtCheckDisk(back, id, &disksA[0]);
    g_assert_true(verifyClean(back));
}


int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    if (!g_getenv("AWS_ENDPOINT_URL")) {
        g_print("SKIP: run through tests/repo/with-rgw.sh (needs a RADOS Gateway)\n");
        return 77;
    }
    g_test_add_func("/repo-s3/basic", testBasic);
    g_test_add_func("/repo-s3/parallel", testParallel);
    g_test_add_func("/repo-s3/chunk-listing", testChunkListing);
    g_test_add_func("/repo-s3/unsigned-payload", testUnsignedPayload);
    g_test_add_func("/repo-s3/addressing", testAddressing);
    g_test_add_func("/repo-s3/init-errors", testInitErrors);
    g_test_add_func("/repo-s3/wrong-credentials", testWrongCredentials);
    g_test_add_func("/repo-s3/profile-file", testProfileFile);
    g_test_add_func("/repo-s3/markers", testMarkers);
    g_test_add_func("/repo-s3/stale-marker", testStaleMarker);
    g_test_add_func("/repo-s3/gc-grace", testGcGrace);
    g_test_add_func("/repo-s3/concurrent-writers", testConcurrentWriters);
    g_test_add_func("/repo-s3/gc-during-run", testGcDuringRun);
    g_test_add_func("/repo-s3/retries", testRetries);
    g_test_add_func("/repo-s3/upload-fails", testUploadFails);
    g_test_add_func("/repo-s3/verify-overwritten", testVerifyOverwritten);
    g_test_add_func("/repo-s3/encrypted", testEncrypted);
    g_test_add_func("/repo-s3/sync-round-trip", testSyncRoundTrip);
    g_test_add_func("/repo-s3/gateway-killed", testGatewayKilled);
    return g_test_run();
}
