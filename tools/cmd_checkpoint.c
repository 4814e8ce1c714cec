/*
 * cmd_checkpoint.c: the checkpoint commands of the cairn CLI, twins of
 * virsh's checkpoint-* commands with the same options, messages and
 * output formats.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/xpath.h>

#include "shell.h"


/* ---- helpers ---- */

/* The checkpoint named by option @arg; NULL with the error printed. */
static cairnDomainCheckpointPtr
chkLookup(
    shellControl *ctl, const shellCmd *cmd, const char *arg, cairnDomainPtr dom, const char **name)
{
    cairnDomainCheckpointPtr chk;
    const char *chkname = NULL;

    if (shellOptString(ctl, cmd, arg, &chkname) < 0)
        return NULL;
    if (!chkname) {
        shellError(ctl, "--%s is required", arg);
        return NULL;
    }
    if (!(chk = cairnDomainCheckpointLookupByName(dom, chkname, 0))) {
        shellSaveError(ctl);
        shellReportError(ctl);
        return NULL;
    }
    *name = cairnDomainCheckpointGetName(chk);
    return chk;
}


/* The name of @chk's parent in *@parent_name (NULL for a root); -1 with
 * the error printed when that cannot be determined. */
static int
chkGetParent(shellControl *ctl, cairnDomainCheckpointPtr chk, char **parent_name)
{
    g_autoptr(shellCheckpoint) parent = NULL;

    *parent_name = NULL;
    if ((parent = cairnDomainCheckpointGetParent(chk, 0))) {
        *parent_name = g_strdup(cairnDomainCheckpointGetName(parent));
    } else if (cairnGetLastErrorCode() != CAIRN_ERR_NO_DOMAIN_CHECKPOINT) {
        shellSaveError(ctl);
        shellReportError(ctl);
        shellError(ctl, "%s", "unable to determine if checkpoint has parent");
        return -1;
    }
    shellResetError(ctl);
    return 0;
}


static bool
chkCreate(
    shellControl *ctl, cairnDomainPtr dom, const char *xml, unsigned int flags, const char *from)
{
    g_autoptr(shellCheckpoint) chk = NULL;
    const char *name;

    if (!(chk = cairnDomainCheckpointCreateXML(dom, xml, flags)))
        return shellSaveError(ctl);
    if (!(name = cairnDomainCheckpointGetName(chk))) {
        shellError(ctl, "%s", "Could not get checkpoint name");
        return false;
    }
    if (from) {
        shellPrintExtra(ctl, "Domain checkpoint %s created from '%s'", name, from);
    } else {
        shellPrintExtra(ctl, "Domain checkpoint %s created", name);
    }
    return true;
}


/* ---- checkpoint-create ---- */

static const shellOptDef opts_checkpoint_create[] = {
    SHELL_OPT_DOMAIN,
    { .name = "xmlfile", .type = SHELL_OT_STRING, .help = "domain checkpoint XML" },
    { .name = "redefine",
      .type = SHELL_OT_BOOL,
      .help = "redefine metadata for existing checkpoint" },
    { .name = "redefine-validate",
      .type = SHELL_OT_BOOL,
      .help = "validate the redefined checkpoint" },
    { .name = "quiesce", .type = SHELL_OT_BOOL, .help = "quiesce guest's file systems" },
    { .name = NULL }
};


static bool
cmdCheckpointCreate(shellControl *ctl, const shellCmd *cmd)
{
    g_autoptr(shellDomain) dom = NULL;
    g_autofree char *buffer = NULL;
    const char *from = NULL;
    unsigned int flags = 0;

    if (!shellRequires(ctl, "redefine-validate", shellOptBool(cmd, "redefine-validate"), "redefine",
                       shellOptBool(cmd, "redefine")))
        return false;
    if (shellOptBool(cmd, "redefine"))
        flags |= CAIRN_DOMAIN_CHECKPOINT_CREATE_REDEFINE;
    if (shellOptBool(cmd, "redefine-validate"))
        flags |= CAIRN_DOMAIN_CHECKPOINT_CREATE_REDEFINE_VALIDATE;
    if (shellOptBool(cmd, "quiesce"))
        flags |= CAIRN_DOMAIN_CHECKPOINT_CREATE_QUIESCE;
    if (!(dom = shellCommandOptDomain(ctl, cmd, NULL)))
        return false;
    if (shellOptString(ctl, cmd, "xmlfile", &from) < 0)
        return false;
    if (!from) {
        buffer = g_strdup("<domaincheckpoint/>");
    } else if (!(buffer = shellReadFile(ctl, from))) {
        return false;
    }
    return chkCreate(ctl, dom, buffer, flags, from);
}


/* ---- checkpoint-create-as ---- */

static const shellOptDef opts_checkpoint_create_as[] = {
    SHELL_OPT_DOMAIN,
    { .name = "name", .type = SHELL_OT_STRING, .help = "name of checkpoint" },
    { .name = "description", .type = SHELL_OT_STRING, .help = "description of checkpoint" },
    { .name = "print-xml", .type = SHELL_OT_BOOL, .help = "print XML document rather than create" },
    { .name = "quiesce", .type = SHELL_OT_BOOL, .help = "quiesce guest's file systems" },
    { .name = "diskspec",
      .type = SHELL_OT_ARGV,
      .help = "disk attributes: disk[,checkpoint=type][,bitmap=name]" },
    { .name = NULL }
};


/* Append "<disk .../>" for DISKSPEC "disk[,checkpoint=TYPE][,bitmap=NAME]". */
static bool
chkParseDiskspec(shellControl *ctl, GString *buf, const char *str)
{
    g_auto(GStrv) array = shellSplitCommaList(str);
    g_autofree char *name = shellXMLEscape(array[0]);
    g_autofree char *checkpoint = NULL;
    g_autofree char *bitmap = NULL;
    size_t i;

    for (i = 1; array[i]; i++) {
        if (!checkpoint && g_str_has_prefix(array[i], "checkpoint=")) {
            checkpoint = shellXMLEscape(array[i] + strlen("checkpoint="));
        } else if (!bitmap && g_str_has_prefix(array[i], "bitmap=")) {
            bitmap = shellXMLEscape(array[i] + strlen("bitmap="));
        } else {
            shellError(ctl, "unable to parse diskspec: %s", str);
            return false;
        }
    }
    g_string_append_printf(buf, "    <disk name='%s'", name);
    if (checkpoint)
        g_string_append_printf(buf, " checkpoint='%s'", checkpoint);
    if (bitmap)
        g_string_append_printf(buf, " bitmap='%s'", bitmap);
    g_string_append(buf, "/>\n");
    return true;
}


static void
chkAppendElement(GString *buf, const char *element, const char *value)
{
    g_autofree char *esc = NULL;

    if (!value)
        return;
    esc = shellXMLEscape(value);
    g_string_append_printf(buf, "  <%s>%s</%s>\n", element, esc, element);
}


static bool
cmdCheckpointCreateAs(shellControl *ctl, const shellCmd *cmd)
{
    g_autoptr(shellDomain) dom = NULL;
    g_autoptr(GString) buf = g_string_new(NULL);
    const shellCmdOpt *opt = NULL;
    const char *name = NULL;
    const char *desc = NULL;
    unsigned int flags = 0;

    if (shellOptBool(cmd, "quiesce"))
        flags |= CAIRN_DOMAIN_CHECKPOINT_CREATE_QUIESCE;
    if (!(dom = shellCommandOptDomain(ctl, cmd, NULL)))
        return false;
    if (shellOptString(ctl, cmd, "name", &name) < 0 ||
        shellOptString(ctl, cmd, "description", &desc) < 0)
        return false;
    g_string_append(buf, "<domaincheckpoint>\n");
    chkAppendElement(buf, "name", name);
    chkAppendElement(buf, "description", desc);
    if (shellOptBool(cmd, "diskspec")) {
        g_string_append(buf, "  <disks>\n");
        while ((opt = shellOptArgv(cmd, opt))) {
            if (!chkParseDiskspec(ctl, buf, opt->data))
                return false;
        }
        g_string_append(buf, "  </disks>\n");
    }
    g_string_append(buf, "</domaincheckpoint>\n");
    if (shellOptBool(cmd, "print-xml")) {
        shellPrint(ctl, "%s\n", buf->str);
        return true;
    }
    return chkCreate(ctl, dom, buf->str, flags, NULL);
}


/* ---- checkpoint-edit ---- */

static char *
editWriteTemp(shellControl *ctl, const char *doc)
{
    const char *tmpdir = g_getenv("TMPDIR");
    g_autofree char *filename = NULL;
    size_t len = strlen(doc);
    int fd;

    filename = g_strdup_printf("%s/cairnXXXXXX.xml", tmpdir ? tmpdir : "/tmp");
    if ((fd = g_mkstemp_full(filename, O_RDWR | O_CLOEXEC, 0600)) < 0) {
        shellError(ctl, "g_mkstemp_full: failed to create temporary file: %s", g_strerror(errno));
        return NULL;
    }
    if (write(fd, doc, len) != (ssize_t)len) {
        shellError(ctl, "write: %s: failed to write to temporary file: %s", filename,
                   g_strerror(errno));
        close(fd);
        unlink(filename);
        return NULL;
    }
    if (close(fd) < 0) {
        shellError(ctl, "close: %s: failed to write or close temporary file: %s", filename,
                   g_strerror(errno));
        unlink(filename);
        return NULL;
    }
    return g_steal_pointer(&filename);
}


#define EDIT_ACCEPTED_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-/_.:@"

/* Run $VISUAL, $EDITOR or vi on @filename; an editor with shell
 * metacharacters (e.g. options) runs through sh -c. */
static bool
editRunEditor(shellControl *ctl, const char *filename)
{
    const char *editor = g_getenv("VISUAL");
    g_autoptr(GError) err = NULL;
    g_autofree char *cmdline = NULL;
    const char *argv[4] = { NULL };
    int status = 0;

    if (!editor)
        editor = g_getenv("EDITOR");
    if (!editor)
        editor = "vi";
    if (strspn(editor, EDIT_ACCEPTED_CHARS) != strlen(editor)) {
        if (strspn(filename, EDIT_ACCEPTED_CHARS) != strlen(filename)) {
            shellError(ctl,
                       "%s: temporary filename contains shell meta or other unacceptable "
                       "characters (is $TMPDIR wrong?)",
                       filename);
            return false;
        }
        cmdline = g_strdup_printf("%s %s", editor, filename);
        argv[0] = "sh";
        argv[1] = "-c";
        argv[2] = cmdline;
    } else {
        argv[0] = editor;
        argv[1] = filename;
        cmdline = g_strdup_printf("%s %s", editor, filename);
    }
    fflush(stdout);
    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_CHILD_INHERITS_STDIN,
                      NULL, NULL, NULL, NULL, &status, &err)) {
        shellError(ctl, "Cannot run editor '%s': %s", editor, err->message);
        return false;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        shellError(ctl, "internal error: Child process (%s) unexpected exit status %d", cmdline,
                   WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        return false;
    }
    return true;
}


/* Ask whether to edit again after @msg: 'y', 'n', 'f', or -1 when
 * stdin is no terminal. */
static int
editAskReedit(shellControl *ctl, const char *msg)
{
    int c;

    if (!isatty(STDIN_FILENO))
        return -1;
    shellReportError(ctl);
    for (;;) {
        int next;

        shellPrint(ctl, "%s Try again? [y,n,f,?]: ", msg);
        fflush(stdout);
        c = g_ascii_tolower(getchar());
        while ((next = getchar()) != '\n' && next != EOF)
            ;
        if (c == 'y' || c == 'n' || c == 'f')
            return c;
        if (c == EOF)
            return 'n';
        shellPrint(ctl, "y - yes, start editor again\n"
                        "n - no, throw away my changes\n"
                        "f - force, try to redefine again\n"
                        "? - print this help\n");
    }
}


typedef enum {
    EDIT_FAILED,
    EDIT_UNCHANGED,
    EDIT_DEFINED,
} editResult;


/* Edit @chk's secure XML in @tmp and redefine it (virsh-edit's loop). */
static editResult
editLoop(shellControl *ctl,
         cairnDomainPtr dom,
         cairnDomainCheckpointPtr chk,
         const char *tmp,
         char **doc,
         cairnDomainCheckpointPtr *edited)
{
    unsigned int getflags = CAIRN_DOMAIN_CHECKPOINT_XML_SECURE;

    for (;;) {
        g_autofree char *doc_edited = NULL;

        if (!editRunEditor(ctl, tmp) || !(doc_edited = shellReadFile(ctl, tmp)))
            return EDIT_FAILED;
        if (g_str_equal(*doc, doc_edited))
            return EDIT_UNCHANGED;
        for (;;) {
            g_autofree char *doc_reread = NULL;
            const char *msg = NULL;
            int c;

            if (!(doc_reread = cairnDomainCheckpointGetXMLDesc(chk, getflags))) {
                shellSaveError(ctl);
                return EDIT_FAILED;
            }
            if (!g_str_equal(*doc, doc_reread)) {
                msg = "The XML configuration was changed by another user.";
                g_free(*doc);
                *doc = g_steal_pointer(&doc_reread);
            }
            if (!msg && (*edited = cairnDomainCheckpointCreateXML(
                             dom, doc_edited, CAIRN_DOMAIN_CHECKPOINT_CREATE_REDEFINE)))
                return EDIT_DEFINED;
            if (!msg) {
                shellSaveError(ctl);
                msg = "Failed.";
            }
            c = editAskReedit(ctl, msg);
            if (c == 'y')
                break;
            if (c == 'f')
                continue;
            if (c != 'n')
                shellError(ctl, "%s", msg);
            return EDIT_FAILED;
        }
    }
}


static const shellOptDef opts_checkpoint_name[] = { SHELL_OPT_DOMAIN,
                                                    { .name = "checkpointname",
                                                      .type = SHELL_OT_DATA,
                                                      .required = true,
                                                      .help = "checkpoint name" },
                                                    { .name = NULL } };


/* After a successful redefine: a renamed checkpoint is refused (its new
 * metadata is removed again). */
static bool
editFinish(shellControl *ctl, const char *name, cairnDomainCheckpointPtr edited)
{
    const char *edited_name = cairnDomainCheckpointGetName(edited);

    if (g_str_equal(name, edited_name)) {
        shellPrintExtra(ctl, "Checkpoint %s edited.\n", name);
        return true;
    }
    if (cairnDomainCheckpointDelete(edited, CAIRN_DOMAIN_CHECKPOINT_DELETE_METADATA_ONLY) < 0) {
        shellSaveError(ctl);
        shellReportError(ctl);
        shellError(ctl, "Failed to clean up %s", edited_name);
        return false;
    }
    shellError(ctl, "Cannot rename checkpoint %s to %s", name, edited_name);
    return false;
}


static bool
cmdCheckpointEdit(shellControl *ctl, const shellCmd *cmd)
{
    g_autoptr(shellDomain) dom = NULL;
    g_autoptr(shellCheckpoint) chk = NULL;
    g_autoptr(shellCheckpoint) edited = NULL;
    g_autofree char *doc = NULL;
    g_autofree char *tmp = NULL;
    const char *name = NULL;
    bool ret = false;

    if (!(dom = shellCommandOptDomain(ctl, cmd, NULL)))
        return false;
    if (!(chk = chkLookup(ctl, cmd, "checkpointname", dom, &name)))
        return false;
    if (!(doc = cairnDomainCheckpointGetXMLDesc(chk, CAIRN_DOMAIN_CHECKPOINT_XML_SECURE))) {
        shellSaveError(ctl);
    } else if ((tmp = editWriteTemp(ctl, doc))) {
        switch (editLoop(ctl, dom, chk, tmp, &doc, &edited)) {
        case EDIT_UNCHANGED:
            shellPrintExtra(ctl, "Checkpoint %s XML configuration not changed.\n", name);
            ret = true;
            break;
        case EDIT_DEFINED:
            ret = editFinish(ctl, name, edited);
            break;
        case EDIT_FAILED:
            break;
        }
    }
    if (tmp)
        unlink(tmp);
    if (!ret)
        shellError(ctl, "Failed to update %s", name);
    return ret;
}


/* ---- checkpoint-info ---- */

static bool
cmdCheckpointInfo(shellControl *ctl, const shellCmd *cmd)
{
    g_autoptr(shellDomain) dom = NULL;
    g_autoptr(shellCheckpoint) chk = NULL;
    g_autofree char *parent = NULL;
    const char *name = NULL;
    int count;

    if (!(dom = shellCommandOptDomain(ctl, cmd, NULL)))
        return false;
    if (!(chk = chkLookup(ctl, cmd, "checkpointname", dom, &name)))
        return false;
    shellPrint(ctl, "%-15s %s\n", "Name:", name);
    shellPrint(ctl, "%-15s %s\n", "Domain:", cairnDomainGetName(dom));
    if (chkGetParent(ctl, chk, &parent) < 0) {
        shellError(ctl, "%s", "unexpected problem querying checkpoint state");
        return false;
    }
    shellPrint(ctl, "%-15s %s\n", "Parent:", parent ? parent : "-");
    if ((count = cairnDomainCheckpointListAllChildren(chk, NULL, 0)) < 0) {
        if (cairnGetLastErrorCode() == CAIRN_ERR_NO_SUPPORT) {
            shellResetError(ctl);
            return true;
        }
        return shellSaveError(ctl);
    }
    shellPrint(ctl, "%-15s %d\n", "Children:", count);
    count =
        cairnDomainCheckpointListAllChildren(chk, NULL, CAIRN_DOMAIN_CHECKPOINT_LIST_DESCENDANTS);
    if (count < 0)
        return shellSaveError(ctl);
    shellPrint(ctl, "%-15s %d\n", "Descendants:", count);
    return true;
}


/* ---- checkpoint-list ---- */

typedef struct {
    cairnDomainCheckpointPtr chk;
    char *parent; /* only with --tree */
} chkListEntry;


static void
chkListEntryClear(chkListEntry *e)
{
    shellCheckpointFree(e->chk);
    g_free(e->parent);
}


static int
chkListSorter(const void *a, const void *b)
{
    const chkListEntry *ea = a;
    const chkListEntry *eb = b;

    return strcasecmp(cairnDomainCheckpointGetName(ea->chk), cairnDomainCheckpointGetName(eb->chk));
}


/* The checkpoints of @dom (or the children of @from), filtered by
 * @flags, sorted by name unless TOPOLOGICAL; with @tree each entry knows
 * its parent and @from is added as the root. NULL on error (printed). */
static GArray *
chkListCollect(shellControl *ctl,
               cairnDomainPtr dom,
               cairnDomainCheckpointPtr from,
               unsigned int flags,
               bool tree)
{
    g_autoptr(GArray) list = g_array_new(FALSE, TRUE, sizeof(chkListEntry));
    cairnDomainCheckpointPtr *chks = NULL;
    int count;
    int i;

    g_array_set_clear_func(list, (GDestroyNotify)chkListEntryClear);
    if (from) {
        count = cairnDomainCheckpointListAllChildren(from, &chks, flags);
    } else {
        count = cairnDomainListAllCheckpoints(dom, &chks, flags);
    }
    if (count < 0) {
        shellSaveError(ctl);
        shellError(ctl, "%s", "unexpected problem querying checkpoints");
        return NULL;
    }
    for (i = 0; i < count; i++) {
        chkListEntry e = { .chk = chks[i] };

        g_array_append_val(list, e);
    }
    free(chks);
    for (i = 0; tree && i < count; i++) {
        if (chkGetParent(ctl, g_array_index(list, chkListEntry, i).chk,
                         &g_array_index(list, chkListEntry, i).parent) < 0)
            return NULL;
    }
    if (tree && from) {
        chkListEntry e = { .chk = from };

        cairnDomainCheckpointRef(from);
        g_array_append_val(list, e);
    }
    if (!(flags & CAIRN_DOMAIN_CHECKPOINT_LIST_TOPOLOGICAL))
        g_array_sort(list, chkListSorter);
    return g_steal_pointer(&list);
}


static const char *
chkListLookup(size_t id, bool parent, void *opaque)
{
    GArray *list = opaque;
    chkListEntry *e = &g_array_index(list, chkListEntry, id);

    return parent ? e->parent : cairnDomainCheckpointGetName(e->chk);
}


/* The text of XPath @expr in @doc, or NULL when empty. */
static char *
chkXPathString(xmlDocPtr doc, const char *expr)
{
    xmlXPathContextPtr ctxt = xmlXPathNewContext(doc);
    xmlXPathObjectPtr obj = xmlXPathEval(BAD_CAST expr, ctxt);
    char *ret = NULL;

    if (obj && obj->type == XPATH_STRING && obj->stringval && *obj->stringval)
        ret = g_strdup((const char *)obj->stringval);
    xmlXPathFreeObject(obj);
    xmlXPathFreeContext(ctxt);
    return ret;
}


/* Add @chk's row; checkpoints whose XML cannot be read are skipped. Only
 * <parent> and <creationTime> are read, so the <domain> is not asked for. */
static void
chkListTableRow(shellTable *table, cairnDomainCheckpointPtr chk, bool parent)
{
    g_autofree char *xml =
        cairnDomainCheckpointGetXMLDesc(chk, CAIRN_DOMAIN_CHECKPOINT_XML_NO_DOMAIN);
    g_autofree char *parent_name = NULL;
    g_autofree char *created = NULL;
    g_autofree char *when = NULL;
    g_autoptr(GDateTime) then = NULL;
    xmlDocPtr doc;
    char *end = NULL;
    long long secs;

    if (!xml || !(doc = xmlReadMemory(xml, strlen(xml), "domain_checkpoint", NULL,
                                      XML_PARSE_NONET | XML_PARSE_NOWARNING | XML_PARSE_NOERROR)))
        return;
    parent_name = chkXPathString(doc, "string(/domaincheckpoint/parent/name)");
    created = chkXPathString(doc, "string(/domaincheckpoint/creationTime)");
    xmlFreeDoc(doc);
    if (!created)
        return;
    errno = 0;
    secs = strtoll(created, &end, 10);
    if (errno || *end || !(then = g_date_time_new_from_unix_local(secs)))
        return;
    when = g_date_time_format(then, "%Y-%m-%d %H:%M:%S %z");
    if (parent) {
        shellTableAddRow(table, cairnDomainCheckpointGetName(chk), when,
                         parent_name ? parent_name : "", NULL);
    } else {
        shellTableAddRow(table, cairnDomainCheckpointGetName(chk), when, NULL);
    }
}


static void
chkListPrint(shellControl *ctl, GArray *list, bool tree, bool name, bool parent)
{
    g_autoptr(shellTable) table = NULL;
    size_t i;

    if (tree) {
        shellTreePrint(ctl, chkListLookup, list, list->len);
        return;
    }
    if (!name && parent) {
        table = shellTableNew("Name", "Creation Time", "Parent", NULL);
    } else if (!name) {
        table = shellTableNew("Name", "Creation Time", NULL);
    }
    for (i = 0; i < list->len; i++) {
        cairnDomainCheckpointPtr chk = g_array_index(list, chkListEntry, i).chk;

        if (name) {
            shellPrint(ctl, "%s\n", cairnDomainCheckpointGetName(chk));
        } else {
            chkListTableRow(table, chk, parent);
        }
    }
    shellResetError(ctl);
    if (table)
        shellTablePrint(ctl, table);
}


static const shellOptDef opts_checkpoint_list[] = {
    SHELL_OPT_DOMAIN,
    { .name = "parent", .type = SHELL_OT_BOOL, .help = "add a column showing parent checkpoint" },
    { .name = "roots", .type = SHELL_OT_BOOL, .help = "list only checkpoints without parents" },
    { .name = "leaves", .type = SHELL_OT_BOOL, .help = "list only checkpoints without children" },
    { .name = "no-leaves",
      .type = SHELL_OT_BOOL,
      .help = "list only checkpoints that are not leaves (with children)" },
    { .name = "tree", .type = SHELL_OT_BOOL, .help = "list checkpoints in a tree" },
    { .name = "from",
      .type = SHELL_OT_STRING,
      .help = "limit list to children of given checkpoint" },
    { .name = "descendants", .type = SHELL_OT_BOOL, .help = "with --from, list all descendants" },
    { .name = "name", .type = SHELL_OT_BOOL, .help = "list checkpoint names only" },
    { .name = "topological",
      .type = SHELL_OT_BOOL,
      .help = "sort list topologically rather than by name" },
    { .name = NULL }
};


/* The list flags from the options; false (error printed) when they
 * conflict. */
static bool
chkListFlags(shellControl *ctl, const shellCmd *cmd, unsigned int *flags)
{
    bool tree = shellOptBool(cmd, "tree");
    bool name = shellOptBool(cmd, "name");
    bool from = shellOptBool(cmd, "from");
    bool parent = shellOptBool(cmd, "parent");
    bool roots = shellOptBool(cmd, "roots");

    if (!shellExclusive(ctl, "tree", tree, "name", name) ||
        !shellExclusive(ctl, "parent", parent, "roots", roots) ||
        !shellExclusive(ctl, "parent", parent, "tree", tree) ||
        !shellExclusive(ctl, "roots", roots, "tree", tree) ||
        !shellExclusive(ctl, "roots", roots, "from", from))
        return false;
    *flags = 0;
    if (shellOptBool(cmd, "leaves")) {
        if (tree) {
            shellError(ctl, "--%s and --tree are mutually exclusive", "leaves");
            return false;
        }
        *flags |= CAIRN_DOMAIN_CHECKPOINT_LIST_LEAVES;
    }
    if (shellOptBool(cmd, "no-leaves")) {
        if (tree) {
            shellError(ctl, "--%s and --tree are mutually exclusive", "no-leaves");
            return false;
        }
        *flags |= CAIRN_DOMAIN_CHECKPOINT_LIST_NO_LEAVES;
    }
    if (shellOptBool(cmd, "topological"))
        *flags |= CAIRN_DOMAIN_CHECKPOINT_LIST_TOPOLOGICAL;
    if (roots)
        *flags |= CAIRN_DOMAIN_CHECKPOINT_LIST_ROOTS;
    if (shellOptBool(cmd, "descendants")) {
        if (!from) {
            shellError(ctl, "%s", "--descendants requires --from");
            return false;
        }
        *flags |= CAIRN_DOMAIN_CHECKPOINT_LIST_DESCENDANTS;
    }
    return true;
}


static bool
cmdCheckpointList(shellControl *ctl, const shellCmd *cmd)
{
    g_autoptr(shellDomain) dom = NULL;
    g_autoptr(shellCheckpoint) start = NULL;
    g_autoptr(GArray) list = NULL;
    bool tree = shellOptBool(cmd, "tree");
    const char *from_name = NULL;
    unsigned int flags = 0;

    if (!chkListFlags(ctl, cmd, &flags))
        return false;
    if (!(dom = shellCommandOptDomain(ctl, cmd, NULL)))
        return false;
    if (shellOptBool(cmd, "from") && !(start = chkLookup(ctl, cmd, "from", dom, &from_name)))
        return false;
    if (!(list = chkListCollect(ctl, dom, start, flags, tree)))
        return false;
    chkListPrint(ctl, list, tree, shellOptBool(cmd, "name"), shellOptBool(cmd, "parent"));
    return true;
}


/* ---- checkpoint-dumpxml ---- */

static const shellOptDef opts_checkpoint_dumpxml[] = {
    SHELL_OPT_DOMAIN,
    { .name = "checkpointname",
      .type = SHELL_OT_DATA,
      .required = true,
      .help = "checkpoint name" },
    { .name = "security-info",
      .type = SHELL_OT_BOOL,
      .help = "include security sensitive information in XML dump" },
    { .name = "no-domain", .type = SHELL_OT_BOOL, .help = "exclude <domain> from XML" },
    { .name = "size", .type = SHELL_OT_BOOL, .help = "include backup size estimate in XML dump" },
    SHELL_OPTS_XPATH,
    { .name = NULL }
};


static bool
cmdCheckpointDumpXML(shellControl *ctl, const shellCmd *cmd)
{
    g_autoptr(shellDomain) dom = NULL;
    g_autoptr(shellCheckpoint) chk = NULL;
    g_autofree char *xml = NULL;
    const char *xpath = NULL;
    const char *name = NULL;
    unsigned int flags = 0;

    if (shellOptBool(cmd, "security-info"))
        flags |= CAIRN_DOMAIN_CHECKPOINT_XML_SECURE;
    if (shellOptBool(cmd, "no-domain"))
        flags |= CAIRN_DOMAIN_CHECKPOINT_XML_NO_DOMAIN;
    if (shellOptBool(cmd, "size"))
        flags |= CAIRN_DOMAIN_CHECKPOINT_XML_SIZE;
    if (shellOptString(ctl, cmd, "xpath", &xpath) < 0)
        return false;
    if (!(dom = shellCommandOptDomain(ctl, cmd, NULL)))
        return false;
    if (!(chk = chkLookup(ctl, cmd, "checkpointname", dom, &name)))
        return false;
    if (!(xml = cairnDomainCheckpointGetXMLDesc(chk, flags)))
        return shellSaveError(ctl);
    return shellDumpXML(ctl, xml, xpath, shellOptBool(cmd, "wrap"));
}


/* ---- checkpoint-parent ---- */

static const shellOptDef opts_checkpoint_parent[] = { SHELL_OPT_DOMAIN,
                                                      { .name = "checkpointname",
                                                        .type = SHELL_OT_DATA,
                                                        .required = true,
                                                        .help = "find parent of checkpoint name" },
                                                      { .name = NULL } };


static bool
cmdCheckpointParent(shellControl *ctl, const shellCmd *cmd)
{
    g_autoptr(shellDomain) dom = NULL;
    g_autoptr(shellCheckpoint) chk = NULL;
    g_autofree char *parent = NULL;
    const char *name = NULL;

    if (!(dom = shellCommandOptDomain(ctl, cmd, NULL)))
        return false;
    if (!(chk = chkLookup(ctl, cmd, "checkpointname", dom, &name)))
        return false;
    if (chkGetParent(ctl, chk, &parent) < 0)
        return false;
    if (!parent) {
        shellError(ctl, "checkpoint '%s' has no parent", name);
        return false;
    }
    shellPrint(ctl, "%s", parent);
    return true;
}


/* ---- checkpoint-delete ---- */

static const shellOptDef opts_checkpoint_delete[] = {
    SHELL_OPT_DOMAIN,
    { .name = "checkpointname",
      .type = SHELL_OT_DATA,
      .required = true,
      .help = "checkpoint name" },
    { .name = "children", .type = SHELL_OT_BOOL, .help = "delete checkpoint and all children" },
    { .name = "children-only",
      .type = SHELL_OT_BOOL,
      .help = "delete children but not checkpoint" },
    { .name = "metadata",
      .type = SHELL_OT_BOOL,
      .help = "delete only libvirt metadata, leaving checkpoint contents behind" },
    { .name = NULL }
};


static bool
cmdCheckpointDelete(shellControl *ctl, const shellCmd *cmd)
{
    g_autoptr(shellDomain) dom = NULL;
    g_autoptr(shellCheckpoint) chk = NULL;
    const char *name = NULL;
    unsigned int flags = 0;

    if (!(dom = shellCommandOptDomain(ctl, cmd, NULL)))
        return false;
    if (!(chk = chkLookup(ctl, cmd, "checkpointname", dom, &name)))
        return false;
    if (shellOptBool(cmd, "children"))
        flags |= CAIRN_DOMAIN_CHECKPOINT_DELETE_CHILDREN;
    if (shellOptBool(cmd, "children-only"))
        flags |= CAIRN_DOMAIN_CHECKPOINT_DELETE_CHILDREN_ONLY;
    if (shellOptBool(cmd, "metadata"))
        flags |= CAIRN_DOMAIN_CHECKPOINT_DELETE_METADATA_ONLY;
    if (cairnDomainCheckpointDelete(chk, flags) < 0) {
        shellSaveError(ctl);
        shellError(ctl, "Failed to delete checkpoint %s", name);
        return false;
    }
    if (flags & CAIRN_DOMAIN_CHECKPOINT_DELETE_CHILDREN_ONLY) {
        shellPrintExtra(ctl, "Domain checkpoint %s children deleted\n", name);
    } else {
        shellPrintExtra(ctl, "Domain checkpoint %s deleted\n", name);
    }
    return true;
}


/* ---- checkpoint-validate (not in virsh) ---- */

static const shellOptDef opts_checkpoint_validate[] = {
    SHELL_OPT_DOMAIN,
    { .name = "checkpointname",
      .type = SHELL_OT_STRING,
      .help = "checkpoint name (default: every checkpoint, and bitmaps without one)" },
    { .name = "repair",
      .type = SHELL_OT_BOOL,
      .help = "remove broken checkpoints and broken bitmaps so metadata and images agree" },
    { .name = "xml", .type = SHELL_OT_BOOL, .help = "print the XML report" },
    { .name = NULL }
};


static char *
chkValidateProp(xmlNodePtr node, const char *name)
{
    xmlChar *val = xmlGetProp(node, BAD_CAST name);
    char *ret = g_strdup(val ? (const char *)val : "");

    xmlFree(val);
    return ret;
}


/* Counts of a validation report: checkpoints, broken ones, and what is
 * broken and still there (a broken checkpoint, a broken bitmap without
 * one, that no repair removed, or a metadata file that could not be
 * loaded). */
typedef struct {
    guint checked;
    guint broken;
    guint left;
} chkValidateCounts;


/* One table row per <disk> of a <checkpoint>, per orphan <bitmap>, and
 * per checkpoint <file> that could not be loaded. */
static void
chkValidateRows(shellTable *table, xmlNodePtr root, chkValidateCounts *counts)
{
    for (xmlNodePtr cur = root->children; cur; cur = cur->next) {
        bool is_chk =
            cur->type == XML_ELEMENT_NODE && xmlStrEqual(cur->name, BAD_CAST "checkpoint");
        g_autofree char *name = NULL;
        g_autofree char *status = NULL;
        g_autofree char *removed = NULL;

        if (cur->type != XML_ELEMENT_NODE)
            continue;
        name = chkValidateProp(cur, "name");
        status = chkValidateProp(cur, "status");
        removed = chkValidateProp(cur, "action");
        if (!g_str_equal(status, "ok") && !g_str_equal(removed, "removed"))
            counts->left++;
        if (xmlStrEqual(cur->name, BAD_CAST "file")) {
            g_autofree char *why = chkValidateProp(cur, "error");
            g_autofree char *what = g_strdup_printf("%s metadata: %s", status, why);

            shellTableAddRow(table, name, "-", "-", what, removed, NULL);
            continue;
        }
        if (!is_chk) {
            g_autofree char *disk = chkValidateProp(cur, "disk");
            g_autofree char *what = g_strdup_printf("no checkpoint, %s", status);

            shellTableAddRow(table, "-", disk, name, what, removed, NULL);
            continue;
        }
        counts->checked++;
        if (g_str_equal(status, "broken"))
            counts->broken++;
        if (!xmlFirstElementChild(cur))
            shellTableAddRow(table, name, "-", "-", "ok (no bitmap disk)", "", NULL);
        for (xmlNodePtr d = cur->children; d; d = d->next) {
            g_autofree char *disk = NULL;
            g_autofree char *dstatus = NULL;
            g_autofree char *action = NULL;

            if (d->type != XML_ELEMENT_NODE)
                continue;
            disk = chkValidateProp(d, "name");
            dstatus = chkValidateProp(d, "status");
            action = chkValidateProp(d, "action");
            shellTableAddRow(table, name, disk, name, dstatus, action, NULL);
        }
    }
}


/* Print the report (as a table, or with @xml as it is); false (the
 * command fails) when it shows anything broken that is still there. */
static bool
chkValidatePrint(shellControl *ctl, const char *domain, const char *report, bool repair, bool xml)
{
    g_autoptr(shellTable) table =
        shellTableNew("Checkpoint", "Disk", "Bitmap", "Status", "Action", NULL);
    xmlDocPtr doc = xmlReadMemory(report, strlen(report), "checkpoint_validation", NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOWARNING | XML_PARSE_NOERROR);
    chkValidateCounts counts = { 0 };

    if (!doc) {
        shellError(ctl, "%s", "cannot parse the validation report");
        return false;
    }
    chkValidateRows(table, xmlDocGetRootElement(doc), &counts);
    xmlFreeDoc(doc);
    if (xml) {
        shellPrint(ctl, "%s", report);
    } else {
        shellTablePrint(ctl, table);
        shellPrint(ctl, "%u checkpoint(s) checked, %u broken%s\n", counts.checked, counts.broken,
                   counts.broken && repair ? " and removed" : "");
    }
    if (counts.left) {
        shellError(ctl,
                   "checkpoints of domain '%s' do not match the bitmaps in its images: "
                   "%u broken checkpoint(s) or bitmap(s)%s",
                   domain, counts.left,
                   repair ? " left" : "; 'checkpoint-validate --repair' removes them");
        return false;
    }
    return true;
}


static bool
cmdCheckpointValidate(shellControl *ctl, const shellCmd *cmd)
{
    g_autoptr(shellDomain) dom = NULL;
    g_autofree char *xml = NULL;
    const char *name = NULL;
    bool repair = shellOptBool(cmd, "repair");

    if (!(dom = shellCommandOptDomain(ctl, cmd, NULL)) ||
        shellOptString(ctl, cmd, "checkpointname", &name) < 0)
        return false;
    if (!(xml = cairnDomainCheckpointValidate(
              dom, name, repair ? CAIRN_DOMAIN_CHECKPOINT_VALIDATE_REPAIR : 0))) {
        shellSaveError(ctl);
        shellError(ctl, "%s", "Failed to validate checkpoints");
        return false;
    }
    return chkValidatePrint(ctl, cairnDomainGetName(dom), xml, repair, shellOptBool(cmd, "xml"));
}


const shellCmdDef checkpointCmds[] = {
    { .name = "checkpoint-create",
      .handler = cmdCheckpointCreate,
      .opts = opts_checkpoint_create,
      .help = "Create a checkpoint from XML",
      .desc = "Create a checkpoint from XML for use in future incremental backups" },
    { .name = "checkpoint-create-as",
      .handler = cmdCheckpointCreateAs,
      .opts = opts_checkpoint_create_as,
      .help = "Create a checkpoint from a set of args",
      .desc = "Create a checkpoint from arguments for use in future incremental backups" },
    { .name = "checkpoint-delete",
      .handler = cmdCheckpointDelete,
      .opts = opts_checkpoint_delete,
      .help = "Delete a domain checkpoint",
      .desc = "Checkpoint Delete" },
    { .name = "checkpoint-dumpxml",
      .handler = cmdCheckpointDumpXML,
      .opts = opts_checkpoint_dumpxml,
      .help = "Dump XML for a domain checkpoint",
      .desc = "Checkpoint Dump XML" },
    { .name = "checkpoint-edit",
      .handler = cmdCheckpointEdit,
      .opts = opts_checkpoint_name,
      .help = "edit XML for a checkpoint",
      .desc = "Edit the domain checkpoint XML for a named checkpoint" },
    { .name = "checkpoint-info",
      .handler = cmdCheckpointInfo,
      .opts = opts_checkpoint_name,
      .help = "checkpoint information",
      .desc = "Returns basic information about a checkpoint." },
    { .name = "checkpoint-list",
      .handler = cmdCheckpointList,
      .opts = opts_checkpoint_list,
      .help = "List checkpoints for a domain",
      .desc = "Checkpoint List" },
    { .name = "checkpoint-parent",
      .handler = cmdCheckpointParent,
      .opts = opts_checkpoint_parent,
      .help = "Get the name of the parent of a checkpoint",
      .desc = "Extract the checkpoint's parent, if any" },
    { .name = "checkpoint-validate",
      .handler = cmdCheckpointValidate,
      .opts = opts_checkpoint_validate,
      .help = "Check checkpoints against the bitmaps in the disk images",
      .desc = "Compare checkpoint metadata with the dirty bitmaps in the images, running or "
              "shut off; with --repair, remove broken checkpoints and bitmaps" },
    { .name = NULL }
};
