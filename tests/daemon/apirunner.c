/*
 * apirunner.c: run an API test program through cairnd.
 *
 * Usage: apirunner PROGRAM [ARGS...]
 *
 * Starts "cairnd --test" on a private socket and runs PROGRAM with
 * CAIRN_TEST_URI=test+unix:///default?socket=..., so the same test that
 * passes on an embedded test:///default must pass through the daemon. The
 * fake clock of tests/api (CAIRN_TEST_FAKE_TIME) lives in the daemon,
 * which owns the driver.
 *
 * With CAIRN_TEST_SSH=1 the program reaches the daemon through a private
 * sshd instead (test+ssh://root@127.0.0.1:PORT/default?socket=..., see
 * sshtestutils.h); the test skips (77) where sshd cannot run.
 */
#include <stdlib.h>
#include <sys/wait.h>

#include "daemontestutils.h"
#include "sshtestutils.h"


int
main(int argc, char **argv)
{
    const char *const args[] = { "--test", NULL };
    g_auto(daemonTest) d = { 0 };
    g_auto(sshTest) ssh = { 0 };
    bool over_ssh = g_strcmp0(g_getenv("CAIRN_TEST_SSH"), "1") == 0;
    g_autofree char *uri = NULL;
    g_autoptr(GError) err = NULL;
    int status = 0;

    if (argc < 2) {
        g_printerr("usage: apirunner PROGRAM [ARGS...]\n");
        return 2;
    }
    g_setenv("CAIRN_TEST_FAKE_TIME", "1700000000", TRUE);
    if (over_ssh && !sshTestStart(&ssh))
        return 77;
    daemonTestStart(&d, args);
    uri = over_ssh ? sshTestURI(&ssh, "test", "/default", d.socket) : daemonTestURI(&d, true);
    g_setenv("CAIRN_TEST_URI", uri, TRUE);
    if (!g_spawn_sync(NULL, argv + 1, NULL, G_SPAWN_CHILD_INHERITS_STDIN, NULL, NULL, NULL, NULL,
                      &status, &err)) {
        g_printerr("cannot run %s: %s\n", argv[1], err->message);
        daemonTestStop(&d, true);
        return 1;
    }
    daemonTestStop(&d, false);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        daemonTestDumpLog(&d);
        return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
    }
    return 0;
}
