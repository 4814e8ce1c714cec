/*
 * libcairn-domain.c: public entry points for domains. Each checks its
 * arguments, resets the last error and dispatches to the driver; no logic.
 */
#include <stddef.h>
#include <string.h>

#include "cairn/cairn.h"
#include "conf/domain_conf.h"
#include "libcairn-internal.h"
#include "util/cairnerror.h"

#define FROM CAIRN_FROM_DOMAIN

/* The usual preamble of a call on a domain: a valid handle, and a driver
 * that fills the slot at @slot_offset in its table. */
static bool
checkDomainCall(cairnDomain *dom, size_t slot_offset, const char *func, GError **error)
{
    return cairnEntryCheckDomain(dom, func, error) &&
           cairnEntryCheckSupported(cairnDriverSlot(dom->conn->driver, slot_offset), FROM, func,
                                    error);
}


/* As checkDomainCall(), for calls that change something. */
static bool
checkDomainWrite(cairnDomain *dom, size_t slot_offset, const char *func, GError **error)
{
    return checkDomainCall(dom, slot_offset, func, error) &&
           cairnEntryCheckReadWrite(dom->conn, FROM, func, error);
}


/**
 * cairnConnectListAllDomains:
 * @conn: the connection
 * @domains: (out) (nullable): where to store a NULL-terminated array of new
 *           domain handles (free each with cairnDomainFree(), then the array
 *           with free()); NULL to only count
 * @flags: bitwise-OR of cairnConnectListAllDomainsFlags; each group
 *         (active/inactive, persistent/transient, running/paused/shutoff/
 *         other, has/no checkpoint) filters only when some of its bits are set
 *
 * Returns the number of domains, or -1 (and *@domains NULL).
 *
 * Since: 0.1.0
 */
int
cairnConnectListAllDomains(cairnConnectPtr conn, cairnDomainPtr **domains, unsigned int flags)
{
    g_autoptr(GError) err = NULL;
    int ret;

    cairnResetLastError();
    if (domains)
        *domains = NULL;
    if (!cairnEntryCheckConnect(conn, __func__, &err) ||
        !cairnEntryCheckSupported(conn->driver->connectListAllDomains, CAIRN_FROM_NONE, __func__,
                                  &err) ||
        (ret = conn->driver->connectListAllDomains(conn, domains, flags, &err)) < 0)
        return cairnEntryFail(err);
    return ret;
}


/**
 * cairnDomainLookupByName:
 * @conn: the connection
 * @name: the domain's name
 *
 * Returns a new handle (free with cairnDomainFree()), or NULL
 * (CAIRN_ERR_NO_DOMAIN when there is no such domain).
 *
 * Since: 0.1.0
 */
cairnDomainPtr
cairnDomainLookupByName(cairnConnectPtr conn, const char *name)
{
    g_autoptr(GError) err = NULL;
    cairnDomain *dom = NULL;

    cairnResetLastError();
    if (!cairnEntryCheckConnect(conn, __func__, &err) ||
        !cairnEntryCheckNonNull(name, "name", FROM, __func__, &err) ||
        !cairnEntryCheckSupported(conn->driver->domainLookupByName, FROM, __func__, &err) ||
        !(dom = conn->driver->domainLookupByName(conn, name, &err)))
        cairnEntryFail(err);
    return dom;
}


/**
 * cairnDomainLookupByUUID:
 * @conn: the connection
 * @uuid: the raw UUID (CAIRN_UUID_BUFLEN bytes)
 *
 * Returns a new handle, or NULL.
 *
 * Since: 0.1.0
 */
cairnDomainPtr
cairnDomainLookupByUUID(cairnConnectPtr conn, const unsigned char *uuid)
{
    g_autoptr(GError) err = NULL;
    cairnDomain *dom = NULL;

    cairnResetLastError();
    if (!cairnEntryCheckConnect(conn, __func__, &err) ||
        !cairnEntryCheckNonNull(uuid, "uuid", FROM, __func__, &err) ||
        !cairnEntryCheckSupported(conn->driver->domainLookupByUUID, FROM, __func__, &err) ||
        !(dom = conn->driver->domainLookupByUUID(conn, uuid, &err)))
        cairnEntryFail(err);
    return dom;
}


/**
 * cairnDomainLookupByUUIDString:
 * @conn: the connection
 * @uuidstr: the UUID as text, e.g. "6695eb01-f6a4-8304-79aa-97f2502e193f"
 *
 * Returns a new handle, or NULL.
 *
 * Since: 0.1.0
 */
cairnDomainPtr
cairnDomainLookupByUUIDString(cairnConnectPtr conn, const char *uuidstr)
{
    g_autoptr(GError) err = NULL;
    unsigned char uuid[CAIRN_UUID_BUFLEN];

    cairnResetLastError();
    if (!cairnEntryCheckConnect(conn, __func__, &err) ||
        !cairnEntryCheckNonNull(uuidstr, "uuidstr", FROM, __func__, &err)) {
        cairnEntryFail(err);
        return NULL;
    }
    if (!cairnUUIDParse(uuidstr, uuid)) {
        cairnErrorReportLast(FROM, CAIRN_ERR_INVALID_ARG, "invalid UUID '%s'", uuidstr);
        return NULL;
    }
    return cairnDomainLookupByUUID(conn, uuid);
}


/**
 * cairnDomainLookupByID:
 * @conn: the connection
 * @id: the id of a running domain
 *
 * Returns a new handle, or NULL.
 *
 * Since: 0.1.0
 */
cairnDomainPtr
cairnDomainLookupByID(cairnConnectPtr conn, int id)
{
    g_autoptr(GError) err = NULL;
    cairnDomain *dom = NULL;

    cairnResetLastError();
    if (!cairnEntryCheckConnect(conn, __func__, &err))
        goto error;
    if (id < 0) {
        cairnErrorSetRaw(&err, FROM, CAIRN_ERR_INVALID_ARG, "id in %s must be positive", __func__);
        goto error;
    }
    if (!cairnEntryCheckSupported(conn->driver->domainLookupByID, FROM, __func__, &err) ||
        !(dom = conn->driver->domainLookupByID(conn, id, &err)))
        goto error;
    return dom;

error:
    cairnEntryFail(err);
    return NULL;
}


/**
 * cairnDomainDefineXMLFlags:
 * @conn: the connection
 * @xml: the domain XML (the subset Cairn honours; see docs)
 * @flags: bitwise-OR of cairnDomainDefineFlags
 *
 * Defines a persistent domain, or updates the definition of an existing
 * one with the same name and UUID.
 *
 * Returns a new handle, or NULL.
 *
 * Since: 0.1.0
 */
cairnDomainPtr
cairnDomainDefineXMLFlags(cairnConnectPtr conn, const char *xml, unsigned int flags)
{
    g_autoptr(GError) err = NULL;
    cairnDomain *dom = NULL;

    cairnResetLastError();
    if (!cairnEntryCheckConnect(conn, __func__, &err) ||
        !cairnEntryCheckReadWrite(conn, FROM, __func__, &err) ||
        !cairnEntryCheckNonNull(xml, "xml", FROM, __func__, &err) ||
        !cairnEntryCheckSupported(conn->driver->domainDefineXML, FROM, __func__, &err) ||
        !(dom = conn->driver->domainDefineXML(conn, xml, flags, &err)))
        cairnEntryFail(err);
    return dom;
}


/**
 * cairnDomainDefineXML:
 * @conn: the connection
 * @xml: the domain XML
 *
 * Same as cairnDomainDefineXMLFlags() with no flags.
 *
 * Since: 0.1.0
 */
cairnDomainPtr
cairnDomainDefineXML(cairnConnectPtr conn, const char *xml)
{
    return cairnDomainDefineXMLFlags(conn, xml, 0);
}


/**
 * cairnDomainUndefineFlags:
 * @domain: the domain
 * @flags: bitwise-OR of cairnDomainUndefineFlagsValues
 *
 * Removes the persistent definition. A running domain keeps running as a
 * transient one. An inactive domain with checkpoint metadata is refused
 * unless CAIRN_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA discards the metadata
 * (the bitmaps in the images stay).
 *
 * Returns 0 or -1.
 *
 * Since: 0.1.0
 */
int
cairnDomainUndefineFlags(cairnDomainPtr domain, unsigned int flags)
{
    g_autoptr(GError) err = NULL;

    cairnResetLastError();
    if (!checkDomainWrite(domain, offsetof(cairnDriver, domainUndefine), __func__, &err) ||
        !domain->conn->driver->domainUndefine(domain, flags, &err))
        return cairnEntryFail(err);
    return 0;
}


/**
 * cairnDomainUndefine:
 * @domain: the domain
 *
 * Same as cairnDomainUndefineFlags() with no flags.
 *
 * Since: 0.1.0
 */
int
cairnDomainUndefine(cairnDomainPtr domain)
{
    return cairnDomainUndefineFlags(domain, 0);
}


/**
 * cairnDomainCreateWithFlags:
 * @domain: a defined, inactive domain
 * @flags: must be 0 for now
 *
 * Starts the domain.
 *
 * Returns 0 or -1.
 *
 * Since: 0.1.0
 */
int
cairnDomainCreateWithFlags(cairnDomainPtr domain, unsigned int flags)
{
    g_autoptr(GError) err = NULL;

    cairnResetLastError();
    if (!checkDomainWrite(domain, offsetof(cairnDriver, domainCreate), __func__, &err) ||
        !domain->conn->driver->domainCreate(domain, flags, &err))
        return cairnEntryFail(err);
    return 0;
}


/**
 * cairnDomainCreate:
 * @domain: a defined, inactive domain
 *
 * Same as cairnDomainCreateWithFlags() with no flags.
 *
 * Since: 0.1.0
 */
int
cairnDomainCreate(cairnDomainPtr domain)
{
    return cairnDomainCreateWithFlags(domain, 0);
}


/**
 * cairnDomainDestroy:
 * @domain: a running domain
 *
 * Stops the domain at once (pulls the plug).
 *
 * Returns 0 or -1.
 *
 * Since: 0.1.0
 */
int
cairnDomainDestroy(cairnDomainPtr domain)
{
    g_autoptr(GError) err = NULL;

    cairnResetLastError();
    if (!checkDomainWrite(domain, offsetof(cairnDriver, domainDestroy), __func__, &err) ||
        !domain->conn->driver->domainDestroy(domain, 0, &err))
        return cairnEntryFail(err);
    return 0;
}


/**
 * cairnDomainShutdown:
 * @domain: a running domain
 *
 * Asks the guest to power off.
 *
 * Returns 0 or -1.
 *
 * Since: 0.1.0
 */
int
cairnDomainShutdown(cairnDomainPtr domain)
{
    g_autoptr(GError) err = NULL;

    cairnResetLastError();
    if (!checkDomainWrite(domain, offsetof(cairnDriver, domainShutdown), __func__, &err) ||
        !domain->conn->driver->domainShutdown(domain, 0, &err))
        return cairnEntryFail(err);
    return 0;
}


/**
 * cairnDomainSuspend:
 * @domain: a running domain
 *
 * Pauses the domain: its virtual CPUs stop, its memory and devices stay
 * (cairnDomainResume() continues it). The domain then reports
 * CAIRN_DOMAIN_PAUSED with reason CAIRN_DOMAIN_PAUSED_USER. Suspending a
 * paused domain changes nothing and succeeds, as libvirt's QEMU driver
 * does. Checkpoints and backups work on a paused domain.
 *
 * Returns 0, or -1 (CAIRN_ERR_OPERATION_INVALID "domain is not running"
 * for a shut-off domain).
 *
 * Since: 0.1.0
 */
int
cairnDomainSuspend(cairnDomainPtr domain)
{
    g_autoptr(GError) err = NULL;

    cairnResetLastError();
    if (!checkDomainWrite(domain, offsetof(cairnDriver, domainSuspend), __func__, &err) ||
        !domain->conn->driver->domainSuspend(domain, 0, &err))
        return cairnEntryFail(err);
    return 0;
}


/**
 * cairnDomainResume:
 * @domain: a paused domain
 *
 * Continues a domain paused by cairnDomainSuspend() (or by QEMU itself).
 * It then reports CAIRN_DOMAIN_RUNNING with reason
 * CAIRN_DOMAIN_RUNNING_UNPAUSED. Resuming a running domain changes nothing
 * and succeeds, as libvirt's QEMU driver does.
 *
 * Returns 0, or -1 (CAIRN_ERR_OPERATION_INVALID "domain is not running"
 * for a shut-off domain).
 *
 * Since: 0.1.0
 */
int
cairnDomainResume(cairnDomainPtr domain)
{
    g_autoptr(GError) err = NULL;

    cairnResetLastError();
    if (!checkDomainWrite(domain, offsetof(cairnDriver, domainResume), __func__, &err) ||
        !domain->conn->driver->domainResume(domain, 0, &err))
        return cairnEntryFail(err);
    return 0;
}


/**
 * cairnDomainRef:
 * @domain: the domain handle
 *
 * Returns 0, or -1 if @domain is invalid.
 *
 * Since: 0.1.0
 */
int
cairnDomainRef(cairnDomainPtr domain)
{
    g_autoptr(GError) err = NULL;

    cairnResetLastError();
    if (!cairnEntryCheckDomain(domain, __func__, &err))
        return cairnEntryFail(err);
    cairnDomainRefInternal(domain);
    return 0;
}


/**
 * cairnDomainFree:
 * @domain: the domain handle
 *
 * Drops one reference on the handle (not on the domain itself).
 *
 * Returns 0, or -1 if @domain is invalid.
 *
 * Since: 0.1.0
 */
int
cairnDomainFree(cairnDomainPtr domain)
{
    g_autoptr(GError) err = NULL;

    cairnResetLastError();
    if (!cairnEntryCheckDomain(domain, __func__, &err))
        return cairnEntryFail(err);
    cairnDomainUnref(domain);
    return 0;
}


/**
 * cairnDomainGetName:
 * @domain: the domain handle
 *
 * Returns the name, owned by the handle, or NULL.
 *
 * Since: 0.1.0
 */
const char *
cairnDomainGetName(cairnDomainPtr domain)
{
    g_autoptr(GError) err = NULL;

    cairnResetLastError();
    if (!cairnEntryCheckDomain(domain, __func__, &err)) {
        cairnEntryFail(err);
        return NULL;
    }
    return domain->name;
}


/**
 * cairnDomainGetID:
 * @domain: the domain handle
 *
 * Returns the id the domain had when the handle was made (-1 when it was
 * not running), or -1 on error.
 *
 * Since: 0.1.0
 */
int
cairnDomainGetID(cairnDomainPtr domain)
{
    g_autoptr(GError) err = NULL;

    cairnResetLastError();
    if (!cairnEntryCheckDomain(domain, __func__, &err))
        return cairnEntryFail(err);
    return domain->id;
}


/**
 * cairnDomainGetUUID:
 * @domain: the domain handle
 * @uuid: (out): CAIRN_UUID_BUFLEN bytes
 *
 * Returns 0 or -1.
 *
 * Since: 0.1.0
 */
int
cairnDomainGetUUID(cairnDomainPtr domain, unsigned char *uuid)
{
    g_autoptr(GError) err = NULL;

    cairnResetLastError();
    if (!cairnEntryCheckDomain(domain, __func__, &err) ||
        !cairnEntryCheckNonNull(uuid, "uuid", FROM, __func__, &err))
        return cairnEntryFail(err);
    memcpy(uuid, domain->uuid, CAIRN_UUID_BUFLEN);
    return 0;
}


/**
 * cairnDomainGetUUIDString:
 * @domain: the domain handle
 * @buf: (out): CAIRN_UUID_STRING_BUFLEN bytes
 *
 * Returns 0 or -1.
 *
 * Since: 0.1.0
 */
int
cairnDomainGetUUIDString(cairnDomainPtr domain, char *buf)
{
    g_autoptr(GError) err = NULL;

    cairnResetLastError();
    if (!cairnEntryCheckDomain(domain, __func__, &err) ||
        !cairnEntryCheckNonNull(buf, "buf", FROM, __func__, &err))
        return cairnEntryFail(err);
    cairnUUIDFormat(domain->uuid, buf);
    return 0;
}


/**
 * cairnDomainGetConnect:
 * @domain: the domain handle
 *
 * Returns the connection, borrowed (no reference taken), or NULL.
 *
 * Since: 0.1.0
 */
cairnConnectPtr
cairnDomainGetConnect(cairnDomainPtr domain)
{
    g_autoptr(GError) err = NULL;

    cairnResetLastError();
    if (!cairnEntryCheckDomain(domain, __func__, &err)) {
        cairnEntryFail(err);
        return NULL;
    }
    return domain->conn;
}


/**
 * cairnDomainGetXMLDesc:
 * @domain: the domain
 * @flags: bitwise-OR of cairnDomainXMLFlags (SECURE is refused on a
 *         read-only connection)
 *
 * Returns the domain XML (caller frees), or NULL.
 *
 * Since: 0.1.0
 */
char *
cairnDomainGetXMLDesc(cairnDomainPtr domain, unsigned int flags)
{
    g_autoptr(GError) err = NULL;
    char *xml = NULL;

    cairnResetLastError();
    if (!checkDomainCall(domain, offsetof(cairnDriver, domainGetXMLDesc), __func__, &err) ||
        ((flags & CAIRN_DOMAIN_XML_SECURE) &&
         !cairnEntryCheckReadWrite(domain->conn, FROM, __func__, &err)) ||
        !(xml = domain->conn->driver->domainGetXMLDesc(domain, flags, &err)))
        cairnEntryFail(err);
    return xml;
}


/**
 * cairnDomainGetInfo:
 * @domain: the domain
 * @info: (out): filled on success
 *
 * Returns 0 or -1.
 *
 * Since: 0.1.0
 */
int
cairnDomainGetInfo(cairnDomainPtr domain, cairnDomainInfoPtr info)
{
    g_autoptr(GError) err = NULL;

    cairnResetLastError();
    if (!checkDomainCall(domain, offsetof(cairnDriver, domainGetInfo), __func__, &err) ||
        !cairnEntryCheckNonNull(info, "info", FROM, __func__, &err))
        return cairnEntryFail(err);
    memset(info, 0, sizeof(*info));
    if (!domain->conn->driver->domainGetInfo(domain, info, &err))
        return cairnEntryFail(err);
    return 0;
}


/**
 * cairnDomainGetState:
 * @domain: the domain
 * @state: (out): a cairnDomainState
 * @reason: (out) (nullable): the reason for it, a cairnDomain*Reason of
 *          that state
 * @flags: must be 0
 *
 * Returns 0 or -1.
 *
 * Since: 0.1.0
 */
int
cairnDomainGetState(cairnDomainPtr domain, int *state, int *reason, unsigned int flags)
{
    g_autoptr(GError) err = NULL;

    cairnResetLastError();
    if (!checkDomainCall(domain, offsetof(cairnDriver, domainGetState), __func__, &err) ||
        !cairnEntryCheckNonNull(state, "state", FROM, __func__, &err) ||
        !domain->conn->driver->domainGetState(domain, state, reason, flags, &err))
        return cairnEntryFail(err);
    return 0;
}


/**
 * cairnDomainIsActive:
 * @domain: the domain
 *
 * Returns 1 if running, 0 if not, -1 on error.
 *
 * Since: 0.1.0
 */
int
cairnDomainIsActive(cairnDomainPtr domain)
{
    g_autoptr(GError) err = NULL;
    int ret = -1;

    cairnResetLastError();
    if (!checkDomainCall(domain, offsetof(cairnDriver, domainIsActive), __func__, &err) ||
        (ret = domain->conn->driver->domainIsActive(domain, &err)) < 0)
        return cairnEntryFail(err);
    return ret;
}


/**
 * cairnDomainIsPersistent:
 * @domain: the domain
 *
 * Returns 1 if the domain has a persistent definition, 0 if it is
 * transient, -1 on error.
 *
 * Since: 0.1.0
 */
int
cairnDomainIsPersistent(cairnDomainPtr domain)
{
    g_autoptr(GError) err = NULL;
    int ret = -1;

    cairnResetLastError();
    if (!checkDomainCall(domain, offsetof(cairnDriver, domainIsPersistent), __func__, &err) ||
        (ret = domain->conn->driver->domainIsPersistent(domain, &err)) < 0)
        return cairnEntryFail(err);
    return ret;
}


/**
 * cairnDomainHasCheckpoints:
 * @domain: the domain
 *
 * Returns 1 if the domain has checkpoint metadata, 0 if not, -1 on error.
 *
 * Since: 0.1.0
 */
int
cairnDomainHasCheckpoints(cairnDomainPtr domain)
{
    g_autoptr(GError) err = NULL;
    int n = -1;

    cairnResetLastError();
    if (!checkDomainCall(domain, offsetof(cairnDriver, domainListAllCheckpoints), __func__, &err) ||
        (n = domain->conn->driver->domainListAllCheckpoints(domain, NULL, 0, &err)) < 0)
        return cairnEntryFail(err);
    return n > 0 ? 1 : 0;
}
