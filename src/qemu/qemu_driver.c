/*
 * qemu_driver.c: the qemu driver's table and connections.
 *
 * qemu:///embed?root=DIR runs the driver inside the calling process with
 * its state under DIR (created if missing; see ARCHITECTURE.md for the
 * layout). Opening a connection reads every definition and live state
 * under DIR and reconciles each running domain with its QEMU: one that is
 * still there is reattached (its monitor answers), one that vanished is
 * recorded as shut off (crashed) and its files are removed. Other qemu://
 * URIs (session, system) are the remote driver's; this one declines them.
 */
#include <string.h>

#include "cairn/cairn-error.h"
#include "cairn/cairn-version.h"
#include "qemu_backup.h"
#include "qemu_blockjob.h"
#include "qemu_checkpoint.h"
#include "qemu_checkpoint_meta.h"
#include "qemu_domain.h"
#include "qemu_driver.h"
#include "qemu_driver_domain.h"
#include "qemu_job.h"
#include "qemu_process.h"
#include "util/cairnerror.h"

#define FROM CAIRN_FROM_QEMU


/* The root= parameter of @uri: an absolute directory. */
static char *
qemuConnectParseRoot(cairnConnect *conn, GUri *uri, GError **error)
{
    g_autoptr(GHashTable) params = NULL;
    g_autoptr(GError) gerr = NULL;
    const char *query = g_uri_get_query(uri);
    GHashTableIter iter;
    gpointer key;
    const char *root;

    if (!query || !(params = g_uri_parse_params(query, -1, "&", G_URI_PARAMS_NONE, &gerr))) {
        cairnErrorSet(
            error, FROM, CAIRN_ERR_INVALID_ARG,
            "'%s': qemu:///embed needs a root directory, e.g. qemu:///embed?root=/var/lib/cairn",
            conn->uri);
        return NULL;
    }
    g_hash_table_iter_init(&iter, params);
    while (g_hash_table_iter_next(&iter, &key, NULL)) {
        if (!g_str_equal(key, "root")) {
            cairnErrorSet(error, FROM, CAIRN_ERR_INVALID_ARG,
                          "'%s': unknown parameter '%s' (qemu:///embed takes root=DIR)", conn->uri,
                          (const char *)key);
            return NULL;
        }
    }
    root = g_hash_table_lookup(params, "root");
    if (!root || !g_path_is_absolute(root)) {
        cairnErrorSet(error, FROM, CAIRN_ERR_INVALID_ARG,
                      "'%s': the root directory must be an absolute path", conn->uri);
        return NULL;
    }
    return g_canonicalize_filename(root, NULL);
}


/* Reconcile every running domain once (see the top of the file). */
static bool
qemuConnectReconcile(qemuDriverState *drv, GError **error)
{
    g_autoptr(GPtrArray) objs = NULL;

    if (!qemuDriverRescan(drv, error))
        return false;
    objs = qemuDriverSnapshot(drv);
    for (guint i = 0; i < objs->len; i++) {
        qemuDomainObj *obj = g_ptr_array_index(objs, i);
        g_autoptr(cairnFileLock) lock = NULL;
        g_autoptr(GError) err = NULL;
        bool gone = false;

        if (!obj->status || !(lock = qemuDomainLock(drv, obj->name, 0, NULL)))
            continue;
        if (!qemuDomainObjRefresh(drv, obj, &gone, &err) ||
            (!gone && !qemuProcessCheck(drv, obj, true, &err)))
            g_debug("reconnect %s: %s", obj->name, err->message);
        if (!obj->def && !obj->status)
            qemuDriverForget(drv, obj);
    }
    return true;
}


static cairnDrvOpenStatus
qemuConnectOpen(cairnConnect *conn, GUri *uri, unsigned int flags, GError **error)
{
    g_autofree char *root = NULL;
    qemuDriverState *drv;

    if (g_strcmp0(g_uri_get_scheme(uri), "qemu") != 0 ||
        g_strcmp0(g_uri_get_path(uri), "/embed") != 0)
        return CAIRN_DRV_OPEN_DECLINED;
    if (g_uri_get_host(uri) && *g_uri_get_host(uri)) {
        cairnErrorSet(error, FROM, CAIRN_ERR_INVALID_ARG,
                      "'%s': qemu:///embed runs locally; it takes no host", conn->uri);
        return CAIRN_DRV_OPEN_ERROR;
    }
    if (!(root = qemuConnectParseRoot(conn, uri, error)) ||
        !(drv = qemuDriverStateNew(root, error)))
        return CAIRN_DRV_OPEN_ERROR;
    drv->refresh_checkpoints = qemuCheckpointObjRefresh;
    if (!qemuConnectReconcile(drv, error)) {
        qemuDriverStateFree(drv);
        return CAIRN_DRV_OPEN_ERROR;
    }
    conn->privateData = drv;
    drv->conn = conn;
    return CAIRN_DRV_OPEN_SUCCESS;
}


static void
qemuConnectClose(cairnConnect *conn)
{
    qemuJobWatchStop(conn);
    qemuDriverStateFree(conn->privateData);
    conn->privateData = NULL;
}


static bool
qemuConnectGetLibVersion(cairnConnect *conn, unsigned long *libVer, GError **error)
{
    *libVer = CAIRN_VERSION_NUMBER;
    return true;
}


const cairnDriver qemuDriver = {
    .name = "QEMU",
    .connectOpen = qemuConnectOpen,                                         /* 0.1.0 */
    .connectClose = qemuConnectClose,                                       /* 0.1.0 */
    .connectGetLibVersion = qemuConnectGetLibVersion,                       /* 0.1.0 */
    .connectListAllDomains = qemuConnectListAllDomains,                     /* 0.1.0 */
    .domainLookupByName = qemuDomainLookupByName,                           /* 0.1.0 */
    .domainLookupByUUID = qemuDomainLookupByUUID,                           /* 0.1.0 */
    .domainLookupByID = qemuDomainLookupByID,                               /* 0.1.0 */
    .domainDefineXML = qemuDomainDefineXML,                                 /* 0.1.0 */
    .domainUndefine = qemuDomainUndefine,                                   /* 0.1.0 */
    .domainCreate = qemuDomainCreate,                                       /* 0.1.0 */
    .domainDestroy = qemuDomainDestroy,                                     /* 0.1.0 */
    .domainShutdown = qemuDomainShutdown,                                   /* 0.1.0 */
    .domainSuspend = qemuDomainSuspend,                                     /* 0.1.0 */
    .domainResume = qemuDomainResume,                                       /* 0.1.0 */
    .domainGetXMLDesc = qemuDomainGetXMLDesc,                               /* 0.1.0 */
    .domainGetInfo = qemuDomainGetInfo,                                     /* 0.1.0 */
    .domainGetState = qemuDomainGetState,                                   /* 0.1.0 */
    .domainIsActive = qemuDomainIsActive,                                   /* 0.1.0 */
    .domainIsPersistent = qemuDomainIsPersistent,                           /* 0.1.0 */
    .domainCheckpointCreateXML = qemuDomainCheckpointCreateXML,             /* 0.1.0 */
    .domainCheckpointGetXMLDesc = qemuDomainCheckpointGetXMLDesc,           /* 0.1.0 */
    .domainListAllCheckpoints = qemuDomainListAllCheckpoints,               /* 0.1.0 */
    .domainCheckpointListAllChildren = qemuDomainCheckpointListAllChildren, /* 0.1.0 */
    .domainCheckpointLookupByName = qemuDomainCheckpointLookupByName,       /* 0.1.0 */
    .domainCheckpointGetParent = qemuDomainCheckpointGetParent,             /* 0.1.0 */
    .domainCheckpointDelete = qemuDomainCheckpointDelete,                   /* 0.1.0 */
    .domainCheckpointValidate = qemuDomainCheckpointValidate,               /* 0.1.0 */
    .domainBackupBegin = qemuDomainBackupBegin,                             /* 0.1.0 */
    .domainBackupGetXMLDesc = qemuDomainBackupGetXMLDesc,                   /* 0.1.0 */
    .domainGetJobInfo = qemuDomainGetJobInfo,                               /* 0.1.0 */
    .domainGetJobStats = qemuDomainGetJobStats,                             /* 0.1.0 */
    .domainAbortJob = qemuDomainAbortJob,                                   /* 0.1.0 */
    .domainBlockPull = qemuDomainBlockPull,                                 /* 0.1.0 */
    .domainGetBlockJobInfo = qemuDomainGetBlockJobInfo,                     /* 0.1.0 */
    .domainBlockJobAbort = qemuDomainBlockJobAbort,                         /* 0.1.0 */
    .domainBlockJobSetSpeed = qemuDomainBlockJobSetSpeed,                   /* 0.1.0 */
    .connectDomainEventRegisterAny = qemuConnectDomainEventRegisterAny,     /* 0.1.0 */
    .connectDomainEventDeregisterAny = qemuConnectDomainEventDeregisterAny, /* 0.1.0 */
    .domainQemuMonitorCommand = qemuDomainQemuMonitorCommand,               /* 0.1.0 */
};
