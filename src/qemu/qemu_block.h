/*
 * qemu_block.h: the image layers of a disk as explicit -blockdev nodes.
 *
 * Like libvirt, Cairn opens every layer of a qcow2 disk's backing chain
 * itself: one file node and one format node per layer, named
 * cairn-N-storage and cairn-N-format, the format nodes linked with
 * "backing" and the lowest one with "backing": null, so QEMU opens nothing
 * implicitly. Only nodes named so can be reopened with blockdev-reopen
 * (QEMU 7.2 refuses to reopen its auto-named "#blockNNN" nodes: "Cannot
 * change the option 'node-name'"), which deleting a checkpoint bitmap from
 * a read-only backing layer needs. The layers below the top are opened
 * read-only; their file nodes have auto-read-only, so reopening a format
 * node read-write is enough for QEMU to take write access (and the write
 * lock) on the image.
 */
#pragma once

#include <stdbool.h>
#include <glib.h>
#include <json-glib/json-glib.h>

#include "conf/domain_conf.h"

typedef struct _qemuBlockLayer qemuBlockLayer;
struct _qemuBlockLayer {
    char *file;         /* the image */
    char *driver;       /* its format: "qcow2", "raw", ... */
    char *storage_node; /* cairn-N-storage; NULL until named */
    char *format_node;  /* cairn-N-format; NULL until named */
};

qemuBlockLayer *qemuBlockLayerNew(const char *file,
                                  const char *driver,
                                  const char *storage_node,
                                  const char *format_node);
void qemuBlockLayerFree(qemuBlockLayer *layer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(qemuBlockLayer, qemuBlockLayerFree)

/* The layers below the image @path, from its backing image down, unnamed,
 * as `qemu-img info --backing-chain --output=json -U` reports them (an
 * empty array for an image without backing). Errors: qemu-img is missing
 * or fails (CAIRN_ERR_OPERATION_FAILED with its message). */
GPtrArray *qemuBlockProbeBacking(const char *path, GError **error);

/* The layers below each qcow2 file disk of @def: disk target ->
 * GPtrArray of qemuBlockLayer* (unnamed). A disk whose chain cannot be
 * read is left out, so QEMU opens it as before and reports the problem
 * itself (e.g. a missing image). */
GHashTable *qemuBlockProbeDisks(const cairnDomainDef *def);

/* Copies of @layers named with the next node indexes after *@nodeidx
 * (which is advanced). */
GPtrArray *qemuBlockNameLayers(GPtrArray *layers, int *nodeidx);

/* The file node of @file (an NBD node for an NBD URI: qemu_block_nbd.h). */
JsonObject *qemuBlockStorageProps(const char *file, const char *node);

/* A format node over @file_node. @layers (the chain below this node,
 * named; NULL: leave the backing to QEMU) gives its "backing": the first
 * layer's format node, or null when empty. */
JsonObject *qemuBlockFormatProps(
    const char *driver, const char *node, const char *file_node, bool readonly, GPtrArray *layers);

/* Point the qcow2 format node @props at @data_node, the file node of its
 * external data file (a disk's <dataStore>), as QEMU's "data-file"
 * option. */
void qemuBlockSetDataFile(JsonObject *props, const char *data_node);

/* The name of the data file node beside format node index @idx. */
char *qemuBlockDataNodeName(int idx);

/* The props of layer @idx of @layers as blockdev-add or blockdev-reopen
 * take them: its backing is the next layer, or null for the last. */
JsonObject *qemuBlockLayerFormatProps(GPtrArray *layers, guint idx, bool readonly);

/* Append @opt (e.g. "-blockdev") and the JSON of every node of @layers,
 * lowest first (storage, then format, each layer read-only), so that the
 * top image's nodes can refer to them. */
void qemuBlockLayersArgs(GPtrArray *argv, const char *opt, GPtrArray *layers);

/* @obj as compact JSON text. */
char *qemuBlockPropsToString(JsonObject *obj);
