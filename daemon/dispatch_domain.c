/*
 * dispatch_domain.c: the domain methods (and the QEMU monitor
 * pass-through). Each calls the public API on the peer's connection, so
 * the daemon's own entry points check arguments, flags and read-only
 * access again, and report exactly what an embedded connection would.
 */
#include "cairn/cairn.h"
#include "dispatch.h"
#include "remote/remote_protocol.h"
#include "util/cairnerror.h"


/* A reply of one domain, or the last error. */
static GVariant *
cairndReplyDomain(cairnDomain *dom, GError **error)
{
    GVariant *reply;

    if (!dom) {
        cairndLastError(error);
        return NULL;
    }
    reply = g_variant_new("(@(sayi))", cairndDomainToVariant(dom));
    cairnDomainFree(dom);
    return reply;
}


/* Unpack "((sayi)u)" into a domain handle and flags. */
static cairnDomain *
cairndDomainAndFlags(cairnConnect *conn, GVariant *params, guint32 *flags, GError **error)
{
    g_autoptr(GVariant) value = g_variant_get_child_value(params, 0);

    g_variant_get_child(params, 1, "u", flags);
    return cairndDomainFromVariant(conn, value, error);
}


/* Unpack "((sayi))". */
static cairnDomain *
cairndDomainOnly(cairnConnect *conn, GVariant *params, GError **error)
{
    g_autoptr(GVariant) value = g_variant_get_child_value(params, 0);

    return cairndDomainFromVariant(conn, value, error);
}


/* The shape of Undefine, Create, Destroy, Shutdown: (domain, flags), the
 * id the handle has afterwards as reply; @call is the public function. */
static GVariant *
cairndDomainFlagsCall(cairnConnect *conn,
                      GVariant *params,
                      int (*call)(cairnDomainPtr, unsigned int),
                      GError **error)
{
    g_autoptr(cairnDomain) dom = NULL;
    guint32 flags = 0;

    if (!(dom = cairndDomainAndFlags(conn, params, &flags, error)))
        return NULL;
    if (call(dom, flags) < 0) {
        cairndLastError(error);
        return NULL;
    }
    return g_variant_new("(i)", dom->id);
}


/* Destroy and Shutdown take no flags in the public API (its entry points
 * pass 0); a peer that sends some gets the driver's answer to them. */
static int
cairndNoFlags(unsigned int flags, const char *func)
{
    if (!flags)
        return 0;
    cairnErrorReportLast(CAIRN_FROM_DOMAIN, CAIRN_ERR_INVALID_ARG,
                         "unsupported flags (0x%x) in function %s", flags, func);
    return -1;
}


static int
cairndDestroyFlags(cairnDomainPtr dom, unsigned int flags)
{
    if (cairndNoFlags(flags, "cairnDomainDestroy") < 0)
        return -1;
    return cairnDomainDestroy(dom);
}


static int
cairndShutdownFlags(cairnDomainPtr dom, unsigned int flags)
{
    if (cairndNoFlags(flags, "cairnDomainShutdown") < 0)
        return -1;
    return cairnDomainShutdown(dom);
}


/* virDomainSuspend/virDomainResume take no flags; the protocol carries
 * them, as for the other lifecycle calls, and refuses any. */
static int
cairndSuspendFlags(cairnDomainPtr dom, unsigned int flags)
{
    if (cairndNoFlags(flags, "cairnDomainSuspend") < 0)
        return -1;
    return cairnDomainSuspend(dom);
}


static int
cairndResumeFlags(cairnDomainPtr dom, unsigned int flags)
{
    if (cairndNoFlags(flags, "cairnDomainResume") < 0)
        return -1;
    return cairnDomainResume(dom);
}


GVariant *
cairndDomainLookupByName(cairndClient *client, cairnConnect *conn, GVariant *params, GError **error)
{
    const char *name = NULL;

    g_variant_get(params, "(&s)", &name);
    /* A name that cannot be is not found, as with an embedded driver. */
    if (!remoteNameIsValid(name)) {
        cairnErrorSet(error, CAIRN_FROM_DOMAIN, CAIRN_ERR_NO_DOMAIN,
                      "no domain with matching name '%s'", name);
        return NULL;
    }
    return cairndReplyDomain(cairnDomainLookupByName(conn, name), error);
}


GVariant *
cairndDomainLookupByUUID(cairndClient *client, cairnConnect *conn, GVariant *params, GError **error)
{
    g_autoptr(GVariant) uuid = g_variant_get_child_value(params, 0);
    gsize len = 0;
    const unsigned char *bytes = g_variant_get_fixed_array(uuid, &len, 1);

    if (len != CAIRN_UUID_BUFLEN) {
        cairnErrorSet(error, CAIRN_FROM_RPC, CAIRN_ERR_INVALID_ARG,
                      "domain UUID must be %d bytes, not %zu", CAIRN_UUID_BUFLEN, len);
        return NULL;
    }
    return cairndReplyDomain(cairnDomainLookupByUUID(conn, bytes), error);
}


GVariant *
cairndDomainLookupByID(cairndClient *client, cairnConnect *conn, GVariant *params, GError **error)
{
    gint32 id = 0;

    g_variant_get(params, "(i)", &id);
    return cairndReplyDomain(cairnDomainLookupByID(conn, id), error);
}


GVariant *
cairndDomainDefineXML(cairndClient *client, cairnConnect *conn, GVariant *params, GError **error)
{
    const char *xml = NULL;
    guint32 flags = 0;

    g_variant_get(params, "(&su)", &xml, &flags);
    if (!cairndCheckXMLName(xml, "domain", CAIRN_FROM_DOMAIN, CAIRN_ERR_XML_ERROR, error))
        return NULL;
    return cairndReplyDomain(cairnDomainDefineXMLFlags(conn, xml, flags), error);
}


GVariant *
cairndDomainUndefine(cairndClient *client, cairnConnect *conn, GVariant *params, GError **error)
{
    return cairndDomainFlagsCall(conn, params, cairnDomainUndefineFlags, error);
}


GVariant *
cairndDomainCreate(cairndClient *client, cairnConnect *conn, GVariant *params, GError **error)
{
    return cairndDomainFlagsCall(conn, params, cairnDomainCreateWithFlags, error);
}


GVariant *
cairndDomainDestroy(cairndClient *client, cairnConnect *conn, GVariant *params, GError **error)
{
    return cairndDomainFlagsCall(conn, params, cairndDestroyFlags, error);
}


GVariant *
cairndDomainShutdown(cairndClient *client, cairnConnect *conn, GVariant *params, GError **error)
{
    return cairndDomainFlagsCall(conn, params, cairndShutdownFlags, error);
}


GVariant *
cairndDomainSuspend(cairndClient *client, cairnConnect *conn, GVariant *params, GError **error)
{
    return cairndDomainFlagsCall(conn, params, cairndSuspendFlags, error);
}


GVariant *
cairndDomainResume(cairndClient *client, cairnConnect *conn, GVariant *params, GError **error)
{
    return cairndDomainFlagsCall(conn, params, cairndResumeFlags, error);
}


GVariant *
cairndDomainGetXMLDesc(cairndClient *client, cairnConnect *conn, GVariant *params, GError **error)
{
    g_autoptr(cairnDomain) dom = NULL;
    g_autofree char *xml = NULL;
    guint32 flags = 0;

    if (!(dom = cairndDomainAndFlags(conn, params, &flags, error)))
        return NULL;
    if (!(xml = cairnDomainGetXMLDesc(dom, flags))) {
        cairndLastError(error);
        return NULL;
    }
    return g_variant_new("(s)", xml);
}


GVariant *
cairndDomainGetInfo(cairndClient *client, cairnConnect *conn, GVariant *params, GError **error)
{
    g_autoptr(cairnDomain) dom = NULL;
    cairnDomainInfo info = { 0 };

    if (!(dom = cairndDomainOnly(conn, params, error)))
        return NULL;
    if (cairnDomainGetInfo(dom, &info) < 0) {
        cairndLastError(error);
        return NULL;
    }
    return g_variant_new("((yttqt))", (guchar)info.state, (guint64)info.maxMem,
                         (guint64)info.memory, (guint16)info.nrVirtCpu, (guint64)info.cpuTime);
}


GVariant *
cairndDomainGetState(cairndClient *client, cairnConnect *conn, GVariant *params, GError **error)
{
    g_autoptr(cairnDomain) dom = NULL;
    guint32 flags = 0;
    int state = 0;
    int reason = 0;

    if (!(dom = cairndDomainAndFlags(conn, params, &flags, error)))
        return NULL;
    if (cairnDomainGetState(dom, &state, &reason, flags) < 0) {
        cairndLastError(error);
        return NULL;
    }
    return g_variant_new("(ii)", state, reason);
}


/* IsActive, IsPersistent: 1/0/-1 as a boolean reply. */
static GVariant *
cairndDomainBoolCall(cairnConnect *conn,
                     GVariant *params,
                     int (*call)(cairnDomainPtr),
                     GError **error)
{
    g_autoptr(cairnDomain) dom = NULL;
    int yes;

    if (!(dom = cairndDomainOnly(conn, params, error)))
        return NULL;
    if ((yes = call(dom)) < 0) {
        cairndLastError(error);
        return NULL;
    }
    return g_variant_new("(b)", yes == 1);
}


GVariant *
cairndDomainIsActive(cairndClient *client, cairnConnect *conn, GVariant *params, GError **error)
{
    return cairndDomainBoolCall(conn, params, cairnDomainIsActive, error);
}


GVariant *
cairndDomainIsPersistent(cairndClient *client, cairnConnect *conn, GVariant *params, GError **error)
{
    return cairndDomainBoolCall(conn, params, cairnDomainIsPersistent, error);
}


GVariant *
cairndDomainQemuMonitorCommand(cairndClient *client,
                               cairnConnect *conn,
                               GVariant *params,
                               GError **error)
{
    g_autoptr(GVariant) value = g_variant_get_child_value(params, 0);
    g_autoptr(cairnDomain) dom = NULL;
    g_autofree char *reply = NULL;
    const char *cmd = NULL;
    guint32 flags = 0;

    g_variant_get_child(params, 1, "&s", &cmd);
    g_variant_get_child(params, 2, "u", &flags);
    if (!(dom = cairndDomainFromVariant(conn, value, error)))
        return NULL;
    if (cairnDomainQemuMonitorCommand(dom, cmd, &reply, flags) < 0) {
        cairndLastError(error);
        return NULL;
    }
    if (!g_utf8_validate(reply, -1, NULL)) {
        g_autofree char *valid = g_utf8_make_valid(reply, -1);

        return g_variant_new("(s)", valid);
    }
    return g_variant_new("(s)", reply);
}
