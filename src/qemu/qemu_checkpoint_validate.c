/*
 * qemu_checkpoint_validate.c: cairnDomainCheckpointValidate for the qemu
 * driver: metadata against the bitmaps in the images, and repair.
 *
 * Repair policy (what keeps the next incremental backup honest): a
 * checkpoint with any unusable bitmap chain is deleted, with its bitmaps
 * on every disk and layer, and its children move to its parent. Children
 * stay exact without a merge because each checkpoint's bitmap records
 * every write since its own creation (spec/semantics.md 2), so a broken
 * ancestor takes nothing from them; each child is judged on its own
 * bitmaps. Broken bitmaps that no checkpoint owns are removed; intact
 * ones are reported only. Bitmaps and metadata are changed in that order:
 * first one transaction with every removal, then the files.
 */
#include <string.h>

#include "cairn/cairn-domain-checkpoint.h"
#include "cairn/cairn-error.h"
#include "conf/moment_tree.h"
#include "qemu_bitmap.h"
#include "qemu_call.h"
#include "qemu_checkpoint.h"
#include "qemu_checkpoint_meta.h"
#include "qemu_monitor_cmd.h"
#include "util/cairnerror.h"

#define FROM CAIRN_FROM_QEMU


/* One bitmap looked at: a checkpoint's on one disk, or an orphan. */
typedef struct {
    char *disk;
    char *bitmap;
    const char *status; /* qemuBitmapStatusToString(), or "no-disk" */
    bool broken;
    bool removed;
} qemuValidateBitmap;

typedef struct {
    char *name;
    GPtrArray *disks; /* of qemuValidateBitmap* */
    bool broken;
} qemuValidateCheckpoint;

typedef struct {
    qemuBlockHost *host;
    GPtrArray *nodes;       /* query-named-block-nodes */
    GPtrArray *checkpoints; /* of qemuValidateCheckpoint* */
    GPtrArray *orphans;     /* of qemuValidateBitmap* */
    bool repaired;
} qemuValidateState;


static void
qemuValidateBitmapFree(qemuValidateBitmap *b)
{
    g_free(b->disk);
    g_free(b->bitmap);
    g_free(b);
}


static void
qemuValidateCheckpointFree(qemuValidateCheckpoint *c)
{
    g_free(c->name);
    g_ptr_array_unref(c->disks);
    g_free(c);
}


static qemuValidateBitmap *
qemuValidateBitmapNew(const char *disk, const char *bitmap, const char *status, bool broken)
{
    qemuValidateBitmap *b = g_new0(qemuValidateBitmap, 1);

    b->disk = g_strdup(disk);
    b->bitmap = g_strdup(bitmap);
    b->status = status;
    b->broken = broken;
    return b;
}


static void
qemuValidateStateClear(qemuValidateState *st)
{
    g_clear_pointer(&st->host, qemuBlockHostFree);
    g_clear_pointer(&st->nodes, g_ptr_array_unref);
    g_clear_pointer(&st->checkpoints, g_ptr_array_unref);
    g_clear_pointer(&st->orphans, g_ptr_array_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(qemuValidateState, qemuValidateStateClear)


/* Judge every bitmap disk of checkpoint @def. */
static qemuValidateCheckpoint *
qemuValidateOne(qemuValidateState *st, const cairnDomainDef *domdef, const cairnCheckpointDef *def)
{
    qemuValidateCheckpoint *c = g_new0(qemuValidateCheckpoint, 1);

    c->name = g_strdup(def->name);
    c->disks = g_ptr_array_new_with_free_func((GDestroyNotify)qemuValidateBitmapFree);
    for (guint i = 0; i < def->disks->len; i++) {
        cairnCheckpointDiskDef *disk = g_ptr_array_index(def->disks, i);
        g_autoptr(GPtrArray) chain = NULL;
        qemuBitmapStatus status;

        if (disk->type != CAIRN_CHECKPOINT_TYPE_BITMAP)
            continue;
        if (!cairnDomainDiskByTarget(domdef, disk->name)) {
            g_ptr_array_add(c->disks,
                            qemuValidateBitmapNew(disk->name, def->name, "no-disk", false));
            continue;
        }
        chain = qemuCheckpointDiskChain(st->host, st->nodes, disk->name);
        status = qemuBitmapChainCheck(chain, def->name);
        g_ptr_array_add(c->disks, qemuValidateBitmapNew(disk->name, def->name,
                                                        qemuBitmapStatusToString(status),
                                                        status != QEMU_BITMAP_OK));
        c->broken |= status != QEMU_BITMAP_OK;
    }
    return c;
}


/* Persistent bitmaps on the images of @domdef that no checkpoint of
 * @list owns (each name once per disk). */
static void
qemuValidateOrphans(qemuValidateState *st,
                    const cairnDomainDef *domdef,
                    const cairnMomentList *list)
{
    for (guint i = 0; i < domdef->disks->len; i++) {
        const cairnDomainDiskDef *disk = g_ptr_array_index(domdef->disks, i);
        g_autoptr(GPtrArray) chain = qemuCheckpointDiskChain(st->host, st->nodes, disk->dst);
        g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);

        for (guint j = 0; j < chain->len; j++) {
            qemuMonitorBlockNode *node = g_ptr_array_index(chain, j);

            for (guint k = 0; k < node->bitmaps->len; k++) {
                qemuMonitorBitmapInfo *b = g_ptr_array_index(node->bitmaps, k);
                qemuBitmapStatus status = qemuBitmapInfoCheck(b);

                if (!b->persistent || cairnMomentListLookup(list, b->name) ||
                    !g_hash_table_add(seen, b->name))
                    continue;
                g_ptr_array_add(st->orphans, qemuValidateBitmapNew(disk->dst, b->name,
                                                                   qemuBitmapStatusToString(status),
                                                                   status != QEMU_BITMAP_OK));
            }
        }
    }
}


/* Look at the checkpoints (@only, or all and the orphans). */
static bool
qemuValidateInspect(qemuValidateState *st, qemuDomainObj *obj, cairnMomentObj *only, GError **error)
{
    const cairnDomainDef *domdef = qemuDomainObjGetDef(obj);
    g_autoptr(GPtrArray) list = NULL;

    if (!(st->nodes = qemuMonitorQueryNamedBlockNodes(qemuBlockHostMonitor(st->host), error)))
        return false;
    st->checkpoints = g_ptr_array_new_with_free_func((GDestroyNotify)qemuValidateCheckpointFree);
    st->orphans = g_ptr_array_new_with_free_func((GDestroyNotify)qemuValidateBitmapFree);
    if (only) {
        list = g_ptr_array_new();
        g_ptr_array_add(list, only);
    } else {
        list = cairnMomentListCollect(obj->checkpoints, NULL, CAIRN_MOMENT_LIST_TOPOLOGICAL);
    }
    for (guint i = 0; i < list->len; i++) {
        cairnMomentObj *node = g_ptr_array_index(list, i);

        g_ptr_array_add(st->checkpoints, qemuValidateOne(st, domdef, node->def));
    }
    if (!only)
        qemuValidateOrphans(st, domdef, obj->checkpoints);
    return true;
}


/* Add the removal of bitmap @b (every layer carrying it) to @tr. */
static void
qemuValidateRemoveBitmap(qemuValidateState *st,
                         qemuMonitorTransaction *tr,
                         qemuValidateBitmap *b,
                         GPtrArray *lower)
{
    g_autoptr(GPtrArray) chain = NULL;

    if (g_str_equal(b->status, "no-disk"))
        return;
    chain = qemuCheckpointDiskChain(st->host, st->nodes, b->disk);
    b->removed = qemuBitmapRemoveActions(tr, chain, b->bitmap, lower) > 0;
}


/* One transaction removing the bitmaps of broken checkpoints (on every
 * disk) and the broken orphans. */
static bool
qemuValidateRepairBitmaps(qemuValidateState *st, GError **error)
{
    g_autoptr(qemuMonitorTransaction) tr = qemuMonitorTransactionNew();
    g_autoptr(GPtrArray) lower = g_ptr_array_new();

    for (guint i = 0; i < st->checkpoints->len; i++) {
        qemuValidateCheckpoint *c = g_ptr_array_index(st->checkpoints, i);

        for (guint j = 0; c->broken && j < c->disks->len; j++)
            qemuValidateRemoveBitmap(st, tr, g_ptr_array_index(c->disks, j), lower);
    }
    for (guint i = 0; i < st->orphans->len; i++) {
        qemuValidateBitmap *b = g_ptr_array_index(st->orphans, i);

        if (b->broken)
            qemuValidateRemoveBitmap(st, tr, b, lower);
    }
    if (qemuMonitorTransactionCount(tr) > 0 &&
        !qemuBlockHostTransaction(st->host, tr, lower, error))
        return false;
    return qemuBlockHostClose(g_steal_pointer(&st->host), error);
}


/* Delete the broken checkpoints from the tree and the files: each as a
 * plain delete (children to the parent). */
static bool
qemuValidateRepairMetadata(qemuValidateState *st,
                           qemuDriverState *drv,
                           qemuDomainObj *obj,
                           GError **error)
{
    g_autoptr(GPtrArray) removed = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GHashTable) touched = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GPtrArray) changed = g_ptr_array_new();
    GHashTableIter iter;
    gpointer key;

    for (guint i = 0; i < st->checkpoints->len; i++) {
        qemuValidateCheckpoint *c = g_ptr_array_index(st->checkpoints, i);
        g_autoptr(GPtrArray) moved = g_ptr_array_new();
        cairnMomentObj *node = cairnMomentListLookup(obj->checkpoints, c->name);

        if (!c->broken || !node)
            continue;
        cairnMomentDelete(obj->checkpoints, node, 0, removed, moved);
        for (guint j = 0; j < moved->len; j++) {
            cairnMomentObj *m = g_ptr_array_index(moved, j);

            g_hash_table_add(touched, g_strdup(m->def->name));
        }
    }
    /* A node changed by one delete may be removed by a later one. */
    g_hash_table_iter_init(&iter, touched);
    while (g_hash_table_iter_next(&iter, &key, NULL)) {
        cairnMomentObj *node = cairnMomentListLookup(obj->checkpoints, key);

        if (node)
            g_ptr_array_add(changed, node);
    }
    return qemuCheckpointCommitChanges(drv, obj, removed, changed, error);
}


static void
qemuValidateFormatBitmap(GString *buf, const qemuValidateBitmap *b, bool orphan)
{
    g_autofree char *attrs = NULL;

    if (orphan)
        attrs = g_markup_printf_escaped("  <bitmap disk='%s' name='%s' status='%s'", b->disk,
                                        b->bitmap, b->status);
    else
        attrs = g_markup_printf_escaped("    <disk name='%s' status='%s'", b->disk, b->status);
    g_string_append(buf, attrs);
    if (b->removed)
        g_string_append(buf, " action='removed'");
    g_string_append(buf, "/>\n");
}


/* The checkpoint files that could not be loaded: reported, never repaired
 * (what they held is unknown; the administrator fixes or removes them). */
static void
qemuValidateFormatBadFiles(GString *buf, const qemuDomainObj *obj)
{
    for (guint i = 0; i < qemuCheckpointBadCount(obj); i++) {
        const qemuCheckpointBadFile *bad = g_ptr_array_index(obj->checkpoint_bad, i);
        g_autofree char *base = g_path_get_basename(bad->path);
        g_autofree char *line = g_markup_printf_escaped(
            "  <file name='%s' status='unloadable' error='%s'/>\n", base, bad->why);

        g_string_append(buf, line);
    }
}


static char *
qemuValidateFormat(const qemuValidateState *st, const qemuDomainObj *obj, bool all, bool repair)
{
    GString *buf = g_string_new(NULL);
    g_autofree char *head = g_markup_printf_escaped(
        "<checkpointvalidation domain='%s' state='%s' repair='%s'>\n", obj->name,
        qemuDomainObjIsActive(obj) ? "running" : "shutoff", repair ? "yes" : "no");

    g_string_append(buf, head);
    if (all)
        qemuValidateFormatBadFiles(buf, obj);
    for (guint i = 0; i < st->checkpoints->len; i++) {
        qemuValidateCheckpoint *c = g_ptr_array_index(st->checkpoints, i);
        g_autofree char *open = g_markup_printf_escaped("  <checkpoint name='%s' status='%s'",
                                                        c->name, c->broken ? "broken" : "ok");

        g_string_append(buf, open);
        g_string_append(buf, c->broken && repair ? " action='removed'>\n" : ">\n");
        for (guint j = 0; j < c->disks->len; j++)
            qemuValidateFormatBitmap(buf, g_ptr_array_index(c->disks, j), false);
        g_string_append(buf, "  </checkpoint>\n");
    }
    for (guint i = 0; i < st->orphans->len; i++)
        qemuValidateFormatBitmap(buf, g_ptr_array_index(st->orphans, i), true);
    g_string_append(buf, "</checkpointvalidation>\n");
    return g_string_free(buf, FALSE);
}


char *
qemuDomainCheckpointValidate(cairnDomain *dom,
                             const char *checkpoint,
                             unsigned int flags,
                             GError **error)
{
    qemuDriverState *drv = qemuStateOf(dom->conn);
    bool repair = flags & CAIRN_DOMAIN_CHECKPOINT_VALIDATE_REPAIR;
    g_auto(qemuValidateState) st = { 0 };
    g_autoptr(cairnFileLock) lock = NULL;
    cairnMomentObj *only = NULL;
    qemuDomainObj *obj;
    QEMU_LOCK(drv);

    if (!cairnCheckFlags(flags, CAIRN_DOMAIN_CHECKPOINT_VALIDATE_REPAIR, FROM, __func__, error) ||
        !(obj = qemuCallBegin(drv, dom, 0, QEMU_LOCK_TIMEOUT_MS, &lock, error)) ||
        (checkpoint && !(only = qemuCheckpointFind(obj, checkpoint, error))) ||
        !qemuBlockHostCheckFree(drv, obj, "validate checkpoints", error) ||
        !(st.host = qemuBlockHostOpen(drv, obj, repair ? 0 : QEMU_BLOCK_HOST_READ_ONLY, error)) ||
        !qemuValidateInspect(&st, obj, only, error))
        return NULL;
    if (repair) {
        if (!qemuValidateRepairBitmaps(&st, error) ||
            !qemuValidateRepairMetadata(&st, drv, obj, error))
            return NULL;
    } else if (!qemuBlockHostClose(g_steal_pointer(&st.host), error)) {
        return NULL;
    }
    return qemuValidateFormat(&st, obj, !only, repair);
}
