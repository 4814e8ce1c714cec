/*
 * bitmaptest.c: the pure bitmap-chain functions of qemu_bitmap.c on
 * hand-made query-named-block-nodes data (suite 'unit'; no QEMU):
 * backing chains found by file name (relative and absolute backing names,
 * protocol nodes skipped, loops cut), the chain judgement of
 * spec/semantics.md 5 (ok, missing, gap, inconsistent, not persistent, not
 * recording) and the remove and SIZE actions.
 */
#include <stdio.h>
#include <stdlib.h>

#include "qemu/qemu_bitmap.h"

static int failures;

#define CHECK(cond)                                                                                \
 do {                                                                                              \
  if (!(cond)) {                                                                                   \
   fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                                 \
   failures++;                                                                                     \
  }                                                                                                \
 } while (0)


static qemuMonitorBlockNode *
node(GPtrArray *nodes, const char *name, const char *drv, const char *file, const char *backing)
{
    qemuMonitorBlockNode *n = g_new0(qemuMonitorBlockNode, 1);

    n->node_name = g_strdup(name);
    n->drv = g_strdup(drv);
    n->file = g_strdup(file);
    n->backing_file = g_strdup(backing);
    n->bitmaps = g_ptr_array_new_with_free_func((GDestroyNotify)qemuMonitorBitmapInfoFree);
    g_ptr_array_add(nodes, n);
    return n;
}


static qemuMonitorBitmapInfo *
bitmap(qemuMonitorBlockNode *n, const char *name)
{
    qemuMonitorBitmapInfo *b = g_new0(qemuMonitorBitmapInfo, 1);

    b->name = g_strdup(name);
    b->persistent = true;
    b->recording = true;
    b->granularity = 65536;
    g_ptr_array_add(n->bitmaps, b);
    return b;
}


/* top (/i/top.qcow2, backing "mid.qcow2") -> mid (backing "/j/base.qcow2")
 * -> base; each format node over a file node of the same name. */
static GPtrArray *
threeLayers(qemuMonitorBlockNode **top, qemuMonitorBlockNode **mid, qemuMonitorBlockNode **base)
{
    GPtrArray *nodes = g_ptr_array_new_with_free_func((GDestroyNotify)qemuMonitorBlockNodeFree);

    node(nodes, "f-base", "file", "/j/base.qcow2", NULL);
    *base = node(nodes, "base", "qcow2", "/j/base.qcow2", NULL);
    node(nodes, "f-mid", "file", "/i/mid.qcow2", NULL);
    *mid = node(nodes, "mid", "qcow2", "/i/mid.qcow2", "/j/base.qcow2");
    node(nodes, "f-top", "file", "/i/top.qcow2", NULL);
    *top = node(nodes, "top", "qcow2", "/i/top.qcow2", "mid.qcow2");
    return nodes;
}


static void
testChain(void)
{
    qemuMonitorBlockNode *top, *mid, *base;
    g_autoptr(GPtrArray) nodes = threeLayers(&top, &mid, &base);
    g_autoptr(GPtrArray) chain = qemuBitmapChainFromNodes(nodes, "top");
    g_autoptr(GPtrArray) none = qemuBitmapChainFromNodes(nodes, "nosuch");
    g_autoptr(GPtrArray) loop = NULL;

    CHECK(chain->len == 3);
    CHECK(g_ptr_array_index(chain, 0) == top);
    CHECK(g_ptr_array_index(chain, 1) == mid);
    CHECK(g_ptr_array_index(chain, 2) == base);
    CHECK(none->len == 0);
    /* A backing loop in broken data ends. */
    g_free(base->backing_file);
    base->backing_file = g_strdup("/i/top.qcow2");
    loop = qemuBitmapChainFromNodes(nodes, "top");
    CHECK(loop->len <= nodes->len + 1);
}


static void
testCheck(void)
{
    qemuMonitorBlockNode *top, *mid, *base;
    g_autoptr(GPtrArray) nodes = threeLayers(&top, &mid, &base);
    g_autoptr(GPtrArray) chain = NULL;
    qemuMonitorBitmapInfo *b;

    bitmap(top, "c1");
    bitmap(mid, "c1");
    bitmap(base, "gap");
    bitmap(top, "gap");
    bitmap(mid, "low");
    chain = qemuBitmapChainFromNodes(nodes, "top");
    CHECK(qemuBitmapChainCheck(chain, "c1") == QEMU_BITMAP_OK);
    CHECK(qemuBitmapChainCheck(chain, "nosuch") == QEMU_BITMAP_MISSING);
    CHECK(qemuBitmapChainCheck(chain, "low") == QEMU_BITMAP_MISSING);
    CHECK(qemuBitmapChainCheck(chain, "gap") == QEMU_BITMAP_GAP);

    b = bitmap(top, "inc");
    b->inconsistent = true;
    CHECK(qemuBitmapChainCheck(chain, "inc") == QEMU_BITMAP_INCONSISTENT);
    b = bitmap(top, "tmp");
    b->persistent = false;
    CHECK(qemuBitmapChainCheck(chain, "tmp") == QEMU_BITMAP_NOT_PERSISTENT);
    b = bitmap(mid, "off");
    bitmap(top, "off");
    b->recording = false;
    CHECK(qemuBitmapChainCheck(chain, "off") == QEMU_BITMAP_NOT_RECORDING);
    CHECK(g_str_equal(qemuBitmapStatusToString(QEMU_BITMAP_GAP), "gap"));
    CHECK(qemuBitmapStatusToString(QEMU_BITMAP_STATUS_LAST) == NULL);
}


static void
testActions(void)
{
    qemuMonitorBlockNode *top, *mid, *base;
    g_autoptr(GPtrArray) nodes = threeLayers(&top, &mid, &base);
    g_autoptr(GPtrArray) chain = NULL;
    g_autoptr(qemuMonitorTransaction) rm = qemuMonitorTransactionNew();
    g_autoptr(qemuMonitorTransaction) size = qemuMonitorTransactionNew();

    bitmap(top, "c1");
    bitmap(mid, "c1");
    bitmap(base, "c1");
    chain = qemuBitmapChainFromNodes(nodes, "top");
    CHECK(qemuBitmapRemoveActions(rm, chain, "c1", NULL) == 3);
    CHECK(qemuBitmapRemoveActions(rm, chain, "nosuch", NULL) == 0);
    CHECK(qemuMonitorTransactionCount(rm) == 3);
    /* SIZE: one add of the temporary bitmap, one merge of all layers. */
    qemuBitmapSizeActions(size, chain, "c1", QEMU_BITMAP_TMP_SIZE);
    CHECK(qemuMonitorTransactionCount(size) == 2);
    CHECK(qemuBitmapChainTop(chain, "c1") != NULL);
}


int
main(void)
{
    testChain();
    testCheck();
    testActions();
    if (failures)
        return EXIT_FAILURE;
    printf("bitmaptest: ok\n");
    return 0;
}
