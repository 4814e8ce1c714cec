/*
 * cmd_qemu.c: QEMU-specific commands (virsh's qemu-monitor-command).
 */
#include <stdlib.h>

#include <glib.h>

#include "shell.h"


/* clang-format off */
static const shellOptDef opts_qemu_monitor_command[] = {
    SHELL_OPT_DOMAIN,
    { .name = "hmp", .type = SHELL_OT_BOOL, .help = "command is in human monitor protocol" },
    { .name = "cmd", .type = SHELL_OT_ARGV, .required = true, .help = "command" },
    { .name = NULL }
};
/* clang-format on */


static bool
cmdQemuMonitorCommand(shellControl *ctl, const shellCmd *cmd)
{
    g_autoptr(shellDomain) dom = NULL;
    g_autoptr(GString) text = g_string_new(NULL);
    const shellCmdOpt *opt = NULL;
    unsigned int flags = 0;
    char *result = NULL;

    if (!(dom = shellCommandOptDomain(ctl, cmd, NULL)))
        return false;
    if (shellOptBool(cmd, "hmp"))
        flags |= CAIRN_DOMAIN_QEMU_MONITOR_COMMAND_HMP;
    /* As virsh: the words are joined with single spaces. */
    while ((opt = shellOptArgv(cmd, opt))) {
        if (text->len)
            g_string_append_c(text, ' ');
        g_string_append(text, opt->data);
    }
    if (cairnDomainQemuMonitorCommand(dom, text->str, &result, flags) < 0)
        return shellSaveError(ctl);
    shellPrint(ctl, "%s\n", result);
    free(result);
    return true;
}


const shellCmdDef qemuCmds[] = { { .name = "qemu-monitor-command",
                                   .handler = cmdQemuMonitorCommand,
                                   .opts = opts_qemu_monitor_command,
                                   .help = "QEMU Monitor Command",
                                   .desc = "QEMU Monitor Command" },
                                 { .name = NULL } };
