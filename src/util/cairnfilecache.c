/*
 * cairnfilecache.c: file texts re-read only when their stamps say they
 * may have changed (see cairnfilecache.h).
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "cairnerror.h"
#include "cairnfile.h"
#include "cairnfilecache.h"

#define FROM CAIRN_FROM_NONE


static gint64
cairnFileTimeNs(const struct timespec *ts)
{
    return (gint64)ts->tv_sec * G_GINT64_CONSTANT(1000000000) + ts->tv_nsec;
}


bool
cairnFileStampTake(const char *path, cairnFileStamp *stamp, GError **error)
{
    struct stat sb;
    gint64 now_ns;

    memset(stamp, 0, sizeof(*stamp));
    if (stat(path, &sb) < 0) {
        if (errno != ENOENT && errno != ENOTDIR) {
            cairnErrorSetErrno(error, FROM, errno, "cannot stat '%s'", path);
            return false;
        }
        stamp->taken = true;
        stamp->settled = true;
        return true;
    }
    now_ns = g_get_real_time() * 1000;
    stamp->taken = true;
    stamp->exists = true;
    stamp->dev = sb.st_dev;
    stamp->ino = sb.st_ino;
    stamp->size = sb.st_size;
    stamp->mtime_ns = cairnFileTimeNs(&sb.st_mtim);
    stamp->ctime_ns = cairnFileTimeNs(&sb.st_ctim);
    stamp->settled = stamp->ctime_ns < now_ns - CAIRN_FILE_SETTLE_US * 1000 &&
                     stamp->mtime_ns < now_ns - CAIRN_FILE_SETTLE_US * 1000;
    return true;
}


bool
cairnFileStampUnchanged(const cairnFileStamp *before, const cairnFileStamp *now)
{
    if (!before->taken || !now->taken || !before->settled || before->exists != now->exists)
        return false;
    if (!before->exists)
        return true;
    return before->dev == now->dev && before->ino == now->ino && before->size == now->size &&
           before->mtime_ns == now->mtime_ns && before->ctime_ns == now->ctime_ns;
}


int
cairnFileCacheCheck(cairnFileCache *cache,
                    const char *path,
                    gsize max_len,
                    char **ret_text,
                    cairnFileStamp *ret_stamp,
                    GError **error)
{
    g_autofree char *text = NULL;
    cairnFileStamp stamp;

    /* The stamp first: what is read next is at least as new as it. */
    if (!cairnFileStampTake(path, &stamp, error))
        return -1;
    if (cairnFileStampUnchanged(&cache->stamp, &stamp))
        return 0;
    if (stamp.exists && !cairnFileReadOptional(path, max_len, &text, error))
        return -1;
    if (g_strcmp0(text, cache->text) == 0) {
        cache->stamp = stamp;
        return 0;
    }
    *ret_text = g_steal_pointer(&text);
    *ret_stamp = stamp;
    return 1;
}


void
cairnFileCacheCommit(cairnFileCache *cache, char *text, const cairnFileStamp *stamp)
{
    g_free(cache->text);
    cache->text = text;
    if (stamp)
        cache->stamp = *stamp;
    else
        memset(&cache->stamp, 0, sizeof(cache->stamp));
}


void
cairnFileCacheClear(cairnFileCache *cache)
{
    cairnFileCacheCommit(cache, NULL, NULL);
}


cairnFileCache *
cairnFileCacheNew(void)
{
    return g_new0(cairnFileCache, 1);
}


void
cairnFileCacheFree(cairnFileCache *cache)
{
    if (!cache)
        return;
    cairnFileCacheClear(cache);
    g_free(cache);
}
