/*
 * guest-boot.c: the test guest (tests/guest) boots through the domain XML
 * (<os><kernel>, <initrd>, <cmdline>, type='qemu' for TCG), writes known
 * patterns to its disk, powers off; the driver notices (query-status says
 * "shutdown"), stops QEMU and reports shut off (shutdown). The image then
 * holds exactly what the guest wrote: qemu-io finds the patterns and
 * qemu-img compare finds no difference from a reference image written
 * from outside with the same patterns.
 */
#include <stdio.h>

#include "qemutestutils.h"

#define NAME "guest"
#define BOOT_TIMEOUT_S 180


static char *
guestXML(const char *kernel, const char *initrd, const char *image)
{
    return qemuTestGuestXML(NAME, kernel, initrd, "cairn.write=1M:64k:ab,vda:3M:4k:cd", image);
}


static void
checkImage(const char *image)
{
    g_autofree char *ref = qemuTestMakeImage("ref.qcow2", "qcow2", "64M");
    const char *read1[] = {
        "qemu-io", "-r", "-f", "qcow2", "-c", "read -P 0xab 1M 64k", image, NULL
    };
    const char *read2[] = {
        "qemu-io", "-r", "-f", "qcow2", "-c", "read -P 0xcd 3M 4k", image, NULL
    };
    const char *write[] = {
        "qemu-io", "-f", "qcow2", "-c", "write -P 0xab 1M 64k", "-c", "write -P 0xcd 3M 4k",
        ref,       NULL
    };
    const char *compare[] = {
        "qemu-img", "compare", "-f", "qcow2", "-F", "qcow2", ref, image, NULL
    };

    QT_CHECK(qemuTestRun(read1));
    QT_CHECK(qemuTestRun(read2));
    QT_CHECK(qemuTestRun(write));
    QT_CHECK(qemuTestRun(compare));
}


int
main(void)
{
    g_autofree char *kernel = NULL;
    g_autofree char *initrd = NULL;
    g_autofree char *image = NULL;
    g_autofree char *xml = NULL;
    cairnConnectPtr conn;
    cairnDomainPtr dom;
    gint64 t0;
    int state;
    int reason = -1;
    const char *root;

    root = qemuTestSetup(NAME);
    qemuTestBuildGuest(root, &kernel, &initrd);
    image = qemuTestMakeImage("disk.qcow2", "qcow2", "64M");
    xml = guestXML(kernel, initrd, image);
    conn = qemuTestConnect();
    QT_CHECK((dom = cairnDomainDefineXML(conn, xml)) != NULL);
    t0 = g_get_monotonic_time();
    QT_CHECK(cairnDomainCreate(dom) == 0);
    state = qemuTestWaitShutoff(dom, BOOT_TIMEOUT_S, &reason);
    if (state != CAIRN_DOMAIN_SHUTOFF)
        cairnDomainDestroy(dom);
    QT_CHECK(state == CAIRN_DOMAIN_SHUTOFF);
    fprintf(stderr, "guest ran %.1f s from start to shut off\n",
            (double)(g_get_monotonic_time() - t0) / G_USEC_PER_SEC);
    QT_CHECK(reason == CAIRN_DOMAIN_SHUTOFF_SHUTDOWN);
    qemuTestExpectNothingLeft(NAME);
    checkImage(image);
    cairnDomainFree(dom);
    cairnConnectClose(conn);
    printf("guest-boot: ok\n");
    return 0;
}
