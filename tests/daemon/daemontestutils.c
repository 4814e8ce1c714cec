/*
 * daemontestutils.c: running cairnd for a test (see daemontestutils.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>

#include "daemontestutils.h"
#include "remote/remote_protocol.h"
#include "testroot.h"

static char *testDir;
static GPid livePids[16];


static void
daemonTestCleanup(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(livePids); i++) {
        if (livePids[i] > 0) {
            kill(livePids[i], SIGKILL);
            waitpid(livePids[i], NULL, 0);
        }
    }
    if (testDir && !g_getenv("CAIRN_TEST_KEEP")) {
        g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", testDir);

        if (system(cmd) != 0)
            fprintf(stderr, "cannot remove %s\n", testDir);
    }
}


const char *
daemonTestDir(void)
{
    if (!testDir) {
        g_autoptr(GError) err = NULL;

        /* A test root: the QEMUs of a qemurunner root inside it are swept
         * should this test be killed by SIGKILL. */
        testDir = cairnTestRootMake("cairnd", &err);
        g_assert_no_error(err);
        atexit(daemonTestCleanup);
    }
    return testDir;
}


static void
daemonTestRemember(GPid pid, GPid forget)
{
    for (size_t i = 0; i < G_N_ELEMENTS(livePids); i++) {
        if (livePids[i] == forget) {
            livePids[i] = pid;
            return;
        }
    }
}


void
daemonTestWatchPid(GPid pid)
{
    daemonTestRemember(pid, 0);
}


void
daemonTestUnwatchPid(GPid pid)
{
    daemonTestRemember(0, pid);
}


static bool
daemonTestListens(const char *path)
{
    g_autoptr(GSocketClient) client = g_socket_client_new();
    g_autoptr(GSocketAddress) addr = g_unix_socket_address_new(path);
    g_autoptr(GSocketConnection) conn = NULL;

    conn = g_socket_client_connect(client, G_SOCKET_CONNECTABLE(addr), NULL, NULL);
    return conn != NULL;
}


void
daemonTestDumpLog(const daemonTest *d)
{
    g_autofree char *text = NULL;

    if (d->log && g_file_get_contents(d->log, &text, NULL, NULL))
        fprintf(stderr, "---- cairnd log ----\n%s---- end ----\n", text);
}


/* A daemon must not outlive a test that aborted before its exit handler
 * could run. */
static void
daemonTestChildSetup(gpointer opaque)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
}


void
daemonTestStart(daemonTest *d, const char *const *args)
{
    const char *cairnd = g_getenv("CAIRND");
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autoptr(GError) err = NULL;
    int logfd;

    g_assert_nonnull(cairnd);
    if (!d->socket) {
        d->socket = g_build_filename(daemonTestDir(), "sock", NULL);
        d->log = g_build_filename(daemonTestDir(), "cairnd.log", NULL);
    }
    g_ptr_array_add(argv, (char *)cairnd);
    g_ptr_array_add(argv, (char *)"--socket");
    g_ptr_array_add(argv, d->socket);
    g_ptr_array_add(argv, (char *)"--log-level=debug");
    for (size_t i = 0; args && args[i]; i++)
        g_ptr_array_add(argv, (char *)args[i]);
    g_ptr_array_add(argv, NULL);
    logfd = open(d->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    g_assert_cmpint(logfd, >=, 0);
    g_assert_true(g_spawn_async_with_fds(NULL, (char **)argv->pdata, NULL,
                                         G_SPAWN_DO_NOT_REAP_CHILD, daemonTestChildSetup, NULL,
                                         &d->pid, -1, logfd, logfd, &err));
    close(logfd);
    daemonTestRemember(d->pid, 0);
    for (int i = 0; i < 1000; i++) {
        if (daemonTestListens(d->socket))
            return;
        if (waitpid(d->pid, NULL, WNOHANG) == d->pid) {
            daemonTestRemember(0, d->pid);
            daemonTestDumpLog(d);
            g_error("cairnd exited at start");
        }
        g_usleep(10000);
    }
    daemonTestDumpLog(d);
    g_error("cairnd did not listen within 10 s");
}


void
daemonTestStop(daemonTest *d, bool hard)
{
    if (d->pid <= 0)
        return;
    int status = 0;

    kill(d->pid, hard ? SIGKILL : SIGTERM);
    waitpid(d->pid, &status, 0);
    daemonTestRemember(0, d->pid);
    d->pid = 0;
    /* A clean stop exits 0: under ASan a leak (LeakSanitizer's exit code)
     * or any sanitizer error in the daemon fails the test. */
    if (!hard && (!WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
        daemonTestDumpLog(d);
        fprintf(stderr, "cairnd did not stop cleanly (status 0x%x)\n", status);
        /* exit(), not abort: the exit handlers kill what the test started. */
        exit(EXIT_FAILURE);
    }
}


int
daemonTestWait(daemonTest *d, int ms)
{
    int status = 0;

    for (int i = 0; i <= ms / 10; i++) {
        if (waitpid(d->pid, &status, WNOHANG) == d->pid) {
            daemonTestRemember(0, d->pid);
            d->pid = 0;
            return status;
        }
        g_usleep(10000);
    }
    return -1;
}


void
daemonTestWaitLog(const daemonTest *d, const char *text)
{
    for (int i = 0; i < 1000; i++) {
        g_autofree char *log = NULL;

        if (g_file_get_contents(d->log, &log, NULL, NULL) && strstr(log, text))
            return;
        g_usleep(10000);
    }
    daemonTestDumpLog(d);
    g_error("'%s' not in the daemon's log within 10 s", text);
}


void
daemonTestClear(daemonTest *d)
{
    daemonTestStop(d, true);
    g_clear_pointer(&d->socket, g_free);
    g_clear_pointer(&d->log, g_free);
}


char *
daemonTestURI(const daemonTest *d, bool test)
{
    return g_strdup_printf("%s:///%s?socket=%s", test ? "test+unix" : "qemu+unix",
                           test ? "default" : "session", d->socket);
}


char *
daemonTestAddress(const daemonTest *d)
{
    g_autofree char *escaped = g_dbus_address_escape_value(d->socket);

    return g_strdup_printf("unix:path=%s", escaped);
}


GVariant *
daemonTestDomainVariant(void)
{
    static const unsigned char uuid[16] = { 0x66, 0x95, 0xeb, 0x01, 0xf6, 0xa4, 0x83, 0x04,
                                            0x79, 0xaa, 0x97, 0xf2, 0x50, 0x2e, 0x19, 0x3f };

    return g_variant_new("(s@ayi)", "test",
                         g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, uuid, 16, 1), 1);
}


/* A well-formed value of @sig aimed at domain "test". */
static GVariant *
daemonTestDefaultArg(const char *sig)
{
    if (g_str_equal(sig, "s"))
        return g_variant_new_string("c1");
    if (g_str_equal(sig, "u"))
        return g_variant_new_uint32(0);
    if (g_str_equal(sig, "i"))
        return g_variant_new_int32(1);
    if (g_str_equal(sig, "t"))
        return g_variant_new_uint64(0);
    if (g_str_equal(sig, "b"))
        return g_variant_new_boolean(TRUE);
    if (g_str_equal(sig, "(sayi)"))
        return daemonTestDomainVariant();
    if (g_str_equal(sig, "ay")) {
        g_autoptr(GVariant) dom = g_variant_ref_sink(daemonTestDomainVariant());

        return g_variant_get_child_value(dom, 1);
    }
    g_error("no default for signature %s: extend daemonTestDefaultArg()", sig);
}


GVariant *
daemonTestDefaultArgs(const char *method)
{
    GDBusMethodInfo *m = g_dbus_interface_info_lookup_method(remoteProtocolInterface(), method);
    g_autoptr(GVariantBuilder) b = g_variant_builder_new(G_VARIANT_TYPE_TUPLE);

    g_assert_nonnull(m);
    for (GDBusArgInfo **a = m->in_args; a && *a; a++)
        g_variant_builder_add_value(b, daemonTestDefaultArg((*a)->signature));
    return g_variant_builder_end(b);
}
