/*
 * qmpreadertest.c: the QMP reader on its own, without a socket: bytes go
 * to a detached monitor through qemuMonitorFeedInput() (the path socket
 * reads take), so a test controls exactly how QEMU's output is split into
 * reads. Regressions found by tests/fuzz/fuzz-qmp.c live here.
 */
#include <string.h>

#include "qemu/qemu_monitor_priv.h"
#include "util/cairnerror.h"

typedef struct {
    qemuMonitor *mon;
    GPtrArray *events; /* "NAME TIMESTAMP_US" */
    int eofs;
} readerEnv;


static void
onEvent(qemuMonitor *mon, const char *event, JsonObject *data, gint64 ts, gpointer opaque)
{
    readerEnv *env = opaque;

    g_ptr_array_add(env->events, g_strdup_printf("%s %" G_GINT64_FORMAT, event, ts));
}


static void
onEOF(qemuMonitor *mon, gpointer opaque)
{
    readerEnv *env = opaque;

    env->eofs++;
}


static void
envInit(readerEnv *env, gsize max_message)
{
    env->mon = qemuMonitorNewDetached(NULL);
    env->events = g_ptr_array_new_with_free_func(g_free);
    env->eofs = 0;
    qemuMonitorSetCommandTimeout(env->mon, 0);
    qemuMonitorSetEventHandler(env->mon, onEvent, env);
    qemuMonitorSetEOFHandler(env->mon, onEOF, env);
    if (max_message)
        qemuMonitorSetMaxMessageSize(env->mon, max_message);
}


static void
envClear(readerEnv *env)
{
    g_clear_pointer(&env->mon, qemuMonitorClose);
    g_ptr_array_unref(env->events);
}


static void
feedText(readerEnv *env, const char *text)
{
    qemuMonitorFeedInput(env->mon, text, strlen(text));
}


/* Why the monitor went down (it must have). */
static const char *
deadReason(readerEnv *env, GError **error)
{
    g_autoptr(qemuMonitorEventWaiter) w = qemuMonitorEventWaiterNew(env->mon, "NONE", NULL, NULL);
    g_autoptr(JsonObject) data = qemuMonitorEventWaiterWait(w, -1, error);

    g_assert_null(data);
    g_assert_nonnull(*error);
    return (*error)->message;
}


static void
onReply(GObject *source, GAsyncResult *res, gpointer opaque)
{
    GString *log = opaque;
    g_autoptr(GError) err = NULL;
    g_autoptr(JsonNode) reply = qemuMonitorCommandFinish(NULL, res, &err);

    if (reply)
        g_string_append_printf(log, "return %s;", json_node_type_name(reply));
    else
        g_string_append_printf(log, "error %s;", err->message);
}


/* A greeting, events and replies come out the same whether QEMU's bytes
 * arrive in one read or one byte per read. */
static void
testSplitEveryByte(void)
{
    const char *stream =
        "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 2, \"minor\": 1, \"major\": "
        "9}}, \"capabilities\": []}}\r\n"
        "{\"event\": \"STOP\", \"timestamp\": {\"seconds\": 1, "
        "\"microseconds\": 2}}\r\n"
        "{\"return\": [], \"id\": \"cairn-2\"}\r\n"
        "\r\n"
        "{\"error\": {\"class\": \"GenericError\", \"desc\": \"no\"}, "
        "\"id\": \"cairn-1\"}\n";
    gsize step;

    for (step = 0; step < 2; step++) {
        g_autoptr(GString) log = g_string_new(NULL);
        readerEnv env;
        int major = 0;
        int minor = 0;
        int micro = 0;
        gsize i;

        envInit(&env, 0);
        qemuMonitorCommandAsync(env.mon, "stop", NULL, NULL, onReply, log);
        qemuMonitorCommandAsync(env.mon, "query-jobs", NULL, NULL, onReply, log);
        if (step == 0) {
            feedText(&env, stream);
        } else {
            for (i = 0; stream[i]; i++)
                qemuMonitorFeedInput(env.mon, stream + i, 1);
        }
        while (g_main_context_iteration(qemuMonitorGetContext(env.mon), FALSE))
            ;
        qemuMonitorGetVersion(env.mon, &major, &minor, &micro);
        g_assert_cmpint(major * 10000 + minor * 100 + micro, ==, 90102);
        g_assert_cmpuint(env.events->len, ==, 1);
        g_assert_cmpstr(g_ptr_array_index(env.events, 0), ==, "STOP 1000002");
        g_assert_cmpstr(log->str, ==,
                        "return JsonArray;"
                        "error operation failed: QEMU command 'stop' failed: no;");
        g_assert_true(qemuMonitorIsConnected(env.mon));
        envClear(&env);
    }
}


/* A line that never ends is refused once the buffered part passes the
 * size limit, however small the reads: the buffer does not grow beyond
 * the limit plus one read. */
static void
testLineWithoutEnd(void)
{
    g_autoptr(GError) err = NULL;
    char chunk[100];
    readerEnv env;
    gsize fed = 0;

    memset(chunk, 'x', sizeof(chunk));
    chunk[0] = '{';
    envInit(&env, 4096);
    while (fed + sizeof(chunk) <= 4096) {
        qemuMonitorFeedInput(env.mon, chunk, sizeof(chunk));
        fed += sizeof(chunk);
    }
    g_assert_true(qemuMonitorIsConnected(env.mon));
    qemuMonitorFeedInput(env.mon, chunk, sizeof(chunk));
    g_assert_false(qemuMonitorIsConnected(env.mon));
    g_assert_cmpint(env.eofs, ==, 1);
    g_assert_cmpstr(deadReason(&env, &err), ==,
                    "internal error: QEMU monitor message exceeds 4096 bytes");
    envClear(&env);
}


/* A timestamp QEMU cannot have sent gives 0 (unknown) instead of a
 * signed overflow (found by fuzz-qmp under UBSan: seconds * 1000000). */
static void
testEventTimestamp(void)
{
    readerEnv env;

    envInit(&env, 0);
    feedText(&env, "{\"event\": \"A\", \"timestamp\": {\"seconds\": 1700000000, "
                   "\"microseconds\": 5}}\r\n"
                   "{\"event\": \"B\", \"timestamp\": {\"seconds\": 9223372036854775807, "
                   "\"microseconds\": 999999}}\r\n"
                   "{\"event\": \"C\", \"timestamp\": {\"seconds\": -9223372036854775807, "
                   "\"microseconds\": 0}}\r\n"
                   "{\"event\": \"D\", \"timestamp\": {\"seconds\": 1, \"microseconds\": "
                   "9223372036854775807}}\r\n"
                   "{\"event\": \"E\", \"timestamp\": {\"seconds\": 9223372036853, "
                   "\"microseconds\": 999999}}\r\n"
                   "{\"event\": \"F\"}\r\n");
    g_assert_true(qemuMonitorIsConnected(env.mon));
    g_assert_cmpuint(env.events->len, ==, 6);
    g_assert_cmpstr(g_ptr_array_index(env.events, 0), ==, "A 1700000000000005");
    g_assert_cmpstr(g_ptr_array_index(env.events, 1), ==, "B 0");
    g_assert_cmpstr(g_ptr_array_index(env.events, 2), ==, "C 0");
    g_assert_cmpstr(g_ptr_array_index(env.events, 3), ==, "D 0");
    g_assert_cmpstr(g_ptr_array_index(env.events, 4), ==, "E 9223372036853999999");
    g_assert_cmpstr(g_ptr_array_index(env.events, 5), ==, "F 0");
    envClear(&env);
}


/* How a command ended: its error, NULL if it succeeded. */
static void
onCommandDone(GObject *source, GAsyncResult *res, gpointer opaque)
{
    GError **error = opaque;
    g_autoptr(JsonNode) reply = qemuMonitorCommandFinish(NULL, res, error);

    if (reply)
        g_assert_no_error(*error);
}


/* Feed @len bytes of @text, then EOF, to a monitor waiting for the reply
 * to one command; that command's error, or NULL if it succeeded. */
static GError *
commandAfter(const char *text, gsize len)
{
    GError *err = NULL;
    readerEnv env;

    envInit(&env, 0);
    qemuMonitorCommandAsync(env.mon, "stop", NULL, NULL, onCommandDone, &err);
    qemuMonitorFeedInput(env.mon, text, len);
    qemuMonitorFeedInput(env.mon, NULL, 0);
    while (g_main_context_iteration(qemuMonitorGetContext(env.mon), FALSE))
        ;
    envClear(&env);
    return err;
}


/* One message is one JSON object. json-glib 1.6 parses the first of
 * several values on a line and leaks the others (found by fuzz-qmp with
 * LeakSanitizer: "{}{}"); the reader refuses such a line before json-glib
 * sees it, and also what json-glib alone would take although it is not
 * JSON: a comment, a single-quoted string, a NUL byte (which cut the line
 * short, so that "{...}\0garbage" passed as "{...}"). */
static void
testOneObjectPerMessage(void)
{
    static const char nul[] = "{\"return\": {}, \"id\": \"cairn-1\"}\0garbage\r\n";
    static const struct {
        const char *text;
        const char *error;
    } cases[] = {
        { "{\"return\": {}, \"id\": \"cairn-1\"}\r\n", NULL },
        { " {\"return\": [\"]{\\\"\", \"}\"], \"id\": \"cairn-1\"} \t\r\n", NULL },
        { "{\"return\": {}, \"id\": \"cairn-1\"} {\"return\": {}}\r\n",
          "internal error: QEMU monitor sent more than one JSON value in a message" },
        { "{}{}\r\n", "internal error: QEMU monitor sent more than one JSON value in a message" },
        { "{\"return\": {}, \"id\": \"cairn-1\"}[1]\r\n",
          "internal error: QEMU monitor sent more than one JSON value in a message" },
        { "[{\"return\": {}, \"id\": \"cairn-1\"}]\r\n",
          "internal error: QEMU monitor sent a message that is not a JSON object: "
          "[{\"return\": {}, \"id\": \"cairn-1\"}]" },
        { "{\"return\": {} /* x */, \"id\": \"cairn-1\"}\r\n",
          "internal error: QEMU monitor sent a message that is not JSON: '/' outside a string" },
        { "{\"return\": {}, \"id\": 'cairn-1'}\r\n",
          "internal error: QEMU monitor sent a message that is not JSON: ''' outside a string" },
    };
    g_autoptr(GError) nul_err = commandAfter(nul, sizeof(nul) - 1);
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) err = commandAfter(cases[i].text, strlen(cases[i].text));

        if (!cases[i].error) {
            g_assert_no_error(err);
            continue;
        }
        g_assert_nonnull(err);
        g_assert_cmpstr(err->message, ==, cases[i].error);
    }
    g_assert_nonnull(nul_err);
    g_assert_cmpstr(nul_err->message, ==,
                    "internal error: QEMU monitor sent a message that is not JSON: a NUL byte");
}


/* A reply nested as deep as QEMU's own JSON parser accepts (1024 levels)
 * is read; deeper is refused before json-glib, whose parser recurses once
 * per level, runs out of stack (found by fuzz-qmp on a 512 KiB stack;
 * 200,000 levels, a 400 KB line, crashed the driver on any stack). */
static void
testNesting(void)
{
    static const gsize depths[] = { 1024, 1025, 200000 };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(depths); i++) {
        g_autoptr(GString) line = g_string_new("{\"return\": ");
        g_autoptr(GError) err = NULL;
        gsize n;

        /* The message object is the first level. */
        for (n = 1; n < depths[i]; n++)
            g_string_append_c(line, '[');
        for (n = 1; n < depths[i]; n++)
            g_string_append_c(line, ']');
        g_string_append(line, ", \"id\": \"cairn-1\"}\r\n");
        err = commandAfter(line->str, line->len);
        if (depths[i] <= 1024) {
            g_assert_no_error(err);
            continue;
        }
        g_assert_nonnull(err);
        g_assert_cmpstr(err->message, ==,
                        "internal error: QEMU monitor sent a message nested deeper than 1024 "
                        "levels");
    }
}


int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qmp/reader/split-every-byte", testSplitEveryByte);
    g_test_add_func("/qmp/reader/line-without-end", testLineWithoutEnd);
    g_test_add_func("/qmp/reader/event-timestamp", testEventTimestamp);
    g_test_add_func("/qmp/reader/one-object-per-message", testOneObjectPerMessage);
    g_test_add_func("/qmp/reader/nesting", testNesting);
    return g_test_run();
}
