/*
 * qemu_checkpoint.c: the qemu driver's checkpoint calls (see
 * qemu_checkpoint.h).
 */
#include <string.h>

#include "cairn/cairn-domain-checkpoint.h"
#include "cairn/cairn-error.h"
#include "conf/checkpoint_conf.h"
#include "conf/moment_tree.h"
#include "qemu_bitmap.h"
#include "qemu_block.h"
#include "qemu_call.h"
#include "qemu_checkpoint.h"
#include "hypervisor/domain_checkpoint.h"
#include "qemu_checkpoint_meta.h"
#include "qemu_checkpoint_op.h"
#include "qemu_job.h"
#include "qemu_monitor_cmd.h"
#include "qemu_process.h"
#include "qemu_quiesce.h"
#include "util/cairncrash.h"
#include "util/cairnerror.h"

#define FROM CAIRN_FROM_QEMU


cairnMomentObj *
qemuCheckpointFind(qemuDomainObj *obj, const char *name, GError **error)
{
    if (!qemuCheckpointCheckLoaded(obj, error))
        return NULL;
    return cairnCheckpointFind(obj->checkpoints, name, error);
}


void
qemuCheckpointInvalidate(qemuDomainObj *obj)
{
    g_clear_pointer(&obj->checkpoint_files, g_hash_table_unref);
}


GPtrArray *
qemuCheckpointDiskChain(qemuBlockHost *host, GPtrArray *nodes, const char *dst)
{
    GPtrArray *layers = qemuBlockHostLayers(host, dst);
    g_autofree const char **below = NULL;

    /* Without layers of its own (a QEMU started by an older Cairn), the
     * chain is found by the images' backing file names. */
    if (!layers)
        return qemuBitmapChainFromNodes(nodes, qemuBlockHostTopNode(host, dst));
    below = g_new0(const char *, layers->len + 1);
    for (guint i = 0; i < layers->len; i++)
        below[i] = ((qemuBlockLayer *)g_ptr_array_index(layers, i))->format_node;
    return qemuBitmapChainFromNames(nodes, qemuBlockHostTopNode(host, dst), below);
}


bool
qemuCheckpointCommitChanges(qemuDriverState *drv,
                            qemuDomainObj *obj,
                            GPtrArray *removed,
                            GPtrArray *changed,
                            GError **error)
{
    /* Children re-parented first: a crash in between never leaves one
     * whose parent's file is gone. */
    for (guint i = 0; changed && i < changed->len; i++) {
        if (!qemuCheckpointSaveDef(drv, obj, g_ptr_array_index(changed, i), error))
            goto fail;
    }
    cairnCrashPoint(CAIRN_CRASH_CHECKPOINT_DELETE_CHANGED);
    for (guint i = 0; removed && i < removed->len; i++) {
        if (!qemuCheckpointRemoveDef(drv, obj, g_ptr_array_index(removed, i), error))
            goto fail;
    }
    cairnCrashPoint(CAIRN_CRASH_CHECKPOINT_DELETE_REMOVED);
    if (qemuCheckpointSaveCurrent(drv, obj, error))
        return true;
fail:
    qemuCheckpointInvalidate(obj);
    return false;
}


/* The qemu rules for each bitmap disk of a new checkpoint (libvirt's
 * wording): the bitmap is named after the checkpoint, the image is qcow2. */
static bool
qemuCheckpointCheckDisks(const cairnCheckpointDef *def,
                         const cairnDomainDef *domdef,
                         GError **error)
{
    for (guint i = 0; i < def->disks->len; i++) {
        cairnCheckpointDiskDef *disk = g_ptr_array_index(def->disks, i);
        cairnDomainDiskDef *domdisk = cairnDomainDiskByTarget(domdef, disk->name);

        if (disk->type != CAIRN_CHECKPOINT_TYPE_BITMAP)
            continue;
        if (g_strcmp0(disk->bitmap, def->name) != 0) {
            cairnErrorSet(error, FROM, CAIRN_ERR_CONFIG_UNSUPPORTED,
                          "bitmap for disk '%s' must match checkpoint name '%s'", disk->name,
                          def->name);
            return false;
        }
        if (!domdisk || domdisk->format != CAIRN_DOMAIN_DISK_FORMAT_QCOW2) {
            cairnErrorSet(error, FROM, CAIRN_ERR_CONFIG_UNSUPPORTED,
                          "checkpoint for disk %s unsupported for storage type %s", disk->name,
                          cairnDomainDiskFormatToString(domdisk ? domdisk->format :
                                                                  CAIRN_DOMAIN_DISK_FORMAT_NONE));
            return false;
        }
    }
    return true;
}


bool
qemuCheckpointAddActions(qemuBlockHost *host,
                         const cairnCheckpointDef *def,
                         qemuMonitorTransaction *tr,
                         GError **error)
{
    for (guint i = 0; i < def->disks->len; i++) {
        cairnCheckpointDiskDef *disk = g_ptr_array_index(def->disks, i);
        const char *node = qemuBlockHostTopNode(host, disk->name);

        if (disk->type != CAIRN_CHECKPOINT_TYPE_BITMAP)
            continue;
        if (!node) {
            cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_INVALID,
                          "disk '%s' has no block node for a bitmap", disk->name);
            return false;
        }
        qemuMonitorTransactionBitmapAdd(tr, node, disk->bitmap, true, false, 0);
    }
    return true;
}


/* One transaction adding @def's bitmaps (persistent, recording) on the top
 * nodes: every disk at the same point in time. With @quiesce the guest's
 * filesystems are frozen around it (qemu_quiesce.h); a thaw that fails
 * fails the call after the bitmaps were made. */
static bool
qemuCheckpointAddBitmaps(qemuDriverState *drv,
                         qemuDomainObj *obj,
                         const cairnCheckpointDef *def,
                         bool quiesce,
                         GError **error)
{
    g_autoptr(qemuMonitorTransaction) tr = qemuMonitorTransactionNew();
    g_autoptr(qemuBlockHost) host = NULL;
    qemuQuiesce *frozen = NULL;
    bool ok;

    if (quiesce && !qemuQuiescePrecheck(obj, error))
        return false;
    if (!qemuBlockHostCheckFree(drv, obj, "create checkpoint", error) ||
        !(host = qemuBlockHostOpen(drv, obj, 0, error)) ||
        !qemuCheckpointAddActions(host, def, tr, error))
        return false;
    if (quiesce && !(frozen = qemuQuiesceFreeze(drv, obj, qemuBlockHostMonitor(host), error)))
        return false;
    ok = qemuMonitorTransactionCount(tr) == 0 ||
         qemuMonitorTransactionRun(qemuBlockHostMonitor(host), tr, error);
    if (!qemuQuiesceThaw(frozen, ok ? error : NULL))
        ok = false;
    return ok && qemuBlockHostClose(g_steal_pointer(&host), error);
}


bool
qemuCheckpointPrepareNew(qemuDomainObj *obj, cairnCheckpointDef *def, GError **error)
{
    const cairnDomainDef *domdef = qemuDomainObjGetDef(obj);

    if (!qemuCheckpointCheckLoaded(obj, error) ||
        !cairnCheckpointPrepareNew(obj->checkpoints, def, domdef, error) ||
        !qemuCheckpointCheckDisks(def, domdef, error))
        return false;
    if (cairnMomentListLookup(obj->checkpoints, def->name)) {
        cairnErrorSet(error, CAIRN_FROM_DOMAIN_CHECKPOINT, CAIRN_ERR_OPERATION_FAILED,
                      "domain moment %s already exists", def->name);
        return false;
    }
    return true;
}


cairnMomentObj *
qemuCheckpointCommitNew(qemuDriverState *drv,
                        qemuDomainObj *obj,
                        cairnCheckpointDef **def,
                        GError **error)
{
    cairnMomentObj *node;

    if (!(node = cairnCheckpointCommit(obj->checkpoints, def, false, true, error)))
        return NULL;
    if (!qemuCheckpointSaveDef(drv, obj, node, error)) {
        qemuCheckpointInvalidate(obj);
        return NULL;
    }
    cairnCrashPoint(CAIRN_CRASH_CHECKPOINT_CREATE_METADATA);
    if (!qemuCheckpointSaveCurrent(drv, obj, error)) {
        qemuCheckpointInvalidate(obj);
        return NULL;
    }
    return node;
}


static void
qemuCheckpointOpDrop(qemuDriverState *drv, qemuDomainObj *obj)
{
    g_autoptr(GError) err = NULL;

    if (!qemuCheckpointOpRemove(drv, obj, &err))
        g_debug("%s: checkpoint change record: %s", obj->name, err->message);
}


/* The record of a create (qemu_checkpoint_op.h), phase bitmaps. */
static qemuCheckpointOp *
qemuCheckpointCreateRecord(qemuDomainObj *obj, const cairnCheckpointDef *def)
{
    qemuCheckpointOp *op = qemuCheckpointOpNew(QEMU_CHECKPOINT_OP_CREATE);
    cairnMomentObj *cur = cairnMomentListGetCurrent(obj->checkpoints);

    op->current = cur ? g_strdup(cur->def->name) : NULL;
    for (guint i = 0; i < def->disks->len; i++) {
        cairnCheckpointDiskDef *disk = g_ptr_array_index(def->disks, i);

        if (disk->type == CAIRN_CHECKPOINT_TYPE_BITMAP)
            qemuCheckpointOpAddBitmap(op, disk->name, disk->bitmap);
    }
    op->def_xml = cairnCheckpointDefFormat(def, CAIRN_CHECKPOINT_FORMAT_SECURE);
    return op;
}


/* A new checkpoint now: of the live definition when running, else of the
 * persistent one; parent = current; it becomes current. Recorded before
 * the bitmaps are made, and again before the metadata is written: a
 * create cut short is undone (bitmaps) or finished (metadata) by the next
 * call. */
static cairnMomentObj *
qemuCheckpointCreateNew(qemuDriverState *drv,
                        qemuDomainObj *obj,
                        cairnCheckpointDef **def,
                        bool quiesce,
                        GError **error)
{
    g_autoptr(qemuCheckpointOp) op = NULL;
    cairnMomentObj *node;

    if (!qemuCheckpointPrepareNew(obj, *def, error))
        return NULL;
    op = qemuCheckpointCreateRecord(obj, *def);
    if (!qemuCheckpointOpSave(drv, obj, op, error))
        return NULL;
    cairnCrashPoint(CAIRN_CRASH_CHECKPOINT_CREATE_RECORDED);
    if (!qemuCheckpointAddBitmaps(drv, obj, *def, quiesce, error)) {
        /* A quiesced create can fail after its transaction (the thaw). */
        if (quiesce)
            qemuCheckpointOpUndo(drv, obj, op);
        else
            qemuCheckpointOpDrop(drv, obj);
        return NULL;
    }
    cairnCrashPoint(CAIRN_CRASH_CHECKPOINT_CREATE_BITMAPS);
    op->phase = QEMU_CHECKPOINT_OP_PHASE_METADATA;
    if (!qemuCheckpointOpSave(drv, obj, op, error)) {
        op->phase = QEMU_CHECKPOINT_OP_PHASE_BITMAPS;
        qemuCheckpointOpUndo(drv, obj, op);
        return NULL;
    }
    cairnCrashPoint(CAIRN_CRASH_CHECKPOINT_CREATE_COMMITTING);
    if (!(node = qemuCheckpointCommitNew(drv, obj, def, error))) {
        op->phase = QEMU_CHECKPOINT_OP_PHASE_BITMAPS;
        qemuCheckpointOpUndo(drv, obj, op);
        return NULL;
    }
    cairnCrashPoint(CAIRN_CRASH_CHECKPOINT_CREATE_COMMITTED);
    qemuCheckpointOpDrop(drv, obj);
    return node;
}


/* REDEFINE_VALIDATE: every bitmap disk the domain still has must carry a
 * valid bitmap chain named after the checkpoint. */
static bool
qemuCheckpointValidateBitmaps(qemuDriverState *drv,
                              qemuDomainObj *obj,
                              const cairnCheckpointDef *def,
                              GError **error)
{
    const cairnDomainDef *domdef = qemuDomainObjGetDef(obj);
    g_autoptr(qemuBlockHost) host = NULL;
    g_autoptr(GPtrArray) nodes = NULL;

    if (!qemuBlockHostCheckFree(drv, obj, "validate checkpoint bitmaps", error) ||
        !(host = qemuBlockHostOpen(drv, obj, QEMU_BLOCK_HOST_READ_ONLY, error)) ||
        !(nodes = qemuMonitorQueryNamedBlockNodes(qemuBlockHostMonitor(host), error)))
        return false;
    for (guint i = 0; i < def->disks->len; i++) {
        cairnCheckpointDiskDef *disk = g_ptr_array_index(def->disks, i);
        g_autoptr(GPtrArray) chain = NULL;

        /* Disks that left the domain are tolerated, as libvirt does. */
        if (disk->type != CAIRN_CHECKPOINT_TYPE_BITMAP ||
            !cairnDomainDiskByTarget(domdef, disk->name))
            continue;
        chain = qemuCheckpointDiskChain(host, nodes, disk->name);
        if (qemuBitmapChainCheck(chain, def->name) != QEMU_BITMAP_OK) {
            cairnErrorSet(error, FROM, CAIRN_ERR_CHECKPOINT_INCONSISTENT,
                          "missing or broken bitmap '%s' for disk '%s'", def->name, disk->name);
            return false;
        }
    }
    return qemuBlockHostClose(g_steal_pointer(&host), error);
}


/* Reinstate metadata (spec/qemu.md 2). */
static cairnMomentObj *
qemuCheckpointRedefine(qemuDriverState *drv,
                       qemuDomainObj *obj,
                       cairnCheckpointDef **def,
                       bool validate,
                       GError **error)
{
    bool update_current;
    cairnMomentObj *node;

    if (!qemuCheckpointCheckLoaded(obj, error) ||
        !cairnCheckpointPrepareRedefine(obj->checkpoints, *def, qemuDomainObjGetDef(obj)->uuid,
                                        &update_current, error) ||
        (validate && !qemuCheckpointValidateBitmaps(drv, obj, *def, error)) ||
        !(node = cairnCheckpointCommit(obj->checkpoints, def, true, update_current, error)))
        return NULL;
    if (!qemuCheckpointSaveDef(drv, obj, node, error) ||
        !qemuCheckpointSaveCurrent(drv, obj, error)) {
        qemuCheckpointInvalidate(obj);
        return NULL;
    }
    return node;
}


cairnDomainCheckpoint *
qemuDomainCheckpointCreateXML(cairnDomain *dom, const char *xml, unsigned int flags, GError **error)
{
    qemuDriverState *drv = qemuStateOf(dom->conn);
    bool redefine = flags & CAIRN_DOMAIN_CHECKPOINT_CREATE_REDEFINE;
    g_autoptr(cairnCheckpointDef) def = NULL;
    g_autoptr(cairnFileLock) lock = NULL;
    qemuDomainObj *obj;
    cairnMomentObj *node;
    QEMU_LOCK(drv);

    if (!cairnCheckFlags(flags,
                         CAIRN_DOMAIN_CHECKPOINT_CREATE_REDEFINE |
                             CAIRN_DOMAIN_CHECKPOINT_CREATE_REDEFINE_VALIDATE |
                             CAIRN_DOMAIN_CHECKPOINT_CREATE_QUIESCE,
                         FROM, __func__, error) ||
        !(def = cairnCheckpointDefParseString(xml, redefine ? CAIRN_CHECKPOINT_PARSE_REDEFINE : 0,
                                              error)) ||
        !(obj = qemuCallBegin(drv, dom, 0, QEMU_LOCK_TIMEOUT_MS, &lock, error)))
        return NULL;
    if (redefine)
        node = qemuCheckpointRedefine(
            drv, obj, &def, flags & CAIRN_DOMAIN_CHECKPOINT_CREATE_REDEFINE_VALIDATE, error);
    else
        node = qemuCheckpointCreateNew(drv, obj, &def,
                                       flags & CAIRN_DOMAIN_CHECKPOINT_CREATE_QUIESCE, error);
    if (!node)
        return NULL;
    return cairnCheckpointNew(dom, node->def->name);
}


/* SIZE: per valid bitmap disk a temporary bitmap merged from the
 * checkpoint's chain; its count is the size (spec/semantics.md 6). */
static bool
qemuCheckpointComputeSizes(qemuBlockHost *host,
                           cairnCheckpointDef *def,
                           const cairnDomainDef *domdef,
                           GError **error)
{
    qemuMonitor *mon = qemuBlockHostMonitor(host);
    g_autoptr(qemuMonitorTransaction) stale = qemuMonitorTransactionNew();
    g_autoptr(qemuMonitorTransaction) merge = qemuMonitorTransactionNew();
    g_autoptr(qemuMonitorTransaction) drop = qemuMonitorTransactionNew();
    g_autoptr(GPtrArray) nodes = NULL;
    g_autoptr(GPtrArray) after = NULL;
    bool ok;

    if (!(nodes = qemuMonitorQueryNamedBlockNodes(mon, error)))
        return false;
    for (guint i = 0; i < def->disks->len; i++) {
        cairnCheckpointDiskDef *disk = g_ptr_array_index(def->disks, i);
        g_autoptr(GPtrArray) chain = NULL;

        if (disk->type != CAIRN_CHECKPOINT_TYPE_BITMAP ||
            !cairnDomainDiskByTarget(domdef, disk->name))
            continue;
        chain = qemuCheckpointDiskChain(host, nodes, disk->name);
        if (qemuBitmapChainCheck(chain, def->name) != QEMU_BITMAP_OK)
            continue;
        if (qemuBitmapChainTop(chain, QEMU_BITMAP_TMP_SIZE))
            qemuBitmapRemoveActions(stale, chain, QEMU_BITMAP_TMP_SIZE, NULL);
        qemuBitmapSizeActions(merge, chain, def->name, QEMU_BITMAP_TMP_SIZE);
        qemuMonitorTransactionBitmapRemove(drop, qemuBlockHostTopNode(host, disk->name),
                                           QEMU_BITMAP_TMP_SIZE);
    }
    if (qemuMonitorTransactionCount(merge) == 0)
        return true;
    if ((qemuMonitorTransactionCount(stale) > 0 && !qemuMonitorTransactionRun(mon, stale, error)) ||
        !qemuMonitorTransactionRun(mon, merge, error))
        return false;
    ok = (after = qemuMonitorQueryNamedBlockNodes(mon, error)) != NULL;
    for (guint i = 0; ok && i < def->disks->len; i++) {
        cairnCheckpointDiskDef *disk = g_ptr_array_index(def->disks, i);
        qemuMonitorBlockNode *top =
            qemuMonitorBlockNodeFind(after, qemuBlockHostTopNode(host, disk->name) ?: "");
        qemuMonitorBitmapInfo *tmp =
            top ? qemuMonitorBlockNodeFindBitmap(top, QEMU_BITMAP_TMP_SIZE) : NULL;

        if (disk->type == CAIRN_CHECKPOINT_TYPE_BITMAP && tmp) {
            disk->size = tmp->count;
            disk->has_size = true;
        }
    }
    return qemuMonitorTransactionRun(mon, drop, ok ? error : NULL) && ok;
}


static char *
qemuCheckpointFormatWithSize(
    qemuDriverState *drv, cairnDomain *dom, const char *name, unsigned int flags, GError **error)
{
    g_autoptr(cairnFileLock) lock = NULL;
    g_autoptr(cairnCheckpointDef) copy = NULL;
    g_autoptr(qemuBlockHost) host = NULL;
    qemuDomainObj *obj;
    cairnMomentObj *node;

    if (!(obj = qemuCallBegin(drv, dom, 0, QEMU_LOCK_TIMEOUT_MS, &lock, error)) ||
        !(node = qemuCheckpointFind(obj, name, error)))
        return NULL;
    copy = cairnCheckpointDefCopy(node->def);
    if (!qemuBlockHostCheckFree(drv, obj, "compute checkpoint size", error) ||
        !(host = qemuBlockHostOpen(drv, obj, QEMU_BLOCK_HOST_READ_ONLY, error)) ||
        !qemuCheckpointComputeSizes(host, copy, qemuDomainObjGetDef(obj), error) ||
        !qemuBlockHostClose(g_steal_pointer(&host), error))
        return NULL;
    return cairnCheckpointDefFormat(copy, flags);
}


char *
qemuDomainCheckpointGetXMLDesc(cairnDomainCheckpoint *chk, unsigned int flags, GError **error)
{
    qemuDriverState *drv = qemuStateOf(chk->domain->conn);
    qemuDomainObj *obj;
    cairnMomentObj *node;
    QEMU_LOCK(drv);

    if (!cairnCheckFlags(flags,
                         CAIRN_DOMAIN_CHECKPOINT_XML_SECURE |
                             CAIRN_DOMAIN_CHECKPOINT_XML_NO_DOMAIN |
                             CAIRN_DOMAIN_CHECKPOINT_XML_SIZE,
                         FROM, __func__, error))
        return NULL;
    if (flags & CAIRN_DOMAIN_CHECKPOINT_XML_SIZE)
        return qemuCheckpointFormatWithSize(drv, chk->domain, chk->name, flags, error);
    if (!(obj = qemuDriverFindByHandle(drv, chk->domain, error)) ||
        !(node = qemuCheckpointFind(obj, chk->name, error)))
        return NULL;
    return cairnCheckpointDefFormat(node->def, flags);
}


/* List from @from_name's node (NULL: the whole domain) into new handles. */
static int
qemuCheckpointList(cairnDomain *dom,
                   const char *from_name,
                   cairnDomainCheckpoint ***chks,
                   unsigned int flags,
                   GError **error)
{
    qemuDriverState *drv = qemuStateOf(dom->conn);
    qemuDomainObj *obj;
    QEMU_LOCK(drv);

    if (!(obj = qemuDriverFindByHandle(drv, dom, error)) || !qemuCheckpointCheckLoaded(obj, error))
        return -1;
    return cairnCheckpointListHandles(dom, obj->checkpoints, from_name, chks, flags, error);
}


int
qemuDomainListAllCheckpoints(cairnDomain *dom,
                             cairnDomainCheckpoint ***chks,
                             unsigned int flags,
                             GError **error)
{
    if (!cairnCheckFlags(flags, CAIRN_CHECKPOINT_LIST_DOMAIN_FLAGS, FROM, __func__, error))
        return -1;
    return qemuCheckpointList(dom, NULL, chks, flags, error);
}


int
qemuDomainCheckpointListAllChildren(cairnDomainCheckpoint *chk,
                                    cairnDomainCheckpoint ***chks,
                                    unsigned int flags,
                                    GError **error)
{
    if (!cairnCheckFlags(flags, CAIRN_CHECKPOINT_LIST_CHILDREN_FLAGS, FROM, __func__, error))
        return -1;
    return qemuCheckpointList(chk->domain, chk->name, chks, flags, error);
}


cairnDomainCheckpoint *
qemuDomainCheckpointLookupByName(cairnDomain *dom,
                                 const char *name,
                                 unsigned int flags,
                                 GError **error)
{
    qemuDriverState *drv = qemuStateOf(dom->conn);
    qemuDomainObj *obj;
    cairnMomentObj *node;
    QEMU_LOCK(drv);

    if (!cairnCheckFlags(flags, 0, FROM, __func__, error) ||
        !(obj = qemuDriverFindByHandle(drv, dom, error)) ||
        !(node = qemuCheckpointFind(obj, name, error)))
        return NULL;
    return cairnCheckpointNew(dom, node->def->name);
}


cairnDomainCheckpoint *
qemuDomainCheckpointGetParent(cairnDomainCheckpoint *chk, unsigned int flags, GError **error)
{
    qemuDriverState *drv = qemuStateOf(chk->domain->conn);
    qemuDomainObj *obj;
    QEMU_LOCK(drv);

    if (!cairnCheckFlags(flags, 0, FROM, __func__, error) ||
        !(obj = qemuDriverFindByHandle(drv, chk->domain, error)) ||
        !qemuCheckpointCheckLoaded(obj, error))
        return NULL;
    return cairnCheckpointParentHandle(chk->domain, obj->checkpoints, chk->name, error);
}


/* The checkpoints a delete with @flags discards, in the tree's discard
 * order (descendants, then @node). Borrowed. */
static GPtrArray *
qemuCheckpointDiscardSet(cairnMomentObj *node, unsigned int flags)
{
    GPtrArray *set = g_ptr_array_new();

    if (flags &
        (CAIRN_DOMAIN_CHECKPOINT_DELETE_CHILDREN | CAIRN_DOMAIN_CHECKPOINT_DELETE_CHILDREN_ONLY)) {
        g_autoptr(GPtrArray) desc = cairnMomentCollectDescendantsPostOrder(node);

        g_ptr_array_extend(set, desc, NULL, NULL);
    }
    if (!(flags & CAIRN_DOMAIN_CHECKPOINT_DELETE_CHILDREN_ONLY))
        g_ptr_array_add(set, node);
    return set;
}


/* The remove actions of one checkpoint: its bitmap on every layer of each
 * bitmap disk the domain still has. A bitmap found nowhere is libvirt's
 * internal error. */
static qemuMonitorTransaction *
qemuCheckpointRemoveActions(qemuBlockHost *host,
                            GPtrArray *nodes,
                            const cairnDomainDef *domdef,
                            const cairnCheckpointDef *def,
                            GPtrArray *lower,
                            GError **error)
{
    g_autoptr(qemuMonitorTransaction) tr = qemuMonitorTransactionNew();

    for (guint i = 0; i < def->disks->len; i++) {
        cairnCheckpointDiskDef *disk = g_ptr_array_index(def->disks, i);
        g_autoptr(GPtrArray) chain = NULL;

        if (disk->type != CAIRN_CHECKPOINT_TYPE_BITMAP ||
            !cairnDomainDiskByTarget(domdef, disk->name))
            continue;
        if (!disk->bitmap) {
            cairnErrorSet(error, FROM, CAIRN_ERR_INVALID_ARG,
                          "missing bitmap name for disk '%s' of checkpoint '%s'", disk->name,
                          def->name);
            return NULL;
        }
        chain = qemuCheckpointDiskChain(host, nodes, disk->name);
        if (qemuBitmapRemoveActions(tr, chain, disk->bitmap, lower) == 0) {
            cairnErrorSet(error, FROM, CAIRN_ERR_INTERNAL_ERROR,
                          "bitmap '%s' not found in backing chain of '%s'", disk->bitmap,
                          disk->name);
            return NULL;
        }
    }
    return g_steal_pointer(&tr);
}


/* Remove the bitmaps of every checkpoint in @set: all transactions are
 * built (and every bitmap found) before the first one runs, so a missing
 * bitmap changes nothing; then one transaction per checkpoint, with the
 * backing layers they touch reopened read-write around it. */
static bool
qemuCheckpointDiscardBitmaps(
    qemuDriverState *drv, qemuDomainObj *obj, GPtrArray *set, bool *ret_started, GError **error)
{
    g_autoptr(GPtrArray) trs =
        g_ptr_array_new_with_free_func((GDestroyNotify)qemuMonitorTransactionFree);
    g_autoptr(GPtrArray) lower = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
    g_autoptr(qemuBlockHost) host = NULL;
    g_autoptr(GPtrArray) nodes = NULL;

    if (!qemuBlockHostCheckFree(drv, obj, "delete checkpoint bitmaps", error) ||
        !(host = qemuBlockHostOpen(drv, obj, 0, error)) ||
        !(nodes = qemuMonitorQueryNamedBlockNodes(qemuBlockHostMonitor(host), error)))
        return false;
    for (guint i = 0; i < set->len; i++) {
        cairnMomentObj *chk = g_ptr_array_index(set, i);
        GPtrArray *low = g_ptr_array_new();
        qemuMonitorTransaction *tr = qemuCheckpointRemoveActions(
            host, nodes, qemuDomainObjGetDef(obj), chk->def, low, error);

        g_ptr_array_add(lower, low);
        if (!tr)
            return false;
        g_ptr_array_add(trs, tr);
    }
    for (guint i = 0; i < trs->len; i++) {
        qemuMonitorTransaction *tr = g_ptr_array_index(trs, i);

        *ret_started = true;
        if (qemuMonitorTransactionCount(tr) > 0 &&
            !qemuBlockHostTransaction(host, tr, g_ptr_array_index(lower, i), error))
            return false;
    }
    return qemuBlockHostClose(g_steal_pointer(&host), error);
}


/* The current checkpoint after cairnMomentDelete(@node, @flags), as it
 * decides it. */
static char *
qemuCheckpointCurrentAfter(qemuDomainObj *obj, cairnMomentObj *node, unsigned int flags)
{
    cairnMomentObj *cur = cairnMomentListGetCurrent(obj->checkpoints);

    if ((flags & (CAIRN_DOMAIN_CHECKPOINT_DELETE_CHILDREN |
                  CAIRN_DOMAIN_CHECKPOINT_DELETE_CHILDREN_ONLY)) &&
        cairnMomentCountDescendants(node) > 0)
        cur = node;
    if (!(flags & CAIRN_DOMAIN_CHECKPOINT_DELETE_CHILDREN_ONLY) && cur == node)
        return cairnMomentIsRoot(node) ? NULL : g_strdup(node->def->parent_name);
    return cur ? g_strdup(cur->def->name) : NULL;
}


/* The record of a delete (qemu_checkpoint_op.h): the checkpoints of @set,
 * their bitmaps on the disks the domain has, the current one after. */
static qemuCheckpointOp *
qemuCheckpointDeleteRecord(qemuDomainObj *obj,
                           cairnMomentObj *node,
                           GPtrArray *set,
                           unsigned int flags)
{
    qemuCheckpointOp *op = qemuCheckpointOpNew(QEMU_CHECKPOINT_OP_DELETE);
    const cairnDomainDef *domdef = qemuDomainObjGetDef(obj);

    op->name = g_strdup(node->def->name);
    op->flags = flags;
    op->current = qemuCheckpointCurrentAfter(obj, node, flags);
    for (guint i = 0; i < set->len; i++) {
        cairnCheckpointDef *def = ((cairnMomentObj *)g_ptr_array_index(set, i))->def;

        g_ptr_array_add(op->names, g_strdup(def->name));
        for (guint k = 0; k < def->disks->len; k++) {
            cairnCheckpointDiskDef *disk = g_ptr_array_index(def->disks, k);

            if (!(flags & CAIRN_DOMAIN_CHECKPOINT_DELETE_METADATA_ONLY) &&
                disk->type == CAIRN_CHECKPOINT_TYPE_BITMAP && disk->bitmap &&
                cairnDomainDiskByTarget(domdef, disk->name))
                qemuCheckpointOpAddBitmap(op, disk->name, disk->bitmap);
        }
    }
    return op;
}


bool
qemuDomainCheckpointDelete(cairnDomainCheckpoint *chk, unsigned int flags, GError **error)
{
    qemuDriverState *drv = qemuStateOf(chk->domain->conn);
    g_autoptr(GPtrArray) removed = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) changed = g_ptr_array_new();
    g_autoptr(cairnFileLock) lock = NULL;
    g_autoptr(GPtrArray) set = NULL;
    g_autoptr(qemuCheckpointOp) op = NULL;
    bool started = false;
    qemuDomainObj *obj;
    cairnMomentObj *node;
    QEMU_LOCK(drv);

    if (!cairnCheckFlags(flags,
                         CAIRN_DOMAIN_CHECKPOINT_DELETE_CHILDREN |
                             CAIRN_DOMAIN_CHECKPOINT_DELETE_METADATA_ONLY |
                             CAIRN_DOMAIN_CHECKPOINT_DELETE_CHILDREN_ONLY,
                         FROM, __func__, error) ||
        !(obj = qemuCallBegin(drv, chk->domain, 0, QEMU_LOCK_TIMEOUT_MS, &lock, error)) ||
        !(node = qemuCheckpointFind(obj, chk->name, error)))
        return false;
    set = qemuCheckpointDiscardSet(node, flags);
    op = qemuCheckpointDeleteRecord(obj, node, set, flags);
    if (!qemuCheckpointOpSave(drv, obj, op, error))
        return false;
    cairnCrashPoint(CAIRN_CRASH_CHECKPOINT_DELETE_RECORDED);
    if (!(flags & CAIRN_DOMAIN_CHECKPOINT_DELETE_METADATA_ONLY) && set->len > 0 &&
        !qemuCheckpointDiscardBitmaps(drv, obj, set, &started, error)) {
        /* Nothing removed yet: nothing to finish. Else the next call
         * finishes the delete. */
        if (!started)
            qemuCheckpointOpDrop(drv, obj);
        return false;
    }
    cairnCrashPoint(CAIRN_CRASH_CHECKPOINT_DELETE_BITMAPS);
    cairnMomentDelete(obj->checkpoints, node, flags, removed, changed);
    if (!qemuCheckpointCommitChanges(drv, obj, removed, changed, error))
        return false;
    cairnCrashPoint(CAIRN_CRASH_CHECKPOINT_DELETE_COMMITTED);
    qemuCheckpointOpDrop(drv, obj);
    return true;
}
