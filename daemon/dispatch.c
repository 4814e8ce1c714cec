/*
 * dispatch.c: the one table of handlers and the path of every call (see
 * dispatch.h). GDBus reads a call in its worker thread, where
 * cairndDispatchFilter() takes it: a read that the driver answers from
 * memory runs there at once, anything else goes to the thread pool; the
 * reply is queued back to GDBus's worker. Calls the filter passes on (an
 * unknown method, a wrong signature, an oversized message) take GDBus's
 * own path through the registered object, which answers the error.
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
    bool memory_read; /* changes nothing and, with a driver that keeps its state in
                       * memory (daemon->inline_reads), neither blocks nor waits */
} cairndDispatchEntry;

/* Indexed by remoteProcedure: the mutating flag, the method and slot names
 * are in remote_protocol.c's table, this one adds the code. */
static const cairndDispatchEntry dispatchTable[] = {
    { REMOTE_PROC_CONNECT_OPEN, cairndConnectOpen, false, false },
    { REMOTE_PROC_CONNECT_CLOSE, cairndConnectClose, true, false },
    { REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS, cairndConnectListAllDomains, true, true },
    { REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME, cairndDomainLookupByName, true, true },
    { REMOTE_PROC_DOMAIN_LOOKUP_BY_UUID, cairndDomainLookupByUUID, true, true },
    { REMOTE_PROC_DOMAIN_LOOKUP_BY_ID, cairndDomainLookupByID, true, true },
    { REMOTE_PROC_DOMAIN_DEFINE_XML, cairndDomainDefineXML, true, false },
    { REMOTE_PROC_DOMAIN_UNDEFINE, cairndDomainUndefine, true, false },
    { REMOTE_PROC_DOMAIN_CREATE, cairndDomainCreate, true, false },
    { REMOTE_PROC_DOMAIN_DESTROY, cairndDomainDestroy, true, false },
    { REMOTE_PROC_DOMAIN_SHUTDOWN, cairndDomainShutdown, true, false },
    { REMOTE_PROC_DOMAIN_GET_XML_DESC, cairndDomainGetXMLDesc, true, true },
    { REMOTE_PROC_DOMAIN_GET_INFO, cairndDomainGetInfo, true, true },
    { REMOTE_PROC_DOMAIN_GET_STATE, cairndDomainGetState, true, true },
    { REMOTE_PROC_DOMAIN_IS_ACTIVE, cairndDomainIsActive, true, true },
    { REMOTE_PROC_DOMAIN_IS_PERSISTENT, cairndDomainIsPersistent, true, true },
    { REMOTE_PROC_DOMAIN_CHECKPOINT_CREATE_XML, cairndDomainCheckpointCreateXML, true, false },
    { REMOTE_PROC_DOMAIN_CHECKPOINT_GET_XML_DESC, cairndDomainCheckpointGetXMLDesc, true, true },
    { REMOTE_PROC_DOMAIN_LIST_ALL_CHECKPOINTS, cairndDomainListAllCheckpoints, true, true },
    { REMOTE_PROC_DOMAIN_CHECKPOINT_LIST_ALL_CHILDREN, cairndDomainCheckpointListAllChildren, true,
      true },
    { REMOTE_PROC_DOMAIN_CHECKPOINT_LOOKUP_BY_NAME, cairndDomainCheckpointLookupByName, true,
      true },
    { REMOTE_PROC_DOMAIN_CHECKPOINT_GET_PARENT, cairndDomainCheckpointGetParent, true, true },
    { REMOTE_PROC_DOMAIN_CHECKPOINT_DELETE, cairndDomainCheckpointDelete, true, false },
    { REMOTE_PROC_DOMAIN_QEMU_MONITOR_COMMAND, cairndDomainQemuMonitorCommand, true, false },
    { REMOTE_PROC_DOMAIN_CHECKPOINT_VALIDATE, cairndDomainCheckpointValidate, true, false },
    { REMOTE_PROC_DOMAIN_BACKUP_BEGIN, cairndDomainBackupBegin, true, false },
    { REMOTE_PROC_DOMAIN_BACKUP_GET_XML_DESC, cairndDomainBackupGetXMLDesc, true, true },
    { REMOTE_PROC_DOMAIN_GET_JOB_INFO, cairndDomainGetJobInfo, true, true },
    { REMOTE_PROC_DOMAIN_GET_JOB_STATS, cairndDomainGetJobStats, true, true },
    { REMOTE_PROC_DOMAIN_ABORT_JOB, cairndDomainAbortJob, true, false },
    { REMOTE_PROC_CONNECT_DOMAIN_EVENT_REGISTER_ANY, cairndConnectDomainEventRegisterAny, true,
      false },
    { REMOTE_PROC_CONNECT_DOMAIN_EVENT_DEREGISTER_ANY, cairndConnectDomainEventDeregisterAny, true,
      false },
    { REMOTE_PROC_CONNECT_GET_LIB_VERSION, cairndConnectGetLibVersion, true, true },
};

G_STATIC_ASSERT(G_N_ELEMENTS(dispatchTable) == REMOTE_PROC_LAST);

/* One call on its way to a worker: it came either through the registered
 * object (@invocation) or through the filter (@message). */
typedef struct {
    cairndClient *client;              /* a reference */
    GDBusMethodInvocation *invocation; /* a reference, given up by the reply; or NULL */
    GDBusMessage *message;             /* a reference; or NULL */
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


/* The call's arguments; a message without a body has none, "()". */
static GVariant *
cairndCallParams(cairndCall *call)
{
    GVariant *body;

    if (call->invocation)
        return g_variant_ref(g_dbus_method_invocation_get_parameters(call->invocation));
    if ((body = g_dbus_message_get_body(call->message)))
        return g_variant_ref(body);
    return g_variant_ref_sink(g_variant_new("()"));
}


static GVariant *
cairndDispatchRun(cairndCall *call, GError **error)
{
    const cairndDispatchEntry *entry = &dispatchTable[call->info->proc];
    g_autoptr(GVariant) params = cairndCallParams(call);
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


/* Answer a call that came through the filter with @reply (consumed) or
 * @err. */
static void
cairndReplyMessage(cairndCall *call, GVariant *reply, const GError *err)
{
    g_autoptr(GDBusMessage) answer = NULL;

    if (reply)
        g_variant_ref_sink(reply);
    if (g_dbus_message_get_flags(call->message) & G_DBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED) {
        g_clear_pointer(&reply, g_variant_unref);
        return;
    }
    if (err) {
        g_autofree char *name = NULL;
        g_autofree char *text = NULL;

        remoteErrorToDBus(err, &name, &text);
        answer = g_dbus_message_new_method_error_literal(call->message, name, text);
    } else {
        answer = g_dbus_message_new_method_reply(call->message);
        if (reply)
            g_dbus_message_set_body(answer, reply);
    }
    g_clear_pointer(&reply, g_variant_unref);
    /* Only queues it: GDBus's worker writes it. */
    g_dbus_connection_send_message(call->client->bus, answer, G_DBUS_SEND_MESSAGE_FLAGS_NONE, NULL,
                                   NULL);
}


/* Run one call, answer it and free it. GThreadPool's function, and
 * called directly by the filter for an inline read. */
static void
cairndDispatchWorker(gpointer data, gpointer opaque)
{
    cairndCall *call = data;
    g_autoptr(GError) err = NULL;
    GVariant *reply = cairndDispatchRun(call, &err);

    if (err)
        g_debug("client %u: %s: %s", call->client->id, call->info->method, err->message);
    if (call->message) {
        cairndReplyMessage(call, reply, err);
        g_object_unref(call->message);
    } else if (err) {
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


/* The D-Bus signature of @proc's in arguments, without parentheses, as
 * a message header carries it ("" for none). Built once. */
static const char *
cairndInSignature(remoteProcedure proc)
{
    static char *sigs[REMOTE_PROC_LAST];
    static gsize done;

    if (g_once_init_enter(&done)) {
        GDBusInterfaceInfo *iface = remoteProtocolInterface();

        for (int i = 0; i < REMOTE_PROC_LAST; i++) {
            const remoteProcedureInfo *info = remoteProcedureGet(i);
            GDBusMethodInfo *m = g_dbus_interface_info_lookup_method(iface, info->method);
            GString *sig = g_string_new(NULL);

            g_assert(m);
            for (GDBusArgInfo **a = m->in_args; a && *a; a++)
                g_string_append(sig, (*a)->signature);
            sigs[i] = g_string_free(sig, FALSE);
        }
        g_once_init_leave(&done, 1);
    }
    return sigs[proc];
}


/* The procedure of @message when it is a well-formed call of ours that
 * the filter may take, else NULL. */
static const remoteProcedureInfo *
cairndFilterProcedure(GDBusMessage *message)
{
    const remoteProcedureInfo *info;
    GVariant *body = g_dbus_message_get_body(message);
    const char *sig = g_dbus_message_get_signature(message);

    if (g_dbus_message_get_message_type(message) != G_DBUS_MESSAGE_TYPE_METHOD_CALL ||
        g_strcmp0(g_dbus_message_get_path(message), CAIRN_REMOTE_OBJECT_PATH) != 0 ||
        g_strcmp0(g_dbus_message_get_interface(message), CAIRN_REMOTE_INTERFACE) != 0 ||
        !(info = remoteProcedureByMethod(g_dbus_message_get_member(message))) ||
        !g_str_equal(sig ? sig : "", cairndInSignature(info->proc)) ||
        (body && g_variant_get_size(body) > CAIRN_REMOTE_MESSAGE_MAX))
        return NULL;
    return info;
}


GDBusMessage *
cairndDispatchFilter(GDBusConnection *bus,
                     GDBusMessage *message,
                     gboolean incoming,
                     gpointer opaque)
{
    cairndClient *client = opaque;
    const remoteProcedureInfo *info;
    cairndCall *call;

    if (!incoming || !(info = cairndFilterProcedure(message)))
        return message;
    call = g_new0(cairndCall, 1);
    call->client = cairndClientRef(client);
    call->message = message; /* the filter's reference */
    call->info = info;
    if (client->daemon->inline_reads && dispatchTable[info->proc].memory_read)
        cairndDispatchWorker(call, NULL);
    else
        g_thread_pool_push(client->daemon->pool, call, NULL);
    return NULL;
}
