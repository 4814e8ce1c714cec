/*
 * qemu_checkpoint_meta.c: checkpoint metadata files (see
 * qemu_checkpoint_meta.h).
 */
#include <string.h>

#include "cairn/cairn-error.h"
#include "qemu_checkpoint_meta.h"
#include "util/cairnerror.h"
#include "util/cairnfile.h"

#define FROM CAIRN_FROM_QEMU

/* A checkpoint file is the XML of one checkpoint with its <domain>. */
#define QEMU_CHECKPOINT_FILE_MAX_SIZE (16 * 1024 * 1024)
#define QEMU_CHECKPOINT_CURRENT_FILE "current"

static const char qemuCheckpointFileHeader[] =
    "<!--\n"
    "WARNING: THIS FILE IS WRITTEN BY CAIRN. CHANGES MADE HERE ARE LIKELY TO BE\n"
    "OVERWRITTEN AND LOST. Change checkpoint metadata with:\n"
    "  cairn checkpoint-edit DOMAIN CHECKPOINT\n"
    "or another application using the libcairn API.\n"
    "-->\n";


static char *
qemuCheckpointDomainDir(const qemuDriverState *drv, const qemuDomainObj *obj)
{
    return g_build_filename(drv->checkpoint_dir, obj->name, NULL);
}


static GHashTable *
qemuCheckpointFilesNew(void)
{
    return g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                 (GDestroyNotify)cairnFileCacheFree);
}


/* The text of @file in @files, or NULL. */
static const char *
qemuCheckpointFileText(GHashTable *files, const char *file)
{
    cairnFileCache *cache = files ? g_hash_table_lookup(files, file) : NULL;

    return cache ? cache->text : NULL;
}


/* Read every NAME.xml and the current file of @dir into a new table
 * (file name -> cairnFileCache*; a missing directory gives an empty
 * table). A file whose stamp shows it unchanged since @known read it is
 * taken from @known instead of being read again. */
static GHashTable *
qemuCheckpointReadFiles(const char *dir, GHashTable *known, GError **error)
{
    g_autoptr(GHashTable) files = qemuCheckpointFilesNew();
    g_autoptr(GError) gerr = NULL;
    g_autoptr(GDir) d = g_dir_open(dir, 0, &gerr);
    const char *ent;

    if (!d) {
        if (g_error_matches(gerr, G_FILE_ERROR, G_FILE_ERROR_NOENT))
            return g_steal_pointer(&files);
        cairnErrorSet(error, FROM, CAIRN_ERR_SYSTEM_ERROR, "cannot read directory: %s",
                      gerr->message);
        return NULL;
    }
    while ((ent = g_dir_read_name(d))) {
        g_autofree char *path = NULL;
        g_autofree char *text = NULL;
        g_autoptr(GError) rerr = NULL;
        cairnFileCache *old = known ? g_hash_table_lookup(known, ent) : NULL;
        cairnFileCache *cache;
        cairnFileStamp stamp;
        int diff;

        if (ent[0] == '.' ||
            (!g_str_has_suffix(ent, ".xml") && !g_str_equal(ent, QEMU_CHECKPOINT_CURRENT_FILE)))
            continue;
        path = g_build_filename(dir, ent, NULL);
        cache = cairnFileCacheNew();
        if (old) {
            cache->text = g_strdup(old->text);
            cache->stamp = old->stamp;
        }
        diff =
            cairnFileCacheCheck(cache, path, QEMU_CHECKPOINT_FILE_MAX_SIZE, &text, &stamp, &rerr);
        if (diff > 0)
            cairnFileCacheCommit(cache, g_steal_pointer(&text), &stamp);
        if (diff < 0 || !cache->text) {
            if (rerr)
                g_debug("skipping checkpoint file '%s': %s", path, rerr->message);
            cairnFileCacheFree(cache);
            continue;
        }
        g_hash_table_insert(files, g_strdup(ent), cache);
    }
    return g_steal_pointer(&files);
}


static bool
qemuCheckpointFilesEqual(GHashTable *a, GHashTable *b)
{
    GHashTableIter iter;
    gpointer key;
    gpointer value;

    if (!a || !b || g_hash_table_size(a) != g_hash_table_size(b))
        return false;
    g_hash_table_iter_init(&iter, a);
    while (g_hash_table_iter_next(&iter, &key, &value)) {
        if (g_strcmp0(((cairnFileCache *)value)->text, qemuCheckpointFileText(b, key)) != 0)
            return false;
    }
    return true;
}


/* Parse one saved checkpoint as libvirt loads them: REDEFINE parse, disks
 * aligned against the embedded domain (or bitmap names filled in). */
static cairnCheckpointDef *
qemuCheckpointParseFile(const char *file,
                        const char *text,
                        const unsigned char *uuid,
                        GError **error)
{
    g_autoptr(cairnCheckpointDef) def = NULL;
    g_autofree char *stem = g_strndup(file, strlen(file) - strlen(".xml"));

    if (!(def = cairnCheckpointDefParseString(text, CAIRN_CHECKPOINT_PARSE_REDEFINE, error)) ||
        !cairnCheckpointRedefineValidate(def, uuid, error))
        return NULL;
    if (!g_str_equal(def->name, stem)) {
        cairnErrorSet(error, FROM, CAIRN_ERR_INTERNAL_ERROR,
                      "checkpoint file '%s' names checkpoint '%s'", file, def->name);
        return NULL;
    }
    return g_steal_pointer(&def);
}


/* A new tree from the file texts in @files. */
static cairnMomentList *
qemuCheckpointBuildList(const qemuDomainObj *obj, GHashTable *files)
{
    cairnMomentList *list = cairnMomentListNew();
    const unsigned char *uuid = qemuDomainObjGetDef(obj)->uuid;
    const char *current = qemuCheckpointFileText(files, QEMU_CHECKPOINT_CURRENT_FILE);
    cairnMomentObj *cur = NULL;
    GHashTableIter iter;
    gpointer key;
    gpointer value;

    g_hash_table_iter_init(&iter, files);
    while (g_hash_table_iter_next(&iter, &key, &value)) {
        g_autoptr(cairnCheckpointDef) def = NULL;
        g_autoptr(GError) err = NULL;

        if (!g_str_has_suffix(key, ".xml"))
            continue;
        if (!(def = qemuCheckpointParseFile(key, ((cairnFileCache *)value)->text, uuid, &err)) ||
            !cairnMomentListAdd(list, def, &err)) {
            g_debug("skipping checkpoint file '%s' of '%s': %s", (const char *)key, obj->name,
                    err->message);
            continue;
        }
        def = NULL; /* stolen by the list */
    }
    if (cairnMomentListRebuild(list) > 0)
        g_debug("checkpoints of '%s' with a missing parent or in a cycle became roots", obj->name);
    if (current) {
        g_autofree char *name = g_strstrip(g_strdup(current));

        cur = cairnMomentListLookup(list, name);
    }
    cairnMomentListSetCurrent(list, cur ? cur : cairnMomentListUniqueLeaf(list));
    return list;
}


bool
qemuCheckpointObjRefresh(qemuDriverState *drv, qemuDomainObj *obj, GError **error)
{
    g_autofree char *dir = qemuCheckpointDomainDir(drv, obj);
    g_autoptr(GHashTable) files = NULL;
    cairnFileStamp stamp;

    if (!obj->def && !obj->status)
        return true;
    /* Every change of ours renames a file into the directory or removes
     * one, which changes the directory's stamp (cairnfilecache.h). */
    if (!cairnFileStampTake(dir, &stamp, error))
        return false;
    if (obj->checkpoint_files && cairnFileStampUnchanged(&obj->checkpoint_dir_stamp, &stamp))
        return true;
    if (!(files = qemuCheckpointReadFiles(dir, obj->checkpoint_files, error)))
        return false;
    obj->checkpoint_dir_stamp = stamp;
    if (qemuCheckpointFilesEqual(files, obj->checkpoint_files)) {
        g_hash_table_unref(obj->checkpoint_files);
        obj->checkpoint_files = g_steal_pointer(&files);
        return true;
    }
    cairnMomentListFree(obj->checkpoints);
    obj->checkpoints = qemuCheckpointBuildList(obj, files);
    g_clear_pointer(&obj->checkpoint_files, g_hash_table_unref);
    obj->checkpoint_files = g_steal_pointer(&files);
    return true;
}


/* Write @text as @file in the domain's directory and remember it. */
static bool
qemuCheckpointWriteFile(
    qemuDriverState *drv, qemuDomainObj *obj, const char *file, char *text, GError **error)
{
    g_autofree char *owned = text;
    g_autofree char *dir = qemuCheckpointDomainDir(drv, obj);
    g_autofree char *path = g_build_filename(dir, file, NULL);

    cairnFileCache *cache;

    /* The directory changes with the write: list it again next time. */
    memset(&obj->checkpoint_dir_stamp, 0, sizeof(obj->checkpoint_dir_stamp));
    if (!cairnFileMakePath(dir, 0700, error) || !cairnFileWriteAtomic(path, owned, -1, 0600, error))
        return false;
    if (!obj->checkpoint_files)
        obj->checkpoint_files = qemuCheckpointFilesNew();
    cache = cairnFileCacheNew();
    cairnFileCacheCommit(cache, g_steal_pointer(&owned), NULL);
    g_hash_table_insert(obj->checkpoint_files, g_strdup(file), cache);
    return true;
}


bool
qemuCheckpointSaveDef(qemuDriverState *drv,
                      qemuDomainObj *obj,
                      const cairnMomentObj *chk,
                      GError **error)
{
    g_autofree char *xml = cairnCheckpointDefFormat(chk->def, CAIRN_CHECKPOINT_FORMAT_SECURE);
    g_autofree char *file = g_strconcat(chk->def->name, ".xml", NULL);
    g_autofree char *text = g_strconcat(qemuCheckpointFileHeader, xml, NULL);
    g_autoptr(GError) err = NULL;

    /* Unchanged (a parent that only became current): nothing to write. */
    if (obj->checkpoint_files &&
        g_strcmp0(qemuCheckpointFileText(obj->checkpoint_files, file), text) == 0)
        return true;
    if (qemuCheckpointWriteFile(drv, obj, file, g_steal_pointer(&text), &err))
        return true;
    cairnErrorSet(error, FROM, CAIRN_ERR_INTERNAL_ERROR,
                  "unable to save metadata for checkpoint %s: %s", chk->def->name, err->message);
    return false;
}


static bool
qemuCheckpointRemoveFile(qemuDriverState *drv, qemuDomainObj *obj, const char *file, GError **error)
{
    g_autofree char *dir = qemuCheckpointDomainDir(drv, obj);
    g_autofree char *path = g_build_filename(dir, file, NULL);

    memset(&obj->checkpoint_dir_stamp, 0, sizeof(obj->checkpoint_dir_stamp));
    if (!cairnFileRemove(path, false, error))
        return false;
    if (obj->checkpoint_files)
        g_hash_table_remove(obj->checkpoint_files, file);
    return true;
}


bool
qemuCheckpointRemoveDef(qemuDriverState *drv, qemuDomainObj *obj, const char *name, GError **error)
{
    g_autofree char *file = g_strconcat(name, ".xml", NULL);

    return qemuCheckpointRemoveFile(drv, obj, file, error);
}


bool
qemuCheckpointSaveCurrent(qemuDriverState *drv, qemuDomainObj *obj, GError **error)
{
    cairnMomentObj *cur = cairnMomentListGetCurrent(obj->checkpoints);
    const char *known = qemuCheckpointFileText(obj->checkpoint_files, QEMU_CHECKPOINT_CURRENT_FILE);
    g_autofree char *text = cur ? g_strconcat(cur->def->name, "\n", NULL) : NULL;
    g_autofree char *dir = qemuCheckpointDomainDir(drv, obj);

    /* The atomic write syncs the directory; otherwise sync it here, so
     * that earlier removals are durable too. */
    if (cur && (g_strcmp0(text, known) != 0 || !obj->checkpoint_files))
        return qemuCheckpointWriteFile(drv, obj, QEMU_CHECKPOINT_CURRENT_FILE,
                                       g_steal_pointer(&text), error);
    if (!cur && !qemuCheckpointRemoveFile(drv, obj, QEMU_CHECKPOINT_CURRENT_FILE, error))
        return false;
    return !g_file_test(dir, G_FILE_TEST_IS_DIR) || cairnFileSyncDir(dir, error);
}
