/*
 * dispatch.c: the one table of handlers and the path of every call (see
 * dispatch.h). Calls come two ways, and both end in cairndAnswer(): the
 * same checks, the same handler, the same reply or error.
 *
 * On the bus, GDBus reads a call in its worker thread, where
 * cairndDispatchFilter() takes it: a read that the driver answers from
 * memory runs there at once, anything else goes to the thread pool; the
 * reply is queued back to GDBus's worker. Calls the filter passes on (an
 * unknown method, a wrong signature, an oversized message) take GDBus's
 * own path through the registered object, which answers the error.
 *
 * On a call channel (channel.c), the channel's thread hands each message
 * to cairndDispatchMessage(), which answers it inline, refusing what the
 * filter would pass on the way GDBus would.
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
    bool needs_conn;            /* false only for ConnectOpen */
    bool memory_read;           /* changes nothing and, with a driver that keeps its state in
                       * memory (daemon->inline_reads), neither blocks nor waits */
    cairndFDHandler fd_handler; /* instead of handler, for a reply with descriptors */
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
    { REMOTE_PROC_DOMAIN_BLOCK_PULL, cairndDomainBlockPull, true, false },
    { REMOTE_PROC_DOMAIN_GET_BLOCK_JOB_INFO, cairndDomainGetBlockJobInfo, true, true },
    { REMOTE_PROC_DOMAIN_BLOCK_JOB_ABORT, cairndDomainBlockJobAbort, true, false },
    { REMOTE_PROC_CONNECT_DOMAIN_EVENT_REGISTER_ANY, cairndConnectDomainEventRegisterAny, true,
      false },
    { REMOTE_PROC_CONNECT_DOMAIN_EVENT_DEREGISTER_ANY, cairndConnectDomainEventDeregisterAny, true,
      false },
    { REMOTE_PROC_CONNECT_GET_LIB_VERSION, cairndConnectGetLibVersion, true, true },
    { REMOTE_PROC_CONNECT_OPEN_CHANNEL, NULL, true, false, cairndConnectOpenChannel },
    { REMOTE_PROC_DOMAIN_SUSPEND, cairndDomainSuspend, true, false },
    { REMOTE_PROC_DOMAIN_RESUME, cairndDomainResume, true, false },
    { REMOTE_PROC_DOMAIN_BLOCK_JOB_SET_SPEED, cairndDomainBlockJobSetSpeed, true, false },
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
            (dispatchTable[info->proc].handler != NULL) ==
                (dispatchTable[info->proc].fd_handler != NULL)) {
            cairnErrorSet(error, CAIRN_FROM_RPC, CAIRN_ERR_INTERNAL_ERROR,
                          "method %s has no handler", (*m)->name);
            return false;
        }
    }
    return true;
}


/* The error of a call that comes once the daemon stops. */
static void
cairndStoppingError(GError **error)
{
    cairnErrorSet(error, CAIRN_FROM_RPC, CAIRN_ERR_RPC, "%s",
                  "the daemon is shutting down: the call was not run");
}


GDBusMessage *
cairndDispatchRefuse(GDBusMessage *message)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *name = NULL;
    g_autofree char *text = NULL;

    if (g_dbus_message_get_message_type(message) != G_DBUS_MESSAGE_TYPE_METHOD_CALL ||
        (g_dbus_message_get_flags(message) & G_DBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED))
        return NULL;
    cairndStoppingError(&err);
    remoteErrorToDBus(err, &name, &text);
    return g_dbus_message_new_method_error_literal(message, name, text);
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


/* The arguments of @message; a message without a body has none, "()". */
static GVariant *
cairndMessageParams(GDBusMessage *message)
{
    GVariant *body = g_dbus_message_get_body(message);

    return body ? g_variant_ref(body) : g_variant_ref_sink(g_variant_new("()"));
}


/* Tests only: hold the reply of a call of daemon->test_delay_method. */
static void
cairndTestDelay(cairndDaemon *daemon, const remoteProcedureInfo *info)
{
    if (!daemon->test_delay_method || !g_str_equal(daemon->test_delay_method, info->method))
        return;
    g_info("%s: holding its reply for %u ms (CAIRND_TEST_REPLY_DELAY)", info->method,
           daemon->test_delay_ms);
    g_usleep((gulong)daemon->test_delay_ms * 1000);
}


/* Run @info's handler for @client with @params, after the checks every
 * lane makes: sizes, an open connection, read-only. @caps: what the
 * caller's lane can carry (a reply with descriptors needs them). */
static GVariant *
cairndDispatchRun(cairndClient *client,
                  const remoteProcedureInfo *info,
                  GVariant *params,
                  GDBusCapabilityFlags caps,
                  GUnixFDList **ret_fds,
                  GError **error)
{
    const cairndDispatchEntry *entry = &dispatchTable[info->proc];
    g_autoptr(cairnConnect) conn = NULL;
    bool readonly = false;
    GVariant *reply;

    if (!cairndCheckSizes(params, error))
        return NULL;
    if (entry->needs_conn && !(conn = cairndClientGetConn(client, &readonly, error)))
        return NULL;
    if (readonly && info->mutating) {
        cairnErrorSet(error, CAIRN_FROM_RPC, CAIRN_ERR_OPERATION_DENIED,
                      "read only access prevents %s", info->method);
        return NULL;
    }
    if (!entry->fd_handler) {
        reply = entry->handler(client, conn, params, error);
    } else if (!(caps & G_DBUS_CAPABILITY_FLAGS_UNIX_FD_PASSING)) {
        cairnErrorSet(error, CAIRN_FROM_RPC, CAIRN_ERR_OPERATION_UNSUPPORTED,
                      "%s needs a connection that passes file descriptors", info->method);
        return NULL;
    } else {
        reply = entry->fd_handler(client, conn, params, ret_fds, error);
    }
    cairndTestDelay(client->daemon, info);
    return reply;
}


/* The answer to @message, a call of @info that cairndFilterProcedure()
 * accepted, from @client on a lane that carries @caps: the reply or the
 * error; NULL when the caller expects none. Either lane, any thread. */
static GDBusMessage *
cairndAnswer(cairndClient *client,
             GDBusMessage *message,
             const remoteProcedureInfo *info,
             GDBusCapabilityFlags caps)
{
    g_autoptr(GVariant) params = cairndMessageParams(message);
    g_autoptr(GUnixFDList) fds = NULL;
    g_autoptr(GVariant) reply = NULL;
    g_autoptr(GError) err = NULL;
    GDBusMessage *answer;

    if ((reply = cairndDispatchRun(client, info, params, caps, &fds, &err)))
        g_variant_ref_sink(reply);
    if (err)
        g_debug("client %u: %s: %s", client->id, info->method, err->message);
    if (g_dbus_message_get_flags(message) & G_DBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED)
        return NULL;
    if (err) {
        g_autofree char *name = NULL;
        g_autofree char *text = NULL;

        remoteErrorToDBus(err, &name, &text);
        return g_dbus_message_new_method_error_literal(message, name, text);
    }
    answer = g_dbus_message_new_method_reply(message);
    if (reply)
        g_dbus_message_set_body(answer, reply);
    if (fds)
        g_dbus_message_set_unix_fd_list(answer, fds);
    return answer;
}


/* Answer a call that came through the registered object. */
static void
cairndAnswerInvocation(cairndCall *call, GDBusCapabilityFlags caps)
{
    GVariant *params = g_dbus_method_invocation_get_parameters(call->invocation);
    g_autoptr(GUnixFDList) fds = NULL;
    g_autoptr(GError) err = NULL;
    GVariant *reply = cairndDispatchRun(call->client, call->info, params, caps, &fds, &err);

    if (err) {
        g_debug("client %u: %s: %s", call->client->id, call->info->method, err->message);
        if (reply)
            g_variant_unref(g_variant_ref_sink(reply));
        remoteErrorReturn(call->invocation, err);
    } else {
        g_dbus_method_invocation_return_value_with_unix_fd_list(call->invocation, reply, fds);
    }
}


/* Run one call, answer it and free it. GThreadPool's function, and
 * called directly by the filter for an inline read. */
static void
cairndDispatchWorker(gpointer data, gpointer opaque)
{
    cairndCall *call = data;
    GDBusCapabilityFlags caps = g_dbus_connection_get_capabilities(call->client->bus);

    if (call->message) {
        g_autoptr(GDBusMessage) answer =
            cairndAnswer(call->client, call->message, call->info, caps);

        /* Only queues it: GDBus's worker writes it. */
        if (answer)
            g_dbus_connection_send_message(call->client->bus, answer,
                                           G_DBUS_SEND_MESSAGE_FLAGS_NONE, NULL, NULL);
        g_object_unref(call->message);
    } else {
        cairndAnswerInvocation(call, caps);
    }
    cairndDaemonCallEnd(call->client->daemon);
    cairndClientUnref(call->client);
    g_free(call);
}


GThreadPool *
cairndDispatchPoolNew(unsigned int workers, GError **error)
{
    return g_thread_pool_new(cairndDispatchWorker, NULL, (gint)workers, FALSE, error);
}


void
cairndDispatchMethodCall(GDBusConnection *bus,
                         const char *sender,
                         const char *path,
                         const char *iface,
                         const char *method,
                         GVariant *params,
                         GDBusMethodInvocation *invocation,
                         gpointer opaque)
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
    if (!cairndDaemonCallBegin(client->daemon)) {
        cairndStoppingError(&err);
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
    if (!cairndDaemonCallBegin(client->daemon)) {
        g_autoptr(GDBusMessage) refusal = cairndDispatchRefuse(message);

        if (refusal)
            g_dbus_connection_send_message(bus, refusal, G_DBUS_SEND_MESSAGE_FLAGS_NONE, NULL,
                                           NULL);
        g_object_unref(message);
        return NULL;
    }
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


/* The error GDBus would answer to @message, a method call that
 * cairndFilterProcedure() refused. */
static GDBusMessage *
cairndRefusal(GDBusMessage *message)
{
    const char *path = g_dbus_message_get_path(message);
    const char *iface = g_dbus_message_get_interface(message);
    const char *member = g_dbus_message_get_member(message);
    const char *sig = g_dbus_message_get_signature(message);
    GVariant *body = g_dbus_message_get_body(message);
    const remoteProcedureInfo *info = remoteProcedureByMethod(member ? member : "");
    g_autoptr(GError) err = NULL;
    g_autofree char *name = NULL;
    g_autofree char *text = NULL;

    if (g_strcmp0(path, CAIRN_REMOTE_OBJECT_PATH) != 0)
        return g_dbus_message_new_method_error(message, "org.freedesktop.DBus.Error.UnknownObject",
                                               "No such object path '%s'", path ? path : "");
    if (g_strcmp0(iface, CAIRN_REMOTE_INTERFACE) != 0)
        return g_dbus_message_new_method_error(message, "org.freedesktop.DBus.Error.UnknownMethod",
                                               "No such interface '%s' on object at path %s",
                                               iface ? iface : "", path);
    if (!info)
        return g_dbus_message_new_method_error(message, "org.freedesktop.DBus.Error.UnknownMethod",
                                               "No such method '%s'", member ? member : "");
    if (!g_str_equal(sig ? sig : "", cairndInSignature(info->proc)))
        return g_dbus_message_new_method_error(
            message, "org.freedesktop.DBus.Error.InvalidArgs",
            "Type of message, '(%s)', does not match expected type '(%s)'", sig ? sig : "",
            cairndInSignature(info->proc));
    cairnErrorSet(&err, CAIRN_FROM_RPC, CAIRN_ERR_INVALID_ARG,
                  "message of %zu bytes is over the limit of %d",
                  body ? g_variant_get_size(body) : 0, CAIRN_REMOTE_MESSAGE_MAX);
    remoteErrorToDBus(err, &name, &text);
    return g_dbus_message_new_method_error_literal(message, name, text);
}


GDBusMessage *
cairndDispatchMessage(cairndClient *client, GDBusMessage *message, GDBusCapabilityFlags caps)
{
    const remoteProcedureInfo *info;

    if (g_dbus_message_get_message_type(message) != G_DBUS_MESSAGE_TYPE_METHOD_CALL)
        return NULL;
    if ((info = cairndFilterProcedure(message)))
        return cairndAnswer(client, message, info, caps);
    if (g_dbus_message_get_flags(message) & G_DBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED)
        return NULL;
    return cairndRefusal(message);
}
