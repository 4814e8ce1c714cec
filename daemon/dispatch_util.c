/*
 * dispatch_util.c: what the handlers share: errors from the public API,
 * domains on the wire, and the validation of names and paths.
 */
#include <string.h>
#include <libxml/tree.h>

#include "cairn/cairn.h"
#include "conf/domain_conf.h"
#include "dispatch.h"
#include "remote/remote_protocol.h"
#include "util/cairnerror.h"
#include "util/cairnxml.h"


void
cairndLastError(GError **error)
{
    cairnErrorPtr last = cairnGetLastError();

    if (!last) {
        cairnErrorSet(error, CAIRN_FROM_RPC, CAIRN_ERR_INTERNAL_ERROR, "%s",
                      "the call failed without an error");
        return;
    }
    cairnErrorSetRaw(error, last->domain, last->code, "%s", last->message);
}


bool
cairndCheckName(const char *name, const char *what, GError **error)
{
    if (remoteNameIsValid(name))
        return true;
    cairnErrorSet(
        error, CAIRN_FROM_RPC, CAIRN_ERR_INVALID_ARG,
        "%s name '%s' must be 1 to 1024 characters, not '.' or '..', without '/' or control characters",
        what, name);
    return false;
}


cairnDomain *
cairndDomainFromVariant(cairnConnect *conn, GVariant *value, GError **error)
{
    g_autoptr(GVariant) uuid = NULL;
    const unsigned char *bytes;
    const char *name = NULL;
    gsize len = 0;
    gint32 id = -1;

    g_variant_get(value, "(&s@ayi)", &name, &uuid, &id);
    if (!cairndCheckName(name, "domain", error))
        return NULL;
    bytes = g_variant_get_fixed_array(uuid, &len, 1);
    if (len != CAIRN_UUID_BUFLEN) {
        cairnErrorSet(error, CAIRN_FROM_RPC, CAIRN_ERR_INVALID_ARG,
                      "domain UUID must be %d bytes, not %zu", CAIRN_UUID_BUFLEN, len);
        return NULL;
    }
    return cairnDomainNew(conn, name, bytes, id);
}


GVariant *
cairndDomainToVariant(cairnDomain *dom)
{
    GVariant *uuid =
        g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, dom->uuid, CAIRN_UUID_BUFLEN, 1);

    return g_variant_new("(s@ayi)", dom->name, uuid, dom->id);
}


/* The text of @root's first child element called @name, or NULL. */
static char *
cairndXMLChildText(xmlNode *root, const char *name)
{
    for (xmlNode *n = root->children; n; n = n->next) {
        if (n->type == XML_ELEMENT_NODE && g_str_equal((const char *)n->name, name)) {
            xmlChar *text = xmlNodeGetContent(n);
            char *copy = g_strdup((const char *)text);

            xmlFree(text);
            return copy;
        }
    }
    return NULL;
}


bool
cairndCheckXMLName(const char *xml, const char *what, int from, int code, GError **error)
{
    g_autoptr(GError) parse_err = NULL;
    g_autofree char *name = NULL;
    xmlDoc *doc;
    bool ok = true;

    /* A document that does not parse is the driver's to report, with
     * its own code and message. */
    if (!(doc = cairnXMLParseString(xml, what, CAIRN_FROM_RPC, &parse_err)))
        return true;
    if (xmlDocGetRootElement(doc) &&
        (name = cairndXMLChildText(xmlDocGetRootElement(doc), "name")) &&
        !remoteNameIsValid(g_strstrip(name))) {
        cairnErrorSet(error, from, code, "%s name '%s' is not allowed", what, name);
        ok = false;
    }
    xmlFreeDoc(doc);
    return ok;
}


/* Check the file= of every <target>/<scratch> under @node. */
static bool
cairndCheckBackupNode(xmlNode *node, GError **error)
{
    for (xmlNode *n = node; n; n = n->next) {
        xmlChar *file;
        bool bad;

        if (n->type != XML_ELEMENT_NODE)
            continue;
        if ((g_str_equal((const char *)n->name, "target") ||
             g_str_equal((const char *)n->name, "scratch")) &&
            (file = xmlGetProp(n, (const xmlChar *)"file"))) {
            bad = !g_path_is_absolute((const char *)file) || strstr((const char *)file, "/../") ||
                  g_str_has_suffix((const char *)file, "/..");
            if (bad)
                cairnErrorSet(error, CAIRN_FROM_RPC, CAIRN_ERR_INVALID_ARG,
                              "backup %s file '%s' must be an absolute path without '..'",
                              (const char *)n->name, (const char *)file);
            xmlFree(file);
            if (bad)
                return false;
        }
        if (!cairndCheckBackupNode(n->children, error))
            return false;
    }
    return true;
}


bool
cairndCheckBackupPaths(const char *xml, GError **error)
{
    g_autoptr(GError) parse_err = NULL;
    xmlDoc *doc;
    bool ok;

    if (!(doc = cairnXMLParseString(xml, "backup", CAIRN_FROM_RPC, &parse_err)))
        return true;
    ok = cairndCheckBackupNode(xmlDocGetRootElement(doc), error);
    xmlFreeDoc(doc);
    return ok;
}
