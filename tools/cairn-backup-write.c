/*
 * cairn-backup-write.c: the image file writer of restore
 * (cairn-backup-write.h): the file itself, sparse, written with pwrite
 * from every thread; all-zero blocks stay holes. (The qcow2 layout on
 * top of it is cairn-backup-qcow2.c.)
 */
#define _GNU_SOURCE /* O_DIRECT */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "cairn-backup-write.h"
#include "cairn-backup-error.h"

/* O_DIRECT needs the buffer, offset and length aligned to the device's
 * logical block; 4096 suits every device. */
#define CB_WRITER_ALIGN 4096

struct _cbWriter {
    char *path;
    bool finished;
    int fd;
    int direct_fd; /* the same file with O_DIRECT, or -1 */
};


cbWriter *
cbWriterOpen(const char *path, guint64 size, guint threads, GError **error)
{
    g_autoptr(cbWriter) w = g_new0(cbWriter, 1);

    w->path = g_strdup(path);
    w->fd = -1;
    w->direct_fd = -1;
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
    /* Data goes around the page cache when it can (not on tmpfs): no
     * copy into it, and the disk writes while the threads decode rather
     * than all at the final fsync. */
    if (!g_getenv("CAIRN_BACKUP_NO_DIRECT"))
        w->direct_fd = open(path, O_WRONLY | O_DIRECT | O_CLOEXEC);
    return g_steal_pointer(&w);
}


static bool
cbWriterPwrite(cbWriter *w, int fd, guint64 offset, const char *p, gsize len, GError **error)
{
    while (len > 0) {
        ssize_t n = pwrite(fd, p, len, offset);

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


/* True if the @len bytes at @p are all zero. */
static bool
cbIsZero(const guint8 *p, gsize len)
{
    gsize i;

    /* Word-wise: most blocks differ from zero in their first bytes. */
    for (i = 0; i + sizeof(guint64) <= len; i += sizeof(guint64)) {
        guint64 v;

        memcpy(&v, p + i, sizeof(v));
        if (v)
            return false;
    }
    for (; i < len; i++) {
        if (p[i])
            return false;
    }
    return true;
}


bool
cbWriterWriteData(
    cbWriter *w, guint thread, guint64 offset, const void *data, gsize len, GError **error)
{
    const guint8 *p = data;
    gsize pos = 0;

    /* Runs of blocks holding data, each in one pwrite; zero blocks are
     * skipped (the file was sized sparse, so they read as zeros). */
    while (pos < len) {
        gsize start;

        while (pos < len && cbIsZero(p + pos, MIN(CB_WRITER_BLOCK, len - pos)))
            pos += MIN(CB_WRITER_BLOCK, len - pos);
        start = pos;
        while (pos < len && !cbIsZero(p + pos, MIN(CB_WRITER_BLOCK, len - pos)))
            pos += MIN(CB_WRITER_BLOCK, len - pos);
        if (pos > start && !cbWriterWrite(w, thread, offset + start, p + start, pos - start, error))
            return false;
    }
    return true;
}


bool
cbWriterWrite(
    cbWriter *w, guint thread, guint64 offset, const void *data, gsize len, GError **error)
{
    const char *p = data;
    gsize direct = len & ~(gsize)(CB_WRITER_ALIGN - 1);

    if (w->direct_fd >= 0 && direct && !(offset % CB_WRITER_ALIGN) &&
        !((guintptr)p % CB_WRITER_ALIGN)) {
        ssize_t n = pwrite(w->direct_fd, p, direct, offset);

        if (n == (ssize_t)direct) {
            p += n;
            offset += n;
            len -= n;
        } else if (n < 0 && errno != EINVAL) {
            cbSetErrno(error, errno,
                       "cannot write %zu bytes at offset %" G_GUINT64_FORMAT " of '%s'", len,
                       offset, w->path);
            return false;
        }
        /* Short, or EINVAL (a filesystem that wants other alignment):
         * the rest through the page cache. */
        else if (n > 0) {
            p += n;
            offset += n;
            len -= n;
        }
    }
    return cbWriterPwrite(w, w->fd, offset, p, len, error);
}


bool
cbWriterFinish(cbWriter *w, GError **error)
{
    int fd = w->fd;

    if (w->direct_fd >= 0)
        close(w->direct_fd);
    w->direct_fd = -1;
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
    if (w->direct_fd >= 0)
        close(w->direct_fd);
    if (!w->finished)
        g_unlink(w->path);
    g_free(w->path);
    g_free(w);
}
