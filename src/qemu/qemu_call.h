/*
 * qemu_call.h: how every qemu driver call that changes a domain, or looks
 * at its job, begins: one entry instead of one per file.
 *
 * Under drv->lock (QEMU_LOCK), qemuCallBegin() looks the domain up (no
 * lock file is made for a missing domain), takes its lock file, re-reads
 * its files, reconciles it with its QEMU (a QEMU found gone makes it shut
 * off), thaws a guest that a killed process left frozen (qemu_quiesce.h),
 * and then recovers what an interrupted call left for it to finish:
 * a backup job of a domain that is shut off now is reconciled (a job that
 * ran in the domain's QEMU ends as failed; one run by a storage daemon of
 * its own is finished when it ended), and a checkpoint create or delete
 * cut short is undone or finished (qemu_checkpoint_op.h); a job call that
 * reconciles the job itself skips both (QEMU_CALL_NO_SETTLE). This is where "the domain stopped under
 * its backup" is noticed; the process layer (qemu_process.h) knows nothing
 * of backups.
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "datatypes.h"
#include "qemu_domain.h"
#include "util/cairnfile.h"

typedef enum {
    QEMU_CALL_QUERY = 1 << 0,     /* ask QEMU how the guest is, not only whether it lives */
    QEMU_CALL_NO_SETTLE = 1 << 1, /* the caller reconciles the backup job itself */
} qemuCallFlags;

/* Begin a call on @dom (see above), waiting up to @timeout_ms for its lock
 * (held in *@ret_lock on success). Events of a job that ends go to
 * @dom->conn. NULL with CAIRN_ERR_NO_DOMAIN when the domain is gone (a
 * transient one is then forgotten). */
qemuDomainObj *qemuCallBegin(qemuDriverState *drv,
                             cairnDomain *dom,
                             unsigned int flags,
                             int timeout_ms,
                             cairnFileLock **ret_lock,
                             GError **error);
