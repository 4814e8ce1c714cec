/*
 * remote_event.h: domain events from the daemon.
 *
 * The daemon sends every event as one signal, DomainEvent(callback_id,
 * event_id, domain, payload), to the peer that registered the callback;
 * the remote driver subscribes once per connection and hands each signal
 * to the decoder its event id names in remote_event.c's table, in the
 * GLib main context that was the thread default when the connection was
 * opened (the global default context otherwise), so callbacks run where
 * an embedded connection would run them.
 *
 * Adding an event (with the event API):
 *   1. remote_event.c: a row { EVENT_ID, "(payload type)", decoder } whose
 *      decoder turns the payload into the callback's arguments and calls
 *      the callback registered under callback_id;
 *   2. daemon/dispatch_event.c: the matching encoder, called from the
 *      callback the daemon registered with its driver for that peer;
 *   3. cairn-remote.xml: ConnectDomainEventRegisterAny(i event_id,
 *      (sayi) domain or an empty name for all, -> i callback_id) and
 *      ConnectDomainEventDeregisterAny(i callback_id), once, for all
 *      events, like any other driver slot.
 * A client whose connection broke opens a new one and registers again.
 */
#pragma once

#include "datatypes.h"
#include "remote_private.h"

void remoteEventSubscribe(cairnConnect *conn, remotePrivate *priv);
void remoteEventUnsubscribe(remotePrivate *priv);
