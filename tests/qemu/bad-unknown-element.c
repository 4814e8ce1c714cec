/*
 * bad-unknown-element.c: a domain XML with an element outside what Cairn
 * understands is refused at define, naming the element; nothing is
 * written under the root.
 */
#include <stdio.h>

#include "qemutestutils.h"

#define NAME "unknown"


int
main(void)
{
    g_autofree char *domains = NULL;
    cairnConnectPtr conn;
    const char *root;
    const char *xml = "<domain type='qemu'><name>unknown</name>"
                      "<memory unit='MiB'>64</memory><os><type>hvm</type></os>"
                      "<devices><blinkenlights/></devices></domain>";

    root = qemuTestSetup(NAME);
    conn = qemuTestConnect();
    QT_CHECK(cairnDomainDefineXML(conn, xml) == NULL);
    qemuTestExpectError(CAIRN_ERR_CONFIG_UNSUPPORTED, "blinkenlights");
    domains = g_build_filename(root, "domains", NAME ".xml", NULL);
    QT_CHECK(!g_file_test(domains, G_FILE_TEST_EXISTS));
    QT_CHECK(cairnConnectListAllDomains(conn, NULL, 0) == 0);
    QT_CHECK(cairnDomainLookupByName(conn, NAME) == NULL);
    qemuTestExpectNothingLeft(NAME);

    /* A domain type this driver does not run is refused as well. */
    QT_CHECK(cairnDomainDefineXML(conn, "<domain type='test'><name>t</name>"
                                        "<memory>65536</memory><os><type>hvm</type></os>"
                                        "</domain>") == NULL);
    qemuTestExpectError(CAIRN_ERR_CONFIG_UNSUPPORTED, "domain type 'test'");
    QT_CHECK(cairnConnectListAllDomains(conn, NULL, 0) == 0);
    cairnConnectClose(conn);
    printf("bad-unknown-element: ok\n");
    return 0;
}
