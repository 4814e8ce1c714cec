/*
 * remote_wire.c: one method call to the daemon, and domains on the wire.
 */
#include <string.h>

#include "cairn/cairn-error.h"
#include "remote_error.h"
#include "remote_private.h"
#include "util/cairnerror.h"

/* The reply type of each procedure, built once from cairn-remote.xml. */
static const GVariantType *
remoteReplyType(remoteProcedure proc)
{
    static GVariantType *types[REMOTE_PROC_LAST];
    static gsize done;

    if (g_once_init_enter(&done)) {
        GDBusInterfaceInfo *iface = remoteProtocolInterface();

        for (int i = 0; i < REMOTE_PROC_LAST; i++) {
            const remoteProcedureInfo *info = remoteProcedureGet(i);
            GDBusMethodInfo *m = g_dbus_interface_info_lookup_method(iface, info->method);
            g_autoptr(GString) sig = g_string_new("(");

            g_assert(m);
            for (GDBusArgInfo **a = m->out_args; a && *a; a++)
                g_string_append(sig, (*a)->signature);
            g_string_append_c(sig, ')');
            types[i] = g_variant_type_new(sig->str);
        }
        g_once_init_leave(&done, 1);
    }
    return types[proc];
}


GVariant *
remoteCallBus(GDBusConnection *bus, remoteProcedure proc, GVariant *params, GError **error)
{
    const remoteProcedureInfo *info = remoteProcedureGet(proc);
    g_autoptr(GError) err = NULL;
    GVariant *reply;

    reply = g_dbus_connection_call_sync(bus, NULL, CAIRN_REMOTE_OBJECT_PATH,
                                        CAIRN_REMOTE_INTERFACE, info->method, params,
                                        remoteReplyType(proc), G_DBUS_CALL_FLAGS_NO_AUTO_START,
                                        G_MAXINT, NULL, &err);
    if (!reply)
        remoteErrorFromDBus(error, err, info->method);
    return reply;
}


GVariant *
remoteCall(cairnConnect *conn, remoteProcedure proc, GVariant *params, GError **error)
{
    remotePrivate *priv = conn->privateData;

    return remoteCallBus(priv->bus, proc, params, error);
}


GVariant *
remoteDomainToVariant(const cairnDomain *dom)
{
    GVariant *uuid = g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, dom->uuid,
                                               CAIRN_UUID_BUFLEN, 1);

    return g_variant_new("(s@ayi)", dom->name, uuid, dom->id);
}


cairnDomain *
remoteDomainFromVariant(cairnConnect *conn, GVariant *value, GError **error)
{
    g_autoptr(GVariant) uuid = NULL;
    const char *name = NULL;
    const unsigned char *bytes;
    gsize len = 0;
    gint32 id = -1;

    g_variant_get(value, "(&s@ayi)", &name, &uuid, &id);
    bytes = g_variant_get_fixed_array(uuid, &len, 1);
    if (len != CAIRN_UUID_BUFLEN) {
        cairnErrorSet(error, CAIRN_FROM_RPC, CAIRN_ERR_RPC,
                      "malformed domain from the daemon (UUID of %zu bytes)", len);
        return NULL;
    }
    return cairnDomainNew(conn, name, bytes, id);
}


bool
remoteStringCheck(const char *text, const char *what, GError **error)
{
    size_t len = strlen(text);

    if (len > CAIRN_REMOTE_STRING_MAX) {
        cairnErrorSet(error, CAIRN_FROM_RPC, CAIRN_ERR_INVALID_ARG,
                      "%s is %zu bytes, more than the limit of %d", what, len,
                      CAIRN_REMOTE_STRING_MAX);
        return false;
    }
    if (!g_utf8_validate(text, (gssize)len, NULL)) {
        cairnErrorSet(error, CAIRN_FROM_RPC, CAIRN_ERR_INVALID_ARG, "%s is not valid UTF-8", what);
        return false;
    }
    return true;
}
