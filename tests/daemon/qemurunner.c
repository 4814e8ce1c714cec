/*
 * qemurunner.c: run a real-QEMU test (tests/qemu) through cairnd.
 *
 * Usage: qemurunner PROGRAM [ARGS...]
 *
 * Makes a state root, starts "cairnd --session --root ROOT" on a private socket
 * and runs PROGRAM with CAIRN_TEST_QEMU_ROOT=ROOT and
 * CAIRN_TEST_QEMU_URI=qemu+unix:///session?socket=..., so the test that
 * passes on qemu:///embed?root=ROOT must pass unchanged through the daemon
 * and its qemu driver. The test checks and cleans the root itself (it
 * kills its QEMUs by pid); the daemon is stopped afterwards. An exit
 * status of 77 (no usable QEMU) is passed on as a skip.
 *
 * With CAIRN_TEST_SSH=1 the URI is qemu+ssh://root@127.0.0.1:PORT/session
 * through a private sshd (sshtestutils.h), which skips where sshd cannot
 * run.
 */
#include <stdlib.h>
#include <glib/gstdio.h>
#include <sys/wait.h>

#include "daemontestutils.h"
#include "sshtestutils.h"


int
main(int argc, char **argv)
{
    g_autofree char *root = g_build_filename(daemonTestDir(), "root", NULL);
    const char *const args[] = { "--session", "--root", root, NULL };
    g_auto(daemonTest) d = { 0 };
    g_auto(sshTest) ssh = { 0 };
    bool over_ssh = g_strcmp0(g_getenv("CAIRN_TEST_SSH"), "1") == 0;
    g_autofree char *uri = NULL;
    g_autoptr(GError) err = NULL;
    int status = 0;

    if (argc < 2) {
        g_printerr("usage: qemurunner PROGRAM [ARGS...]\n");
        return 2;
    }
    g_assert_cmpint(g_mkdir(root, 0700), ==, 0);
    if (over_ssh && !sshTestStart(&ssh))
        return 77;
    daemonTestStart(&d, args);
    uri = over_ssh ? sshTestURI(&ssh, "qemu", "/session", d.socket) : daemonTestURI(&d, false);
    g_setenv("CAIRN_TEST_QEMU_ROOT", root, TRUE);
    g_setenv("CAIRN_TEST_QEMU_URI", uri, TRUE);
    if (!g_spawn_sync(NULL, argv + 1, NULL, G_SPAWN_CHILD_INHERITS_STDIN, NULL, NULL, NULL, NULL,
                      &status, &err)) {
        g_printerr("cannot run %s: %s\n", argv[1], err->message);
        daemonTestStop(&d, true);
        return 1;
    }
    daemonTestStop(&d, false);
    if (!WIFEXITED(status) || (WEXITSTATUS(status) != 0 && WEXITSTATUS(status) != 77)) {
        daemonTestDumpLog(&d);
        return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
    }
    return WEXITSTATUS(status);
}
