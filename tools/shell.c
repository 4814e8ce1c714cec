/*
 * shell.c: the command shell behind the cairn CLI (our small vsh.c):
 * output and errors, the connection, running commands and the
 * interactive loop with history, the domain option. Its other parts:
 * shell_parse.c (option tables and command lines), shell_help.c (help),
 * shell_format.c (tables, trees, typed parameters, XML).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <readline/readline.h>
#include <readline/history.h>

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


/* ---- running ---- */

bool
shellRun(shellControl *ctl, GPtrArray *cmds)
{
    bool ret = true;
    size_t i;

    for (i = 0; i < cmds->len; i++) {
        const shellCmd *cmd = g_ptr_array_index(cmds, i);

        shellResetError(ctl);
        if ((cmd->def->flags & SHELL_CMD_NOCONNECT) || shellConnection(ctl)) {
            ret = cmd->def->handler(ctl, cmd);
        } else {
            ret = false;
        }
        if (!ret)
            shellReportError(ctl);
        shellResetError(ctl);
        if (g_str_equal(cmd->def->name, "quit") || g_str_equal(cmd->def->name, "exit"))
            break;
        shellPrintExtra(ctl, "\n");
    }
    fflush(stdout);
    return ret;
}


static char *
shellHistoryFile(void)
{
    return g_build_filename(g_get_user_cache_dir(), "cairn", "history", NULL);
}


static void
shellRunLine(shellControl *ctl, const char *line)
{
    g_autoptr(GPtrArray) cmds = shellParseString(ctl, line);

    if (cmds)
        shellRun(ctl, cmds);
}


/* Commands read from a pipe or file: no banner, no prompt, no history. */
static void
shellScriptLoop(shellControl *ctl)
{
    g_autoptr(GString) line = g_string_new(NULL);
    int c;

    while (ctl->imode) {
        g_string_truncate(line, 0);
        while ((c = getchar()) != EOF && c != '\n')
            g_string_append_c(line, (char)c);
        if (line->len)
            shellRunLine(ctl, line->str);
        if (c == EOF)
            break;
    }
}


void
shellInteractive(shellControl *ctl)
{
    g_autofree char *histfile = shellHistoryFile();
    g_autofree char *histdir = g_path_get_dirname(histfile);
    char *line = NULL;

    ctl->imode = true;
    if (!isatty(STDIN_FILENO)) {
        shellScriptLoop(ctl);
        return;
    }
    shellPrintExtra(ctl,
                    "Welcome to %s, the checkpoint and backup interactive terminal.\n\n"
                    "Type:  'help' for help with commands\n"
                    "       'quit' to quit\n\n",
                    ctl->progname);
    rl_readline_name = "cairn";
    stifle_history(500);
    read_history(histfile);
    while (ctl->imode) {
        const char *prompt = ctl->readonly ? "cairn > " : "cairn # ";

        fflush(stdout);
        if (!(line = readline(prompt)))
            break;
        if (*line) {
            add_history(line);
            shellRunLine(ctl, line);
        }
        free(line);
        line = NULL;
    }
    if (ctl->imode)
        fputc('\n', stdout);
    if (g_mkdir_with_parents(histdir, 0755) == 0)
        write_history(histfile);
}


/* ---- domains ---- */

static bool
shellParseDomainID(const char *str, int *id)
{
    char *end = NULL;
    long val;

    errno = 0;
    val = strtol(str, &end, 10);
    if (errno || end == str || *end || val < 0 || val > G_MAXINT)
        return false;
    *id = (int)val;
    return true;
}


cairnDomainPtr
shellCommandOptDomain(shellControl *ctl, const shellCmd *cmd, const char **name)
{
    cairnConnectPtr conn = ctl->conn;
    cairnDomainPtr dom = NULL;
    const char *n = NULL;
    int id;

    if (shellOptString(ctl, cmd, "domain", &n) < 0 || !n)
        return NULL;
    if (name)
        *name = n;
    if (shellParseDomainID(n, &id))
        dom = cairnDomainLookupByID(conn, id);
    if (!dom && strlen(n) == CAIRN_UUID_STRING_BUFLEN - 1)
        dom = cairnDomainLookupByUUIDString(conn, n);
    if (!dom)
        dom = cairnDomainLookupByName(conn, n);
    shellResetError(ctl);
    if (!dom)
        shellError(ctl, "failed to get domain '%s'", n);
    return dom;
}
