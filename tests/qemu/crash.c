/*
 * crash.c: QEMU killed with SIGKILL behind the driver's back. A new
 * connection reports the domain shut off (crashed) and removes its live
 * state, socket and pidfile; the first connection agrees, and the domain
 * starts again (its image is not left locked).
 */
#include <signal.h>
#include <stdio.h>

#include "qemutestutils.h"

#define NAME "crash"


int
main(void)
{
    g_autofree char *image = NULL;
    g_autofree char *xml = NULL;
    cairnConnectPtr conn;
    cairnConnectPtr conn2;
    cairnDomainPtr dom;
    cairnDomainPtr dom2;
    int state = -1;
    int reason = -1;
    pid_t pid;

    qemuTestSetup(NAME);
    image = qemuTestMakeImage("disk.qcow2", "qcow2", "64M");
    xml = qemuTestDomainXML(qemuTestVirtType(), NAME, image, "qcow2");
    conn = qemuTestConnect();
    QT_CHECK((dom = cairnDomainDefineXML(conn, xml)) != NULL);
    QT_CHECK(cairnDomainCreate(dom) == 0);
    QT_CHECK((pid = qemuTestDomainPid(NAME)) > 0);

    QT_CHECK(kill(pid, SIGKILL) == 0);
    for (int i = 0; i < 500 && qemuTestQemuRunning(NAME); i++)
        g_usleep(10000);
    QT_CHECK(!qemuTestQemuRunning(NAME));

    conn2 = qemuTestConnect();
    QT_CHECK((dom2 = cairnDomainLookupByName(conn2, NAME)) != NULL);
    QT_CHECK(cairnDomainGetState(dom2, &state, &reason, 0) == 0);
    QT_CHECK(state == CAIRN_DOMAIN_SHUTOFF && reason == CAIRN_DOMAIN_SHUTOFF_CRASHED);
    QT_CHECK(cairnDomainIsActive(dom2) == 0 && cairnDomainGetID(dom2) == -1);
    qemuTestExpectNothingLeft(NAME);
    QT_CHECK(qemuTestCountRunFiles(".qmp") == 0 && qemuTestCountRunFiles(".pid") == 0);

    /* The first connection sees the same. */
    QT_CHECK(cairnDomainGetState(dom, &state, NULL, 0) == 0);
    QT_CHECK(state == CAIRN_DOMAIN_SHUTOFF);
    QT_CHECK(cairnDomainIsActive(dom) == 0);

    QT_CHECK(cairnDomainCreate(dom) == 0);
    QT_CHECK(cairnDomainIsActive(dom2) == 1);
    QT_CHECK(cairnDomainDestroy(dom2) == 0);
    qemuTestExpectNothingLeft(NAME);
    cairnDomainFree(dom);
    cairnDomainFree(dom2);
    cairnConnectClose(conn);
    cairnConnectClose(conn2);
    printf("crash: ok\n");
    return 0;
}
