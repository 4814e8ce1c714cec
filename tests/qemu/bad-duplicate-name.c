/*
 * bad-duplicate-name.c: defining a second domain with a name already in
 * use (another UUID) fails with libvirt's error; the first definition is
 * untouched. Redefining with the same name and UUID is an update.
 */
#include <stdio.h>
#include <string.h>

#include "qemutestutils.h"

#define NAME "dup"


int
main(void)
{
    g_autofree char *image = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *xml2 = NULL;
    g_autofree char *path = NULL;
    g_autofree char *before = NULL;
    g_autofree char *after = NULL;
    char uuid[CAIRN_UUID_STRING_BUFLEN];
    cairnConnectPtr conn;
    cairnDomainPtr dom;
    const char *root;

    root = qemuTestSetup(NAME);
    image = qemuTestMakeImage("disk.qcow2", "qcow2", "16M");
    xml = qemuTestDomainXML(qemuTestVirtType(), NAME, image, "qcow2");
    conn = qemuTestConnect();
    QT_CHECK((dom = cairnDomainDefineXML(conn, xml)) != NULL);
    QT_CHECK(cairnDomainGetUUIDString(dom, uuid) == 0);
    path = g_build_filename(root, "domains", NAME ".xml", NULL);
    QT_CHECK(g_file_get_contents(path, &before, NULL, NULL));

    /* Another domain (new UUID) under the same name. */
    QT_CHECK(cairnDomainDefineXML(conn, xml) == NULL);
    qemuTestExpectError(CAIRN_ERR_OPERATION_FAILED, "domain 'dup' is already defined with uuid");
    QT_CHECK(strstr(cairnGetLastErrorMessage(), uuid) != NULL);
    QT_CHECK(g_file_get_contents(path, &after, NULL, NULL) && strcmp(before, after) == 0);
    QT_CHECK(cairnConnectListAllDomains(conn, NULL, 0) == 1);
    qemuTestExpectNothingLeft(NAME);

    /* The same UUID: an update of the definition. */
    xml2 = g_strdup_printf("<domain type='%s'><name>%s</name><uuid>%s</uuid>"
                           "<memory unit='MiB'>64</memory><os><type>hvm</type></os></domain>",
                           qemuTestVirtType(), NAME, uuid);
    cairnDomainFree(dom);
    QT_CHECK((dom = cairnDomainDefineXML(conn, xml2)) != NULL);
    QT_CHECK(cairnConnectListAllDomains(conn, NULL, 0) == 1);
    cairnDomainFree(dom);
    cairnConnectClose(conn);
    printf("bad-duplicate-name: ok\n");
    return 0;
}
