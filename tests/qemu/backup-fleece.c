/*
 * backup-fleece.c: push backups with fleecing (qemu_backup_fleece.h) and
 * a bandwidth limit, on a running one-disk domain, content checked with
 * qemu-img:
 *
 * - a full push with <scratch>: target and scratch are written without
 *   flushes (cache.no-flush); while it runs the device reads and writes
 *   through the copy-before-write node, the job reads the snapshot-access
 *   node, the limit of backup.conf is the QEMU job's speed, and
 *   cairnDomainBlockJobSetSpeed changes it (query-block-jobs); guest
 *   writes during the job are not in the target, which equals the disk at
 *   the start (qemu-img compare); afterwards the device is back on its
 *   disk, the scratch file is gone and no node is left
 * - an incremental push with fleecing=yes, scratch-dir and direct=yes
 *   (O_DIRECT, aio=threads, where the filesystem has it) in backup.conf:
 *   the generated scratch file exists while the job runs, the target
 *   holds exactly the clusters written since the checkpoint, rebased onto
 *   the full backup it equals the disk at its start
 * - a scratch in a missing directory and an existing scratch file: clean
 *   errors, nothing left, and the guest runs (the begin resumed it)
 * - a push whose target QEMU cannot detach at the end (a node on top of
 *   it): the backup fails, it is not reported complete, the target is gone
 */
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "backuptestutils.h"

#define NAME "bkfleece"
#define MiB (1024ULL * 1024)
#define QDEV "/machine/peripheral/virtio-disk0/virtio-backend"

static char *img;


static void
writeConf(const char *root, const char *text)
{
    g_autofree char *dir = g_build_filename(root, "etc", NULL);
    g_autofree char *path = g_build_filename(dir, "backup.conf", NULL);

    g_mkdir_with_parents(dir, 0700);
    QT_CHECK(g_file_set_contents(path, text, -1, NULL));
}


/* Pause, copy the disk, begin, resume: the copy is the disk at the
 * backup's start. */
static void
beginPaused(cairnDomainPtr dom, const char *xml, const char *chkxml, const char *copy)
{
    json_node_unref(bkTestQMP(dom, "{\"execute\":\"stop\"}"));
    bkTestCopy(img, copy);
    bkTestBegin(dom, xml, chkxml, 0);
    json_node_unref(bkTestQMP(dom, "{\"execute\":\"cont\"}"));
}


/* The "drive" of the disk's device. */
static char *
deviceDrive(cairnDomainPtr dom)
{
    g_autoptr(JsonNode) ret =
        bkTestQMP(dom, "{\"execute\":\"qom-get\",\"arguments\":{\"path\":\"" QDEV
                       "\",\"property\":\"drive\"}}");

    return g_strdup(json_node_get_string(ret));
}


/* The speed of the one QEMU block job. */
static gint64
jobSpeed(cairnDomainPtr dom)
{
    g_autoptr(JsonNode) ret = bkTestQMP(dom, "{\"execute\":\"query-block-jobs\"}");
    JsonArray *jobs = json_node_get_array(ret);

    QT_CHECK(json_array_get_length(jobs) == 1);
    return json_object_get_int_member(json_array_get_object_element(jobs, 0), "speed");
}


static bool
hasNode(cairnDomainPtr dom, const char *suffix)
{
    g_autoptr(JsonNode) nodes = bkTestNodes(dom);

    return bkTestFindNode(nodes, suffix) != NULL;
}


/* The file node of @path is written without flushes to the disk
 * (cache.no-flush): the end of a push syncs its target once. */
static bool
writtenWithoutFlush(cairnDomainPtr dom, const char *path)
{
    g_autoptr(JsonObject) node = bkTestNodeOfFile(dom, path);
    JsonObject *cache = json_object_get_object_member(node, "cache");

    return cache && json_object_get_boolean_member_with_default(cache, "no-flush", FALSE);
}


static bool
guestRunning(cairnDomainPtr dom)
{
    g_autoptr(JsonNode) ret = bkTestQMP(dom, "{\"execute\":\"query-status\"}");

    return json_object_get_boolean_member(json_node_get_object(ret), "running");
}


static void
testFull(cairnDomainPtr dom, const char *root)
{
    g_autofree char *copy = g_build_filename(root, "copy-full.qcow2", NULL);
    g_autofree char *target = g_build_filename(root, "full.qcow2", NULL);
    g_autofree char *scratch = g_build_filename(root, "full.fleece", NULL);
    g_autofree char *xml =
        g_strdup_printf("<domainbackup><disks><disk name='vda' type='file'><target file='%s'/>"
                        "<scratch file='%s'/></disk></disks></domainbackup>",
                        target, scratch);
    g_autofree char *drive = NULL;
    g_autofree char *dumped = NULL;
    const char *files[] = { scratch, NULL };

    bkTestWrite(dom, "virtio-disk0", 0x11, 0, 4 * MiB);
    bkTestWrite(dom, "virtio-disk0", 0x12, 16 * MiB, 2 * MiB);
    writeConf(root, "[backup]\nspeed=1048576\n");
    beginPaused(dom, xml, "<domaincheckpoint><name>c1</name></domaincheckpoint>", copy);
    QT_CHECK(guestRunning(dom));
    QT_CHECK(g_file_test(scratch, G_FILE_TEST_EXISTS));
    QT_CHECK(hasNode(dom, "-cbw") && hasNode(dom, "-access"));
    QT_CHECK(writtenWithoutFlush(dom, target) && writtenWithoutFlush(dom, scratch));
    drive = deviceDrive(dom);
    QT_CHECK(g_str_has_suffix(drive, "-cbw"));
    QT_CHECK(jobSpeed(dom) == 1048576);
    QT_CHECK(cairnDomainBlockJobSetSpeed(dom, "vda", 2, 0) == 0);
    QT_CHECK(jobSpeed(dom) == 2 * (gint64)MiB);
    dumped = cairnDomainBackupGetXMLDesc(dom, 0);
    QT_CHECK(dumped && strstr(dumped, "<scratch file="));
    /* Guest writes while the job runs: they wait only for the scratch. */
    bkTestWrite(dom, "virtio-disk0", 0x77, 0, 1 * MiB);
    bkTestWrite(dom, "virtio-disk0", 0x78, 40 * MiB, 1 * MiB);
    QT_CHECK(cairnDomainBlockJobSetSpeed(dom, "vda", 0, 0) == 0);
    QT_CHECK(jobSpeed(dom) == 0);
    QT_CHECK(bkTestWaitDone(dom, 60) == CAIRN_DOMAIN_JOB_COMPLETED);
    QT_CHECK(bkTestCompare(target, copy));
    g_free(drive);
    drive = deviceDrive(dom);
    CHK_EXPECT_STR(drive, "cairn-1-format");
    bkTestExpectClean(dom, 1, files);
    QT_CHECK(cairnDomainBlockJobSetSpeed(dom, "vda", 1, 0) < 0);
    QT_CHECK(cairnGetLastErrorCode() == CAIRN_ERR_INVALID_ARG);
}


static void
testIncremental(cairnDomainPtr dom, const char *root)
{
    g_autofree char *copy = g_build_filename(root, "copy-inc.qcow2", NULL);
    g_autofree char *full = g_build_filename(root, "full.qcow2", NULL);
    g_autofree char *target = g_build_filename(root, "inc.qcow2", NULL);
    g_autofree char *dir = g_build_filename(root, "scratch", NULL);
    g_autofree char *scratch = g_strdup_printf("%s/" NAME "-vda.c2.fleece", dir);
    g_autofree char *conf = g_strdup_printf("[backup]\nspeed=65536\ndirect=yes\n[domain " NAME
                                            "]\nfleecing=yes\nscratch-dir=%s\n",
                                            dir);
    g_autofree char *xml = g_strdup_printf(
        "<domainbackup><incremental>c1</incremental><disks><disk name='vda' type='file'>"
        "<target file='%s'/></disk></disks></domainbackup>",
        target);
    g_autofree char *map = NULL;
    const char *rebase[] = { "qemu-img", "rebase", "-u", "-F", "qcow2", "-b", full, target, NULL };
    const char *files[] = { scratch, NULL };

    QT_CHECK(g_mkdir(dir, 0700) == 0);
    bkTestWrite(dom, "virtio-disk0", 0x44, 4 * MiB, 128 * 1024);
    writeConf(root, conf);
    beginPaused(dom, xml, "<domaincheckpoint><name>c2</name></domaincheckpoint>", copy);
    QT_CHECK(g_file_test(scratch, G_FILE_TEST_EXISTS));
    QT_CHECK(hasNode(dom, "-access"));
    /* An overwrite of a changed cluster and a new one, during the job. */
    bkTestWrite(dom, "virtio-disk0", 0x55, 4 * MiB, 64 * 1024);
    bkTestWrite(dom, "virtio-disk0", 0x56, 50 * MiB, 64 * 1024);
    QT_CHECK(cairnDomainBlockJobSetSpeed(dom, "vda", 0, 0) == 0);
    QT_CHECK(bkTestWaitDone(dom, 60) == CAIRN_DOMAIN_JOB_COMPLETED);
    /* c1 recorded since the full backup began: its writes during it too. */
    map = bkTestMapOwn(target);
    CHK_EXPECT_STR(map, "0+1048576,4194304+131072,41943040+1048576");
    QT_CHECK(qemuTestRun(rebase));
    QT_CHECK(bkTestCompare(target, copy));
    bkTestExpectClean(dom, 1, files);
}


static void
testErrors(cairnDomainPtr dom, const char *root)
{
    g_autofree char *target = g_build_filename(root, "bad.qcow2", NULL);
    g_autofree char *scratch = g_build_filename(root, "exists.fleece", NULL);
    g_autofree char *missing =
        g_strdup_printf("<domainbackup><disks><disk name='vda' type='file'><target file='%s'/>"
                        "<scratch file='%s/no/such/dir.fleece'/></disk></disks></domainbackup>",
                        target, root);
    g_autofree char *exists =
        g_strdup_printf("<domainbackup><disks><disk name='vda' type='file'><target file='%s'/>"
                        "<scratch file='%s'/></disk></disks></domainbackup>",
                        target, scratch);
    const char *files[] = { target, NULL };

    writeConf(root, "[backup]\n");
    QT_CHECK(cairnDomainBackupBegin(dom, missing, NULL, 0) < 0);
    QT_CHECK(cairnGetLastErrorCode() == CAIRN_ERR_SYSTEM_ERROR);
    QT_CHECK(strstr(cairnGetLastErrorMessage(), "no/such/dir.fleece"));
    bkTestExpectClean(dom, 1, files);
    QT_CHECK(guestRunning(dom));
    QT_CHECK(g_file_set_contents(scratch, "", 0, NULL));
    QT_CHECK(cairnDomainBackupBegin(dom, exists, NULL, 0) < 0);
    QT_CHECK(cairnGetLastErrorCode() == CAIRN_ERR_INVALID_ARG);
    bkTestExpectClean(dom, 1, files);
    QT_CHECK(g_file_test(scratch, G_FILE_TEST_EXISTS));
    QT_CHECK(guestRunning(dom));
}


/* The format node QEMU holds for image @path (NULL when none). */
static char *
formatNodeOf(cairnDomainPtr dom, const char *path)
{
    g_autoptr(JsonObject) node = bkTestLookupNodeOfFile(dom, path, "qcow2");

    return node ? g_strdup(json_object_get_string_member(node, "node-name")) : NULL;
}


/* A push whose target QEMU will not let go (another node sits on it): the
 * target was written without flushes, so what QEMU still caches of it
 * never reaches the file, and the backup fails instead of being reported
 * complete; the target file is removed. */
static void
testHeldTarget(cairnDomainPtr dom, const char *root)
{
    g_autofree char *target = g_build_filename(root, "held.qcow2", NULL);
    g_autofree char *xml = g_strdup_printf(
        "<domainbackup><disks><disk name='vda' type='file'><target file='%s'/></disk></disks>"
        "</domainbackup>",
        target);
    g_autofree char *format = NULL;
    g_autofree char *cmd = NULL;
    g_autofree char *errmsg = NULL;
    bool success = true;

    writeConf(root, "[backup]\nspeed=1048576\n");
    bkTestBegin(dom, xml, NULL, 0);
    format = formatNodeOf(dom, target);
    QT_CHECK(format != NULL);
    cmd = g_strdup_printf("{\"execute\":\"blockdev-add\",\"arguments\":{\"driver\":\"raw\","
                          "\"node-name\":\"holder\",\"read-only\":true,\"file\":\"%s\"}}",
                          format);
    json_node_unref(bkTestQMP(dom, cmd));
    QT_CHECK(cairnDomainBlockJobSetSpeed(dom, "vda", 0, 0) == 0);
    QT_CHECK(bkTestWaitDone(dom, 60) == CAIRN_DOMAIN_JOB_FAILED);
    QT_CHECK(bkTestCompleted(dom, &success, &errmsg) == CAIRN_DOMAIN_JOB_FAILED);
    QT_CHECK(!success && errmsg && strstr(errmsg, "cannot be detached"));
    QT_CHECK(!g_file_test(target, G_FILE_TEST_EXISTS));
    /* What the failed job could not detach is the test's to remove. */
    json_node_unref(bkTestQMP(dom, "{\"execute\":\"blockdev-del\","
                                   "\"arguments\":{\"node-name\":\"holder\"}}"));
    g_free(cmd);
    cmd = g_strdup_printf("{\"execute\":\"blockdev-del\",\"arguments\":{\"node-name\":\"%s\"}}",
                          format);
    json_node_unref(bkTestQMP(dom, cmd));
    g_free(cmd);
    cmd = g_strdup_printf("{\"execute\":\"blockdev-del\",\"arguments\":{\"node-name\":\"%.*s"
                          "-storage\"}}",
                          (int)(strlen(format) - strlen("-format")), format);
    json_node_unref(bkTestQMP(dom, cmd));
    QT_CHECK(formatNodeOf(dom, target) == NULL);
}


int
main(void)
{
    const char *root = bkTestSetup(NAME);
    cairnConnectPtr conn = qemuTestConnect();
    const char *images[] = { NULL, NULL };
    const char *formats[] = { "qcow2", NULL };
    g_autofree char *xml = NULL;
    cairnDomainPtr dom;

    img = qemuTestMakeImage("a.qcow2", "qcow2", "64M");
    images[0] = img;
    xml = chkTestDomainXML(NAME, images, formats);
    dom = cairnDomainDefineXML(conn, xml);
    QT_CHECK(dom && cairnDomainCreate(dom) == 0);
    testFull(dom, root);
    testIncremental(dom, root);
    testErrors(dom, root);
    testHeldTarget(dom, root);
    QT_CHECK(cairnDomainDestroy(dom) == 0);
    cairnDomainFree(dom);
    cairnConnectClose(conn);
    printf("ok\n");
    return 0;
}
