/*
 * qemu_checkpoint_op.c: the record of a checkpoint change under way, and
 * its recovery (see qemu_checkpoint_op.h).
 */
#include <string.h>

#include "cairn/cairn-domain-checkpoint.h"
#include "cairn/cairn-error.h"
#include "conf/moment_tree.h"
#include "hypervisor/domain_checkpoint.h"
#include "qemu_blockhost.h"
#include "qemu_checkpoint_meta.h"
#include "qemu_checkpoint_op.h"
#include "qemu_monitor_cmd.h"
#include "util/cairnerror.h"
#include "util/cairnfile.h"
#include "util/cairnxml.h"

#define FROM CAIRN_FROM_QEMU

#define QEMU_CHECKPOINT_OP_SUFFIX ".checkpoint-op"
#define QEMU_CHECKPOINT_OP_MAX_SIZE (16 * 1024 * 1024)

static const char *const opTypeNames[] = { "create", "delete" };
static const char *const opPhaseNames[] = { "bitmaps", "metadata" };


qemuCheckpointOp *
qemuCheckpointOpNew(qemuCheckpointOpType type)
{
    qemuCheckpointOp *op = g_new0(qemuCheckpointOp, 1);

    op->type = type;
    op->disks = g_ptr_array_new_with_free_func(g_free);
    op->bitmaps = g_ptr_array_new_with_free_func(g_free);
    op->names = g_ptr_array_new_with_free_func(g_free);
    return op;
}


void
qemuCheckpointOpFree(qemuCheckpointOp *op)
{
    if (!op)
        return;
    g_free(op->name);
    g_free(op->current);
    g_ptr_array_unref(op->disks);
    g_ptr_array_unref(op->bitmaps);
    g_ptr_array_unref(op->names);
    g_free(op->def_xml);
    g_free(op);
}


void
qemuCheckpointOpAddBitmap(qemuCheckpointOp *op, const char *disk, const char *name)
{
    g_ptr_array_add(op->disks, g_strdup(disk));
    g_ptr_array_add(op->bitmaps, g_strdup(name));
}


/* ---- format and parse -------------------------------------------------- */

static void
opFormatAttr(GString *buf, const char *name, const char *value)
{
    if (!value)
        return;
    g_string_append_printf(buf, " %s='", name);
    cairnXMLEscape(buf, value, true);
    g_string_append_c(buf, '\'');
}


char *
qemuCheckpointOpFormat(const qemuCheckpointOp *op)
{
    GString *buf = g_string_new("<checkpointop");

    opFormatAttr(buf, "op", opTypeNames[op->type]);
    opFormatAttr(buf, "phase", opPhaseNames[op->phase]);
    opFormatAttr(buf, "name", op->name);
    if (op->type == QEMU_CHECKPOINT_OP_DELETE)
        g_string_append_printf(buf, " flags='%u'", op->flags);
    opFormatAttr(buf, "current", op->current);
    g_string_append(buf, ">\n");
    for (guint i = 0; i < op->disks->len; i++) {
        g_string_append(buf, "  <bitmap");
        opFormatAttr(buf, "disk", g_ptr_array_index(op->disks, i));
        opFormatAttr(buf, "name", g_ptr_array_index(op->bitmaps, i));
        g_string_append(buf, "/>\n");
    }
    for (guint i = 0; i < op->names->len; i++) {
        g_string_append(buf, "  <checkpoint");
        opFormatAttr(buf, "name", g_ptr_array_index(op->names, i));
        g_string_append(buf, "/>\n");
    }
    if (op->def_xml) {
        const char *start = strstr(op->def_xml, "<domaincheckpoint");

        g_string_append(buf, start ? start : op->def_xml);
        if (!g_str_has_suffix(buf->str, "\n"))
            g_string_append_c(buf, '\n');
    }
    g_string_append(buf, "</checkpointop>\n");
    return g_string_free(buf, FALSE);
}


static bool
opBad(const char *what, const char *detail, GError **error)
{
    cairnErrorSet(error, FROM, CAIRN_ERR_INTERNAL_ERROR, "malformed checkpoint change %s: %s", what,
                  detail);
    return false;
}


static int
opEnum(const char *const *names, int n, const char *value)
{
    for (int i = 0; value && i < n; i++) {
        if (g_str_equal(names[i], value))
            return i;
    }
    return -1;
}


static bool
opParseChildren(qemuCheckpointOp *op, const xmlNode *root, const char *what, GError **error)
{
    for (xmlNode *cur = root->children; cur; cur = cur->next) {
        g_autofree char *disk = NULL;
        g_autofree char *name = NULL;

        if (cairnXMLNodeNameEqual(cur, "domaincheckpoint")) {
            op->def_xml = cairnXMLFormatNodeString(cur, 0);
            continue;
        }
        if (!cairnXMLNodeNameEqual(cur, "bitmap") && !cairnXMLNodeNameEqual(cur, "checkpoint"))
            continue;
        name = cairnXMLPropString(cur, "name");
        disk = cairnXMLPropString(cur, "disk");
        if (!name || (cairnXMLNodeNameEqual(cur, "bitmap") && !disk))
            return opBad(what, "element without name or disk", error);
        if (cairnXMLNodeNameEqual(cur, "bitmap"))
            qemuCheckpointOpAddBitmap(op, disk, name);
        else
            g_ptr_array_add(op->names, g_steal_pointer(&name));
    }
    return true;
}


qemuCheckpointOp *
qemuCheckpointOpParse(const char *xml, const char *what, GError **error)
{
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(qemuCheckpointOp) op = NULL;
    g_autofree char *type = NULL;
    g_autofree char *phase = NULL;
    g_autofree char *flags = NULL;
    unsigned long long value = 0;
    xmlNode *root;
    int t;
    int p;

    if (!(doc = cairnXMLParseString(xml, what, FROM, error)))
        return NULL;
    root = xmlDocGetRootElement(doc);
    type = cairnXMLPropString(root, "op");
    phase = cairnXMLPropString(root, "phase");
    flags = cairnXMLPropString(root, "flags");
    if (!cairnXMLNodeNameEqual(root, "checkpointop") ||
        (t = opEnum(opTypeNames, G_N_ELEMENTS(opTypeNames), type)) < 0 ||
        (p = opEnum(opPhaseNames, G_N_ELEMENTS(opPhaseNames), phase)) < 0 ||
        (flags && (!cairnXMLParseULongLong(flags, &value) || value > G_MAXUINT))) {
        opBad(what, "<checkpointop> op, phase or flags", error);
        return NULL;
    }
    op = qemuCheckpointOpNew(t);
    op->phase = p;
    op->flags = (unsigned int)value;
    op->name = cairnXMLPropString(root, "name");
    op->current = cairnXMLPropString(root, "current");
    if (!opParseChildren(op, root, what, error))
        return NULL;
    if (op->type == QEMU_CHECKPOINT_OP_CREATE && !op->def_xml) {
        opBad(what, "create without <domaincheckpoint>", error);
        return NULL;
    }
    return g_steal_pointer(&op);
}


/* ---- the file ---------------------------------------------------------- */

bool
qemuCheckpointOpSave(qemuDriverState *drv,
                     qemuDomainObj *obj,
                     const qemuCheckpointOp *op,
                     GError **error)
{
    g_autofree char *path = qemuDomainRunPath(drv, obj->name, QEMU_CHECKPOINT_OP_SUFFIX);
    g_autofree char *text = qemuCheckpointOpFormat(op);

    return cairnFileWriteAtomic(path, text, -1, 0600, error);
}


bool
qemuCheckpointOpRemove(qemuDriverState *drv, qemuDomainObj *obj, GError **error)
{
    g_autofree char *path = qemuDomainRunPath(drv, obj->name, QEMU_CHECKPOINT_OP_SUFFIX);

    return cairnFileRemove(path, true, error);
}


/* ---- recovery ---------------------------------------------------------- */

bool
qemuCheckpointOpSetCurrent(qemuDriverState *drv,
                           qemuDomainObj *obj,
                           const char *name,
                           GError **error)
{
    cairnMomentListSetCurrent(obj->checkpoints,
                              name ? cairnMomentListLookup(obj->checkpoints, name) : NULL);
    return qemuCheckpointSaveCurrent(drv, obj, error);
}


/* Remove the recorded bitmaps that exist on the disks' top nodes. */
static bool
opRemoveBitmaps(qemuDriverState *drv,
                qemuDomainObj *obj,
                const qemuCheckpointOp *op,
                GError **error)
{
    g_autoptr(qemuMonitorTransaction) tr = qemuMonitorTransactionNew();
    g_autoptr(qemuBlockHost) host = NULL;
    g_autoptr(GPtrArray) nodes = NULL;

    if (op->disks->len == 0)
        return true;
    if (!(host = qemuBlockHostOpen(drv, obj, 0, error)) ||
        !(nodes = qemuMonitorQueryNamedBlockNodes(qemuBlockHostMonitor(host), error)))
        return false;
    for (guint i = 0; i < op->disks->len; i++) {
        const char *top = qemuBlockHostTopNode(host, g_ptr_array_index(op->disks, i));
        const char *name = g_ptr_array_index(op->bitmaps, i);
        qemuMonitorBlockNode *node = top ? qemuMonitorBlockNodeFind(nodes, top) : NULL;

        if (node && qemuMonitorBlockNodeFindBitmap(node, name))
            qemuMonitorTransactionBitmapRemove(tr, top, name);
    }
    if (qemuMonitorTransactionCount(tr) > 0 &&
        !qemuMonitorTransactionRun(qemuBlockHostMonitor(host), tr, error))
        return false;
    return qemuBlockHostClose(g_steal_pointer(&host), error);
}


/* Create, phase bitmaps: the bitmaps go; metadata written by a commit
 * that failed half-way goes too, and the current checkpoint is the one
 * before. */
static bool
opUndoCreate(qemuDriverState *drv, qemuDomainObj *obj, const qemuCheckpointOp *op, GError **error)
{
    g_autoptr(cairnCheckpointDef) def = NULL;
    cairnMomentObj *node;

    if (!opRemoveBitmaps(drv, obj, op, error) ||
        !(def = cairnCheckpointDefParseString(op->def_xml, CAIRN_CHECKPOINT_PARSE_REDEFINE, error)))
        return false;
    if ((node = cairnMomentListLookup(obj->checkpoints, def->name))) {
        cairnMomentListRemove(obj->checkpoints, node);
        if (!qemuCheckpointRemoveDef(drv, obj, def->name, error))
            return false;
    }
    return qemuCheckpointOpSetCurrent(drv, obj, op->current, error);
}


void
qemuCheckpointOpUndo(qemuDriverState *drv, qemuDomainObj *obj, const qemuCheckpointOp *op)
{
    g_autoptr(GError) err = NULL;

    if (!opUndoCreate(drv, obj, op, &err) || !qemuCheckpointOpRemove(drv, obj, &err)) {
        g_debug("%s: undoing a checkpoint create: %s", obj->name, err->message);
        g_clear_pointer(&obj->checkpoint_files, g_hash_table_unref);
    }
}


/* Create, phase metadata: the checkpoint's file unless it exists, and it
 * becomes current. */
static bool
opFinishCreate(qemuDriverState *drv, qemuDomainObj *obj, const qemuCheckpointOp *op, GError **error)
{
    g_autoptr(cairnCheckpointDef) def = NULL;
    g_autofree char *name = NULL;
    cairnMomentObj *node;

    if (!(def = cairnCheckpointDefParseString(op->def_xml, CAIRN_CHECKPOINT_PARSE_REDEFINE, error)))
        return false;
    name = g_strdup(def->name);
    if (!cairnMomentListLookup(obj->checkpoints, name)) {
        if (!(node = cairnCheckpointCommit(obj->checkpoints, &def, false, true, error)))
            return false;
        if (!qemuCheckpointSaveDef(drv, obj, node, error))
            return false;
    }
    return qemuCheckpointOpSetCurrent(drv, obj, name, error);
}


/* Delete: every recorded checkpoint still in the metadata is discarded,
 * then current is the recorded one. */
static bool
opFinishDelete(qemuDriverState *drv, qemuDomainObj *obj, const qemuCheckpointOp *op, GError **error)
{
    unsigned int flags = op->flags & (CAIRN_DOMAIN_CHECKPOINT_DELETE_CHILDREN |
                                      CAIRN_DOMAIN_CHECKPOINT_DELETE_CHILDREN_ONLY) ?
                             CAIRN_DOMAIN_CHECKPOINT_DELETE_CHILDREN :
                             0;

    for (guint i = 0; i < op->names->len; i++) {
        cairnMomentObj *node =
            cairnMomentListLookup(obj->checkpoints, g_ptr_array_index(op->names, i));
        g_autoptr(GPtrArray) removed = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(GPtrArray) changed = g_ptr_array_new();

        if (!node)
            continue;
        cairnMomentDelete(obj->checkpoints, node, flags, removed, changed);
        for (guint k = 0; k < changed->len; k++) {
            if (!qemuCheckpointSaveDef(drv, obj, g_ptr_array_index(changed, k), error))
                return false;
        }
        for (guint k = 0; k < removed->len; k++) {
            if (!qemuCheckpointRemoveDef(drv, obj, g_ptr_array_index(removed, k), error))
                return false;
        }
    }
    return qemuCheckpointOpSetCurrent(drv, obj, op->current, error);
}


static bool
opRecover(qemuDriverState *drv, qemuDomainObj *obj, const qemuCheckpointOp *op, GError **error)
{
    if (op->type == QEMU_CHECKPOINT_OP_DELETE)
        return opRemoveBitmaps(drv, obj, op, error) && opFinishDelete(drv, obj, op, error);
    if (op->phase == QEMU_CHECKPOINT_OP_PHASE_BITMAPS)
        return opUndoCreate(drv, obj, op, error);
    return opFinishCreate(drv, obj, op, error);
}


bool
qemuCheckpointOpRecover(qemuDriverState *drv, qemuDomainObj *obj, GError **error)
{
    g_autofree char *path = qemuDomainRunPath(drv, obj->name, QEMU_CHECKPOINT_OP_SUFFIX);
    g_autoptr(qemuCheckpointOp) op = NULL;
    g_autofree char *text = NULL;

    if (!g_file_test(path, G_FILE_TEST_EXISTS))
        return true;
    if (!cairnFileReadOptional(path, QEMU_CHECKPOINT_OP_MAX_SIZE, &text, error))
        return false;
    if (!text)
        return true;
    if (!(op = qemuCheckpointOpParse(text, path, error)) ||
        !qemuCheckpointObjRefresh(drv, obj, error))
        return false;
    if (!opRecover(drv, obj, op, error)) {
        g_clear_pointer(&obj->checkpoint_files, g_hash_table_unref);
        return false;
    }
    return qemuCheckpointOpRemove(drv, obj, error);
}
