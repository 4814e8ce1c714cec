/*
 * client.c: the daemon's peers (see client.h).
 */
#include <string.h>

#include "cairn/cairn.h"
#include "channel.h"
#include "client.h"
#include "dispatch.h"
#include "remote/remote_protocol.h"
#include "util/cairnerror.h"


/* Tools made for a bus (gdbus introspect --address ...) greet the peer
 * with org.freedesktop.DBus.Hello first; the daemon answers it with a
 * name of its own making, so they work peer to peer too. */
static const char cairndHelloXML[] = "<node><interface name='org.freedesktop.DBus'>"
                                     "<method name='Hello'><arg type='s' direction='out'/></method>"
                                     "</interface></node>";


static void
cairndHello(GDBusConnection *bus,
            const char *sender,
            const char *path,
            const char *iface,
            const char *method,
            GVariant *params,
            GDBusMethodInvocation *invocation,
            gpointer opaque)
{
    cairndClient *client = opaque;
    g_autofree char *name = g_strdup_printf(":1.%u", client->id);

    g_dbus_method_invocation_return_value(invocation, g_variant_new("(s)", name));
}


static GDBusInterfaceInfo *
cairndHelloInterface(void)
{
    static GDBusNodeInfo *info;

    if (g_once_init_enter(&info))
        g_once_init_leave(&info, g_dbus_node_info_new_for_xml(cairndHelloXML, NULL));
    return info->interfaces[0];
}


cairndClient *
cairndClientRef(cairndClient *client)
{
    g_atomic_ref_count_inc(&client->refs);
    return client;
}


void
cairndClientUnref(cairndClient *client)
{
    if (!client || !g_atomic_ref_count_dec(&client->refs))
        return;
    g_debug("client %u: freed", client->id);
    if (client->conn)
        cairnConnectUnref(client->conn);
    g_clear_object(&client->bus);
    /* Every channel holds a reference: none is left. */
    g_ptr_array_unref(client->channels);
    g_mutex_clear(&client->lock);
    g_free(client);
}


/* The peer went away (or the daemon closed it): forget it. Runs in the
 * main loop. */
static void
cairndClientClosed(GDBusConnection *bus,
                   gboolean remote_peer_vanished,
                   GError *err,
                   gpointer opaque)
{
    cairndClient *client = opaque;
    cairndDaemon *daemon = client->daemon;

    g_debug("client %u: disconnected%s%s", client->id, err ? ": " : "", err ? err->message : "");
    if (client->registration)
        g_dbus_connection_unregister_object(bus, client->registration);
    client->registration = 0;
    if (client->hello)
        g_dbus_connection_unregister_object(bus, client->hello);
    client->hello = 0;
    if (client->filter)
        g_dbus_connection_remove_filter(bus, client->filter);
    client->filter = 0;
    g_signal_handler_disconnect(bus, client->closed_handler);
    cairndChannelShutdownAll(client);
    cairndClientClose(client);
    g_mutex_lock(&daemon->lock);
    g_ptr_array_remove(daemon->clients, client); /* drops the list's reference */
    g_mutex_unlock(&daemon->lock);
    cairndDaemonCheckIdle(daemon);
}


/* A peer of @daemon with no bus yet and no id. */
static cairndClient *
cairndClientAlloc(cairndDaemon *daemon, uid_t uid, pid_t pid)
{
    cairndClient *client = g_new0(cairndClient, 1);

    g_atomic_ref_count_init(&client->refs);
    g_mutex_init(&client->lock);
    client->channels = g_ptr_array_new();
    client->daemon = daemon;
    client->uid = uid;
    client->pid = pid;
    return client;
}


cairndClient *
cairndClientNew(cairndDaemon *daemon, GDBusConnection *bus, uid_t uid, pid_t pid, GError **error)
{
    static const GDBusInterfaceVTable vtable = { .method_call = cairndDispatchMethodCall };
    static const GDBusInterfaceVTable hello = { .method_call = cairndHello };
    cairndClient *client = cairndClientAlloc(daemon, uid, pid);

    client->bus = g_object_ref(bus);
    client->registration = g_dbus_connection_register_object(
        bus, CAIRN_REMOTE_OBJECT_PATH, remoteProtocolInterface(), &vtable, cairndClientRef(client),
        (GDestroyNotify)cairndClientUnref, error);
    if (!client->registration ||
        !(client->hello = g_dbus_connection_register_object(
              bus, "/org/freedesktop/DBus", cairndHelloInterface(), &hello, client, NULL, error))) {
        if (client->registration)
            g_dbus_connection_unregister_object(bus, client->registration);
        cairndClientUnref(client);
        return NULL;
    }
    g_mutex_lock(&daemon->lock);
    client->id = ++daemon->next_client_id;
    g_ptr_array_add(daemon->clients, client);
    g_clear_handle_id(&daemon->idle_source, g_source_remove);
    g_mutex_unlock(&daemon->lock);
    client->closed_handler =
        g_signal_connect(bus, "closed", G_CALLBACK(cairndClientClosed), client);
    client->filter = g_dbus_connection_add_filter(
        bus, cairndDispatchFilter, cairndClientRef(client), (GDestroyNotify)cairndClientUnref);
    g_info("client %u: connected (uid %u, pid %d)", client->id, (unsigned int)uid, (int)pid);
    g_dbus_connection_start_message_processing(bus);
    return client;
}


cairndClient *
cairndClientNewDetached(cairndDaemon *daemon, uid_t uid, pid_t pid)
{
    cairndClient *client = cairndClientAlloc(daemon, uid, pid);

    g_mutex_lock(&daemon->lock);
    client->id = ++daemon->next_client_id;
    g_mutex_unlock(&daemon->lock);
    g_debug("client %u: detached (uid %u, pid %d)", client->id, (unsigned int)uid, (int)pid);
    return client;
}


cairnConnect *
cairndClientGetConn(cairndClient *client, bool *ret_readonly, GError **error)
{
    cairnConnect *conn = NULL;

    g_mutex_lock(&client->lock);
    if (client->conn) {
        conn = client->conn;
        g_atomic_ref_count_inc(&conn->refs);
        *ret_readonly = client->readonly;
    }
    g_mutex_unlock(&client->lock);
    if (!conn)
        cairnErrorSetRaw(error, CAIRN_FROM_RPC, CAIRN_ERR_INVALID_CONN,
                         "the connection is not open: call ConnectOpen first");
    return conn;
}


bool
cairndClientOpen(cairndClient *client, const char *uri, unsigned int flags, GError **error)
{
    cairndDaemon *daemon = client->daemon;
    cairnConnect *conn;
    bool ok = false;

    if (!g_str_equal(uri, daemon->public_uri)) {
        cairnErrorSet(error, CAIRN_FROM_RPC, CAIRN_ERR_NO_CONNECT, "%s (this daemon serves %s)",
                      uri, daemon->public_uri);
        return false;
    }
    g_mutex_lock(&client->lock);
    if (client->conn) {
        cairnErrorSet(error, CAIRN_FROM_RPC, CAIRN_ERR_OPERATION_INVALID, "%s",
                      "the connection is already open");
    } else if (!(conn = cairnConnectOpenFlags(daemon->serve_uri, flags))) {
        cairnErrorSetRaw(error, cairnGetLastErrorDomain(), cairnGetLastErrorCode(), "%s",
                         cairnGetLastErrorMessage());
    } else {
        client->conn = conn;
        client->readonly = (flags & CAIRN_CONNECT_RO) != 0;
        ok = true;
    }
    g_mutex_unlock(&client->lock);
    if (ok)
        g_debug("client %u: opened %s%s", client->id, uri, client->readonly ? " read-only" : "");
    return ok;
}


void
cairndClientClose(cairndClient *client)
{
    cairnConnect *conn;

    g_mutex_lock(&client->lock);
    conn = g_steal_pointer(&client->conn);
    g_mutex_unlock(&client->lock);
    if (conn)
        cairnConnectUnref(conn);
}


unsigned int
cairndClientCount(cairndDaemon *daemon)
{
    unsigned int n;

    g_mutex_lock(&daemon->lock);
    n = daemon->clients->len;
    g_mutex_unlock(&daemon->lock);
    return n;
}
