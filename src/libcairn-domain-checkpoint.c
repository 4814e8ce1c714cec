/*
 * libcairn-domain-checkpoint.c: public entry points for checkpoints, the
 * twins of libvirt's virDomainCheckpoint* functions. Each checks its
 * arguments in libvirt's order, resets the last error and dispatches.
 */
#include <stddef.h>

#include "cairn/cairn.h"
#include "libcairn-internal.h"
#include "util/cairnerror.h"

#define FROM CAIRN_FROM_DOMAIN_CHECKPOINT

/* As libvirt, the driver's support is checked last, after the arguments:
 * these take an already validated handle. */
static bool
domainSupports(cairnDomain *dom, size_t slot_offset, const char *func, GError **error)
{
    return cairnEntryCheckSupported(cairnDriverSlot(dom->conn->driver, slot_offset), FROM, func,
                                    error);
}


static bool
checkpointSupports(cairnDomainCheckpoint *chk, size_t slot_offset, const char *func, GError **error)
{
    return domainSupports(chk->domain, slot_offset, func, error);
}


/**
 * cairnDomainCheckpointGetName:
 * @checkpoint: a checkpoint handle
 *
 * Returns the checkpoint's name, owned by the handle, or NULL.
 *
 * Since: 0.1.0
 */
const char *
cairnDomainCheckpointGetName(cairnDomainCheckpointPtr checkpoint)
{
    g_autoptr(GError) err = NULL;

    cairnResetLastError();
    if (!cairnEntryCheckCheckpoint(checkpoint, __func__, &err)) {
        cairnEntryFail(err);
        return NULL;
    }
    return checkpoint->name;
}


/**
 * cairnDomainCheckpointGetDomain:
 * @checkpoint: a checkpoint handle
 *
 * Returns the domain the checkpoint belongs to, borrowed, or NULL.
 *
 * Since: 0.1.0
 */
cairnDomainPtr
cairnDomainCheckpointGetDomain(cairnDomainCheckpointPtr checkpoint)
{
    g_autoptr(GError) err = NULL;

    cairnResetLastError();
    if (!cairnEntryCheckCheckpoint(checkpoint, __func__, &err)) {
        cairnEntryFail(err);
        return NULL;
    }
    return checkpoint->domain;
}


/**
 * cairnDomainCheckpointGetConnect:
 * @checkpoint: a checkpoint handle
 *
 * Returns the connection, borrowed, or NULL.
 *
 * Since: 0.1.0
 */
cairnConnectPtr
cairnDomainCheckpointGetConnect(cairnDomainCheckpointPtr checkpoint)
{
    g_autoptr(GError) err = NULL;

    cairnResetLastError();
    if (!cairnEntryCheckCheckpoint(checkpoint, __func__, &err)) {
        cairnEntryFail(err);
        return NULL;
    }
    return checkpoint->domain->conn;
}


/**
 * cairnDomainCheckpointCreateXML:
 * @domain: the domain
 * @xmlDesc: checkpoint XML (<domaincheckpoint>)
 * @flags: bitwise-OR of cairnDomainCheckpointCreateFlags
 *
 * Without REDEFINE, creates a checkpoint of a running domain now: defaults
 * are filled in (name = creation time, every writable disk with media gets
 * a bitmap named after the checkpoint), its parent is the current
 * checkpoint, and it becomes current. With REDEFINE, reinstates metadata
 * obtained earlier from cairnDomainCheckpointGetXMLDesc() (name and
 * creationTime required); REDEFINE_VALIDATE also checks the bitmaps.
 * REDEFINE and QUIESCE are mutually exclusive; REDEFINE_VALIDATE requires
 * REDEFINE.
 *
 * Returns a new checkpoint handle (free with cairnDomainCheckpointFree()),
 * or NULL.
 *
 * Since: 0.1.0
 */
cairnDomainCheckpointPtr
cairnDomainCheckpointCreateXML(cairnDomainPtr domain, const char *xmlDesc, unsigned int flags)
{
    g_autoptr(GError) err = NULL;
    cairnDomainCheckpoint *chk = NULL;

    cairnResetLastError();
    if (!cairnEntryCheckDomain(domain, __func__, &err) ||
        !cairnEntryCheckNonNull(xmlDesc, "xmlDesc", FROM, __func__, &err) ||
        !cairnEntryCheckReadWrite(domain->conn, FROM, __func__, &err) ||
        !cairnEntryCheckExclusive(flags, CAIRN_DOMAIN_CHECKPOINT_CREATE_REDEFINE,
                                  "CAIRN_DOMAIN_CHECKPOINT_CREATE_REDEFINE",
                                  CAIRN_DOMAIN_CHECKPOINT_CREATE_QUIESCE,
                                  "CAIRN_DOMAIN_CHECKPOINT_CREATE_QUIESCE", FROM, &err) ||
        !cairnEntryCheckRequires(flags, CAIRN_DOMAIN_CHECKPOINT_CREATE_REDEFINE,
                                 "CAIRN_DOMAIN_CHECKPOINT_CREATE_REDEFINE",
                                 CAIRN_DOMAIN_CHECKPOINT_CREATE_REDEFINE_VALIDATE,
                                 "CAIRN_DOMAIN_CHECKPOINT_CREATE_REDEFINE_VALIDATE", FROM, &err) ||
        !domainSupports(domain, offsetof(cairnDriver, domainCheckpointCreateXML), __func__, &err) ||
        !(chk = domain->conn->driver->domainCheckpointCreateXML(domain, xmlDesc, flags, &err)))
        cairnEntryFail(err);
    return chk;
}


/**
 * cairnDomainCheckpointGetXMLDesc:
 * @checkpoint: a checkpoint handle
 * @flags: bitwise-OR of cairnDomainCheckpointXMLFlags: SECURE (refused on
 *         a read-only connection), NO_DOMAIN (leave out the <domain>), SIZE
 *         (add the bytes dirtied since the checkpoint to each bitmap disk;
 *         needs a running domain for the hypervisor drivers)
 *
 * Returns the checkpoint XML (caller frees), or NULL.
 *
 * Since: 0.1.0
 */
char *
cairnDomainCheckpointGetXMLDesc(cairnDomainCheckpointPtr checkpoint, unsigned int flags)
{
    g_autoptr(GError) err = NULL;
    char *xml = NULL;

    cairnResetLastError();
    if (!cairnEntryCheckCheckpoint(checkpoint, __func__, &err) ||
        ((flags & CAIRN_DOMAIN_CHECKPOINT_XML_SECURE) &&
         !cairnEntryCheckReadWrite(checkpoint->domain->conn, FROM, __func__, &err)) ||
        !checkpointSupports(checkpoint, offsetof(cairnDriver, domainCheckpointGetXMLDesc), __func__,
                            &err) ||
        !(xml = checkpoint->domain->conn->driver->domainCheckpointGetXMLDesc(checkpoint, flags,
                                                                             &err)))
        cairnEntryFail(err);
    return xml;
}


/**
 * cairnDomainListAllCheckpoints:
 * @domain: the domain
 * @checkpoints: (out) (nullable): where to store a NULL-terminated array of
 *               new handles (free each, then the array with free()); NULL
 *               to only count
 * @flags: bitwise-OR of cairnDomainCheckpointListFlags: ROOTS (only
 *         checkpoints without a parent), TOPOLOGICAL (parents before
 *         children), LEAVES, NO_LEAVES
 *
 * Returns the number of checkpoints, or -1 (and *@checkpoints NULL).
 *
 * Since: 0.1.0
 */
int
cairnDomainListAllCheckpoints(cairnDomainPtr domain,
                              cairnDomainCheckpointPtr **checkpoints,
                              unsigned int flags)
{
    g_autoptr(GError) err = NULL;
    int n = -1;

    cairnResetLastError();
    if (checkpoints)
        *checkpoints = NULL;
    if (!cairnEntryCheckDomain(domain, __func__, &err) ||
        !domainSupports(domain, offsetof(cairnDriver, domainListAllCheckpoints), __func__, &err) ||
        (n = domain->conn->driver->domainListAllCheckpoints(domain, checkpoints, flags, &err)) < 0)
        return cairnEntryFail(err);
    return n;
}


/**
 * cairnDomainCheckpointListAllChildren:
 * @checkpoint: the parent checkpoint
 * @children: (out) (nullable): as for cairnDomainListAllCheckpoints()
 * @flags: bitwise-OR of cairnDomainCheckpointListFlags: DESCENDANTS (the
 *         whole subtree, not just direct children), TOPOLOGICAL, LEAVES,
 *         NO_LEAVES
 *
 * Returns the number of children, or -1.
 *
 * Since: 0.1.0
 */
int
cairnDomainCheckpointListAllChildren(cairnDomainCheckpointPtr checkpoint,
                                     cairnDomainCheckpointPtr **children,
                                     unsigned int flags)
{
    g_autoptr(GError) err = NULL;
    int n = -1;

    cairnResetLastError();
    if (children)
        *children = NULL;
    if (!cairnEntryCheckCheckpoint(checkpoint, __func__, &err) ||
        !checkpointSupports(checkpoint, offsetof(cairnDriver, domainCheckpointListAllChildren),
                            __func__, &err) ||
        (n = checkpoint->domain->conn->driver->domainCheckpointListAllChildren(checkpoint, children,
                                                                               flags, &err)) < 0)
        return cairnEntryFail(err);
    return n;
}


/**
 * cairnDomainCheckpointLookupByName:
 * @domain: the domain
 * @name: the checkpoint's name
 * @flags: must be 0
 *
 * Returns a new handle, or NULL (CAIRN_ERR_NO_DOMAIN_CHECKPOINT when there
 * is no such checkpoint).
 *
 * Since: 0.1.0
 */
cairnDomainCheckpointPtr
cairnDomainCheckpointLookupByName(cairnDomainPtr domain, const char *name, unsigned int flags)
{
    g_autoptr(GError) err = NULL;
    cairnDomainCheckpoint *chk = NULL;

    cairnResetLastError();
    if (!cairnEntryCheckDomain(domain, __func__, &err) ||
        !cairnEntryCheckNonNull(name, "name", FROM, __func__, &err) ||
        !domainSupports(domain, offsetof(cairnDriver, domainCheckpointLookupByName), __func__,
                        &err) ||
        !(chk = domain->conn->driver->domainCheckpointLookupByName(domain, name, flags, &err)))
        cairnEntryFail(err);
    return chk;
}


/**
 * cairnDomainCheckpointGetParent:
 * @checkpoint: a checkpoint handle
 * @flags: must be 0
 *
 * Returns a new handle on the parent, or NULL; a root checkpoint fails with
 * CAIRN_ERR_NO_DOMAIN_CHECKPOINT ("checkpoint 'X' does not have a parent").
 *
 * Since: 0.1.0
 */
cairnDomainCheckpointPtr
cairnDomainCheckpointGetParent(cairnDomainCheckpointPtr checkpoint, unsigned int flags)
{
    g_autoptr(GError) err = NULL;
    cairnDomainCheckpoint *parent = NULL;

    cairnResetLastError();
    if (!cairnEntryCheckCheckpoint(checkpoint, __func__, &err) ||
        !checkpointSupports(checkpoint, offsetof(cairnDriver, domainCheckpointGetParent), __func__,
                            &err) ||
        !(parent =
              checkpoint->domain->conn->driver->domainCheckpointGetParent(checkpoint, flags, &err)))
        cairnEntryFail(err);
    return parent;
}


/**
 * cairnDomainCheckpointDelete:
 * @checkpoint: the checkpoint to delete
 * @flags: bitwise-OR of cairnDomainCheckpointDeleteFlags: CHILDREN (also
 *         every descendant), CHILDREN_ONLY (only the descendants),
 *         METADATA_ONLY (leave the bitmaps in the images). CHILDREN and
 *         CHILDREN_ONLY are mutually exclusive. Without CHILDREN flags the
 *         children move to the deleted checkpoint's parent.
 *
 * Returns 0 or -1.
 *
 * Since: 0.1.0
 */
int
cairnDomainCheckpointDelete(cairnDomainCheckpointPtr checkpoint, unsigned int flags)
{
    g_autoptr(GError) err = NULL;

    cairnResetLastError();
    if (!cairnEntryCheckCheckpoint(checkpoint, __func__, &err) ||
        !cairnEntryCheckReadWrite(checkpoint->domain->conn, FROM, __func__, &err) ||
        !cairnEntryCheckExclusive(flags, CAIRN_DOMAIN_CHECKPOINT_DELETE_CHILDREN,
                                  "CAIRN_DOMAIN_CHECKPOINT_DELETE_CHILDREN",
                                  CAIRN_DOMAIN_CHECKPOINT_DELETE_CHILDREN_ONLY,
                                  "CAIRN_DOMAIN_CHECKPOINT_DELETE_CHILDREN_ONLY", FROM, &err) ||
        !checkpointSupports(checkpoint, offsetof(cairnDriver, domainCheckpointDelete), __func__,
                            &err) ||
        !checkpoint->domain->conn->driver->domainCheckpointDelete(checkpoint, flags, &err))
        return cairnEntryFail(err);
    return 0;
}


/**
 * cairnDomainCheckpointValidate:
 * @domain: the domain
 * @checkpoint: (nullable): the name of the checkpoint to check; NULL for
 *              every checkpoint, and then also bitmaps no checkpoint owns
 * @flags: bitwise-OR of cairnDomainCheckpointValidateFlags
 *
 * Compares the checkpoint metadata with the dirty bitmaps actually in the
 * disk images, running or shut off (not in libvirt). For every checkpoint
 * and each of its bitmap disks the bitmap chain is judged as an
 * incremental backup would judge it: present on the top image, contiguous
 * down the backing chain, persistent, recording and consistent (a QEMU
 * killed while the image was open leaves its bitmaps "in use", which QEMU
 * then reports inconsistent). A checkpoint with any unusable bitmap is
 * broken: an incremental backup from it would be refused, or would miss
 * writes.
 *
 * With CAIRN_DOMAIN_CHECKPOINT_VALIDATE_REPAIR (refused on a read-only
 * connection) every broken checkpoint is deleted, its bitmaps removed from
 * every disk and layer (also the intact ones: a checkpoint is one point in
 * time on all its disks), its children moved to its parent as by a plain
 * cairnDomainCheckpointDelete(), which keeps them exact because every
 * checkpoint's bitmap records all writes since its own creation. Broken
 * bitmaps that belong to no checkpoint are removed too; intact ones are
 * reported and left alone (they may be someone else's). Afterwards the
 * metadata and the images agree, and an incremental backup from a removed
 * checkpoint fails because the checkpoint no longer exists: never a
 * silently wrong backup.
 *
 * The report (format in docs/checkpoint-validate.md):
 *
 *   <checkpointvalidation domain='vm1' state='shutoff' repair='yes'>
 *     <checkpoint name='c1' status='ok'>
 *       <disk name='vda' status='ok'/>
 *     </checkpoint>
 *     <checkpoint name='c2' status='broken' action='removed'>
 *       <disk name='vda' status='inconsistent' action='removed'/>
 *     </checkpoint>
 *     <bitmap disk='vda' name='x' status='ok'/>
 *   </checkpointvalidation>
 *
 * Disk status: ok, missing, inconsistent, not-persistent, not-recording,
 * gap (the layers carrying it are not contiguous from the top), no-disk
 * (the disk left the domain; not counted as broken). Checkpoint status: ok
 * or broken. action='removed' marks what a repair removed.
 *
 * Returns the report (caller frees), or NULL (CAIRN_ERR_NO_DOMAIN_CHECKPOINT
 * for an unknown @checkpoint; an image in use by another process fails
 * with QEMU's locking message and changes nothing).
 *
 * Since: 0.1.0
 */
char *
cairnDomainCheckpointValidate(cairnDomainPtr domain, const char *checkpoint, unsigned int flags)
{
    g_autoptr(GError) err = NULL;
    char *xml = NULL;

    cairnResetLastError();
    if (!cairnEntryCheckDomain(domain, __func__, &err) ||
        ((flags & CAIRN_DOMAIN_CHECKPOINT_VALIDATE_REPAIR) &&
         !cairnEntryCheckReadWrite(domain->conn, FROM, __func__, &err)) ||
        !domainSupports(domain, offsetof(cairnDriver, domainCheckpointValidate), __func__, &err) ||
        !(xml = domain->conn->driver->domainCheckpointValidate(domain, checkpoint, flags, &err)))
        cairnEntryFail(err);
    return xml;
}


/**
 * cairnDomainCheckpointRef:
 * @checkpoint: a checkpoint handle
 *
 * Returns 0, or -1 if @checkpoint is invalid.
 *
 * Since: 0.1.0
 */
int
cairnDomainCheckpointRef(cairnDomainCheckpointPtr checkpoint)
{
    g_autoptr(GError) err = NULL;

    cairnResetLastError();
    if (!cairnEntryCheckCheckpoint(checkpoint, __func__, &err))
        return cairnEntryFail(err);
    g_atomic_ref_count_inc(&checkpoint->refs);
    return 0;
}


/**
 * cairnDomainCheckpointFree:
 * @checkpoint: a checkpoint handle
 *
 * Drops one reference on the handle; the checkpoint itself is untouched.
 *
 * Returns 0, or -1 if @checkpoint is invalid.
 *
 * Since: 0.1.0
 */
int
cairnDomainCheckpointFree(cairnDomainCheckpointPtr checkpoint)
{
    g_autoptr(GError) err = NULL;

    cairnResetLastError();
    if (!cairnEntryCheckCheckpoint(checkpoint, __func__, &err))
        return cairnEntryFail(err);
    cairnCheckpointUnref(checkpoint);
    return 0;
}
