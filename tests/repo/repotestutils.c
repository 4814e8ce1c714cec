/*
 * repotestutils.c: helpers of the repository tests.
 */
#include <string.h>

#include <glib/gstdio.h>

#include "repotestutils.h"


char *
rtMakeDir(void)
{
    g_autoptr(GError) err = NULL;
    char *dir = g_dir_make_tmp("cairn-repo-XXXXXX", &err);

    g_assert_no_error(err);
    return dir;
}


void
rtRemoveTree(const char *path)
{
    g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
    const char *name;

    if (!dir) {
        g_unlink(path);
        return;
    }
    while ((name = g_dir_read_name(dir))) {
        g_autofree char *child = g_build_filename(path, name, NULL);

        if (g_file_test(child, G_FILE_TEST_IS_DIR) && !g_file_test(child, G_FILE_TEST_IS_SYMLINK)) {
            rtRemoveTree(child);
        } else {
            g_unlink(child);
        }
    }
    g_rmdir(path);
}


void
rtFillBuffer(guint8 *buf, size_t len, rtFill kind, guint32 seed)
{
    static const char *const words[] = { "backup ", "chunk ",    "disk ",   "qemu ",  "the ",
                                         "of ",     "snapshot ", "index\n", "cairn ", "zstd " };
    guint32 x = seed * 2654435761u + 12345;

    switch (kind) {
    case RT_ZERO:
        memset(buf, 0, len);
        return;
    case RT_RANDOM:
        for (size_t i = 0; i < len; i++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            buf[i] = (guint8)(x >> 7);
        }
        return;
    case RT_TEXT:
        for (size_t i = 0; i < len;) {
            const char *w;
            size_t n;

            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            w = words[x % G_N_ELEMENTS(words)];
            n = MIN(strlen(w), len - i);
            memcpy(buf + i, w, n);
            i += n;
        }
        return;
    }
    g_assert_not_reached();
}


static guint
countIn(const char *path)
{
    g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
    const char *name;
    guint n = 0;

    if (!dir)
        return 0;
    while ((name = g_dir_read_name(dir))) {
        g_autofree char *child = g_build_filename(path, name, NULL);

        if (g_file_test(child, G_FILE_TEST_IS_DIR)) {
            n += countIn(child);
        } else {
            n++;
        }
    }
    return n;
}


guint
rtCountFiles(const char *dir, const char *sub)
{
    g_autofree char *path = g_build_filename(dir, sub, NULL);

    return countIn(path);
}


static char *
firstFile(const char *path)
{
    g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
    const char *name;

    if (!dir)
        return NULL;
    while ((name = g_dir_read_name(dir))) {
        g_autofree char *child = g_build_filename(path, name, NULL);
        char *found;

        if (!g_file_test(child, G_FILE_TEST_IS_DIR))
            return g_steal_pointer(&child);
        if ((found = firstFile(child)))
            return found;
    }
    return NULL;
}


char *
rtFirstChunkFile(const char *repo)
{
    g_autofree char *path = g_build_filename(repo, "chunks", NULL);

    return firstFile(path);
}


cairnRepo *
rtOpen(const char *path, const char *keyfile, cairnRepoLockMode lock)
{
    g_autoptr(GError) err = NULL;
    cairnRepo *repo = cairnRepoOpen(path, keyfile, lock, &err);

    g_assert_no_error(err);
    g_assert_nonnull(repo);
    return repo;
}


static guint64
chunkCount(guint64 size, guint32 cs)
{
    return (size + cs - 1) / cs;
}


static size_t
chunkLen(guint64 size, guint32 cs, guint64 c)
{
    return (size_t)MIN((guint64)cs, size - c * cs);
}


char *
rtWriteSnapshot(cairnRepo *repo, const char *domain, const rtDisk *disks, gint64 start_time)
{
    return rtWriteSnapshotEnd(repo, domain, disks, start_time, start_time ? start_time + 1 : 0);
}


char *
rtWriteSnapshotEnd(
    cairnRepo *repo, const char *domain, const rtDisk *disks, gint64 start_time, gint64 end_time)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(cairnRepoWriter) w = cairnRepoWriterNew(repo, domain, "<domain/>", &err);
    guint32 cs = cairnRepoGetChunkSize(repo);
    g_autofree guint8 *buf = g_malloc(cs);
    cairnRepoCommitInfo info = { .checkpoint = "cp",
                                 .start_time = start_time,
                                 .end_time = end_time };
    char *id = NULL;

    g_assert_no_error(err);
    for (const rtDisk *d = disks; d->name; d++) {
        cairnRepoWriterAddDisk(w, d->name, d->size, NULL, &err);
        g_assert_no_error(err);
        for (guint64 c = 0; c < chunkCount(d->size, cs); c++) {
            size_t len = chunkLen(d->size, cs, c);

            rtFillBuffer(buf, len, d->fills[c], d->seeds ? d->seeds[c] : (guint32)c);
            g_assert_true(cairnRepoWriterPutChunk(w, d->name, c, buf, len, &err));
            g_assert_no_error(err);
        }
    }
    g_assert_true(cairnRepoWriterCommit(w, &info, &id, &err));
    g_assert_no_error(err);
    return id;
}


void
rtCheckDisk(cairnRepo *repo, const char *id, const rtDisk *d)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(cairnRepoIndex) index = cairnRepoLoadIndex(repo, id, d->name, &err);
    guint32 cs = cairnRepoGetChunkSize(repo);
    g_autofree guint8 *buf = g_malloc(cs);
    g_autofree guint8 *want = g_malloc(cs);

    g_assert_no_error(err);
    g_assert_cmpuint(cairnRepoIndexGetDiskSize(index), ==, d->size);
    g_assert_cmpuint(cairnRepoIndexGetChunkSize(index), ==, cs);
    g_assert_cmpuint(cairnRepoIndexGetChunkCount(index), ==, chunkCount(d->size, cs));
    for (guint64 c = 0; c < chunkCount(d->size, cs); c++) {
        size_t len = chunkLen(d->size, cs, c);

        g_assert_cmpuint(cairnRepoIndexGetChunkLength(index, c), ==, len);
        rtFillBuffer(want, len, d->fills[c], d->seeds ? d->seeds[c] : (guint32)c);
        g_assert_true(cairnRepoReadIndexChunk(repo, index, c, buf, &err));
        g_assert_no_error(err);
        g_assert_true(memcmp(buf, want, len) == 0);
        g_assert_cmpint(cairnRepoDigestIsZero(cairnRepoIndexGetDigest(index, c)), ==,
                        d->fills[c] == RT_ZERO);
    }
}
