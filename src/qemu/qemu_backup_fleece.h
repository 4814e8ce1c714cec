/*
 * qemu_backup_fleece.h: fleecing for push backups (beyond libvirt).
 *
 * Without it a push backup's copy-before-write writes the old data of
 * every guest write to the backup target before the guest write goes on:
 * a slow target slows the guest. With it, QEMU's copy-before-write filter
 * (QEMU 7.2) sits between the disk device and the disk's top node and
 * copies that old data into a local scratch qcow2 instead; a
 * snapshot-access node above the filter shows the disk as it was when the
 * filter went in, and the backup job copies from that node to the target
 * at its own pace. on-cbw-error=break-snapshot (where QEMU has it) makes a
 * failing scratch write end the snapshot (the backup then fails), never
 * the guest's write.
 *
 * Per disk, in order, each name recorded in the job file before it is
 * made (qemu_backup_job.h):
 *   1. the scratch file (O_EXCL) and its file and qcow2 nodes
 *      (qemuBackupFleeceCreate);
 *   2. with the guest stopped (the begin records paused='yes' first and
 *      resumes it after the one transaction, so that the filter, the
 *      checkpoint's bitmaps and the job start at the same instant): the
 *      copy-before-write node over the top node, the device moved onto it
 *      with qom-set of its "drive" (swapped), the snapshot-access node
 *      (qemuBackupFleeceInsert).
 * qemuBackupFleeceRemove undoes whatever of this may exist, in reverse
 * order: the access node, the device back onto the top node, the filter,
 * the scratch nodes and the file. Errors there are logged: it runs while
 * cleaning up.
 *
 * Only for a running domain: a shut-off one (its job runs in a storage
 * daemon) has no guest writes to protect, and its disks are backed up
 * without fleecing.
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "qemu_backup_job.h"
#include "qemu_monitor.h"

/* The device's QOM path of a disk whose QEMU alias is @alias
 * ("virtio-disk0", "ide0-0-1"), for qom-set of its "drive". */
char *qemuBackupFleeceQdev(const char *alias, bool virtio);

/* Step 1 for @jd (fleece_* names and fleece_created recorded by the
 * caller): create @path (must not exist: INVALID_ARG "scratch 'PATH' for
 * backup of 'DISK' exists"), attach and format it as qcow2 of @size
 * bytes, without backing. */
bool qemuBackupFleeceCreate(qemuMonitor *mon,
                            qemuBackupJobDisk *jd,
                            const char *path,
                            guint64 size,
                            bool direct,
                            GError **error);

/* Step 2 for @jd, the guest stopped; @save records the job (swapped)
 * before the device moves. */
bool qemuBackupFleeceInsert(qemuMonitor *mon,
                            qemuBackupJobDisk *jd,
                            bool (*save)(void *opaque, GError **error),
                            void *opaque,
                            GError **error);

/* Undo what may exist of @jd's fleecing (see above) and delete the
 * scratch file @path if Cairn created it; the names are cleared. */
void qemuBackupFleeceRemove(qemuMonitor *mon, qemuBackupJobDisk *jd, const char *path);
