/*
 * remote_driver.c: the remote driver's connections and the call helper.
 *
 * A connection is one D-Bus peer-to-peer connection to cairnd over a unix
 * socket; every driver slot becomes one method call on the daemon's one
 * object (remote_protocol.c names them; remote_calls.c implements them).
 * Calls are synchronous and without timeout, as libvirt's: a dead daemon
 * shows as a closed socket, which fails every call with CAIRN_ERR_RPC
 * (over ssh, CAIRN_ERR_SYSTEM_ERROR "End of file while reading data", as
 * libvirt says it). DRIVER+ssh:// runs the bus over ssh (remote_ssh.h).
 */
#include <errno.h>
#include <string.h>
#include <gio/gunixfdlist.h>

#include "cairn/cairn-error.h"
#include "cairn/cairn-version.h"
#include "remote_calls.h"
#include "remote_driver.h"
#include "remote_error.h"
#include "remote_event.h"
#include "remote_private.h"
#include "remote_protocol.h"
#include "remote_spawn.h"
#include "remote_ssh.h"
#include "util/cairnerror.h"

#define FROM CAIRN_FROM_REMOTE

/* What a URI asks for: the daemon's socket, the URI the daemon serves,
 * and whether to start a session daemon when none listens; or, for
 * DRIVER+ssh://, the ssh connection (whose far side knows the socket). */
typedef struct {
    char *socket;
    char *daemon_uri;
    bool autostart;
    bool ssh;
    remoteSSHTarget ssh_target;
} remoteTarget;

static void
remoteTargetClear(remoteTarget *t)
{
    g_free(t->socket);
    g_free(t->daemon_uri);
    remoteSSHTargetClear(&t->ssh_target);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(remoteTarget, remoteTargetClear)


/* True for a parameter value that means yes, as libvirt reads no_verify. */
static bool
remoteParamIsTrue(const char *value)
{
    return g_str_equal(value, "1") || g_ascii_strcasecmp(value, "yes") == 0 ||
           g_ascii_strcasecmp(value, "true") == 0;
}


/* The parameters: socket= for every transport; keyfile=, known_hosts=,
 * no_verify= and command= (the local ssh program) for ssh, as libvirt
 * names them. */
static bool
remoteParseParams(cairnConnect *conn, GUri *uri, remoteTarget *t, GError **error)
{
    g_autoptr(GHashTable) params = NULL;
    const char *query = g_uri_get_query(uri);
    GHashTableIter iter;
    gpointer key;
    gpointer value;

    if (!query || !*query)
        return true;
    if (!(params = g_uri_parse_params(query, -1, "&", G_URI_PARAMS_NONE, NULL))) {
        cairnErrorSet(error, FROM, CAIRN_ERR_INVALID_ARG, "'%s': malformed parameters", conn->uri);
        return false;
    }
    g_hash_table_iter_init(&iter, params);
    while (g_hash_table_iter_next(&iter, &key, &value)) {
        char **slot = NULL;

        if (g_str_equal(key, "socket") && g_path_is_absolute(value))
            slot = &t->socket;
        else if (t->ssh && g_str_equal(key, "keyfile") && *(char *)value)
            slot = &t->ssh_target.keyfile;
        else if (t->ssh && g_str_equal(key, "known_hosts") && *(char *)value)
            slot = &t->ssh_target.known_hosts;
        else if (t->ssh && g_str_equal(key, "command") && *(char *)value)
            slot = &t->ssh_target.command;
        if (slot) {
            g_free(*slot);
            *slot = g_strdup(value);
        } else if (t->ssh && g_str_equal(key, "no_verify")) {
            t->ssh_target.no_verify = remoteParamIsTrue(value);
        } else if (t->ssh) {
            cairnErrorSet(error, FROM, CAIRN_ERR_INVALID_ARG,
                          "'%s': unknown parameter '%s' (ssh takes socket=ABSOLUTE_PATH, "
                          "keyfile=, known_hosts=, no_verify=, command=)",
                          conn->uri, (char *)key);
            return false;
        } else {
            cairnErrorSet(error, FROM, CAIRN_ERR_INVALID_ARG,
                          "'%s': the remote driver takes one parameter, socket=ABSOLUTE_PATH",
                          conn->uri);
            return false;
        }
    }
    return true;
}


/* The ssh side of @t from DRIVER+ssh://[USER@]HOST[:PORT]/PATH. */
static bool
remoteSSHTargetFromURI(cairnConnect *conn, GUri *uri, remoteTarget *t, GError **error)
{
    const char *host = g_uri_get_host(uri);

    if (!host || !*host) {
        cairnErrorSet(error, FROM, CAIRN_ERR_INVALID_ARG, "'%s': the ssh transport needs a host",
                      conn->uri);
        return false;
    }
    t->ssh_target.host = g_strdup(host);
    t->ssh_target.user = g_strdup(g_uri_get_user(uri));
    t->ssh_target.port = MAX(g_uri_get_port(uri), 0);
    t->ssh_target.socket = g_strdup(t->socket);
    t->ssh_target.daemon_uri = g_strdup(t->daemon_uri);
    return true;
}


/* Fill @t from @uri; returns DECLINED when the URI is not for this
 * driver: qemu:///session, qemu:///system, DRIVER+unix:///PATH,
 * DRIVER+ssh://HOST/PATH. */
static cairnDrvOpenStatus
remoteTargetFromURI(cairnConnect *conn, GUri *uri, remoteTarget *t, GError **error)
{
    const char *scheme = g_uri_get_scheme(uri);
    const char *path = g_uri_get_path(uri);
    g_autofree char *driver = NULL;

    if (!scheme)
        return CAIRN_DRV_OPEN_DECLINED;
    if (g_str_has_suffix(scheme, "+unix")) {
        driver = g_strndup(scheme, strlen(scheme) - strlen("+unix"));
    } else if (g_str_has_suffix(scheme, "+ssh")) {
        driver = g_strndup(scheme, strlen(scheme) - strlen("+ssh"));
        t->ssh = true;
    } else if (g_str_equal(scheme, "qemu") &&
               (g_strcmp0(path, "/session") == 0 || g_strcmp0(path, "/system") == 0)) {
        driver = g_strdup(scheme);
    } else {
        return CAIRN_DRV_OPEN_DECLINED;
    }
    if (!t->ssh && g_uri_get_host(uri) && *g_uri_get_host(uri)) {
        cairnErrorSet(error, FROM, CAIRN_ERR_INVALID_ARG,
                      "'%s': a host needs the ssh transport (%s+ssh://HOST%s)", conn->uri, driver,
                      path ? path : "");
        return CAIRN_DRV_OPEN_ERROR;
    }
    if (!remoteParseParams(conn, uri, t, error))
        return CAIRN_DRV_OPEN_ERROR;
    t->daemon_uri = g_strdup_printf("%s://%s", driver, path ? path : "");
    if (t->ssh) {
        /* The far side finds the socket of qemu:///system or /session. */
        if (!t->socket && !(g_str_equal(driver, "qemu") && (g_strcmp0(path, "/session") == 0 ||
                                                            g_strcmp0(path, "/system") == 0))) {
            cairnErrorSet(error, FROM, CAIRN_ERR_INVALID_ARG, "'%s': needs socket=PATH", conn->uri);
            return CAIRN_DRV_OPEN_ERROR;
        }
        if (!remoteSSHTargetFromURI(conn, uri, t, error))
            return CAIRN_DRV_OPEN_ERROR;
        return CAIRN_DRV_OPEN_SUCCESS;
    }
    if (!t->socket && g_str_equal(driver, "qemu") && g_strcmp0(path, "/session") == 0) {
        t->socket = remoteSessionSocketPath();
        t->autostart = true;
    } else if (!t->socket && g_str_equal(driver, "qemu") && g_strcmp0(path, "/system") == 0) {
        t->socket = remoteSystemSocketPath();
    } else if (!t->socket) {
        cairnErrorSet(error, FROM, CAIRN_ERR_INVALID_ARG, "'%s': needs socket=PATH", conn->uri);
        return CAIRN_DRV_OPEN_ERROR;
    }
    return CAIRN_DRV_OPEN_SUCCESS;
}


static GDBusConnection *
remoteDial(const char *socket_path, GError **error)
{
    g_autofree char *escaped = g_dbus_address_escape_value(socket_path);
    g_autofree char *address = g_strdup_printf("unix:path=%s", escaped);

    return g_dbus_connection_new_for_address_sync(
        address, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT, NULL, NULL, error);
}


/* True when dialing failed because nobody listens (yet). */
static bool
remoteDialFailedAbsent(const GError *err)
{
    return g_error_matches(err, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) ||
           g_error_matches(err, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
}


/* The D-Bus client handshake over ssh to the helper on the far side;
 * @priv keeps the ssh process. */
static GDBusConnection *
remoteConnectSSH(cairnConnect *conn, const remoteTarget *t, remotePrivate *priv, GError **error)
{
    g_autoptr(GError) err = NULL;
    GDBusConnection *bus;

    if (!(priv->ssh = remoteSSHOpen(&t->ssh_target, error)))
        return NULL;
    bus =
        g_dbus_connection_new_sync(remoteSSHStream(priv->ssh), NULL,
                                   G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT, NULL, NULL, &err);
    if (!bus) {
        g_autofree char *why = remoteSSHStderr(priv->ssh);

        cairnErrorSetRaw(error, CAIRN_FROM_RPC, CAIRN_ERR_NO_CONNECT,
                         "cannot connect to the daemon of '%s' over ssh: %s", conn->uri,
                         *why ? why : err->message);
        return NULL;
    }
    return bus;
}


static GDBusConnection *
remoteConnectDaemon(cairnConnect *conn, const remoteTarget *t, remotePrivate *priv, GError **error)
{
    g_autoptr(GError) err = NULL;
    GDBusConnection *bus;

    if (t->ssh)
        return remoteConnectSSH(conn, t, priv, error);
    if ((bus = remoteDial(t->socket, &err)))
        return bus;
    if (t->autostart && remoteDialFailedAbsent(err)) {
        g_debug("no session daemon at %s: starting one", t->socket);
        g_clear_error(&err);
        if (!remoteSpawnSessionDaemon(t->socket, error))
            return NULL;
        if ((bus = remoteDial(t->socket, &err)))
            return bus;
    }
    cairnErrorSetRaw(error, CAIRN_FROM_RPC, CAIRN_ERR_NO_CONNECT,
                     "cannot connect to the daemon of '%s' at '%s': %s", conn->uri, t->socket,
                     err->message);
    return NULL;
}


static void
remotePrivateFree(remotePrivate *priv)
{
    if (!priv)
        return;
    remoteEventUnsubscribe(priv);
    g_clear_pointer(&priv->channel, remoteChannelFree);
    if (priv->bus) {
        g_dbus_connection_close_sync(priv->bus, NULL, NULL);
        g_object_unref(priv->bus);
    }
    g_clear_pointer(&priv->ssh, remoteSSHFree);
    g_free(priv->type);
    g_free(priv);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(remotePrivate, remotePrivateFree)


/* A call channel from the daemon at the other end of @bus (after
 * ConnectOpen), or NULL when there is none to have: disabled by
 * CAIRN_REMOTE_CHANNEL=0, a daemon without the method, no descriptor
 * passing, the daemon's limit. NULL is no error: calls take the bus. */
static remoteChannel *
remoteDriverOpenChannel(GDBusConnection *bus)
{
    g_autoptr(GVariant) reply = NULL;
    g_autoptr(GUnixFDList) fds = NULL;
    g_autoptr(GError) err = NULL;
    gint32 index = -1;
    int fd;

    if (g_strcmp0(g_getenv("CAIRN_REMOTE_CHANNEL"), "0") == 0)
        return NULL;
    if (!(g_dbus_connection_get_capabilities(bus) & G_DBUS_CAPABILITY_FLAGS_UNIX_FD_PASSING)) {
        g_debug("no call channel: the connection does not pass file descriptors");
        return NULL;
    }
    if (!(reply = remoteCallBusFDs(bus, REMOTE_PROC_CONNECT_OPEN_CHANNEL, NULL, &fds, &err))) {
        g_debug("no call channel: %s", err->message);
        return NULL;
    }
    g_variant_get(reply, "(h)", &index);
    if (!fds || index < 0 || index >= g_unix_fd_list_get_length(fds) ||
        (fd = g_unix_fd_list_get(fds, index, &err)) < 0) {
        g_debug("no call channel: the daemon's answer holds no descriptor %d", index);
        return NULL;
    }
    return remoteChannelNew(fd);
}


static cairnDrvOpenStatus
remoteConnectOpen(cairnConnect *conn, GUri *uri, unsigned int flags, GError **error)
{
    g_auto(remoteTarget) target = { 0 };
    g_autoptr(remotePrivate) priv = g_new0(remotePrivate, 1);
    g_autoptr(GVariant) reply = NULL;
    cairnDrvOpenStatus st;
    guint64 version = 0;

    if ((st = remoteTargetFromURI(conn, uri, &target, error)) != CAIRN_DRV_OPEN_SUCCESS)
        return st;
    if (!(priv->bus = remoteConnectDaemon(conn, &target, priv, error)))
        return CAIRN_DRV_OPEN_ERROR;
    remoteWireAttach(priv->bus);
    if (!(reply = remoteCallBus(priv->bus, REMOTE_PROC_CONNECT_OPEN,
                                g_variant_new("(su)", target.daemon_uri, flags), error)))
        return CAIRN_DRV_OPEN_ERROR;
    g_variant_get(reply, "(st)", &priv->type, &version);
    priv->daemon_version = version;
    priv->channel = remoteDriverOpenChannel(priv->bus);
    remoteEventSubscribe(conn, priv);
    conn->privateData = g_steal_pointer(&priv);
    return CAIRN_DRV_OPEN_SUCCESS;
}


static void
remoteConnectClose(cairnConnect *conn)
{
    remotePrivate *priv = conn->privateData;
    g_autoptr(GVariant) reply = NULL;

    if (priv && priv->bus && !g_dbus_connection_is_closed(priv->bus))
        reply = remoteCallBus(priv->bus, REMOTE_PROC_CONNECT_CLOSE, NULL, NULL);
    remotePrivateFree(priv);
    conn->privateData = NULL;
}


/* A round trip, as libvirt's remote driver makes: the answer is the
 * version of the library the daemon runs now. */
static bool
remoteConnectGetLibVersion(cairnConnect *conn, unsigned long *libVer, GError **error)
{
    g_autoptr(GVariant) reply = NULL;
    guint64 version = 0;

    if (!(reply = remoteCall(conn, REMOTE_PROC_CONNECT_GET_LIB_VERSION, NULL, error)))
        return false;
    g_variant_get(reply, "(t)", &version);
    *libVer = (unsigned long)version;
    return true;
}


const char *
remoteConnectGetType(cairnConnect *conn)
{
    remotePrivate *priv;

    if (conn->driver != &remoteDriver || !(priv = conn->privateData))
        return NULL;
    return priv->type;
}


bool
remoteConnectGetDaemonVersion(cairnConnect *conn, unsigned long *version)
{
    remotePrivate *priv;

    if (conn->driver != &remoteDriver || !(priv = conn->privateData))
        return false;
    *version = priv->daemon_version;
    return true;
}


bool
remoteConnectForwardUnixSocket(cairnConnect *conn,
                               const char *remote_socket,
                               const char *local_socket,
                               GError **error)
{
    remotePrivate *priv;

    if (conn->driver != &remoteDriver || !(priv = conn->privateData) || !priv->ssh) {
        cairnErrorSet(error, FROM, CAIRN_ERR_NO_SUPPORT,
                      "'%s' is not an ssh connection: use '%s' directly", conn->uri, remote_socket);
        return false;
    }
    return remoteSSHForward(priv->ssh, remote_socket, local_socket, error);
}


const cairnDriver remoteDriver = {
    .name = "remote",
    .connectOpen = remoteConnectOpen,                                         /* 0.1.0 */
    .connectClose = remoteConnectClose,                                       /* 0.1.0 */
    .connectGetLibVersion = remoteConnectGetLibVersion,                       /* 0.1.0 */
    .connectListAllDomains = remoteConnectListAllDomains,                     /* 0.1.0 */
    .domainLookupByName = remoteDomainLookupByName,                           /* 0.1.0 */
    .domainLookupByUUID = remoteDomainLookupByUUID,                           /* 0.1.0 */
    .domainLookupByID = remoteDomainLookupByID,                               /* 0.1.0 */
    .domainDefineXML = remoteDomainDefineXML,                                 /* 0.1.0 */
    .domainUndefine = remoteDomainUndefine,                                   /* 0.1.0 */
    .domainCreate = remoteDomainCreate,                                       /* 0.1.0 */
    .domainDestroy = remoteDomainDestroy,                                     /* 0.1.0 */
    .domainShutdown = remoteDomainShutdown,                                   /* 0.1.0 */
    .domainSuspend = remoteDomainSuspend,                                     /* 0.1.0 */
    .domainResume = remoteDomainResume,                                       /* 0.1.0 */
    .domainGetXMLDesc = remoteDomainGetXMLDesc,                               /* 0.1.0 */
    .domainGetInfo = remoteDomainGetInfo,                                     /* 0.1.0 */
    .domainGetState = remoteDomainGetState,                                   /* 0.1.0 */
    .domainIsActive = remoteDomainIsActive,                                   /* 0.1.0 */
    .domainIsPersistent = remoteDomainIsPersistent,                           /* 0.1.0 */
    .domainCheckpointCreateXML = remoteDomainCheckpointCreateXML,             /* 0.1.0 */
    .domainCheckpointGetXMLDesc = remoteDomainCheckpointGetXMLDesc,           /* 0.1.0 */
    .domainListAllCheckpoints = remoteDomainListAllCheckpoints,               /* 0.1.0 */
    .domainCheckpointListAllChildren = remoteDomainCheckpointListAllChildren, /* 0.1.0 */
    .domainCheckpointLookupByName = remoteDomainCheckpointLookupByName,       /* 0.1.0 */
    .domainCheckpointGetParent = remoteDomainCheckpointGetParent,             /* 0.1.0 */
    .domainCheckpointDelete = remoteDomainCheckpointDelete,                   /* 0.1.0 */
    .domainQemuMonitorCommand = remoteDomainQemuMonitorCommand,               /* 0.1.0 */
    .domainCheckpointValidate = remoteDomainCheckpointValidate,               /* 0.1.0 */
    .domainBackupBegin = remoteDomainBackupBegin,                             /* 0.1.0 */
    .domainBackupGetXMLDesc = remoteDomainBackupGetXMLDesc,                   /* 0.1.0 */
    .domainGetJobInfo = remoteDomainGetJobInfo,                               /* 0.1.0 */
    .domainGetJobStats = remoteDomainGetJobStats,                             /* 0.1.0 */
    .domainBlockJobSetSpeed = remoteDomainBlockJobSetSpeed,                   /* 0.1.0 */
    .domainAbortJob = remoteDomainAbortJob,                                   /* 0.1.0 */
    .domainBlockPull = remoteDomainBlockPull,                                 /* 0.1.0 */
    .domainGetBlockJobInfo = remoteDomainGetBlockJobInfo,                     /* 0.1.0 */
    .domainBlockJobAbort = remoteDomainBlockJobAbort,                         /* 0.1.0 */
    .connectDomainEventRegisterAny = remoteConnectDomainEventRegisterAny,     /* 0.1.0 */
    .connectDomainEventDeregisterAny = remoteConnectDomainEventDeregisterAny, /* 0.1.0 */
};


gint64
remoteChannelCallCount(cairnConnect *conn)
{
    remotePrivate *priv = conn->privateData;

    if (conn->driver != &remoteDriver || !priv || !priv->channel)
        return -1;
    return remoteChannelCalls(priv->channel);
}
