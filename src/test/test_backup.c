/*
 * test_backup.c: backups, jobs and events of the test driver.
 */
#include "conf/object_event.h"
#include "test_private.h"


int
testConnectDomainEventRegisterAny(cairnConnect *conn, cairnDomain *dom, int eventID,
                                  cairnConnectDomainEventGenericCallback cb, void *opaque,
                                  cairnFreeCallback freecb, GError **error)
{
    return cairnConnectEventRegister(conn, dom, eventID, cb, opaque, freecb, error);
}


bool
testConnectDomainEventDeregisterAny(cairnConnect *conn, int callbackID, GError **error)
{
    return cairnConnectEventDeregister(conn, callbackID, error);
}
