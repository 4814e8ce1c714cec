/*
 * remote_ssh.c: the ssh transport of the remote driver (see remote_ssh.h).
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cairn/cairn-error.h"
#include "remote_ssh.h"
#include "util/cairnerror.h"

/* The most of ssh's stderr kept for an error message. */
#define REMOTE_SSH_STDERR_MAX 2048

/* The program run on the far side, found in its PATH (as libvirt runs
 * virt-ssh-helper). */
#define REMOTE_SSH_HELPER "cairn-ssh-helper"

struct _remoteSSH {
    remoteSSHTarget target; /* a copy, for the forwards */
    char *dir;              /* private: the control socket, forwards' lists */
    char *control;          /* DIR/ctl: ssh's ControlPath, for -O forward */
    GPtrArray *forwards;    /* local sockets made by remoteSSHForward() */
    GMutex lock;            /* serializes remoteSSHForward() */
    GPid pid;
    GIOStream *stream; /* our end of ssh's stdin/stdout */
    int err_fd;        /* ssh's stderr: an anonymous file, never full */
};


void
remoteSSHTargetClear(remoteSSHTarget *t)
{
    g_free(t->host);
    g_free(t->user);
    g_free(t->keyfile);
    g_free(t->known_hosts);
    g_free(t->command);
    g_free(t->socket);
    g_free(t->daemon_uri);
}


GStrv
remoteSSHArgv(const remoteSSHTarget *t, const char *const *remote_argv)
{
    g_autoptr(GStrvBuilder) b = g_strv_builder_new();
    g_autoptr(GString) remote = g_string_new(NULL);

    g_strv_builder_add(b, t->command ? t->command : "ssh");
    if (t->port > 0) {
        g_autofree char *port = g_strdup_printf("%d", t->port);

        g_strv_builder_add_many(b, "-p", port, NULL);
    }
    if (t->user)
        g_strv_builder_add_many(b, "-l", t->user, NULL);
    if (t->keyfile)
        g_strv_builder_add_many(b, "-i", t->keyfile, NULL);
    /* No terminal and no escape character: the channel carries binary. */
    g_strv_builder_add_many(b, "-T", "-e", "none", NULL);
    if (t->no_verify)
        g_strv_builder_add_many(b, "-o", "StrictHostKeyChecking=no", NULL);
    if (t->known_hosts) {
        g_autofree char *opt = g_strdup_printf("UserKnownHostsFile=%s", t->known_hosts);

        g_strv_builder_add_many(b, "-o", opt, NULL);
    }
    g_strv_builder_add_many(b, "--", t->host, NULL);
    /* ssh hands the far side one command line, which its shell splits. */
    for (size_t i = 0; remote_argv[i]; i++) {
        g_autofree char *quoted = g_shell_quote(remote_argv[i]);

        if (i > 0)
            g_string_append_c(remote, ' ');
        g_string_append(remote, quoted);
    }
    g_strv_builder_add(b, remote->str);
    return g_strv_builder_end(b);
}


/* The helper's command line for @t; the ssh process is also the master
 * of @control, so that forwards share its connection. */
static GStrv
remoteSSHHelperArgv(const remoteSSHTarget *t, const char *control)
{
    g_autoptr(GStrvBuilder) b = g_strv_builder_new();
    g_autoptr(GStrvBuilder) all = g_strv_builder_new();
    g_autofree char *path = g_strdup_printf("ControlPath=%s", control);
    g_auto(GStrv) remote = NULL;
    g_auto(GStrv) argv = NULL;

    g_strv_builder_add(b, REMOTE_SSH_HELPER);
    if (t->socket)
        g_strv_builder_add_many(b, "--socket", t->socket, NULL);
    g_strv_builder_add(b, t->daemon_uri);
    remote = g_strv_builder_end(b);
    argv = remoteSSHArgv(t, (const char *const *)remote);
    g_strv_builder_add(all, argv[0]);
    g_strv_builder_add_many(all, "-o", "ControlMaster=yes", "-o", path, NULL);
    g_strv_builder_addv(all, (const char **)argv + 1);
    return g_strv_builder_end(all);
}


static void
remoteSSHTargetCopy(remoteSSHTarget *dst, const remoteSSHTarget *src)
{
    dst->host = g_strdup(src->host);
    dst->user = g_strdup(src->user);
    dst->port = src->port;
    dst->keyfile = g_strdup(src->keyfile);
    dst->known_hosts = g_strdup(src->known_hosts);
    dst->no_verify = src->no_verify;
    dst->command = g_strdup(src->command);
    dst->socket = g_strdup(src->socket);
    dst->daemon_uri = g_strdup(src->daemon_uri);
}


/* An anonymous file for ssh's stderr (a pipe could fill up and stop ssh). */
static int
remoteSSHStderrFile(GError **error)
{
    g_autofree char *name = NULL;
    g_autoptr(GError) err = NULL;
    int fd;

    if ((fd = g_file_open_tmp("cairn-ssh-XXXXXX", &name, &err)) < 0) {
        cairnErrorSet(error, CAIRN_FROM_RPC, CAIRN_ERR_NO_CONNECT,
                      "cannot create a file for ssh's stderr: %s", err->message);
        return -1;
    }
    unlink(name);
    if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
        cairnErrorSetErrno(error, CAIRN_FROM_RPC, errno, "cannot set close-on-exec");
        close(fd);
        return -1;
    }
    return fd;
}


remoteSSH *
remoteSSHOpen(const remoteSSHTarget *t, GError **error)
{
    g_auto(GStrv) argv = NULL;
    g_autoptr(remoteSSH) ssh = g_new0(remoteSSH, 1);
    g_autoptr(GError) err = NULL;
    g_autoptr(GSocket) sock = NULL;
    int sv[2];
    bool ok;

    ssh->err_fd = -1;
    g_mutex_init(&ssh->lock);
    ssh->forwards = g_ptr_array_new_with_free_func(g_free);
    remoteSSHTargetCopy(&ssh->target, t);
    if (!(ssh->dir = g_dir_make_tmp("cairn-ssh-XXXXXX", &err))) {
        cairnErrorSet(error, CAIRN_FROM_RPC, CAIRN_ERR_NO_CONNECT,
                      "cannot make a directory for ssh: %s", err->message);
        return NULL;
    }
    ssh->control = g_build_filename(ssh->dir, "ctl", NULL);
    argv = remoteSSHHelperArgv(t, ssh->control);
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        cairnErrorSetErrno(error, CAIRN_FROM_RPC, errno, "cannot create a socket pair for ssh");
        return NULL;
    }
    if ((ssh->err_fd = remoteSSHStderrFile(error)) < 0) {
        close(sv[0]);
        close(sv[1]);
        return NULL;
    }
    ok = g_spawn_async_with_fds(NULL, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD,
                                NULL, NULL, &ssh->pid, sv[1], sv[1], ssh->err_fd, &err);
    close(sv[1]);
    if (!ok) {
        cairnErrorSet(error, CAIRN_FROM_RPC, CAIRN_ERR_NO_CONNECT, "cannot run '%s': %s", argv[0],
                      err->message);
        close(sv[0]);
        return NULL;
    }
    g_debug("ssh to %s runs as pid %d", t->host, (int)ssh->pid);
    if (!(sock = g_socket_new_from_fd(sv[0], &err))) {
        cairnErrorSet(error, CAIRN_FROM_RPC, CAIRN_ERR_NO_CONNECT, "ssh socket: %s", err->message);
        close(sv[0]);
        return NULL;
    }
    ssh->stream = G_IO_STREAM(g_socket_connection_factory_create_connection(sock));
    return g_steal_pointer(&ssh);
}


GIOStream *
remoteSSHStream(remoteSSH *ssh)
{
    return ssh->stream;
}


char *
remoteSSHStderr(remoteSSH *ssh)
{
    char buf[REMOTE_SSH_STDERR_MAX + 1];
    ssize_t n = pread(ssh->err_fd, buf, REMOTE_SSH_STDERR_MAX, 0);

    buf[n > 0 ? n : 0] = '\0';
    return g_strstrip(g_strdup(buf));
}


void
remoteSSHFree(remoteSSH *ssh)
{
    if (!ssh)
        return;
    if (ssh->stream) {
        g_io_stream_close(ssh->stream, NULL, NULL);
        g_object_unref(ssh->stream);
    }
    if (ssh->pid > 0) {
        int status;
        bool reaped = false;

        /* Its stdin is closed: ssh ends the session and exits; a stuck
         * one is killed. */
        for (int ms = 0; ms < 2000 && !(reaped = waitpid(ssh->pid, &status, WNOHANG) != 0); ms += 5)
            g_usleep(5000);
        if (!reaped) {
            kill(ssh->pid, SIGKILL);
            waitpid(ssh->pid, &status, 0);
        }
    }
    if (ssh->err_fd >= 0)
        close(ssh->err_fd);
    for (guint i = 0; ssh->forwards && i < ssh->forwards->len; i++)
        unlink(g_ptr_array_index(ssh->forwards, i));
    g_clear_pointer(&ssh->forwards, g_ptr_array_unref);
    if (ssh->control)
        unlink(ssh->control);
    if (ssh->dir)
        rmdir(ssh->dir);
    g_free(ssh->control);
    g_free(ssh->dir);
    remoteSSHTargetClear(&ssh->target);
    g_mutex_clear(&ssh->lock);
    g_free(ssh);
}


bool
remoteSSHForward(remoteSSH *ssh,
                 const char *remote_socket,
                 const char *local_socket,
                 GError **error)
{
    g_autofree char *spec = g_strdup_printf("%s:%s", local_socket, remote_socket);
    g_autoptr(GStrvBuilder) b = g_strv_builder_new();
    g_autofree char *out = NULL;
    g_autoptr(GError) err = NULL;
    g_auto(GStrv) argv = NULL;
    int status = 0;
    bool ok;

    /* The master answers -O commands on its control socket: the forward
     * rides the connection the calls take, with no new login. */
    g_strv_builder_add_many(b, ssh->target.command ? ssh->target.command : "ssh", "-S",
                            ssh->control, "-O", "forward", "-L", spec, NULL);
    if (ssh->target.user)
        g_strv_builder_add_many(b, "-l", ssh->target.user, NULL);
    g_strv_builder_add_many(b, "--", ssh->target.host, NULL);
    argv = g_strv_builder_end(b);
    g_mutex_lock(&ssh->lock);
    ok = g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL,
                      NULL, NULL, &out, &status, &err) &&
         g_spawn_check_wait_status(status, &err);
    if (ok)
        g_ptr_array_add(ssh->forwards, g_strdup(local_socket));
    g_mutex_unlock(&ssh->lock);
    if (!ok) {
        cairnErrorSet(error, CAIRN_FROM_RPC, CAIRN_ERR_OPERATION_FAILED,
                      "cannot forward '%s' to '%s' over ssh: %s", local_socket, remote_socket,
                      out && *g_strstrip(out) ? out : err->message);
        return false;
    }
    return true;
}
