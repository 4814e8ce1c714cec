/*
 * suspend.c: cairnDomainSuspend/cairnDomainResume on a real QEMU (TCG
 * without KVM), checked against QEMU's own query-status:
 *
 * - on a shut-off domain both fail with "domain is not running"
 * - suspend stops the vCPUs (QMP status "paused", running false); the
 *   domain reports paused (user) to this connection and to a fresh one
 *   (the live state file); suspending again succeeds and changes nothing
 * - a checkpoint and a full push backup work on the paused domain, which
 *   stays paused; the backup equals the (unchanging) disk
 * - resume continues it (status "running"), reason unpaused; resuming
 *   again succeeds and changes nothing
 * - suspend and resume while a backup job runs; the job completes
 * - a domain paused behind Cairn's back (QMP stop) is resumed for real,
 *   one continued behind its back (QMP cont) is suspended for real: both
 *   ask QEMU, not the recorded state (which a crash between the QMP
 *   command and the record would leave stale)
 * - a paused domain can be destroyed; nothing is left
 */
#include <stdio.h>
#include <string.h>

#include "backuptestutils.h"

#define NAME "suspend"
#define MiB (1024ULL * 1024)


/* QEMU's own view: query-status's "status", and "running". */
static void
expectQemuStatus(cairnDomainPtr dom, const char *status, bool running)
{
    g_autoptr(JsonNode) ret = bkTestQMP(dom, "{\"execute\":\"query-status\"}");
    JsonObject *obj;

    QT_CHECK(ret && JSON_NODE_HOLDS_OBJECT(ret));
    obj = json_node_get_object(ret);
    CHK_EXPECT_STR(json_object_get_string_member(obj, "status"), status);
    QT_CHECK(json_object_get_boolean_member(obj, "running") == running);
}


static void
expectState(cairnDomainPtr dom, int want_state, int want_reason)
{
    int state = -1;
    int reason = -1;

    QT_CHECK(cairnDomainGetState(dom, &state, &reason, 0) == 0);
    CHK_EXPECT_INT(state, want_state);
    CHK_EXPECT_INT(reason, want_reason);
}


/* What another connection (another process, as far as the files go)
 * sees. */
static void
expectStateFresh(int want_state, int want_reason)
{
    cairnConnectPtr conn = qemuTestConnect();
    cairnDomainPtr dom = cairnDomainLookupByName(conn, NAME);
    cairnDomainInfo info;

    QT_CHECK(dom != NULL);
    expectState(dom, want_state, want_reason);
    QT_CHECK(cairnDomainGetInfo(dom, &info) == 0 && info.state == want_state);
    cairnDomainFree(dom);
    cairnConnectClose(conn);
}


static void
expectNotRunning(cairnDomainPtr dom)
{
    QT_CHECK(cairnDomainSuspend(dom) < 0);
    qemuTestExpectError(CAIRN_ERR_OPERATION_INVALID, "domain is not running");
    QT_CHECK(cairnDomainResume(dom) < 0);
    qemuTestExpectError(CAIRN_ERR_OPERATION_INVALID, "domain is not running");
}


/* A checkpoint and a full push backup of the paused domain. */
static void
backupWhilePaused(cairnDomainPtr dom, const char *image)
{
    g_autofree char *full = g_strdup_printf("%s.c1", image);
    const char *files[] = { full, NULL };
    cairnDomainCheckpointPtr chk;
    bool success = false;

    bkTestWrite(dom, "virtio-disk0", 0x5a, 1 * MiB, 256 * 1024);
    chk = chkTestCreate(dom, "<domaincheckpoint><name>c0</name></domaincheckpoint>", 0);
    cairnDomainCheckpointFree(chk);
    bkTestBegin(dom, "<domainbackup/>", "<domaincheckpoint><name>c1</name></domaincheckpoint>", 0);
    QT_CHECK(bkTestWaitDone(dom, 120) == CAIRN_DOMAIN_JOB_COMPLETED);
    bkTestCompleted(dom, &success, NULL);
    QT_CHECK(success);
    /* Paused throughout: the disk did not change since the backup began. */
    QT_CHECK(bkTestCompare(full, image));
    bkTestExpectClean(dom, 1, NULL);
    QT_CHECK(g_file_test(files[0], G_FILE_TEST_EXISTS));
}


/* Suspend and resume while a (slow) incremental backup runs: allowed, as
 * in libvirt (the backup job's mask includes suspend); the job goes on
 * and completes. */
static void
suspendDuringBackup(cairnDomainPtr dom)
{
    cairnDomainJobInfo info;
    bool success = false;

    /* Extents apart, so that the rate limit holds the job after the first
     * one (QEMU copies one contiguous extent in one go). */
    for (guint i = 0; i < 4; i++)
        bkTestWrite(dom, "virtio-disk0", 0x6b, (4 + 2 * i) * MiB, 64 * 1024);
    bkTestSetSpeed(1024);
    bkTestBegin(dom, "<domainbackup><incremental>c1</incremental></domainbackup>",
                "<domaincheckpoint><name>c2</name></domaincheckpoint>", 0);
    QT_CHECK(cairnDomainSuspend(dom) == 0);
    expectQemuStatus(dom, "paused", false);
    expectState(dom, CAIRN_DOMAIN_PAUSED, CAIRN_DOMAIN_PAUSED_USER);
    /* The job goes on while the vCPUs stand still. */
    QT_CHECK(cairnDomainGetJobInfo(dom, &info) == 0);
    CHK_EXPECT_INT(info.type, CAIRN_DOMAIN_JOB_UNBOUNDED);
    QT_CHECK(bkTestCountJobs(dom) == 1);
    QT_CHECK(cairnDomainResume(dom) == 0);
    expectQemuStatus(dom, "running", true);
    bkTestJobSpeed(dom, "backup-vda-cairn-1-format", 0);
    QT_CHECK(bkTestWaitDone(dom, 120) == CAIRN_DOMAIN_JOB_COMPLETED);
    bkTestCompleted(dom, &success, NULL);
    QT_CHECK(success);
    bkTestSetSpeed(0);
    bkTestExpectClean(dom, 1, NULL);
    expectState(dom, CAIRN_DOMAIN_RUNNING, CAIRN_DOMAIN_RUNNING_UNPAUSED);
}


int
main(void)
{
    const char *root = bkTestSetup(NAME);
    g_autofree char *image = qemuTestMakeImage(NAME ".qcow2", "qcow2", "32M");
    const char *images[] = { image, NULL };
    const char *formats[] = { "qcow2", NULL };
    g_autofree char *xml = chkTestDomainXML(NAME, images, formats);
    cairnConnectPtr conn = qemuTestConnect();
    cairnDomainPtr dom;

    (void)root;
    QT_CHECK((dom = cairnDomainDefineXML(conn, xml)) != NULL);
    expectNotRunning(dom);
    QT_CHECK(cairnDomainCreate(dom) == 0);
    expectQemuStatus(dom, "running", true);

    QT_CHECK(cairnDomainSuspend(dom) == 0);
    expectQemuStatus(dom, "paused", false);
    expectState(dom, CAIRN_DOMAIN_PAUSED, CAIRN_DOMAIN_PAUSED_USER);
    expectStateFresh(CAIRN_DOMAIN_PAUSED, CAIRN_DOMAIN_PAUSED_USER);
    QT_CHECK(cairnDomainIsActive(dom) == 1);
    QT_CHECK(cairnDomainSuspend(dom) == 0);
    expectQemuStatus(dom, "paused", false);
    expectState(dom, CAIRN_DOMAIN_PAUSED, CAIRN_DOMAIN_PAUSED_USER);

    backupWhilePaused(dom, image);
    expectQemuStatus(dom, "paused", false);
    expectState(dom, CAIRN_DOMAIN_PAUSED, CAIRN_DOMAIN_PAUSED_USER);

    QT_CHECK(cairnDomainResume(dom) == 0);
    expectQemuStatus(dom, "running", true);
    expectState(dom, CAIRN_DOMAIN_RUNNING, CAIRN_DOMAIN_RUNNING_UNPAUSED);
    expectStateFresh(CAIRN_DOMAIN_RUNNING, CAIRN_DOMAIN_RUNNING_UNPAUSED);
    QT_CHECK(cairnDomainResume(dom) == 0);
    expectQemuStatus(dom, "running", true);

    suspendDuringBackup(dom);

    /* Paused behind Cairn's back: the record still says running. */
    json_node_unref(bkTestQMP(dom, "{\"execute\":\"stop\"}"));
    QT_CHECK(cairnDomainResume(dom) == 0);
    expectQemuStatus(dom, "running", true);
    expectState(dom, CAIRN_DOMAIN_RUNNING, CAIRN_DOMAIN_RUNNING_UNPAUSED);

    /* Continued behind Cairn's back (as after a crash between QMP cont and
     * the record): the record says paused, suspend must still stop it. */
    QT_CHECK(cairnDomainSuspend(dom) == 0);
    json_node_unref(bkTestQMP(dom, "{\"execute\":\"cont\"}"));
    QT_CHECK(cairnDomainSuspend(dom) == 0);
    expectQemuStatus(dom, "paused", false);
    expectState(dom, CAIRN_DOMAIN_PAUSED, CAIRN_DOMAIN_PAUSED_USER);

    QT_CHECK(cairnDomainDestroy(dom) == 0);
    expectState(dom, CAIRN_DOMAIN_SHUTOFF, CAIRN_DOMAIN_SHUTOFF_DESTROYED);
    expectNotRunning(dom);
    qemuTestExpectNothingLeft(NAME);

    cairnDomainFree(dom);
    cairnConnectClose(conn);
    printf("suspend: ok\n");
    return 0;
}
