/*
 * cairnfile.c: atomic writes, reads, directories and flock-based locks.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "cairn/cairn-error.h"
#include "cairnerror.h"
#include "cairnfile.h"

#define FROM CAIRN_FROM_NONE

struct _cairnFileLock {
    int fd;
    char *path;
};


static bool
cairnFileWriteAll(int fd, const char *data, gsize len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return false;
        data += n;
        len -= (gsize)n;
    }
    return true;
}


bool
cairnFileSyncDir(const char *dir, GError **error)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd < 0 || fsync(fd) < 0) {
        int errsv = errno;

        if (fd >= 0)
            close(fd);
        cairnErrorSetErrno(error, FROM, errsv, "cannot sync directory '%s'", dir);
        return false;
    }
    close(fd);
    return true;
}


bool
cairnFileWriteAtomic(const char *path, const char *data, gssize len, mode_t mode, GError **error)
{
    g_autofree char *dir = g_path_get_dirname(path);
    g_autofree char *base = g_path_get_basename(path);
    g_autofree char *tmp = g_strdup_printf("%s/.%s.XXXXXX", dir, base);
    int fd;
    int errsv;

    if (len < 0)
        len = (gssize)strlen(data);
    if ((fd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, mode)) < 0) {
        cairnErrorSetErrno(error, FROM, errno, "cannot create temporary file for '%s'", path);
        return false;
    }
    if (fchmod(fd, mode) < 0 || !cairnFileWriteAll(fd, data, (gsize)len) || fsync(fd) < 0) {
        errsv = errno;
        close(fd);
        unlink(tmp);
        cairnErrorSetErrno(error, FROM, errsv, "cannot write '%s'", tmp);
        return false;
    }
    if (close(fd) < 0 || rename(tmp, path) < 0) {
        errsv = errno;
        unlink(tmp);
        cairnErrorSetErrno(error, FROM, errsv, "cannot replace '%s'", path);
        return false;
    }
    return cairnFileSyncDir(dir, error);
}


/* Read @path whole; on failure, the errno that describes it. */
static char *
cairnFileReadRaw(const char *path, gsize *ret_len, int *ret_errno)
{
    g_autoptr(GError) gerr = NULL;
    char *data = NULL;

    if (g_file_get_contents(path, &data, ret_len, &gerr))
        return data;
    *ret_errno = EIO;
    if (gerr->domain == G_FILE_ERROR && gerr->code == G_FILE_ERROR_NOENT)
        *ret_errno = ENOENT;
    else if (gerr->domain == G_FILE_ERROR && gerr->code == G_FILE_ERROR_NOTDIR)
        *ret_errno = ENOTDIR;
    return NULL;
}


static bool
cairnFileCheckSize(const char *path, gsize len, gsize max_len, GError **error)
{
    if (max_len > 0 && len > max_len) {
        cairnErrorSet(error, FROM, CAIRN_ERR_INTERNAL_ERROR, "file '%s' is larger than %zu bytes",
                      path, (size_t)max_len);
        return false;
    }
    return true;
}


bool
cairnFileRead(const char *path, gsize max_len, char **ret_data, gsize *ret_len, GError **error)
{
    g_autofree char *data = NULL;
    gsize len = 0;
    int errnum = 0;

    if (!(data = cairnFileReadRaw(path, &len, &errnum))) {
        cairnErrorSetErrno(error, FROM, errnum, "cannot read '%s'", path);
        return false;
    }
    if (!cairnFileCheckSize(path, len, max_len, error))
        return false;
    *ret_data = g_steal_pointer(&data);
    if (ret_len)
        *ret_len = len;
    return true;
}


bool
cairnFileReadOptional(const char *path, gsize max_len, char **ret_data, GError **error)
{
    g_autofree char *data = NULL;
    gsize len = 0;
    int errnum = 0;

    *ret_data = NULL;
    if (!(data = cairnFileReadRaw(path, &len, &errnum))) {
        if (errnum == ENOENT || errnum == ENOTDIR)
            return true;
        cairnErrorSetErrno(error, FROM, errnum, "cannot read '%s'", path);
        return false;
    }
    if (!cairnFileCheckSize(path, len, max_len, error))
        return false;
    *ret_data = g_steal_pointer(&data);
    return true;
}


bool
cairnFileRemove(const char *path, bool sync_dir, GError **error)
{
    g_autofree char *dir = NULL;

    if (unlink(path) < 0) {
        if (errno == ENOENT)
            return true;
        cairnErrorSetErrno(error, FROM, errno, "cannot remove '%s'", path);
        return false;
    }
    if (!sync_dir)
        return true;
    dir = g_path_get_dirname(path);
    return cairnFileSyncDir(dir, error);
}


bool
cairnFileMakePath(const char *path, mode_t mode, GError **error)
{
    if (g_mkdir_with_parents(path, (int)mode) < 0) {
        cairnErrorSetErrno(error, FROM, errno, "cannot create directory '%s'", path);
        return false;
    }
    return true;
}


/* flock(2) has no way to wait with a deadline (a blocking flock could only
 * be interrupted by a process-wide signal), so the wait is a non-blocking
 * attempt repeated with a growing pause of 1 to 20 ms. */
cairnFileLock *
cairnFileLockAcquire(const char *path, int timeout_ms, int from, GError **error)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
    gulong pause_us = 1000;
    cairnFileLock *lock;
    int fd;

    if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0) {
        cairnErrorSetErrno(error, from, errno, "cannot open lock file '%s'", path);
        return NULL;
    }
    while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        int errsv = errno;

        if (errsv == EINTR)
            continue;
        if (errsv != EWOULDBLOCK || g_get_monotonic_time() >= deadline) {
            close(fd);
            if (errsv == EWOULDBLOCK)
                cairnErrorSet(
                    error, from, CAIRN_ERR_OPERATION_TIMEOUT,
                    "cannot acquire state change lock (held by another process or connection): %s",
                    path);
            else
                cairnErrorSetErrno(error, from, errsv, "cannot lock '%s'", path);
            return NULL;
        }
        g_usleep(pause_us);
        pause_us = MIN(pause_us * 2, 20000);
    }
    lock = g_new0(cairnFileLock, 1);
    lock->fd = fd;
    lock->path = g_strdup(path);
    return lock;
}


void
cairnFileLockRelease(cairnFileLock *lock)
{
    if (!lock)
        return;
    flock(lock->fd, LOCK_UN);
    close(lock->fd);
    g_free(lock->path);
    g_free(lock);
}
