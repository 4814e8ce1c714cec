/*
 * cairnd.c: the daemon: options, the lock file, daemonizing, the main
 * loop, signals and the idle timeout.
 *
 * cairnd hosts one driver (the qemu driver with its state root, or with
 * --test the test driver) and serves it to the remote driver of other
 * processes over a unix socket (server.c). Each peer opens its own
 * connection to the hosted driver; the qemu driver keeps its truth in
 * files under the root, so all of them see the same domains, and QEMU
 * runs daemonized, so VMs outlive the daemon: a restarted cairnd
 * reattaches to them when it opens its own connection.
 */
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib-unix.h>
#include <libxml/parser.h>

#include "cairn/cairn.h"
#include "channel.h"
#include "client.h"
#include "dispatch.h"
#include "log.h"
#include "remote/remote_protocol.h"
#include "server.h"


/* Defaults: a session daemon started on demand leaves after 30 s idle. */
#define CAIRND_SESSION_TIMEOUT 30
#define CAIRND_MAX_CLIENTS 128
#define CAIRND_WORKERS 8
/* Unauthenticated peers: room for a burst of honest ones, half of
 * --max-clients. */
#define CAIRND_MAX_HANDSHAKES 64
#define CAIRND_HANDSHAKE_TIMEOUT 10
#define CAIRND_SHUTDOWN_TIMEOUT 30

typedef struct {
    gboolean session;
    gboolean system;
    gboolean test;
    gboolean daemonize;
    gboolean version;
    char *root;
    char *socket;
    char *log_level;
    gint timeout;
    gint max_clients;
    gint max_handshakes;
    gint handshake_timeout;
    gint shutdown_timeout;
    gint workers;
} cairndOptions;


static void
cairndOptionsClear(cairndOptions *opts)
{
    g_clear_pointer(&opts->root, g_free);
    g_clear_pointer(&opts->socket, g_free);
    g_clear_pointer(&opts->log_level, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(cairndOptions, cairndOptionsClear)


static bool
cairndParseOptions(int *argc, char ***argv, cairndOptions *opts, GError **error)
{
    const GOptionEntry entries[] = {
        { "session", 0, 0, G_OPTION_ARG_NONE, &opts->session,
          "per-user daemon (default for non-root)", NULL },
        { "system", 0, 0, G_OPTION_ARG_NONE, &opts->system, "system daemon (default for root)",
          NULL },
        { "test", 0, 0, G_OPTION_ARG_NONE, &opts->test, "serve test:///default (for tests)", NULL },
        { "root", 0, 0, G_OPTION_ARG_FILENAME, &opts->root, "state root of the qemu driver",
          "DIR" },
        { "socket", 0, 0, G_OPTION_ARG_FILENAME, &opts->socket, "listen on PATH", "PATH" },
        { "timeout", 't', 0, G_OPTION_ARG_INT, &opts->timeout, "exit after SECS idle (0: never)",
          "SECS" },
        { "max-clients", 0, 0, G_OPTION_ARG_INT, &opts->max_clients, "most peers at once", "N" },
        { "max-handshakes", 0, 0, G_OPTION_ARG_INT, &opts->max_handshakes,
          "most peers in their handshake at once", "N" },
        { "handshake-timeout", 0, 0, G_OPTION_ARG_INT, &opts->handshake_timeout,
          "drop a peer not authenticated after SECS", "SECS" },
        { "shutdown-timeout", 0, 0, G_OPTION_ARG_INT, &opts->shutdown_timeout,
          "on SIGTERM, wait SECS at most for the calls in flight", "SECS" },
        { "workers", 0, 0, G_OPTION_ARG_INT, &opts->workers, "most calls running at once", "N" },
        { "log-level", 0, 0, G_OPTION_ARG_STRING, &opts->log_level, "error, warning, info or debug",
          "LEVEL" },
        { "daemonize", 'd', 0, G_OPTION_ARG_NONE, &opts->daemonize, "detach once listening", NULL },
        { "version", 'V', 0, G_OPTION_ARG_NONE, &opts->version, "print the version", NULL },
        { NULL }
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("- the Cairn daemon");

    opts->timeout = -1;
    opts->max_clients = CAIRND_MAX_CLIENTS;
    opts->workers = CAIRND_WORKERS;
    opts->max_handshakes = CAIRND_MAX_HANDSHAKES;
    opts->handshake_timeout = CAIRND_HANDSHAKE_TIMEOUT;
    opts->shutdown_timeout = CAIRND_SHUTDOWN_TIMEOUT;
    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, argc, argv, error))
        return false;
    if (opts->session + opts->system + opts->test > 1 || opts->max_clients < 1 ||
        opts->workers < 1 || opts->max_handshakes < 1 || opts->handshake_timeout < 1 ||
        opts->shutdown_timeout < 0 || (opts->test && opts->root)) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    "use one of --session, --system, --test (--root not with --test); "
                    "--max-clients, --max-handshakes, --handshake-timeout and --workers "
                    "must be positive, --shutdown-timeout not negative");
        return false;
    }
    return true;
}


/* The mode, URIs, socket and limits of @daemon from @opts. */
static void
cairndConfigure(cairndDaemon *daemon, const cairndOptions *opts)
{
    g_autofree char *root = NULL;
    g_autofree char *escaped = NULL;

    if (opts->test)
        daemon->mode = CAIRND_MODE_TEST;
    else if (opts->system || (!opts->session && geteuid() == 0))
        daemon->mode = CAIRND_MODE_SYSTEM;
    else
        daemon->mode = CAIRND_MODE_SESSION;
    daemon->socket_path = opts->socket ? g_canonicalize_filename(opts->socket, NULL) :
                          daemon->mode == CAIRND_MODE_SYSTEM ? remoteSystemSocketPath() :
                                                               remoteSessionSocketPath();
    if (daemon->mode == CAIRND_MODE_TEST) {
        cairndDaemonServeTest(daemon);
    } else {
        root = opts->root                         ? g_canonicalize_filename(opts->root, NULL) :
               daemon->mode == CAIRND_MODE_SYSTEM ? g_strdup(CAIRN_REMOTE_SYSTEM_ROOT) :
                                                    remoteSessionRoot();
        escaped = g_uri_escape_string(root, "/", FALSE);
        daemon->serve_uri = g_strdup_printf("qemu:///embed?root=%s", escaped);
        daemon->public_uri =
            g_strdup(daemon->mode == CAIRND_MODE_SYSTEM ? "qemu:///system" : "qemu:///session");
    }
    if (opts->timeout >= 0)
        daemon->idle_timeout = (unsigned int)opts->timeout;
    else
        daemon->idle_timeout =
            daemon->mode == CAIRND_MODE_SESSION && opts->daemonize ? CAIRND_SESSION_TIMEOUT : 0;
    daemon->max_clients = (unsigned int)opts->max_clients;
    daemon->max_handshakes = (unsigned int)opts->max_handshakes;
    daemon->handshake_timeout = (unsigned int)opts->handshake_timeout;
    daemon->shutdown_timeout = (unsigned int)opts->shutdown_timeout;
    daemon->workers = (unsigned int)opts->workers;
}


/* Take <socket>.lock, so one daemon serves a socket; false with
 * @ret_busy set when another one holds it. */
static bool
cairndLock(cairndDaemon *daemon, bool *ret_busy, GError **error)
{
    g_autofree char *dir = g_path_get_dirname(daemon->socket_path);
    g_autofree char *path = g_strdup_printf("%s.lock", daemon->socket_path);
    g_autofree char *pid = g_strdup_printf("%d\n", (int)getpid());
    struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
    int fd;

    *ret_busy = false;
    if (g_mkdir_with_parents(dir, daemon->mode == CAIRND_MODE_SYSTEM ? 0755 : 0700) < 0 ||
        (fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0) {
        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "cannot open '%s': %s", path,
                    g_strerror(errno));
        return false;
    }
    if (fcntl(fd, F_SETLK, &fl) < 0) {
        *ret_busy = errno == EAGAIN || errno == EACCES;
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_BUSY, "another cairnd serves '%s'",
                    daemon->socket_path);
        close(fd);
        return false;
    }
    /* Kept open (and locked) until the daemon exits. */
    if (ftruncate(fd, 0) < 0 || write(fd, pid, strlen(pid)) < 0)
        g_debug("cannot write the pid to '%s'", path);
    return true;
}


/* SIGTERM, SIGINT, SIGHUP: stop accepting, answer the calls in flight
 * (for --shutdown-timeout at most), then exit. */
static gboolean
cairndQuitSignal(gpointer opaque)
{
    cairndDaemon *daemon = opaque;

    if (daemon->listener_closed) {
        g_info("signal received: already stopping");
        return G_SOURCE_CONTINUE;
    }
    g_info("signal received: exiting");
    cairndServerStopAccepting(daemon);
    cairndDaemonBeginStop(daemon);
    return G_SOURCE_CONTINUE;
}


/* CAIRND_TEST_REPLY_DELAY=METHOD:MS (tests only; see cairnd.h). */
static void
cairndTestHooks(cairndDaemon *daemon)
{
    const char *delay = g_getenv("CAIRND_TEST_REPLY_DELAY");
    const char *colon = delay ? strchr(delay, ':') : NULL;

    if (!colon)
        return;
    daemon->test_delay_method = g_strndup(delay, colon - delay);
    daemon->test_delay_ms = (unsigned int)g_ascii_strtoull(colon + 1, NULL, 10);
}


/* Fork into the background; the first process waits for the daemon's
 * word (one byte on a pipe: 0 listening, 1 failed, 2 another daemon is
 * there) and exits with status 0 or 1. Returns the pipe's write end in
 * the daemon. */
static int
cairndDaemonize(void)
{
    int fds[2];
    pid_t pid;
    char word = 1;

    if (!g_unix_open_pipe(fds, FD_CLOEXEC, NULL) || (pid = fork()) < 0) {
        fprintf(stderr, "cairnd: cannot daemonize: %s\n", g_strerror(errno));
        exit(EXIT_FAILURE);
    }
    if (pid > 0) {
        close(fds[1]);
        if (read(fds[0], &word, 1) != 1)
            word = 1;
        _exit(word == 1 ? EXIT_FAILURE : EXIT_SUCCESS);
    }
    close(fds[0]);
    setsid();
    return fds[1];
}


/* Tell the waiting first process how the start went; then leave the
 * terminal: stdin/stdout to /dev/null, stderr to the session log. */
static void
cairndDaemonizeDone(cairndDaemon *daemon, int ready_fd, char word)
{
    g_autofree char *log = NULL;
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    int err = -1;

    if (daemon->mode != CAIRND_MODE_SYSTEM) {
        g_autofree char *dir = g_build_filename(g_get_user_cache_dir(), "cairn", NULL);

        log = g_build_filename(dir, "cairnd.log", NULL);
        if (g_mkdir_with_parents(dir, 0700) == 0)
            err = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    }
    if (null >= 0) {
        dup2(null, STDIN_FILENO);
        dup2(null, STDOUT_FILENO);
        dup2(err >= 0 ? err : null, STDERR_FILENO);
    }
    if (write(ready_fd, &word, 1) != 1)
        g_debug("the starting process is gone");
    close(ready_fd);
    if (null >= 0)
        close(null);
    if (err >= 0)
        close(err);
}


/* Everything between the lock and the main loop. */
static bool
cairndStart(cairndDaemon *daemon, GError **error)
{
    if (!cairndDispatchCheckTable(error))
        return false;
    /* The daemon's own connection reattaches to the running QEMUs. */
    if (!(daemon->admin = cairnConnectOpen(daemon->serve_uri))) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot open %s: %s", daemon->serve_uri,
                    cairnGetLastErrorMessage());
        return false;
    }
    if (!(daemon->pool = cairndDispatchPoolNew(daemon->workers, error)))
        return false;
    if (!cairndServerListen(daemon, error))
        return false;
    g_unix_signal_add(SIGTERM, cairndQuitSignal, daemon);
    g_unix_signal_add(SIGINT, cairndQuitSignal, daemon);
    g_unix_signal_add(SIGHUP, cairndQuitSignal, daemon);
    return true;
}


static void
cairndStop(cairndDaemon *daemon)
{
    cairndServerStop(daemon);
    if (daemon->pool)
        g_thread_pool_free(daemon->pool, FALSE, TRUE);
    /* After the pool: no call can open a channel any more. */
    if (daemon->channels)
        cairndChannelJoinAll(daemon);
    if (daemon->service)
        unlink(daemon->socket_path);
    g_clear_object(&daemon->service);
    g_clear_object(&daemon->observer);
    if (daemon->admin)
        cairnConnectClose(daemon->admin);
    cairndDaemonClear(daemon);
}


int
main(int argc, char **argv)
{
    g_auto(cairndOptions) opts = { 0 };
    cairndDaemon daemon = { 0 };
    g_autoptr(GError) err = NULL;
    GLogLevelFlags level = G_LOG_LEVEL_INFO;
    int ready_fd = -1;
    bool busy = false;
    unsigned int running;
    int ret = EXIT_FAILURE;

    setlocale(LC_ALL, "");
    signal(SIGPIPE, SIG_IGN);
    if (!cairndParseOptions(&argc, &argv, &opts, &err) ||
        (opts.log_level && !cairndLogParseLevel(opts.log_level, &level))) {
        fprintf(stderr, "cairnd: %s\n", err ? err->message : "unknown --log-level");
        return EXIT_FAILURE;
    }
    if (opts.version) {
        printf("cairnd (cairn) %d.%d.%d\n", CAIRN_VERSION_MAJOR, CAIRN_VERSION_MINOR,
               CAIRN_VERSION_MICRO);
        return EXIT_SUCCESS;
    }
    cairndLogInit(level);
    cairndConfigure(&daemon, &opts);
    cairndTestHooks(&daemon);
    if (opts.daemonize)
        ready_fd = cairndDaemonize();
    cairndDaemonInit(&daemon);
    xmlInitParser();
    if (!cairndLock(&daemon, &busy, &err) || !cairndStart(&daemon, &err)) {
        if (busy && opts.daemonize)
            ret = EXIT_SUCCESS;
        fprintf(stderr, "cairnd: %s\n", err->message);
        if (ready_fd >= 0)
            cairndDaemonizeDone(&daemon, ready_fd, busy ? 2 : 1);
        cairndStop(&daemon);
        return ret;
    }
    g_info("serving %s (%s), version %d.%d.%d", daemon.public_uri, daemon.serve_uri,
           CAIRN_VERSION_MAJOR, CAIRN_VERSION_MINOR, CAIRN_VERSION_MICRO);
    if (ready_fd >= 0)
        cairndDaemonizeDone(&daemon, ready_fd, 0);
    cairndDaemonCheckIdle(&daemon);
    g_main_loop_run(daemon.loop);
    if ((running = cairndDaemonCallsRunning(&daemon)) > 0) {
        /* Their threads use the daemon's state: no cleanup. What they
         * were doing is recovered as after a kill -9. */
        g_warning("%u calls still running after %u s: exiting without answering them", running,
                  daemon.shutdown_timeout);
        _exit(EXIT_FAILURE);
    }
    cairndStop(&daemon);
    return EXIT_SUCCESS;
}
