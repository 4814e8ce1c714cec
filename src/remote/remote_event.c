/*
 * remote_event.c: the DomainEvent signal, received (see remote_event.h).
 */
#include "remote_event.h"
#include "remote_protocol.h"

/* How one event id's payload becomes a callback call. */
typedef struct {
    int event_id;
    const char *payload_type;
    void (*deliver)(cairnConnect *conn, int callback_id, GVariant *domain, GVariant *payload);
} remoteEventInfo;

/* One row per event the public API offers; none yet (see
 * remote_event.h for how to add one). */
static const remoteEventInfo remoteEvents[] = {
    { -1, NULL, NULL },
};


static const remoteEventInfo *
remoteEventLookup(int event_id)
{
    for (size_t i = 0; i < G_N_ELEMENTS(remoteEvents); i++) {
        if (remoteEvents[i].deliver && remoteEvents[i].event_id == event_id)
            return &remoteEvents[i];
    }
    return NULL;
}


static void
remoteEventReceived(GDBusConnection *bus, const char *sender, const char *path,
                    const char *iface, const char *signal, GVariant *params, gpointer opaque)
{
    cairnConnect *conn = opaque;
    g_autoptr(GVariant) domain = NULL;
    g_autoptr(GVariant) payload = NULL;
    const remoteEventInfo *info;
    gint32 callback_id;
    gint32 event_id;

    if (!g_variant_is_of_type(params, G_VARIANT_TYPE("(ii(sayi)v)")))
        return;
    g_variant_get(params, "(ii@(sayi)v)", &callback_id, &event_id, &domain, &payload);
    if (!(info = remoteEventLookup(event_id)) ||
        !g_variant_is_of_type(payload, G_VARIANT_TYPE(info->payload_type))) {
        g_debug("ignoring event %d for callback %d: unknown id or payload", event_id,
                callback_id);
        return;
    }
    info->deliver(conn, callback_id, domain, payload);
}


void
remoteEventSubscribe(cairnConnect *conn, remotePrivate *priv)
{
    /* GDBus runs the callback in the thread-default context of this
     * thread (the global default one when none was pushed). The
     * connection outlives the subscription (remoteEventUnsubscribe runs
     * in connectClose), so @conn is not referenced. */
    priv->event_context = g_main_context_ref_thread_default();
    priv->event_subscription = g_dbus_connection_signal_subscribe(
        priv->bus, NULL, CAIRN_REMOTE_INTERFACE, CAIRN_REMOTE_SIGNAL_DOMAIN_EVENT,
        CAIRN_REMOTE_OBJECT_PATH, NULL, G_DBUS_SIGNAL_FLAGS_NONE, remoteEventReceived, conn, NULL);
}


void
remoteEventUnsubscribe(remotePrivate *priv)
{
    if (priv->event_subscription)
        g_dbus_connection_signal_unsubscribe(priv->bus, priv->event_subscription);
    priv->event_subscription = 0;
    g_clear_pointer(&priv->event_context, g_main_context_unref);
}
