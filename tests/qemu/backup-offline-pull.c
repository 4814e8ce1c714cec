/*
 * backup-offline-pull.c: pull backups of a shut-off domain (beyond
 * libvirt), exported over NBD by the qemu-storage-daemon that runs the
 * job, read with libnbd's tools only:
 *
 * - an incremental pull on a unix socket since a checkpoint made while
 *   shut off: `nbdinfo --map=qemu:dirty-bitmap:backup-vda` shows exactly
 *   what qemu-io wrote since; the export read with nbdcopy equals the
 *   image; the job reports UNBOUNDED until cairnDomainAbortJob (from
 *   another connection) ends it as COMPLETED; then no daemon, socket,
 *   scratch file or run file is left
 * - a full pull on TCP with an explicit port and a scratch file named by
 *   the caller (nothing writes the disks offline, so it stays empty; it is
 *   accepted and removed as for a running domain)
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "backuptestutils.h"

#define NAME "bkoffpull"


static void
nbdcopyTo(const char *uri, const char *out)
{
    const char *argv[] = { "nbdcopy", uri, out, NULL };

    if (!qemuTestRun(argv))
        qemuTestFail(__FILE__, __LINE__, "nbdcopy %s failed", uri);
}


/* A TCP port that nothing listens on right now. */
static int
freePort(void)
{
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof(addr);
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    QT_CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0 &&
             getsockname(fd, (struct sockaddr *)&addr, &len) == 0);
    close(fd);
    return ntohs(addr.sin_port);
}


static void
testIncrementalUnix(cairnDomainPtr dom, const char *root, const char *img)
{
    g_autofree char *sock = g_build_filename(root, "nbd.sock", NULL);
    g_autofree char *xml = g_strdup_printf("<domainbackup mode='pull'><incremental>c1</incremental>"
                                           "<server transport='unix' socket='%s'/></domainbackup>",
                                           sock);
    g_autofree char *uri = g_strdup_printf("nbd+unix:///vda?socket=%s", sock);
    g_autofree char *out = g_build_filename(root, "pulled.raw", NULL);
    g_autofree char *scratch = g_strdup_printf("%s.c2", img);
    g_autofree char *dirty = NULL;
    g_autofree char *desc = NULL;
    const char *files[] = { scratch, sock, NULL };
    cairnConnectPtr other;
    cairnDomainPtr odom;
    cairnDomainCheckpointPtr c1;
    bool success = false;
    int type = -1;

    c1 = chkTestCreate(dom, "<domaincheckpoint><name>c1</name></domaincheckpoint>", 0);
    bkTestQemuIo(img, "write -P 0x22 8M 128K");
    bkTestQemuIo(img, "write -P 0x23 30M 64K");
    bkTestBegin(dom, xml, "<domaincheckpoint><name>c2</name></domaincheckpoint>", 0);
    QT_CHECK(bkTestDaemonPid(NAME) > 0);
    QT_CHECK(cairnDomainIsActive(dom) == 0);
    QT_CHECK((desc = cairnDomainBackupGetXMLDesc(dom, 0)));
    QT_CHECK(strstr(desc, "exportbitmap='backup-vda'") && strstr(desc, scratch));

    dirty = bkTestDirtyMap(uri, "qemu:dirty-bitmap:backup-vda");
    CHK_EXPECT_STR(dirty, "8388608+131072,31457280+65536");
    nbdcopyTo(uri, out);
    QT_CHECK(bkTestCompare(out, img));
    bkTestStat(dom, "disk_temp_total", &type);
    QT_CHECK(type == CAIRN_DOMAIN_JOB_UNBOUNDED);

    other = qemuTestConnect();
    QT_CHECK((odom = cairnDomainLookupByName(other, NAME)));
    QT_CHECK(cairnDomainAbortJob(odom) == 0);
    cairnDomainFree(odom);
    cairnConnectClose(other);
    QT_CHECK(bkTestCompleted(dom, &success, NULL) == CAIRN_DOMAIN_JOB_COMPLETED && success);
    bkTestExpectOfflineClean(NAME, files);
    QT_CHECK(cairnDomainAbortJob(dom) < 0);
    qemuTestExpectError(CAIRN_ERR_OPERATION_INVALID, "domain is not running");
    cairnDomainCheckpointFree(c1);
}


static void
testFullTCP(cairnDomainPtr dom, const char *root, const char *img)
{
    g_autofree char *scratch = g_build_filename(root, "scratch.qcow2", NULL);
    int port = freePort();
    g_autofree char *xml =
        g_strdup_printf("<domainbackup mode='pull'><server name='localhost' port='%d'/><disks>"
                        "<disk name='vda' exportname='disk0'><scratch file='%s'/></disk>"
                        "</disks></domainbackup>",
                        port, scratch);
    g_autofree char *uri = g_strdup_printf("nbd://localhost:%d/disk0", port);
    g_autofree char *out = g_build_filename(root, "pulled-tcp.raw", NULL);
    const char *files[] = { scratch, NULL };

    bkTestBegin(dom, xml, NULL, 0);
    QT_CHECK(g_file_test(scratch, G_FILE_TEST_EXISTS));
    nbdcopyTo(uri, out);
    QT_CHECK(bkTestCompare(out, img));
    QT_CHECK(bkTestStat(dom, "disk_temp_used", NULL) == 0);
    QT_CHECK(cairnDomainAbortJob(dom) == 0);
    QT_CHECK(bkTestCompleted(dom, NULL, NULL) == CAIRN_DOMAIN_JOB_COMPLETED);
    bkTestExpectOfflineClean(NAME, files);
}


int
main(void)
{
    const char *root = bkTestSetup(NAME);
    cairnConnectPtr conn = qemuTestConnect();
    g_autofree char *img = qemuTestMakeImage("a.qcow2", "qcow2", "64M");
    const char *images[] = { img, NULL };
    const char *formats[] = { "qcow2", NULL };
    g_autofree char *xml = chkTestDomainXML(NAME, images, formats);
    cairnDomainPtr dom;

    bkTestQemuIo(img, "write -P 0x11 0 1M");
    QT_CHECK((dom = cairnDomainDefineXML(conn, xml)));
    testIncrementalUnix(dom, root, img);
    testFullTCP(dom, root, img);
    QT_CHECK(cairnDomainCreate(dom) == 0);
    QT_CHECK(cairnDomainDestroy(dom) == 0);
    cairnDomainFree(dom);
    cairnConnectClose(conn);
    printf("ok\n");
    return 0;
}
