/*
 * backup-pull.c: pull backups of a running 2-disk domain, read with
 * libnbd's tools and qemu-img:
 *
 * - an incremental pull on a unix socket: the export of each disk (named
 *   after its target, read-only) serves the disk as it was at the start
 *   while the guest keeps writing (nbdcopy, and qemu-img convert, equal a
 *   copy taken while paused); `nbdinfo --map=qemu:dirty-bitmap:backup-vda`
 *   lists exactly the extents written since the checkpoint; the scratch
 *   use shows in disk_temp_used; the checkpoint made with it is current
 * - cairnDomainAbortJob ends it: COMPLETED, success, and nothing left
 *   (exports, server, scratch files, nodes, bitmaps, jobs)
 * - a full pull on TCP with an explicit port; a custom exportname and
 *   exportbitmap
 */
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "backuptestutils.h"

#define NAME "bkpull"
#define MiB (1024ULL * 1024)

static char *imgA;
static char *imgB;


static cairnDomainPtr
startDomain(cairnConnectPtr conn)
{
    const char *images[] = { imgA, imgB, NULL };
    const char *formats[] = { "qcow2", "qcow2", NULL };
    g_autofree char *xml = chkTestDomainXML(NAME, images, formats);
    cairnDomainPtr dom = cairnDomainDefineXML(conn, xml);

    QT_CHECK(dom && cairnDomainCreate(dom) == 0);
    return dom;
}


static void
nbdcopyTo(const char *uri, const char *out)
{
    const char *argv[] = { "nbdcopy", uri, out, NULL };

    if (!qemuTestRun(argv))
        qemuTestFail(__FILE__, __LINE__, "nbdcopy %s failed", uri);
}


static void
testIncrementalUnix(cairnDomainPtr dom, const char *root)
{
    g_autofree char *sock = g_build_filename(root, "nbd.sock", NULL);
    g_autofree char *xml = g_strdup_printf("<domainbackup mode='pull'><incremental>c1</incremental>"
                                           "<server transport='unix' socket='%s'/></domainbackup>",
                                           sock);
    g_autofree char *uriA = g_strdup_printf("nbd+unix:///vda?socket=%s", sock);
    g_autofree char *uriB = g_strdup_printf("nbd+unix:///vdb?socket=%s", sock);
    g_autofree char *copyA = g_build_filename(root, "copyA.qcow2", NULL);
    g_autofree char *copyB = g_build_filename(root, "copyB.qcow2", NULL);
    g_autofree char *outA = g_build_filename(root, "outA.raw", NULL);
    g_autofree char *outB = g_build_filename(root, "outB.raw", NULL);
    g_autofree char *conv = g_build_filename(root, "convA.qcow2", NULL);
    g_autofree char *scratchA = g_strdup_printf("%s.c2", imgA);
    g_autofree char *scratchB = g_strdup_printf("%s.c2", imgB);
    g_autofree char *dirtyA = NULL;
    g_autofree char *dirtyB = NULL;
    g_autofree char *desc = NULL;
    g_autofree char *errmsg = NULL;
    const char *files[] = { scratchA, scratchB, sock, NULL };
    const char *convert[] = { "qemu-img", "convert", "-f", "raw", "-O", "qcow2", uriA, conv, NULL };
    cairnDomainCheckpointPtr c1;
    bool success = false;

    bkTestWrite(dom, "virtio-disk0", 0x11, 0, 1 * MiB);
    bkTestWrite(dom, "virtio-disk1", 0x12, 0, 1 * MiB);
    c1 = chkTestCreate(dom, "<domaincheckpoint><name>c1</name></domaincheckpoint>", 0);
    bkTestWrite(dom, "virtio-disk0", 0x22, 8 * MiB, 128 * 1024);
    bkTestWrite(dom, "virtio-disk0", 0x23, 30 * MiB, 64 * 1024);
    bkTestWrite(dom, "virtio-disk1", 0x24, 60 * MiB, 64 * 1024);

    json_node_unref(bkTestQMP(dom, "{\"execute\":\"stop\"}"));
    bkTestCopy(imgA, copyA);
    bkTestCopy(imgB, copyB);
    bkTestBegin(dom, xml, "<domaincheckpoint><name>c2</name></domaincheckpoint>", 0);
    json_node_unref(bkTestQMP(dom, "{\"execute\":\"cont\"}"));

    /* The guest keeps writing: old data goes to the scratch files. */
    bkTestWrite(dom, "virtio-disk0", 0x99, 0, 1 * MiB);
    bkTestWrite(dom, "virtio-disk0", 0x98, 8 * MiB, 64 * 1024);
    bkTestWrite(dom, "virtio-disk1", 0x97, 0, 256 * 1024);
    QT_CHECK(bkTestStat(dom, "disk_temp_used", NULL) >= (1 * MiB + 64 * 1024 + 256 * 1024));
    QT_CHECK((desc = cairnDomainBackupGetXMLDesc(dom, 0)));
    QT_CHECK(strstr(desc, "exportname='vda'") && strstr(desc, "exportbitmap='backup-vda'"));
    QT_CHECK(strstr(desc, scratchA));
    {
        g_autofree char *current = chkTestMetadataCurrent(NAME);

        CHK_EXPECT_STR(current, "c2");
    }

    nbdcopyTo(uriA, outA);
    nbdcopyTo(uriB, outB);
    QT_CHECK(bkTestCompare(outA, copyA));
    QT_CHECK(bkTestCompare(outB, copyB));
    QT_CHECK(qemuTestRun(convert));
    QT_CHECK(bkTestCompare(conv, copyA));
    dirtyA = bkTestDirtyMap(uriA, "qemu:dirty-bitmap:backup-vda");
    dirtyB = bkTestDirtyMap(uriB, "qemu:dirty-bitmap:backup-vdb");
    CHK_EXPECT_STR(dirtyA, "8388608+131072,31457280+65536");
    CHK_EXPECT_STR(dirtyB, "62914560+65536");

    QT_CHECK(cairnDomainAbortJob(dom) == 0);
    QT_CHECK(bkTestCompleted(dom, &success, &errmsg) == CAIRN_DOMAIN_JOB_COMPLETED);
    QT_CHECK(success);
    fprintf(stderr, "aborted pull: errmsg '%s'\n", errmsg ? errmsg : "");
    bkTestExpectClean(dom, 2, files);
    QT_CHECK(cairnDomainAbortJob(dom) < 0);
    qemuTestExpectError(CAIRN_ERR_OPERATION_INVALID, "no job is active on the domain");
    /* libvirt 9.0 checks POSTCOPY before it looks for a job. */
    QT_CHECK(cairnDomainAbortJobFlags(dom, CAIRN_DOMAIN_ABORT_JOB_POSTCOPY) < 0);
    qemuTestExpectError(CAIRN_ERR_OPERATION_INVALID,
                        "current job is not outgoing migration in post-copy mode");
    cairnDomainCheckpointFree(c1);
}


/* Full, TCP, vda only, with its own export and no bitmap. */
static void
testFullTCP(cairnDomainPtr dom, const char *root)
{
    g_autofree char *scratch = g_build_filename(root, "scratch.qcow2", NULL);
    g_autofree char *xml =
        g_strdup_printf("<domainbackup mode='pull'><server name='localhost' port='10871'/><disks>"
                        "<disk name='vda' exportname='disk0'><scratch file='%s'/></disk>"
                        "<disk name='vdb' backup='no'/></disks></domainbackup>",
                        scratch);
    g_autofree char *copy = g_build_filename(root, "copy-tcp.qcow2", NULL);
    g_autofree char *out = g_build_filename(root, "out-tcp.raw", NULL);
    const char *files[] = { scratch, NULL };

    json_node_unref(bkTestQMP(dom, "{\"execute\":\"stop\"}"));
    bkTestCopy(imgA, copy);
    bkTestBegin(dom, xml, NULL, 0);
    json_node_unref(bkTestQMP(dom, "{\"execute\":\"cont\"}"));
    bkTestWrite(dom, "virtio-disk0", 0x55, 0, 2 * MiB);
    nbdcopyTo("nbd://localhost:10871/disk0", out);
    QT_CHECK(bkTestCompare(out, copy));
    QT_CHECK(cairnDomainAbortJob(dom) == 0);
    QT_CHECK(bkTestCompleted(dom, NULL, NULL) == CAIRN_DOMAIN_JOB_COMPLETED);
    bkTestExpectClean(dom, 2, files);
}


int
main(void)
{
    const char *root = bkTestSetup(NAME);
    cairnConnectPtr conn = qemuTestConnect();
    cairnDomainPtr dom;

    imgA = qemuTestMakeImage("a.qcow2", "qcow2", "64M");
    imgB = qemuTestMakeImage("b.qcow2", "qcow2", "64M");
    dom = startDomain(conn);
    testIncrementalUnix(dom, root);
    testFullTCP(dom, root);
    QT_CHECK(cairnDomainDestroy(dom) == 0);
    cairnDomainFree(dom);
    cairnConnectClose(conn);
    printf("ok\n");
    return 0;
}
