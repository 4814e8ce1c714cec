/*
 * shell.c: the command shell behind the cairn CLI (our small vsh.c):
 * output and errors, option tables and their virsh-compatible parsing,
 * ';'-separated command strings, the interactive loop with history,
 * help, tables, tree listings and XML helpers.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

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


/* ---- options ---- */

static const shellCmdOpt *
shellOptFind(const shellCmd *cmd, const char *name)
{
    size_t i;

    for (i = 0; i < cmd->opts->len; i++) {
        const shellCmdOpt *opt = g_ptr_array_index(cmd->opts, i);

        if (g_str_equal(opt->def->name, name))
            return opt;
    }
    return NULL;
}


bool
shellOptBool(const shellCmd *cmd, const char *name)
{
    return shellOptFind(cmd, name) != NULL;
}


int
shellOptString(shellControl *ctl, const shellCmd *cmd, const char *name, const char **value)
{
    const shellCmdOpt *opt = shellOptFind(cmd, name);

    *value = NULL;
    if (!opt)
        return 0;
    if (!*opt->data && !opt->def->empty_ok) {
        shellError(ctl, "Failed to get option '%s': %s", name, "Option argument is empty");
        return -1;
    }
    *value = opt->data;
    return 0;
}


const shellCmdOpt *
shellOptArgv(const shellCmd *cmd, const shellCmdOpt *prev)
{
    size_t i = 0;

    if (prev) {
        while (i < cmd->opts->len && g_ptr_array_index(cmd->opts, i) != prev)
            i++;
        i++;
    }
    for (; i < cmd->opts->len; i++) {
        const shellCmdOpt *opt = g_ptr_array_index(cmd->opts, i);

        if (opt->def->type == SHELL_OT_ARGV)
            return opt;
    }
    return NULL;
}


bool
shellExclusive(shellControl *ctl, const char *name1, bool set1, const char *name2, bool set2)
{
    if (set1 && set2) {
        shellError(ctl, "Options --%s and --%s are mutually exclusive", name1, name2);
        return false;
    }
    return true;
}


bool
shellRequires(shellControl *ctl, const char *name, bool set, const char *needed, bool needed_set)
{
    if (set && !needed_set) {
        shellError(ctl, "Option --%s is required by option --%s", needed, name);
        return false;
    }
    return true;
}


/* ---- parsing ---- */

static const shellOptDef shellHelpOpt = { .name = "help",
                                          .type = SHELL_OT_BOOL,
                                          .help = "print help for this function" };


static void
shellCmdOptFree(shellCmdOpt *opt)
{
    g_free(opt->data);
    g_free(opt);
}


static void
shellCmdFree(shellCmd *cmd)
{
    if (!cmd)
        return;
    if (cmd->opts)
        g_ptr_array_unref(cmd->opts);
    g_free(cmd);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(shellCmd, shellCmdFree)


const shellCmdDef *
shellCmdSearch(shellControl *ctl, const char *name)
{
    const shellCmdGroup *grp;
    const shellCmdDef *def;

    for (grp = ctl->groups; grp->name; grp++) {
        for (def = grp->commands; def->name; def++) {
            if (g_str_equal(def->name, name))
                return def;
        }
    }
    return NULL;
}


/* State of one command being parsed. */
typedef struct {
    shellControl *ctl;
    shellCmd *cmd;
    uint64_t need_arg; /* options that still take positional data */
    uint64_t seen;
    bool is_help; /* the 'help' command ignores stray input */
} shellParser;


static void
shellParserAdd(shellParser *p, const shellOptDef *def, const char *data)
{
    shellCmdOpt *opt = g_new0(shellCmdOpt, 1);

    opt->def = def;
    opt->data = g_strdup(data);
    g_ptr_array_add(p->cmd->opts, opt);
}


static const shellOptDef *
shellParserLookupOpt(shellParser *p, const char *name, size_t *idx)
{
    const shellOptDef *opts = p->cmd->def->opts;
    size_t i;

    if (g_str_equal(name, "help"))
        return &shellHelpOpt;
    for (i = 0; opts && opts[i].name; i++) {
        if (!g_str_equal(opts[i].name, name))
            continue;
        if ((p->seen & (1ULL << i)) && opts[i].type != SHELL_OT_ARGV) {
            shellError(p->ctl, "option --%s already seen", name);
            return NULL;
        }
        p->seen |= 1ULL << i;
        *idx = i;
        return &opts[i];
    }
    if (!p->is_help)
        shellError(p->ctl, "command '%s' doesn't support option --%s", p->cmd->def->name, name);
    return NULL;
}


/* Handle "--name", "--name=value" or "--name value" at tokens[*pos]. */
static bool
shellParserOption(shellParser *p, char **tokens, size_t ntokens, size_t *pos)
{
    g_autofree char *name = g_strdup(tokens[*pos] + 2);
    char *eq = strchr(name, '=');
    const char *value = NULL;
    const shellOptDef *def;
    size_t idx = 0;

    if (eq) {
        *eq = '\0';
        value = eq + 1;
    }
    if (!(def = shellParserLookupOpt(p, name, &idx)))
        return p->is_help; /* 'help' ignores stray options */
    if (def->type == SHELL_OT_BOOL) {
        if (value) {
            shellError(p->ctl, "invalid '=' after option --%s", def->name);
            return false;
        }
        shellParserAdd(p, def, NULL);
        return true;
    }
    if (!value) {
        if (*pos + 1 >= ntokens) {
            shellError(p->ctl, "expected syntax: --%s <%s>", def->name, "string");
            return false;
        }
        value = tokens[++*pos];
    }
    if (def->type != SHELL_OT_ARGV)
        p->need_arg &= ~(1ULL << idx);
    shellParserAdd(p, def, value);
    return true;
}


static bool
shellParserData(shellParser *p, const char *data)
{
    const shellOptDef *opts = p->cmd->def->opts;
    size_t i;

    if (!p->need_arg) {
        if (p->is_help)
            return true;
        shellError(p->ctl, "unexpected data '%s'", data);
        return false;
    }
    i = __builtin_ctzll(p->need_arg);
    if (opts[i].type != SHELL_OT_ARGV)
        p->need_arg &= ~(1ULL << i);
    p->seen |= 1ULL << i;
    shellParserAdd(p, &opts[i], data);
    return true;
}


static bool
shellParserCheckRequired(shellParser *p)
{
    const shellOptDef *opts = p->cmd->def->opts;
    bool ok = true;
    size_t i;

    for (i = 0; opts && opts[i].name; i++) {
        if (!opts[i].required || (p->seen & (1ULL << i)))
            continue;
        if (opts[i].type == SHELL_OT_DATA || opts[i].type == SHELL_OT_ARGV) {
            shellError(p->ctl, "command '%s' requires <%s> option", p->cmd->def->name,
                       opts[i].name);
        } else {
            shellError(p->ctl, "command '%s' requires --%s option", p->cmd->def->name,
                       opts[i].name);
        }
        ok = false;
    }
    return ok;
}


static shellCmd *
shellParseTokens(shellControl *ctl, char **tokens, size_t ntokens)
{
    g_autoptr(shellCmd) cmd = g_new0(shellCmd, 1);
    shellParser p = { .ctl = ctl, .cmd = cmd };
    const char *cmdname = tokens[0];
    bool data_only = false;
    size_t i;

    if (!(cmd->def = shellCmdSearch(ctl, cmdname))) {
        shellError(ctl, "unknown command: '%s'", cmdname);
        return NULL;
    }
    cmd->opts = g_ptr_array_new_with_free_func((GDestroyNotify)shellCmdOptFree);
    p.is_help = g_str_equal(cmd->def->name, "help");
    for (i = 0; cmd->def->opts && cmd->def->opts[i].name; i++) {
        if (cmd->def->opts[i].type != SHELL_OT_BOOL)
            p.need_arg |= 1ULL << i;
    }
    for (i = 1; i < ntokens; i++) {
        const char *tk = tokens[i];
        bool ok;

        if (!data_only && tk[0] == '-' && tk[1] == '-' && g_ascii_isalnum(tk[2])) {
            ok = shellParserOption(&p, tokens, ntokens, &i);
        } else if (!data_only && g_str_equal(tk, "--")) {
            ok = data_only = true;
        } else {
            ok = shellParserData(&p, tk);
        }
        if (!ok)
            return NULL;
    }
    if (shellOptBool(cmd, "help") && !p.is_help) {
        const shellCmdDef *help = shellCmdSearch(ctl, "help");

        if (!help)
            return NULL;
        g_ptr_array_set_size(cmd->opts, 0);
        cmd->def = help;
        shellParserAdd(&p, &help->opts[0], cmdname);
        return g_steal_pointer(&cmd);
    }
    if (!shellParserCheckRequired(&p))
        return NULL;
    return g_steal_pointer(&cmd);
}


/* Append the command in @tokens (if any) to @cmds; false on error. */
static bool
shellParseFlush(shellControl *ctl, GPtrArray *tokens, GPtrArray *cmds)
{
    shellCmd *cmd;

    if (tokens->len == 0)
        return true;
    cmd = shellParseTokens(ctl, (char **)tokens->pdata, tokens->len);
    g_ptr_array_set_size(tokens, 0);
    if (!cmd)
        return false;
    g_ptr_array_add(cmds, cmd);
    return true;
}


GPtrArray *
shellParseArgv(shellControl *ctl, int argc, char **argv)
{
    g_autoptr(GPtrArray) cmds = g_ptr_array_new_with_free_func((GDestroyNotify)shellCmdFree);
    g_autoptr(GPtrArray) tokens = g_ptr_array_new();
    int i;

    if (argc > 0 && argv[0][0] == '#')
        return g_steal_pointer(&cmds);
    for (i = 0; i < argc; i++)
        g_ptr_array_add(tokens, argv[i]);
    if (!shellParseFlush(ctl, tokens, cmds))
        return NULL;
    return g_steal_pointer(&cmds);
}


typedef enum {
    SHELL_TK_ERROR,
    SHELL_TK_ARG,
    SHELL_TK_CMD_END,
    SHELL_TK_END,
} shellToken;


/* The shell-like tokenizer of command strings: blanks separate words,
 * ';' and newlines separate commands, '#' at the start of a word starts a
 * comment, quotes and backslashes work as in sh. */
static shellToken
shellNextToken(shellControl *ctl, const char **pos, GString *word)
{
    const char *p = *pos;
    bool single_quote = false;
    bool double_quote = false;

    g_string_truncate(word, 0);
    while (*p == ' ' || *p == '\t' || (*p == '\\' && p[1] == '\n'))
        p += 1 + (*p == '\\');
    if (*p == '\0')
        return SHELL_TK_END;
    if (*p == ';' || *p == '\n') {
        *pos = p + 1;
        return SHELL_TK_CMD_END;
    }
    if (*p == '#') {
        while (*p && *p != '\n')
            p++;
        *pos = p + (*p != '\0');
        return SHELL_TK_CMD_END;
    }
    while (*p) {
        if (!double_quote && !single_quote && (*p == ' ' || *p == '\t' || *p == ';' || *p == '\n'))
            break;
        if (!double_quote && *p == '\'') {
            single_quote = !single_quote;
            p++;
            continue;
        }
        if (!single_quote && *p == '\\') {
            p++;
            if (*p == '\0') {
                shellError(ctl, "%s", "dangling \\");
                return SHELL_TK_ERROR;
            }
            if (*p == '\n') {
                p++;
                continue;
            }
        } else if (!single_quote && *p == '"') {
            double_quote = !double_quote;
            p++;
            continue;
        }
        g_string_append_c(word, *p++);
    }
    if (double_quote) {
        shellError(ctl, "%s", "missing \"");
        return SHELL_TK_ERROR;
    }
    *pos = p;
    return SHELL_TK_ARG;
}


GPtrArray *
shellParseString(shellControl *ctl, const char *str)
{
    g_autoptr(GPtrArray) cmds = g_ptr_array_new_with_free_func((GDestroyNotify)shellCmdFree);
    g_autoptr(GPtrArray) tokens = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GString) word = g_string_new(NULL);
    const char *pos = str;

    for (;;) {
        shellToken tk = shellNextToken(ctl, &pos, word);

        switch (tk) {
        case SHELL_TK_ERROR:
            return NULL;
        case SHELL_TK_ARG:
            g_ptr_array_add(tokens, g_strdup(word->str));
            continue;
        case SHELL_TK_CMD_END:
        case SHELL_TK_END:
            if (!shellParseFlush(ctl, tokens, cmds))
                return NULL;
            break;
        }
        if (tk == SHELL_TK_END)
            break;
    }
    return g_steal_pointer(&cmds);
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


/* ---- misc helpers ---- */

GStrv
shellSplitCommaList(const char *str)
{
    g_auto(GStrv) parts = g_strsplit(str, ",", 0);
    g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func(g_free);
    bool concat = false;
    size_t i;

    g_ptr_array_add(out, g_strdup(parts[0]));
    for (i = 1; parts[i]; i++) {
        if (concat) {
            char *prev = g_ptr_array_index(out, out->len - 1);

            out->pdata[out->len - 1] = g_strconcat(prev, ",", parts[i], NULL);
            g_free(prev);
            concat = false;
        } else if (!*parts[i]) {
            concat = true;
        } else {
            g_ptr_array_add(out, g_strdup(parts[i]));
        }
    }
    if (concat)
        g_ptr_array_add(out, g_strdup(""));
    g_ptr_array_add(out, NULL);
    return (GStrv)g_ptr_array_free(g_steal_pointer(&out), FALSE);
}


char *
shellReadFile(shellControl *ctl, const char *path)
{
    g_autoptr(GString) buf = g_string_new(NULL);
    char chunk[1024];
    size_t n;
    FILE *fp;

    if (!(fp = fopen(path, "r"))) {
        shellError(ctl, "Failed to open file '%s': %s", path, g_strerror(errno));
        return NULL;
    }
    while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
        g_string_append_len(buf, chunk, n);
        if (buf->len > SHELL_MAX_XML_FILE) {
            fclose(fp);
            shellError(ctl, "File '%s' is too large", path);
            return NULL;
        }
    }
    if (ferror(fp)) {
        int saved = errno;

        fclose(fp);
        shellError(ctl, "Failed to read file '%s': %s", path, g_strerror(saved));
        return NULL;
    }
    fclose(fp);
    return g_string_free(g_steal_pointer(&buf), FALSE);
}


/* ---- tables ---- */

struct _shellTable {
    GPtrArray *rows; /* GStrv; row 0 is the header */
    size_t ncols;
};


static GStrv
shellTableRowV(const char *first, va_list ap)
{
    g_autoptr(GPtrArray) cells = g_ptr_array_new();
    const char *cell;

    for (cell = first; cell; cell = va_arg(ap, const char *))
        g_ptr_array_add(cells, g_strdup(cell));
    g_ptr_array_add(cells, NULL);
    return (GStrv)g_ptr_array_free(g_steal_pointer(&cells), FALSE);
}


shellTable *
shellTableNew(const char *first, ...)
{
    shellTable *table = g_new0(shellTable, 1);
    GStrv header;
    va_list ap;

    va_start(ap, first);
    header = shellTableRowV(first, ap);
    va_end(ap);
    table->rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
    table->ncols = g_strv_length(header);
    g_ptr_array_add(table->rows, header);
    return table;
}


void
shellTableAddRow(shellTable *table, const char *first, ...)
{
    GStrv row;
    va_list ap;

    va_start(ap, first);
    row = shellTableRowV(first, ap);
    va_end(ap);
    g_assert(g_strv_length(row) == table->ncols);
    g_ptr_array_add(table->rows, row);
}


void
shellTableFree(shellTable *table)
{
    if (!table)
        return;
    g_ptr_array_unref(table->rows);
    g_free(table);
}


/* Control characters are shown as \xNN so that column widths hold. */
static char *
shellTableSafeCell(const char *cell, size_t *width)
{
    GString *out = g_string_new(NULL);
    const char *p;

    for (p = cell; *p; p = g_utf8_next_char(p)) {
        if ((*p == '\\' && p[1] == 'x') || g_ascii_iscntrl(*p)) {
            g_string_append_printf(out, "\\x%02x", (unsigned char)*p);
        } else {
            g_string_append_len(out, p, g_utf8_next_char(p) - p);
        }
    }
    *width = g_utf8_strlen(out->str, -1);
    return g_string_free(out, FALSE);
}


static void
shellTableRowPrint(GString *buf, GStrv cells, const size_t *maxw, size_t ncols)
{
    size_t i;

    for (i = 0; i < ncols; i++) {
        size_t width;
        g_autofree char *cell = shellTableSafeCell(cells[i], &width);

        g_string_append_printf(buf, " %s", cell);
        if (i + 1 < ncols) {
            size_t pad;

            for (pad = 0; pad < maxw[i] - width + 2; pad++)
                g_string_append_c(buf, ' ');
        }
    }
    g_string_append_c(buf, '\n');
}


/* virsh's table: a space before each cell, cells padded to the column
 * width plus two spaces (but not the last), a dashed line of
 * sum(width + 3) under the header; no header with --quiet. */
void
shellTablePrint(shellControl *ctl, shellTable *table)
{
    g_autofree size_t *maxw = g_new0(size_t, table->ncols);
    g_autoptr(GString) buf = g_string_new(NULL);
    bool header = !ctl->quiet;
    size_t i;
    size_t j;

    for (i = header ? 0 : 1; i < table->rows->len; i++) {
        GStrv row = g_ptr_array_index(table->rows, i);

        for (j = 0; j < table->ncols; j++) {
            size_t width;

            g_free(shellTableSafeCell(row[j], &width));
            maxw[j] = MAX(maxw[j], width);
        }
    }
    if (header) {
        shellTableRowPrint(buf, g_ptr_array_index(table->rows, 0), maxw, table->ncols);
        for (j = 0; j < table->ncols; j++) {
            for (i = 0; i < maxw[j] + 3; i++)
                g_string_append_c(buf, '-');
        }
        g_string_append_c(buf, '\n');
    }
    for (i = 1; i < table->rows->len; i++)
        shellTableRowPrint(buf, g_ptr_array_index(table->rows, i), maxw, table->ncols);
    shellPrint(ctl, "%s", buf->str);
}


/* ---- trees ---- */

/* One entry being printed: its children (indices, in list order) and how
 * far through them the walk is. */
typedef struct {
    size_t id;
    size_t lastid; /* the last child of this entry's parent */
    bool root;
    GArray *kids; /* borrowed from the index; NULL when none */
    guint next;
} shellTreeFrame;


/* Map each name to the indices of the entries whose parent it is, in list
 * order: one pass, so printing stays linear in the number of entries. */
static GHashTable *
shellTreeIndex(shellTreeLookup lookup, void *opaque, size_t count)
{
    GHashTable *index =
        g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify)g_array_unref);
    size_t i;

    for (i = 0; i < count; i++) {
        const char *parent = lookup(i, true, opaque);
        GArray *kids;

        if (!parent)
            continue;
        if (!(kids = g_hash_table_lookup(index, parent))) {
            kids = g_array_new(FALSE, FALSE, sizeof(size_t));
            g_hash_table_insert(index, (gpointer)parent, kids);
        }
        g_array_append_val(kids, i);
    }
    return index;
}


/* Print the entry's own line and open its children. */
static void
shellTreeEnter(shellControl *ctl, GString *indent, const shellTreeFrame *f, const char *name)
{
    shellPrint(ctl, "%s%s%s\n", indent->str, f->root ? "" : "+- ", name);
    if (!f->root)
        g_string_append(indent, f->id == f->lastid ? "  " : "| ");
    if (f->kids)
        shellPrint(ctl, "%s  |\n", indent->str);
    g_string_append(indent, "  ");
}


/* Close the entry once its children are printed. */
static void
shellTreeLeave(shellControl *ctl, GString *indent, const shellTreeFrame *f)
{
    g_string_truncate(indent, indent->len - 2);
    if (!f->kids && f->id == f->lastid)
        shellPrint(ctl, "%s\n", indent->str);
    if (!f->root)
        g_string_truncate(indent, indent->len - 2);
}


/* Depth-first with an explicit stack: a chain of 10,000 entries does not
 * recurse 10,000 deep. */
static void
shellTreePrintFrom(
    shellControl *ctl, shellTreeLookup lookup, void *opaque, GHashTable *index, size_t root)
{
    g_autoptr(GArray) stack = g_array_new(FALSE, FALSE, sizeof(shellTreeFrame));
    g_autoptr(GString) indent = g_string_new(NULL);
    shellTreeFrame top = { root, root, true, NULL, 0 };
    const char *name = lookup(root, false, opaque);

    top.kids = g_hash_table_lookup(index, name);
    shellTreeEnter(ctl, indent, &top, name);
    g_array_append_val(stack, top);
    while (stack->len) {
        shellTreeFrame *f = &g_array_index(stack, shellTreeFrame, stack->len - 1);
        shellTreeFrame child = { 0 };

        if (!f->kids || f->next == f->kids->len) {
            shellTreeLeave(ctl, indent, f);
            g_array_set_size(stack, stack->len - 1);
            continue;
        }
        child.id = g_array_index(f->kids, size_t, f->next++);
        child.lastid = g_array_index(f->kids, size_t, f->kids->len - 1);
        name = lookup(child.id, false, opaque);
        child.kids = g_hash_table_lookup(index, name);
        shellTreeEnter(ctl, indent, &child, name);
        g_array_append_val(stack, child);
    }
}


void
shellTreePrint(shellControl *ctl, shellTreeLookup lookup, void *opaque, size_t count)
{
    g_autoptr(GHashTable) index = shellTreeIndex(lookup, opaque, count);
    size_t i;

    for (i = 0; i < count; i++) {
        if (!lookup(i, true, opaque))
            shellTreePrintFrom(ctl, lookup, opaque, index, i);
    }
}


/* ---- typed parameters ---- */

char *
shellTypedParamText(const cairnTypedParameter *p)
{
    switch (p->type) {
    case CAIRN_TYPED_PARAM_INT:
        return g_strdup_printf("%d", p->value.i);
    case CAIRN_TYPED_PARAM_UINT:
        return g_strdup_printf("%u", p->value.ui);
    case CAIRN_TYPED_PARAM_LLONG:
        return g_strdup_printf("%lld", p->value.l);
    case CAIRN_TYPED_PARAM_ULLONG:
        return g_strdup_printf("%llu", p->value.ul);
    case CAIRN_TYPED_PARAM_DOUBLE:
        return g_strdup_printf("%lf", p->value.d);
    case CAIRN_TYPED_PARAM_BOOLEAN:
        /* as libvirt's virTypedParameterToString: "1" or "0" */
        return g_strdup_printf("%d", p->value.b ? 1 : 0);
    case CAIRN_TYPED_PARAM_STRING:
        return g_strdup(p->value.s);
    default:
        return NULL;
    }
}


/* ---- XML ---- */

char *
shellXMLEscape(const char *str)
{
    GString *out = g_string_new(NULL);
    const char *p;

    for (p = str; *p; p++) {
        switch (*p) {
        case '<':
            g_string_append(out, "&lt;");
            break;
        case '>':
            g_string_append(out, "&gt;");
            break;
        case '&':
            g_string_append(out, "&amp;");
            break;
        case '"':
            g_string_append(out, "&quot;");
            break;
        case '\'':
            g_string_append(out, "&apos;");
            break;
        default:
            /* other control characters are dropped, as virsh does */
            if ((unsigned char)*p >= 0x20 || *p == '\n' || *p == '\t' || *p == '\r')
                g_string_append_c(out, *p);
            break;
        }
    }
    return g_string_free(out, FALSE);
}


static char *
shellXMLNodeToString(xmlDocPtr doc, xmlNodePtr node)
{
    xmlBufferPtr xmlbuf = xmlBufferCreate();
    char *ret;

    xmlNodeDump(xmlbuf, doc, node, 0, 1);
    ret = g_strdup((const char *)xmlBufferContent(xmlbuf));
    xmlBufferFree(xmlbuf);
    return ret;
}


static void
shellDumpXMLNodes(shellControl *ctl, xmlDocPtr doc, xmlNodeSetPtr set, bool wrap)
{
    int n = set ? set->nodeNr : 0;
    int i;

    if (wrap) {
        xmlDocPtr newdoc = xmlNewDoc(BAD_CAST "1.0");
        xmlNodePtr root = xmlNewNode(NULL, BAD_CAST "nodes");
        g_autofree char *str = NULL;

        xmlDocSetRootElement(newdoc, root);
        for (i = 0; i < n; i++)
            xmlAddChild(root, xmlDocCopyNode(set->nodeTab[i], newdoc, 1));
        str = shellXMLNodeToString(newdoc, root);
        shellPrint(ctl, "%s\n", str);
        xmlFreeDoc(newdoc);
        return;
    }
    for (i = 0; i < n; i++) {
        g_autofree char *str = shellXMLNodeToString(doc, set->nodeTab[i]);

        shellPrint(ctl, "%s\n", str);
    }
}


bool
shellDumpXML(shellControl *ctl, const char *xml, const char *xpath, bool wrap)
{
    xmlDocPtr doc;
    xmlXPathContextPtr xpctxt;
    xmlXPathObjectPtr obj;
    bool ret = true;

    if (!xpath) {
        shellPrint(ctl, "%s", xml);
        return true;
    }
    if (!(doc = xmlReadMemory(xml, strlen(xml), "domain.xml", NULL,
                              XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOWARNING))) {
        shellError(ctl, "%s", "XML error: failed to parse XML document");
        return false;
    }
    xpctxt = xmlXPathNewContext(doc);
    xpctxt->node = xmlDocGetRootElement(doc);
    obj = xmlXPathEval(BAD_CAST xpath, xpctxt);
    if (obj && obj->type != XPATH_NODESET) {
        shellError(ctl, "internal error: Incorrect xpath '%s'", xpath);
        ret = false;
    } else if (obj) {
        shellDumpXMLNodes(ctl, doc, obj->nodesetval, wrap);
    } else if (wrap) {
        shellDumpXMLNodes(ctl, doc, NULL, wrap);
    }
    xmlXPathFreeObject(obj);
    xmlXPathFreeContext(xpctxt);
    xmlFreeDoc(doc);
    return ret;
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
