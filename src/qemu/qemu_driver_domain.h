/*
 * qemu_driver_domain.h: the qemu driver's domain calls (the functions of
 * its table other than connect open/close).
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "driver.h"

int qemuConnectListAllDomains(cairnConnect *conn,
                              cairnDomain ***domains,
                              unsigned int flags,
                              GError **error);
cairnDomain *qemuDomainLookupByName(cairnConnect *conn, const char *name, GError **error);
cairnDomain *qemuDomainLookupByUUID(cairnConnect *conn, const unsigned char *uuid, GError **error);
cairnDomain *qemuDomainLookupByID(cairnConnect *conn, int id, GError **error);
cairnDomain *
qemuDomainDefineXML(cairnConnect *conn, const char *xml, unsigned int flags, GError **error);
bool qemuDomainUndefine(cairnDomain *dom, unsigned int flags, GError **error);
bool qemuDomainCreate(cairnDomain *dom, unsigned int flags, GError **error);
bool qemuDomainDestroy(cairnDomain *dom, unsigned int flags, GError **error);
bool qemuDomainShutdown(cairnDomain *dom, unsigned int flags, GError **error);
bool qemuDomainSuspend(cairnDomain *dom, unsigned int flags, GError **error);
bool qemuDomainResume(cairnDomain *dom, unsigned int flags, GError **error);
char *qemuDomainGetXMLDesc(cairnDomain *dom, unsigned int flags, GError **error);
bool qemuDomainGetInfo(cairnDomain *dom, cairnDomainInfo *info, GError **error);
bool
qemuDomainGetState(cairnDomain *dom, int *state, int *reason, unsigned int flags, GError **error);
int qemuDomainIsActive(cairnDomain *dom, GError **error);
int qemuDomainIsPersistent(cairnDomain *dom, GError **error);
char *
qemuDomainQemuMonitorCommand(cairnDomain *dom, const char *cmd, unsigned int flags, GError **error);
