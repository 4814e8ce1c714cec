/*
 * remote_event.h: domain events through the daemon.
 *
 * Callbacks live in the client's own connection (conn->events, as with an
 * embedded driver: same registration rules, same dispatch in the main
 * context of the first registration). The daemon is asked for an event
 * id when the first local callback for it is registered
 * (ConnectDomainEventRegisterAny, for all domains) and told to stop when
 * the last one goes; it sends each event as the DomainEvent signal
 * (callback_id, cairnDomainEventToVariant()), which the remote driver
 * emits into the connection, whose state filters by domain and dispatches.
 *
 * A client whose daemon went away opens a new connection and registers
 * again; the old connection's callbacks are freed when it is closed.
 *
 * Adding an event id the daemon must forward: a callback of its shape in
 * daemon/dispatch_event.c that rebuilds the cairnDomainEvent; nothing
 * changes here or in the protocol.
 */
#pragma once

#include "datatypes.h"
#include "remote_private.h"

void remoteEventSubscribe(cairnConnect *conn, remotePrivate *priv);
void remoteEventUnsubscribe(remotePrivate *priv);
