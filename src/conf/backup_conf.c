/*
 * backup_conf.c: <domainbackup> XML, per spec/xml.md section 2.
 */
#include <string.h>
#include <libxml/tree.h>

#include "backup_conf.h"
#include "backup_schema.h"
#include "util/cairnerror.h"
#include "util/cairnxml.h"
#include "util/cairnenum.h"

#define FROM CAIRN_FROM_DOMAIN

static const char *const backupTypeNames[] = {
    [CAIRN_BACKUP_TYPE_DEFAULT] = "default",
    [CAIRN_BACKUP_TYPE_PUSH] = "push",
    [CAIRN_BACKUP_TYPE_PULL] = "pull",
};
G_STATIC_ASSERT(G_N_ELEMENTS(backupTypeNames) == CAIRN_BACKUP_TYPE_LAST);

static const char *const backupDiskStateNames[] = {
    [CAIRN_BACKUP_DISK_STATE_NONE] = "",
    [CAIRN_BACKUP_DISK_STATE_RUNNING] = "running",
    [CAIRN_BACKUP_DISK_STATE_COMPLETE] = "complete",
    [CAIRN_BACKUP_DISK_STATE_FAILED] = "failed",
    [CAIRN_BACKUP_DISK_STATE_CANCELLING] = "cancelling",
    [CAIRN_BACKUP_DISK_STATE_CANCELLED] = "cancelled",
};
G_STATIC_ASSERT(G_N_ELEMENTS(backupDiskStateNames) == CAIRN_BACKUP_DISK_STATE_LAST);

static const char *const backupDiskModeNames[] = {
    [CAIRN_BACKUP_DISK_MODE_DEFAULT] = "default",
    [CAIRN_BACKUP_DISK_MODE_FULL] = "full",
    [CAIRN_BACKUP_DISK_MODE_INCREMENTAL] = "incremental",
};
G_STATIC_ASSERT(G_N_ELEMENTS(backupDiskModeNames) == CAIRN_BACKUP_DISK_MODE_LAST);

static const char *const backupStoreTypeNames[] = {
    [CAIRN_BACKUP_STORE_NONE] = "none",
    [CAIRN_BACKUP_STORE_FILE] = "file",
    [CAIRN_BACKUP_STORE_BLOCK] = "block",
};
G_STATIC_ASSERT(G_N_ELEMENTS(backupStoreTypeNames) == CAIRN_BACKUP_STORE_LAST);

static const char *const backupTransportNames[] = {
    [CAIRN_BACKUP_TRANSPORT_TCP] = "tcp",
    [CAIRN_BACKUP_TRANSPORT_UNIX] = "unix",
    [CAIRN_BACKUP_TRANSPORT_FD] = "fd",
};
G_STATIC_ASSERT(G_N_ELEMENTS(backupTransportNames) == CAIRN_BACKUP_TRANSPORT_LAST);


const char *
cairnBackupTypeToString(cairnBackupType t)
{
    return cairnEnumToString(backupTypeNames, G_N_ELEMENTS(backupTypeNames), t);
}


const char *
cairnBackupDiskStateToString(cairnBackupDiskState s)
{
    return cairnEnumToString(backupDiskStateNames, G_N_ELEMENTS(backupDiskStateNames), s);
}


int
cairnBackupDiskStateFromString(const char *s)
{
    int state = cairnEnumFromString(backupDiskStateNames, G_N_ELEMENTS(backupDiskStateNames), s);

    return state > 0 ? state : -1;
}


const char *
cairnBackupDiskModeToString(cairnBackupDiskMode m)
{
    return cairnEnumToString(backupDiskModeNames, G_N_ELEMENTS(backupDiskModeNames), m);
}


/* ---- objects ---- */

static void
backupStoreDefFree(cairnBackupStoreDef *store)
{
    if (!store)
        return;
    g_free(store->path);
    g_free(store->format);
    g_free(store->seclabels_xml);
    g_free(store->encryption_xml);
    g_free(store);
}


static cairnBackupStoreDef *
backupStoreDefCopy(const cairnBackupStoreDef *store)
{
    cairnBackupStoreDef *copy;

    if (!store)
        return NULL;
    copy = g_new0(cairnBackupStoreDef, 1);
    copy->path = g_strdup(store->path);
    copy->format = g_strdup(store->format);
    copy->seclabels_xml = g_strdup(store->seclabels_xml);
    copy->encryption_xml = g_strdup(store->encryption_xml);
    return copy;
}


cairnBackupDiskDef *
cairnBackupDiskDefNew(void)
{
    cairnBackupDiskDef *disk = g_new0(cairnBackupDiskDef, 1);

    disk->backup = true;
    return disk;
}


void
cairnBackupDiskDefFree(cairnBackupDiskDef *disk)
{
    if (!disk)
        return;
    g_free(disk->name);
    g_free(disk->incremental);
    g_free(disk->exportname);
    g_free(disk->exportbitmap);
    g_free(disk->fleece);
    backupStoreDefFree(disk->store);
    g_free(disk);
}


static cairnBackupDiskDef *
backupDiskDefCopy(const cairnBackupDiskDef *disk)
{
    cairnBackupDiskDef *copy = g_memdup2(disk, sizeof(*disk));

    copy->name = g_strdup(disk->name);
    copy->incremental = g_strdup(disk->incremental);
    copy->exportname = g_strdup(disk->exportname);
    copy->exportbitmap = g_strdup(disk->exportbitmap);
    copy->fleece = g_strdup(disk->fleece);
    copy->store = backupStoreDefCopy(disk->store);
    return copy;
}


static void
backupServerDefFree(cairnBackupServerDef *server)
{
    if (!server)
        return;
    g_free(server->name);
    g_free(server->socket);
    g_free(server->fdgroup);
    g_free(server);
}


cairnBackupDef *
cairnBackupDefNew(void)
{
    cairnBackupDef *def = g_new0(cairnBackupDef, 1);

    def->type = CAIRN_BACKUP_TYPE_PUSH;
    def->disks = g_ptr_array_new_with_free_func((GDestroyNotify)cairnBackupDiskDefFree);
    return def;
}


void
cairnBackupDefFree(cairnBackupDef *def)
{
    if (!def)
        return;
    g_free(def->incremental);
    backupServerDefFree(def->server);
    g_ptr_array_unref(def->disks);
    g_free(def->tls_alias);
    g_free(def->tls_secret_alias);
    g_free(def);
}


cairnBackupDef *
cairnBackupDefCopy(const cairnBackupDef *def)
{
    cairnBackupDef *copy = cairnBackupDefNew();

    copy->type = def->type;
    copy->incremental = g_strdup(def->incremental);
    if (def->server) {
        copy->server = g_memdup2(def->server, sizeof(*def->server));
        copy->server->name = g_strdup(def->server->name);
        copy->server->socket = g_strdup(def->server->socket);
        copy->server->fdgroup = g_strdup(def->server->fdgroup);
    }
    for (guint i = 0; i < def->disks->len; i++)
        g_ptr_array_add(copy->disks, backupDiskDefCopy(g_ptr_array_index(def->disks, i)));
    copy->tls_alias = g_strdup(def->tls_alias);
    copy->tls_secret_alias = g_strdup(def->tls_secret_alias);
    return copy;
}


cairnBackupDiskDef *
cairnBackupDefFindDisk(const cairnBackupDef *def, const char *name)
{
    for (guint i = 0; i < def->disks->len; i++) {
        cairnBackupDiskDef *disk = g_ptr_array_index(def->disks, i);

        if (g_strcmp0(disk->name, name) == 0)
            return disk;
    }
    return NULL;
}


guint
cairnBackupDefCountParticipating(const cairnBackupDef *def)
{
    guint n = 0;

    for (guint i = 0; i < def->disks->len; i++)
        n += ((cairnBackupDiskDef *)g_ptr_array_index(def->disks, i))->backup ? 1 : 0;
    return n;
}


/* ---- parsing ---- */

/* Parse a yes/no attribute: 0 absent, 1 yes, 2 no; -1 with XML_ERROR on
 * anything else. */
static int
backupParseYesNo(const xmlNode *node, const char *name, GError **error)
{
    g_autofree char *value = cairnXMLPropString(node, name);

    if (!value)
        return 0;
    if (g_str_equal(value, "yes"))
        return 1;
    if (g_str_equal(value, "no"))
        return 2;
    cairnErrorSet(error, FROM, CAIRN_ERR_XML_ERROR,
                  "Invalid value for attribute '%s' in element '%s': '%s'.", name,
                  (const char *)node->name, value);
    return -1;
}


/* The elements named @name under @node, formatted (indent 0), or NULL. */
static char *
backupFormatChildren(const xmlNode *node, const char *name)
{
    g_autoptr(GString) buf = g_string_new(NULL);

    for (const xmlNode *c = node->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE && cairnXMLNodeNameEqual(c, name))
            cairnXMLFormatNode(buf, c, 0, 0);
    }
    if (buf->len == 0)
        return NULL;
    return g_string_free(g_steal_pointer(&buf), FALSE);
}


static bool
backupParseStore(cairnBackupDiskDef *disk, const xmlNode *node, bool push, GError **error)
{
    xmlNode *src = cairnXMLChild(node, push ? "target" : "scratch");
    xmlNode *driver = cairnXMLChild(node, "driver");
    g_autofree char *type = cairnXMLPropString(node, "type");

    disk->store = g_new0(cairnBackupStoreDef, 1);
    disk->store_type = CAIRN_BACKUP_STORE_FILE;
    if (type) {
        int t = cairnEnumFromString(backupStoreTypeNames, G_N_ELEMENTS(backupStoreTypeNames), type);

        if (t <= CAIRN_BACKUP_STORE_NONE) {
            cairnErrorSet(error, FROM, CAIRN_ERR_XML_ERROR, "unsupported disk backup type '%s'",
                          type);
            return false;
        }
        disk->store_type = t;
    }
    if (driver)
        disk->store->format = cairnXMLPropString(driver, "type");
    if (push && cairnXMLChild(node, "scratch"))
        disk->fleece = cairnXMLPropString(cairnXMLChild(node, "scratch"), "file");
    if (!src)
        return true;
    disk->store->path =
        cairnXMLPropString(src, disk->store_type == CAIRN_BACKUP_STORE_BLOCK ? "dev" : "file");
    disk->store->seclabels_xml = backupFormatChildren(src, "seclabel");
    disk->store->encryption_xml = backupFormatChildren(src, "encryption");
    return true;
}


static bool
backupParseDiskInternal(cairnBackupDiskDef *disk,
                        const xmlNode *node,
                        unsigned int flags,
                        GError **error)
{
    g_autofree char *state = cairnXMLPropString(node, "state");
    g_autofree char *index = cairnXMLPropString(node, "index");
    unsigned long long value;
    int s;

    if (!state && !(flags & CAIRN_BACKUP_PARSE_INTERNAL_UNSTARTED)) {
        cairnErrorSet(error, FROM, CAIRN_ERR_XML_ERROR,
                      "Missing required attribute 'state' in element 'disk'");
        return false;
    }
    if (!state)
        s = CAIRN_BACKUP_DISK_STATE_NONE;
    else if ((s = cairnBackupDiskStateFromString(state)) < 0) {
        cairnErrorSet(error, FROM, CAIRN_ERR_XML_ERROR,
                      "Invalid value for attribute 'state' in element 'disk': '%s'.", state);
        return false;
    }
    disk->state = s;
    if (index && (!cairnXMLParseULongLong(index, &value) || value > G_MAXUINT)) {
        cairnErrorSet(error, FROM, CAIRN_ERR_XML_ERROR, "invalid disk index '%s'", index);
        return false;
    }
    disk->index = index ? (unsigned int)value : 0;
    return true;
}


static bool
backupParseDiskMode(cairnBackupDiskDef *disk, const xmlNode *node, GError **error)
{
    g_autofree char *mode = cairnXMLPropString(node, "backupmode");
    int m;

    if (!mode)
        return true;
    m = cairnEnumFromString(backupDiskModeNames, G_N_ELEMENTS(backupDiskModeNames), mode);
    if (m <= CAIRN_BACKUP_DISK_MODE_DEFAULT) {
        cairnErrorSet(error, FROM, CAIRN_ERR_XML_ERROR,
                      "Invalid value for attribute 'backupmode' in element 'disk': '%s'.", mode);
        return false;
    }
    disk->mode = m;
    return true;
}


static cairnBackupDiskDef *
backupParseDisk(const xmlNode *node, bool push, unsigned int flags, GError **error)
{
    g_autoptr(cairnBackupDiskDef) disk = cairnBackupDiskDefNew();
    int backup;

    if (!(disk->name = cairnXMLPropString(node, "name"))) {
        cairnErrorSet(error, FROM, CAIRN_ERR_XML_ERROR, "missing name from disk backup element");
        return NULL;
    }
    if ((backup = backupParseYesNo(node, "backup", error)) < 0)
        return NULL;
    disk->backup_given = backup != 0;
    disk->backup = backup != 2;
    /* Nothing else is read from a disk that takes no part. */
    if (!disk->backup)
        return g_steal_pointer(&disk);
    if (!push) {
        disk->exportname = cairnXMLPropString(node, "exportname");
        disk->exportbitmap = cairnXMLPropString(node, "exportbitmap");
    }
    disk->incremental = cairnXMLPropString(node, "incremental");
    if (!backupParseDiskMode(disk, node, error) ||
        ((flags & CAIRN_BACKUP_PARSE_INTERNAL) &&
         !backupParseDiskInternal(disk, node, flags, error)) ||
        !backupParseStore(disk, node, push, error))
        return NULL;
    return g_steal_pointer(&disk);
}


static bool
backupParseServerTransport(cairnBackupServerDef *server, const xmlNode *node, GError **error)
{
    g_autofree char *transport = cairnXMLPropString(node, "transport");
    int t;

    if (!transport)
        return true;
    t = cairnEnumFromString(backupTransportNames, G_N_ELEMENTS(backupTransportNames), transport);
    if (t < 0) {
        cairnErrorSet(error, FROM, CAIRN_ERR_CONFIG_UNSUPPORTED,
                      "transport %s is not supported for <server>", transport);
        return false;
    }
    server->transport = t;
    server->transport_given = true;
    return true;
}


static bool
backupParseServer(cairnBackupDef *def, const xmlNode *node, GError **error)
{
    g_autofree char *port = NULL;
    unsigned long long value = 0;
    int tls;

    if (def->type != CAIRN_BACKUP_TYPE_PULL) {
        cairnErrorSet(error, FROM, CAIRN_ERR_CONFIG_UNSUPPORTED,
                      "use of <server> requires pull mode backup");
        return false;
    }
    def->server = g_new0(cairnBackupServerDef, 1);
    if (!backupParseServerTransport(def->server, node, error))
        return false;
    def->server->name = cairnXMLPropString(node, "name");
    def->server->socket = cairnXMLPropString(node, "socket");
    def->server->fdgroup = cairnXMLPropString(node, "fdgroup");
    port = cairnXMLPropString(node, "port");
    if (port && (!cairnXMLParseULongLong(port, &value) || value > G_MAXUINT)) {
        cairnErrorSet(error, FROM, CAIRN_ERR_XML_ERROR, "failed to parse port number '%s'", port);
        return false;
    }
    def->server->port = (unsigned int)value;
    if (def->server->transport == CAIRN_BACKUP_TRANSPORT_UNIX &&
        (!def->server->socket || !g_path_is_absolute(def->server->socket))) {
        cairnErrorSet(error, FROM, CAIRN_ERR_XML_ERROR, "backup socket path '%s' must be absolute",
                      def->server->socket ? def->server->socket : "");
        return false;
    }
    if ((tls = backupParseYesNo(node, "tls", error)) < 0)
        return false;
    def->server->tls = tls;
    return true;
}


static bool
backupParseMode(cairnBackupDef *def, const xmlNode *root, GError **error)
{
    g_autofree char *mode = cairnXMLPropString(root, "mode");
    int t;

    if (!mode)
        return true;
    t = cairnEnumFromString(backupTypeNames, G_N_ELEMENTS(backupTypeNames), mode);
    if (t <= CAIRN_BACKUP_TYPE_DEFAULT) {
        cairnErrorSet(error, FROM, CAIRN_ERR_CONFIG_UNSUPPORTED, "unknown backup mode '%s'", mode);
        return false;
    }
    def->type = t;
    return true;
}


static void
backupParsePrivate(cairnBackupDef *def, const xmlNode *root)
{
    xmlNode *priv = cairnXMLChild(root, "privateData");
    xmlNode *objects = priv ? cairnXMLChild(priv, "objects") : NULL;

    if (!objects)
        return;
    for (const xmlNode *c = objects->children; c; c = c->next) {
        g_autofree char *type = NULL;

        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (cairnXMLNodeNameEqual(c, "TLSx509") && !def->tls_alias)
            def->tls_alias = cairnXMLPropString(c, "alias");
        type = cairnXMLPropString(c, "type");
        if (cairnXMLNodeNameEqual(c, "secret") && g_strcmp0(type, "tlskey") == 0 &&
            !def->tls_secret_alias)
            def->tls_secret_alias = cairnXMLPropString(c, "alias");
    }
}


static bool
backupParseDisks(cairnBackupDef *def, const xmlNode *root, unsigned int flags, GError **error)
{
    xmlNode *disks = cairnXMLChild(root, "disks");

    if (!disks)
        return true;
    for (const xmlNode *c = disks->children; c; c = c->next) {
        cairnBackupDiskDef *disk;

        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (!(disk = backupParseDisk(c, def->type == CAIRN_BACKUP_TYPE_PUSH, flags, error)))
            return false;
        g_ptr_array_add(def->disks, disk);
    }
    return true;
}


cairnBackupDef *
cairnBackupDefParseString(const char *xml, unsigned int flags, GError **error)
{
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(cairnBackupDef) def = cairnBackupDefNew();
    xmlNode *root;
    xmlNode *node;

    if (!(doc = cairnXMLParseString(xml, "(domain_backup)", FROM, error)))
        return NULL;
    root = xmlDocGetRootElement(doc);
    if (!(flags & CAIRN_BACKUP_PARSE_INTERNAL) && !cairnBackupSchemaCheck(root, error))
        return NULL;
    if (!cairnXMLNodeNameEqual(root, "domainbackup")) {
        cairnErrorSet(error, FROM, CAIRN_ERR_XML_ERROR, "%s", "domainbackup");
        return NULL;
    }
    if (!backupParseMode(def, root, error))
        return NULL;
    if ((node = cairnXMLChild(root, "incremental")))
        def->incremental = cairnXMLNodeText(node);
    if ((node = cairnXMLChild(root, "server")) && !backupParseServer(def, node, error))
        return NULL;
    if (!backupParseDisks(def, root, flags, error))
        return NULL;
    if (flags & CAIRN_BACKUP_PARSE_INTERNAL)
        backupParsePrivate(def, root);
    return g_steal_pointer(&def);
}


/* ---- formatting ---- */

/* Append the lines of @xml (formatted at indent 0) indented by @indent. */
static void
backupAppendIndented(GString *buf, const char *xml, int indent)
{
    g_auto(GStrv) lines = NULL;

    if (!xml)
        return;
    lines = g_strsplit(xml, "\n", -1);
    for (char **l = lines; *l; l++) {
        if (**l)
            g_string_append_printf(buf, "%*s%s\n", indent, "", *l);
    }
}


static void
backupFormatAttr(GString *buf, const char *name, const char *value)
{
    if (!value)
        return;
    g_string_append_printf(buf, " %s='", name);
    cairnXMLEscape(buf, value, true);
    g_string_append_c(buf, '\'');
}


static void
backupFormatStore(GString *buf, const cairnBackupDiskDef *disk, bool push, int indent)
{
    const cairnBackupStoreDef *store = disk->store;
    const char *element = push ? "target" : "scratch";
    bool children = store->seclabels_xml || store->encryption_xml;

    if (store->format) {
        g_string_append_printf(buf, "%*s<driver", indent, "");
        backupFormatAttr(buf, "type", store->format);
        g_string_append(buf, "/>\n");
    }
    if (!store->path)
        return;
    g_string_append_printf(buf, "%*s<%s", indent, "", element);
    backupFormatAttr(buf, disk->store_type == CAIRN_BACKUP_STORE_BLOCK ? "dev" : "file",
                     store->path);
    if (!children) {
        g_string_append(buf, "/>\n");
        return;
    }
    g_string_append(buf, ">\n");
    backupAppendIndented(buf, store->seclabels_xml, indent + 2);
    backupAppendIndented(buf, store->encryption_xml, indent + 2);
    g_string_append_printf(buf, "%*s</%s>\n", indent, "", element);
}


static void
backupFormatDisk(GString *buf, const cairnBackupDiskDef *disk, bool push, bool internal)
{
    g_autoptr(GString) children = g_string_new(NULL);

    g_string_append(buf, "    <disk");
    backupFormatAttr(buf, "name", disk->name);
    backupFormatAttr(buf, "backup", disk->backup ? "yes" : "no");
    if (internal && disk->state != CAIRN_BACKUP_DISK_STATE_NONE)
        backupFormatAttr(buf, "state", cairnBackupDiskStateToString(disk->state));
    if (disk->backup) {
        backupFormatAttr(buf, "type",
                         cairnEnumToString(backupStoreTypeNames, G_N_ELEMENTS(backupStoreTypeNames),
                                           disk->store_type));
        if (disk->mode != CAIRN_BACKUP_DISK_MODE_DEFAULT)
            backupFormatAttr(buf, "backupmode", cairnBackupDiskModeToString(disk->mode));
        backupFormatAttr(buf, "incremental", disk->incremental);
        backupFormatAttr(buf, "exportname", disk->exportname);
        backupFormatAttr(buf, "exportbitmap", disk->exportbitmap);
        if (disk->index)
            g_string_append_printf(buf, " index='%u'", disk->index);
        if (disk->store)
            backupFormatStore(children, disk, push, 6);
        if (push && disk->fleece) {
            g_string_append(children, "      <scratch");
            backupFormatAttr(children, "file", disk->fleece);
            g_string_append(children, "/>\n");
        }
    }
    if (children->len == 0) {
        g_string_append(buf, "/>\n");
        return;
    }
    g_string_append_printf(buf, ">\n%s    </disk>\n", children->str);
}


static void
backupFormatServer(GString *buf, const cairnBackupServerDef *server)
{
    g_string_append(buf, "  <server");
    backupFormatAttr(buf, "transport",
                     cairnEnumToString(backupTransportNames, G_N_ELEMENTS(backupTransportNames),
                                       server->transport));
    if (server->tls)
        backupFormatAttr(buf, "tls", server->tls == 1 ? "yes" : "no");
    backupFormatAttr(buf, "name", server->name);
    if (server->port)
        g_string_append_printf(buf, " port='%u'", server->port);
    backupFormatAttr(buf, "socket", server->socket);
    backupFormatAttr(buf, "fdgroup", server->fdgroup);
    g_string_append(buf, "/>\n");
}


static void
backupFormatPrivate(GString *buf, const cairnBackupDef *def)
{
    if (!def->tls_alias && !def->tls_secret_alias)
        return;
    g_string_append(buf, "  <privateData>\n    <objects>\n");
    if (def->tls_secret_alias) {
        g_string_append(buf, "      <secret type='tlskey'");
        backupFormatAttr(buf, "alias", def->tls_secret_alias);
        g_string_append(buf, "/>\n");
    }
    if (def->tls_alias) {
        g_string_append(buf, "      <TLSx509");
        backupFormatAttr(buf, "alias", def->tls_alias);
        g_string_append(buf, "/>\n");
    }
    g_string_append(buf, "    </objects>\n  </privateData>\n");
}


char *
cairnBackupDefFormat(const cairnBackupDef *def, unsigned int flags)
{
    GString *buf = g_string_new(NULL);
    bool internal = flags & CAIRN_BACKUP_FORMAT_INTERNAL;
    bool push = def->type != CAIRN_BACKUP_TYPE_PULL;

    g_string_append_printf(buf, "<domainbackup mode='%s'>\n", push ? "push" : "pull");
    cairnXMLFormatTextElement(buf, 2, "incremental", def->incremental);
    if (def->server)
        backupFormatServer(buf, def->server);
    if (def->disks->len > 0) {
        g_string_append(buf, "  <disks>\n");
        for (guint i = 0; i < def->disks->len; i++)
            backupFormatDisk(buf, g_ptr_array_index(def->disks, i), push, internal);
        g_string_append(buf, "  </disks>\n");
    }
    if (internal)
        backupFormatPrivate(buf, def);
    g_string_append(buf, "</domainbackup>\n");
    return g_string_free(buf, FALSE);
}


/* ---- disk alignment ---- */

/* libvirt's virDomainBackupDefAssignStore: a participating disk gets a
 * generated file target/scratch when none was given. */
static bool
backupAssignStore(cairnBackupDiskDef *disk,
                  const cairnDomainDiskDef *domdisk,
                  const char *suffix,
                  GError **error)
{
    if (!disk->store) {
        disk->store = g_new0(cairnBackupStoreDef, 1);
        disk->store_type = CAIRN_BACKUP_STORE_FILE;
    }
    if (!domdisk->src) {
        if (disk->store->path) {
            cairnErrorSet(error, FROM, CAIRN_ERR_CONFIG_UNSUPPORTED, "disk '%s' has no media",
                          disk->name);
            return false;
        }
        return true;
    }
    if (disk->store->path)
        return true;
    if (domdisk->type != CAIRN_DOMAIN_DISK_TYPE_FILE) {
        cairnErrorSet(error, FROM, CAIRN_ERR_CONFIG_UNSUPPORTED,
                      "refusing to generate file name for disk '%s'", disk->name);
        return false;
    }
    disk->store_type = CAIRN_BACKUP_STORE_FILE;
    disk->store->path = g_strdup_printf("%s.%s", domdisk->src, suffix);
    return true;
}


static bool
backupCheckListedDisk(cairnBackupDef *def,
                      cairnBackupDiskDef *disk,
                      const cairnDomainDef *dom,
                      GHashTable *seen,
                      const char *suffix,
                      GError **error)
{
    cairnDomainDiskDef *domdisk = cairnDomainDiskByTarget(dom, disk->name);

    if (!domdisk) {
        cairnErrorSet(error, FROM, CAIRN_ERR_CONFIG_UNSUPPORTED, "no disk named '%s'", disk->name);
        return false;
    }
    if (!g_hash_table_add(seen, disk->name)) {
        cairnErrorSet(error, FROM, CAIRN_ERR_CONFIG_UNSUPPORTED, "disk '%s' specified twice",
                      disk->name);
        return false;
    }
    if (disk->mode == CAIRN_BACKUP_DISK_MODE_INCREMENTAL && !disk->incremental &&
        !def->incremental) {
        cairnErrorSet(error, FROM, CAIRN_ERR_CONFIG_UNSUPPORTED,
                      "'incremental' backup mode of disk '%s' requires setting 'incremental' "
                      "field for disk or backup",
                      disk->name);
        return false;
    }
    return !disk->backup || backupAssignStore(disk, domdisk, suffix, error);
}


static void
backupResolveModes(cairnBackupDef *def)
{
    for (guint i = 0; i < def->disks->len; i++) {
        cairnBackupDiskDef *disk = g_ptr_array_index(def->disks, i);

        if (disk->mode == CAIRN_BACKUP_DISK_MODE_DEFAULT)
            disk->mode = (def->incremental || disk->incremental) ?
                             CAIRN_BACKUP_DISK_MODE_INCREMENTAL :
                             CAIRN_BACKUP_DISK_MODE_FULL;
        if (!disk->incremental && disk->mode == CAIRN_BACKUP_DISK_MODE_INCREMENTAL)
            disk->incremental = g_strdup(def->incremental);
    }
}


bool
cairnBackupAlignDisks(cairnBackupDef *def,
                      const cairnDomainDef *dom,
                      const char *suffix,
                      GError **error)
{
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
    bool backup_all = def->disks->len == 0;

    if (dom->disks->len == 0) {
        cairnErrorSet(error, FROM, CAIRN_ERR_CONFIG_UNSUPPORTED,
                      "domain must have at least one disk to perform backup");
        return false;
    }
    for (guint i = 0; i < def->disks->len; i++) {
        if (!backupCheckListedDisk(def, g_ptr_array_index(def->disks, i), dom, seen, suffix, error))
            return false;
    }
    for (guint i = 0; i < dom->disks->len; i++) {
        const cairnDomainDiskDef *domdisk = g_ptr_array_index(dom->disks, i);
        cairnBackupDiskDef *disk;

        if (g_hash_table_contains(seen, domdisk->dst))
            continue;
        disk = cairnBackupDiskDefNew();
        disk->name = g_strdup(domdisk->dst);
        disk->backup = backup_all && domdisk->src && !domdisk->readonly;
        g_ptr_array_add(def->disks, disk);
        if (disk->backup && !backupAssignStore(disk, domdisk, suffix, error))
            return false;
    }
    backupResolveModes(def);
    return true;
}


void
cairnBackupDefApplyDriverDefaults(cairnBackupDef *def)
{
    for (guint i = 0; i < def->disks->len; i++) {
        cairnBackupDiskDef *disk = g_ptr_array_index(def->disks, i);

        if (!disk->backup || !disk->store)
            continue;
        if (!disk->store->format)
            disk->store->format = g_strdup("qcow2");
        if (def->type != CAIRN_BACKUP_TYPE_PULL)
            continue;
        if (!disk->exportname)
            disk->exportname = g_strdup(disk->name);
        if (!disk->exportbitmap && disk->mode == CAIRN_BACKUP_DISK_MODE_INCREMENTAL)
            disk->exportbitmap = g_strdup_printf("backup-%s", disk->name);
    }
}
