/*
 * daemontestutils.h: running cairnd for a test.
 *
 * Each test starts cairnd from the build tree ($CAIRND, set by meson) on a
 * private socket in a fresh directory under $TMPDIR, talks to it, and
 * stops it by its pid; an exit handler kills whatever is left by pid and
 * removes the directory.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>
#include <glib.h>

typedef struct {
    char *dir;    /* the test's private directory */
    char *socket; /* DIR/sock */
    char *log;    /* DIR/cairnd.log (the daemon's stderr) */
    GPid pid;
} daemonTest;

/* Make the private directory (once per process): a test root of
 * testroot.h, $TMPDIR/cairn-test-cairnd-XXXXXX. */
const char *daemonTestDir(void);

/* Have the exit handler SIGKILL @pid (a process the test started), or no
 * longer. */
void daemonTestWatchPid(GPid pid);
void daemonTestUnwatchPid(GPid pid);

/* Start cairnd with @args (NULL-terminated, after --socket) and wait up to
 * 10 s until it accepts connections; aborts the test on failure. */
void daemonTestStart(daemonTest *d, const char *const *args);

/* SIGTERM (or SIGKILL when @hard) and reap it; after SIGTERM it must exit
 * 0 (so a leak LeakSanitizer finds in the daemon fails the test). */
void daemonTestStop(daemonTest *d, bool hard);

/* Wait up to @ms milliseconds for the daemon to exit by itself (after a
 * signal the test sent) and reap it: its wait status, or -1 if it still
 * runs. */
int daemonTestWait(daemonTest *d, int ms);

/* Wait up to 10 s until the daemon's log holds @text; aborts if not. */
void daemonTestWaitLog(const daemonTest *d, const char *text);

/* test+unix:///default?socket=... (@test) or qemu+unix:///session?socket=...;
 * caller frees. */
char *daemonTestURI(const daemonTest *d, bool test);

/* "unix:path=..." for raw GDBus. Caller frees. */
char *daemonTestAddress(const daemonTest *d);

/* Stop the daemon if it still runs (SIGKILL) and free the paths. */
void daemonTestClear(daemonTest *d);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(daemonTest, daemonTestClear)

/* Abort with the daemon's log on stderr. */
void daemonTestDumpLog(const daemonTest *d);

/* Raw arguments for calls made without the library (the read-only and
 * call-channel tests): the test driver's domain "test" as (sayi), and
 * well-formed arguments for @method built from cairn-remote.xml (strings
 * "c1", flags 0, ints 1, booleans true, the domain "test"). Floating. */
GVariant *daemonTestDomainVariant(void);
GVariant *daemonTestDefaultArgs(const char *method);
