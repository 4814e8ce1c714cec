/*
 * qemu_backup_storage.h: the images a backup writes (push targets) or
 * fleeces into (pull scratch files): created on the host and formatted by
 * QEMU, attached as block nodes, detached and deleted again.
 *
 * Without REUSE_EXTERNAL the file must not exist (libvirt's INVALID_ARG
 * "store 'PATH' for backup of 'DISK' exists"); Cairn creates it (O_EXCL,
 * so two backups can never share one) and formats it with QEMU's
 * blockdev-create: qcow2 at the disk's virtual size, with the live disk as
 * backing file when the backup needs one (pull scratch, incremental push
 * target); a raw target is a sparse file of that size. With REUSE_EXTERNAL
 * the existing image is attached as the caller made it. The format node's
 * backing link is set to the disk's top node with blockdev-add.
 *
 * Stores are written without flushes to the disk (cache.no-flush): what
 * must be durable, a completed push's target, is synced once at the end
 * (qemuBackupStoreSync()), after QEMU let go of it.
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "conf/backup_conf.h"
#include "qemu_backup_job.h"
#include "qemu_monitor.h"

/* How one store is to be made. */
typedef struct {
    const cairnBackupStoreDef *store; /* path and format (qcow2 or raw) */
    const char *disk;                 /* the disk target, for messages */
    guint64 size;                     /* virtual size of the disk */
    const char *backing_node;         /* NULL: no backing */
    const char *backing_file;         /* recorded in a new qcow2; with @backing_node */
    const char *backing_format;
    bool reuse;  /* REUSE_EXTERNAL */
    bool direct; /* open the store with O_DIRECT (cache.direct) */
} qemuBackupStoreSpec;

/* Without reuse the file must not exist yet (INVALID_ARG "store 'PATH'
 * for backup of 'DISK' exists"). */
bool qemuBackupStoreCheckFile(const qemuBackupStoreSpec *spec, GError **error);

/* Create the file of @spec (no-op with reuse). The caller recorded
 * @disk->created before; it is cleared when the file turns out to exist
 * (made by someone else meanwhile). */
bool
qemuBackupStoreCreateFile(const qemuBackupStoreSpec *spec, qemuBackupJobDisk *disk, GError **error);

/* Attach the store: file node @storage, format it unless reuse, then
 * format node @format (both recorded by the caller before). */
bool qemuBackupStoreAttach(qemuMonitor *mon,
                           const qemuBackupStoreSpec *spec,
                           const char *storage,
                           const char *format,
                           GError **error);

/* fsync @path and its directory: a detached push target, before its
 * backup is reported complete. */
bool qemuBackupStoreSync(const char *path, GError **error);

/* Detach whatever of @disk's store is attached; the name of a node
 * detached (or found absent) is cleared, that of a node QEMU still holds
 * is kept, so that a later call retries it. True when none is left.
 * Errors are logged: the caller is cleaning up, and decides what a node
 * left attached means (a push target's last metadata may then still be
 * in QEMU's cache: qemuBackupSyncTargets fails the backup). */
bool qemuBackupStoreDetach(qemuMonitor *mon, qemuBackupJobDisk *disk);

/* Delete @path if Cairn created it (@disk->created), then clear the mark. */
void qemuBackupStoreDelete(qemuBackupJobDisk *disk, const char *path);
