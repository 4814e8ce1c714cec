/*
 * cairn-backup-qcow2.c: restore one disk to a qcow2 file
 * (cairn-backup-qcow2.h).
 *
 * Our nbdkit plugin serves the disk on one end of a socket pair (nbdkit
 * -s: the connection is its stdin/stdout) and `qemu-img convert` reads
 * the other end (an NBD client on an inherited file descriptor) and
 * writes the qcow2: QEMU's own code writes the format, the plugin's
 * threads decode and verify the chunks in parallel (its shared chunk
 * cache decodes each once although qemu-img reads 2 MiB at a time), and
 * its block status lets qemu-img skip the zero chunks, which stay
 * unallocated. No temporary raw copy is written: measured against the
 * raw temporary file converted afterwards, 1.8-3x faster on a loaded
 * machine (bench/README.md). A damaged or missing chunk fails the read
 * with EIO; nbdkit's log (a private unlinked file) names the chunk, and
 * that is the error reported. Both helpers die with us (--exit-with-parent,
 * PR_SET_PDEATHSIG); the caller removes the file on any failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "cairn-backup-qcow2.h"
#include "cairn-backup-serve.h"

/* qemu-img's parallel requests (-m): enough to keep every core decoding. */
#define CB_QCOW2_REQUESTS "16"


static void
cbQcow2ChildSetup(gpointer opaque G_GNUC_UNUSED)
{
    prctl(PR_SET_PDEATHSIG, SIGTERM);
}


/* nbdkit serving disk @disk of snapshot @id on its stdin/stdout. */
static char **
cbQcow2ServerArgv(
    const cbOptions *opts, const char *repo, const char *id, const char *disk, GError **error)
{
    g_auto(GStrv) serve = NULL;
    g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
    guint i;

    /* Any socket path: "--unix PATH" is replaced by -s below. */
    if (!(serve = cbServeArgv(opts, repo, id, disk, "-", NULL, error)))
        return NULL;
    for (i = 0; serve[i]; i++) {
        if (g_str_equal(serve[i], "--foreground"))
            continue;
        if (g_str_equal(serve[i], "--unix")) {
            g_ptr_array_add(argv, g_strdup("-s"));
            g_ptr_array_add(argv, g_strdup("--exit-with-parent"));
            i++;
            continue;
        }
        g_ptr_array_add(argv, g_strdup(serve[i]));
    }
    g_ptr_array_add(argv, NULL);
    return (char **)g_ptr_array_free(g_steal_pointer(&argv), false);
}


/* The first error nbdkit logged in @fd ("chunk ...: digest mismatch"),
 * or NULL. */
static char *
cbQcow2ServerError(int fd)
{
    g_autoptr(GString) log = g_string_new(NULL);
    char buf[1024];
    ssize_t n;
    char *line;
    char *end;

    if (lseek(fd, 0, SEEK_SET) < 0)
        return NULL;
    while (log->len < 65536 && (n = read(fd, buf, sizeof(buf))) > 0)
        g_string_append_len(log, buf, n);
    if (!(line = strstr(log->str, "error: ")))
        return NULL;
    line += strlen("error: ");
    if ((end = strchr(line, '\n')))
        *end = '\0';
    return g_strdup(line);
}


/* Read qemu-img's merged output: progress "(12.34/100%)" updates
 * @progress (of @total bytes; *@done so far); everything else is
 * returned. */
static char *
cbQcow2Output(GSubprocess *proc, cbProgressDisk *progress, guint64 total, guint64 *done)
{
    GInputStream *out = g_subprocess_get_stdout_pipe(proc);
    g_autoptr(GString) text = g_string_new(NULL);
    g_autoptr(GString) line = g_string_new(NULL);
    char buf[1024];
    gssize n;

    while ((n = g_input_stream_read(out, buf, sizeof(buf), NULL, NULL)) > 0) {
        for (gssize i = 0; i < n; i++) {
            double pct;
            guint64 now;

            if (buf[i] != '\r' && buf[i] != '\n') {
                g_string_append_c(line, buf[i]);
                continue;
            }
            if (sscanf(line->str, " (%lf/100%%)", &pct) == 1) {
                now = (guint64)(CLAMP(pct, 0, 100) / 100 * (double)total);
                if (now > *done) {
                    cbProgressDiskAdd(progress, now - *done);
                    *done = now;
                }
            } else if (line->len) {
                g_string_append_printf(text, "%s%s", text->len ? "; " : "", line->str);
            }
            g_string_truncate(line, 0);
        }
    }
    if (line->len)
        g_string_append_printf(text, "%s%s", text->len ? "; " : "", line->str);
    return g_string_free(g_steal_pointer(&text), false);
}


static bool
cbQcow2Sync(const char *path, GError **error)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0 || fsync(fd) < 0) {
        cbSetErrno(error, errno, "cannot flush '%s'", path);
        if (fd >= 0)
            close(fd);
        return false;
    }
    close(fd);
    return true;
}


bool
cbQcow2Restore(const cbOptions *opts,
               const char *repo,
               const char *id,
               const char *disk,
               guint64 size,
               const char *path,
               cbProgressDisk *progress,
               GError **error)
{
    g_auto(GStrv) server_argv = NULL;
    g_autoptr(GSubprocessLauncher) sl = NULL;
    g_autoptr(GSubprocessLauncher) ql = NULL;
    g_autoptr(GSubprocess) server = NULL;
    g_autoptr(GSubprocess) qemu = NULL;
    g_autofree char *log_path = NULL;
    g_autofree char *output = NULL;
    g_autofree char *server_error = NULL;
    const char *source = "json:{\"driver\": \"raw\", \"file\": {\"driver\": \"nbd\", "
                         "\"server\": {\"type\": \"fd\", \"str\": \"3\"}}}";
    const char *qemu_argv[] = { "qemu-img", "convert", "-p",   "-W", "-m", CB_QCOW2_REQUESTS,
                                "-O",       "qcow2",   source, path, NULL };
    guint64 done = 0;
    int sv[2];
    int log_fd;
    bool ok;

    if (!(server_argv = cbQcow2ServerArgv(opts, repo, id, disk, error)))
        return false;
    if ((log_fd = g_file_open_tmp("cairn-backup-nbdkit-XXXXXX.log", &log_path, error)) < 0)
        return false;
    g_unlink(log_path);
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        cbSetErrno(error, errno, "cannot make a socket pair");
        close(log_fd);
        return false;
    }

    /* The launchers own the descriptors from here. */
    sl = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_NONE);
    g_subprocess_launcher_take_stdin_fd(sl, sv[0]);
    g_subprocess_launcher_take_stdout_fd(sl, dup(sv[0]));
    g_subprocess_launcher_take_stderr_fd(sl, dup(log_fd));
    g_subprocess_launcher_set_child_setup(sl, cbQcow2ChildSetup, NULL, NULL);
    ql =
        g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE);
    g_subprocess_launcher_take_fd(ql, sv[1], 3);
    g_subprocess_launcher_set_child_setup(ql, cbQcow2ChildSetup, NULL, NULL);

    server = g_subprocess_launcher_spawnv(sl, (const char *const *)server_argv, error);
    g_subprocess_launcher_close(sl);
    if (!server) {
        g_subprocess_launcher_close(ql);
        close(log_fd);
        return false;
    }
    qemu = g_subprocess_launcher_spawnv(ql, qemu_argv, error);
    g_subprocess_launcher_close(ql);
    if (!qemu) {
        g_subprocess_force_exit(server);
        g_subprocess_wait(server, NULL, NULL);
        close(log_fd);
        return false;
    }
    cbCrashPoint("restoring");
    output = cbQcow2Output(qemu, progress, size, &done);
    g_subprocess_wait(qemu, NULL, NULL);
    ok = g_subprocess_get_successful(qemu);
    /* qemu-img closed its end: nbdkit sees the end of its connection. */
    g_subprocess_wait(server, NULL, NULL);
    server_error = cbQcow2ServerError(log_fd);
    close(log_fd);
    if (!ok) {
        if (server_error)
            cbSetError(error, "%s", server_error);
        else
            cbSetError(error, "qemu-img convert failed: %s", output);
        return false;
    }
    if (!cbQcow2Sync(path, error))
        return false;
    if (done < size)
        cbProgressDiskAdd(progress, size - done);
    return true;
}
