/*
 * sshtestutils.c: a private sshd for tests (see sshtestutils.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <gio/gio.h>

#include "daemontestutils.h"
#include "sshtestutils.h"

#define SSHD_PATH "/usr/sbin/sshd"


static bool
sshTestRun(const char *const *argv)
{
    g_autoptr(GError) err = NULL;
    int status = 0;

    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                      NULL, NULL, NULL, NULL, &status, &err) ||
        !g_spawn_check_wait_status(status, &err)) {
        fprintf(stderr, "%s: %s\n", argv[0], err->message);
        return false;
    }
    return true;
}


/* A port nobody listens on now (the kernel's pick). */
static int
sshTestFreePort(void)
{
    g_autoptr(GSocket) sock = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, 0, NULL);
    g_autoptr(GInetAddress) lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
    g_autoptr(GSocketAddress) addr = g_inet_socket_address_new(lo, 0);
    g_autoptr(GSocketAddress) bound = NULL;

    g_assert_nonnull(sock);
    g_assert_true(g_socket_bind(sock, addr, FALSE, NULL));
    bound = g_socket_get_local_address(sock, NULL);
    return g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
}


static bool
sshTestListens(int port)
{
    g_autoptr(GSocketClient) client = g_socket_client_new();
    g_autoptr(GSocketConnection) conn = NULL;

    conn = g_socket_client_connect_to_host(client, "127.0.0.1", (guint16)port, NULL, NULL);
    return conn != NULL;
}


static void
sshTestChildSetup(gpointer opaque)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
}


static bool
sshTestWriteConfig(sshTest *s, const char *config)
{
    const char *helper_dir = g_getenv("CAIRN_SSH_HELPER_DIR");
    const char *cairnd = g_getenv("CAIRND");
    g_autofree char *text = NULL;

    g_assert_nonnull(helper_dir);
    text = g_strdup_printf("Port %d\n"
                           "ListenAddress 127.0.0.1\n"
                           "HostKey %s/host_key\n"
                           "PidFile none\n"
                           "AuthorizedKeysFile %s/authorized_keys\n"
                           "PermitRootLogin prohibit-password\n"
                           "PubkeyAuthentication yes\n"
                           "PasswordAuthentication no\n"
                           "KbdInteractiveAuthentication no\n"
                           "UsePAM no\n"
                           "StrictModes no\n"
                           "AllowStreamLocalForwarding yes\n"
                           "MaxStartups 100\n"
                           "MaxSessions 100\n"
                           "SetEnv PATH=%s:/usr/sbin:/usr/bin:/sbin:/bin CAIRND_PATH=%s "
                           "XDG_RUNTIME_DIR=%s/run XDG_DATA_HOME=%s/data "
                           "XDG_CACHE_HOME=%s/cache\n",
                           s->port, s->dir, s->dir, helper_dir, cairnd ? cairnd : "cairnd", s->dir,
                           s->dir, s->dir);
    return g_file_set_contents(config, text, -1, NULL);
}


bool
sshTestStart(sshTest *s)
{
    g_autofree char *config = NULL;
    g_autofree char *host_key = NULL;
    g_autofree char *pub = NULL;
    g_autofree char *host_pub = NULL;
    g_autofree char *line = NULL;
    g_autofree char *authorized = NULL;
    g_autofree char *script = NULL;
    g_autoptr(GError) err = NULL;
    int logfd;

    if (access(SSHD_PATH, X_OK) < 0) {
        fprintf(stderr, "SKIP: %s is missing (Debian package openssh-server)\n", SSHD_PATH);
        return false;
    }
    if (geteuid() != 0 && access("/run/sshd", F_OK) < 0) {
        fprintf(stderr, "SKIP: sshd needs root (for a private /run/sshd) or /run/sshd\n");
        return false;
    }
    s->dir = g_build_filename(daemonTestDir(), "ssh", NULL);
    g_assert_cmpint(g_mkdir_with_parents(s->dir, 0700), ==, 0);
    {
        g_autofree char *run = g_build_filename(s->dir, "run", NULL);

        g_assert_cmpint(g_mkdir_with_parents(run, 0700), ==, 0);
    }
    s->key = g_build_filename(s->dir, "client_key", NULL);
    s->known_hosts = g_build_filename(s->dir, "known_hosts", NULL);
    s->log = g_build_filename(s->dir, "sshd.log", NULL);
    host_key = g_build_filename(s->dir, "host_key", NULL);
    config = g_build_filename(s->dir, "sshd_config", NULL);
    authorized = g_build_filename(s->dir, "authorized_keys", NULL);
    {
        const char *hk[] = { "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", host_key, NULL };
        const char *ck[] = { "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", s->key, NULL };

        if (!sshTestRun(hk) || !sshTestRun(ck))
            return false;
    }
    {
        g_autofree char *pub_path = g_strdup_printf("%s.pub", s->key);
        g_autofree char *host_pub_path = g_strdup_printf("%s.pub", host_key);

        g_assert_true(g_file_get_contents(pub_path, &pub, NULL, NULL));
        g_assert_true(g_file_get_contents(host_pub_path, &host_pub, NULL, NULL));
    }
    g_assert_true(g_file_set_contents(authorized, pub, -1, NULL));
    s->port = sshTestFreePort();
    line = g_strdup_printf("[127.0.0.1]:%d %s", s->port, host_pub);
    g_assert_true(g_file_set_contents(s->known_hosts, line, -1, NULL));
    g_assert_true(sshTestWriteConfig(s, config));

    /* -D: no fork; -e: log to stderr. As root, /run/sshd in a private
     * mount namespace, on a tmpfs nobody else sees. */
    if (geteuid() == 0)
        script = g_strdup_printf("mount -t tmpfs cairn-test /run && mkdir -m 755 /run/sshd && "
                                 "exec %s -D -e -f '%s'",
                                 SSHD_PATH, config);
    else
        script = g_strdup_printf("exec %s -D -e -f '%s'", SSHD_PATH, config);
    {
        const char *argv_root[] = { "unshare", "--mount", "--propagation", "private",
                                    "sh",      "-c",      script,          NULL };
        const char *argv_user[] = { "sh", "-c", script, NULL };

        logfd = open(s->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        g_assert_cmpint(logfd, >=, 0);
        if (!g_spawn_async_with_fds(NULL, (char **)(geteuid() == 0 ? argv_root : argv_user), NULL,
                                    G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD,
                                    sshTestChildSetup, NULL, &s->pid, -1, logfd, logfd, &err)) {
            close(logfd);
            fprintf(stderr, "SKIP: cannot start sshd: %s\n", err->message);
            return false;
        }
        close(logfd);
    }
    daemonTestWatchPid(s->pid);
    for (int i = 0; i < 1000; i++) {
        if (sshTestListens(s->port))
            return true;
        if (waitpid(s->pid, NULL, WNOHANG) == s->pid) {
            g_autofree char *text = NULL;

            daemonTestUnwatchPid(s->pid);
            s->pid = 0;
            g_file_get_contents(s->log, &text, NULL, NULL);
            fprintf(stderr, "SKIP: sshd exited at start:\n%s\n", text ? text : "");
            return false;
        }
        g_usleep(10000);
    }
    g_error("sshd did not listen on port %d within 10 s", s->port);
}


char *
sshTestURI(const sshTest *s, const char *driver, const char *path, const char *socket)
{
    g_autofree char *key = g_uri_escape_string(s->key, "/", FALSE);
    g_autofree char *kh = g_uri_escape_string(s->known_hosts, "/", FALSE);
    g_autofree char *sock = socket ? g_uri_escape_string(socket, "/", FALSE) : NULL;

    return g_strdup_printf("%s+ssh://root@127.0.0.1:%d%s?%s%s%skeyfile=%s&known_hosts=%s", driver,
                           s->port, path, sock ? "socket=" : "", sock ? sock : "", sock ? "&" : "",
                           key, kh);
}


GStrv
sshTestArgs(const sshTest *s)
{
    g_autofree char *port = g_strdup_printf("%d", s->port);
    g_autofree char *kh = g_strdup_printf("UserKnownHostsFile=%s", s->known_hosts);
    const char *args[] = { "-p", port, "-i", s->key, "-o", kh, "-o", "BatchMode=yes", NULL };

    return g_strdupv((char **)args);
}


void
sshTestClear(sshTest *s)
{
    if (s->pid > 0) {
        kill(s->pid, SIGTERM);
        waitpid(s->pid, NULL, 0);
        daemonTestUnwatchPid(s->pid);
        s->pid = 0;
    }
    g_clear_pointer(&s->dir, g_free);
    g_clear_pointer(&s->key, g_free);
    g_clear_pointer(&s->known_hosts, g_free);
    g_clear_pointer(&s->log, g_free);
}
