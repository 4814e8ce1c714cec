/*
 * testroot.c: test roots with owner markers, and the sweep of the QEMUs
 * of dead tests (see testroot.h).
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "testroot.h"

/* Where a path inside a QEMU argument starts: after one of these (or at
 * the start of the argument): "path=/…", "file:/…", "\"filename\":\"/…". */
#define TEST_ROOT_PATH_DELIMS "=,:\"' "


/* The state letter and the start time (field 22) of process @pid; false
 * when there is no such process. */
static bool
testRootProcStat(pid_t pid, char *ret_state, guint64 *ret_start)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int)pid);
    g_autofree char *stat = NULL;
    g_auto(GStrv) fields = NULL;
    const char *p;

    /* "PID (COMM) STATE PPID …": COMM may hold spaces and ')', so the
     * fields are counted after the last ')'; STATE is field 3. */
    if (!g_file_get_contents(path, &stat, NULL, NULL) || !(p = strrchr(stat, ')')) || p[1] != ' ')
        return false;
    fields = g_strsplit(p + 2, " ", 21);
    if (g_strv_length(fields) < 20)
        return false;
    *ret_state = fields[0][0];
    *ret_start = g_ascii_strtoull(fields[22 - 3], NULL, 10);
    return true;
}


/* The real uid of process @pid, or -1. */
static uid_t
testRootProcUid(pid_t pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/status", (int)pid);
    g_autofree char *status = NULL;
    const char *p;

    if (!g_file_get_contents(path, &status, NULL, NULL) || !(p = strstr(status, "\nUid:")))
        return (uid_t)-1;
    return (uid_t)g_ascii_strtoull(p + strlen("\nUid:"), NULL, 10);
}


bool
cairnTestRootNameValid(const char *base)
{
    size_t len = strlen(base);
    size_t prefix = strlen(CAIRN_TEST_ROOT_PREFIX);

    /* PREFIX, a non-empty NAME, '-', six letters or digits */
    if (!g_str_has_prefix(base, CAIRN_TEST_ROOT_PREFIX) || len < prefix + 1 + 7 ||
        base[len - 7] != '-')
        return false;
    for (size_t i = len - 6; i < len; i++) {
        if (!g_ascii_isalnum(base[i]))
            return false;
    }
    for (size_t i = prefix; i < len - 7; i++) {
        if (!g_ascii_isalnum(base[i]) && !strchr("_.-", base[i]))
            return false;
    }
    return true;
}


char *
cairnTestRootMake(const char *name, GError **error)
{
    g_autofree char *tmpl = g_strdup_printf(CAIRN_TEST_ROOT_PREFIX "%s-XXXXXX", name);
    g_autofree char *root = NULL;
    g_autofree char *marker = NULL;
    g_autofree char *text = NULL;
    guint64 start = 0;
    char state = 0;

    if (!cairnTestRootNameValid(tmpl)) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "bad test root name '%s'", name);
        return NULL;
    }
    if (!(root = g_dir_make_tmp(tmpl, error)))
        return NULL;
    marker = g_build_filename(root, CAIRN_TEST_ROOT_OWNER, NULL);
    if (!testRootProcStat(getpid(), &state, &start)) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "cannot read /proc/%d/stat",
                    (int)getpid());
        g_rmdir(root);
        return NULL;
    }
    text = g_strdup_printf("%d %" G_GUINT64_FORMAT "\n", (int)getpid(), start);
    if (!g_file_set_contents(marker, text, -1, error)) {
        g_rmdir(root);
        return NULL;
    }
    return g_steal_pointer(&root);
}


/* True if test root @root is orphaned; *ret_why (caller frees) says why.
 * Called with a path whose last component passed
 * cairnTestRootNameValid(). */
static bool
testRootOrphaned(const char *root, char **ret_why)
{
    g_autofree char *marker = g_build_filename(root, CAIRN_TEST_ROOT_OWNER, NULL);
    g_autofree char *text = NULL;
    struct stat st;
    gint64 pid = 0;
    guint64 start = 0;
    guint64 now = 0;
    char state = 0;
    char *end = NULL;

    if (lstat(root, &st) < 0) {
        if (errno != ENOENT && errno != ENOTDIR)
            return false;
        *ret_why = g_strdup("the root is gone");
        return true;
    }
    /* No marker (a root of an older build, or one being made): not ours
     * to judge. */
    if (!S_ISDIR(st.st_mode) || !g_file_get_contents(marker, &text, NULL, NULL))
        return false;
    pid = g_ascii_strtoll(text, &end, 10);
    if (pid <= 0 || pid > G_MAXINT32 || !end || *end != ' ')
        return false;
    start = g_ascii_strtoull(end + 1, NULL, 10);
    if (!testRootProcStat((pid_t)pid, &state, &now))
        *ret_why = g_strdup_printf("its owner %d is gone", (int)pid);
    else if (now != start)
        *ret_why =
            g_strdup_printf("its owner %d is gone (the pid is another process's now)", (int)pid);
    else if (state == 'Z' || state == 'X')
        *ret_why = g_strdup_printf("its owner %d has exited", (int)pid);
    else
        return false;
    return true;
}


/* Add to @roots (once each) the test roots that @arg names: each absolute
 * path in it cut after a component that is a test root's name. */
static void
testRootFind(const char *arg, GPtrArray *roots)
{
    const char *p = arg;

    while ((p = strstr(p, "/" CAIRN_TEST_ROOT_PREFIX))) {
        const char *start = p;
        const char *end = p + 1;
        g_autofree char *base = NULL;

        while (start > arg && !strchr(TEST_ROOT_PATH_DELIMS, start[-1]))
            start--;
        while (*end && *end != '/' && !strchr(TEST_ROOT_PATH_DELIMS, *end))
            end++;
        base = g_strndup(p + 1, end - p - 1);
        if (*start == '/' && cairnTestRootNameValid(base)) {
            g_autofree char *root = g_strndup(start, end - start);

            if (!g_ptr_array_find_with_equal_func(roots, root, g_str_equal, NULL))
                g_ptr_array_add(roots, g_steal_pointer(&root));
        }
        p = end;
    }
}


/* True if @argv0 runs a QEMU system emulator or qemu-storage-daemon. */
static bool
testRootIsQemu(const char *argv0)
{
    const char *base = strrchr(argv0, '/') ? strrchr(argv0, '/') + 1 : argv0;

    return g_str_has_prefix(base, "qemu-system-") || g_str_equal(base, "qemu-storage-daemon");
}


/* SIGKILL @pid if it is still the process that started at @start: through
 * a pidfd where the kernel has them, so a pid reused meanwhile is never
 * signalled. */
static bool
testRootKill(pid_t pid, guint64 start)
{
    guint64 now = 0;
    char state = 0;

#if defined(SYS_pidfd_open) && defined(SYS_pidfd_send_signal)
    int fd = (int)syscall(SYS_pidfd_open, pid, 0);

    if (fd >= 0) {
        bool ok = testRootProcStat(pid, &state, &now) && now == start &&
                  syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0) == 0;

        close(fd);
        return ok;
    }
    if (errno != ENOSYS)
        return false;
#endif
    return testRootProcStat(pid, &state, &now) && now == start && kill(pid, SIGKILL) == 0;
}


/* If process @pid is a QEMU of this user in an orphaned test root: kill
 * it (unless @dry_run), say so on @out and return true. */
static bool
testRootSweepOne(pid_t pid, FILE *out, bool dry_run)
{
    g_autofree char *cmdpath = g_strdup_printf("/proc/%d/cmdline", (int)pid);
    g_autofree char *cmd = NULL;
    g_autoptr(GPtrArray) roots = g_ptr_array_new_with_free_func(g_free);
    gsize len = 0;
    guint64 start = 0;
    char state = 0;

    if (testRootProcUid(pid) != getuid() || !testRootProcStat(pid, &state, &start) ||
        state == 'Z' || !g_file_get_contents(cmdpath, &cmd, &len, NULL) || len == 0 ||
        cmd[len - 1] != '\0' || !testRootIsQemu(cmd))
        return false;
    for (const char *arg = cmd; arg < cmd + len; arg += strlen(arg) + 1)
        testRootFind(arg, roots);
    for (guint i = 0; i < roots->len; i++) {
        const char *root = g_ptr_array_index(roots, i);
        g_autofree char *why = NULL;

        if (!testRootOrphaned(root, &why))
            continue;
        if (!dry_run && !testRootKill(pid, start))
            return false;
        if (out)
            fprintf(out, "cairn-test-sweep: %s pid %d (%s) of test root %s: %s\n",
                    dry_run ? "would kill" : "killed", (int)pid, cmd, root, why);
        return true;
    }
    return false;
}


guint
cairnTestRootSweep(FILE *out, bool dry_run)
{
    g_autoptr(GDir) proc = g_dir_open("/proc", 0, NULL);
    const char *ent;
    guint n = 0;

    while (proc && (ent = g_dir_read_name(proc))) {
        gint64 pid;

        if (!g_ascii_isdigit(ent[0]) || (pid = g_ascii_strtoll(ent, NULL, 10)) <= 0 ||
            pid == getpid())
            continue;
        if (testRootSweepOne((pid_t)pid, out, dry_run))
            n++;
    }
    if (out)
        fflush(out);
    return n;
}
