/*
 * moment_tree.h: the checkpoint tree of one domain (libvirt's "moment
 * list"): unique names, parent/children, the hidden current checkpoint,
 * listing with filters, and the tree surgery that delete and redefine need.
 * Semantics: spec/semantics.md sections 1-3.
 *
 * Built for scale: lookup is a hash, every node keeps a doubly linked
 * child list (unlinking is O(1)), and walks are iterative (a chain of
 * 10,000 checkpoints does not recurse 10,000 deep).
 *
 * Not thread-safe: callers hold the owning domain's lock.
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "checkpoint_conf.h"

typedef struct _cairnMomentObj cairnMomentObj;
struct _cairnMomentObj {
    cairnCheckpointDef *def;     /* owned; NULL only for the metaroot */
    cairnMomentObj *parent;      /* the metaroot for roots; NULL for the metaroot */
    cairnMomentObj *first_child; /* most recently linked child first */
    cairnMomentObj *prev_sibling;
    cairnMomentObj *next_sibling;
    size_t nchildren;
};

typedef struct _cairnMomentList cairnMomentList;

/* Delete flags: numerically equal to the public
 * CAIRN_DOMAIN_CHECKPOINT_DELETE_*. METADATA_ONLY does not change what
 * happens to the tree. */
typedef enum {
    CAIRN_MOMENT_DELETE_CHILDREN = 1 << 0,
    CAIRN_MOMENT_DELETE_METADATA_ONLY = 1 << 1,
    CAIRN_MOMENT_DELETE_CHILDREN_ONLY = 1 << 2,
} cairnMomentDeleteFlags;

/* Filters: numerically equal to the public CAIRN_DOMAIN_CHECKPOINT_LIST_*. */
typedef enum {
    CAIRN_MOMENT_LIST_ROOTS = 1 << 0,       /* from the metaroot: roots only */
    CAIRN_MOMENT_LIST_DESCENDANTS = 1 << 0, /* from a node: whole subtree */
    CAIRN_MOMENT_LIST_TOPOLOGICAL = 1 << 1,
    CAIRN_MOMENT_LIST_LEAVES = 1 << 2,
    CAIRN_MOMENT_LIST_NO_LEAVES = 1 << 3,
} cairnMomentListFlags;

cairnMomentList *cairnMomentListNew(void);
void cairnMomentListFree(cairnMomentList *list);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(cairnMomentList, cairnMomentListFree)

size_t cairnMomentListSize(const cairnMomentList *list);
cairnMomentObj *cairnMomentListLookup(const cairnMomentList *list, const char *name);

/* The hidden current checkpoint (NULL when none). */
cairnMomentObj *cairnMomentListGetCurrent(const cairnMomentList *list);
void cairnMomentListSetCurrent(cairnMomentList *list, cairnMomentObj *obj);

/* Add @def (stolen on success only) as a new node, not yet linked to a
 * parent. Duplicate name: CAIRN_ERR_OPERATION_FAILED "domain moment NAME
 * already exists" (from CAIRN_FROM_DOMAIN_CHECKPOINT). */
cairnMomentObj *cairnMomentListAdd(cairnMomentList *list, cairnCheckpointDef *def, GError **error);

/* Link @obj under the node named by obj->def->parent_name, prepending it
 * to that node's children, or under the metaroot when that is NULL or not
 * found. Returns false (no error is set; the caller may log) when a parent
 * is named but not found, or when linking there would close a loop (@obj
 * itself or one of its descendants); @obj is then a root. An already
 * linked @obj is unlinked first. */
bool cairnMomentListLink(cairnMomentList *list, cairnMomentObj *obj);

/* Unlink @obj from its parent in O(1) (its own children stay attached to
 * it). No-op when @obj is not linked. */
void cairnMomentUnlink(cairnMomentObj *obj);

/* Unlink, drop from the hash, free the node and its def. @obj must have
 * no children. If it was current, current becomes NULL (callers apply the
 * semantic rules first). */
void cairnMomentListRemove(cairnMomentList *list, cairnMomentObj *obj);

/* Rebuild every link from the defs' parent_name (after loading saved
 * metadata): missing parents and cycles attach to the metaroot (one node
 * per cycle is cut loose; the defs are left as they are). Nodes are linked
 * oldest first (creation_time, then name), so siblings list newest first
 * as in a live tree. The current pointer is left alone. Linear time.
 * Returns the number of nodes that had to be attached that way. */
size_t cairnMomentListRebuild(cairnMomentList *list);

/* The unique leaf, or NULL if the tree has zero or several leaves. */
cairnMomentObj *cairnMomentListUniqueLeaf(const cairnMomentList *list);

/* List nodes per spec/semantics.md 1: from the metaroot when @from is
 * NULL (all nodes, or only roots with ROOTS), else @from's children (or
 * its whole subtree with DESCENDANTS, not including @from). TOPOLOGICAL
 * (or a subtree walk) yields depth-first pre-order; LEAVES/NO_LEAVES
 * filter. Without TOPOLOGICAL the order is unspecified by the API; this
 * implementation always walks in pre-order. Nodes added but never linked
 * are not visited. Returns a new array of borrowed cairnMomentObj*. */
GPtrArray *
cairnMomentListCollect(const cairnMomentList *list, cairnMomentObj *from, unsigned int flags);

/* Count what cairnMomentListCollect() would return; O(1) without
 * LEAVES/NO_LEAVES except for DESCENDANTS of a real node (a subtree walk).
 * Domain-wide without ROOTS this is the hash size. */
size_t cairnMomentListCount(const cairnMomentList *list, cairnMomentObj *from, unsigned int flags);

/* Number of descendants of @obj (not counting @obj). */
size_t cairnMomentCountDescendants(cairnMomentObj *obj);

/* True when @obj is the metaroot's direct child. */
bool cairnMomentIsRoot(const cairnMomentObj *obj);

/* Redefine checks (spec/xml.md 1.4): @parent_name must not be @name
 * ("cannot set moment X as its own parent"), must exist ("parent P for
 * moment X not found") and must not have @name among its ancestors
 * ("parent A would create cycle to X"; as in libvirt, A is the ancestor
 * whose def names X as its parent, which is P itself only when P is X's
 * child); all CAIRN_ERR_INVALID_ARG. A NULL @parent_name passes. The
 * ancestor walk follows the defs' parent_name as libvirt does; it is
 * skipped (O(1)) when @name is not in the list and no root names a
 * missing or cut parent. */
bool cairnMomentCheckRedefineParent(const cairnMomentList *list,
                                    const char *name,
                                    const char *parent_name,
                                    GError **error);

/* Move @obj's children to @obj's parent, rewriting their def->parent_name
 * (NULL when @obj is a root). @changed, if not NULL, receives every moved
 * child (borrowed) so a driver can rewrite their metadata files. */
void cairnMomentReparentChildren(cairnMomentList *list, cairnMomentObj *obj, GPtrArray *changed);

/* All descendants of @obj in an order where every node comes after its
 * descendants (post-order: safe to remove one by one). Borrowed. */
GPtrArray *cairnMomentCollectDescendantsPostOrder(cairnMomentObj *obj);

/* Replace the def of an existing node in place (redefine of an existing
 * name; @def must carry the same name): @def is stolen, the old def freed;
 * children stay; the node is relinked (prepended) according to the new
 * def->parent_name. */
void cairnMomentReplaceDef(cairnMomentList *list, cairnMomentObj *obj, cairnCheckpointDef *def);

/* Delete per spec/semantics.md 2 at the tree level, flags numerically
 * equal to the public CAIRN_DOMAIN_CHECKPOINT_DELETE_* (CHILDREN = 1,
 * CHILDREN_ONLY = 4; METADATA_ONLY is the driver's business). Updates the
 * current pointer as libvirt does. @removed receives the names of the
 * discarded checkpoints (owned strings) and @changed the nodes whose
 * definition changed (reparented children, or a node that became current),
 * so a driver can unlink / rewrite files. Either may be NULL; @removed
 * should free its elements with g_free. Discard order (and the order of
 * @removed): descendants in pre-order, then @obj. Every node left in
 * @changed is still in the tree. Linear in the nodes touched. */
void cairnMomentDelete(cairnMomentList *list,
                       cairnMomentObj *obj,
                       unsigned int flags,
                       GPtrArray *removed,
                       GPtrArray *changed);
