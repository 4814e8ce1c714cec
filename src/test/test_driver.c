/*
 * test_driver.c: the test driver's table, connections and shared helpers.
 *
 * test:///default gives every connection a fresh in-memory hypervisor with
 * one running domain, "test", like libvirt's test driver. Checkpoints are
 * metadata only (no disks are touched); see spec/semantics.md section 8 for
 * where it differs from the qemu driver.
 */
#include <stdlib.h>
#include <string.h>

#include "cairn/cairn-error.h"
#include "cairn/cairn-version.h"
#include "test_driver.h"
#include "test_private.h"
#include "util/cairnerror.h"
#include "util/cairntime.h"

#define FROM CAIRN_FROM_TEST

/* The predefined domain, as libvirt's test driver has it (less the devices
 * Cairn does not model). */
static const char testDefaultDomainXML[] = "<domain type='test'>"
                                           "  <name>test</name>"
                                           "  <uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>"
                                           "  <memory>8388608</memory>"
                                           "  <currentMemory>2097152</currentMemory>"
                                           "  <vcpu>2</vcpu>"
                                           "  <os>"
                                           "    <type>hvm</type>"
                                           "  </os>"
                                           "  <devices>"
                                           "    <disk type='file' device='disk'>"
                                           "      <source file='/guest/diskimage1'/>"
                                           "      <target dev='vda' bus='virtio'/>"
                                           "    </disk>"
                                           "  </devices>"
                                           "</domain>";


bool
testDomainObjIsActive(const testDomainObj *obj)
{
    return obj->id >= 0;
}


void
testDomainObjFree(testDomainObj *obj)
{
    if (!obj)
        return;
    cairnDomainDefFree(obj->def);
    cairnMomentListFree(obj->checkpoints);
    testBackupJobFree(obj->backup);
    cairnDomainJobDataFree(obj->completed_job);
    testBlockJobsFree(obj->blockjobs);
    g_free(obj);
}


testDomainObj *
testDomainObjFromHandle(testDriverState *st, cairnDomain *dom, GError **error)
{
    char uuidstr[CAIRN_UUID_STRING_BUFLEN];

    for (guint i = 0; i < st->domains->len; i++) {
        testDomainObj *obj = g_ptr_array_index(st->domains, i);

        if (memcmp(obj->def->uuid, dom->uuid, CAIRN_UUID_BUFLEN) == 0)
            return obj;
    }
    cairnUUIDFormat(dom->uuid, uuidstr);
    cairnErrorSet(error, CAIRN_FROM_DOMAIN, CAIRN_ERR_NO_DOMAIN,
                  "no domain with matching uuid '%s' (%s)", uuidstr, dom->name);
    return NULL;
}


cairnDomain *
testDomainHandleNew(cairnConnect *conn, const testDomainObj *obj)
{
    return cairnDomainNew(conn, obj->def->name, obj->def->uuid, obj->id);
}


static void
testDriverStateFree(testDriverState *st)
{
    if (!st)
        return;
    g_ptr_array_unref(st->domains);
    g_mutex_clear(&st->lock);
    g_free(st);
}


static testDriverState *
testDriverStateNew(GError **error)
{
    testDriverState *st = g_new0(testDriverState, 1);
    testDomainObj *obj;
    cairnDomainDef *def;

    g_mutex_init(&st->lock);
    st->domains = g_ptr_array_new_with_free_func((GDestroyNotify)testDomainObjFree);
    if (!(def = cairnDomainDefParseString(testDefaultDomainXML, CAIRN_DOMAIN_DEF_PARSE_INACTIVE,
                                          error))) {
        testDriverStateFree(st);
        return NULL;
    }
    obj = g_new0(testDomainObj, 1);
    obj->def = def;
    obj->persistent = true;
    obj->state = CAIRN_DOMAIN_RUNNING;
    obj->reason = CAIRN_DOMAIN_RUNNING_BOOTED;
    obj->id = 1;
    obj->checkpoints = cairnMomentListNew();
    g_ptr_array_add(st->domains, obj);
    st->next_id = 2;
    return st;
}


/* Tests make creation times deterministic with CAIRN_TEST_FAKE_TIME. */
static void
testApplyFakeTime(void)
{
    const char *fake = g_getenv("CAIRN_TEST_FAKE_TIME");

    if (fake && *fake)
        cairnClockSetFake(g_ascii_strtoll(fake, NULL, 10));
}


static cairnDrvOpenStatus
testConnectOpen(cairnConnect *conn, GUri *uri, unsigned int flags, GError **error)
{
    const char *path = g_uri_get_path(uri);

    if (g_strcmp0(g_uri_get_scheme(uri), "test") != 0)
        return CAIRN_DRV_OPEN_DECLINED;
    if (g_strcmp0(path, "/default") != 0) {
        cairnErrorSet(error, FROM, CAIRN_ERR_NO_CONNECT,
                      "%s (the test driver only offers test:///default)", conn->uri);
        return CAIRN_DRV_OPEN_ERROR;
    }
    testApplyFakeTime();
    if (!(conn->privateData = testDriverStateNew(error)))
        return CAIRN_DRV_OPEN_ERROR;
    return CAIRN_DRV_OPEN_SUCCESS;
}


static void
testConnectClose(cairnConnect *conn)
{
    testDriverStateFree(conn->privateData);
    conn->privateData = NULL;
}


static bool
testConnectGetLibVersion(cairnConnect *conn, unsigned long *libVer, GError **error)
{
    *libVer = CAIRN_VERSION_NUMBER;
    return true;
}


const cairnDriver testDriver = {
    .name = "Test",
    .connectOpen = testConnectOpen,                                         /* 0.1.0 */
    .connectClose = testConnectClose,                                       /* 0.1.0 */
    .connectGetLibVersion = testConnectGetLibVersion,                       /* 0.1.0 */
    .connectListAllDomains = testConnectListAllDomains,                     /* 0.1.0 */
    .domainLookupByName = testDomainLookupByName,                           /* 0.1.0 */
    .domainLookupByUUID = testDomainLookupByUUID,                           /* 0.1.0 */
    .domainLookupByID = testDomainLookupByID,                               /* 0.1.0 */
    .domainDefineXML = testDomainDefineXML,                                 /* 0.1.0 */
    .domainUndefine = testDomainUndefine,                                   /* 0.1.0 */
    .domainCreate = testDomainCreate,                                       /* 0.1.0 */
    .domainDestroy = testDomainDestroy,                                     /* 0.1.0 */
    .domainShutdown = testDomainShutdown,                                   /* 0.1.0 */
    .domainSuspend = testDomainSuspend,                                     /* 0.1.0 */
    .domainResume = testDomainResume,                                       /* 0.1.0 */
    .domainGetXMLDesc = testDomainGetXMLDesc,                               /* 0.1.0 */
    .domainGetInfo = testDomainGetInfo,                                     /* 0.1.0 */
    .domainGetState = testDomainGetState,                                   /* 0.1.0 */
    .domainIsActive = testDomainIsActive,                                   /* 0.1.0 */
    .domainIsPersistent = testDomainIsPersistent,                           /* 0.1.0 */
    .domainCheckpointCreateXML = testDomainCheckpointCreateXML,             /* 0.1.0 */
    .domainCheckpointGetXMLDesc = testDomainCheckpointGetXMLDesc,           /* 0.1.0 */
    .domainListAllCheckpoints = testDomainListAllCheckpoints,               /* 0.1.0 */
    .domainCheckpointListAllChildren = testDomainCheckpointListAllChildren, /* 0.1.0 */
    .domainCheckpointLookupByName = testDomainCheckpointLookupByName,       /* 0.1.0 */
    .domainCheckpointGetParent = testDomainCheckpointGetParent,             /* 0.1.0 */
    .domainCheckpointDelete = testDomainCheckpointDelete,                   /* 0.1.0 */
    .domainBackupBegin = testDomainBackupBegin,                             /* 0.1.0 */
    .domainBackupGetXMLDesc = testDomainBackupGetXMLDesc,                   /* 0.1.0 */
    .domainGetJobInfo = testDomainGetJobInfo,                               /* 0.1.0 */
    .domainGetJobStats = testDomainGetJobStats,                             /* 0.1.0 */
    .domainAbortJob = testDomainAbortJob,                                   /* 0.1.0 */
    .domainBlockPull = testDomainBlockPull,                                 /* 0.1.0 */
    .domainGetBlockJobInfo = testDomainGetBlockJobInfo,                     /* 0.1.0 */
    .domainBlockJobAbort = testDomainBlockJobAbort,                         /* 0.1.0 */
    .domainBlockJobSetSpeed = testDomainBlockJobSetSpeed,                   /* 0.1.0 */
    .connectDomainEventRegisterAny = testConnectDomainEventRegisterAny,     /* 0.1.0 */
    .connectDomainEventDeregisterAny = testConnectDomainEventDeregisterAny, /* 0.1.0 */
    .domainCheckpointValidate = testDomainCheckpointValidate,               /* 0.1.0 */
};
