/*
 * libcairn.c: library-wide entry points: version, connections, driver
 * selection by URI, and the argument checks shared by all entry points.
 */
#include <string.h>
#include <unistd.h>

#include "cairn/cairn.h"
#include "libcairn-internal.h"
#include "conf/object_event.h"
#include "util/cairnerror.h"
#include "test/test_driver.h"
#include "qemu/qemu_driver.h"
#include "remote/remote_driver.h"

/* Every driver, tried in order; the first that accepts the URI wins. */
static const cairnDriver *const cairnDrivers[] = {
    &testDriver,
    &qemuDriver,
    &remoteDriver,
};


/* Where a connection goes when the caller names none, as virsh picks:
 * $CAIRN_DEFAULT_URI, else the system daemon for root and the session
 * daemon for everybody else. */
static const char *
cairnConnectDefaultURI(void)
{
    const char *name = g_getenv("CAIRN_DEFAULT_URI");

    if (name && *name)
        return name;
    return geteuid() == 0 ? "qemu:///system" : "qemu:///session";
}


bool
cairnEntryCheckConnect(cairnConnect *conn, const char *func, GError **error)
{
    if (cairnConnectIsValid(conn))
        return true;
    cairnErrorSet(error, CAIRN_FROM_NONE, CAIRN_ERR_INVALID_CONN, "%s", func);
    return false;
}


bool
cairnEntryCheckDomain(cairnDomain *dom, const char *func, GError **error)
{
    if (cairnDomainIsValid(dom))
        return true;
    cairnErrorSet(error, CAIRN_FROM_DOM, CAIRN_ERR_INVALID_DOMAIN, "%s", func);
    return false;
}


bool
cairnEntryCheckCheckpoint(cairnDomainCheckpoint *chk, const char *func, GError **error)
{
    if (cairnCheckpointIsValid(chk))
        return true;
    cairnErrorSet(error, CAIRN_FROM_DOMAIN_CHECKPOINT, CAIRN_ERR_INVALID_DOMAIN_CHECKPOINT, "%s",
                  func);
    return false;
}


bool
cairnEntryCheckNonNull(
    const void *arg, const char *argname, int from, const char *func, GError **error)
{
    if (arg)
        return true;
    cairnErrorSetRaw(error, from, CAIRN_ERR_INVALID_ARG, "%s in %s must not be NULL", argname,
                     func);
    return false;
}


bool
cairnEntryCheckReadWrite(cairnConnect *conn, int from, const char *func, GError **error)
{
    if (!(conn->flags & CAIRN_CONNECT_RO))
        return true;
    cairnErrorSet(error, from, CAIRN_ERR_OPERATION_DENIED, "read only access prevents %s", func);
    return false;
}


bool
cairnEntryCheckExclusive(unsigned int flags,
                         unsigned int a,
                         const char *aname,
                         unsigned int b,
                         const char *bname,
                         int from,
                         GError **error)
{
    if (!(flags & a) || !(flags & b))
        return true;
    cairnErrorSetRaw(error, from, CAIRN_ERR_INVALID_ARG,
                     "Flags '%s' and '%s' are mutually exclusive", aname, bname);
    return false;
}


bool
cairnEntryCheckRequires(unsigned int flags,
                        unsigned int a,
                        const char *aname,
                        unsigned int b,
                        const char *bname,
                        int from,
                        GError **error)
{
    if (!(flags & b) || (flags & a))
        return true;
    cairnErrorSetRaw(error, from, CAIRN_ERR_INVALID_ARG, "Flag '%s' is required by flag '%s'",
                     aname, bname);
    return false;
}


bool
cairnEntryCheckSupported(const void *slot, int from, const char *func, GError **error)
{
    if (slot)
        return true;
    cairnErrorSet(error, from, CAIRN_ERR_NO_SUPPORT, "%s", func);
    return false;
}


int
cairnEntryFail(const GError *err)
{
    cairnErrorSetLast(err);
    return -1;
}


/**
 * cairnGetVersion:
 * @libVer: where to store the version as major * 1,000,000 + minor * 1,000
 *          + micro
 *
 * Returns 0, or -1 if @libVer is NULL.
 *
 * Since: 0.1.0
 */
int
cairnGetVersion(unsigned long *libVer)
{
    g_autoptr(GError) err = NULL;

    cairnResetLastError();
    if (!cairnEntryCheckNonNull(libVer, "libVer", CAIRN_FROM_NONE, __func__, &err))
        return cairnEntryFail(err);
    *libVer = CAIRN_VERSION_NUMBER;
    return 0;
}


static cairnConnect *
cairnConnectOpenInternal(const char *name, unsigned int flags, GError **error)
{
    g_autoptr(cairnConnect) conn = cairnConnectNew();
    g_autoptr(GUri) uri = NULL;
    g_autoptr(GError) uri_err = NULL;

    conn->events = cairnEventStateNew(conn);
    conn->events_free = cairnEventStateFree;
    if (!name || !*name)
        name = cairnConnectDefaultURI();

    if (!(uri =
              g_uri_parse(name, G_URI_FLAGS_ENCODED_QUERY | G_URI_FLAGS_ENCODED_PATH, &uri_err))) {
        cairnErrorSet(error, CAIRN_FROM_URI, CAIRN_ERR_INVALID_ARG,
                      "unable to parse connection URI '%s': %s", name, uri_err->message);
        return NULL;
    }
    conn->uri = g_strdup(name);
    conn->flags = flags;

    for (size_t i = 0; i < G_N_ELEMENTS(cairnDrivers); i++) {
        cairnDrvOpenStatus st = cairnDrivers[i]->connectOpen(conn, uri, flags, error);

        if (st == CAIRN_DRV_OPEN_ERROR)
            return NULL;
        if (st == CAIRN_DRV_OPEN_SUCCESS) {
            conn->driver = cairnDrivers[i];
            return g_steal_pointer(&conn);
        }
    }
    cairnErrorSet(error, CAIRN_FROM_NONE, CAIRN_ERR_NO_CONNECT, "%s", name);
    return NULL;
}


/**
 * cairnConnectOpenFlags:
 * @name: (nullable): the connection URI, e.g. "test:///default" or
 *        "qemu:///embed?root=/var/lib/cairn"; NULL means $CAIRN_DEFAULT_URI,
 *        else the default
 * @flags: bitwise-OR of cairnConnectFlags
 *
 * Returns a new connection (release with cairnConnectClose()), or NULL.
 *
 * Since: 0.1.0
 */
cairnConnectPtr
cairnConnectOpenFlags(const char *name, unsigned int flags)
{
    g_autoptr(GError) err = NULL;
    cairnConnect *conn;

    cairnResetLastError();
    if (!cairnCheckFlags(flags, CAIRN_CONNECT_RO, CAIRN_FROM_NONE, __func__, &err) ||
        !(conn = cairnConnectOpenInternal(name, flags, &err))) {
        cairnEntryFail(err);
        return NULL;
    }
    return conn;
}


/**
 * cairnConnectOpen:
 * @name: (nullable): the connection URI
 *
 * Returns a new read-write connection, or NULL.
 *
 * Since: 0.1.0
 */
cairnConnectPtr
cairnConnectOpen(const char *name)
{
    return cairnConnectOpenFlags(name, 0);
}


/**
 * cairnConnectOpenReadOnly:
 * @name: (nullable): the connection URI
 *
 * Returns a new connection on which every call that changes something
 * fails with CAIRN_ERR_OPERATION_DENIED, or NULL.
 *
 * Since: 0.1.0
 */
cairnConnectPtr
cairnConnectOpenReadOnly(const char *name)
{
    return cairnConnectOpenFlags(name, CAIRN_CONNECT_RO);
}


/**
 * cairnConnectRef:
 * @conn: the connection
 *
 * Takes one more reference; each needs a cairnConnectClose().
 *
 * Returns 0, or -1 if @conn is invalid.
 *
 * Since: 0.1.0
 */
int
cairnConnectRef(cairnConnectPtr conn)
{
    g_autoptr(GError) err = NULL;

    cairnResetLastError();
    if (!cairnEntryCheckConnect(conn, __func__, &err))
        return cairnEntryFail(err);
    g_atomic_ref_count_inc(&conn->refs);
    return 0;
}


/**
 * cairnConnectClose:
 * @conn: the connection
 *
 * Drops one reference. The connection goes away with its last reference,
 * which domain and checkpoint handles also hold.
 *
 * Returns the number of references left (0 when the connection is
 * closed), or -1 if @conn is invalid.
 *
 * Since: 0.1.0
 */
int
cairnConnectClose(cairnConnectPtr conn)
{
    g_autoptr(GError) err = NULL;
    int left;

    cairnResetLastError();
    if (!cairnEntryCheckConnect(conn, __func__, &err))
        return cairnEntryFail(err);
    left = g_atomic_int_get((gint *)&conn->refs) - 1;
    cairnConnectUnref(conn);
    return left;
}


/**
 * cairnConnectGetURI:
 * @conn: the connection
 *
 * Returns the URI the connection was opened with (caller frees), or NULL.
 *
 * Since: 0.1.0
 */
char *
cairnConnectGetURI(cairnConnectPtr conn)
{
    g_autoptr(GError) err = NULL;

    cairnResetLastError();
    if (!cairnEntryCheckConnect(conn, __func__, &err)) {
        cairnEntryFail(err);
        return NULL;
    }
    return g_strdup(conn->uri);
}


/**
 * cairnConnectGetLibVersion:
 * @conn: the connection
 * @libVer: where to store the version of the library that serves @conn, as
 *          major * 1,000,000 + minor * 1,000 + micro
 *
 * Through cairnd (qemu:///session, qemu:///system, ...+unix://), the
 * version of the library the daemon runs; otherwise this library's, as
 * cairnGetVersion() gives it.
 *
 * Returns 0, or -1 on error.
 *
 * Since: 0.1.0
 */
int
cairnConnectGetLibVersion(cairnConnectPtr conn, unsigned long *libVer)
{
    g_autoptr(GError) err = NULL;
    unsigned long version = 0;

    cairnResetLastError();
    if (!cairnEntryCheckConnect(conn, __func__, &err) ||
        !cairnEntryCheckNonNull(libVer, "libVer", CAIRN_FROM_NONE, __func__, &err) ||
        !cairnEntryCheckSupported(
            cairnDriverSlot(conn->driver, offsetof(cairnDriver, connectGetLibVersion)),
            CAIRN_FROM_NONE, __func__, &err) ||
        !conn->driver->connectGetLibVersion(conn, &version, &err))
        return cairnEntryFail(err);
    *libVer = version;
    return 0;
}


/**
 * cairnConnectGetType:
 * @conn: the connection
 *
 * Returns the driver's name ("Test", "QEMU"; through the daemon, the name
 * of the daemon's driver), owned by the connection, or NULL.
 *
 * Since: 0.1.0
 */
const char *
cairnConnectGetType(cairnConnectPtr conn)
{
    g_autoptr(GError) err = NULL;
    const char *remote;

    cairnResetLastError();
    if (!cairnEntryCheckConnect(conn, __func__, &err)) {
        cairnEntryFail(err);
        return NULL;
    }
    if ((remote = remoteConnectGetType(conn)))
        return remote;
    return conn->driver->name;
}


/**
 * cairnConnectForwardUnixSocket:
 * @conn: a connection over ssh (DRIVER+ssh://HOST/...)
 * @remoteSocket: absolute path of a unix socket on the host of @conn
 * @localSocket: absolute path of a unix socket to create on this host
 * @flags: 0
 *
 * Makes @localSocket a forward of @remoteSocket through the ssh
 * connection that @conn runs over (no new login, no TCP port opened on
 * the remote host): what a pull backup's NBD client needs to read
 * `<server transport='unix' socket='...'/>` of a remote domain. The
 * forward lasts until @conn is closed, which removes @localSocket.
 * @localSocket must not exist yet. A connection that is not over ssh
 * fails with CAIRN_ERR_NO_SUPPORT: its sockets are local already.
 *
 * Returns 0 on success, -1 on failure.
 *
 * Since: 0.1.0
 */
int
cairnConnectForwardUnixSocket(cairnConnectPtr conn,
                              const char *remoteSocket,
                              const char *localSocket,
                              unsigned int flags)
{
    g_autoptr(GError) err = NULL;

    cairnResetLastError();
    if (!cairnEntryCheckConnect(conn, __func__, &err) ||
        !cairnEntryCheckNonNull(remoteSocket, "remoteSocket", CAIRN_FROM_NONE, __func__, &err) ||
        !cairnEntryCheckNonNull(localSocket, "localSocket", CAIRN_FROM_NONE, __func__, &err) ||
        !cairnCheckFlags(flags, 0, CAIRN_FROM_NONE, __func__, &err))
        return cairnEntryFail(err);
    if (!g_path_is_absolute(remoteSocket) || !g_path_is_absolute(localSocket)) {
        cairnErrorSet(&err, CAIRN_FROM_NONE, CAIRN_ERR_INVALID_ARG,
                      "%s: socket paths must be absolute", __func__);
        return cairnEntryFail(err);
    }
    if (!remoteConnectForwardUnixSocket(conn, remoteSocket, localSocket, &err))
        return cairnEntryFail(err);
    return 0;
}


/**
 * cairnConnectIsReadOnly:
 * @conn: the connection
 *
 * Returns 1 if read-only, 0 if not, -1 if @conn is invalid.
 *
 * Since: 0.1.0
 */
int
cairnConnectIsReadOnly(cairnConnectPtr conn)
{
    g_autoptr(GError) err = NULL;

    cairnResetLastError();
    if (!cairnEntryCheckConnect(conn, __func__, &err))
        return cairnEntryFail(err);
    return (conn->flags & CAIRN_CONNECT_RO) ? 1 : 0;
}
