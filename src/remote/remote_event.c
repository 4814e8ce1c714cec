/*
 * remote_event.c: domain events through the daemon (see remote_event.h).
 */
#include "cairn/cairn-error.h"
#include "conf/domain_event.h"
#include "conf/object_event.h"
#include "remote_calls.h"
#include "remote_event.h"
#include "remote_protocol.h"
#include "util/cairnerror.h"


static void
remoteEventReceived(GDBusConnection *bus,
                    const char *sender,
                    const char *path,
                    const char *iface,
                    const char *signal,
                    GVariant *params,
                    gpointer opaque)
{
    cairnConnect *conn = opaque;
    g_autoptr(GVariant) payload = NULL;
    g_autoptr(GError) err = NULL;
    cairnDomainEvent *event;
    gint32 callback_id;

    if (!g_variant_is_of_type(params, G_VARIANT_TYPE("(iv)")))
        return;
    g_variant_get(params, "(iv)", &callback_id, &payload);
    if (!(event = cairnDomainEventFromVariant(payload, &err))) {
        g_debug("ignoring event for daemon callback %d: %s", callback_id, err->message);
        return;
    }
    cairnConnectEmitEvent(conn, event);
}


void
remoteEventSubscribe(cairnConnect *conn, remotePrivate *priv)
{
    /* GDBus runs the callback in the thread-default context of this
     * thread (the global default one when none was pushed); it only
     * queues the event, dispatch happens where conn->events says. The
     * connection outlives the subscription (remoteEventUnsubscribe runs
     * in connectClose), so @conn is not referenced. */
    g_mutex_init(&priv->event_lock);
    priv->callback_events = g_hash_table_new(NULL, NULL);
    priv->event_context = g_main_context_ref_thread_default();
    priv->event_subscription = g_dbus_connection_signal_subscribe(
        priv->bus, NULL, CAIRN_REMOTE_INTERFACE, CAIRN_REMOTE_SIGNAL_DOMAIN_EVENT,
        CAIRN_REMOTE_OBJECT_PATH, NULL, G_DBUS_SIGNAL_FLAGS_NONE, remoteEventReceived, conn, NULL);
}


void
remoteEventUnsubscribe(remotePrivate *priv)
{
    if (!priv->callback_events)
        return;
    if (priv->event_subscription)
        g_dbus_connection_signal_unsubscribe(priv->bus, priv->event_subscription);
    priv->event_subscription = 0;
    g_clear_pointer(&priv->event_context, g_main_context_unref);
    g_clear_pointer(&priv->callback_events, g_hash_table_unref);
    g_mutex_clear(&priv->event_lock);
}


/* Ask the daemon for @event_id unless it sends it already. Called with
 * event_lock held. */
static bool
remoteEventDaemonStart(cairnConnect *conn, remotePrivate *priv, int event_id, GError **error)
{
    g_autoptr(GVariant) reply = NULL;
    gint32 id = 0;

    if (priv->daemon_callback[event_id])
        return true;
    if (!(reply = remoteCall(conn, REMOTE_PROC_CONNECT_DOMAIN_EVENT_REGISTER_ANY,
                             g_variant_new("(i)", event_id), error)))
        return false;
    g_variant_get(reply, "(i)", &id);
    priv->daemon_callback[event_id] = id;
    return true;
}


/* Tell the daemon to stop sending @event_id once no local callback wants
 * it. Called with event_lock held. */
static void
remoteEventDaemonStop(cairnConnect *conn, remotePrivate *priv, int event_id)
{
    g_autoptr(GVariant) reply = NULL;

    if (!priv->daemon_callback[event_id] || cairnEventStateCount(conn->events, event_id) > 0)
        return;
    reply = remoteCall(conn, REMOTE_PROC_CONNECT_DOMAIN_EVENT_DEREGISTER_ANY,
                       g_variant_new("(i)", priv->daemon_callback[event_id]), NULL);
    priv->daemon_callback[event_id] = 0;
}


int
remoteConnectDomainEventRegisterAny(cairnConnect *conn,
                                    cairnDomain *dom,
                                    int eventID,
                                    cairnConnectDomainEventGenericCallback cb,
                                    void *opaque,
                                    cairnFreeCallback freecb,
                                    GError **error)
{
    remotePrivate *priv = conn->privateData;
    int id = -1;

    if (eventID < 0 || eventID >= CAIRN_DOMAIN_EVENT_ID_COUNT) {
        cairnErrorSet(error, CAIRN_FROM_REMOTE, CAIRN_ERR_INVALID_ARG, "unsupported event ID %d",
                      eventID);
        return -1;
    }
    g_mutex_lock(&priv->event_lock);
    if (remoteEventDaemonStart(conn, priv, eventID, error)) {
        id = cairnEventStateRegister(conn->events, dom, eventID, cb, opaque, freecb, error);
        if (id > 0)
            g_hash_table_insert(priv->callback_events, GINT_TO_POINTER(id),
                                GINT_TO_POINTER(eventID + 1));
        else
            remoteEventDaemonStop(conn, priv, eventID);
    }
    g_mutex_unlock(&priv->event_lock);
    return id;
}


bool
remoteConnectDomainEventDeregisterAny(cairnConnect *conn, int callbackID, GError **error)
{
    remotePrivate *priv = conn->privateData;
    int event_id;
    bool ok;

    g_mutex_lock(&priv->event_lock);
    event_id =
        GPOINTER_TO_INT(g_hash_table_lookup(priv->callback_events, GINT_TO_POINTER(callbackID))) -
        1;
    if ((ok = cairnEventStateDeregister(conn->events, callbackID, error)) && event_id >= 0) {
        g_hash_table_remove(priv->callback_events, GINT_TO_POINTER(callbackID));
        remoteEventDaemonStop(conn, priv, event_id);
    }
    g_mutex_unlock(&priv->event_lock);
    return ok;
}
