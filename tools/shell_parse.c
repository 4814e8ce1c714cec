/*
 * shell_parse.c: the shell's option tables and their virsh-compatible
 * parsing: command lines from argv or from ';'-separated strings, option
 * lookup, the checks commands make on their options, and the domain
 * option (name, id or UUID).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "shell.h"


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
