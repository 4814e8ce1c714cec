/*
 * backup-offline-push.c: full and incremental push backups of a shut-off
 * domain (beyond libvirt, which refuses them), run by a
 * qemu-storage-daemon; the content checked with qemu-img only:
 *
 * - data written into the image with qemu-io; a full push into a raw
 *   target, with a checkpoint made in the same transaction: the target
 *   equals the image, the checkpoint's bitmap is in the image once the job
 *   has ended (the daemon wrote it when it quit), nothing is left (no
 *   daemon, no run file), and the domain stayed shut off throughout
 * - more data written offline; an incremental push since that checkpoint
 *   into a target Cairn names (IMAGE.c2), begun by one connection that
 *   then closes and seen to its end by another: the target allocates
 *   exactly the changed clusters, and rebased onto the full backup it
 *   equals the image
 * - REUSE_EXTERNAL: a full push into a qcow2 image the caller made
 * - the domain starts afterwards and its disk carries both checkpoints
 */
#include <stdio.h>

#include "backuptestutils.h"

#define NAME "bkoffpush"
#define MiB (1024ULL * 1024)


static void
waitCompleted(cairnDomainPtr dom)
{
    bool success = false;

    QT_CHECK(bkTestWaitDone(dom, 120) == CAIRN_DOMAIN_JOB_COMPLETED);
    QT_CHECK(bkTestCompleted(dom, &success, NULL) == CAIRN_DOMAIN_JOB_COMPLETED && success);
}


static void
expectImageBitmaps(const char *image, const char *want)
{
    g_autoptr(GPtrArray) bitmaps = chkTestImageBitmaps(image);
    g_autofree char *names = chkTestBitmapNames(bitmaps);

    CHK_EXPECT_STR(names, want);
    for (guint i = 0; i < bitmaps->len; i++) {
        chkTestBitmap *bm = g_ptr_array_index(bitmaps, i);

        QT_CHECK(bm->recording && !bm->inconsistent);
    }
}


static void
testFull(cairnDomainPtr dom, const char *img, const char *full)
{
    g_autofree char *xml =
        g_strdup_printf("<domainbackup><disks><disk name='vda' type='file'><driver type='raw'/>"
                        "<target file='%s'/></disk></disks></domainbackup>",
                        full);

    bkTestBegin(dom, xml, "<domaincheckpoint><name>c1</name></domaincheckpoint>", 0);
    /* Nobody has looked yet: the daemon still holds the disk. */
    QT_CHECK(bkTestDaemonPid(NAME) > 0);
    QT_CHECK(cairnDomainIsActive(dom) == 0);
    waitCompleted(dom);
    bkTestExpectOfflineClean(NAME, NULL);
    QT_CHECK(cairnDomainIsActive(dom) == 0);
    QT_CHECK(bkTestCompare(full, img));
    expectImageBitmaps(img, "c1");
}


/* Begun by a connection that goes away; another one sees it end. */
static void
testIncremental(cairnDomainPtr dom, const char *img, const char *full)
{
    g_autofree char *inc = g_strdup_printf("%s.c2", img);
    g_autofree char *map = NULL;
    const char *rebase[] = { "qemu-img", "rebase", "-u", "-F", "raw", "-b", full, inc, NULL };
    cairnConnectPtr other = qemuTestConnect();
    cairnDomainPtr odom = cairnDomainLookupByName(other, NAME);

    bkTestQemuIo(img, "write -P 0x33 4M 128K");
    bkTestQemuIo(img, "write -P 0x44 20M 64K");
    QT_CHECK(odom);
    bkTestBegin(odom, "<domainbackup><incremental>c1</incremental></domainbackup>",
                "<domaincheckpoint><name>c2</name></domaincheckpoint>", 0);
    cairnDomainFree(odom);
    QT_CHECK(cairnConnectClose(other) == 0);

    waitCompleted(dom);
    bkTestExpectOfflineClean(NAME, NULL);
    map = bkTestMapOwn(inc);
    CHK_EXPECT_STR(map, "4194304+131072,20971520+65536");
    QT_CHECK(qemuTestRun(rebase));
    QT_CHECK(bkTestCompare(inc, img));
    expectImageBitmaps(img, "c1,c2");
}


static void
testReuseExternal(cairnDomainPtr dom, const char *root, const char *img)
{
    g_autofree char *target = g_build_filename(root, "reuse.qcow2", NULL);
    g_autofree char *xml =
        g_strdup_printf("<domainbackup><disks><disk name='vda' type='file'><driver type='qcow2'/>"
                        "<target file='%s'/></disk></disks></domainbackup>",
                        target);
    const char *create[] = { "qemu-img", "create", "-q", "-f", "qcow2", target, "64M", NULL };

    QT_CHECK(qemuTestRun(create));
    bkTestBegin(dom, xml, NULL, CAIRN_DOMAIN_BACKUP_BEGIN_REUSE_EXTERNAL);
    waitCompleted(dom);
    bkTestExpectOfflineClean(NAME, NULL);
    QT_CHECK(bkTestCompare(target, img));
}


int
main(void)
{
    const char *root = bkTestSetup(NAME);
    cairnConnectPtr conn = qemuTestConnect();
    g_autofree char *img = qemuTestMakeImage("a.qcow2", "qcow2", "64M");
    g_autofree char *full = g_build_filename(root, "full.raw", NULL);
    const char *images[] = { img, NULL };
    const char *formats[] = { "qcow2", NULL };
    g_autofree char *xml = chkTestDomainXML(NAME, images, formats);
    cairnDomainPtr dom;

    bkTestQemuIo(img, "write -P 0x5a 0 1M");
    QT_CHECK((dom = cairnDomainDefineXML(conn, xml)));
    testFull(dom, img, full);
    testIncremental(dom, img, full);
    testReuseExternal(dom, root, img);

    QT_CHECK(cairnDomainCreate(dom) == 0);
    {
        g_autoptr(GPtrArray) live = chkTestLiveBitmaps(dom, img);
        g_autofree char *names = chkTestBitmapNames(live);

        CHK_EXPECT_STR(names, "c1,c2");
    }
    QT_CHECK(cairnDomainDestroy(dom) == 0);
    cairnDomainFree(dom);
    cairnConnectClose(conn);
    printf("ok\n");
    return 0;
}
