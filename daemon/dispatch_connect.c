/*
 * dispatch_connect.c: ConnectOpen, ConnectClose, ConnectOpenChannel,
 * ConnectGetLibVersion, ConnectListAllDomains.
 */
#include "cairn/cairn.h"
#include "channel.h"
#include "dispatch.h"
#include "remote/remote_protocol.h"
#include "util/cairnerror.h"


GVariant *
cairndConnectOpen(cairndClient *client, cairnConnect *unused, GVariant *params, GError **error)
{
    g_autoptr(cairnConnect) conn = NULL;
    const char *uri = NULL;
    guint32 flags = 0;
    bool readonly;

    g_variant_get(params, "(&su)", &uri, &flags);
    if (!cairndClientOpen(client, uri, flags, error) ||
        !(conn = cairndClientGetConn(client, &readonly, error)))
        return NULL;
    return g_variant_new("(st)", cairnConnectGetType(conn), (guint64)CAIRN_VERSION_NUMBER);
}


GVariant *
cairndConnectClose(cairndClient *client, cairnConnect *conn, GVariant *params, GError **error)
{
    cairndClientClose(client);
    return NULL;
}


GVariant *
cairndConnectOpenChannel(cairndClient *client,
                         cairnConnect *conn,
                         GVariant *params,
                         GUnixFDList **ret_fds,
                         GError **error)
{
    int fd = cairndChannelOpen(client, error);

    if (fd < 0)
        return NULL;
    /* The list owns @fd from here. */
    *ret_fds = g_unix_fd_list_new_from_array(&fd, 1);
    return g_variant_new("(h)", 0);
}


GVariant *
cairndConnectGetLibVersion(cairndClient *client,
                           cairnConnect *conn,
                           GVariant *params,
                           GError **error)
{
    unsigned long version = 0;

    if (cairnConnectGetLibVersion(conn, &version) < 0) {
        cairndLastError(error);
        return NULL;
    }
    return g_variant_new("(t)", (guint64)version);
}


GVariant *
cairndConnectListAllDomains(cairndClient *client,
                            cairnConnect *conn,
                            GVariant *params,
                            GError **error)
{
    g_autoptr(GVariantBuilder) list = g_variant_builder_new(G_VARIANT_TYPE("a(sayi)"));
    cairnDomainPtr *doms = NULL;
    gboolean need = FALSE;
    guint32 flags = 0;
    int n;

    g_variant_get(params, "(ub)", &flags, &need);
    if ((n = cairnConnectListAllDomains(conn, need ? &doms : NULL, flags)) < 0) {
        cairndLastError(error);
        return NULL;
    }
    for (int i = 0; doms && i < n; i++) {
        g_variant_builder_add_value(list, cairndDomainToVariant(doms[i]));
        cairnDomainFree(doms[i]);
    }
    g_free(doms);
    return g_variant_new("(ia(sayi))", n, list);
}
