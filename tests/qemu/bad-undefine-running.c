/*
 * bad-undefine-running.c: undefining a running domain does what libvirt
 * does: the definition goes, the domain keeps running as a transient one
 * (also for a new connection), a second undefine is refused, and the
 * domain disappears when it stops.
 */
#include <stdio.h>

#include "qemutestutils.h"

#define NAME "transient"


int
main(void)
{
    g_autofree char *image = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *path = NULL;
    cairnConnectPtr conn;
    cairnConnectPtr conn2;
    cairnDomainPtr dom;
    cairnDomainPtr dom2;
    const char *root;

    root = qemuTestSetup(NAME);
    image = qemuTestMakeImage("disk.qcow2", "qcow2", "16M");
    xml = qemuTestDomainXML(qemuTestVirtType(), NAME, image, "qcow2");
    conn = qemuTestConnect();
    QT_CHECK((dom = cairnDomainDefineXML(conn, xml)) != NULL);
    QT_CHECK(cairnDomainCreate(dom) == 0);

    QT_CHECK(cairnDomainUndefine(dom) == 0);
    path = g_build_filename(root, "domains", NAME ".xml", NULL);
    QT_CHECK(!g_file_test(path, G_FILE_TEST_EXISTS));
    QT_CHECK(cairnDomainIsActive(dom) == 1 && cairnDomainIsPersistent(dom) == 0);
    QT_CHECK(qemuTestQemuRunning(NAME));
    QT_CHECK(cairnConnectListAllDomains(conn, NULL, CAIRN_CONNECT_LIST_DOMAINS_TRANSIENT) == 1);

    QT_CHECK(cairnDomainUndefine(dom) < 0);
    qemuTestExpectError(CAIRN_ERR_OPERATION_INVALID, "cannot undefine transient domain");

    conn2 = qemuTestConnect();
    QT_CHECK((dom2 = cairnDomainLookupByName(conn2, NAME)) != NULL);
    QT_CHECK(cairnDomainIsActive(dom2) == 1 && cairnDomainIsPersistent(dom2) == 0);

    QT_CHECK(cairnDomainDestroy(dom) == 0);
    QT_CHECK(cairnDomainLookupByName(conn, NAME) == NULL);
    qemuTestExpectError(CAIRN_ERR_NO_DOMAIN, "no domain with matching name 'transient'");
    QT_CHECK(cairnDomainIsActive(dom2) < 0);
    qemuTestExpectError(CAIRN_ERR_NO_DOMAIN, "transient");
    QT_CHECK(cairnConnectListAllDomains(conn2, NULL, 0) == 0);
    qemuTestExpectNothingLeft(NAME);
    cairnDomainFree(dom);
    cairnDomainFree(dom2);
    cairnConnectClose(conn);
    cairnConnectClose(conn2);
    printf("bad-undefine-running: ok\n");
    return 0;
}
