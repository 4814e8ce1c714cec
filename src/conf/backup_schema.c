/*
 * backup_schema.c: the rules of libvirt's domainbackup.rng, in code.
 *
 * The grammar (spec/xml.md 2.1): <domainbackup mode='push|pull'> with
 * interleaved <incremental>, <server> (pull only, and required there) and
 * <disks> holding one or more <disk>. A push disk may have <target> and
 * <driver type=FORMAT>; a pull disk <scratch> and <driver type='qcow2'>,
 * plus exportname/exportbitmap. backup='no' allows nothing but the name
 * and mode attributes. As recent libvirt, a push disk may omit type (a
 * bare <disk name='vdc'/>), and <server transport='fd' fdgroup=...> is
 * accepted.
 */
#include <stdarg.h>
#include <string.h>

#include "backup_schema.h"
#include "domain_conf.h"
#include "util/cairnerror.h"
#include "util/cairnxml.h"

static bool schemaFail(GError **error, const char *fmt, ...) G_GNUC_PRINTF(2, 3);


static bool
schemaFail(GError **error, const char *fmt, ...)
{
    g_autofree char *detail = NULL;
    va_list ap;

    va_start(ap, fmt);
    detail = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    cairnErrorSet(error, CAIRN_FROM_DOMAIN, CAIRN_ERR_XML_INVALID_SCHEMA,
                  "Unable to validate doc against %s\n%s", CAIRN_BACKUP_SCHEMA, detail);
    return false;
}


static bool
strInList(const char *str, const char *const *list)
{
    for (; *list; list++) {
        if (g_str_equal(str, *list))
            return true;
    }
    return false;
}


/* Every attribute of @node is in @allowed (NULL-terminated). */
static bool
checkAttrs(const xmlNode *node, const char *const *allowed, GError **error)
{
    for (const xmlAttr *attr = node->properties; attr; attr = attr->next) {
        if (attr->ns || !strInList((const char *)attr->name, allowed))
            return schemaFail(error, "Invalid attribute %s for element %s",
                              (const char *)attr->name, (const char *)node->name);
    }
    return true;
}


/* Attribute @name, if present, is one of @values. */
static bool
checkAttrChoice(const xmlNode *node, const char *name, const char *const *values, GError **error)
{
    g_autofree char *value = cairnXMLPropString(node, name);

    if (value && !strInList(value, values))
        return schemaFail(error, "Element %s failed to validate attributes: %s='%s'",
                          (const char *)node->name, name, value);
    return true;
}


static bool
checkRequired(const xmlNode *node, const char *name, GError **error)
{
    if (xmlHasProp(node, (const xmlChar *)name))
        return true;
    return schemaFail(error, "Element %s failed to validate attributes: missing %s",
                      (const char *)node->name, name);
}


static bool
checkForbidden(const xmlNode *node, const char *name, GError **error)
{
    if (!xmlHasProp(node, (const xmlChar *)name))
        return true;
    return schemaFail(error, "Element %s failed to validate attributes: unexpected %s",
                      (const char *)node->name, name);
}


/* absFilePath: (/|[a-zA-Z]:\\).+ where '.' is anything but a line break. */
static bool
isAbsFilePath(const char *path)
{
    const char *rest;

    if (path[0] == '/')
        rest = path + 1;
    else if (g_ascii_isalpha(path[0]) && path[1] == ':' && path[2] == '\\')
        rest = path + 3;
    else
        return false;
    return *rest && !strpbrk(rest, "\n\r");
}


static bool
checkAbsPathAttr(const xmlNode *node, const char *name, GError **error)
{
    g_autofree char *value = cairnXMLPropString(node, name);

    if (!value || isAbsFilePath(value))
        return true;
    return schemaFail(error, "Element %s failed to validate attributes: %s='%s'",
                      (const char *)node->name, name, value);
}


static bool
checkNoText(const xmlNode *node, GError **error)
{
    if (!cairnXMLHasNonBlankText(node))
        return true;
    return schemaFail(error, "Element %s has extra content: text", (const char *)node->name);
}


static bool
checkEmpty(const xmlNode *node, GError **error)
{
    if (!cairnXMLHasElementChildren(node) && !cairnXMLHasNonBlankText(node))
        return true;
    return schemaFail(error, "Element %s has extra content", (const char *)node->name);
}


/* <element> children of @node named @name, at most @max (0 = any). */
static bool
checkChildCount(const xmlNode *node, const char *name, guint max, guint *ret_count, GError **error)
{
    guint count = 0;

    for (const xmlNode *c = node->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE && cairnXMLNodeNameEqual(c, name))
            count++;
    }
    if (max && count > max)
        return schemaFail(error, "Extra element %s in interleave", name);
    if (ret_count)
        *ret_count = count;
    return true;
}


/* Every child element of @node is named in @allowed. */
static bool
checkChildNames(const xmlNode *node, const char *const *allowed, GError **error)
{
    for (const xmlNode *c = node->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (c->ns || !strInList((const char *)c->name, allowed))
            return schemaFail(error, "Element %s has extra content: %s", (const char *)node->name,
                              (const char *)c->name);
    }
    return true;
}


/* ---- <target>/<scratch> with seclabels and encryption ---- */

static bool
checkEncryption(const xmlNode *node, GError **error)
{
    static const char *const attrs[] = { "format", "engine", NULL };
    static const char *const formats[] = { "luks", NULL };
    static const char *const engines[] = { "qemu", NULL };
    static const char *const children[] = { "secret", "cipher", "ivgen", NULL };

    return checkAttrs(node, attrs, error) && checkRequired(node, "format", error) &&
           checkAttrChoice(node, "format", formats, error) &&
           checkAttrChoice(node, "engine", engines, error) &&
           checkChildNames(node, children, error) &&
           checkChildCount(node, "secret", 1, NULL, error) && checkNoText(node, error);
}


static bool
checkStore(const xmlNode *node, bool block, GError **error)
{
    static const char *const file_attrs[] = { "file", NULL };
    static const char *const dev_attrs[] = { "dev", NULL };
    static const char *const children[] = { "seclabel", "encryption", NULL };
    const char *attr = block ? "dev" : "file";

    if (!checkAttrs(node, block ? dev_attrs : file_attrs, error) ||
        !checkRequired(node, attr, error) || !checkAbsPathAttr(node, attr, error) ||
        !checkChildNames(node, children, error) ||
        !checkChildCount(node, "encryption", 1, NULL, error) || !checkNoText(node, error))
        return false;
    for (const xmlNode *c = node->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE && cairnXMLNodeNameEqual(c, "encryption") &&
            !checkEncryption(c, error))
            return false;
    }
    return true;
}


/* ---- <disk> ---- */

static bool
checkDiskMode(const xmlNode *disk, GError **error)
{
    static const char *const modes[] = { "full", "incremental", NULL };
    g_autofree char *mode = cairnXMLPropString(disk, "backupmode");

    if (!checkAttrChoice(disk, "backupmode", modes, error))
        return false;
    if (mode && g_str_equal(mode, "full"))
        return checkForbidden(disk, "incremental", error);
    return true;
}


static bool
checkDiskCommon(const xmlNode *disk, bool *ret_no, bool *ret_block, GError **error)
{
    static const char *const yesno[] = { "yes", "no", NULL };
    static const char *const types[] = { "file", "block", NULL };
    g_autofree char *name = cairnXMLPropString(disk, "name");
    g_autofree char *backup = cairnXMLPropString(disk, "backup");
    g_autofree char *type = cairnXMLPropString(disk, "type");

    if (!checkRequired(disk, "name", error))
        return false;
    if (!cairnDomainDiskTargetIsValid(name))
        return schemaFail(error, "Element disk failed to validate attributes: name='%s'", name);
    if (!checkDiskMode(disk, error) || !checkAttrChoice(disk, "backup", yesno, error) ||
        !checkAttrChoice(disk, "type", types, error) || !checkNoText(disk, error))
        return false;
    *ret_no = backup && g_str_equal(backup, "no");
    *ret_block = type && g_str_equal(type, "block");
    if (*ret_no && (type || cairnXMLHasElementChildren(disk)))
        return schemaFail(error, "%s", "Element disk with backup='no' has extra content");
    return true;
}


static bool
checkDriver(const xmlNode *driver, bool pull, GError **error)
{
    static const char *const attrs[] = { "type", NULL };
    static const char *const formats[] = { "raw", "dir",  "bochs", "cloop", "dmg",   "iso",
                                           "vpc", "vdi",  "fat",   "vhd",   "ploop", "luks",
                                           "cow", "qcow", "qcow2", "qed",   "vmdk",  NULL };
    static const char *const qcow2[] = { "qcow2", NULL };

    return checkAttrs(driver, attrs, error) && checkRequired(driver, "type", error) &&
           checkAttrChoice(driver, "type", pull ? qcow2 : formats, error) &&
           checkEmpty(driver, error);
}


static bool
checkDiskChildren(const xmlNode *disk, bool pull, bool block, GError **error)
{
    /* Beyond libvirt: a push disk's <scratch> is its fleecing image. */
    static const char *const push_children[] = { "target", "driver", "scratch", NULL };
    static const char *const pull_children[] = { "scratch", "driver", NULL };
    const char *store = pull ? "scratch" : "target";
    guint nstore = 0;

    if (!checkChildNames(disk, pull ? pull_children : push_children, error) ||
        !checkChildCount(disk, store, 1, &nstore, error) ||
        !checkChildCount(disk, "driver", 1, NULL, error) ||
        (!pull && !checkChildCount(disk, "scratch", 1, NULL, error)))
        return false;
    if (pull && block && nstore == 0)
        return schemaFail(error, "%s", "Element disk of type 'block' requires scratch");
    for (const xmlNode *c = disk->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (cairnXMLNodeNameEqual(c, "driver") ?
                !checkDriver(c, pull, error) :
                !checkStore(c, block && (pull || !cairnXMLNodeNameEqual(c, "scratch")), error))
            return false;
    }
    return true;
}


static bool
checkDisk(const xmlNode *disk, bool pull, GError **error)
{
    static const char *const push_attrs[] = { "name",   "backupmode", "incremental",
                                              "backup", "type",       NULL };
    static const char *const pull_attrs[] = { "name", "backupmode", "incremental",  "backup",
                                              "type", "exportname", "exportbitmap", NULL };
    bool no = false;
    bool block = false;

    if (!cairnXMLNodeNameEqual(disk, "disk"))
        return schemaFail(error, "Element disks has extra content: %s", (const char *)disk->name);
    if (!checkAttrs(disk, pull ? pull_attrs : push_attrs, error) ||
        !checkDiskCommon(disk, &no, &block, error))
        return false;
    return no || checkDiskChildren(disk, pull, block, error);
}


static bool
checkDisks(const xmlNode *disks, bool pull, GError **error)
{
    guint n = 0;

    if (disks->properties)
        return schemaFail(error, "Invalid attribute %s for element disks",
                          (const char *)disks->properties->name);
    if (!checkNoText(disks, error))
        return false;
    for (const xmlNode *c = disks->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (!checkDisk(c, pull, error))
            return false;
        n++;
    }
    if (n == 0)
        return schemaFail(error, "%s", "Expecting an element disk, got nothing");
    return true;
}


/* ---- <server> ---- */

static bool
checkServerTCP(const xmlNode *server, GError **error)
{
    g_autofree char *name = NULL;
    g_autofree char *port = NULL;
    unsigned long long value;

    if (!checkRequired(server, "name", error) || !checkForbidden(server, "socket", error) ||
        !checkForbidden(server, "fdgroup", error))
        return false;
    name = cairnXMLPropString(server, "name");
    if (!g_hostname_is_ip_address(name) &&
        !(*name &&
          strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") ==
              strlen(name)))
        return schemaFail(error, "Element server failed to validate attributes: name='%s'", name);
    port = cairnXMLPropString(server, "port");
    if (port && (!cairnXMLParseULongLong(port, &value) || value > G_MAXUINT32 ||
                 strspn(port, "0123456789") != strlen(port)))
        return schemaFail(error, "Element server failed to validate attributes: port='%s'", port);
    return true;
}


static bool
checkServer(const xmlNode *server, GError **error)
{
    static const char *const attrs[] = { "tls",    "transport", "name", "port",
                                         "socket", "fdgroup",   NULL };
    static const char *const yesno[] = { "yes", "no", NULL };
    static const char *const transports[] = { "tcp", "unix", "fd", NULL };
    g_autofree char *transport = NULL;

    if (!checkAttrs(server, attrs, error) || !checkAttrChoice(server, "tls", yesno, error) ||
        !checkAttrChoice(server, "transport", transports, error) || !checkEmpty(server, error))
        return false;
    transport = cairnXMLPropString(server, "transport");
    if (!transport || g_str_equal(transport, "tcp"))
        return checkServerTCP(server, error);
    if (!checkForbidden(server, "name", error) || !checkForbidden(server, "port", error))
        return false;
    if (g_str_equal(transport, "unix"))
        return checkRequired(server, "socket", error) && checkForbidden(server, "fdgroup", error) &&
               checkAbsPathAttr(server, "socket", error);
    return checkRequired(server, "fdgroup", error) && checkForbidden(server, "socket", error);
}


/* ---- <domainbackup> ---- */

static bool
checkIncremental(const xmlNode *node, GError **error)
{
    if (node->properties)
        return schemaFail(error, "Invalid attribute %s for element incremental",
                          (const char *)node->properties->name);
    if (cairnXMLHasElementChildren(node))
        return schemaFail(error, "%s", "Element incremental has extra content");
    return true;
}


static bool
checkRootChildren(const xmlNode *root, bool pull, GError **error)
{
    static const char *const push_children[] = { "incremental", "disks", NULL };
    static const char *const pull_children[] = { "incremental", "server", "disks", NULL };
    guint nserver = 0;

    if (!checkChildNames(root, pull ? pull_children : push_children, error) ||
        !checkChildCount(root, "incremental", 1, NULL, error) ||
        !checkChildCount(root, "server", 1, &nserver, error) ||
        !checkChildCount(root, "disks", 1, NULL, error) || !checkNoText(root, error))
        return false;
    if (pull && nserver == 0)
        return schemaFail(error, "%s",
                          "Element domainbackup failed to validate content: "
                          "missing server");
    for (const xmlNode *c = root->children; c; c = c->next) {
        bool ok = true;

        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (cairnXMLNodeNameEqual(c, "incremental"))
            ok = checkIncremental(c, error);
        else if (cairnXMLNodeNameEqual(c, "server"))
            ok = checkServer(c, error);
        else
            ok = checkDisks(c, pull, error);
        if (!ok)
            return false;
    }
    return true;
}


bool
cairnBackupSchemaCheck(const xmlNode *root, GError **error)
{
    static const char *const attrs[] = { "mode", NULL };
    static const char *const modes[] = { "push", "pull", NULL };
    g_autofree char *mode = NULL;

    if (!cairnXMLNodeNameEqual(root, "domainbackup"))
        return schemaFail(error, "Expecting element domainbackup, got %s",
                          (const char *)root->name);
    if (!checkAttrs(root, attrs, error) || !checkAttrChoice(root, "mode", modes, error))
        return false;
    mode = cairnXMLPropString(root, "mode");
    return checkRootChildren(root, mode && g_str_equal(mode, "pull"), error);
}
