/*
 * client.h: one peer of the daemon: its D-Bus connection, the object
 * registered on it and the driver connection it opened.
 */
#pragma once

#include <stdbool.h>
#include <gio/gio.h>

#include "cairnd.h"

struct _cairndClient {
    gatomicrefcount refs;
    cairndDaemon *daemon;
    unsigned int id;
    GDBusConnection *bus; /* NULL for a detached peer (cairndClientNewDetached()) */
    guint registration;   /* the org.cairn.Cairn1 object */
    guint hello;          /* org.freedesktop.DBus.Hello, for bus-minded tools */
    guint closed_handler;
    guint filter; /* cairndDispatchFilter, holding a reference */
    uid_t uid;
    pid_t pid;

    GMutex lock;        /* protects what follows */
    cairnConnect *conn; /* NULL until ConnectOpen, and after ConnectClose */
    bool readonly;
    GPtrArray *channels; /* the open call channels (channel.c's), not owned */
    unsigned int next_channel_id;
    bool gone; /* the bus connection closed: no new channel */
};

/* Register the object on @bus and start serving the peer; the daemon's
 * client list holds the reference. Called in the main loop. */
cairndClient *
cairndClientNew(cairndDaemon *daemon, GDBusConnection *bus, uid_t uid, pid_t pid, GError **error);

/* A peer on no bus, for in-process use (tests, fuzz targets): no object
 * registered, not in the daemon's client list, no events sent to it;
 * give it messages with cairndDispatchMessage(), as a call channel
 * would. @daemon must outlive it. The caller owns the reference. */
cairndClient *cairndClientNewDetached(cairndDaemon *daemon, uid_t uid, pid_t pid);

cairndClient *cairndClientRef(cairndClient *client);
void cairndClientUnref(cairndClient *client);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(cairndClient, cairndClientUnref)

/* The driver connection, with a reference, or NULL (with an error) when
 * the peer has not opened one. @ret_readonly tells how it was opened. */
cairnConnect *cairndClientGetConn(cairndClient *client, bool *ret_readonly, GError **error);

/* Open the hosted driver for the peer (ConnectOpen); fails if already open. */
bool cairndClientOpen(cairndClient *client, const char *uri, unsigned int flags, GError **error);

/* Drop the peer's driver connection (ConnectClose, or the peer left). */
void cairndClientClose(cairndClient *client);

/* Number of connected peers. */
unsigned int cairndClientCount(cairndDaemon *daemon);
