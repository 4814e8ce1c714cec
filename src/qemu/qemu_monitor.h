/*
 * qemu_monitor.h: the QMP transport. Knows the protocol (greeting,
 * capability negotiation, commands with ids, replies matched to requests,
 * asynchronous events, timeouts, QEMU's error class and text) and nothing
 * about any particular command: every command is built in
 * qemu_monitor_cmd.c.
 *
 * A monitor is attached to a GMainContext (the caller's, or a private one).
 * The asynchronous calls never block; the synchronous helpers iterate the
 * monitor's context until their reply arrives or the timeout passes, which
 * is what an embedded driver inside a short-lived process wants. Events are
 * delivered from that context, in the order QEMU sent them, interleaved
 * correctly with replies.
 *
 * Errors: a QMP error reply becomes CAIRN_ERR_OPERATION_FAILED (from
 * CAIRN_FROM_QEMU) with the message "QEMU command 'CMD' failed: DESC"
 * (QEMU's class kept in the GError's message only when it is not
 * GenericError: "... failed: DESC (CLASS)"); a closed or broken socket gives
 * CAIRN_ERR_OPERATION_FAILED "QEMU monitor closed" / the I/O error text;
 * a timeout CAIRN_ERR_OPERATION_TIMEOUT "QEMU monitor command 'CMD' timed
 * out after N ms"; a reply that is not JSON CAIRN_ERR_INTERNAL_ERROR.
 *
 * A message that is not JSON, longer than the monitor's size limit or
 * nested deeper than QEMU_MONITOR_MAX_NESTING breaks the connection (the
 * stream cannot be resynchronised): pending commands fail with that error
 * and the EOF handler runs.
 *
 * Threading: a monitor is used from one thread at a time, the one that
 * iterates (or may acquire) its GMainContext.
 */
#pragma once

#include <stdbool.h>
#include <glib.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>

typedef struct _qemuMonitor qemuMonitor;

/* Called for every QMP event. @data may be NULL (no "data" member);
 * @timestamp_us is QEMU's timestamp in microseconds (0 when it is missing
 * or out of range). Borrowed arguments. */
typedef void (*qemuMonitorEventFunc)(
    qemuMonitor *mon, const char *event, JsonObject *data, gint64 timestamp_us, gpointer opaque);

/* Called once when the connection goes away (EOF or I/O error) outside an
 * explicit qemuMonitorClose(); pending commands fail before it runs. */
typedef void (*qemuMonitorEOFFunc)(qemuMonitor *mon, gpointer opaque);

/* Default timeout of a command, in milliseconds. A timeout_ms <= 0
 * anywhere in this API means "no timeout". */
#define QEMU_MONITOR_DEFAULT_TIMEOUT_MS 30000

/* Default limit on the size of one message from QEMU. The largest replies
 * are query-qmp-schema (about 200 KiB with QEMU 7.2) and the block queries,
 * which grow with the number of disks and with the length of their backing
 * chains (query-block repeats a disk's whole chain). 64 MiB leaves room for
 * hundreds of times that, and is the largest JSON text QEMU's own parser
 * takes (MAX_TOKEN_SIZE in qobject/json-streamer.c). The input buffer never
 * holds more than this plus one read. */
#define QEMU_MONITOR_MAX_MESSAGE_SIZE ((gsize)64 * 1024 * 1024)

/* The deepest nesting of objects and arrays a message may have: json-glib's
 * parser recurses once per level, so without a limit a message of a few
 * hundred KiB overflows the reading thread's stack. 1024 is as deep as QEMU's
 * own parser goes (MAX_NESTING in qobject/json-streamer.c); its replies
 * nest far less (query-block, the deepest, one level per backing layer). */
#define QEMU_MONITOR_MAX_NESTING 1024

/* Connect to the QMP unix socket at @path, read the greeting and
 * negotiate capabilities (qmp_capabilities), iterating @ctx (NULL: a new
 * private context) until done or @timeout_ms passes. */
qemuMonitor *qemuMonitorOpen(const char *path, GMainContext *ctx, int timeout_ms, GError **error);

/* The same on an already connected socket @fd (taken over; closed on
 * failure too). Used by tests with a socketpair. */
qemuMonitor *qemuMonitorOpenFd(int fd, GMainContext *ctx, int timeout_ms, GError **error);

/* Disconnect and free. Pending commands fail with "QEMU monitor closed".
 * Accepts NULL. */
void qemuMonitorClose(qemuMonitor *mon);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(qemuMonitor, qemuMonitorClose)

void qemuMonitorSetEventHandler(qemuMonitor *mon, qemuMonitorEventFunc func, gpointer opaque);
void qemuMonitorSetEOFHandler(qemuMonitor *mon, qemuMonitorEOFFunc func, gpointer opaque);

/* The greeting's "QMP": {"version": {"qemu": {major, minor, micro}}}. */
void qemuMonitorGetVersion(qemuMonitor *mon, int *major, int *minor, int *micro);

GMainContext *qemuMonitorGetContext(qemuMonitor *mon);

/* The timeout used by qemuMonitorCommand(), qemuMonitorCommandAsync() and
 * every wrapper in qemu_monitor_cmd.h (initially
 * QEMU_MONITOR_DEFAULT_TIMEOUT_MS). */
void qemuMonitorSetCommandTimeout(qemuMonitor *mon, int timeout_ms);
int qemuMonitorGetCommandTimeout(qemuMonitor *mon);

/* Limit the size of one incoming message (initially
 * QEMU_MONITOR_MAX_MESSAGE_SIZE). */
void qemuMonitorSetMaxMessageSize(qemuMonitor *mon, gsize bytes);

/* False once the connection is gone (EOF, I/O or protocol error). */
bool qemuMonitorIsConnected(qemuMonitor *mon);

/* Flags of qemuMonitorCommandFull(). */
typedef enum {
    QEMU_MONITOR_COMMAND_SECRET = 1 << 0, /* arguments are never logged */
} qemuMonitorCommandFlags;

/* Send @command with @arguments (NULL for none; a reference is taken)
 * and return its "return" value (new reference; an empty object for
 * commands that return nothing), or NULL with an error. Iterates the
 * monitor's context while waiting. */
JsonNode *
qemuMonitorCommand(qemuMonitor *mon, const char *command, JsonObject *arguments, GError **error);

/* As qemuMonitorCommand() with an explicit timeout. */
JsonNode *qemuMonitorCommandTimeout(
    qemuMonitor *mon, const char *command, JsonObject *arguments, int timeout_ms, GError **error);

/* As qemuMonitorCommandTimeout() with qemuMonitorCommandFlags. */
JsonNode *qemuMonitorCommandFull(qemuMonitor *mon,
                                 const char *command,
                                 JsonObject *arguments,
                                 unsigned int flags,
                                 int timeout_ms,
                                 GError **error);

/* Asynchronous form (the monitor's command timeout applies): @callback runs from the monitor's context;
 * qemuMonitorCommandFinish() gives the result. */
void qemuMonitorCommandAsync(qemuMonitor *mon,
                             const char *command,
                             JsonObject *arguments,
                             GCancellable *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer user_data);
JsonNode *qemuMonitorCommandFinish(qemuMonitor *mon, GAsyncResult *result, GError **error);

/* Iterate the context until event @name arrives (optionally matching
 * @match(data, match_opaque)), or @timeout_ms passes (then
 * CAIRN_ERR_OPERATION_TIMEOUT). Events seen meanwhile still go to the
 * handler. Returns the event's data (new reference, may be an empty
 * object). */
typedef bool (*qemuMonitorEventMatch)(JsonObject *data, gpointer match_opaque);
JsonObject *qemuMonitorWaitEvent(qemuMonitor *mon,
                                 const char *name,
                                 qemuMonitorEventMatch match,
                                 gpointer match_opaque,
                                 int timeout_ms,
                                 GError **error);

/* A waiter registered before the action that causes the event, so an
 * event arriving before the wait starts (in the same read as a command's
 * reply, say) is not missed. From its creation on it queues every
 * matching event (after the event handler has seen it);
 * qemuMonitorEventWaiterWait() takes the oldest queued event's data (new
 * reference, an empty object when the event had none), iterating the
 * context until one is there, @timeout_ms passes
 * (CAIRN_ERR_OPERATION_TIMEOUT) or the connection goes away (its error). */
typedef struct _qemuMonitorEventWaiter qemuMonitorEventWaiter;
qemuMonitorEventWaiter *qemuMonitorEventWaiterNew(qemuMonitor *mon,
                                                  const char *name,
                                                  qemuMonitorEventMatch match,
                                                  gpointer match_opaque);
/* As qemuMonitorEventWaiterNew(); @match_free (may be NULL) is called on
 * @match_opaque when the waiter is freed. */
qemuMonitorEventWaiter *qemuMonitorEventWaiterNewFull(qemuMonitor *mon,
                                                      const char *name,
                                                      qemuMonitorEventMatch match,
                                                      gpointer match_opaque,
                                                      GDestroyNotify match_free);
JsonObject *
qemuMonitorEventWaiterWait(qemuMonitorEventWaiter *waiter, int timeout_ms, GError **error);
/* Unregister and free. Accepts NULL; may outlive its monitor. */
void qemuMonitorEventWaiterFree(qemuMonitorEventWaiter *waiter);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(qemuMonitorEventWaiter, qemuMonitorEventWaiterFree)
