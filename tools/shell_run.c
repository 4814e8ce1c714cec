/*
 * shell_run.c: running the shell's commands: a parsed list, one line, a
 * script on stdin, or the interactive loop with readline and history.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <readline/readline.h>
#include <readline/history.h>

#include "shell.h"


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
