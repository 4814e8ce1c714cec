/*
 * checkpoint-bad.c: bad checkpoint input on a domain with a qcow2 (vda)
 * and a raw (vdb) disk, running and shut off. Each is refused with
 * libvirt's code and message, and leaves no bitmap (checked in QEMU and
 * in the images) and no metadata:
 *
 * - an unknown disk in the disk list (--diskspec vdz)
 * - a bitmap asked for on the raw disk (also by default: every disk)
 * - a bitmap name other than the checkpoint's
 * - a duplicate checkpoint name
 * - a bitmap of that name already in the image (QEMU refuses the add)
 * - redefine with a missing parent, with itself as parent, and a cycle
 * - unknown flags; QUIESCE without a guest agent channel, or shut off
 */
#include <stdio.h>

#include "checkpointtestutils.h"

#define NAME "chkbad"

/* The state root (through cairnd too, where the URI does not name it). */
static const char *testRoot;

static char *imgA;
static char *imgB;


static void
expectState(cairnDomainPtr dom, const char *bitmaps, const char *meta)
{
    g_autoptr(GPtrArray) onA = NULL;
    g_autofree char *names = NULL;
    g_autofree char *got = chkTestMetadataNames(NAME);

    if (cairnDomainIsActive(dom) == 1)
        onA = chkTestLiveBitmaps(dom, imgA);
    else
        onA = chkTestImageBitmaps(imgA);
    names = chkTestBitmapNames(onA);
    CHK_EXPECT_STR(names, bitmaps);
    CHK_EXPECT_STR(got, meta);
}


static void
expectCreateFails(
    cairnDomainPtr dom, const char *xml, unsigned int flags, int code, const char *msg)
{
    QT_CHECK(!cairnDomainCheckpointCreateXML(dom, xml, flags));
    qemuTestExpectError(code, msg);
}


static void
testCreateErrors(cairnDomainPtr dom, const char *have)
{
    expectCreateFails(dom,
                      "<domaincheckpoint><name>x</name><disks><disk name='vdz'/></disks>"
                      "</domaincheckpoint>",
                      0, CAIRN_ERR_CONFIG_UNSUPPORTED, "vdz");
    expectCreateFails(dom,
                      "<domaincheckpoint><name>x</name><disks>"
                      "<disk name='vda' checkpoint='bitmap'/><disk name='vdb' checkpoint='bitmap'/>"
                      "</disks></domaincheckpoint>",
                      0, CAIRN_ERR_CONFIG_UNSUPPORTED,
                      "checkpoint for disk vdb unsupported for storage type raw");
    expectCreateFails(dom, "<domaincheckpoint><name>x</name></domaincheckpoint>", 0,
                      CAIRN_ERR_CONFIG_UNSUPPORTED,
                      "checkpoint for disk vdb unsupported for storage type raw");
    expectCreateFails(dom,
                      "<domaincheckpoint><name>x</name><disks>"
                      "<disk name='vda' checkpoint='bitmap' bitmap='other'/>"
                      "<disk name='vdb' checkpoint='no'/></disks></domaincheckpoint>",
                      0, CAIRN_ERR_CONFIG_UNSUPPORTED,
                      "bitmap for disk 'vda' must match checkpoint name 'x'");
    /* QUIESCE: no agent channel when running, nothing to freeze when not */
    if (cairnDomainIsActive(dom) == 1)
        expectCreateFails(dom,
                          "<domaincheckpoint><name>x</name><disks><disk name='vda'/>"
                          "<disk name='vdb' checkpoint='no'/></disks></domaincheckpoint>",
                          CAIRN_DOMAIN_CHECKPOINT_CREATE_QUIESCE, CAIRN_ERR_ARGUMENT_UNSUPPORTED,
                          "argument unsupported: QEMU guest agent is not configured");
    else
        expectCreateFails(dom,
                          "<domaincheckpoint><name>x</name><disks><disk name='vda'/>"
                          "<disk name='vdb' checkpoint='no'/></disks></domaincheckpoint>",
                          CAIRN_DOMAIN_CHECKPOINT_CREATE_QUIESCE, CAIRN_ERR_OPERATION_INVALID,
                          "domain is not running");
    expectCreateFails(dom, "<domaincheckpoint><name>x</name></domaincheckpoint>", 1u << 7,
                      CAIRN_ERR_INVALID_ARG, "unsupported flags (0x80)");
    expectState(dom, have, have);
}


#define VDA_ONLY(name)                                                                             \
 "<domaincheckpoint><name>" name "</name><disks><disk name='vda'/>"                                \
 "<disk name='vdb' checkpoint='no'/></disks></domaincheckpoint>"


static void
testDuplicates(cairnDomainPtr dom, const char *stray_add)
{
    cairnDomainCheckpointPtr c1 = chkTestCreate(dom, VDA_ONLY("c1"), 0);
    g_autofree char *before = NULL;
    g_autofree char *after = NULL;
    g_autofree char *path = NULL;

    expectState(dom, "c1", "c1");
    expectCreateFails(dom, VDA_ONLY("c1"), 0, CAIRN_ERR_OPERATION_FAILED,
                      "domain moment c1 already exists");
    expectState(dom, "c1", "c1");

    /* A bitmap of that name already in the image, unknown to Cairn. */
    if (stray_add) {
        g_autofree char *reply = chkTestMonitor(dom, stray_add, 0);

        QT_CHECK(reply != NULL);
    } else {
        const char *argv[] = { "qemu-img", "bitmap", "--add", imgA, "c9", NULL };

        QT_CHECK(qemuTestRun(argv));
    }
    expectCreateFails(dom, VDA_ONLY("c9"), 0, CAIRN_ERR_OPERATION_FAILED, "c9");
    expectState(dom, "c1,c9", "c1");

    /* Redefine: missing parent, itself, a cycle; nothing is written. */
    path = g_build_filename(testRoot, "checkpoints", NAME, "c1.xml", NULL);
    QT_CHECK(g_file_get_contents(path, &before, NULL, NULL));
    expectCreateFails(dom,
                      "<domaincheckpoint><name>r1</name><parent><name>nosuch</name></parent>"
                      "<creationTime>1</creationTime></domaincheckpoint>",
                      CAIRN_DOMAIN_CHECKPOINT_CREATE_REDEFINE, CAIRN_ERR_INVALID_ARG,
                      "parent nosuch for moment r1 not found");
    expectCreateFails(dom,
                      "<domaincheckpoint><name>c1</name><parent><name>c1</name></parent>"
                      "<creationTime>1</creationTime></domaincheckpoint>",
                      CAIRN_DOMAIN_CHECKPOINT_CREATE_REDEFINE, CAIRN_ERR_INVALID_ARG,
                      "cannot set moment c1 as its own parent");
    cairnDomainCheckpointFree(
        chkTestCreate(dom,
                      "<domaincheckpoint><name>r2</name><parent><name>c1</name>"
                      "</parent><creationTime>2</creationTime>"
                      "</domaincheckpoint>",
                      CAIRN_DOMAIN_CHECKPOINT_CREATE_REDEFINE));
    expectCreateFails(dom,
                      "<domaincheckpoint><name>c1</name><parent><name>r2</name></parent>"
                      "<creationTime>1</creationTime></domaincheckpoint>",
                      CAIRN_DOMAIN_CHECKPOINT_CREATE_REDEFINE, CAIRN_ERR_INVALID_ARG,
                      "parent r2 would create cycle to c1");
    QT_CHECK(g_file_get_contents(path, &after, NULL, NULL));
    CHK_EXPECT_STR(after, before);
    expectState(dom, "c1,c9", "c1,r2");

    QT_CHECK(cairnDomainCheckpointDelete(c1, CAIRN_DOMAIN_CHECKPOINT_DELETE_CHILDREN |
                                                 CAIRN_DOMAIN_CHECKPOINT_DELETE_METADATA_ONLY) ==
             0);
    cairnDomainCheckpointFree(c1);
}


/* Delete of a checkpoint whose bitmap is gone: libvirt's error, and
 * nothing changes (neither the other bitmaps nor the metadata). */
static void
testDeleteMissing(cairnDomainPtr dom)
{
    const char *rm[] = { "qemu-img", "bitmap", "--remove", imgA, "d2", NULL };
    cairnDomainCheckpointPtr d1 = chkTestCreate(dom, VDA_ONLY("d1"), 0);
    cairnDomainCheckpointPtr d2 = chkTestCreate(dom, VDA_ONLY("d2"), 0);

    QT_CHECK(qemuTestRun(rm));
    QT_CHECK(cairnDomainCheckpointDelete(d1, CAIRN_DOMAIN_CHECKPOINT_DELETE_CHILDREN) < 0);
    qemuTestExpectError(CAIRN_ERR_INTERNAL_ERROR,
                        "bitmap 'd2' not found in backing chain of 'vda'");
    expectState(dom, "c1,c9,d1", "d1,d2");
    QT_CHECK(cairnDomainCheckpointDelete(d1, CAIRN_DOMAIN_CHECKPOINT_DELETE_CHILDREN |
                                                 CAIRN_DOMAIN_CHECKPOINT_DELETE_METADATA_ONLY) ==
             0);
    cairnDomainCheckpointFree(d1);
    cairnDomainCheckpointFree(d2);
}


int
main(void)
{
    const char *images[3] = { NULL, NULL, NULL };
    const char *formats[] = { "qcow2", "raw", NULL };
    g_autofree char *xml = NULL;
    cairnConnectPtr conn;
    cairnDomainPtr dom;

    testRoot = chkTestSetup(NAME);
    images[0] = imgA = qemuTestMakeImage("a.qcow2", "qcow2", "64M");
    images[1] = imgB = qemuTestMakeImage("b.raw", "raw", "64M");
    xml = chkTestDomainXML(NAME, images, formats);
    conn = qemuTestConnect();
    QT_CHECK((dom = cairnDomainDefineXML(conn, xml)) != NULL);

    /* Running: bitmaps checked in QEMU. */
    QT_CHECK(cairnDomainCreate(dom) == 0);
    testCreateErrors(dom, "");
    testDuplicates(dom, "{\"execute\":\"block-dirty-bitmap-add\",\"arguments\":"
                        "{\"node\":\"cairn-1-format\",\"name\":\"c9\",\"persistent\":true}}");
    QT_CHECK(cairnDomainDestroy(dom) == 0);

    /* Shut off: the same through the storage daemon, checked in the image
     * (c1 and c9 are still in it: only their metadata went). */
    {
        const char *rm1[] = { "qemu-img", "bitmap", "--remove", imgA, "c1", NULL };
        const char *rm9[] = { "qemu-img", "bitmap", "--remove", imgA, "c9", NULL };

        QT_CHECK(qemuTestRun(rm1) && qemuTestRun(rm9));
    }
    testCreateErrors(dom, "");
    testDuplicates(dom, NULL);
    testDeleteMissing(dom);

    cairnDomainFree(dom);
    cairnConnectClose(conn);
    g_free(imgA);
    g_free(imgB);
    printf("checkpoint-bad: ok\n");
    return 0;
}
