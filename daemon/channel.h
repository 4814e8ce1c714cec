/*
 * channel.h: call channels (ConnectOpenChannel in cairn-remote.xml).
 *
 * A channel is one end of a socket pair whose other end the peer got over
 * its authenticated D-Bus connection; it belongs to that peer (the same
 * cairndClient: uid, read-only state, driver connection). One thread per
 * channel reads whole D-Bus messages with blocking reads, runs each through
 * the dispatcher (cairndDispatchMessage(): the same checks and handlers as
 * the bus) and writes the answer, so a call costs no thread hop in the
 * daemon. The thread ends at EOF, at an I/O error or a message it cannot
 * frame (then it closes the channel), or when the peer's bus connection
 * goes away (cairndChannelShutdownAll()).
 *
 * Each thread is joined by the daemon: ended ones when the next channel
 * opens, all of them when the daemon stops (cairndChannelJoinAll()).
 * Calls on a channel run inline on its thread and do not count against
 * --workers: a peer has at most CAIRN_REMOTE_CHANNEL_MAX channels, and
 * peers are limited by --max-clients.
 */
#pragma once

#include <stdbool.h>
#include <gio/gio.h>

#include "client.h"

/* Open a channel for @client and start its thread; returns the peer's end
 * (close-on-exec; the caller owns it) or -1 with @error set: the peer has
 * CAIRN_REMOTE_CHANNEL_MAX channels already, or is gone. */
int cairndChannelOpen(cairndClient *client, GError **error);

/* The peer's bus connection is gone (or the daemon stops): refuse new
 * channels for @client and shut down every open one, which wakes its
 * thread; the thread ends after the call it may be running. Does not
 * wait. */
void cairndChannelShutdownAll(cairndClient *client);

/* Join every channel thread of @daemon, after every client's channels were
 * shut down (cairndServerStop()) and no call can open a new one. */
void cairndChannelJoinAll(cairndDaemon *daemon);
