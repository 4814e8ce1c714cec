/*
 * qemu_bitmap.h: checkpoint bitmaps in QEMU's block graph.
 *
 * Pure functions over the result of query-named-block-nodes (see
 * qemu_monitor_cmd.h): finding a disk's backing chain, judging the bitmap
 * chain of a checkpoint (spec/semantics.md 5) and building the transaction
 * actions of delete, size and repair. Nothing here talks to QEMU, so all of
 * it is testable from recorded node data.
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "qemu_monitor_cmd.h"

/* The name of the temporary bitmap of the SIZE query. */
#define QEMU_BITMAP_TMP_SIZE "cairn-tmp-size-xml"

/* What is wrong with the bitmap chain of one checkpoint on one disk, in
 * the order they are looked for. */
typedef enum {
    QEMU_BITMAP_OK = 0,
    QEMU_BITMAP_MISSING,        /* the top image does not carry it */
    QEMU_BITMAP_INCONSISTENT,   /* marked in use: QEMU stopped without saving it */
    QEMU_BITMAP_NOT_PERSISTENT, /* would be lost when QEMU stops */
    QEMU_BITMAP_NOT_RECORDING,  /* disabled: misses writes */
    QEMU_BITMAP_GAP,            /* the layers carrying it are not contiguous from the top */

    QEMU_BITMAP_STATUS_LAST
} qemuBitmapStatus;

/* "ok", "missing", "inconsistent", "not-persistent", "not-recording",
 * "gap". */
const char *qemuBitmapStatusToString(qemuBitmapStatus status);

/* The backing chain of the image whose format node is @top, from the top
 * down, as borrowed qemuMonitorBlockNode* of @nodes: each next layer is the
 * format node whose file is the layer's backing file (a relative backing
 * name is taken relative to the layer's directory). Empty when @top is not
 * in @nodes. */
GPtrArray *qemuBitmapChainFromNodes(GPtrArray *nodes, const char *top);

/* The chain of format nodes @top, then @below (names, from its backing
 * image down), as borrowed nodes of @nodes; it ends at the first name
 * missing from @nodes. */
GPtrArray *qemuBitmapChainFromNames(GPtrArray *nodes, const char *top, const char *const *below);

/* Judge one bitmap alone: inconsistent, not persistent, not recording or
 * ok. */
qemuBitmapStatus qemuBitmapInfoCheck(const qemuMonitorBitmapInfo *bitmap);

/* Judge the bitmap chain of @name on @chain (spec/semantics.md 5). */
qemuBitmapStatus qemuBitmapChainCheck(GPtrArray *chain, const char *name);

/* Add a block-dirty-bitmap-remove of @name for every layer of @chain that
 * carries it; returns how many were added (0: found nowhere). The node
 * names of the layers below the top among them are added to @lower (when
 * not NULL, each name once): those must be made writable first. */
guint qemuBitmapRemoveActions(qemuMonitorTransaction *tr,
                              GPtrArray *chain,
                              const char *name,
                              GPtrArray *lower);

/* Add the SIZE actions for @name on @chain (which must be valid): a
 * temporary bitmap @tmp on the top layer (not persistent, disabled, with
 * the granularity of the top layer's @name) and a merge of @name from
 * every layer carrying it into @tmp. */
void qemuBitmapSizeActions(qemuMonitorTransaction *tr,
                           GPtrArray *chain,
                           const char *name,
                           const char *tmp);

/* Bitmap @name on the top layer of @chain, or NULL. Borrowed. */
qemuMonitorBitmapInfo *qemuBitmapChainTop(GPtrArray *chain, const char *name);
