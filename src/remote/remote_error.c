/*
 * remote_error.c: Cairn errors across the wire (see remote_error.h).
 */
#include <stdio.h>
#include <string.h>

#include "cairn/cairn-error.h"
#include "remote_error.h"
#include "util/cairnerror.h"


char *
remoteErrorName(int from, int code)
{
    return g_strdup_printf("%s.From%d.Code%d", CAIRN_REMOTE_ERROR_PREFIX, from, code);
}


void
remoteErrorToDBus(const GError *err, char **ret_name, char **ret_message)
{
    int from = cairnErrorGetFrom(err);

    if (from < 0) {
        *ret_name = remoteErrorName(CAIRN_FROM_RPC, CAIRN_ERR_INTERNAL_ERROR);
        *ret_message =
            g_strdup_printf("internal error: %s", err ? err->message : "unknown failure");
        return;
    }
    *ret_name = remoteErrorName(from, err->code);
    *ret_message = g_strdup(err->message);
}


void
remoteErrorReturn(GDBusMethodInvocation *invocation, const GError *err)
{
    g_autofree char *name = NULL;
    g_autofree char *message = NULL;

    remoteErrorToDBus(err, &name, &message);
    g_dbus_method_invocation_return_dbus_error(invocation, name, message);
}


/* Parse "PREFIX.From<D>.Code<C>"; false if @name is not ours. */
static bool
remoteErrorParseName(const char *name, int *from, int *code)
{
    const char *rest;
    char tail;

    if (!name || !g_str_has_prefix(name, CAIRN_REMOTE_ERROR_PREFIX ".From"))
        return false;
    rest = name + strlen(CAIRN_REMOTE_ERROR_PREFIX ".From");
    return sscanf(rest, "%d.Code%d%c", from, code, &tail) == 2 && *from >= 0 && *code > 0;
}


bool
remoteErrorIsDisconnect(const GError *dbus_err)
{
    return g_error_matches(dbus_err, G_IO_ERROR, G_IO_ERROR_CLOSED) ||
           g_error_matches(dbus_err, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE) ||
           g_error_matches(dbus_err, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED) ||
           g_error_matches(dbus_err, G_DBUS_ERROR, G_DBUS_ERROR_DISCONNECTED) ||
           g_error_matches(dbus_err, G_DBUS_ERROR, G_DBUS_ERROR_NO_REPLY);
}


void
remoteErrorFromDBus(GError **error, const GError *dbus_err, const char *method)
{
    g_autofree char *name = g_dbus_error_get_remote_error(dbus_err);
    int from;
    int code;

    if (remoteErrorParseName(name, &from, &code)) {
        g_autoptr(GError) copy = g_error_copy(dbus_err);

        g_dbus_error_strip_remote_error(copy);
        cairnErrorSetRaw(error, from, code, "%s", copy->message);
        return;
    }
    if (g_strcmp0(name, "org.freedesktop.DBus.Error.UnknownMethod") == 0) {
        cairnErrorSet(error, CAIRN_FROM_REMOTE, CAIRN_ERR_NO_SUPPORT, "%s", method);
        return;
    }
    if (remoteErrorIsDisconnect(dbus_err)) {
        cairnErrorSet(error, CAIRN_FROM_RPC, CAIRN_ERR_RPC,
                      "the connection to the daemon was closed (%s): reconnect", method);
        return;
    }
    cairnErrorSet(error, CAIRN_FROM_RPC, CAIRN_ERR_RPC, "%s: %s", method, dbus_err->message);
}
