/*
 * backup-offline-errors.c: backups of a shut-off domain that fail, each
 * with a clear error and nothing left behind: no storage daemon, no run
 * file, no file Cairn created, no bitmap or metadata of a checkpoint made
 * with a backup that did not start (the images are read with qemu-img):
 *
 * - the target exists (INVALID_ARG, before any daemon)
 * - an image held by another process: QEMU's lock error; the other disk,
 *   opened before, keeps its bitmaps consistent (also for a checkpoint)
 * - a failure after the transaction (a duplicate export name): the new
 *   checkpoint's bitmaps are removed before the daemon quits, so they
 *   never reach the images
 * - an unknown checkpoint for an incremental backup
 * - abort in the middle of a push: CANCELLED, the partial target deleted
 */
#include <stdio.h>

#include "backuptestutils.h"

#define NAME "bkofferr"
#define MiB (1024ULL * 1024)

static char *imgA;
static char *imgB;


static char *
vdaOnly(const char *target)
{
    return g_strdup_printf("<domainbackup><disks><disk name='vda' type='file'>"
                           "<target file='%s'/></disk><disk name='vdb' backup='no'/></disks>"
                           "</domainbackup>",
                           target);
}


/* Only the checkpoint c0 made at the start, in metadata and images. */
static void
expectOnlyC0(void)
{
    g_autofree char *names = chkTestMetadataNames(NAME);
    g_autoptr(GPtrArray) a = chkTestImageBitmaps(imgA);
    g_autoptr(GPtrArray) b = chkTestImageBitmaps(imgB);
    g_autofree char *na = chkTestBitmapNames(a);
    g_autofree char *nb = chkTestBitmapNames(b);

    CHK_EXPECT_STR(names, "c0");
    CHK_EXPECT_STR(na, "c0");
    CHK_EXPECT_STR(nb, "c0");
    QT_CHECK(!chkTestBitmapFind(a, "c0")->inconsistent);
}


static void
testTargetExists(cairnDomainPtr dom, const char *root)
{
    g_autofree char *target = g_build_filename(root, "exists.qcow2", NULL);
    g_autofree char *xml = vdaOnly(target);

    QT_CHECK(g_file_set_contents(target, "keep", -1, NULL));
    QT_CHECK(cairnDomainBackupBegin(dom, xml, NULL, 0) < 0);
    qemuTestExpectError(CAIRN_ERR_INVALID_ARG, "exists");
    QT_CHECK(g_file_test(target, G_FILE_TEST_EXISTS));
    bkTestExpectOfflineClean(NAME, NULL);
}


static void
testLocked(cairnDomainPtr dom, const char *root)
{
    g_autofree char *target = g_build_filename(root, "locked.qcow2", NULL);
    g_autofree char *xml = vdaOnly(target);
    const char *files[] = { target, NULL };
    GPid holder = chkTestHoldImage(imgB);

    QT_CHECK(cairnDomainBackupBegin(dom, xml,
                                    "<domaincheckpoint><name>lk</name>"
                                    "</domaincheckpoint>",
                                    0) < 0);
    qemuTestExpectError(CAIRN_ERR_OPERATION_FAILED, "lock");
    /* The same for a checkpoint (a storage daemon of its own). */
    QT_CHECK(!cairnDomainCheckpointCreateXML(
        dom, "<domaincheckpoint><name>lk</name></domaincheckpoint>", 0));
    qemuTestExpectError(CAIRN_ERR_OPERATION_FAILED, "Is another process using the image");
    chkTestReleaseImage(holder);
    bkTestExpectOfflineClean(NAME, files);
    expectOnlyC0();
}


/* The transaction runs (with the checkpoint's bitmaps), then the second
 * export fails. */
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
    const char *files[] = { sA, sB, sock, NULL };

    QT_CHECK(cairnDomainBackupBegin(dom, xml,
                                    "<domaincheckpoint><name>late</name>"
                                    "</domaincheckpoint>",
                                    0) < 0);
    fprintf(stderr, "late failure: %s\n", cairnGetLastErrorMessage());
    bkTestExpectOfflineClean(NAME, files);
    expectOnlyC0();
}


static void
testUnknownCheckpoint(cairnDomainPtr dom)
{
    QT_CHECK(cairnDomainBackupBegin(dom,
                                    "<domainbackup><incremental>nope</incremental>"
                                    "</domainbackup>",
                                    NULL, 0) < 0);
    qemuTestExpectError(CAIRN_ERR_NO_DOMAIN_CHECKPOINT, "'nope'");
    bkTestExpectOfflineClean(NAME, NULL);
}


static void
testAbortPush(cairnDomainPtr dom, const char *root)
{
    g_autofree char *target = g_build_filename(root, "aborted.qcow2", NULL);
    g_autofree char *xml = vdaOnly(target);
    const char *files[] = { target, NULL };
    g_autofree char *errmsg = NULL;
    bool success = true;

    bkTestSetSpeed(1 * MiB);
    bkTestBegin(dom, xml, NULL, 0);
    bkTestSetSpeed(0);
    QT_CHECK(g_file_test(target, G_FILE_TEST_EXISTS));
    QT_CHECK(cairnDomainAbortJob(dom) == 0);
    QT_CHECK(bkTestCompleted(dom, &success, &errmsg) == CAIRN_DOMAIN_JOB_CANCELLED);
    QT_CHECK(!success);
    bkTestExpectOfflineClean(NAME, files);
    expectOnlyC0();
}


int
main(void)
{
    const char *root = bkTestSetup(NAME);
    cairnConnectPtr conn = qemuTestConnect();
    const char *images[3];
    const char *formats[] = { "qcow2", "qcow2", NULL };
    g_autofree char *xml = NULL;
    cairnDomainCheckpointPtr c0;
    cairnDomainPtr dom;

    imgA = qemuTestMakeImage("a.qcow2", "qcow2", "64M");
    imgB = qemuTestMakeImage("b.qcow2", "qcow2", "64M");
    images[0] = imgA;
    images[1] = imgB;
    images[2] = NULL;
    bkTestQemuIo(imgA, "write -P 0x5a 0 4M");
    xml = chkTestDomainXML(NAME, images, formats);
    QT_CHECK((dom = cairnDomainDefineXML(conn, xml)));
    c0 = chkTestCreate(dom, "<domaincheckpoint><name>c0</name></domaincheckpoint>", 0);
    testTargetExists(dom, root);
    testLocked(dom, root);
    testLateFailure(dom, root);
    testUnknownCheckpoint(dom);
    testAbortPush(dom, root);
    QT_CHECK(cairnDomainCreate(dom) == 0);
    QT_CHECK(cairnDomainDestroy(dom) == 0);
    cairnDomainCheckpointFree(c0);
    cairnDomainFree(dom);
    cairnConnectClose(conn);
    printf("ok\n");
    return 0;
}
