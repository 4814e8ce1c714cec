/*
 * crash-same-conn.c: QEMU killed with SIGKILL while a connection holds the
 * domain: its next look reports shut off (crashed), and the live state,
 * socket and pidfile are gone.
 */
#include <signal.h>
#include <stdio.h>

#include "qemutestutils.h"

#define NAME "crashconn"


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

    QT_CHECK(cairnDomainGetInfo(dom, &info) == 0);
    QT_CHECK(info.state == CAIRN_DOMAIN_SHUTOFF);
    QT_CHECK(cairnDomainGetState(dom, &state, &reason, 0) == 0);
    QT_CHECK(state == CAIRN_DOMAIN_SHUTOFF && reason == CAIRN_DOMAIN_SHUTOFF_CRASHED);
    QT_CHECK(cairnConnectListAllDomains(conn, NULL, CAIRN_CONNECT_LIST_DOMAINS_ACTIVE) == 0);
    QT_CHECK(cairnConnectListAllDomains(conn, NULL, CAIRN_CONNECT_LIST_DOMAINS_SHUTOFF) == 1);
    qemuTestExpectNothingLeft(NAME);
    QT_CHECK(qemuTestCountRunFiles(".qmp") == 0);
    cairnDomainFree(dom);
    cairnConnectClose(conn);
    printf("crash-same-conn: ok\n");
    return 0;
}
