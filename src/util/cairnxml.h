/*
 * cairnxml.h: libxml2 helpers shared by the XML parsers and formatters.
 *
 * Parsing is hardened for untrusted input: no network access, no DTD
 * (a document with a DOCTYPE, and so any entity declaration, is refused
 * before anything in it is processed), no entity substitution, no
 * XInclude, and a size cap of CAIRN_XML_MAX_SIZE bytes. Errors are
 * CAIRN_ERR_XML_ERROR in the error domain the caller names.
 *
 * Formatting follows libvirt's virBuffer conventions: 2-space
 * indentation, attributes in single quotes, the five XML special
 * characters escaped, one element per line, empty elements self-closed,
 * text-only elements inline.
 */
#pragma once

#include <stdbool.h>
#include <glib.h>
#include <libxml/tree.h>

/* Largest document cairnXMLParseString() accepts, in bytes. */
#define CAIRN_XML_MAX_SIZE (10 * 1024 * 1024)

G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlDoc, xmlFreeDoc)

/* Parse @xml (NUL-terminated). @what names the document in error
 * messages, e.g. "(domain_definition)". Returns a document with a root
 * element, or NULL with CAIRN_ERR_XML_ERROR raised in error domain @from:
 * "XML error: WHAT:LINE: libxml2 message". */
xmlDoc *cairnXMLParseString(const char *xml, const char *what, int from, GError **error);

/* True if @node is an element named @name in no namespace. */
bool cairnXMLNodeNameEqual(const xmlNode *node, const char *name);

/* The value of attribute @name (no namespace) of @node, or NULL when
 * absent. Caller frees. */
char *cairnXMLPropString(const xmlNode *node, const char *name);

/* The concatenated text content of @node (text and CDATA children,
 * recursively), never NULL. Caller frees. */
char *cairnXMLNodeText(const xmlNode *node);

/* The first child element of @node named @name (no namespace), or NULL. */
xmlNode *cairnXMLChild(const xmlNode *node, const char *name);

/* True if @node has a child element, or a text child that is not only
 * whitespace. */
bool cairnXMLHasElementChildren(const xmlNode *node);
bool cairnXMLHasNonBlankText(const xmlNode *node);

/* Parse @str as an unsigned decimal number: optional surrounding
 * whitespace, digits only (no sign, no base prefix), no overflow. */
bool cairnXMLParseULongLong(const char *str, unsigned long long *ret_value);

/* Append @str to @buf with libvirt's escaping: & < > ' " become entity
 * references, control characters other than tab, newline and carriage
 * return are dropped. With @attr, tab, newline and carriage return are
 * written as character references so that the value survives attribute
 * normalisation when read back; otherwise only carriage return is. */
void cairnXMLEscape(GString *buf, const char *str, bool attr);

/* Append "<NAME>ESCAPED</NAME>\n" indented by @indent spaces, or nothing
 * when @value is NULL. */
void cairnXMLFormatTextElement(GString *buf, int indent, const char *name, const char *value);

typedef enum {
    /* Leave out attributes that libvirt treats as secure data (the
     * passwd attribute of <graphics>). */
    CAIRN_XML_FORMAT_NO_SECRETS = 1 << 0,
} cairnXMLFormatFlags;

/* Pretty-print the subtree rooted at element @node into @buf in libvirt's
 * layout, every line indented by @indent (plus 2 per nesting level),
 * each line ending with a newline. Comments and processing instructions
 * are dropped, whitespace-only text between elements is dropped, mixed
 * content (text beside elements) is written inline exactly as it is, and
 * the namespaces in scope at @node are declared on it. */
void cairnXMLFormatNode(GString *buf, const xmlNode *node, int indent, unsigned int flags);

/* As cairnXMLFormatNode() with indent 0, returned without the final
 * newline. */
char *cairnXMLFormatNodeString(const xmlNode *node, unsigned int flags);
