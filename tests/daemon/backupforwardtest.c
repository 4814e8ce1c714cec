/*
 * backupforwardtest.c: a pull backup of a remote domain read through the
 * ssh connection, with no TCP port: cairnConnectForwardUnixSocket() makes
 * a local socket of the remote NBD socket, and libnbd's nbdinfo and
 * nbdcopy read the export through it; the copy equals the disk as it was
 * at the start of the backup. Closing the connection removes the forward.
 *
 * Run by qemurunner over ssh (CAIRN_TEST_SSH=1): the URI is qemu+ssh://.
 * Without ssh (qemurunner alone, or embedded), the call must fail with
 * CAIRN_ERR_NO_SUPPORT and the test ends there. Skips (77) without QEMU.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "backuptestutils.h"

#define NAME "bkfwd"
#define MiB (1024ULL * 1024)


int
main(void)
{
    const char *root = bkTestSetup(NAME);
    cairnConnectPtr conn = qemuTestConnect();
    g_autofree char *img = qemuTestMakeImage("a.qcow2", "qcow2", "32M");
    const char *images[] = { img, NULL };
    const char *formats[] = { "qcow2", NULL };
    g_autofree char *xml = chkTestDomainXML(NAME, images, formats);
    g_autofree char *sock = g_build_filename(root, "nbd.sock", NULL);
    g_autofree char *fwd_dir = g_dir_make_tmp("cairn-fwd-XXXXXX", NULL);
    g_autofree char *fwd = g_build_filename(fwd_dir, "nbd.sock", NULL);
    g_autofree char *bkxml = g_strdup_printf(
        "<domainbackup mode='pull'><server transport='unix' socket='%s'/></domainbackup>", sock);
    g_autofree char *uri = g_strdup_printf("nbd+unix:///vda?socket=%s", fwd);
    g_autofree char *copy = g_build_filename(root, "copy.qcow2", NULL);
    g_autofree char *out = g_build_filename(root, "out.raw", NULL);
    g_autofree char *info = NULL;
    const char *nbdinfo[] = { "nbdinfo", "--size", uri, NULL };
    const char *nbdcopy[] = { "nbdcopy", uri, out, NULL };
    bool over_ssh = g_str_has_prefix(qemuTestURI(), "qemu+ssh://");
    cairnDomainPtr dom;

    QT_CHECK(fwd_dir);
    QT_CHECK((dom = cairnDomainDefineXML(conn, xml)) && cairnDomainCreate(dom) == 0);
    bkTestWrite(dom, "virtio-disk0", 0x31, 0, 1 * MiB);
    json_node_unref(bkTestQMP(dom, "{\"execute\":\"stop\"}"));
    bkTestCopy(img, copy);
    bkTestBegin(dom, bkxml, NULL, 0);
    json_node_unref(bkTestQMP(dom, "{\"execute\":\"cont\"}"));
    bkTestWrite(dom, "virtio-disk0", 0x77, 0, 2 * MiB);

    if (!over_ssh) {
        QT_CHECK(cairnConnectForwardUnixSocket(conn, sock, fwd, 0) < 0);
        qemuTestExpectError(CAIRN_ERR_NO_SUPPORT, "is not an ssh connection");
    } else {
        QT_CHECK(cairnConnectForwardUnixSocket(conn, sock, fwd, 0) == 0);
        QT_CHECK(cairnConnectForwardUnixSocket(conn, sock, fwd, 1) < 0);
        qemuTestExpectError(CAIRN_ERR_INVALID_ARG, "flags");
        QT_CHECK(cairnConnectForwardUnixSocket(conn, "nbd.sock", fwd, 0) < 0);
        qemuTestExpectError(CAIRN_ERR_INVALID_ARG, "absolute");
        QT_CHECK((info = bkTestOutput(nbdinfo)));
        QT_CHECK(g_ascii_strtoull(info, NULL, 10) == 32 * MiB);
        QT_CHECK(qemuTestRun(nbdcopy));
        QT_CHECK(bkTestCompare(out, copy));
    }
    QT_CHECK(cairnDomainAbortJob(dom) == 0);
    QT_CHECK(bkTestCompleted(dom, NULL, NULL) == CAIRN_DOMAIN_JOB_COMPLETED);
    QT_CHECK(cairnDomainDestroy(dom) == 0);
    cairnDomainFree(dom);
    cairnConnectClose(conn);
    QT_CHECK(access(fwd, F_OK) < 0);
    rmdir(fwd_dir);
    printf("ok\n");
    return 0;
}
