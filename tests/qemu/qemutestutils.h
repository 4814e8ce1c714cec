/*
 * qemutestutils.h: helpers of the real-QEMU tests (suite 'qemu').
 *
 * Each test makes a private root under $TMPDIR (a test root of
 * testroot.h: cairn-test-NAME-XXXXXX with an owner marker), opens
 * qemu:///embed?root=ROOT through the public API and runs QEMU for real.
 * Whatever happens (a failed check, a signal from the test runner), the
 * exit path kills every QEMU recorded under the root by its pid and
 * removes the root. A test skips (exit 77) only when qemu-system-x86_64
 * cannot run at all. With $CAIRN_TEST_QEMU_ROOT and $CAIRN_TEST_QEMU_URI
 * (tests/daemon/qemurunner) the root is that directory and the URI that
 * of a cairnd serving it, so the same test runs through the daemon.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>
#include <glib.h>

#include <cairn/cairn.h>

/* Report a failed check with its place and exit 1 (cleanup runs). */
#define QT_CHECK(cond)                                                                             \
 do {                                                                                              \
  if (!(cond))                                                                                     \
   qemuTestFail(__FILE__, __LINE__, "check failed: %s", #cond);                                    \
 } while (0)

void qemuTestFail(const char *file, int line, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4) G_GNUC_NORETURN;

/* Skip (exit 77) unless qemu-system-x86_64 and qemu-img run; then kill the
 * QEMUs that tests killed by SIGKILL left (cairnTestRootSweep()), make the
 * root and arrange for its cleanup at exit and on SIGTERM/SIGINT. Returns
 * the root (owned by the helpers). */
const char *qemuTestSetup(const char *testname);

/* "qemu:///embed?root=ROOT", or $CAIRN_TEST_QEMU_URI. Owned by the
 * helpers. */
const char *qemuTestURI(void);

/* A new connection to the root; fails the test when it cannot open. */
cairnConnectPtr qemuTestConnect(void);

/* Create a disk image ROOT/images/NAME with qemu-img (format "qcow2" or
 * "raw", size e.g. "64M"); returns its path (caller frees). */
char *qemuTestMakeImage(const char *name, const char *format, const char *size);

/* A domain XML: type @type ("kvm" or "qemu"), @name, 128 MiB, one vda
 * virtio disk @image in @format. */
char *qemuTestDomainXML(const char *type, const char *name, const char *image, const char *format);

/* The virt type for guests that boot no OS: "kvm" when KVM is usable
 * (util/cairnkvm.h), else "qemu". */
const char *qemuTestVirtType(void);

/* Run @argv; true if it exited 0. Output goes to the test's stderr. */
bool qemuTestRun(const char *const *argv);

/* The pid recorded in ROOT/run/NAME.pid, or 0. */
pid_t qemuTestDomainPid(const char *name);

/* True if a live process's command line names ROOT/run/NAME.qmp. */
bool qemuTestQemuRunning(const char *name);

/* A live, non-zombie process with @needle in one argument of its command
 * line, or 0. */
pid_t qemuTestFindProcess(const char *needle);

/* Number of running QEMU daemons (live, not zombie, session leaders, so
 * not the launcher of a -daemonize still starting) whose command line
 * names ROOT/run/NAME.qmp. */
guint qemuTestCountQemu(const char *name);

/* Number of files under ROOT/run matching NAME + @suffix ("*.qmp" style
 * wildcard with NAME "*"). */
guint qemuTestCountRunFiles(const char *suffix);

/* Expect the last error to have @code and a message containing @needle;
 * fails the test otherwise. */
void qemuTestExpectError(int code, const char *needle);

/* Nothing of domain @name is running or recorded as running: no QEMU, no
 * run/NAME.xml, no socket, no pidfile. */
void qemuTestExpectNothingLeft(const char *name);

/* Poll cairnDomainGetState until the domain is shut off or @timeout_s
 * passes; returns the state. */
int qemuTestWaitShutoff(cairnDomainPtr dom, int timeout_s, int *reason);

/* Build the test guest (tests/guest/make-guest.sh) into ROOT/guest; skips
 * (77) when its Debian packages cannot be had at all. */
void qemuTestBuildGuest(const char *root, char **ret_kernel, char **ret_initrd);

/* A type='qemu' (TCG) domain booting the test guest with the guest
 * arguments @args (cairn.write=... etc.) and one virtio qcow2 disk. */
char *qemuTestGuestXML(
    const char *name, const char *kernel, const char *initrd, const char *args, const char *image);
