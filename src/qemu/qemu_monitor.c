/*
 * qemu_monitor.c: the QMP transport (see qemu_monitor.h).
 *
 * One non-blocking unix stream socket, watched by a GSource on the
 * monitor's GMainContext. Incoming bytes are collected until a newline
 * (QEMU ends every message with "\r\n"); each complete line is one JSON
 * object: the greeting, a reply (matched to its command by "id"), or an
 * event. Outgoing commands are queued and written as the socket accepts
 * them. qemuMonitorFeedInput() (qemu_monitor_priv.h) puts bytes through
 * the same path without a socket, for the unit tests and the fuzzer.
 */
#define G_LOG_DOMAIN "cairn.qemu.monitor"

#include <stdarg.h>
#include <string.h>
#include <unistd.h>
#include <gio/gunixsocketaddress.h>

#include "qemu_monitor.h"
#include "qemu_monitor_priv.h"
#include "util/cairnerror.h"

/* Bytes asked from the socket per read. */
#define QEMU_MONITOR_READ_CHUNK ((gsize)64 * 1024)

typedef struct _qemuMonitorPending qemuMonitorPending;
struct _qemuMonitorPending {
    char *id;
    char *command;
    GTask *task;
    GSource *timeout;
    GSource *cancel;
    int timeout_ms;
    qemuMonitor *mon;
};

struct _qemuMonitorEventWaiter {
    qemuMonitor *mon; /* NULL once the monitor is freed */
    char *name;
    qemuMonitorEventMatch match;
    gpointer match_opaque;
    GDestroyNotify match_free;
    GQueue caught; /* JsonObject *, oldest first */
    GError *error; /* why no more events can come */
};

struct _qemuMonitor {
    gint refs;
    GMainContext *ctx;
    GSocket *socket;
    GSource *in_source;
    GSource *out_source;

    GByteArray *inbuf;
    gsize inpos; /* first byte not yet consumed */
    gsize scan;  /* where the search for the next newline resumes */
    gsize maxmsg;
    GByteArray *outbuf;

    int cmd_timeout;
    guint64 serial;
    GHashTable *pending; /* id -> qemuMonitorPending, owned by @order */
    GQueue order;        /* qemuMonitorPending in the order sent */
    GPtrArray *waiters;  /* qemuMonitorEventWaiter, not owned */

    bool greeted;
    int ver_major;
    int ver_minor;
    int ver_micro;

    GError *dead; /* why the connection is gone; NULL while connected */
    bool closing; /* qemuMonitorClose() was called */

    qemuMonitorEventFunc event_func;
    gpointer event_opaque;
    qemuMonitorEOFFunc eof_func;
    gpointer eof_opaque;
};

static void monitorShutdown(qemuMonitor *mon, GError *why);
static void monitorFlush(qemuMonitor *mon);


/* The member @name of @obj if it is an object, else NULL. */
static JsonObject *
monitorGetObject(JsonObject *obj, const char *name)
{
    JsonNode *node = obj ? json_object_get_member(obj, name) : NULL;

    return node && JSON_NODE_HOLDS_OBJECT(node) ? json_node_get_object(node) : NULL;
}


/* The member @name of @obj if it is a string, else NULL. */
static const char *
monitorGetString(JsonObject *obj, const char *name)
{
    JsonNode *node = obj ? json_object_get_member(obj, name) : NULL;

    if (!node || !JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_STRING)
        return NULL;
    return json_node_get_string(node);
}


/* The member @name of @obj if it is an integer, else 0. */
static gint64
monitorGetInt(JsonObject *obj, const char *name)
{
    JsonNode *node = obj ? json_object_get_member(obj, name) : NULL;

    if (!node || !JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_INT64)
        return 0;
    return json_node_get_int(node);
}


static bool
monitorWantLog(void)
{
    return !g_log_writer_default_would_drop(G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN);
}


static qemuMonitor *
monitorRef(qemuMonitor *mon)
{
    g_atomic_int_inc(&mon->refs);
    return mon;
}


static void
monitorFree(qemuMonitor *mon)
{
    guint i;

    for (i = 0; i < mon->waiters->len; i++) {
        qemuMonitorEventWaiter *w = g_ptr_array_index(mon->waiters, i);
        w->mon = NULL;
    }
    g_ptr_array_unref(mon->waiters);
    g_hash_table_unref(mon->pending);
    g_byte_array_unref(mon->inbuf);
    g_byte_array_unref(mon->outbuf);
    g_clear_error(&mon->dead);
    g_main_context_unref(mon->ctx);
    g_free(mon);
}


static void
monitorUnref(qemuMonitor *mon)
{
    if (g_atomic_int_dec_and_test(&mon->refs))
        monitorFree(mon);
}


static void
monitorPendingFree(qemuMonitorPending *p)
{
    if (p->timeout) {
        g_source_destroy(p->timeout);
        g_source_unref(p->timeout);
    }
    if (p->cancel) {
        g_source_destroy(p->cancel);
        g_source_unref(p->cancel);
    }
    g_clear_object(&p->task);
    g_free(p->id);
    g_free(p->command);
    g_free(p);
}


/* Remove @p from the monitor's tables and complete its task with
 * @result (taken) or @error (taken). */
static void
monitorPendingFinish(qemuMonitorPending *p, JsonNode *result, GError *error)
{
    qemuMonitor *mon = p->mon;
    g_autoptr(GTask) task = g_object_ref(p->task);

    g_hash_table_remove(mon->pending, p->id);
    g_queue_remove(&mon->order, p);
    monitorPendingFree(p);

    if (error) {
        g_task_return_error(task, error);
    } else {
        g_task_return_pointer(task, result, (GDestroyNotify)json_node_unref);
    }
}


static gboolean
monitorPendingTimeout(gpointer opaque)
{
    qemuMonitorPending *p = opaque;
    GError *err = NULL;

    cairnErrorSet(&err, CAIRN_FROM_QEMU, CAIRN_ERR_OPERATION_TIMEOUT,
                  "QEMU monitor command '%s' timed out after %d ms", p->command, p->timeout_ms);
    g_debug("QMP command %s (%s) timed out", p->id, p->command);
    monitorPendingFinish(p, NULL, err);
    return G_SOURCE_REMOVE;
}


static gboolean
monitorPendingCancelled(GCancellable *cancellable, gpointer opaque)
{
    qemuMonitorPending *p = opaque;
    GError *err = NULL;

    cairnErrorSet(&err, CAIRN_FROM_QEMU, CAIRN_ERR_OPERATION_ABORTED,
                  "QEMU monitor command '%s' cancelled", p->command);
    monitorPendingFinish(p, NULL, err);
    return G_SOURCE_REMOVE;
}


/* ---- incoming messages ------------------------------------------------ */

static void
monitorHandleGreeting(qemuMonitor *mon, JsonObject *msg)
{
    JsonObject *qemu =
        monitorGetObject(monitorGetObject(monitorGetObject(msg, "QMP"), "version"), "qemu");

    if (mon->greeted)
        return;
    mon->greeted = true;
    if (!qemu)
        return;
    mon->ver_major = (int)monitorGetInt(qemu, "major");
    mon->ver_minor = (int)monitorGetInt(qemu, "minor");
    mon->ver_micro = (int)monitorGetInt(qemu, "micro");
}


/* An event's @timestamp ({"seconds": S, "microseconds": U}, may be NULL)
 * in microseconds, or 0 when it is missing or out of range. */
static gint64
monitorEventTime(JsonObject *timestamp)
{
    gint64 sec = monitorGetInt(timestamp, "seconds");
    gint64 usec = monitorGetInt(timestamp, "microseconds");

    if (sec < 0 || sec >= G_MAXINT64 / G_USEC_PER_SEC || usec < 0 || usec >= G_USEC_PER_SEC)
        return 0;
    return sec * G_USEC_PER_SEC + usec;
}


static void
monitorHandleEvent(qemuMonitor *mon, JsonObject *msg)
{
    const char *name = monitorGetString(msg, "event");
    JsonObject *data = monitorGetObject(msg, "data");
    gint64 ts = monitorEventTime(monitorGetObject(msg, "timestamp"));
    guint i;

    if (!name)
        return;

    if (mon->event_func)
        mon->event_func(mon, name, data, ts, mon->event_opaque);

    for (i = 0; i < mon->waiters->len; i++) {
        qemuMonitorEventWaiter *w = g_ptr_array_index(mon->waiters, i);
        g_autoptr(JsonObject) copy = NULL;

        if (!g_str_equal(w->name, name))
            continue;
        copy = data ? json_object_ref(data) : json_object_new();
        if (w->match && !w->match(copy, w->match_opaque))
            continue;
        g_queue_push_tail(&w->caught, g_steal_pointer(&copy));
    }
}


static GError *
monitorReplyError(const char *command, JsonObject *err)
{
    const char *klass = monitorGetString(err, "class");
    const char *desc = monitorGetString(err, "desc");
    GError *gerr = NULL;

    if (!desc)
        desc = "unknown error";
    if (!klass || g_str_equal(klass, "GenericError")) {
        cairnErrorSet(&gerr, CAIRN_FROM_QEMU, CAIRN_ERR_OPERATION_FAILED,
                      "QEMU command '%s' failed: %s", command, desc);
    } else {
        cairnErrorSet(&gerr, CAIRN_FROM_QEMU, CAIRN_ERR_OPERATION_FAILED,
                      "QEMU command '%s' failed: %s (%s)", command, desc, klass);
    }
    return gerr;
}


static void
monitorHandleReply(qemuMonitor *mon, JsonObject *msg)
{
    const char *id = monitorGetString(msg, "id");
    qemuMonitorPending *p = NULL;
    JsonObject *err;
    GError *gerr = NULL;

    if (id) {
        p = g_hash_table_lookup(mon->pending, id);
    } else if (!json_object_has_member(msg, "id")) {
        p = g_queue_peek_head(&mon->order); /* QEMU could not parse our request */
    }

    if (!p) {
        g_debug("QMP reply to no pending command (id %s) ignored", id ? id : "none");
        return;
    }

    if (json_object_has_member(msg, "return")) {
        monitorPendingFinish(p, json_node_copy(json_object_get_member(msg, "return")), NULL);
        return;
    }
    if ((err = monitorGetObject(msg, "error"))) {
        gerr = monitorReplyError(p->command, err);
    } else {
        cairnErrorSet(&gerr, CAIRN_FROM_QEMU, CAIRN_ERR_INTERNAL_ERROR,
                      "QEMU command '%s' got a malformed error reply", p->command);
    }
    monitorPendingFinish(p, NULL, gerr);
}


static void G_GNUC_PRINTF(2, 3) monitorProtocolError(qemuMonitor *mon, const char *fmt, ...)
{
    g_autofree char *detail = NULL;
    GError *err = NULL;
    va_list ap;

    va_start(ap, fmt);
    detail = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    cairnErrorSet(&err, CAIRN_FROM_QEMU, CAIRN_ERR_INTERNAL_ERROR, "%s", detail);
    monitorShutdown(mon, err);
}


/* Check, before json-glib parses it, that @line (@len bytes) holds one
 * JSON object nested at most QEMU_MONITOR_MAX_NESTING deep and only white
 * space after it: json-glib 1.6 recurses once per level and takes the first
 * of several values on a line, leaking the others. To find the object's
 * end where json-glib does, this refuses what json-glib would read as a
 * comment or a single-quoted string (QEMU writes strict JSON), and a NUL
 * byte (the text handed on ends there). The rest is json-glib's to check.
 * False, with the monitor shut down, if the line is refused. */
static bool
monitorCheckMessage(qemuMonitor *mon, const char *line, gsize len)
{
    gsize depth = 0;
    bool in_string = false;
    bool ended = false;
    gsize i;

    if (memchr(line, '\0', len)) {
        monitorProtocolError(mon, "QEMU monitor sent a message that is not JSON: a NUL byte");
        return false;
    }
    for (i = 0; i < len; i++) {
        char c = line[i];

        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_string = false;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            continue;
        if (ended) {
            monitorProtocolError(mon, "QEMU monitor sent more than one JSON value in a message");
            return false;
        }
        if (depth == 0 && c != '{') {
            monitorProtocolError(mon, "QEMU monitor sent a message that is not a JSON object: %s",
                                 line);
            return false;
        }
        switch (c) {
        case '"':
            in_string = true;
            break;
        case '{':
        case '[':
            if (++depth > QEMU_MONITOR_MAX_NESTING) {
                monitorProtocolError(mon,
                                     "QEMU monitor sent a message nested deeper than %d levels",
                                     QEMU_MONITOR_MAX_NESTING);
                return false;
            }
            break;
        case '}':
        case ']':
            ended = --depth == 0;
            break;
        case '/':
        case '#':
        case '\'':
            monitorProtocolError(mon,
                                 "QEMU monitor sent a message that is not JSON: '%c' outside "
                                 "a string",
                                 c);
            return false;
        default:
            break;
        }
    }
    return true;
}


/* Handle one complete line from QEMU (@len bytes without its line end,
 * followed by a NUL). */
static void
monitorHandleLine(qemuMonitor *mon, const char *line, gsize len)
{
    g_autoptr(JsonParser) parser = json_parser_new_immutable();
    g_autoptr(GError) err = NULL;
    JsonNode *root;
    JsonObject *msg;

    if (len == 0)
        return;
    if (monitorWantLog())
        g_debug("QMP mon=%p <<< %s", (void *)mon, line);

    if (!monitorCheckMessage(mon, line, len))
        return;
    if (!json_parser_load_from_data(parser, line, -1, &err)) {
        monitorProtocolError(mon, "QEMU monitor sent a message that is not JSON: %s", err->message);
        return;
    }
    root = json_parser_get_root(parser);
    if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
        monitorProtocolError(mon, "QEMU monitor sent a message that is not a JSON object: %s",
                             line);
        return;
    }
    msg = json_node_get_object(root);

    if (json_object_has_member(msg, "QMP")) {
        monitorHandleGreeting(mon, msg);
    } else if (json_object_has_member(msg, "event")) {
        monitorHandleEvent(mon, msg);
    } else if (json_object_has_member(msg, "return") || json_object_has_member(msg, "error")) {
        monitorHandleReply(mon, msg);
    } else {
        g_debug("QMP message of unknown kind ignored");
    }
}


static void
monitorTooLarge(qemuMonitor *mon)
{
    monitorProtocolError(mon, "QEMU monitor message exceeds %" G_GSIZE_FORMAT " bytes",
                         mon->maxmsg);
}


/* Handle every complete line in the input buffer. Re-entrant: a handler
 * may run a synchronous command, which reads and handles further lines
 * before this loop continues. */
static void
monitorProcessInput(qemuMonitor *mon)
{
    while (!mon->dead) {
        guint8 *data = mon->inbuf->data;
        guint8 *nl = memchr(data + mon->scan, '\n', mon->inbuf->len - mon->scan);
        gsize len;
        g_autofree char *line = NULL;

        if (!nl) {
            mon->scan = mon->inbuf->len;
            if (mon->inbuf->len - mon->inpos > mon->maxmsg)
                monitorTooLarge(mon);
            return;
        }
        len = nl - (data + mon->inpos);
        if (len > mon->maxmsg) {
            monitorTooLarge(mon);
            return;
        }
        if (len > 0 && data[mon->inpos + len - 1] == '\r')
            len--;
        line = g_strndup((const char *)data + mon->inpos, len);
        mon->inpos = mon->scan = (nl - data) + 1;
        monitorHandleLine(mon, line, len);
    }
}


static void
monitorConnectionError(qemuMonitor *mon, const char *detail)
{
    GError *err = NULL;

    if (detail) {
        cairnErrorSet(&err, CAIRN_FROM_QEMU, CAIRN_ERR_OPERATION_FAILED,
                      "QEMU monitor connection failed: %s", detail);
    } else {
        cairnErrorSet(&err, CAIRN_FROM_QEMU, CAIRN_ERR_OPERATION_FAILED, "QEMU monitor closed");
    }
    monitorShutdown(mon, err);
}


/* Room for @len more bytes at the end of the input buffer, after
 * dropping the bytes already consumed. The caller writes up to @len
 * bytes there, then calls monitorInputCommit(). */
static guint8 *
monitorInputReserve(qemuMonitor *mon, gsize len)
{
    gsize have;

    if (mon->inpos > 0) {
        g_byte_array_remove_range(mon->inbuf, 0, mon->inpos);
        mon->scan -= mon->inpos;
        mon->inpos = 0;
    }
    have = mon->inbuf->len;
    g_byte_array_set_size(mon->inbuf, have + len);
    return mon->inbuf->data + have;
}


/* Of the @reserved bytes from monitorInputReserve(), @got arrived: drop
 * the rest of the room and handle every message the new bytes complete. */
static void
monitorInputCommit(qemuMonitor *mon, gsize reserved, gsize got)
{
    g_byte_array_set_size(mon->inbuf, mon->inbuf->len - (reserved - got));
    if (got > 0)
        monitorProcessInput(mon);
}


static void
monitorRead(qemuMonitor *mon)
{
    g_autoptr(GError) err = NULL;
    guint8 *tail = monitorInputReserve(mon, QEMU_MONITOR_READ_CHUNK);
    gssize n = g_socket_receive(mon->socket, (char *)tail, QEMU_MONITOR_READ_CHUNK, NULL, &err);

    monitorInputCommit(mon, QEMU_MONITOR_READ_CHUNK, (gsize)MAX(n, 0));
    if (n > 0 || (n < 0 && g_error_matches(err, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)))
        return;
    if (n < 0 && !g_error_matches(err, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED)) {
        monitorConnectionError(mon, err->message);
        return;
    }
    /* EOF, or ECONNRESET: QEMU closed with our bytes unread. */
    monitorConnectionError(mon, NULL);
}


void
qemuMonitorFeedInput(qemuMonitor *mon, const void *data, gsize len)
{
    guint8 *tail;

    if (mon->dead)
        return;
    if (len == 0) {
        monitorConnectionError(mon, NULL);
        return;
    }
    tail = monitorInputReserve(mon, len);
    memcpy(tail, data, len);
    monitorInputCommit(mon, len, len);
}


static gboolean
monitorReadable(GSocket *sock, GIOCondition cond, gpointer opaque)
{
    qemuMonitor *mon = monitorRef(opaque);
    gboolean keep;

    if (!mon->dead)
        monitorRead(mon);
    keep = !mon->dead;
    monitorUnref(mon);
    return keep ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}


/* ---- outgoing messages ------------------------------------------------ */

static gboolean
monitorWritable(GSocket *sock, GIOCondition cond, gpointer opaque)
{
    qemuMonitor *mon = monitorRef(opaque);

    monitorFlush(mon);
    monitorUnref(mon);
    return G_SOURCE_CONTINUE; /* monitorFlush() destroys the source when done */
}


/* Write as much of the output buffer as the socket takes; watch for
 * G_IO_OUT while something is left. */
static void
monitorFlush(qemuMonitor *mon)
{
    if (!mon->socket)
        return; /* detached: commands stay in the output buffer */
    while (!mon->dead && mon->outbuf->len > 0) {
        g_autoptr(GError) err = NULL;
        gssize n = g_socket_send(mon->socket, (const char *)mon->outbuf->data, mon->outbuf->len,
                                 NULL, &err);

        if (n < 0 && g_error_matches(err, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) {
            if (!mon->out_source) {
                mon->out_source = g_socket_create_source(mon->socket, G_IO_OUT, NULL);
                g_source_set_callback(mon->out_source, G_SOURCE_FUNC(monitorWritable), mon, NULL);
                g_source_attach(mon->out_source, mon->ctx);
            }
            return;
        }
        if (n < 0) {
            monitorConnectionError(mon, err->message);
            return;
        }
        g_byte_array_remove_range(mon->outbuf, 0, n);
    }
    if (mon->out_source) {
        g_source_destroy(mon->out_source);
        g_clear_pointer(&mon->out_source, g_source_unref);
    }
}


static void
monitorLogSend(
    qemuMonitor *mon, const char *text, const char *command, const char *id, unsigned int flags)
{
    if (!monitorWantLog())
        return;
    if (flags & QEMU_MONITOR_COMMAND_SECRET) {
        g_debug("QMP mon=%p >>> {\"execute\": \"%s\", \"arguments\": <redacted>, \"id\": \"%s\"}",
                (void *)mon, command, id);
    } else {
        g_debug("QMP mon=%p >>> %s", (void *)mon, text);
    }
}


/* Queue the command of @p for writing. */
static void
monitorSendPending(qemuMonitor *mon,
                   qemuMonitorPending *p,
                   JsonObject *arguments,
                   unsigned int flags)
{
    g_autoptr(JsonObject) msg = json_object_new();
    g_autoptr(JsonNode) root = json_node_new(JSON_NODE_OBJECT);
    g_autoptr(JsonGenerator) gen = json_generator_new();
    g_autofree char *text = NULL;
    gsize len;

    json_object_set_string_member(msg, "execute", p->command);
    if (arguments)
        json_object_set_object_member(msg, "arguments", json_object_ref(arguments));
    json_object_set_string_member(msg, "id", p->id);
    json_node_set_object(root, msg);
    json_generator_set_root(gen, root);
    text = json_generator_to_data(gen, &len);

    monitorLogSend(mon, text, p->command, p->id, flags);
    g_byte_array_append(mon->outbuf, (const guint8 *)text, len);
    g_byte_array_append(mon->outbuf, (const guint8 *)"\r\n", 2);
    if (!mon->out_source)
        monitorFlush(mon);
}


static void
monitorCommandStart(qemuMonitor *mon,
                    const char *command,
                    JsonObject *arguments,
                    unsigned int flags,
                    int timeout_ms,
                    GCancellable *cancellable,
                    GAsyncReadyCallback callback,
                    gpointer user_data)
{
    qemuMonitorPending *p;
    GTask *task;

    g_main_context_push_thread_default(mon->ctx);
    task = g_task_new(NULL, cancellable, callback, user_data);
    g_main_context_pop_thread_default(mon->ctx);
    g_task_set_source_tag(task, monitorCommandStart);
    g_task_set_check_cancellable(task, FALSE);

    if (mon->dead) {
        g_task_return_error(task, g_error_copy(mon->dead));
        g_object_unref(task);
        return;
    }

    p = g_new0(qemuMonitorPending, 1);
    p->mon = mon;
    p->task = task;
    p->command = g_strdup(command);
    p->id = g_strdup_printf("cairn-%" G_GUINT64_FORMAT, ++mon->serial);
    p->timeout_ms = timeout_ms;
    g_hash_table_insert(mon->pending, p->id, p);
    g_queue_push_tail(&mon->order, p);

    if (timeout_ms > 0) {
        p->timeout = g_timeout_source_new(timeout_ms);
        g_source_set_callback(p->timeout, monitorPendingTimeout, p, NULL);
        g_source_attach(p->timeout, mon->ctx);
    }
    if (cancellable) {
        p->cancel = g_cancellable_source_new(cancellable);
        g_source_set_callback(p->cancel, G_SOURCE_FUNC(monitorPendingCancelled), p, NULL);
        g_source_attach(p->cancel, mon->ctx);
    }

    monitorSendPending(mon, p, arguments, flags);
}


/* ---- waiting ---------------------------------------------------------- */

typedef bool (*monitorCondFunc)(gpointer opaque);

static gboolean
monitorSetFlag(gpointer opaque)
{
    *(bool *)opaque = true;
    return G_SOURCE_REMOVE;
}


/* Iterate @ctx until @cond(@opaque) holds (true) or @timeout_ms passes
 * (false). */
static bool
monitorIterateUntil(GMainContext *ctx, monitorCondFunc cond, gpointer opaque, int timeout_ms)
{
    g_autoptr(GSource) timer = NULL;
    bool expired = false;
    bool ok;

    if (timeout_ms > 0) {
        timer = g_timeout_source_new(timeout_ms);
        g_source_set_callback(timer, monitorSetFlag, &expired, NULL);
        g_source_attach(timer, ctx);
    }
    while (!(ok = cond(opaque)) && !expired)
        g_main_context_iteration(ctx, TRUE);
    if (timer)
        g_source_destroy(timer);
    return ok;
}


typedef struct {
    bool done;
    JsonNode *result;
    GError *error;
} monitorSyncData;


static void
monitorSyncDone(GObject *source, GAsyncResult *res, gpointer opaque)
{
    monitorSyncData *d = opaque;

    d->result = g_task_propagate_pointer(G_TASK(res), &d->error);
    d->done = true;
}


static bool
monitorSyncFinished(gpointer opaque)
{
    return ((monitorSyncData *)opaque)->done;
}


JsonNode *
qemuMonitorCommandFull(qemuMonitor *mon,
                       const char *command,
                       JsonObject *arguments,
                       unsigned int flags,
                       int timeout_ms,
                       GError **error)
{
    g_autoptr(GMainContext) ctx = g_main_context_ref(mon->ctx);
    monitorSyncData d = { 0 };

    monitorCommandStart(mon, command, arguments, flags, timeout_ms, NULL, monitorSyncDone, &d);
    /* The command's own timeout (or EOF) always completes it. */
    monitorIterateUntil(ctx, monitorSyncFinished, &d, -1);
    if (d.error) {
        g_propagate_error(error, d.error);
        return NULL;
    }
    return d.result;
}


JsonNode *
qemuMonitorCommandTimeout(
    qemuMonitor *mon, const char *command, JsonObject *arguments, int timeout_ms, GError **error)
{
    return qemuMonitorCommandFull(mon, command, arguments, 0, timeout_ms, error);
}


JsonNode *
qemuMonitorCommand(qemuMonitor *mon, const char *command, JsonObject *arguments, GError **error)
{
    return qemuMonitorCommandFull(mon, command, arguments, 0, mon->cmd_timeout, error);
}


void
qemuMonitorCommandAsync(qemuMonitor *mon,
                        const char *command,
                        JsonObject *arguments,
                        GCancellable *cancellable,
                        GAsyncReadyCallback callback,
                        gpointer user_data)
{
    monitorCommandStart(mon, command, arguments, 0, mon->cmd_timeout, cancellable, callback,
                        user_data);
}


JsonNode *
qemuMonitorCommandFinish(qemuMonitor *mon, GAsyncResult *result, GError **error)
{
    g_return_val_if_fail(g_task_is_valid(result, NULL), NULL);
    return g_task_propagate_pointer(G_TASK(result), error);
}


/* ---- events ----------------------------------------------------------- */

qemuMonitorEventWaiter *
qemuMonitorEventWaiterNewFull(qemuMonitor *mon,
                              const char *name,
                              qemuMonitorEventMatch match,
                              gpointer match_opaque,
                              GDestroyNotify match_free)
{
    qemuMonitorEventWaiter *w = g_new0(qemuMonitorEventWaiter, 1);

    w->mon = mon;
    w->name = g_strdup(name);
    w->match = match;
    w->match_opaque = match_opaque;
    w->match_free = match_free;
    g_queue_init(&w->caught);
    if (mon->dead)
        w->error = g_error_copy(mon->dead);
    g_ptr_array_add(mon->waiters, w);
    return w;
}


qemuMonitorEventWaiter *
qemuMonitorEventWaiterNew(qemuMonitor *mon,
                          const char *name,
                          qemuMonitorEventMatch match,
                          gpointer match_opaque)
{
    return qemuMonitorEventWaiterNewFull(mon, name, match, match_opaque, NULL);
}


static bool
monitorWaiterReady(gpointer opaque)
{
    qemuMonitorEventWaiter *w = opaque;

    return !g_queue_is_empty(&w->caught) || w->error || !w->mon || w->mon->dead;
}


JsonObject *
qemuMonitorEventWaiterWait(qemuMonitorEventWaiter *w, int timeout_ms, GError **error)
{
    if (w->mon) {
        g_autoptr(GMainContext) ctx = g_main_context_ref(w->mon->ctx);

        if (!monitorIterateUntil(ctx, monitorWaiterReady, w, timeout_ms)) {
            cairnErrorSet(error, CAIRN_FROM_QEMU, CAIRN_ERR_OPERATION_TIMEOUT,
                          "QEMU event '%s' did not arrive within %d ms", w->name, timeout_ms);
            return NULL;
        }
    }
    if (!g_queue_is_empty(&w->caught))
        return g_queue_pop_head(&w->caught);
    if (!w->error && w->mon && w->mon->dead)
        w->error = g_error_copy(w->mon->dead);
    if (w->error) {
        g_propagate_error(error, g_error_copy(w->error));
        return NULL;
    }
    cairnErrorSet(error, CAIRN_FROM_QEMU, CAIRN_ERR_OPERATION_FAILED, "QEMU monitor closed");
    return NULL;
}


void
qemuMonitorEventWaiterFree(qemuMonitorEventWaiter *w)
{
    if (!w)
        return;
    if (w->mon)
        g_ptr_array_remove(w->mon->waiters, w);
    g_queue_clear_full(&w->caught, (GDestroyNotify)json_object_unref);
    g_clear_error(&w->error);
    if (w->match_free)
        w->match_free(w->match_opaque);
    g_free(w->name);
    g_free(w);
}


JsonObject *
qemuMonitorWaitEvent(qemuMonitor *mon,
                     const char *name,
                     qemuMonitorEventMatch match,
                     gpointer match_opaque,
                     int timeout_ms,
                     GError **error)
{
    g_autoptr(qemuMonitorEventWaiter) w = qemuMonitorEventWaiterNew(mon, name, match, match_opaque);

    return qemuMonitorEventWaiterWait(w, timeout_ms, error);
}


/* ---- lifetime --------------------------------------------------------- */

/* Take the connection down for @why (taken): stop watching the socket,
 * close it, fail every pending command, and (unless the owner closed
 * the monitor) tell the EOF handler. Only the first call has effect. */
static void
monitorShutdown(qemuMonitor *mon, GError *why)
{
    qemuMonitorPending *p;
    guint i;

    if (mon->dead) {
        g_error_free(why);
        return;
    }
    g_debug("QMP mon=%p down: %s", (void *)mon, why->message);
    mon->dead = why;
    monitorRef(mon);

    if (mon->in_source) {
        g_source_destroy(mon->in_source);
        g_clear_pointer(&mon->in_source, g_source_unref);
    }
    if (mon->out_source) {
        g_source_destroy(mon->out_source);
        g_clear_pointer(&mon->out_source, g_source_unref);
    }
    if (mon->socket) {
        g_socket_close(mon->socket, NULL);
        g_clear_object(&mon->socket);
    }

    while ((p = g_queue_peek_head(&mon->order)))
        monitorPendingFinish(p, NULL, g_error_copy(why));

    for (i = 0; i < mon->waiters->len; i++) {
        qemuMonitorEventWaiter *w = g_ptr_array_index(mon->waiters, i);
        if (!w->error)
            w->error = g_error_copy(why);
    }

    if (!mon->closing && mon->eof_func)
        mon->eof_func(mon, mon->eof_opaque);
    monitorUnref(mon);
}


/* A monitor reading @sock (taken), or a detached one (no socket) when
 * @sock is NULL. */
static qemuMonitor *
monitorNew(GSocket *sock, GMainContext *ctx)
{
    qemuMonitor *mon = g_new0(qemuMonitor, 1);

    mon->refs = 1;
    mon->ctx = ctx ? g_main_context_ref(ctx) : g_main_context_new();
    mon->socket = sock;
    mon->inbuf = g_byte_array_new();
    mon->outbuf = g_byte_array_new();
    mon->maxmsg = QEMU_MONITOR_MAX_MESSAGE_SIZE;
    mon->cmd_timeout = QEMU_MONITOR_DEFAULT_TIMEOUT_MS;
    mon->pending = g_hash_table_new(g_str_hash, g_str_equal);
    g_queue_init(&mon->order);
    mon->waiters = g_ptr_array_new();

    if (!sock)
        return mon;
    g_socket_set_blocking(sock, FALSE);
    mon->in_source = g_socket_create_source(sock, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
    /* A handler may run a synchronous command from an event or reply. */
    g_source_set_can_recurse(mon->in_source, TRUE);
    g_source_set_callback(mon->in_source, G_SOURCE_FUNC(monitorReadable), mon, NULL);
    g_source_attach(mon->in_source, mon->ctx);
    return mon;
}


qemuMonitor *
qemuMonitorNewDetached(GMainContext *ctx)
{
    return monitorNew(NULL, ctx);
}


static bool
monitorGreetedOrDead(gpointer opaque)
{
    qemuMonitor *mon = opaque;

    return mon->greeted || mon->dead;
}


/* Wait for the greeting and negotiate capabilities, within @timeout_ms. */
static bool
monitorHandshake(qemuMonitor *mon, int timeout_ms, GError **error)
{
    g_autoptr(JsonNode) ret = NULL;
    gint64 start = g_get_monotonic_time();
    int left = timeout_ms;

    if (!monitorIterateUntil(mon->ctx, monitorGreetedOrDead, mon, timeout_ms)) {
        cairnErrorSet(error, CAIRN_FROM_QEMU, CAIRN_ERR_OPERATION_TIMEOUT,
                      "no QMP greeting from QEMU within %d ms", timeout_ms);
        return false;
    }
    if (mon->dead) {
        g_propagate_error(error, g_error_copy(mon->dead));
        return false;
    }
    if (timeout_ms > 0) {
        left = timeout_ms - (int)((g_get_monotonic_time() - start) / 1000);
        left = MAX(left, 1);
    }
    /* Part of the protocol, not a command of the VM: leaving the
     * negotiation mode is the transport's own business. */
    ret = qemuMonitorCommandTimeout(mon, "qmp_capabilities", NULL, left, error);
    return ret != NULL;
}


qemuMonitor *
qemuMonitorOpenFd(int fd, GMainContext *ctx, int timeout_ms, GError **error)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(qemuMonitor) mon = NULL;
    GSocket *sock;

    if (!(sock = g_socket_new_from_fd(fd, &err))) {
        cairnErrorSet(error, CAIRN_FROM_QEMU, CAIRN_ERR_OPERATION_FAILED,
                      "cannot use QEMU monitor socket: %s", err->message);
        close(fd);
        return NULL;
    }
    mon = monitorNew(sock, ctx);
    if (!monitorHandshake(mon, timeout_ms, error))
        return NULL;
    return g_steal_pointer(&mon);
}


static bool
monitorSocketWritable(gpointer opaque)
{
    return g_socket_condition_check(opaque, G_IO_OUT | G_IO_ERR | G_IO_HUP) != 0;
}


static GSocket *
monitorConnect(const char *path, GMainContext *ctx, int timeout_ms, GError **error)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GSocketAddress) addr = g_unix_socket_address_new(path);
    g_autoptr(GSocket) sock = NULL;

    if (!(sock = g_socket_new(G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT,
                              &err)))
        goto error;
    g_socket_set_blocking(sock, FALSE);
    if (g_socket_connect(sock, addr, NULL, &err))
        return g_steal_pointer(&sock);
    if (!g_error_matches(err, G_IO_ERROR, G_IO_ERROR_PENDING))
        goto error;
    g_clear_error(&err);

    /* The source is only there to wake the loop up; the condition is
     * re-checked on every iteration. */
    {
        g_autoptr(GSource) src = g_socket_create_source(sock, G_IO_OUT, NULL);
        bool ok;

        g_source_set_dummy_callback(src);
        g_source_attach(src, ctx);
        ok = monitorIterateUntil(ctx, monitorSocketWritable, sock, timeout_ms);
        g_source_destroy(src);
        if (!ok) {
            cairnErrorSet(error, CAIRN_FROM_QEMU, CAIRN_ERR_OPERATION_TIMEOUT,
                          "connecting to QEMU monitor at '%s' timed out", path);
            return NULL;
        }
    }
    if (g_socket_check_connect_result(sock, &err))
        return g_steal_pointer(&sock);

error:
    cairnErrorSet(error, CAIRN_FROM_QEMU, CAIRN_ERR_OPERATION_FAILED,
                  "cannot connect to QEMU monitor at '%s': %s", path, err->message);
    return NULL;
}


qemuMonitor *
qemuMonitorOpen(const char *path, GMainContext *ctx, int timeout_ms, GError **error)
{
    g_autoptr(GMainContext) own = ctx ? g_main_context_ref(ctx) : g_main_context_new();
    g_autoptr(qemuMonitor) mon = NULL;
    GSocket *sock;

    if (!(sock = monitorConnect(path, own, timeout_ms, error)))
        return NULL;
    mon = monitorNew(sock, own);
    if (!monitorHandshake(mon, timeout_ms, error))
        return NULL;
    return g_steal_pointer(&mon);
}


void
qemuMonitorClose(qemuMonitor *mon)
{
    GError *err = NULL;

    if (!mon)
        return;
    mon->closing = true;
    mon->event_func = NULL;
    mon->eof_func = NULL;
    cairnErrorSet(&err, CAIRN_FROM_QEMU, CAIRN_ERR_OPERATION_FAILED, "QEMU monitor closed");
    monitorShutdown(mon, err);
    monitorUnref(mon);
}


/* ---- accessors -------------------------------------------------------- */

void
qemuMonitorSetEventHandler(qemuMonitor *mon, qemuMonitorEventFunc func, gpointer opaque)
{
    mon->event_func = func;
    mon->event_opaque = opaque;
}


void
qemuMonitorSetEOFHandler(qemuMonitor *mon, qemuMonitorEOFFunc func, gpointer opaque)
{
    mon->eof_func = func;
    mon->eof_opaque = opaque;
}


void
qemuMonitorGetVersion(qemuMonitor *mon, int *major, int *minor, int *micro)
{
    if (major)
        *major = mon->ver_major;
    if (minor)
        *minor = mon->ver_minor;
    if (micro)
        *micro = mon->ver_micro;
}


GMainContext *
qemuMonitorGetContext(qemuMonitor *mon)
{
    return mon->ctx;
}


void
qemuMonitorSetCommandTimeout(qemuMonitor *mon, int timeout_ms)
{
    mon->cmd_timeout = timeout_ms;
}


int
qemuMonitorGetCommandTimeout(qemuMonitor *mon)
{
    return mon->cmd_timeout;
}


void
qemuMonitorSetMaxMessageSize(qemuMonitor *mon, gsize bytes)
{
    mon->maxmsg = bytes;
}


bool
qemuMonitorIsConnected(qemuMonitor *mon)
{
    return mon->dead == NULL;
}
