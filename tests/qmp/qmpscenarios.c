/*
 * qmpscenarios.c: the QMP conversation scenarios (see qmpscenarios.h).
 */
#include <string.h>

#include "qmpscenarios.h"
#include "qmptestutils.h"
#include "qemu/qemu_monitor_cmd.h"
#include "util/cairnerror.h"

#define MiB (1024 * 1024)

/* ---- helpers ---------------------------------------------------------- */

static void
onEvent(qemuMonitor *mon, const char *event, JsonObject *data, gint64 ts, gpointer opaque)
{
    qmpScenarioEnv *env = opaque;

    g_assert_cmpint(ts, >, 0);
    g_ptr_array_add(env->events, g_strdup(event));
}


static void
onEOF(qemuMonitor *mon, gpointer opaque)
{
    qmpScenarioEnv *env = opaque;

    env->eofs++;
}


qemuMonitor *
qmpScenarioOpen(qmpScenarioEnv *env, int timeout_ms, GError **error)
{
    int fd = env->fd;
    qemuMonitor *mon;

    env->fd = -1;
    if (!(mon = qemuMonitorOpenFd(fd, NULL, timeout_ms, error)))
        return NULL;
    qemuMonitorSetEventHandler(mon, onEvent, env);
    qemuMonitorSetEOFHandler(mon, onEOF, env);
    return mon;
}


static bool
sawEvent(qmpScenarioEnv *env, const char *name)
{
    guint i;

    for (i = 0; i < env->events->len; i++) {
        if (g_str_equal(g_ptr_array_index(env->events, i), name))
            return true;
    }
    return false;
}


static void
assertError(GError *err, int code, const char *message)
{
    g_assert_nonnull(err);
    g_assert_cmpint(cairnErrorGetFrom(err), ==, CAIRN_FROM_QEMU);
    g_assert_cmpint(err->code, ==, code);
    if (message)
        g_assert_cmpstr(err->message, ==, message);
}


static JsonObject *
fileNode(const char *node, const char *filename)
{
    JsonObject *o = json_object_new();

    json_object_set_string_member(o, "driver", "file");
    json_object_set_string_member(o, "node-name", node);
    json_object_set_string_member(o, "filename", filename);
    return o;
}


static JsonObject *
qcow2Node(const char *node, const char *file, const char *backing)
{
    JsonObject *o = json_object_new();

    json_object_set_string_member(o, "driver", "qcow2");
    json_object_set_string_member(o, "node-name", node);
    json_object_set_string_member(o, "file", file);
    if (backing)
        json_object_set_string_member(o, "backing", backing);
    else
        json_object_set_null_member(o, "backing");
    return o;
}


/* blockdev-add libvirt-N-storage for @filename and libvirt-N-format on top. */
static void
addImage(qemuMonitor *mon, int n, const char *filename, const char *backing)
{
    g_autofree char *storage = g_strdup_printf("libvirt-%d-storage", n);
    g_autofree char *format = g_strdup_printf("libvirt-%d-format", n);
    g_autoptr(JsonObject) f = fileNode(storage, filename);
    g_autoptr(JsonObject) q = qcow2Node(format, storage, backing);
    g_autoptr(GError) err = NULL;

    g_assert_true(qemuMonitorBlockdevAdd(mon, f, &err));
    g_assert_true(qemuMonitorBlockdevAdd(mon, q, &err));
    g_assert_no_error(err);
}


static void
delImage(qemuMonitor *mon, int n)
{
    g_autofree char *storage = g_strdup_printf("libvirt-%d-storage", n);
    g_autofree char *format = g_strdup_printf("libvirt-%d-format", n);
    g_autoptr(GError) err = NULL;

    g_assert_true(qemuMonitorBlockdevDel(mon, format, &err));
    g_assert_true(qemuMonitorBlockdevDel(mon, storage, &err));
    g_assert_no_error(err);
}


static GPtrArray *
queryNodes(qemuMonitor *mon)
{
    g_autoptr(GError) err = NULL;
    GPtrArray *nodes = qemuMonitorQueryNamedBlockNodes(mon, &err);

    g_assert_no_error(err);
    g_assert_nonnull(nodes);
    return nodes;
}

/* ---- recorded from QEMU ----------------------------------------------- */

static void
scenarioCapabilities(qmpScenarioEnv *env)
{
    int major = 0;
    int minor = 0;

    qemuMonitorGetVersion(env->mon, &major, &minor, NULL);
    g_assert_cmpint(major, ==, 7);
    g_assert_cmpint(minor, ==, 2);
    g_assert_true(qemuMonitorIsConnected(env->mon));
}


static void
scenarioQueryStatus(qmpScenarioEnv *env)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *status = NULL;
    bool running = false;

    g_assert_true(qemuMonitorQueryStatus(env->mon, &running, &status, &err));
    g_assert_true(running);
    g_assert_cmpstr(status, ==, "running");
}


static void
scenarioStopCont(qmpScenarioEnv *env)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *status = NULL;
    bool running = true;

    g_assert_true(qemuMonitorStop(env->mon, &err));
    g_assert_true(qemuMonitorQueryStatus(env->mon, &running, &status, &err));
    g_assert_false(running);
    g_assert_cmpstr(status, ==, "paused");
    g_assert_true(qemuMonitorCont(env->mon, &err));
    g_assert_true(qemuMonitorQueryStatus(env->mon, &running, NULL, &err));
    g_assert_no_error(err);
    g_assert_true(running);
    g_assert_true(sawEvent(env, "STOP"));
    g_assert_true(sawEvent(env, "RESUME"));
}


static void
scenarioResetPowerdown(qmpScenarioEnv *env)
{
    g_autoptr(GError) err = NULL;

    g_assert_true(qemuMonitorSystemReset(env->mon, &err));
    g_assert_true(qemuMonitorSystemPowerdown(env->mon, &err));
    g_assert_no_error(err);
}


static void
scenarioHMP(qmpScenarioEnv *env)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *out = qemuMonitorHumanCommand(env->mon, "info version", &err);

    g_assert_no_error(err);
    g_assert_true(g_str_has_prefix(out, "7.2."));
}


static void
scenarioQueryVersion(qmpScenarioEnv *env)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *package = NULL;
    int major = 0;
    int minor = 0;
    int micro = -1;

    g_assert_true(qemuMonitorQueryVersion(env->mon, &major, &minor, &micro, &package, &err));
    g_assert_cmpint(major, ==, 7);
    g_assert_cmpint(minor, ==, 2);
    g_assert_cmpint(micro, >=, 0);
    g_assert_nonnull(package);
}


static void
scenarioQueryQmpSchema(qmpScenarioEnv *env)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(JsonNode) schema = qemuMonitorQueryQmpSchema(env->mon, &err);

    g_assert_no_error(err);
    g_assert_true(JSON_NODE_HOLDS_ARRAY(schema));
    g_assert_cmpuint(json_array_get_length(json_node_get_array(schema)), >, 0);
}


static void
scenarioQueryBlock(qmpScenarioEnv *env)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GPtrArray) list = qemuMonitorQueryBlock(env->mon, &err);

    g_assert_no_error(err);
    /* -machine none has no disks; nodes without a device are not listed. */
    g_assert_cmpuint(list->len, ==, 0);
}


static void
scenarioBlockdev(qmpScenarioEnv *env)
{
    g_autoptr(GPtrArray) nodes = NULL;
    qemuMonitorBlockNode *top;
    qemuMonitorBlockNode *base;

    addImage(env->mon, 1, "base.qcow2", NULL);
    addImage(env->mon, 2, "disk.qcow2", "libvirt-1-format");
    nodes = queryNodes(env->mon);

    g_assert_nonnull((top = qemuMonitorBlockNodeFind(nodes, "libvirt-2-format")));
    g_assert_nonnull((base = qemuMonitorBlockNodeFind(nodes, "libvirt-1-format")));
    g_assert_nonnull(qemuMonitorBlockNodeFind(nodes, "libvirt-2-storage"));
    g_assert_null(qemuMonitorBlockNodeFind(nodes, "libvirt-3-format"));
    g_assert_cmpstr(top->drv, ==, "qcow2");
    g_assert_cmpstr(top->file, ==, "disk.qcow2");
    g_assert_cmpstr(top->backing_file, ==, "base.qcow2");
    /* flat=true: QEMU reports no depth (and no backing-image) per node. */
    g_assert_cmpint(top->backing_file_depth, ==, 0);
    g_assert_cmpstr(top->image_format, ==, "qcow2");
    g_assert_cmpuint(top->virtual_size, ==, 64 * MiB);
    g_assert_cmpuint(top->bitmaps->len, ==, 0);
    g_assert_null(base->backing_file);

    delImage(env->mon, 2);
    delImage(env->mon, 1);
}


static JsonObject *
createOptions(const char *driver)
{
    JsonObject *o = json_object_new();

    json_object_set_string_member(o, "driver", driver);
    return o;
}


static void
scenarioBlockdevCreate(qmpScenarioEnv *env)
{
    g_autoptr(JsonObject) file = createOptions("file");
    g_autoptr(JsonObject) qcow2 = createOptions("qcow2");
    g_autoptr(JsonObject) storage = fileNode("libvirt-5-storage", "new.qcow2");
    g_autoptr(JsonObject) format = qcow2Node("libvirt-5-format", "libvirt-5-storage", NULL);
    g_autoptr(GPtrArray) nodes = NULL;
    g_autoptr(GError) err = NULL;

    json_object_set_string_member(file, "filename", "new.qcow2");
    json_object_set_int_member(file, "size", 0);
    g_assert_true(qemuMonitorBlockdevCreateWait(env->mon, "create-storage", file, 10000, &err));
    g_assert_true(qemuMonitorBlockdevAdd(env->mon, storage, &err));

    json_object_set_string_member(qcow2, "file", "libvirt-5-storage");
    json_object_set_int_member(qcow2, "size", 32 * MiB);
    g_assert_true(qemuMonitorBlockdevCreateWait(env->mon, "create-format", qcow2, 10000, &err));
    g_assert_true(qemuMonitorBlockdevAdd(env->mon, format, &err));
    g_assert_no_error(err);

    nodes = queryNodes(env->mon);
    g_assert_cmpuint(qemuMonitorBlockNodeFind(nodes, "libvirt-5-format")->virtual_size, ==,
                     32 * MiB);
    g_assert_true(sawEvent(env, "JOB_STATUS_CHANGE"));
    delImage(env->mon, 5);
}


static void
scenarioBlockdevCreateError(qmpScenarioEnv *env)
{
    g_autoptr(JsonObject) qcow2 = createOptions("qcow2");
    g_autoptr(GError) err = NULL;

    addImage(env->mon, 1, "target.qcow2", NULL);
    /* A cluster size that is not a power of two fails inside the job. */
    json_object_set_string_member(qcow2, "file", "libvirt-1-storage");
    json_object_set_int_member(qcow2, "size", 32 * MiB);
    json_object_set_int_member(qcow2, "cluster-size", 1000);
    g_assert_false(qemuMonitorBlockdevCreateWait(env->mon, "create-bad", qcow2, 10000, &err));
    assertError(err, CAIRN_ERR_OPERATION_FAILED, NULL);
    g_assert_true(g_str_has_prefix(err->message,
                                   "operation failed: blockdev-create job 'create-bad' failed: "));
    g_clear_error(&err);
    delImage(env->mon, 1);
}


static void
assertBitmap(GPtrArray *nodes,
             const char *node,
             const char *name,
             bool persistent,
             bool recording,
             guint64 granularity)
{
    qemuMonitorBitmapInfo *bm =
        qemuMonitorBlockNodeFindBitmap(qemuMonitorBlockNodeFind(nodes, node), name);

    g_assert_nonnull(bm);
    g_assert_cmpint(bm->persistent, ==, persistent);
    g_assert_cmpint(bm->recording, ==, recording);
    g_assert_false(bm->inconsistent);
    g_assert_false(bm->busy);
    g_assert_cmpuint(bm->granularity, ==, granularity);
    g_assert_cmpuint(bm->count, ==, 0);
}


static void
scenarioTransactionBitmaps(qmpScenarioEnv *env)
{
    const char *node = "libvirt-1-format";
    qemuMonitorBitmapRef srcs[] = { { node, "a" } };
    g_autoptr(qemuMonitorTransaction) tr = qemuMonitorTransactionNew();
    g_autoptr(qemuMonitorTransaction) tr2 = qemuMonitorTransactionNew();
    g_autoptr(GPtrArray) nodes = NULL;
    g_autoptr(GPtrArray) after = NULL;
    g_autoptr(GError) err = NULL;

    addImage(env->mon, 1, "target.qcow2", NULL);

    qemuMonitorTransactionBitmapAdd(tr, node, "a", true, false, 0);
    qemuMonitorTransactionBitmapAdd(tr, node, "b", false, true, 128 * 1024);
    qemuMonitorTransactionBitmapMerge(tr, node, "b", srcs, G_N_ELEMENTS(srcs));
    g_assert_cmpuint(qemuMonitorTransactionCount(tr), ==, 3);
    g_assert_true(qemuMonitorTransactionRun(env->mon, tr, &err));
    g_assert_no_error(err);

    nodes = queryNodes(env->mon);
    assertBitmap(nodes, node, "a", true, true, 64 * 1024);
    assertBitmap(nodes, node, "b", false, false, 128 * 1024);

    qemuMonitorTransactionBitmapEnable(tr2, node, "b");
    qemuMonitorTransactionBitmapClear(tr2, node, "b");
    qemuMonitorTransactionBitmapDisable(tr2, node, "b");
    qemuMonitorTransactionBitmapRemove(tr2, node, "a");
    qemuMonitorTransactionBitmapRemove(tr2, node, "b");
    g_assert_true(qemuMonitorTransactionRun(env->mon, tr2, &err));

    g_assert_true(qemuMonitorBitmapAdd(env->mon, node, "c", false, false, 0, &err));
    g_assert_true(qemuMonitorBitmapAdd(env->mon, node, "d", false, true, 0, &err));
    srcs[0].name = "c";
    g_assert_true(qemuMonitorBitmapMerge(env->mon, node, "d", srcs, 1, &err));
    g_assert_true(qemuMonitorBitmapRemove(env->mon, node, "c", &err));
    g_assert_true(qemuMonitorBitmapRemove(env->mon, node, "d", &err));
    g_assert_no_error(err);

    after = queryNodes(env->mon);
    g_assert_cmpuint(qemuMonitorBlockNodeFind(after, node)->bitmaps->len, ==, 0);
    delImage(env->mon, 1);
}


/* One push backup of libvirt-1-format into libvirt-@target-format, then
 * the conclusion handling: query-jobs, job-dismiss. */
static void
runBackup(qmpScenarioEnv *env, qemuMonitorTransaction *tr, const char *job)
{
    g_autoptr(qemuMonitorEventWaiter) w =
        qemuMonitorJobWaiterNew(env->mon, job, QEMU_MONITOR_JOB_STATUS_CONCLUDED);
    g_autoptr(JsonObject) data = NULL;
    g_autoptr(GPtrArray) jobs = NULL;
    g_autoptr(GError) err = NULL;
    qemuMonitorJobInfo *info;

    g_assert_true(qemuMonitorTransactionRun(env->mon, tr, &err));
    g_assert_no_error(err);
    data = qemuMonitorEventWaiterWait(w, 10000, &err);
    g_assert_no_error(err);
    g_assert_cmpstr(json_object_get_string_member(data, "status"), ==, "concluded");

    jobs = qemuMonitorQueryJobs(env->mon, &err);
    g_assert_no_error(err);
    g_assert_nonnull((info = qemuMonitorJobInfoFind(jobs, job)));
    g_assert_cmpstr(info->type, ==, "backup");
    g_assert_cmpint(info->status, ==, QEMU_MONITOR_JOB_STATUS_CONCLUDED);
    g_assert_null(info->error);
    g_assert_cmpint(info->current_progress, ==, info->total_progress);
    g_assert_true(qemuMonitorJobDismiss(env->mon, job, &err));
    g_assert_no_error(err);
}


static void
scenarioBackupPush(qmpScenarioEnv *env)
{
    const char *top = "libvirt-1-format";
    qemuMonitorBitmapRef srcs[] = { { top, "c1" } };
    g_autoptr(qemuMonitorTransaction) tr = qemuMonitorTransactionNew();
    g_autoptr(qemuMonitorTransaction) ckpt = qemuMonitorTransactionNew();
    g_autoptr(qemuMonitorTransaction) tr2 = qemuMonitorTransactionNew();
    g_autoptr(GError) err = NULL;

    addImage(env->mon, 1, "disk.qcow2", NULL);
    addImage(env->mon, 2, "target.qcow2", NULL);
    addImage(env->mon, 3, "target2.qcow2", NULL);

    /* Full backup creating checkpoint c1 (its actions go first). */
    qemuMonitorTransactionBitmapAdd(ckpt, top, "c1", true, false, 0);
    qemuMonitorTransactionAppend(tr, ckpt);
    qemuMonitorTransactionBackup(tr, top, "backup-vda-libvirt-1-format", "libvirt-2-format",
                                 QEMU_MONITOR_BACKUP_SYNC_FULL, NULL, true, false);
    runBackup(env, tr, "backup-vda-libvirt-1-format");

    /* Incremental backup since c1 through a temporary bitmap. */
    qemuMonitorTransactionBitmapAdd(tr2, top, "backup-vda", false, true, 64 * 1024);
    qemuMonitorTransactionBitmapMerge(tr2, top, "backup-vda", srcs, 1);
    qemuMonitorTransactionBackup(tr2, top, "backup-vda-libvirt-1-format", "libvirt-3-format",
                                 QEMU_MONITOR_BACKUP_SYNC_INCREMENTAL, "backup-vda", true, false);
    runBackup(env, tr2, "backup-vda-libvirt-1-format");

    g_assert_true(qemuMonitorBitmapRemove(env->mon, top, "backup-vda", &err));
    g_assert_true(qemuMonitorBitmapRemove(env->mon, top, "c1", &err));
    g_assert_no_error(err);
    delImage(env->mon, 3);
    delImage(env->mon, 2);
    delImage(env->mon, 1);
}


static void
assertQemuFailure(bool ok, GError **err, const char *command)
{
    g_autofree char *prefix =
        g_strdup_printf("operation failed: QEMU command '%s' failed: ", command);

    g_assert_false(ok);
    assertError(*err, CAIRN_ERR_OPERATION_FAILED, NULL);
    g_assert_true(g_str_has_prefix((*err)->message, prefix));
    g_clear_error(err);
}


static void
scenarioJobsErrors(qmpScenarioEnv *env)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GPtrArray) jobs = qemuMonitorQueryJobs(env->mon, &err);

    g_assert_no_error(err);
    g_assert_cmpuint(jobs->len, ==, 0);
    assertQemuFailure(qemuMonitorJobDismiss(env->mon, "nope", &err), &err, "job-dismiss");
    assertQemuFailure(qemuMonitorJobFinalize(env->mon, "nope", &err), &err, "job-finalize");
    assertQemuFailure(qemuMonitorJobCancel(env->mon, "nope", &err), &err, "job-cancel");
    assertQemuFailure(qemuMonitorBlockJobCancel(env->mon, "nope", true, &err), &err,
                      "block-job-cancel");
}


static void
scenarioErrorGeneric(qmpScenarioEnv *env)
{
    g_autoptr(GError) err = NULL;

    g_assert_false(qemuMonitorBlockdevDel(env->mon, "nope", &err));
    assertError(err, CAIRN_ERR_OPERATION_FAILED,
                "operation failed: QEMU command 'blockdev-del' failed: "
                "Failed to find node with node-name='nope'");
    /* The monitor is still usable. */
    g_clear_error(&err);
    g_assert_true(qemuMonitorQueryStatus(env->mon, NULL, NULL, &err));
}


static void
scenarioErrorClass(qmpScenarioEnv *env)
{
    g_autoptr(GError) err = NULL;

    g_assert_false(qemuMonitorDeviceDel(env->mon, "nope", &err));
    assertError(err, CAIRN_ERR_OPERATION_FAILED,
                "operation failed: QEMU command 'device_del' failed: "
                "Device 'nope' not found (DeviceNotFound)");
}


static void
scenarioNBD(qmpScenarioEnv *env)
{
    const char *bitmaps[] = { "backup-vda", NULL };
    g_autoptr(JsonObject) tls = json_object_new();
    g_autoptr(GError) err = NULL;

    addImage(env->mon, 1, "target.qcow2", NULL);
    g_assert_true(
        qemuMonitorBitmapAdd(env->mon, "libvirt-1-format", "backup-vda", false, true, 0, &err));
    g_assert_true(qemuMonitorNBDServerStartUnix(env->mon, "nbd.sock", NULL, &err));
    g_assert_true(qemuMonitorBlockExportAddNBD(env->mon, "libvirt-nbd-libvirt-1-format",
                                               "libvirt-1-format", "vda", false, bitmaps, &err));
    g_assert_true(qemuMonitorBlockExportDel(env->mon, "libvirt-nbd-libvirt-1-format", true, &err));
    g_assert_true(qemuMonitorNBDServerStop(env->mon, &err));
    g_assert_true(qemuMonitorNBDServerStartInet(env->mon, "127.0.0.1", 0, NULL, &err));
    g_assert_true(qemuMonitorNBDServerStop(env->mon, &err));

    /* With TLS: anonymous credentials need no certificates. */
    json_object_set_string_member(tls, "endpoint", "server");
    g_assert_true(
        qemuMonitorObjectAdd(env->mon, "tls-creds-anon", "objlibvirt_backup_tls0", tls, &err));
    g_assert_true(
        qemuMonitorNBDServerStartUnix(env->mon, "nbd-tls.sock", "objlibvirt_backup_tls0", &err));
    g_assert_true(qemuMonitorNBDServerStop(env->mon, &err));
    g_assert_true(qemuMonitorObjectDel(env->mon, "objlibvirt_backup_tls0", &err));
    g_assert_true(qemuMonitorBitmapRemove(env->mon, "libvirt-1-format", "backup-vda", &err));
    g_assert_no_error(err);
    delImage(env->mon, 1);
}


static void
scenarioObject(qmpScenarioEnv *env)
{
    g_autoptr(JsonObject) props = json_object_new();
    g_autoptr(GError) err = NULL;

    json_object_set_string_member(props, "data", "c2VjcmV0");
    json_object_set_string_member(props, "format", "base64");
    g_assert_true(qemuMonitorObjectAdd(env->mon, "secret", "sec0", props, &err));
    g_assert_true(qemuMonitorObjectDel(env->mon, "sec0", &err));
    g_assert_no_error(err);
    assertQemuFailure(qemuMonitorObjectDel(env->mon, "sec0", &err), &err, "object-del");
}


static bool
eofSeen(gpointer opaque)
{
    return ((qmpScenarioEnv *)opaque)->eofs > 0;
}


static void
scenarioQuit(qmpScenarioEnv *env)
{
    g_autoptr(GError) err = NULL;
    GMainContext *ctx = qemuMonitorGetContext(env->mon);

    g_assert_true(qemuMonitorQuit(env->mon, &err));
    g_assert_no_error(err);
    while (!eofSeen(env))
        g_main_context_iteration(ctx, TRUE);
    g_assert_cmpint(env->eofs, ==, 1);
    g_assert_false(qemuMonitorIsConnected(env->mon));
    g_assert_false(qemuMonitorQueryStatus(env->mon, NULL, NULL, &err));
    assertError(err, CAIRN_ERR_OPERATION_FAILED, "operation failed: QEMU monitor closed");
}

/* ---- written by hand -------------------------------------------------- */

static void
scenarioEventsInterleaved(qmpScenarioEnv *env)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(qemuMonitorEventWaiter) w =
        qemuMonitorEventWaiterNew(env->mon, "BLOCK_JOB_COMPLETED", NULL, NULL);
    g_autoptr(JsonObject) data = NULL;
    bool running = false;

    /* Three events arrive before the reply, one after it in the same read. */
    g_assert_true(qemuMonitorQueryStatus(env->mon, &running, NULL, &err));
    g_assert_true(running);
    g_assert_cmpuint(env->events->len, ==, 4);
    g_assert_cmpstr(g_ptr_array_index(env->events, 0), ==, "STOP");
    g_assert_cmpstr(g_ptr_array_index(env->events, 1), ==, "RESUME");
    g_assert_cmpstr(g_ptr_array_index(env->events, 2), ==, "JOB_STATUS_CHANGE");
    g_assert_cmpstr(g_ptr_array_index(env->events, 3), ==, "BLOCK_JOB_COMPLETED");

    /* The waiter caught the event that came before the wait began. */
    data = qemuMonitorEventWaiterWait(w, 1000, &err);
    g_assert_no_error(err);
    g_assert_cmpstr(json_object_get_string_member(data, "device"), ==, "job0");
}


typedef struct {
    char *status;
    GError *error;
    int order;
} asyncResult;

static int asyncCompleted;


static void
asyncDone(GObject *source, GAsyncResult *res, gpointer opaque)
{
    asyncResult *r = opaque;
    g_autoptr(JsonNode) ret = qemuMonitorCommandFinish(NULL, res, &r->error);

    if (ret)
        r->status = g_strdup(json_object_get_string_member(json_node_get_object(ret), "status"));
    r->order = ++asyncCompleted;
}


static void
scenarioOutOfOrder(qmpScenarioEnv *env)
{
    GMainContext *ctx = qemuMonitorGetContext(env->mon);
    asyncResult a = { 0 };
    asyncResult b = { 0 };

    asyncCompleted = 0;
    qemuMonitorCommandAsync(env->mon, "query-status", NULL, NULL, asyncDone, &a);
    qemuMonitorCommandAsync(env->mon, "query-status", NULL, NULL, asyncDone, &b);
    while (asyncCompleted < 2)
        g_main_context_iteration(ctx, TRUE);

    /* The second command's reply came first; each got its own. */
    g_assert_no_error(a.error);
    g_assert_no_error(b.error);
    g_assert_cmpstr(a.status, ==, "running");
    g_assert_cmpstr(b.status, ==, "paused");
    g_assert_cmpint(b.order, ==, 1);
    g_assert_cmpint(a.order, ==, 2);
    g_free(a.status);
    g_free(b.status);
}


static void
scenarioEOFMidCommand(qmpScenarioEnv *env)
{
    g_autoptr(GError) err = NULL;

    g_assert_false(qemuMonitorQueryStatus(env->mon, NULL, NULL, &err));
    assertError(err, CAIRN_ERR_OPERATION_FAILED, "operation failed: QEMU monitor closed");
    g_assert_cmpint(env->eofs, ==, 1);
    g_assert_false(qemuMonitorIsConnected(env->mon));

    /* Later commands fail at once, and the handler is not called again. */
    g_clear_error(&err);
    g_assert_false(qemuMonitorStop(env->mon, &err));
    assertError(err, CAIRN_ERR_OPERATION_FAILED, "operation failed: QEMU monitor closed");
    g_clear_error(&err);
    g_assert_null(qemuMonitorWaitEvent(env->mon, "SHUTDOWN", NULL, NULL, 1000, &err));
    assertError(err, CAIRN_ERR_OPERATION_FAILED, "operation failed: QEMU monitor closed");
    g_assert_cmpint(env->eofs, ==, 1);
}


static void
scenarioTimeout(qmpScenarioEnv *env)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *status = NULL;

    qemuMonitorSetCommandTimeout(env->mon, 200);
    g_assert_cmpint(qemuMonitorGetCommandTimeout(env->mon), ==, 200);
    g_assert_false(qemuMonitorQueryStatus(env->mon, NULL, NULL, &err));
    assertError(err, CAIRN_ERR_OPERATION_TIMEOUT,
                "Timed out during operation: QEMU monitor command 'query-status' timed out "
                "after 200 ms");
    g_clear_error(&err);

    /* The late reply to the first command is dropped; the second command
     * gets its own. */
    g_assert_true(qemuMonitorQueryStatus(env->mon, NULL, &status, &err));
    g_assert_cmpstr(status, ==, "paused");

    /* An event that never comes. */
    g_assert_null(qemuMonitorWaitEvent(env->mon, "SHUTDOWN", NULL, NULL, 50, &err));
    assertError(err, CAIRN_ERR_OPERATION_TIMEOUT, NULL);
    g_assert_true(qemuMonitorIsConnected(env->mon));
}


static void
scenarioSplitMessage(qmpScenarioEnv *env)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *status = NULL;

    /* The greeting and this reply arrive a few bytes at a time. */
    g_assert_true(qemuMonitorQueryStatus(env->mon, NULL, &status, &err));
    g_assert_cmpstr(status, ==, "running");
    g_assert_cmpuint(env->events->len, ==, 1);
}


static void
scenarioOversize(qmpScenarioEnv *env)
{
    g_autoptr(GError) err = NULL;

    qemuMonitorSetMaxMessageSize(env->mon, 4096);
    g_assert_false(qemuMonitorQueryStatus(env->mon, NULL, NULL, &err));
    assertError(err, CAIRN_ERR_INTERNAL_ERROR,
                "internal error: QEMU monitor message exceeds 4096 bytes");
    g_assert_cmpint(env->eofs, ==, 1);
    g_assert_false(qemuMonitorIsConnected(env->mon));
}


static void
scenarioNotJSON(qmpScenarioEnv *env)
{
    g_autoptr(GError) err = NULL;

    g_assert_false(qemuMonitorQueryStatus(env->mon, NULL, NULL, &err));
    assertError(err, CAIRN_ERR_INTERNAL_ERROR, NULL);
    g_assert_true(g_str_has_prefix(err->message,
                                   "internal error: QEMU monitor sent a message that is not JSON"));
    g_assert_cmpint(env->eofs, ==, 1);
}


static void
scenarioErrorNoId(qmpScenarioEnv *env)
{
    g_autoptr(GError) err = NULL;

    /* An error without an id (QEMU could not parse the request) goes to
     * the oldest pending command. */
    g_assert_false(qemuMonitorQueryStatus(env->mon, NULL, NULL, &err));
    assertError(err, CAIRN_ERR_OPERATION_FAILED,
                "operation failed: QEMU command 'query-status' failed: JSON parse error, "
                "invalid keyword 'oops'");
    g_clear_error(&err);
    g_assert_true(qemuMonitorQueryStatus(env->mon, NULL, NULL, &err));
}


static void
scenarioMalformedReplies(qmpScenarioEnv *env)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GPtrArray) nodes = NULL;

    /* A reply of the wrong shape fails the command, not the connection. */
    g_assert_false(qemuMonitorQueryStatus(env->mon, NULL, NULL, &err));
    assertError(err, CAIRN_ERR_INTERNAL_ERROR,
                "internal error: QEMU command 'query-status' returned malformed data: "
                "no 'status' or 'running'");
    g_clear_error(&err);
    g_assert_null(qemuMonitorQueryNamedBlockNodes(env->mon, &err));
    assertError(err, CAIRN_ERR_INTERNAL_ERROR,
                "internal error: QEMU command 'query-named-block-nodes' returned malformed "
                "data: node without 'node-name' or 'drv'");
    g_clear_error(&err);
    g_assert_null(qemuMonitorQueryJobs(env->mon, &err));
    assertError(err, CAIRN_ERR_INTERNAL_ERROR,
                "internal error: QEMU command 'query-jobs' returned malformed data: not an "
                "array");
    g_clear_error(&err);
    g_assert_false(qemuMonitorStop(env->mon, &err));
    assertError(err, CAIRN_ERR_INTERNAL_ERROR,
                "internal error: QEMU command 'stop' got a malformed error reply");
    g_clear_error(&err);

    /* Odd members are tolerated where they do not matter. */
    nodes = qemuMonitorQueryNamedBlockNodes(env->mon, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(nodes->len, ==, 1);
    g_assert_cmpuint(((qemuMonitorBlockNode *)g_ptr_array_index(nodes, 0))->bitmaps->len, ==, 1);
    g_assert_true(qemuMonitorIsConnected(env->mon));
    /* Events without a usable name were dropped. */
    g_assert_cmpuint(env->events->len, ==, 0);
}


/* An event handler that runs a synchronous command (the monitor's
 * context is iterated from inside its own dispatch). */
static void
onEventNested(qemuMonitor *mon, const char *event, JsonObject *data, gint64 ts, gpointer opaque)
{
    qmpScenarioEnv *env = opaque;
    g_autoptr(GError) err = NULL;
    g_autofree char *status = NULL;

    g_ptr_array_add(env->events, g_strdup(event));
    if (!g_str_equal(event, "STOP"))
        return;
    g_assert_true(qemuMonitorQueryStatus(mon, NULL, &status, &err));
    g_assert_cmpstr(status, ==, "paused");
}


static void
scenarioNestedCommand(qmpScenarioEnv *env)
{
    g_autoptr(GError) err = NULL;

    qemuMonitorSetEventHandler(env->mon, onEventNested, env);
    g_assert_true(qemuMonitorStop(env->mon, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(env->events->len, ==, 2);
    g_assert_cmpstr(g_ptr_array_index(env->events, 0), ==, "STOP");
    g_assert_cmpstr(g_ptr_array_index(env->events, 1), ==, "RESUME");
}


static void
scenarioClosePending(qmpScenarioEnv *env)
{
    g_autoptr(GMainContext) ctx = g_main_context_ref(qemuMonitorGetContext(env->mon));
    asyncResult a = { 0 };

    asyncCompleted = 0;
    qemuMonitorCommandAsync(env->mon, "query-status", NULL, NULL, asyncDone, &a);
    g_clear_pointer(&env->mon, qemuMonitorClose);
    while (asyncCompleted < 1)
        g_main_context_iteration(ctx, TRUE);
    assertError(a.error, CAIRN_ERR_OPERATION_FAILED, "operation failed: QEMU monitor closed");
    g_clear_error(&a.error);
    /* Closing is not an EOF from QEMU. */
    g_assert_cmpint(env->eofs, ==, 0);
}


static void
scenarioCancel(qmpScenarioEnv *env)
{
    GMainContext *ctx = qemuMonitorGetContext(env->mon);
    g_autoptr(GCancellable) cancel = g_cancellable_new();
    g_autoptr(GError) err = NULL;
    g_autofree char *status = NULL;
    asyncResult a = { 0 };

    asyncCompleted = 0;
    qemuMonitorCommandAsync(env->mon, "query-status", NULL, cancel, asyncDone, &a);
    g_cancellable_cancel(cancel);
    while (asyncCompleted < 1)
        g_main_context_iteration(ctx, TRUE);
    assertError(a.error, CAIRN_ERR_OPERATION_ABORTED,
                "operation aborted: QEMU monitor command 'query-status' cancelled");
    g_clear_error(&a.error);

    /* Its reply, when it comes, is dropped. */
    g_assert_true(qemuMonitorQueryStatus(env->mon, NULL, &status, &err));
    g_assert_cmpstr(status, ==, "paused");
}


static void
scenarioCapabilitiesError(qmpScenarioEnv *env)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(qemuMonitor) mon = qmpScenarioOpen(env, 5000, &err);

    g_assert_null(mon);
    assertError(err, CAIRN_ERR_OPERATION_FAILED,
                "operation failed: QEMU command 'qmp_capabilities' failed: "
                "Capabilities negotiation is already complete, command ignored (CommandNotFound)");
}


static void
scenarioGreetingTimeout(qmpScenarioEnv *env)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(qemuMonitor) mon = qmpScenarioOpen(env, 200, &err);

    g_assert_null(mon);
    assertError(err, CAIRN_ERR_OPERATION_TIMEOUT,
                "Timed out during operation: no QMP greeting from QEMU within 200 ms");
}

/* ---- the table -------------------------------------------------------- */

const qmpScenario qmpScenarios[] = {
    { "capabilities", scenarioCapabilities, true },
    { "query-status", scenarioQueryStatus, true },
    { "stop-cont", scenarioStopCont, true },
    { "reset-powerdown", scenarioResetPowerdown, true },
    { "human-monitor-command", scenarioHMP, true },
    { "query-version", scenarioQueryVersion, true },
    { "query-qmp-schema", scenarioQueryQmpSchema, true, false, 3 },
    { "query-block", scenarioQueryBlock, true },
    { "blockdev", scenarioBlockdev, true },
    { "blockdev-create", scenarioBlockdevCreate, true },
    { "blockdev-create-error", scenarioBlockdevCreateError, true },
    { "transaction-bitmaps", scenarioTransactionBitmaps, true },
    { "backup-push", scenarioBackupPush, true },
    { "jobs-errors", scenarioJobsErrors, true },
    { "error-generic", scenarioErrorGeneric, true },
    { "error-class", scenarioErrorClass, true },
    { "nbd", scenarioNBD, true },
    { "object", scenarioObject, true },
    { "quit", scenarioQuit, true },
    { "events-interleaved", scenarioEventsInterleaved },
    { "out-of-order", scenarioOutOfOrder },
    { "eof-mid-command", scenarioEOFMidCommand },
    { "timeout", scenarioTimeout },
    { "split-message", scenarioSplitMessage },
    { "oversize", scenarioOversize },
    { "not-json", scenarioNotJSON },
    { "error-no-id", scenarioErrorNoId },
    { "malformed-replies", scenarioMalformedReplies },
    { "nested-command", scenarioNestedCommand },
    { "close-pending", scenarioClosePending },
    { "cancel", scenarioCancel },
    { "capabilities-error", scenarioCapabilitiesError, false, true },
    { "greeting-timeout", scenarioGreetingTimeout, false, true },
    { NULL, NULL },
};


const qmpScenario *
qmpScenarioFind(const char *name)
{
    const qmpScenario *s;

    for (s = qmpScenarios; s->name; s++) {
        if (g_str_equal(s->name, name))
            return s;
    }
    return NULL;
}


bool
qmpScenarioPrepareImages(const char *workdir, GError **error)
{
    const char *base[] = { "create", "-q", "-f", "qcow2", "base.qcow2", "64M", NULL };
    const char *disk[] = { "create",     "-q", "-f",    "qcow2",      "-b",
                           "base.qcow2", "-F", "qcow2", "disk.qcow2", NULL };
    const char *target[] = { "create", "-q", "-f", "qcow2", "target.qcow2", "64M", NULL };
    const char *target2[] = { "create", "-q", "-f", "qcow2", "target2.qcow2", "64M", NULL };

    return qmpTestQemuImg(workdir, base, error) && qmpTestQemuImg(workdir, disk, error) &&
           qmpTestQemuImg(workdir, target, error) && qmpTestQemuImg(workdir, target2, error);
}
