/*
 * qemu_checkpoint_meta.h: a domain's checkpoint metadata under ROOT.
 *
 *   ROOT/checkpoints/DOMAIN/NAME.xml   one file per checkpoint: libvirt's
 *                                      checkpoint XML with secrets and the
 *                                      <domain>, under a do-not-edit comment
 *   ROOT/checkpoints/DOMAIN/current    the current checkpoint's name and a
 *                                      newline; absent when there is none
 *
 * Every file is written atomically (util/cairnfile.h). The files are the
 * truth and obj->checkpoints a cache of them: several connections and
 * processes share a root. qemuCheckpointObjRefresh() re-reads the
 * directory and rebuilds the tree only when some file changed since it was
 * last read or written here; then the current checkpoint is the one the
 * current file names, when it exists, else the unique leaf (else none).
 * Writers hold the domain's lock file.
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "conf/moment_tree.h"
#include "qemu_domain.h"

/* Bring @obj->checkpoints in line with the files. A NAME.xml that cannot
 * be loaded (unreadable, too large, not a valid checkpoint of this domain,
 * a duplicate) is not skipped silently, as libvirt 9.0 does (it logs and
 * drops it): it is kept in @obj->checkpoint_bad, and every checkpoint call
 * of the domain then fails with qemuCheckpointCheckLoaded()'s error, but
 * checkpoint validation, which reports each such file. Only a directory
 * that cannot be listed is an error here, so that the domain itself
 * (start, stop, info) is not held up by its checkpoint metadata. */
bool qemuCheckpointObjRefresh(qemuDriverState *drv, qemuDomainObj *obj, GError **error);

/* The number of checkpoint files of @obj that could not be loaded. */
guint qemuCheckpointBadCount(const qemuDomainObj *obj);

/* False, with CAIRN_ERR_OPERATION_FAILED "checkpoint metadata of domain
 * 'D' cannot be loaded: file 'PATH': WHY ...", when a checkpoint file of
 * @obj could not be loaded. */
bool qemuCheckpointCheckLoaded(const qemuDomainObj *obj, GError **error);

/* Write @chk's file. CAIRN_ERR_INTERNAL_ERROR "unable to save metadata
 * for checkpoint X: WHY" on failure. */
bool qemuCheckpointSaveDef(qemuDriverState *drv,
                           qemuDomainObj *obj,
                           const cairnMomentObj *chk,
                           GError **error);

/* Remove the file of checkpoint @name (a missing file is fine). The
 * removal is made durable by the next qemuCheckpointSaveCurrent(). */
bool
qemuCheckpointRemoveDef(qemuDriverState *drv, qemuDomainObj *obj, const char *name, GError **error);

/* Write (or remove, when there is none) the current file from
 * obj->checkpoints' current pointer, and sync the directory, so that every
 * change made in it before is durable. */
bool qemuCheckpointSaveCurrent(qemuDriverState *drv, qemuDomainObj *obj, GError **error);
