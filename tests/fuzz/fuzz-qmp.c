/*
 * fuzz-qmp.c: fuzz target for the QMP reader, fed what a QEMU monitor
 * socket could deliver.
 *
 * An input is the byte stream from QEMU. It goes to a detached monitor
 * (qemu_monitor_priv.h) on which four commands wait for replies (ids
 * cairn-1 to cairn-4; a reply without an id goes to the oldest) and two
 * event waiters listen, and then the stream ends (EOF). Every reply value
 * that completes a command is given to every reply decoder of
 * qemu_monitor_cmd.c. That runs twice: with the whole input in one read,
 * then in short reads (1 to 32 bytes, lengths drawn from the input's hash).
 * The message size limit is small and also drawn from the hash.
 *
 * Invariants (abort on failure): both runs see the same events and
 * replies in the same order and end the same way (how QEMU's bytes are
 * split across reads changes nothing); each command completes exactly
 * once, with a value or an error; the EOF handler runs exactly once; a
 * decoder fails only with an error and succeeds only without one, and
 * what it returns can be looked up again; no GLib warning (the tests run
 * with G_DEBUG=fatal-warnings).
 */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"
#include "qemu/qemu_monitor_priv.h"

/* The largest message size limit in this target. Each input gets this, a
 * quarter, a 16th or a 64th of it (from its hash), so that the limit is met
 * by the few KiB long inputs libFuzzer makes, in the middle of a read and at
 * its end. */
#define FUZZ_QMP_MAX_MESSAGE ((gsize)16 * 1024)

/* The longest read in the split run. */
#define FUZZ_QMP_MAX_READ 32

static const char *const fuzzCommands[] = {
    "query-status",
    "query-named-block-nodes",
    "query-jobs",
    "query-block",
};

typedef struct {
    qemuMonitor *mon;
    GString *events;  /* what the event handler and the waiters saw */
    GString *replies; /* how each command completed, and what the decoders made of it */
    guint completed;
    guint eofs;
} fuzzRun;

typedef struct {
    fuzzRun *run;
    const char *command;
} fuzzCommand;


static void
fuzzCheck(bool cond, const char *what, const char *detail)
{
    if (cond)
        return;
    fprintf(stderr, "fuzz-qmp: broken invariant: %s\n%s\n", what, detail ? detail : "");
    abort();
}


/* A decoder's result @ok must agree with its error @err; log either. */
static void
fuzzDecoded(GString *log, const char *decoder, bool ok, const GError *err)
{
    fuzzCheck(ok == (err == NULL), "decoder result and error disagree", decoder);
    if (err)
        g_string_append_printf(log, "  %s: %s\n", decoder, err->message);
    else
        g_string_append_printf(log, "  %s: ok\n", decoder);
}


static void
fuzzDecodeScalars(JsonNode *reply, GString *log)
{
    g_autoptr(GError) e1 = NULL;
    g_autoptr(GError) e2 = NULL;
    g_autoptr(GError) e3 = NULL;
    g_autoptr(GError) e4 = NULL;
    g_autofree char *status = NULL;
    g_autofree char *package = NULL;
    g_autofree char *hmp = NULL;
    bool running = false;
    int major = 0;
    int minor = 0;
    int micro = 0;
    bool ok;

    ok = qemuMonitorParseQueryStatus(reply, &running, &status, &e1);
    fuzzDecoded(log, "query-status", ok, e1);
    fuzzCheck(!ok || status != NULL, "query-status succeeded without a status", NULL);
    if (ok)
        g_string_append_printf(log, "    %s running=%d\n", status, running);

    ok = qemuMonitorParseQueryVersion(reply, &major, &minor, &micro, &package, &e2);
    fuzzDecoded(log, "query-version", ok, e2);
    if (ok)
        g_string_append_printf(log, "    %d.%d.%d %s\n", major, minor, micro, package ? "pkg" : "");

    hmp = qemuMonitorParseHumanCommand(reply, &e3);
    fuzzDecoded(log, "human-monitor-command", hmp != NULL, e3);

    ok = qemuMonitorParseQueryQmpSchema(reply, &e4);
    fuzzDecoded(log, "query-qmp-schema", ok, e4);
}


static void
fuzzDecodeBlock(JsonNode *reply, GString *log)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GPtrArray) devs = qemuMonitorParseQueryBlock(reply, &err);
    guint i;

    fuzzDecoded(log, "query-block", devs != NULL, err);
    for (i = 0; devs && i < devs->len; i++) {
        qemuMonitorBlockInfo *dev = g_ptr_array_index(devs, i);

        fuzzCheck(dev->device != NULL, "query-block entry without a device", NULL);
        g_string_append_printf(log, "    %s node=%s\n", dev->device,
                               dev->node_name ? dev->node_name : "-");
    }
}


static void
fuzzDecodeNodes(JsonNode *reply, GString *log)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GPtrArray) nodes = qemuMonitorParseNamedBlockNodes(reply, &err);
    guint i;
    guint j;

    fuzzDecoded(log, "query-named-block-nodes", nodes != NULL, err);
    for (i = 0; nodes && i < nodes->len; i++) {
        qemuMonitorBlockNode *node = g_ptr_array_index(nodes, i);
        qemuMonitorBlockNode *found = qemuMonitorBlockNodeFind(nodes, node->node_name);

        fuzzCheck(node->node_name && node->drv && node->bitmaps, "node without name or driver",
                  NULL);
        fuzzCheck(found && g_str_equal(found->node_name, node->node_name), "node not found again",
                  node->node_name);
        g_string_append_printf(log, "    %s %s bitmaps=%u\n", node->node_name, node->drv,
                               node->bitmaps->len);
        for (j = 0; j < node->bitmaps->len; j++) {
            qemuMonitorBitmapInfo *bm = g_ptr_array_index(node->bitmaps, j);

            fuzzCheck(qemuMonitorBlockNodeFindBitmap(node, bm->name) != NULL,
                      "bitmap not found again", bm->name);
            g_string_append_printf(log, "      %s %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT "\n",
                                   bm->name, bm->count, bm->granularity);
        }
    }
}


static void
fuzzDecodeJobs(JsonNode *reply, GString *log)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GPtrArray) jobs = qemuMonitorParseQueryJobs(reply, &err);
    guint i;

    fuzzDecoded(log, "query-jobs", jobs != NULL, err);
    for (i = 0; jobs && i < jobs->len; i++) {
        qemuMonitorJobInfo *job = g_ptr_array_index(jobs, i);
        const char *status = qemuMonitorJobStatusToString(job->status);

        fuzzCheck(status != NULL, "job status out of range", job->id);
        fuzzCheck(qemuMonitorJobInfoFind(jobs, job->id) != NULL, "job not found again", job->id);
        g_string_append_printf(log, "    %s %s %s\n", job->id, status,
                               job->error ? job->error : "-");
    }
}


static void
fuzzCommandDone(GObject *source G_GNUC_UNUSED, GAsyncResult *res, gpointer opaque)
{
    fuzzCommand *cmd = opaque;
    fuzzRun *run = cmd->run;
    g_autoptr(GError) err = NULL;
    g_autoptr(JsonNode) reply = qemuMonitorCommandFinish(run->mon, res, &err);

    fuzzCheck((reply == NULL) != (err == NULL),
              "command completed with both or neither of a "
              "value and an error",
              cmd->command);
    run->completed++;
    if (!reply) {
        g_string_append_printf(run->replies, "%s: error: %s\n", cmd->command, err->message);
        return;
    }
    g_string_append_printf(run->replies, "%s: return\n", cmd->command);
    fuzzDecodeScalars(reply, run->replies);
    fuzzDecodeBlock(reply, run->replies);
    fuzzDecodeNodes(reply, run->replies);
    fuzzDecodeJobs(reply, run->replies);
}


static void
fuzzEvent(qemuMonitor *mon G_GNUC_UNUSED,
          const char *event,
          JsonObject *data,
          gint64 timestamp_us,
          gpointer opaque)
{
    fuzzRun *run = opaque;

    g_string_append_printf(run->events, "event %s at %" G_GINT64_FORMAT " members %d\n", event,
                           timestamp_us, data ? (int)json_object_get_size(data) : -1);
}


static void
fuzzEOF(qemuMonitor *mon G_GNUC_UNUSED, gpointer opaque)
{
    fuzzRun *run = opaque;

    run->eofs++;
}


/* Take every event @w caught; it must end with the monitor's error. */
static void
fuzzDrainWaiter(fuzzRun *run, qemuMonitorEventWaiter *w, const char *name)
{
    g_autoptr(GError) err = NULL;
    JsonObject *data;
    guint n = 0;

    while ((data = qemuMonitorEventWaiterWait(w, -1, &err))) {
        n++;
        json_object_unref(data);
    }
    fuzzCheck(err != NULL, "waiter ended without an error", name);
    g_string_append_printf(run->events, "waiter %s: %u, then %s\n", name, n, err->message);
}


static void
fuzzIterate(GMainContext *ctx)
{
    while (g_main_context_iteration(ctx, FALSE))
        ;
}


/* Feed @data to a fresh monitor in reads of at most @max_read bytes
 * (0: all at once), then EOF; log what happens into @run. */
static void
fuzzRunOnce(fuzzRun *run, GMainContext *ctx, const uint8_t *data, size_t size, gsize max_read)
{
    g_autoptr(qemuMonitorEventWaiter) job_waiter = NULL;
    g_autoptr(qemuMonitorEventWaiter) stop_waiter = NULL;
    fuzzCommand cmds[G_N_ELEMENTS(fuzzCommands)];
    guint32 state = 2166136261u;
    size_t off;
    size_t i;
    int major;
    int minor;
    int micro;

    /* FNV-1a of the input picks the size limit and the read lengths. */
    for (off = 0; off < size; off++)
        state = (state ^ data[off]) * 16777619u;

    run->mon = qemuMonitorNewDetached(ctx);
    qemuMonitorSetCommandTimeout(run->mon, 0);
    qemuMonitorSetMaxMessageSize(run->mon, FUZZ_QMP_MAX_MESSAGE >> (state % 4 * 2));
    qemuMonitorSetEventHandler(run->mon, fuzzEvent, run);
    qemuMonitorSetEOFHandler(run->mon, fuzzEOF, run);
    job_waiter = qemuMonitorJobWaiterNew(run->mon, "job0", QEMU_MONITOR_JOB_STATUS_CONCLUDED);
    stop_waiter = qemuMonitorEventWaiterNew(run->mon, "STOP", NULL, NULL);
    for (i = 0; i < G_N_ELEMENTS(fuzzCommands); i++) {
        cmds[i].run = run;
        cmds[i].command = fuzzCommands[i];
        qemuMonitorCommandAsync(run->mon, fuzzCommands[i], NULL, NULL, fuzzCommandDone, &cmds[i]);
    }

    for (off = 0; off < size;) {
        gsize len = size - off;

        if (max_read) {
            state = state * 1103515245u + 12345u;
            len = MIN(len, 1 + (state >> 16) % max_read);
        }
        qemuMonitorFeedInput(run->mon, data + off, len);
        off += len;
        fuzzIterate(ctx);
    }
    qemuMonitorFeedInput(run->mon, NULL, 0);
    fuzzIterate(ctx);

    fuzzCheck(!qemuMonitorIsConnected(run->mon), "still connected after EOF", NULL);
    fuzzCheck(run->eofs == 1, "EOF handler did not run exactly once", NULL);
    fuzzCheck(run->completed == G_N_ELEMENTS(fuzzCommands), "a command did not complete", NULL);
    fuzzDrainWaiter(run, job_waiter, "job0");
    fuzzDrainWaiter(run, stop_waiter, "STOP");
    qemuMonitorGetVersion(run->mon, &major, &minor, &micro);
    g_string_append_printf(run->replies, "version %d.%d.%d\n", major, minor, micro);

    g_clear_pointer(&job_waiter, qemuMonitorEventWaiterFree);
    g_clear_pointer(&stop_waiter, qemuMonitorEventWaiterFree);
    g_clear_pointer(&run->mon, qemuMonitorClose);
    fuzzIterate(ctx);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static GMainContext *ctx;
    fuzzRun whole = { 0 };
    fuzzRun split = { 0 };

    if (!ctx)
        ctx = g_main_context_new();
    whole.events = g_string_new(NULL);
    whole.replies = g_string_new(NULL);
    split.events = g_string_new(NULL);
    split.replies = g_string_new(NULL);

    fuzzRunOnce(&whole, ctx, data, size, 0);
    fuzzRunOnce(&split, ctx, data, size, FUZZ_QMP_MAX_READ);
    if (!g_str_equal(whole.events->str, split.events->str) ||
        !g_str_equal(whole.replies->str, split.replies->str)) {
        g_autofree char *both =
            g_strdup_printf("in one read:\n%s%s\nsplit:\n%s%s", whole.events->str,
                            whole.replies->str, split.events->str, split.replies->str);

        fuzzCheck(false, "splitting the input across reads changes what the reader sees", both);
    }

    g_string_free(whole.events, TRUE);
    g_string_free(whole.replies, TRUE);
    g_string_free(split.events, TRUE);
    g_string_free(split.replies, TRUE);
    return 0;
}
