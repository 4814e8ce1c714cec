/*
 * filecachetest.c: file stamps and cached file texts (util/cairnfilecache.h):
 * a change is always seen, an unchanged settled file is not read again.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "testutils.h"
#include "util/cairnfile.h"
#include "util/cairnfilecache.h"

/* Long enough for anything written before it to be settled. */
#define SETTLE_WAIT_US (CAIRN_FILE_SETTLE_US + 20 * G_TIME_SPAN_MILLISECOND)


static char *
makeDir(void)
{
    g_autoptr(GError) err = NULL;
    char *dir = g_dir_make_tmp("cairn-filecache-XXXXXX", &err);

    g_assert_no_error(err);
    return dir;
}


/* A scratch directory with one file name in it, and a cache for it. */
typedef struct {
    char *dir;
    char *path;
    cairnFileCache cache;
} Fixture;


static void
fixtureSetup(Fixture *fx, gconstpointer data)
{
    fx->dir = makeDir();
    fx->path = g_build_filename(fx->dir, "f.xml", NULL);
    memset(&fx->cache, 0, sizeof(fx->cache));
}


static void
fixtureTeardown(Fixture *fx, gconstpointer data)
{
    cairnFileCacheClear(&fx->cache);
    g_unlink(fx->path);
    g_rmdir(fx->dir);
    g_free(fx->path);
    g_free(fx->dir);
}


static void
writeFile(const char *path, const char *text)
{
    g_autoptr(GError) err = NULL;

    g_assert_true(cairnFileWriteAtomic(path, text, -1, 0600, &err));
    g_assert_no_error(err);
}


/* Rewrite @path in place with @text (same length), keeping its inode and
 * putting back its mtime: only its ctime can tell. */
static void
rewriteInPlace(const char *path, const char *text)
{
    struct stat before;
    struct timespec times[2];
    int fd = open(path, O_WRONLY);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(fstat(fd, &before), ==, 0);
    g_assert_cmpint(pwrite(fd, text, strlen(text), 0), ==, (ssize_t)strlen(text));
    times[0] = before.st_atim;
    times[1] = before.st_mtim;
    g_assert_cmpint(futimens(fd, times), ==, 0);
    close(fd);
}


/* cairnFileCacheCheck(), committing what it found; returns its result. */
static int
check(cairnFileCache *cache, const char *path)
{
    g_autoptr(GError) err = NULL;
    char *text = NULL;
    cairnFileStamp stamp;
    int diff = cairnFileCacheCheck(cache, path, 0, &text, &stamp, &err);

    g_assert_no_error(err);
    if (diff > 0)
        cairnFileCacheCommit(cache, text, &stamp);
    return diff;
}


static void
testAppearAndVanish(Fixture *fx, gconstpointer data)
{
    g_assert_cmpint(check(&fx->cache, fx->path), ==, 0); /* absent, as known */
    g_assert_null(fx->cache.text);
    writeFile(fx->path, "one");
    g_assert_cmpint(check(&fx->cache, fx->path), ==, 1);
    g_assert_cmpstr(fx->cache.text, ==, "one");
    g_assert_cmpint(check(&fx->cache, fx->path), ==, 0);
    g_assert_cmpint(g_unlink(fx->path), ==, 0);
    g_assert_cmpint(check(&fx->cache, fx->path), ==, 1);
    g_assert_null(fx->cache.text);
}


/* Atomic replacements, back to back within one timestamp tick: the
 * replaced inode may be reused and the size is the same. */
static void
testRapidReplacements(Fixture *fx, gconstpointer data)
{
    for (int i = 0; i < 200; i++) {
        g_autofree char *text = g_strdup_printf("text %03d", i);

        struct stat sb;

        writeFile(fx->path, text);
        g_assert_cmpint(check(&fx->cache, fx->path), ==, 1);
        g_assert_cmpstr(fx->cache.text, ==, text);
        /* Only a stamp taken within the settle time of the file's own
         * times can be required to be unsettled: a loaded machine may stop
         * this process for longer between write and stamp, and the kernel's
         * coarse clock may date the write up to a tick before the moment
         * this process saw (so the clock read before the write is no bound). */
        g_assert_cmpint(stat(fx->path, &sb), ==, 0);
        gint64 ctime_us = (gint64)sb.st_ctim.tv_sec * G_USEC_PER_SEC + sb.st_ctim.tv_nsec / 1000;
        gint64 mtime_us = (gint64)sb.st_mtim.tv_sec * G_USEC_PER_SEC + sb.st_mtim.tv_nsec / 1000;
        gint64 newest_us = MAX(ctime_us, mtime_us);
        if (g_get_real_time() - newest_us < CAIRN_FILE_SETTLE_US)
            g_assert_false(fx->cache.stamp.settled);
    }
}


/* A change that keeps inode, size and mtime, right after the file was
 * read: an unsettled stamp is not trusted, so it is still seen. */
static void
testUnsettledNotTrusted(Fixture *fx, gconstpointer data)
{
    writeFile(fx->path, "aaaa");
    g_assert_cmpint(check(&fx->cache, fx->path), ==, 1);
    rewriteInPlace(fx->path, "bbbb");
    g_assert_cmpint(check(&fx->cache, fx->path), ==, 1);
    g_assert_cmpstr(fx->cache.text, ==, "bbbb");
}


/* Once settled, the stamp is trusted; a later in-place change still moves
 * the ctime, so it is seen too. */
static void
testSettled(Fixture *fx, gconstpointer data)
{
    writeFile(fx->path, "aaaa");
    g_usleep(SETTLE_WAIT_US);
    g_assert_cmpint(check(&fx->cache, fx->path), ==, 1);
    g_assert_true(fx->cache.stamp.settled);
    g_assert_cmpint(check(&fx->cache, fx->path), ==, 0);
    rewriteInPlace(fx->path, "cccc");
    g_assert_cmpint(check(&fx->cache, fx->path), ==, 1);
    g_assert_cmpstr(fx->cache.text, ==, "cccc");
}


/* Text this process wrote itself is trusted only after one read back. */
static void
testOwnWrite(Fixture *fx, gconstpointer data)
{
    writeFile(fx->path, "mine");
    cairnFileCacheCommit(&fx->cache, g_strdup("mine"), NULL);
    g_assert_false(fx->cache.stamp.taken);
    g_assert_cmpint(check(&fx->cache, fx->path), ==, 0);
    g_assert_true(fx->cache.stamp.taken);
}


/* A directory's stamp changes with every file renamed into it or removed. */
static void
testDirectory(void)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *dir = makeDir();
    g_autofree char *path = g_build_filename(dir, "a.xml", NULL);
    cairnFileStamp before;
    cairnFileStamp now;

    g_usleep(SETTLE_WAIT_US);
    g_assert_true(cairnFileStampTake(dir, &before, &err));
    g_assert_true(before.settled);
    g_assert_true(cairnFileStampTake(dir, &now, &err));
    g_assert_true(cairnFileStampUnchanged(&before, &now));
    writeFile(path, "x");
    g_assert_true(cairnFileStampTake(dir, &now, &err));
    g_assert_false(cairnFileStampUnchanged(&before, &now));

    g_usleep(SETTLE_WAIT_US);
    g_assert_true(cairnFileStampTake(dir, &before, &err));
    g_assert_cmpint(g_unlink(path), ==, 0);
    g_assert_true(cairnFileStampTake(dir, &now, &err));
    g_assert_false(cairnFileStampUnchanged(&before, &now));
    g_assert_no_error(err);
    g_rmdir(dir);
}


/* Which stamps are trusted: never one not taken, never an unsettled
 * one even when identical (its file could change within its tick without
 * a trace on filesystems with coarse timestamps), a settled one when
 * identical. */
static void
testTrust(void)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *dir = makeDir();
    g_autofree char *path = g_build_filename(dir, "f.xml", NULL);
    cairnFileStamp none = { 0 };
    cairnFileStamp absent = { .taken = true, .settled = true };
    cairnFileStamp fresh;
    cairnFileStamp settled;

    g_assert_false(cairnFileStampUnchanged(&none, &absent));
    g_assert_false(cairnFileStampUnchanged(&absent, &none));
    g_assert_true(cairnFileStampUnchanged(&absent, &absent));

    /* A stamp taken right after the write is unsettled. "Right after" is
     * checked: a loaded machine may stop this process longer than the
     * settle time in between, and then the try is repeated. */
    for (int tries = 0;; tries++) {
        gint64 written = g_get_real_time();

        writeFile(path, "x");
        g_assert_true(cairnFileStampTake(path, &fresh, &err));
        if (g_get_real_time() - written < CAIRN_FILE_SETTLE_US)
            break;
        g_assert_cmpint(tries, <, 100);
    }
    g_assert_true(fresh.exists);
    g_assert_false(fresh.settled);
    g_assert_false(cairnFileStampUnchanged(&fresh, &fresh));
    g_usleep(SETTLE_WAIT_US);
    g_assert_true(cairnFileStampTake(path, &settled, &err));
    g_assert_true(settled.settled);
    g_assert_true(cairnFileStampUnchanged(&settled, &settled));
    g_assert_false(cairnFileStampUnchanged(&settled, &absent));
    g_assert_no_error(err);
    g_unlink(path);
    g_rmdir(dir);
}


int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add("/filecache/appear-vanish", Fixture, NULL, fixtureSetup, testAppearAndVanish,
               fixtureTeardown);
    g_test_add("/filecache/rapid-replacements", Fixture, NULL, fixtureSetup, testRapidReplacements,
               fixtureTeardown);
    g_test_add("/filecache/unsettled", Fixture, NULL, fixtureSetup, testUnsettledNotTrusted,
               fixtureTeardown);
    g_test_add("/filecache/settled", Fixture, NULL, fixtureSetup, testSettled, fixtureTeardown);
    g_test_add("/filecache/own-write", Fixture, NULL, fixtureSetup, testOwnWrite, fixtureTeardown);
    g_test_add_func("/filecache/directory", testDirectory);
    g_test_add_func("/filecache/trust", testTrust);
    return g_test_run();
}
