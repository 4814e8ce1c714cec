/*
 * remote_wire.c: one method call to the daemon, and domains on the wire.
 *
 * A call takes the call channel when it can (remote_channel.h): the
 * calling thread writes it and reads the reply itself. Otherwise it is sent
 * with g_dbus_connection_send_message() and its reply taken by a filter in
 * GDBus's worker thread, which wakes the waiting caller: one thread hop
 * each way, and no main context created per call as
 * g_dbus_connection_call_sync() makes. Either way the reply goes through
 * remoteReplyFinish().
 */
#include <string.h>

#include "cairn/cairn-error.h"
#include "remote_error.h"
#include "remote_private.h"
#include "util/cairnerror.h"

/* The reply type of each procedure, built once from cairn-remote.xml. */
static const GVariantType *
remoteReplyType(remoteProcedure proc)
{
    static GVariantType *types[REMOTE_PROC_LAST];
    static gsize done;

    if (g_once_init_enter(&done)) {
        GDBusInterfaceInfo *iface = remoteProtocolInterface();

        for (int i = 0; i < REMOTE_PROC_LAST; i++) {
            const remoteProcedureInfo *info = remoteProcedureGet(i);
            GDBusMethodInfo *m = g_dbus_interface_info_lookup_method(iface, info->method);
            g_autoptr(GString) sig = g_string_new("(");

            g_assert(m);
            for (GDBusArgInfo **a = m->out_args; a && *a; a++)
                g_string_append(sig, (*a)->signature);
            g_string_append_c(sig, ')');
            types[i] = g_variant_type_new(sig->str);
        }
        g_once_init_leave(&done, 1);
    }
    return types[proc];
}


/* One call waiting for its reply (on the caller's stack). */
typedef struct {
    GCond cond;
    GDBusMessage *reply; /* set by remoteWireFilter() */
} remoteWait;

/* The calls of one connection that wait for replies. Owned by the
 * GDBusConnection (its qdata), so it lives as long as the filter can run. */
typedef struct {
    GMutex lock;
    GHashTable *waiting; /* reply serial -> remoteWait* */
} remoteWire;

static GQuark
remoteWireQuark(void)
{
    return g_quark_from_static_string("cairn-remote-wire");
}

/* How often a waiting call checks that the connection is still open:
 * GDBus tells a closed connection only to a main loop, which a caller of
 * the synchronous API may not run. */
#define REMOTE_WAIT_CHECK_US (100 * G_TIME_SPAN_MILLISECOND)


static void
remoteWireFree(gpointer data)
{
    remoteWire *wire = data;

    g_hash_table_unref(wire->waiting);
    g_mutex_clear(&wire->lock);
    g_free(wire);
}


/* GDBus's worker thread: hand a reply to the call that waits for it. */
static GDBusMessage *
remoteWireFilter(GDBusConnection *bus, GDBusMessage *message, gboolean incoming, gpointer opaque)
{
    remoteWire *wire = opaque;
    GDBusMessageType type = g_dbus_message_get_message_type(message);
    remoteWait *wait;

    if (!incoming ||
        (type != G_DBUS_MESSAGE_TYPE_METHOD_RETURN && type != G_DBUS_MESSAGE_TYPE_ERROR))
        return message;
    g_mutex_lock(&wire->lock);
    wait = g_hash_table_lookup(wire->waiting,
                               GUINT_TO_POINTER(g_dbus_message_get_reply_serial(message)));
    if (wait) {
        g_hash_table_remove(wire->waiting,
                            GUINT_TO_POINTER(g_dbus_message_get_reply_serial(message)));
        wait->reply = message; /* the filter's reference */
        g_cond_signal(&wait->cond);
    }
    g_mutex_unlock(&wire->lock);
    return wait ? NULL : message;
}


void
remoteWireAttach(GDBusConnection *bus)
{
    remoteWire *wire = g_new0(remoteWire, 1);

    g_mutex_init(&wire->lock);
    wire->waiting = g_hash_table_new(NULL, NULL);
    g_object_set_qdata_full(G_OBJECT(bus), remoteWireQuark(), wire, remoteWireFree);
    g_dbus_connection_add_filter(bus, remoteWireFilter, wire, NULL);
}


/* Send @msg and wait for its reply, in this thread: what
 * g_dbus_connection_call_sync() does without a main context of its own
 * per call. The lock is held from the send until the wait, so the filter
 * cannot see the reply before its serial is recorded. */
static GDBusMessage *
remoteWireSend(GDBusConnection *bus, GDBusMessage *msg, GError **error)
{
    remoteWire *wire = g_object_get_qdata(G_OBJECT(bus), remoteWireQuark());
    remoteWait wait = { 0 };
    guint32 serial = 0;

    g_assert(wire);
    g_cond_init(&wait.cond);
    g_mutex_lock(&wire->lock);
    if (g_dbus_connection_send_message(bus, msg, G_DBUS_SEND_MESSAGE_FLAGS_NONE, &serial, error)) {
        g_hash_table_insert(wire->waiting, GUINT_TO_POINTER(serial), &wait);
        while (!wait.reply) {
            gint64 deadline = g_get_monotonic_time() + REMOTE_WAIT_CHECK_US;

            if (!g_cond_wait_until(&wait.cond, &wire->lock, deadline) && !wait.reply &&
                g_dbus_connection_is_closed(bus)) {
                g_hash_table_remove(wire->waiting, GUINT_TO_POINTER(serial));
                g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_CLOSED,
                                    "The connection is closed");
                break;
            }
        }
    }
    g_mutex_unlock(&wire->lock);
    g_cond_clear(&wait.cond);
    return wait.reply;
}


/* The call of @proc with @params (floating, consumed; NULL for none). */
static GDBusMessage *
remoteCallMessage(remoteProcedure proc, GVariant *params)
{
    GDBusMessage *msg = g_dbus_message_new_method_call(
        NULL, CAIRN_REMOTE_OBJECT_PATH, CAIRN_REMOTE_INTERFACE, remoteProcedureGet(proc)->method);

    if (params)
        g_dbus_message_set_body(msg, params);
    return msg;
}


/* The reply tuple of a call of @proc from @reply, whichever lane brought
 * it; when @reply is NULL, @transport_err says why there is none. The
 * daemon's error is restored, a disconnect becomes the one clean RPC
 * error, a reply of the wrong type is refused. */
static GVariant *
remoteReplyFinish(remoteProcedure proc,
                  GDBusMessage *reply,
                  const GError *transport_err,
                  GError **error)
{
    const remoteProcedureInfo *info = remoteProcedureGet(proc);
    g_autoptr(GError) err = NULL;
    GVariant *body;

    if (!reply || g_dbus_message_to_gerror(reply, &err)) {
        remoteErrorFromDBus(error, reply ? err : transport_err, info->method);
        return NULL;
    }
    body = g_dbus_message_get_body(reply);
    body = body ? g_variant_ref(body) : g_variant_ref_sink(g_variant_new("()"));
    if (!g_variant_is_of_type(body, remoteReplyType(proc))) {
        cairnErrorSet(error, CAIRN_FROM_RPC, CAIRN_ERR_RPC,
                      "%s: the daemon answered '%s', expected '%s'", info->method,
                      g_variant_get_type_string(body),
                      g_variant_type_peek_string(remoteReplyType(proc)));
        g_variant_unref(body);
        return NULL;
    }
    return body;
}


GVariant *
remoteCallBusFDs(GDBusConnection *bus,
                 remoteProcedure proc,
                 GVariant *params,
                 GUnixFDList **ret_fds,
                 GError **error)
{
    g_autoptr(GDBusMessage) msg = remoteCallMessage(proc, params);
    g_autoptr(GDBusMessage) reply = NULL;
    g_autoptr(GError) err = NULL;
    GVariant *body;

    reply = remoteWireSend(bus, msg, &err);
    if (!(body = remoteReplyFinish(proc, reply, err, error)))
        return NULL;
    if (ret_fds && (*ret_fds = g_dbus_message_get_unix_fd_list(reply)))
        g_object_ref(*ret_fds);
    return body;
}


GVariant *
remoteCallBus(GDBusConnection *bus, remoteProcedure proc, GVariant *params, GError **error)
{
    return remoteCallBusFDs(bus, proc, params, NULL, error);
}


GVariant *
remoteCall(cairnConnect *conn, remoteProcedure proc, GVariant *params, GError **error)
{
    remotePrivate *priv = conn->privateData;
    g_autoptr(GDBusMessage) msg = remoteCallMessage(proc, params);
    g_autoptr(GDBusMessage) reply = NULL;
    g_autoptr(GError) err = NULL;

    if (!priv->channel || !remoteChannelCall(priv->channel, msg, &reply, &err))
        reply = remoteWireSend(priv->bus, msg, &err);
    if (!reply && priv->ssh && err && remoteErrorIsDisconnect(err)) {
        /* libvirt's words for a transport command that went away, with
         * what ssh said about it. */
        g_autofree char *why = remoteSSHStderr(priv->ssh);

        cairnErrorSet(error, CAIRN_FROM_RPC, CAIRN_ERR_SYSTEM_ERROR,
                      "End of file while reading data: %s%sInput/output error", why,
                      *why ? ": " : "");
        return NULL;
    }
    return remoteReplyFinish(proc, reply, err, error);
}


GVariant *
remoteDomainToVariant(const cairnDomain *dom)
{
    GVariant *uuid =
        g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, dom->uuid, CAIRN_UUID_BUFLEN, 1);

    return g_variant_new("(s@ayi)", dom->name, uuid, dom->id);
}


cairnDomain *
remoteDomainFromVariant(cairnConnect *conn, GVariant *value, GError **error)
{
    g_autoptr(GVariant) uuid = NULL;
    const char *name = NULL;
    const unsigned char *bytes;
    gsize len = 0;
    gint32 id = -1;

    g_variant_get(value, "(&s@ayi)", &name, &uuid, &id);
    bytes = g_variant_get_fixed_array(uuid, &len, 1);
    if (len != CAIRN_UUID_BUFLEN) {
        cairnErrorSet(error, CAIRN_FROM_RPC, CAIRN_ERR_RPC,
                      "malformed domain from the daemon (UUID of %zu bytes)", len);
        return NULL;
    }
    return cairnDomainNew(conn, name, bytes, id);
}


bool
remoteStringCheck(const char *text, const char *what, GError **error)
{
    size_t len = strlen(text);

    if (len > CAIRN_REMOTE_STRING_MAX) {
        cairnErrorSet(error, CAIRN_FROM_RPC, CAIRN_ERR_INVALID_ARG,
                      "%s is %zu bytes, more than the limit of %d", what, len,
                      CAIRN_REMOTE_STRING_MAX);
        return false;
    }
    if (!g_utf8_validate(text, (gssize)len, NULL)) {
        cairnErrorSet(error, CAIRN_FROM_RPC, CAIRN_ERR_INVALID_ARG, "%s is not valid UTF-8", what);
        return false;
    }
    return true;
}
