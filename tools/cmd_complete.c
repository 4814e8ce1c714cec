/*
 * cmd_complete.c: the hidden 'complete' command, what the bash completion
 * script (tools/bash-completion/cairn) asks, as virsh's 'complete':
 *
 *   cairn [-c URI] [-r] complete -- WORD... CURRENT
 *
 * prints, one per line, the candidates for CURRENT (possibly empty) after
 * WORD...: command names for the first word; a command's options ("--name",
 * those not given yet) for a word starting with '-'; else values for the
 * option the word would fill -- domain names, checkpoint names of the
 * domain given on the line, command and group names for 'help'. Nothing is
 * printed for a value it cannot know (a file: the script falls back to
 * file names). Names come from the connection; when it cannot be opened,
 * there are none (no error).
 */
#include <string.h>

#include "cmd_complete.h"

#define MAX_OPTS 64


static void
completePrint(shellControl *ctl, const char *cur, const char *candidate)
{
    if (g_str_has_prefix(candidate, cur))
        shellPrint(ctl, "%s\n", candidate);
}


static void
completeCommands(shellControl *ctl, const char *cur, bool groups)
{
    for (const shellCmdGroup *grp = ctl->groups; grp->name; grp++) {
        if (groups)
            completePrint(ctl, cur, grp->keyword);
        for (const shellCmdDef *def = grp->commands; def->name; def++) {
            if (!(def->flags & SHELL_CMD_HIDDEN))
                completePrint(ctl, cur, def->name);
        }
    }
}


/* The connection, or NULL without an error printed. */
static cairnConnectPtr
completeConnection(shellControl *ctl)
{
    cairnConnectPtr conn = ctl->conn;

    if (!conn &&
        !(conn = ctl->conn = cairnConnectOpenFlags(ctl->uri, ctl->readonly ? CAIRN_CONNECT_RO : 0)))
        cairnResetLastError();
    return conn;
}


static void
completeDomains(shellControl *ctl, const char *cur)
{
    cairnConnectPtr conn = completeConnection(ctl);
    cairnDomainPtr *doms = NULL;
    int n;

    if (!conn || (n = cairnConnectListAllDomains(conn, &doms, 0)) < 0) {
        cairnResetLastError();
        return;
    }
    for (int i = 0; i < n; i++) {
        completePrint(ctl, cur, cairnDomainGetName(doms[i]));
        cairnDomainFree(doms[i]);
    }
    free(doms);
}


static void
completeCheckpoints(shellControl *ctl, const char *domain, const char *cur)
{
    cairnConnectPtr conn = completeConnection(ctl);
    g_autoptr(shellDomain) dom = NULL;
    cairnDomainCheckpointPtr *chks = NULL;
    int n;

    if (!conn || !domain || !(dom = cairnDomainLookupByName(conn, domain)) ||
        (n = cairnDomainListAllCheckpoints(dom, &chks, 0)) < 0) {
        cairnResetLastError();
        return;
    }
    for (int i = 0; i < n; i++) {
        completePrint(ctl, cur, cairnDomainCheckpointGetName(chks[i]));
        cairnDomainCheckpointFree(chks[i]);
    }
    free(chks);
}


/* What the words before the last give: which options were used, and the
 * value of "domain". */
typedef struct {
    bool seen[MAX_OPTS];
    const char *domain;
    int expect; /* the option whose value the next word is, or -1 */
} completeState;


static int
completeFindOpt(const shellCmdDef *def, const char *name, size_t len)
{
    for (int i = 0; def->opts && def->opts[i].name && i < MAX_OPTS; i++) {
        if (strlen(def->opts[i].name) == len && strncmp(def->opts[i].name, name, len) == 0)
            return i;
    }
    return -1;
}


/* The option positional data would fill next (as shell.c's parser
 * assigns it), or -1. */
static int
completeNextData(const shellCmdDef *def, const completeState *st)
{
    for (int i = 0; def->opts && def->opts[i].name && i < MAX_OPTS; i++) {
        if (def->opts[i].type == SHELL_OT_BOOL)
            continue;
        if (!st->seen[i] || def->opts[i].type == SHELL_OT_ARGV)
            return i;
    }
    return -1;
}


static void
completeSetValue(const shellCmdDef *def, completeState *st, int opt, const char *value)
{
    st->seen[opt] = true;
    if (g_str_equal(def->opts[opt].name, "domain"))
        st->domain = value;
}


static void
completeScan(const shellCmdDef *def, char **words, size_t n, completeState *st)
{
    bool data_only = false;

    st->expect = -1;
    for (size_t i = 0; i < n; i++) {
        const char *w = words[i];
        int opt;

        if (st->expect >= 0) {
            completeSetValue(def, st, st->expect, w);
            st->expect = -1;
        } else if (!data_only && g_str_equal(w, "--")) {
            data_only = true;
        } else if (!data_only && g_str_has_prefix(w, "--") && w[2]) {
            const char *eq = strchr(w + 2, '=');

            opt = completeFindOpt(def, w + 2, eq ? (size_t)(eq - w - 2) : strlen(w + 2));
            if (opt < 0)
                continue;
            if (def->opts[opt].type == SHELL_OT_BOOL)
                st->seen[opt] = true;
            else if (eq)
                completeSetValue(def, st, opt, eq + 1);
            else
                st->expect = opt;
        } else if ((opt = completeNextData(def, st)) >= 0) {
            completeSetValue(def, st, opt, w);
        }
    }
}


static void
completeValue(shellControl *ctl, const char *name, const completeState *st, const char *cur)
{
    if (g_str_equal(name, "domain"))
        completeDomains(ctl, cur);
    else if (g_str_equal(name, "checkpointname") || g_str_equal(name, "from"))
        completeCheckpoints(ctl, st->domain, cur);
    else if (g_str_equal(name, "command"))
        completeCommands(ctl, cur, true);
}


static void
completeOptions(shellControl *ctl, const shellCmdDef *def, const completeState *st, const char *cur)
{
    for (int i = 0; def->opts && def->opts[i].name && i < MAX_OPTS; i++) {
        g_autofree char *opt = NULL;

        if (st->seen[i] && def->opts[i].type != SHELL_OT_ARGV)
            continue;
        opt = g_strdup_printf("--%s", def->opts[i].name);
        completePrint(ctl, cur, opt);
    }
}


const shellOptDef opts_complete[] = {
    { .name = "string", .type = SHELL_OT_ARGV, .empty_ok = true, .help = "partial string" },
    { .name = NULL }
};


bool
cmdComplete(shellControl *ctl, const shellCmd *cmd)
{
    g_autoptr(GPtrArray) words = g_ptr_array_new();
    const shellCmdDef *def;
    completeState st = { 0 };
    const char *cur;
    int opt;

    for (const shellCmdOpt *o = shellOptArgv(cmd, NULL); o; o = shellOptArgv(cmd, o))
        g_ptr_array_add(words, o->data ? o->data : (char *)"");
    if (words->len == 0)
        return true;
    cur = g_ptr_array_index(words, words->len - 1);
    if (words->len == 1) {
        completeCommands(ctl, cur, false);
        return true;
    }
    if (!(def = shellCmdSearch(ctl, g_ptr_array_index(words, 0))))
        return true;
    completeScan(def, (char **)words->pdata + 1, words->len - 2, &st);
    if (st.expect >= 0) {
        completeValue(ctl, def->opts[st.expect].name, &st, cur);
    } else if (cur[0] == '-') {
        completeOptions(ctl, def, &st, cur);
    } else if ((opt = completeNextData(def, &st)) >= 0) {
        completeValue(ctl, def->opts[opt].name, &st, cur);
    }
    return true;
}
