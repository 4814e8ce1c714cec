/*
 * lifecycle.c: define -> start -> dominfo running -> write through the
 * guest's own disk device (HMP qemu-io) -> destroy; the write is in the
 * image afterwards and nothing of the running domain is left.
 */
#include <stdio.h>
#include <string.h>

#include "qemutestutils.h"

#define NAME "lifecycle"


static void
writeThroughDevice(cairnDomainPtr dom)
{
    char *reply = NULL;

    QT_CHECK(
        cairnDomainQemuMonitorCommand(
            dom,
            "qemu-io -d /machine/peripheral/virtio-disk0/virtio-backend \"write -P 0xab 1M 64k\"",
            &reply, CAIRN_DOMAIN_QEMU_MONITOR_COMMAND_HMP) == 0);
    free(reply);
    QT_CHECK(cairnDomainQemuMonitorCommand(
                 dom, "qemu-io -d /machine/peripheral/virtio-disk0/virtio-backend \"flush\"",
                 &reply, CAIRN_DOMAIN_QEMU_MONITOR_COMMAND_HMP) == 0);
    free(reply);
    /* Raw QMP passes through too. */
    QT_CHECK(cairnDomainQemuMonitorCommand(dom, "{\"execute\": \"query-status\"}", &reply, 0) == 0);
    QT_CHECK(strstr(reply, "\"status\":\"running\"") != NULL);
    free(reply);
}


int
main(void)
{
    g_autofree char *image = NULL;
    g_autofree char *xml = NULL;
    cairnConnectPtr conn;
    cairnDomainPtr dom;
    cairnDomainInfo info;
    int state = -1;
    int reason = -1;

    qemuTestSetup(NAME);
    image = qemuTestMakeImage("disk.qcow2", "qcow2", "64M");
    xml = qemuTestDomainXML(qemuTestVirtType(), NAME, image, "qcow2");
    conn = qemuTestConnect();
    QT_CHECK(strcmp(cairnConnectGetType(conn), "QEMU") == 0);
    QT_CHECK((dom = cairnDomainDefineXML(conn, xml)) != NULL);
    QT_CHECK(cairnDomainIsActive(dom) == 0 && cairnDomainIsPersistent(dom) == 1);
    QT_CHECK(cairnDomainCreate(dom) == 0);
    QT_CHECK(cairnDomainGetID(dom) > 0);
    QT_CHECK(cairnDomainGetInfo(dom, &info) == 0);
    QT_CHECK(info.state == CAIRN_DOMAIN_RUNNING && info.maxMem == 131072 && info.nrVirtCpu == 1);
    QT_CHECK(cairnDomainGetState(dom, &state, &reason, 0) == 0);
    QT_CHECK(state == CAIRN_DOMAIN_RUNNING && reason == CAIRN_DOMAIN_RUNNING_BOOTED);
    QT_CHECK(qemuTestQemuRunning(NAME));
    QT_CHECK(qemuTestCountRunFiles(NAME ".xml") == 1 && qemuTestCountRunFiles(NAME ".qmp") == 1);

    writeThroughDevice(dom);

    QT_CHECK(cairnDomainDestroy(dom) == 0);
    QT_CHECK(cairnDomainGetState(dom, &state, &reason, 0) == 0);
    QT_CHECK(state == CAIRN_DOMAIN_SHUTOFF && reason == CAIRN_DOMAIN_SHUTOFF_DESTROYED);
    QT_CHECK(cairnDomainGetID(dom) == -1);
    qemuTestExpectNothingLeft(NAME);
    {
        const char *argv[] = { "qemu-io", "-r", "-f", "qcow2", "-c", "read -P 0xab 1M 64k",
                               image,     NULL };
        const char *other[] = {
            "qemu-io", "-r", "-f", "qcow2", "-c", "read -P 0 0 1M", image, NULL
        };

        QT_CHECK(qemuTestRun(argv));
        QT_CHECK(qemuTestRun(other));
    }
    QT_CHECK(cairnDomainUndefine(dom) == 0);
    cairnDomainFree(dom);
    QT_CHECK(cairnDomainLookupByName(conn, NAME) == NULL);
    cairnConnectClose(conn);
    printf("lifecycle: ok\n");
    return 0;
}
