/*
 * cairn-backup-error.c: errors and exit codes of cairn-backup
 * (cairn-backup-error.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include <cairn/cairn.h>

#include "repo.h"
#include "cairn-backup-error.h"


GQuark
cbErrorQuark(void)
{
    return g_quark_from_static_string("cairn-backup-error");
}


void
cbSetError(GError **error, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error_literal(error, CB_ERROR, CB_ERROR_FAILED, msg);
}


void
cbSetApiError(GError **error, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;
    const char *why = cairnGetLastErrorMessage();

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(error, CB_ERROR, CB_ERROR_API, "%s: %s", msg, why ? why : "unknown error");
}


void
cbSetErrno(GError **error, int err, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(error, CB_ERROR,
                (err == ENOSPC || err == EDQUOT) ? CB_ERROR_NO_SPACE : CB_ERROR_FAILED, "%s: %s",
                msg, g_strerror(err));
}


void
cbPrefixError(GError **error, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *prefix = NULL;

    if (!error || !*error)
        return;
    va_start(ap, fmt);
    prefix = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_prefix_error(error, "%s", prefix);
}


cbExitCode
cbExitCodeFor(const GError *error)
{
    if (!error)
        return CB_EXIT_OK;
    if (error->domain == CB_ERROR && error->code == CB_ERROR_USAGE)
        return CB_EXIT_USAGE;
    if (error->domain == G_OPTION_ERROR)
        return CB_EXIT_USAGE;
    if (error->domain == CAIRN_REPO_ERROR) {
        switch ((cairnRepoErrorCode)error->code) {
        case CAIRN_REPO_ERROR_LOCKED:
            return CB_EXIT_LOCKED;
        case CAIRN_REPO_ERROR_NOT_A_REPO:
        case CAIRN_REPO_ERROR_KEY:
        case CAIRN_REPO_ERROR_VERSION:
            return CB_EXIT_NOT_REPO;
        case CAIRN_REPO_ERROR_FAILED:
        case CAIRN_REPO_ERROR_NOT_IMPLEMENTED:
        case CAIRN_REPO_ERROR_INVALID:
        case CAIRN_REPO_ERROR_NOT_FOUND:
        case CAIRN_REPO_ERROR_EXISTS:
        case CAIRN_REPO_ERROR_CORRUPT:
        case CAIRN_REPO_ERROR_NO_SPACE:
        case CAIRN_REPO_ERROR_IO:
            break;
        }
    }
    return CB_EXIT_FAILED;
}
