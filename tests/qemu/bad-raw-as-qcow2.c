/*
 * bad-raw-as-qcow2.c: a raw image declared qcow2. QEMU refuses it; the
 * error carries QEMU's own reason, and nothing is left behind.
 */
#include <stdio.h>

#include "qemutestutils.h"

#define NAME "rawqcow"


int
main(void)
{
    g_autofree char *image = NULL;
    g_autofree char *xml = NULL;
    cairnConnectPtr conn;
    cairnDomainPtr dom;
    int state = -1;

    qemuTestSetup(NAME);
    image = qemuTestMakeImage("disk.raw", "raw", "16M");
    xml = qemuTestDomainXML(qemuTestVirtType(), NAME, image, "qcow2");
    conn = qemuTestConnect();
    QT_CHECK((dom = cairnDomainDefineXML(conn, xml)) != NULL);
    QT_CHECK(cairnDomainCreate(dom) < 0);
    qemuTestExpectError(CAIRN_ERR_INTERNAL_ERROR, "not in qcow2 format");
    qemuTestExpectNothingLeft(NAME);
    QT_CHECK(cairnDomainGetState(dom, &state, NULL, 0) == 0 && state == CAIRN_DOMAIN_SHUTOFF);
    cairnDomainFree(dom);
    cairnConnectClose(conn);
    printf("bad-raw-as-qcow2: ok\n");
    return 0;
}
