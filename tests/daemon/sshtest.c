/*
 * sshtest.c: what the ssh transport adds, through a private sshd (see
 * sshtestutils.h) to "cairnd --test":
 *
 * - events cross ssh: a JOB_COMPLETED callback registered on a
 *   test+ssh:// connection sees the end of an aborted pull backup;
 * - there is no call channel (no file descriptors over ssh), and calls
 *   work on the bus;
 * - a dropped connection (ssh killed with SIGKILL) fails the next call at
 *   once with libvirt's error: CAIRN_ERR_SYSTEM_ERROR, "End of file while
 *   reading data: ...", not a hang;
 * - qemu+ssh://HOST/session with no daemon there: cairn-ssh-helper starts
 *   one ($CAIRND_PATH of the ssh session) on the far side, under the
 *   session's XDG_RUNTIME_DIR; a second client reuses it;
 * - a refused ssh connection fails the open with CAIRN_ERR_NO_CONNECT and
 *   ssh's own words; malformed ssh URIs are refused before ssh runs.
 *
 * Skips (77) where sshd cannot run.
 */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cairn/cairn.h>

#include "daemontestutils.h"
#include "sshtestutils.h"

typedef struct {
    int events[8];
    int n;
} eventLog;


static void
onJobCompleted(cairnConnectPtr conn,
               cairnDomainPtr dom,
               cairnTypedParameterPtr params,
               int nparams,
               void *opaque)
{
    eventLog *log = opaque;

    if (log->n < (int)G_N_ELEMENTS(log->events))
        log->events[log->n++] = nparams;
}


static void
waitEvents(eventLog *log, int n)
{
    gint64 deadline = g_get_monotonic_time() + 10 * G_TIME_SPAN_SECOND;

    while (log->n < n && g_get_monotonic_time() < deadline)
        g_main_context_iteration(NULL, FALSE) || (g_usleep(1000), 0);
    g_assert_cmpint(log->n, ==, n);
}


/* The ssh process this process started (the only child named ssh). */
static pid_t
findSSHChild(void)
{
    g_autoptr(GDir) dir = g_dir_open("/proc", 0, NULL);
    const char *name;
    pid_t found = 0;

    g_assert_nonnull(dir);
    while ((name = g_dir_read_name(dir))) {
        g_autofree char *path = g_strdup_printf("/proc/%s/stat", name);
        g_autofree char *stat = NULL;
        char comm[64];
        int ppid = 0;
        char *close;

        if (!g_ascii_isdigit(name[0]) || !g_file_get_contents(path, &stat, NULL, NULL) ||
            !(close = strrchr(stat, ')')))
            continue;
        if (sscanf(close + 2, "%*c %d", &ppid) != 1 || ppid != getpid())
            continue;
        if (sscanf(stat, "%*d (%63[^)])", comm) == 1 && g_str_equal(comm, "ssh")) {
            g_assert_cmpint(found, ==, 0);
            found = (pid_t)atoi(name);
        }
    }
    g_assert_cmpint(found, >, 0);
    return found;
}


static void
expectError(int code, const char *needle)
{
    const char *msg = cairnGetLastErrorMessage();

    g_assert_cmpint(cairnGetLastErrorCode(), ==, code);
    if (!strstr(msg, needle))
        g_error("error '%s' does not contain '%s'", msg, needle);
}


static void
testEvents(const char *uri)
{
    const char *xml = "<domainbackup mode='pull'>"
                      "<server transport='unix' socket='/nonexistent/nbd.sock'/></domainbackup>";
    cairnConnectPtr conn = cairnConnectOpen(uri);
    cairnDomainPtr dom;
    eventLog log = { 0 };
    int id;

    g_assert_nonnull(conn);
    g_assert_nonnull((dom = cairnDomainLookupByName(conn, "test")));
    id =
        cairnConnectDomainEventRegisterAny(conn, NULL, CAIRN_DOMAIN_EVENT_ID_JOB_COMPLETED,
                                           CAIRN_DOMAIN_EVENT_CALLBACK(onJobCompleted), &log, NULL);
    g_assert_cmpint(id, >=, 0);
    g_assert_cmpint(cairnDomainBackupBegin(dom, xml, NULL, 0), ==, 0);
    g_assert_cmpint(cairnDomainAbortJob(dom), ==, 0);
    waitEvents(&log, 1);
    g_assert_cmpint(log.events[0], >, 0);
    g_assert_cmpint(cairnConnectDomainEventDeregisterAny(conn, id), ==, 0);
    cairnDomainFree(dom);
    g_assert_cmpint(cairnConnectClose(conn), ==, 0);
}


static void
testDropped(const char *uri)
{
    cairnConnectPtr conn = cairnConnectOpen(uri);
    unsigned long version = 0;
    gint64 start;

    g_assert_nonnull(conn);
    g_assert_cmpint(cairnConnectGetLibVersion(conn, &version), ==, 0);
    kill(findSSHChild(), SIGKILL);
    start = g_get_monotonic_time();
    g_assert_cmpint(cairnConnectGetLibVersion(conn, &version), <, 0);
    expectError(CAIRN_ERR_SYSTEM_ERROR, "End of file while reading data");
    expectError(CAIRN_ERR_SYSTEM_ERROR, "Input/output error");
    g_assert_cmpint(cairnDomainLookupByName(conn, "test") == NULL, ==, 1);
    expectError(CAIRN_ERR_SYSTEM_ERROR, "End of file while reading data");
    g_assert_cmpint(g_get_monotonic_time() - start, <, 5 * G_TIME_SPAN_SECOND);
    cairnConnectClose(conn);
}


static void
testSessionAutostart(const sshTest *s)
{
    g_autofree char *uri = sshTestURI(s, "qemu", "/session", NULL);
    g_autofree char *sock = g_build_filename(s->dir, "run", "cairn", "cairn-sock", NULL);
    g_autofree char *lock = g_strdup_printf("%s.lock", sock);
    g_autofree char *pidtext = NULL;
    cairnConnectPtr a;
    cairnConnectPtr b;
    pid_t pid;

    g_assert_false(g_file_test(sock, G_FILE_TEST_EXISTS));
    g_assert_nonnull((a = cairnConnectOpen(uri)));
    g_assert_cmpstr(cairnConnectGetType(a), ==, "QEMU");
    g_assert_cmpint(cairnConnectListAllDomains(a, NULL, 0), ==, 0);
    g_assert_nonnull((b = cairnConnectOpen(uri)));
    g_assert_cmpint(cairnConnectListAllDomains(b, NULL, 0), ==, 0);
    g_assert_true(g_file_test(sock, G_FILE_TEST_EXISTS));
    /* Not our child: stopped by the pid in its lock file. */
    g_assert_true(g_file_get_contents(lock, &pidtext, NULL, NULL));
    pid = (pid_t)g_ascii_strtoll(pidtext, NULL, 10);
    g_assert_cmpint(pid, >, 1);
    cairnConnectClose(a);
    cairnConnectClose(b);
    g_assert_cmpint(kill(pid, SIGTERM), ==, 0);
    for (int i = 0; i < 500 && kill(pid, 0) == 0; i++)
        g_usleep(10000);
    g_assert_cmpint(kill(pid, 0), ==, -1);
}


static void
testRefused(const sshTest *s, const char *socket)
{
    sshTest closed = *s;
    g_autofree char *uri = NULL;

    closed.port = 1; /* nothing listens on tcpmux */
    uri = sshTestURI(&closed, "test", "/default", socket);
    g_assert_null(cairnConnectOpen(uri));
    expectError(CAIRN_ERR_NO_CONNECT, "Connection refused");
}


static void
testMalformed(const sshTest *s)
{
    g_assert_null(cairnConnectOpen("qemu+ssh:///system"));
    expectError(CAIRN_ERR_INVALID_ARG, "needs a host");
    g_assert_null(cairnConnectOpen("test+ssh://localhost/default"));
    expectError(CAIRN_ERR_INVALID_ARG, "needs socket=PATH");
    g_assert_null(cairnConnectOpen("qemu+ssh://localhost/system?bogus=1"));
    expectError(CAIRN_ERR_INVALID_ARG, "unknown parameter 'bogus'");
    g_assert_null(cairnConnectOpen("qemu+unix://localhost/system"));
    expectError(CAIRN_ERR_INVALID_ARG, "a host needs the ssh transport");
}


int
main(void)
{
    const char *const args[] = { "--test", NULL };
    g_auto(daemonTest) d = { 0 };
    g_auto(sshTest) s = { 0 };
    g_autofree char *uri = NULL;

    if (!sshTestStart(&s))
        return 77;
    daemonTestStart(&d, args);
    uri = sshTestURI(&s, "test", "/default", d.socket);
    testEvents(uri);
    testDropped(uri);
    testSessionAutostart(&s);
    testRefused(&s, d.socket);
    testMalformed(&s);
    daemonTestStop(&d, false);
    printf("ok\n");
    return 0;
}
