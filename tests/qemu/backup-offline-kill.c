/*
 * backup-offline-kill.c: the qemu-storage-daemon running a push backup of
 * a shut-off domain is killed with SIGKILL mid-way (a rate limit keeps the
 * job running). The next look at the job (here: the connection's event
 * watcher, then job stats) finds the daemon gone: the backup ended FAILED
 * with "qemu-storage-daemon of the backup exited", the listening
 * connection got BLOCK_JOB_2 (failed) and JOB_COMPLETED (success false),
 * the partial target Cairn created is deleted, no run file or daemon is
 * left, and the domain starts (its image was open read-write when the
 * daemon died: the checkpoint bitmap made before is left in use, i.e.
 * inconsistent, exactly as after a running QEMU is killed).
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "backuptestutils.h"

#define NAME "bkoffkill"
#define MiB (1024ULL * 1024)

typedef struct {
    int completed;
    bool success;
    int failed_disks;
} killEvents;


static void
onJobCompleted(cairnConnectPtr conn,
               cairnDomainPtr dom,
               cairnTypedParameterPtr params,
               int nparams,
               void *opaque)
{
    killEvents *ev = opaque;

    for (int i = 0; i < nparams; i++) {
        if (g_str_equal(params[i].field, "success"))
            ev->success = params[i].value.b;
    }
    ev->completed++;
}


static void
onBlockJob(
    cairnConnectPtr conn, cairnDomainPtr dom, const char *disk, int type, int status, void *opaque)
{
    killEvents *ev = opaque;

    if (g_str_equal(disk, "vda") && type == CAIRN_DOMAIN_BLOCK_JOB_TYPE_BACKUP &&
        status == CAIRN_DOMAIN_BLOCK_JOB_FAILED)
        ev->failed_disks++;
}


int
main(void)
{
    const char *root = bkTestSetup(NAME);
    cairnConnectPtr conn = qemuTestConnect();
    g_autofree char *img = qemuTestMakeImage("a.qcow2", "qcow2", "64M");
    g_autofree char *target = g_build_filename(root, "killed.qcow2", NULL);
    const char *images[] = { img, NULL };
    const char *formats[] = { "qcow2", NULL };
    g_autofree char *xml = chkTestDomainXML(NAME, images, formats);
    g_autofree char *bkxml = g_strdup_printf(
        "<domainbackup><disks><disk name='vda' type='file'><target file='%s'/></disk>"
        "</disks></domainbackup>",
        target);
    const char *files[] = { target, NULL };
    gint64 deadline = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;
    killEvents ev = { .success = true };
    g_autofree char *errmsg = NULL;
    bool success = true;
    cairnDomainCheckpointPtr c0;
    cairnDomainPtr dom;
    int type = -1;
    pid_t pid;
    int id1;
    int id2;

    bkTestQemuIo(img, "write -P 0x5a 0 8M");
    QT_CHECK((dom = cairnDomainDefineXML(conn, xml)));
    c0 = chkTestCreate(dom, "<domaincheckpoint><name>c0</name></domaincheckpoint>", 0);
    QT_CHECK(cairnEventRegisterDefaultImpl() == 0);
    id1 =
        cairnConnectDomainEventRegisterAny(conn, dom, CAIRN_DOMAIN_EVENT_ID_JOB_COMPLETED,
                                           CAIRN_DOMAIN_EVENT_CALLBACK(onJobCompleted), &ev, NULL);
    id2 = cairnConnectDomainEventRegisterAny(conn, dom, CAIRN_DOMAIN_EVENT_ID_BLOCK_JOB_2,
                                             CAIRN_DOMAIN_EVENT_CALLBACK(onBlockJob), &ev, NULL);
    QT_CHECK(id1 > 0 && id2 > 0);

    bkTestSetSpeed(1 * MiB);
    bkTestBegin(dom, bkxml, NULL, 0);
    bkTestSetSpeed(0);
    QT_CHECK(bkTestStat(dom, "disk_total", &type) > 0 && type == CAIRN_DOMAIN_JOB_UNBOUNDED);
    QT_CHECK(g_file_test(target, G_FILE_TEST_EXISTS));
    QT_CHECK((pid = bkTestDaemonPid(NAME)) > 0);
    QT_CHECK(kill(pid, SIGKILL) == 0);
    while (bkTestDaemonPid(NAME) > 0)
        QT_CHECK(g_get_monotonic_time() < deadline);

    /* The watcher of this connection notices and tells. */
    while (ev.completed == 0 && g_get_monotonic_time() < deadline)
        QT_CHECK(cairnEventRunDefaultImpl() == 0);
    QT_CHECK(ev.completed == 1 && !ev.success && ev.failed_disks == 1);
    QT_CHECK(cairnConnectDomainEventDeregisterAny(conn, id1) == 0);
    QT_CHECK(cairnConnectDomainEventDeregisterAny(conn, id2) == 0);

    bkTestStat(dom, "disk_total", &type);
    QT_CHECK(type == CAIRN_DOMAIN_JOB_NONE);
    QT_CHECK(bkTestCompleted(dom, &success, &errmsg) == CAIRN_DOMAIN_JOB_FAILED);
    QT_CHECK(!success && errmsg && strstr(errmsg, "qemu-storage-daemon of the backup exited"));
    bkTestExpectOfflineClean(NAME, files);

    QT_CHECK(cairnDomainCreate(dom) == 0);
    {
        g_autoptr(GPtrArray) live = chkTestLiveBitmaps(dom, img);
        chkTestBitmap *bm = chkTestBitmapFind(live, "c0");

        QT_CHECK(bm && bm->inconsistent);
    }
    QT_CHECK(cairnDomainDestroy(dom) == 0);
    cairnDomainCheckpointFree(c0);
    cairnDomainFree(dom);
    cairnConnectClose(conn);
    printf("ok\n");
    return 0;
}
