/*
 * qemu_backup_fleece.c: fleecing for push backups (see
 * qemu_backup_fleece.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "cairn/cairn-error.h"
#include "qemu_backup_fleece.h"
#include "qemu_backup_storage.h"
#include "qemu_monitor_cmd.h"
#include "util/cairnerror.h"

#define FROM CAIRN_FROM_QEMU


char *
qemuBackupFleeceQdev(const char *alias, bool virtio)
{
    /* virtio-blk-pci holds its "drive" on the inner virtio device. */
    if (virtio)
        return g_strdup_printf("/machine/peripheral/%s/virtio-backend", alias);
    return g_strdup_printf("/machine/peripheral/%s", alias);
}


bool
qemuBackupFleeceCreate(qemuMonitor *mon,
                       qemuBackupJobDisk *jd,
                       const char *path,
                       guint64 size,
                       bool direct,
                       GError **error)
{
    cairnBackupStoreDef store = { .path = (char *)path, .format = (char *)"qcow2" };
    qemuBackupStoreSpec spec = {
        .store = &store, .disk = jd->name, .size = size, .direct = direct
    };
    int fd;

    if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
        int err = errno;

        jd->fleece_created = false;
        if (err == EEXIST)
            cairnErrorSet(error, FROM, CAIRN_ERR_INVALID_ARG,
                          "scratch '%s' for backup of '%s' exists", path, jd->name);
        else
            cairnErrorSetErrno(error, FROM, err, "failed to create scratch file '%s'", path);
        return false;
    }
    if (close(fd) < 0) {
        cairnErrorSetErrno(error, FROM, errno, "failed to create scratch file '%s'", path);
        return false;
    }
    return qemuBackupStoreAttach(mon, &spec, jd->fleece_storage, jd->fleece_format, error);
}


/* The copy-before-write filter; on-cbw-error=break-snapshot where QEMU
 * knows it (7.2 does; an older one refuses the member, and then the
 * guest's write fails when the scratch write does, as in a plain push). */
static bool
qemuBackupFleeceAddFilter(qemuMonitor *mon, qemuBackupJobDisk *jd, GError **error)
{
    g_autoptr(GError) err = NULL;

    for (int safe = 1; safe >= 0; safe--) {
        g_autoptr(JsonObject) props = json_object_new();

        json_object_set_string_member(props, "driver", "copy-before-write");
        json_object_set_string_member(props, "node-name", jd->cbw_node);
        json_object_set_string_member(props, "file", jd->top_node);
        json_object_set_string_member(props, "target", jd->fleece_format);
        if (safe)
            json_object_set_string_member(props, "on-cbw-error", "break-snapshot");
        if (qemuMonitorBlockdevAdd(mon, props, safe ? &err : error))
            return true;
        if (safe)
            g_debug("backup of %s: copy-before-write without on-cbw-error: %s", jd->name,
                    err->message);
    }
    return false;
}


bool
qemuBackupFleeceInsert(qemuMonitor *mon,
                       qemuBackupJobDisk *jd,
                       bool (*save)(void *opaque, GError **error),
                       void *opaque,
                       GError **error)
{
    g_autoptr(JsonObject) access = json_object_new();

    if (!qemuBackupFleeceAddFilter(mon, jd, error))
        return false;
    jd->swapped = true;
    if (!save(opaque, error) ||
        !qemuMonitorQomSetString(mon, jd->qdev, "drive", jd->cbw_node, error))
        return false;
    json_object_set_string_member(access, "driver", "snapshot-access");
    json_object_set_string_member(access, "node-name", jd->access_node);
    json_object_set_string_member(access, "file", jd->cbw_node);
    return qemuMonitorBlockdevAdd(mon, access, error);
}


static void
qemuBackupFleeceDel(qemuMonitor *mon, const qemuBackupJobDisk *jd, char **node)
{
    g_autoptr(GError) err = NULL;

    if (*node && mon && !qemuMonitorBlockdevDel(mon, *node, &err))
        g_debug("backup of %s: %s", jd->name, err->message);
    g_clear_pointer(node, g_free);
}


void
qemuBackupFleeceRemove(qemuMonitor *mon, qemuBackupJobDisk *jd, const char *path)
{
    g_autoptr(GError) err = NULL;

    qemuBackupFleeceDel(mon, jd, &jd->access_node);
    /* The device goes back before the filter can go: the filter takes the
     * write permission on the top node while it is there. */
    if (jd->swapped && mon && !qemuMonitorQomSetString(mon, jd->qdev, "drive", jd->top_node, &err))
        g_debug("backup of %s: %s", jd->name, err->message);
    jd->swapped = false;
    qemuBackupFleeceDel(mon, jd, &jd->cbw_node);
    qemuBackupFleeceDel(mon, jd, &jd->fleece_format);
    qemuBackupFleeceDel(mon, jd, &jd->fleece_storage);
    if (jd->fleece_created && path && g_unlink(path) < 0 && errno != ENOENT)
        g_debug("backup of %s: cannot delete '%s': %s", jd->name, path, g_strerror(errno));
    jd->fleece_created = false;
}
