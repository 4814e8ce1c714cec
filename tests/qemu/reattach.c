/*
 * reattach.c: a client process starts a domain and exits; a new client
 * connecting to the same root finds it running, talks to its QEMU and
 * destroys it.
 */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "qemutestutils.h"

#define NAME "reattach"


/* The first client: start the domain, then go away without stopping it. */
static void
startInChild(void)
{
    pid_t child = fork();
    int status = 0;

    QT_CHECK(child >= 0);
    if (child == 0) {
        cairnConnectPtr conn = cairnConnectOpen(qemuTestURI());
        cairnDomainPtr dom = conn ? cairnDomainLookupByName(conn, NAME) : NULL;
        int ok = dom && cairnDomainCreate(dom) == 0;

        if (!ok)
            fprintf(stderr, "child: %s\n", cairnGetLastErrorMessage());
        _exit(ok ? 0 : 1);
    }
    QT_CHECK(waitpid(child, &status, 0) == child);
    QT_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}


int
main(void)
{
    g_autofree char *image = NULL;
    g_autofree char *xml = NULL;
    cairnConnectPtr conn;
    cairnDomainPtr dom;
    char *reply = NULL;
    int state = -1;
    int reason = -1;
    pid_t pid;

    qemuTestSetup(NAME);
    image = qemuTestMakeImage("disk.qcow2", "qcow2", "64M");
    xml = qemuTestDomainXML(qemuTestVirtType(), NAME, image, "qcow2");
    conn = qemuTestConnect();
    QT_CHECK((dom = cairnDomainDefineXML(conn, xml)) != NULL);
    cairnDomainFree(dom);
    cairnConnectClose(conn);

    startInChild();
    QT_CHECK(qemuTestQemuRunning(NAME));
    pid = qemuTestDomainPid(NAME);

    conn = qemuTestConnect();
    QT_CHECK((dom = cairnDomainLookupByName(conn, NAME)) != NULL);
    QT_CHECK(cairnDomainIsActive(dom) == 1);
    QT_CHECK(cairnDomainGetID(dom) > 0);
    QT_CHECK(cairnDomainGetState(dom, &state, &reason, 0) == 0);
    QT_CHECK(state == CAIRN_DOMAIN_RUNNING && reason == CAIRN_DOMAIN_RUNNING_BOOTED);
    QT_CHECK(cairnDomainQemuMonitorCommand(dom, "info status", &reply,
                                           CAIRN_DOMAIN_QEMU_MONITOR_COMMAND_HMP) == 0);
    QT_CHECK(strstr(reply, "running") != NULL);
    free(reply);
    /* Still the same QEMU: reattached, not restarted. */
    QT_CHECK(qemuTestDomainPid(NAME) == pid);

    QT_CHECK(cairnDomainDestroy(dom) == 0);
    QT_CHECK(cairnDomainGetState(dom, &state, &reason, 0) == 0);
    QT_CHECK(state == CAIRN_DOMAIN_SHUTOFF && reason == CAIRN_DOMAIN_SHUTOFF_DESTROYED);
    qemuTestExpectNothingLeft(NAME);
    cairnDomainFree(dom);
    cairnConnectClose(conn);
    printf("reattach: ok\n");
    return 0;
}
