/*
 * backup-crossproc.c: a backup job lives under ROOT/run, not in one
 * process. Every step below is a separate `cairn` process on the same
 * qemu:///embed root (libvirt's embedded driver loses the job when its
 * process exits):
 *
 * - one process starts a slow push; a second watches it (domjobinfo:
 *   Unbounded, Backup); a third aborts it; a fourth reads the cancelled
 *   job's statistics with --completed --keep-completed, twice
 * - a push that concludes in QEMU while no process is there waits
 *   (query-jobs: concluded, not dismissed) until the next process that
 *   looks finalizes it: completed stats, no QEMU job, node or bitmap left
 * - `cairn event --event job-completed` in another process, started before
 *   the job ends, prints the event (its watcher finalizes the job)
 * - in this process: job-completed and block-job-2 callbacks fire from
 *   the main loop for a backup that a `cairn` process started
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <glib/gstdio.h>

#include "backuptestutils.h"

#define NAME "bkxp"
#define MiB (1024ULL * 1024)

static char *cairnBin;
static char *imgA;


/* Run `cairn -c URI ARGS...`; its stdout (fails the test on exit != 0). */
static char *
cli(const char *first, ...)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    const char *arg;
    va_list ap;

    g_ptr_array_add(argv, cairnBin);
    g_ptr_array_add(argv, (char *)"-c");
    g_ptr_array_add(argv, (char *)qemuTestURI());
    va_start(ap, first);
    for (arg = first; arg; arg = va_arg(ap, const char *))
        g_ptr_array_add(argv, (char *)arg);
    va_end(ap);
    g_ptr_array_add(argv, NULL);
    return bkTestOutput((const char *const *)argv->pdata);
}


static bool
qemuJobConcluded(const char *json)
{
    return strstr(json, "\"status\":\"concluded\"") || strstr(json, "\"status\": \"concluded\"");
}


static void
testWatchAbortCompleted(const char *root)
{
    g_autofree char *target = g_build_filename(root, "slow.qcow2", NULL);
    g_autofree char *xmlfile = g_build_filename(root, "slow.xml", NULL);
    g_autofree char *xml = g_strdup_printf(
        "<domainbackup><disks><disk name='vda' type='file'><target file='%s'/></disk>"
        "</disks></domainbackup>",
        target);
    g_autofree char *out1 = NULL;
    g_autofree char *out2 = NULL;
    g_autofree char *out3 = NULL;
    g_autofree char *out4 = NULL;
    g_autofree char *out5 = NULL;

    QT_CHECK(g_file_set_contents(xmlfile, xml, -1, NULL));
    bkTestSetSpeed(1 * MiB);
    out1 = cli("backup-begin", NAME, "--backupxml", xmlfile, NULL);
    QT_CHECK(strstr(out1, "Backup started"));
    out2 = cli("domjobinfo", NAME, NULL);
    fprintf(stderr, "%s", out2);
    QT_CHECK(strstr(out2, "Unbounded") && strstr(out2, "Backup"));
    out3 = cli("domjobabort", NAME, NULL);
    out4 = cli("domjobinfo", NAME, "--completed", "--keep-completed", NULL);
    out5 = cli("domjobinfo", NAME, "--completed", NULL);
    fprintf(stderr, "%s", out4);
    QT_CHECK(strstr(out4, "Cancelled") && strstr(out5, "Cancelled"));
    QT_CHECK(!g_file_test(target, G_FILE_TEST_EXISTS));
    bkTestSetSpeed(0);
}


static void
testFinalizeLater(cairnDomainPtr dom, const char *root)
{
    g_autofree char *target = g_strdup_printf("%s.later", imgA);
    g_autofree char *chkfile = g_build_filename(root, "later.xml", NULL);
    g_autofree char *out = NULL;
    g_autofree char *info = NULL;
    gint64 deadline = g_get_monotonic_time() + 60 * G_USEC_PER_SEC;
    const char *none[] = { NULL };

    QT_CHECK(g_file_set_contents(chkfile,
                                 "<domaincheckpoint><name>later</name>"
                                 "</domaincheckpoint>",
                                 -1, NULL));
    g_free(cli("backup-begin", NAME, "--checkpointxml", chkfile, NULL));
    /* No Cairn process now: QEMU keeps the concluded job for us. */
    for (;;) {
        g_free(out);
        out = cli("qemu-monitor-command", NAME, "{\"execute\":\"query-jobs\"}", NULL);
        if (qemuJobConcluded(out))
            break;
        QT_CHECK(g_get_monotonic_time() < deadline);
        g_usleep(50 * 1000);
    }
    QT_CHECK(strstr(out, "backup-vda-cairn-1-format"));
    info = cli("domjobinfo", NAME, "--completed", "--keep-completed", NULL);
    fprintf(stderr, "%s", info);
    QT_CHECK(strstr(info, "Completed"));
    QT_CHECK(g_file_test(target, G_FILE_TEST_EXISTS));
    bkTestExpectClean(dom, 1, none);
}


static void
testEventProcess(const char *root)
{
    g_autofree char *target = g_build_filename(root, "ev.qcow2", NULL);
    g_autofree char *xmlfile = g_build_filename(root, "ev.xml", NULL);
    g_autofree char *xml = g_strdup_printf(
        "<domainbackup><disks><disk name='vda' type='file'><target file='%s'/></disk>"
        "</disks></domainbackup>",
        target);
    const char *argv[] = { cairnBin,    "-c", qemuTestURI(), "event",
                           "--domain",  NAME, "--event",     "job-completed",
                           "--timeout", "60", NULL };
    g_autoptr(GError) err = NULL;
    g_autofree char *out = NULL;
    int outfd = -1;
    GPid pid;
    int status;

    QT_CHECK(g_file_set_contents(xmlfile, xml, -1, NULL));
    bkTestSetSpeed(16 * MiB);
    QT_CHECK(g_spawn_async_with_pipes(NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL,
                                      NULL, &pid, NULL, &outfd, NULL, &err));
    g_usleep(300 * 1000);
    g_free(cli("backup-begin", NAME, "--backupxml", xmlfile, NULL));
    {
        g_autoptr(GIOChannel) ch = g_io_channel_unix_new(outfd);
        gsize len = 0;

        g_io_channel_read_to_end(ch, &out, &len, NULL);
    }
    waitpid(pid, &status, 0);
    g_spawn_close_pid(pid);
    fprintf(stderr, "event process: %s", out ? out : "");
    QT_CHECK(out && strstr(out, "job-completed") && strstr(out, NAME));
    QT_CHECK(g_file_test(target, G_FILE_TEST_EXISTS));
    bkTestSetSpeed(0);
}


typedef struct {
    int completed;
    int blockjobs;
    bool success;
} evState;


static void
onJobCompleted(cairnConnectPtr conn,
               cairnDomainPtr dom,
               cairnTypedParameterPtr params,
               int nparams,
               void *opaque)
{
    evState *st = opaque;

    for (int i = 0; i < nparams; i++) {
        if (g_str_equal(params[i].field, "success"))
            st->success = params[i].value.b;
    }
    st->completed++;
}


static void
onBlockJob(
    cairnConnectPtr conn, cairnDomainPtr dom, const char *disk, int type, int status, void *opaque)
{
    evState *st = opaque;

    if (g_str_equal(disk, "vda") && type == CAIRN_DOMAIN_BLOCK_JOB_TYPE_BACKUP &&
        status == CAIRN_DOMAIN_BLOCK_JOB_COMPLETED)
        st->blockjobs++;
}


static void
testEventCallbacks(cairnConnectPtr conn, cairnDomainPtr dom, const char *root)
{
    g_autofree char *target = g_build_filename(root, "cb.qcow2", NULL);
    g_autofree char *xmlfile = g_build_filename(root, "cb.xml", NULL);
    g_autofree char *xml = g_strdup_printf(
        "<domainbackup><disks><disk name='vda' type='file'><target file='%s'/></disk>"
        "</disks></domainbackup>",
        target);
    gint64 deadline = g_get_monotonic_time() + 60 * G_USEC_PER_SEC;
    evState st = { 0 };
    int id1;
    int id2;

    QT_CHECK(g_file_set_contents(xmlfile, xml, -1, NULL));
    QT_CHECK(cairnEventRegisterDefaultImpl() == 0);
    id1 =
        cairnConnectDomainEventRegisterAny(conn, dom, CAIRN_DOMAIN_EVENT_ID_JOB_COMPLETED,
                                           CAIRN_DOMAIN_EVENT_CALLBACK(onJobCompleted), &st, NULL);
    id2 = cairnConnectDomainEventRegisterAny(conn, dom, CAIRN_DOMAIN_EVENT_ID_BLOCK_JOB_2,
                                             CAIRN_DOMAIN_EVENT_CALLBACK(onBlockJob), &st, NULL);
    QT_CHECK(id1 > 0 && id2 > 0);
    g_free(cli("backup-begin", NAME, "--backupxml", xmlfile, NULL));
    while (st.completed == 0 && g_get_monotonic_time() < deadline)
        QT_CHECK(cairnEventRunDefaultImpl() == 0);
    QT_CHECK(st.completed == 1 && st.success && st.blockjobs == 1);
    QT_CHECK(cairnConnectDomainEventDeregisterAny(conn, id1) == 0);
    QT_CHECK(cairnConnectDomainEventDeregisterAny(conn, id2) == 0);
}


int
main(void)
{
    const char *root = bkTestSetup(NAME);
    const char *builddir = g_getenv("abs_builddir");
    cairnConnectPtr conn = qemuTestConnect();
    g_autofree char *xml = NULL;
    cairnDomainPtr dom;

    cairnBin = g_build_filename(builddir ? builddir : "tests", "..", "tools", "cairn", NULL);
    if (!g_file_test(cairnBin, G_FILE_TEST_IS_EXECUTABLE))
        qemuTestFail(__FILE__, __LINE__, "no cairn binary at %s", cairnBin);
    imgA = qemuTestMakeImage("a.qcow2", "qcow2", "64M");
    xml = qemuTestDomainXML(qemuTestVirtType(), NAME, imgA, "qcow2");
    QT_CHECK((dom = cairnDomainDefineXML(conn, xml)) && cairnDomainCreate(dom) == 0);
    bkTestWrite(dom, "virtio-disk0", 0x42, 0, 32 * MiB);
    testWatchAbortCompleted(root);
    testFinalizeLater(dom, root);
    testEventProcess(root);
    testEventCallbacks(conn, dom, root);
    QT_CHECK(cairnDomainDestroy(dom) == 0);
    cairnDomainFree(dom);
    cairnConnectClose(conn);
    printf("ok\n");
    return 0;
}
