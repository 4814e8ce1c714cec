/*
 * dispatch_checkpoint.c: the checkpoint methods. A checkpoint travels as
 * its domain plus its name; each handler rebuilds the handle and calls
 * the public API on the peer's connection.
 */
#include "cairn/cairn.h"
#include "dispatch.h"
#include "remote/remote_protocol.h"
#include "util/cairnerror.h"


/* Unpack "((sayi)s...)" into a checkpoint handle. */
static cairnDomainCheckpoint *
cairndCheckpointFromParams(cairnConnect *conn, GVariant *params, GError **error)
{
    g_autoptr(GVariant) value = g_variant_get_child_value(params, 0);
    g_autoptr(cairnDomain) dom = NULL;
    const char *name = NULL;

    g_variant_get_child(params, 1, "&s", &name);
    if (!cairndCheckName(name, "checkpoint", error) ||
        !(dom = cairndDomainFromVariant(conn, value, error)))
        return NULL;
    return cairnCheckpointNew(dom, name);
}


/* A reply of one checkpoint name, or the last error. */
static GVariant *
cairndReplyCheckpoint(cairnDomainCheckpoint *chk, GError **error)
{
    GVariant *reply;

    if (!chk) {
        cairndLastError(error);
        return NULL;
    }
    reply = g_variant_new("(s)", cairnDomainCheckpointGetName(chk));
    cairnDomainCheckpointFree(chk);
    return reply;
}


/* (count, names) of a list, freeing it. */
static GVariant *
cairndReplyCheckpointList(int n, cairnDomainCheckpointPtr *chks, GError **error)
{
    g_autoptr(GVariantBuilder) names = g_variant_builder_new(G_VARIANT_TYPE("as"));

    if (n < 0) {
        cairndLastError(error);
        return NULL;
    }
    for (int i = 0; chks && i < n; i++) {
        g_variant_builder_add(names, "s", cairnDomainCheckpointGetName(chks[i]));
        cairnDomainCheckpointFree(chks[i]);
    }
    g_free(chks);
    return g_variant_new("(ias)", n, names);
}


GVariant *
cairndDomainCheckpointCreateXML(cairndClient *client,
                                cairnConnect *conn,
                                GVariant *params,
                                GError **error)
{
    g_autoptr(GVariant) value = g_variant_get_child_value(params, 0);
    g_autoptr(cairnDomain) dom = NULL;
    const char *xml = NULL;
    guint32 flags = 0;

    g_variant_get_child(params, 1, "&s", &xml);
    g_variant_get_child(params, 2, "u", &flags);
    if (!(dom = cairndDomainFromVariant(conn, value, error)) ||
        !cairndCheckXMLName(xml, "checkpoint", CAIRN_FROM_DOMAIN_CHECKPOINT,
                            CAIRN_ERR_XML_INVALID_SCHEMA, error))
        return NULL;
    return cairndReplyCheckpoint(cairnDomainCheckpointCreateXML(dom, xml, flags), error);
}


GVariant *
cairndDomainCheckpointGetXMLDesc(cairndClient *client,
                                 cairnConnect *conn,
                                 GVariant *params,
                                 GError **error)
{
    g_autoptr(cairnDomainCheckpoint) chk = NULL;
    g_autofree char *xml = NULL;
    guint32 flags = 0;

    g_variant_get_child(params, 2, "u", &flags);
    if (!(chk = cairndCheckpointFromParams(conn, params, error)))
        return NULL;
    if (!(xml = cairnDomainCheckpointGetXMLDesc(chk, flags))) {
        cairndLastError(error);
        return NULL;
    }
    return g_variant_new("(s)", xml);
}


GVariant *
cairndDomainListAllCheckpoints(cairndClient *client,
                               cairnConnect *conn,
                               GVariant *params,
                               GError **error)
{
    g_autoptr(GVariant) value = g_variant_get_child_value(params, 0);
    g_autoptr(cairnDomain) dom = NULL;
    cairnDomainCheckpointPtr *chks = NULL;
    gboolean need = FALSE;
    guint32 flags = 0;
    int n;

    g_variant_get_child(params, 1, "u", &flags);
    g_variant_get_child(params, 2, "b", &need);
    if (!(dom = cairndDomainFromVariant(conn, value, error)))
        return NULL;
    n = cairnDomainListAllCheckpoints(dom, need ? &chks : NULL, flags);
    return cairndReplyCheckpointList(n, chks, error);
}


GVariant *
cairndDomainCheckpointListAllChildren(cairndClient *client,
                                      cairnConnect *conn,
                                      GVariant *params,
                                      GError **error)
{
    g_autoptr(cairnDomainCheckpoint) chk = NULL;
    cairnDomainCheckpointPtr *chks = NULL;
    gboolean need = FALSE;
    guint32 flags = 0;
    int n;

    g_variant_get_child(params, 2, "u", &flags);
    g_variant_get_child(params, 3, "b", &need);
    if (!(chk = cairndCheckpointFromParams(conn, params, error)))
        return NULL;
    n = cairnDomainCheckpointListAllChildren(chk, need ? &chks : NULL, flags);
    return cairndReplyCheckpointList(n, chks, error);
}


GVariant *
cairndDomainCheckpointLookupByName(cairndClient *client,
                                   cairnConnect *conn,
                                   GVariant *params,
                                   GError **error)
{
    g_autoptr(cairnDomain) dom = NULL;
    g_autoptr(GVariant) value = g_variant_get_child_value(params, 0);
    const char *name = NULL;
    guint32 flags = 0;

    g_variant_get_child(params, 1, "&s", &name);
    g_variant_get_child(params, 2, "u", &flags);
    if (!(dom = cairndDomainFromVariant(conn, value, error)))
        return NULL;
    /* A name that cannot be is not found, as with an embedded driver. */
    if (!remoteNameIsValid(name)) {
        cairnErrorSet(error, CAIRN_FROM_DOMAIN_CHECKPOINT, CAIRN_ERR_NO_DOMAIN_CHECKPOINT,
                      "no domain checkpoint with matching name '%s'", name);
        return NULL;
    }
    return cairndReplyCheckpoint(cairnDomainCheckpointLookupByName(dom, name, flags), error);
}


GVariant *
cairndDomainCheckpointGetParent(cairndClient *client,
                                cairnConnect *conn,
                                GVariant *params,
                                GError **error)
{
    g_autoptr(cairnDomainCheckpoint) chk = NULL;
    guint32 flags = 0;

    g_variant_get_child(params, 2, "u", &flags);
    if (!(chk = cairndCheckpointFromParams(conn, params, error)))
        return NULL;
    return cairndReplyCheckpoint(cairnDomainCheckpointGetParent(chk, flags), error);
}


GVariant *
cairndDomainCheckpointDelete(cairndClient *client,
                             cairnConnect *conn,
                             GVariant *params,
                             GError **error)
{
    g_autoptr(cairnDomainCheckpoint) chk = NULL;
    guint32 flags = 0;

    g_variant_get_child(params, 2, "u", &flags);
    if (!(chk = cairndCheckpointFromParams(conn, params, error)))
        return NULL;
    if (cairnDomainCheckpointDelete(chk, flags) < 0)
        cairndLastError(error);
    return NULL;
}


GVariant *
cairndDomainCheckpointValidate(cairndClient *client,
                               cairnConnect *conn,
                               GVariant *params,
                               GError **error)
{
    g_autoptr(GVariant) value = g_variant_get_child_value(params, 0);
    g_autoptr(cairnDomain) dom = NULL;
    g_autofree char *report = NULL;
    const char *name = NULL;
    guint32 flags = 0;

    g_variant_get_child(params, 1, "&s", &name);
    g_variant_get_child(params, 2, "u", &flags);
    if ((*name && !cairndCheckName(name, "checkpoint", error)) ||
        !(dom = cairndDomainFromVariant(conn, value, error)))
        return NULL;
    if (!(report = cairnDomainCheckpointValidate(dom, *name ? name : NULL, flags))) {
        cairndLastError(error);
        return NULL;
    }
    return g_variant_new("(s)", report);
}
