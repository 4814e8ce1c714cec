/*
 * dispatch.h: the daemon's calls. One table (dispatch.c) maps every
 * method of cairn-remote.xml to its handler; the handlers (dispatch_*.c)
 * unpack the arguments, call the public API on the peer's connection and
 * pack the reply.
 *
 * The dispatcher, not the handlers, enforces what the client cannot be
 * trusted with: a read-only peer gets OPERATION_DENIED for every method
 * the protocol table marks mutating (the public layer of the daemon's own
 * connection, opened read-only, checks again), arguments over the size
 * limits are refused, and names are validated before anything runs.
 */
#pragma once

#include <stdbool.h>
#include <gio/gio.h>
#include <gio/gunixfdlist.h>

#include "client.h"

/* A handler: the reply tuple (floating is fine; NULL means no out
 * arguments when no error is set) or NULL with @error set. */
typedef GVariant *(*cairndHandler)(cairndClient *client,
                                   cairnConnect *conn,
                                   GVariant *params,
                                   GError **error);

/* A handler whose reply carries file descriptors: the h arguments of the
 * reply index *@ret_fds, which it sets on success. The dispatcher calls it
 * only where the peer's lane passes descriptors. */
typedef GVariant *(*cairndFDHandler)(cairndClient *client,
                                     cairnConnect *conn,
                                     GVariant *params,
                                     GUnixFDList **ret_fds,
                                     GError **error);

/* The GDBusInterfaceVTable method_call of every peer's object. */
void cairndDispatchMethodCall(GDBusConnection *bus,
                              const char *sender,
                              const char *path,
                              const char *iface,
                              const char *method,
                              GVariant *params,
                              GDBusMethodInvocation *invocation,
                              gpointer opaque);

/* The GDBus filter of every peer's connection, run in GDBus's worker
 * thread: it takes the well-formed calls of org.cairn.Cairn1 (see
 * dispatch.c) and passes anything else on. @opaque is the cairndClient. */
GDBusMessage *cairndDispatchFilter(GDBusConnection *bus,
                                   GDBusMessage *message,
                                   gboolean incoming,
                                   gpointer opaque);

/* The answer to @message, a message that came on a call channel of
 * @client whose lane can carry @caps, run in the calling thread: what the
 * bus would answer to the same message (the reply or error of our method;
 * D-Bus's UnknownMethod, UnknownObject or InvalidArgs for a call that is
 * not one of ours or has the wrong signature), or NULL when no answer is
 * due (not a method call, or NO_REPLY_EXPECTED). The caller counts the
 * call (cairndDaemonCallBegin()) where the daemon may stop. */
GDBusMessage *
cairndDispatchMessage(cairndClient *client, GDBusMessage *message, GDBusCapabilityFlags caps);

/* The answer to @message once the daemon stops (the call does not run),
 * or NULL when no answer is due. */
GDBusMessage *cairndDispatchRefuse(GDBusMessage *message);

/* The worker threads that run the calls, at most @workers at once. */
GThreadPool *cairndDispatchPoolNew(unsigned int workers, GError **error);

/* Check at start that every method of the interface has a handler. */
bool cairndDispatchCheckTable(GError **error);

/* ---- helpers for the handlers (dispatch_util.c) ---- */

/* The public API's last error as a GError. */
void cairndLastError(GError **error);

/* A domain handle on @conn from a (sayi) argument, after checking its
 * name and UUID. */
cairnDomain *cairndDomainFromVariant(cairnConnect *conn, GVariant *value, GError **error);

/* (sayi) of @dom. Floating. */
GVariant *cairndDomainToVariant(cairnDomain *dom);

/* CAIRN_ERR_INVALID_ARG unless @name is a valid domain or checkpoint
 * name (remoteNameIsValid()). @what names it in the message. */
bool cairndCheckName(const char *name, const char *what, GError **error);

/* Parse @xml far enough to check the <name> of its root element (when
 * there is one) with remoteNameIsValid(); a bad one fails with @from and
 * @code, what the conf layer raises for it, so that the answer does not
 * depend on who saw it first. Anything else is the driver's to judge. */
bool cairndCheckXMLName(const char *xml, const char *what, int from, int code, GError **error);

/* CAIRN_ERR_INVALID_ARG unless every file= attribute of the <target> and
 * <scratch> elements of a backup XML is an absolute path without "..". */
bool cairndCheckBackupPaths(const char *xml, GError **error);

/* ---- the handlers, by file ---- */

GVariant *
cairndConnectOpen(cairndClient *client, cairnConnect *conn, GVariant *params, GError **error);
GVariant *
cairndConnectClose(cairndClient *client, cairnConnect *conn, GVariant *params, GError **error);
GVariant *cairndConnectOpenChannel(cairndClient *client,
                                   cairnConnect *conn,
                                   GVariant *params,
                                   GUnixFDList **ret_fds,
                                   GError **error);
GVariant *cairndConnectGetLibVersion(cairndClient *client,
                                     cairnConnect *conn,
                                     GVariant *params,
                                     GError **error);
GVariant *cairndConnectListAllDomains(cairndClient *client,
                                      cairnConnect *conn,
                                      GVariant *params,
                                      GError **error);
GVariant *cairndDomainLookupByName(cairndClient *client,
                                   cairnConnect *conn,
                                   GVariant *params,
                                   GError **error);
GVariant *cairndDomainLookupByUUID(cairndClient *client,
                                   cairnConnect *conn,
                                   GVariant *params,
                                   GError **error);
GVariant *
cairndDomainLookupByID(cairndClient *client, cairnConnect *conn, GVariant *params, GError **error);
GVariant *
cairndDomainDefineXML(cairndClient *client, cairnConnect *conn, GVariant *params, GError **error);
GVariant *
cairndDomainUndefine(cairndClient *client, cairnConnect *conn, GVariant *params, GError **error);
GVariant *
cairndDomainCreate(cairndClient *client, cairnConnect *conn, GVariant *params, GError **error);
GVariant *
cairndDomainDestroy(cairndClient *client, cairnConnect *conn, GVariant *params, GError **error);
GVariant *
cairndDomainShutdown(cairndClient *client, cairnConnect *conn, GVariant *params, GError **error);
GVariant *
cairndDomainGetXMLDesc(cairndClient *client, cairnConnect *conn, GVariant *params, GError **error);
GVariant *
cairndDomainGetInfo(cairndClient *client, cairnConnect *conn, GVariant *params, GError **error);
GVariant *
cairndDomainGetState(cairndClient *client, cairnConnect *conn, GVariant *params, GError **error);
GVariant *
cairndDomainIsActive(cairndClient *client, cairnConnect *conn, GVariant *params, GError **error);
GVariant *
cairndDomainSuspend(cairndClient *client, cairnConnect *conn, GVariant *params, GError **error);
GVariant *
cairndDomainResume(cairndClient *client, cairnConnect *conn, GVariant *params, GError **error);
GVariant *cairndDomainIsPersistent(cairndClient *client,
                                   cairnConnect *conn,
                                   GVariant *params,
                                   GError **error);
GVariant *cairndDomainQemuMonitorCommand(cairndClient *client,
                                         cairnConnect *conn,
                                         GVariant *params,
                                         GError **error);

GVariant *cairndDomainCheckpointCreateXML(cairndClient *client,
                                          cairnConnect *conn,
                                          GVariant *params,
                                          GError **error);
GVariant *cairndDomainCheckpointGetXMLDesc(cairndClient *client,
                                           cairnConnect *conn,
                                           GVariant *params,
                                           GError **error);
GVariant *cairndDomainListAllCheckpoints(cairndClient *client,
                                         cairnConnect *conn,
                                         GVariant *params,
                                         GError **error);
GVariant *cairndDomainCheckpointListAllChildren(cairndClient *client,
                                                cairnConnect *conn,
                                                GVariant *params,
                                                GError **error);
GVariant *cairndDomainCheckpointLookupByName(cairndClient *client,
                                             cairnConnect *conn,
                                             GVariant *params,
                                             GError **error);
GVariant *cairndDomainCheckpointGetParent(cairndClient *client,
                                          cairnConnect *conn,
                                          GVariant *params,
                                          GError **error);
GVariant *cairndDomainCheckpointDelete(cairndClient *client,
                                       cairnConnect *conn,
                                       GVariant *params,
                                       GError **error);

GVariant *cairndDomainCheckpointValidate(cairndClient *client,
                                         cairnConnect *conn,
                                         GVariant *params,
                                         GError **error);

/* dispatch_backup.c */
GVariant *
cairndDomainBackupBegin(cairndClient *client, cairnConnect *conn, GVariant *params, GError **error);
GVariant *cairndDomainBackupGetXMLDesc(cairndClient *client,
                                       cairnConnect *conn,
                                       GVariant *params,
                                       GError **error);
GVariant *
cairndDomainGetJobInfo(cairndClient *client, cairnConnect *conn, GVariant *params, GError **error);
GVariant *
cairndDomainGetJobStats(cairndClient *client, cairnConnect *conn, GVariant *params, GError **error);
GVariant *
cairndDomainAbortJob(cairndClient *client, cairnConnect *conn, GVariant *params, GError **error);
GVariant *
cairndDomainBlockPull(cairndClient *client, cairnConnect *conn, GVariant *params, GError **error);
GVariant *cairndDomainGetBlockJobInfo(cairndClient *client,
                                      cairnConnect *conn,
                                      GVariant *params,
                                      GError **error);
GVariant *cairndDomainBlockJobAbort(cairndClient *client,
                                    cairnConnect *conn,
                                    GVariant *params,
                                    GError **error);
GVariant *cairndDomainBlockJobSetSpeed(cairndClient *client,
                                       cairnConnect *conn,
                                       GVariant *params,
                                       GError **error);

/* dispatch_event.c */
GVariant *cairndConnectDomainEventRegisterAny(cairndClient *client,
                                              cairnConnect *conn,
                                              GVariant *params,
                                              GError **error);
GVariant *cairndConnectDomainEventDeregisterAny(cairndClient *client,
                                                cairnConnect *conn,
                                                GVariant *params,
                                                GError **error);
