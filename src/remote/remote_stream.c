/*
 * remote_stream.c: whole D-Bus messages on a stream socket (see
 * remote_stream.h).
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "remote_stream.h"

/* The fixed start of every D-Bus message: enough for
 * g_dbus_message_bytes_needed() to tell the whole length. */
#define REMOTE_STREAM_HEADER 16
/* What one read asks for at least; a buffer grown past it for a big
 * message goes back to this size once that message is taken. */
#define REMOTE_STREAM_CHUNK 4096


void
remoteStreamInputClear(remoteStreamInput *in)
{
    g_clear_pointer(&in->buf, g_free);
    in->len = 0;
    in->cap = 0;
}


static void
remoteStreamSetErrno(GError **error, int errnum)
{
    g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errnum), "%s", g_strerror(errnum));
}


/* Read until @in holds at least @want bytes. */
static bool
remoteStreamFill(int fd, remoteStreamInput *in, gsize want, GError **error)
{
    if (in->cap < want || in->cap < REMOTE_STREAM_CHUNK) {
        in->cap = MAX(want, REMOTE_STREAM_CHUNK);
        in->buf = g_realloc(in->buf, in->cap);
    }
    while (in->len < want) {
        ssize_t n = read(fd, in->buf + in->len, in->cap - in->len);

        if (n > 0) {
            in->len += (gsize)n;
        } else if (n == 0) {
            g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                                in->len ? "end of stream within a message" : "end of stream");
            return false;
        } else if (errno != EINTR) {
            remoteStreamSetErrno(error, errno);
            return false;
        }
    }
    return true;
}


GDBusMessage *
remoteStreamRead(int fd, remoteStreamInput *in, gsize max, GError **error)
{
    g_autoptr(GError) err = NULL;
    GDBusMessage *message;
    gssize need;

    if (!remoteStreamFill(fd, in, REMOTE_STREAM_HEADER, error))
        return NULL;
    if ((need = g_dbus_message_bytes_needed(in->buf, REMOTE_STREAM_HEADER, NULL)) < 0 ||
        need < REMOTE_STREAM_HEADER) {
        g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                            "not the start of a D-Bus message");
        return NULL;
    }
    if ((gsize)need > max) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                    "a message of %" G_GSSIZE_FORMAT " bytes, over the limit of %" G_GSIZE_FORMAT,
                    need, max);
        return NULL;
    }
    if (!remoteStreamFill(fd, in, (gsize)need, error))
        return NULL;
    message =
        g_dbus_message_new_from_blob(in->buf, (gsize)need, G_DBUS_CAPABILITY_FLAGS_NONE, &err);
    if (!message) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "malformed D-Bus message: %s",
                    err->message);
        return NULL;
    }
    /* D-Bus forbids serial 0: no answer could refer to it. */
    if (g_dbus_message_get_serial(message) == 0) {
        g_object_unref(message);
        g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                            "malformed D-Bus message: serial 0");
        return NULL;
    }
    in->len -= (gsize)need;
    memmove(in->buf, in->buf + need, in->len);
    if (in->cap > REMOTE_STREAM_CHUNK && in->len <= REMOTE_STREAM_CHUNK) {
        in->cap = REMOTE_STREAM_CHUNK;
        in->buf = g_realloc(in->buf, in->cap);
    }
    return message;
}


bool
remoteStreamWrite(int fd, const guchar *blob, gsize len, GError **error)
{
    while (len > 0) {
        ssize_t n = send(fd, blob, len, MSG_NOSIGNAL);

        if (n > 0) {
            blob += n;
            len -= (gsize)n;
        } else if (n == 0) {
            remoteStreamSetErrno(error, EPIPE);
            return false;
        } else if (errno != EINTR) {
            remoteStreamSetErrno(error, errno);
            return false;
        }
    }
    return true;
}
