/*
 * backup-preserve-shutdown.c: the test guest powers off (by itself, once
 * booted) in the middle of a slow push backup (ROOT/etc/backup.conf
 * speed, 128 KiB/s for 6 MiB of data):
 *
 * - begun with CAIRN_DOMAIN_BACKUP_BEGIN_PRESERVE_SHUTDOWN_DOMAIN, the
 *   domain is kept, PAUSED with reason SHUTTING_DOWN, while the backup
 *   runs (resuming it is refused); the backup completes and equals the
 *   disk (qemu-img compare);
 *   then the domain is shut off with reason SHUTDOWN
 * - without the flag, the domain is shut off at once (SHUTDOWN) and the
 *   backup fails, as libvirt's does
 */
#include <stdio.h>
#include <string.h>

#include "backuptestutils.h"

#define NAME "bkpreserve"
#define MiB (1024ULL * 1024)

static char *image;


/* Start the guest, which powers off by itself once booted, and begin a
 * slow backup at once; returns the state once the domain left RUNNING
 * (reason in *@ret_reason). */
static int
startAndPowerOff(cairnDomainPtr dom, const char *backup, unsigned int flags, int *ret_reason)
{
    int state = CAIRN_DOMAIN_RUNNING;
    gint64 t0 = g_get_monotonic_time();

    bkTestSetSpeed(128 * 1024);
    QT_CHECK(cairnDomainCreate(dom) == 0);
    bkTestBegin(dom, backup, NULL, flags);
    for (int i = 0; i < 1200 && state == CAIRN_DOMAIN_RUNNING; i++) {
        g_usleep(50000);
        QT_CHECK(cairnDomainGetState(dom, &state, ret_reason, 0) == 0);
    }
    fprintf(stderr, "guest powered off %.1f s after the start\n",
            (double)(g_get_monotonic_time() - t0) / G_USEC_PER_SEC);
    return state;
}


int
main(void)
{
    const char *root = bkTestSetup(NAME);
    g_autofree char *kernel = NULL;
    g_autofree char *initrd = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *target = g_build_filename(root, "full.qcow2", NULL);
    g_autofree char *target2 = g_build_filename(root, "full2.qcow2", NULL);
    g_autofree char *bxml =
        g_strdup_printf("<domainbackup><disks><disk name='vda' type='file'><target file='%s'/>"
                        "<driver type='qcow2'/></disk></disks></domainbackup>",
                        target);
    g_autofree char *bxml2 =
        g_strdup_printf("<domainbackup><disks><disk name='vda' type='file'><target file='%s'/>"
                        "<driver type='qcow2'/></disk></disks></domainbackup>",
                        target2);
    g_autofree char *errmsg = NULL;
    cairnConnectPtr conn;
    cairnDomainPtr dom;
    bool success = false;
    int state;
    int reason = -1;

    qemuTestBuildGuest(root, &kernel, &initrd);
    image = qemuTestMakeImage("disk.qcow2", "qcow2", "64M");
    bkTestQemuIo(image, "write -P 0x5a 0 6M");
    xml = qemuTestGuestXML(NAME, kernel, initrd, "", image);
    conn = qemuTestConnect();
    QT_CHECK((dom = cairnDomainDefineXML(conn, xml)) != NULL);

    /* Preserved: paused while the backup runs, shut off after it. */
    state =
        startAndPowerOff(dom, bxml, CAIRN_DOMAIN_BACKUP_BEGIN_PRESERVE_SHUTDOWN_DOMAIN, &reason);
    QT_CHECK(state == CAIRN_DOMAIN_PAUSED && reason == CAIRN_DOMAIN_PAUSED_SHUTTING_DOWN);
    QT_CHECK(bkTestCountJobs(dom) == 1);
    QT_CHECK(cairnDomainResume(dom) < 0);
    qemuTestExpectError(CAIRN_ERR_OPERATION_INVALID, "it stops when its backup ends");
    bkTestJobSpeed(dom, "backup-vda-cairn-1-format", 0);
    QT_CHECK(bkTestWaitDone(dom, 60) == CAIRN_DOMAIN_JOB_COMPLETED);
    bkTestCompleted(dom, &success, NULL);
    QT_CHECK(success);
    QT_CHECK(cairnDomainGetState(dom, &state, &reason, 0) == 0);
    QT_CHECK(state == CAIRN_DOMAIN_SHUTOFF && reason == CAIRN_DOMAIN_SHUTOFF_SHUTDOWN);
    QT_CHECK(bkTestCompare(target, image));
    qemuTestExpectNothingLeft(NAME);

    /* Not preserved: shut off at once, the backup fails. */
    state = startAndPowerOff(dom, bxml2, 0, &reason);
    QT_CHECK(state == CAIRN_DOMAIN_SHUTOFF && reason == CAIRN_DOMAIN_SHUTOFF_SHUTDOWN);
    QT_CHECK(bkTestCompleted(dom, &success, &errmsg) == CAIRN_DOMAIN_JOB_FAILED);
    QT_CHECK(!success);
    fprintf(stderr, "unpreserved backup: '%s'\n", errmsg ? errmsg : "");
    qemuTestExpectNothingLeft(NAME);
    bkTestSetSpeed(0);
    cairnDomainFree(dom);
    cairnConnectClose(conn);
    printf("ok\n");
    return 0;
}
