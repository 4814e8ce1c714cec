/*
 * cairn-domain-checkpoint.h: the twin of libvirt-domain-checkpoint.h.
 * Every function, flag name (prefix CAIRN_) and value matches libvirt's.
 */
#ifndef CAIRN_DOMAIN_CHECKPOINT_H
#define CAIRN_DOMAIN_CHECKPOINT_H

#include <cairn/cairn-common.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * cairnDomainCheckpointCreateFlags:
 *
 * Since: 0.1.0
 */
typedef enum {
    /* restore or alter metadata. Since: 0.1.0 */
    CAIRN_DOMAIN_CHECKPOINT_CREATE_REDEFINE = (1 << 0),
    /* use guest agent to quiesce all mounted file systems. Since: 0.1.0 */
    CAIRN_DOMAIN_CHECKPOINT_CREATE_QUIESCE = (1 << 1),
    /* validate disk data state when redefining a checkpoint. Since: 0.1.0 */
    CAIRN_DOMAIN_CHECKPOINT_CREATE_REDEFINE_VALIDATE = (1 << 2)
} cairnDomainCheckpointCreateFlags;

/**
 * cairnDomainCheckpointXMLFlags:
 *
 * Since: 0.1.0
 */
typedef enum {
    CAIRN_DOMAIN_CHECKPOINT_XML_SECURE = (1 << 0),    /* Since: 0.1.0 */
    CAIRN_DOMAIN_CHECKPOINT_XML_NO_DOMAIN = (1 << 1), /* Since: 0.1.0 */
    CAIRN_DOMAIN_CHECKPOINT_XML_SIZE = (1 << 2)       /* Since: 0.1.0 */
} cairnDomainCheckpointXMLFlags;

/**
 * cairnDomainCheckpointListFlags:
 *
 * ROOTS (for cairnDomainListAllCheckpoints) and DESCENDANTS (for
 * cairnDomainCheckpointListAllChildren) share one bit, as in libvirt.
 *
 * Since: 0.1.0
 */
typedef enum {
    CAIRN_DOMAIN_CHECKPOINT_LIST_ROOTS = (1 << 0),       /* Since: 0.1.0 */
    CAIRN_DOMAIN_CHECKPOINT_LIST_DESCENDANTS = (1 << 0), /* Since: 0.1.0 */
    CAIRN_DOMAIN_CHECKPOINT_LIST_TOPOLOGICAL = (1 << 1), /* Since: 0.1.0 */
    CAIRN_DOMAIN_CHECKPOINT_LIST_LEAVES = (1 << 2),      /* Since: 0.1.0 */
    CAIRN_DOMAIN_CHECKPOINT_LIST_NO_LEAVES = (1 << 3)    /* Since: 0.1.0 */
} cairnDomainCheckpointListFlags;

/**
 * cairnDomainCheckpointDeleteFlags:
 *
 * Since: 0.1.0
 */
typedef enum {
    CAIRN_DOMAIN_CHECKPOINT_DELETE_CHILDREN = (1 << 0),      /* Since: 0.1.0 */
    CAIRN_DOMAIN_CHECKPOINT_DELETE_METADATA_ONLY = (1 << 1), /* Since: 0.1.0 */
    CAIRN_DOMAIN_CHECKPOINT_DELETE_CHILDREN_ONLY = (1 << 2)  /* Since: 0.1.0 */
} cairnDomainCheckpointDeleteFlags;

/**
 * cairnDomainCheckpointValidateFlags:
 *
 * Flags of cairnDomainCheckpointValidate(). Not in libvirt.
 *
 * Since: 0.1.0
 */
typedef enum {
    /* remove what is broken: the checkpoints whose bitmaps are unusable
     * (with those bitmaps, on every disk) and broken bitmaps that belong
     * to no checkpoint. Since: 0.1.0 */
    CAIRN_DOMAIN_CHECKPOINT_VALIDATE_REPAIR = (1 << 0)
} cairnDomainCheckpointValidateFlags;

const char *cairnDomainCheckpointGetName(cairnDomainCheckpointPtr checkpoint);
cairnDomainPtr cairnDomainCheckpointGetDomain(cairnDomainCheckpointPtr checkpoint);
cairnConnectPtr cairnDomainCheckpointGetConnect(cairnDomainCheckpointPtr checkpoint);

cairnDomainCheckpointPtr
cairnDomainCheckpointCreateXML(cairnDomainPtr domain, const char *xmlDesc, unsigned int flags);
char *cairnDomainCheckpointGetXMLDesc(cairnDomainCheckpointPtr checkpoint, unsigned int flags);
int cairnDomainListAllCheckpoints(cairnDomainPtr domain,
                                  cairnDomainCheckpointPtr **checkpoints,
                                  unsigned int flags);
int cairnDomainCheckpointListAllChildren(cairnDomainCheckpointPtr checkpoint,
                                         cairnDomainCheckpointPtr **children,
                                         unsigned int flags);
cairnDomainCheckpointPtr
cairnDomainCheckpointLookupByName(cairnDomainPtr domain, const char *name, unsigned int flags);
cairnDomainCheckpointPtr cairnDomainCheckpointGetParent(cairnDomainCheckpointPtr checkpoint,
                                                        unsigned int flags);
int cairnDomainCheckpointDelete(cairnDomainCheckpointPtr checkpoint, unsigned int flags);
char *
cairnDomainCheckpointValidate(cairnDomainPtr domain, const char *checkpoint, unsigned int flags);
int cairnDomainCheckpointRef(cairnDomainCheckpointPtr checkpoint);
int cairnDomainCheckpointFree(cairnDomainCheckpointPtr checkpoint);

#ifdef __cplusplus
}
#endif

#endif /* CAIRN_DOMAIN_CHECKPOINT_H */
