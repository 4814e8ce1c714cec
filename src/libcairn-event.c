/*
 * libcairn-event.c: public entry points for domain events, the twins of
 * libvirt's virConnectDomainEventRegisterAny/DeregisterAny and
 * virEventRegisterDefaultImpl/virEventRunDefaultImpl.
 *
 * Cairn's event loop is GLib's: callbacks run from the GMainContext that
 * was thread-default when the connection's first callback was registered
 * (conf/object_event.h).
 */
#include <stddef.h>

#include "cairn/cairn.h"
#include "libcairn-internal.h"
#include "util/cairnerror.h"

#define FROM CAIRN_FROM_NONE


static bool
eventCheckDomain(cairnConnect *conn, cairnDomain *dom, const char *func, GError **error)
{
    if (!dom)
        return true;
    if (!cairnEntryCheckDomain(dom, func, error))
        return false;
    if (dom->conn == conn)
        return true;
    cairnErrorSet(error, FROM, CAIRN_ERR_INVALID_ARG, "domain '%s' in %s must match connection",
                  dom->name, func);
    return false;
}


static bool
eventCheckCallback(cairnConnectDomainEventGenericCallback cb, const char *func, GError **error)
{
    if (cb)
        return true;
    cairnErrorSetRaw(error, FROM, CAIRN_ERR_INVALID_ARG, "cb in %s must not be NULL", func);
    return false;
}


static bool
eventCheckNonNegative(int value, const char *argname, const char *func, GError **error)
{
    if (value >= 0)
        return true;
    cairnErrorSetRaw(error, FROM, CAIRN_ERR_INVALID_ARG, "%s in %s must be non-negative", argname,
                     func);
    return false;
}


static bool
eventCheckID(int eventID, const char *func, GError **error)
{
    if (!eventCheckNonNegative(eventID, "eventID", func, error))
        return false;
    if (eventID < CAIRN_DOMAIN_EVENT_ID_COUNT)
        return true;
    cairnErrorSet(error, FROM, CAIRN_ERR_INVALID_ARG, "eventID in %s must be less than %d", func,
                  CAIRN_DOMAIN_EVENT_ID_COUNT);
    return false;
}


/**
 * cairnConnectDomainEventRegisterAny:
 * @conn: a connection
 * @dom: a domain to watch, or NULL for every domain
 * @eventID: the event to watch (a cairnDomainEventID)
 * @cb: the callback, of the type @eventID needs, cast with
 *      CAIRN_DOMAIN_EVENT_CALLBACK()
 * @opaque: passed to @cb
 * @freecb: called with @opaque when the callback is deregistered, or NULL
 *
 * Adds a callback for one event ID. Callbacks run from a GLib main loop:
 * the main context that was the thread-default one when the connection's
 * first callback was registered (cairnEventRunDefaultImpl() iterates the
 * global default context). Events are delivered in the order they
 * happened; each to its callbacks in registration order. The same @cb for
 * the same @eventID and @dom cannot be registered twice.
 *
 * Returns a callback ID (>= 1) for cairnConnectDomainEventDeregisterAny(),
 * or -1 on error.
 *
 * Since: 0.1.0
 */
int
cairnConnectDomainEventRegisterAny(cairnConnectPtr conn,
                                   cairnDomainPtr dom,
                                   int eventID,
                                   cairnConnectDomainEventGenericCallback cb,
                                   void *opaque,
                                   cairnFreeCallback freecb)
{
    g_autoptr(GError) err = NULL;
    int id;

    cairnResetLastError();
    if (!cairnEntryCheckConnect(conn, __func__, &err) ||
        !eventCheckDomain(conn, dom, __func__, &err) || !eventCheckCallback(cb, __func__, &err) ||
        !eventCheckID(eventID, __func__, &err) ||
        !cairnEntryCheckSupported(
            cairnDriverSlot(conn->driver, offsetof(cairnDriver, connectDomainEventRegisterAny)),
            FROM, __func__, &err))
        return cairnEntryFail(err);
    id = conn->driver->connectDomainEventRegisterAny(conn, dom, eventID, cb, opaque, freecb, &err);
    if (id < 0)
        return cairnEntryFail(err);
    return id;
}


/**
 * cairnConnectDomainEventDeregisterAny:
 * @conn: a connection
 * @callbackID: what cairnConnectDomainEventRegisterAny() returned
 *
 * Removes a callback: it is not called again, and its free callback runs
 * (at once, or after the dispatch in progress when called from a
 * callback).
 *
 * Returns 0 on success, -1 on error.
 *
 * Since: 0.1.0
 */
int
cairnConnectDomainEventDeregisterAny(cairnConnectPtr conn, int callbackID)
{
    g_autoptr(GError) err = NULL;

    cairnResetLastError();
    if (!cairnEntryCheckConnect(conn, __func__, &err) ||
        !eventCheckNonNegative(callbackID, "callbackID", __func__, &err) ||
        !cairnEntryCheckSupported(
            cairnDriverSlot(conn->driver, offsetof(cairnDriver, connectDomainEventDeregisterAny)),
            FROM, __func__, &err) ||
        !conn->driver->connectDomainEventDeregisterAny(conn, callbackID, &err))
        return cairnEntryFail(err);
    return 0;
}


/**
 * cairnEventRegisterDefaultImpl:
 *
 * Prepares GLib's global default main context for a client that has no
 * main loop of its own; afterwards, register callbacks from a thread whose
 * thread-default context is that one (the main thread, normally) and call
 * cairnEventRunDefaultImpl() in a loop. A client with its own GMainLoop
 * needs neither.
 *
 * Returns 0.
 *
 * Since: 0.1.0
 */
int
cairnEventRegisterDefaultImpl(void)
{
    cairnResetLastError();
    (void)g_main_context_default();
    return 0;
}


/**
 * cairnEventRunDefaultImpl:
 *
 * Runs one iteration of GLib's global default main context, waiting until
 * something (an event dispatch, a timer, I/O) is ready and dispatching it.
 *
 * Returns 0.
 *
 * Since: 0.1.0
 */
int
cairnEventRunDefaultImpl(void)
{
    cairnResetLastError();
    g_main_context_iteration(NULL, TRUE);
    return 0;
}
