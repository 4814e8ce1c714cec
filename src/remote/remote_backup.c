/*
 * remote_backup.c: the remote driver's backup and job slots.
 */
#include "cairn/cairn-domain-backup.h"
#include "cairn/cairn-error.h"
#include "remote_calls.h"
#include "remote_private.h"
#include "util/cairnerror.h"
#include "util/cairntypedparam.h"


bool
remoteDomainBackupBegin(cairnDomain *dom,
                        const char *backupXML,
                        const char *checkpointXML,
                        unsigned int flags,
                        GError **error)
{
    g_autoptr(GVariant) reply = NULL;

    if (!remoteStringCheck(backupXML, "backupXML", error) ||
        (checkpointXML && !remoteStringCheck(checkpointXML, "checkpointXML", error)))
        return false;
    reply = remoteCall(dom->conn, REMOTE_PROC_DOMAIN_BACKUP_BEGIN,
                       g_variant_new("(@(sayi)ssu)", remoteDomainToVariant(dom), backupXML,
                                     checkpointXML ? checkpointXML : "", flags),
                       error);
    return reply != NULL;
}


char *
remoteDomainBackupGetXMLDesc(cairnDomain *dom, unsigned int flags, GError **error)
{
    g_autoptr(GVariant) reply = NULL;
    char *xml = NULL;

    reply = remoteCall(dom->conn, REMOTE_PROC_DOMAIN_BACKUP_GET_XML_DESC,
                       g_variant_new("(@(sayi)u)", remoteDomainToVariant(dom), flags), error);
    if (reply)
        g_variant_get(reply, "(s)", &xml);
    return xml;
}


bool
remoteDomainGetJobInfo(cairnDomain *dom, cairnDomainJobInfo *info, GError **error)
{
    g_autoptr(GVariant) reply = NULL;
    gint32 type = 0;
    guint64 v[11] = { 0 };

    if (!(reply = remoteCall(dom->conn, REMOTE_PROC_DOMAIN_GET_JOB_INFO,
                             g_variant_new("(@(sayi))", remoteDomainToVariant(dom)), error)))
        return false;
    g_variant_get(reply, "((ittttttttttt))", &type, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6],
                  &v[7], &v[8], &v[9], &v[10]);
    info->type = type;
    info->timeElapsed = v[0];
    info->timeRemaining = v[1];
    info->dataTotal = v[2];
    info->dataProcessed = v[3];
    info->dataRemaining = v[4];
    info->memTotal = v[5];
    info->memProcessed = v[6];
    info->memRemaining = v[7];
    info->fileTotal = v[8];
    info->fileProcessed = v[9];
    info->fileRemaining = v[10];
    return true;
}


bool
remoteDomainGetJobStats(cairnDomain *dom,
                        int *type,
                        cairnTypedParameter **params,
                        int *nparams,
                        unsigned int flags,
                        GError **error)
{
    g_autoptr(GVariant) reply = NULL;
    g_autoptr(GVariant) list = NULL;
    gint32 jobtype = 0;

    if (!(reply =
              remoteCall(dom->conn, REMOTE_PROC_DOMAIN_GET_JOB_STATS,
                         g_variant_new("(@(sayi)u)", remoteDomainToVariant(dom), flags), error)))
        return false;
    g_variant_get(reply, "(i@a(sv))", &jobtype, &list);
    if (!cairnTypedParamsFromVariant(list, params, nparams, error))
        return false;
    *type = jobtype;
    return true;
}


bool
remoteDomainAbortJob(cairnDomain *dom, unsigned int flags, GError **error)
{
    g_autoptr(GVariant) reply = NULL;

    reply = remoteCall(dom->conn, REMOTE_PROC_DOMAIN_ABORT_JOB,
                       g_variant_new("(@(sayi)u)", remoteDomainToVariant(dom), flags), error);
    return reply != NULL;
}


bool
remoteDomainBlockPull(
    cairnDomain *dom, const char *disk, unsigned long bandwidth, unsigned int flags, GError **error)
{
    g_autoptr(GVariant) reply = NULL;

    reply = remoteCall(
        dom->conn, REMOTE_PROC_DOMAIN_BLOCK_PULL,
        g_variant_new("(@(sayi)stu)", remoteDomainToVariant(dom), disk, (guint64)bandwidth, flags),
        error);
    return reply != NULL;
}


int
remoteDomainGetBlockJobInfo(cairnDomain *dom,
                            const char *disk,
                            cairnDomainBlockJobInfo *info,
                            unsigned int flags,
                            GError **error)
{
    g_autoptr(GVariant) reply = NULL;
    gint32 ret = 0;
    gint32 type = 0;
    guint64 bandwidth = 0;
    guint64 cur = 0;
    guint64 end = 0;

    if (!(reply = remoteCall(dom->conn, REMOTE_PROC_DOMAIN_GET_BLOCK_JOB_INFO,
                             g_variant_new("(@(sayi)su)", remoteDomainToVariant(dom), disk, flags),
                             error)))
        return -1;
    g_variant_get(reply, "(i(ittt))", &ret, &type, &bandwidth, &cur, &end);
    info->type = type;
    info->bandwidth = (unsigned long)bandwidth;
    info->cur = cur;
    info->end = end;
    return ret;
}


bool
remoteDomainBlockJobAbort(cairnDomain *dom, const char *disk, unsigned int flags, GError **error)
{
    g_autoptr(GVariant) reply = NULL;

    reply =
        remoteCall(dom->conn, REMOTE_PROC_DOMAIN_BLOCK_JOB_ABORT,
                   g_variant_new("(@(sayi)su)", remoteDomainToVariant(dom), disk, flags), error);
    return reply != NULL;
}


/* The public layer made @bandwidth bytes/s; the daemon's must not convert
 * again. */
bool
remoteDomainBlockJobSetSpeed(cairnDomain *dom,
                             const char *disk,
                             unsigned long long bandwidth,
                             unsigned int flags,
                             GError **error)
{
    g_autoptr(GVariant) reply = NULL;

    reply = remoteCall(dom->conn, REMOTE_PROC_DOMAIN_BLOCK_JOB_SET_SPEED,
                       g_variant_new("(@(sayi)stu)", remoteDomainToVariant(dom), disk,
                                     (guint64)bandwidth,
                                     flags | CAIRN_DOMAIN_BLOCK_JOB_SPEED_BANDWIDTH_BYTES),
                       error);
    return reply != NULL;
}
