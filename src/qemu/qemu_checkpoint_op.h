/*
 * qemu_checkpoint_op.h: a checkpoint create or delete, recorded before it
 * touches images or metadata, so that whoever comes next finishes or
 * undoes it.
 *
 *   ROOT/run/NAME.checkpoint-op   (written atomically; absent when no
 *                                  change is under way)
 *
 *   <checkpointop op='create' phase='bitmaps' current='c0'>
 *     <bitmap disk='vda' name='c1'/>
 *     <domaincheckpoint>...</domaincheckpoint>    (metadata form)
 *   </checkpointop>
 *
 *   <checkpointop op='delete' name='c1' flags='1' current='c0'>
 *     <bitmap disk='vda' name='c1'/>              (every bitmap to remove)
 *     <checkpoint name='c1'/>                     (every checkpoint discarded)
 *   </checkpointop>
 *
 * Create: phase 'bitmaps' is recorded before the transaction that adds the
 * bitmaps (@current: the current checkpoint before); its recovery is undo
 * (the recorded bitmaps are removed where they exist, the checkpoint's
 * file if a failed commit wrote it, and @current is current again). Phase 'metadata' is recorded once the bitmaps exist; its
 * recovery is finish (the checkpoint's file written unless it exists, and
 * it made current). Delete has one phase, recorded before the first bitmap
 * goes; its recovery is finish: the recorded bitmaps are removed where they
 * still exist (on the disks' top nodes), every recorded checkpoint still in
 * the metadata is discarded (children re-parented as by the delete), and
 * the current checkpoint becomes @current when it was discarded. The record
 * is removed last. qemuCallBegin() runs the recovery (qemu_call.h).
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "conf/checkpoint_conf.h"
#include "qemu_domain.h"

typedef enum {
    QEMU_CHECKPOINT_OP_CREATE = 0,
    QEMU_CHECKPOINT_OP_DELETE,
} qemuCheckpointOpType;

typedef enum {
    QEMU_CHECKPOINT_OP_PHASE_BITMAPS = 0, /* create: undo; delete: finish */
    QEMU_CHECKPOINT_OP_PHASE_METADATA,    /* create: finish */
} qemuCheckpointOpPhase;

typedef struct {
    qemuCheckpointOpType type;
    qemuCheckpointOpPhase phase;
    char *name;         /* delete: the checkpoint asked for */
    unsigned int flags; /* delete: its flags */
    char *current;      /* create: current before; delete: current after */
    GPtrArray *disks;   /* of char*: the disk of each bitmap */
    GPtrArray *bitmaps; /* of char*: the bitmap names, parallel to @disks */
    GPtrArray *names;   /* delete: of char*, the checkpoints discarded */
    char *def_xml;      /* create: the new checkpoint */
} qemuCheckpointOp;

qemuCheckpointOp *qemuCheckpointOpNew(qemuCheckpointOpType type);
void qemuCheckpointOpFree(qemuCheckpointOp *op);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(qemuCheckpointOp, qemuCheckpointOpFree)

void qemuCheckpointOpAddBitmap(qemuCheckpointOp *op, const char *disk, const char *name);

char *qemuCheckpointOpFormat(const qemuCheckpointOp *op);
qemuCheckpointOp *qemuCheckpointOpParse(const char *xml, const char *what, GError **error);

bool qemuCheckpointOpSave(qemuDriverState *drv,
                          qemuDomainObj *obj,
                          const qemuCheckpointOp *op,
                          GError **error);
bool qemuCheckpointOpRemove(qemuDriverState *drv, qemuDomainObj *obj, GError **error);

/* Finish or undo the change recorded for @obj, if any (see above). The
 * caller holds the domain's lock. */
bool qemuCheckpointOpRecover(qemuDriverState *drv, qemuDomainObj *obj, GError **error);

/* A create (@op) failed after its bitmaps were made: undo it now, as the
 * recovery of phase bitmaps does (also metadata a failed commit wrote),
 * and drop the record. Errors are logged. */
void qemuCheckpointOpUndo(qemuDriverState *drv, qemuDomainObj *obj, const qemuCheckpointOp *op);

/* Make @name current (when it is in the tree; else no current) and write
 * the current file. */
bool qemuCheckpointOpSetCurrent(qemuDriverState *drv,
                                qemuDomainObj *obj,
                                const char *name,
                                GError **error);
