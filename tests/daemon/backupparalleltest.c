/*
 * backupparalleltest.c: 50 clients at once while a backup runs.
 *
 * Usage: daemon-backupparalleltest pull|push (one scenario per run).
 *
 * A 2-disk qcow2 domain (QEMU without a guest OS) runs under cairnd with a
 * backup with checkpoint c1 that surely runs throughout: a pull (NBD on a
 * unix socket), which runs until it is aborted, or a push slowed down to
 * 1 MiB/s (ROOT/etc/backup.conf). 50 threads, each with its own
 * connection to the daemon, do ROUNDS rounds of list / dumpxml /
 * checkpoint-list / domjobinfo. Every call must succeed with the expected
 * answer (1 domain, 1 checkpoint, an unbounded job) and none may take
 * longer than CALL_BOUND_S: a stall check, not a timing test. Then the
 * backup is aborted: a pull ends that way (completed, success), a push is
 * cancelled (its targets deleted); the scratch files or targets are gone,
 * nothing of the backup is left in QEMU, c1 stays. Skips (77) without
 * QEMU.
 *
 * It found a crash of the qemu driver: listing domains while a backup
 * ran took the job file (then ROOT/run/NAME.backup.xml) for a domain
 * "NAME.backup", failed to
 * load it and kept an object with neither definition nor live state,
 * which the next ListAllDomains dereferenced.
 */
#include <stdio.h>
#include <string.h>

#include "backuptestutils.h"
#include "daemontestutils.h"

#define NAME "bkpar"
#define MiB (1024ULL * 1024)
#define CLIENTS 50
#define ROUNDS 10
#define CALL_BOUND_S 10

static char *uri;
static gint failures;
static gint64 slowest; /* µs, under slowestLock */
static GMutex slowestLock;


/* Time one call; false (and a failure noted) if it took too long. */
static bool
timed(gint64 start, const char *what)
{
    gint64 took = g_get_monotonic_time() - start;

    g_mutex_lock(&slowestLock);
    slowest = MAX(slowest, took);
    g_mutex_unlock(&slowestLock);
    if (took <= CALL_BOUND_S * G_USEC_PER_SEC)
        return true;
    fprintf(stderr, "%s took %" G_GINT64_FORMAT " ms\n", what, took / 1000);
    return false;
}


static bool
clientRound(cairnConnectPtr conn)
{
    cairnDomainPtr *doms = NULL;
    cairnDomainCheckpointPtr *chks = NULL;
    cairnDomainJobInfo info = { 0 };
    gint64 t;
    char *xml = NULL;
    int n;
    int nchks = -1;
    bool ok;

    t = g_get_monotonic_time();
    ok = (n = cairnConnectListAllDomains(conn, &doms, 0)) == 1 && timed(t, "list");
    t = g_get_monotonic_time();
    ok =
        ok && (xml = cairnDomainGetXMLDesc(doms[0], 0)) && strstr(xml, NAME) && timed(t, "dumpxml");
    t = g_get_monotonic_time();
    ok = ok && (nchks = cairnDomainListAllCheckpoints(doms[0], &chks, 0)) == 1 &&
         timed(t, "checkpoint-list");
    t = g_get_monotonic_time();
    ok = ok && cairnDomainGetJobInfo(doms[0], &info) == 0 &&
         info.type == CAIRN_DOMAIN_JOB_UNBOUNDED && timed(t, "domjobinfo");
    g_free(xml);
    for (int i = 0; chks && chks[i]; i++)
        cairnDomainCheckpointFree(chks[i]);
    g_free(chks);
    for (int i = 0; i < n; i++)
        cairnDomainFree(doms[i]);
    g_free(doms);
    return ok;
}


static gpointer
clientThread(gpointer opaque G_GNUC_UNUSED)
{
    cairnConnectPtr conn = cairnConnectOpen(uri);

    if (!conn) {
        fprintf(stderr, "open: %s\n", cairnGetLastErrorMessage());
        g_atomic_int_inc(&failures);
        return NULL;
    }
    for (int round = 0; round < ROUNDS; round++) {
        if (!clientRound(conn)) {
            fprintf(stderr, "round %d: %s\n", round, cairnGetLastErrorMessage());
            g_atomic_int_inc(&failures);
            break;
        }
    }
    cairnConnectClose(conn);
    return NULL;
}


/* Start the domain and a backup that runs until aborted: a pull, or a
 * push at 1 MiB/s. */
static cairnDomainPtr
startBackup(cairnConnectPtr conn, const char *root, bool pull, const char *imgA, const char *imgB)
{
    const char *images[] = { imgA, imgB, NULL };
    const char *formats[] = { "qcow2", "qcow2", NULL };
    g_autofree char *xml = chkTestDomainXML(NAME, images, formats);
    g_autofree char *sock = g_build_filename(root, "nbd.sock", NULL);
    g_autofree char *pullxml = g_strdup_printf(
        "<domainbackup mode='pull'><server transport='unix' socket='%s'/></domainbackup>", sock);
    cairnDomainPtr dom = cairnDomainDefineXML(conn, xml);

    QT_CHECK(dom && cairnDomainCreate(dom) == 0);
    bkTestWrite(dom, "virtio-disk0", 0x11, 0, 4 * MiB);
    bkTestWrite(dom, "virtio-disk1", 0x22, 8 * MiB, 4 * MiB);
    if (!pull)
        bkTestSetSpeed(1 * MiB);
    bkTestBegin(dom, pull ? pullxml : "<domainbackup/>",
                "<domaincheckpoint><name>c1</name></domaincheckpoint>", 0);
    QT_CHECK(bkTestCountJobs(dom) == 2);
    return dom;
}


static bool
runClients(void)
{
    GThread *threads[CLIENTS];
    gint64 start = g_get_monotonic_time();

    for (int i = 0; i < CLIENTS; i++)
        threads[i] = g_thread_new("client", clientThread, NULL);
    for (int i = 0; i < CLIENTS; i++)
        g_thread_join(threads[i]);
    printf("%d clients x %d rounds x 4 calls in %" G_GINT64_FORMAT
           " ms, slowest call %" G_GINT64_FORMAT " ms\n",
           CLIENTS, ROUNDS, (g_get_monotonic_time() - start) / 1000, slowest / 1000);
    return g_atomic_int_get(&failures) == 0;
}


int
main(int argc, char **argv)
{
    bool pull = argc < 2 || g_str_equal(argv[1], "pull");
    const char *root = bkTestSetup(NAME);
    const char *args[] = { "--session", "--root", root, NULL };
    g_autofree char *imgA = qemuTestMakeImage("a.qcow2", "qcow2", "64M");
    g_autofree char *imgB = qemuTestMakeImage("b.qcow2", "qcow2", "64M");
    g_autofree char *fileA = g_strdup_printf("%s.c1", imgA);
    g_autofree char *fileB = g_strdup_printf("%s.c1", imgB);
    const char *files[] = { fileA, fileB, NULL };
    g_auto(daemonTest) d = { 0 };
    g_autofree char *current = NULL;
    cairnConnectPtr conn;
    cairnDomainPtr dom;
    bool success = !pull;

    QT_CHECK(pull || g_str_equal(argv[1], "push"));
    daemonTestStart(&d, args);
    uri = daemonTestURI(&d, false);
    QT_CHECK((conn = cairnConnectOpen(uri)) != NULL);
    dom = startBackup(conn, root, pull, imgA, imgB);
    if (!runClients())
        daemonTestDumpLog(&d);
    QT_CHECK(g_atomic_int_get(&failures) == 0);
    QT_CHECK(bkTestCountJobs(dom) == 2);
    QT_CHECK(cairnDomainAbortJob(dom) == 0);
    QT_CHECK(bkTestCompleted(dom, &success, NULL) ==
             (pull ? CAIRN_DOMAIN_JOB_COMPLETED : CAIRN_DOMAIN_JOB_CANCELLED));
    QT_CHECK(success == pull);
    bkTestExpectClean(dom, 2, files);
    current = chkTestMetadataCurrent(NAME);
    CHK_EXPECT_STR(current, "c1");
    QT_CHECK(cairnDomainDestroy(dom) == 0);
    qemuTestExpectNothingLeft(NAME);
    cairnDomainFree(dom);
    cairnConnectClose(conn);
    daemonTestStop(&d, false);
    g_free(uri);
    printf("50 clients during a %s backup: ok\n", pull ? "pull" : "push");
    return 0;
}
