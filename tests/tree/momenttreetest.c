/*
 * momenttreetest.c: the checkpoint tree (src/conf/moment_tree.c) against
 * spec/semantics.md sections 1-3, one scenario per test.
 *
 * Most tests use the same small forest, linked in the order a b c d e f g
 * (so every sibling list is "most recently linked first"):
 *
 *     g          a
 *              /   \
 *             c     b
 *             |    / \
 *             f   e   d
 *
 * Topological (pre-order) listing of everything: g a c f b e d.
 */
#include <string.h>

#include "conf/moment_tree.h"
#include "util/cairnerror.h"

#define SCALE_N 10000


static cairnCheckpointDef *
newDef(const char *name, const char *parent, long long creation_time)
{
    cairnCheckpointDef *def = cairnCheckpointDefNew();

    def->name = g_strdup(name);
    def->parent_name = g_strdup(parent);
    def->creation_time = creation_time;
    return def;
}


/* Add and link; the parent (if any) must exist. */
static cairnMomentObj *
addMoment(cairnMomentList *list, const char *name, const char *parent)
{
    g_autoptr(GError) err = NULL;
    cairnMomentObj *obj = cairnMomentListAdd(list, newDef(name, parent, 0), &err);

    g_assert_no_error(err);
    g_assert_nonnull(obj);
    g_assert_true(cairnMomentListLink(list, obj));
    return obj;
}


static cairnMomentList *
newForest(void)
{
    cairnMomentList *list = cairnMomentListNew();

    addMoment(list, "a", NULL);
    addMoment(list, "b", "a");
    addMoment(list, "c", "a");
    addMoment(list, "d", "b");
    addMoment(list, "e", "b");
    addMoment(list, "f", "c");
    addMoment(list, "g", NULL);
    return list;
}


static cairnMomentObj *
get(cairnMomentList *list, const char *name)
{
    cairnMomentObj *obj = cairnMomentListLookup(list, name);

    g_assert_nonnull(obj);
    return obj;
}


/* Names of an array of cairnMomentObj*, comma separated. */
static char *
joinObjs(GPtrArray *objs)
{
    GString *str = g_string_new(NULL);
    guint i;

    for (i = 0; i < objs->len; i++) {
        cairnMomentObj *obj = g_ptr_array_index(objs, i);

        g_string_append_printf(str, "%s%s", i ? "," : "", obj->def->name);
    }
    return g_string_free(str, FALSE);
}


/* Names of an array of strings, comma separated. */
static char *
joinNames(GPtrArray *names)
{
    GString *str = g_string_new(NULL);
    guint i;

    for (i = 0; i < names->len; i++)
        g_string_append_printf(str, "%s%s", i ? "," : "", (char *)g_ptr_array_index(names, i));
    return g_string_free(str, FALSE);
}


static char *
listNames(cairnMomentList *list, const char *from, unsigned int flags)
{
    cairnMomentObj *obj = from ? get(list, from) : NULL;
    g_autoptr(GPtrArray) objs = cairnMomentListCollect(list, obj, flags);

    return joinObjs(objs);
}


static void
assertList(cairnMomentList *list, const char *from, unsigned int flags, const char *expected)
{
    g_autofree char *actual = listNames(list, from, flags);

    g_assert_cmpstr(actual, ==, expected);
}


/* The children of @name in sibling order, via the sibling links both
 * ways, checking parent pointers and nchildren on the way. */
static char *
childrenOf(cairnMomentObj *obj)
{
    g_autoptr(GPtrArray) objs = g_ptr_array_new();
    cairnMomentObj *child;
    cairnMomentObj *prev = NULL;

    for (child = obj->first_child; child; child = child->next_sibling) {
        g_assert_true(child->parent == obj);
        g_assert_true(child->prev_sibling == prev);
        g_ptr_array_add(objs, child);
        prev = child;
    }
    g_assert_cmpuint(objs->len, ==, obj->nchildren);
    return joinObjs(objs);
}


static void
assertChildren(cairnMomentList *list, const char *name, const char *expected)
{
    g_autofree char *actual = childrenOf(get(list, name));

    g_assert_cmpstr(actual, ==, expected);
}


static void
assertError(GError *err, int code, const char *message)
{
    g_assert_nonnull(err);
    g_assert_true(cairnErrorIs(err, code));
    g_assert_cmpint(cairnErrorGetFrom(err), ==, CAIRN_FROM_DOMAIN_CHECKPOINT);
    g_assert_cmpstr(err->message, ==, message);
}


static void
testAddLookup(void)
{
    g_autoptr(cairnMomentList) list = cairnMomentListNew();
    g_autoptr(GError) err = NULL;
    g_autoptr(cairnCheckpointDef) dup = newDef("a", NULL, 0);
    cairnMomentObj *a;

    g_assert_cmpuint(cairnMomentListSize(list), ==, 0);
    a = addMoment(list, "a", NULL);
    g_assert_cmpuint(cairnMomentListSize(list), ==, 1);
    g_assert_true(cairnMomentListLookup(list, "a") == a);
    g_assert_null(cairnMomentListLookup(list, "zz"));
    g_assert_null(cairnMomentListLookup(list, NULL));

    /* A duplicate fails with libvirt's error and does not take the def. */
    g_assert_null(cairnMomentListAdd(list, dup, &err));
    assertError(err, CAIRN_ERR_OPERATION_FAILED,
                "operation failed: domain moment a already exists");
    g_assert_cmpuint(cairnMomentListSize(list), ==, 1);
    g_assert_true(cairnMomentListLookup(list, "a") == a);
}


static void
testLink(void)
{
    g_autoptr(cairnMomentList) list = cairnMomentListNew();
    g_autoptr(GError) err = NULL;
    cairnMomentObj *a = addMoment(list, "a", NULL);
    cairnMomentObj *b = addMoment(list, "b", "a");
    cairnMomentObj *orphan = cairnMomentListAdd(list, newDef("o", "missing", 0), &err);

    g_assert_no_error(err);
    g_assert_true(cairnMomentIsRoot(a));
    g_assert_false(cairnMomentIsRoot(b));
    g_assert_true(b->parent == a);

    /* Added but not linked: in the hash, in no listing. */
    g_assert_null(orphan->parent);
    g_assert_false(cairnMomentIsRoot(orphan));
    g_assert_cmpuint(cairnMomentListSize(list), ==, 3);
    assertList(list, NULL, CAIRN_MOMENT_LIST_TOPOLOGICAL, "a,b");

    /* A missing parent links under the metaroot and says so. */
    g_assert_false(cairnMomentListLink(list, orphan));
    g_assert_true(cairnMomentIsRoot(orphan));
    g_assert_cmpstr(orphan->def->parent_name, ==, "missing");
    assertList(list, NULL, CAIRN_MOMENT_LIST_ROOTS, "o,a");
}


static void
testListTopological(void)
{
    g_autoptr(cairnMomentList) list = newForest();

    /* Parents before children, siblings most recently linked first. */
    assertList(list, NULL, CAIRN_MOMENT_LIST_TOPOLOGICAL, "g,a,c,f,b,e,d");
    assertChildren(list, "a", "c,b");
    assertChildren(list, "b", "e,d");
    /* Unordered listing still lists every node once. */
    assertList(list, NULL, 0, "g,a,c,f,b,e,d");
}


static void
testListRoots(void)
{
    g_autoptr(cairnMomentList) list = newForest();

    assertList(list, NULL, CAIRN_MOMENT_LIST_ROOTS, "g,a");
    assertList(list, NULL, CAIRN_MOMENT_LIST_ROOTS | CAIRN_MOMENT_LIST_TOPOLOGICAL, "g,a");
    assertList(list, NULL, CAIRN_MOMENT_LIST_ROOTS | CAIRN_MOMENT_LIST_LEAVES, "g");
    assertList(list, NULL, CAIRN_MOMENT_LIST_ROOTS | CAIRN_MOMENT_LIST_NO_LEAVES, "a");
    g_assert_true(cairnMomentIsRoot(get(list, "g")));
    g_assert_false(cairnMomentIsRoot(get(list, "f")));
}


static void
testListLeaves(void)
{
    g_autoptr(cairnMomentList) list = newForest();
    const unsigned int topo = CAIRN_MOMENT_LIST_TOPOLOGICAL;

    assertList(list, NULL, topo | CAIRN_MOMENT_LIST_LEAVES, "g,f,e,d");
    assertList(list, NULL, topo | CAIRN_MOMENT_LIST_NO_LEAVES, "a,c,b");
    /* Both filters: empty, not an error. */
    assertList(list, NULL, topo | CAIRN_MOMENT_LIST_LEAVES | CAIRN_MOMENT_LIST_NO_LEAVES, "");
    assertList(list, "a", CAIRN_MOMENT_LIST_LEAVES | CAIRN_MOMENT_LIST_NO_LEAVES, "");
    g_assert_cmpuint(
        cairnMomentListCount(list, NULL, CAIRN_MOMENT_LIST_LEAVES | CAIRN_MOMENT_LIST_NO_LEAVES),
        ==, 0);
}


static void
testListDescendants(void)
{
    g_autoptr(cairnMomentList) list = newForest();
    const unsigned int desc = CAIRN_MOMENT_LIST_DESCENDANTS;

    /* Children only, then the whole subtree without the start point. */
    assertList(list, "a", 0, "c,b");
    assertList(list, "a", desc, "c,f,b,e,d");
    assertList(list, "a", desc | CAIRN_MOMENT_LIST_TOPOLOGICAL, "c,f,b,e,d");
    assertList(list, "a", desc | CAIRN_MOMENT_LIST_LEAVES, "f,e,d");
    assertList(list, "a", desc | CAIRN_MOMENT_LIST_NO_LEAVES, "c,b");
    assertList(list, "a", CAIRN_MOMENT_LIST_LEAVES, "");
    assertList(list, "a", CAIRN_MOMENT_LIST_NO_LEAVES, "c,b");
    assertList(list, "b", desc, "e,d");
    assertList(list, "g", desc, "");
    assertList(list, "g", 0, "");
    g_assert_cmpuint(cairnMomentCountDescendants(get(list, "a")), ==, 5);
    g_assert_cmpuint(cairnMomentCountDescendants(get(list, "c")), ==, 1);
    g_assert_cmpuint(cairnMomentCountDescendants(get(list, "d")), ==, 0);
}


/* Count agrees with Collect for every start point and flag combination. */
static void
testCountVsCollect(void)
{
    g_autoptr(cairnMomentList) list = newForest();
    const char *starts[] = { NULL, "a", "b", "c", "d", "g" };
    size_t i;
    unsigned int flags;

    for (i = 0; i < G_N_ELEMENTS(starts); i++) {
        cairnMomentObj *from = starts[i] ? get(list, starts[i]) : NULL;

        for (flags = 0; flags < 16; flags++) {
            g_autoptr(GPtrArray) objs = cairnMomentListCollect(list, from, flags);

            g_assert_cmpuint(cairnMomentListCount(list, from, flags), ==, objs->len);
        }
    }
    /* The O(1) cases. */
    g_assert_cmpuint(cairnMomentListCount(list, NULL, 0), ==, 7);
    g_assert_cmpuint(cairnMomentListCount(list, NULL, CAIRN_MOMENT_LIST_ROOTS), ==, 2);
    g_assert_cmpuint(cairnMomentListCount(list, get(list, "a"), 0), ==, 2);
    g_assert_cmpuint(cairnMomentListCount(list, get(list, "a"), CAIRN_MOMENT_LIST_DESCENDANTS), ==,
                     5);
}


static void
testCurrent(void)
{
    g_autoptr(cairnMomentList) list = newForest();
    cairnMomentObj *d = get(list, "d");

    g_assert_null(cairnMomentListGetCurrent(list));
    cairnMomentListSetCurrent(list, d);
    g_assert_true(cairnMomentListGetCurrent(list) == d);

    /* Removing the current node leaves no current node. */
    cairnMomentListRemove(list, d);
    g_assert_null(cairnMomentListGetCurrent(list));
    g_assert_null(cairnMomentListLookup(list, "d"));
    g_assert_cmpuint(cairnMomentListSize(list), ==, 6);
    assertChildren(list, "b", "e");
}


/* Unlinking the first, middle or last sibling keeps both link directions
 * right; the node keeps its own children. */
static void
testUnlink(void)
{
    g_autoptr(cairnMomentList) list = cairnMomentListNew();
    cairnMomentObj *p = addMoment(list, "p", NULL);
    cairnMomentObj *x;

    addMoment(list, "s1", "p");
    addMoment(list, "s2", "p");
    addMoment(list, "s3", "p");
    addMoment(list, "s4", "p");
    addMoment(list, "k", "s2");
    assertChildren(list, "p", "s4,s3,s2,s1");

    x = get(list, "s2");
    cairnMomentUnlink(x);
    assertChildren(list, "p", "s4,s3,s1");
    g_assert_null(x->parent);
    assertChildren(list, "s2", "k");

    cairnMomentUnlink(get(list, "s4"));
    assertChildren(list, "p", "s3,s1");
    cairnMomentUnlink(get(list, "s1"));
    assertChildren(list, "p", "s3");
    cairnMomentUnlink(get(list, "s3"));
    assertChildren(list, "p", "");
    g_assert_null(p->first_child);

    /* Unlinking an unlinked node is harmless; relinking works. */
    cairnMomentUnlink(x);
    g_assert_true(cairnMomentListLink(list, x));
    assertChildren(list, "p", "s2");
    assertList(list, NULL, CAIRN_MOMENT_LIST_TOPOLOGICAL, "p,s2,k");
}


static void
testReparentChildren(void)
{
    g_autoptr(cairnMomentList) list = newForest();
    g_autoptr(GPtrArray) changed = g_ptr_array_new();
    g_autofree char *moved = NULL;

    cairnMomentReparentChildren(list, get(list, "b"), changed);
    moved = joinObjs(changed);
    g_assert_cmpstr(moved, ==, "e,d");
    /* b's children, in their order, go in front of a's. */
    assertChildren(list, "a", "e,d,c,b");
    assertChildren(list, "b", "");
    g_assert_cmpstr(get(list, "e")->def->parent_name, ==, "a");
    g_assert_cmpstr(get(list, "d")->def->parent_name, ==, "a");

    /* From a root: children become roots without a parent name. */
    cairnMomentReparentChildren(list, get(list, "a"), NULL);
    assertList(list, NULL, CAIRN_MOMENT_LIST_ROOTS, "e,d,c,b,g,a");
    g_assert_null(get(list, "c")->def->parent_name);
    g_assert_null(get(list, "e")->def->parent_name);
}


static void
testDeletePlain(void)
{
    g_autoptr(cairnMomentList) list = newForest();
    g_autoptr(GPtrArray) removed = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) changed = g_ptr_array_new();
    g_autofree char *rem = NULL;
    g_autofree char *chg = NULL;

    cairnMomentListSetCurrent(list, get(list, "f"));
    cairnMomentDelete(list, get(list, "b"), 0, removed, changed);
    rem = joinNames(removed);
    chg = joinObjs(changed);
    g_assert_cmpstr(rem, ==, "b");
    g_assert_cmpstr(chg, ==, "e,d");
    g_assert_null(cairnMomentListLookup(list, "b"));
    assertChildren(list, "a", "e,d,c");
    g_assert_cmpstr(get(list, "d")->def->parent_name, ==, "a");
    /* Current elsewhere: untouched. */
    g_assert_true(cairnMomentListGetCurrent(list) == get(list, "f"));
    assertList(list, NULL, CAIRN_MOMENT_LIST_TOPOLOGICAL, "g,a,e,d,c,f");
}


static void
testDeletePlainRoot(void)
{
    g_autoptr(cairnMomentList) list = newForest();
    g_autoptr(GPtrArray) removed = g_ptr_array_new_with_free_func(g_free);

    cairnMomentDelete(list, get(list, "a"), 0, removed, NULL);
    g_assert_cmpuint(removed->len, ==, 1);
    assertList(list, NULL, CAIRN_MOMENT_LIST_ROOTS, "c,b,g");
    g_assert_null(get(list, "b")->def->parent_name);
    g_assert_null(get(list, "c")->def->parent_name);
    g_assert_true(cairnMomentIsRoot(get(list, "b")));
    assertList(list, NULL, CAIRN_MOMENT_LIST_TOPOLOGICAL, "c,f,b,e,d,g");
}


/* Deleting the current checkpoint makes its parent current (and reports
 * the parent as changed); for a root, no checkpoint is current. */
static void
testDeletePlainCurrent(void)
{
    g_autoptr(cairnMomentList) list = newForest();
    g_autoptr(GPtrArray) changed = g_ptr_array_new();
    g_autofree char *chg = NULL;

    cairnMomentListSetCurrent(list, get(list, "c"));
    cairnMomentDelete(list, get(list, "c"), 0, NULL, changed);
    chg = joinObjs(changed);
    g_assert_cmpstr(chg, ==, "f,a");
    g_assert_true(cairnMomentListGetCurrent(list) == get(list, "a"));

    g_ptr_array_set_size(changed, 0);
    cairnMomentDelete(list, get(list, "a"), 0, NULL, changed);
    g_assert_null(cairnMomentListGetCurrent(list));
    g_assert_cmpuint(changed->len, ==, 2); /* f and b, now roots */
    assertList(list, NULL, CAIRN_MOMENT_LIST_ROOTS, "f,b,g");
}


static void
testDeleteMetadataOnly(void)
{
    g_autoptr(cairnMomentList) list = newForest();

    /* METADATA_ONLY alone is a plain delete as far as the tree goes. */
    cairnMomentDelete(list, get(list, "b"), CAIRN_MOMENT_DELETE_METADATA_ONLY, NULL, NULL);
    assertList(list, NULL, CAIRN_MOMENT_LIST_TOPOLOGICAL, "g,a,e,d,c,f");
}


static void
testDeleteChildren(void)
{
    g_autoptr(cairnMomentList) list = newForest();
    g_autoptr(GPtrArray) removed = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) changed = g_ptr_array_new();
    g_autofree char *rem = NULL;

    cairnMomentListSetCurrent(list, get(list, "g"));
    cairnMomentDelete(list, get(list, "a"), CAIRN_MOMENT_DELETE_CHILDREN, removed, changed);
    /* Descendants in pre-order, then the checkpoint itself. */
    rem = joinNames(removed);
    g_assert_cmpstr(rem, ==, "c,f,b,e,d,a");
    g_assert_cmpuint(changed->len, ==, 0);
    g_assert_cmpuint(cairnMomentListSize(list), ==, 1);
    assertList(list, NULL, 0, "g");
    g_assert_true(cairnMomentListGetCurrent(list) == get(list, "g"));
}


/* Current among the discarded descendants: it passes to C, then, as C
 * goes too, to C's parent. */
static void
testDeleteChildrenCurrent(void)
{
    g_autoptr(cairnMomentList) list = newForest();
    g_autoptr(GPtrArray) removed = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) changed = g_ptr_array_new();
    g_autofree char *rem = NULL;
    g_autofree char *chg = NULL;

    cairnMomentListSetCurrent(list, get(list, "e"));
    cairnMomentDelete(list, get(list, "b"), CAIRN_MOMENT_DELETE_CHILDREN, removed, changed);
    rem = joinNames(removed);
    chg = joinObjs(changed);
    g_assert_cmpstr(rem, ==, "e,d,b");
    g_assert_cmpstr(chg, ==, "a");
    g_assert_true(cairnMomentListGetCurrent(list) == get(list, "a"));
    assertList(list, NULL, CAIRN_MOMENT_LIST_TOPOLOGICAL, "g,a,c,f");

    /* From a root: nothing stays current. */
    cairnMomentListSetCurrent(list, get(list, "f"));
    cairnMomentDelete(list, get(list, "a"), CAIRN_MOMENT_DELETE_CHILDREN, NULL, NULL);
    g_assert_null(cairnMomentListGetCurrent(list));
    assertList(list, NULL, 0, "g");
}


static void
testDeleteChildrenOnly(void)
{
    g_autoptr(cairnMomentList) list = newForest();
    g_autoptr(GPtrArray) removed = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) changed = g_ptr_array_new();
    g_autofree char *rem = NULL;
    cairnMomentObj *a = get(list, "a");

    cairnMomentListSetCurrent(list, get(list, "g"));
    cairnMomentDelete(list, a, CAIRN_MOMENT_DELETE_CHILDREN_ONLY, removed, changed);
    rem = joinNames(removed);
    g_assert_cmpstr(rem, ==, "c,f,b,e,d");
    g_assert_cmpuint(changed->len, ==, 0);
    g_assert_true(cairnMomentListLookup(list, "a") == a);
    g_assert_cmpuint(a->nchildren, ==, 0);
    g_assert_null(a->first_child);
    g_assert_true(cairnMomentListGetCurrent(list) == get(list, "g"));
    assertList(list, NULL, CAIRN_MOMENT_LIST_TOPOLOGICAL, "g,a");
}


/* Current among the discarded descendants: C becomes current and is
 * reported changed. */
static void
testDeleteChildrenOnlyCurrent(void)
{
    g_autoptr(cairnMomentList) list = newForest();
    g_autoptr(GPtrArray) changed = g_ptr_array_new();
    g_autofree char *chg = NULL;
    cairnMomentObj *b = get(list, "b");

    cairnMomentListSetCurrent(list, get(list, "d"));
    cairnMomentDelete(list, b, CAIRN_MOMENT_DELETE_CHILDREN_ONLY, NULL, changed);
    chg = joinObjs(changed);
    g_assert_cmpstr(chg, ==, "b");
    g_assert_true(cairnMomentListGetCurrent(list) == b);
    assertList(list, NULL, CAIRN_MOMENT_LIST_TOPOLOGICAL, "g,a,c,f,b");

    /* C itself current: it stays current, nothing changed. */
    g_ptr_array_set_size(changed, 0);
    cairnMomentListSetCurrent(list, get(list, "a"));
    cairnMomentDelete(list, get(list, "a"), CAIRN_MOMENT_DELETE_CHILDREN_ONLY, NULL, changed);
    g_assert_cmpuint(changed->len, ==, 0);
    g_assert_true(cairnMomentListGetCurrent(list) == get(list, "a"));
    assertList(list, NULL, CAIRN_MOMENT_LIST_TOPOLOGICAL, "g,a");
}


static void
testPostOrder(void)
{
    g_autoptr(cairnMomentList) list = newForest();
    g_autoptr(GPtrArray) objs = cairnMomentCollectDescendantsPostOrder(get(list, "a"));
    g_autoptr(GPtrArray) none = cairnMomentCollectDescendantsPostOrder(get(list, "g"));
    g_autofree char *names = joinObjs(objs);
    guint i;

    g_assert_cmpstr(names, ==, "f,c,e,d,b");
    g_assert_cmpuint(none->len, ==, 0);

    /* Removing in that order never removes a node with children. */
    for (i = 0; i < objs->len; i++)
        cairnMomentListRemove(list, g_ptr_array_index(objs, i));
    assertList(list, NULL, CAIRN_MOMENT_LIST_TOPOLOGICAL, "g,a");
}


/* Redefining a node in place keeps its children and relinks it from the
 * new definition, in front of its new siblings. */
static void
testReplaceDef(void)
{
    g_autoptr(cairnMomentList) list = newForest();
    cairnMomentObj *b = get(list, "b");
    cairnCheckpointDef *def = newDef("b", "c", 42);

    cairnMomentReplaceDef(list, b, def);
    g_assert_true(get(list, "b") == b);
    g_assert_true(b->def == def);
    g_assert_cmpint(b->def->creation_time, ==, 42);
    assertChildren(list, "a", "c");
    assertChildren(list, "c", "b,f");
    assertChildren(list, "b", "e,d");
    assertList(list, NULL, CAIRN_MOMENT_LIST_TOPOLOGICAL, "g,a,c,b,e,d,f");

    /* Same parent: the node moves to the front of its siblings. */
    cairnMomentReplaceDef(list, get(list, "f"), newDef("f", "c", 0));
    assertChildren(list, "c", "f,b");

    /* No parent: becomes a root. */
    cairnMomentReplaceDef(list, b, newDef("b", NULL, 0));
    assertList(list, NULL, CAIRN_MOMENT_LIST_ROOTS, "b,g,a");
    g_assert_cmpuint(cairnMomentListSize(list), ==, 7);
}


static void
testRedefineChecks(void)
{
    g_autoptr(cairnMomentList) list = newForest();
    g_autoptr(GError) self = NULL;
    g_autoptr(GError) missing = NULL;
    g_autoptr(GError) cycle = NULL;
    g_autoptr(GError) cycle2 = NULL;

    g_assert_false(cairnMomentCheckRedefineParent(list, "x", "x", &self));
    assertError(self, CAIRN_ERR_INVALID_ARG,
                "invalid argument: cannot set moment x as its own parent");

    g_assert_false(cairnMomentCheckRedefineParent(list, "x", "nope", &missing));
    assertError(missing, CAIRN_ERR_INVALID_ARG,
                "invalid argument: parent nope for moment x not found");

    /* a -> b -> e: redefining a under e names b, whose parent is a. */
    g_assert_false(cairnMomentCheckRedefineParent(list, "a", "e", &cycle));
    assertError(cycle, CAIRN_ERR_INVALID_ARG, "invalid argument: parent b would create cycle to a");
    g_assert_false(cairnMomentCheckRedefineParent(list, "b", "e", &cycle2));
    assertError(cycle2, CAIRN_ERR_INVALID_ARG,
                "invalid argument: parent e would create cycle to b");

    /* Fine: no parent, a new name, an existing name moved elsewhere. */
    g_assert_true(cairnMomentCheckRedefineParent(list, "x", NULL, NULL));
    g_assert_true(cairnMomentCheckRedefineParent(list, "a", NULL, NULL));
    g_assert_true(cairnMomentCheckRedefineParent(list, "x", "d", NULL));
    g_assert_true(cairnMomentCheckRedefineParent(list, "b", "g", NULL));
    g_assert_true(cairnMomentCheckRedefineParent(list, "b", "a", NULL));
    g_assert_true(cairnMomentCheckRedefineParent(list, "c", "d", NULL));
}


/* An orphan naming a missing parent: redefining that parent below the
 * orphan's subtree would close a cycle. */
static void
testRedefineOrphanCycle(void)
{
    g_autoptr(cairnMomentList) list = cairnMomentListNew();
    g_autoptr(GError) err = NULL;
    cairnMomentObj *b = cairnMomentListAdd(list, newDef("b", "a", 0), NULL);

    g_assert_false(cairnMomentListLink(list, b));
    addMoment(list, "c", "b");

    g_assert_false(cairnMomentCheckRedefineParent(list, "a", "c", &err));
    assertError(err, CAIRN_ERR_INVALID_ARG, "invalid argument: parent b would create cycle to a");
    g_assert_true(cairnMomentCheckRedefineParent(list, "z", "c", NULL));

    /* Once the orphan is gone, nothing can close a cycle to "a". */
    cairnMomentDelete(list, b, 0, NULL, NULL);
    g_assert_true(cairnMomentCheckRedefineParent(list, "a", "c", NULL));
}


static void
addUnlinked(cairnMomentList *list, const char *name, const char *parent, long long t)
{
    g_autoptr(GError) err = NULL;

    g_assert_nonnull(cairnMomentListAdd(list, newDef(name, parent, t), &err));
    g_assert_no_error(err);
}


/* Rebuild from parent names (as after loading saved files): a missing
 * parent puts the node under the metaroot; siblings come newest first. */
static void
testRebuildMissingParent(void)
{
    g_autoptr(cairnMomentList) list = cairnMomentListNew();

    addUnlinked(list, "c2", "r", 30);
    addUnlinked(list, "lost", "gone", 5);
    addUnlinked(list, "c1", "r", 20);
    addUnlinked(list, "r", NULL, 10);
    addUnlinked(list, "c3", "r", 40);
    addUnlinked(list, "gc", "c1", 50);

    g_assert_cmpuint(cairnMomentListRebuild(list), ==, 1);
    assertList(list, NULL, CAIRN_MOMENT_LIST_ROOTS, "r,lost");
    assertChildren(list, "r", "c3,c2,c1");
    assertList(list, NULL, CAIRN_MOMENT_LIST_TOPOLOGICAL, "r,c3,c2,c1,gc,lost");
    /* The definition is left as saved. */
    g_assert_cmpstr(get(list, "lost")->def->parent_name, ==, "gone");
    g_assert_null(cairnMomentListUniqueLeaf(list));

    /* Rebuilding a linked tree gives the same tree. */
    g_assert_cmpuint(cairnMomentListRebuild(list), ==, 1);
    assertList(list, NULL, CAIRN_MOMENT_LIST_TOPOLOGICAL, "r,c3,c2,c1,gc,lost");
}


/* Cycles in saved data (x <-> y, and a self-parent) are cut: every node
 * is listed exactly once. */
static void
testRebuildCycle(void)
{
    g_autoptr(cairnMomentList) list = cairnMomentListNew();

    addUnlinked(list, "x", "y", 1);
    addUnlinked(list, "y", "x", 2);
    addUnlinked(list, "k", "x", 3);
    addUnlinked(list, "s", "s", 4);
    addUnlinked(list, "t", "s", 5);
    addUnlinked(list, "r", NULL, 6);

    g_assert_cmpuint(cairnMomentListRebuild(list), ==, 2);
    g_assert_cmpuint(cairnMomentListCount(list, NULL, CAIRN_MOMENT_LIST_TOPOLOGICAL), ==, 6);
    assertList(list, NULL, CAIRN_MOMENT_LIST_ROOTS, "r,s,x");
    assertList(list, NULL, CAIRN_MOMENT_LIST_TOPOLOGICAL, "r,s,t,x,k,y");
    g_assert_true(get(list, "y")->parent == get(list, "x"));

    /* The redefine check terminates on such data. */
    g_assert_true(cairnMomentCheckRedefineParent(list, "new", "y", NULL));
}


static void
testUniqueLeaf(void)
{
    g_autoptr(cairnMomentList) list = cairnMomentListNew();
    cairnMomentObj *b;

    g_assert_null(cairnMomentListUniqueLeaf(list));
    addMoment(list, "a", NULL);
    g_assert_true(cairnMomentListUniqueLeaf(list) == get(list, "a"));
    b = addMoment(list, "b", "a");
    g_assert_true(cairnMomentListUniqueLeaf(list) == b);
    addMoment(list, "c", "a");
    g_assert_null(cairnMomentListUniqueLeaf(list));
    cairnMomentDelete(list, get(list, "c"), 0, NULL, NULL);
    g_assert_true(cairnMomentListUniqueLeaf(list) == b);
    /* Two roots: two leaves. */
    addMoment(list, "z", NULL);
    g_assert_null(cairnMomentListUniqueLeaf(list));
}


static char *
nameOf(size_t i)
{
    return g_strdup_printf("n%05zu", i);
}


/* A chain SCALE_N deep: listed, counted, checked and deleted with
 * CHILDREN from the root without recursion. */
static void
testScaleChain(void)
{
    g_autoptr(cairnMomentList) list = cairnMomentListNew();
    g_autoptr(GPtrArray) topo = NULL;
    g_autoptr(GPtrArray) post = NULL;
    g_autoptr(GPtrArray) removed = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *prev = NULL;
    size_t i;

    for (i = 0; i < SCALE_N; i++) {
        g_autofree char *name = nameOf(i);

        cairnMomentListSetCurrent(list, addMoment(list, name, prev));
        g_free(prev);
        prev = g_steal_pointer(&name);
    }

    topo = cairnMomentListCollect(list, NULL, CAIRN_MOMENT_LIST_TOPOLOGICAL);
    g_assert_cmpuint(topo->len, ==, SCALE_N);
    for (i = 0; i < SCALE_N; i++) {
        g_autofree char *name = nameOf(i);
        cairnMomentObj *obj = g_ptr_array_index(topo, i);

        g_assert_cmpstr(obj->def->name, ==, name);
    }
    post = cairnMomentCollectDescendantsPostOrder(g_ptr_array_index(topo, 0));
    g_assert_cmpuint(post->len, ==, SCALE_N - 1);
    g_assert_true(g_ptr_array_index(post, 0) == g_ptr_array_index(topo, SCALE_N - 1));
    g_assert_true(cairnMomentListUniqueLeaf(list) == g_ptr_array_index(topo, SCALE_N - 1));
    g_assert_cmpuint(cairnMomentCountDescendants(g_ptr_array_index(topo, 0)), ==, SCALE_N - 1);
    g_assert_cmpuint(cairnMomentListCount(list, NULL, CAIRN_MOMENT_LIST_LEAVES), ==, 1);
    g_assert_true(cairnMomentCheckRedefineParent(list, "fresh", prev, NULL));

    cairnMomentDelete(list, g_ptr_array_index(topo, 0), CAIRN_MOMENT_DELETE_CHILDREN, removed,
                      NULL);
    g_assert_cmpuint(removed->len, ==, SCALE_N);
    g_assert_cmpstr(g_ptr_array_index(removed, 0), ==, "n00001");
    g_assert_cmpstr(g_ptr_array_index(removed, SCALE_N - 1), ==, "n00000");
    g_assert_cmpuint(cairnMomentListSize(list), ==, 0);
    g_assert_null(cairnMomentListGetCurrent(list));
}


/* A chain SCALE_N deep, deleted one checkpoint at a time from the root
 * (each delete reparents the single child to the metaroot). */
static void
testScaleChainDeleteOneByOne(void)
{
    g_autoptr(cairnMomentList) list = cairnMomentListNew();
    g_autofree char *prev = NULL;
    size_t i;

    for (i = 0; i < SCALE_N; i++) {
        g_autofree char *name = nameOf(i);

        addMoment(list, name, prev);
        g_free(prev);
        prev = g_steal_pointer(&name);
    }
    for (i = 0; i < SCALE_N; i++) {
        g_autofree char *name = nameOf(i);
        cairnMomentObj *obj = get(list, name);

        g_assert_true(cairnMomentIsRoot(obj));
        cairnMomentDelete(list, obj, 0, NULL, NULL);
    }
    g_assert_cmpuint(cairnMomentListSize(list), ==, 0);
    g_assert_cmpuint(cairnMomentListCount(list, NULL, CAIRN_MOMENT_LIST_ROOTS), ==, 0);
}


/* One root with SCALE_N children, each with one child of its own. */
static cairnMomentList *
newBushy(void)
{
    cairnMomentList *list = cairnMomentListNew();
    size_t i;

    addMoment(list, "root", NULL);
    for (i = 0; i < SCALE_N; i++) {
        g_autofree char *name = nameOf(i);
        g_autofree char *leaf = g_strdup_printf("%s-leaf", name);

        addMoment(list, name, "root");
        addMoment(list, leaf, name);
    }
    return list;
}


static void
testScaleBushy(void)
{
    g_autoptr(cairnMomentList) list = newBushy();
    g_autoptr(GPtrArray) topo = cairnMomentListCollect(list, NULL, CAIRN_MOMENT_LIST_TOPOLOGICAL);
    g_autoptr(GPtrArray) removed = g_ptr_array_new_with_free_func(g_free);
    size_t i;

    /* root, then per child (newest first) the child and its leaf. */
    g_assert_cmpuint(topo->len, ==, 1 + 2 * SCALE_N);
    g_assert_cmpstr(((cairnMomentObj *)g_ptr_array_index(topo, 0))->def->name, ==, "root");
    for (i = 0; i < SCALE_N; i++) {
        g_autofree char *name = nameOf(SCALE_N - 1 - i);
        cairnMomentObj *child = g_ptr_array_index(topo, 1 + 2 * i);
        cairnMomentObj *leaf = g_ptr_array_index(topo, 2 + 2 * i);

        g_assert_cmpstr(child->def->name, ==, name);
        g_assert_true(leaf->parent == child);
    }
    g_assert_cmpuint(cairnMomentListCount(list, NULL, CAIRN_MOMENT_LIST_LEAVES), ==, SCALE_N);
    g_assert_cmpuint(cairnMomentListCount(list, get(list, "root"), 0), ==, SCALE_N);

    cairnMomentListSetCurrent(list, get(list, "n05000-leaf"));
    cairnMomentDelete(list, get(list, "root"), CAIRN_MOMENT_DELETE_CHILDREN, removed, NULL);
    g_assert_cmpuint(removed->len, ==, 1 + 2 * SCALE_N);
    g_assert_cmpuint(cairnMomentListSize(list), ==, 0);
    g_assert_null(cairnMomentListGetCurrent(list));
}


/* Deleting a node with SCALE_N children moves them all in one splice;
 * then every former child is deleted one at a time from the middle. */
static void
testScaleBushyReparent(void)
{
    g_autoptr(cairnMomentList) list = newBushy();
    g_autoptr(GPtrArray) changed = g_ptr_array_new();
    size_t i;

    cairnMomentDelete(list, get(list, "root"), 0, NULL, changed);
    g_assert_cmpuint(changed->len, ==, SCALE_N);
    g_assert_cmpuint(cairnMomentListCount(list, NULL, CAIRN_MOMENT_LIST_ROOTS), ==, SCALE_N);
    g_assert_null(get(list, "n00000")->def->parent_name);

    for (i = 0; i < SCALE_N; i++) {
        g_autofree char *name = nameOf((i * 7919) % SCALE_N);

        cairnMomentDelete(list, get(list, name), 0, NULL, NULL);
    }
    g_assert_cmpuint(cairnMomentListSize(list), ==, SCALE_N);
    g_assert_cmpuint(cairnMomentListCount(list, NULL, CAIRN_MOMENT_LIST_ROOTS), ==, SCALE_N);
    g_assert_cmpuint(cairnMomentListCount(list, NULL, CAIRN_MOMENT_LIST_NO_LEAVES), ==, 0);
}


/* A saved chain SCALE_N deep loaded in reverse order and rebuilt. */
static void
testScaleRebuild(void)
{
    g_autoptr(cairnMomentList) list = cairnMomentListNew();
    g_autoptr(GPtrArray) topo = NULL;
    size_t i;

    for (i = SCALE_N; i > 0; i--) {
        g_autofree char *name = nameOf(i - 1);
        g_autofree char *parent = i > 1 ? nameOf(i - 2) : NULL;

        addUnlinked(list, name, parent, (long long)i);
    }
    g_assert_cmpuint(cairnMomentListRebuild(list), ==, 0);
    topo = cairnMomentListCollect(list, NULL, CAIRN_MOMENT_LIST_TOPOLOGICAL);
    g_assert_cmpuint(topo->len, ==, SCALE_N);
    g_assert_true(cairnMomentListUniqueLeaf(list) == g_ptr_array_index(topo, SCALE_N - 1));
    g_assert_cmpstr(((cairnMomentObj *)g_ptr_array_index(topo, SCALE_N - 1))->def->name, ==,
                    "n09999");
}


int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/tree/add-lookup", testAddLookup);
    g_test_add_func("/tree/link", testLink);
    g_test_add_func("/tree/list/topological", testListTopological);
    g_test_add_func("/tree/list/roots", testListRoots);
    g_test_add_func("/tree/list/leaves", testListLeaves);
    g_test_add_func("/tree/list/descendants", testListDescendants);
    g_test_add_func("/tree/list/count-vs-collect", testCountVsCollect);
    g_test_add_func("/tree/current", testCurrent);
    g_test_add_func("/tree/unlink", testUnlink);
    g_test_add_func("/tree/reparent-children", testReparentChildren);
    g_test_add_func("/tree/delete/plain", testDeletePlain);
    g_test_add_func("/tree/delete/plain-root", testDeletePlainRoot);
    g_test_add_func("/tree/delete/plain-current", testDeletePlainCurrent);
    g_test_add_func("/tree/delete/metadata-only", testDeleteMetadataOnly);
    g_test_add_func("/tree/delete/children", testDeleteChildren);
    g_test_add_func("/tree/delete/children-current", testDeleteChildrenCurrent);
    g_test_add_func("/tree/delete/children-only", testDeleteChildrenOnly);
    g_test_add_func("/tree/delete/children-only-current", testDeleteChildrenOnlyCurrent);
    g_test_add_func("/tree/post-order", testPostOrder);
    g_test_add_func("/tree/replace-def", testReplaceDef);
    g_test_add_func("/tree/redefine/checks", testRedefineChecks);
    g_test_add_func("/tree/redefine/orphan-cycle", testRedefineOrphanCycle);
    g_test_add_func("/tree/rebuild/missing-parent", testRebuildMissingParent);
    g_test_add_func("/tree/rebuild/cycle", testRebuildCycle);
    g_test_add_func("/tree/unique-leaf", testUniqueLeaf);
    g_test_add_func("/tree/scale/chain", testScaleChain);
    g_test_add_func("/tree/scale/chain-delete-one-by-one", testScaleChainDeleteOneByOne);
    g_test_add_func("/tree/scale/bushy", testScaleBushy);
    g_test_add_func("/tree/scale/bushy-reparent", testScaleBushyReparent);
    g_test_add_func("/tree/scale/rebuild", testScaleRebuild);

    return g_test_run();
}
