/*
 * remote_stream.h: whole D-Bus messages on a plain stream socket, as the
 * call channel carries them (ConnectOpenChannel in cairn-remote.xml): each
 * message as g_dbus_message_to_blob() writes it, no file descriptors. Both
 * ends use it: the remote driver (remote_channel.c) and cairnd
 * (daemon/channel.c).
 *
 * Blocking I/O on the calling thread. Reads are buffered: one read()
 * usually brings a whole message, and bytes of the next stay for the next
 * call. Writes use MSG_NOSIGNAL: a peer that is gone is an error, never
 * SIGPIPE.
 */
#pragma once

#include <stdbool.h>
#include <gio/gio.h>

/* What was read from a stream and not taken yet. */
typedef struct {
    guchar *buf;
    gsize len; /* bytes in buf */
    gsize cap; /* size of buf */
} remoteStreamInput;

void remoteStreamInputClear(remoteStreamInput *in);

/* The next message on @fd, of at most @max bytes in all, or NULL with
 * @error set in G_IO_ERROR: CONNECTION_CLOSED at EOF (within a message
 * too) and for EPIPE or ECONNRESET, another code from errno,
 * MESSAGE_TOO_LARGE over @max, INVALID_DATA for bytes that are not a
 * D-Bus message (a serial of 0 included). After an error the stream is out of step: close it. */
GDBusMessage *remoteStreamRead(int fd, remoteStreamInput *in, gsize max, GError **error);

/* Write all of @blob to @fd; false with @error set (G_IO_ERROR from errno:
 * CONNECTION_CLOSED for a peer that is gone) when it cannot. */
bool remoteStreamWrite(int fd, const guchar *blob, gsize len, GError **error);
