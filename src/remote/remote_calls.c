/*
 * remote_calls.c: the remote driver's slots. Each packs its arguments as
 * cairn-remote.xml says, makes one call and unpacks the reply; the daemon
 * checks everything again, so nothing here decides anything.
 */
#include <string.h>

#include "cairn/cairn-error.h"
#include "remote_calls.h"
#include "remote_private.h"
#include "util/cairnerror.h"


/* ---- shared shapes ---- */

/* A call that answers with one domain. */
static cairnDomain *
remoteCallForDomain(cairnConnect *conn, remoteProcedure proc, GVariant *params, GError **error)
{
    g_autoptr(GVariant) reply = NULL;
    g_autoptr(GVariant) value = NULL;

    if (!(reply = remoteCall(conn, proc, params, error)))
        return NULL;
    value = g_variant_get_child_value(reply, 0);
    return remoteDomainFromVariant(conn, value, error);
}


/* A call on a domain with flags that answers with the domain's id: the
 * handle follows, as the driver's own handle does in the daemon. */
static bool
remoteCallDomainFlags(cairnDomain *dom, remoteProcedure proc, unsigned int flags, GError **error)
{
    g_autoptr(GVariant) reply = NULL;
    gint32 id = -1;

    reply = remoteCall(dom->conn, proc,
                       g_variant_new("(@(sayi)u)", remoteDomainToVariant(dom), flags), error);
    if (!reply)
        return false;
    g_variant_get(reply, "(i)", &id);
    dom->id = id;
    return true;
}


/* The one string of a reply; caller frees. */
static char *
remoteReplyString(GVariant *reply)
{
    char *text = NULL;

    if (reply)
        g_variant_get_child(reply, 0, "s", &text);
    return text;
}


/* A call on a domain answering with a boolean, as 1/0/-1. */
static int
remoteCallDomainBool(cairnDomain *dom, remoteProcedure proc, GError **error)
{
    g_autoptr(GVariant) reply = NULL;
    gboolean yes = FALSE;

    if (!(reply = remoteCall(dom->conn, proc,
                             g_variant_new("(@(sayi))", remoteDomainToVariant(dom)), error)))
        return -1;
    g_variant_get(reply, "(b)", &yes);
    return yes ? 1 : 0;
}


/* A checkpoint handle from the name in child @index of @reply. */
static cairnDomainCheckpoint *
remoteReplyCheckpoint(cairnDomain *dom, GVariant *reply, gsize index)
{
    const char *name = NULL;

    if (!reply)
        return NULL;
    g_variant_get_child(reply, index, "&s", &name);
    return cairnCheckpointNew(dom, name);
}


/* (i count, as names) into *@ret_chks (when not NULL). */
static int
remoteReplyCheckpointList(cairnDomain *dom, GVariant *reply, cairnDomainCheckpoint ***ret_chks)
{
    g_autofree const char **names = NULL;
    cairnDomainCheckpoint **chks;
    gint32 count = -1;
    gsize n = 0;

    if (!reply)
        return -1;
    g_variant_get(reply, "(i^a&s)", &count, &names);
    if (!ret_chks)
        return count;
    n = names ? g_strv_length((char **)names) : 0;
    chks = g_new0(cairnDomainCheckpoint *, n + 1);
    for (gsize i = 0; i < n; i++)
        chks[i] = cairnCheckpointNew(dom, names[i]);
    *ret_chks = chks;
    return (int)n;
}


/* ---- connection and domains ---- */

int
remoteConnectListAllDomains(cairnConnect *conn,
                            cairnDomain ***domains,
                            unsigned int flags,
                            GError **error)
{
    g_autoptr(GVariant) reply = NULL;
    g_autoptr(GVariant) list = NULL;
    g_autoptr(GPtrArray) result = NULL;
    gint32 count = -1;

    if (!(reply = remoteCall(conn, REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS,
                             g_variant_new("(ub)", flags, domains != NULL), error)))
        return -1;
    g_variant_get(reply, "(i@a(sayi))", &count, &list);
    if (!domains)
        return count;
    result = g_ptr_array_new_with_free_func((GDestroyNotify)cairnDomainUnref);
    for (gsize i = 0; i < g_variant_n_children(list); i++) {
        g_autoptr(GVariant) item = g_variant_get_child_value(list, i);
        cairnDomain *dom = remoteDomainFromVariant(conn, item, error);

        if (!dom)
            return -1;
        g_ptr_array_add(result, dom);
    }
    count = (gint32)result->len;
    g_ptr_array_add(result, NULL);
    g_ptr_array_set_free_func(result, NULL);
    *domains = (cairnDomain **)g_ptr_array_free(g_steal_pointer(&result), FALSE);
    return count;
}


cairnDomain *
remoteDomainLookupByName(cairnConnect *conn, const char *name, GError **error)
{
    if (!remoteStringCheck(name, "name", error))
        return NULL;
    return remoteCallForDomain(conn, REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME, g_variant_new("(s)", name),
                               error);
}


cairnDomain *
remoteDomainLookupByUUID(cairnConnect *conn, const unsigned char *uuid, GError **error)
{
    GVariant *bytes = g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, uuid, CAIRN_UUID_BUFLEN, 1);

    return remoteCallForDomain(conn, REMOTE_PROC_DOMAIN_LOOKUP_BY_UUID,
                               g_variant_new("(@ay)", bytes), error);
}


cairnDomain *
remoteDomainLookupByID(cairnConnect *conn, int id, GError **error)
{
    return remoteCallForDomain(conn, REMOTE_PROC_DOMAIN_LOOKUP_BY_ID, g_variant_new("(i)", id),
                               error);
}


cairnDomain *
remoteDomainDefineXML(cairnConnect *conn, const char *xml, unsigned int flags, GError **error)
{
    if (!remoteStringCheck(xml, "xml", error))
        return NULL;
    return remoteCallForDomain(conn, REMOTE_PROC_DOMAIN_DEFINE_XML,
                               g_variant_new("(su)", xml, flags), error);
}


bool
remoteDomainUndefine(cairnDomain *dom, unsigned int flags, GError **error)
{
    return remoteCallDomainFlags(dom, REMOTE_PROC_DOMAIN_UNDEFINE, flags, error);
}


bool
remoteDomainCreate(cairnDomain *dom, unsigned int flags, GError **error)
{
    return remoteCallDomainFlags(dom, REMOTE_PROC_DOMAIN_CREATE, flags, error);
}


bool
remoteDomainDestroy(cairnDomain *dom, unsigned int flags, GError **error)
{
    return remoteCallDomainFlags(dom, REMOTE_PROC_DOMAIN_DESTROY, flags, error);
}


bool
remoteDomainShutdown(cairnDomain *dom, unsigned int flags, GError **error)
{
    return remoteCallDomainFlags(dom, REMOTE_PROC_DOMAIN_SHUTDOWN, flags, error);
}


bool
remoteDomainSuspend(cairnDomain *dom, unsigned int flags, GError **error)
{
    return remoteCallDomainFlags(dom, REMOTE_PROC_DOMAIN_SUSPEND, flags, error);
}


bool
remoteDomainResume(cairnDomain *dom, unsigned int flags, GError **error)
{
    return remoteCallDomainFlags(dom, REMOTE_PROC_DOMAIN_RESUME, flags, error);
}


char *
remoteDomainGetXMLDesc(cairnDomain *dom, unsigned int flags, GError **error)
{
    g_autoptr(GVariant) reply = NULL;

    reply = remoteCall(dom->conn, REMOTE_PROC_DOMAIN_GET_XML_DESC,
                       g_variant_new("(@(sayi)u)", remoteDomainToVariant(dom), flags), error);
    return remoteReplyString(reply);
}


bool
remoteDomainGetInfo(cairnDomain *dom, cairnDomainInfo *info, GError **error)
{
    g_autoptr(GVariant) reply = NULL;
    guchar state = 0;
    guint64 maxmem = 0;
    guint64 mem = 0;
    guint16 vcpus = 0;
    guint64 cputime = 0;

    if (!(reply = remoteCall(dom->conn, REMOTE_PROC_DOMAIN_GET_INFO,
                             g_variant_new("(@(sayi))", remoteDomainToVariant(dom)), error)))
        return false;
    g_variant_get(reply, "((yttqt))", &state, &maxmem, &mem, &vcpus, &cputime);
    info->state = state;
    info->maxMem = (unsigned long)maxmem;
    info->memory = (unsigned long)mem;
    info->nrVirtCpu = vcpus;
    info->cpuTime = cputime;
    return true;
}


bool
remoteDomainGetState(cairnDomain *dom, int *state, int *reason, unsigned int flags, GError **error)
{
    g_autoptr(GVariant) reply = NULL;
    gint32 st = 0;
    gint32 why = 0;

    if (!(reply =
              remoteCall(dom->conn, REMOTE_PROC_DOMAIN_GET_STATE,
                         g_variant_new("(@(sayi)u)", remoteDomainToVariant(dom), flags), error)))
        return false;
    g_variant_get(reply, "(ii)", &st, &why);
    *state = st;
    if (reason)
        *reason = why;
    return true;
}


int
remoteDomainIsActive(cairnDomain *dom, GError **error)
{
    return remoteCallDomainBool(dom, REMOTE_PROC_DOMAIN_IS_ACTIVE, error);
}


int
remoteDomainIsPersistent(cairnDomain *dom, GError **error)
{
    return remoteCallDomainBool(dom, REMOTE_PROC_DOMAIN_IS_PERSISTENT, error);
}


/* ---- checkpoints ---- */

cairnDomainCheckpoint *
remoteDomainCheckpointCreateXML(cairnDomain *dom,
                                const char *xml,
                                unsigned int flags,
                                GError **error)
{
    g_autoptr(GVariant) reply = NULL;

    if (!remoteStringCheck(xml, "xmlDesc", error))
        return NULL;
    reply = remoteCall(dom->conn, REMOTE_PROC_DOMAIN_CHECKPOINT_CREATE_XML,
                       g_variant_new("(@(sayi)su)", remoteDomainToVariant(dom), xml, flags), error);
    return remoteReplyCheckpoint(dom, reply, 0);
}


/* (domain, checkpoint, flags): the arguments of most checkpoint calls. */
static GVariant *
remoteCheckpointArgs(cairnDomainCheckpoint *chk, unsigned int flags)
{
    return g_variant_new("(@(sayi)su)", remoteDomainToVariant(chk->domain), chk->name, flags);
}


char *
remoteDomainCheckpointGetXMLDesc(cairnDomainCheckpoint *chk, unsigned int flags, GError **error)
{
    g_autoptr(GVariant) reply = NULL;

    reply = remoteCall(chk->domain->conn, REMOTE_PROC_DOMAIN_CHECKPOINT_GET_XML_DESC,
                       remoteCheckpointArgs(chk, flags), error);
    return remoteReplyString(reply);
}


int
remoteDomainListAllCheckpoints(cairnDomain *dom,
                               cairnDomainCheckpoint ***chks,
                               unsigned int flags,
                               GError **error)
{
    g_autoptr(GVariant) reply = NULL;

    reply = remoteCall(
        dom->conn, REMOTE_PROC_DOMAIN_LIST_ALL_CHECKPOINTS,
        g_variant_new("(@(sayi)ub)", remoteDomainToVariant(dom), flags, chks != NULL), error);
    return remoteReplyCheckpointList(dom, reply, chks);
}


int
remoteDomainCheckpointListAllChildren(cairnDomainCheckpoint *chk,
                                      cairnDomainCheckpoint ***chks,
                                      unsigned int flags,
                                      GError **error)
{
    g_autoptr(GVariant) reply = NULL;

    reply = remoteCall(chk->domain->conn, REMOTE_PROC_DOMAIN_CHECKPOINT_LIST_ALL_CHILDREN,
                       g_variant_new("(@(sayi)sub)", remoteDomainToVariant(chk->domain), chk->name,
                                     flags, chks != NULL),
                       error);
    return remoteReplyCheckpointList(chk->domain, reply, chks);
}


cairnDomainCheckpoint *
remoteDomainCheckpointLookupByName(cairnDomain *dom,
                                   const char *name,
                                   unsigned int flags,
                                   GError **error)
{
    g_autoptr(GVariant) reply = NULL;

    if (!remoteStringCheck(name, "name", error))
        return NULL;
    reply =
        remoteCall(dom->conn, REMOTE_PROC_DOMAIN_CHECKPOINT_LOOKUP_BY_NAME,
                   g_variant_new("(@(sayi)su)", remoteDomainToVariant(dom), name, flags), error);
    return remoteReplyCheckpoint(dom, reply, 0);
}


cairnDomainCheckpoint *
remoteDomainCheckpointGetParent(cairnDomainCheckpoint *chk, unsigned int flags, GError **error)
{
    g_autoptr(GVariant) reply = NULL;

    reply = remoteCall(chk->domain->conn, REMOTE_PROC_DOMAIN_CHECKPOINT_GET_PARENT,
                       remoteCheckpointArgs(chk, flags), error);
    return remoteReplyCheckpoint(chk->domain, reply, 0);
}


bool
remoteDomainCheckpointDelete(cairnDomainCheckpoint *chk, unsigned int flags, GError **error)
{
    g_autoptr(GVariant) reply = NULL;

    reply = remoteCall(chk->domain->conn, REMOTE_PROC_DOMAIN_CHECKPOINT_DELETE,
                       remoteCheckpointArgs(chk, flags), error);
    return reply != NULL;
}


char *
remoteDomainCheckpointValidate(cairnDomain *dom,
                               const char *checkpoint,
                               unsigned int flags,
                               GError **error)
{
    g_autoptr(GVariant) reply = NULL;

    if (checkpoint && !remoteStringCheck(checkpoint, "checkpoint", error))
        return NULL;
    reply = remoteCall(dom->conn, REMOTE_PROC_DOMAIN_CHECKPOINT_VALIDATE,
                       g_variant_new("(@(sayi)su)", remoteDomainToVariant(dom),
                                     checkpoint ? checkpoint : "", flags),
                       error);
    return remoteReplyString(reply);
}


/* ---- qemu ---- */

char *
remoteDomainQemuMonitorCommand(cairnDomain *dom,
                               const char *cmd,
                               unsigned int flags,
                               GError **error)
{
    g_autoptr(GVariant) reply = NULL;

    if (!remoteStringCheck(cmd, "cmd", error))
        return NULL;
    reply = remoteCall(dom->conn, REMOTE_PROC_DOMAIN_QEMU_MONITOR_COMMAND,
                       g_variant_new("(@(sayi)su)", remoteDomainToVariant(dom), cmd, flags), error);
    return remoteReplyString(reply);
}
