/*
 * qemu_block.c: the image layers of a disk as explicit -blockdev nodes
 * (see qemu_block.h).
 */
#include "cairn/cairn-error.h"
#include "qemu_block.h"
#include "qemu_block_nbd.h"
#include "util/cairnerror.h"

#define FROM CAIRN_FROM_QEMU


qemuBlockLayer *
qemuBlockLayerNew(const char *file,
                  const char *driver,
                  const char *storage_node,
                  const char *format_node)
{
    qemuBlockLayer *layer = g_new0(qemuBlockLayer, 1);

    layer->file = g_strdup(file);
    layer->driver = g_strdup(driver);
    layer->storage_node = g_strdup(storage_node);
    layer->format_node = g_strdup(format_node);
    return layer;
}


void
qemuBlockLayerFree(qemuBlockLayer *layer)
{
    if (!layer)
        return;
    g_free(layer->file);
    g_free(layer->driver);
    g_free(layer->storage_node);
    g_free(layer->format_node);
    g_free(layer);
}


static GPtrArray *
qemuBlockLayersNew(void)
{
    return g_ptr_array_new_with_free_func((GDestroyNotify)qemuBlockLayerFree);
}


/* The layers of qemu-img's chain @text, skipping the first (the top). */
static GPtrArray *
qemuBlockParseChain(const char *text, const char *path, GError **error)
{
    g_autoptr(JsonParser) parser = json_parser_new();
    g_autoptr(GPtrArray) layers = qemuBlockLayersNew();
    JsonArray *arr;

    if (!json_parser_load_from_data(parser, text, -1, NULL) ||
        !JSON_NODE_HOLDS_ARRAY(json_parser_get_root(parser))) {
        cairnErrorSet(error, FROM, CAIRN_ERR_INTERNAL_ERROR,
                      "cannot parse the backing chain of '%s' from qemu-img", path);
        return NULL;
    }
    arr = json_node_get_array(json_parser_get_root(parser));
    for (guint i = 1; i < json_array_get_length(arr); i++) {
        JsonObject *img = json_array_get_object_element(arr, i);
        const char *file =
            img ? json_object_get_string_member_with_default(img, "filename", NULL) : NULL;
        const char *fmt =
            img ? json_object_get_string_member_with_default(img, "format", NULL) : NULL;

        if (!file || !fmt) {
            cairnErrorSet(error, FROM, CAIRN_ERR_INTERNAL_ERROR,
                          "qemu-img reports a backing image of '%s' without file or format", path);
            return NULL;
        }
        g_ptr_array_add(layers, qemuBlockLayerNew(file, fmt, NULL, NULL));
    }
    return g_steal_pointer(&layers);
}


GPtrArray *
qemuBlockProbeBacking(const char *path, GError **error)
{
    g_autofree char *abspath = g_canonicalize_filename(path, NULL);
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autofree char *backing = NULL;
    g_autofree char *backing_fmt = NULL;
    g_autoptr(GError) gerr = NULL;
    const char *argv[] = { "qemu-img", "info", "--backing-chain", "--output=json", "-U",
                           abspath,    NULL };
    int status = 0;

    /* An NBD backing is taken from the header: qemu-img would connect to
     * the server, which may be down (qemu_block_nbd.h). */
    if (!qemuBlockNBDReadBacking(abspath, &backing, &backing_fmt, error))
        return NULL;
    if (cairnDomainDiskBackingIsNBDURI(backing)) {
        GPtrArray *layers = qemuBlockLayersNew();

        g_ptr_array_add(layers,
                        qemuBlockLayerNew(backing, backing_fmt ? backing_fmt : "raw", NULL, NULL));
        return layers;
    }
    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                      &status, &gerr)) {
        cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_FAILED, "cannot run qemu-img: %s",
                      gerr->message);
        return NULL;
    }
    if (!g_spawn_check_wait_status(status, NULL)) {
        cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_FAILED,
                      "cannot read the backing chain of '%s': %s", path, g_strstrip(err));
        return NULL;
    }
    return qemuBlockParseChain(out, path, error);
}


/* The layers of a <backingStore> given in the definition: the layer
 * itself, then (for a file) what is probed below it. */
static GPtrArray *
qemuBlockDefinedBacking(const cairnDomainDiskBacking *backing, GError **error)
{
    g_autofree char *file = cairnDomainDiskBackingToURI(backing);
    g_autoptr(GPtrArray) below = NULL;
    GPtrArray *layers = qemuBlockLayersNew();

    g_ptr_array_add(layers,
                    qemuBlockLayerNew(file, backing->format ? backing->format : "raw", NULL, NULL));
    if (backing->kind != CAIRN_DOMAIN_BACKING_FILE || g_strcmp0(backing->format, "qcow2") != 0)
        return layers;
    if (!(below = qemuBlockProbeBacking(file, error))) {
        g_ptr_array_unref(layers);
        return NULL;
    }
    for (guint i = 0; i < below->len; i++)
        g_ptr_array_add(layers, g_ptr_array_steal_index(below, i--));
    return layers;
}


GHashTable *
qemuBlockProbeDisks(const cairnDomainDef *def)
{
    GHashTable *chains =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_ptr_array_unref);

    for (guint i = 0; i < def->disks->len; i++) {
        const cairnDomainDiskDef *disk = g_ptr_array_index(def->disks, i);
        g_autoptr(GError) gerr = NULL;
        GPtrArray *layers;

        if (!disk->src || disk->type != CAIRN_DOMAIN_DISK_TYPE_FILE ||
            disk->format != CAIRN_DOMAIN_DISK_FORMAT_QCOW2 ||
            !g_file_test(disk->src, G_FILE_TEST_IS_REGULAR))
            continue;
        if (disk->backing) {
            if (!(layers = qemuBlockDefinedBacking(disk->backing, &gerr))) {
                g_debug("backing chain of '%s' left to QEMU: %s", disk->src, gerr->message);
                continue;
            }
        } else if (!(layers = qemuBlockProbeBacking(disk->src, &gerr))) {
            g_debug("backing chain of '%s' left to QEMU: %s", disk->src, gerr->message);
            continue;
        }
        g_hash_table_insert(chains, g_strdup(disk->dst), layers);
    }
    return chains;
}


GPtrArray *
qemuBlockNameLayers(GPtrArray *layers, int *nodeidx)
{
    GPtrArray *named = qemuBlockLayersNew();

    for (guint i = 0; layers && i < layers->len; i++) {
        qemuBlockLayer *layer = g_ptr_array_index(layers, i);
        g_autofree char *storage = g_strdup_printf("cairn-%d-storage", ++*nodeidx);
        g_autofree char *format = g_strdup_printf("cairn-%d-format", *nodeidx);

        g_ptr_array_add(named, qemuBlockLayerNew(layer->file, layer->driver, storage, format));
    }
    return named;
}


JsonObject *
qemuBlockStorageProps(const char *file, const char *node)
{
    JsonObject *obj;

    if (cairnDomainDiskBackingIsNBDURI(file) && (obj = qemuBlockNBDStorageProps(file, node)))
        return obj;
    obj = json_object_new();
    json_object_set_string_member(obj, "driver", "file");
    json_object_set_string_member(obj, "filename", file);
    json_object_set_string_member(obj, "node-name", node);
    json_object_set_boolean_member(obj, "auto-read-only", TRUE);
    json_object_set_string_member(obj, "discard", "unmap");
    return obj;
}


JsonObject *
qemuBlockFormatProps(
    const char *driver, const char *node, const char *file_node, bool readonly, GPtrArray *layers)
{
    JsonObject *obj = json_object_new();

    json_object_set_string_member(obj, "node-name", node);
    json_object_set_boolean_member(obj, "read-only", readonly);
    json_object_set_string_member(obj, "driver", driver);
    json_object_set_string_member(obj, "file", file_node);
    if (layers && layers->len > 0) {
        qemuBlockLayer *below = g_ptr_array_index(layers, 0);

        json_object_set_string_member(obj, "backing", below->format_node);
    } else if (layers) {
        json_object_set_null_member(obj, "backing");
    }
    return obj;
}


void
qemuBlockSetDataFile(JsonObject *props, const char *data_node)
{
    json_object_set_string_member(props, "data-file", data_node);
}


char *
qemuBlockDataNodeName(int idx)
{
    return g_strdup_printf("cairn-%d-data", idx);
}


JsonObject *
qemuBlockLayerFormatProps(GPtrArray *layers, guint idx, bool readonly)
{
    qemuBlockLayer *layer = g_ptr_array_index(layers, idx);
    JsonObject *obj = json_object_new();

    json_object_set_string_member(obj, "node-name", layer->format_node);
    json_object_set_boolean_member(obj, "read-only", readonly);
    json_object_set_string_member(obj, "driver", layer->driver);
    json_object_set_string_member(obj, "file", layer->storage_node);
    /* A raw layer has no backing (QEMU refuses the option). */
    if (g_str_equal(layer->driver, "raw"))
        return obj;
    if (idx + 1 < layers->len) {
        qemuBlockLayer *below = g_ptr_array_index(layers, idx + 1);

        json_object_set_string_member(obj, "backing", below->format_node);
    } else {
        json_object_set_null_member(obj, "backing");
    }
    return obj;
}


char *
qemuBlockPropsToString(JsonObject *obj)
{
    g_autoptr(JsonNode) node = json_node_new(JSON_NODE_OBJECT);

    json_node_set_object(node, obj);
    return json_to_string(node, FALSE);
}


void
qemuBlockLayersArgs(GPtrArray *argv, const char *opt, GPtrArray *layers)
{
    for (guint i = layers ? layers->len : 0; i > 0; i--) {
        qemuBlockLayer *layer = g_ptr_array_index(layers, i - 1);
        g_autoptr(JsonObject) storage = qemuBlockStorageProps(layer->file, layer->storage_node);
        g_autoptr(JsonObject) format = qemuBlockLayerFormatProps(layers, i - 1, true);

        g_ptr_array_add(argv, g_strdup(opt));
        g_ptr_array_add(argv, qemuBlockPropsToString(storage));
        g_ptr_array_add(argv, g_strdup(opt));
        g_ptr_array_add(argv, qemuBlockPropsToString(format));
    }
}
