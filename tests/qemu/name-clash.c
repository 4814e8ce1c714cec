/*
 * name-clash.c: a domain's files under ROOT/run never clash with another
 * domain's, whatever the names: "clash" and "clash.backup" run side by
 * side, and a backup of "clash" (whose job is a file under ROOT/run too)
 * neither reads nor overwrites nor removes the live state of
 * "clash.backup" (ROOT/run/clash.backup.xml).
 */
#include <stdio.h>
#include <string.h>

#include "qemutestutils.h"

#define NAME "clash"


int
main(void)
{
    const char *root = qemuTestSetup(NAME);
    g_autofree char *image = qemuTestMakeImage("disk.qcow2", "qcow2", "16M");
    g_autofree char *image2 = qemuTestMakeImage("disk2.qcow2", "qcow2", "16M");
    g_autofree char *xml = qemuTestDomainXML(qemuTestVirtType(), NAME, image, "qcow2");
    g_autofree char *xml2 = qemuTestDomainXML(qemuTestVirtType(), NAME ".backup", image2, "qcow2");
    g_autofree char *target = g_build_filename(root, "target.qcow2", NULL);
    g_autofree char *backup = g_strdup_printf(
        "<domainbackup><disks><disk name='vda' type='file'><target file='%s'/></disk></disks>"
        "</domainbackup>",
        target);
    cairnConnectPtr conn = qemuTestConnect();
    cairnDomainJobInfo info;
    cairnDomainPtr dom;
    cairnDomainPtr dom2;
    int state = -1;

    QT_CHECK((dom = cairnDomainDefineXML(conn, xml)) != NULL);
    QT_CHECK((dom2 = cairnDomainDefineXML(conn, xml2)) != NULL);
    QT_CHECK(cairnDomainCreate(dom2) == 0);
    QT_CHECK(cairnDomainCreate(dom) == 0);
    QT_CHECK(cairnConnectListAllDomains(conn, NULL, CAIRN_CONNECT_LIST_DOMAINS_ACTIVE) == 2);
    QT_CHECK(cairnDomainGetJobInfo(dom, &info) == 0 && info.type == CAIRN_DOMAIN_JOB_NONE);

    /* A backup of "clash", then its end. */
    QT_CHECK(cairnDomainBackupBegin(dom, backup, NULL, 0) == 0);
    QT_CHECK(cairnDomainGetJobInfo(dom2, &info) == 0 && info.type == CAIRN_DOMAIN_JOB_NONE);
    QT_CHECK(cairnDomainGetState(dom2, &state, NULL, 0) == 0 && state == CAIRN_DOMAIN_RUNNING);
    (void)cairnDomainAbortJob(dom);
    QT_CHECK(cairnDomainGetJobInfo(dom, &info) == 0 && info.type == CAIRN_DOMAIN_JOB_NONE);

    /* "clash.backup" kept its live state throughout. */
    QT_CHECK(qemuTestCountRunFiles(NAME ".backup.xml") == 1);
    QT_CHECK(cairnDomainGetState(dom2, &state, NULL, 0) == 0 && state == CAIRN_DOMAIN_RUNNING);
    QT_CHECK(cairnConnectListAllDomains(conn, NULL, CAIRN_CONNECT_LIST_DOMAINS_ACTIVE) == 2);
    QT_CHECK(cairnDomainDestroy(dom) == 0);
    QT_CHECK(cairnDomainDestroy(dom2) == 0);
    QT_CHECK(cairnDomainUndefine(dom2) == 0);
    QT_CHECK(cairnDomainUndefine(dom) == 0);
    cairnDomainFree(dom2);
    cairnDomainFree(dom);
    cairnConnectClose(conn);
    printf("ok\n");
    return 0;
}
