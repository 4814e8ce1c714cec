/*
 * sweeptest.c: the sweep of the QEMUs of killed tests (tests/testroot.h),
 * on real QEMUs.
 *
 * Usage: qemu-sweeptest SWEEP         SWEEP: the cairn-test-sweep program
 *        qemu-sweeptest --child NAME  (internal) the test to be killed
 *
 * 1. A child process (this program, --child) makes its test root with
 *    qemuTestSetup() and starts a domain's QEMU through the qemu driver;
 *    the child is killed with SIGKILL, so its exit handlers never run, and
 *    its QEMU runs on. `SWEEP --dry-run` names it and kills nothing;
 *    SWEEP kills it and names it.
 * 2. The same, with the child's root removed after the kill.
 * 3. Left alone by every sweep: this test's own QEMU (its owner is alive)
 *    and a QEMU under a directory that is not named like a test root,
 *    although it holds a marker of a dead owner and is removed later.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "qemutestutils.h"
#include "testroot.h"

#define NAME "sweep"

/* The QEMUs this test started outside its own root, killed at exit if
 * still running. */
static pid_t extraPids[3];
static char *extraDirs[G_N_ELEMENTS(extraPids)];
static pid_t mainPid;

/* The QEMUs every sweep must leave running: this test's own, and the one
 * under a directory that is not named like a test root. */
static pid_t keptPids[2];
static const char *keptDirs[G_N_ELEMENTS(keptPids)];


/* True if @pid is a live (not zombie) process whose command line names
 * @dir. */
static bool
sweepQemuAlive(pid_t pid, const char *dir)
{
    g_autofree char *statpath = g_strdup_printf("/proc/%d/stat", (int)pid);
    g_autofree char *cmdpath = g_strdup_printf("/proc/%d/cmdline", (int)pid);
    g_autofree char *stat = NULL;
    g_autofree char *cmd = NULL;
    gsize len = 0;
    const char *p;

    if (!g_file_get_contents(statpath, &stat, NULL, NULL) || !(p = strrchr(stat, ')')) ||
        p[1] == '\0' || p[2] == 'Z' || !g_file_get_contents(cmdpath, &cmd, &len, NULL))
        return false;
    for (const char *arg = cmd; arg < cmd + len; arg += strlen(arg) + 1) {
        if (strstr(arg, dir))
            return true;
    }
    return false;
}


static void
sweepCleanup(void)
{
    if (getpid() != mainPid)
        return;
    for (size_t i = 0; i < G_N_ELEMENTS(extraPids); i++) {
        const char *argv[] = { "rm", "-rf", extraDirs[i], NULL };

        if (!extraDirs[i])
            continue;
        if (extraPids[i] > 0 && sweepQemuAlive(extraPids[i], extraDirs[i]))
            kill(extraPids[i], SIGKILL);
        g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL,
                     NULL);
    }
}


static void
sweepRemember(size_t slot, pid_t pid, const char *dir)
{
    extraPids[slot] = pid;
    if (!extraDirs[slot])
        extraDirs[slot] = g_strdup(dir);
}


/* Define and start domain NAME under @uri's root @root; returns its QEMU's
 * pid. */
static pid_t
sweepStartQemu(const char *uri, const char *root)
{
    g_autofree char *image = g_build_filename(root, "disk.qcow2", NULL);
    g_autofree char *pidfile = g_build_filename(root, "run", NAME ".pid", NULL);
    g_autofree char *xml = qemuTestDomainXML(qemuTestVirtType(), NAME, image, "qcow2");
    g_autofree char *pid = NULL;
    const char *argv[] = { "qemu-img", "create", "-q", "-f", "qcow2", image, "64M", NULL };
    cairnConnectPtr conn;
    cairnDomainPtr dom;

    QT_CHECK(qemuTestRun(argv));
    QT_CHECK((conn = cairnConnectOpen(uri)) != NULL);
    QT_CHECK((dom = cairnDomainDefineXML(conn, xml)) != NULL);
    QT_CHECK(cairnDomainCreate(dom) == 0);
    cairnDomainFree(dom);
    cairnConnectClose(conn);
    QT_CHECK(g_file_get_contents(pidfile, &pid, NULL, NULL));
    return (pid_t)g_ascii_strtoll(pid, NULL, 10);
}


/* --child NAME: what a test does before it is killed. Prints "ROOT PID"
 * (its root and its QEMU's pid), then waits for its SIGKILL. */
G_GNUC_NORETURN static void
sweepChild(const char *name)
{
    const char *root = qemuTestSetup(name);
    pid_t pid = sweepStartQemu(qemuTestURI(), root);

    printf("%s %d\n", root, (int)pid);
    fflush(stdout);
    for (;;)
        pause();
}


/* Run a child, SIGKILL it once its QEMU runs; the child's root and its
 * QEMU's pid in @ret_root, @ret_pid. */
static void
sweepKilledChild(const char *name, size_t slot, char **ret_root, pid_t *ret_pid)
{
    g_autofree char *self = g_file_read_link("/proc/self/exe", NULL);
    const char *argv[] = { self, "--child", name, NULL };
    g_autoptr(GError) err = NULL;
    g_auto(GStrv) words = NULL;
    char line[1024] = "";
    GPid child;
    int out = -1;
    FILE *f;

    QT_CHECK(self != NULL);
    if (!g_spawn_async_with_pipes(NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                  &child, NULL, &out, NULL, &err))
        qemuTestFail(__FILE__, __LINE__, "cannot run %s: %s", self, err->message);
    QT_CHECK((f = fdopen(out, "r")) != NULL);
    if (!fgets(line, sizeof(line), f))
        line[0] = '\0';
    fclose(f);
    words = g_strsplit(g_strstrip(line), " ", 2);
    if (g_strv_length(words) == 2)
        sweepRemember(slot, (pid_t)g_ascii_strtoll(words[1], NULL, 10), words[0]);
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    if (g_strv_length(words) != 2)
        qemuTestFail(__FILE__, __LINE__, "the child did not start its QEMU");
    *ret_root = g_strdup(words[0]);
    *ret_pid = (pid_t)g_ascii_strtoll(words[1], NULL, 10);
    /* Its exit handlers never ran: the QEMU runs on. */
    QT_CHECK(sweepQemuAlive(*ret_pid, *ret_root));
}


/* Run `@sweep [--dry-run]`; its output (caller frees). */
static char *
sweepRun(const char *sweep, bool dry_run)
{
    const char *argv[] = { sweep, dry_run ? "--dry-run" : NULL, NULL };
    g_autoptr(GError) err = NULL;
    char *out = NULL;
    int status = -1;

    if (!g_spawn_sync(NULL, (char **)argv, NULL, 0, NULL, NULL, &out, NULL, &status, &err))
        qemuTestFail(__FILE__, __LINE__, "cannot run %s: %s", sweep, err->message);
    QT_CHECK(g_spawn_check_wait_status(status, NULL));
    fprintf(stderr, "%s%s:\n%s", sweep, dry_run ? " --dry-run" : "", out);
    return out;
}


static bool
sweepNames(const char *out, const char *verb, pid_t pid)
{
    g_autofree char *needle = g_strdup_printf("%s pid %d ", verb, (int)pid);

    return strstr(out, needle) != NULL;
}


/* Wait up to 10 s for QEMU @pid of @root to be gone. */
static bool
sweepWaitGone(pid_t pid, const char *root)
{
    for (int i = 0; i < 1000 && sweepQemuAlive(pid, root); i++)
        g_usleep(10000);
    return !sweepQemuAlive(pid, root);
}


/* Run @sweep: it must kill QEMU @pid of @root, and only that one of
 * ours. */
static void
sweepExpectKill(const char *sweep, pid_t pid, const char *root)
{
    g_autofree char *out = sweepRun(sweep, false);

    QT_CHECK(sweepNames(out, "killed", pid));
    QT_CHECK(sweepWaitGone(pid, root));
    for (size_t i = 0; i < G_N_ELEMENTS(keptPids); i++) {
        QT_CHECK(!sweepNames(out, "killed", keptPids[i]));
        QT_CHECK(sweepQemuAlive(keptPids[i], keptDirs[i]));
    }
}


static void
sweepCheckNames(void)
{
    QT_CHECK(cairnTestRootNameValid("cairn-test-lifecycle-AbC123"));
    QT_CHECK(cairnTestRootNameValid("cairn-test-cairnd-000000"));
    QT_CHECK(cairnTestRootNameValid("cairn-test-a.b_c-d-zzzzzz"));
    QT_CHECK(!cairnTestRootNameValid("cairn-lifecycle-AbC123"));
    QT_CHECK(!cairnTestRootNameValid("cairn-test--AbC123"));
    QT_CHECK(!cairnTestRootNameValid("cairn-test-x-AbC12"));
    QT_CHECK(!cairnTestRootNameValid("cairn-test-x-AbC12!"));
    QT_CHECK(!cairnTestRootNameValid("cairn-test-x y-AbC123"));
    QT_CHECK(!cairnTestRootNameValid("my-cairn-test-x-AbC123"));
}


int
main(int argc, char **argv)
{
    g_autofree char *other = NULL;
    g_autofree char *otherURI = NULL;
    g_autofree char *root1 = NULL;
    g_autofree char *root2 = NULL;
    g_autofree char *marker = NULL;
    g_autofree char *out = NULL;
    const char *rm[] = { "rm", "-rf", NULL, NULL };
    const char *sweep;
    pid_t pid1;
    pid_t pid2;

    if (argc == 3 && g_str_equal(argv[1], "--child"))
        sweepChild(argv[2]);
    if (argc != 2) {
        fprintf(stderr, "usage: %s SWEEP\n", argv[0]);
        return 2;
    }
    sweep = argv[1];
    sweepCheckNames();
    keptDirs[0] = qemuTestSetup(NAME);
    mainPid = getpid();
    atexit(sweepCleanup);

    /* 3: this test's own QEMU, and one under a directory that is not a
     * test root. */
    keptPids[0] = sweepStartQemu(qemuTestURI(), keptDirs[0]);
    other = g_dir_make_tmp("cairn-sweepother-XXXXXX", NULL);
    QT_CHECK(other != NULL);
    sweepRemember(0, 0, other);
    otherURI = g_strdup_printf("qemu:///embed?root=%s", other);
    keptPids[1] = sweepStartQemu(otherURI, other);
    keptDirs[1] = other;
    sweepRemember(0, keptPids[1], other);

    /* 1: the owner killed, its root kept; the other directory gets a
     * marker of that dead owner. */
    sweepKilledChild("sweepchild", 1, &root1, &pid1);
    marker = g_build_filename(root1, CAIRN_TEST_ROOT_OWNER, NULL);
    QT_CHECK(qemuTestRun((const char *[]){ "cp", marker, other, NULL }));
    out = sweepRun(sweep, true);
    QT_CHECK(sweepNames(out, "would kill", pid1));
    QT_CHECK(sweepQemuAlive(pid1, root1));
    sweepExpectKill(sweep, pid1, root1);

    /* 2: the owner killed, its root removed; the other directory too. */
    sweepKilledChild("sweepchild", 2, &root2, &pid2);
    rm[2] = root2;
    QT_CHECK(qemuTestRun(rm));
    rm[2] = other;
    QT_CHECK(qemuTestRun(rm));
    sweepExpectKill(sweep, pid2, root2);
    printf("sweep: killed QEMUs of dead owners, kept the live and the unnamed: ok\n");
    return 0;
}
