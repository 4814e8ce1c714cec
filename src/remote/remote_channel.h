/*
 * remote_channel.h: the remote driver's call channel (ConnectOpenChannel
 * in cairn-remote.xml).
 *
 * Right after ConnectOpen, a connection asks the daemon for one channel: a
 * socket of its own on which the calling thread writes a call and reads its
 * reply itself, whole D-Bus messages of the same protocol, with none of
 * GDBus's thread hops. A call takes the channel when no other thread is on
 * it (g_mutex_trylock()); otherwise, or when there is no channel, it takes
 * the bus connection as before, so concurrent calls stay concurrent.
 * Everything else (events, ConnectOpen, ConnectClose) stays on the bus.
 *
 * Replies on the channel and DomainEvent signals on the bus are not
 * ordered with each other. They never were: the daemon emits events from
 * its main loop and replies from its workers, and the library delivers
 * events only when the application's main context runs, after the call
 * that caused them returned. So every call, event registration included,
 * may take the channel.
 *
 * CAIRN_REMOTE_CHANNEL=0 in the environment makes new connections do
 * without a channel (tests and benchmarks of the bus lane). The driver
 * asks for the channel (remote_driver.c); this file only runs it.
 */
#pragma once

#include <stdbool.h>
#include <gio/gio.h>


typedef struct _remoteChannel remoteChannel;

/* A channel on @fd, the client's end that the daemon handed over
 * (ConnectOpenChannel, asked by remote_driver.c); takes @fd. NULL (with
 * @fd closed) if it cannot be made close-on-exec: calls take the bus. */
remoteChannel *remoteChannelNew(int fd);

/* Close the channel (the daemon's thread for it ends). Accepts NULL. */
void remoteChannelFree(remoteChannel *chan);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(remoteChannel, remoteChannelFree)

/* Make the call @msg (not sent yet, not locked) over @chan in this thread.
 * False, with nothing sent, when another thread is on the channel, it is
 * dead, or @msg is too big for it: send @msg on the bus instead. True
 * when the channel took the call: then *@ret_reply is the reply (a method
 * return or an error, its reply serial checked), or NULL with @error set
 * to a GIO error (remote_stream.h): G_IO_ERROR_CONNECTION_CLOSED when the
 * daemon is gone, which remoteErrorFromDBus() makes the bus's disconnect
 * error. A channel that failed once is dead: later calls take the bus. */
bool
remoteChannelCall(remoteChannel *chan, GDBusMessage *msg, GDBusMessage **ret_reply, GError **error);

/* The calls answered over @chan so far, or -1 once it died. */
gint64 remoteChannelCalls(remoteChannel *chan);
