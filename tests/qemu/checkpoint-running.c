/*
 * checkpoint-running.c: checkpoints of a running 2-disk domain, every
 * flag, with the bitmaps read from QEMU (query-named-block-nodes) and,
 * after a clean stop, from the images (qemu-img info):
 *
 * - create: one persistent recording bitmap per disk, named after the
 *   checkpoint; parent = current; metadata file with <domain>, current file
 * - SIZE = bytes written since the checkpoint rounded up to the granularity
 * - delete of a middle checkpoint: its bitmaps go, children move to its
 *   parent, and the parent's size stays exact (all bitmaps record)
 * - METADATA_ONLY leaves the bitmaps; REDEFINE_VALIDATE accepts an intact
 *   bitmap and refuses a missing one
 * - CHILDREN_ONLY and CHILDREN remove exactly the descendants' bitmaps
 * - a new connection (a restarted driver) finds the current checkpoint
 */
#include <stdio.h>

#include "checkpointtestutils.h"

#define NAME "chkrun"
#define G CHK_TEST_GRANULARITY

static char *imgA;
static char *imgB;


static char *
liveNames(cairnDomainPtr dom, const char *image)
{
    g_autoptr(GPtrArray) bitmaps = chkTestLiveBitmaps(dom, image);

    for (guint i = 0; i < bitmaps->len; i++) {
        chkTestBitmap *b = g_ptr_array_index(bitmaps, i);

        QT_CHECK(b->persistent && b->recording && !b->inconsistent && b->granularity == G);
    }
    return chkTestBitmapNames(bitmaps);
}


static void
expectLive(cairnDomainPtr dom, const char *a, const char *b)
{
    g_autofree char *na = liveNames(dom, imgA);
    g_autofree char *nb = liveNames(dom, imgB);

    CHK_EXPECT_STR(na, a);
    CHK_EXPECT_STR(nb, b);
}


static void
expectParent(cairnDomainCheckpointPtr chk, const char *want)
{
    g_autofree char *parent = chkTestParent(chk);

    CHK_EXPECT_STR(parent, want);
}


static void
expectMeta(const char *names, const char *current)
{
    g_autofree char *got = chkTestMetadataNames(NAME);
    g_autofree char *cur = chkTestMetadataCurrent(NAME);

    CHK_EXPECT_STR(got, names);
    CHK_EXPECT_STR(cur, current);
}


/* Create, SIZE, delete of a middle checkpoint. */
static void
testCreateSizeDeleteMiddle(cairnDomainPtr dom)
{
    cairnDomainCheckpointPtr c1 =
        chkTestCreate(dom, "<domaincheckpoint><name>c1</name></domaincheckpoint>", 0);
    cairnDomainCheckpointPtr c2;
    cairnDomainCheckpointPtr c3;
    g_autofree char *xml = NULL;

    expectLive(dom, "c1", "c1");
    expectMeta("c1", "c1");
    QT_CHECK((xml = cairnDomainCheckpointGetXMLDesc(c1, 0)) && strstr(xml, "<domain type="));
    CHK_EXPECT_INT(chkTestSize(c1, "vda"), 0);

    chkTestWrite(dom, "virtio-disk0", 0, 100 * 1024); /* 2 clusters */
    CHK_EXPECT_INT(chkTestSize(c1, "vda"), 2 * G);
    CHK_EXPECT_INT(chkTestSize(c1, "vdb"), 0);

    c2 = chkTestCreate(dom, "<domaincheckpoint><name>c2</name></domaincheckpoint>", 0);
    expectParent(c2, "c1");
    chkTestWrite(dom, "virtio-disk1", 1024 * 1024 + 4096, 4096); /* 1 cluster */
    chkTestWrite(dom, "virtio-disk0", 8 * G - 1, 2);             /* straddles 2 clusters */
    CHK_EXPECT_INT(chkTestSize(c2, "vda"), 2 * G);
    CHK_EXPECT_INT(chkTestSize(c2, "vdb"), G);
    CHK_EXPECT_INT(chkTestSize(c1, "vda"), 4 * G);
    CHK_EXPECT_INT(chkTestSize(c1, "vdb"), G);

    c3 = chkTestCreate(dom,
                       "<domaincheckpoint><name>c3</name><disks>"
                       "<disk name='vda' checkpoint='bitmap'/><disk name='vdb' checkpoint='no'/>"
                       "</disks></domaincheckpoint>",
                       0);
    expectParent(c3, "c2");
    expectLive(dom, "c1,c2,c3", "c1,c2");
    CHK_EXPECT_INT(chkTestSize(c3, "vdb"), -1);

    /* Delete the middle one: c3 moves to c1; c1 still counts every write
     * since its creation, before and after c2 alike. */
    QT_CHECK(cairnDomainCheckpointDelete(c2, 0) == 0);
    expectLive(dom, "c1,c3", "c1");
    expectParent(c3, "c1");
    expectMeta("c1,c3", "c3");
    chkTestWrite(dom, "virtio-disk0", 20 * G, G);
    CHK_EXPECT_INT(chkTestSize(c1, "vda"), 5 * G);
    CHK_EXPECT_INT(chkTestSize(c3, "vda"), G);
    QT_CHECK(!cairnDomainCheckpointGetXMLDesc(c2, 0));
    qemuTestExpectError(CAIRN_ERR_NO_DOMAIN_CHECKPOINT,
                        "no domain checkpoint with matching name 'c2'");
    cairnDomainCheckpointFree(c1);
    cairnDomainCheckpointFree(c2);
    cairnDomainCheckpointFree(c3);
}


/* METADATA_ONLY, then REDEFINE and REDEFINE_VALIDATE. */
static void
testMetadataOnlyRedefine(cairnDomainPtr dom)
{
    cairnDomainCheckpointPtr c3 = cairnDomainCheckpointLookupByName(dom, "c3", 0);
    g_autofree char *saved = NULL;
    g_autofree char *reply = NULL;
    cairnDomainCheckpointPtr again;

    QT_CHECK(c3 &&
             (saved = cairnDomainCheckpointGetXMLDesc(c3, CAIRN_DOMAIN_CHECKPOINT_XML_SECURE)));
    QT_CHECK(cairnDomainCheckpointDelete(c3, CAIRN_DOMAIN_CHECKPOINT_DELETE_METADATA_ONLY) == 0);
    expectLive(dom, "c1,c3", "c1");
    expectMeta("c1", "c1");

    again = chkTestCreate(dom, saved,
                          CAIRN_DOMAIN_CHECKPOINT_CREATE_REDEFINE |
                              CAIRN_DOMAIN_CHECKPOINT_CREATE_REDEFINE_VALIDATE);
    expectParent(again, "c1");
    expectMeta("c1,c3", "c3");
    cairnDomainCheckpointFree(again);

    /* The bitmap goes behind Cairn's back: validation refuses it. */
    QT_CHECK(cairnDomainCheckpointDelete(c3, CAIRN_DOMAIN_CHECKPOINT_DELETE_METADATA_ONLY) == 0);
    QT_CHECK((reply = chkTestMonitor(dom,
                                     "{\"execute\":\"block-dirty-bitmap-remove\",\"arguments\":"
                                     "{\"node\":\"cairn-1-format\",\"name\":\"c3\"}}",
                                     0)));
    QT_CHECK(!cairnDomainCheckpointCreateXML(dom, saved,
                                             CAIRN_DOMAIN_CHECKPOINT_CREATE_REDEFINE |
                                                 CAIRN_DOMAIN_CHECKPOINT_CREATE_REDEFINE_VALIDATE));
    qemuTestExpectError(CAIRN_ERR_CHECKPOINT_INCONSISTENT,
                        "missing or broken bitmap 'c3' for disk 'vda'");
    expectMeta("c1", "c1");
    /* Without VALIDATE the metadata comes back (libvirt does not look). */
    again = chkTestCreate(dom, saved, CAIRN_DOMAIN_CHECKPOINT_CREATE_REDEFINE);
    cairnDomainCheckpointFree(again);
    QT_CHECK(cairnDomainCheckpointDelete(c3, CAIRN_DOMAIN_CHECKPOINT_DELETE_METADATA_ONLY) == 0);
    cairnDomainCheckpointFree(c3);
}


/* d1 <- d2 <- d3 under c1: CHILDREN_ONLY on d1, then CHILDREN on c1. */
static void
testChildrenFlags(cairnDomainPtr dom)
{
    cairnDomainCheckpointPtr c1 = cairnDomainCheckpointLookupByName(dom, "c1", 0);
    cairnDomainCheckpointPtr d1 =
        chkTestCreate(dom, "<domaincheckpoint><name>d1</name></domaincheckpoint>", 0);
    cairnDomainCheckpointPtr d2 =
        chkTestCreate(dom, "<domaincheckpoint><name>d2</name></domaincheckpoint>", 0);
    cairnDomainCheckpointPtr d3 =
        chkTestCreate(dom, "<domaincheckpoint><name>d3</name></domaincheckpoint>", 0);

    expectLive(dom, "c1,d1,d2,d3", "c1,d1,d2,d3");
    QT_CHECK(cairnDomainCheckpointDelete(d1, CAIRN_DOMAIN_CHECKPOINT_DELETE_CHILDREN_ONLY) == 0);
    expectLive(dom, "c1,d1", "c1,d1");
    expectMeta("c1,d1", "d1");
    QT_CHECK(cairnDomainCheckpointListAllChildren(d1, NULL, 0) == 0);

    QT_CHECK(cairnDomainCheckpointDelete(c1, CAIRN_DOMAIN_CHECKPOINT_DELETE_CHILDREN) == 0);
    expectLive(dom, "", "");
    expectMeta("", "");
    QT_CHECK(cairnDomainListAllCheckpoints(dom, NULL, 0) == 0);
    cairnDomainCheckpointFree(c1);
    cairnDomainCheckpointFree(d1);
    cairnDomainCheckpointFree(d2);
    cairnDomainCheckpointFree(d3);
}


/* After a clean stop the images carry the bitmaps; a new connection
 * rebuilds the tree with the same current checkpoint. */
static void
testStopAndRestart(cairnConnectPtr conn, cairnDomainPtr dom)
{
    cairnDomainCheckpointPtr e1 =
        chkTestCreate(dom, "<domaincheckpoint><name>e1</name></domaincheckpoint>", 0);
    cairnDomainCheckpointPtr e2 =
        chkTestCreate(dom, "<domaincheckpoint><name>e2</name></domaincheckpoint>", 0);
    cairnDomainCheckpointPtr e3;
    g_autoptr(GPtrArray) onA = NULL;
    g_autoptr(GPtrArray) onB = NULL;
    g_autofree char *na = NULL;
    g_autofree char *nb = NULL;
    cairnConnectPtr conn2;
    cairnDomainPtr dom2;

    QT_CHECK(cairnDomainDestroy(dom) == 0);
    onA = chkTestImageBitmaps(imgA);
    onB = chkTestImageBitmaps(imgB);
    na = chkTestBitmapNames(onA);
    nb = chkTestBitmapNames(onB);
    CHK_EXPECT_STR(na, "e1,e2");
    CHK_EXPECT_STR(nb, "e1,e2");
    QT_CHECK(!chkTestBitmapFind(onA, "e1")->inconsistent &&
             chkTestBitmapFind(onA, "e1")->recording);

    /* Restarted driver: current is e2 again, so the next one hangs below. */
    conn2 = qemuTestConnect();
    QT_CHECK((dom2 = cairnDomainLookupByName(conn2, NAME)));
    QT_CHECK(cairnDomainListAllCheckpoints(dom2, NULL, 0) == 2);
    QT_CHECK(cairnDomainCreate(dom2) == 0);
    e3 = chkTestCreate(dom2, "<domaincheckpoint><name>e3</name></domaincheckpoint>", 0);
    expectParent(e3, "e2");
    cairnDomainCheckpointFree(e3);
    QT_CHECK(cairnDomainDestroy(dom2) == 0);
    cairnDomainFree(dom2);
    cairnConnectClose(conn2);
    cairnDomainCheckpointFree(e1);
    cairnDomainCheckpointFree(e2);
    (void)conn;
}


int
main(void)
{
    const char *images[3] = { NULL, NULL, NULL };
    const char *formats[] = { "qcow2", "qcow2", NULL };
    g_autofree char *xml = NULL;
    cairnConnectPtr conn;
    cairnDomainPtr dom;

    chkTestSetup(NAME);
    images[0] = imgA = qemuTestMakeImage("a.qcow2", "qcow2", "64M");
    images[1] = imgB = qemuTestMakeImage("b.qcow2", "qcow2", "64M");
    xml = chkTestDomainXML(NAME, images, formats);
    conn = qemuTestConnect();
    QT_CHECK((dom = cairnDomainDefineXML(conn, xml)) != NULL);
    QT_CHECK(cairnDomainCreate(dom) == 0);

    testCreateSizeDeleteMiddle(dom);
    testMetadataOnlyRedefine(dom);
    testChildrenFlags(dom);
    testStopAndRestart(conn, dom);

    qemuTestExpectNothingLeft(NAME);
    cairnDomainFree(dom);
    cairnConnectClose(conn);
    printf("checkpoint-running: ok\n");
    return 0;
}
