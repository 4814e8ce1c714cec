/*
 * repotest.c: the repository library (src/repo/): init/open, round trips,
 * dedup, incrementals, atomicity, threads, encryption, locks, full disks,
 * ranged reads and the shared chunk cache.
 */
#include <errno.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "repo-private.h"
#include "repotestutils.h"

#define CS CAIRN_REPO_CHUNK_SIZE

/* A disk of 4 chunks: random, text, zero and a short random tail. */
static const rtFill mixedFills[] = { RT_RANDOM, RT_TEXT, RT_ZERO, RT_RANDOM };
static const rtDisk mixedDisk[] = {
    { "vda", 3 * (guint64)CS + 12345, mixedFills, NULL },
    { NULL },
};


typedef struct {
    char *dir;
    char *repo;
} Fixture;


static void
setupPlain(Fixture *fx, gconstpointer data)
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
    g_autofree char *mnt = g_build_filename(fx->dir, "small", NULL);

    umount2(mnt, MNT_DETACH); /* testTmpfsFull's, if it failed */
    cairnRepoTestHook = NULL;
    rtRemoveTree(fx->dir);
    g_free(fx->repo);
    g_free(fx->dir);
}


static void
testInitOpen(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(cairnRepo) repo = rtOpen(fx->repo, NULL, CAIRN_REPO_LOCK_SHARED);
    g_autofree char *foreign = g_build_filename(fx->dir, "foreign", NULL);
    g_autofree char *missing = g_build_filename(fx->dir, "missing", NULL);
    g_autofree char *note = g_build_filename(foreign, "notes.txt", NULL);
    g_autofree char *keyfile = g_build_filename(fx->dir, "key", NULL);
    g_autofree char *fconfig = g_build_filename(foreign, "config", NULL);
    cairnRepo *bad;

    g_assert_cmpuint(strlen(cairnRepoGetId(repo)), ==, 16);
    g_assert_false(cairnRepoIsEncrypted(repo));
    g_assert_cmpstr(cairnRepoGetPath(repo), ==, fx->repo);

    /* init refuses a non-empty directory */
    g_assert_false(cairnRepoInit(fx->repo, NULL, &err));
    g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_EXISTS);
    g_clear_error(&err);

    /* init with a key file that cannot be created creates nothing */
    {
        g_autofree char *nokey = g_build_filename(fx->dir, "nodir", "key", NULL);
        g_autofree char *fresh = g_build_filename(fx->dir, "fresh", NULL);

        g_assert_false(cairnRepoInit(fresh, nokey, &err));
        g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_NOT_FOUND);
        g_clear_error(&err);
        g_assert_false(g_file_test(fresh, G_FILE_TEST_EXISTS));
    }

    /* a missing directory */
    bad = cairnRepoOpen(missing, NULL, CAIRN_REPO_LOCK_SHARED, &err);
    g_assert_null(bad);
    g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_NOT_FOUND);
    g_assert_nonnull(strstr(err->message, missing));
    g_clear_error(&err);

    /* a foreign directory is refused and left untouched (no lock file) */
    g_assert_cmpint(g_mkdir(foreign, 0755), ==, 0);
    g_assert_true(g_file_set_contents(note, "mine", -1, NULL));
    bad = cairnRepoOpen(foreign, NULL, CAIRN_REPO_LOCK_SHARED, &err);
    g_assert_null(bad);
    g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_NOT_A_REPO);
    g_assert_nonnull(strstr(err->message, "not a cairn-backup repository"));
    g_clear_error(&err);
    g_assert_cmpuint(rtCountFiles(foreign, ""), ==, 1);

    /* a file, not a directory */
    bad = cairnRepoOpen(note, NULL, CAIRN_REPO_LOCK_SHARED, &err);
    g_assert_null(bad);
    g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_NOT_A_REPO);
    g_clear_error(&err);

    /* a foreign file called config */
    g_assert_true(g_file_set_contents(note, "[repository]\nid=x\n", -1, NULL));
    g_assert_cmpint(g_rename(note, fconfig), ==, 0);
    bad = cairnRepoOpen(foreign, NULL, CAIRN_REPO_LOCK_SHARED, &err);
    g_assert_null(bad);
    g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_NOT_A_REPO);
    g_clear_error(&err);

    /* a key file for a plain repository */
    g_assert_true(cairnRepoKeyGenerate(keyfile, &err));
    g_assert_no_error(err);
    bad = cairnRepoOpen(fx->repo, keyfile, CAIRN_REPO_LOCK_SHARED, &err);
    g_assert_null(bad);
    g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_KEY);
    g_clear_error(&err);
    g_assert_false(cairnRepoKeyGenerate(keyfile, &err));
    g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_EXISTS);
}


static void
testRoundTrip(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(cairnRepo) repo = rtOpen(fx->repo, NULL, CAIRN_REPO_LOCK_SHARED);
    g_autofree char *id = rtWriteSnapshot(repo, "dom1", mixedDisk, 1700000000);
    g_autoptr(GPtrArray) list = cairnRepoListSnapshots(repo, NULL, &err);
    g_autoptr(cairnRepoManifest) latest = NULL;
    cairnRepoManifest *m;
    const cairnRepoManifestDisk *d;

    g_assert_no_error(err);
    g_assert_cmpuint(list->len, ==, 1);
    m = list->pdata[0];
    g_assert_cmpstr(m->id, ==, id);
    g_assert_true(g_str_has_prefix(id, "20231114T221320Z-"));
    g_assert_cmpstr(m->domain, ==, "dom1");
    g_assert_cmpstr(m->domain_xml, ==, "<domain/>");
    g_assert_cmpstr(m->checkpoint, ==, "cp");
    g_assert_cmpint(m->start_time, ==, 1700000000);
    g_assert_cmpint(m->end_time, ==, 1700000001);
    g_assert_cmpuint(m->disks->len, ==, 1);
    d = cairnRepoManifestFindDisk(m, "vda");
    g_assert_nonnull(d);
    g_assert_null(cairnRepoManifestFindDisk(m, "vdb"));
    g_assert_cmpuint(d->size, ==, 3 * (guint64)CS + 12345);
    g_assert_cmpuint(d->chunk_size, ==, CS);
    g_assert_cmpstr(d->mode, ==, "full");
    g_assert_cmpuint(d->chunks, ==, 4);
    g_assert_cmpuint(d->chunks_zero, ==, 1);
    g_assert_cmpuint(d->chunks_put, ==, 4);
    g_assert_cmpuint(d->chunks_new, ==, 3);
    g_assert_cmpuint(d->bytes_new, ==, 2 * (guint64)CS + 12345);
    /* the text chunk compressed; the random ones could not */
    g_assert_cmpuint(d->bytes_stored, <, d->bytes_new);
    g_assert_cmpuint(d->bytes_stored, >, (guint64)CS + 12345);
    g_assert_cmpuint(m->bytes_new, ==, d->bytes_new);
    /* three chunks stored: the zero one is not */
    g_assert_cmpuint(rtCountFiles(fx->repo, "chunks"), ==, 3);
    rtCheckDisk(repo, id, &mixedDisk[0]);

    latest = cairnRepoFindLatest(repo, "dom1", &err);
    g_assert_no_error(err);
    g_assert_cmpstr(latest->id, ==, id);
    g_clear_pointer(&latest, cairnRepoManifestFree);
    latest = cairnRepoFindLatest(repo, "other", &err);
    g_assert_no_error(err);
    g_assert_null(latest);

    g_assert_null(cairnRepoLoadManifest(repo, "20000101T000000Z-000000", &err));
    g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_NOT_FOUND);
    g_clear_error(&err);
    g_assert_null(cairnRepoLoadManifest(repo, "../config", &err));
    g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_INVALID);
    g_clear_error(&err);
    g_assert_null(cairnRepoLoadIndex(repo, id, "vdz", &err));
    g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_NOT_FOUND);
}


static void
testDedup(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(cairnRepo) repo = rtOpen(fx->repo, NULL, CAIRN_REPO_LOCK_SHARED);
    G_GNUC_UNUSED g_autofree char *id1 = rtWriteSnapshot(repo, "dom1", mixedDisk, 1700000000);
    guint files = rtCountFiles(fx->repo, "chunks");
    /* the same content on two disks of another domain */
    const rtDisk two[] = { { "vda", mixedDisk[0].size, mixedFills, NULL },
                           { "vdb", mixedDisk[0].size, mixedFills, NULL },
                           { NULL } };
    g_autofree char *id2 = rtWriteSnapshot(repo, "dom2", two, 1700000100);
    g_autoptr(cairnRepoManifest) m = cairnRepoLoadManifest(repo, id2, &err);

    g_assert_no_error(err);
    g_assert_cmpuint(rtCountFiles(fx->repo, "chunks"), ==, files);
    g_assert_cmpuint(m->bytes_new, ==, 0);
    g_assert_cmpuint(m->bytes_stored, ==, 0);
    for (guint i = 0; i < 2; i++) {
        cairnRepoManifestDisk *d = m->disks->pdata[i];

        g_assert_cmpuint(d->chunks_put, ==, 4);
        g_assert_cmpuint(d->chunks_new, ==, 0);
        g_assert_cmpuint(d->bytes_put, ==, mixedDisk[0].size);
    }
    rtCheckDisk(repo, id2, &two[1]);
}


/* A chunk file cut short (a power cut on a filesystem that lost its data)
 * is replaced by the next put of the same data, not deduplicated against. */
static void
testDedupRepairsEmptyChunk(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(cairnRepo) repo = rtOpen(fx->repo, NULL, CAIRN_REPO_LOCK_SHARED);
    g_autofree char *id1 = rtWriteSnapshot(repo, "dom1", mixedDisk, 1700000000);
    g_autofree char *chunk = rtFirstChunkFile(fx->repo);
    g_autofree char *id2 = NULL;
    g_autoptr(cairnRepoManifest) m = NULL;

    g_assert_true(g_file_set_contents(chunk, "", 0, NULL));
    id2 = rtWriteSnapshot(repo, "dom1", mixedDisk, 1700000100);
    m = cairnRepoLoadManifest(repo, id2, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(((cairnRepoManifestDisk *)m->disks->pdata[0])->chunks_new, ==, 1);
    rtCheckDisk(repo, id1, &mixedDisk[0]);
    rtCheckDisk(repo, id2, &mixedDisk[0]);
}


static void
testIncremental(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(cairnRepo) repo = rtOpen(fx->repo, NULL, CAIRN_REPO_LOCK_SHARED);
    g_autofree char *id1 = rtWriteSnapshot(repo, "dom1", mixedDisk, 1700000000);
    g_autoptr(cairnRepoIndex) base = cairnRepoLoadIndex(repo, id1, "vda", &err);
    g_autoptr(cairnRepoWriter) w = NULL;
    g_autoptr(cairnRepoManifest) m = NULL;
    g_autofree guint8 *buf = g_malloc(CS);
    g_autofree char *id2 = NULL;
    /* chunk 1 rewritten with other text, chunk 2 now random */
    const rtFill fills[] = { RT_RANDOM, RT_TEXT, RT_RANDOM, RT_RANDOM };
    const guint32 seeds[] = { 0, 77, 78, 3 };
    const rtDisk after = { "vda", mixedDisk[0].size, fills, seeds };
    cairnRepoManifestDisk stats;
    const cairnRepoManifestDisk *d;

    g_assert_no_error(err);
    w = cairnRepoWriterNew(repo, "dom1", NULL, &err);
    g_assert_no_error(err);
    g_assert_true(cairnRepoWriterAddDisk(w, "vda", after.size, base, &err));
    g_assert_no_error(err);
    /* a base of another size is refused */
    g_assert_false(cairnRepoWriterAddDisk(w, "vdb", after.size + 1, base, &err));
    g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_INVALID);
    g_clear_error(&err);
    for (guint64 c = 1; c <= 2; c++) {
        rtFillBuffer(buf, CS, fills[c], seeds[c]);
        g_assert_true(cairnRepoWriterPutChunk(w, "vda", c, buf, CS, &err));
        g_assert_no_error(err);
    }
    g_assert_true(cairnRepoWriterSetInfo(w, "vda", "note", "bitmap ok\nline 2", &err));
    g_assert_true(cairnRepoWriterSetInfo(w, NULL, "tool", "repotest", &err));
    g_assert_no_error(err);
    g_assert_true(cairnRepoWriterGetStats(w, NULL, &stats, &err));
    g_assert_cmpuint(stats.chunks_put, ==, 2);
    g_assert_cmpuint(stats.chunks_new, ==, 2);
    g_assert_cmpuint(stats.chunks_zero, ==, 0);
    g_assert_true(cairnRepoWriterCommit(w, NULL, &id2, &err));
    g_assert_no_error(err);
    g_assert_false(cairnRepoWriterCommit(w, NULL, NULL, &err));
    g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_INVALID);
    g_clear_error(&err);

    rtCheckDisk(repo, id2, &after);
    rtCheckDisk(repo, id1, &mixedDisk[0]);
    m = cairnRepoLoadManifest(repo, id2, &err);
    g_assert_no_error(err);
    d = cairnRepoManifestFindDisk(m, "vda");
    g_assert_cmpstr(d->mode, ==, "incremental");
    g_assert_cmpuint(d->bytes_new, ==, 2 * (guint64)CS);
    g_assert_cmpstr(g_hash_table_lookup(d->info, "note"), ==, "bitmap ok\nline 2");
    g_assert_cmpstr(g_hash_table_lookup(m->info, "tool"), ==, "repotest");
    g_assert_null(m->checkpoint);
}


static void
testFullUnputIsZero(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(cairnRepo) repo = rtOpen(fx->repo, NULL, CAIRN_REPO_LOCK_SHARED);
    g_autoptr(cairnRepoWriter) w = cairnRepoWriterNew(repo, "dom1", NULL, &err);
    g_autofree guint8 *buf = g_malloc(CS);
    g_autofree char *id = NULL;
    const rtFill fills[] = { RT_ZERO, RT_TEXT, RT_ZERO };
    const rtDisk disk = { "sda", 2 * (guint64)CS + 512, fills, NULL };

    g_assert_true(cairnRepoWriterAddDisk(w, "sda", disk.size, NULL, &err));
    rtFillBuffer(buf, CS, RT_TEXT, 1);
    g_assert_true(cairnRepoWriterPutChunk(w, "sda", 1, buf, CS, &err));
    g_assert_no_error(err);

    /* bad calls change nothing */
    g_assert_false(cairnRepoWriterPutChunk(w, "sda", 2, buf, CS, &err));
    g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_INVALID);
    g_clear_error(&err);
    g_assert_false(cairnRepoWriterPutChunk(w, "sda", 3, buf, 512, &err));
    g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_INVALID);
    g_clear_error(&err);
    g_assert_false(cairnRepoWriterPutChunk(w, "vdq", 0, buf, CS, &err));
    g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_INVALID);
    g_clear_error(&err);
    g_assert_false(cairnRepoWriterAddDisk(w, "../x", CS, NULL, &err));
    g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_INVALID);
    g_clear_error(&err);
    g_assert_false(cairnRepoWriterAddDisk(w, "sda", CS, NULL, &err));
    g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_INVALID);
    g_clear_error(&err);
    g_assert_false(cairnRepoWriterSetInfo(w, NULL, "bad key", "v", &err));
    g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_INVALID);
    g_clear_error(&err);

    g_assert_true(cairnRepoWriterCommit(w, NULL, &id, &err));
    g_assert_no_error(err);
    rtCheckDisk(repo, id, &disk);
}


/* A writer freed without commit leaves no snapshot; gc takes its chunks. */
static void
testAbandon(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GPtrArray) list = NULL;
    g_autofree guint8 *buf = g_malloc(CS);
    cairnRepoGcStats stats;

    {
        g_autoptr(cairnRepo) repo = rtOpen(fx->repo, NULL, CAIRN_REPO_LOCK_SHARED);
        g_autoptr(cairnRepoWriter) w = cairnRepoWriterNew(repo, "dom1", NULL, &err);

        g_assert_true(cairnRepoWriterAddDisk(w, "vda", 2 * (guint64)CS, NULL, &err));
        for (guint64 c = 0; c < 2; c++) {
            rtFillBuffer(buf, CS, RT_RANDOM, (guint32)c + 100);
            g_assert_true(cairnRepoWriterPutChunk(w, "vda", c, buf, CS, &err));
        }
        g_assert_no_error(err);
        g_assert_cmpuint(rtCountFiles(fx->repo, "chunks"), ==, 2);
        list = cairnRepoListSnapshots(repo, NULL, &err);
        g_assert_cmpuint(list->len, ==, 0);
        g_clear_pointer(&list, g_ptr_array_unref);
    }
    {
        g_autoptr(cairnRepo) repo = rtOpen(fx->repo, NULL, CAIRN_REPO_LOCK_EXCLUSIVE);

        list = cairnRepoListSnapshots(repo, NULL, &err);
        g_assert_no_error(err);
        g_assert_cmpuint(list->len, ==, 0);
        g_assert_true(cairnRepoGc(repo, true, &stats, &err));
        g_assert_cmpuint(stats.chunks_removed, ==, 2);
        g_assert_cmpuint(rtCountFiles(fx->repo, "chunks"), ==, 2);
        g_assert_true(cairnRepoGc(repo, false, &stats, &err));
        g_assert_no_error(err);
        g_assert_cmpuint(stats.chunks, ==, 2);
        g_assert_cmpuint(stats.chunks_removed, ==, 2);
        g_assert_cmpuint(rtCountFiles(fx->repo, "chunks"), ==, 0);
    }
}


typedef struct {
    cairnRepoWriter *w;
    guint first;
    guint step;
    guint count;
} putJob;


static gpointer
putThread(gpointer data)
{
    putJob *job = data;
    g_autofree guint8 *buf = g_malloc(CS);
    g_autoptr(GError) err = NULL;

    for (guint c = job->first; c < job->count; c += job->step) {
        /* chunks 4k and 4k+1 hold the same data: dedup between threads */
        rtFillBuffer(buf, CS, c % 3 ? RT_RANDOM : RT_TEXT, c / 2);
        if (!cairnRepoWriterPutChunk(job->w, "vda", c, buf, CS, &err))
            g_error("put %u: %s", c, err->message);
    }
    return NULL;
}


static void
testThreads(Fixture *fx, gconstpointer data)
{
    enum { THREADS = 4, CHUNKS = 24 };
    g_autoptr(GError) err = NULL;
    g_autoptr(cairnRepo) repo = rtOpen(fx->repo, NULL, CAIRN_REPO_LOCK_SHARED);
    g_autoptr(cairnRepoWriter) w = cairnRepoWriterNew(repo, "dom1", NULL, &err);
    GThread *threads[THREADS];
    putJob jobs[THREADS];
    rtFill fills[CHUNKS];
    guint32 seeds[CHUNKS];
    g_autofree char *id = NULL;
    cairnRepoManifestDisk stats;

    g_assert_true(cairnRepoWriterAddDisk(w, "vda", CHUNKS * (guint64)CS, NULL, &err));
    for (guint i = 0; i < THREADS; i++) {
        jobs[i] = (putJob){ w, i, THREADS, CHUNKS };
        threads[i] = g_thread_new("put", putThread, &jobs[i]);
    }
    /* a disk added while the others' chunks are being put */
    {
        g_autofree guint8 *buf = g_malloc(CS);

        g_assert_true(cairnRepoWriterAddDisk(w, "vdb", CS, NULL, &err));
        g_assert_no_error(err);
        rtFillBuffer(buf, CS, RT_TEXT, 999);
        g_assert_true(cairnRepoWriterPutChunk(w, "vdb", 0, buf, CS, &err));
        g_assert_no_error(err);
    }
    for (guint i = 0; i < THREADS; i++)
        g_thread_join(threads[i]);
    for (guint c = 0; c < CHUNKS; c++) {
        fills[c] = c % 3 ? RT_RANDOM : RT_TEXT;
        seeds[c] = c / 2;
    }
    g_assert_true(cairnRepoWriterGetStats(w, "vda", &stats, &err));
    g_assert_cmpuint(stats.chunks_put, ==, CHUNKS);
    g_assert_true(cairnRepoWriterCommit(w, NULL, &id, &err));
    g_assert_no_error(err);
    {
        const rtDisk disk = { "vda", CHUNKS * (guint64)CS, fills, seeds };
        g_autoptr(cairnRepoManifest) m = cairnRepoLoadManifest(repo, id, &err);
        guint distinct = 0;

        rtCheckDisk(repo, id, &disk);
        /* distinct (fill, seed) pairs */
        for (guint c = 0; c < CHUNKS; c++) {
            bool seen = false;

            for (guint p = 0; p < c; p++)
                seen |= fills[p] == fills[c] && seeds[p] == seeds[c];
            distinct += !seen;
        }
        g_assert_cmpuint(rtCountFiles(fx->repo, "chunks"), ==, distinct + 1);
        g_assert_cmpuint(((cairnRepoManifestDisk *)m->disks->pdata[0])->chunks_new, ==, distinct);
    }
}


static void
testEncrypted(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *path = g_build_filename(fx->dir, "enc", NULL);
    g_autofree char *keyfile = g_build_filename(fx->dir, "enc.key", NULL);
    g_autofree char *other = g_build_filename(fx->dir, "other.key", NULL);
    g_autofree char *id = NULL;
    g_autofree char *chunk = NULL;
    g_autofree char *contents = NULL;
    g_autofree guint8 *text = g_malloc(CS);
    gsize len;
    cairnRepo *bad;

    /* init creates the missing key file, mode 0600 */
    g_assert_true(cairnRepoInit(path, keyfile, &err));
    g_assert_no_error(err);
    g_assert_true(g_file_test(keyfile, G_FILE_TEST_IS_REGULAR));
    {
        GStatBuf st;

        g_assert_cmpint(g_stat(keyfile, &st), ==, 0);
        g_assert_cmpint(st.st_mode & 0777, ==, 0600);
    }
    {
        g_autoptr(cairnRepo) repo = rtOpen(path, keyfile, CAIRN_REPO_LOCK_SHARED);
        g_autofree char *id2 = NULL;
        guint files;

        g_assert_true(cairnRepoIsEncrypted(repo));
        id = rtWriteSnapshot(repo, "secret", mixedDisk, 1700000000);
        rtCheckDisk(repo, id, &mixedDisk[0]);
        files = rtCountFiles(path, "chunks");
        g_assert_cmpuint(files, ==, 3);
        /* dedup still works encrypted */
        id2 = rtWriteSnapshot(repo, "secret", mixedDisk, 1700000100);
        g_assert_cmpuint(rtCountFiles(path, "chunks"), ==, files);
    }

    /* nothing readable on disk: no text, no plain SHA-256 names */
    rtFillBuffer(text, CS, RT_TEXT, 1);
    {
        g_autofree char *mpath = g_strdup_printf("%s/snapshots/%s/manifest", path, id);
        guint8 sha[32];
        char hex[65];
        g_autofree char *plainName = NULL;
        gsize shalen = sizeof(sha);
        g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);

        g_assert_true(g_file_get_contents(mpath, &contents, &len, NULL));
        g_assert_null(g_strstr_len(contents, (gssize)len, "secret"));
        g_assert_null(g_strstr_len(contents, (gssize)len, "domain"));
        g_checksum_update(sum, text, CS);
        g_checksum_get_digest(sum, sha, &shalen);
        plainName = g_strdup_printf("%s/chunks/%.2s/%s", path, cairnRepoDigestToHex(sha, hex), hex);
        g_assert_false(g_file_test(plainName, G_FILE_TEST_EXISTS));
    }

    /* wrong, missing and damaged keys */
    g_assert_true(cairnRepoKeyGenerate(other, &err));
    bad = cairnRepoOpen(path, other, CAIRN_REPO_LOCK_SHARED, &err);
    g_assert_null(bad);
    g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_KEY);
    g_assert_nonnull(strstr(err->message, "does not belong"));
    g_clear_error(&err);
    bad = cairnRepoOpen(path, NULL, CAIRN_REPO_LOCK_SHARED, &err);
    g_assert_null(bad);
    g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_KEY);
    g_clear_error(&err);
    g_assert_true(g_file_set_contents(other, "cairn-backup-key 1\nkey 12\n", -1, NULL));
    bad = cairnRepoOpen(path, other, CAIRN_REPO_LOCK_SHARED, &err);
    g_assert_null(bad);
    g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_KEY);
    g_clear_error(&err);
    g_assert_true(g_file_set_contents(other, "cairn-backup-key 2\nkey 12\n", -1, NULL));
    bad = cairnRepoOpen(path, other, CAIRN_REPO_LOCK_SHARED, &err);
    g_assert_null(bad);
    g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_VERSION);
    g_clear_error(&err);

    /* a flipped byte in an encrypted chunk: the tag catches it */
    chunk = rtFirstChunkFile(path);
    g_clear_pointer(&contents, g_free);
    g_assert_true(g_file_get_contents(chunk, &contents, &len, NULL));
    contents[len - 20] ^= 1;
    g_assert_true(g_file_set_contents(chunk, contents, (gssize)len, NULL));
    {
        g_autoptr(cairnRepo) repo = rtOpen(path, keyfile, CAIRN_REPO_LOCK_SHARED);
        g_autoptr(cairnRepoVerifyReport) report = NULL;
        cairnRepoVerifyProblem *p;

        g_assert_true(cairnRepoVerify(repo, NULL, NULL, NULL, &report, &err));
        g_assert_no_error(err);
        g_assert_cmpuint(report->problems->len, ==, 1);
        p = report->problems->pdata[0];
        g_assert_nonnull(strstr(p->problem, "authentication tag"));
        g_assert_cmpuint(p->users->len, ==, 2);
    }
}


static void
testLocks(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(cairnRepo) a = rtOpen(fx->repo, NULL, CAIRN_REPO_LOCK_SHARED);
    g_autoptr(cairnRepo) b = rtOpen(fx->repo, NULL, CAIRN_REPO_LOCK_SHARED);
    cairnRepo *c = cairnRepoOpen(fx->repo, NULL, CAIRN_REPO_LOCK_EXCLUSIVE, &err);

    g_assert_null(c);
    g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_LOCKED);
    g_clear_error(&err);
    /* gc needs the exclusive lock */
    g_assert_false(cairnRepoGc(a, true, NULL, &err));
    g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_LOCKED);
    g_clear_error(&err);
    g_clear_pointer(&a, cairnRepoFree);
    g_clear_pointer(&b, cairnRepoFree);

    a = rtOpen(fx->repo, NULL, CAIRN_REPO_LOCK_EXCLUSIVE);
    c = cairnRepoOpen(fx->repo, NULL, CAIRN_REPO_LOCK_SHARED, &err);
    g_assert_null(c);
    g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_LOCKED);
    g_assert_nonnull(strstr(err->message, "gc"));
}


/* Fault injection: the n-th time step @hookStep is reached, ENOSPC. */
static const char *hookStepName;
static int hookCountdown;


static int
enospcHook(const char *step)
{
    if (g_str_equal(step, hookStepName) && --hookCountdown == 0)
        return ENOSPC;
    return 0;
}


static void
checkNoSnapshotAfterFailure(Fixture *fx, const char *step, int nth)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(cairnRepo) repo = rtOpen(fx->repo, NULL, CAIRN_REPO_LOCK_SHARED);
    g_autoptr(cairnRepoWriter) w = cairnRepoWriterNew(repo, "dom1", NULL, &err);
    g_autofree guint8 *buf = g_malloc(CS);
    g_autoptr(GPtrArray) list = NULL;
    bool ok = true;

    hookStepName = step;
    hookCountdown = nth;
    cairnRepoTestHook = enospcHook;
    g_assert_true(cairnRepoWriterAddDisk(w, "vda", 3 * (guint64)CS, NULL, &err));
    for (guint64 c = 0; ok && c < 3; c++) {
        rtFillBuffer(buf, CS, RT_TEXT, (guint32)c + 1000 * (guint32)nth);
        ok = cairnRepoWriterPutChunk(w, "vda", c, buf, CS, &err);
    }
    if (ok)
        ok = cairnRepoWriterCommit(w, NULL, NULL, &err);
    cairnRepoTestHook = NULL;
    g_assert_false(ok);
    g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_NO_SPACE);
    g_assert_nonnull(strstr(err->message, "No space left on device"));
    g_clear_error(&err);
    list = cairnRepoListSnapshots(repo, NULL, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(list->len, ==, 0);
}


static void
testNoSpace(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    cairnRepoGcStats stats;

    /* the 2nd chunk's write, the sync, the index, the manifest */
    checkNoSnapshotAfterFailure(fx, "store-write", 2);
    checkNoSnapshotAfterFailure(fx, "store-sync", 1);
    checkNoSnapshotAfterFailure(fx, "store-write", 4);
    checkNoSnapshotAfterFailure(fx, "store-write", 5);
    {
        g_autoptr(cairnRepo) repo = rtOpen(fx->repo, NULL, CAIRN_REPO_LOCK_EXCLUSIVE);

        g_assert_true(cairnRepoGc(repo, false, &stats, &err));
        g_assert_no_error(err);
        g_assert_cmpuint(rtCountFiles(fx->repo, "chunks"), ==, 0);
        g_assert_cmpuint(rtCountFiles(fx->repo, "snapshots"), ==, 0);
    }
    /* and the next writer works */
    {
        g_autoptr(cairnRepo) repo = rtOpen(fx->repo, NULL, CAIRN_REPO_LOCK_SHARED);
        g_autofree char *id = rtWriteSnapshot(repo, "dom1", mixedDisk, 0);

        rtCheckDisk(repo, id, &mixedDisk[0]);
    }
}


static void
expectedDisk(const rtDisk *d, guint8 *out)
{
    for (guint64 c = 0; c * CS < d->size; c++) {
        rtFillBuffer(out + c * CS, (size_t)MIN((guint64)CS, d->size - c * CS), d->fills[c],
                     d->seeds ? d->seeds[c] : (guint32)c);
    }
}


static void
testReadRange(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(cairnRepo) repo = rtOpen(fx->repo, NULL, CAIRN_REPO_LOCK_SHARED);
    g_autofree char *id = rtWriteSnapshot(repo, "dom1", mixedDisk, 0);
    g_autoptr(cairnRepoIndex) index = cairnRepoLoadIndex(repo, id, "vda", &err);
    guint64 size = mixedDisk[0].size;
    g_autofree guint8 *want = g_malloc(size);
    g_autofree guint8 *got = g_malloc(size);
    const struct {
        guint64 offset;
        size_t len;
    } ranges[] = {
        { 0, 10 },                   /* start of a chunk */
        { CS - 100, 300 },           /* across chunks 0 and 1 */
        { 2 * (guint64)CS - 5, 10 }, /* into the zero chunk */
        { CS, CS },                  /* one whole chunk */
        { 12345, 3 * (guint64)CS },  /* four chunks, partial ends */
        { size - 7, 7 },             /* the end of the short tail */
        { 0, size },                 /* everything */
        { size, 0 },                 /* nothing, at the end */
    };

    g_assert_no_error(err);
    expectedDisk(&mixedDisk[0], want);
    for (size_t i = 0; i < G_N_ELEMENTS(ranges); i++) {
        memset(got, 0xaa, ranges[i].len);
        g_assert_true(cairnRepoReadRange(repo, index, ranges[i].offset, ranges[i].len, got, &err));
        g_assert_no_error(err);
        g_assert_true(memcmp(got, want + ranges[i].offset, ranges[i].len) == 0);
    }
    g_assert_false(cairnRepoReadRange(repo, index, size - 1, 2, got, &err));
    g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_INVALID);
}


static void
testListTolerant(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(cairnRepo) repo = rtOpen(fx->repo, NULL, CAIRN_REPO_LOCK_SHARED);
    g_autofree char *a = rtWriteSnapshot(repo, "dom1", mixedDisk, 1700000000);
    g_autofree char *b = rtWriteSnapshot(repo, "dom2", mixedDisk, 1700000100);
    g_autofree char *mpath = g_strdup_printf("%s/snapshots/%s/manifest", fx->repo, a);
    g_autoptr(GPtrArray) list = NULL;
    g_autoptr(GPtrArray) damaged = NULL;

    g_assert_true(g_file_set_contents(mpath, "garbage", -1, NULL));
    g_assert_null(cairnRepoListSnapshots(repo, NULL, &err));
    g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_CORRUPT);
    g_assert_nonnull(strstr(err->message, a));
    g_clear_error(&err);

    list = cairnRepoListSnapshotsTolerant(repo, "dom2", &damaged, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(list->len, ==, 1);
    g_assert_cmpstr(((cairnRepoManifest *)list->pdata[0])->id, ==, b);
    g_assert_cmpuint(damaged->len, ==, 1);
    g_assert_true(g_str_has_prefix(damaged->pdata[0], "snapshot "));
    g_assert_nonnull(strstr(damaged->pdata[0], a));
}


/* Snapshots started within the same second are listed in the order they
 * were committed, so the latest one (what an incremental run builds on) is
 * the last committed: small disks on a fast machine commit several a
 * second. */
static void
testListOrderSameSecond(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(cairnRepo) repo = rtOpen(fx->repo, NULL, CAIRN_REPO_LOCK_SHARED);
    g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) list = NULL;

    for (int i = 0; i < 6; i++)
        g_ptr_array_add(ids, rtWriteSnapshotEnd(repo, "dom", mixedDisk, 1700000000, 0));
    list = cairnRepoListSnapshots(repo, "dom", &err);
    g_assert_no_error(err);
    g_assert_cmpuint(list->len, ==, ids->len);
    for (guint i = 0; i < list->len; i++)
        g_assert_cmpstr(((cairnRepoManifest *)list->pdata[i])->id, ==, ids->pdata[i]);
}


/* The flags (byte 12) of the file of chunk @c of disk vda of @id. */
static guint32
chunkFlags(Fixture *fx, cairnRepo *repo, const char *id, guint64 c)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(cairnRepoIndex) index = cairnRepoLoadIndex(repo, id, "vda", &err);
    char hex[CAIRN_REPO_DIGEST_HEX_LEN + 1];
    g_autofree char *path = NULL;
    g_autofree char *bytes = NULL;
    gsize len;

    g_assert_no_error(err);
    cairnRepoDigestToHex(cairnRepoIndexGetDigest(index, c), hex);
    path = g_strdup_printf("%s/chunks/%.2s/%s", fx->repo, hex, hex);
    g_assert_true(g_file_get_contents(path, &bytes, &len, NULL));
    g_assert_cmpuint(len, >, 16);
    return (guint8)bytes[12];
}


/* Text is compressed; random data, which zstd cannot shrink, is stored
 * raw; half random, half text is compressed. */
static void
testCompressionChoice(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(cairnRepo) repo = rtOpen(fx->repo, NULL, CAIRN_REPO_LOCK_SHARED);
    g_autoptr(cairnRepoWriter) w = cairnRepoWriterNew(repo, "dom1", NULL, &err);
    g_autofree guint8 *buf = g_malloc(CS);
    g_autofree char *id = NULL;
    g_autoptr(cairnRepoIndex) index = NULL;

    g_assert_true(cairnRepoWriterAddDisk(w, "vda", 3 * (guint64)CS, NULL, &err));
    rtFillBuffer(buf, CS, RT_TEXT, 1);
    g_assert_true(cairnRepoWriterPutChunk(w, "vda", 0, buf, CS, &err));
    rtFillBuffer(buf, CS, RT_RANDOM, 2);
    g_assert_true(cairnRepoWriterPutChunk(w, "vda", 1, buf, CS, &err));
    rtFillBuffer(buf + CS / 2, CS / 2, RT_TEXT, 3);
    g_assert_true(cairnRepoWriterPutChunk(w, "vda", 2, buf, CS, &err));
    g_assert_true(cairnRepoWriterCommit(w, NULL, &id, &err));
    g_assert_no_error(err);

    g_assert_cmpuint(chunkFlags(fx, repo, id, 0), ==, CAIRN_REPO_FLAG_ZSTD);
    g_assert_cmpuint(chunkFlags(fx, repo, id, 1), ==, 0);
    g_assert_cmpuint(chunkFlags(fx, repo, id, 2), ==, CAIRN_REPO_FLAG_ZSTD);
    index = cairnRepoLoadIndex(repo, id, "vda", &err);
    g_assert_true(cairnRepoReadIndexChunk(repo, index, 2, buf, &err));
    g_assert_no_error(err);
}


/* A real full filesystem: a 6 MiB tmpfs holds one 4 MiB random chunk,
 * not two. */
static void
testTmpfsFull(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *mnt = g_build_filename(fx->dir, "small", NULL);
    g_autofree char *path = g_build_filename(mnt, "repo", NULL);
    g_autofree guint8 *buf = g_malloc(CS);
    cairnRepoGcStats stats;
    bool ok = true;

    g_assert_cmpint(g_mkdir(mnt, 0755), ==, 0);
    if (mount("tmpfs", mnt, "tmpfs", 0, "size=6m") < 0) {
        g_test_skip("mounting a tmpfs needs root");
        return;
    }
    g_assert_true(cairnRepoInit(path, NULL, &err));
    g_assert_no_error(err);
    {
        g_autoptr(cairnRepo) repo = rtOpen(path, NULL, CAIRN_REPO_LOCK_SHARED);
        g_autoptr(cairnRepoWriter) w = cairnRepoWriterNew(repo, "dom1", NULL, &err);
        g_autoptr(GPtrArray) list = NULL;
        guint64 c;

        g_assert_true(cairnRepoWriterAddDisk(w, "vda", 3 * (guint64)CS, NULL, &err));
        for (c = 0; ok && c < 3; c++) {
            rtFillBuffer(buf, CS, RT_RANDOM, (guint32)c + 300);
            ok = cairnRepoWriterPutChunk(w, "vda", c, buf, CS, &err);
        }
        g_assert_false(ok);
        g_assert_cmpuint(c, ==, 2);
        g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_NO_SPACE);
        g_assert_nonnull(strstr(err->message, "disk 'vda', chunk 1"));
        g_assert_nonnull(strstr(err->message, path));
        g_clear_error(&err);
        /* no temp file left behind, no snapshot */
        g_assert_cmpuint(rtCountFiles(path, "chunks"), ==, 1);
        list = cairnRepoListSnapshots(repo, NULL, &err);
        g_assert_no_error(err);
        g_assert_cmpuint(list->len, ==, 0);
    }
    {
        g_autoptr(cairnRepo) repo = rtOpen(path, NULL, CAIRN_REPO_LOCK_EXCLUSIVE);

        g_assert_true(cairnRepoGc(repo, false, &stats, &err));
        g_assert_no_error(err);
        g_assert_cmpuint(stats.chunks_removed, ==, 1);
    }
    {
        g_autoptr(cairnRepo) repo = rtOpen(path, NULL, CAIRN_REPO_LOCK_SHARED);
        const rtFill one[] = { RT_RANDOM };
        const rtDisk small[] = { { "vda", CS, one, NULL }, { NULL } };
        g_autofree char *id = rtWriteSnapshot(repo, "dom1", small, 0);

        rtCheckDisk(repo, id, &small[0]);
    }
    g_assert_cmpint(umount2(mnt, MNT_DETACH), ==, 0);
}


/* A repository of 64 KiB chunks: init checks the size, every reader and
 * writer follows the config, an incremental needs a base of the same
 * chunk size, verify reads it, and sync refuses a repository of another
 * chunk size but copies to one of the same. */
static void
testChunkSize(Fixture *fx, gconstpointer data)
{
    const guint32 small = CAIRN_REPO_CHUNK_SIZE_MIN;
    const guint32 bad[] = { 3000, small / 2, small + 1, 2 * CAIRN_REPO_CHUNK_SIZE_MAX, 3 * small };
    const rtFill fills[] = { RT_RANDOM, RT_TEXT, RT_ZERO, RT_TEXT, RT_RANDOM };
    const rtDisk disks[] = { { "vda", 4 * (guint64)small + 777, fills, NULL }, { NULL } };
    const rtDisk disk = disks[0];
    const rtFill fills2[] = { RT_RANDOM, RT_RANDOM, RT_ZERO, RT_TEXT, RT_RANDOM };
    const guint32 seeds2[] = { 0, 99, 2, 3, 4 };
    const rtDisk disk2 = { "vda", disk.size, fills2, seeds2 };
    g_autoptr(GError) err = NULL;
    g_autofree char *path = g_build_filename(fx->dir, "small", NULL);
    g_autofree char *same = g_build_filename(fx->dir, "same", NULL);
    g_autofree char *want = g_malloc(disk.size);
    g_autofree char *got = g_malloc(disk.size);
    g_autoptr(cairnRepo) big = rtOpen(fx->repo, NULL, CAIRN_REPO_LOCK_SHARED);
    g_autoptr(cairnRepo) repo = NULL;
    g_autoptr(cairnRepo) dst = NULL;
    g_autoptr(cairnRepoIndex) base = NULL;
    g_autoptr(cairnRepoIndex) bigbase = NULL;
    g_autoptr(cairnRepoWriter) w = NULL;
    g_autoptr(cairnRepoVerifyReport) report = NULL;
    g_autofree char *id1 = NULL;
    g_autofree char *id2 = NULL;
    g_autofree char *bigid = NULL;
    g_autofree guint8 *buf = g_malloc(small);
    cairnRepoSyncStats st = { 0 };

    g_assert_cmpuint(cairnRepoGetChunkSize(big), ==, CAIRN_REPO_CHUNK_SIZE);
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_assert_false(cairnRepoInitChunked(path, NULL, bad[i], &err));
        g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_INVALID);
        g_assert_nonnull(strstr(err->message, "power of two"));
        g_clear_error(&err);
        g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
    }
    g_assert_true(cairnRepoInitChunked(path, NULL, small, &err));
    g_assert_no_error(err);
    repo = rtOpen(path, NULL, CAIRN_REPO_LOCK_SHARED);
    g_assert_cmpuint(cairnRepoGetChunkSize(repo), ==, small);

    /* a full and an incremental, read back chunk by chunk and by range */
    id1 = rtWriteSnapshot(repo, "dom1", disks, 1700000000);
    rtCheckDisk(repo, id1, &disk);
    base = cairnRepoLoadIndex(repo, id1, "vda", &err);
    g_assert_no_error(err);
    g_assert_cmpuint(cairnRepoIndexGetChunkCount(base), ==, 5);
    w = cairnRepoWriterNew(repo, "dom1", NULL, &err);
    g_assert_no_error(err);
    /* a put of the default chunk size is refused: the repository's rules */
    g_assert_true(cairnRepoWriterAddDisk(w, "vda", disk.size, base, &err));
    g_assert_no_error(err);
    g_assert_false(cairnRepoWriterPutChunk(w, "vda", 0, want, 2 * small, &err));
    g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_INVALID);
    g_clear_error(&err);
    rtFillBuffer(buf, small, RT_RANDOM, 99);
    g_assert_true(cairnRepoWriterPutChunk(w, "vda", 1, buf, small, &err));
    g_assert_no_error(err);
    /* a base index of the default chunk size does not fit */
    bigid = rtWriteSnapshot(big, "dom1", disks, 1700000000);
    bigbase = cairnRepoLoadIndex(big, bigid, "vda", &err);
    g_assert_no_error(err);
    g_assert_false(cairnRepoWriterAddDisk(w, "vdb", disk.size, bigbase, &err));
    g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_INVALID);
    g_assert_nonnull(strstr(err->message, "chunks of"));
    g_clear_error(&err);
    g_assert_true(cairnRepoWriterCommit(w, NULL, &id2, &err));
    g_assert_no_error(err);
    rtCheckDisk(repo, id2, &disk2);
    rtCheckDisk(repo, id1, &disk);
    {
        g_autoptr(cairnRepoIndex) index = cairnRepoLoadIndex(repo, id2, "vda", &err);

        g_assert_no_error(err);
        for (guint64 c = 0; c < 5; c++)
            rtFillBuffer((guint8 *)want + c * small, MIN(small, disk.size - c * small), fills2[c],
                         seeds2[c]);
        g_assert_true(cairnRepoReadRange(repo, index, 100, disk.size - 100, got, &err));
        g_assert_no_error(err);
        g_assert_true(memcmp(got, want + 100, disk.size - 100) == 0);
        g_assert_true(cairnRepoReadRange(repo, index, small - 10, 20, got, &err));
        g_assert_no_error(err);
        g_assert_true(memcmp(got, want + small - 10, 20) == 0);
    }
    g_assert_true(cairnRepoVerify(repo, NULL, NULL, NULL, &report, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(report->problems->len, ==, 0);
    g_assert_cmpuint(report->chunks, ==, 5); /* 4 of the full, 1 new in the incremental */

    /* sync: to the 4 MiB repository refused, to another 64 KiB one copied */
    g_assert_false(cairnRepoSync(repo, big, NULL, 0, &st, &err));
    g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_INVALID);
    g_assert_nonnull(strstr(err->message, "chunk sizes differ"));
    g_clear_error(&err);
    g_assert_cmpuint(st.snapshots_copied, ==, 0);
    g_assert_true(cairnRepoInitChunked(same, NULL, small, &err));
    g_assert_no_error(err);
    dst = rtOpen(same, NULL, CAIRN_REPO_LOCK_SHARED);
    g_assert_true(cairnRepoSync(repo, dst, NULL, 0, &st, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(st.snapshots_copied, ==, 2);
    rtCheckDisk(dst, id1, &disk);
    rtCheckDisk(dst, id2, &disk2);
}


typedef struct {
    cairnRepoChunkCache *cache;
    const guint8 *want;
    guint64 size;
    guint32 seed;
    gint bad; /* atomic: reads that failed or differed */
} cacheJob;


/* 100 reads of random pieces (1 byte to 1.5 chunks) against @want. */
static gpointer
cacheReader(gpointer opaque)
{
    cacheJob *job = opaque;
    g_autoptr(GRand) rand = g_rand_new_with_seed(job->seed);
    g_autofree guint8 *got = g_malloc(CS + CS / 2);

    for (int i = 0; i < 100; i++) {
        guint64 offset = (guint64)g_rand_double_range(rand, 0, (double)job->size);
        size_t len = (size_t)g_rand_int_range(rand, 1, CS + CS / 2);
        g_autoptr(GError) err = NULL;

        len = MIN(len, job->size - offset);
        if (!cairnRepoChunkCacheRead(job->cache, offset, len, got, &err) ||
            memcmp(got, job->want + offset, len) != 0)
            g_atomic_int_inc(&job->bad);
    }
    return NULL;
}


/* The shared chunk cache: the ranges of testReadRange with 1 and 3 slots;
 * 8 threads reading random pieces through 2 slots (loads, waits and
 * evictions racing); a damaged chunk fails every read of it, cached or
 * not, and the chunks around it still read. */
static void
testChunkCache(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(cairnRepo) repo = rtOpen(fx->repo, NULL, CAIRN_REPO_LOCK_SHARED);
    g_autofree char *id = rtWriteSnapshot(repo, "dom1", mixedDisk, 0);
    g_autoptr(cairnRepoIndex) index = cairnRepoLoadIndex(repo, id, "vda", &err);
    guint64 size = mixedDisk[0].size;
    g_autofree guint8 *want = g_malloc(size);
    g_autofree guint8 *got = g_malloc(size);
    const struct {
        guint64 offset;
        size_t len;
    } ranges[] = {
        { 0, 10 },
        { CS - 100, 300 },
        { 2 * (guint64)CS - 5, 10 },
        { CS, CS },
        { 12345, 3 * (guint64)CS },
        { size - 7, 7 },
        { 0, size },
        { size, 0 },
        { 5, 10 },
    };
    guint slots[] = { 1, 3 };
    GThread *threads[8];
    cacheJob jobs[8];
    char hex[CAIRN_REPO_DIGEST_HEX_LEN + 1];
    g_autofree char *file = NULL;
    g_autofree guint8 *content = NULL;
    gsize content_len;

    g_assert_no_error(err);
    expectedDisk(&mixedDisk[0], want);
    for (size_t k = 0; k < G_N_ELEMENTS(slots); k++) {
        g_autoptr(cairnRepoChunkCache) cache = cairnRepoChunkCacheNew(repo, index, slots[k]);

        for (size_t i = 0; i < G_N_ELEMENTS(ranges); i++) {
            memset(got, 0xaa, ranges[i].len);
            g_assert_true(
                cairnRepoChunkCacheRead(cache, ranges[i].offset, ranges[i].len, got, &err));
            g_assert_no_error(err);
            g_assert_true(memcmp(got, want + ranges[i].offset, ranges[i].len) == 0);
        }
        g_assert_false(cairnRepoChunkCacheRead(cache, size - 1, 2, got, &err));
        g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_INVALID);
        g_clear_error(&err);
    }

    {
        g_autoptr(cairnRepoChunkCache) cache = cairnRepoChunkCacheNew(repo, index, 2);

        for (guint i = 0; i < G_N_ELEMENTS(threads); i++) {
            jobs[i] = (cacheJob){ cache, want, size, 17 + i, 0 };
            threads[i] = g_thread_new("cache-reader", cacheReader, &jobs[i]);
        }
        for (guint i = 0; i < G_N_ELEMENTS(threads); i++) {
            g_thread_join(threads[i]);
            g_assert_cmpint(jobs[i].bad, ==, 0);
        }
    }

    /* Damage chunk 1 (text, compressed): flip a byte of its payload. */
    cairnRepoDigestToHex(cairnRepoIndexGetDigest(index, 1), hex);
    file = g_strdup_printf("%s/chunks/%.2s/%s", fx->repo, hex, hex);
    g_assert_true(g_file_get_contents(file, (char **)&content, &content_len, NULL));
    content[content_len - 7] ^= 0xff;
    g_chmod(file, 0644);
    g_assert_true(g_file_set_contents(file, (char *)content, content_len, NULL));
    {
        g_autoptr(cairnRepoChunkCache) cache = cairnRepoChunkCacheNew(repo, index, 2);

        for (int i = 0; i < 2; i++) {
            g_assert_false(cairnRepoChunkCacheRead(cache, CS + 10, 100, got, &err));
            g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_CORRUPT);
            g_assert_nonnull(strstr(err->message, hex));
            g_clear_error(&err);
        }
        g_assert_false(cairnRepoChunkCacheRead(cache, CS, CS, got, &err));
        g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_CORRUPT);
        g_clear_error(&err);
        g_assert_false(cairnRepoChunkCacheRead(cache, CS - 10, 20, got, &err));
        g_clear_error(&err);
        g_assert_true(cairnRepoChunkCacheRead(cache, CS - 10, 10, got, &err));
        g_assert_true(memcmp(got, want + CS - 10, 10) == 0);
        g_assert_true(cairnRepoChunkCacheRead(cache, 2 * (guint64)CS, CS + 12345, got, &err));
        g_assert_no_error(err);
        g_assert_true(memcmp(got, want + 2 * CS, CS + 12345) == 0);
    }
}


/* Readahead: a reader of consecutive 64 KiB pieces finds the chunks
 * after its own decoded by the cache's thread (counted), reads the whole
 * disk right, and a damaged chunk ahead fails the read of it with CORRUPT
 * (whether the thread had tried it or not) while the chunk after it
 * still reads. */
static void
checkReadahead(Fixture *fx, cairnRepo *repo, const cairnRepoIndex *index, const guint8 *want)
{
    g_autoptr(GError) err = NULL;
    guint64 size = mixedDisk[0].size;
    g_autofree guint8 *got = g_malloc(size);
    const size_t piece = 64 * 1024;
    char hex[CAIRN_REPO_DIGEST_HEX_LEN + 1];
    g_autofree char *file = NULL;
    g_autofree char *content = NULL;
    gsize content_len;

    {
        g_autoptr(cairnRepoChunkCache) cache = cairnRepoChunkCacheNew(repo, index, 4);

        cairnRepoChunkCacheSetReadahead(cache, 2);
        for (guint64 off = 0; off < size; off += piece) {
            size_t n = MIN(piece, size - off);

            g_assert_true(cairnRepoChunkCacheRead(cache, off, n, got + off, &err));
            g_assert_no_error(err);
            /* after two pieces of chunk 0, chunk 1 is being decoded ahead */
            for (int i = 0;
                 off == piece && i < 3000 && cairnRepoChunkCacheGetReadaheadCount(cache) == 0; i++)
                g_usleep(10000);
            if (off == piece)
                g_assert_cmpuint(cairnRepoChunkCacheGetReadaheadCount(cache), >=, 1);
        }
        g_assert_true(memcmp(got, want, size) == 0);
    }

    cairnRepoDigestToHex(cairnRepoIndexGetDigest(index, 1), hex);
    file = g_strdup_printf("%s/chunks/%.2s/%s", fx->repo, hex, hex);
    g_assert_true(g_file_get_contents(file, &content, &content_len, NULL));
    content[content_len - 7] ^= 0xff;
    g_chmod(file, 0644);
    g_assert_true(g_file_set_contents(file, content, content_len, NULL));
    {
        g_autoptr(cairnRepoChunkCache) cache = cairnRepoChunkCacheNew(repo, index, 4);
        guint64 off;

        cairnRepoChunkCacheSetReadahead(cache, 2);
        for (off = 0; off < CS; off += piece) {
            g_assert_true(cairnRepoChunkCacheRead(cache, off, piece, got, &err));
            g_assert_no_error(err);
        }
        g_assert_false(cairnRepoChunkCacheRead(cache, off, piece, got, &err));
        g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_CORRUPT);
        g_assert_nonnull(strstr(err->message, hex));
        g_clear_error(&err);
        g_assert_true(cairnRepoChunkCacheRead(cache, 3 * (guint64)CS, 100, got, &err));
        g_assert_no_error(err);
        g_assert_true(memcmp(got, want + 3 * CS, 100) == 0);
    }
}


/* A chunk stored plain (random data) is read from its file straight into
 * the caller's buffer and verified there: intact it reads right; a
 * flipped payload byte, a file one byte short and one a byte long each
 * fail with CORRUPT naming the chunk, through a whole-chunk read (in
 * place) and through the cache (a piece of it). */
static void
checkPlainChunkInPlace(Fixture *fx,
                       cairnRepo *repo,
                       const cairnRepoIndex *index,
                       const guint8 *want)
{
    g_autoptr(GError) err = NULL;
    g_autofree guint8 *got = g_malloc(CS);
    char hex[CAIRN_REPO_DIGEST_HEX_LEN + 1];
    g_autofree char *file = NULL;
    g_autofree char *orig = NULL;
    gsize orig_len;

    g_assert_true(cairnRepoReadIndexChunk(repo, index, 0, got, &err));
    g_assert_no_error(err);
    g_assert_true(memcmp(got, want, CS) == 0);

    cairnRepoDigestToHex(cairnRepoIndexGetDigest(index, 0), hex);
    file = g_strdup_printf("%s/chunks/%.2s/%s", fx->repo, hex, hex);
    g_assert_true(g_file_get_contents(file, &orig, &orig_len, NULL));
    g_assert_true(cairnRepoChunkHeadIsPlain((guint8 *)orig, orig_len));
    g_chmod(file, 0644);
    for (int k = 0; k < 3; k++) {
        g_autofree char *bad = g_malloc(orig_len + 1);
        gsize bad_len = orig_len;

        memcpy(bad, orig, orig_len);
        if (k == 0)
            bad[orig_len - 7] ^= 0x01;
        else if (k == 1)
            bad_len--;
        else
            bad[bad_len++] = 0;
        g_assert_true(g_file_set_contents(file, bad, bad_len, NULL));
        memset(got, 0, CS);
        g_assert_false(cairnRepoReadIndexChunk(repo, index, 0, got, &err));
        g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_CORRUPT);
        g_assert_nonnull(strstr(err->message, hex));
        g_clear_error(&err);
        {
            g_autoptr(cairnRepoChunkCache) cache = cairnRepoChunkCacheNew(repo, index, 2);

            g_assert_false(cairnRepoChunkCacheRead(cache, 100, 1000, got, &err));
            g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_CORRUPT);
            g_clear_error(&err);
        }
    }
    g_assert_true(g_file_set_contents(file, orig, orig_len, NULL));
    g_assert_true(cairnRepoReadIndexChunk(repo, index, 0, got, &err));
    g_assert_no_error(err);
    g_assert_true(memcmp(got, want, CS) == 0);
}


/* The two on one snapshot (writing it is most of the time). */
static void
testChunkReadPaths(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(cairnRepo) repo = rtOpen(fx->repo, NULL, CAIRN_REPO_LOCK_SHARED);
    g_autofree char *id = rtWriteSnapshot(repo, "dom1", mixedDisk, 0);
    g_autoptr(cairnRepoIndex) index = cairnRepoLoadIndex(repo, id, "vda", &err);
    g_autofree guint8 *want = g_malloc(mixedDisk[0].size);

    g_assert_no_error(err);
    expectedDisk(&mixedDisk[0], want);
    checkPlainChunkInPlace(fx, repo, index, want);
    checkReadahead(fx, repo, index, want);
}


int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

#define ADD(name, fn) g_test_add("/repo/" name, Fixture, NULL, setupPlain, fn, teardown)
    ADD("init-open", testInitOpen);
    ADD("round-trip", testRoundTrip);
    ADD("dedup", testDedup);
    ADD("dedup-repairs-empty-chunk", testDedupRepairsEmptyChunk);
    ADD("incremental", testIncremental);
    ADD("full-unput-is-zero", testFullUnputIsZero);
    ADD("abandon", testAbandon);
    ADD("threads", testThreads);
    ADD("encrypted", testEncrypted);
    ADD("locks", testLocks);
    ADD("no-space", testNoSpace);
    ADD("tmpfs-full", testTmpfsFull);
    ADD("read-range", testReadRange);
    ADD("chunk-cache", testChunkCache);
    ADD("chunk-read-paths", testChunkReadPaths);
    ADD("compression-choice", testCompressionChoice);
    ADD("list-tolerant", testListTolerant);
    ADD("list-order-same-second", testListOrderSameSecond);
    ADD("chunk-size", testChunkSize);
#undef ADD
    return g_test_run();
}
