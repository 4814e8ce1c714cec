/*
 * bad-reserved-name.c: the QEMU driver keeps a domain's backup job in
 * ROOT/run/NAME.backup.xml, so a domain named "NAME.backup" would share
 * that file (its live state) with NAME's backup job. Defining such a name
 * fails with XML_ERROR and writes nothing; other names with dots work.
 */
#include <stdio.h>
#include <string.h>

#include "qemutestutils.h"

#define NAME "resv"


int
main(void)
{
    const char *root = qemuTestSetup(NAME);
    g_autofree char *image = qemuTestMakeImage("disk.qcow2", "qcow2", "16M");
    g_autofree char *bad = qemuTestDomainXML(qemuTestVirtType(), NAME ".backup", image, "qcow2");
    g_autofree char *good = qemuTestDomainXML(qemuTestVirtType(), NAME ".backup2", image, "qcow2");
    g_autofree char *path = g_build_filename(root, "domains", NAME ".backup.xml", NULL);
    cairnConnectPtr conn = qemuTestConnect();
    cairnDomainPtr dom;

    QT_CHECK(cairnDomainDefineXML(conn, bad) == NULL);
    qemuTestExpectError(CAIRN_ERR_XML_ERROR, "reserved for backup jobs");
    QT_CHECK(!g_file_test(path, G_FILE_TEST_EXISTS));
    QT_CHECK(cairnConnectListAllDomains(conn, NULL, 0) == 0);
    QT_CHECK((dom = cairnDomainDefineXML(conn, good)) != NULL);
    QT_CHECK(cairnConnectListAllDomains(conn, NULL, 0) == 1);
    QT_CHECK(cairnDomainUndefine(dom) == 0);
    cairnDomainFree(dom);
    cairnConnectClose(conn);
    printf("ok\n");
    return 0;
}
