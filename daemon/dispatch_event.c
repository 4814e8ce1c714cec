/*
 * dispatch_event.c: events for a peer. The daemon registers, on the
 * peer's own connection, one callback per event id the peer asked for
 * (for every domain); the callback rebuilds the event as a value and sends
 * it to that peer as the DomainEvent signal. Callbacks run in the
 * daemon's main loop (object_event.h); emitting a signal is thread-safe
 * and does not wait for the peer.
 */
#include "cairn/cairn.h"
#include "conf/domain_event.h"
#include "dispatch.h"
#include "remote/remote_protocol.h"
#include "util/cairnerror.h"
#include "util/cairntypedparam.h"

/* The generic type RegisterAny takes; the cast goes through void (*)(void)
 * as GCC's -Wcast-function-type wants for a deliberate one. */
#define CAIRND_EVENT_CB(cb) ((cairnConnectDomainEventGenericCallback)(void (*)(void))(cb))

/* What a callback needs to reach its peer. */
typedef struct {
    cairndClient *client; /* a reference */
    gint callback_id;     /* the id the peer was given; set right after registration */
} cairndEventTarget;


static void
cairndEventTargetFree(void *opaque)
{
    cairndEventTarget *target = opaque;

    cairndClientUnref(target->client);
    g_free(target);
}


/* Send @event (stolen) to the peer of @target. */
static void
cairndEventSend(cairndEventTarget *target, cairnDomainEvent *event)
{
    g_autoptr(cairnDomainEvent) owned = event;
    g_autoptr(GError) err = NULL;

    if (!target->client->bus) {
        g_debug("client %u: event dropped: the peer is on no bus", target->client->id);
        return;
    }
    if (!g_dbus_connection_emit_signal(
            target->client->bus, NULL, CAIRN_REMOTE_OBJECT_PATH, CAIRN_REMOTE_INTERFACE,
            CAIRN_REMOTE_SIGNAL_DOMAIN_EVENT,
            g_variant_new("(i@v)", g_atomic_int_get(&target->callback_id),
                          g_variant_new_variant(cairnDomainEventToVariant(owned))),
            &err))
        g_debug("client %u: event lost: %s", target->client->id, err->message);
}


static int
cairndEventLifecycle(cairnConnectPtr conn, cairnDomainPtr dom, int event, int detail, void *opaque)
{
    cairndEventSend(opaque,
                    cairnDomainEventLifecycleNew(dom->name, dom->uuid, dom->id, event, detail));
    return 0;
}


static void
cairndEventBlockJob(cairnConnectPtr conn,
                    cairnDomainPtr dom,
                    const char *disk,
                    int type,
                    int status,
                    void *opaque,
                    int event_id)
{
    cairndEventSend(opaque, cairnDomainEventBlockJobNew(dom->name, dom->uuid, dom->id, event_id,
                                                        disk, type, status));
}


static void
cairndEventBlockJob1(
    cairnConnectPtr conn, cairnDomainPtr dom, const char *disk, int type, int status, void *opaque)
{
    cairndEventBlockJob(conn, dom, disk, type, status, opaque, CAIRN_DOMAIN_EVENT_ID_BLOCK_JOB);
}


static void
cairndEventBlockJob2(
    cairnConnectPtr conn, cairnDomainPtr dom, const char *disk, int type, int status, void *opaque)
{
    cairndEventBlockJob(conn, dom, disk, type, status, opaque, CAIRN_DOMAIN_EVENT_ID_BLOCK_JOB_2);
}


static void
cairndEventJobCompleted(cairnConnectPtr conn,
                        cairnDomainPtr dom,
                        cairnTypedParameterPtr params,
                        int nparams,
                        void *opaque)
{
    cairndEventSend(opaque, cairnDomainEventJobCompletedNew(dom->name, dom->uuid, dom->id,
                                                            cairnTypedParamsCopy(params, nparams),
                                                            nparams));
}


/* Event ids no driver emits: registering works, nothing ever comes. */
static void
cairndEventNever(cairnConnectPtr conn, cairnDomainPtr dom, void *opaque)
{
}


static cairnConnectDomainEventGenericCallback
cairndEventCallbackFor(int event_id)
{
    switch (event_id) {
    case CAIRN_DOMAIN_EVENT_ID_LIFECYCLE:
        return CAIRND_EVENT_CB(cairndEventLifecycle);
    case CAIRN_DOMAIN_EVENT_ID_BLOCK_JOB:
        return CAIRND_EVENT_CB(cairndEventBlockJob1);
    case CAIRN_DOMAIN_EVENT_ID_BLOCK_JOB_2:
        return CAIRND_EVENT_CB(cairndEventBlockJob2);
    case CAIRN_DOMAIN_EVENT_ID_JOB_COMPLETED:
        return CAIRND_EVENT_CB(cairndEventJobCompleted);
    default:
        return cairndEventNever;
    }
}


GVariant *
cairndConnectDomainEventRegisterAny(cairndClient *client,
                                    cairnConnect *conn,
                                    GVariant *params,
                                    GError **error)
{
    cairndEventTarget *target = g_new0(cairndEventTarget, 1);
    gint32 event_id = 0;
    int id;

    g_variant_get(params, "(i)", &event_id);
    target->client = cairndClientRef(client);
    id = cairnConnectDomainEventRegisterAny(conn, NULL, event_id, cairndEventCallbackFor(event_id),
                                            target, cairndEventTargetFree);
    if (id < 0) {
        cairndEventTargetFree(target);
        cairndLastError(error);
        return NULL;
    }
    g_atomic_int_set(&target->callback_id, id);
    return g_variant_new("(i)", id);
}


GVariant *
cairndConnectDomainEventDeregisterAny(cairndClient *client,
                                      cairnConnect *conn,
                                      GVariant *params,
                                      GError **error)
{
    gint32 id = 0;

    g_variant_get(params, "(i)", &id);
    if (cairnConnectDomainEventDeregisterAny(conn, id) < 0)
        cairndLastError(error);
    return NULL;
}
