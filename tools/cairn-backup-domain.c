/*
 * cairn-backup-domain.c: the domain side of cairn-backup, through the
 * public API only (cairn-backup-domain.h).
 */
#include <string.h>

#include <glib/gstdio.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>

#include "cairn-backup-domain.h"
#include "cairn-backup-error.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlDoc, xmlFreeDoc)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlXPathContext, xmlXPathFreeContext)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlXPathObject, xmlXPathFreeObject)


void
cbDomainDiskFree(cbDomainDisk *disk)
{
    if (!disk)
        return;
    g_free(disk->target);
    g_free(disk->format);
    g_free(disk->source);
    g_free(disk);
}


static xmlDoc *
cbParseXML(const char *xml, const char *what, GError **error)
{
    xmlDoc *doc = xmlReadMemory(xml, strlen(xml), what, NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);

    if (!doc)
        cbSetError(error, "cannot parse the %s", what);
    return doc;
}


/* The nodes matching @expr under @doc (may be empty). */
static xmlXPathObject *
cbXPath(xmlDoc *doc, xmlNode *node, const char *expr)
{
    g_autoptr(xmlXPathContext) ctx = xmlXPathNewContext(doc);

    if (node)
        ctx->node = node;
    return xmlXPathEvalExpression((const xmlChar *)expr, ctx);
}


static char *
cbProp(xmlNode *node, const char *name)
{
    xmlChar *v;
    char *ret;

    if (!node || !(v = xmlGetProp(node, (const xmlChar *)name)))
        return NULL;
    ret = g_strdup((const char *)v);
    xmlFree(v);
    return ret;
}


static xmlNode *
cbChild(xmlNode *node, const char *name)
{
    xmlNode *c;

    for (c = node->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE && g_str_equal((const char *)c->name, name))
            return c;
    }
    return NULL;
}


GPtrArray *
cbDomainDisks(const char *xml, GError **error)
{
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(xmlXPathObject) obj = NULL;
    g_autoptr(GPtrArray) disks = g_ptr_array_new_with_free_func((GDestroyNotify)cbDomainDiskFree);
    int i;

    if (!(doc = cbParseXML(xml, "domain XML", error)))
        return NULL;
    obj = cbXPath(doc, NULL, "/domain/devices/disk[not(@device) or @device='disk']");
    for (i = 0; obj && obj->nodesetval && i < obj->nodesetval->nodeNr; i++) {
        xmlNode *node = obj->nodesetval->nodeTab[i];
        cbDomainDisk *disk = g_new0(cbDomainDisk, 1);

        disk->target = cbProp(cbChild(node, "target"), "dev");
        disk->format = cbProp(cbChild(node, "driver"), "type");
        disk->source = cbProp(cbChild(node, "source"), "file");
        if (!disk->target) {
            cbDomainDiskFree(disk);
            continue;
        }
        if (!disk->format)
            disk->format = g_strdup("raw");
        g_ptr_array_add(disks, disk);
    }
    return g_steal_pointer(&disks);
}


char *
cbCheckpointPrefix(const char *repo_id)
{
    return g_strdup_printf("cb-%s-", repo_id);
}


GHashTable *
cbCheckpointDiskStatus(cairnDomainPtr dom, const char *name, bool *ret_missing, GError **error)
{
    cairnDomainCheckpointPtr chk = cairnDomainCheckpointLookupByName(dom, name, 0);
    g_autofree char *report = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(xmlXPathObject) obj = NULL;
    g_autoptr(GHashTable) status = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    int i;

    if (!chk) {
        if (cairnGetLastErrorCode() == CAIRN_ERR_NO_DOMAIN_CHECKPOINT) {
            *ret_missing = true;
            return NULL;
        }
        cbSetApiError(error, "cannot look up checkpoint '%s'", name);
        return NULL;
    }
    cairnDomainCheckpointFree(chk);
    if (!(report = cairnDomainCheckpointValidate(dom, name, 0))) {
        cbSetApiError(error, "cannot validate checkpoint '%s'", name);
        return NULL;
    }
    if (!(doc = cbParseXML(report, "checkpoint validation report", error)))
        return NULL;
    obj = cbXPath(doc, NULL, "/checkpointvalidation/checkpoint/disk");
    for (i = 0; obj && obj->nodesetval && i < obj->nodesetval->nodeNr; i++) {
        xmlNode *node = obj->nodesetval->nodeTab[i];
        xmlNode *parent = node->parent;
        g_autofree char *chkname = cbProp(parent, "name");
        char *disk = cbProp(node, "name");
        char *st = cbProp(node, "status");

        if (!disk || !st || g_strcmp0(chkname, name) != 0) {
            g_free(disk);
            g_free(st);
            continue;
        }
        g_hash_table_replace(status, disk, st);
    }
    *ret_missing = false;
    return g_steal_pointer(&status);
}


guint
cbCheckpointDeleteOwn(cairnDomainPtr dom,
                      const char *prefix,
                      const char *keep,
                      void (*warn)(const char *msg, gpointer opaque),
                      gpointer opaque)
{
    cairnDomainCheckpointPtr *list = NULL;
    int n = cairnDomainListAllCheckpoints(dom, &list, 0);
    guint deleted = 0;
    int i;

    if (n < 0) {
        g_autofree char *msg = g_strdup_printf("cannot list the checkpoints of domain '%s': %s",
                                               cairnDomainGetName(dom), cairnGetLastErrorMessage());

        warn(msg, opaque);
        return 0;
    }
    for (i = 0; i < n; i++) {
        const char *name = cairnDomainCheckpointGetName(list[i]);

        if (g_str_has_prefix(name, prefix) && g_strcmp0(name, keep) != 0) {
            if (cairnDomainCheckpointDelete(list[i], 0) == 0) {
                deleted++;
            } else {
                g_autofree char *why = g_strdup(cairnGetLastErrorMessage());
                g_autofree char *report = cairnDomainCheckpointValidate(
                    dom, name, CAIRN_DOMAIN_CHECKPOINT_VALIDATE_REPAIR);
                cairnDomainCheckpointPtr again = NULL;

                if (report && !(again = cairnDomainCheckpointLookupByName(dom, name, 0))) {
                    deleted++;
                } else {
                    g_autofree char *msg =
                        g_strdup_printf("cannot delete old checkpoint '%s' of domain '%s': %s",
                                        name, cairnDomainGetName(dom), why);

                    warn(msg, opaque);
                }
                if (again)
                    cairnDomainCheckpointFree(again);
            }
        }
        cairnDomainCheckpointFree(list[i]);
    }
    free(list);
    return deleted;
}


void
cbRemoveDir(const char *dir)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *name;

    while (d && (name = g_dir_read_name(d))) {
        g_autofree char *path = g_build_filename(dir, name, NULL);

        g_unlink(path);
    }
    g_rmdir(dir);
}


/* The backup XML of the domain's running backup, parsed; NULL (no error)
 * when none runs. */
static xmlDoc *
cbBackupDoc(cairnDomainPtr dom)
{
    g_autofree char *xml = cairnDomainBackupGetXMLDesc(dom, 0);

    if (!xml)
        return NULL;
    return cbParseXML(xml, "backup XML", NULL);
}


bool
cbRecoverStaleJob(cairnDomainPtr dom, const char *repo_id, bool *ret_recovered, GError **error)
{
    g_autoptr(xmlDoc) doc = cbBackupDoc(dom);
    g_autoptr(xmlXPathObject) obj = NULL;
    g_autofree char *socket = NULL;
    g_autofree char *dir = NULL;
    g_autofree char *base = NULL;
    g_autofree char *want = g_strdup_printf("cairn-backup-%s-", repo_id);

    *ret_recovered = false;
    if (!doc)
        return true;
    obj = cbXPath(doc, NULL, "/domainbackup[@mode='pull']/server");
    if (!obj || !obj->nodesetval || obj->nodesetval->nodeNr < 1)
        return true;
    if (!(socket = cbProp(obj->nodesetval->nodeTab[0], "socket")))
        return true;
    /* Ours: <private dir cairn-backup-ID-*>/nbd.sock here, or over ssh
     * /tmp/cairn-backup-ID-*.sock on the far host (the daemon removes it). */
    base = g_path_get_basename(socket);
    if (!g_str_has_prefix(base, want)) {
        dir = g_path_get_dirname(socket);
        g_free(base);
        base = g_path_get_basename(dir);
        if (!g_str_has_prefix(base, want))
            return true;
    }
    if (cairnDomainAbortJob(dom) < 0 && cairnGetLastErrorCode() != CAIRN_ERR_OPERATION_INVALID) {
        cbSetApiError(error,
                      "cannot end the backup job that an interrupted run left on domain '%s'",
                      cairnDomainGetName(dom));
        return false;
    }
    if (dir)
        cbRemoveDir(dir);
    *ret_recovered = true;
    return true;
}


bool
cbBackupExports(cairnDomainPtr dom,
                GHashTable **ret_exports,
                GHashTable **ret_bitmaps,
                GError **error)
{
    g_autoptr(xmlDoc) doc = cbBackupDoc(dom);
    g_autoptr(xmlXPathObject) obj = NULL;
    g_autoptr(GHashTable) exports = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    g_autoptr(GHashTable) bitmaps = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    int i;

    if (!doc) {
        cbSetApiError(error, "cannot read the backup XML of domain '%s'", cairnDomainGetName(dom));
        return false;
    }
    obj = cbXPath(doc, NULL, "/domainbackup/disks/disk[not(@backup) or @backup='yes']");
    for (i = 0; obj && obj->nodesetval && i < obj->nodesetval->nodeNr; i++) {
        xmlNode *node = obj->nodesetval->nodeTab[i];
        char *name = cbProp(node, "name");
        char *exp = cbProp(node, "exportname");
        char *bmp = cbProp(node, "exportbitmap");

        if (!name) {
            g_free(exp);
            g_free(bmp);
            continue;
        }
        g_hash_table_replace(exports, g_strdup(name), exp ? exp : g_strdup(name));
        if (bmp)
            g_hash_table_replace(bitmaps, g_strdup(name), bmp);
        g_free(name);
    }
    *ret_exports = g_steal_pointer(&exports);
    *ret_bitmaps = g_steal_pointer(&bitmaps);
    return true;
}
