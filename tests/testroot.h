/*
 * testroot.h: the private roots of the tests that run QEMU, and the sweep
 * of the QEMUs that killed tests left behind.
 *
 * A test root is a directory $TMPDIR/cairn-test-NAME-XXXXXX holding an
 * owner marker, .cairn-test-owner: "PID STARTTIME\n", the pid of the
 * process that made it and that process's start time (field 22 of
 * /proc/PID/stat), so that a pid given to another process since is told
 * apart. A test kills its QEMUs by pid at exit; a test killed by SIGKILL
 * (a meson timeout) cannot, and its daemonized QEMUs run on. The sweep
 * finds those: QEMUs whose command line names a path in a test root whose
 * owner is gone, or in a test root that no longer exists. tests/testroot.sh
 * makes the same roots for shell tests and scripts/demo.sh.
 */
#pragma once

#include <stdbool.h>
#include <stdio.h>
#include <glib.h>

#define CAIRN_TEST_ROOT_PREFIX "cairn-test-"
#define CAIRN_TEST_ROOT_OWNER ".cairn-test-owner"

/* Make $TMPDIR/cairn-test-@name-XXXXXX (mode 0700) with its owner marker
 * naming this process. @name: letters, digits, '_', '.' or '-'. Returns
 * the path (caller frees), or NULL with @error set. */
char *cairnTestRootMake(const char *name, GError **error);

/* True if @base (a file name, no '/') has the form of a test root's
 * name: "cairn-test-NAME-XXXXXX", XXXXXX letters and digits. */
bool cairnTestRootNameValid(const char *base);

/* SIGKILL every qemu-system-* and qemu-storage-daemon process of this
 * user whose command line names a path in an orphaned test root: one
 * whose marker names an owner that is gone (exited, or its pid reused),
 * or one that no longer exists. A root that exists without a marker, and
 * any path outside a test root, is never a reason to kill. With @dry_run
 * nothing is killed. Prints a line per process (killed or, with @dry_run,
 * to be killed) on @out; returns their number. */
guint cairnTestRootSweep(FILE *out, bool dry_run);
