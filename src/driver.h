/*
 * driver.h: the one driver table. Every public call goes through it.
 *
 * Entry points (libcairn-*.c) check handles and arguments and dispatch;
 * drivers re-check flags against their own mask and act. Driver functions
 * report failure through their return value plus exactly one GError.
 * A NULL slot means "not supported" (CAIRN_ERR_NO_SUPPORT).
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "datatypes.h"
#include "cairn/cairn-domain.h"
#include "cairn/cairn-domain-job.h"
#include "cairn/cairn-event.h"

/* Result of connectOpen. */
typedef enum {
    CAIRN_DRV_OPEN_DECLINED = 0, /* the URI is not for this driver */
    CAIRN_DRV_OPEN_SUCCESS = 1,
    CAIRN_DRV_OPEN_ERROR = -1,
} cairnDrvOpenStatus;

struct _cairnDriver {
    const char *name; /* "Test", "QEMU", ... (cairnConnectGetType) */

    /* 0.1.0 */
    cairnDrvOpenStatus (*connectOpen)(cairnConnect *conn,
                                      GUri *uri,
                                      unsigned int flags,
                                      GError **error);
    /* 0.1.0 */
    void (*connectClose)(cairnConnect *conn);
    /* 0.1.0: the version of the library serving the connection (through
     * the daemon, the daemon's) */
    bool (*connectGetLibVersion)(cairnConnect *conn, unsigned long *libVer, GError **error);
    /* 0.1.0: *domains gets a NULL-terminated g_malloc'd array when not NULL */
    int (*connectListAllDomains)(cairnConnect *conn,
                                 cairnDomain ***domains,
                                 unsigned int flags,
                                 GError **error);

    /* 0.1.0 */
    cairnDomain *(*domainLookupByName)(cairnConnect *conn, const char *name, GError **error);
    /* 0.1.0 */
    cairnDomain *(*domainLookupByUUID)(cairnConnect *conn,
                                       const unsigned char *uuid,
                                       GError **error);
    /* 0.1.0 */
    cairnDomain *(*domainLookupByID)(cairnConnect *conn, int id, GError **error);
    /* 0.1.0 */
    cairnDomain *(*domainDefineXML)(cairnConnect *conn,
                                    const char *xml,
                                    unsigned int flags,
                                    GError **error);
    /* 0.1.0 */
    bool (*domainUndefine)(cairnDomain *dom, unsigned int flags, GError **error);
    /* 0.1.0 */
    bool (*domainCreate)(cairnDomain *dom, unsigned int flags, GError **error);
    /* 0.1.0 */
    bool (*domainDestroy)(cairnDomain *dom, unsigned int flags, GError **error);
    /* 0.1.0 */
    bool (*domainShutdown)(cairnDomain *dom, unsigned int flags, GError **error);
    /* 0.1.0: cairnDomainSuspend() passes flags 0; a paused domain stays
     * paused (success) */
    bool (*domainSuspend)(cairnDomain *dom, unsigned int flags, GError **error);
    /* 0.1.0: cairnDomainResume() passes flags 0; a running domain stays
     * running (success) */
    bool (*domainResume)(cairnDomain *dom, unsigned int flags, GError **error);
    /* 0.1.0 */
    char *(*domainGetXMLDesc)(cairnDomain *dom, unsigned int flags, GError **error);
    /* 0.1.0 */
    bool (*domainGetInfo)(cairnDomain *dom, cairnDomainInfo *info, GError **error);
    /* 0.1.0 */
    bool (*domainGetState)(
        cairnDomain *dom, int *state, int *reason, unsigned int flags, GError **error);
    /* 0.1.0: 1 yes, 0 no, -1 error */
    int (*domainIsActive)(cairnDomain *dom, GError **error);
    /* 0.1.0: 1 yes, 0 no, -1 error */
    int (*domainIsPersistent)(cairnDomain *dom, GError **error);

    /* 0.1.0 */
    cairnDomainCheckpoint *(*domainCheckpointCreateXML)(cairnDomain *dom,
                                                        const char *xml,
                                                        unsigned int flags,
                                                        GError **error);
    /* 0.1.0 */
    char *(*domainCheckpointGetXMLDesc)(cairnDomainCheckpoint *chk,
                                        unsigned int flags,
                                        GError **error);
    /* 0.1.0: *chks gets a NULL-terminated g_malloc'd array when not NULL */
    int (*domainListAllCheckpoints)(cairnDomain *dom,
                                    cairnDomainCheckpoint ***chks,
                                    unsigned int flags,
                                    GError **error);
    /* 0.1.0 */
    int (*domainCheckpointListAllChildren)(cairnDomainCheckpoint *chk,
                                           cairnDomainCheckpoint ***chks,
                                           unsigned int flags,
                                           GError **error);
    /* 0.1.0 */
    cairnDomainCheckpoint *(*domainCheckpointLookupByName)(cairnDomain *dom,
                                                           const char *name,
                                                           unsigned int flags,
                                                           GError **error);
    /* 0.1.0 */
    cairnDomainCheckpoint *(*domainCheckpointGetParent)(cairnDomainCheckpoint *chk,
                                                        unsigned int flags,
                                                        GError **error);
    /* 0.1.0 */
    bool (*domainCheckpointDelete)(cairnDomainCheckpoint *chk, unsigned int flags, GError **error);
    /* 0.1.0: the XML report of cairnDomainCheckpointValidate (caller frees);
     * @checkpoint NULL for all */
    char *(*domainCheckpointValidate)(cairnDomain *dom,
                                      const char *checkpoint,
                                      unsigned int flags,
                                      GError **error);

    /* 0.1.0: returns as soon as the job runs; @checkpointXML may be NULL.
     * One backup per domain. */
    bool (*domainBackupBegin)(cairnDomain *dom,
                              const char *backupXML,
                              const char *checkpointXML,
                              unsigned int flags,
                              GError **error);
    /* 0.1.0: the public backup XML of the running job (caller frees) */
    char *(*domainBackupGetXMLDesc)(cairnDomain *dom, unsigned int flags, GError **error);
    /* 0.1.0: the running job (type NONE when none), as libvirt's summary */
    bool (*domainGetJobInfo)(cairnDomain *dom, cairnDomainJobInfo *info, GError **error);
    /* 0.1.0: *params is a g_malloc'd array (cairnTypedParamsFree), NULL when
     * *nparams is 0; COMPLETED reports the last finished job and forgets it
     * unless KEEP_COMPLETED (cairnDomainJobDataToParams builds them) */
    bool (*domainGetJobStats)(cairnDomain *dom,
                              int *type,
                              cairnTypedParameter **params,
                              int *nparams,
                              unsigned int flags,
                              GError **error);
    /* 0.1.0: cairnDomainAbortJob() passes flags 0 */
    bool (*domainAbortJob)(cairnDomain *dom, unsigned int flags, GError **error);
    /* 0.1.0: @bandwidth in MiB/s, or bytes/s with BANDWIDTH_BYTES */
    bool (*domainBlockPull)(cairnDomain *dom,
                            const char *disk,
                            unsigned long bandwidth,
                            unsigned int flags,
                            GError **error);
    /* 0.1.0: 1 with @info filled, 0 when the disk has no block job */
    int (*domainGetBlockJobInfo)(cairnDomain *dom,
                                 const char *disk,
                                 cairnDomainBlockJobInfo *info,
                                 unsigned int flags,
                                 GError **error);
    /* 0.1.0 */
    bool (*domainBlockJobAbort)(cairnDomain *dom,
                                const char *disk,
                                unsigned int flags,
                                GError **error);
    /* 0.1.0: cairnDomainBlockJobSetSpeed(); @bandwidth is in bytes/s
     * whatever the flags (the public layer converts MiB/s) */
    bool (*domainBlockJobSetSpeed)(cairnDomain *dom,
                                   const char *disk,
                                   unsigned long long bandwidth,
                                   unsigned int flags,
                                   GError **error);

    /* 0.1.0: returns the callback ID (>= 1); @dom NULL = all domains. The
     * test and qemu drivers use cairnConnectEventRegister (object_event.h) */
    int (*connectDomainEventRegisterAny)(cairnConnect *conn,
                                         cairnDomain *dom,
                                         int eventID,
                                         cairnConnectDomainEventGenericCallback cb,
                                         void *opaque,
                                         cairnFreeCallback freecb,
                                         GError **error);
    /* 0.1.0: cairnConnectEventDeregister for in-process drivers */
    bool (*connectDomainEventDeregisterAny)(cairnConnect *conn, int callbackID, GError **error);

    /* 0.1.0: the reply, QMP JSON text or HMP output (caller frees) */
    char *(*domainQemuMonitorCommand)(cairnDomain *dom,
                                      const char *cmd,
                                      unsigned int flags,
                                      GError **error);
};
