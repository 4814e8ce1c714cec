/*
 * remote_spawn.c: starting the per-user daemon on demand, as libvirt's
 * remote driver starts a session libvirtd: run the daemon, which forks,
 * listens and lets its first process exit; then the socket is there.
 */
#include <errno.h>
#include <unistd.h>
#include <gio/gio.h>

#include "cairn/cairn-error.h"
#include "remote/remote_config.h"
#include "remote_spawn.h"
#include "util/cairnerror.h"

/* How long to wait for a daemon that another client is starting. */
#define REMOTE_SPAWN_WAIT_MS 10000
#define REMOTE_SPAWN_POLL_MS 20


/* True once something accepts connections on @socket_path. */
static bool
remoteSocketListens(const char *socket_path)
{
    g_autoptr(GSocketClient) client = g_socket_client_new();
    g_autoptr(GSocketAddress) addr = g_unix_socket_address_new(socket_path);
    g_autoptr(GSocketConnection) conn = NULL;

    conn = g_socket_client_connect(client, G_SOCKET_CONNECTABLE(addr), NULL, NULL);
    return conn != NULL;
}


bool
remoteSpawnSessionDaemon(const char *socket_path, GError **error)
{
    const char *daemon = g_getenv("CAIRND_PATH");
    const char *argv[] = { NULL, "--session", "--daemonize", NULL };
    g_autoptr(GError) err = NULL;
    int status = 0;

    argv[0] = daemon && *daemon ? daemon : CAIRN_DAEMON_PATH;
    if (!g_spawn_sync(NULL, (char **)argv, NULL,
                      G_SPAWN_STDIN_FROM_DEV_NULL | G_SPAWN_STDOUT_TO_DEV_NULL |
                          G_SPAWN_STDERR_TO_DEV_NULL,
                      NULL, NULL, NULL, NULL, &status, &err) ||
        !g_spawn_check_wait_status(status, &err)) {
        cairnErrorSet(error, CAIRN_FROM_RPC, CAIRN_ERR_NO_CONNECT,
                      "%s (starting the session daemon %s failed: %s)", "qemu:///session", argv[0],
                      err->message);
        return false;
    }
    /* It exits 0 either listening, or because another instance holds the
     * lock and is about to listen. */
    for (int waited = 0; waited < REMOTE_SPAWN_WAIT_MS; waited += REMOTE_SPAWN_POLL_MS) {
        if (remoteSocketListens(socket_path))
            return true;
        g_usleep(REMOTE_SPAWN_POLL_MS * 1000);
    }
    cairnErrorSet(error, CAIRN_FROM_RPC, CAIRN_ERR_NO_CONNECT,
                  "%s (the session daemon did not listen on '%s' within %d s)", "qemu:///session",
                  socket_path, REMOTE_SPAWN_WAIT_MS / 1000);
    return false;
}
