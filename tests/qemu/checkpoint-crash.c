/*
 * checkpoint-crash.c: validation and repair after QEMU was killed.
 *
 * c1 is created shut off (stored in the images), c2 while running (only
 * in QEMU's memory); QEMU is killed with SIGKILL after writes. qemu-img
 * then shows c1 "in-use" and no c2. After a clean run that adds c3, and a
 * bitmap "stray" added with qemu-img, validation (shut off, then running)
 * reports exactly: c1 inconsistent on both disks, c2 missing on both, c3
 * ok, stray a healthy bitmap without checkpoint. Repair removes c1's
 * bitmaps and the checkpoints c1 and c2 (c3 becomes a root), keeps stray;
 * afterwards images and metadata agree, validation is clean, and c1 is
 * gone for good (an incremental backup from it is refused). The CLI's
 * checkpoint-validate exits 1 while the report shows a broken checkpoint,
 * 0 once none is left.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "checkpointtestutils.h"

#define NAME "chkcrash"

static char *imgA;
static char *imgB;

static const char reportBefore[] =
    "<checkpointvalidation domain='" NAME "' state='%s' repair='no'>\n"
    "  <checkpoint name='c1' status='broken'>\n"
    "    <disk name='vda' status='inconsistent'/>\n"
    "    <disk name='vdb' status='inconsistent'/>\n"
    "  </checkpoint>\n"
    "  <checkpoint name='c2' status='broken'>\n"
    "    <disk name='vda' status='missing'/>\n"
    "    <disk name='vdb' status='missing'/>\n"
    "  </checkpoint>\n"
    "  <checkpoint name='c3' status='ok'>\n"
    "    <disk name='vda' status='ok'/>\n"
    "    <disk name='vdb' status='ok'/>\n"
    "  </checkpoint>\n"
    "  <bitmap disk='vdb' name='stray' status='ok'/>\n"
    "</checkpointvalidation>\n";

static const char reportRepair[] =
    "<checkpointvalidation domain='" NAME "' state='running' repair='yes'>\n"
    "  <checkpoint name='c1' status='broken' action='removed'>\n"
    "    <disk name='vda' status='inconsistent' action='removed'/>\n"
    "    <disk name='vdb' status='inconsistent' action='removed'/>\n"
    "  </checkpoint>\n"
    "  <checkpoint name='c2' status='broken' action='removed'>\n"
    "    <disk name='vda' status='missing'/>\n"
    "    <disk name='vdb' status='missing'/>\n"
    "  </checkpoint>\n"
    "  <checkpoint name='c3' status='ok'>\n"
    "    <disk name='vda' status='ok'/>\n"
    "    <disk name='vdb' status='ok'/>\n"
    "  </checkpoint>\n"
    "  <bitmap disk='vdb' name='stray' status='ok'/>\n"
    "</checkpointvalidation>\n";

static const char reportAfter[] =
    "<checkpointvalidation domain='" NAME "' state='shutoff' repair='no'>\n"
    "  <checkpoint name='c3' status='ok'>\n"
    "    <disk name='vda' status='ok'/>\n"
    "    <disk name='vdb' status='ok'/>\n"
    "  </checkpoint>\n"
    "  <bitmap disk='vdb' name='stray' status='ok'/>\n"
    "</checkpointvalidation>\n";


static void
expectImage(const char *image, const char *names, const char *inuse)
{
    g_autoptr(GPtrArray) bitmaps = chkTestImageBitmaps(image);
    g_autofree char *got = chkTestBitmapNames(bitmaps);
    g_autoptr(GPtrArray) bad = g_ptr_array_new();
    g_autofree char *gotbad = NULL;

    for (guint i = 0; i < bitmaps->len; i++) {
        chkTestBitmap *b = g_ptr_array_index(bitmaps, i);

        if (b->inconsistent)
            g_ptr_array_add(bad, b);
    }
    gotbad = chkTestBitmapNames(bad);
    CHK_EXPECT_STR(got, names);
    CHK_EXPECT_STR(gotbad, inuse);
}


static void
expectReport(cairnDomainPtr dom, unsigned int flags, const char *want)
{
    g_autofree char *got = cairnDomainCheckpointValidate(dom, NULL, flags);

    CHK_EXPECT_STR(got, want);
}


/* `cairn checkpoint-validate NAME ARGS` exits @want_status; its error
 * line (when it fails) contains @want_err. */
static void
expectCli(int want_status, const char *want_err, const char *arg1, const char *arg2)
{
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    int status = chkTestCli(&out, &err, "checkpoint-validate", NAME, arg1, arg2, NULL);

    CHK_EXPECT_INT(status, want_status);
    if (want_err && !strstr(err, want_err))
        qemuTestFail(__FILE__, __LINE__, "checkpoint-validate: stderr '%s' lacks '%s'", err,
                     want_err);
    if (!want_err)
        CHK_EXPECT_STR(err, "");
}


/* True once every thread of @pid has finished exiting, so its files (and
 * with them its image locks) are closed: only the thread-group leader is
 * left and it is a zombie, or it is gone. One thread left is not enough:
 * the leader is listed while it still closes its files. */
static bool
qemuExited(pid_t pid)
{
    g_autofree char *tasks = g_strdup_printf("/proc/%d/task", (int)pid);
    g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int)pid);
    g_autoptr(GDir) dir = g_dir_open(tasks, 0, NULL);
    g_autofree char *stat = NULL;
    const char *p;
    guint n = 0;

    while (dir && g_dir_read_name(dir))
        n++;
    if (!g_file_get_contents(path, &stat, NULL, NULL) || !(p = strrchr(stat, ')')))
        return true;
    return n <= 1 && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X');
}


/* c1 stored, c2 in memory only, writes, then SIGKILL. */
static void
crash(cairnDomainPtr dom)
{
    cairnDomainCheckpointPtr chk;
    int state = -1;
    int reason = -1;
    pid_t pid;

    chk = chkTestCreate(dom, "<domaincheckpoint><name>c1</name></domaincheckpoint>", 0);
    cairnDomainCheckpointFree(chk);
    QT_CHECK(cairnDomainCreate(dom) == 0);
    chk = chkTestCreate(dom, "<domaincheckpoint><name>c2</name></domaincheckpoint>", 0);
    cairnDomainCheckpointFree(chk);
    chkTestWrite(dom, "virtio-disk0", 0, 65536);
    chkTestWrite(dom, "virtio-disk1", 65536, 65536);
    QT_CHECK((pid = qemuTestDomainPid(NAME)) > 0);
    QT_CHECK(kill(pid, SIGKILL) == 0);
    for (int i = 0; i < 500 && qemuTestQemuRunning(NAME); i++)
        g_usleep(10000);
    /* Its other threads (and with them its image locks) go a little later. */
    for (int i = 0; i < 500 && !qemuExited(pid); i++)
        g_usleep(10000);
    QT_CHECK(cairnDomainGetState(dom, &state, &reason, 0) == 0);
    QT_CHECK(state == CAIRN_DOMAIN_SHUTOFF && reason == CAIRN_DOMAIN_SHUTOFF_CRASHED);
    expectImage(imgA, "c1", "c1");
    expectImage(imgB, "c1", "c1");
}


int
main(void)
{
    const char *images[3] = { NULL, NULL, NULL };
    const char *formats[] = { "qcow2", "qcow2", NULL };
    const char *addStray[] = { "qemu-img", "bitmap", "--add", NULL, "stray", NULL };
    g_autofree char *xml = NULL;
    g_autofree char *running = NULL;
    g_autofree char *shutoff = NULL;
    cairnConnectPtr conn;
    cairnDomainPtr dom;
    cairnDomainCheckpointPtr c3;
    g_autofree char *parent = NULL;

    chkTestSetup(NAME);
    images[0] = imgA = qemuTestMakeImage("a.qcow2", "qcow2", "64M");
    images[1] = imgB = qemuTestMakeImage("b.qcow2", "qcow2", "64M");
    xml = chkTestDomainXML(NAME, images, formats);
    conn = qemuTestConnect();
    QT_CHECK((dom = cairnDomainDefineXML(conn, xml)) != NULL);

    crash(dom);
    addStray[3] = imgB;
    QT_CHECK(qemuTestRun(addStray));
    QT_CHECK(cairnDomainCreate(dom) == 0);
    c3 = chkTestCreate(dom, "<domaincheckpoint><name>c3</name></domaincheckpoint>", 0);
    QT_CHECK(cairnDomainDestroy(dom) == 0);
    expectImage(imgA, "c1,c3", "c1");
    expectImage(imgB, "c1,c3,stray", "c1");

    shutoff = g_strdup_printf(reportBefore, "shutoff");
    running = g_strdup_printf(reportBefore, "running");
    expectReport(dom, 0, shutoff);
    /* The CLI fails on what it reports broken (not on the healthy stray). */
    expectCli(1,
              "error: checkpoints of domain '" NAME "' do not match the bitmaps in its images: 2 "
              "broken checkpoint(s) or bitmap(s); 'checkpoint-validate --repair' removes them",
              NULL, NULL);
    expectCli(1, "2 broken checkpoint(s) or bitmap(s)", "--xml", NULL);
    expectCli(1, "1 broken checkpoint(s) or bitmap(s)", "c2", NULL);
    expectCli(0, NULL, "c3", NULL);
    QT_CHECK(cairnDomainCreate(dom) == 0);
    expectReport(dom, 0, running);
    expectReport(dom, CAIRN_DOMAIN_CHECKPOINT_VALIDATE_REPAIR, reportRepair);

    /* Metadata and images agree; c1 and c2 are gone for good. */
    QT_CHECK(cairnDomainListAllCheckpoints(dom, NULL, 0) == 1);
    QT_CHECK(!cairnDomainCheckpointLookupByName(dom, "c1", 0));
    qemuTestExpectError(CAIRN_ERR_NO_DOMAIN_CHECKPOINT,
                        "no domain checkpoint with matching name 'c1'");
    parent = chkTestParent(c3);
    CHK_EXPECT_STR(parent, "");
    QT_CHECK(cairnDomainDestroy(dom) == 0);
    expectImage(imgA, "c3", "");
    expectImage(imgB, "c3,stray", "");
    {
        g_autofree char *meta = chkTestMetadataNames(NAME);
        g_autofree char *cur = chkTestMetadataCurrent(NAME);

        CHK_EXPECT_STR(meta, "c3");
        CHK_EXPECT_STR(cur, "c3");
    }
    expectReport(dom, 0, reportAfter);
    expectCli(0, NULL, NULL, NULL);
    expectCli(0, NULL, "--repair", "--xml");

    cairnDomainCheckpointFree(c3);
    cairnDomainFree(dom);
    cairnConnectClose(conn);
    printf("checkpoint-crash: ok\n");
    return 0;
}
