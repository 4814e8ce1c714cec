/*
 * remote_calls.h: the remote driver's slots, one method call each.
 */
#pragma once

#include "driver.h"

int remoteConnectListAllDomains(cairnConnect *conn,
                                cairnDomain ***domains,
                                unsigned int flags,
                                GError **error);
cairnDomain *remoteDomainLookupByName(cairnConnect *conn, const char *name, GError **error);
cairnDomain *
remoteDomainLookupByUUID(cairnConnect *conn, const unsigned char *uuid, GError **error);
cairnDomain *remoteDomainLookupByID(cairnConnect *conn, int id, GError **error);
cairnDomain *
remoteDomainDefineXML(cairnConnect *conn, const char *xml, unsigned int flags, GError **error);
bool remoteDomainUndefine(cairnDomain *dom, unsigned int flags, GError **error);
bool remoteDomainCreate(cairnDomain *dom, unsigned int flags, GError **error);
bool remoteDomainDestroy(cairnDomain *dom, unsigned int flags, GError **error);
bool remoteDomainShutdown(cairnDomain *dom, unsigned int flags, GError **error);
bool remoteDomainSuspend(cairnDomain *dom, unsigned int flags, GError **error);
bool remoteDomainResume(cairnDomain *dom, unsigned int flags, GError **error);
char *remoteDomainGetXMLDesc(cairnDomain *dom, unsigned int flags, GError **error);
bool remoteDomainGetInfo(cairnDomain *dom, cairnDomainInfo *info, GError **error);
bool
remoteDomainGetState(cairnDomain *dom, int *state, int *reason, unsigned int flags, GError **error);
int remoteDomainIsActive(cairnDomain *dom, GError **error);
int remoteDomainIsPersistent(cairnDomain *dom, GError **error);

cairnDomainCheckpoint *remoteDomainCheckpointCreateXML(cairnDomain *dom,
                                                       const char *xml,
                                                       unsigned int flags,
                                                       GError **error);
char *
remoteDomainCheckpointGetXMLDesc(cairnDomainCheckpoint *chk, unsigned int flags, GError **error);
int remoteDomainListAllCheckpoints(cairnDomain *dom,
                                   cairnDomainCheckpoint ***chks,
                                   unsigned int flags,
                                   GError **error);
int remoteDomainCheckpointListAllChildren(cairnDomainCheckpoint *chk,
                                          cairnDomainCheckpoint ***chks,
                                          unsigned int flags,
                                          GError **error);
cairnDomainCheckpoint *remoteDomainCheckpointLookupByName(cairnDomain *dom,
                                                          const char *name,
                                                          unsigned int flags,
                                                          GError **error);
cairnDomainCheckpoint *
remoteDomainCheckpointGetParent(cairnDomainCheckpoint *chk, unsigned int flags, GError **error);
bool remoteDomainCheckpointDelete(cairnDomainCheckpoint *chk, unsigned int flags, GError **error);

char *remoteDomainQemuMonitorCommand(cairnDomain *dom,
                                     const char *cmd,
                                     unsigned int flags,
                                     GError **error);

char *remoteDomainCheckpointValidate(cairnDomain *dom,
                                     const char *checkpoint,
                                     unsigned int flags,
                                     GError **error);

/* remote_backup.c */
bool remoteDomainBackupBegin(cairnDomain *dom,
                             const char *backupXML,
                             const char *checkpointXML,
                             unsigned int flags,
                             GError **error);
char *remoteDomainBackupGetXMLDesc(cairnDomain *dom, unsigned int flags, GError **error);
bool remoteDomainGetJobInfo(cairnDomain *dom, cairnDomainJobInfo *info, GError **error);
bool remoteDomainGetJobStats(cairnDomain *dom,
                             int *type,
                             cairnTypedParameter **params,
                             int *nparams,
                             unsigned int flags,
                             GError **error);
bool remoteDomainAbortJob(cairnDomain *dom, unsigned int flags, GError **error);
bool remoteDomainBlockPull(cairnDomain *dom,
                           const char *disk,
                           unsigned long bandwidth,
                           unsigned int flags,
                           GError **error);
int remoteDomainGetBlockJobInfo(cairnDomain *dom,
                                const char *disk,
                                cairnDomainBlockJobInfo *info,
                                unsigned int flags,
                                GError **error);
bool
remoteDomainBlockJobAbort(cairnDomain *dom, const char *disk, unsigned int flags, GError **error);
bool remoteDomainBlockJobSetSpeed(cairnDomain *dom,
                                  const char *disk,
                                  unsigned long long bandwidth,
                                  unsigned int flags,
                                  GError **error);

/* remote_event.c */
int remoteConnectDomainEventRegisterAny(cairnConnect *conn,
                                        cairnDomain *dom,
                                        int eventID,
                                        cairnConnectDomainEventGenericCallback cb,
                                        void *opaque,
                                        cairnFreeCallback freecb,
                                        GError **error);
bool remoteConnectDomainEventDeregisterAny(cairnConnect *conn, int callbackID, GError **error);
