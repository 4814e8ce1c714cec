/*
 * test_checkpoint.c: checkpoint calls of the test driver: metadata only,
 * kept in memory per connection. Follows libvirt's test driver: creation
 * (also redefinition) needs a running domain, QUIESCE is accepted and
 * ignored, REDEFINE_VALIDATE is not supported, and SIZE reports 1024 bytes
 * for every bitmap disk. Validation (not in libvirt) has no images to look
 * at: every bitmap of every checkpoint is reported intact.
 */
#include "cairn/cairn-domain-checkpoint.h"
#include "cairn/cairn-error.h"
#include "conf/checkpoint_conf.h"
#include "conf/moment_tree.h"
#include "hypervisor/domain_checkpoint.h"
#include "test_private.h"
#include "util/cairnerror.h"

#define FROM CAIRN_FROM_TEST


/* The size the test driver reports for every bitmap disk. */
#define TEST_CHECKPOINT_FAKE_SIZE 1024


static bool
testCheckActive(const testDomainObj *obj, GError **error)
{
    if (testDomainObjIsActive(obj))
        return true;
    cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_INVALID, "domain is not running");
    return false;
}


cairnDomainCheckpoint *
testDomainCheckpointCreateXML(cairnDomain *dom, const char *xml, unsigned int flags, GError **error)
{
    testDriverState *st = testStateOf(dom->conn);
    bool redefine = flags & CAIRN_DOMAIN_CHECKPOINT_CREATE_REDEFINE;
    g_autoptr(cairnCheckpointDef) def = NULL;
    bool update_current = true;
    testDomainObj *obj;
    cairnMomentObj *node;
    TEST_LOCK(st);

    if (!cairnCheckFlags(
            flags, CAIRN_DOMAIN_CHECKPOINT_CREATE_REDEFINE | CAIRN_DOMAIN_CHECKPOINT_CREATE_QUIESCE,
            FROM, __func__, error) ||
        !(obj = testDomainObjFromHandle(st, dom, error)) ||
        (!redefine && !testBackupCheckDisksFree(dom->conn, obj, "create checkpoint", error)) ||
        !testCheckActive(obj, error) ||
        !(def = cairnCheckpointDefParseString(xml, redefine ? CAIRN_CHECKPOINT_PARSE_REDEFINE : 0,
                                              error)))
        return NULL;

    if (redefine ? !cairnCheckpointPrepareRedefine(obj->checkpoints, def, obj->def->uuid,
                                                   &update_current, error) :
                   !cairnCheckpointPrepareNew(obj->checkpoints, def, obj->def, error))
        return NULL;
    if (!(node = cairnCheckpointCommit(obj->checkpoints, &def, redefine, update_current, error)))
        return NULL;
    return cairnCheckpointNew(dom, node->def->name);
}


char *
testDomainCheckpointGetXMLDesc(cairnDomainCheckpoint *chk, unsigned int flags, GError **error)
{
    testDriverState *st = testStateOf(chk->domain->conn);
    g_autoptr(cairnCheckpointDef) copy = NULL;
    testDomainObj *obj;
    cairnMomentObj *node;
    TEST_LOCK(st);

    if (!cairnCheckFlags(flags,
                         CAIRN_DOMAIN_CHECKPOINT_XML_SECURE |
                             CAIRN_DOMAIN_CHECKPOINT_XML_NO_DOMAIN |
                             CAIRN_DOMAIN_CHECKPOINT_XML_SIZE,
                         FROM, __func__, error) ||
        !(obj = testDomainObjFromHandle(st, chk->domain, error)) ||
        !(node = cairnCheckpointFind(obj->checkpoints, chk->name, error)))
        return NULL;
    if (!(flags & CAIRN_DOMAIN_CHECKPOINT_XML_SIZE))
        return cairnCheckpointDefFormat(node->def, flags);

    if (!testBackupCheckDisksFree(chk->domain->conn, obj, "compute checkpoint size", error) ||
        !testCheckActive(obj, error))
        return NULL;
    copy = cairnCheckpointDefCopy(node->def);
    for (guint i = 0; i < copy->disks->len; i++) {
        cairnCheckpointDiskDef *disk = g_ptr_array_index(copy->disks, i);

        if (disk->type != CAIRN_CHECKPOINT_TYPE_BITMAP)
            continue;
        disk->size = TEST_CHECKPOINT_FAKE_SIZE;
        disk->has_size = true;
    }
    return cairnCheckpointDefFormat(copy, flags);
}


/* List from @from_name's node (NULL: the whole domain). */
static int
testCheckpointList(cairnDomain *dom,
                   const char *from_name,
                   cairnDomainCheckpoint ***chks,
                   unsigned int flags,
                   GError **error)
{
    testDriverState *st = testStateOf(dom->conn);
    testDomainObj *obj;
    TEST_LOCK(st);

    if (!(obj = testDomainObjFromHandle(st, dom, error)))
        return -1;
    return cairnCheckpointListHandles(dom, obj->checkpoints, from_name, chks, flags, error);
}


int
testDomainListAllCheckpoints(cairnDomain *dom,
                             cairnDomainCheckpoint ***chks,
                             unsigned int flags,
                             GError **error)
{
    if (!cairnCheckFlags(flags, CAIRN_CHECKPOINT_LIST_DOMAIN_FLAGS, FROM, __func__, error))
        return -1;
    return testCheckpointList(dom, NULL, chks, flags, error);
}


int
testDomainCheckpointListAllChildren(cairnDomainCheckpoint *chk,
                                    cairnDomainCheckpoint ***chks,
                                    unsigned int flags,
                                    GError **error)
{
    if (!cairnCheckFlags(flags, CAIRN_CHECKPOINT_LIST_CHILDREN_FLAGS, FROM, __func__, error))
        return -1;
    return testCheckpointList(chk->domain, chk->name, chks, flags, error);
}


cairnDomainCheckpoint *
testDomainCheckpointLookupByName(cairnDomain *dom,
                                 const char *name,
                                 unsigned int flags,
                                 GError **error)
{
    testDriverState *st = testStateOf(dom->conn);
    testDomainObj *obj;
    cairnMomentObj *node;
    TEST_LOCK(st);

    if (!cairnCheckFlags(flags, 0, FROM, __func__, error) ||
        !(obj = testDomainObjFromHandle(st, dom, error)) ||
        !(node = cairnCheckpointFind(obj->checkpoints, name, error)))
        return NULL;
    return cairnCheckpointNew(dom, node->def->name);
}


cairnDomainCheckpoint *
testDomainCheckpointGetParent(cairnDomainCheckpoint *chk, unsigned int flags, GError **error)
{
    testDriverState *st = testStateOf(chk->domain->conn);
    testDomainObj *obj;
    TEST_LOCK(st);

    if (!cairnCheckFlags(flags, 0, FROM, __func__, error) ||
        !(obj = testDomainObjFromHandle(st, chk->domain, error)))
        return NULL;
    return cairnCheckpointParentHandle(chk->domain, obj->checkpoints, chk->name, error);
}


bool
testDomainCheckpointDelete(cairnDomainCheckpoint *chk, unsigned int flags, GError **error)
{
    testDriverState *st = testStateOf(chk->domain->conn);
    testDomainObj *obj;
    cairnMomentObj *node;
    TEST_LOCK(st);

    if (!cairnCheckFlags(flags,
                         CAIRN_DOMAIN_CHECKPOINT_DELETE_CHILDREN |
                             CAIRN_DOMAIN_CHECKPOINT_DELETE_METADATA_ONLY |
                             CAIRN_DOMAIN_CHECKPOINT_DELETE_CHILDREN_ONLY,
                         FROM, __func__, error) ||
        !(obj = testDomainObjFromHandle(st, chk->domain, error)) ||
        !(node = cairnCheckpointFind(obj->checkpoints, chk->name, error)))
        return false;
    /* The qemu driver removes the bitmaps from the disks. */
    if (!(flags & CAIRN_DOMAIN_CHECKPOINT_DELETE_METADATA_ONLY) &&
        !testBackupCheckDisksFree(chk->domain->conn, obj, "delete checkpoint bitmaps", error))
        return false;
    cairnMomentDelete(obj->checkpoints, node, flags, NULL, NULL);
    return true;
}


/* The report of cairnDomainCheckpointValidate for @node: every bitmap
 * disk the domain still has is "ok", the others "no-disk". */
static void
testCheckpointValidateOne(GString *buf, const testDomainObj *obj, const cairnMomentObj *node)
{
    g_autofree char *open =
        g_markup_printf_escaped("  <checkpoint name='%s' status='ok'>\n", node->def->name);

    g_string_append(buf, open);
    for (guint i = 0; i < node->def->disks->len; i++) {
        cairnCheckpointDiskDef *disk = g_ptr_array_index(node->def->disks, i);
        g_autofree char *line = NULL;

        if (disk->type != CAIRN_CHECKPOINT_TYPE_BITMAP)
            continue;
        line = g_markup_printf_escaped("    <disk name='%s' status='%s'/>\n", disk->name,
                                       cairnDomainDiskByTarget(obj->def, disk->name) ? "ok" :
                                                                                       "no-disk");
        g_string_append(buf, line);
    }
    g_string_append(buf, "  </checkpoint>\n");
}


char *
testDomainCheckpointValidate(cairnDomain *dom,
                             const char *checkpoint,
                             unsigned int flags,
                             GError **error)
{
    testDriverState *st = testStateOf(dom->conn);
    g_autoptr(GPtrArray) nodes = NULL;
    g_autofree char *head = NULL;
    testDomainObj *obj;
    cairnMomentObj *only = NULL;
    GString *buf;
    TEST_LOCK(st);

    if (!cairnCheckFlags(flags, CAIRN_DOMAIN_CHECKPOINT_VALIDATE_REPAIR, FROM, __func__, error) ||
        !(obj = testDomainObjFromHandle(st, dom, error)) ||
        (checkpoint && !(only = cairnCheckpointFind(obj->checkpoints, checkpoint, error))))
        return NULL;
    if (only) {
        nodes = g_ptr_array_new();
        g_ptr_array_add(nodes, only);
    } else {
        nodes = cairnMomentListCollect(obj->checkpoints, NULL, CAIRN_MOMENT_LIST_TOPOLOGICAL);
    }
    head =
        g_markup_printf_escaped("<checkpointvalidation domain='%s' state='%s' repair='%s'>\n",
                                obj->def->name, testDomainObjIsActive(obj) ? "running" : "shutoff",
                                flags & CAIRN_DOMAIN_CHECKPOINT_VALIDATE_REPAIR ? "yes" : "no");
    buf = g_string_new(head);
    for (guint i = 0; i < nodes->len; i++)
        testCheckpointValidateOne(buf, obj, g_ptr_array_index(nodes, i));
    g_string_append(buf, "</checkpointvalidation>\n");
    return g_string_free(buf, FALSE);
}
