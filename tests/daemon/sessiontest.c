/*
 * sessiontest.c: qemu:///session with no daemon running starts one
 * (cairnd --session --daemonize, from $CAIRND_PATH) with its socket 0600
 * under $XDG_RUNTIME_DIR/cairn and its state under $XDG_DATA_HOME/cairn;
 * a second client reuses it. A daemon with --timeout 1 exits by itself
 * once no client is connected.
 */
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cairn/cairn.h"
#include "daemontestutils.h"

static void
testAutostart(void)
{
    const char *dir = daemonTestDir();
    g_autofree char *run = g_build_filename(dir, "run", NULL);
    g_autofree char *sock = g_build_filename(run, "cairn", "cairn-sock", NULL);
    g_autofree char *lock = g_strdup_printf("%s.lock", sock);
    g_autofree char *data = g_build_filename(dir, "data", "cairn", NULL);
    g_autofree char *data_home = g_build_filename(dir, "data", NULL);
    g_autofree char *cache_home = g_build_filename(dir, "cache", NULL);
    g_autofree char *pidtext = NULL;
    cairnConnectPtr a;
    cairnConnectPtr b;
    struct stat st;
    pid_t pid;

    g_assert_cmpint(g_mkdir_with_parents(run, 0700), ==, 0);
    g_setenv("XDG_RUNTIME_DIR", run, TRUE);
    g_setenv("XDG_DATA_HOME", data_home, TRUE);
    g_setenv("XDG_CACHE_HOME", cache_home, TRUE);
    g_setenv("CAIRND_PATH", g_getenv("CAIRND"), TRUE);

    g_assert_nonnull(a = cairnConnectOpen("qemu:///session"));
    g_assert_cmpstr(cairnConnectGetType(a), ==, "QEMU");
    g_assert_cmpint(cairnConnectListAllDomains(a, NULL, 0), ==, 0);
    g_assert_nonnull(b = cairnConnectOpen("qemu:///session"));
    g_assert_cmpint(cairnConnectListAllDomains(b, NULL, 0), ==, 0);
    g_assert_cmpint(stat(sock, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 0777, ==, 0600);
    g_assert_true(g_file_test(data, G_FILE_TEST_IS_DIR));

    /* The daemon is not our child: stop it by the pid in its lock file. */
    g_assert_true(g_file_get_contents(lock, &pidtext, NULL, NULL));
    pid = (pid_t)g_ascii_strtoll(pidtext, NULL, 10);
    g_assert_cmpint(pid, >, 1);
    cairnConnectClose(a);
    cairnConnectClose(b);
    g_assert_cmpint(kill(pid, SIGTERM), ==, 0);
    for (int i = 0; i < 500 && kill(pid, 0) == 0; i++)
        g_usleep(10000);
    g_assert_cmpint(kill(pid, 0), ==, -1);
    g_assert_false(g_file_test(sock, G_FILE_TEST_EXISTS));
}


static void
testIdleExit(void)
{
    const char *const args[] = { "--test", "--timeout=1", NULL };
    g_auto(daemonTest) d = { 0 };
    g_autofree char *uri = NULL;
    cairnConnectPtr conn;
    bool gone = false;

    daemonTestStart(&d, args);
    uri = daemonTestURI(&d, true);
    g_assert_nonnull(conn = cairnConnectOpen(uri));
    g_usleep(1500 * 1000);
    /* Still there while a client is connected. */
    g_assert_cmpint(waitpid(d.pid, NULL, WNOHANG), ==, 0);
    cairnConnectClose(conn);
    for (int i = 0; i < 500 && !gone; i++) {
        gone = waitpid(d.pid, NULL, WNOHANG) == d.pid;
        if (!gone)
            g_usleep(10000);
    }
    g_assert_true(gone);
    d.pid = 0;
}


int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/daemon/session/autostart", testAutostart);
    g_test_add_func("/daemon/session/idle-exit", testIdleExit);
    return g_test_run();
}
