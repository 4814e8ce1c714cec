/*
 * server.c: the listening socket, the peer checks and the D-Bus
 * handshakes (see server.h).
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <gio/gunixsocketaddress.h>

#include "cairn/cairn-error.h"
#include "channel.h"
#include "client.h"
#include "remote/remote_protocol.h"
#include "server.h"
#include "util/cairnerror.h"


/* Handshakes in progress, counted against --max-clients. */
static gint cairndPending;


/* True if @uid is in group @gid, as primary or supplementary group. */
static bool
cairndUserInGroup(uid_t uid, gid_t gid)
{
    struct passwd *pw = getpwuid(uid);
    gid_t groups[256];
    int n = G_N_ELEMENTS(groups);

    if (!pw)
        return false;
    if (pw->pw_gid == gid)
        return true;
    if (getgrouplist(pw->pw_name, pw->pw_gid, groups, &n) < 0)
        return false;
    for (int i = 0; i < n; i++) {
        if (groups[i] == gid)
            return true;
    }
    return false;
}


/* The access policy of server.h. */
static bool
cairndPeerAllowed(cairndDaemon *daemon, uid_t uid)
{
    struct group *gr;

    if (uid == getuid())
        return true;
    if (daemon->mode != CAIRND_MODE_SYSTEM)
        return false;
    if (uid == 0)
        return true;
    return (gr = getgrnam(CAIRN_REMOTE_SYSTEM_GROUP)) && cairndUserInGroup(uid, gr->gr_gid);
}


static gboolean
cairndAuthorizePeer(GDBusAuthObserver *observer, GIOStream *stream, GCredentials *creds,
                    gpointer opaque)
{
    cairndDaemon *daemon = opaque;
    uid_t uid;

    if (!creds || (uid = g_credentials_get_unix_user(creds, NULL)) == (uid_t)-1) {
        g_message("refusing a peer without credentials");
        return FALSE;
    }
    if (!cairndPeerAllowed(daemon, uid)) {
        g_message("refusing uid %u: not allowed on this socket", (unsigned int)uid);
        return FALSE;
    }
    return TRUE;
}


static gboolean
cairndAllowMechanism(GDBusAuthObserver *observer, const char *mechanism, gpointer opaque)
{
    return g_str_equal(mechanism, "EXTERNAL");
}


/* The handshake of one peer is over. */
static void
cairndHandshakeDone(GObject *source, GAsyncResult *res, gpointer opaque)
{
    cairndDaemon *daemon = opaque;
    g_autoptr(GError) err = NULL;
    g_autoptr(GDBusConnection) bus = g_dbus_connection_new_finish(res, &err);
    GCredentials *creds;

    g_atomic_int_dec_and_test(&cairndPending);
    if (!bus) {
        g_info("handshake failed: %s", err->message);
        cairndDaemonCheckIdle(daemon);
        return;
    }
    creds = g_dbus_connection_get_peer_credentials(bus);
    if (!cairndClientNew(daemon, bus, creds ? g_credentials_get_unix_user(creds, NULL) : 0,
                         creds ? g_credentials_get_unix_pid(creds, NULL) : -1, &err)) {
        g_message("cannot serve a peer: %s", err->message);
        g_dbus_connection_close(bus, NULL, NULL, NULL);
    }
}


/* GSocketService::incoming, in the main loop. */
static gboolean
cairndIncoming(GSocketService *service, GSocketConnection *conn, GObject *source,
               gpointer opaque)
{
    cairndDaemon *daemon = opaque;
    g_autoptr(GCredentials) creds = NULL;
    g_autoptr(GError) err = NULL;
    uid_t uid;

    creds = g_socket_get_credentials(g_socket_connection_get_socket(conn), &err);
    uid = creds ? g_credentials_get_unix_user(creds, NULL) : (uid_t)-1;
    if (uid == (uid_t)-1 || !cairndPeerAllowed(daemon, uid)) {
        g_message("refusing a peer (uid %d): not allowed on this socket", (int)uid);
        return TRUE; /* the connection is closed when the service drops it */
    }
    if (cairndClientCount(daemon) + (unsigned int)g_atomic_int_get(&cairndPending) >=
        daemon->max_clients) {
        g_message("refusing a peer (uid %u): %u clients already", (unsigned int)uid,
                  daemon->max_clients);
        return TRUE;
    }
    g_atomic_int_inc(&cairndPending);
    g_dbus_connection_new(G_IO_STREAM(conn), daemon->guid,
                          G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_SERVER |
                              G_DBUS_CONNECTION_FLAGS_DELAY_MESSAGE_PROCESSING,
                          daemon->observer, NULL, cairndHandshakeDone, daemon);
    return TRUE;
}


/* The socket systemd passed (LISTEN_PID/LISTEN_FDS, fd 3), or NULL. */
static GSocket *
cairndActivatedSocket(GError **error)
{
    const char *pid = g_getenv("LISTEN_PID");
    const char *fds = g_getenv("LISTEN_FDS");
    GSocket *sock;

    if (!pid || !fds || g_ascii_strtoll(pid, NULL, 10) != (gint64)getpid())
        return NULL;
    g_unsetenv("LISTEN_PID");
    g_unsetenv("LISTEN_FDS");
    g_unsetenv("LISTEN_FDNAMES");
    if (g_ascii_strtoll(fds, NULL, 10) < 1)
        return NULL;
    if (!(sock = g_socket_new_from_fd(3, error)))
        return NULL;
    g_info("using the socket passed by systemd");
    return sock;
}


/* The group the system socket belongs to, or the daemon's own. */
static gid_t
cairndSocketGroup(void)
{
    struct group *gr = getgrnam(CAIRN_REMOTE_SYSTEM_GROUP);

    if (gr)
        return gr->gr_gid;
    g_message("group '%s' does not exist: only root can use the socket (see cairnd(8))",
              CAIRN_REMOTE_SYSTEM_GROUP);
    return getgid();
}


/* Bind daemon->socket_path with the mode of server.h. The caller holds
 * the daemon's lock file, so a socket file left there is stale. */
static GSocket *
cairndBindSocket(cairndDaemon *daemon, GError **error)
{
    bool system = daemon->mode == CAIRND_MODE_SYSTEM;
    g_autoptr(GSocketAddress) addr = g_unix_socket_address_new(daemon->socket_path);
    g_autoptr(GSocket) sock = NULL;
    mode_t old;
    bool ok;

    if (!(sock = g_socket_new(G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, 0, error)))
        return NULL;
    if (unlink(daemon->socket_path) < 0 && errno != ENOENT) {
        cairnErrorSetErrno(error, CAIRN_FROM_RPC, errno, "cannot remove '%s'",
                           daemon->socket_path);
        return NULL;
    }
    old = umask(system ? 0117 : 0177);
    ok = g_socket_bind(sock, addr, FALSE, error);
    umask(old);
    if (!ok)
        return NULL;
    if (system && (chown(daemon->socket_path, 0, cairndSocketGroup()) < 0 ||
                   chmod(daemon->socket_path, 0660) < 0)) {
        cairnErrorSetErrno(error, CAIRN_FROM_RPC, errno, "cannot set the owner of '%s'",
                           daemon->socket_path);
        return NULL;
    }
    /* Room for a burst of peers connecting at once (GLib's default is 10). */
    g_socket_set_listen_backlog(sock, (gint)MAX(daemon->max_clients, 128));
    if (!g_socket_listen(sock, error))
        return NULL;
    return g_steal_pointer(&sock);
}


bool
cairndServerListen(cairndDaemon *daemon, GError **error)
{
    g_autoptr(GSocket) sock = NULL;
    g_autoptr(GError) err = NULL;

    if (!(sock = cairndActivatedSocket(&err)) && err) {
        g_propagate_error(error, g_steal_pointer(&err));
        return false;
    }
    if (!sock && !(sock = cairndBindSocket(daemon, error)))
        return false;
    daemon->guid = g_dbus_generate_guid();
    daemon->observer = g_dbus_auth_observer_new();
    g_signal_connect(daemon->observer, "authorize-authenticated-peer",
                     G_CALLBACK(cairndAuthorizePeer), daemon);
    g_signal_connect(daemon->observer, "allow-mechanism", G_CALLBACK(cairndAllowMechanism),
                     daemon);
    daemon->service = g_socket_service_new();
    if (!g_socket_listener_add_socket(G_SOCKET_LISTENER(daemon->service), sock, NULL, error))
        return false;
    g_signal_connect(daemon->service, "incoming", G_CALLBACK(cairndIncoming), daemon);
    g_socket_service_start(daemon->service);
    g_info("listening on %s", daemon->socket_path);
    return true;
}


void
cairndServerStop(cairndDaemon *daemon)
{
    g_autoptr(GPtrArray) clients = NULL;

    if (daemon->service) {
        g_socket_service_stop(daemon->service);
        g_socket_listener_close(G_SOCKET_LISTENER(daemon->service));
    }
    g_mutex_lock(&daemon->lock);
    clients = g_ptr_array_new_with_free_func((GDestroyNotify)cairndClientUnref);
    for (guint i = 0; i < daemon->clients->len; i++)
        g_ptr_array_add(clients, cairndClientRef(g_ptr_array_index(daemon->clients, i)));
    g_mutex_unlock(&daemon->lock);
    for (guint i = 0; i < clients->len; i++) {
        cairndClient *client = g_ptr_array_index(clients, i);

        /* The main loop no longer runs cairndClientClosed(). */
        cairndChannelShutdownAll(client);
        g_dbus_connection_close_sync(client->bus, NULL, NULL);
    }
}
