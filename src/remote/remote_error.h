/*
 * remote_error.h: Cairn errors across the wire.
 *
 * The daemon answers a failed call with the D-Bus error
 * "org.cairn.Cairn1.Error.From<DOMAIN>.Code<CODE>" whose message is the
 * full Cairn message; the client turns it back into the same GError (same
 * code, error domain and message), so a caller cannot tell a remote error
 * from a local one. Transport failures become CAIRN_ERR_RPC.
 */
#pragma once

#include <stdbool.h>
#include <gio/gio.h>

#define CAIRN_REMOTE_ERROR_PREFIX "org.cairn.Cairn1.Error"

/* Daemon side: answer @invocation with @err (a Cairn GError; anything else
 * is sent as an internal error). Takes over @invocation's reference, as
 * g_dbus_method_invocation_return_*() do. */
void remoteErrorReturn(GDBusMethodInvocation *invocation, const GError *err);

/* Daemon side: the D-Bus error name and message for @err, as
 * remoteErrorReturn() sends them. Caller frees both. */
void remoteErrorToDBus(const GError *err, char **ret_name, char **ret_message);

/* The D-Bus error name for @from/@code. Caller frees. */
char *remoteErrorName(int from, int code);

/* Client side: set *@error from @dbus_err, the error of a D-Bus call of
 * @method: a Cairn error from the daemon is restored as it was; a closed
 * or broken connection becomes CAIRN_ERR_RPC; a method the daemon does
 * not know becomes CAIRN_ERR_NO_SUPPORT. */
void remoteErrorFromDBus(GError **error, const GError *dbus_err, const char *method);

/* True when @dbus_err says the connection to the daemon is gone. */
bool remoteErrorIsDisconnect(const GError *dbus_err);
