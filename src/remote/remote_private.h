/*
 * remote_private.h: the remote driver's connection state and the helpers
 * its calls share: one method call, and domains on the wire.
 */
#pragma once

#include <stdbool.h>
#include <gio/gio.h>
#include <gio/gunixfdlist.h>

#include "datatypes.h"
#include "driver.h"
#include "remote_channel.h"
#include "remote_protocol.h"
#include "remote_ssh.h"

typedef struct _remotePrivate remotePrivate;
struct _remotePrivate {
    GDBusConnection *bus;   /* to the daemon; owned */
    remoteSSH *ssh;         /* the ssh process the bus runs over, or NULL; owned */
    remoteChannel *channel; /* the call channel; NULL: every call takes the bus */
    char *type;             /* the daemon's driver name */
    unsigned long daemon_version;
    guint event_subscription;    /* DomainEvent signal subscription, 0 if none */
    GMainContext *event_context; /* where the signal arrives (a reference) */
    GMutex event_lock;           /* protects what follows */
    int daemon_callback[CAIRN_DOMAIN_EVENT_ID_COUNT]; /* the daemon's id per event id, 0 if none */
    GHashTable *callback_events;                      /* local callback id -> event id */
};

/* Route @bus's replies to the calls of remoteCallBus() (a GDBus filter);
 * once, before the first call. */
void remoteWireAttach(GDBusConnection *bus);

/* Call @proc with @params (floating, consumed; NULL for none) on @bus;
 * returns the reply tuple, checked against the method's out arguments,
 * or NULL with the daemon's error restored. */
GVariant *
remoteCallBus(GDBusConnection *bus, remoteProcedure proc, GVariant *params, GError **error);

/* As remoteCallBus(), and *@ret_fds (when not NULL) gets the reply's file
 * descriptors (a reference; NULL when it has none). */
GVariant *remoteCallBusFDs(GDBusConnection *bus,
                           remoteProcedure proc,
                           GVariant *params,
                           GUnixFDList **ret_fds,
                           GError **error);

/* As remoteCallBus() on @conn's daemon, over the call channel when the
 * connection has one and no other thread is on it (remote_channel.h). */
GVariant *remoteCall(cairnConnect *conn, remoteProcedure proc, GVariant *params, GError **error);

/* A domain as (sayi): name, raw UUID, id. Floating. */
GVariant *remoteDomainToVariant(const cairnDomain *dom);

/* A new handle on @conn from a (sayi) reply; NULL if it is malformed. */
cairnDomain *remoteDomainFromVariant(cairnConnect *conn, GVariant *value, GError **error);

/* True when @text can travel as a D-Bus string (valid UTF-8, at most
 * CAIRN_REMOTE_STRING_MAX bytes); otherwise CAIRN_ERR_INVALID_ARG naming
 * @what. */
bool remoteStringCheck(const char *text, const char *what, GError **error);
