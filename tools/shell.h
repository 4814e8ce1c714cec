/*
 * shell.h: the command shell behind the cairn CLI: command and option
 * tables, virsh-compatible option parsing, ';'-separated command strings,
 * the interactive loop, error reporting, tables and tree listings.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include <cairn/cairn.h>

typedef enum {
    SHELL_OT_BOOL,   /* --name */
    SHELL_OT_STRING, /* --name VALUE, or positional unless @named_only */
    SHELL_OT_DATA,   /* required positional: [--name] VALUE */
    SHELL_OT_ARGV,   /* every remaining positional value; must be last */
} shellOptType;

typedef struct _shellOptDef shellOptDef;
struct _shellOptDef {
    const char *name; /* NULL ends the list */
    shellOptType type;
    bool required; /* only for DATA and ARGV */
    bool empty_ok; /* an empty value is accepted */
    const char *help;
};

/* Options several commands share, for their option tables. */
/* clang-format off */
/* The domain most commands act on. */
#define SHELL_OPT_DOMAIN \
    { .name = "domain", .type = SHELL_OT_DATA, .required = true, .help = "domain name, id or uuid" }
/* --xpath and --wrap, as shellDumpXML() takes them. */
#define SHELL_OPTS_XPATH \
    { .name = "xpath", .type = SHELL_OT_STRING, \
      .help = "xpath expression to filter the XML document" }, \
    { .name = "wrap", .type = SHELL_OT_BOOL, \
      .help = "wrap xpath results in an common root element" }
/* clang-format on */

typedef struct _shellControl shellControl;
typedef struct _shellCmd shellCmd;

typedef bool (*shellHandler)(shellControl *ctl, const shellCmd *cmd);

enum {
    SHELL_CMD_NOCONNECT = 1 << 0, /* runs without a connection */
    SHELL_CMD_HIDDEN = 1 << 1,    /* not listed by help (as virsh's 'complete') */
};

typedef struct _shellCmdDef shellCmdDef;
struct _shellCmdDef {
    const char *name; /* NULL ends the list */
    shellHandler handler;
    const shellOptDef *opts;
    const char *help; /* one line */
    const char *desc; /* may be "" */
    unsigned int flags;
};

typedef struct _shellCmdGroup shellCmdGroup;
struct _shellCmdGroup {
    const char *name; /* NULL ends the list */
    const char *keyword;
    const shellCmdDef *commands;
};

/* One option value of a parsed command. */
typedef struct _shellCmdOpt shellCmdOpt;
struct _shellCmdOpt {
    const shellOptDef *def;
    char *data; /* NULL for booleans */
};

/* One parsed command, ready to run. */
struct _shellCmd {
    const shellCmdDef *def;
    GPtrArray *opts; /* shellCmdOpt, in command line order */
};

struct _shellControl {
    const char *progname; /* "cairn" */
    const shellCmdGroup *groups;
    char *uri; /* NULL: the default URI */
    bool readonly;
    bool quiet;
    bool imode; /* interactive loop running */
    cairnConnectPtr conn;
    cairnErrorPtr last_error; /* library error saved for reporting */
};

/* Output. shellPrintExtra is suppressed by --quiet; shellError writes
 * "error: MESSAGE\n" on stderr after flushing stdout. */
void shellPrint(shellControl *ctl, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void shellPrintExtra(shellControl *ctl, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void shellError(shellControl *ctl, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* Library errors. shellSaveError keeps a copy of the library's last error
 * so that later cleanup calls cannot reset it, and returns false so a
 * handler can "return shellSaveError(ctl);". shellReportError prints the
 * saved (or else the current) library error, if any, and forgets it.
 * shellResetError forgets it without printing. */
bool shellSaveError(shellControl *ctl);
void shellReportError(shellControl *ctl);
void shellResetError(shellControl *ctl);

/* The connection for commands that need one, opened on first use;
 * NULL (error printed) if it cannot be opened. */
cairnConnectPtr shellConnection(shellControl *ctl);
/* (Re)connect to @uri (NULL: the default URI). */
bool shellReconnect(shellControl *ctl, const char *uri, bool readonly);

/* Option access inside handlers. */
bool shellOptBool(const shellCmd *cmd, const char *name);
/* 0 with *@value NULL when absent, 0 with *@value set when present, -1
 * (error printed) when present but empty and not @empty_ok. */
int shellOptString(shellControl *ctl, const shellCmd *cmd, const char *name, const char **value);
/* The next ARGV value after @prev (NULL: the first); NULL at the end. */
const shellCmdOpt *shellOptArgv(const shellCmd *cmd, const shellCmdOpt *prev);

/* Option checks with virsh's messages; false (error printed) on violation. */
bool shellExclusive(shellControl *ctl, const char *name1, bool set1, const char *name2, bool set2);
bool
shellRequires(shellControl *ctl, const char *name, bool set, const char *needed, bool needed_set);

/* Parsing and running. Parse functions print errors and return NULL on
 * a syntax error; an empty input gives an empty array. */
GPtrArray *shellParseString(shellControl *ctl, const char *str);
GPtrArray *shellParseArgv(shellControl *ctl, int argc, char **argv);
/* Runs every command; the result is that of the last one. */
bool shellRun(shellControl *ctl, GPtrArray *cmds);
/* The interactive loop (or a script read from a non-terminal stdin). */
void shellInteractive(shellControl *ctl);

const shellCmdDef *shellCmdSearch(shellControl *ctl, const char *name);
bool shellCmdHelp(shellControl *ctl, const shellCmdDef *def);
bool shellGroupHelp(shellControl *ctl, const shellCmdGroup *grp);

/* Split @str at ',' with ",," as an escaped comma (virsh's
 * vshStringToArray). */
GStrv shellSplitCommaList(const char *str);

/* Tables: cells are copied; rows must have as many cells as the header. */
typedef struct _shellTable shellTable;
shellTable *shellTableNew(const char *first, ...) G_GNUC_NULL_TERMINATED;
void shellTableAddRow(shellTable *table, const char *first, ...) G_GNUC_NULL_TERMINATED;
void shellTablePrint(shellControl *ctl, shellTable *table);
void shellTableFree(shellTable *table);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(shellTable, shellTableFree)

/* Tree listing: @lookup returns the name of entry @id, or with @parent
 * set the name of its parent (NULL for a root). Every entry without a
 * parent is printed as the root of a tree, in list order. */
typedef const char *(*shellTreeLookup)(size_t id, bool parent, void *opaque);
void shellTreePrint(shellControl *ctl, shellTreeLookup lookup, void *opaque, size_t count);

/* A typed parameter's value as text, as virsh prints it
 * (virTypedParameterToString: booleans "1"/"0"), or NULL for a type this
 * CLI does not know. Caller frees. */
char *shellTypedParamText(const cairnTypedParameter *p);

/* XML helpers (libxml2). */
char *shellXMLEscape(const char *str);
/* Print @xml, or with @xpath the nodes it selects (wrapped in <nodes>
 * with @wrap), as virsh's --xpath/--wrap do. */
bool shellDumpXML(shellControl *ctl, const char *xml, const char *xpath, bool wrap);

/* Cleanup for the public handles. */
void shellDomainFree(cairnDomainPtr dom);
void shellCheckpointFree(cairnDomainCheckpointPtr chk);
typedef cairnDomain shellDomain;
typedef cairnDomainCheckpoint shellCheckpoint;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(shellDomain, shellDomainFree)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(shellCheckpoint, shellCheckpointFree)

/* The domain named by option "domain" (name, id or UUID); NULL with
 * "failed to get domain 'X'" printed. @name gets the option's text. */
cairnDomainPtr shellCommandOptDomain(shellControl *ctl, const shellCmd *cmd, const char **name);

/* The command groups, from cairn.c; and the tables of each file. */
extern const shellCmdDef shellBuiltinCmds[];
extern const shellCmdDef domainCmds[];
extern const shellCmdDef domainMonitorCmds[];
extern const shellCmdDef checkpointCmds[];
extern const shellCmdDef hostCmds[];
extern const shellCmdDef qemuCmds[];
extern const shellCmdDef diskCmds[];

#define SHELL_MAX_XML_FILE (10 * 1024 * 1024)

/* Read a whole file, virsh-style error printed on failure. */
char *shellReadFile(shellControl *ctl, const char *path);
