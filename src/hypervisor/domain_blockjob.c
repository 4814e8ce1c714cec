/*
 * domain_blockjob.c: shared pieces of block jobs (see domain_blockjob.h).
 */
#include "domain_blockjob.h"
#include "cairn/cairn-error.h"
#include "cairn/cairn-event.h"
#include "conf/domain_event.h"
#include "conf/object_event.h"
#include "util/cairnerror.h"

#define FROM CAIRN_FROM_DOMAIN


cairnDomainDiskDef *
cairnBlockJobFindDisk(const cairnDomainDef *def, const char *name, GError **error)
{
    cairnDomainDiskDef *disk = cairnDomainDiskByName(def, name);

    if (!disk)
        cairnErrorSet(error, FROM, CAIRN_ERR_INVALID_ARG, "disk '%s' not found in domain", name);
    return disk;
}


void
cairnBlockJobErrorBusy(const char *dst, GError **error)
{
    cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_INVALID, "disk '%s' already in active block job",
                  dst);
}


void
cairnBlockJobErrorNone(const char *dst, GError **error)
{
    cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_INVALID,
                  "disk %s does not have an active block job", dst);
}


void
cairnBlockJobEmit(cairnConnect *conn,
                  const cairnDomainDef *def,
                  int id,
                  const cairnDomainDiskDef *disk,
                  int type,
                  int status)
{
    if (!conn)
        return;
    if (disk->src)
        cairnConnectEmitEvent(conn, cairnDomainEventBlockJobNew(def->name, def->uuid, id,
                                                                CAIRN_DOMAIN_EVENT_ID_BLOCK_JOB,
                                                                disk->src, type, status));
    cairnConnectEmitEvent(conn, cairnDomainEventBlockJobNew(def->name, def->uuid, id,
                                                            CAIRN_DOMAIN_EVENT_ID_BLOCK_JOB_2,
                                                            disk->dst, type, status));
}
