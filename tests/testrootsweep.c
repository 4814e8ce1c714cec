/*
 * testrootsweep.c: cairn-test-sweep, the sweep of testroot.h by hand.
 *
 * Usage: cairn-test-sweep [--dry-run]
 *
 * Kills (SIGKILL) the QEMUs of this user that tests killed by SIGKILL left
 * running: those whose command line names a path in a test root
 * (cairn-test-NAME-XXXXXX) whose owner is gone or which no longer exists.
 * Prints one line per process on stdout; with --dry-run kills nothing.
 * Exit status 0, or 2 on a usage error.
 */
#include <stdio.h>
#include <string.h>

#include "testroot.h"


int
main(int argc, char **argv)
{
    bool dry_run = argc == 2 && strcmp(argv[1], "--dry-run") == 0;

    if (argc > 2 || (argc == 2 && !dry_run)) {
        fprintf(stderr, "usage: cairn-test-sweep [--dry-run]\n");
        return 2;
    }
    cairnTestRootSweep(stdout, dry_run);
    return 0;
}
