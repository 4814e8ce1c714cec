/*
 * shutdowntest.c: SIGTERM to cairnd while a call is in flight. The daemon
 * stops accepting peers and refuses new calls, but the call it is running
 * (a backup begin whose reply a test hook holds back, after the backup
 * started) gets its reply before the daemon exits 0. With the wait over
 * (--shutdown-timeout), the daemon exits anyway, non-zero, and the caller
 * is told the connection closed.
 */
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "cairn/cairn.h"
#include "daemontestutils.h"

#define HOLD_HOOK "holding its reply"

typedef struct {
    cairnDomainPtr dom;
    int rc;
    char *error;
} backupCall;


static gpointer
backupThread(gpointer opaque)
{
    backupCall *call = opaque;

    call->rc = cairnDomainBackupBegin(call->dom, "<domainbackup/>", NULL, 0);
    if (call->rc < 0)
        call->error = g_strdup(cairnGetLastErrorMessage());
    return NULL;
}


/* Start a daemon whose DomainBackupBegin replies wait @delay_ms, on a
 * socket and log named after @name. */
static void
startDelayed(daemonTest *d, const char *name, unsigned int delay_ms, const char *const *args)
{
    g_autofree char *hook = g_strdup_printf("DomainBackupBegin:%u", delay_ms);
    g_autofree char *sock = g_strdup_printf("%s-sock", name);
    g_autofree char *log = g_strdup_printf("%s.log", name);

    d->socket = g_build_filename(daemonTestDir(), sock, NULL);
    d->log = g_build_filename(daemonTestDir(), log, NULL);
    g_setenv("CAIRND_TEST_REPLY_DELAY", hook, TRUE);
    daemonTestStart(d, args);
    g_unsetenv("CAIRND_TEST_REPLY_DELAY");
}


static void
testInFlight(void)
{
    const char *const args[] = { "--test", NULL };
    g_auto(daemonTest) d = { 0 };
    g_autofree char *uri = NULL;
    backupCall call = { 0 };
    cairnConnectPtr conn;
    cairnConnectPtr other;
    GThread *thread;
    int status;

    startDelayed(&d, "inflight", 3000, args);
    uri = daemonTestURI(&d, true);
    g_assert_nonnull(conn = cairnConnectOpen(uri));
    g_assert_nonnull(other = cairnConnectOpen(uri));
    g_assert_nonnull(call.dom = cairnDomainLookupByName(conn, "test"));
    thread = g_thread_new("backup", backupThread, &call);

    /* The backup has begun; its reply waits. */
    daemonTestWaitLog(&d, "DomainBackupBegin: " HOLD_HOOK);
    g_assert_cmpint(kill(d.pid, SIGTERM), ==, 0);
    daemonTestWaitLog(&d, "signal received");

    /* Meanwhile: no new call runs, no new peer gets in. */
    g_assert_cmpint(cairnConnectListAllDomains(other, NULL, 0), ==, -1);
    g_assert_cmpint(cairnGetLastErrorCode(), ==, CAIRN_ERR_RPC);
    g_assert_nonnull(strstr(cairnGetLastErrorMessage(), "shutting down"));
    g_assert_null(cairnConnectOpen(uri));

    /* The call in flight is answered. */
    g_thread_join(thread);
    if (call.rc != 0) {
        daemonTestDumpLog(&d);
        g_error("the backup begun before SIGTERM failed: %s", call.error);
    }

    /* Then the daemon exits, cleanly. */
    status = daemonTestWait(&d, 10000);
    if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        daemonTestDumpLog(&d);
        g_error("cairnd did not exit 0 after answering (status 0x%x)", status);
    }
    cairnDomainFree(call.dom);
    cairnConnectClose(other);
    cairnConnectClose(conn);
}


static void
testBounded(void)
{
    const char *const args[] = { "--test", "--shutdown-timeout=1", NULL };
    g_auto(daemonTest) d = { 0 };
    g_autofree char *uri = NULL;
    backupCall call = { 0 };
    cairnConnectPtr conn;
    GThread *thread;
    gint64 start;
    double secs;
    int status;

    startDelayed(&d, "bounded", 60000, args);
    uri = daemonTestURI(&d, true);
    g_assert_nonnull(conn = cairnConnectOpen(uri));
    g_assert_nonnull(call.dom = cairnDomainLookupByName(conn, "test"));
    thread = g_thread_new("backup", backupThread, &call);
    daemonTestWaitLog(&d, "DomainBackupBegin: " HOLD_HOOK);

    start = g_get_monotonic_time();
    g_assert_cmpint(kill(d.pid, SIGTERM), ==, 0);
    status = daemonTestWait(&d, 10000);
    secs = (double)(g_get_monotonic_time() - start) / G_USEC_PER_SEC;
    g_print("# cairnd gave up on a call in flight after %.2f s\n", secs);
    if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) == 0) {
        daemonTestDumpLog(&d);
        g_error("cairnd did not exit non-zero within 10 s (status 0x%x)", status);
    }
    g_assert_cmpfloat(secs, <, 5.0);
    daemonTestWaitLog(&d, "calls still running after 1 s");

    g_thread_join(thread);
    g_assert_cmpint(call.rc, ==, -1);
    g_print("# the caller was told: %s\n", call.error);
    g_free(call.error);
    cairnDomainFree(call.dom);
    cairnConnectClose(conn);
}


int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/daemon/shutdown/in-flight", testInFlight);
    g_test_add_func("/daemon/shutdown/bounded", testBounded);
    return g_test_run();
}
