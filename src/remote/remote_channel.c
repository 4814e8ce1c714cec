/*
 * remote_channel.c: the call channel (see remote_channel.h).
 */
#include <fcntl.h>
#include <unistd.h>

#include "remote_channel.h"
#include "remote_protocol.h"
#include "remote_stream.h"

/* The largest reply taken: what GDBus takes on the bus (the D-Bus
 * specification's 128 MiB). */
#define REMOTE_CHANNEL_REPLY_MAX (128 * 1024 * 1024)

struct _remoteChannel {
    GMutex lock; /* held for a whole call; protects what follows */
    int fd;      /* -1 once dead */
    remoteStreamInput in;
    guint32 serial; /* of the last call */
    gint64 calls;   /* answered over the channel */
};


remoteChannel *
remoteChannelNew(int fd)
{
    remoteChannel *chan;

    /* g_unix_fd_list_get() sets close-on-exec already; a fork()+exec()
     * must never carry the channel, so make sure. */
    if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
        close(fd);
        return NULL;
    }
    chan = g_new0(remoteChannel, 1);
    g_mutex_init(&chan->lock);
    chan->fd = fd;
    return chan;
}


void
remoteChannelFree(remoteChannel *chan)
{
    if (!chan)
        return;
    if (chan->fd >= 0)
        close(chan->fd);
    remoteStreamInputClear(&chan->in);
    g_mutex_clear(&chan->lock);
    g_free(chan);
}


/* Read the reply to the call of @serial. */
static GDBusMessage *
remoteChannelReceive(remoteChannel *chan, guint32 serial, GError **error)
{
    g_autoptr(GDBusMessage) reply = NULL;
    GDBusMessageType type;

    if (!(reply = remoteStreamRead(chan->fd, &chan->in, REMOTE_CHANNEL_REPLY_MAX, error)))
        return NULL;
    type = g_dbus_message_get_message_type(reply);
    if ((type != G_DBUS_MESSAGE_TYPE_METHOD_RETURN && type != G_DBUS_MESSAGE_TYPE_ERROR) ||
        g_dbus_message_get_reply_serial(reply) != serial) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                    "the daemon's message on the call channel (type %d) answers call %u, "
                    "not call %u",
                    (int)type, g_dbus_message_get_reply_serial(reply), serial);
        return NULL;
    }
    return g_steal_pointer(&reply);
}


bool
remoteChannelCall(remoteChannel *chan, GDBusMessage *msg, GDBusMessage **ret_reply, GError **error)
{
    g_autofree guchar *blob = NULL;
    GDBusMessage *reply = NULL;
    gsize len = 0;

    if (!g_mutex_trylock(&chan->lock))
        return false;
    if (chan->fd < 0) {
        g_mutex_unlock(&chan->lock);
        return false;
    }
    if (++chan->serial == 0)
        chan->serial = 1;
    g_dbus_message_set_serial(msg, chan->serial);
    /* A call the channel does not take (too big: the daemon would close
     * the channel) goes to the bus, which answers it properly. */
    if (!(blob = g_dbus_message_to_blob(msg, &len, G_DBUS_CAPABILITY_FLAGS_NONE, NULL)) ||
        len > CAIRN_REMOTE_CHANNEL_CALL_MAX) {
        g_mutex_unlock(&chan->lock);
        return false;
    }
    if (remoteStreamWrite(chan->fd, blob, len, error) &&
        (reply = remoteChannelReceive(chan, chan->serial, error))) {
        chan->calls++;
    } else {
        close(chan->fd);
        chan->fd = -1;
        remoteStreamInputClear(&chan->in);
    }
    g_mutex_unlock(&chan->lock);
    *ret_reply = reply;
    return true;
}


gint64
remoteChannelCalls(remoteChannel *chan)
{
    gint64 calls;

    g_mutex_lock(&chan->lock);
    calls = chan->fd < 0 ? -1 : chan->calls;
    g_mutex_unlock(&chan->lock);
    return calls;
}
