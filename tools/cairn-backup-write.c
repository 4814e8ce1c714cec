/*
 * cairn-backup-write.c: the raw image writer of restore
 * (cairn-backup-write.h): the file itself, sparse, written with pwrite
 * from every thread. (qcow2 is cairn-backup-qcow2.c.)
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "cairn-backup-write.h"
#include "cairn-backup-error.h"

struct _cbWriter {
    char *path;
    bool finished;
    int fd;
};


cbWriter *
cbWriterOpen(const char *path, guint64 size, guint threads, GError **error)
{
    g_autoptr(cbWriter) w = g_new0(cbWriter, 1);

    w->path = g_strdup(path);
    w->fd = -1;
    if (g_file_test(path, G_FILE_TEST_EXISTS)) {
        cbSetError(error, "'%s' exists", path);
        w->finished = true; /* not ours to remove */
        return NULL;
    }
    if ((w->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0) {
        cbSetErrno(error, errno, "cannot create '%s'", w->path);
        w->finished = true;
        return NULL;
    }
    if (ftruncate(w->fd, size) < 0) {
        cbSetErrno(error, errno, "cannot size '%s'", w->path);
        return NULL;
    }
    return g_steal_pointer(&w);
}


bool
cbWriterWrite(
    cbWriter *w, guint thread, guint64 offset, const void *data, gsize len, GError **error)
{
    const char *p = data;

    while (len > 0) {
        ssize_t n = pwrite(w->fd, p, len, offset);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            cbSetErrno(error, n < 0 ? errno : ENOSPC,
                       "cannot write %zu bytes at offset %" G_GUINT64_FORMAT " of '%s'", len,
                       offset, w->path);
            return false;
        }
        p += n;
        len -= n;
        offset += n;
    }
    return true;
}


bool
cbWriterFinish(cbWriter *w, GError **error)
{
    int fd = w->fd;

    w->fd = -1;
    if (fsync(fd) < 0) {
        cbSetErrno(error, errno, "cannot flush '%s'", w->path);
        close(fd);
        return false;
    }
    if (close(fd) < 0) {
        cbSetErrno(error, errno, "cannot close '%s'", w->path);
        return false;
    }
    w->finished = true;
    return true;
}


void
cbWriterFree(cbWriter *w)
{
    if (!w)
        return;
    if (w->fd >= 0)
        close(w->fd);
    if (!w->finished)
        g_unlink(w->path);
    g_free(w->path);
    g_free(w);
}
