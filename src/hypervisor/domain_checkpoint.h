/*
 * domain_checkpoint.h: what every in-process driver does the same way
 * with a domain's checkpoint tree: finding a checkpoint, preparing a new
 * or redefined one, putting it in the tree, and answering lookups and
 * listings with handles. The driver finds the tree, holds its lock, and
 * does its own hypervisor work (bitmaps) around these.
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "cairn/cairn-domain-checkpoint.h"
#include "conf/checkpoint_conf.h"
#include "conf/domain_conf.h"
#include "conf/moment_tree.h"
#include "datatypes.h"

/* The flags cairnDomainListAllCheckpoints and ListAllChildren accept. */
#define CAIRN_CHECKPOINT_LIST_DOMAIN_FLAGS                                                         \
 (CAIRN_DOMAIN_CHECKPOINT_LIST_ROOTS | CAIRN_DOMAIN_CHECKPOINT_LIST_TOPOLOGICAL |                  \
  CAIRN_DOMAIN_CHECKPOINT_LIST_LEAVES | CAIRN_DOMAIN_CHECKPOINT_LIST_NO_LEAVES)
#define CAIRN_CHECKPOINT_LIST_CHILDREN_FLAGS                                                       \
 (CAIRN_DOMAIN_CHECKPOINT_LIST_DESCENDANTS | CAIRN_DOMAIN_CHECKPOINT_LIST_TOPOLOGICAL |            \
  CAIRN_DOMAIN_CHECKPOINT_LIST_LEAVES | CAIRN_DOMAIN_CHECKPOINT_LIST_NO_LEAVES)

/* The node named @name, or NULL with CAIRN_ERR_NO_DOMAIN_CHECKPOINT "no
 * domain checkpoint with matching name 'X'". */
cairnMomentObj *cairnCheckpointFind(const cairnMomentList *list, const char *name, GError **error);

/* A checkpoint taken now (spec/qemu.md 1, steps 2-3): a copy of @domdef
 * becomes its <domain>, its disks are aligned against it, and its parent
 * is the current checkpoint. Alignment errors as cairnCheckpointAlignDisks;
 * then cairnCheckpointDefCheckLimits(), so that nothing is written for a
 * checkpoint that could not be saved and loaded back. */
bool cairnCheckpointPrepareNew(const cairnMomentList *list,
                               cairnCheckpointDef *def,
                               const cairnDomainDef *domdef,
                               GError **error);

/* Redefine rules (spec/xml.md 1.4, semantics.md 1): the limits of
 * cairnCheckpointDefCheckLimits(), the parent exists and
 * makes no cycle, the definition suits the domain with @uuid, and
 * *@ret_update_current says whether the redefined checkpoint becomes
 * current (when there is none, or its parent is the current one). */
bool cairnCheckpointPrepareRedefine(const cairnMomentList *list,
                                    cairnCheckpointDef *def,
                                    const unsigned char *uuid,
                                    bool *ret_update_current,
                                    GError **error);

/* Put *@def in the tree (stolen on success): a redefinition of an existing
 * name replaces it in place, keeping its children (@redefine); otherwise a
 * new node is added and linked under its parent (duplicate name:
 * OPERATION_FAILED "domain moment X already exists"). It becomes current
 * if @make_current. */
cairnMomentObj *cairnCheckpointCommit(cairnMomentList *list,
                                      cairnCheckpointDef **def,
                                      bool redefine,
                                      bool make_current,
                                      GError **error);

/* The checkpoints below @from_name (NULL: the whole domain) as new
 * handles on @dom, per @flags (already checked by the caller); with @out
 * NULL only the count. Returns the count, or -1 when @from_name is not
 * found. */
int cairnCheckpointListHandles(cairnDomain *dom,
                               const cairnMomentList *list,
                               const char *from_name,
                               cairnDomainCheckpoint ***out,
                               unsigned int flags,
                               GError **error);

/* A new handle on @name's parent, or NULL: NO_DOMAIN_CHECKPOINT when
 * @name does not exist or is a root ("checkpoint 'X' does not have a
 * parent"). */
cairnDomainCheckpoint *cairnCheckpointParentHandle(cairnDomain *dom,
                                                   const cairnMomentList *list,
                                                   const char *name,
                                                   GError **error);
