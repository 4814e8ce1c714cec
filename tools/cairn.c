/*
 * cairn.c: the cairn command line tool, a virsh-compatible shell for
 * Cairn's domains, checkpoints and backups: main(), the command groups
 * and the commands about the shell itself and the connection.
 */
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "cmd_complete.h"
#include "shell.h"
#include "cmd_backup.h"
#include "cmd_blockjob.h"


/* ---- help, echo, quit/exit, connect ---- */

static const shellOptDef opts_help[] = {
    { .name = "command",
      .type = SHELL_OT_STRING,
      .help =
          "Prints global help, command specific help, or help for a group of related commands" },
    { .name = NULL }
};


static const shellCmdGroup *
shellGroupSearch(shellControl *ctl, const char *name)
{
    const shellCmdGroup *grp;

    for (grp = ctl->groups; grp->name; grp++) {
        if (g_str_equal(grp->name, name) || g_str_equal(grp->keyword, name))
            return grp;
    }
    return NULL;
}


static bool
cmdHelp(shellControl *ctl, const shellCmd *cmd)
{
    const shellCmdGroup *grp;
    const shellCmdDef *def;
    const char *name = NULL;

    if (shellOptString(ctl, cmd, "command", &name) < 0 || !name) {
        shellPrint(ctl, "%s", "Grouped commands:\n\n");
        for (grp = ctl->groups; grp->name; grp++) {
            shellGroupHelp(ctl, grp);
            shellPrint(ctl, "\n");
        }
        return true;
    }
    if ((def = shellCmdSearch(ctl, name)))
        return shellCmdHelp(ctl, def);
    if ((grp = shellGroupSearch(ctl, name)))
        return shellGroupHelp(ctl, grp);
    shellError(ctl, "command or command group '%s' doesn't exist", name);
    return false;
}


static const shellOptDef opts_echo[] = {
    { .name = "shell", .type = SHELL_OT_BOOL, .help = "escape for shell use" },
    { .name = "xml", .type = SHELL_OT_BOOL, .help = "escape for XML use" },
    { .name = "split",
      .type = SHELL_OT_BOOL,
      .help = "split each argument on ','; ',,' is an escape sequence" },
    { .name = "err", .type = SHELL_OT_BOOL, .help = "output to stderr" },
    { .name = "string", .type = SHELL_OT_ARGV, .empty_ok = true, .help = "arguments to echo" },
    { .name = NULL }
};


/* Quote @str for sh when it needs it, as virsh's echo --shell does. */
static void
echoEscapeShell(GString *buf, const char *str)
{
    const char *p;

    if (!*str) {
        g_string_append(buf, "''");
        return;
    }
    if (strcspn(str, "\"'\\ \t\n|&;<>()$`*?[]#~{}!") == strlen(str)) {
        g_string_append(buf, str);
        return;
    }
    g_string_append_c(buf, '\'');
    for (p = str; *p; p++) {
        if (*p == '\'') {
            g_string_append(buf, "'\\''");
        } else {
            g_string_append_c(buf, *p);
        }
    }
    g_string_append_c(buf, '\'');
}


static void
echoAppend(GString *buf, const char *arg, bool xml, bool shell, bool split)
{
    if (xml) {
        g_autofree char *esc = shellXMLEscape(arg);

        g_string_append(buf, esc);
    } else if (shell) {
        echoEscapeShell(buf, arg);
    } else if (split) {
        g_auto(GStrv) parts = shellSplitCommaList(arg);
        GStrv p;

        for (p = parts; *p; p++)
            g_string_append_printf(buf, "%s\n", *p);
    } else {
        g_string_append(buf, arg);
    }
    g_string_append_c(buf, ' ');
}


static bool
cmdEcho(shellControl *ctl, const shellCmd *cmd)
{
    bool shell = shellOptBool(cmd, "shell");
    bool xml = shellOptBool(cmd, "xml");
    bool split = shellOptBool(cmd, "split");
    g_autoptr(GString) buf = g_string_new(NULL);
    const shellCmdOpt *opt = NULL;

    if (!shellExclusive(ctl, "shell", shell, "xml", xml) ||
        !shellExclusive(ctl, "shell", shell, "split", split) ||
        !shellExclusive(ctl, "xml", xml, "split", split))
        return false;
    while ((opt = shellOptArgv(cmd, opt)))
        echoAppend(buf, opt->data, xml, shell, split);
    while (buf->len && buf->str[buf->len - 1] == ' ')
        g_string_truncate(buf, buf->len - 1);
    if (!buf->len)
        return true;
    if (shellOptBool(cmd, "err")) {
        shellError(ctl, "%s", buf->str);
    } else {
        shellPrint(ctl, "%s", buf->str);
    }
    return true;
}


static bool
cmdQuit(shellControl *ctl, const shellCmd *cmd G_GNUC_UNUSED)
{
    ctl->imode = false;
    return true;
}


static const shellOptDef opts_connect[] = {
    { .name = "name",
      .type = SHELL_OT_STRING,
      .empty_ok = true,
      .help = "hypervisor connection URI" },
    { .name = "readonly", .type = SHELL_OT_BOOL, .help = "read-only connection" },
    { .name = NULL }
};


static bool
cmdConnect(shellControl *ctl, const shellCmd *cmd)
{
    const char *name = NULL;

    if (shellOptString(ctl, cmd, "name", &name) < 0)
        return false;
    return shellReconnect(ctl, name, shellOptBool(cmd, "readonly"));
}


const shellCmdDef shellBuiltinCmds[] = {
    { .name = "complete",
      .handler = cmdComplete,
      .opts = opts_complete,
      .help = "completion candidates (for the bash completion script)",
      .desc = "Print the candidates for the last word after the words given, one per line.",
      .flags = SHELL_CMD_NOCONNECT | SHELL_CMD_HIDDEN },
    { .name = "connect",
      .handler = cmdConnect,
      .opts = opts_connect,
      .help = "(re)connect to hypervisor",
      .desc = "Connect to local hypervisor. This is built-in command after shell start up.",
      .flags = SHELL_CMD_NOCONNECT },
    { .name = "echo",
      .handler = cmdEcho,
      .opts = opts_echo,
      .help = "echo arguments. Used for internal testing.",
      .desc = "Echo back arguments, possibly with quoting. Used for internal testing.",
      .flags = SHELL_CMD_NOCONNECT },
    { .name = "exit",
      .handler = cmdQuit,
      .help = "quit this interactive terminal",
      .desc = "",
      .flags = SHELL_CMD_NOCONNECT },
    { .name = "help",
      .handler = cmdHelp,
      .opts = opts_help,
      .help = "print help",
      .desc = "Prints global help, command specific help, or help for a\n"
              "    group of related commands",
      .flags = SHELL_CMD_NOCONNECT },
    { .name = "quit",
      .handler = cmdQuit,
      .help = "quit this interactive terminal",
      .desc = "",
      .flags = SHELL_CMD_NOCONNECT },
    { .name = NULL }
};


/* ---- uri, version ---- */

static bool
cmdURI(shellControl *ctl, const shellCmd *cmd G_GNUC_UNUSED)
{
    g_autofree char *uri = cairnConnectGetURI(ctl->conn);

    if (!uri) {
        shellError(ctl, "%s", "failed to get URI");
        return shellSaveError(ctl);
    }
    shellPrint(ctl, "%s\n", uri);
    return true;
}


static void
versionPrint(shellControl *ctl, const char *label, const char *name, unsigned long ver)
{
    shellPrint(ctl, "%s %s %lu.%lu.%lu\n", label, name, ver / 1000000, (ver / 1000) % 1000,
               ver % 1000);
}


static const shellOptDef opts_version[] = {
    { .name = "daemon", .type = SHELL_OT_BOOL, .help = "report daemon version too" },
    { .name = NULL }
};


/* virsh's lines; the daemon's is always printed (virsh needs --daemon,
 * which is accepted): through cairnd it is the daemon's library, on an
 * embedded connection this library. */
static bool
cmdVersion(shellControl *ctl, const shellCmd *cmd G_GNUC_UNUSED)
{
    unsigned long libVer = 0;
    unsigned long daemonVer = 0;
    const char *type;

    versionPrint(ctl, "Compiled against library:", "cairn", CAIRN_VERSION_NUMBER);
    if (cairnGetVersion(&libVer) < 0) {
        shellError(ctl, "%s", "failed to get the library version");
        return shellSaveError(ctl);
    }
    versionPrint(ctl, "Using library:", "cairn", libVer);
    if (!(type = cairnConnectGetType(ctl->conn))) {
        shellError(ctl, "%s", "failed to get hypervisor type");
        return shellSaveError(ctl);
    }
    versionPrint(ctl, "Using API:", type, libVer);
    if (cairnConnectGetLibVersion(ctl->conn, &daemonVer) < 0) {
        shellError(ctl, "%s", "failed to get the daemon version");
        return shellSaveError(ctl);
    }
    shellPrint(ctl, "Running against daemon: %lu.%lu.%lu\n", daemonVer / 1000000,
               (daemonVer / 1000) % 1000, daemonVer % 1000);
    return true;
}


const shellCmdDef hostCmds[] = {
    { .name = "uri", .handler = cmdURI, .help = "print the hypervisor canonical URI", .desc = "" },
    { .name = "version",
      .handler = cmdVersion,
      .opts = opts_version,
      .help = "show version",
      .desc = "Display the system version information." },
    { .name = NULL }
};


static const shellCmdGroup cmdGroups[] = { { "Backup", "backup", backupCmds },
                                           { "Checkpoint", "checkpoint", checkpointCmds },
                                           { "Domain Management", "domain", domainCmds },
                                           { "Domain Block Jobs", "blockjob", blockjobCmds },
                                           { "Disk Metadata", "disk", diskCmds },
                                           { "Domain Events", "events", eventCmds },
                                           { "Domain Monitoring", "monitor", domainMonitorCmds },
                                           { "Host and Hypervisor", "host", hostCmds },
                                           { "QEMU", "qemu", qemuCmds },
                                           { "Cairn itself", "cairn", shellBuiltinCmds },
                                           { NULL, NULL, NULL } };


/* ---- main ---- */

static void
usage(shellControl *ctl)
{
    const shellCmdGroup *grp;

    shellPrint(ctl,
               "\n%s [options]... [<command_string>]"
               "\n%s [options]... <command> [args...]\n\n"
               "  options:\n"
               "    -c | --connect=URI      hypervisor connection URI\n"
               "    -h | --help             this help\n"
               "    -q | --quiet            quiet mode\n"
               "    -r | --readonly         connect readonly\n"
               "    -v | --version          short version\n\n"
               "  commands (non interactive mode):\n\n",
               ctl->progname, ctl->progname);
    for (grp = ctl->groups; grp->name; grp++) {
        shellGroupHelp(ctl, grp);
        shellPrint(ctl, "\n");
    }
    shellPrint(ctl, "%s",
               "\n  (specify help <group> for details about the commands in the group)\n");
    shellPrint(ctl, "%s", "\n  (specify help <command> for details about the command)\n\n");
}


/* Returns -1 to continue, else the exit status. */
static int
parseArgv(shellControl *ctl, int argc, char **argv)
{
    static const struct option longopts[] = {
        { "connect", required_argument, NULL, 'c' }, { "help", no_argument, NULL, 'h' },
        { "quiet", no_argument, NULL, 'q' },         { "readonly", no_argument, NULL, 'r' },
        { "version", no_argument, NULL, 'v' },       { NULL, 0, NULL, 0 },
    };
    int c;

    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:c:hqrv", longopts, NULL)) != -1) {
        switch (c) {
        case 'c':
            g_free(ctl->uri);
            ctl->uri = g_strdup(optarg);
            break;
        case 'h':
            usage(ctl);
            return EXIT_SUCCESS;
        case 'q':
            ctl->quiet = true;
            break;
        case 'r':
            ctl->readonly = true;
            break;
        case 'v':
            shellPrint(ctl, "%d.%d.%d\n", CAIRN_VERSION_MAJOR, CAIRN_VERSION_MINOR,
                       CAIRN_VERSION_MICRO);
            return EXIT_SUCCESS;
        case ':':
            shellError(ctl, "option '-%c' requires an argument", optopt);
            return EXIT_FAILURE;
        default:
            if (optopt) {
                shellError(ctl, "unsupported option '-%c'. See --help.", optopt);
            } else {
                shellError(ctl, "unsupported option '%s'. See --help.", argv[optind - 1]);
            }
            return EXIT_FAILURE;
        }
    }
    return -1;
}


static void
shellControlClear(shellControl *ctl)
{
    shellResetError(ctl);
    if (ctl->conn)
        cairnConnectClose(ctl->conn);
    g_free(ctl->uri);
}


int
main(int argc, char **argv)
{
    shellControl ctl = { .progname = "cairn", .groups = cmdGroups };
    g_autoptr(GPtrArray) cmds = NULL;
    int ret;

    setlocale(LC_ALL, "");
    xmlInitParser();
    if ((ret = parseArgv(&ctl, argc, argv)) >= 0)
        goto cleanup;
    ret = EXIT_FAILURE;
    /* With -c the connection must work before anything runs; otherwise
     * it is opened when the first command needs it. */
    if (ctl.uri && !shellConnection(&ctl)) {
        shellReportError(&ctl);
        goto cleanup;
    }
    if (optind >= argc) {
        shellInteractive(&ctl);
        ret = EXIT_SUCCESS;
        goto cleanup;
    }
    if (argc - optind == 1) {
        cmds = shellParseString(&ctl, argv[optind]);
    } else {
        cmds = shellParseArgv(&ctl, argc - optind, argv + optind);
    }
    if (cmds && shellRun(&ctl, cmds))
        ret = EXIT_SUCCESS;

cleanup:
    fflush(stdout);
    shellControlClear(&ctl);
    return ret;
}
