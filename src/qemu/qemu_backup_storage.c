/*
 * qemu_backup_storage.c: backup targets and scratch images (see
 * qemu_backup_storage.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "cairn/cairn-error.h"
#include "qemu_backup_storage.h"
#include "qemu_monitor_cmd.h"
#include "util/cairnerror.h"
#include "util/cairnfile.h"

#define FROM CAIRN_FROM_QEMU

/* How long formatting one image may take. */
#define QEMU_BACKUP_CREATE_TIMEOUT_MS 60000


static bool
qemuBackupStoreIsRaw(const qemuBackupStoreSpec *spec)
{
    return g_strcmp0(spec->store->format, "raw") == 0;
}


bool
qemuBackupStoreCheckFile(const qemuBackupStoreSpec *spec, GError **error)
{
    if (!spec->reuse && g_file_test(spec->store->path, G_FILE_TEST_EXISTS)) {
        cairnErrorSet(error, FROM, CAIRN_ERR_INVALID_ARG, "store '%s' for backup of '%s' exists",
                      spec->store->path, spec->disk);
        return false;
    }
    return true;
}


bool
qemuBackupStoreCreateFile(const qemuBackupStoreSpec *spec, qemuBackupJobDisk *disk, GError **error)
{
    const char *path = spec->store->path;
    int fd;

    if (spec->reuse)
        return true;
    if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
        if (errno == EEXIST)
            disk->created = false;
        cairnErrorSetErrno(error, FROM, errno, "failed to create image file '%s'", path);
        return false;
    }
    /* A raw target is the disk's size of holes; QEMU writes into it. */
    if (qemuBackupStoreIsRaw(spec) && ftruncate(fd, (off_t)spec->size) < 0) {
        cairnErrorSetErrno(error, FROM, errno, "failed to create image file '%s'", path);
        close(fd);
        return false;
    }
    if (close(fd) < 0) {
        cairnErrorSetErrno(error, FROM, errno, "failed to create image file '%s'", path);
        return false;
    }
    return true;
}


/* cache of a store's node: O_DIRECT when @direct, and never a flush to
 * the disk while the job writes (cache.no-flush): qcow2 orders its
 * metadata updates with flushes, each of which would wait for everything
 * written so far. A half-written store is never used (a failed push's
 * target and every scratch file are deleted), and a completed push's
 * target is synced once before the backup is reported complete
 * (qemuBackupStoreSync()). */
static void
qemuBackupStoreSetCache(JsonObject *props, bool direct)
{
    JsonObject *cache = json_object_new();

    if (direct)
        json_object_set_boolean_member(cache, "direct", TRUE);
    json_object_set_boolean_member(cache, "no-flush", TRUE);
    json_object_set_object_member(props, "cache", cache);
}


static bool
qemuBackupStoreAddFileNodeCache(qemuMonitor *mon,
                                const qemuBackupStoreSpec *spec,
                                const char *node,
                                bool direct,
                                GError **error)
{
    g_autoptr(JsonObject) props = json_object_new();

    json_object_set_string_member(props, "driver", "file");
    json_object_set_string_member(props, "filename", spec->store->path);
    json_object_set_string_member(props, "node-name", node);
    json_object_set_string_member(props, "discard", "unmap");
    qemuBackupStoreSetCache(props, direct);
    /* Not aio=native: a store is written at its end, and such direct
     * writes are synchronous in io_submit() on ext4, which held QEMU's
     * main loop (and the guest) for seconds when the store was slow. */
    if (direct)
        json_object_set_string_member(props, "aio", "threads");
    return qemuMonitorBlockdevAdd(mon, props, error);
}


/* With O_DIRECT when asked for and the filesystem has it (tmpfs has
 * not), else through the page cache. */
static bool
qemuBackupStoreAddFileNode(qemuMonitor *mon,
                           const qemuBackupStoreSpec *spec,
                           const char *node,
                           GError **error)
{
    g_autoptr(GError) err = NULL;

    if (spec->direct && qemuBackupStoreAddFileNodeCache(mon, spec, node, true, &err))
        return true;
    if (err)
        g_debug("backup of %s: no O_DIRECT for '%s': %s", spec->disk, spec->store->path,
                err->message);
    return qemuBackupStoreAddFileNodeCache(mon, spec, node, false, error);
}


/* blockdev-create of the qcow2 format on file node @storage. */
static bool
qemuBackupStoreFormat(qemuMonitor *mon,
                      const qemuBackupStoreSpec *spec,
                      const char *storage,
                      GError **error)
{
    g_autoptr(JsonObject) opts = json_object_new();
    g_autofree char *job_id = g_strdup_printf("create-%s", storage);

    json_object_set_string_member(opts, "driver", "qcow2");
    json_object_set_string_member(opts, "file", storage);
    json_object_set_int_member(opts, "size", (gint64)spec->size);
    if (spec->backing_node && spec->backing_file) {
        json_object_set_string_member(opts, "backing-file", spec->backing_file);
        json_object_set_string_member(opts, "backing-fmt", spec->backing_format);
    }
    if (!qemuMonitorBlockdevCreateWait(mon, job_id, opts, QEMU_BACKUP_CREATE_TIMEOUT_MS, error)) {
        g_prefix_error(error, "failed to create image file '%s': ", spec->store->path);
        return false;
    }
    return true;
}


static bool
qemuBackupStoreAddFormatNode(qemuMonitor *mon,
                             const qemuBackupStoreSpec *spec,
                             const char *storage,
                             const char *node,
                             GError **error)
{
    g_autoptr(JsonObject) props = json_object_new();
    bool raw = qemuBackupStoreIsRaw(spec);

    json_object_set_string_member(props, "driver", raw ? "raw" : "qcow2");
    json_object_set_string_member(props, "node-name", node);
    json_object_set_string_member(props, "file", storage);
    qemuBackupStoreSetCache(props, false);
    if (!raw) {
        if (spec->backing_node)
            json_object_set_string_member(props, "backing", spec->backing_node);
        else
            json_object_set_null_member(props, "backing");
    }
    return qemuMonitorBlockdevAdd(mon, props, error);
}


bool
qemuBackupStoreAttach(qemuMonitor *mon,
                      const qemuBackupStoreSpec *spec,
                      const char *storage,
                      const char *format,
                      GError **error)
{
    if (!qemuBackupStoreAddFileNode(mon, spec, storage, error))
        return false;
    if (!spec->reuse && !qemuBackupStoreIsRaw(spec) &&
        !qemuBackupStoreFormat(mon, spec, storage, error))
        return false;
    return qemuBackupStoreAddFormatNode(mon, spec, storage, format, error);
}


bool
qemuBackupStoreSync(const char *path, GError **error)
{
    g_autofree char *dir = g_path_get_dirname(path);
    int fd;

    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        cairnErrorSetErrno(error, FROM, errno, "cannot open backup target '%s' to sync it", path);
        return false;
    }
    if (fsync(fd) < 0) {
        int err = errno;

        close(fd);
        cairnErrorSetErrno(error, FROM, err, "cannot sync backup target '%s'", path);
        return false;
    }
    close(fd);
    return cairnFileSyncDir(dir, error);
}


/* Delete node @node: true when it is gone, deleted now or already absent
 * (a process that died after deleting it left its name in the record). */
static bool
storeNodeDel(qemuMonitor *mon, const char *disk, const char *node)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GPtrArray) nodes = NULL;

    if (qemuMonitorBlockdevDel(mon, node, &err))
        return true;
    g_debug("backup of %s: %s", disk, err->message);
    g_clear_error(&err);
    if (!(nodes = qemuMonitorQueryNamedBlockNodes(mon, &err))) {
        g_debug("backup of %s: %s", disk, err->message);
        return false;
    }
    return !qemuMonitorBlockNodeFind(nodes, node);
}


bool
qemuBackupStoreDetach(qemuMonitor *mon, qemuBackupJobDisk *disk)
{
    if (disk->store_format && storeNodeDel(mon, disk->name, disk->store_format))
        g_clear_pointer(&disk->store_format, g_free);
    /* The format node holds the storage node: both stay until it goes. */
    if (!disk->store_format && disk->store_storage &&
        storeNodeDel(mon, disk->name, disk->store_storage))
        g_clear_pointer(&disk->store_storage, g_free);
    return !disk->store_format && !disk->store_storage;
}


void
qemuBackupStoreDelete(qemuBackupJobDisk *disk, const char *path)
{
    if (!disk->created || !path)
        return;
    if (g_unlink(path) < 0 && errno != ENOENT)
        g_debug("backup of %s: cannot delete '%s': %s", disk->name, path, g_strerror(errno));
    disk->created = false;
}
