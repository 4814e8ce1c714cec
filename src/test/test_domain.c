/*
 * test_domain.c: domain calls of the test driver.
 */
#include <string.h>

#include "cairn/cairn-domain.h"
#include "cairn/cairn-error.h"
#include "conf/domain_filter.h"
#include "test_private.h"
#include "util/cairnerror.h"

#define FROM CAIRN_FROM_TEST

/* Lock the connection's state for the rest of the calling scope. */


int
testConnectListAllDomains(cairnConnect *conn,
                          cairnDomain ***domains,
                          unsigned int flags,
                          GError **error)
{
    testDriverState *st = testStateOf(conn);
    g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func((GDestroyNotify)cairnDomainUnref);
    int n;
    TEST_LOCK(st);

    if (!cairnCheckFlags(flags, cairnDomainFilterKnownFlags(), FROM, __func__, error))
        return -1;
    for (guint i = 0; i < st->domains->len; i++) {
        testDomainObj *obj = g_ptr_array_index(st->domains, i);
        cairnDomainFilterFacts facts = {
            .active = testDomainObjIsActive(obj),
            .persistent = obj->persistent,
            .state = obj->state,
            .has_checkpoints = cairnMomentListSize(obj->checkpoints) > 0,
        };

        if (cairnDomainFilterMatch(&facts, flags))
            g_ptr_array_add(out, testDomainHandleNew(conn, obj));
    }
    n = (int)out->len;
    if (domains) {
        g_ptr_array_set_free_func(out, NULL);
        g_ptr_array_add(out, NULL);
        *domains = (cairnDomain **)g_ptr_array_steal(out, NULL);
    }
    return n;
}


/* Find a domain by one of its keys; NULL with CAIRN_ERR_NO_DOMAIN. */
static testDomainObj *
testFindByName(testDriverState *st, const char *name)
{
    for (guint i = 0; i < st->domains->len; i++) {
        testDomainObj *obj = g_ptr_array_index(st->domains, i);

        if (g_str_equal(obj->def->name, name))
            return obj;
    }
    return NULL;
}


static testDomainObj *
testFindByUUID(testDriverState *st, const unsigned char *uuid)
{
    for (guint i = 0; i < st->domains->len; i++) {
        testDomainObj *obj = g_ptr_array_index(st->domains, i);

        if (memcmp(obj->def->uuid, uuid, CAIRN_UUID_BUFLEN) == 0)
            return obj;
    }
    return NULL;
}


cairnDomain *
testDomainLookupByName(cairnConnect *conn, const char *name, GError **error)
{
    testDriverState *st = testStateOf(conn);
    testDomainObj *obj;
    TEST_LOCK(st);

    if (!(obj = testFindByName(st, name))) {
        cairnErrorSet(error, CAIRN_FROM_DOMAIN, CAIRN_ERR_NO_DOMAIN,
                      "no domain with matching name '%s'", name);
        return NULL;
    }
    return testDomainHandleNew(conn, obj);
}


cairnDomain *
testDomainLookupByUUID(cairnConnect *conn, const unsigned char *uuid, GError **error)
{
    testDriverState *st = testStateOf(conn);
    testDomainObj *obj;
    char uuidstr[CAIRN_UUID_STRING_BUFLEN];
    TEST_LOCK(st);

    if (!(obj = testFindByUUID(st, uuid))) {
        cairnUUIDFormat(uuid, uuidstr);
        cairnErrorSet(error, CAIRN_FROM_DOMAIN, CAIRN_ERR_NO_DOMAIN,
                      "no domain with matching uuid '%s'", uuidstr);
        return NULL;
    }
    return testDomainHandleNew(conn, obj);
}


cairnDomain *
testDomainLookupByID(cairnConnect *conn, int id, GError **error)
{
    testDriverState *st = testStateOf(conn);
    TEST_LOCK(st);

    for (guint i = 0; i < st->domains->len; i++) {
        testDomainObj *obj = g_ptr_array_index(st->domains, i);

        if (obj->id == id)
            return testDomainHandleNew(conn, obj);
    }
    cairnErrorSet(error, CAIRN_FROM_DOMAIN, CAIRN_ERR_NO_DOMAIN, "no domain with matching id %d",
                  id);
    return NULL;
}


/* A definition may replace the one with its name and UUID; it must not
 * take another domain's name or UUID. */
static bool
testCheckDefineClash(testDriverState *st, const cairnDomainDef *def, GError **error)
{
    testDomainObj *byName = testFindByName(st, def->name);
    testDomainObj *byUUID = testFindByUUID(st, def->uuid);
    char uuidstr[CAIRN_UUID_STRING_BUFLEN];

    if (byName && byName != byUUID) {
        cairnUUIDFormat(byName->def->uuid, uuidstr);
        cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_FAILED,
                      "domain '%s' is already defined with uuid %s", def->name, uuidstr);
        return false;
    }
    if (byUUID && byUUID != byName) {
        cairnUUIDFormat(def->uuid, uuidstr);
        cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_FAILED,
                      "domain '%s' already exists with uuid %s", byUUID->def->name, uuidstr);
        return false;
    }
    return true;
}


cairnDomain *
testDomainDefineXML(cairnConnect *conn, const char *xml, unsigned int flags, GError **error)
{
    testDriverState *st = testStateOf(conn);
    g_autoptr(cairnDomainDef) def = NULL;
    testDomainObj *obj;
    TEST_LOCK(st);

    if (!cairnCheckFlags(flags, CAIRN_DOMAIN_DEFINE_VALIDATE, FROM, __func__, error) ||
        !(def = cairnDomainDefParseString(xml, CAIRN_DOMAIN_DEF_PARSE_INACTIVE, error)) ||
        !testCheckDefineClash(st, def, error))
        return NULL;

    if ((obj = testFindByName(st, def->name))) {
        cairnDomainDefFree(obj->def);
        obj->def = g_steal_pointer(&def);
        obj->persistent = true;
        return testDomainHandleNew(conn, obj);
    }
    obj = g_new0(testDomainObj, 1);
    obj->def = g_steal_pointer(&def);
    obj->persistent = true;
    obj->state = CAIRN_DOMAIN_SHUTOFF;
    obj->reason = CAIRN_DOMAIN_SHUTOFF_UNKNOWN;
    obj->id = -1;
    obj->checkpoints = cairnMomentListNew();
    g_ptr_array_add(st->domains, obj);
    return testDomainHandleNew(conn, obj);
}


bool
testDomainUndefine(cairnDomain *dom, unsigned int flags, GError **error)
{
    testDriverState *st = testStateOf(dom->conn);
    testDomainObj *obj;
    size_t nchk;
    TEST_LOCK(st);

    if (!cairnCheckFlags(flags, CAIRN_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA, FROM, __func__,
                         error) ||
        !(obj = testDomainObjFromHandle(st, dom, error)))
        return false;
    if (!obj->persistent) {
        cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_INVALID, "cannot undefine transient domain");
        return false;
    }
    if (!testBackupCheckDisksFree(dom->conn, obj, "undefine the domain", error))
        return false;
    nchk = cairnMomentListSize(obj->checkpoints);
    if (nchk > 0 && !testDomainObjIsActive(obj) &&
        !(flags & CAIRN_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA)) {
        cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_INVALID,
                      "cannot delete inactive domain with %zu checkpoints", nchk);
        return false;
    }
    if (flags & CAIRN_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA) {
        cairnMomentListFree(obj->checkpoints);
        obj->checkpoints = cairnMomentListNew();
    }
    if (testDomainObjIsActive(obj))
        obj->persistent = false;
    else
        g_ptr_array_remove(st->domains, obj);
    return true;
}


bool
testDomainCreate(cairnDomain *dom, unsigned int flags, GError **error)
{
    testDriverState *st = testStateOf(dom->conn);
    testDomainObj *obj;
    TEST_LOCK(st);

    if (!cairnCheckFlags(flags, 0, FROM, __func__, error) ||
        !(obj = testDomainObjFromHandle(st, dom, error)))
        return false;
    if (testDomainObjIsActive(obj)) {
        cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_INVALID, "domain is already running");
        return false;
    }
    if (!testBackupCheckDisksFree(dom->conn, obj, "start the domain", error))
        return false;
    obj->id = st->next_id++;
    obj->state = CAIRN_DOMAIN_RUNNING;
    obj->reason = CAIRN_DOMAIN_RUNNING_BOOTED;
    dom->id = obj->id;
    return true;
}


/* Stop @obj with @reason; a transient domain disappears with it, and its
 * checkpoint metadata with it. */
static bool
testDomainStop(cairnDomain *dom, int reason, GError **error)
{
    testDriverState *st = testStateOf(dom->conn);
    testDomainObj *obj;
    TEST_LOCK(st);

    if (!(obj = testDomainObjFromHandle(st, dom, error)))
        return false;
    if (!testDomainObjIsActive(obj)) {
        cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_INVALID, "domain is not running");
        return false;
    }
    obj->id = -1;
    obj->state = CAIRN_DOMAIN_SHUTOFF;
    obj->reason = reason;
    dom->id = -1;
    if (!obj->persistent)
        g_ptr_array_remove(st->domains, obj);
    return true;
}


bool
testDomainDestroy(cairnDomain *dom, unsigned int flags, GError **error)
{
    if (!cairnCheckFlags(flags, 0, FROM, __func__, error))
        return false;
    return testDomainStop(dom, CAIRN_DOMAIN_SHUTOFF_DESTROYED, error);
}


bool
testDomainShutdown(cairnDomain *dom, unsigned int flags, GError **error)
{
    testDriverState *st = testStateOf(dom->conn);

    if (!cairnCheckFlags(flags, 0, FROM, __func__, error))
        return false;
    {
        testDomainObj *obj;
        TEST_LOCK(st);

        if (!(obj = testDomainObjFromHandle(st, dom, error)))
            return false;
        /* A backup begun with PRESERVE_SHUTDOWN_DOMAIN keeps the domain,
         * paused, until it ends (testBackupTerminate stops it). */
        if (testDomainObjIsActive(obj) && testBackupPreservesShutdown(dom->conn, obj)) {
            obj->state = CAIRN_DOMAIN_PAUSED;
            obj->reason = CAIRN_DOMAIN_PAUSED_SHUTTING_DOWN;
            obj->shutdown_pending = true;
            return true;
        }
    }
    return testDomainStop(dom, CAIRN_DOMAIN_SHUTOFF_SHUTDOWN, error);
}


/* Move a running domain between RUNNING and PAUSED, as the qemu driver
 * does: a shut-off domain is refused, a domain already in @state stays
 * as it is (libvirt's QEMU driver: suspending a paused domain or resuming
 * a running one succeeds and changes nothing). */
static bool
testDomainSetRunState(cairnDomain *dom, int state, int reason, GError **error)
{
    testDriverState *st = testStateOf(dom->conn);
    testDomainObj *obj;
    TEST_LOCK(st);

    if (!(obj = testDomainObjFromHandle(st, dom, error)))
        return false;
    if (!testDomainObjIsActive(obj)) {
        cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_INVALID, "domain is not running");
        return false;
    }
    /* The guest shut down during a backup that preserves it. */
    if (obj->shutdown_pending && state == CAIRN_DOMAIN_RUNNING) {
        cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_INVALID,
                      "domain is shutting down: it stops when its backup ends");
        return false;
    }
    if (obj->state != state) {
        obj->state = state;
        obj->reason = reason;
    }
    return true;
}


bool
testDomainSuspend(cairnDomain *dom, unsigned int flags, GError **error)
{
    if (!cairnCheckFlags(flags, 0, FROM, __func__, error))
        return false;
    return testDomainSetRunState(dom, CAIRN_DOMAIN_PAUSED, CAIRN_DOMAIN_PAUSED_USER, error);
}


bool
testDomainResume(cairnDomain *dom, unsigned int flags, GError **error)
{
    if (!cairnCheckFlags(flags, 0, FROM, __func__, error))
        return false;
    return testDomainSetRunState(dom, CAIRN_DOMAIN_RUNNING, CAIRN_DOMAIN_RUNNING_UNPAUSED, error);
}


char *
testDomainGetXMLDesc(cairnDomain *dom, unsigned int flags, GError **error)
{
    testDriverState *st = testStateOf(dom->conn);
    testDomainObj *obj;
    unsigned int fmt = 0;
    TEST_LOCK(st);

    if (!cairnCheckFlags(flags,
                         CAIRN_DOMAIN_XML_SECURE | CAIRN_DOMAIN_XML_INACTIVE |
                             CAIRN_DOMAIN_XML_UPDATE_CPU | CAIRN_DOMAIN_XML_MIGRATABLE,
                         FROM, __func__, error) ||
        !(obj = testDomainObjFromHandle(st, dom, error)))
        return NULL;
    if (flags & CAIRN_DOMAIN_XML_SECURE)
        fmt |= CAIRN_DOMAIN_DEF_FORMAT_SECURE;
    if (flags & (CAIRN_DOMAIN_XML_INACTIVE | CAIRN_DOMAIN_XML_MIGRATABLE) ||
        !testDomainObjIsActive(obj))
        fmt |= CAIRN_DOMAIN_DEF_FORMAT_INACTIVE;
    return cairnDomainDefFormat(obj->def, fmt);
}


bool
testDomainGetInfo(cairnDomain *dom, cairnDomainInfo *info, GError **error)
{
    testDriverState *st = testStateOf(dom->conn);
    testDomainObj *obj;
    TEST_LOCK(st);

    if (!(obj = testDomainObjFromHandle(st, dom, error)))
        return false;
    info->state = (unsigned char)obj->state;
    info->maxMem = (unsigned long)obj->def->memory_kib;
    info->memory = (unsigned long)(obj->def->current_memory_kib ? obj->def->current_memory_kib :
                                                                  obj->def->memory_kib);
    info->nrVirtCpu = (unsigned short)obj->def->vcpus;
    info->cpuTime = 0;
    return true;
}


bool
testDomainGetState(cairnDomain *dom, int *state, int *reason, unsigned int flags, GError **error)
{
    testDriverState *st = testStateOf(dom->conn);
    testDomainObj *obj;
    TEST_LOCK(st);

    if (!cairnCheckFlags(flags, 0, FROM, __func__, error) ||
        !(obj = testDomainObjFromHandle(st, dom, error)))
        return false;
    *state = obj->state;
    if (reason)
        *reason = obj->reason;
    return true;
}


int
testDomainIsActive(cairnDomain *dom, GError **error)
{
    testDriverState *st = testStateOf(dom->conn);
    testDomainObj *obj;
    TEST_LOCK(st);

    if (!(obj = testDomainObjFromHandle(st, dom, error)))
        return -1;
    return testDomainObjIsActive(obj) ? 1 : 0;
}


int
testDomainIsPersistent(cairnDomain *dom, GError **error)
{
    testDriverState *st = testStateOf(dom->conn);
    testDomainObj *obj;
    TEST_LOCK(st);

    if (!(obj = testDomainObjFromHandle(st, dom, error)))
        return -1;
    return obj->persistent ? 1 : 0;
}
