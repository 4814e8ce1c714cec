/*
 * domain_conf_backing.c: a disk's <backingStore> (see domain_conf_backing.h).
 */
#include <string.h>

#include "cairn/cairn-error.h"
#include "domain_conf_backing.h"
#include "util/cairnerror.h"
#include "util/cairnxml.h"

#define BACKING_ERROR(error, code, ...) cairnErrorSet(error, CAIRN_FROM_DOMAIN, code, __VA_ARGS__)


cairnDomainDiskBacking *
cairnDomainDiskBackingNew(cairnDomainDiskBackingKind kind)
{
    cairnDomainDiskBacking *backing = g_new0(cairnDomainDiskBacking, 1);

    backing->kind = kind;
    return backing;
}


void
cairnDomainDiskBackingFree(cairnDomainDiskBacking *backing)
{
    if (!backing)
        return;
    g_free(backing->format);
    g_free(backing->file);
    g_free(backing->name);
    g_free(backing->socket);
    g_free(backing);
}


cairnDomainDiskBacking *
cairnDomainDiskBackingCopy(const cairnDomainDiskBacking *backing)
{
    cairnDomainDiskBacking *copy;

    if (!backing)
        return NULL;
    copy = cairnDomainDiskBackingNew(backing->kind);
    copy->format = g_strdup(backing->format);
    copy->file = g_strdup(backing->file);
    copy->name = g_strdup(backing->name);
    copy->socket = g_strdup(backing->socket);
    return copy;
}


/* Refuse (or, lenient, ignore) what the subset does not know. */
static bool
backingUnsupported(bool lenient, GError **error, const char *what, const char *value)
{
    if (lenient)
        return true;
    BACKING_ERROR(error, CAIRN_ERR_CONFIG_UNSUPPORTED,
                  "disk backing store %s '%s' is not supported by Cairn", what, value);
    return false;
}


static bool
backingParseHost(cairnDomainDiskBacking *backing,
                 const xmlNode *source,
                 bool lenient,
                 GError **error)
{
    xmlNode *host = cairnXMLChild(source, "host");
    g_autofree char *transport = NULL;

    if (!host) {
        BACKING_ERROR(error, CAIRN_ERR_XML_ERROR, "missing host for the nbd backing store");
        return false;
    }
    transport = cairnXMLPropString(host, "transport");
    if (g_strcmp0(transport, "unix") != 0 &&
        !backingUnsupported(lenient, error, "transport", transport ? transport : "tcp"))
        return false;
    backing->socket = cairnXMLPropString(host, "socket");
    if (!backing->socket || !*backing->socket) {
        BACKING_ERROR(error, CAIRN_ERR_XML_ERROR, "missing socket for the nbd backing store");
        return false;
    }
    return true;
}


/* An inner <backingStore>: only the empty one ends the chain here. */
static bool
backingCheckInner(const xmlNode *node, bool lenient, GError **error)
{
    xmlNode *inner = cairnXMLChild(node, "backingStore");

    if (!inner || lenient || (!cairnXMLHasElementChildren(inner) && !inner->properties))
        return true;
    BACKING_ERROR(error, CAIRN_ERR_CONFIG_UNSUPPORTED,
                  "disk backing chains deeper than one layer are not supported by Cairn");
    return false;
}


bool
cairnDomainDiskBackingParse(const xmlNode *node,
                            bool lenient,
                            cairnDomainDiskBacking **ret,
                            GError **error)
{
    g_autoptr(cairnDomainDiskBacking) backing = NULL;
    g_autofree char *type = cairnXMLPropString(node, "type");
    xmlNode *format = cairnXMLChild(node, "format");
    xmlNode *source = cairnXMLChild(node, "source");

    *ret = NULL;
    if (!type && !cairnXMLHasElementChildren(node))
        return true;
    if (g_strcmp0(type, "network") == 0) {
        g_autofree char *protocol = NULL;

        backing = cairnDomainDiskBackingNew(CAIRN_DOMAIN_BACKING_NBD);
        if (!source) {
            BACKING_ERROR(error, CAIRN_ERR_XML_ERROR, "missing source for the backing store");
            return false;
        }
        protocol = cairnXMLPropString(source, "protocol");
        if (g_strcmp0(protocol, "nbd") != 0) {
            if (!backingUnsupported(lenient, error, "protocol", protocol ? protocol : ""))
                return false;
            return true;
        }
        backing->name = cairnXMLPropString(source, "name");
        if (!backingParseHost(backing, source, lenient, error))
            return false;
    } else if (!type || g_str_equal(type, "file")) {
        backing = cairnDomainDiskBackingNew(CAIRN_DOMAIN_BACKING_FILE);
        if (!source || !(backing->file = cairnXMLPropString(source, "file")) || !*backing->file) {
            BACKING_ERROR(error, CAIRN_ERR_XML_ERROR, "missing source file for the backing store");
            return false;
        }
    } else {
        return backingUnsupported(lenient, error, "type", type);
    }
    if (format) {
        backing->format = cairnXMLPropString(format, "type");
        if (backing->format && !g_str_equal(backing->format, "raw") &&
            !g_str_equal(backing->format, "qcow2")) {
            if (!backingUnsupported(lenient, error, "format", backing->format))
                return false;
            g_clear_pointer(&backing->format, g_free);
        }
    }
    if (!backingCheckInner(node, lenient, error))
        return false;
    *ret = g_steal_pointer(&backing);
    return true;
}


static void
backingFormatAttr(GString *buf, const char *name, const char *value)
{
    g_string_append_printf(buf, " %s='", name);
    cairnXMLEscape(buf, value, true);
    g_string_append_c(buf, '\'');
}


void
cairnDomainDiskBackingFormat(GString *buf, const cairnDomainDiskBacking *backing, int ind)
{
    bool nbd = backing->kind == CAIRN_DOMAIN_BACKING_NBD;

    g_string_append_printf(buf, "%*s<backingStore type='%s'>\n", ind, "", nbd ? "network" : "file");
    if (backing->format)
        g_string_append_printf(buf, "%*s<format type='%s'/>\n", ind + 2, "", backing->format);
    if (nbd) {
        g_string_append_printf(buf, "%*s<source protocol='nbd'", ind + 2, "");
        if (backing->name)
            backingFormatAttr(buf, "name", backing->name);
        g_string_append(buf, ">\n");
        g_string_append_printf(buf, "%*s<host transport='unix'", ind + 4, "");
        backingFormatAttr(buf, "socket", backing->socket ? backing->socket : "");
        g_string_append(buf, "/>\n");
        g_string_append_printf(buf, "%*s</source>\n", ind + 2, "");
    } else {
        g_string_append_printf(buf, "%*s<source", ind + 2, "");
        backingFormatAttr(buf, "file", backing->file ? backing->file : "");
        g_string_append(buf, "/>\n");
    }
    g_string_append_printf(buf, "%*s</backingStore>\n", ind, "");
}


char *
cairnDomainDiskBackingToURI(const cairnDomainDiskBacking *backing)
{
    g_autofree char *name = NULL;
    g_autofree char *socket = NULL;

    if (backing->kind == CAIRN_DOMAIN_BACKING_FILE)
        return g_strdup(backing->file);
    name = g_uri_escape_string(backing->name ? backing->name : "", "/", FALSE);
    socket = g_uri_escape_string(backing->socket ? backing->socket : "", "/", FALSE);
    return g_strdup_printf("nbd+unix:///%s?socket=%s", name, socket);
}


bool
cairnDomainDiskBackingIsNBDURI(const char *str)
{
    return str && (g_str_has_prefix(str, "nbd:") || g_str_has_prefix(str, "nbd+"));
}


cairnDomainDiskBacking *
cairnDomainDiskBackingFromURI(const char *str, const char *format)
{
    g_autoptr(GUri) uri = NULL;
    g_autoptr(GHashTable) query = NULL;
    g_autoptr(cairnDomainDiskBacking) backing = NULL;
    const char *path;
    const char *socket;

    if (!str || !g_str_has_prefix(str, "nbd+unix://") ||
        !(uri = g_uri_parse(str, G_URI_FLAGS_ENCODED, NULL)) || !g_uri_get_query(uri) ||
        !(query = g_uri_parse_params(g_uri_get_query(uri), -1, "&", G_URI_PARAMS_NONE, NULL)) ||
        !(socket = g_hash_table_lookup(query, "socket")) || !*socket)
        return NULL;
    backing = cairnDomainDiskBackingNew(CAIRN_DOMAIN_BACKING_NBD);
    backing->socket = g_strdup(socket);
    path = g_uri_get_path(uri);
    while (path && *path == '/')
        path++;
    if (path && *path)
        backing->name = g_uri_unescape_string(path, NULL);
    backing->format = g_strdup(format ? format : "raw");
    return g_steal_pointer(&backing);
}
