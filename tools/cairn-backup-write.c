/*
 * cairn-backup-write.c: raw and qcow2 image writers for restore
 * (cairn-backup-write.h).
 *
 * Why qemu-nbd for qcow2: writing the qcow2 format ourselves would be a
 * second implementation of it; converting a raw temporary copy costs a
 * second pass over the data; qemu-nbd writes the format with QEMU's own
 * code and takes several connections, so the chunks flow in parallel.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <libnbd.h>

#include "cairn-backup-write.h"
#include "cairn-backup-error.h"

#define CB_NBD_WAIT_US (10 * G_USEC_PER_SEC)

struct _cbWriter {
    char *path;
    bool qcow2;
    bool finished;
    int fd;                  /* raw */
    char *tmpdir;            /* qcow2: holds the socket */
    GSubprocess *server;     /* qcow2: qemu-nbd */
    struct nbd_handle **nbd; /* qcow2: one per thread */
    guint threads;
};


static bool
cbWriterRun(const char *const *argv, GError **error)
{
    g_autoptr(GSubprocess) proc = NULL;
    g_autofree char *err = NULL;

    if (!(proc = g_subprocess_newv(
              argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE, error)) ||
        !g_subprocess_communicate_utf8(proc, NULL, NULL, NULL, &err, error))
        return false;
    if (!g_subprocess_get_successful(proc)) {
        cbSetError(error, "%s failed: %s", argv[0], err ? g_strstrip(err) : "");
        return false;
    }
    return true;
}


/* In the child: qemu-nbd ends with us, even if we are killed with -9. */
static void
cbWriterChildSetup(gpointer opaque)
{
    prctl(PR_SET_PDEATHSIG, SIGTERM);
}


/* Socket directories of restores that were killed (their pid is gone). */
static void
cbWriterSweep(void)
{
    g_autoptr(GDir) dir = g_dir_open(g_get_tmp_dir(), 0, NULL);
    const char *name;

    while (dir && (name = g_dir_read_name(dir))) {
        const char *p;
        gint64 pid;
        g_autofree char *path = NULL;
        g_autofree char *socket = NULL;

        if (!g_str_has_prefix(name, "cairn-backup-restore-"))
            continue;
        p = name + strlen("cairn-backup-restore-");
        pid = g_ascii_strtoll(p, NULL, 10);
        if (pid <= 0 || kill(pid, 0) == 0 || errno != ESRCH)
            continue;
        path = g_build_filename(g_get_tmp_dir(), name, NULL);
        socket = g_build_filename(path, "nbd.sock", NULL);
        g_unlink(socket);
        g_rmdir(path);
    }
}


static bool
cbWriterStartServer(cbWriter *w, GError **error)
{
    g_autofree char *socket = NULL;
    g_autofree char *shared = g_strdup_printf("%u", w->threads);
    gint64 deadline = g_get_monotonic_time() + CB_NBD_WAIT_US;
    g_autofree char *tmpl = g_strdup_printf("cairn-backup-restore-%d-XXXXXX", (int)getpid());
    guint i;

    cbWriterSweep();
    if (!(w->tmpdir = g_dir_make_tmp(tmpl, NULL))) {
        cbSetErrno(error, errno, "cannot make a private directory in '%s'", g_get_tmp_dir());
        return false;
    }
    socket = g_build_filename(w->tmpdir, "nbd.sock", NULL);
    {
        const char *argv[] = { "qemu-nbd", "-f",   "qcow2",
                               "-k",       socket, "-e",
                               shared,     "-t",   "--cache=writeback",
                               w->path,    NULL };

        g_autoptr(GSubprocessLauncher) launcher =
            g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_SILENCE);

        g_subprocess_launcher_set_child_setup(launcher, cbWriterChildSetup, NULL, NULL);
        if (!(w->server = g_subprocess_launcher_spawnv(launcher, argv, error)))
            return false;
    }
    w->nbd = g_new0(struct nbd_handle *, w->threads);
    for (i = 0; i < w->threads; i++) {
        while (true) {
            if (!(w->nbd[i] = nbd_create())) {
                cbSetError(error, "cannot create an NBD handle: %s", nbd_get_error());
                return false;
            }
            if (nbd_connect_unix(w->nbd[i], socket) == 0)
                break;
            nbd_close(w->nbd[i]);
            w->nbd[i] = NULL;
            if (g_get_monotonic_time() > deadline || !g_subprocess_get_identifier(w->server)) {
                cbSetError(error, "qemu-nbd serving '%s' did not start", w->path);
                return false;
            }
            g_usleep(10 * 1000);
        }
    }
    return true;
}


cbWriter *
cbWriterOpen(const char *path, const char *format, guint64 size, guint threads, GError **error)
{
    g_autoptr(cbWriter) w = g_new0(cbWriter, 1);

    w->path = g_strdup(path);
    w->fd = -1;
    w->threads = MAX(threads, 1);
    w->qcow2 = g_str_equal(format, "qcow2");
    if (!w->qcow2) {
        if ((w->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0) {
            cbSetErrno(error, errno, "cannot create '%s'", path);
            w->finished = true; /* not ours to remove */
            return NULL;
        }
        if (ftruncate(w->fd, size) < 0) {
            cbSetErrno(error, errno, "cannot size '%s'", path);
            return NULL;
        }
        return g_steal_pointer(&w);
    }
    {
        g_autofree char *size_s = g_strdup_printf("%" G_GUINT64_FORMAT, size);
        const char *argv[] = { "qemu-img", "create", "-q", "-f", "qcow2", path, size_s, NULL };

        if (g_file_test(path, G_FILE_TEST_EXISTS)) {
            cbSetError(error, "'%s' exists", path);
            w->finished = true;
            return NULL;
        }
        if (!cbWriterRun(argv, error) || !cbWriterStartServer(w, error))
            return NULL;
    }
    return g_steal_pointer(&w);
}


bool
cbWriterWrite(
    cbWriter *w, guint thread, guint64 offset, const void *data, gsize len, GError **error)
{
    if (!w->qcow2) {
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
    if (nbd_pwrite(w->nbd[thread], data, len, offset, 0) < 0) {
        int err = nbd_get_errno();

        cbSetErrno(error, err ? err : EIO,
                   "cannot write %zu bytes at offset %" G_GUINT64_FORMAT " of '%s' (%s)", len,
                   offset, w->path, nbd_get_error());
        return false;
    }
    return true;
}


/* Stop qemu-nbd (it closes the image cleanly on SIGTERM) and wait. */
static bool
cbWriterStopServer(cbWriter *w, GError **error)
{
    guint i;

    for (i = 0; w->nbd && i < w->threads; i++) {
        if (w->nbd[i]) {
            nbd_shutdown(w->nbd[i], 0);
            nbd_close(w->nbd[i]);
            w->nbd[i] = NULL;
        }
    }
    if (!w->server)
        return true;
    g_subprocess_send_signal(w->server, SIGTERM);
    if (!g_subprocess_wait(w->server, NULL, error))
        return false;
    if (g_subprocess_get_if_exited(w->server) && g_subprocess_get_exit_status(w->server) != 0) {
        cbSetError(error, "qemu-nbd serving '%s' failed (exit status %d)", w->path,
                   g_subprocess_get_exit_status(w->server));
        return false;
    }
    return true;
}


bool
cbWriterFinish(cbWriter *w, GError **error)
{
    if (!w->qcow2) {
        if (fsync(w->fd) < 0) {
            cbSetErrno(error, errno, "cannot flush '%s'", w->path);
            return false;
        }
        if (close(w->fd) < 0) {
            w->fd = -1;
            cbSetErrno(error, errno, "cannot close '%s'", w->path);
            return false;
        }
        w->fd = -1;
        w->finished = true;
        return true;
    }
    for (guint i = 0; i < w->threads; i++) {
        if (nbd_flush(w->nbd[i], 0) < 0) {
            int err = nbd_get_errno();

            cbSetErrno(error, err ? err : EIO, "cannot flush '%s' (%s)", w->path, nbd_get_error());
            return false;
        }
    }
    if (!cbWriterStopServer(w, error))
        return false;
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
    cbWriterStopServer(w, NULL);
    if (!w->finished)
        g_unlink(w->path);
    if (w->tmpdir) {
        g_autofree char *socket = g_build_filename(w->tmpdir, "nbd.sock", NULL);

        g_unlink(socket);
        g_rmdir(w->tmpdir);
    }
    g_clear_object(&w->server);
    g_free(w->nbd);
    g_free(w->tmpdir);
    g_free(w->path);
    g_free(w);
}
