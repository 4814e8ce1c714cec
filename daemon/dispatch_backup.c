/*
 * dispatch_backup.c: backups and jobs. BackupBegin's target and scratch
 * files are checked to be absolute paths before the driver sees them.
 */
#include "cairn/cairn.h"
#include "dispatch.h"
#include "util/cairnerror.h"
#include "util/cairntypedparam.h"


/* Unpack "((sayi)u...)" into a domain handle and the flags at @index. */
static cairnDomain *
cairndBackupDomain(
    cairnConnect *conn, GVariant *params, gsize index, guint32 *flags, GError **error)
{
    g_autoptr(GVariant) value = g_variant_get_child_value(params, 0);

    if (flags)
        g_variant_get_child(params, index, "u", flags);
    return cairndDomainFromVariant(conn, value, error);
}


GVariant *
cairndDomainBackupBegin(cairndClient *client, cairnConnect *conn, GVariant *params, GError **error)
{
    g_autoptr(cairnDomain) dom = NULL;
    const char *backup = NULL;
    const char *checkpoint = NULL;
    guint32 flags = 0;

    g_variant_get_child(params, 1, "&s", &backup);
    g_variant_get_child(params, 2, "&s", &checkpoint);
    if (!(dom = cairndBackupDomain(conn, params, 3, &flags, error)) ||
        !cairndCheckBackupPaths(backup, error) ||
        (*checkpoint && !cairndCheckXMLName(checkpoint, "checkpoint", CAIRN_FROM_DOMAIN_CHECKPOINT,
                                            CAIRN_ERR_XML_INVALID_SCHEMA, error)))
        return NULL;
    if (cairnDomainBackupBegin(dom, backup, *checkpoint ? checkpoint : NULL, flags) < 0)
        cairndLastError(error);
    return NULL;
}


GVariant *
cairndDomainBackupGetXMLDesc(cairndClient *client,
                             cairnConnect *conn,
                             GVariant *params,
                             GError **error)
{
    g_autoptr(cairnDomain) dom = NULL;
    g_autofree char *xml = NULL;
    guint32 flags = 0;

    if (!(dom = cairndBackupDomain(conn, params, 1, &flags, error)))
        return NULL;
    if (!(xml = cairnDomainBackupGetXMLDesc(dom, flags))) {
        cairndLastError(error);
        return NULL;
    }
    return g_variant_new("(s)", xml);
}


GVariant *
cairndDomainGetJobInfo(cairndClient *client, cairnConnect *conn, GVariant *params, GError **error)
{
    g_autoptr(cairnDomain) dom = NULL;
    cairnDomainJobInfo info = { 0 };

    if (!(dom = cairndBackupDomain(conn, params, 0, NULL, error)))
        return NULL;
    if (cairnDomainGetJobInfo(dom, &info) < 0) {
        cairndLastError(error);
        return NULL;
    }
    return g_variant_new(
        "((ittttttttttt))", info.type, (guint64)info.timeElapsed, (guint64)info.timeRemaining,
        (guint64)info.dataTotal, (guint64)info.dataProcessed, (guint64)info.dataRemaining,
        (guint64)info.memTotal, (guint64)info.memProcessed, (guint64)info.memRemaining,
        (guint64)info.fileTotal, (guint64)info.fileProcessed, (guint64)info.fileRemaining);
}


GVariant *
cairndDomainGetJobStats(cairndClient *client, cairnConnect *conn, GVariant *params, GError **error)
{
    g_autoptr(cairnDomain) dom = NULL;
    cairnTypedParameterPtr tp = NULL;
    guint32 flags = 0;
    GVariant *list;
    int nparams = 0;
    int type = 0;

    if (!(dom = cairndBackupDomain(conn, params, 1, &flags, error)))
        return NULL;
    if (cairnDomainGetJobStats(dom, &type, &tp, &nparams, flags) < 0) {
        cairndLastError(error);
        return NULL;
    }
    list = cairnTypedParamsToVariant(tp, nparams);
    cairnTypedParamsFree(tp, nparams);
    return g_variant_new("(i@a(sv))", type, list);
}


GVariant *
cairndDomainAbortJob(cairndClient *client, cairnConnect *conn, GVariant *params, GError **error)
{
    g_autoptr(cairnDomain) dom = NULL;
    guint32 flags = 0;

    if (!(dom = cairndBackupDomain(conn, params, 1, &flags, error)))
        return NULL;
    if (cairnDomainAbortJobFlags(dom, flags) < 0)
        cairndLastError(error);
    return NULL;
}


GVariant *
cairndDomainBlockPull(cairndClient *client, cairnConnect *conn, GVariant *params, GError **error)
{
    g_autoptr(cairnDomain) dom = NULL;
    const char *disk = NULL;
    guint64 bandwidth = 0;
    guint32 flags = 0;

    g_variant_get_child(params, 1, "&s", &disk);
    g_variant_get_child(params, 2, "t", &bandwidth);
    if (!(dom = cairndBackupDomain(conn, params, 3, &flags, error)))
        return NULL;
    if (cairnDomainBlockPull(dom, disk, (unsigned long)bandwidth, flags) < 0)
        cairndLastError(error);
    return NULL;
}


GVariant *
cairndDomainGetBlockJobInfo(cairndClient *client,
                            cairnConnect *conn,
                            GVariant *params,
                            GError **error)
{
    g_autoptr(cairnDomain) dom = NULL;
    cairnDomainBlockJobInfo info = { 0 };
    const char *disk = NULL;
    guint32 flags = 0;
    int ret;

    g_variant_get_child(params, 1, "&s", &disk);
    if (!(dom = cairndBackupDomain(conn, params, 2, &flags, error)))
        return NULL;
    if ((ret = cairnDomainGetBlockJobInfo(dom, disk, &info, flags)) < 0) {
        cairndLastError(error);
        return NULL;
    }
    return g_variant_new("(i(ittt))", ret, info.type, (guint64)info.bandwidth, (guint64)info.cur,
                         (guint64)info.end);
}


GVariant *
cairndDomainBlockJobAbort(cairndClient *client,
                          cairnConnect *conn,
                          GVariant *params,
                          GError **error)
{
    g_autoptr(cairnDomain) dom = NULL;
    const char *disk = NULL;
    guint32 flags = 0;

    g_variant_get_child(params, 1, "&s", &disk);
    if (!(dom = cairndBackupDomain(conn, params, 2, &flags, error)))
        return NULL;
    if (cairnDomainBlockJobAbort(dom, disk, flags) < 0)
        cairndLastError(error);
    return NULL;
}


GVariant *
cairndDomainBlockJobSetSpeed(cairndClient *client,
                             cairnConnect *conn,
                             GVariant *params,
                             GError **error)
{
    g_autoptr(cairnDomain) dom = NULL;
    const char *disk = NULL;
    guint64 bandwidth = 0;
    guint32 flags = 0;

    g_variant_get_child(params, 1, "&s", &disk);
    g_variant_get_child(params, 2, "t", &bandwidth);
    if (!(dom = cairndBackupDomain(conn, params, 3, &flags, error)))
        return NULL;
    if (cairnDomainBlockJobSetSpeed(dom, disk, (unsigned long)bandwidth, flags) < 0)
        cairndLastError(error);
    return NULL;
}
