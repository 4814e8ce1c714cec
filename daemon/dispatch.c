/*
 * dispatch.c: the one table of handlers and the path of every call: the
 * main loop receives it, a worker thread runs it, GDBus sends the reply
 * (see dispatch.h).
 */
#include <string.h>

#include "cairn/cairn.h"
#include "dispatch.h"
#include "remote/remote_error.h"
#include "remote/remote_protocol.h"
#include "util/cairnerror.h"


typedef struct {
    remoteProcedure proc;
    cairndHandler handler;
    bool needs_conn; /* false only for ConnectOpen */
} cairndDispatchEntry;

/* Indexed by remoteProcedure: the mutating flag, the method and slot names
 * are in remote_protocol.c's table, this one adds the code. */
static const cairndDispatchEntry dispatchTable[] = {
    { REMOTE_PROC_CONNECT_OPEN, cairndConnectOpen, false },
    { REMOTE_PROC_CONNECT_CLOSE, cairndConnectClose, true },
    { REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS, cairndConnectListAllDomains, true },
    { REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME, cairndDomainLookupByName, true },
    { REMOTE_PROC_DOMAIN_LOOKUP_BY_UUID, cairndDomainLookupByUUID, true },
    { REMOTE_PROC_DOMAIN_LOOKUP_BY_ID, cairndDomainLookupByID, true },
    { REMOTE_PROC_DOMAIN_DEFINE_XML, cairndDomainDefineXML, true },
    { REMOTE_PROC_DOMAIN_UNDEFINE, cairndDomainUndefine, true },
    { REMOTE_PROC_DOMAIN_CREATE, cairndDomainCreate, true },
    { REMOTE_PROC_DOMAIN_DESTROY, cairndDomainDestroy, true },
    { REMOTE_PROC_DOMAIN_SHUTDOWN, cairndDomainShutdown, true },
    { REMOTE_PROC_DOMAIN_GET_XML_DESC, cairndDomainGetXMLDesc, true },
    { REMOTE_PROC_DOMAIN_GET_INFO, cairndDomainGetInfo, true },
    { REMOTE_PROC_DOMAIN_GET_STATE, cairndDomainGetState, true },
    { REMOTE_PROC_DOMAIN_IS_ACTIVE, cairndDomainIsActive, true },
    { REMOTE_PROC_DOMAIN_IS_PERSISTENT, cairndDomainIsPersistent, true },
    { REMOTE_PROC_DOMAIN_CHECKPOINT_CREATE_XML, cairndDomainCheckpointCreateXML, true },
    { REMOTE_PROC_DOMAIN_CHECKPOINT_GET_XML_DESC, cairndDomainCheckpointGetXMLDesc, true },
    { REMOTE_PROC_DOMAIN_LIST_ALL_CHECKPOINTS, cairndDomainListAllCheckpoints, true },
    { REMOTE_PROC_DOMAIN_CHECKPOINT_LIST_ALL_CHILDREN, cairndDomainCheckpointListAllChildren,
      true },
    { REMOTE_PROC_DOMAIN_CHECKPOINT_LOOKUP_BY_NAME, cairndDomainCheckpointLookupByName, true },
    { REMOTE_PROC_DOMAIN_CHECKPOINT_GET_PARENT, cairndDomainCheckpointGetParent, true },
    { REMOTE_PROC_DOMAIN_CHECKPOINT_DELETE, cairndDomainCheckpointDelete, true },
    { REMOTE_PROC_DOMAIN_QEMU_MONITOR_COMMAND, cairndDomainQemuMonitorCommand, true },
    { REMOTE_PROC_DOMAIN_CHECKPOINT_VALIDATE, cairndDomainCheckpointValidate, true },
    { REMOTE_PROC_DOMAIN_BACKUP_BEGIN, cairndDomainBackupBegin, true },
    { REMOTE_PROC_DOMAIN_BACKUP_GET_XML_DESC, cairndDomainBackupGetXMLDesc, true },
    { REMOTE_PROC_DOMAIN_GET_JOB_INFO, cairndDomainGetJobInfo, true },
    { REMOTE_PROC_DOMAIN_GET_JOB_STATS, cairndDomainGetJobStats, true },
    { REMOTE_PROC_DOMAIN_ABORT_JOB, cairndDomainAbortJob, true },
    { REMOTE_PROC_CONNECT_DOMAIN_EVENT_REGISTER_ANY, cairndConnectDomainEventRegisterAny, true },
    { REMOTE_PROC_CONNECT_DOMAIN_EVENT_DEREGISTER_ANY, cairndConnectDomainEventDeregisterAny,
      true },
    { REMOTE_PROC_CONNECT_GET_LIB_VERSION, cairndConnectGetLibVersion, true },
};

G_STATIC_ASSERT(G_N_ELEMENTS(dispatchTable) == REMOTE_PROC_LAST);

/* One call on its way to a worker. */
typedef struct {
    cairndClient *client;              /* a reference */
    GDBusMethodInvocation *invocation; /* a reference, given up by the reply */
    const remoteProcedureInfo *info;
} cairndCall;


bool
cairndDispatchCheckTable(GError **error)
{
    GDBusInterfaceInfo *iface = remoteProtocolInterface();

    for (GDBusMethodInfo **m = iface->methods; m && *m; m++) {
        const remoteProcedureInfo *info = remoteProcedureByMethod((*m)->name);

        if (!info || dispatchTable[info->proc].proc != info->proc ||
            !dispatchTable[info->proc].handler) {
            cairnErrorSet(error, CAIRN_FROM_RPC, CAIRN_ERR_INTERNAL_ERROR,
                          "method %s has no handler", (*m)->name);
            return false;
        }
    }
    return true;
}


/* Every string argument within CAIRN_REMOTE_STRING_MAX, every array within
 * CAIRN_REMOTE_LIST_MAX entries. */
static bool
cairndCheckSizes(GVariant *params, GError **error)
{
    for (gsize i = 0; i < g_variant_n_children(params); i++) {
        g_autoptr(GVariant) arg = g_variant_get_child_value(params, i);
        gsize size = g_variant_get_size(arg);

        if ((g_variant_is_of_type(arg, G_VARIANT_TYPE_STRING) &&
             size > CAIRN_REMOTE_STRING_MAX + 1) ||
            (g_variant_is_of_type(arg, G_VARIANT_TYPE_ARRAY) &&
             g_variant_n_children(arg) > CAIRN_REMOTE_LIST_MAX)) {
            cairnErrorSet(error, CAIRN_FROM_RPC, CAIRN_ERR_INVALID_ARG,
                          "argument %zu is over the protocol's size limit", i);
            return false;
        }
    }
    return true;
}


static GVariant *
cairndDispatchRun(cairndCall *call, GError **error)
{
    const cairndDispatchEntry *entry = &dispatchTable[call->info->proc];
    GVariant *params = g_dbus_method_invocation_get_parameters(call->invocation);
    g_autoptr(cairnConnect) conn = NULL;
    bool readonly = false;

    if (!cairndCheckSizes(params, error))
        return NULL;
    if (entry->needs_conn && !(conn = cairndClientGetConn(call->client, &readonly, error)))
        return NULL;
    if (readonly && call->info->mutating) {
        cairnErrorSet(error, CAIRN_FROM_RPC, CAIRN_ERR_OPERATION_DENIED,
                      "read only access prevents %s", call->info->method);
        return NULL;
    }
    return entry->handler(call->client, conn, params, error);
}


/* GThreadPool's function: run one call and answer it. */
static void
cairndDispatchWorker(gpointer data, gpointer opaque)
{
    cairndCall *call = data;
    g_autoptr(GError) err = NULL;
    GVariant *reply = cairndDispatchRun(call, &err);

    if (err) {
        g_debug("client %u: %s: %s", call->client->id, call->info->method, err->message);
        if (reply)
            g_variant_unref(g_variant_ref_sink(reply));
        remoteErrorReturn(call->invocation, err);
    } else {
        g_dbus_method_invocation_return_value(call->invocation, reply);
    }
    cairndClientUnref(call->client);
    g_free(call);
}


GThreadPool *
cairndDispatchPoolNew(unsigned int workers, GError **error)
{
    return g_thread_pool_new(cairndDispatchWorker, NULL, (gint)workers, FALSE, error);
}


void
cairndDispatchMethodCall(GDBusConnection *bus, const char *sender, const char *path,
                         const char *iface, const char *method, GVariant *params,
                         GDBusMethodInvocation *invocation, gpointer opaque)
{
    cairndClient *client = opaque;
    const remoteProcedureInfo *info = remoteProcedureByMethod(method);
    g_autoptr(GError) err = NULL;
    cairndCall *call;

    /* GDBus checked the signature against the introspection data. */
    if (!info) {
        g_dbus_method_invocation_return_dbus_error(
            invocation, "org.freedesktop.DBus.Error.UnknownMethod", method);
        return;
    }
    if (g_variant_get_size(params) > CAIRN_REMOTE_MESSAGE_MAX) {
        cairnErrorSet(&err, CAIRN_FROM_RPC, CAIRN_ERR_INVALID_ARG,
                      "message of %zu bytes is over the limit of %d", g_variant_get_size(params),
                      CAIRN_REMOTE_MESSAGE_MAX);
        remoteErrorReturn(invocation, err);
        return;
    }
    call = g_new0(cairndCall, 1);
    call->client = cairndClientRef(client);
    call->invocation = invocation;
    call->info = info;
    g_thread_pool_push(client->daemon->pool, call, NULL);
}
