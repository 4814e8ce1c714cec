/*
 * checkpoint-offline.c: checkpoints of a shut-off domain (beyond libvirt),
 * worked on the images through qemu-storage-daemon, checked with qemu-img:
 *
 * - create adds a persistent recording bitmap to each image; the metadata
 *   matches what a running domain gets (parent, current, <domain>)
 * - SIZE after writes made while it ran equals those writes rounded up to
 *   the granularity
 * - delete (plain, CHILDREN, CHILDREN_ONLY, METADATA_ONLY) and
 *   REDEFINE_VALIDATE, as on a running domain
 * - an image held by another process: QEMU's lock error, and nothing
 *   changes (no bitmap, no metadata)
 * - a restarted driver (a new connection) takes the current checkpoint
 *   from the current file, or the unique leaf when that file is missing or
 *   names nothing; a connection opened earlier sees the other's changes
 * - no storage daemon of the test is left behind (one of anything else
 *   running on the machine is not counted)
 */
#include <signal.h>
#include <stdio.h>

#include <glib/gstdio.h>

#include "checkpointtestutils.h"

#define NAME "chkoff"
#define G CHK_TEST_GRANULARITY

static char *imgA;
static char *imgB;


static void
expectImages(const char *a, const char *b)
{
    g_autoptr(GPtrArray) onA = chkTestImageBitmaps(imgA);
    g_autoptr(GPtrArray) onB = chkTestImageBitmaps(imgB);
    g_autofree char *na = chkTestBitmapNames(onA);
    g_autofree char *nb = chkTestBitmapNames(onB);

    CHK_EXPECT_STR(na, a);
    CHK_EXPECT_STR(nb, b);
    for (guint i = 0; i < onA->len; i++) {
        chkTestBitmap *bm = g_ptr_array_index(onA, i);

        QT_CHECK(bm->recording && !bm->inconsistent && bm->granularity == G);
    }
}


static void
expectMeta(const char *names, const char *current)
{
    g_autofree char *got = chkTestMetadataNames(NAME);
    g_autofree char *cur = chkTestMetadataCurrent(NAME);

    CHK_EXPECT_STR(got, names);
    CHK_EXPECT_STR(cur, current);
}


static void
expectParent(cairnDomainCheckpointPtr chk, const char *want)
{
    g_autofree char *parent = chkTestParent(chk);

    CHK_EXPECT_STR(parent, want);
}


/* A qemu-storage-daemon of someone else (neither started by this process
 * nor naming the root): it must never count as the test's own. timeout(1)
 * ends it should the test die without stopping it. */
static GPid foreignTimeout;

static void
stopForeignDaemon(void)
{
    if (foreignTimeout > 0)
        kill(foreignTimeout, SIGTERM);
    foreignTimeout = 0;
}


static void
startForeignDaemon(void)
{
    const char *argv[] = { "timeout", "600", "qemu-storage-daemon", NULL };

    QT_CHECK(g_spawn_async(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                           &foreignTimeout, NULL));
    atexit(stopForeignDaemon);
    for (int i = 0; i < 500 && !qemuTestFindProcess("qemu-storage-daemon"); i++)
        g_usleep(10000);
    QT_CHECK(qemuTestFindProcess("qemu-storage-daemon") > 0);
}


static void
testCreateAndSize(cairnDomainPtr dom)
{
    cairnDomainCheckpointPtr c1 =
        chkTestCreate(dom, "<domaincheckpoint><name>c1</name></domaincheckpoint>", 0);
    cairnDomainCheckpointPtr c2;
    g_autofree char *xml = NULL;

    QT_CHECK(cairnDomainIsActive(dom) == 0);
    expectImages("c1", "c1");
    expectMeta("c1", "c1");
    QT_CHECK((xml = cairnDomainCheckpointGetXMLDesc(c1, 0)) && strstr(xml, "<domain type="));
    CHK_EXPECT_INT(chkTestSize(c1, "vda"), 0);

    /* Writes while running; SIZE once it is shut off again. */
    QT_CHECK(cairnDomainCreate(dom) == 0);
    chkTestWrite(dom, "virtio-disk0", 0, 100 * 1024);
    chkTestWrite(dom, "virtio-disk1", 5 * G + 10, 3 * G);
    QT_CHECK(cairnDomainDestroy(dom) == 0);
    CHK_EXPECT_INT(chkTestSize(c1, "vda"), 2 * G);
    CHK_EXPECT_INT(chkTestSize(c1, "vdb"), 4 * G);
    expectImages("c1", "c1");

    c2 = chkTestCreate(dom, "<domaincheckpoint><name>c2</name></domaincheckpoint>", 0);
    expectParent(c2, "c1");
    expectImages("c1,c2", "c1,c2");
    expectMeta("c1,c2", "c2");
    CHK_EXPECT_INT(chkTestSize(c2, "vda"), 0);
    CHK_EXPECT_INT(chkTestSize(c1, "vdb"), 4 * G);
    cairnDomainCheckpointFree(c1);
    cairnDomainCheckpointFree(c2);
}


/* c1 <- c2 <- c3 <- c4: delete c2 (c3 moves to c1), METADATA_ONLY c3 and
 * redefine it with validation, CHILDREN_ONLY on c1, then CHILDREN. */
static void
testDelete(cairnDomainPtr dom)
{
    cairnDomainCheckpointPtr c1 = cairnDomainCheckpointLookupByName(dom, "c1", 0);
    cairnDomainCheckpointPtr c2 = cairnDomainCheckpointLookupByName(dom, "c2", 0);
    cairnDomainCheckpointPtr c3 =
        chkTestCreate(dom, "<domaincheckpoint><name>c3</name></domaincheckpoint>", 0);
    cairnDomainCheckpointPtr c4 =
        chkTestCreate(dom, "<domaincheckpoint><name>c4</name></domaincheckpoint>", 0);
    const char *rm[] = { "qemu-img", "bitmap", "--remove", imgB, "c3", NULL };
    unsigned int validate =
        CAIRN_DOMAIN_CHECKPOINT_CREATE_REDEFINE | CAIRN_DOMAIN_CHECKPOINT_CREATE_REDEFINE_VALIDATE;
    g_autofree char *saved = NULL;
    cairnDomainCheckpointPtr again;

    QT_CHECK(cairnDomainCheckpointDelete(c2, 0) == 0);
    expectImages("c1,c3,c4", "c1,c3,c4");
    expectParent(c3, "c1");
    expectMeta("c1,c3,c4", "c4");
    CHK_EXPECT_INT(chkTestSize(c1, "vdb"), 4 * G);

    QT_CHECK((saved = cairnDomainCheckpointGetXMLDesc(c3, CAIRN_DOMAIN_CHECKPOINT_XML_SECURE)));
    QT_CHECK(cairnDomainCheckpointDelete(c3, CAIRN_DOMAIN_CHECKPOINT_DELETE_METADATA_ONLY) == 0);
    expectImages("c1,c3,c4", "c1,c3,c4");
    expectMeta("c1,c4", "c4");
    again = chkTestCreate(dom, saved, validate);
    cairnDomainCheckpointFree(again);
    QT_CHECK(cairnDomainCheckpointDelete(c3, CAIRN_DOMAIN_CHECKPOINT_DELETE_METADATA_ONLY) == 0);
    QT_CHECK(qemuTestRun(rm));
    QT_CHECK(!cairnDomainCheckpointCreateXML(dom, saved, validate));
    qemuTestExpectError(CAIRN_ERR_CHECKPOINT_INCONSISTENT,
                        "missing or broken bitmap 'c3' for disk 'vdb'");
    expectMeta("c1,c4", "c4");

    QT_CHECK(cairnDomainCheckpointDelete(c1, CAIRN_DOMAIN_CHECKPOINT_DELETE_CHILDREN_ONLY) == 0);
    expectImages("c1,c3", "c1");
    expectMeta("c1", "c1");
    QT_CHECK(cairnDomainCheckpointDelete(c1, CAIRN_DOMAIN_CHECKPOINT_DELETE_CHILDREN) == 0);
    expectImages("c3", "");
    expectMeta("", "");
    cairnDomainCheckpointFree(c1);
    cairnDomainCheckpointFree(c2);
    cairnDomainCheckpointFree(c3);
    cairnDomainCheckpointFree(c4);
}


/* Another process has vda open: QEMU's lock error, nothing changes. */
static void
testImageInUse(cairnDomainPtr dom)
{
    GPid holder = chkTestHoldImage(imgA);
    cairnDomainCheckpointPtr chk;

    CHK_EXPECT_INT(chkTestCountStorageDaemons(), 1);
    QT_CHECK(!cairnDomainCheckpointCreateXML(
        dom, "<domaincheckpoint><name>x</name></domaincheckpoint>", 0));
    qemuTestExpectError(CAIRN_ERR_OPERATION_FAILED, "Failed to get \"write\" lock");
    QT_CHECK(!cairnDomainCheckpointValidate(dom, NULL, 0));
    qemuTestExpectError(CAIRN_ERR_OPERATION_FAILED, "Is another process using the image");
    chkTestReleaseImage(holder);
    expectImages("c3", "");
    expectMeta("", "");

    /* Free again: it works, and leaves no daemon behind. */
    chk = chkTestCreate(dom, "<domaincheckpoint><name>x</name></domaincheckpoint>", 0);
    expectImages("c3,x", "x");
    cairnDomainCheckpointFree(chk);
}


/* Create @name on a fresh connection (a restarted driver); its parent. */
static char *
createFresh(const char *name)
{
    cairnConnectPtr conn = qemuTestConnect();
    cairnDomainPtr dom = cairnDomainLookupByName(conn, NAME);
    g_autofree char *xml =
        g_strdup_printf("<domaincheckpoint><name>%s</name></domaincheckpoint>", name);
    cairnDomainCheckpointPtr chk;
    char *parent;

    QT_CHECK(dom != NULL);
    chk = chkTestCreate(dom, xml, 0);
    parent = chkTestParent(chk);
    cairnDomainCheckpointFree(chk);
    cairnDomainFree(dom);
    cairnConnectClose(conn);
    return parent;
}


static void
testRestart(const char *root, cairnDomainPtr dom)
{
    g_autofree char *current = g_build_filename(root, "checkpoints", NAME, "current", NULL);
    g_autofree char *p1 = NULL;
    g_autofree char *p2 = NULL;
    g_autofree char *p3 = NULL;

    p1 = createFresh("y");
    CHK_EXPECT_STR(p1, "x");
    QT_CHECK(g_unlink(current) == 0);
    p2 = createFresh("z");
    CHK_EXPECT_STR(p2, "y");
    QT_CHECK(g_file_set_contents(current, "nosuch\n", -1, NULL));
    p3 = createFresh("w");
    CHK_EXPECT_STR(p3, "z");
    /* The first connection reads what the others wrote. */
    QT_CHECK(cairnDomainListAllCheckpoints(dom, NULL, 0) == 4);
    expectMeta("w,x,y,z", "w");
}


int
main(void)
{
    const char *images[3] = { NULL, NULL, NULL };
    const char *formats[] = { "qcow2", "qcow2", NULL };
    g_autofree char *xml = NULL;
    cairnConnectPtr conn;
    cairnDomainPtr dom;
    const char *root;

    root = chkTestSetup(NAME);
    startForeignDaemon();
    CHK_EXPECT_INT(chkTestCountStorageDaemons(), 0);
    images[0] = imgA = qemuTestMakeImage("a.qcow2", "qcow2", "64M");
    images[1] = imgB = qemuTestMakeImage("b.qcow2", "qcow2", "64M");
    xml = chkTestDomainXML(NAME, images, formats);
    conn = qemuTestConnect();
    QT_CHECK((dom = cairnDomainDefineXML(conn, xml)) != NULL);

    testCreateAndSize(dom);
    testDelete(dom);
    testImageInUse(dom);
    testRestart(root, dom);

    CHK_EXPECT_INT(chkTestCountStorageDaemons(), 0);
    stopForeignDaemon();
    QT_CHECK(qemuTestCountRunFiles(".qsd.sock") == 0 && qemuTestCountRunFiles(".qsd.log") == 0);
    cairnDomainFree(dom);
    cairnConnectClose(conn);
    printf("checkpoint-offline: ok\n");
    return 0;
}
