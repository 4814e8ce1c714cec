/*
 * bad-unreadable-files.c: files under the root that are not domains, or
 * not readable ones, do not break listing: a malformed ROOT/domains/X.xml
 * and a backup job file ROOT/run/NAME.backup-job (that is not a domain
 * "NAME.backup") are skipped by cairnConnectListAllDomains, every time,
 * and a lookup of the malformed one fails cleanly. The driver used to keep
 * an object it could not load (no definition, no live state) in its list,
 * which the listing then dereferenced (found by
 * tests/daemon/backupparalleltest.c).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "qemutestutils.h"

#define NAME "unread"


int
main(void)
{
    const char *root = qemuTestSetup(NAME);
    g_autofree char *image = qemuTestMakeImage("disk.qcow2", "qcow2", "16M");
    g_autofree char *xml = qemuTestDomainXML(qemuTestVirtType(), NAME, image, "qcow2");
    g_autofree char *broken = g_build_filename(root, "domains", "broken.xml", NULL);
    g_autofree char *rundir = g_build_filename(root, "run", NULL);
    g_autofree char *job = g_build_filename(rundir, NAME ".backup-job", NULL);
    cairnConnectPtr conn = qemuTestConnect();
    cairnDomainPtr *doms = NULL;
    cairnDomainPtr dom;

    QT_CHECK((dom = cairnDomainDefineXML(conn, xml)) != NULL);
    QT_CHECK(g_file_set_contents(broken, "<domain><name>broken", -1, NULL));
    QT_CHECK(g_mkdir_with_parents(rundir, 0700) == 0);
    QT_CHECK(g_file_set_contents(job, "<domainbackup/>", -1, NULL));
    for (int i = 0; i < 3; i++) {
        QT_CHECK(cairnConnectListAllDomains(conn, &doms, 0) == 1);
        QT_CHECK(g_str_equal(cairnDomainGetName(doms[0]), NAME));
        cairnDomainFree(doms[0]);
        g_clear_pointer(&doms, g_free);
    }
    QT_CHECK(cairnDomainLookupByName(conn, "broken") == NULL);
    QT_CHECK(cairnGetLastErrorCode() != CAIRN_ERR_OK);
    QT_CHECK(cairnConnectListAllDomains(conn, NULL, 0) == 1);
    QT_CHECK(unlink(job) == 0 && unlink(broken) == 0);
    QT_CHECK(cairnDomainUndefine(dom) == 0);
    cairnDomainFree(dom);
    cairnConnectClose(conn);
    printf("ok\n");
    return 0;
}
