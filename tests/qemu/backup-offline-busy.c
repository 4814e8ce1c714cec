/*
 * backup-offline-busy.c: what is refused while a backup of a shut-off
 * domain runs (its qemu-storage-daemon holds the disks' image locks), with
 * OPERATION_INVALID and Cairn's own message rather than QEMU's lock error,
 * and that nothing changed:
 *
 * - during a pull: start, undefine (also with CHECKPOINTS_METADATA),
 *   checkpoint create, checkpoint delete, SIZE and a second backup are
 *   refused; METADATA_ONLY delete and redefine (no disk touched) work;
 *   after cairnDomainAbortJob the domain starts
 * - during a slow push: start is refused; once the storage daemon's job
 *   has concluded (nobody looked yet), start itself finishes the backup
 *   (COMPLETED, target kept) and then starts the domain
 */
#include <stdio.h>
#include <string.h>

#include "backuptestutils.h"

#define NAME "bkoffbusy"
#define MiB (1024ULL * 1024)


static void
expectBusy(const char *action)
{
    g_autofree char *needle =
        g_strdup_printf("cannot %s: domain '%s' has an active backup job", action, NAME);

    qemuTestExpectError(CAIRN_ERR_OPERATION_INVALID, needle);
}


static void
testDuringPull(cairnDomainPtr dom, const char *root)
{
    g_autofree char *sock = g_build_filename(root, "nbd.sock", NULL);
    g_autofree char *xml = g_strdup_printf(
        "<domainbackup mode='pull'><server transport='unix' socket='%s'/></domainbackup>", sock);
    cairnDomainCheckpointPtr c1 = cairnDomainCheckpointLookupByName(dom, "c1", 0);
    g_autofree char *saved = NULL;
    g_autofree char *meta = NULL;
    cairnDomainCheckpointPtr again;

    QT_CHECK(c1);
    QT_CHECK((saved = cairnDomainCheckpointGetXMLDesc(c1, CAIRN_DOMAIN_CHECKPOINT_XML_SECURE)));
    bkTestBegin(dom, xml, NULL, 0);

    QT_CHECK(cairnDomainCreate(dom) < 0);
    expectBusy("start the domain");
    QT_CHECK(cairnDomainUndefine(dom) < 0);
    expectBusy("undefine the domain");
    QT_CHECK(cairnDomainUndefineFlags(dom, CAIRN_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA) < 0);
    expectBusy("undefine the domain");
    QT_CHECK(!cairnDomainCheckpointCreateXML(
        dom, "<domaincheckpoint><name>c2</name></domaincheckpoint>", 0));
    expectBusy("create checkpoint");
    QT_CHECK(cairnDomainCheckpointDelete(c1, 0) < 0);
    expectBusy("delete checkpoint bitmaps");
    QT_CHECK(!cairnDomainCheckpointGetXMLDesc(c1, CAIRN_DOMAIN_CHECKPOINT_XML_SIZE));
    expectBusy("compute checkpoint size");
    QT_CHECK(cairnDomainBackupBegin(dom, "<domainbackup/>", NULL, 0) < 0);
    qemuTestExpectError(CAIRN_ERR_OPERATION_INVALID, "another backup job is already running");
    QT_CHECK(cairnDomainIsActive(dom) == 0 && cairnDomainIsPersistent(dom) == 1);
    meta = chkTestMetadataNames(NAME);
    CHK_EXPECT_STR(meta, "c1");

    /* Metadata only: no disk is touched, as for a running domain. */
    QT_CHECK(cairnDomainCheckpointDelete(c1, CAIRN_DOMAIN_CHECKPOINT_DELETE_METADATA_ONLY) == 0);
    again = chkTestCreate(dom, saved, CAIRN_DOMAIN_CHECKPOINT_CREATE_REDEFINE);
    cairnDomainCheckpointFree(again);

    QT_CHECK(bkTestDaemonPid(NAME) > 0);
    QT_CHECK(cairnDomainAbortJob(dom) == 0);
    bkTestExpectOfflineClean(NAME, NULL);
    QT_CHECK(cairnDomainCreate(dom) == 0);
    QT_CHECK(cairnDomainDestroy(dom) == 0);
    cairnDomainCheckpointFree(c1);
}


/* True once the storage daemon's job has concluded (asked directly, so
 * Cairn has not finished the backup yet). */
static bool
daemonJobConcluded(void)
{
    g_autoptr(JsonNode) ret = bkTestDaemonQMP(NAME, "{\"execute\":\"query-jobs\"}");
    JsonArray *jobs = json_node_get_array(ret);

    return json_array_get_length(jobs) == 1 &&
           g_str_equal(
               json_object_get_string_member(json_array_get_object_element(jobs, 0), "status"),
               "concluded");
}


static void
testDuringPush(cairnDomainPtr dom, const char *root, const char *img)
{
    g_autofree char *target = g_build_filename(root, "slow.qcow2", NULL);
    g_autofree char *xml = g_strdup_printf(
        "<domainbackup><disks><disk name='vda' type='file'><target file='%s'/></disk>"
        "</disks></domainbackup>",
        target);
    gint64 deadline = g_get_monotonic_time() + 60 * G_USEC_PER_SEC;
    bool success = false;

    bkTestSetSpeed(4 * MiB);
    bkTestBegin(dom, xml, NULL, 0);
    bkTestSetSpeed(0);
    QT_CHECK(cairnDomainCreate(dom) < 0);
    expectBusy("start the domain");
    while (!daemonJobConcluded()) {
        QT_CHECK(g_get_monotonic_time() < deadline);
        g_usleep(100 * 1000);
    }
    QT_CHECK(bkTestDaemonPid(NAME) > 0);
    QT_CHECK(cairnDomainCreate(dom) == 0);
    QT_CHECK(bkTestCompleted(dom, &success, NULL) == CAIRN_DOMAIN_JOB_COMPLETED && success);
    bkTestExpectOfflineClean(NAME, NULL);
    QT_CHECK(cairnDomainDestroy(dom) == 0);
    QT_CHECK(bkTestCompare(target, img));
}


int
main(void)
{
    const char *root = bkTestSetup(NAME);
    cairnConnectPtr conn = qemuTestConnect();
    g_autofree char *img = qemuTestMakeImage("a.qcow2", "qcow2", "16M");
    const char *images[] = { img, NULL };
    const char *formats[] = { "qcow2", NULL };
    g_autofree char *xml = chkTestDomainXML(NAME, images, formats);
    cairnDomainCheckpointPtr c1;
    cairnDomainPtr dom;

    bkTestQemuIo(img, "write -P 0x5a 0 3M");
    QT_CHECK((dom = cairnDomainDefineXML(conn, xml)));
    c1 = chkTestCreate(dom, "<domaincheckpoint><name>c1</name></domaincheckpoint>", 0);
    cairnDomainCheckpointFree(c1);
    testDuringPull(dom, root);
    testDuringPush(dom, root, img);
    cairnDomainFree(dom);
    cairnConnectClose(conn);
    printf("ok\n");
    return 0;
}
