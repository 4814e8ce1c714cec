/*
 * handshaketest.c: peers that never authenticate cannot keep anyone out
 * of cairnd. 128 raw connections that say nothing (and a few that start
 * the handshake and stall) are held at most --max-handshakes at once,
 * while a real client still connects and calls; after
 * --handshake-timeout every one of them is closed by the daemon, and the
 * authenticated client is still served.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cairn/cairn.h"
#include "daemontestutils.h"

#define RAW_PEERS 128
#define STALLED_PEERS 3
#define HELD 16    /* --max-handshakes */
#define DEADLINE 2 /* --handshake-timeout */


/* A connection to @path that does nothing more; -1 on failure. */
static int
rawConnect(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpuint(strlen(path), <, sizeof(addr.sun_path));
    strcpy(addr.sun_path, path);
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}


/* True once the daemon has closed @fd (EOF or reset), waiting up to
 * @ms milliseconds. */
static bool
rawClosed(int fd, int ms)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };
    char buf[256];
    ssize_t n;

    if (poll(&p, 1, ms) <= 0)
        return false;
    while ((n = read(fd, buf, sizeof(buf))) > 0)
        ; /* a D-Bus server says nothing first; drain whatever came */
    return n == 0 || (n < 0 && errno == ECONNRESET);
}


/* A real client: open, list the domains, keep the connection. */
static cairnConnectPtr
realClient(const char *uri)
{
    cairnConnectPtr conn = cairnConnectOpen(uri);

    if (!conn)
        g_error("a real client could not connect: %s", cairnGetLastErrorMessage());
    g_assert_cmpint(cairnConnectListAllDomains(conn, NULL, 0), ==, 1);
    return conn;
}


static void
testFlood(void)
{
    g_autofree char *max = g_strdup_printf("--max-handshakes=%d", HELD);
    g_autofree char *timeout = g_strdup_printf("--handshake-timeout=%d", DEADLINE);
    const char *const args[] = { "--test", max, timeout, NULL };
    g_auto(daemonTest) d = { 0 };
    g_autofree char *uri = NULL;
    int raw[RAW_PEERS];
    int stalled[STALLED_PEERS];
    cairnConnectPtr conn;
    gint64 start;
    double secs;

    daemonTestStart(&d, args);
    uri = daemonTestURI(&d, true);
    for (int i = 0; i < RAW_PEERS; i++)
        g_assert_cmpint(raw[i] = rawConnect(d.socket), >=, 0);
    /* The start of a D-Bus handshake (the credentials byte and an AUTH
     * line cut short), and then nothing. */
    for (int i = 0; i < STALLED_PEERS; i++) {
        g_assert_cmpint(stalled[i] = rawConnect(d.socket), >=, 0);
        g_assert_cmpint(write(stalled[i], "\0AUTH EXT", 9), ==, 9);
    }

    /* The daemon holds the newest ones: the oldest are closed as soon as
     * it has accepted them all (the stalled ones were the last). */
    for (int i = 0; i < RAW_PEERS + STALLED_PEERS - HELD; i++) {
        if (!rawClosed(raw[i], 5000)) {
            daemonTestDumpLog(&d);
            g_error("silent peer %d was not dropped for the newer ones", i);
        }
    }

    /* A real client gets in at once, well before any deadline frees a
     * place. */
    start = g_get_monotonic_time();
    conn = realClient(uri);
    secs = (double)(g_get_monotonic_time() - start) / G_USEC_PER_SEC;
    g_print("# a real client connected past %d silent peers in %.2f s\n", RAW_PEERS, secs);
    g_assert_cmpfloat(secs, <, DEADLINE);

    /* After the deadline, no unauthenticated peer is left. */
    for (int i = 0; i < RAW_PEERS; i++) {
        if (!rawClosed(raw[i], (DEADLINE + 3) * 1000)) {
            daemonTestDumpLog(&d);
            g_error("silent peer %d still open after the deadline", i);
        }
        close(raw[i]);
    }
    for (int i = 0; i < STALLED_PEERS; i++) {
        if (!rawClosed(stalled[i], (DEADLINE + 3) * 1000)) {
            daemonTestDumpLog(&d);
            g_error("stalled peer %d still open after the deadline", i);
        }
        close(stalled[i]);
    }

    /* The deadline is for the handshake only: the authenticated client,
     * idle past it, is still served, and so is a new one. */
    g_usleep(DEADLINE * G_USEC_PER_SEC);
    g_assert_cmpint(cairnConnectListAllDomains(conn, NULL, 0), ==, 1);
    cairnConnectClose(conn);
    cairnConnectClose(realClient(uri));
    daemonTestStop(&d, false);
}


/* Under the limit, a silent peer is closed at its deadline, not before. */
static void
testDeadline(void)
{
    g_autofree char *timeout = g_strdup_printf("--handshake-timeout=%d", DEADLINE);
    const char *const args[] = { "--test", timeout, NULL };
    g_auto(daemonTest) d = { 0 };
    gint64 start;
    double secs;
    int fd;

    d.socket = g_build_filename(daemonTestDir(), "deadline-sock", NULL);
    d.log = g_build_filename(daemonTestDir(), "deadline.log", NULL);
    daemonTestStart(&d, args);
    start = g_get_monotonic_time();
    g_assert_cmpint(fd = rawConnect(d.socket), >=, 0);
    g_assert_true(rawClosed(fd, (DEADLINE + 3) * 1000));
    secs = (double)(g_get_monotonic_time() - start) / G_USEC_PER_SEC;
    g_print("# a silent peer closed after %.2f s (deadline %d s)\n", secs, DEADLINE);
    g_assert_cmpfloat(secs, >=, DEADLINE - 0.5);
    close(fd);
    daemonTestStop(&d, false);
}


int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/daemon/handshake/flood", testFlood);
    g_test_add_func("/daemon/handshake/deadline", testDeadline);
    return g_test_run();
}
