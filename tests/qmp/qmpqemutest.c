/*
 * qmpqemutest.c: the QMP client against a real QEMU (-machine none, QMP
 * on a unix socket in a temporary directory): greeting and version,
 * query-status, HMP passthrough, blockdev-add of a qcow2 image made with
 * qemu-img, a persistent bitmap added in a transaction and seen by
 * query-named-block-nodes (and counting a guest-style write), quit and
 * EOF; and a QEMU killed under the client. Exits 77 (skip) only when
 * there is no qemu-system-x86_64. QEMU is killed by PID on every path
 * (and dies with the test process).
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gstdio.h>

#include "qmptestutils.h"
#include "testutils.h"
#include "qemu/qemu_monitor_cmd.h"
#include "util/cairnerror.h"

static char *qemuBinary;

typedef struct {
    char *workdir;
    qmpTestQemu *qemu;
    qemuMonitor *mon;
    int eofs;
    GPtrArray *events;
} fixture;


static void
onEOF(qemuMonitor *mon, gpointer opaque)
{
    ((fixture *)opaque)->eofs++;
}


static void
onEvent(qemuMonitor *mon, const char *event, JsonObject *data, gint64 ts, gpointer opaque)
{
    g_ptr_array_add(((fixture *)opaque)->events, g_strdup(event));
}


static void
fixtureSetUp(fixture *f, gconstpointer opaque)
{
    g_autoptr(GError) err = NULL;
    const char *img[] = { "create", "-q", "-f", "qcow2", "disk.qcow2", "64M", NULL };

    f->events = g_ptr_array_new_with_free_func(g_free);
    f->workdir = g_dir_make_tmp("cairn-qmpqemu-XXXXXX", &err);
    g_assert_no_error(err);
    g_assert_true(qmpTestQemuImg(f->workdir, img, &err));
    f->qemu = qmpTestQemuStart(qemuBinary, f->workdir, &err);
    g_assert_no_error(err);

    /* The path-based open, as the driver uses it. */
    f->mon = qemuMonitorOpen(qmpTestQemuSocketPath(f->qemu), NULL, 30000, &err);
    g_assert_no_error(err);
    qemuMonitorSetEOFHandler(f->mon, onEOF, f);
    qemuMonitorSetEventHandler(f->mon, onEvent, f);
}


static void
fixtureTearDown(fixture *f, gconstpointer opaque)
{
    const char *files[] = { "disk.qcow2", "qemu.log", NULL };
    const char *const *name;

    g_clear_pointer(&f->mon, qemuMonitorClose);
    g_clear_pointer(&f->qemu, qmpTestQemuStop);
    for (name = files; *name; name++) {
        g_autofree char *p = g_build_filename(f->workdir, *name, NULL);
        g_unlink(p);
    }
    g_rmdir(f->workdir);
    g_free(f->workdir);
    g_ptr_array_unref(f->events);
}


static void
addDisk(fixture *f)
{
    g_autofree char *path = g_build_filename(f->workdir, "disk.qcow2", NULL);
    g_autoptr(JsonObject) file = json_object_new();
    g_autoptr(JsonObject) fmt = json_object_new();
    g_autoptr(GError) err = NULL;

    json_object_set_string_member(file, "driver", "file");
    json_object_set_string_member(file, "node-name", "libvirt-1-storage");
    json_object_set_string_member(file, "filename", path);
    json_object_set_string_member(fmt, "driver", "qcow2");
    json_object_set_string_member(fmt, "node-name", "libvirt-1-format");
    json_object_set_string_member(fmt, "file", "libvirt-1-storage");
    json_object_set_null_member(fmt, "backing");
    g_assert_true(qemuMonitorBlockdevAdd(f->mon, file, &err));
    g_assert_true(qemuMonitorBlockdevAdd(f->mon, fmt, &err));
    g_assert_no_error(err);
}


static gboolean
setFlag(gpointer opaque)
{
    *(bool *)opaque = true;
    return G_SOURCE_REMOVE;
}


/* Iterate until the EOF handler ran (true) or 30 s passed. */
static bool
eofSeen(fixture *f)
{
    GMainContext *ctx = qemuMonitorGetContext(f->mon);
    g_autoptr(GSource) timer = g_timeout_source_new_seconds(30);
    bool expired = false;

    g_source_set_callback(timer, setFlag, &expired, NULL);
    g_source_attach(timer, ctx);
    while (f->eofs == 0 && !expired)
        g_main_context_iteration(ctx, TRUE);
    g_source_destroy(timer);
    return f->eofs == 1;
}


static void
testSession(fixture *f, gconstpointer opaque)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *status = NULL;
    g_autofree char *hmp = NULL;
    g_autofree char *package = NULL;
    g_autofree char *want = NULL;
    g_autoptr(qemuMonitorTransaction) tr = qemuMonitorTransactionNew();
    g_autoptr(GPtrArray) nodes = NULL;
    qemuMonitorBitmapInfo *bm;
    int gmaj, gmin, gmic, maj, min, mic;
    bool running = false;

    /* Greeting and query-version agree. */
    qemuMonitorGetVersion(f->mon, &gmaj, &gmin, &gmic);
    g_assert_cmpint(gmaj, >=, 7);
    g_assert_true(qemuMonitorQueryVersion(f->mon, &maj, &min, &mic, &package, &err));
    g_assert_cmpint(maj, ==, gmaj);
    g_assert_cmpint(min, ==, gmin);
    g_assert_cmpint(mic, ==, gmic);

    g_assert_true(qemuMonitorQueryStatus(f->mon, &running, &status, &err));
    g_assert_true(running);
    g_assert_cmpstr(status, ==, "running");

    hmp = qemuMonitorHumanCommand(f->mon, "info version", &err);
    g_assert_no_error(err);
    want = g_strdup_printf("%d.%d.%d", maj, min, mic);
    g_assert_true(g_str_has_prefix(hmp, want));

    addDisk(f);
    qemuMonitorTransactionBitmapAdd(tr, "libvirt-1-format", "chk", true, false, 0);
    g_assert_true(qemuMonitorTransactionRun(f->mon, tr, &err));
    g_assert_no_error(err);

    /* A write through the node is counted by the recording bitmap. */
    g_free(hmp);
    hmp =
        qemuMonitorHumanCommand(f->mon, "qemu-io libvirt-1-format \"write -P 0x5a 1M 64k\"", &err);
    g_assert_no_error(err);
    g_assert_null(strstr(hmp, "rror"));

    nodes = qemuMonitorQueryNamedBlockNodes(f->mon, &err);
    g_assert_no_error(err);
    bm = qemuMonitorBlockNodeFindBitmap(qemuMonitorBlockNodeFind(nodes, "libvirt-1-format"), "chk");
    g_assert_nonnull(bm);
    g_assert_true(bm->persistent);
    g_assert_true(bm->recording);
    g_assert_false(bm->inconsistent);
    g_assert_cmpuint(bm->granularity, ==, 65536);
    g_assert_cmpuint(bm->count, ==, 65536);
    g_assert_cmpuint(qemuMonitorBlockNodeFind(nodes, "libvirt-1-format")->virtual_size, ==,
                     64 * 1024 * 1024);

    /* quit: the reply, then EOF; pending and later commands fail. */
    g_assert_true(qemuMonitorQuit(f->mon, &err));
    g_assert_no_error(err);
    g_assert_true(eofSeen(f));
    g_assert_false(qemuMonitorIsConnected(f->mon));
    g_assert_false(qemuMonitorQueryStatus(f->mon, NULL, NULL, &err));
    g_assert_cmpstr(err->message, ==, "operation failed: QEMU monitor closed");
    g_assert_true(qmpTestQemuWaitExit(f->qemu, 30000));
}


/* The bitmap added by a previous session was written into the image. */
static void
testPersisted(fixture *f, gconstpointer opaque)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(qemuMonitorTransaction) tr = qemuMonitorTransactionNew();
    g_autoptr(GPtrArray) nodes = NULL;

    addDisk(f);
    qemuMonitorTransactionBitmapAdd(tr, "libvirt-1-format", "chk", true, false, 0);
    g_assert_true(qemuMonitorTransactionRun(f->mon, tr, &err));
    g_assert_true(qemuMonitorBlockdevDel(f->mon, "libvirt-1-format", &err));
    g_assert_true(qemuMonitorBlockdevDel(f->mon, "libvirt-1-storage", &err));
    g_assert_no_error(err);

    addDisk(f);
    nodes = qemuMonitorQueryNamedBlockNodes(f->mon, &err);
    g_assert_no_error(err);
    g_assert_nonnull(
        qemuMonitorBlockNodeFindBitmap(qemuMonitorBlockNodeFind(nodes, "libvirt-1-format"), "chk"));
}


/* QEMU dies under the client: the waiting command fails, EOF is reported. */
static void
testKilled(fixture *f, gconstpointer opaque)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(qemuMonitorEventWaiter) w = qemuMonitorEventWaiterNew(f->mon, "SHUTDOWN", NULL, NULL);

    g_clear_pointer(&f->qemu, qmpTestQemuStop); /* SIGKILL by PID */
    g_assert_null(qemuMonitorEventWaiterWait(w, 30000, &err));
    g_assert_cmpint(err->code, ==, CAIRN_ERR_OPERATION_FAILED);
    g_assert_cmpint(f->eofs, ==, 1);
    g_clear_error(&err);
    g_assert_false(qemuMonitorQueryStatus(f->mon, NULL, NULL, &err));
    g_assert_cmpint(err->code, ==, CAIRN_ERR_OPERATION_FAILED);
}


/* Nothing listens at the path: a clear error, at once. */
static void
testNoSocket(void)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *dir = g_dir_make_tmp("cairn-qmpqemu-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "missing.sock", NULL);
    g_autofree char *want =
        g_strdup_printf("operation failed: cannot connect to QEMU monitor at '%s': ", path);
    g_autoptr(qemuMonitor) mon = qemuMonitorOpen(path, NULL, 1000, &err);

    g_assert_null(mon);
    g_assert_nonnull(err);
    g_assert_true(g_str_has_prefix(err->message, want));
    g_rmdir(dir);
}


int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    if (!(qemuBinary = qmpTestQemuFind())) {
        g_printerr("qemu-system-x86_64 not found: skipped\n");
        return CAIRN_TEST_SKIP;
    }
    g_test_add_func("/qmp/qemu/no-socket", testNoSocket);
    g_test_add("/qmp/qemu/session", fixture, NULL, fixtureSetUp, testSession, fixtureTearDown);
    g_test_add("/qmp/qemu/persisted", fixture, NULL, fixtureSetUp, testPersisted, fixtureTearDown);
    g_test_add("/qmp/qemu/killed", fixture, NULL, fixtureSetUp, testKilled, fixtureTearDown);
    return g_test_run();
}
