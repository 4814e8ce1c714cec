/*
 * repomainttest.c: verify, prune and gc of the repository library, and
 * kill -9 at every named step of a writer, a prune and a gc.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "repo-private.h"
#include "repotestutils.h"

#define CS CAIRN_REPO_CHUNK_SIZE
#define DAY (24 * 3600)
#define T0 1700000000 /* 2023-11-14 22:13:20 UTC, a Tuesday */


typedef struct {
    char *dir;
    char *repo;
} Fixture;


static void
setup(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) err = NULL;

    fx->dir = rtMakeDir();
    fx->repo = g_build_filename(fx->dir, "repo", NULL);
    g_assert_true(cairnRepoInit(fx->repo, NULL, &err));
    g_assert_no_error(err);
}


static void
teardown(Fixture *fx, gconstpointer data)
{
    cairnRepoTestHook = NULL;
    rtRemoveTree(fx->dir);
    g_free(fx->repo);
    g_free(fx->dir);
}


/* Snapshot A: chunks r0 t1 r2; snapshot B: r0 t1 r9 (r0, t1 shared). */
static const rtFill fillsA[] = { RT_RANDOM, RT_TEXT, RT_RANDOM };
static const guint32 seedsA[] = { 0, 1, 2 };
static const guint32 seedsB[] = { 0, 1, 9 };
static const rtDisk diskA[] = { { "vda", 3 * (guint64)CS, fillsA, seedsA }, { NULL } };
static const rtDisk diskB[] = { { "vda", 3 * (guint64)CS, fillsA, seedsB }, { NULL } };


static char *
chunkPath(Fixture *fx, cairnRepo *repo, const char *id, guint64 c)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(cairnRepoIndex) index = cairnRepoLoadIndex(repo, id, "vda", &err);
    char hex[CAIRN_REPO_DIGEST_HEX_LEN + 1];

    g_assert_no_error(err);
    cairnRepoDigestToHex(cairnRepoIndexGetDigest(index, c), hex);
    return g_strdup_printf("%s/chunks/%.2s/%s", fx->repo, hex, hex);
}


static void
flipByte(const char *path, gssize offset)
{
    g_autofree char *data = NULL;
    gsize len;

    g_assert_true(g_file_get_contents(path, &data, &len, NULL));
    if (offset < 0)
        offset += (gssize)len;
    data[offset] ^= 0x40;
    g_assert_true(g_file_set_contents(path, data, (gssize)len, NULL));
}


static cairnRepoVerifyReport *
verify(cairnRepo *repo, const char *const *ids)
{
    g_autoptr(GError) err = NULL;
    cairnRepoVerifyReport *report = NULL;

    g_assert_true(cairnRepoVerify(repo, ids, NULL, NULL, &report, &err));
    g_assert_no_error(err);
    return report;
}


static void
assertUsers(cairnRepoVerifyProblem *p, const char *u1, const char *u2)
{
    g_autofree char *want1 = g_strdup_printf("%s vda", u1);
    g_autofree char *want2 = u2 ? g_strdup_printf("%s vda", u2) : NULL;

    g_assert_cmpuint(p->users->len, ==, u2 ? 2 : 1);
    g_assert_true(g_ptr_array_find_with_equal_func(p->users, want1, g_str_equal, NULL));
    if (u2)
        g_assert_true(g_ptr_array_find_with_equal_func(p->users, want2, g_str_equal, NULL));
}


static void
progressCount(guint64 done, guint64 total, gpointer opaque)
{
    guint64 *last = opaque;

    g_assert_cmpuint(done, <=, total);
    *last = done;
}


static void
testVerify(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(cairnRepo) repo = rtOpen(fx->repo, NULL, CAIRN_REPO_LOCK_SHARED);
    g_autofree char *a = rtWriteSnapshot(repo, "dom", diskA, T0);
    g_autofree char *b = rtWriteSnapshot(repo, "dom", diskB, T0 + 60);
    g_autofree char *shared = chunkPath(fx, repo, a, 1);
    g_autofree char *onlyB = chunkPath(fx, repo, b, 2);
    g_autofree char *hexShared = g_strdup_printf("chunk %s", strrchr(shared, '/') + 1);
    g_autofree char *hexOnlyB = g_strdup_printf("chunk %s", strrchr(onlyB, '/') + 1);
    cairnRepoVerifyReport *report;
    cairnRepoVerifyProblem *p;
    guint64 last = 0;
    const char *justA[] = { a, NULL };
    const char *unknown[] = { a, "20200101T000000Z-000000", NULL };

    /* clean */
    g_assert_true(cairnRepoVerify(repo, NULL, progressCount, &last, &report, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(report->snapshots, ==, 2);
    g_assert_cmpuint(report->chunks, ==, 4);
    g_assert_cmpuint(report->bytes, ==, 4 * (guint64)CS);
    g_assert_cmpuint(report->problems->len, ==, 0);
    g_assert_cmpuint(last, ==, 4);
    cairnRepoVerifyReportFree(report);

    /* a flipped byte in the payload of a chunk both snapshots use */
    flipByte(shared, -100);
    report = verify(repo, NULL);
    g_assert_cmpuint(report->problems->len, ==, 1);
    p = report->problems->pdata[0];
    g_assert_cmpstr(p->object, ==, hexShared);
    g_assert_nonnull(strstr(p->problem, hexShared));
    assertUsers(p, a, b);
    cairnRepoVerifyReportFree(report);
    /* reading it is an error naming it, never data */
    {
        g_autoptr(cairnRepoIndex) index = cairnRepoLoadIndex(repo, a, "vda", &err);
        g_autofree guint8 *buf = g_malloc(CS);

        g_assert_false(cairnRepoReadIndexChunk(repo, index, 1, buf, &err));
        g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_CORRUPT);
        g_assert_nonnull(strstr(err->message, strrchr(shared, '/') + 1));
        g_clear_error(&err);
    }
    flipByte(shared, -100);

    /* a flipped byte in a chunk header */
    flipByte(shared, 20);
    report = verify(repo, NULL);
    g_assert_cmpuint(report->problems->len, ==, 1);
    p = report->problems->pdata[0];
    g_assert_nonnull(strstr(p->problem, "checksum mismatch"));
    cairnRepoVerifyReportFree(report);
    flipByte(shared, 20);

    /* a missing chunk only B uses; verifying A alone does not see it */
    g_assert_cmpint(g_unlink(onlyB), ==, 0);
    report = verify(repo, NULL);
    g_assert_cmpuint(report->problems->len, ==, 1);
    p = report->problems->pdata[0];
    g_assert_cmpstr(p->object, ==, hexOnlyB);
    g_assert_cmpstr(p->problem, ==, "missing");
    assertUsers(p, b, NULL);
    cairnRepoVerifyReportFree(report);
    report = verify(repo, justA);
    g_assert_cmpuint(report->snapshots, ==, 1);
    g_assert_cmpuint(report->problems->len, ==, 0);
    cairnRepoVerifyReportFree(report);

    /* a truncated chunk */
    {
        g_autofree char *bytes = NULL;
        gsize len;

        g_assert_true(g_file_get_contents(shared, &bytes, &len, NULL));
        g_assert_true(g_file_set_contents(shared, bytes, (gssize)len / 2, NULL));
        report = verify(repo, justA);
        g_assert_cmpuint(report->problems->len, ==, 1);
        p = report->problems->pdata[0];
        g_assert_nonnull(strstr(p->problem, "truncated"));
        cairnRepoVerifyReportFree(report);
    }

    /* a damaged index is named */
    {
        g_autofree char *ipath = g_strdup_printf("%s/snapshots/%s/vda.index", fx->repo, a);
        g_autofree char *object = g_strdup_printf("snapshot %s disk vda index", a);

        flipByte(ipath, -1);
        report = verify(repo, justA);
        g_assert_cmpuint(report->problems->len, ==, 1);
        p = report->problems->pdata[0];
        g_assert_cmpstr(p->object, ==, object);
        cairnRepoVerifyReportFree(report);
    }

    /* an unknown snapshot is an error */
    g_assert_false(cairnRepoVerify(repo, unknown, NULL, NULL, &report, &err));
    g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_NOT_FOUND);
}


static GHashTable *
chunkFiles(Fixture *fx)
{
    g_autofree char *chunks = g_build_filename(fx->repo, "chunks", NULL);
    g_autoptr(GDir) top = g_dir_open(chunks, 0, NULL);
    GHashTable *set = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    const char *sub;

    while (top && (sub = g_dir_read_name(top))) {
        g_autofree char *subdir = g_build_filename(chunks, sub, NULL);
        g_autoptr(GDir) d = g_dir_open(subdir, 0, NULL);
        const char *name;

        while (d && (name = g_dir_read_name(d)))
            g_hash_table_add(set, g_strdup(name));
    }
    return set;
}


static void
testGc(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *a = NULL;
    g_autofree char *b = NULL;
    g_autoptr(GHashTable) before = NULL;
    g_autoptr(GHashTable) after = NULL;
    g_autofree char *onlyA = NULL;
    g_autofree char *tmp = g_build_filename(fx->repo, "chunks", ".tmp-deadbeef", NULL);
    g_autofree char *stray =
        g_build_filename(fx->repo, "snapshots", "20200101T000000Z-aaaaaa", NULL);
    g_autofree char *strayIndex = g_build_filename(stray, "vda.index", NULL);
    cairnRepoGcStats stats;

    {
        g_autoptr(cairnRepo) repo = rtOpen(fx->repo, NULL, CAIRN_REPO_LOCK_SHARED);
        cairnRepoPrunePolicy keepLast1 = { .keep_last = 1 };
        g_autoptr(GPtrArray) items = NULL;

        a = rtWriteSnapshot(repo, "dom", diskA, T0);
        b = rtWriteSnapshot(repo, "dom", diskB, T0 + 60);
        onlyA = chunkPath(fx, repo, a, 2);
        before = chunkFiles(fx);
        g_assert_cmpuint(g_hash_table_size(before), ==, 4);
        g_assert_true(cairnRepoPrune(repo, NULL, &keepLast1, false, &items, &err));
        g_assert_no_error(err);
        g_assert_cmpuint(items->len, ==, 2);
    }
    /* leftovers of crashed writers */
    g_assert_true(g_file_set_contents(tmp, "partial", -1, NULL));
    g_assert_cmpint(g_mkdir_with_parents(stray, 0755), ==, 0);
    g_assert_true(g_file_set_contents(strayIndex, "partial", -1, NULL));
    {
        g_autoptr(cairnRepo) repo = rtOpen(fx->repo, NULL, CAIRN_REPO_LOCK_EXCLUSIVE);
        g_autoptr(cairnRepoVerifyReport) report = NULL;

        g_assert_true(cairnRepoGc(repo, false, &stats, &err));
        g_assert_no_error(err);
        g_assert_cmpuint(stats.chunks, ==, 4);
        g_assert_cmpuint(stats.chunks_removed, ==, 1);
        g_assert_cmpuint(stats.temp_removed, ==, 1);
        g_assert_cmpuint(stats.incomplete_removed, ==, 1);
        g_assert_cmpuint(stats.bytes_removed, >, (guint64)CS);
        after = chunkFiles(fx);
        /* exactly A's own chunk went */
        g_assert_cmpuint(g_hash_table_size(after), ==, 3);
        g_assert_false(g_file_test(onlyA, G_FILE_TEST_EXISTS));
        g_assert_false(g_file_test(tmp, G_FILE_TEST_EXISTS));
        g_assert_false(g_file_test(stray, G_FILE_TEST_EXISTS));
        rtCheckDisk(repo, b, &diskB[0]);
        report = verify(repo, NULL);
        g_assert_cmpuint(report->problems->len, ==, 0);

        /* a second gc finds nothing */
        g_assert_true(cairnRepoGc(repo, false, &stats, &err));
        g_assert_cmpuint(stats.chunks_removed, ==, 0);
    }
}


static void
testGcRefusesDamagedIndex(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *a = NULL;
    g_autofree char *b = NULL;
    g_autofree char *ipath = NULL;
    g_autoptr(GPtrArray) items = NULL;
    cairnRepoPrunePolicy keepLast1 = { .keep_last = 1 };

    {
        g_autoptr(cairnRepo) repo = rtOpen(fx->repo, NULL, CAIRN_REPO_LOCK_SHARED);

        a = rtWriteSnapshot(repo, "dom", diskA, T0);
        b = rtWriteSnapshot(repo, "dom", diskB, T0 + 60);
        g_assert_true(cairnRepoPrune(repo, NULL, &keepLast1, false, &items, &err));
    }
    ipath = g_strdup_printf("%s/snapshots/%s/vda.index", fx->repo, b);
    flipByte(ipath, 120);
    {
        g_autoptr(cairnRepo) repo = rtOpen(fx->repo, NULL, CAIRN_REPO_LOCK_EXCLUSIVE);

        g_assert_false(cairnRepoGc(repo, false, NULL, &err));
        g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_CORRUPT);
        g_assert_nonnull(strstr(err->message, "nothing removed"));
        g_assert_nonnull(strstr(err->message, b));
        g_assert_cmpuint(rtCountFiles(fx->repo, "chunks"), ==, 4);
    }
}


/* ---- prune ---- */

typedef struct {
    const char *name;
    cairnRepoPrunePolicy policy;
    gint64 times[12]; /* newest first, 0-terminated */
    const char *want[12];
} pruneCase;

#define H 3600

static const pruneCase pruneCases[] = {
    { "no-rules-keep-all", { 0 }, { T0, T0 - DAY, 0 }, { "keep-all", "keep-all" } },
    { "keep-last",
      { .keep_last = 2 },
      { T0, T0 - H, T0 - 2 * H, T0 - 3 * H, 0 },
      { "keep-last", "keep-last", NULL, NULL } },
    { "daily-newest-of-each-day",
      { .keep_daily = 2 },
      { T0, T0 - H, T0 - DAY, T0 - DAY - H, T0 - 2 * DAY, 0 },
      { "keep-daily", NULL, "keep-daily", NULL, NULL } },
    /* keep-last covers today: daily continues with the days before */
    { "last-then-daily-skips-covered-day",
      { .keep_last = 1, .keep_daily = 2 },
      { T0, T0 - H, T0 - DAY, T0 - 2 * DAY, T0 - 3 * DAY, 0 },
      { "keep-last", NULL, "keep-daily", "keep-daily", NULL } },
    /* days without snapshots do not count */
    { "daily-gaps",
      { .keep_daily = 3 },
      { T0, T0 - 5 * DAY, T0 - 9 * DAY, T0 - 10 * DAY, 0 },
      { "keep-daily", "keep-daily", "keep-daily", NULL } },
    { "hourly",
      { .keep_hourly = 2 },
      { T0, T0 - 60, T0 - H, T0 - 2 * H, 0 },
      { "keep-hourly", NULL, "keep-hourly", NULL } },
    /* ISO weeks: T0 is a Tuesday; T0-2d is the Sunday of the week before */
    { "weekly",
      { .keep_weekly = 2 },
      { T0, T0 - DAY, T0 - 2 * DAY, T0 - 3 * DAY, T0 - 9 * DAY, T0 - 10 * DAY, 0 },
      { "keep-weekly", NULL, "keep-weekly", NULL, NULL, NULL } },
    { "daily-then-monthly",
      { .keep_daily = 1, .keep_monthly = 2 },
      { T0, T0 - DAY, T0 - 20 * DAY, T0 - 40 * DAY, T0 - 45 * DAY, 0 },
      { "keep-daily", NULL, "keep-monthly", NULL, "keep-monthly" } },
    { "yearly",
      { .keep_yearly = 5 },
      { T0, T0 - 100 * DAY, T0 - 400 * DAY, 0 },
      { "keep-yearly", NULL, "keep-yearly" } },
};


static void
testPruneSelect(gconstpointer data)
{
    const pruneCase *pc = data;
    size_t n = 0;
    const char *got[12];

    while (pc->times[n])
        n++;
    cairnRepoPruneSelect(&pc->policy, pc->times, n, got);
    for (size_t i = 0; i < n; i++) {
        if (g_strcmp0(got[i], pc->want[i]) != 0) {
            g_error("%s: snapshot %zu: got %s, want %s", pc->name, i, got[i] ? got[i] : "remove",
                    pc->want[i] ? pc->want[i] : "remove");
        }
    }
}


static void
testPruneRepo(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(cairnRepo) repo = rtOpen(fx->repo, NULL, CAIRN_REPO_LOCK_SHARED);
    cairnRepoPrunePolicy policy = { .keep_last = 1, .keep_daily = 1 };
    g_autoptr(GPtrArray) items = NULL;
    g_autoptr(GPtrArray) left = NULL;
    G_GNUC_UNUSED g_autofree char *a1 = rtWriteSnapshot(repo, "a", diskA, T0 - 2 * DAY);
    g_autofree char *a2 = rtWriteSnapshot(repo, "a", diskA, T0 - DAY);
    g_autofree char *a3 = rtWriteSnapshot(repo, "a", diskA, T0 - DAY + 60);
    g_autofree char *a4 = rtWriteSnapshot(repo, "a", diskA, T0);
    g_autofree char *b1 = rtWriteSnapshot(repo, "b", diskB, T0 - 3 * DAY);
    cairnRepoPruneItem *it;

    /* dry run: the plan, nothing removed */
    g_assert_true(cairnRepoPrune(repo, "a", &policy, true, &items, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(items->len, ==, 4);
    it = items->pdata[0];
    g_assert_cmpstr(it->id, ==, a4);
    g_assert_cmpstr(it->reason, ==, "keep-last");
    it = items->pdata[1];
    g_assert_cmpstr(it->id, ==, a3);
    g_assert_cmpstr(it->reason, ==, "keep-daily");
    it = items->pdata[2];
    g_assert_cmpstr(it->id, ==, a2);
    g_assert_false(it->keep);
    g_assert_cmpstr(it->reason, ==, "remove");
    left = cairnRepoListSnapshots(repo, NULL, &err);
    g_assert_cmpuint(left->len, ==, 5);
    g_clear_pointer(&left, g_ptr_array_unref);
    g_clear_pointer(&items, g_ptr_array_unref);

    g_assert_true(cairnRepoPrune(repo, "a", &policy, false, &items, &err));
    g_assert_no_error(err);
    left = cairnRepoListSnapshots(repo, NULL, &err);
    g_assert_cmpuint(left->len, ==, 3);
    g_assert_cmpstr(((cairnRepoManifest *)left->pdata[0])->id, ==, b1);
    g_assert_cmpstr(((cairnRepoManifest *)left->pdata[1])->id, ==, a3);
    g_assert_cmpstr(((cairnRepoManifest *)left->pdata[2])->id, ==, a4);
    rtCheckDisk(repo, a3, &diskA[0]);
    g_clear_pointer(&left, g_ptr_array_unref);
    g_clear_pointer(&items, g_ptr_array_unref);

    /* every domain on its own: b keeps its only snapshot */
    g_assert_true(cairnRepoPrune(repo, NULL, &policy, false, &items, &err));
    g_assert_cmpuint(items->len, ==, 3);
    left = cairnRepoListSnapshots(repo, NULL, &err);
    g_assert_cmpuint(left->len, ==, 3);
}


/* ---- kill -9 at every named step ---- */

static const char *killStep;
static int killCountdown;


static int
killHook(const char *step)
{
    if (g_str_equal(step, killStep) && --killCountdown == 0)
        kill(getpid(), SIGKILL);
    return 0;
}


typedef enum {
    OP_WRITE,
    OP_PRUNE,
    OP_GC,
} crashOp;

typedef struct {
    const char *step;
    int nth;
    crashOp op;
    int visible; /* snapshots listed after the crash */
} crashCase;

static const crashCase crashCases[] = {
    { "put-chunk", 2, OP_WRITE, 1 },       { "store-write", 2, OP_WRITE, 1 },
    { "commit-sync", 1, OP_WRITE, 1 },     { "store-sync", 1, OP_WRITE, 1 },
    { "commit-index", 1, OP_WRITE, 1 },    { "commit-index", 2, OP_WRITE, 1 },
    { "commit-manifest", 1, OP_WRITE, 1 }, { "store-write", 6, OP_WRITE, 1 },
    { "commit-done", 1, OP_WRITE, 2 },     { "prune-remove", 1, OP_PRUNE, 1 },
    { "gc-remove", 2, OP_GC, 1 },
};

/* Two disks of two chunks: 4 chunk writes, then 2 index writes, then the
 * manifest: store-write 6 is the second index's, 7 the manifest's. */
static const rtFill crashFills[] = { RT_TEXT, RT_RANDOM };
static const guint32 crashSeeds[] = { 50, 51 };
static const guint32 crashSeeds2[] = { 52, 53 };
static const rtDisk crashDisks[] = { { "vda", 2 * (guint64)CS, crashFills, crashSeeds },
                                     { "vdb", 2 * (guint64)CS, crashFills, crashSeeds2 },
                                     { NULL } };


static void
crashChild(Fixture *fx, const crashCase *cc)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(cairnRepo) repo = cairnRepoOpen(
        fx->repo, NULL, cc->op == OP_GC ? CAIRN_REPO_LOCK_EXCLUSIVE : CAIRN_REPO_LOCK_SHARED, &err);
    cairnRepoPrunePolicy keepLast1 = { .keep_last = 1 };

    if (!repo)
        _exit(2);
    killStep = cc->step;
    killCountdown = cc->nth;
    cairnRepoTestHook = killHook;
    switch (cc->op) {
    case OP_WRITE:
        g_free(rtWriteSnapshot(repo, "dom", crashDisks, T0 + 100));
        break;
    case OP_PRUNE:
        cairnRepoPrune(repo, NULL, &keepLast1, false, NULL, &err);
        break;
    case OP_GC:
        cairnRepoGc(repo, false, NULL, &err);
        break;
    }
    _exit(3); /* the step was not reached */
}


static void
testCrash(Fixture *fx, gconstpointer data)
{
    const crashCase *cc = data;
    g_autoptr(GError) err = NULL;
    g_autofree char *first = NULL;
    g_autofree char *second = NULL;
    g_autoptr(GPtrArray) list = NULL;
    pid_t pid;
    int status = 0;

    {
        g_autoptr(cairnRepo) repo = rtOpen(fx->repo, NULL, CAIRN_REPO_LOCK_SHARED);

        first = rtWriteSnapshot(repo, "dom", diskA, T0);
        if (cc->op != OP_WRITE)
            second = rtWriteSnapshot(repo, "dom", diskB, T0 + 60);
    }
    if (cc->op == OP_GC) {
        g_autoptr(cairnRepo) repo = rtOpen(fx->repo, NULL, CAIRN_REPO_LOCK_SHARED);
        cairnRepoPrunePolicy keepLast1 = { .keep_last = 1 };

        g_autofree char *other = NULL;

        /* snapshot A goes, and a snapshot of another domain with four
         * chunks of its own: five chunks for the gc to remove */
        g_assert_true(cairnRepoPrune(repo, NULL, &keepLast1, false, NULL, &err));
        other = rtWriteSnapshot(repo, "other", crashDisks, T0 + 1);
        g_assert_true(cairnRepoRemoveSnapshot(repo, other, &err));
        g_assert_no_error(err);
    }

    pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0)
        crashChild(fx, cc);
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_true(WIFSIGNALED(status));
    g_assert_cmpint(WTERMSIG(status), ==, SIGKILL);

    /* the repository is consistent: listed snapshots read back whole */
    {
        g_autoptr(cairnRepo) repo = rtOpen(fx->repo, NULL, CAIRN_REPO_LOCK_SHARED);
        g_autoptr(cairnRepoVerifyReport) report = NULL;
        g_autofree char *next = NULL;

        list = cairnRepoListSnapshots(repo, "dom", &err);
        g_assert_no_error(err);
        g_assert_cmpuint(list->len, ==, cc->visible);
        report = verify(repo, NULL);
        g_assert_cmpuint(report->problems->len, ==, 0);
        /* the next writer works */
        next = rtWriteSnapshot(repo, "dom", crashDisks, T0 + 200);
        rtCheckDisk(repo, next, &crashDisks[0]);
        rtCheckDisk(repo, next, &crashDisks[1]);
    }
    /* and gc cleans up what the crash left */
    {
        g_autoptr(cairnRepo) repo = rtOpen(fx->repo, NULL, CAIRN_REPO_LOCK_EXCLUSIVE);
        g_autoptr(cairnRepoVerifyReport) report = NULL;
        cairnRepoGcStats stats;

        g_assert_true(cairnRepoGc(repo, false, &stats, &err));
        g_assert_no_error(err);
        report = verify(repo, NULL);
        g_assert_cmpuint(report->problems->len, ==, 0);
        g_assert_cmpuint(rtCountFiles(fx->repo, "chunks"), ==, report->chunks);
        if (cc->op == OP_WRITE && cc->visible == 1)
            rtCheckDisk(repo, first, &diskA[0]);
    }
}


/* Two processes back up the same data at once under shared locks: both
 * snapshots commit, each chunk is stored once, and exactly one of them
 * counts it as new. */
static void
testConcurrentWriters(Fixture *fx, gconstpointer data)
{
    enum { WRITERS = 2 };
    g_autoptr(GError) err = NULL;
    const rtFill fills[] = { RT_TEXT, RT_RANDOM, RT_TEXT, RT_RANDOM, RT_TEXT, RT_RANDOM };
    const rtDisk disk[] = { { "vda", 6 * (guint64)CS, fills, NULL }, { NULL } };
    pid_t pids[WRITERS];
    guint64 chunksNew = 0;

    for (int i = 0; i < WRITERS; i++) {
        pids[i] = fork();
        g_assert_cmpint(pids[i], >=, 0);
        if (pids[i] == 0) {
            g_autoptr(cairnRepo) repo = cairnRepoOpen(fx->repo, NULL, CAIRN_REPO_LOCK_SHARED, NULL);
            g_autofree char *domain = g_strdup_printf("dom%d", i);

            if (!repo)
                _exit(2);
            g_free(rtWriteSnapshot(repo, domain, disk, T0 + i));
            _exit(0);
        }
    }
    for (int i = 0; i < WRITERS; i++) {
        int status = 0;

        g_assert_cmpint(waitpid(pids[i], &status, 0), ==, pids[i]);
        g_assert_true(WIFEXITED(status));
        g_assert_cmpint(WEXITSTATUS(status), ==, 0);
    }
    {
        g_autoptr(cairnRepo) repo = rtOpen(fx->repo, NULL, CAIRN_REPO_LOCK_SHARED);
        g_autoptr(GPtrArray) list = cairnRepoListSnapshots(repo, NULL, &err);
        g_autoptr(cairnRepoVerifyReport) report = verify(repo, NULL);

        g_assert_no_error(err);
        g_assert_cmpuint(list->len, ==, WRITERS);
        for (guint i = 0; i < list->len; i++) {
            cairnRepoManifest *m = list->pdata[i];

            chunksNew += ((cairnRepoManifestDisk *)m->disks->pdata[0])->chunks_new;
            rtCheckDisk(repo, m->id, &disk[0]);
        }
        g_assert_cmpuint(report->problems->len, ==, 0);
        g_assert_cmpuint(rtCountFiles(fx->repo, "chunks"), ==, 6);
        g_assert_cmpuint(chunksNew, ==, 6);
    }
}


int
main(int argc, char **argv)
{
    /* prune periods are local time: make them UTC whoever runs this */
    g_setenv("TZ", "UTC", TRUE);
    tzset();
    g_test_init(&argc, &argv, NULL);

    g_test_add("/repo/verify", Fixture, NULL, setup, testVerify, teardown);
    g_test_add("/repo/gc", Fixture, NULL, setup, testGc, teardown);
    g_test_add("/repo/gc-refuses-damaged-index", Fixture, NULL, setup, testGcRefusesDamagedIndex,
               teardown);
    g_test_add("/repo/prune", Fixture, NULL, setup, testPruneRepo, teardown);
    g_test_add("/repo/concurrent-writers", Fixture, NULL, setup, testConcurrentWriters, teardown);
    for (size_t i = 0; i < G_N_ELEMENTS(pruneCases); i++) {
        g_autofree char *name = g_strdup_printf("/repo/prune-select/%s", pruneCases[i].name);

        g_test_add_data_func(name, &pruneCases[i], testPruneSelect);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(crashCases); i++) {
        g_autofree char *name =
            g_strdup_printf("/repo/crash/%s-%d", crashCases[i].step, crashCases[i].nth);

        g_test_add(name, Fixture, &crashCases[i], setup, testCrash, teardown);
    }
    return g_test_run();
}
