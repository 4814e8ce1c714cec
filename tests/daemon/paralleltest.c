/*
 * paralleltest.c: 50 clients at once, each with its own connection,
 * doing list / dumpxml / checkpoint-create / checkpoint-list /
 * checkpoint-dumpxml rounds: every call must succeed and the whole run
 * must end in bounded time (no stall). Then the client limit: a daemon
 * with --max-clients 2 turns the third peer away and serves it once one
 * of the first two has left.
 */
#include <stdio.h>

#include "cairn/cairn.h"
#include "daemontestutils.h"

#define CLIENTS 50
#define ROUNDS 20

static char *uri;
static gint failures;


static bool
clientRound(cairnConnectPtr conn, int round)
{
    cairnDomainPtr *doms = NULL;
    cairnDomainCheckpointPtr *chks = NULL;
    g_autofree char *name = g_strdup_printf("c%d", round);
    g_autofree char *chkxml =
        g_strdup_printf("<domaincheckpoint><name>%s</name></domaincheckpoint>", name);
    cairnDomainCheckpointPtr chk;
    char *xml;
    int n;
    bool ok;

    if ((n = cairnConnectListAllDomains(conn, &doms, 0)) < 1)
        return false;
    xml = cairnDomainGetXMLDesc(doms[0], 0);
    ok = xml != NULL;
    g_free(xml);
    if (ok && (chk = cairnDomainCheckpointCreateXML(doms[0], chkxml, 0))) {
        xml = cairnDomainCheckpointGetXMLDesc(chk, 0);
        ok = xml != NULL;
        g_free(xml);
        cairnDomainCheckpointFree(chk);
    } else {
        ok = false;
    }
    ok = ok && cairnDomainListAllCheckpoints(doms[0], &chks, 0) == round + 1;
    for (int i = 0; chks && chks[i]; i++)
        cairnDomainCheckpointFree(chks[i]);
    g_free(chks);
    for (int i = 0; i < n; i++)
        cairnDomainFree(doms[i]);
    g_free(doms);
    return ok;
}


static gpointer
clientThread(gpointer opaque)
{
    cairnConnectPtr conn = cairnConnectOpen(uri);

    if (!conn) {
        fprintf(stderr, "open: %s\n", cairnGetLastErrorMessage());
        g_atomic_int_inc(&failures);
        return NULL;
    }
    for (int round = 0; round < ROUNDS; round++) {
        if (!clientRound(conn, round)) {
            fprintf(stderr, "round %d: %s\n", round, cairnGetLastErrorMessage());
            g_atomic_int_inc(&failures);
            break;
        }
    }
    cairnConnectClose(conn);
    return NULL;
}


static void
testFifty(void)
{
    const char *const args[] = { "--test", NULL };
    g_auto(daemonTest) d = { 0 };
    GThread *threads[CLIENTS];
    gint64 start;
    double secs;

    daemonTestStart(&d, args);
    uri = daemonTestURI(&d, true);
    start = g_get_monotonic_time();
    for (int i = 0; i < CLIENTS; i++)
        threads[i] = g_thread_new("client", clientThread, NULL);
    for (int i = 0; i < CLIENTS; i++)
        g_thread_join(threads[i]);
    secs = (double)(g_get_monotonic_time() - start) / G_USEC_PER_SEC;
    g_print("# %d clients x %d rounds (6 calls each) in %.2f s\n", CLIENTS, ROUNDS, secs);
    if (g_atomic_int_get(&failures))
        daemonTestDumpLog(&d);
    g_assert_cmpint(g_atomic_int_get(&failures), ==, 0);
    g_assert_cmpfloat(secs, <, 60.0);
    daemonTestStop(&d, false);
    g_clear_pointer(&uri, g_free);
}


static void
testLimit(void)
{
    const char *const args[] = { "--test", "--max-clients=2", NULL };
    g_auto(daemonTest) d = { 0 };
    g_autofree char *limited = NULL;
    cairnConnectPtr a;
    cairnConnectPtr b;
    cairnConnectPtr c = NULL;

    d.socket = g_build_filename(daemonTestDir(), "limited-sock", NULL);
    d.log = g_build_filename(daemonTestDir(), "limited.log", NULL);
    daemonTestStart(&d, args);
    limited = daemonTestURI(&d, true);
    g_assert_nonnull(a = cairnConnectOpen(limited));
    g_assert_nonnull(b = cairnConnectOpen(limited));
    g_assert_null(cairnConnectOpen(limited));
    g_assert_cmpint(cairnGetLastErrorCode(), ==, CAIRN_ERR_NO_CONNECT);
    cairnConnectClose(a);
    /* The daemon notices the close from its main loop. */
    for (int i = 0; i < 200 && !c; i++) {
        if (!(c = cairnConnectOpen(limited)))
            g_usleep(10000);
    }
    g_assert_nonnull(c);
    cairnConnectClose(b);
    cairnConnectClose(c);
    daemonTestStop(&d, false);
}


int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/daemon/parallel/fifty-clients", testFifty);
    g_test_add_func("/daemon/parallel/client-limit", testLimit);
    return g_test_run();
}
