/*
 * backup-errors.c: every way a backup can fail, each with a clear error
 * (libvirt's code and text where libvirt has one) and nothing left behind:
 * no block node, job, temporary bitmap, export or file Cairn created, and
 * no checkpoint made with a backup that did not start.
 *
 * - target already exists; target directory unwritable (a read-only
 *   tmpfs); target filesystem full (a 1 MiB tmpfs: the job fails mid-way
 *   with QEMU's ENOSPC, the partial target is deleted)
 * - unknown checkpoint; a checkpoint whose bitmap is gone (validation
 *   says broken: CHECKPOINT_INCONSISTENT)
 * - a second backup while one runs; TCP without a port; no disk selected
 * - a failure after the transaction (a duplicate export name): jobs
 *   cancelled, checkpoint bitmaps and metadata gone
 * - abort in the middle of a push: CANCELLED, success false, files gone
 * - the domain destroyed under a running backup: FAILED, files gone
 * (abort of a pull is in backup-pull; a shut-off domain is backed up by a
 * qemu-storage-daemon: backup-offline-*.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "backuptestutils.h"

#define NAME "bkerr"
#define MiB (1024ULL * 1024)

static char *imgA;
static char *imgB;
static char *mounts[4];
static guint nmounts;


static void
unmountAll(void)
{
    for (guint i = 0; i < nmounts; i++) {
        const char *argv[] = { "umount", "-l", mounts[i], NULL };

        qemuTestRun(argv);
    }
}


/* A tmpfs at @dir with mount options @opts; false when mounting is not
 * possible here (not root). */
static bool
mountTmpfs(const char *dir, const char *opts)
{
    const char *argv[] = { "mount", "-t", "tmpfs", "-o", opts, "tmpfs", dir, NULL };

    g_mkdir_with_parents(dir, 0755);
    if (!qemuTestRun(argv))
        return false;
    if (nmounts == 0)
        atexit(unmountAll);
    mounts[nmounts++] = g_strdup(dir);
    return true;
}


static char *
vdaOnly(const char *target)
{
    return g_strdup_printf("<domainbackup><disks><disk name='vda' type='file'>"
                           "<target file='%s'/></disk><disk name='vdb' backup='no'/></disks>"
                           "</domainbackup>",
                           target);
}


/* No checkpoint metadata, and no bitmap @name on either disk. */
static void
expectNoCheckpoint(cairnDomainPtr dom, const char *name)
{
    g_autofree char *names = chkTestMetadataNames(NAME);
    g_autoptr(GPtrArray) a = chkTestLiveBitmaps(dom, imgA);
    g_autoptr(GPtrArray) b = chkTestLiveBitmaps(dom, imgB);

    CHK_EXPECT_STR(names, "");
    QT_CHECK(!chkTestBitmapFind(a, name) && !chkTestBitmapFind(b, name));
}


static void
testTargetExists(cairnDomainPtr dom, const char *root)
{
    g_autofree char *target = g_build_filename(root, "exists.qcow2", NULL);
    g_autofree char *xml = vdaOnly(target);
    g_autofree char *text = NULL;
    const char *none[] = { NULL };

    QT_CHECK(g_file_set_contents(target, "precious", -1, NULL));
    QT_CHECK(cairnDomainBackupBegin(dom, xml,
                                    "<domaincheckpoint><name>cx</name>"
                                    "</domaincheckpoint>",
                                    0) < 0);
    qemuTestExpectError(CAIRN_ERR_INVALID_ARG, "for backup of 'vda' exists");
    QT_CHECK(g_file_get_contents(target, &text, NULL, NULL));
    CHK_EXPECT_STR(text, "precious");
    expectNoCheckpoint(dom, "cx");
    bkTestExpectClean(dom, 2, none);
}


static void
testUnwritable(cairnDomainPtr dom, const char *root)
{
    g_autofree char *dir = g_build_filename(root, "ro", NULL);
    g_autofree char *target = g_build_filename(dir, "t.qcow2", NULL);
    g_autofree char *xml = vdaOnly(target);
    const char *files[] = { target, NULL };

    if (!mountTmpfs(dir, "ro,size=1M")) {
        fprintf(stderr, "skipped: cannot mount a read-only tmpfs\n");
        return;
    }
    QT_CHECK(cairnDomainBackupBegin(dom, xml, NULL, 0) < 0);
    qemuTestExpectError(CAIRN_ERR_SYSTEM_ERROR, "failed to create image file");
    bkTestExpectClean(dom, 2, files);
}


static void
testFull(cairnDomainPtr dom, const char *root)
{
    g_autofree char *dir = g_build_filename(root, "small", NULL);
    g_autofree char *target = g_build_filename(dir, "t.qcow2", NULL);
    g_autofree char *xml = vdaOnly(target);
    g_autofree char *errmsg = NULL;
    const char *files[] = { target, NULL };
    bool success = true;

    if (!mountTmpfs(dir, "size=1M")) {
        fprintf(stderr, "skipped: cannot mount a small tmpfs\n");
        return;
    }
    bkTestWrite(dom, "virtio-disk0", 0x5a, 0, 8 * MiB);
    bkTestBegin(dom, xml, NULL, 0);
    QT_CHECK(bkTestWaitDone(dom, 60) == CAIRN_DOMAIN_JOB_FAILED);
    bkTestCompleted(dom, &success, &errmsg);
    QT_CHECK(!success);
    QT_CHECK(errmsg && strstr(errmsg, "No space left on device"));
    bkTestExpectClean(dom, 2, files);
}


static void
testCheckpoints(cairnDomainPtr dom)
{
    const char *nope = "<domainbackup><incremental>nope</incremental></domainbackup>";
    const char *c1 = "<domainbackup><incremental>c1</incremental></domainbackup>";
    cairnDomainCheckpointPtr chk;

    QT_CHECK(cairnDomainBackupBegin(dom, nope, NULL, 0) < 0);
    qemuTestExpectError(CAIRN_ERR_NO_DOMAIN_CHECKPOINT,
                        "Checkpoint 'nope' for incremental backup of disk 'vda' not found");
    chk = chkTestCreate(dom, "<domaincheckpoint><name>c1</name></domaincheckpoint>", 0);
    json_node_unref(bkTestQMP(dom, "{\"execute\":\"block-dirty-bitmap-remove\",\"arguments\":"
                                   "{\"node\":\"cairn-2-format\",\"name\":\"c1\"}}"));
    QT_CHECK(cairnDomainBackupBegin(dom, c1, NULL, 0) < 0);
    qemuTestExpectError(CAIRN_ERR_CHECKPOINT_INCONSISTENT,
                        "missing or broken bitmap 'c1' for disk 'vdb'");
    QT_CHECK(cairnDomainCheckpointDelete(chk, CAIRN_DOMAIN_CHECKPOINT_DELETE_METADATA_ONLY) == 0);
    json_node_unref(bkTestQMP(dom, "{\"execute\":\"block-dirty-bitmap-remove\",\"arguments\":"
                                   "{\"node\":\"cairn-1-format\",\"name\":\"c1\"}}"));
    cairnDomainCheckpointFree(chk);
    bkTestExpectClean(dom, 2, NULL);
}


static void
testRefusals(cairnDomainPtr dom, const char *root)
{
    g_autofree char *t1 = g_build_filename(root, "one.qcow2", NULL);
    g_autofree char *t2 = g_build_filename(root, "two.qcow2", NULL);
    g_autofree char *x1 = vdaOnly(t1);
    g_autofree char *x2 = vdaOnly(t2);
    const char *files[] = { t1, t2, NULL };
    bool success = true;

    QT_CHECK(cairnDomainBackupBegin(dom,
                                    "<domainbackup mode='pull'><server name='localhost'/>"
                                    "</domainbackup>",
                                    NULL, 0) < 0);
    qemuTestExpectError(CAIRN_ERR_OPERATION_UNSUPPORTED, "must specify TCP port");
    QT_CHECK(cairnDomainBackupBegin(dom,
                                    "<domainbackup><disks><disk name='vda' backup='no'/>"
                                    "<disk name='vdb' backup='no'/></disks></domainbackup>",
                                    NULL, 0) < 0);
    qemuTestExpectError(CAIRN_ERR_CONFIG_UNSUPPORTED, "no disks selected for backup");
    /* A slow push: a second one is refused, then the first is aborted. */
    bkTestSetSpeed(1 * MiB);
    bkTestBegin(dom, x1, NULL, 0);
    QT_CHECK(cairnDomainBackupBegin(dom, x2, NULL, 0) < 0);
    qemuTestExpectError(CAIRN_ERR_OPERATION_INVALID, "another backup job is already running");
    QT_CHECK(g_file_test(t1, G_FILE_TEST_EXISTS) && !g_file_test(t2, G_FILE_TEST_EXISTS));
    QT_CHECK(cairnDomainAbortJob(dom) == 0);
    QT_CHECK(bkTestCompleted(dom, &success, NULL) == CAIRN_DOMAIN_JOB_CANCELLED);
    QT_CHECK(!success);
    bkTestSetSpeed(0);
    bkTestExpectClean(dom, 2, files);
}


/* The transaction runs, then the second export fails (same name): the
 * jobs are cancelled and the checkpoint made with it disappears. */
static void
testLateFailure(cairnDomainPtr dom, const char *root)
{
    g_autofree char *sock = g_build_filename(root, "late.sock", NULL);
    g_autofree char *xml =
        g_strdup_printf("<domainbackup mode='pull'><server transport='unix' socket='%s'/><disks>"
                        "<disk name='vda' exportname='same'/><disk name='vdb' exportname='same'/>"
                        "</disks></domainbackup>",
                        sock);
    g_autofree char *sA = g_strdup_printf("%s.late", imgA);
    g_autofree char *sB = g_strdup_printf("%s.late", imgB);
    const char *files[] = { sA, sB, NULL };

    QT_CHECK(cairnDomainBackupBegin(dom, xml,
                                    "<domaincheckpoint><name>late</name>"
                                    "</domaincheckpoint>",
                                    0) < 0);
    fprintf(stderr, "late failure: %s\n", cairnGetLastErrorMessage());
    expectNoCheckpoint(dom, "late");
    bkTestExpectClean(dom, 2, files);
}


/* What the destroying connection hears of the backup's end. */
typedef struct {
    int completed;
    bool success;
    int failed_disks;
} destroyEvents;


static void
onDestroyJobCompleted(cairnConnectPtr conn,
                      cairnDomainPtr dom,
                      cairnTypedParameterPtr params,
                      int nparams,
                      void *opaque)
{
    destroyEvents *ev = opaque;

    for (int i = 0; i < nparams; i++) {
        if (g_str_equal(params[i].field, "success"))
            ev->success = params[i].value.b;
    }
    ev->completed++;
}


static void
onDestroyBlockJob(
    cairnConnectPtr conn, cairnDomainPtr dom, const char *disk, int type, int status, void *opaque)
{
    destroyEvents *ev = opaque;

    if (g_str_equal(disk, "vda") && type == CAIRN_DOMAIN_BLOCK_JOB_TYPE_BACKUP &&
        status == CAIRN_DOMAIN_BLOCK_JOB_FAILED)
        ev->failed_disks++;
}


static void
testDestroyMidJob(cairnConnectPtr conn, cairnDomainPtr dom, const char *root)
{
    g_autofree char *target = g_build_filename(root, "destroyed.qcow2", NULL);
    g_autofree char *xml = vdaOnly(target);
    g_autofree char *errmsg = NULL;
    gint64 deadline = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;
    destroyEvents ev = { .success = true };
    bool success = true;
    int id1;
    int id2;

    QT_CHECK(cairnEventRegisterDefaultImpl() == 0);
    id1 = cairnConnectDomainEventRegisterAny(conn, dom, CAIRN_DOMAIN_EVENT_ID_JOB_COMPLETED,
                                             CAIRN_DOMAIN_EVENT_CALLBACK(onDestroyJobCompleted),
                                             &ev, NULL);
    id2 = cairnConnectDomainEventRegisterAny(conn, dom, CAIRN_DOMAIN_EVENT_ID_BLOCK_JOB_2,
                                             CAIRN_DOMAIN_EVENT_CALLBACK(onDestroyBlockJob), &ev,
                                             NULL);
    QT_CHECK(id1 > 0 && id2 > 0);
    bkTestSetSpeed(1 * MiB);
    bkTestBegin(dom, xml, NULL, 0);
    QT_CHECK(cairnDomainDestroy(dom) == 0);
    /* The destroying connection is told the backup failed with it. */
    while (ev.completed == 0 && g_get_monotonic_time() < deadline)
        QT_CHECK(cairnEventRunDefaultImpl() == 0);
    QT_CHECK(ev.completed == 1 && !ev.success && ev.failed_disks == 1);
    QT_CHECK(cairnConnectDomainEventDeregisterAny(conn, id1) == 0);
    QT_CHECK(cairnConnectDomainEventDeregisterAny(conn, id2) == 0);
    bkTestSetSpeed(0);
    QT_CHECK(bkTestCompleted(dom, &success, &errmsg) == CAIRN_DOMAIN_JOB_FAILED);
    QT_CHECK(!success && errmsg);
    QT_CHECK(!g_file_test(target, G_FILE_TEST_EXISTS));
}


int
main(void)
{
    const char *root = bkTestSetup(NAME);
    cairnConnectPtr conn = qemuTestConnect();
    const char *images[3];
    const char *formats[] = { "qcow2", "qcow2", NULL };
    g_autofree char *xml = NULL;
    cairnDomainPtr dom;

    imgA = qemuTestMakeImage("a.qcow2", "qcow2", "64M");
    imgB = qemuTestMakeImage("b.qcow2", "qcow2", "64M");
    images[0] = imgA;
    images[1] = imgB;
    images[2] = NULL;
    xml = chkTestDomainXML(NAME, images, formats);
    QT_CHECK((dom = cairnDomainDefineXML(conn, xml)) && cairnDomainCreate(dom) == 0);
    testTargetExists(dom, root);
    testUnwritable(dom, root);
    testFull(dom, root);
    testCheckpoints(dom);
    testRefusals(dom, root);
    testLateFailure(dom, root);
    testDestroyMidJob(conn, dom, root);
    cairnDomainFree(dom);
    cairnConnectClose(conn);
    printf("ok\n");
    return 0;
}
