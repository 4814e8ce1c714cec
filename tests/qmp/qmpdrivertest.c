/*
 * qmpdrivertest.c: the driver's own checkpoint code, without QEMU. A
 * qemuBlockHost of a running domain is opened by the real
 * qemuBlockHostOpen(), its monitor handed over already connected
 * (qemuDriverState.attach_monitor) to a fake peer playing a recorded
 * conversation, tests/data/qmp-driver/NAME.qmp (one per scenario, found by
 * enumerating the directory): checkpoint create, and backup begin (push
 * and pull) through qemuBackupBeginObj() on a driver state with a
 * temporary root. Every command the code sends must be the
 * next one of the file (compared as JSON, ids ignored), and every command
 * of the file is checked against QEMU's captured QAPI schema.
 *
 *   qmpdrivertest                          replay every file
 *   qmpdrivertest --capture DIR [NAME...]  record the scenarios from a real
 *                                          QEMU into DIR/NAME.qmp
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "cairn/cairn-error.h"
#include "conf/backup_conf.h"
#include "conf/checkpoint_conf.h"
#include "conf/domain_conf.h"
#include "qemu/qemu_backup.h"
#include "qemu/qemu_backup_job.h"
#include "qemu/qemu_blockhost.h"
#include "qemu/qemu_checkpoint.h"
#include "qemu/qemu_domain.h"
#include "qemu/qemu_monitor_cmd.h"
#include "qemu/qemu_status.h"
#include "qmpscenarios.h"
#include "qmptestutils.h"
#include "testutils.h"

/* A running domain "vm" with disks vda and vdb on nodes libvirt-1-* and
 * libvirt-2-*, as qemuBlockHostOpen() sees it, of a driver state on a
 * temporary root. Relative file names are the current directory's, which
 * is QEMU's (recording) or a temporary one (replay). */
typedef struct {
    qemuDriverState *drv;
    qemuDomainObj obj;
    char *root;
    int fd;                   /* the monitor's socket, until attach takes it */
    bool with_images;         /* attach also adds the images (addImage()) */
    const char *stray_bitmap; /* and this bitmap on vda, unknown to the metadata */
} driverEnv;

typedef struct {
    const char *name;
    void (*run)(driverEnv *env);
} driverScenario;


static void addImage(qemuMonitor *mon, int n, const char *file);


/* The one connection of the conversation; with_images, the domain's
 * images are added first, as QEMU's command line would have them. */
static qemuMonitor *
attachMonitor(qemuDomainObj *obj G_GNUC_UNUSED, void *opaque, GError **error)
{
    driverEnv *env = opaque;
    int fd = env->fd;
    qemuMonitor *mon;

    g_assert_cmpint(fd, >=, 0);
    env->fd = -1;
    if (!(mon = qemuMonitorOpenFd(fd, NULL, 5000, error)))
        return NULL;
    if (env->with_images) {
        addImage(mon, 1, "disk.qcow2");
        addImage(mon, 2, "target.qcow2");
    }
    if (env->stray_bitmap &&
        !qemuMonitorBitmapAdd(mon, "libvirt-1-format", env->stray_bitmap, false, false, 0, error)) {
        qemuMonitorClose(mon);
        return NULL;
    }
    return mon;
}


static const char domainXML[] =
    "<domain type='qemu'><name>vm</name><memory unit='KiB'>65536</memory>"
    "<os><type arch='x86_64'>hvm</type></os><devices>"
    "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
    "<source file='disk.qcow2'/><target dev='vda' bus='virtio'/></disk>"
    "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
    "<source file='target.qcow2'/><target dev='vdb' bus='virtio'/></disk>"
    "</devices></domain>";


static void
removeTree(const char *path)
{
    g_autoptr(GDir) d = g_dir_open(path, 0, NULL);
    const char *name;

    while (d && (name = g_dir_read_name(d))) {
        g_autofree char *p = g_build_filename(path, name, NULL);

        if (g_file_test(p, G_FILE_TEST_IS_DIR) && !g_file_test(p, G_FILE_TEST_IS_SYMLINK))
            removeTree(p);
        else
            g_unlink(p);
    }
    g_rmdir(path);
}


static void
envInit(driverEnv *env, int fd)
{
    g_autoptr(GError) err = NULL;

    memset(env, 0, sizeof(*env));
    env->fd = fd;
    env->root = g_dir_make_tmp("cairn-qmp-driver-root-XXXXXX", &err);
    g_assert_no_error(err);
    env->drv = qemuDriverStateNew(env->root, &err);
    g_assert_no_error(err);
    env->drv->attach_monitor = attachMonitor;
    env->drv->attach_opaque = env;
    env->obj.name = g_strdup("vm");
    env->obj.pidfd = -1;
    env->obj.checkpoints = cairnMomentListNew();
    env->obj.status = qemuDomainStatusNew();
    env->obj.status->def = cairnDomainDefParseString(domainXML, 0, &err);
    g_assert_no_error(err);
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
    g_clear_pointer(&env->obj.checkpoints, cairnMomentListFree);
    g_clear_pointer(&env->obj.checkpoint_files, g_hash_table_unref);
    g_clear_pointer(&env->obj.checkpoint_bad, g_ptr_array_unref);
    cairnFileCacheClear(&env->obj.def_file);
    cairnFileCacheClear(&env->obj.run_file);
    cairnFileCacheClear(&env->obj.reason_file);
    g_clear_pointer(&env->drv, qemuDriverStateFree);
    removeTree(env->root);
    g_free(env->root);
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
    qemuBlockHost *host = qemuBlockHostOpen(env->drv, &env->obj, 0, &err);

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


/* qemuDomainBackupBegin() below the lookup: its job must be recorded,
 * running, with @ndisks disks. */
static void
backupBegin(driverEnv *env, const char *backup_xml, const char *checkpoint_xml, guint ndisks)
{
    g_autoptr(cairnBackupDef) def = NULL;
    g_autoptr(cairnCheckpointDef) chk = NULL;
    g_autoptr(qemuBackupJob) job = NULL;
    g_autoptr(GError) err = NULL;

    def = cairnBackupDefParseString(backup_xml, 0, &err);
    g_assert_no_error(err);
    if (checkpoint_xml) {
        chk = cairnCheckpointDefParseString(checkpoint_xml, 0, &err);
        g_assert_no_error(err);
    }
    env->with_images = true;
    if (!qemuBackupBeginObj(env->drv, NULL, &env->obj, &def, &chk, chk ? chk->name : "1", 0, &err))
        g_error("backup begin: %s", err->message);
    g_assert_true(qemuBackupJobLoad(env->drv, "vm", &job, &err));
    g_assert_no_error(err);
    g_assert_nonnull(job);
    g_assert_cmpint(job->phase, ==, CAIRN_BACKUP_PHASE_RUNNING);
    g_assert_cmpuint(job->disks->len, ==, ndisks);
}


/* Push, full, into a new qcow2, with checkpoint c1 in the same
 * transaction. */
static void
scenarioBackupPush(driverEnv *env)
{
    g_autofree char *dir = g_get_current_dir();
    g_autofree char *xml = g_strdup_printf("<domainbackup><disks>"
                                           "<disk name='vda' type='file'>"
                                           "<target file='%s/backup-vda.qcow2'/>"
                                           "<driver type='qcow2'/></disk>"
                                           "<disk name='vdb' backup='no'/>"
                                           "</disks></domainbackup>",
                                           dir);

    g_autofree char *meta = NULL;

    backupBegin(env, xml,
                "<domaincheckpoint><name>c1</name><disks>"
                "<disk name='vda' checkpoint='bitmap'/>"
                "<disk name='vdb' checkpoint='no'/>"
                "</disks></domaincheckpoint>",
                1);
    g_assert_nonnull(cairnMomentListLookup(env->obj.checkpoints, "c1"));
    meta = g_build_filename(env->drv->checkpoint_dir, "vm", "c1.xml", NULL);
    g_assert_true(g_file_test(meta, G_FILE_TEST_IS_REGULAR));
}


/* A push whose checkpoint's bitmap vda already carries: QEMU refuses
 * the transaction, and the begin is rolled back (store nodes and file,
 * job record; no checkpoint). */
static void
scenarioBackupPushError(driverEnv *env)
{
    g_autofree char *dir = g_get_current_dir();
    g_autofree char *store = g_build_filename(dir, "backup-vda.qcow2", NULL);
    g_autofree char *xml = g_strdup_printf("<domainbackup><disks>"
                                           "<disk name='vda' type='file'>"
                                           "<target file='%s'/><driver type='qcow2'/></disk>"
                                           "<disk name='vdb' backup='no'/>"
                                           "</disks></domainbackup>",
                                           store);
    g_autoptr(cairnBackupDef) def = cairnBackupDefParseString(xml, 0, NULL);
    g_autoptr(cairnCheckpointDef) chk = NULL;
    g_autoptr(GError) err = NULL;

    chk = cairnCheckpointDefParseString("<domaincheckpoint><name>c1</name><disks>"
                                        "<disk name='vda' checkpoint='bitmap'/>"
                                        "<disk name='vdb' checkpoint='no'/>"
                                        "</disks></domaincheckpoint>",
                                        0, &err);
    g_assert_no_error(err);
    g_assert_nonnull(def);
    env->with_images = true;
    env->stray_bitmap = "c1";
    g_assert_false(qemuBackupBeginObj(env->drv, NULL, &env->obj, &def, &chk, "c1", 0, &err));
    g_assert_nonnull(err);
    g_assert_cmpstr(
        err->message, ==,
        "operation failed: QEMU command 'transaction' failed: Bitmap already exists: c1");
    g_assert_false(qemuBackupJobExists(env->drv, "vm"));
    g_assert_false(g_file_test(store, G_FILE_TEST_EXISTS));
    g_assert_null(cairnMomentListLookup(env->obj.checkpoints, "c1"));
}


/* Pull, full, over TCP, with a qcow2 scratch file. */
static void
scenarioBackupPull(driverEnv *env)
{
    g_autofree char *dir = g_get_current_dir();
    g_autofree char *xml =
        g_strdup_printf("<domainbackup mode='pull'>"
                        "<server transport='tcp' name='localhost' port='10871'/><disks>"
                        "<disk name='vda' type='file'><scratch file='%s/scratch-vda.qcow2'/>"
                        "<driver type='qcow2'/></disk>"
                        "<disk name='vdb' backup='no'/>"
                        "</disks></domainbackup>",
                        dir);

    backupBegin(env, xml, NULL, 1);
}


static const driverScenario scenarios[] = {
    { "backup-pull", scenarioBackupPull },
    { "backup-push", scenarioBackupPush },
    { "backup-push-error", scenarioBackupPushError },
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

/* Where the scenario's directory (absolute in backup XML) stands in a
 * recorded file. */
#define WORKDIR_MARK "@WORKDIR@"

static qmpTestSchema *schema;


static void
testReplay(gconstpointer opaque)
{
    const char *path = opaque;
    g_autofree char *base = g_path_get_basename(path);
    g_autoptr(GPtrArray) script = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *workdir = NULL;
    g_autofree char *cwd = NULL;
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

    workdir = g_dir_make_tmp("cairn-qmp-driver-XXXXXX", &err);
    g_assert_no_error(err);
    for (guint i = 0; i < script->len; i++) {
        qmpTestStep *step = g_ptr_array_index(script, i);
        GString *text = g_string_new(step->text);

        g_string_replace(text, WORKDIR_MARK, workdir, 0);
        g_free(step->text);
        step->text = g_string_free(text, FALSE);
    }
    peer = qmpTestPeerStart(script, &fd, &err);
    g_assert_no_error(err);
    cwd = g_get_current_dir();
    g_assert_cmpint(g_chdir(workdir), ==, 0);
    runScenario(s, fd);
    g_assert_cmpint(g_chdir(cwd), ==, 0);
    removeTree(workdir);
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


static int
replayAll(int argc, char **argv)
{
    g_autofree char *schema_path = cairnTestSrcPath("data/qapi-schema/qemu-7.2.json");
    g_autofree char *dir = cairnTestSrcPath("data/qmp-driver");
    g_autoptr(GPtrArray) files = NULL;
    g_autoptr(GError) err = NULL;
    int ret;

    g_test_init(&argc, &argv, NULL);
    if (!(schema = qmpTestSchemaLoad(schema_path, &err)))
        g_error("%s", err->message);
    files = qmpTestListConversations(dir);
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

static bool
captureOne(const char *qemu_bin, const driverScenario *s, const char *outdir, GError **error)
{
    g_autofree char *workdir = g_dir_make_tmp("cairn-qmp-driver-XXXXXX", error);
    g_autoptr(GString) transcript = NULL;
    g_autofree char *recorded = NULL;
    g_autofree char *out = NULL;
    g_autofree char *text = NULL;
    g_autofree char *cwd = NULL;
    g_autoptr(qmpTestQemu) qemu = NULL;
    qmpTestRecorder *rec;
    int qemu_fd;
    int fd;

    if (!workdir || !qmpScenarioPrepareImages(workdir, error) ||
        !(qemu = qmpTestQemuStart(qemu_bin, workdir, error)) ||
        (qemu_fd = qmpTestQemuConnect(qemu, error)) < 0 ||
        !(rec = qmpTestRecorderStart(qemu_fd, 0, &fd, error)))
        return false;

    cwd = g_get_current_dir();
    if (g_chdir(workdir) < 0) {
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno), "chdir %s", workdir);
        return false;
    }
    runScenario(s, fd);
    g_assert_cmpint(g_chdir(cwd), ==, 0);
    recorded = qmpTestRecorderFinish(rec);
    transcript = g_string_new(recorded);
    g_string_replace(transcript, workdir, WORKDIR_MARK, 0);
    text = g_strdup_printf("# Recorded from QEMU by qmpdrivertest --capture (scenario %s in\n"
                           "# tests/qmp/qmpdrivertest.c); do not edit, re-record.\n%s",
                           s->name, transcript->str);
    out = g_strdup_printf("%s/%s.qmp", outdir, s->name);
    if (!g_file_set_contents(out, text, -1, error))
        return false;
    g_print("%s\n", out);
    g_clear_pointer(&qemu, qmpTestQemuStop);
    removeTree(workdir);
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
