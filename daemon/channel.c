/*
 * channel.c: call channels (see channel.h).
 */
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cairn/cairn-error.h"
#include "channel.h"
#include "dispatch.h"
#include "remote/remote_protocol.h"
#include "remote/remote_stream.h"
#include "util/cairnerror.h"

typedef struct {
    cairndDaemon *daemon;
    cairndClient *client; /* a reference, dropped when the thread ends */
    unsigned int client_id;
    unsigned int id;
    int fd; /* the daemon's end; the thread closes it when it ends */
    remoteStreamInput in;
    guint32 serial; /* of the last answer */
    guint64 calls;
    GThread *thread; /* joined by cairndChannelReap() or cairndChannelJoinAll() */
    gint ended;      /* atomic: the thread is about to return */
} cairndChannel;


/* The next message on @chan, or NULL when the channel is to end: EOF, an
 * I/O error, or bytes that are not a message within the limit. */
static GDBusMessage *
cairndChannelReceive(cairndChannel *chan)
{
    g_autoptr(GError) err = NULL;
    GDBusMessage *message;

    if (!(message = remoteStreamRead(chan->fd, &chan->in, CAIRN_REMOTE_CHANNEL_CALL_MAX, &err))) {
        if (g_error_matches(err, G_IO_ERROR, G_IO_ERROR_INVALID_DATA) ||
            g_error_matches(err, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE))
            g_info("client %u: channel %u: closing it: %s", chan->client_id, chan->id,
                   err->message);
        else
            g_debug("client %u: channel %u: %s", chan->client_id, chan->id, err->message);
    }
    return message;
}


/* Write @answer (NULL: none is due) on @chan; false when the channel is
 * to end. */
static bool
cairndChannelAnswer(cairndChannel *chan, GDBusMessage *answer)
{
    g_autoptr(GError) err = NULL;
    g_autofree guchar *blob = NULL;
    gsize len = 0;

    if (!answer)
        return true;
    if (++chan->serial == 0)
        chan->serial = 1;
    g_dbus_message_set_serial(answer, chan->serial);
    if (!(blob = g_dbus_message_to_blob(answer, &len, G_DBUS_CAPABILITY_FLAGS_NONE, &err))) {
        g_warning("client %u: channel %u: cannot write an answer: %s", chan->client_id, chan->id,
                  err->message);
        return false;
    }
    if (!remoteStreamWrite(chan->fd, blob, len, &err)) {
        g_debug("client %u: channel %u: %s", chan->client_id, chan->id, err->message);
        return false;
    }
    return true;
}


/* Serve one message of @chan; false when the channel is to end. */
static bool
cairndChannelServeOne(cairndChannel *chan)
{
    g_autoptr(GDBusMessage) message = NULL;
    g_autoptr(GDBusMessage) answer = NULL;
    bool counted;
    bool ok;

    if (!(message = cairndChannelReceive(chan)))
        return false;
    chan->calls++;
    if ((counted = cairndDaemonCallBegin(chan->daemon)))
        answer = cairndDispatchMessage(chan->client, message, G_DBUS_CAPABILITY_FLAGS_NONE);
    else
        answer = cairndDispatchRefuse(message);
    ok = cairndChannelAnswer(chan, answer);
    if (counted)
        cairndDaemonCallEnd(chan->daemon);
    return ok;
}


/* The channel's thread. */
static gpointer
cairndChannelRun(gpointer opaque)
{
    cairndChannel *chan = opaque;
    cairndClient *client = chan->client;

    while (cairndChannelServeOne(chan))
        ;
    g_mutex_lock(&client->lock);
    g_ptr_array_remove_fast(client->channels, chan);
    g_mutex_unlock(&client->lock);
    /* No one can shut it down any more: closing it cannot hit a reused fd. */
    close(chan->fd);
    chan->fd = -1;
    remoteStreamInputClear(&chan->in);
    g_debug("client %u: channel %u: closed after %" G_GUINT64_FORMAT " messages", chan->client_id,
            chan->id, chan->calls);
    g_clear_pointer(&chan->client, cairndClientUnref);
    g_atomic_int_set(&chan->ended, 1);
    return NULL;
}


/* Join and free the channels of @daemon whose thread has ended. */
static void
cairndChannelReap(cairndDaemon *daemon)
{
    g_autoptr(GPtrArray) ended = g_ptr_array_new();

    g_mutex_lock(&daemon->lock);
    for (guint i = 0; i < daemon->channels->len;) {
        cairndChannel *chan = g_ptr_array_index(daemon->channels, i);

        if (g_atomic_int_get(&chan->ended))
            g_ptr_array_add(ended, g_ptr_array_steal_index_fast(daemon->channels, i));
        else
            i++;
    }
    g_mutex_unlock(&daemon->lock);
    for (guint i = 0; i < ended->len; i++) {
        cairndChannel *chan = g_ptr_array_index(ended, i);

        g_thread_join(chan->thread);
        g_free(chan);
    }
}


/* Count @chan among @client's channels, unless the peer is gone or has
 * as many as it may. */
static bool
cairndChannelAdd(cairndClient *client, cairndChannel *chan, GError **error)
{
    bool ok = false;

    g_mutex_lock(&client->lock);
    if (client->gone) {
        cairnErrorSet(error, CAIRN_FROM_RPC, CAIRN_ERR_OPERATION_INVALID, "%s",
                      "the connection is closing");
    } else if (client->channels->len >= CAIRN_REMOTE_CHANNEL_MAX) {
        cairnErrorSet(error, CAIRN_FROM_RPC, CAIRN_ERR_OPERATION_FAILED,
                      "too many call channels: at most %d per connection",
                      CAIRN_REMOTE_CHANNEL_MAX);
    } else {
        chan->id = ++client->next_channel_id;
        g_ptr_array_add(client->channels, chan);
        ok = true;
    }
    g_mutex_unlock(&client->lock);
    return ok;
}


int
cairndChannelOpen(cairndClient *client, GError **error)
{
    cairndDaemon *daemon = client->daemon;
    g_autoptr(GError) err = NULL;
    cairndChannel *chan;
    int fds[2];

    cairndChannelReap(daemon);
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0) {
        cairnErrorSetErrno(error, CAIRN_FROM_RPC, errno, "%s", "cannot make a call channel");
        return -1;
    }
    chan = g_new0(cairndChannel, 1);
    chan->daemon = daemon;
    chan->client = cairndClientRef(client);
    chan->client_id = client->id;
    chan->fd = fds[0];
    if (!cairndChannelAdd(client, chan, error))
        goto fail;
    /* Under the daemon's lock, so that no reaper sees the channel before
     * its thread is recorded. */
    g_mutex_lock(&daemon->lock);
    if ((chan->thread = g_thread_try_new("cairnd-channel", cairndChannelRun, chan, &err)))
        g_ptr_array_add(daemon->channels, chan);
    g_mutex_unlock(&daemon->lock);
    if (!chan->thread) {
        g_mutex_lock(&client->lock);
        g_ptr_array_remove_fast(client->channels, chan);
        g_mutex_unlock(&client->lock);
        cairnErrorSet(error, CAIRN_FROM_RPC, CAIRN_ERR_OPERATION_FAILED,
                      "cannot start a call channel: %s", err->message);
        goto fail;
    }
    g_debug("client %u: channel %u: open", client->id, chan->id);
    return fds[1];

fail:
    close(fds[0]);
    close(fds[1]);
    cairndClientUnref(chan->client);
    g_free(chan);
    return -1;
}


void
cairndChannelShutdownAll(cairndClient *client)
{
    g_mutex_lock(&client->lock);
    client->gone = true;
    for (guint i = 0; i < client->channels->len; i++) {
        cairndChannel *chan = g_ptr_array_index(client->channels, i);

        shutdown(chan->fd, SHUT_RDWR);
    }
    g_mutex_unlock(&client->lock);
}


void
cairndChannelJoinAll(cairndDaemon *daemon)
{
    g_autoptr(GPtrArray) all = NULL;

    g_mutex_lock(&daemon->lock);
    all = g_steal_pointer(&daemon->channels);
    daemon->channels = g_ptr_array_new();
    g_mutex_unlock(&daemon->lock);
    for (guint i = 0; i < all->len; i++) {
        cairndChannel *chan = g_ptr_array_index(all, i);

        g_thread_join(chan->thread);
        g_free(chan);
    }
}
