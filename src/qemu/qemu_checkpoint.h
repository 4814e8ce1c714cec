/*
 * qemu_checkpoint.h: the qemu driver's checkpoint calls.
 *
 * Semantics as spec/qemu.md 1-4 and spec/semantics.md, with one addition:
 * a shut-off domain is not refused. Create, delete (every flag), SIZE and
 * REDEFINE_VALIDATE then run the same QMP against a qemu-storage-daemon
 * over the domain's images (qemu_blockhost.h), so bitmaps and metadata end
 * up exactly as on a running domain.
 *
 * Calls that change a checkpoint, or talk to QEMU, hold the domain's lock
 * file (libvirt's modify job) and re-read the domain and its checkpoint
 * files after taking it; listing and lookups only re-read.
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "driver.h"
#include "qemu_blockhost.h"
#include "qemu_domain.h"
#include "qemu_monitor_cmd.h"
#include "conf/checkpoint_conf.h"
#include "util/cairnfile.h"

cairnDomainCheckpoint *qemuDomainCheckpointCreateXML(cairnDomain *dom,
                                                     const char *xml,
                                                     unsigned int flags,
                                                     GError **error);
char *
qemuDomainCheckpointGetXMLDesc(cairnDomainCheckpoint *chk, unsigned int flags, GError **error);
int qemuDomainListAllCheckpoints(cairnDomain *dom,
                                 cairnDomainCheckpoint ***chks,
                                 unsigned int flags,
                                 GError **error);
int qemuDomainCheckpointListAllChildren(cairnDomainCheckpoint *chk,
                                        cairnDomainCheckpoint ***chks,
                                        unsigned int flags,
                                        GError **error);
cairnDomainCheckpoint *qemuDomainCheckpointLookupByName(cairnDomain *dom,
                                                        const char *name,
                                                        unsigned int flags,
                                                        GError **error);
cairnDomainCheckpoint *
qemuDomainCheckpointGetParent(cairnDomainCheckpoint *chk, unsigned int flags, GError **error);
bool qemuDomainCheckpointDelete(cairnDomainCheckpoint *chk, unsigned int flags, GError **error);

/* qemu_checkpoint_validate.c */
char *qemuDomainCheckpointValidate(cairnDomain *dom,
                                   const char *checkpoint,
                                   unsigned int flags,
                                   GError **error);

/* ---- shared by the checkpoint files ----------------------------------- */

/* The tree node named @name, or NULL with CAIRN_ERR_NO_DOMAIN_CHECKPOINT. */
cairnMomentObj *qemuCheckpointFind(qemuDomainObj *obj, const char *name, GError **error);

/* Forget the in-memory tree so the next call re-reads the files: after a
 * failure that left memory and files apart. */
void qemuCheckpointInvalidate(qemuDomainObj *obj);

/* The format nodes of the backing chain of disk @dst (see
 * qemu_bitmap.h): empty when the domain has the disk but QEMU has no node
 * for it (then every bitmap is missing). Borrowed nodes of @nodes. */
GPtrArray *qemuCheckpointDiskChain(qemuBlockHost *host, GPtrArray *nodes, const char *dst);

/* A checkpoint created with a backup (spec/qemu.md 5 step 4), in three
 * steps: PrepareNew aligns @def against the domain, checks the qemu rules
 * and sets the current checkpoint as parent (no QMP, nothing registered);
 * AddActions appends its bitmap-add actions (top nodes of @host) to @tr,
 * the backup's transaction; after that transaction, CommitNew registers
 * @def (taken) as the new current checkpoint and writes its files.
 * qemuDomainCheckpointCreateXML() uses the same three. */
bool qemuCheckpointPrepareNew(qemuDomainObj *obj, cairnCheckpointDef *def, GError **error);
bool qemuCheckpointAddActions(qemuBlockHost *host,
                              const cairnCheckpointDef *def,
                              qemuMonitorTransaction *tr,
                              GError **error);
cairnMomentObj *qemuCheckpointCommitNew(qemuDriverState *drv,
                                        qemuDomainObj *obj,
                                        cairnCheckpointDef **def,
                                        GError **error);

/* Persist what a tree change did: unlink the files of @removed (names),
 * rewrite those of @changed (nodes), and the current file. */
bool qemuCheckpointCommitChanges(qemuDriverState *drv,
                                 qemuDomainObj *obj,
                                 GPtrArray *removed,
                                 GPtrArray *changed,
                                 GError **error);
