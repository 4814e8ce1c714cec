/*
 * qemu_backup.h: cairnDomainBackupBegin and cairnDomainBackupGetXMLDesc
 * of the qemu driver (spec/qemu.md 5, spec/semantics.md 7).
 *
 * Begin holds the domain's lock throughout and talks to QEMU over one
 * monitor connection (the domain's QEMU, or for a shut-off domain a
 * qemu-storage-daemon started for the job and recorded in the job file,
 * which runs until the job ends: qemu_blockhost.h): it checks and aligns
 * the definition, creates and attaches the target or scratch images,
 * starts the NBD server (pull), runs one transaction with the new
 * checkpoint's bitmaps, the temporary incremental bitmaps and every disk's
 * blockdev-backup (auto-dismiss off: see qemu_backup_end.h), adds the NBD
 * exports (pull), and registers the checkpoint. The job is recorded in ROOT/run/NAME.backup-job before the
 * first image is made, so whatever fails, in this process or after it
 * died, is undone by the rollback (qemuBackupRollback) from what the file
 * says exists, including the bitmaps of a checkpoint made with it.
 *
 * Tuning (optional), ROOT/etc/backup.conf, a key file (docs/backup.md):
 *   [backup]           every domain
 *   speed=BYTES        rate limit of every disk job, bytes/s (0: none)
 *   max-workers=N      blockdev-backup x-perf.max-workers (0: QEMU's)
 *   max-chunk=BYTES    blockdev-backup x-perf.max-chunk (0: QEMU's)
 *   use-copy-range=BOOL  x-perf.use-copy-range: copy_file_range(2)
 *                      between source and target (default true; QEMU falls
 *                      back to its buffer copy where the kernel cannot)
 *   direct=BOOL        open targets and scratch files with O_DIRECT (default
 *                      false; a filesystem without O_DIRECT, tmpfs, falls
 *                      back to the page cache): the backup then leaves the
 *                      host's page cache alone, but waits on every write
 *   fleecing=BOOL      push: fleece every disk (qemu_backup_fleece.h), also
 *                      those without a <scratch> (default false)
 *   scratch-dir=DIR    where generated fleecing scratch files go (default:
 *                      beside the disk's image, <source>.<suffix>.fleece)
 *   [domain NAME]      the same keys for one domain, over [backup]
 * Booleans are yes/no, true/false or 1/0.
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "conf/backup_conf.h"
#include "conf/checkpoint_conf.h"
#include "driver.h"
#include "qemu_domain.h"

bool qemuDomainBackupBegin(cairnDomain *dom,
                           const char *backupXML,
                           const char *checkpointXML,
                           unsigned int flags,
                           GError **error);
/* The begin of qemuDomainBackupBegin() once the domain is found, locked
 * and settled (qemuCallBegin()) and both documents parsed: @def and @chk
 * (NULL: no checkpoint) are taken, @suffix names generated files. Below
 * the public API so that tests can run it on a driver state of their own
 * (tests/qmp/qmpdrivertest.c). */
bool qemuBackupBeginObj(qemuDriverState *drv,
                        cairnConnect *conn,
                        qemuDomainObj *obj,
                        cairnBackupDef **def,
                        cairnCheckpointDef **chk,
                        const char *suffix,
                        unsigned int flags,
                        GError **error);
char *qemuDomainBackupGetXMLDesc(cairnDomain *dom, unsigned int flags, GError **error);
