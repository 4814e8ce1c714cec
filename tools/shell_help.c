/*
 * shell_help.c: help of the shell: a group's commands, a command's
 * synopsis and options.
 */
#include <string.h>

#include "shell.h"


/* ---- help ---- */

bool
shellGroupHelp(shellControl *ctl, const shellCmdGroup *grp)
{
    const shellCmdDef *def;

    shellPrint(ctl, " %s (help keyword '%s'):\n", grp->name, grp->keyword);
    for (def = grp->commands; def->name; def++) {
        if (!(def->flags & SHELL_CMD_HIDDEN))
            shellPrint(ctl, "    %-30s %s\n", def->name, def->help);
    }
    return true;
}


static bool
shellCmdHasShortOpts(const shellCmdDef *def)
{
    const shellOptDef *opt;

    for (opt = def->opts; opt && opt->name; opt++) {
        if (opt->type == SHELL_OT_STRING || opt->type == SHELL_OT_DATA)
            return true;
    }
    return false;
}


static void
shellCmdHelpSynopsis(shellControl *ctl, const shellCmdDef *def, bool shortopt)
{
    const shellOptDef *opt;

    shellPrint(ctl, "\n  SYNOPSIS\n    %s", def->name);
    for (opt = def->opts; opt && opt->name; opt++) {
        switch (opt->type) {
        case SHELL_OT_BOOL:
            shellPrint(ctl, " [--%s]", opt->name);
            break;
        case SHELL_OT_STRING:
            shellPrint(ctl, " [--%s <string>]", opt->name);
            break;
        case SHELL_OT_DATA:
            shellPrint(ctl, opt->required ? " <%s>" : " [<%s>]", opt->name);
            break;
        case SHELL_OT_ARGV:
            if (shortopt) {
                shellPrint(ctl, opt->required ? " {[--%s] <string>}..." : " [[--%s] <string>]...",
                           opt->name);
            } else {
                shellPrint(ctl, opt->required ? " <%s>..." : " [<%s>]...", opt->name);
            }
            break;
        }
    }
    shellPrint(ctl, "\n");
}


bool
shellCmdHelp(shellControl *ctl, const shellCmdDef *def)
{
    bool shortopt = shellCmdHasShortOpts(def);
    const shellOptDef *opt;

    shellPrint(ctl, "  NAME\n    %s - %s\n", def->name, def->help);
    shellCmdHelpSynopsis(ctl, def, shortopt);
    if (def->desc && *def->desc)
        shellPrint(ctl, "\n  DESCRIPTION\n    %s\n", def->desc);
    if (def->opts && def->opts->name) {
        shellPrint(ctl, "\n  OPTIONS\n");
        for (opt = def->opts; opt->name; opt++) {
            g_autofree char *buf = NULL;

            switch (opt->type) {
            case SHELL_OT_BOOL:
                buf = g_strdup_printf("--%s", opt->name);
                break;
            case SHELL_OT_STRING:
                buf = g_strdup_printf("--%s <string>", opt->name);
                break;
            case SHELL_OT_DATA:
                buf = g_strdup_printf("[--%s] <string>", opt->name);
                break;
            case SHELL_OT_ARGV:
                buf = g_strdup_printf(shortopt ? "[--%s] <string>" : "<%s>", opt->name);
                break;
            }
            shellPrint(ctl, "    %-15s  %s\n", buf, opt->help);
        }
    }
    shellPrint(ctl, "\n");
    return true;
}
