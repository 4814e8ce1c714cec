/*
 * moment_tree.c: the checkpoint tree of one domain.
 *
 * Layout: a hash name -> node (the hash owns the nodes, a node owns its
 * def), an embedded metaroot that parents every root, and the current
 * pointer. Siblings form a doubly linked list headed by the parent's
 * first_child, so linking (prepend) and unlinking are O(1). Every walk is
 * iterative and uses the parent/sibling links instead of a stack.
 *
 * "Orphans" are roots whose def still names a parent (a parent missing
 * when the node was linked, or a link dropped to break a cycle). They are
 * the only way a new name can close a cycle, so they are tracked to keep
 * the redefine check O(1) for a new name in a sane tree.
 */
#define G_LOG_DOMAIN "cairn.conf"

#include <string.h>

#include "moment_tree.h"

#include "util/cairnerror.h"

struct _cairnMomentList {
    cairnMomentObj metaroot; /* must stay first: see cairnMomentListOf() */
    GHashTable *objs;        /* name (owned) -> cairnMomentObj (owned) */
    GHashTable *orphans;     /* set of cairnMomentObj (borrowed) */
    cairnMomentObj *current;
};


static void
cairnMomentObjFree(gpointer opaque)
{
    cairnMomentObj *obj = opaque;

    if (!obj)
        return;
    cairnCheckpointDefFree(obj->def);
    g_free(obj);
}


cairnMomentList *
cairnMomentListNew(void)
{
    cairnMomentList *list = g_new0(cairnMomentList, 1);

    list->objs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, cairnMomentObjFree);
    list->orphans = g_hash_table_new(g_direct_hash, g_direct_equal);
    return list;
}


void
cairnMomentListFree(cairnMomentList *list)
{
    if (!list)
        return;
    g_hash_table_unref(list->orphans);
    g_hash_table_unref(list->objs);
    g_free(list);
}


size_t
cairnMomentListSize(const cairnMomentList *list)
{
    return g_hash_table_size(list->objs);
}


cairnMomentObj *
cairnMomentListLookup(const cairnMomentList *list, const char *name)
{
    if (!name)
        return NULL;
    return g_hash_table_lookup(list->objs, name);
}


cairnMomentObj *
cairnMomentListGetCurrent(const cairnMomentList *list)
{
    return list->current;
}


void
cairnMomentListSetCurrent(cairnMomentList *list, cairnMomentObj *obj)
{
    list->current = obj;
}


/* The list whose metaroot is @metaroot (the metaroot is its first member). */
static cairnMomentList *
cairnMomentListOf(cairnMomentObj *metaroot)
{
    return (cairnMomentList *)metaroot;
}


static bool
cairnMomentIsMetaroot(const cairnMomentObj *obj)
{
    return obj->def == NULL;
}


/* Prepend @obj (currently unlinked) to @parent's children. */
static void
cairnMomentAttach(cairnMomentObj *obj, cairnMomentObj *parent)
{
    obj->parent = parent;
    obj->prev_sibling = NULL;
    obj->next_sibling = parent->first_child;
    if (parent->first_child)
        parent->first_child->prev_sibling = obj;
    parent->first_child = obj;
    parent->nchildren++;

    if (cairnMomentIsMetaroot(parent) && obj->def->parent_name)
        g_hash_table_add(cairnMomentListOf(parent)->orphans, obj);
}


cairnMomentObj *
cairnMomentListAdd(cairnMomentList *list, cairnCheckpointDef *def, GError **error)
{
    cairnMomentObj *obj;

    if (g_hash_table_contains(list->objs, def->name)) {
        cairnErrorSet(error, CAIRN_FROM_DOMAIN_CHECKPOINT, CAIRN_ERR_OPERATION_FAILED,
                      "domain moment %s already exists", def->name);
        return NULL;
    }

    obj = g_new0(cairnMomentObj, 1);
    obj->def = def;
    g_hash_table_insert(list->objs, g_strdup(def->name), obj);
    return obj;
}


/* True if @anc is @obj or one of its ancestors. O(depth of @obj). */
static bool
cairnMomentIsAncestorOrSelf(const cairnMomentObj *anc, const cairnMomentObj *obj)
{
    for (; obj; obj = obj->parent) {
        if (obj == anc)
            return true;
    }
    return false;
}


bool
cairnMomentListLink(cairnMomentList *list, cairnMomentObj *obj)
{
    cairnMomentObj *parent = cairnMomentListLookup(list, obj->def->parent_name);
    bool found = parent || !obj->def->parent_name;

    cairnMomentUnlink(obj);

    /* Never create a loop: a fresh node has no children, so only a node
     * being relinked with its subtree can meet itself above its parent. */
    if (parent && (parent == obj || (obj->nchildren && cairnMomentIsAncestorOrSelf(obj, parent)))) {
        parent = NULL;
        found = false;
    }

    cairnMomentAttach(obj, parent ? parent : &list->metaroot);
    return found;
}


void
cairnMomentUnlink(cairnMomentObj *obj)
{
    cairnMomentObj *parent = obj->parent;

    if (!parent)
        return;

    if (obj->prev_sibling) {
        obj->prev_sibling->next_sibling = obj->next_sibling;
    } else {
        parent->first_child = obj->next_sibling;
    }
    if (obj->next_sibling)
        obj->next_sibling->prev_sibling = obj->prev_sibling;
    parent->nchildren--;

    if (cairnMomentIsMetaroot(parent))
        g_hash_table_remove(cairnMomentListOf(parent)->orphans, obj);

    obj->parent = NULL;
    obj->prev_sibling = NULL;
    obj->next_sibling = NULL;
}


void
cairnMomentListRemove(cairnMomentList *list, cairnMomentObj *obj)
{
    g_return_if_fail(obj->nchildren == 0);

    cairnMomentUnlink(obj);
    if (list->current == obj)
        list->current = NULL;
    /* Frees the key, the node and its def. */
    g_hash_table_remove(list->objs, obj->def->name);
}


/* Order in which Rebuild links nodes: oldest first, so that, as in a live
 * tree, the newest sibling comes first; names break ties. */
static gint
cairnMomentRebuildCompare(gconstpointer a, gconstpointer b)
{
    const cairnMomentObj *x = *(cairnMomentObj *const *)a;
    const cairnMomentObj *y = *(cairnMomentObj *const *)b;

    if (x->def->creation_time != y->def->creation_time)
        return x->def->creation_time < y->def->creation_time ? -1 : 1;
    return strcmp(x->def->name, y->def->name);
}


/* Every node of @list, all links cleared, in rebuild order. */
static GPtrArray *
cairnMomentRebuildReset(cairnMomentList *list)
{
    GPtrArray *nodes = g_ptr_array_sized_new(g_hash_table_size(list->objs));
    GHashTableIter iter;
    gpointer value;

    g_hash_table_iter_init(&iter, list->objs);
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
        cairnMomentObj *obj = value;

        obj->parent = NULL;
        obj->first_child = NULL;
        obj->prev_sibling = NULL;
        obj->next_sibling = NULL;
        obj->nchildren = 0;
        g_ptr_array_add(nodes, obj);
    }
    list->metaroot.first_child = NULL;
    list->metaroot.nchildren = 0;
    g_hash_table_remove_all(list->orphans);

    g_ptr_array_sort(nodes, cairnMomentRebuildCompare);
    return nodes;
}


/* With every node's wanted parent in ->parent (NULL for the metaroot),
 * drop one link of every cycle. Each node is walked once: a walk stops at
 * a node marked by an earlier walk, and a node marked by the current walk
 * closes a cycle, which is cut there. Returns the number of cuts. */
static size_t
cairnMomentRebuildBreakCycles(GPtrArray *nodes)
{
    g_autoptr(GHashTable) marks = g_hash_table_new(g_direct_hash, g_direct_equal);
    size_t cuts = 0;
    size_t i;

    for (i = 0; i < nodes->len; i++) {
        gpointer walk = GSIZE_TO_POINTER(i + 1);
        cairnMomentObj *cur = g_ptr_array_index(nodes, i);

        while (cur && !g_hash_table_contains(marks, cur)) {
            g_hash_table_insert(marks, cur, walk);
            cur = cur->parent;
        }
        if (cur && g_hash_table_lookup(marks, cur) == walk) {
            cur->parent = NULL;
            cuts++;
        }
    }
    return cuts;
}


size_t
cairnMomentListRebuild(cairnMomentList *list)
{
    g_autoptr(GPtrArray) nodes = cairnMomentRebuildReset(list);
    size_t attached = 0;
    size_t i;

    for (i = 0; i < nodes->len; i++) {
        cairnMomentObj *obj = g_ptr_array_index(nodes, i);

        obj->parent = cairnMomentListLookup(list, obj->def->parent_name);
        if (obj->def->parent_name && !obj->parent) {
            g_debug("moment %s lacks parent %s", obj->def->name, obj->def->parent_name);
            attached++;
        }
    }

    attached += cairnMomentRebuildBreakCycles(nodes);

    for (i = 0; i < nodes->len; i++) {
        cairnMomentObj *obj = g_ptr_array_index(nodes, i);
        cairnMomentObj *parent = obj->parent;

        obj->parent = NULL;
        cairnMomentAttach(obj, parent ? parent : &list->metaroot);
    }
    return attached;
}


cairnMomentObj *
cairnMomentListUniqueLeaf(const cairnMomentList *list)
{
    const cairnMomentObj *obj = &list->metaroot;

    /* A forest has exactly one leaf iff it is a single chain. */
    if (obj->nchildren != 1)
        return NULL;
    while (obj->nchildren == 1)
        obj = obj->first_child;
    if (obj->nchildren != 0)
        return NULL;
    return (cairnMomentObj *)obj;
}


/* Depth-first pre-order successor of @node within the subtree of @top
 * (which is not itself visited); NULL when the subtree is exhausted. */
static cairnMomentObj *
cairnMomentNextPreOrder(cairnMomentObj *node, const cairnMomentObj *top)
{
    if (node->first_child)
        return node->first_child;
    while (node != top) {
        if (node->next_sibling)
            return node->next_sibling;
        node = node->parent;
    }
    return NULL;
}


static cairnMomentObj *
cairnMomentDeepestFirst(cairnMomentObj *node)
{
    while (node->first_child)
        node = node->first_child;
    return node;
}


/* Post-order successor of @node within the subtree of @top (excluded). */
static cairnMomentObj *
cairnMomentNextPostOrder(cairnMomentObj *node, const cairnMomentObj *top)
{
    if (node->next_sibling)
        return cairnMomentDeepestFirst(node->next_sibling);
    if (node->parent == top)
        return NULL;
    return node->parent;
}


static bool
cairnMomentMatches(const cairnMomentObj *obj, unsigned int flags)
{
    if ((flags & CAIRN_MOMENT_LIST_LEAVES) && obj->nchildren)
        return false;
    if ((flags & CAIRN_MOMENT_LIST_NO_LEAVES) && !obj->nchildren)
        return false;
    return true;
}


/* Visit what a listing visits (see cairnMomentListCollect), adding every
 * match to @out when it is not NULL; returns the number of matches. */
static size_t
cairnMomentListWalk(const cairnMomentList *list,
                    cairnMomentObj *from,
                    unsigned int flags,
                    GPtrArray *out)
{
    const unsigned int both = CAIRN_MOMENT_LIST_LEAVES | CAIRN_MOMENT_LIST_NO_LEAVES;
    cairnMomentObj *node;
    size_t count = 0;

    if (!from) {
        /* ROOTS and DESCENDANTS share a bit with opposite meanings. */
        flags ^= CAIRN_MOMENT_LIST_ROOTS;
        from = (cairnMomentObj *)&list->metaroot;
    }
    if ((flags & both) == both)
        return 0;

    if (flags & CAIRN_MOMENT_LIST_DESCENDANTS) {
        for (node = from->first_child; node; node = cairnMomentNextPreOrder(node, from)) {
            if (!cairnMomentMatches(node, flags))
                continue;
            if (out)
                g_ptr_array_add(out, node);
            count++;
        }
    } else {
        for (node = from->first_child; node; node = node->next_sibling) {
            if (!cairnMomentMatches(node, flags))
                continue;
            if (out)
                g_ptr_array_add(out, node);
            count++;
        }
    }
    return count;
}


GPtrArray *
cairnMomentListCollect(const cairnMomentList *list, cairnMomentObj *from, unsigned int flags)
{
    GPtrArray *out = g_ptr_array_new();

    cairnMomentListWalk(list, from, flags, out);
    return out;
}


size_t
cairnMomentListCount(const cairnMomentList *list, cairnMomentObj *from, unsigned int flags)
{
    if (!(flags & (CAIRN_MOMENT_LIST_LEAVES | CAIRN_MOMENT_LIST_NO_LEAVES))) {
        if (!from && (flags & CAIRN_MOMENT_LIST_ROOTS))
            return list->metaroot.nchildren;
        if (!from)
            return g_hash_table_size(list->objs);
        if (!(flags & CAIRN_MOMENT_LIST_DESCENDANTS))
            return from->nchildren;
    }
    return cairnMomentListWalk(list, from, flags, NULL);
}


size_t
cairnMomentCountDescendants(cairnMomentObj *obj)
{
    cairnMomentObj *node;
    size_t count = 0;

    for (node = obj->first_child; node; node = cairnMomentNextPreOrder(node, obj))
        count++;
    return count;
}


bool
cairnMomentIsRoot(const cairnMomentObj *obj)
{
    return obj->parent && cairnMomentIsMetaroot(obj->parent);
}


/* libvirt's walk over the definitions: from @other up through the
 * parent_name links, looking for a node whose parent is @name. Bounded by
 * the list size, so inconsistent saved data cannot make it loop. */
static bool
cairnMomentCheckAncestors(const cairnMomentList *list,
                          const cairnMomentObj *other,
                          const char *name,
                          GError **error)
{
    size_t steps = g_hash_table_size(list->objs);

    while (other && other->def->parent_name && steps-- > 0) {
        if (g_str_equal(other->def->parent_name, name)) {
            cairnErrorSet(error, CAIRN_FROM_DOMAIN_CHECKPOINT, CAIRN_ERR_INVALID_ARG,
                          "parent %s would create cycle to %s", other->def->name, name);
            return false;
        }
        other = cairnMomentListLookup(list, other->def->parent_name);
    }
    return true;
}


bool
cairnMomentCheckRedefineParent(const cairnMomentList *list,
                               const char *name,
                               const char *parent_name,
                               GError **error)
{
    const cairnMomentObj *parent;

    if (!parent_name)
        return true;

    if (g_str_equal(name, parent_name)) {
        cairnErrorSet(error, CAIRN_FROM_DOMAIN_CHECKPOINT, CAIRN_ERR_INVALID_ARG,
                      "cannot set moment %s as its own parent", name);
        return false;
    }

    if (!(parent = cairnMomentListLookup(list, parent_name))) {
        cairnErrorSet(error, CAIRN_FROM_DOMAIN_CHECKPOINT, CAIRN_ERR_INVALID_ARG,
                      "parent %s for moment %s not found", parent_name, name);
        return false;
    }

    /* Only an existing node, or an orphan naming @name as its parent, can
     * be reached from @parent: a new name in a tree without orphans is
     * fine without walking. */
    if (!cairnMomentListLookup(list, name) && g_hash_table_size(list->orphans) == 0)
        return true;

    return cairnMomentCheckAncestors(list, parent, name, error);
}


/* Point @obj's def at @parent (NULL: no parent). */
static void
cairnMomentSetParentName(cairnMomentObj *obj, const cairnMomentObj *parent)
{
    char *name = parent && parent->def ? g_strdup(parent->def->name) : NULL;

    g_free(obj->def->parent_name);
    obj->def->parent_name = name;
}


void
cairnMomentReparentChildren(cairnMomentList *list, cairnMomentObj *obj, GPtrArray *changed)
{
    cairnMomentObj *to = obj->parent ? obj->parent : &list->metaroot;
    cairnMomentObj *child;
    cairnMomentObj *last = NULL;

    if (!obj->first_child)
        return;

    for (child = obj->first_child; child; child = child->next_sibling) {
        cairnMomentSetParentName(child, to);
        child->parent = to;
        if (changed)
            g_ptr_array_add(changed, child);
        last = child;
    }

    /* The whole child list goes, in its order, in front of @to's. */
    last->next_sibling = to->first_child;
    if (to->first_child)
        to->first_child->prev_sibling = last;
    to->first_child = obj->first_child;
    to->nchildren += obj->nchildren;

    obj->first_child = NULL;
    obj->nchildren = 0;
}


GPtrArray *
cairnMomentCollectDescendantsPostOrder(cairnMomentObj *obj)
{
    GPtrArray *out = g_ptr_array_new();
    cairnMomentObj *node = obj->first_child ? cairnMomentDeepestFirst(obj->first_child) : NULL;

    for (; node; node = cairnMomentNextPostOrder(node, obj))
        g_ptr_array_add(out, node);
    return out;
}


void
cairnMomentReplaceDef(cairnMomentList *list, cairnMomentObj *obj, cairnCheckpointDef *def)
{
    g_return_if_fail(g_str_equal(obj->def->name, def->name));

    cairnMomentUnlink(obj);
    cairnCheckpointDefFree(obj->def);
    obj->def = def;
    cairnMomentListLink(list, obj);
}


/* Discard every descendant of @obj (names to @removed in pre-order,
 * libvirt's discard order). Returns true if the current one was among
 * them; current is then NULL. */
static bool
cairnMomentDiscardDescendants(cairnMomentList *list, cairnMomentObj *obj, GPtrArray *removed)
{
    g_autoptr(GPtrArray) nodes = g_ptr_array_sized_new(obj->nchildren);
    cairnMomentObj *node;
    bool found = false;
    guint i;

    for (node = obj->first_child; node; node = cairnMomentNextPreOrder(node, obj)) {
        g_ptr_array_add(nodes, node);
        if (node == list->current)
            found = true;
        if (removed)
            g_ptr_array_add(removed, g_strdup(node->def->name));
    }

    /* Reverse pre-order puts every node after all of its descendants. */
    for (i = nodes->len; i > 0; i--)
        cairnMomentListRemove(list, g_ptr_array_index(nodes, i - 1));
    return found;
}


/* Discard @obj itself (no children left); a current @obj hands current
 * to its parent. */
static void
cairnMomentDiscard(cairnMomentList *list,
                   cairnMomentObj *obj,
                   GPtrArray *removed,
                   GPtrArray *changed)
{
    cairnMomentObj *parent = obj->parent;

    if (list->current == obj) {
        list->current = NULL;
        if (parent && !cairnMomentIsMetaroot(parent)) {
            list->current = parent;
            if (changed)
                g_ptr_array_add(changed, parent);
        }
    }
    if (removed)
        g_ptr_array_add(removed, g_strdup(obj->def->name));
    cairnMomentListRemove(list, obj);
}


void
cairnMomentDelete(cairnMomentList *list,
                  cairnMomentObj *obj,
                  unsigned int flags,
                  GPtrArray *removed,
                  GPtrArray *changed)
{
    const unsigned int subtree = CAIRN_MOMENT_DELETE_CHILDREN | CAIRN_MOMENT_DELETE_CHILDREN_ONLY;

    if (flags & subtree) {
        if (cairnMomentDiscardDescendants(list, obj, removed)) {
            list->current = obj;
            if ((flags & CAIRN_MOMENT_DELETE_CHILDREN_ONLY) && changed)
                g_ptr_array_add(changed, obj);
        }
    } else {
        cairnMomentReparentChildren(list, obj, changed);
    }

    if (!(flags & CAIRN_MOMENT_DELETE_CHILDREN_ONLY))
        cairnMomentDiscard(list, obj, removed, changed);
}
