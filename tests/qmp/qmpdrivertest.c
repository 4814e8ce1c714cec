/*
 * qmpdrivertest.c: the driver's own checkpoint code, without QEMU. A
 * qemuBlockHost of a running domain is opened by the real
 * qemuBlockHostOpen(), its monitor handed over already connected
 * (qemuDriverState.attach_monitor) to a fake peer playing a recorded
 * conversation, tests/data/qmp-driver/NAME.qmp (one per scenario, found by
 * enumerating the directory). Every command the code sends must be the
 * next one of the file (compared as JSON, ids ignored), and every command
 * of the file is checked against QEMU's captured QAPI schema.
 *
 *   qmpdrivertest                          replay every file
 *   qmpdrivertest --capture DIR [NAME...]  record the scenarios from a real
 *                                          QEMU into DIR/NAME.qmp
 */
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "cairn/cairn-error.h"
#include "conf/checkpoint_conf.h"
#include "qemu/qemu_blockhost.h"
#include "qemu/qemu_checkpoint.h"
#include "qemu/qemu_domain.h"
#include "qemu/qemu_monitor_cmd.h"
#include "qemu/qemu_status.h"
#include "qmpscenarios.h"
#include "qmptestutils.h"
#include "testutils.h"

/* A running domain "vm" with disks vda and vdb on nodes libvirt-1-* and
 * libvirt-2-*, as qemuBlockHostOpen() sees it. */
typedef struct {
    qemuDriverState drv;
    qemuDomainObj obj;
    int fd; /* the monitor's socket, until attach takes it */
} driverEnv;

typedef struct {
    const char *name;
    void (*run)(driverEnv *env);
} driverScenario;


static qemuMonitor *
attachMonitor(qemuDomainObj *obj G_GNUC_UNUSED, void *opaque, GError **error)
{
    driverEnv *env = opaque;
    int fd = env->fd;

    env->fd = -1;
    return qemuMonitorOpenFd(fd, NULL, 5000, error);
}


static void
envInit(driverEnv *env, int fd)
{
    memset(env, 0, sizeof(*env));
    env->fd = fd;
    env->drv.attach_monitor = attachMonitor;
    env->drv.attach_opaque = env;
    env->obj.name = g_strdup("vm");
    env->obj.pidfd = -1;
    env->obj.status = qemuDomainStatusNew();
    g_ptr_array_add(
        env->obj.status->disks,
        qemuStatusDiskNew("vda", "virtio-disk0", "libvirt-1-storage", "libvirt-1-format"));
    g_ptr_array_add(
        env->obj.status->disks,
        qemuStatusDiskNew("vdb", "virtio-disk1", "libvirt-2-storage", "libvirt-2-format"));
}


static void
envClear(driverEnv *env)
{
    g_free(env->obj.name);
    g_clear_pointer(&env->obj.status, qemuDomainStatusFree);
    if (env->fd >= 0)
        close(env->fd);
}


/* What QEMU's command line does for a running domain: image @file as
 * nodes libvirt-N-storage and libvirt-N-format. Not driver code. */
static void
addImage(qemuMonitor *mon, int n, const char *file)
{
    g_autoptr(JsonObject) storage = json_object_new();
    g_autoptr(JsonObject) format = json_object_new();
    g_autofree char *snode = g_strdup_printf("libvirt-%d-storage", n);
    g_autofree char *fnode = g_strdup_printf("libvirt-%d-format", n);
    g_autoptr(GError) err = NULL;

    json_object_set_string_member(storage, "driver", "file");
    json_object_set_string_member(storage, "node-name", snode);
    json_object_set_string_member(storage, "filename", file);
    json_object_set_string_member(format, "driver", "qcow2");
    json_object_set_string_member(format, "node-name", fnode);
    json_object_set_string_member(format, "file", snode);
    g_assert_true(qemuMonitorBlockdevAdd(mon, storage, &err));
    g_assert_true(qemuMonitorBlockdevAdd(mon, format, &err));
    g_assert_no_error(err);
}


/* The running domain's blockhost, through the driver's own open. */
static qemuBlockHost *
openHost(driverEnv *env)
{
    g_autoptr(GError) err = NULL;
    qemuBlockHost *host = qemuBlockHostOpen(&env->drv, &env->obj, 0, &err);

    g_assert_no_error(err);
    g_assert_nonnull(host);
    g_assert_false(qemuBlockHostIsOffline(host));
    g_assert_cmpstr(qemuBlockHostTopNode(host, "vda"), ==, "libvirt-1-format");
    addImage(qemuBlockHostMonitor(host), 1, "disk.qcow2");
    addImage(qemuBlockHostMonitor(host), 2, "target.qcow2");
    return host;
}


/* The checkpoint's transaction as qemuDomainCheckpointCreateXML() runs it
 * (and qemuDomainBackupBegin() embeds it): one bitmap-add per disk. */
static bool
createCheckpoint(qemuBlockHost *host, const char *xml, GError **error)
{
    g_autoptr(cairnCheckpointDef) def = NULL;
    g_autoptr(qemuMonitorTransaction) tr = qemuMonitorTransactionNew();

    def = cairnCheckpointDefParseString(xml, 0, error);
    g_assert_nonnull(def);
    return qemuCheckpointAddActions(host, def, tr, error) &&
           qemuBlockHostTransaction(host, tr, NULL, error);
}


static void
scenarioCheckpointCreate(driverEnv *env)
{
    g_autoptr(qemuBlockHost) host = openHost(env);
    g_autoptr(GError) err = NULL;

    g_assert_true(createCheckpoint(host,
                                   "<domaincheckpoint><name>c1</name><disks>"
                                   "<disk name='vda' checkpoint='bitmap' bitmap='c1'/>"
                                   "<disk name='vdb' checkpoint='bitmap' bitmap='c1'/>"
                                   "</disks></domaincheckpoint>",
                                   &err));
    g_assert_no_error(err);
    g_assert_true(qemuBlockHostClose(g_steal_pointer(&host), &err));
    g_assert_no_error(err);
}


/* A second checkpoint with a bitmap name vdb already has: QEMU refuses
 * the whole transaction; a disk without a node fails before any QMP. */
static void
scenarioCheckpointCreateError(driverEnv *env)
{
    g_autoptr(qemuBlockHost) host = openHost(env);
    g_autoptr(GError) err = NULL;

    g_assert_true(createCheckpoint(host,
                                   "<domaincheckpoint><name>c1</name><disks>"
                                   "<disk name='vdb' checkpoint='bitmap' bitmap='c1'/>"
                                   "</disks></domaincheckpoint>",
                                   &err));
    g_assert_no_error(err);
    g_assert_false(createCheckpoint(host,
                                    "<domaincheckpoint><name>c2</name><disks>"
                                    "<disk name='vda' checkpoint='bitmap' bitmap='c2'/>"
                                    "<disk name='vdb' checkpoint='bitmap' bitmap='c1'/>"
                                    "</disks></domaincheckpoint>",
                                    &err));
    g_assert_nonnull(err);
    g_assert_cmpint(err->code, ==, CAIRN_ERR_OPERATION_FAILED);
    g_assert_cmpstr(
        err->message, ==,
        "operation failed: QEMU command 'transaction' failed: Bitmap already exists: c1");
    g_clear_error(&err);
    g_assert_false(createCheckpoint(host,
                                    "<domaincheckpoint><name>c3</name><disks>"
                                    "<disk name='vdc' checkpoint='bitmap' bitmap='c3'/>"
                                    "</disks></domaincheckpoint>",
                                    &err));
    g_assert_nonnull(err);
    g_assert_cmpint(err->code, ==, CAIRN_ERR_OPERATION_INVALID);
    g_clear_error(&err);
    g_assert_true(qemuBlockHostClose(g_steal_pointer(&host), &err));
    g_assert_no_error(err);
}


static const driverScenario scenarios[] = {
    { "checkpoint-create", scenarioCheckpointCreate },
    { "checkpoint-create-error", scenarioCheckpointCreateError },
    { NULL, NULL },
};


static const driverScenario *
findScenario(const char *name)
{
    for (const driverScenario *s = scenarios; s->name; s++) {
        if (g_str_equal(s->name, name))
            return s;
    }
    return NULL;
}


static void
runScenario(const driverScenario *s, int fd)
{
    driverEnv env;

    envInit(&env, fd);
    s->run(&env);
    envClear(&env);
}

/* ---- replay ----------------------------------------------------------- */

static qmpTestSchema *schema;


static void
testReplay(gconstpointer opaque)
{
    const char *path = opaque;
    g_autofree char *base = g_path_get_basename(path);
    g_autoptr(GPtrArray) script = NULL;
    g_autoptr(GError) err = NULL;
    const driverScenario *s;
    qmpTestPeer *peer;
    guint checked = 0;
    int fd;

    *strrchr(base, '.') = '\0';
    s = findScenario(base);
    g_assert_nonnull(s);
    script = qmpTestScriptLoad(path, &err);
    g_assert_no_error(err);
    for (guint i = 0; i < script->len; i++) {
        qmpTestStep *step = g_ptr_array_index(script, i);
        g_autoptr(JsonNode) msg = NULL;

        if (step->kind != QMP_TEST_STEP_EXPECT)
            continue;
        msg = qmpTestParseObject(step->text, &err);
        g_assert_no_error(err);
        if (!qmpTestSchemaCheckCommand(schema, json_node_get_object(msg), &err))
            g_error("%s:%d: %s", path, step->line, err->message);
        checked++;
    }
    g_assert_cmpuint(checked, >, 0);

    peer = qmpTestPeerStart(script, &fd, &err);
    g_assert_no_error(err);
    runScenario(s, fd);
    qmpTestPeerFinish(peer, &err);
    g_assert_no_error(err);
}


static void
testAllScenariosHaveFiles(gconstpointer opaque)
{
    const char *dir = opaque;

    for (const driverScenario *s = scenarios; s->name; s++) {
        g_autofree char *file = g_strdup_printf("%s/%s.qmp", dir, s->name);

        if (!g_file_test(file, G_FILE_TEST_EXISTS))
            g_error("scenario %s has no conversation file %s", s->name, file);
    }
}


static gint
comparePaths(gconstpointer a, gconstpointer b)
{
    return g_strcmp0(*(char *const *)a, *(char *const *)b);
}


static int
replayAll(int argc, char **argv)
{
    g_autofree char *schema_path = cairnTestSrcPath("data/qapi-schema/qemu-7.2.json");
    g_autofree char *dir = cairnTestSrcPath("data/qmp-driver");
    g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GDir) d = NULL;
    g_autoptr(GError) err = NULL;
    const char *name;
    int ret;

    g_test_init(&argc, &argv, NULL);
    if (!(schema = qmpTestSchemaLoad(schema_path, &err)))
        g_error("%s", err->message);
    if (!(d = g_dir_open(dir, 0, &err)))
        g_error("%s", err->message);
    while ((name = g_dir_read_name(d))) {
        if (g_str_has_suffix(name, ".qmp"))
            g_ptr_array_add(files, g_build_filename(dir, name, NULL));
    }
    g_ptr_array_sort(files, comparePaths);
    g_test_add_data_func("/qmp/driver/all-scenarios-have-files", dir, testAllScenariosHaveFiles);
    for (guint i = 0; i < files->len; i++) {
        const char *path = g_ptr_array_index(files, i);
        g_autofree char *base = g_path_get_basename(path);
        g_autofree char *test = g_strdup_printf("/qmp/driver/%s", base);

        g_test_add_data_func(test, path, testReplay);
    }
    ret = g_test_run();
    qmpTestSchemaFree(schema);
    return ret;
}

/* ---- recording -------------------------------------------------------- */

static void
removeWorkdir(const char *workdir)
{
    g_autoptr(GDir) d = g_dir_open(workdir, 0, NULL);
    const char *name;

    while (d && (name = g_dir_read_name(d))) {
        g_autofree char *p = g_build_filename(workdir, name, NULL);
        g_unlink(p);
    }
    g_rmdir(workdir);
}


static bool
captureOne(const char *qemu_bin, const driverScenario *s, const char *outdir, GError **error)
{
    g_autofree char *workdir = g_dir_make_tmp("cairn-qmp-driver-XXXXXX", error);
    g_autofree char *transcript = NULL;
    g_autofree char *out = NULL;
    g_autofree char *text = NULL;
    g_autoptr(qmpTestQemu) qemu = NULL;
    qmpTestRecorder *rec;
    int qemu_fd;
    int fd;

    if (!workdir || !qmpScenarioPrepareImages(workdir, error) ||
        !(qemu = qmpTestQemuStart(qemu_bin, workdir, error)) ||
        (qemu_fd = qmpTestQemuConnect(qemu, error)) < 0 ||
        !(rec = qmpTestRecorderStart(qemu_fd, 0, &fd, error)))
        return false;

    runScenario(s, fd);
    transcript = qmpTestRecorderFinish(rec);
    text = g_strdup_printf("# Recorded from QEMU by qmpdrivertest --capture (scenario %s in\n"
                           "# tests/qmp/qmpdrivertest.c); do not edit, re-record.\n%s",
                           s->name, transcript);
    out = g_strdup_printf("%s/%s.qmp", outdir, s->name);
    if (!g_file_set_contents(out, text, -1, error))
        return false;
    g_print("%s\n", out);
    g_clear_pointer(&qemu, qmpTestQemuStop);
    removeWorkdir(workdir);
    return true;
}


static int
captureAll(int argc, char **argv)
{
    g_autofree char *qemu_bin = qmpTestQemuFind();

    if (!qemu_bin) {
        g_printerr("no qemu-system-x86_64\n");
        return 1;
    }
    for (const driverScenario *s = scenarios; s->name; s++) {
        g_autoptr(GError) err = NULL;
        bool wanted = argc <= 3;

        for (int i = 3; i < argc; i++)
            wanted |= g_str_equal(argv[i], s->name);
        if (wanted && !captureOne(qemu_bin, s, argv[2], &err)) {
            g_printerr("%s: %s\n", s->name, err->message);
            return 1;
        }
    }
    return 0;
}


int
main(int argc, char **argv)
{
    if (argc >= 3 && g_str_equal(argv[1], "--capture"))
        return captureAll(argc, argv);
    return replayAll(argc, argv);
}
