/*
 * backup-push.c: push backups of a running 2-disk domain, content checked
 * with qemu-img:
 *
 * - a full push with a checkpoint equals the disks at backup start (a
 *   copy taken while the VM was paused); writes made after the start are
 *   not in it; generated names <source>.<checkpoint>; the checkpoint is
 *   current and its bitmaps exist
 * - an incremental push holds exactly the clusters written after the
 *   checkpoint (qemu-img map, depth 0), not the writes made while it ran
 *   (a slow job, see ROOT/etc/backup.conf); rebased onto the full backup
 *   it equals the disk at its start
 * - while running: job type UNBOUNDED, disk_total/processed, the XML
 *   with generated names and indexes; afterwards COMPLETED with success
 * - a raw target, and a pre-made one with REUSE_EXTERNAL
 * - nothing left in QEMU (nodes, jobs, temporary bitmaps)
 */
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "backuptestutils.h"

#define NAME "bkpush"
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


/* Pause, copy both disks, begin, resume: the copies are the disks at the
 * backup's start. */
static void
beginPaused(cairnDomainPtr dom,
            const char *xml,
            const char *chkxml,
            const char *copyA,
            const char *copyB,
            unsigned int flags)
{
    json_node_unref(bkTestQMP(dom, "{\"execute\":\"stop\"}"));
    bkTestCopy(imgA, copyA);
    bkTestCopy(imgB, copyB);
    bkTestBegin(dom, xml, chkxml, flags);
    json_node_unref(bkTestQMP(dom, "{\"execute\":\"cont\"}"));
}


static void
testFull(cairnDomainPtr dom, const char *root)
{
    g_autofree char *copyA = g_build_filename(root, "copyA-full.qcow2", NULL);
    g_autofree char *copyB = g_build_filename(root, "copyB-full.qcow2", NULL);
    g_autofree char *fullA = g_strdup_printf("%s.c1", imgA);
    g_autofree char *fullB = g_strdup_printf("%s.c1", imgB);
    g_autofree char *xml = NULL;
    g_autoptr(GPtrArray) bitmaps = NULL;
    bool success = false;

    bkTestWrite(dom, "virtio-disk0", 0x11, 0, 1 * MiB);
    bkTestWrite(dom, "virtio-disk0", 0x12, 8 * MiB, 1 * MiB);
    bkTestWrite(dom, "virtio-disk1", 0x21, 2 * MiB, 512 * 1024);
    bkTestSetSpeed(4 * MiB);
    beginPaused(dom, "<domainbackup/>", "<domaincheckpoint><name>c1</name></domaincheckpoint>",
                copyA, copyB, 0);
    /* Mid-job: the job runs, its XML shows the generated names. */
    QT_CHECK((xml = cairnDomainBackupGetXMLDesc(dom, 0)));
    QT_CHECK(strstr(xml, fullA) && strstr(xml, fullB) && strstr(xml, "index="));
    QT_CHECK(bkTestStat(dom, "disk_total", NULL) == 2 * 64 * MiB);
    /* Written after the start: must not be in the backup. */
    bkTestWrite(dom, "virtio-disk0", 0x13, 0, 64 * 1024);
    bkTestWrite(dom, "virtio-disk1", 0x23, 2 * MiB, 64 * 1024);
    bkTestJobSpeed(dom, "backup-vda-cairn-1-format", 0);
    bkTestJobSpeed(dom, "backup-vdb-cairn-2-format", 0);
    QT_CHECK(bkTestWaitDone(dom, 60) == CAIRN_DOMAIN_JOB_COMPLETED);
    bkTestCompleted(dom, &success, NULL);
    QT_CHECK(success);
    QT_CHECK(bkTestCompare(fullA, copyA));
    QT_CHECK(bkTestCompare(fullB, copyB));
    QT_CHECK(!bkTestCompare(fullA, imgA));
    bitmaps = chkTestLiveBitmaps(dom, imgA);
    QT_CHECK(chkTestBitmapFind(bitmaps, "c1"));
    {
        g_autofree char *current = chkTestMetadataCurrent(NAME);

        CHK_EXPECT_STR(current, "c1");
    }
    bkTestExpectClean(dom, 2, NULL);
}


static void
testIncremental(cairnDomainPtr dom, const char *root)
{
    g_autofree char *copyA = g_build_filename(root, "copyA-inc.qcow2", NULL);
    g_autofree char *copyB = g_build_filename(root, "copyB-inc.qcow2", NULL);
    g_autofree char *fullA = g_strdup_printf("%s.c1", imgA);
    g_autofree char *incA = g_strdup_printf("%s.c2", imgA);
    g_autofree char *incB = g_strdup_printf("%s.c2", imgB);
    g_autofree char *mapA = NULL;
    g_autofree char *mapB = NULL;
    const char *rebase[] = { "qemu-img", "rebase", "-u", "-F", "qcow2", "-b", fullA, incA, NULL };
    int type = -1;

    bkTestWrite(dom, "virtio-disk0", 0x44, 4 * MiB, 128 * 1024);
    bkTestWrite(dom, "virtio-disk0", 0x45, 20 * MiB, 64 * 1024);
    bkTestWrite(dom, "virtio-disk1", 0x55, 30 * MiB, 64 * 1024);
    bkTestSetSpeed(1024);
    beginPaused(dom, "<domainbackup><incremental>c1</incremental></domainbackup>",
                "<domaincheckpoint><name>c2</name></domaincheckpoint>", copyA, copyB, 0);
    /* c1 has recorded since the full backup began: its own writes too. */
    QT_CHECK(bkTestStat(dom, "disk_total", &type) == (256 + 128) * 1024);
    QT_CHECK(type == CAIRN_DOMAIN_JOB_UNBOUNDED);
    /* During the job: an overwrite of a changed cluster and a new one. */
    bkTestWrite(dom, "virtio-disk0", 0x77, 4 * MiB, 64 * 1024);
    bkTestWrite(dom, "virtio-disk0", 0x66, 40 * MiB, 64 * 1024);
    bkTestJobSpeed(dom, "backup-vda-cairn-1-format", 0);
    bkTestJobSpeed(dom, "backup-vdb-cairn-2-format", 0);
    QT_CHECK(bkTestWaitDone(dom, 60) == CAIRN_DOMAIN_JOB_COMPLETED);
    mapA = bkTestMapOwn(incA);
    mapB = bkTestMapOwn(incB);
    CHK_EXPECT_STR(mapA, "0+65536,4194304+131072,20971520+65536");
    CHK_EXPECT_STR(mapB, "2097152+65536,31457280+65536");
    QT_CHECK(qemuTestRun(rebase));
    QT_CHECK(bkTestCompare(incA, copyA));
    bkTestExpectClean(dom, 2, NULL);
    bkTestSetSpeed(0);
}


/* A raw target and a pre-made qcow2 one (REUSE_EXTERNAL), vda only. */
static void
testRawAndReuse(cairnDomainPtr dom, const char *root)
{
    g_autofree char *raw = g_build_filename(root, "vda.raw", NULL);
    g_autofree char *pre = g_build_filename(root, "vda-pre.qcow2", NULL);
    g_autofree char *copy = g_build_filename(root, "copy-raw.qcow2", NULL);
    g_autofree char *copyB = g_build_filename(root, "copyB-raw.qcow2", NULL);
    g_autofree char *xml = g_strdup_printf(
        "<domainbackup><disks><disk name='vda' type='file'><target file='%s'/>"
        "<driver type='raw'/></disk><disk name='vdb' backup='no'/></disks></domainbackup>",
        raw);
    g_autofree char *xml2 = g_strdup_printf(
        "<domainbackup><disks><disk name='vda' type='file'><target file='%s'/>"
        "<driver type='qcow2'/></disk><disk name='vdb' backup='no'/></disks></domainbackup>",
        pre);
    const char *mk[] = { "qemu-img", "create", "-q", "-f", "qcow2", pre, "64M", NULL };

    beginPaused(dom, xml, NULL, copy, copyB, 0);
    QT_CHECK(bkTestWaitDone(dom, 60) == CAIRN_DOMAIN_JOB_COMPLETED);
    QT_CHECK(bkTestCompare(raw, copy));
    QT_CHECK(qemuTestRun(mk));
    g_unlink(copy);
    g_unlink(copyB);
    beginPaused(dom, xml2, NULL, copy, copyB, CAIRN_DOMAIN_BACKUP_BEGIN_REUSE_EXTERNAL);
    QT_CHECK(bkTestWaitDone(dom, 60) == CAIRN_DOMAIN_JOB_COMPLETED);
    QT_CHECK(bkTestCompare(pre, copy));
    bkTestExpectClean(dom, 2, NULL);
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
    testFull(dom, root);
    testIncremental(dom, root);
    testRawAndReuse(dom, root);
    QT_CHECK(cairnDomainDestroy(dom) == 0);
    cairnDomainFree(dom);
    cairnConnectClose(conn);
    printf("ok\n");
    return 0;
}
