/*
 * cairnxml.c: libxml2 helpers shared by the XML parsers and formatters.
 */
#include <string.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>
#include <libxml/globals.h>

#include "cairnxml.h"
#include "cairnerror.h"


typedef struct {
    bool doctype;      /* a DOCTYPE was seen (and the parser stopped) */
    char *first_error; /* first error reported by libxml2 */
    int first_line;
} cairnXMLParseState;


static void
cairnXMLRefuseDoctype(void *opaque,
                      const xmlChar *name G_GNUC_UNUSED,
                      const xmlChar *external_id G_GNUC_UNUSED,
                      const xmlChar *system_id G_GNUC_UNUSED)
{
    xmlParserCtxt *ctxt = opaque;
    cairnXMLParseState *state = ctxt->_private;

    /* Stop before the internal subset is read: no entity or attribute
     * declaration of the document is ever processed. */
    state->doctype = true;
    xmlStopParser(ctxt);
}


static void
cairnXMLRecordError(void *opaque, xmlError *err)
{
    xmlParserCtxt *ctxt = opaque;
    cairnXMLParseState *state = ctxt->_private;

    if (!err || err->level < XML_ERR_ERROR || state->first_error)
        return;
    state->first_error = g_strstrip(g_strdup(err->message ? err->message : "unknown error"));
    state->first_line = err->line;
}


static void cairnXMLIgnoreGenericError(void *opaque, const char *fmt, ...) G_GNUC_PRINTF(2, 3);


static void
cairnXMLIgnoreGenericError(void *opaque G_GNUC_UNUSED, const char *fmt G_GNUC_UNUSED, ...)
{
}


static xmlDoc *
cairnXMLParseRun(const char *xml, size_t len, cairnXMLParseState *state)
{
    xmlParserCtxt *ctxt = NULL;
    xmlDoc *doc = NULL;
    xmlGenericErrorFunc old_handler;
    void *old_data;
    int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA |
                  XML_PARSE_NOXINCNODE;

    if (!(ctxt = xmlNewParserCtxt()))
        return NULL;
    /* Errors without a parser context (e.g. from encoding conversion) go
     * to the thread's generic handler, which prints to stderr: silence
     * it while parsing, and restore it after. */
    old_handler = xmlGenericError;
    old_data = xmlGenericErrorContext;
    xmlSetGenericErrorFunc(NULL, cairnXMLIgnoreGenericError);
    ctxt->_private = state;
    ctxt->sax->internalSubset = cairnXMLRefuseDoctype;
    ctxt->sax->externalSubset = NULL;
    ctxt->sax->serror = cairnXMLRecordError;
    ctxt->sax->initialized = XML_SAX2_MAGIC;

    doc = xmlCtxtReadMemory(ctxt, xml, (int)len, NULL, NULL, options);
    if (doc && (!ctxt->wellFormed || state->doctype)) {
        xmlFreeDoc(doc);
        doc = NULL;
    }
    xmlFreeParserCtxt(ctxt);
    xmlSetGenericErrorFunc(old_data, old_handler);
    return doc;
}


xmlDoc *
cairnXMLParseString(const char *xml, const char *what, int from, GError **error)
{
    cairnXMLParseState state = { 0 };
    g_autofree char *first_error = NULL;
    size_t len = strnlen(xml, CAIRN_XML_MAX_SIZE + 1);
    xmlDoc *doc = NULL;

    if (len > CAIRN_XML_MAX_SIZE) {
        cairnErrorSet(error, from, CAIRN_ERR_XML_ERROR, "%s: document is larger than %d bytes",
                      what, CAIRN_XML_MAX_SIZE);
        return NULL;
    }

    doc = cairnXMLParseRun(xml, len, &state);
    first_error = g_steal_pointer(&state.first_error);

    if (state.doctype) {
        cairnErrorSet(error, from, CAIRN_ERR_XML_ERROR, "%s: DOCTYPE declarations are not allowed",
                      what);
        return NULL;
    }
    if (!doc) {
        if (first_error)
            cairnErrorSet(error, from, CAIRN_ERR_XML_ERROR, "%s:%d: %s", what, state.first_line,
                          first_error);
        else
            cairnErrorSet(error, from, CAIRN_ERR_XML_ERROR, "%s: failed to parse document", what);
        return NULL;
    }
    if (!xmlDocGetRootElement(doc)) {
        xmlFreeDoc(doc);
        cairnErrorSet(error, from, CAIRN_ERR_XML_ERROR, "%s: missing root element", what);
        return NULL;
    }
    return doc;
}


bool
cairnXMLNodeNameEqual(const xmlNode *node, const char *name)
{
    return node && node->type == XML_ELEMENT_NODE && !node->ns &&
           xmlStrEqual(node->name, BAD_CAST name);
}


char *
cairnXMLPropString(const xmlNode *node, const char *name)
{
    xmlChar *val = xmlGetNoNsProp(node, BAD_CAST name);
    char *ret = NULL;

    if (!val)
        return NULL;
    ret = g_strdup((const char *)val);
    xmlFree(val);
    return ret;
}


char *
cairnXMLNodeText(const xmlNode *node)
{
    xmlChar *val = xmlNodeGetContent(node);
    char *ret = g_strdup(val ? (const char *)val : "");

    xmlFree(val);
    return ret;
}


xmlNode *
cairnXMLChild(const xmlNode *node, const char *name)
{
    xmlNode *cur;

    for (cur = node->children; cur; cur = cur->next) {
        if (cairnXMLNodeNameEqual(cur, name))
            return cur;
    }
    return NULL;
}


static bool
cairnXMLIsBlank(const char *str)
{
    for (; *str; str++) {
        if (*str != ' ' && *str != '\t' && *str != '\n' && *str != '\r')
            return false;
    }
    return true;
}


bool
cairnXMLHasElementChildren(const xmlNode *node)
{
    xmlNode *cur;

    for (cur = node->children; cur; cur = cur->next) {
        if (cur->type == XML_ELEMENT_NODE)
            return true;
    }
    return false;
}


bool
cairnXMLHasNonBlankText(const xmlNode *node)
{
    xmlNode *cur;

    for (cur = node->children; cur; cur = cur->next) {
        if ((cur->type == XML_TEXT_NODE || cur->type == XML_CDATA_SECTION_NODE) && cur->content &&
            !cairnXMLIsBlank((const char *)cur->content))
            return true;
    }
    return false;
}


bool
cairnXMLParseULongLong(const char *str, unsigned long long *ret_value)
{
    unsigned long long val = 0;
    const char *p = str;
    bool digits = false;

    if (!str)
        return false;
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    for (; *p >= '0' && *p <= '9'; p++) {
        unsigned int d = (unsigned int)(*p - '0');

        if (val > (G_MAXUINT64 - d) / 10)
            return false;
        val = val * 10 + d;
        digits = true;
    }
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    if (!digits || *p)
        return false;
    *ret_value = val;
    return true;
}


void
cairnXMLEscape(GString *buf, const char *str, bool attr)
{
    const unsigned char *p;

    for (p = (const unsigned char *)str; *p; p++) {
        switch (*p) {
        case '&':
            g_string_append(buf, "&amp;");
            break;
        case '<':
            g_string_append(buf, "&lt;");
            break;
        case '>':
            g_string_append(buf, "&gt;");
            break;
        case '\'':
            g_string_append(buf, "&apos;");
            break;
        case '"':
            g_string_append(buf, "&quot;");
            break;
        case '\r':
            g_string_append(buf, "&#13;");
            break;
        case '\n':
        case '\t':
            if (attr)
                g_string_append_printf(buf, "&#%d;", *p);
            else
                g_string_append_c(buf, (char)*p);
            break;
        default:
            if (*p >= 0x20)
                g_string_append_c(buf, (char)*p);
            break;
        }
    }
}


void
cairnXMLFormatTextElement(GString *buf, int indent, const char *name, const char *value)
{
    if (!value)
        return;
    g_string_append_printf(buf, "%*s<%s>", indent, "", name);
    cairnXMLEscape(buf, value, false);
    g_string_append_printf(buf, "</%s>\n", name);
}


static void
cairnXMLAppendQName(GString *buf, const xmlNs *ns, const xmlChar *name)
{
    if (ns && ns->prefix)
        g_string_append_printf(buf, "%s:", (const char *)ns->prefix);
    g_string_append(buf, (const char *)name);
}


static void
cairnXMLAppendNsDecl(GString *buf, const xmlNs *ns)
{
    if (ns->prefix && xmlStrEqual(ns->prefix, BAD_CAST "xml"))
        return;
    g_string_append(buf, ns->prefix ? " xmlns:" : " xmlns");
    if (ns->prefix)
        g_string_append(buf, (const char *)ns->prefix);
    g_string_append(buf, "='");
    if (ns->href) {
        /* Without entity substitution libxml2 keeps an '&' of a namespace
         * URI as the reference "&#38;"; nothing else is left encoded. */
        g_auto(GStrv) parts = g_strsplit((const char *)ns->href, "&#38;", -1);
        g_autofree char *href = g_strjoinv("&", parts);

        cairnXMLEscape(buf, href, true);
    }
    g_string_append_c(buf, '\'');
}


static bool
cairnXMLIsSecretAttr(const xmlNode *node, const xmlAttr *attr)
{
    return cairnXMLNodeNameEqual(node, "graphics") && !attr->ns &&
           xmlStrEqual(attr->name, BAD_CAST "passwd");
}


static void
cairnXMLFormatStartTag(GString *buf, const xmlNode *node, unsigned int flags, bool root)
{
    const xmlAttr *attr;

    g_string_append_c(buf, '<');
    cairnXMLAppendQName(buf, node->ns, node->name);
    for (attr = node->properties; attr; attr = attr->next) {
        xmlChar *val;

        if ((flags & CAIRN_XML_FORMAT_NO_SECRETS) && cairnXMLIsSecretAttr(node, attr))
            continue;
        val = xmlNodeGetContent((const xmlNode *)attr);
        g_string_append_c(buf, ' ');
        cairnXMLAppendQName(buf, attr->ns, attr->name);
        g_string_append(buf, "='");
        cairnXMLEscape(buf, val ? (const char *)val : "", true);
        g_string_append_c(buf, '\'');
        xmlFree(val);
    }
    if (root && node->doc) {
        xmlNs **list = xmlGetNsList(node->doc, node);
        size_t i;

        for (i = 0; list && list[i]; i++)
            cairnXMLAppendNsDecl(buf, list[i]);
        xmlFree(list);
    } else {
        const xmlNs *ns;

        for (ns = node->nsDef; ns; ns = ns->next)
            cairnXMLAppendNsDecl(buf, ns);
    }
}


/* Mixed content (text beside elements) is written on one line exactly as
 * it is, whitespace included, so that reading it back gives the same
 * text. */
static void
cairnXMLFormatInline(GString *buf, const xmlNode *node, unsigned int flags)
{
    const xmlNode *cur;

    cairnXMLFormatStartTag(buf, node, flags, false);
    if (!node->children) {
        g_string_append(buf, "/>");
        return;
    }
    g_string_append_c(buf, '>');
    for (cur = node->children; cur; cur = cur->next) {
        if (cur->type == XML_ELEMENT_NODE)
            cairnXMLFormatInline(buf, cur, flags);
        else if ((cur->type == XML_TEXT_NODE || cur->type == XML_CDATA_SECTION_NODE) &&
                 cur->content)
            cairnXMLEscape(buf, (const char *)cur->content, false);
    }
    g_string_append(buf, "</");
    cairnXMLAppendQName(buf, node->ns, node->name);
    g_string_append_c(buf, '>');
}


static void
cairnXMLFormatElement(GString *buf, const xmlNode *node, int indent, unsigned int flags, bool root)
{
    const xmlNode *cur;

    g_string_append_printf(buf, "%*s", indent, "");
    cairnXMLFormatStartTag(buf, node, flags, root);

    if (cairnXMLHasElementChildren(node) && cairnXMLHasNonBlankText(node)) {
        g_string_append_c(buf, '>');
        for (cur = node->children; cur; cur = cur->next) {
            if (cur->type == XML_ELEMENT_NODE)
                cairnXMLFormatInline(buf, cur, flags);
            else if ((cur->type == XML_TEXT_NODE || cur->type == XML_CDATA_SECTION_NODE) &&
                     cur->content)
                cairnXMLEscape(buf, (const char *)cur->content, false);
        }
    } else if (cairnXMLHasElementChildren(node)) {
        g_string_append(buf, ">\n");
        for (cur = node->children; cur; cur = cur->next) {
            if (cur->type == XML_ELEMENT_NODE)
                cairnXMLFormatElement(buf, cur, indent + 2, flags, false);
        }
        g_string_append_printf(buf, "%*s", indent, "");
    } else {
        g_autoptr(GString) text = g_string_new(NULL);

        for (cur = node->children; cur; cur = cur->next) {
            if ((cur->type == XML_TEXT_NODE || cur->type == XML_CDATA_SECTION_NODE) && cur->content)
                g_string_append(text, (const char *)cur->content);
        }
        if (text->len == 0) {
            g_string_append(buf, "/>\n");
            return;
        }
        g_string_append_c(buf, '>');
        cairnXMLEscape(buf, text->str, false);
    }

    g_string_append(buf, "</");
    cairnXMLAppendQName(buf, node->ns, node->name);
    g_string_append(buf, ">\n");
}


void
cairnXMLFormatNode(GString *buf, const xmlNode *node, int indent, unsigned int flags)
{
    cairnXMLFormatElement(buf, node, indent, flags, true);
}


char *
cairnXMLFormatNodeString(const xmlNode *node, unsigned int flags)
{
    GString *buf = g_string_new(NULL);

    cairnXMLFormatNode(buf, node, 0, flags);
    if (buf->len && buf->str[buf->len - 1] == '\n')
        g_string_truncate(buf, buf->len - 1);
    return g_string_free(buf, FALSE);
}
