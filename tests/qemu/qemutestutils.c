/*
 * qemutestutils.c: helpers of the real-QEMU tests.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "qemutestutils.h"
#include "testroot.h"
#include "util/cairnkvm.h"

static char *testRoot;
static char *testURI;
static pid_t testOwner;


void
qemuTestFail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "FAIL %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    if (cairnGetLastErrorMessage())
        fprintf(stderr, "  last error: %s\n", cairnGetLastErrorMessage());
    exit(EXIT_FAILURE);
}


/* Kill every QEMU of this root (its command line names ROOT/run/) by its
 * pid, and remove the root. */
static void
qemuTestCleanup(void)
{
    g_autofree char *needle = NULL;
    pid_t pid;

    if (!testRoot || getpid() != testOwner)
        return;
    needle = g_strdup_printf("path=%s/run/", testRoot);
    for (int i = 0; i < 1000 && (pid = qemuTestFindProcess(needle)) > 0; i++) {
        kill(pid, SIGKILL);
        g_usleep(5000);
    }
    if (!g_getenv("CAIRN_TEST_KEEP")) {
        const char *argv[] = { "rm", "-rf", testRoot, NULL };

        g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL,
                     NULL);
    } else {
        fprintf(stderr, "kept %s\n", testRoot);
    }
}


static void
qemuTestSignal(int sig)
{
    qemuTestCleanup();
    _exit(128 + sig);
}


static bool
qemuTestCanRunQemu(void)
{
    const char *qemu[] = { "qemu-system-x86_64", "-version", NULL };
    const char *img[] = { "qemu-img", "--version", NULL };
    int st1 = -1;
    int st2 = -1;

    if (!g_spawn_sync(NULL, (char **)qemu, NULL,
                      G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                      NULL, NULL, NULL, NULL, &st1, NULL) ||
        !g_spawn_sync(NULL, (char **)img, NULL,
                      G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                      NULL, NULL, NULL, NULL, &st2, NULL))
        return false;
    return st1 == 0 && st2 == 0;
}


const char *
qemuTestSetup(const char *testname)
{
    g_autoptr(GError) err = NULL;

    if (!qemuTestCanRunQemu()) {
        fprintf(stderr, "SKIP: qemu-system-x86_64 or qemu-img cannot run here\n");
        exit(77);
    }
    /* QEMUs of tests killed by SIGKILL before this one (testroot.h). */
    cairnTestRootSweep(stderr, false);
    if (g_getenv("CAIRN_TEST_QEMU_ROOT") && g_getenv("CAIRN_TEST_QEMU_URI")) {
        /* tests/daemon/qemurunner: a cairnd serves this root. */
        testRoot = g_strdup(g_getenv("CAIRN_TEST_QEMU_ROOT"));
        testURI = g_strdup(g_getenv("CAIRN_TEST_QEMU_URI"));
    } else if (!(testRoot = cairnTestRootMake(testname, &err))) {
        fprintf(stderr, "FAIL: cannot make a temporary root: %s\n", err->message);
        exit(EXIT_FAILURE);
    } else {
        testURI = g_strdup_printf("qemu:///embed?root=%s", testRoot);
    }
    testOwner = getpid();
    atexit(qemuTestCleanup);
    signal(SIGTERM, qemuTestSignal);
    signal(SIGINT, qemuTestSignal);
    return testRoot;
}


const char *
qemuTestURI(void)
{
    return testURI;
}


cairnConnectPtr
qemuTestConnect(void)
{
    cairnConnectPtr conn = cairnConnectOpen(testURI);

    if (!conn)
        qemuTestFail(__FILE__, __LINE__, "cannot open %s", testURI);
    return conn;
}


bool
qemuTestRun(const char *const *argv)
{
    g_autoptr(GError) err = NULL;
    int status = -1;

    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_CHILD_INHERITS_STDIN,
                      NULL, NULL, NULL, NULL, &status, &err)) {
        fprintf(stderr, "cannot run %s: %s\n", argv[0], err->message);
        return false;
    }
    return g_spawn_check_wait_status(status, NULL);
}


char *
qemuTestMakeImage(const char *name, const char *format, const char *size)
{
    g_autofree char *dir = g_build_filename(testRoot, "images", NULL);
    char *path = g_build_filename(dir, name, NULL);
    const char *argv[] = { "qemu-img", "create", "-q", "-f", format, path, size, NULL };

    g_mkdir_with_parents(dir, 0700);
    if (!qemuTestRun(argv))
        qemuTestFail(__FILE__, __LINE__, "qemu-img create %s failed", path);
    return path;
}


char *
qemuTestDomainXML(const char *type, const char *name, const char *image, const char *format)
{
    return g_strdup_printf("<domain type='%s'>\n"
                           "  <name>%s</name>\n"
                           "  <memory unit='MiB'>128</memory>\n"
                           "  <vcpu>1</vcpu>\n"
                           "  <os><type arch='x86_64'>hvm</type></os>\n"
                           "  <devices>\n"
                           "    <disk type='file' device='disk'>\n"
                           "      <driver name='qemu' type='%s'/>\n"
                           "      <source file='%s'/>\n"
                           "      <target dev='vda' bus='virtio'/>\n"
                           "    </disk>\n"
                           "  </devices>\n"
                           "</domain>\n",
                           type, name, format, image);
}


const char *
qemuTestVirtType(void)
{
    return cairnKvmAvailable() ? "kvm" : "qemu";
}


pid_t
qemuTestDomainPid(const char *name)
{
    g_autofree char *base = g_strconcat(name, ".pid", NULL);
    g_autofree char *path = g_build_filename(testRoot, "run", base, NULL);
    g_autofree char *data = NULL;

    if (!g_file_get_contents(path, &data, NULL, NULL))
        return 0;
    return (pid_t)g_ascii_strtoll(data, NULL, 10);
}


pid_t
qemuTestFindProcess(const char *needle)
{
    g_autoptr(GDir) d = g_dir_open("/proc", 0, NULL);
    const char *ent;

    while (d && (ent = g_dir_read_name(d))) {
        g_autofree char *cmdpath = g_strdup_printf("/proc/%s/cmdline", ent);
        g_autofree char *statpath = g_strdup_printf("/proc/%s/stat", ent);
        g_autofree char *cmd = NULL;
        g_autofree char *stat = NULL;
        gsize len = 0;
        const char *p;

        if (!g_ascii_isdigit(ent[0]) || !g_file_get_contents(cmdpath, &cmd, &len, NULL) ||
            !g_file_get_contents(statpath, &stat, NULL, NULL) || !(p = strrchr(stat, ')')) ||
            p[1] == '\0' || p[2] == 'Z')
            continue;
        for (const char *arg = cmd; arg < cmd + len; arg += strlen(arg) + 1) {
            if (strstr(arg, needle))
                return (pid_t)g_ascii_strtoll(ent, NULL, 10);
        }
    }
    return 0;
}


bool
qemuTestQemuRunning(const char *name)
{
    g_autofree char *needle = g_strdup_printf("path=%s/run/%s.qmp,", testRoot, name);

    return qemuTestFindProcess(needle) > 0;
}


guint
qemuTestCountRunFiles(const char *suffix)
{
    g_autofree char *rundir = g_build_filename(testRoot, "run", NULL);
    g_autoptr(GDir) d = g_dir_open(rundir, 0, NULL);
    const char *ent;
    guint n = 0;

    while (d && (ent = g_dir_read_name(d))) {
        if (g_str_has_suffix(ent, suffix))
            n++;
    }
    return n;
}


void
qemuTestExpectError(int code, const char *needle)
{
    const char *msg = cairnGetLastErrorMessage();
    int got = cairnGetLastErrorCode();

    if (got != code || !msg || !strstr(msg, needle))
        qemuTestFail(__FILE__, __LINE__, "expected error %d containing '%s', got %d: %s", code,
                     needle, got, msg ? msg : "(none)");
    fprintf(stderr, "ok: error %d: %s\n", got, msg);
}


void
qemuTestExpectNothingLeft(const char *name)
{
    const char *suffixes[] = { ".xml", ".qmp", ".pid" };

    if (qemuTestQemuRunning(name))
        qemuTestFail(__FILE__, __LINE__, "a QEMU of '%s' is still running", name);
    for (size_t i = 0; i < G_N_ELEMENTS(suffixes); i++) {
        g_autofree char *base = g_strconcat(name, suffixes[i], NULL);
        g_autofree char *path = g_build_filename(testRoot, "run", base, NULL);

        if (g_file_test(path, G_FILE_TEST_EXISTS))
            qemuTestFail(__FILE__, __LINE__, "%s was left behind", path);
    }
}


int
qemuTestWaitShutoff(cairnDomainPtr dom, int timeout_s, int *reason)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)timeout_s * G_USEC_PER_SEC;
    int state = -1;

    while (g_get_monotonic_time() < deadline) {
        if (cairnDomainGetState(dom, &state, reason, 0) < 0)
            qemuTestFail(__FILE__, __LINE__, "cairnDomainGetState failed");
        if (state == CAIRN_DOMAIN_SHUTOFF)
            break;
        g_usleep(100000);
    }
    return state;
}


guint
qemuTestCountQemu(const char *name)
{
    g_autofree char *needle = g_strdup_printf("path=%s/run/%s.qmp,", testRoot, name);
    g_autoptr(GDir) d = g_dir_open("/proc", 0, NULL);
    const char *ent;
    guint n = 0;

    while (d && (ent = g_dir_read_name(d))) {
        g_autofree char *cmdpath = g_strdup_printf("/proc/%s/cmdline", ent);
        g_autofree char *statpath = g_strdup_printf("/proc/%s/stat", ent);
        g_autofree char *cmd = NULL;
        g_autofree char *stat = NULL;
        gsize len = 0;
        const char *p;

        g_auto(GStrv) fields = NULL;

        if (!g_ascii_isdigit(ent[0]) || !g_file_get_contents(cmdpath, &cmd, &len, NULL) ||
            !g_file_get_contents(statpath, &stat, NULL, NULL) || !(p = strrchr(stat, ')')) ||
            p[1] == '\0' || p[2] == 'Z')
            continue;
        /* state ppid pgrp session: -daemonize makes QEMU a session leader;
         * the short-lived process that launched it is not. */
        fields = g_strsplit(p + 2, " ", 5);
        if (g_strv_length(fields) < 4 || g_ascii_strtoll(fields[3], NULL, 10) != atoll(ent))
            continue;
        for (const char *arg = cmd; arg < cmd + len; arg += strlen(arg) + 1) {
            if (strstr(arg, needle)) {
                n++;
                break;
            }
        }
    }
    return n;
}


/* Build the guest with tests/guest/make-guest.sh into ROOT/guest. */
void
qemuTestBuildGuest(const char *root, char **ret_kernel, char **ret_initrd)
{
    g_autofree char *script = g_build_filename(g_getenv("abs_top_srcdir") ?: ".", "tests", "guest",
                                               "make-guest.sh", NULL);
    g_autofree char *outdir = g_build_filename(root, "guest", NULL);
    g_autofree char *out = NULL;
    g_auto(GStrv) lines = NULL;
    const char *argv[] = { script, "--quiet", outdir, NULL };
    int status = -1;

    if (!g_spawn_sync(NULL, (char **)argv, NULL, 0, NULL, NULL, &out, NULL, &status, NULL))
        qemuTestFail(__FILE__, __LINE__, "cannot run %s", script);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 3) {
        fprintf(stderr, "SKIP: the guest's Debian packages cannot be had here\n");
        exit(77);
    }
    QT_CHECK(g_spawn_check_wait_status(status, NULL));
    lines = g_strsplit(g_strstrip(out), "\n", 3);
    QT_CHECK(g_strv_length(lines) >= 2);
    *ret_kernel = g_strdup(lines[0]);
    *ret_initrd = g_strdup(lines[1]);
}


char *
qemuTestGuestXML(
    const char *name, const char *kernel, const char *initrd, const char *args, const char *image)
{
    return g_strdup_printf(
        "<domain type='qemu'>\n"
        "  <name>%s</name>\n"
        "  <memory unit='MiB'>256</memory>\n"
        "  <vcpu>1</vcpu>\n"
        "  <os>\n"
        "    <type arch='x86_64' machine='q35'>hvm</type>\n"
        "    <kernel>%s</kernel>\n"
        "    <initrd>%s</initrd>\n"
        "    <cmdline>console=ttyS0 quiet panic=-1 cryptomgr.notests rodata=off %s</cmdline>\n"
        "  </os>\n"
        "  <features><acpi/></features>\n"
        "  <devices>\n"
        "    <disk type='file' device='disk'>\n"
        "      <driver name='qemu' type='qcow2'/>\n"
        "      <source file='%s'/>\n"
        "      <target dev='vda' bus='virtio'/>\n"
        "    </disk>\n"
        "  </devices>\n"
        "</domain>\n",
        name, kernel, initrd, args, image);
}
