/*
 * bad-missing-image.c: starting a domain whose disk image does not exist
 * fails with libvirt's "Cannot access storage file" error, and nothing is
 * left: no QEMU, no live state, no socket, no pidfile. The domain stays
 * defined and shut off.
 */
#include <stdio.h>

#include "qemutestutils.h"

#define NAME "missing"


int
main(void)
{
    g_autofree char *image = NULL;
    g_autofree char *xml = NULL;
    cairnConnectPtr conn;
    cairnDomainPtr dom;
    int state = -1;

    qemuTestSetup(NAME);
    image = g_strdup("/nonexistent-cairn-dir/disk.qcow2");
    xml = qemuTestDomainXML(qemuTestVirtType(), NAME, image, "qcow2");
    conn = qemuTestConnect();
    QT_CHECK((dom = cairnDomainDefineXML(conn, xml)) != NULL);
    QT_CHECK(cairnDomainCreate(dom) < 0);
    qemuTestExpectError(CAIRN_ERR_SYSTEM_ERROR,
                        "Cannot access storage file '/nonexistent-cairn-dir/disk.qcow2'");
    qemuTestExpectNothingLeft(NAME);
    QT_CHECK(cairnDomainGetState(dom, &state, NULL, 0) == 0 && state == CAIRN_DOMAIN_SHUTOFF);
    QT_CHECK(cairnDomainIsPersistent(dom) == 1);
    cairnDomainFree(dom);
    cairnConnectClose(conn);
    printf("bad-missing-image: ok\n");
    return 0;
}
