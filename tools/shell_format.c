/*
 * shell_format.c: text in and out for the shell's commands: comma lists,
 * XML files, tables, tree listings, typed parameters and XML dumps.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "shell.h"


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
