/*
 * object_event.h: a connection's event registry and queue.
 *
 * Every cairnConnect owns one cairnEventState (conn->events). Callbacks are
 * registered with an event ID and an optional domain filter; each gets a
 * positive callback ID. A driver emits with cairnConnectEmitEvent() from any
 * thread: the event is queued and, in the GMainContext that was
 * thread-default when the first callback was registered, an idle source
 * dispatches the queue in FIFO order, each event to the matching callbacks
 * in registration order. Events emitted while no callback is registered
 * for their ID are dropped at once.
 *
 * A callback deregistered (even from inside another callback) is never
 * called again; its free callback runs once nothing dispatches it any more.
 * Closing the connection frees the state: queued events are dropped and
 * every remaining free callback runs.
 *
 * Drivers: the test and qemu drivers put cairnEventStateRegister/
 * cairnEventStateDeregister (via the helpers below) in their tables; the
 * remote driver also asks the daemon for the event ID when
 * cairnEventStateCount() goes from 0 to 1 (and stops at 0), and emits what
 * the daemon sends into its own connection.
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "cairn/cairn-event.h"
#include "datatypes.h"
#include "domain_event.h"

typedef struct _cairnEventState cairnEventState;

/* A new, empty state for @conn (not referenced: the connection owns it). */
cairnEventState *cairnEventStateNew(cairnConnect *conn);
void cairnEventStateFree(cairnEventState *state);

/* Register; returns the callback ID (>= 1), or -1 with
 * CAIRN_ERR_INVALID_ARG when the same @cb is already registered for the
 * same @event_id and domain ("event callback already tracked"). @dom NULL
 * = every domain; otherwise only events of the domain with @dom's UUID. */
int cairnEventStateRegister(cairnEventState *state,
                            cairnDomain *dom,
                            int event_id,
                            cairnConnectDomainEventGenericCallback cb,
                            void *opaque,
                            cairnFreeCallback freecb,
                            GError **error);

/* Deregister; CAIRN_ERR_INVALID_ARG "could not find event callback N for
 * deletion" when unknown. */
bool cairnEventStateDeregister(cairnEventState *state, int callback_id, GError **error);

/* Live callbacks registered for @event_id (any domain). */
int cairnEventStateCount(cairnEventState *state, int event_id);

/* Queue @event (stolen) for dispatch. Thread-safe. */
void cairnEventStateQueue(cairnEventState *state, cairnDomainEvent *event);

/* Dispatch everything queued now, in the calling thread, instead of from
 * the main loop. For tests. */
void cairnEventStateFlush(cairnEventState *state);

/* The driver-table helpers: register/deregister on conn->events. */
int cairnConnectEventRegister(cairnConnect *conn,
                              cairnDomain *dom,
                              int event_id,
                              cairnConnectDomainEventGenericCallback cb,
                              void *opaque,
                              cairnFreeCallback freecb,
                              GError **error);
bool cairnConnectEventDeregister(cairnConnect *conn, int callback_id, GError **error);

/* What drivers call to emit: queue @event (stolen) on @conn's state. */
void cairnConnectEmitEvent(cairnConnect *conn, cairnDomainEvent *event);
