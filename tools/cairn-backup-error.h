/*
 * cairn-backup-error.h: errors and exit codes of cairn-backup.
 *
 * Inside the tool every failure is one GError: CB_ERROR for the tool's
 * own, CAIRN_REPO_ERROR from the repository library; main() prints it
 * and maps it to an exit code (docs/cairn-backup.1, EXIT STATUS).
 */
#pragma once

#include <glib.h>

typedef enum {
    CB_EXIT_OK = 0,       /* done */
    CB_EXIT_FAILED = 1,   /* the command failed (the message says why) */
    CB_EXIT_USAGE = 2,    /* bad command line */
    CB_EXIT_DAMAGED = 3,  /* verify found damaged or missing objects */
    CB_EXIT_LOCKED = 4,   /* the repository is locked by another command (gc) */
    CB_EXIT_NOT_REPO = 5, /* REPO is not a repository (or of a newer format), or a wrong key */
} cbExitCode;

#define CB_ERROR (cbErrorQuark())
GQuark cbErrorQuark(void);

typedef enum {
    CB_ERROR_FAILED = 0,
    CB_ERROR_USAGE,   /* bad arguments */
    CB_ERROR_API,     /* a call of the Cairn API failed */
    CB_ERROR_NO_SPACE /* ENOSPC/EDQUOT while writing */
} cbErrorCode;

/* Set a CB_ERROR_FAILED error. */
void cbSetError(GError **error, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* Set a CB_ERROR_API error: the message, ": ", and the API's last error. */
void cbSetApiError(GError **error, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* Set an error for a failed system call (errno @err): CB_ERROR_NO_SPACE
 * for ENOSPC and EDQUOT, else CB_ERROR_FAILED; ": strerror" appended. */
void cbSetErrno(GError **error, int err, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

/* Prefix (*@error)'s message with "snapshot S: ", "disk D: " and the like
 * (the error may be NULL or unset). */
void cbPrefixError(GError **error, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* The exit code for @error. */
cbExitCode cbExitCodeFor(const GError *error);
