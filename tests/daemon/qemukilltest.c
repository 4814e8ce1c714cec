/*
 * qemukilltest.c: kill -9 of cairnd while a VM runs. QEMU (started
 * without a guest OS, through the daemon) keeps running; the client sees
 * CAIRN_ERR_RPC; a new cairnd on the same root reattaches: the domain is
 * running with the same QEMU, whose monitor answers through the daemon;
 * then it is destroyed through the daemon. Skips (77) without QEMU.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemontestutils.h"
#include "qemutestutils.h"

#define NAME "daemonkill"


static cairnConnectPtr
openThrough(const daemonTest *d)
{
    g_autofree char *uri = daemonTestURI(d, false);
    cairnConnectPtr conn = cairnConnectOpen(uri);

    if (!conn)
        qemuTestFail(__FILE__, __LINE__, "open %s: %s", uri, cairnGetLastErrorMessage());
    return conn;
}


int
main(void)
{
    g_autofree char *image = NULL;
    g_autofree char *xml = NULL;
    g_auto(daemonTest) d = { 0 };
    const char *args[] = { "--session", "--root", NULL, NULL };
    cairnConnectPtr conn;
    cairnDomainPtr dom;
    char *reply = NULL;
    int state = -1;
    int reason = -1;
    pid_t pid;

    args[2] = qemuTestSetup(NAME);
    image = qemuTestMakeImage("disk.qcow2", "qcow2", "64M");
    xml = qemuTestDomainXML(qemuTestVirtType(), NAME, image, "qcow2");
    daemonTestStart(&d, args);
    conn = openThrough(&d);
    QT_CHECK(g_str_equal(cairnConnectGetType(conn), "QEMU"));
    QT_CHECK((dom = cairnDomainDefineXML(conn, xml)) != NULL);
    QT_CHECK(cairnDomainCreate(dom) == 0);
    QT_CHECK(cairnDomainGetID(dom) > 0);
    QT_CHECK((pid = qemuTestDomainPid(NAME)) > 0);

    daemonTestStop(&d, true);
    QT_CHECK(kill(pid, 0) == 0 && qemuTestQemuRunning(NAME));
    QT_CHECK(cairnDomainGetState(dom, &state, &reason, 0) == -1);
    QT_CHECK(cairnGetLastErrorCode() == CAIRN_ERR_RPC);
    cairnDomainFree(dom);
    cairnConnectClose(conn);

    daemonTestStart(&d, args);
    conn = openThrough(&d);
    QT_CHECK((dom = cairnDomainLookupByName(conn, NAME)) != NULL);
    QT_CHECK(cairnDomainGetState(dom, &state, &reason, 0) == 0);
    QT_CHECK(state == CAIRN_DOMAIN_RUNNING);
    QT_CHECK(qemuTestDomainPid(NAME) == pid && kill(pid, 0) == 0 && qemuTestQemuRunning(NAME));
    QT_CHECK(cairnDomainQemuMonitorCommand(dom, "{\"execute\":\"query-status\"}", &reply, 0) == 0);
    QT_CHECK(strstr(reply, "\"running\"") != NULL);
    free(reply);
    QT_CHECK(cairnDomainDestroy(dom) == 0);
    QT_CHECK(cairnDomainGetState(dom, &state, &reason, 0) == 0 && state == CAIRN_DOMAIN_SHUTOFF);
    QT_CHECK(cairnDomainGetID(dom) == -1);
    qemuTestExpectNothingLeft(NAME);
    cairnDomainFree(dom);
    cairnConnectClose(conn);
    daemonTestStop(&d, false);
    printf("daemon kill -9: ok\n");
    return 0;
}
