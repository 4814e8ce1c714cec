/*
 * reposampletest.c: the checked-in sample repositories of every format
 * version (tests/data/repo/) still decode, and newer versions are refused.
 *
 * The samples were made by this program:
 *   build/tests/repo/reposampletest --generate tests/data/repo
 * One snapshot of domain "sample", disk "vda" of 2 chunks + 1000 bytes:
 * a repetitive text chunk (zstd), an all-zero chunk (not stored), and a
 * short random tail (kept raw). v1-plain is unencrypted, v1-encrypted uses
 * v1-encrypted.key.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "repo-private.h"
#include "repotestutils.h"

#define CS CAIRN_REPO_CHUNK_SIZE
#define SAMPLE_TIME 1764892800 /* 2025-12-05T00:00:00Z */
#define SAMPLE_SIZE (2 * (guint64)CS + 1000)
#define SAMPLE_XML "<domain type='kvm'>\n  <name>sample</name>\n</domain>\n"
#define SAMPLE_CHECKPOINT "cairn-sample-1"


static void
sampleChunk(guint64 c, guint8 *buf, size_t len)
{
    static const char line[] = "cairn-backup sample chunk, format version 1\n";

    switch (c) {
    case 0:
        for (size_t i = 0; i < len; i++)
            buf[i] = (guint8)line[i % (sizeof(line) - 1)];
        return;
    case 1:
        memset(buf, 0, len);
        return;
    default:
        rtFillBuffer(buf, len, RT_RANDOM, 2025);
        return;
    }
}


static size_t
sampleLen(guint64 c)
{
    return c < 2 ? CS : 1000;
}


static int
generate(const char *dir, const char *name, bool encrypted)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *path = g_build_filename(dir, name, NULL);
    g_autofree char *keyname = g_strdup_printf("%s.key", name);
    g_autofree char *keyfile = encrypted ? g_build_filename(dir, keyname, NULL) : NULL;
    g_autofree char *lock = g_build_filename(path, "lock", NULL);
    g_autofree guint8 *buf = g_malloc(CS);
    g_autoptr(cairnRepo) repo = NULL;
    g_autoptr(cairnRepoWriter) w = NULL;
    g_autofree char *id = NULL;
    cairnRepoCommitInfo info = { SAMPLE_CHECKPOINT, SAMPLE_TIME, SAMPLE_TIME + 5 };

    if (!cairnRepoInit(path, keyfile, &err) ||
        !(repo = cairnRepoOpen(path, keyfile, CAIRN_REPO_LOCK_SHARED, &err)) ||
        !(w = cairnRepoWriterNew(repo, "sample", SAMPLE_XML, &err)) ||
        !cairnRepoWriterAddDisk(w, "vda", SAMPLE_SIZE, NULL, &err) ||
        !cairnRepoWriterSetInfo(w, "vda", "note", "sample", &err))
        goto fail;
    for (guint64 c = 0; c < 3; c++) {
        sampleChunk(c, buf, sampleLen(c));
        if (!cairnRepoWriterPutChunk(w, "vda", c, buf, sampleLen(c), &err))
            goto fail;
    }
    if (!cairnRepoWriterCommit(w, &info, &id, &err))
        goto fail;
    g_unlink(lock);
    g_print("%s: snapshot %s\n", path, id);
    return 0;

fail:
    g_printerr("%s: %s\n", path, err->message);
    return 1;
}


/* Copy @from (a directory tree) to @to, so opening it (which creates the
 * lock file) leaves the source tree alone. */
static void
copyTree(const char *from, const char *to)
{
    g_autoptr(GDir) dir = g_dir_open(from, 0, NULL);
    const char *name;

    g_assert_nonnull(dir);
    g_assert_cmpint(g_mkdir(to, 0755), ==, 0);
    while ((name = g_dir_read_name(dir))) {
        g_autofree char *src = g_build_filename(from, name, NULL);
        g_autofree char *dst = g_build_filename(to, name, NULL);
        g_autofree char *data = NULL;
        gsize len;

        if (g_file_test(src, G_FILE_TEST_IS_DIR)) {
            copyTree(src, dst);
            continue;
        }
        g_assert_true(g_file_get_contents(src, &data, &len, NULL));
        g_assert_true(g_file_set_contents(dst, data, (gssize)len, NULL));
    }
}


typedef struct {
    const char *name;
    bool encrypted;
} sampleCase;


typedef struct {
    char *tmp;
    char *repo;
    char *keyfile;
} Fixture;


static void
setup(Fixture *fx, gconstpointer data)
{
    const sampleCase *sc = data;
    g_autofree char *rel = g_build_filename("data", "repo", sc->name, NULL);
    g_autofree char *src = NULL;
    const char *srcdir = g_getenv("abs_srcdir");

    src = srcdir ? g_build_filename(srcdir, rel, NULL) : g_build_filename("tests", rel, NULL);
    fx->tmp = rtMakeDir();
    fx->repo = g_build_filename(fx->tmp, sc->name, NULL);
    copyTree(src, fx->repo);
    if (sc->encrypted)
        fx->keyfile = g_strdup_printf("%s.key", src);
}


static void
teardown(Fixture *fx, gconstpointer data)
{
    rtRemoveTree(fx->tmp);
    g_free(fx->tmp);
    g_free(fx->repo);
    g_free(fx->keyfile);
}


static void
testDecode(Fixture *fx, gconstpointer data)
{
    const sampleCase *sc = data;
    g_autoptr(GError) err = NULL;
    g_autoptr(cairnRepo) repo = rtOpen(fx->repo, fx->keyfile, CAIRN_REPO_LOCK_SHARED);
    g_autoptr(GPtrArray) list = cairnRepoListSnapshots(repo, NULL, &err);
    g_autoptr(cairnRepoIndex) index = NULL;
    g_autoptr(cairnRepoVerifyReport) report = NULL;
    g_autofree guint8 *buf = g_malloc(CS);
    g_autofree guint8 *want = g_malloc(CS);
    const cairnRepoManifestDisk *d;
    cairnRepoManifest *m;

    g_assert_no_error(err);
    g_assert_cmpint(cairnRepoIsEncrypted(repo), ==, sc->encrypted);
    g_assert_cmpuint(strlen(cairnRepoGetId(repo)), ==, 16);
    g_assert_cmpuint(list->len, ==, 1);
    m = list->pdata[0];
    g_assert_true(g_str_has_prefix(m->id, "20251205T000000Z-"));
    g_assert_cmpstr(m->domain, ==, "sample");
    g_assert_cmpstr(m->domain_xml, ==, SAMPLE_XML);
    g_assert_cmpstr(m->checkpoint, ==, SAMPLE_CHECKPOINT);
    g_assert_cmpint(m->start_time, ==, SAMPLE_TIME);
    g_assert_cmpint(m->end_time, ==, SAMPLE_TIME + 5);
    g_assert_cmpstr(m->tool_version, ==, "0.1.0");
    d = cairnRepoManifestFindDisk(m, "vda");
    g_assert_nonnull(d);
    g_assert_cmpuint(d->size, ==, SAMPLE_SIZE);
    g_assert_cmpuint(d->chunk_size, ==, CS);
    g_assert_cmpstr(d->mode, ==, "full");
    g_assert_cmpuint(d->chunks, ==, 3);
    g_assert_cmpuint(d->chunks_zero, ==, 1);
    g_assert_cmpuint(d->chunks_new, ==, 2);
    g_assert_cmpuint(d->bytes_new, ==, CS + 1000);
    g_assert_cmpstr(g_hash_table_lookup(d->info, "note"), ==, "sample");

    index = cairnRepoLoadIndex(repo, m->id, "vda", &err);
    g_assert_no_error(err);
    for (guint64 c = 0; c < 3; c++) {
        g_assert_cmpuint(cairnRepoIndexGetChunkLength(index, c), ==, sampleLen(c));
        g_assert_true(cairnRepoReadIndexChunk(repo, index, c, buf, &err));
        g_assert_no_error(err);
        sampleChunk(c, want, sampleLen(c));
        g_assert_true(memcmp(buf, want, sampleLen(c)) == 0);
    }
    g_assert_true(cairnRepoVerify(repo, NULL, NULL, NULL, &report, &err));
    g_assert_cmpuint(report->chunks, ==, 2);
    g_assert_cmpuint(report->problems->len, ==, 0);
}


/* Set the format version (bytes 8-9, little-endian) of @path to @version,
 * recomputing nothing: the version is checked before the checksum. */
static void
setVersion(const char *path, guint16 version)
{
    g_autofree char *bytes = NULL;
    gsize len;

    g_assert_true(g_file_get_contents(path, &bytes, &len, NULL));
    bytes[8] = (char)(version & 0xff);
    bytes[9] = (char)(version >> 8);
    g_assert_true(g_file_set_contents(path, bytes, (gssize)len, NULL));
}


static void
testNewerVersionRefused(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *config = g_build_filename(fx->repo, "config", NULL);
    g_autofree char *chunk = rtFirstChunkFile(fx->repo);
    g_autofree char *id = NULL;
    g_autofree char *manifest = NULL;
    cairnRepo *bad;

    setVersion(config, 2);
    bad = cairnRepoOpen(fx->repo, fx->keyfile, CAIRN_REPO_LOCK_SHARED, &err);
    g_assert_null(bad);
    g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_VERSION);
    g_assert_nonnull(strstr(err->message, "format version 2"));
    g_assert_nonnull(strstr(err->message, "upgrade cairn-backup"));
    g_clear_error(&err);
    setVersion(config, 1);

    {
        g_autoptr(cairnRepo) repo = rtOpen(fx->repo, fx->keyfile, CAIRN_REPO_LOCK_SHARED);
        g_autoptr(GPtrArray) list = cairnRepoListSnapshots(repo, NULL, &err);
        g_autoptr(cairnRepoVerifyReport) report = NULL;
        g_autofree char *index = NULL;
        cairnRepoVerifyProblem *p;

        g_assert_no_error(err);
        id = g_strdup(((cairnRepoManifest *)list->pdata[0])->id);
        manifest = g_strdup_printf("%s/snapshots/%s/manifest", fx->repo, id);
        index = g_strdup_printf("%s/snapshots/%s/vda.index", fx->repo, id);

        /* a chunk of a newer version: verify says so */
        setVersion(chunk, 3);
        g_assert_true(cairnRepoVerify(repo, NULL, NULL, NULL, &report, &err));
        g_assert_cmpuint(report->problems->len, ==, 1);
        p = report->problems->pdata[0];
        g_assert_nonnull(strstr(p->problem, "format version 3"));
        setVersion(chunk, 1);

        /* an index of a newer version */
        setVersion(index, 2);
        g_assert_null(cairnRepoLoadIndex(repo, id, "vda", &err));
        g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_VERSION);
        g_clear_error(&err);

        /* a manifest of a newer version */
        setVersion(manifest, 2);
        g_assert_null(cairnRepoLoadManifest(repo, id, &err));
        g_assert_error(err, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_VERSION);
        g_clear_error(&err);
    }
}


static const sampleCase samples[] = {
    { "v1-plain", false },
    { "v1-encrypted", true },
};


int
main(int argc, char **argv)
{
    if (argc == 3 && g_str_equal(argv[1], "--generate")) {
        for (size_t i = 0; i < G_N_ELEMENTS(samples); i++) {
            if (generate(argv[2], samples[i].name, samples[i].encrypted) != 0)
                return 1;
        }
        return 0;
    }
    g_test_init(&argc, &argv, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(samples); i++) {
        g_autofree char *decode = g_strdup_printf("/repo/sample/%s/decode", samples[i].name);
        g_autofree char *newer = g_strdup_printf("/repo/sample/%s/newer-version", samples[i].name);

        g_test_add(decode, Fixture, &samples[i], setup, testDecode, teardown);
        g_test_add(newer, Fixture, &samples[i], setup, testNewerVersionRefused, teardown);
    }
    return g_test_run();
}
