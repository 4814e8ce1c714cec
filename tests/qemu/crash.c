/*
 * crash.c: QEMU killed with SIGKILL behind the driver's back. A new
 * connection reports the domain shut off (crashed) and removes its live
 * state, socket and pidfile; the first connection agrees, and the domain
 * starts again (its image is not left locked). QEMU runs with glibc's
 * malloc told not to trim its heap after every NBD request.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

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

    /* Ours unless the caller's environment names its own. */
    g_unsetenv("GLIBC_TUNABLES");
    qemuTestSetup(NAME);
    image = qemuTestMakeImage("disk.qcow2", "qcow2", "64M");
    xml = qemuTestDomainXML(qemuTestVirtType(), NAME, image, "qcow2");
    conn = qemuTestConnect();
    QT_CHECK((dom = cairnDomainDefineXML(conn, xml)) != NULL);
    QT_CHECK(cairnDomainCreate(dom) == 0);
    QT_CHECK((pid = qemuTestDomainPid(NAME)) > 0);
    {
        g_autofree char *path = g_strdup_printf("/proc/%d/environ", (int)pid);
        g_autofree char *env = NULL;
        gsize len = 0;
        bool found = false;

        QT_CHECK(g_file_get_contents(path, &env, &len, NULL));
        for (gsize off = 0; off < len; off += strlen(env + off) + 1)
            found |= g_str_has_prefix(env + off, "GLIBC_TUNABLES=glibc.malloc.mmap_threshold=");
        QT_CHECK(found);
    }

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
