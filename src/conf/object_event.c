/*
 * object_event.c: a connection's event callbacks and queue, dispatched
 * from a GLib main context.
 */
#include <string.h>

#include "object_event.h"
#include "util/cairnerror.h"

typedef struct _cairnEventCallback cairnEventCallback;
struct _cairnEventCallback {
    int callback_id;
    int event_id;
    bool has_dom; /* filter by dom_uuid */
    unsigned char dom_uuid[CAIRN_UUID_BUFLEN];
    cairnConnectDomainEventGenericCallback cb;
    void *opaque;
    cairnFreeCallback freecb;
    bool deleted; /* deregistered; freed when not dispatching */
};

struct _cairnEventState {
    GMutex lock;
    cairnConnect *conn;   /* the owner; not referenced */
    GPtrArray *callbacks; /* of cairnEventCallback*, registration order */
    GQueue queue;         /* of cairnDomainEvent*, FIFO */
    int next_id;
    int dispatching;       /* nesting depth of dispatch */
    GMainContext *context; /* where dispatch runs; set by the first registration */
    GSource *idle;         /* pending dispatch, or NULL */
};


static void
eventCallbackFree(cairnEventCallback *cb)
{
    if (cb->freecb)
        cb->freecb(cb->opaque);
    g_free(cb);
}


cairnEventState *
cairnEventStateNew(cairnConnect *conn)
{
    cairnEventState *state = g_new0(cairnEventState, 1);

    g_mutex_init(&state->lock);
    state->conn = conn;
    state->callbacks = g_ptr_array_new();
    g_queue_init(&state->queue);
    state->next_id = 1;
    return state;
}


void
cairnEventStateFree(cairnEventState *state)
{
    if (!state)
        return;
    if (state->idle) {
        g_source_destroy(state->idle);
        g_source_unref(state->idle);
    }
    g_queue_clear_full(&state->queue, (GDestroyNotify)cairnDomainEventFree);
    for (guint i = 0; i < state->callbacks->len; i++)
        eventCallbackFree(g_ptr_array_index(state->callbacks, i));
    g_ptr_array_unref(state->callbacks);
    if (state->context)
        g_main_context_unref(state->context);
    g_mutex_clear(&state->lock);
    g_free(state);
}


/* Call with the lock held. */
static cairnEventCallback *
eventStateFind(cairnEventState *state, int callback_id)
{
    for (guint i = 0; i < state->callbacks->len; i++) {
        cairnEventCallback *cb = g_ptr_array_index(state->callbacks, i);

        if (cb->callback_id == callback_id && !cb->deleted)
            return cb;
    }
    return NULL;
}


/* Call with the lock held. */
static bool
eventStateTracked(cairnEventState *state,
                  cairnDomain *dom,
                  int event_id,
                  cairnConnectDomainEventGenericCallback callback)
{
    for (guint i = 0; i < state->callbacks->len; i++) {
        cairnEventCallback *cb = g_ptr_array_index(state->callbacks, i);

        if (cb->deleted || cb->event_id != event_id || cb->cb != callback ||
            cb->has_dom != (dom != NULL))
            continue;
        if (!dom || memcmp(cb->dom_uuid, dom->uuid, CAIRN_UUID_BUFLEN) == 0)
            return true;
    }
    return false;
}


int
cairnEventStateRegister(cairnEventState *state,
                        cairnDomain *dom,
                        int event_id,
                        cairnConnectDomainEventGenericCallback cb,
                        void *opaque,
                        cairnFreeCallback freecb,
                        GError **error)
{
    cairnEventCallback *entry;
    g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new(&state->lock);

    if (eventStateTracked(state, dom, event_id, cb)) {
        cairnErrorSet(error, CAIRN_FROM_NONE, CAIRN_ERR_INVALID_ARG, "%s",
                      "event callback already tracked");
        return -1;
    }
    entry = g_new0(cairnEventCallback, 1);
    entry->callback_id = state->next_id++;
    entry->event_id = event_id;
    if (dom) {
        entry->has_dom = true;
        memcpy(entry->dom_uuid, dom->uuid, CAIRN_UUID_BUFLEN);
    }
    entry->cb = cb;
    entry->opaque = opaque;
    entry->freecb = freecb;
    g_ptr_array_add(state->callbacks, entry);
    if (!state->context)
        state->context = g_main_context_ref_thread_default();
    return entry->callback_id;
}


/* Free the callbacks marked deleted. Call with the lock held and not while
 * dispatching; the free callbacks run without it. */
static void
eventStatePurge(cairnEventState *state)
{
    g_autoptr(GPtrArray) dead = g_ptr_array_new();

    for (guint i = 0; i < state->callbacks->len;) {
        cairnEventCallback *cb = g_ptr_array_index(state->callbacks, i);

        if (cb->deleted) {
            g_ptr_array_add(dead, cb);
            g_ptr_array_remove_index(state->callbacks, i);
        } else {
            i++;
        }
    }
    g_mutex_unlock(&state->lock);
    for (guint i = 0; i < dead->len; i++)
        eventCallbackFree(g_ptr_array_index(dead, i));
    g_mutex_lock(&state->lock);
}


bool
cairnEventStateDeregister(cairnEventState *state, int callback_id, GError **error)
{
    cairnEventCallback *cb;
    g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new(&state->lock);

    if (!(cb = eventStateFind(state, callback_id))) {
        cairnErrorSet(error, CAIRN_FROM_NONE, CAIRN_ERR_INVALID_ARG,
                      "could not find event callback %d for deletion", callback_id);
        return false;
    }
    cb->deleted = true;
    if (!state->dispatching)
        eventStatePurge(state);
    return true;
}


int
cairnEventStateCount(cairnEventState *state, int event_id)
{
    int count = 0;
    g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new(&state->lock);

    for (guint i = 0; i < state->callbacks->len; i++) {
        cairnEventCallback *cb = g_ptr_array_index(state->callbacks, i);

        if (!cb->deleted && cb->event_id == event_id)
            count++;
    }
    return count;
}


static bool
eventCallbackMatches(const cairnEventCallback *cb, const cairnDomainEvent *event)
{
    if (cb->deleted || cb->event_id != event->event_id)
        return false;
    return !cb->has_dom || memcmp(cb->dom_uuid, event->dom_uuid, CAIRN_UUID_BUFLEN) == 0;
}


/* Dispatch one event to every matching callback, without the lock while a
 * callback runs. Call with the lock held. */
static void
eventStateDispatchOne(cairnEventState *state, const cairnDomainEvent *event)
{
    g_autoptr(cairnDomain) dom = NULL;

    dom = cairnDomainNew(state->conn, event->dom_name, event->dom_uuid, event->dom_id);
    /* Callbacks registered while this event is dispatched are appended
     * past @n: they see the next event, not this one. Nothing is removed
     * from the array while dispatching, so indexes stay valid. */
    for (guint i = 0, n = state->callbacks->len; i < n && i < state->callbacks->len; i++) {
        cairnEventCallback *cb = g_ptr_array_index(state->callbacks, i);

        if (!eventCallbackMatches(cb, event))
            continue;
        g_mutex_unlock(&state->lock);
        cairnDomainEventDispatch(event, state->conn, dom, cb->cb, cb->opaque);
        g_mutex_lock(&state->lock);
    }
    /* Drop the handle (and its connection reference) without the lock:
     * the last reference on the connection frees this state. */
    g_mutex_unlock(&state->lock);
    g_clear_pointer(&dom, cairnDomainUnref);
    g_mutex_lock(&state->lock);
}


/* Dispatch the whole queue. Call with the lock held. */
static void
eventStateDrain(cairnEventState *state)
{
    cairnDomainEvent *event;

    state->dispatching++;
    while ((event = g_queue_pop_head(&state->queue))) {
        eventStateDispatchOne(state, event);
        g_mutex_unlock(&state->lock);
        cairnDomainEventFree(event);
        g_mutex_lock(&state->lock);
    }
    state->dispatching--;
    if (!state->dispatching)
        eventStatePurge(state);
}


static gboolean
eventStateIdle(gpointer opaque)
{
    cairnEventState *state = opaque;
    cairnConnect *conn = state->conn;

    /* Keep the connection (and so this state) alive while callbacks run,
     * even if one of them closes it. */
    g_atomic_ref_count_inc(&conn->refs);
    g_mutex_lock(&state->lock);
    g_clear_pointer(&state->idle, g_source_unref);
    eventStateDrain(state);
    g_mutex_unlock(&state->lock);
    cairnConnectUnref(conn);
    return G_SOURCE_REMOVE;
}


void
cairnEventStateQueue(cairnEventState *state, cairnDomainEvent *event)
{
    g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new(&state->lock);
    bool wanted = false;

    for (guint i = 0; i < state->callbacks->len && !wanted; i++)
        wanted = eventCallbackMatches(g_ptr_array_index(state->callbacks, i), event);
    if (!wanted) {
        cairnDomainEventFree(event);
        return;
    }
    g_queue_push_tail(&state->queue, event);
    if (state->idle)
        return;
    state->idle = g_idle_source_new();
    g_source_set_priority(state->idle, G_PRIORITY_DEFAULT);
    g_source_set_callback(state->idle, eventStateIdle, state, NULL);
    g_source_set_name(state->idle, "cairn event dispatch");
    g_source_attach(state->idle, state->context);
}


void
cairnEventStateFlush(cairnEventState *state)
{
    g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new(&state->lock);

    if (state->idle) {
        g_source_destroy(state->idle);
        g_clear_pointer(&state->idle, g_source_unref);
    }
    eventStateDrain(state);
}


int
cairnConnectEventRegister(cairnConnect *conn,
                          cairnDomain *dom,
                          int event_id,
                          cairnConnectDomainEventGenericCallback cb,
                          void *opaque,
                          cairnFreeCallback freecb,
                          GError **error)
{
    return cairnEventStateRegister(conn->events, dom, event_id, cb, opaque, freecb, error);
}


bool
cairnConnectEventDeregister(cairnConnect *conn, int callback_id, GError **error)
{
    return cairnEventStateDeregister(conn->events, callback_id, error);
}


void
cairnConnectEmitEvent(cairnConnect *conn, cairnDomainEvent *event)
{
    cairnEventStateQueue(conn->events, event);
}
