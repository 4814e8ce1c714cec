/*
 * domain_checkpoint.c: checkpoint-tree steps shared by the in-process
 * drivers.
 */
#include "domain_checkpoint.h"
#include "cairn/cairn-error.h"
#include "util/cairnerror.h"


cairnMomentObj *
cairnCheckpointFind(const cairnMomentList *list, const char *name, GError **error)
{
    cairnMomentObj *node = cairnMomentListLookup(list, name);

    if (!node)
        cairnErrorSet(error, CAIRN_FROM_DOMAIN_CHECKPOINT, CAIRN_ERR_NO_DOMAIN_CHECKPOINT,
                      "no domain checkpoint with matching name '%s'", name);
    return node;
}


bool
cairnCheckpointPrepareNew(const cairnMomentList *list,
                          cairnCheckpointDef *def,
                          const cairnDomainDef *domdef,
                          GError **error)
{
    cairnMomentObj *current = cairnMomentListGetCurrent(list);

    cairnCheckpointDefSetDomain(def, domdef);
    if (!cairnCheckpointAlignDisks(def, error))
        return false;
    g_free(def->parent_name);
    def->parent_name = current ? g_strdup(current->def->name) : NULL;
    return cairnCheckpointDefCheckLimits(def, error);
}


bool
cairnCheckpointPrepareRedefine(const cairnMomentList *list,
                               cairnCheckpointDef *def,
                               const unsigned char *uuid,
                               bool *ret_update_current,
                               GError **error)
{
    cairnMomentObj *current = cairnMomentListGetCurrent(list);
    const char *parent = def->parent_name;

    if (!cairnCheckpointDefCheckLimits(def, error) ||
        !cairnMomentCheckRedefineParent(list, def->name, parent, error) ||
        !cairnCheckpointRedefineValidate(def, uuid, error))
        return false;
    *ret_update_current = !current || (parent && g_str_equal(current->def->name, parent));
    return true;
}


cairnMomentObj *
cairnCheckpointCommit(cairnMomentList *list,
                      cairnCheckpointDef **def,
                      bool redefine,
                      bool make_current,
                      GError **error)
{
    cairnMomentObj *node = NULL;

    if (redefine && (node = cairnMomentListLookup(list, (*def)->name))) {
        cairnMomentReplaceDef(list, node, g_steal_pointer(def));
    } else {
        if (!(node = cairnMomentListAdd(list, *def, error)))
            return NULL;
        *def = NULL;
        cairnMomentListLink(list, node);
    }
    if (make_current)
        cairnMomentListSetCurrent(list, node);
    return node;
}


int
cairnCheckpointListHandles(cairnDomain *dom,
                           const cairnMomentList *list,
                           const char *from_name,
                           cairnDomainCheckpoint ***out,
                           unsigned int flags,
                           GError **error)
{
    g_autoptr(GPtrArray) nodes = NULL;
    cairnDomainCheckpoint **chks;
    cairnMomentObj *from = NULL;

    if (from_name && !(from = cairnCheckpointFind(list, from_name, error)))
        return -1;
    if (!out)
        return (int)cairnMomentListCount(list, from, flags);
    nodes = cairnMomentListCollect(list, from, flags);
    chks = g_new0(cairnDomainCheckpoint *, nodes->len + 1);
    for (guint i = 0; i < nodes->len; i++) {
        cairnMomentObj *node = g_ptr_array_index(nodes, i);

        chks[i] = cairnCheckpointNew(dom, node->def->name);
    }
    *out = chks;
    return (int)nodes->len;
}


cairnDomainCheckpoint *
cairnCheckpointParentHandle(cairnDomain *dom,
                            const cairnMomentList *list,
                            const char *name,
                            GError **error)
{
    cairnMomentObj *node = cairnCheckpointFind(list, name, error);

    if (!node)
        return NULL;
    if (!node->def->parent_name) {
        cairnErrorSet(error, CAIRN_FROM_DOMAIN_CHECKPOINT, CAIRN_ERR_NO_DOMAIN_CHECKPOINT,
                      "checkpoint '%s' does not have a parent", node->def->name);
        return NULL;
    }
    return cairnCheckpointNew(dom, node->def->parent_name);
}
