/*
 * cairn-backup-mount.c: `cairn-backup mount` and `umount`: one disk of a
 * snapshot as a read-only file MOUNTPOINT/DISK (a raw image), through
 * nbdfuse (FUSE, no root needed) talking to nbdkit with our plugin over
 * a socketpair. Partitions and filesystems inside that image are the
 * kernel's business and need root (loop device + mount -o ro); the man
 * page says how.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "cairn-backup-mount.h"
#include "cairn-backup-serve.h"

/* How long mount waits for nbdfuse to be ready. */
#define CB_MOUNT_TIMEOUT_MS 30000


/* The nbdfuse command line: nbdfuse -r -P PIDFILE MP/DISK --command
 * nbdkit -s --readonly PLUGIN repo=... (the serve command line with the
 * socket options replaced by -s). */
static char **
mountArgv(const cbOptions *opts,
          const char *path,
          const char *id,
          const char *disk,
          const char *mountpoint,
          const char *pidfile,
          GError **error)
{
    g_auto(GStrv) serve = NULL;
    g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
    guint i;

    /* Any socket path: its two words are replaced below. */
    if (!(serve = cbServeArgv(opts, path, id, disk, "-", NULL, error)))
        return NULL;
    g_ptr_array_add(argv, g_strdup("nbdfuse"));
    g_ptr_array_add(argv, g_strdup("-r"));
    g_ptr_array_add(argv, g_strdup("-P"));
    g_ptr_array_add(argv, g_strdup(pidfile));
    g_ptr_array_add(argv, g_build_filename(mountpoint, disk, NULL));
    g_ptr_array_add(argv, g_strdup("--command"));
    for (i = 0; serve[i]; i++) {
        if (g_str_equal(serve[i], "--foreground"))
            continue;
        if (g_str_equal(serve[i], "--unix")) {
            g_ptr_array_add(argv, g_strdup("-s"));
            i++;
            continue;
        }
        g_ptr_array_add(argv, g_strdup(serve[i]));
    }
    g_ptr_array_add(argv, NULL);
    return (char **)g_ptr_array_free(g_steal_pointer(&argv), false);
}


static void
mountChildSetup(gpointer data G_GNUC_UNUSED)
{
    /* Outlive the terminal and the shell that ran mount. */
    setsid();
}


/* Wait until nbdfuse wrote @pidfile (it is serving) or died. */
static bool
mountWait(GPid pid, const char *pidfile, const char *log, GError **error)
{
    gint64 deadline = g_get_monotonic_time() + CB_MOUNT_TIMEOUT_MS * 1000;
    int status;

    while (g_get_monotonic_time() < deadline) {
        g_autofree char *text = NULL;

        if (g_file_get_contents(pidfile, &text, NULL, NULL) && *text)
            return true;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            g_autofree char *msg = NULL;

            g_file_get_contents(log, &msg, NULL, NULL);
            cbSetError(error, "nbdfuse failed: %s", msg && *msg ? g_strstrip(msg) : "no message");
            return false;
        }
        g_usleep(20 * 1000);
    }
    kill(pid, SIGTERM);
    cbSetError(error, "nbdfuse not ready after %d s", CB_MOUNT_TIMEOUT_MS / 1000);
    return false;
}


bool
cbCmdMount(const cbOptions *opts, GError **error)
{
    const char *path = opts->args[0];
    const char *id = opts->args[1];
    const char *mountpoint = opts->args[2];
    const char *disk = opts->disks ? opts->disks : "vda";
    g_autofree char *tmp = NULL;
    g_autofree char *pidfile = NULL;
    g_autofree char *log = NULL;
    g_auto(GStrv) argv = NULL;
    GPid pid;
    int logfd;
    bool ok;

    if (strchr(disk, ',')) {
        g_set_error(error, CB_ERROR, CB_ERROR_USAGE, "mount shows one disk, not '%s'", disk);
        return false;
    }
    if (!g_file_test(mountpoint, G_FILE_TEST_IS_DIR)) {
        cbSetError(error, "mount point '%s' is not a directory", mountpoint);
        return false;
    }
    if (!cbServeCheck(path, opts->key, id, disk, error))
        return false;
    if (!(tmp = g_dir_make_tmp("cairn-backup-mount-XXXXXX", NULL))) {
        cbSetErrno(error, errno, "cannot make a temporary directory");
        return false;
    }
    pidfile = g_build_filename(tmp, "pid", NULL);
    log = g_build_filename(tmp, "log", NULL);
    if (!(argv = mountArgv(opts, path, id, disk, mountpoint, pidfile, error)))
        return false;
    if ((logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0) {
        cbSetErrno(error, errno, "cannot create '%s'", log);
        return false;
    }
    {
        g_autoptr(GError) spawn_error = NULL;
        ok = g_spawn_async_with_pipes_and_fds(NULL, (const char *const *)argv, NULL,
                                              G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD |
                                                  G_SPAWN_STDIN_FROM_DEV_NULL,
                                              mountChildSetup, NULL, -1, logfd, logfd, NULL, NULL,
                                              0, &pid, NULL, NULL, NULL, &spawn_error);
        close(logfd);
        if (!ok) {
            cbSetError(error, "cannot run nbdfuse: %s", spawn_error->message);
            return false;
        }
    }
    ok = mountWait(pid, pidfile, log, error);
    g_unlink(pidfile);
    g_unlink(log);
    g_rmdir(tmp);
    g_spawn_close_pid(pid);
    if (!ok)
        return false;
    if (!opts->json)
        printf("%s/%s\n", mountpoint, disk);
    return true;
}


bool
cbCmdUmount(const cbOptions *opts, GError **error)
{
    const char *mountpoint = opts->args[0];
    const char *argv[] = { "fusermount3", "-u", mountpoint, NULL };
    g_autofree char *err = NULL;
    g_autoptr(GError) spawn_error = NULL;
    int status = 0;

    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                      NULL, NULL, NULL, &err, &status, &spawn_error)) {
        cbSetError(error, "cannot run fusermount3: %s", spawn_error->message);
        return false;
    }
    if (!g_spawn_check_wait_status(status, NULL)) {
        cbSetError(error, "cannot unmount '%s': %s", mountpoint,
                   err && *err ? g_strstrip(err) : "fusermount3 failed");
        return false;
    }
    return true;
}
