/*
 * guest-shutdown.c: cairnDomainShutdown presses the ACPI power button and
 * returns at once (as libvirt); the guest (idling until that button,
 * cairn.wait=1) powers off, and the domain is then reported shut off with
 * reason "shutdown". Shutting down a domain that is not running fails.
 */
#include <stdio.h>

#include "qemutestutils.h"

#define NAME "shutdown"
#define BOOT_TIMEOUT_S 180


int
main(void)
{
    g_autofree char *kernel = NULL;
    g_autofree char *initrd = NULL;
    g_autofree char *image = NULL;
    g_autofree char *xml = NULL;
    cairnConnectPtr conn;
    cairnDomainPtr dom;
    char *reply = NULL;
    int state = -1;
    int reason = -1;
    const char *root;
    gint64 t0;

    root = qemuTestSetup(NAME);
    qemuTestBuildGuest(root, &kernel, &initrd);
    image = qemuTestMakeImage("disk.qcow2", "qcow2", "64M");
    xml = qemuTestGuestXML(NAME, kernel, initrd, "cairn.wait=1", image);
    conn = qemuTestConnect();
    QT_CHECK((dom = cairnDomainDefineXML(conn, xml)) != NULL);
    QT_CHECK(cairnDomainCreate(dom) == 0);
    /* Let the guest's ACPI come up before pressing the button: wait until
     * the kernel has run for a while (the button is ignored earlier). */
    for (int i = 0; i < 20; i++) {
        QT_CHECK(cairnDomainGetState(dom, &state, NULL, 0) == 0);
        QT_CHECK(state == CAIRN_DOMAIN_RUNNING);
        g_usleep(100000);
    }
    t0 = g_get_monotonic_time();
    for (int i = 0; i < 30; i++) {
        QT_CHECK(cairnDomainShutdown(dom) == 0);
        if (qemuTestWaitShutoff(dom, 5, &reason) == CAIRN_DOMAIN_SHUTOFF)
            break;
    }
    QT_CHECK(cairnDomainGetState(dom, &state, &reason, 0) == 0);
    if (state != CAIRN_DOMAIN_SHUTOFF)
        cairnDomainDestroy(dom);
    QT_CHECK(state == CAIRN_DOMAIN_SHUTOFF && reason == CAIRN_DOMAIN_SHUTOFF_SHUTDOWN);
    fprintf(stderr, "shut off %.1f s after the first power button press\n",
            (double)(g_get_monotonic_time() - t0) / G_USEC_PER_SEC);
    qemuTestExpectNothingLeft(NAME);

    QT_CHECK(cairnDomainShutdown(dom) < 0);
    qemuTestExpectError(CAIRN_ERR_OPERATION_INVALID, "domain is not running");
    QT_CHECK(cairnDomainQemuMonitorCommand(dom, "info status", &reply,
                                           CAIRN_DOMAIN_QEMU_MONITOR_COMMAND_HMP) < 0);
    qemuTestExpectError(CAIRN_ERR_OPERATION_INVALID, "domain is not running");
    cairnDomainFree(dom);
    cairnConnectClose(conn);
    printf("guest-shutdown: ok\n");
    return 0;
}
