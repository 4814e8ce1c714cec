/*
 * backup-datastore.c: a raw disk behind a qcow2 metadata layer
 * (<source file='meta.qcow2'><dataStore type='file'><format type='raw'/>
 * <source file='disk.raw'/></dataStore></source>, qcow2 data-file with
 * data_file_raw=on), on a running domain:
 *
 * - QEMU opens the qcow2 with its data file as an explicit node; guest
 *   writes land in the raw file itself (qemu-img compare of the raw file
 *   with the qcow2 view)
 * - a full push with checkpoint c1 equals the raw file at backup start
 * - an incremental push (c1 -> c2) holds exactly the clusters written
 *   after c1 and, rebased onto the full backup, equals the raw file at its
 *   start
 * - an incremental pull (c2) exports the raw file's content and exactly
 *   the clusters written after c2 as dirty
 * - shut off, a checkpoint is created through the storage daemon
 * - the checkpoints' bitmaps live in the qcow2 (qemu-img info after the
 *   domain is stopped); the raw file stays raw (its size unchanged)
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "backuptestutils.h"

#define NAME "bkdata"
#define MiB (1024ULL * 1024)

static char *meta;
static char *raw;


static cairnDomainPtr
startDomain(cairnConnectPtr conn)
{
    g_autofree char *xml = g_strdup_printf(
        "<domain type='%s'><name>%s</name><memory unit='MiB'>128</memory>"
        "<os><type arch='x86_64'>hvm</type></os><devices>"
        "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
        "<source file='%s'><dataStore type='file'><format type='raw'/>"
        "<source file='%s'/></dataStore></source><target dev='vda' bus='virtio'/></disk>"
        "</devices></domain>",
        qemuTestVirtType(), NAME, meta, raw);
    cairnDomainPtr dom = cairnDomainDefineXML(conn, xml);
    g_autofree char *desc = NULL;
    g_autoptr(JsonNode) nodes = NULL;
    JsonObject *data;

    QT_CHECK(dom && cairnDomainCreate(dom) == 0);
    QT_CHECK((desc = cairnDomainGetXMLDesc(dom, 0)) && strstr(desc, "<dataStore type='file'>"));
    /* The data file is a node of Cairn's, not one QEMU opened itself. */
    nodes = bkTestNodes(dom);
    data = bkTestFindNode(nodes, "cairn-1-data");
    QT_CHECK(data &&
             !g_strcmp0(json_object_get_string_member_with_default(data, "file", NULL), raw));
    return dom;
}


/* The raw disk with data at 1M, and its metadata layer made as
 * disk-add-metadata makes it: over a scratch data file with 1:1 mapped
 * clusters, then pointed at the raw file (qemu-img create -o data_file=
 * would truncate it). */
static void
makeImages(void)
{
    g_autofree char *dir = NULL;
    g_autofree char *scratch = NULL;
    g_autofree char *opts = NULL;
    g_autofree char *amend = NULL;

    raw = qemuTestMakeImage("disk.raw", "raw", "64M");
    dir = g_path_get_dirname(raw);
    meta = g_build_filename(dir, "meta.qcow2", NULL);
    scratch = g_build_filename(dir, "scratch.raw", NULL);
    opts = g_strdup_printf("data_file=%s,data_file_raw=on,preallocation=metadata", scratch);
    amend = g_strdup_printf("data_file=%s", raw);
    {
        const char *io[] = { "qemu-io", "-f", "raw", "-c", "write -P 0x5a 1M 1M", raw, NULL };
        const char *create[] = { "qemu-img", "create", "-q", "-f",  "qcow2",
                                 "-o",       opts,     meta, "64M", NULL };
        const char *point[] = { "qemu-img", "amend", "-q", "-f", "qcow2", "-o", amend, meta, NULL };

        QT_CHECK(qemuTestRun(io) && qemuTestRun(create) && qemuTestRun(point));
    }
    g_unlink(scratch);
}


/* Pause, copy the raw file, begin, resume. */
static void
beginPaused(cairnDomainPtr dom, const char *xml, const char *chkxml, const char *copy)
{
    json_node_unref(bkTestQMP(dom, "{\"execute\":\"stop\"}"));
    bkTestCopy(raw, copy);
    bkTestBegin(dom, xml, chkxml, 0);
    json_node_unref(bkTestQMP(dom, "{\"execute\":\"cont\"}"));
}


static void
testPush(cairnDomainPtr dom, const char *root)
{
    g_autofree char *copy1 = g_build_filename(root, "copy-full.qcow2", NULL);
    g_autofree char *copy2 = g_build_filename(root, "copy-inc.qcow2", NULL);
    g_autofree char *full = g_build_filename(root, "full.qcow2", NULL);
    g_autofree char *inc = g_build_filename(root, "inc.qcow2", NULL);
    g_autofree char *fullxml =
        g_strdup_printf("<domainbackup><disks><disk name='vda' type='file'><target file='%s'/>"
                        "<driver type='qcow2'/></disk></disks></domainbackup>",
                        full);
    g_autofree char *incxml = g_strdup_printf(
        "<domainbackup><incremental>c1</incremental><disks><disk name='vda' type='file'>"
        "<target file='%s'/><driver type='qcow2'/></disk></disks></domainbackup>",
        inc);
    g_autofree char *map = NULL;
    const char *rebase[] = { "qemu-img", "rebase", "-u", "-F", "qcow2", "-b", full, inc, NULL };
    g_autoptr(GPtrArray) bitmaps = NULL;

    bkTestWrite(dom, "virtio-disk0", 0x11, 0, 512 * 1024);
    /* The guest's writes are in the raw file. */
    QT_CHECK(bkTestCompare(meta, raw));
    beginPaused(dom, fullxml, "<domaincheckpoint><name>c1</name></domaincheckpoint>", copy1);
    bkTestWrite(dom, "virtio-disk0", 0x12, 0, 64 * 1024);
    QT_CHECK(bkTestWaitDone(dom, 60) == CAIRN_DOMAIN_JOB_COMPLETED);
    QT_CHECK(bkTestCompare(full, copy1));
    /* The raw file's data from before the metadata layer is in it. */
    {
        const char *io[] = { "qemu-io", "-f", "qcow2", "-c", "read -P 0x5a 1M 1M", full, NULL };
        g_autofree char *out = bkTestOutput(io);

        QT_CHECK(!strstr(out, "Pattern verification failed"));
    }
    bitmaps = chkTestLiveBitmaps(dom, meta);
    QT_CHECK(chkTestBitmapFind(bitmaps, "c1"));

    bkTestWrite(dom, "virtio-disk0", 0x44, 4 * MiB, 128 * 1024);
    bkTestWrite(dom, "virtio-disk0", 0x45, 20 * MiB, 64 * 1024);
    beginPaused(dom, incxml, "<domaincheckpoint><name>c2</name></domaincheckpoint>", copy2);
    bkTestWrite(dom, "virtio-disk0", 0x66, 40 * MiB, 64 * 1024);
    QT_CHECK(bkTestWaitDone(dom, 60) == CAIRN_DOMAIN_JOB_COMPLETED);
    /* c1 recorded from the full backup's start on: the write made during
     * it (0+64k) and the two after it. */
    map = bkTestMapOwn(inc);
    CHK_EXPECT_STR(map, "0+65536,4194304+131072,20971520+65536");
    QT_CHECK(qemuTestRun(rebase));
    QT_CHECK(bkTestCompare(inc, copy2));
    bkTestExpectClean(dom, 1, NULL);
}


static void
testPull(cairnDomainPtr dom, const char *root)
{
    g_autofree char *sock = g_build_filename(root, "nbd.sock", NULL);
    g_autofree char *xml = g_strdup_printf("<domainbackup mode='pull'><incremental>c2</incremental>"
                                           "<server transport='unix' socket='%s'/></domainbackup>",
                                           sock);
    g_autofree char *uri = g_strdup_printf("nbd+unix:///vda?socket=%s", sock);
    g_autofree char *copy = g_build_filename(root, "copy-pull.qcow2", NULL);
    g_autofree char *out = g_build_filename(root, "out.raw", NULL);
    g_autofree char *dirty = NULL;
    const char *nbdcopy[] = { "nbdcopy", uri, out, NULL };

    bkTestWrite(dom, "virtio-disk0", 0x77, 8 * MiB, 64 * 1024);
    beginPaused(dom, xml, NULL, copy);
    bkTestWrite(dom, "virtio-disk0", 0x78, 8 * MiB, 64 * 1024);
    QT_CHECK(qemuTestRun(nbdcopy));
    QT_CHECK(bkTestCompare(out, copy));
    dirty = bkTestDirtyMap(uri, "qemu:dirty-bitmap:backup-vda");
    /* c2 began with the incremental push: its write at 40M, then 8M. */
    CHK_EXPECT_STR(dirty, "8388608+65536,41943040+65536");
    QT_CHECK(cairnDomainAbortJob(dom) == 0);
    bkTestExpectClean(dom, 1, NULL);
}


int
main(void)
{
    const char *root = bkTestSetup(NAME);
    cairnConnectPtr conn = qemuTestConnect();
    cairnDomainPtr dom;
    g_autoptr(GPtrArray) bitmaps = NULL;
    struct stat st;

    makeImages();
    dom = startDomain(conn);
    testPush(dom, root);
    testPull(dom, root);
    QT_CHECK(cairnDomainDestroy(dom) == 0);
    /* Shut off: a checkpoint through the storage daemon, which opens the
     * data file as the domain's QEMU does. */
    cairnDomainCheckpointFree(
        chkTestCreate(dom, "<domaincheckpoint><name>c3</name></domaincheckpoint>", 0));
    /* The bitmaps are in the qcow2, the data in the raw file. */
    bitmaps = chkTestImageBitmaps(meta);
    QT_CHECK(chkTestBitmapFind(bitmaps, "c1") && chkTestBitmapFind(bitmaps, "c2") &&
             chkTestBitmapFind(bitmaps, "c3"));
    QT_CHECK(bkTestCompare(meta, raw));
    QT_CHECK(g_stat(raw, &st) == 0 && st.st_size == (goffset)(64 * MiB));
    cairnDomainFree(dom);
    cairnConnectClose(conn);
    printf("ok\n");
    return 0;
}
