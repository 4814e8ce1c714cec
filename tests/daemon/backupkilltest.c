/*
 * backupkilltest.c: kill -9 of cairnd while a VM runs a push backup, and
 * SIGTERM while it begins one.
 *
 * Usage: daemon-backupkilltest finish|abort|down|term (one scenario per
 * run).
 *
 * A 2-disk qcow2 domain (QEMU without a guest OS) runs under cairnd; a
 * full push backup with checkpoint c1 is begun slowly (ROOT/etc/backup.conf
 * speed), so it is surely mid-job when the daemon is killed with SIGKILL.
 * QEMU keeps running (same pid); the client, which had a JOB_COMPLETED
 * callback registered, gets CAIRN_ERR_RPC, deregisters and closes cleanly.
 * A new cairnd on the same root reattaches: the domain runs with the same
 * QEMU (query-status "running" through it). The client reconnects and
 * registers JOB_COMPLETED again through the remote driver. Then:
 *
 * - finish: the job still runs (domjobinfo: unbounded, QEMU's 2 jobs); let
 *   go at full speed, it completes: the event with success, completed
 *   stats, the targets equal the disks at the backup's start (qemu-img
 *   compare against copies taken while QEMU was paused)
 * - abort: the job still runs; domjobabort through the new daemon: the
 *   event without success, cancelled stats, the targets deleted
 * - down: the job concludes in QEMU while no daemon runs (seen on QEMU's
 *   own monitor); the new daemon's watcher finalizes it: the event with
 *   success, completed stats, targets equal to the copies
 * - term: no kill -9; the daemon holds the reply of the backup begin (test
 *   hook CAIRND_TEST_REPLY_DELAY) and gets SIGTERM meanwhile: the client
 *   gets its reply (success), the daemon exits 0, QEMU runs on with the
 *   job, which the new daemon finishes as in 'finish'
 *
 * Each time checkpoint c1 is intact (metadata current, bitmaps in QEMU)
 * and nothing of the backup is left in QEMU (nodes, jobs, bitmaps,
 * exports) or ROOT/run; after destroy nothing of the domain is left.
 * Skips (77) without QEMU.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include <gio/gunixsocketaddress.h>

#include "backuptestutils.h"
#include "daemontestutils.h"

#define NAME "bkkill"
#define CHECKPOINT_XML "<domaincheckpoint><name>c1</name></domaincheckpoint>"
#define MiB (1024ULL * 1024)

typedef struct {
    int completed;
    bool success;
    guint64 processed;
} evState;

static char *imgA;
static char *imgB;


static cairnConnectPtr
openThrough(const daemonTest *d)
{
    g_autofree char *uri = daemonTestURI(d, false);
    cairnConnectPtr conn = cairnConnectOpen(uri);

    if (!conn)
        qemuTestFail(__FILE__, __LINE__, "open %s: %s", uri, cairnGetLastErrorMessage());
    return conn;
}


static void
onJobCompleted(cairnConnectPtr conn G_GNUC_UNUSED,
               cairnDomainPtr dom G_GNUC_UNUSED,
               cairnTypedParameterPtr params,
               int nparams,
               void *opaque)
{
    evState *st = opaque;

    for (int i = 0; i < nparams; i++) {
        if (g_str_equal(params[i].field, "success"))
            st->success = params[i].value.b;
        else if (g_str_equal(params[i].field, "disk_processed"))
            st->processed = params[i].value.ul;
    }
    st->completed++;
}


static int
registerJobCompleted(cairnConnectPtr conn, cairnDomainPtr dom, evState *st)
{
    int id =
        cairnConnectDomainEventRegisterAny(conn, dom, CAIRN_DOMAIN_EVENT_ID_JOB_COMPLETED,
                                           CAIRN_DOMAIN_EVENT_CALLBACK(onJobCompleted), st, NULL);

    if (id < 1)
        qemuTestFail(__FILE__, __LINE__, "register: %s", cairnGetLastErrorMessage());
    return id;
}


/* Define and start the domain, write data on both disks, make backups
 * slow and pause QEMU, and copy the disks to @copyA and @copyB. */
static cairnDomainPtr
prepareBackup(cairnConnectPtr conn, const char *copyA, const char *copyB)
{
    const char *images[] = { imgA, imgB, NULL };
    const char *formats[] = { "qcow2", "qcow2", NULL };
    g_autofree char *xml = chkTestDomainXML(NAME, images, formats);
    cairnDomainPtr dom = cairnDomainDefineXML(conn, xml);

    QT_CHECK(dom && cairnDomainCreate(dom) == 0);
    bkTestWrite(dom, "virtio-disk0", 0x11, 0, 8 * MiB);
    bkTestWrite(dom, "virtio-disk1", 0x22, 16 * MiB, 8 * MiB);
    /* 16 MiB of data at 1 MiB/s per disk: many seconds of job. */
    bkTestSetSpeed(1 * MiB);
    json_node_unref(bkTestQMP(dom, "{\"execute\":\"stop\"}"));
    bkTestCopy(imgA, copyA);
    bkTestCopy(imgB, copyB);
    return dom;
}


/* prepareBackup(), then begin a slow full push with checkpoint c1 and let
 * QEMU run. */
static cairnDomainPtr
startBackup(cairnConnectPtr conn, const char *copyA, const char *copyB)
{
    cairnDomainPtr dom = prepareBackup(conn, copyA, copyB);

    bkTestBegin(dom, "<domainbackup/>", CHECKPOINT_XML, 0);
    json_node_unref(bkTestQMP(dom, "{\"execute\":\"cont\"}"));
    QT_CHECK(bkTestCountJobs(dom) == 2);
    return dom;
}


typedef struct {
    cairnDomainPtr dom;
    int rc;
} beginCall;


static gpointer
beginThread(gpointer opaque)
{
    beginCall *call = opaque;

    if ((call->rc = cairnDomainBackupBegin(call->dom, "<domainbackup/>", CHECKPOINT_XML, 0)) < 0)
        fprintf(stderr, "backup begin: %s\n", cairnGetLastErrorMessage());
    return NULL;
}


/* term: the begin's reply held by the daemon, SIGTERM meanwhile: the
 * reply comes, the daemon exits 0, QEMU runs on (paused, with the job). */
static void
termDuringBegin(daemonTest *d, cairnConnectPtr conn, cairnDomainPtr dom, pid_t pid)
{
    beginCall call = { dom, -1 };
    GThread *thread = g_thread_new("begin", beginThread, &call);
    int status;

    daemonTestWaitLog(d, "DomainBackupBegin: holding its reply");
    QT_CHECK(kill(d->pid, SIGTERM) == 0);
    g_thread_join(thread);
    QT_CHECK(call.rc == 0);
    status = daemonTestWait(d, 30000);
    if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        daemonTestDumpLog(d);
        qemuTestFail(__FILE__, __LINE__, "cairnd did not exit 0 (status 0x%x)", status);
    }
    QT_CHECK(kill(pid, 0) == 0 && qemuTestQemuRunning(NAME));
    cairnDomainFree(dom);
    QT_CHECK(cairnConnectClose(conn) >= 0);
}


/* Kill the daemon; QEMU survives; the client sees a clean RPC error and
 * can drop its callback and the connection. */
static void
killDaemon(daemonTest *d, cairnConnectPtr conn, cairnDomainPtr dom, int cbid, pid_t pid)
{
    int state = -1;
    int reason = -1;

    daemonTestStop(d, true);
    QT_CHECK(kill(pid, 0) == 0 && qemuTestQemuRunning(NAME));
    QT_CHECK(cairnDomainGetState(dom, &state, &reason, 0) == -1);
    QT_CHECK(cairnGetLastErrorCode() == CAIRN_ERR_RPC);
    while (g_main_context_iteration(NULL, FALSE))
        ;
    QT_CHECK(cairnConnectDomainEventDeregisterAny(conn, cbid) == 0);
    cairnDomainFree(dom);
    QT_CHECK(cairnConnectClose(conn) >= 0);
}


/* After the restart: same QEMU, running; with @job, the backup job is
 * still running. */
static void
checkReattached(cairnDomainPtr dom, pid_t pid, bool job)
{
    g_autofree char *reply = NULL;
    int state = -1;
    int reason = -1;
    int type = -1;

    QT_CHECK(cairnDomainGetState(dom, &state, &reason, 0) == 0);
    QT_CHECK(state == CAIRN_DOMAIN_RUNNING);
    QT_CHECK(qemuTestDomainPid(NAME) == pid && kill(pid, 0) == 0);
    QT_CHECK(cairnDomainQemuMonitorCommand(dom, "{\"execute\":\"query-status\"}", &reply, 0) == 0);
    QT_CHECK(strstr(reply, "\"running\"") != NULL);
    if (!job)
        return;
    QT_CHECK(bkTestStat(dom, "disk_total", &type) == 2 * 64 * MiB);
    QT_CHECK(type == CAIRN_DOMAIN_JOB_UNBOUNDED);
    QT_CHECK(bkTestCountJobs(dom) == 2);
}


/* Both disk jobs at a speed that ends them in a few seconds, and still
 * running right before the kill. */
static void
speedUpButRunning(cairnDomainPtr dom)
{
    int type = -1;

    bkTestJobSpeed(dom, "backup-vda-cairn-1-format", 8 * MiB);
    bkTestJobSpeed(dom, "backup-vdb-cairn-2-format", 8 * MiB);
    bkTestStat(dom, "disk_total", &type);
    QT_CHECK(type == CAIRN_DOMAIN_JOB_UNBOUNDED);
}


/* Abort through the new daemon: JOB_COMPLETED without success, cancelled
 * stats, the targets deleted, checkpoint c1 kept, nothing left. */
static void
abortJob(cairnDomainPtr dom, evState *st)
{
    g_autofree char *fullA = g_strdup_printf("%s.c1", imgA);
    g_autofree char *fullB = g_strdup_printf("%s.c1", imgB);
    g_autofree char *current = NULL;
    const char *files[] = { fullA, fullB, NULL };
    gint64 deadline = g_get_monotonic_time() + 60 * G_USEC_PER_SEC;
    bool success = true;

    QT_CHECK(cairnDomainAbortJob(dom) == 0);
    while (st->completed == 0 && g_get_monotonic_time() < deadline)
        QT_CHECK(cairnEventRunDefaultImpl() == 0);
    QT_CHECK(st->completed == 1 && !st->success);
    QT_CHECK(bkTestCompleted(dom, &success, NULL) == CAIRN_DOMAIN_JOB_CANCELLED && !success);
    current = chkTestMetadataCurrent(NAME);
    CHK_EXPECT_STR(current, "c1");
    bkTestExpectClean(dom, 2, files);
    QT_CHECK(qemuTestCountRunFiles(".backup-job") == 0);
}


/* One QMP command on a raw monitor connection; its "return" line. */
static char *
qmpCommand(GDataInputStream *in, GOutputStream *out, const char *cmd)
{
    g_autofree char *line = g_strconcat(cmd, "\n", NULL);

    QT_CHECK(g_output_stream_write_all(out, line, strlen(line), NULL, NULL, NULL));
    for (;;) {
        char *reply = g_data_input_stream_read_line(in, NULL, NULL, NULL);

        QT_CHECK(reply != NULL);
        if (strstr(reply, "\"return\""))
            return reply;
        QT_CHECK(!strstr(reply, "\"error\""));
        g_free(reply);
    }
}


/* Let the job run at full speed (@speedup: it still runs) and wait for
 * JOB_COMPLETED. */
static void
finishJob(cairnDomainPtr dom, evState *st, bool speedup)
{
    gint64 deadline = g_get_monotonic_time() + 60 * G_USEC_PER_SEC;
    bool success = false;

    if (speedup) {
        bkTestJobSpeed(dom, "backup-vda-cairn-1-format", 0);
        bkTestJobSpeed(dom, "backup-vdb-cairn-2-format", 0);
    }
    while (st->completed == 0 && g_get_monotonic_time() < deadline)
        QT_CHECK(cairnEventRunDefaultImpl() == 0);
    QT_CHECK(st->completed == 1 && st->success);
    QT_CHECK(bkTestCompleted(dom, &success, NULL) == CAIRN_DOMAIN_JOB_COMPLETED && success);
    QT_CHECK(bkTestStat(dom, "disk_total", NULL) == 0);
}


static void
checkResult(cairnDomainPtr dom, const char *copyA, const char *copyB)
{
    g_autofree char *fullA = g_strdup_printf("%s.c1", imgA);
    g_autofree char *fullB = g_strdup_printf("%s.c1", imgB);
    g_autofree char *current = chkTestMetadataCurrent(NAME);
    g_autofree char *names = chkTestMetadataNames(NAME);
    g_autoptr(GPtrArray) bitmapsA = chkTestLiveBitmaps(dom, imgA);
    g_autoptr(GPtrArray) bitmapsB = chkTestLiveBitmaps(dom, imgB);
    cairnDomainCheckpointPtr chk;

    QT_CHECK(bkTestCompare(fullA, copyA));
    QT_CHECK(bkTestCompare(fullB, copyB));
    CHK_EXPECT_STR(current, "c1");
    CHK_EXPECT_STR(names, "c1");
    QT_CHECK(chkTestBitmapFind(bitmapsA, "c1") && chkTestBitmapFind(bitmapsB, "c1"));
    QT_CHECK((chk = cairnDomainCheckpointLookupByName(dom, "c1", 0)) != NULL);
    cairnDomainCheckpointFree(chk);
    bkTestExpectClean(dom, 2, NULL);
    QT_CHECK(qemuTestCountRunFiles(".backup-job") == 0);
}


/* The job ended while no daemon ran: wait on QEMU's own monitor (free
 * now) until both disk jobs concluded. QEMU keeps them (auto-dismiss off)
 * for whichever process looks next. */
static void
waitConcludedWithoutDaemon(const char *root)
{
    g_autofree char *path = g_build_filename(root, "run", NAME ".qmp", NULL);
    gint64 deadline = g_get_monotonic_time() + 60 * G_USEC_PER_SEC;
    g_autoptr(GSocketClient) client = g_socket_client_new();
    g_autoptr(GSocketAddress) addr = g_unix_socket_address_new(path);
    g_autoptr(GSocketConnection) sock = NULL;
    g_autoptr(GDataInputStream) in = NULL;
    GOutputStream *out;
    guint concluded = 0;

    QT_CHECK((sock = g_socket_client_connect(client, G_SOCKET_CONNECTABLE(addr), NULL, NULL)));
    in = g_data_input_stream_new(g_io_stream_get_input_stream(G_IO_STREAM(sock)));
    out = g_io_stream_get_output_stream(G_IO_STREAM(sock));
    g_free(qmpCommand(in, out, "{\"execute\":\"qmp_capabilities\"}"));
    while (concluded < 2) {
        g_autofree char *reply = qmpCommand(in, out, "{\"execute\":\"query-jobs\"}");

        concluded = 0;
        for (const char *p = reply; (p = strstr(p, "\"concluded\"")); p++)
            concluded++;
        QT_CHECK(g_get_monotonic_time() < deadline);
        if (concluded < 2)
            g_usleep(50 * 1000);
    }
}


int
main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "finish";
    bool term = g_str_equal(mode, "term");
    const char *root = bkTestSetup(NAME);
    const char *args[] = { "--session", "--root", root, NULL };
    g_autofree char *copyA = g_build_filename(root, "copyA.qcow2", NULL);
    g_autofree char *copyB = g_build_filename(root, "copyB.qcow2", NULL);
    g_auto(daemonTest) d = { 0 };
    evState before = { 0 };
    evState after = { 0 };
    cairnConnectPtr conn;
    cairnDomainPtr dom;
    pid_t pid;
    int cbid;

    QT_CHECK(g_str_equal(mode, "finish") || g_str_equal(mode, "abort") ||
             g_str_equal(mode, "down") || g_str_equal(mode, "term"));
    imgA = qemuTestMakeImage("a.qcow2", "qcow2", "64M");
    imgB = qemuTestMakeImage("b.qcow2", "qcow2", "64M");
    QT_CHECK(cairnEventRegisterDefaultImpl() == 0);
    if (term)
        g_setenv("CAIRND_TEST_REPLY_DELAY", "DomainBackupBegin:3000", TRUE);
    daemonTestStart(&d, args);
    g_unsetenv("CAIRND_TEST_REPLY_DELAY");
    conn = openThrough(&d);
    if (term) {
        dom = prepareBackup(conn, copyA, copyB);
        QT_CHECK((pid = qemuTestDomainPid(NAME)) > 0);
        termDuringBegin(&d, conn, dom, pid);
    } else {
        dom = startBackup(conn, copyA, copyB);
        QT_CHECK((pid = qemuTestDomainPid(NAME)) > 0);
        cbid = registerJobCompleted(conn, dom, &before);
        if (g_str_equal(mode, "down"))
            speedUpButRunning(dom);
        killDaemon(&d, conn, dom, cbid, pid);
        QT_CHECK(before.completed == 0);
    }
    if (g_str_equal(mode, "down"))
        waitConcludedWithoutDaemon(root);

    daemonTestStart(&d, args);
    conn = openThrough(&d);
    QT_CHECK((dom = cairnDomainLookupByName(conn, NAME)) != NULL);
    cbid = registerJobCompleted(conn, dom, &after);
    if (term)
        json_node_unref(bkTestQMP(dom, "{\"execute\":\"cont\"}"));
    checkReattached(dom, pid, !g_str_equal(mode, "down"));
    if (g_str_equal(mode, "abort")) {
        abortJob(dom, &after);
    } else {
        finishJob(dom, &after, g_str_equal(mode, "finish") || term);
        checkResult(dom, copyA, copyB);
    }
    QT_CHECK(cairnConnectDomainEventDeregisterAny(conn, cbid) == 0);
    QT_CHECK(cairnDomainDestroy(dom) == 0);
    qemuTestExpectNothingLeft(NAME);
    cairnDomainFree(dom);
    cairnConnectClose(conn);
    daemonTestStop(&d, false);
    g_free(imgA);
    g_free(imgB);
    printf("daemon %s during a push backup (%s): ok\n", term ? "SIGTERM" : "kill -9", mode);
    return 0;
}
