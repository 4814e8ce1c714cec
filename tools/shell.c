/*
 * shell.c: the command shell behind the cairn CLI (our small vsh.c): its
 * base, output and errors and the connection. Its other parts, above it:
 * shell_parse.c (option tables, command lines, the domain option),
 * shell_run.c (running commands, the interactive loop with history),
 * shell_help.c (help), shell_format.c (tables, trees, typed parameters,
 * XML).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shell.h"


/* A library error seen while freeing a handle before it was saved: kept
 * so that a cleanup call resetting the library's error cannot hide it. */
static cairnErrorPtr shellPendingError;


static void G_GNUC_PRINTF(1, 0) shellVPrint(const char *fmt, va_list ap)
{
    g_autofree char *str = g_strdup_vprintf(fmt, ap);

    fputs(str, stdout);
}


void
shellPrint(shellControl *ctl G_GNUC_UNUSED, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    shellVPrint(fmt, ap);
    va_end(ap);
}


void
shellPrintExtra(shellControl *ctl, const char *fmt, ...)
{
    va_list ap;

    if (ctl && ctl->quiet)
        return;
    va_start(ap, fmt);
    shellVPrint(fmt, ap);
    va_end(ap);
}


void
shellError(shellControl *ctl G_GNUC_UNUSED, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *str = NULL;

    /* Keep stdout and stderr in order when both go to one file. */
    fflush(stdout);
    va_start(ap, fmt);
    str = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    fprintf(stderr, "error: %s\n", str);
    fflush(stderr);
}


static void
shellFreeSavedError(cairnErrorPtr *err)
{
    if (*err) {
        cairnFreeError(*err);
        *err = NULL;
    }
}


static bool
shellErrorIsSet(cairnErrorPtr err)
{
    return err && err->code != CAIRN_ERR_OK;
}


bool
shellSaveError(shellControl *ctl)
{
    cairnErrorPtr err = cairnSaveLastError();

    if (shellErrorIsSet(err)) {
        shellFreeSavedError(&ctl->last_error);
        ctl->last_error = err;
    } else if (err) {
        cairnFreeError(err);
    }
    return false;
}


void
shellResetError(shellControl *ctl)
{
    shellFreeSavedError(&ctl->last_error);
    shellFreeSavedError(&shellPendingError);
    cairnResetLastError();
}


void
shellReportError(shellControl *ctl)
{
    cairnErrorPtr err = ctl->last_error;

    if (!shellErrorIsSet(err))
        err = shellPendingError;
    if (!shellErrorIsSet(err))
        err = cairnGetLastError();
    if (shellErrorIsSet(err))
        shellError(ctl, "%s", err->message ? err->message : "unknown error");
    shellResetError(ctl);
}


static void
shellKeepPendingError(void)
{
    if (shellPendingError || cairnGetLastErrorCode() == CAIRN_ERR_OK)
        return;
    shellPendingError = cairnSaveLastError();
}


void
shellDomainFree(cairnDomainPtr dom)
{
    if (!dom)
        return;
    shellKeepPendingError();
    cairnDomainFree(dom);
}


void
shellCheckpointFree(cairnDomainCheckpointPtr chk)
{
    if (!chk)
        return;
    shellKeepPendingError();
    cairnDomainCheckpointFree(chk);
}


/* ---- connection ---- */

bool
shellReconnect(shellControl *ctl, const char *uri, bool readonly)
{
    cairnConnectPtr conn;
    /* NULL lets the library pick, as virsh does: $CAIRN_DEFAULT_URI, else
     * qemu:///system for root and qemu:///session for other users. */
    const char *target = uri ? uri : ctl->uri;

    if (ctl->conn) {
        if (cairnConnectClose(ctl->conn) < 0)
            shellError(ctl, "%s", "Failed to disconnect from the hypervisor");
        ctl->conn = NULL;
    }
    conn = cairnConnectOpenFlags(target, readonly ? CAIRN_CONNECT_RO : 0);
    if (!conn) {
        shellSaveError(ctl);
        shellError(ctl, "%s", "failed to connect to the hypervisor");
        return false;
    }
    if (uri) {
        g_free(ctl->uri);
        ctl->uri = g_strdup(uri);
    }
    ctl->readonly = readonly;
    ctl->conn = conn;
    return true;
}


cairnConnectPtr
shellConnection(shellControl *ctl)
{
    if (!ctl->conn && !shellReconnect(ctl, NULL, ctl->readonly))
        return NULL;
    return ctl->conn;
}
