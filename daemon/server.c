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


/* One peer not authenticated yet: first silent (a watch on its socket
 * waits for its first bytes), then in its D-Bus handshake. Owned by the
 * watch until the handshake starts, then by the handshake's callback
 * (cairndHandshakeDone()); daemon->handshakes and the deadline point to
 * it until it is dropped or done. Main loop only. */
typedef struct {
    cairndDaemon *daemon;
    GSocketConnection *conn; /* a reference */
    GCancellable *cancel;
    GList *link;    /* in daemon->handshakes; NULL once done or dropped */
    GSource *watch; /* while silent */
    guint deadline; /* the timeout source */
    uid_t uid;
} cairndHandshake;


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
cairndAuthorizePeer(GDBusAuthObserver *observer,
                    GIOStream *stream,
                    GCredentials *creds,
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


/* Free @hs, whose handshake is over or never started. */
static void
cairndHandshakeFree(cairndHandshake *hs)
{
    cairndDaemon *daemon = hs->daemon;

    if (hs->link)
        g_queue_delete_link(&daemon->handshakes, hs->link);
    g_clear_handle_id(&hs->deadline, g_source_remove);
    g_clear_object(&hs->cancel);
    g_clear_object(&hs->conn);
    g_free(hs);
    daemon->handshakes_live--;
}


/* Stop @hs, which counts no more: a silent peer is freed (closed) at
 * once; a handshake ends soon in its callback with an error (or with a
 * connection that the callback closes). */
static void
cairndHandshakeDrop(cairndHandshake *hs, const char *why)
{
    cairndDaemon *daemon = hs->daemon;

    if (!hs->link)
        return;
    g_info("dropping an unauthenticated peer (uid %u): %s", (unsigned int)hs->uid, why);
    g_queue_delete_link(&daemon->handshakes, hs->link);
    hs->link = NULL;
    g_clear_handle_id(&hs->deadline, g_source_remove);
    /* Wakes the handshake's thread even where it does not watch the
     * cancellable. */
    g_socket_shutdown(g_socket_connection_get_socket(hs->conn), TRUE, TRUE, NULL);
    if (hs->watch) {
        g_source_destroy(hs->watch);
        g_clear_pointer(&hs->watch, g_source_unref);
        cairndHandshakeFree(hs);
        return;
    }
    g_cancellable_cancel(hs->cancel);
}


/* The peer did not authenticate within --handshake-timeout. */
static gboolean
cairndHandshakeExpired(gpointer opaque)
{
    cairndHandshake *hs = opaque;
    g_autofree char *why =
        g_strdup_printf("no authentication within %u s", hs->daemon->handshake_timeout);

    hs->deadline = 0;
    cairndHandshakeDrop(hs, why);
    return G_SOURCE_REMOVE;
}


/* The handshake of one peer is over (or was dropped). */
static void
cairndHandshakeDone(GObject *source, GAsyncResult *res, gpointer opaque)
{
    cairndHandshake *hs = opaque;
    cairndDaemon *daemon = hs->daemon;
    g_autoptr(GError) err = NULL;
    g_autoptr(GDBusConnection) bus = g_dbus_connection_new_finish(res, &err);
    bool dropped = hs->link == NULL;
    GCredentials *creds;

    cairndHandshakeFree(hs);
    if (!bus) {
        g_info("handshake failed: %s", err->message);
        cairndDaemonCheckIdle(daemon);
        return;
    }
    creds = g_dbus_connection_get_peer_credentials(bus);
    if (dropped) {
        err = g_error_new_literal(G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "dropped in its handshake");
    } else if (cairndClientCount(daemon) >= daemon->max_clients) {
        err = g_error_new(G_IO_ERROR, G_IO_ERROR_BUSY, "%u clients already", daemon->max_clients);
    } else if (cairndClientNew(daemon, bus, creds ? g_credentials_get_unix_user(creds, NULL) : 0,
                               creds ? g_credentials_get_unix_pid(creds, NULL) : -1, &err)) {
        return;
    }
    g_message("cannot serve a peer: %s", err->message);
    g_dbus_connection_close(bus, NULL, NULL, NULL);
    cairndDaemonCheckIdle(daemon);
}


/* The silent peer of @opaque has sent its first bytes (or hung up):
 * start its handshake, which takes one of GIO's threads. */
static gboolean
cairndHandshakeStart(GSocket *sock, GIOCondition cond, gpointer opaque)
{
    cairndHandshake *hs = opaque;
    cairndDaemon *daemon = hs->daemon;

    g_clear_pointer(&hs->watch, g_source_unref);
    g_dbus_connection_new(G_IO_STREAM(hs->conn), daemon->guid,
                          G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_SERVER |
                              G_DBUS_CONNECTION_FLAGS_DELAY_MESSAGE_PROCESSING,
                          daemon->observer, hs->cancel, cairndHandshakeDone, hs);
    return G_SOURCE_REMOVE;
}


/* GSocketService::incoming, in the main loop. */
static gboolean
cairndIncoming(GSocketService *service, GSocketConnection *conn, GObject *source, gpointer opaque)
{
    cairndDaemon *daemon = opaque;
    g_autoptr(GCredentials) creds = NULL;
    g_autoptr(GError) err = NULL;
    GSocket *sock = g_socket_connection_get_socket(conn);
    cairndHandshake *hs;
    uid_t uid;

    creds = g_socket_get_credentials(sock, &err);
    uid = creds ? g_credentials_get_unix_user(creds, NULL) : (uid_t)-1;
    if (uid == (uid_t)-1 || !cairndPeerAllowed(daemon, uid)) {
        g_message("refusing a peer (uid %d): not allowed on this socket", (int)uid);
        return TRUE; /* the connection is closed when the service drops it */
    }
    if (cairndClientCount(daemon) >= daemon->max_clients) {
        g_message("refusing a peer (uid %u): %u clients already", (unsigned int)uid,
                  daemon->max_clients);
        return TRUE;
    }
    if (daemon->handshakes.length >= daemon->max_handshakes)
        cairndHandshakeDrop(g_queue_peek_head(&daemon->handshakes), "making room for a newer peer");
    hs = g_new0(cairndHandshake, 1);
    hs->daemon = daemon;
    hs->conn = g_object_ref(conn);
    hs->cancel = g_cancellable_new();
    hs->uid = uid;
    g_queue_push_tail(&daemon->handshakes, hs);
    hs->link = daemon->handshakes.tail;
    daemon->handshakes_live++;
    hs->deadline = g_timeout_add(daemon->handshake_timeout * 1000, cairndHandshakeExpired, hs);
    hs->watch = g_socket_create_source(sock, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
    g_source_set_callback(hs->watch, G_SOURCE_FUNC(cairndHandshakeStart), hs, NULL);
    g_source_attach(hs->watch, NULL);
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
        cairnErrorSetErrno(error, CAIRN_FROM_RPC, errno, "cannot remove '%s'", daemon->socket_path);
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
    g_signal_connect(daemon->observer, "allow-mechanism", G_CALLBACK(cairndAllowMechanism), daemon);
    daemon->service = g_socket_service_new();
    if (!g_socket_listener_add_socket(G_SOCKET_LISTENER(daemon->service), sock, NULL, error))
        return false;
    g_signal_connect(daemon->service, "incoming", G_CALLBACK(cairndIncoming), daemon);
    g_socket_service_start(daemon->service);
    g_info("listening on %s", daemon->socket_path);
    return true;
}


void
cairndServerStopAccepting(cairndDaemon *daemon)
{
    cairndHandshake *hs;

    if (daemon->listener_closed)
        return;
    daemon->listener_closed = true;
    if (daemon->service) {
        g_socket_service_stop(daemon->service);
        g_socket_listener_close(G_SOCKET_LISTENER(daemon->service));
    }
    while ((hs = g_queue_peek_head(&daemon->handshakes)))
        cairndHandshakeDrop(hs, "the daemon stops");
    /* Their callbacks free them; they come at once now. */
    while (daemon->handshakes_live > 0)
        g_main_context_iteration(NULL, TRUE);
}


void
cairndServerStop(cairndDaemon *daemon)
{
    g_autoptr(GPtrArray) clients = NULL;

    cairndServerStopAccepting(daemon);
    g_mutex_lock(&daemon->lock);
    clients = g_ptr_array_new_with_free_func((GDestroyNotify)cairndClientUnref);
    for (guint i = 0; i < daemon->clients->len; i++)
        g_ptr_array_add(clients, cairndClientRef(g_ptr_array_index(daemon->clients, i)));
    g_mutex_unlock(&daemon->lock);
    for (guint i = 0; i < clients->len; i++) {
        cairndClient *client = g_ptr_array_index(clients, i);

        /* The main loop no longer runs cairndClientClosed(). */
        cairndChannelShutdownAll(client);
        /* The replies of the last calls are queued: send them first. */
        g_dbus_connection_flush_sync(client->bus, NULL, NULL);
        g_dbus_connection_close_sync(client->bus, NULL, NULL);
    }
}
