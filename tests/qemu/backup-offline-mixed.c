/*
 * backup-offline-mixed.c: one incremental chain across both states of a
 * domain, checked with qemu-img only:
 *
 * - running: a full push with checkpoint c1 (guest writes before it);
 *   the guest writes more; destroyed; qemu-io writes offline
 * - shut off: an incremental push since c1 (made while running), with
 *   checkpoint c2: exactly the running and the offline writes since c1;
 *   rebased onto the full backup it equals the image
 * - running again: the guest writes; an incremental push since c2 (made
 *   while shut off): exactly that write; the chain full <- inc1 <- inc2
 *   equals the image once the domain is shut off
 */
#include <stdio.h>

#include "backuptestutils.h"

#define NAME "bkoffmix"
#define MiB (1024ULL * 1024)


static char *
vdaTarget(const char *target)
{
    return g_strdup_printf("<domainbackup><disks><disk name='vda' type='file'>"
                           "<driver type='qcow2'/><target file='%s'/></disk></disks>"
                           "</domainbackup>",
                           target);
}


static char *
vdaIncremental(const char *since, const char *target)
{
    return g_strdup_printf("<domainbackup><incremental>%s</incremental><disks>"
                           "<disk name='vda' type='file'><driver type='qcow2'/>"
                           "<target file='%s'/></disk></disks></domainbackup>",
                           since, target);
}


static void
waitCompleted(cairnDomainPtr dom)
{
    bool success = false;

    QT_CHECK(bkTestWaitDone(dom, 120) == CAIRN_DOMAIN_JOB_COMPLETED);
    QT_CHECK(bkTestCompleted(dom, &success, NULL) == CAIRN_DOMAIN_JOB_COMPLETED && success);
}


static void
rebase(const char *image, const char *backing)
{
    const char *argv[] = { "qemu-img", "rebase", "-u", "-F", "qcow2", "-b", backing, image, NULL };

    QT_CHECK(qemuTestRun(argv));
}


int
main(void)
{
    const char *root = bkTestSetup(NAME);
    cairnConnectPtr conn = qemuTestConnect();
    g_autofree char *img = qemuTestMakeImage("a.qcow2", "qcow2", "64M");
    g_autofree char *full = g_build_filename(root, "full.qcow2", NULL);
    g_autofree char *inc1 = g_build_filename(root, "inc1.qcow2", NULL);
    g_autofree char *inc2 = g_build_filename(root, "inc2.qcow2", NULL);
    const char *images[] = { img, NULL };
    const char *formats[] = { "qcow2", NULL };
    g_autofree char *xml = chkTestDomainXML(NAME, images, formats);
    g_autofree char *xfull = vdaTarget(full);
    g_autofree char *xinc1 = vdaIncremental("c1", inc1);
    g_autofree char *xinc2 = vdaIncremental("c2", inc2);
    g_autofree char *map1 = NULL;
    g_autofree char *map2 = NULL;
    cairnDomainPtr dom;

    QT_CHECK((dom = cairnDomainDefineXML(conn, xml)) && cairnDomainCreate(dom) == 0);
    bkTestWrite(dom, "virtio-disk0", 0x11, 0, 1 * MiB);
    bkTestBegin(dom, xfull, "<domaincheckpoint><name>c1</name></domaincheckpoint>", 0);
    waitCompleted(dom);
    bkTestWrite(dom, "virtio-disk0", 0x22, 2 * MiB, 64 * 1024);
    QT_CHECK(cairnDomainDestroy(dom) == 0);
    bkTestQemuIo(img, "write -P 0x33 6M 64K");

    /* Offline, since a checkpoint made while running. */
    bkTestBegin(dom, xinc1, "<domaincheckpoint><name>c2</name></domaincheckpoint>", 0);
    QT_CHECK(bkTestDaemonPid(NAME) > 0);
    waitCompleted(dom);
    bkTestExpectOfflineClean(NAME, NULL);
    map1 = bkTestMapOwn(inc1);
    CHK_EXPECT_STR(map1, "2097152+65536,6291456+65536");
    rebase(inc1, full);
    QT_CHECK(bkTestCompare(inc1, img));

    /* Running, since a checkpoint made while shut off. */
    QT_CHECK(cairnDomainCreate(dom) == 0);
    bkTestWrite(dom, "virtio-disk0", 0x44, 10 * MiB, 64 * 1024);
    bkTestBegin(dom, xinc2, NULL, 0);
    QT_CHECK(bkTestDaemonPid(NAME) == 0);
    waitCompleted(dom);
    QT_CHECK(cairnDomainDestroy(dom) == 0);
    map2 = bkTestMapOwn(inc2);
    CHK_EXPECT_STR(map2, "10485760+65536");
    rebase(inc2, inc1);
    QT_CHECK(bkTestCompare(inc2, img));

    cairnDomainFree(dom);
    cairnConnectClose(conn);
    printf("ok\n");
    return 0;
}
