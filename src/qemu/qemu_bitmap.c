/*
 * qemu_bitmap.c: checkpoint bitmaps in QEMU's block graph (pure).
 */
#include <string.h>

#include "qemu_bitmap.h"
#include "util/cairnenum.h"

static const char *const qemuBitmapStatusNames[QEMU_BITMAP_STATUS_LAST] = {
    [QEMU_BITMAP_OK] = "ok",
    [QEMU_BITMAP_MISSING] = "missing",
    [QEMU_BITMAP_INCONSISTENT] = "inconsistent",
    [QEMU_BITMAP_NOT_PERSISTENT] = "not-persistent",
    [QEMU_BITMAP_NOT_RECORDING] = "not-recording",
    [QEMU_BITMAP_GAP] = "gap",
};


const char *
qemuBitmapStatusToString(qemuBitmapStatus status)
{
    return cairnEnumToString(qemuBitmapStatusNames, G_N_ELEMENTS(qemuBitmapStatusNames), status);
}


/* Protocol nodes carry the same file name as the format node above them;
 * a chain is made of format nodes only. */
static bool
qemuBitmapNodeIsProtocol(const qemuMonitorBlockNode *node)
{
    static const char *const protocols[] = { "file", "host_device", "host_cdrom", "nbd", NULL };

    return node->drv && g_strv_contains(protocols, node->drv);
}


/* The format node of @node's backing image, or NULL. */
static qemuMonitorBlockNode *
qemuBitmapFindBacking(GPtrArray *nodes, const qemuMonitorBlockNode *node)
{
    g_autofree char *dir = NULL;
    g_autofree char *path = NULL;

    if (!node->backing_file || !*node->backing_file || !node->file)
        return NULL;
    if (g_path_is_absolute(node->backing_file)) {
        path = g_strdup(node->backing_file);
    } else {
        dir = g_path_get_dirname(node->file);
        path = g_build_filename(dir, node->backing_file, NULL);
    }
    for (guint i = 0; i < nodes->len; i++) {
        qemuMonitorBlockNode *n = g_ptr_array_index(nodes, i);

        if (n != node && !qemuBitmapNodeIsProtocol(n) && g_strcmp0(n->file, path) == 0)
            return n;
    }
    return NULL;
}


GPtrArray *
qemuBitmapChainFromNodes(GPtrArray *nodes, const char *top)
{
    GPtrArray *chain = g_ptr_array_new();
    qemuMonitorBlockNode *node = top ? qemuMonitorBlockNodeFind(nodes, top) : NULL;

    /* The length bound stops a loop in broken data. */
    while (node && chain->len <= nodes->len) {
        g_ptr_array_add(chain, node);
        node = qemuBitmapFindBacking(nodes, node);
    }
    return chain;
}


GPtrArray *
qemuBitmapChainFromNames(GPtrArray *nodes, const char *top, const char *const *below)
{
    GPtrArray *chain = g_ptr_array_new();
    qemuMonitorBlockNode *node = top ? qemuMonitorBlockNodeFind(nodes, top) : NULL;

    for (size_t i = 0; node; i++) {
        g_ptr_array_add(chain, node);
        node = below && below[i] ? qemuMonitorBlockNodeFind(nodes, below[i]) : NULL;
    }
    return chain;
}


qemuMonitorBitmapInfo *
qemuBitmapChainTop(GPtrArray *chain, const char *name)
{
    if (chain->len == 0)
        return NULL;
    return qemuMonitorBlockNodeFindBitmap(g_ptr_array_index(chain, 0), name);
}


qemuBitmapStatus
qemuBitmapInfoCheck(const qemuMonitorBitmapInfo *bitmap)
{
    if (bitmap->inconsistent)
        return QEMU_BITMAP_INCONSISTENT;
    if (!bitmap->persistent)
        return QEMU_BITMAP_NOT_PERSISTENT;
    if (!bitmap->recording)
        return QEMU_BITMAP_NOT_RECORDING;
    return QEMU_BITMAP_OK;
}


qemuBitmapStatus
qemuBitmapChainCheck(GPtrArray *chain, const char *name)
{
    bool ended = false;

    if (!qemuBitmapChainTop(chain, name))
        return QEMU_BITMAP_MISSING;
    for (guint i = 0; i < chain->len; i++) {
        qemuMonitorBitmapInfo *bitmap =
            qemuMonitorBlockNodeFindBitmap(g_ptr_array_index(chain, i), name);
        qemuBitmapStatus st;

        if (!bitmap) {
            ended = true;
            continue;
        }
        if (ended)
            return QEMU_BITMAP_GAP;
        if ((st = qemuBitmapInfoCheck(bitmap)) != QEMU_BITMAP_OK)
            return st;
    }
    return QEMU_BITMAP_OK;
}


guint
qemuBitmapRemoveActions(qemuMonitorTransaction *tr,
                        GPtrArray *chain,
                        const char *name,
                        GPtrArray *lower)
{
    guint n = 0;

    for (guint i = 0; i < chain->len; i++) {
        qemuMonitorBlockNode *node = g_ptr_array_index(chain, i);

        if (!qemuMonitorBlockNodeFindBitmap(node, name))
            continue;
        qemuMonitorTransactionBitmapRemove(tr, node->node_name, name);
        n++;
        if (i > 0 && lower &&
            !g_ptr_array_find_with_equal_func(lower, node->node_name, g_str_equal, NULL))
            g_ptr_array_add(lower, node->node_name);
    }
    return n;
}


void
qemuBitmapSizeActions(qemuMonitorTransaction *tr,
                      GPtrArray *chain,
                      const char *name,
                      const char *tmp)
{
    g_autofree qemuMonitorBitmapRef *srcs = g_new0(qemuMonitorBitmapRef, chain->len);
    qemuMonitorBlockNode *top = g_ptr_array_index(chain, 0);
    qemuMonitorBitmapInfo *bitmap = qemuMonitorBlockNodeFindBitmap(top, name);
    size_t nsrcs = 0;

    qemuMonitorTransactionBitmapAdd(tr, top->node_name, tmp, false, true,
                                    bitmap ? bitmap->granularity : 0);
    for (guint i = 0; i < chain->len; i++) {
        qemuMonitorBlockNode *node = g_ptr_array_index(chain, i);

        if (!qemuMonitorBlockNodeFindBitmap(node, name))
            continue;
        srcs[nsrcs].node = node->node_name;
        srcs[nsrcs].name = name;
        nsrcs++;
    }
    qemuMonitorTransactionBitmapMerge(tr, top->node_name, tmp, srcs, nsrcs);
}
