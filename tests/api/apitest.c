/*
 * apitest.c: the public connection, error and domain API on
 * test:///default: argument checks, error codes and messages, refcounts,
 * list filters, life cycle.
 */
#include <string.h>

#include "cairn/cairn.h"
#include "testutils.h"

#define TEST_UUID "6695eb01-f6a4-8304-79aa-97f2502e193f"

#define OTHER_UUID "11111111-2222-3333-4444-555555555555"

/* A domain XML with the given name and UUID. */
#define DOMAIN_XML(name, uuid)                                                                     \
 "<domain type='qemu'>\n"                                                                          \
 "  <name>" name "</name>\n"                                                                       \
 "  <uuid>" uuid "</uuid>\n"                                                                       \
 "  <memory unit='MiB'>256</memory>\n"                                                             \
 "  <vcpu>1</vcpu>\n"                                                                              \
 "  <os><type>hvm</type></os>\n"                                                                   \
 "  <devices>\n"                                                                                   \
 "    <disk type='file' device='disk'>\n"                                                          \
 "      <driver name='qemu' type='qcow2'/>\n"                                                      \
 "      <source file='/img/other.qcow2'/>\n"                                                       \
 "      <target dev='vda' bus='virtio'/>\n"                                                        \
 "    </disk>\n"                                                                                   \
 "  </devices>\n"                                                                                  \
 "</domain>\n"

static const char otherXML[] = DOMAIN_XML("other", OTHER_UUID);

static void
assertLastError(int code, int domain, const char *message)
{
    cairnErrorPtr err = cairnGetLastError();

    g_assert_nonnull(err);
    g_assert_cmpint(err->code, ==, code);
    if (domain >= 0)
        g_assert_cmpint(err->domain, ==, domain);
    if (message)
        g_assert_cmpstr(err->message, ==, message);
}


static void
testOpenClose(void)
{
    cairnConnectPtr conn = cairnConnectOpen(cairnTestURI());
    char *uri;

    g_assert_nonnull(conn);
    g_assert_null(cairnGetLastError());
    uri = cairnConnectGetURI(conn);
    g_assert_cmpstr(uri, ==, cairnTestURI());
    g_free(uri);
    g_assert_cmpstr(cairnConnectGetType(conn), ==, "Test");
    g_assert_cmpint(cairnConnectIsReadOnly(conn), ==, 0);
    g_assert_cmpint(cairnConnectRef(conn), ==, 0);
    g_assert_cmpint(cairnConnectClose(conn), ==, 1);
    g_assert_cmpint(cairnConnectClose(conn), ==, 0);
}


static void
testOpenErrors(void)
{
    g_assert_null(cairnConnectOpen("nosuch:///x"));
    assertLastError(CAIRN_ERR_NO_CONNECT, -1, "no connection driver available for nosuch:///x");
    g_assert_null(cairnConnectOpen("test:///other"));
    assertLastError(CAIRN_ERR_NO_CONNECT, -1, NULL);
    g_assert_null(cairnConnectOpenFlags("test:///default", 0x100));
    assertLastError(CAIRN_ERR_INVALID_ARG, -1, NULL);
    g_assert_cmpint(cairnConnectClose(NULL), ==, -1);
    assertLastError(CAIRN_ERR_INVALID_CONN, -1, "invalid connection pointer in cairnConnectClose");
}


static void
testDefaultURI(void)
{
    cairnConnectPtr conn;

    g_setenv("CAIRN_DEFAULT_URI", "test:///default", TRUE);
    conn = cairnConnectOpen(NULL);
    g_assert_nonnull(conn);
    g_assert_cmpstr(cairnConnectGetType(conn), ==, "Test");
    cairnConnectClose(conn);
    g_unsetenv("CAIRN_DEFAULT_URI");
}


static void
testLastErrorAPI(void)
{
    cairnError copy = { 0 };
    cairnErrorPtr saved;

    cairnResetLastError();
    g_assert_null(cairnGetLastError());
    g_assert_cmpint(cairnGetLastErrorCode(), ==, CAIRN_ERR_OK);
    g_assert_null(cairnDomainLookupByName(NULL, "x"));
    g_assert_cmpint(cairnGetLastErrorCode(), ==, CAIRN_ERR_INVALID_CONN);
    g_assert_cmpint(cairnGetLastErrorDomain(), ==, CAIRN_FROM_NONE);
    g_assert_cmpint(cairnCopyLastError(&copy), ==, CAIRN_ERR_INVALID_CONN);
    g_assert_cmpstr(copy.message, ==, cairnGetLastErrorMessage());
    cairnResetError(&copy);
    saved = cairnSaveLastError();
    g_assert_cmpint(saved->code, ==, CAIRN_ERR_INVALID_CONN);
    cairnFreeError(saved);
    cairnResetLastError();
    g_assert_cmpstr(cairnGetLastErrorMessage(), ==, "no error");
}


static void
testLookup(void)
{
    cairnConnectPtr conn = cairnConnectOpen(cairnTestURI());
    cairnDomainPtr dom, dom2;
    unsigned char uuid[CAIRN_UUID_BUFLEN];
    char uuidstr[CAIRN_UUID_STRING_BUFLEN];

    dom = cairnDomainLookupByName(conn, "test");
    g_assert_nonnull(dom);
    g_assert_cmpstr(cairnDomainGetName(dom), ==, "test");
    g_assert_cmpint(cairnDomainGetID(dom), ==, 1);
    g_assert_cmpint(cairnDomainGetUUIDString(dom, uuidstr), ==, 0);
    g_assert_cmpstr(uuidstr, ==, TEST_UUID);
    g_assert_true(cairnDomainGetConnect(dom) == conn);
    g_assert_cmpint(cairnDomainGetUUID(dom, uuid), ==, 0);
    dom2 = cairnDomainLookupByUUID(conn, uuid);
    g_assert_cmpstr(cairnDomainGetName(dom2), ==, "test");
    cairnDomainFree(dom2);
    dom2 = cairnDomainLookupByUUIDString(conn, TEST_UUID);
    g_assert_nonnull(dom2);
    cairnDomainFree(dom2);
    dom2 = cairnDomainLookupByID(conn, 1);
    g_assert_cmpstr(cairnDomainGetName(dom2), ==, "test");
    cairnDomainFree(dom2);

    g_assert_null(cairnDomainLookupByName(conn, "nosuch"));
    assertLastError(CAIRN_ERR_NO_DOMAIN, CAIRN_FROM_DOMAIN,
                    "Domain not found: no domain with matching name 'nosuch'");
    g_assert_null(cairnDomainLookupByName(conn, NULL));
    assertLastError(CAIRN_ERR_INVALID_ARG, CAIRN_FROM_DOMAIN,
                    "name in cairnDomainLookupByName must not be NULL");
    g_assert_null(cairnDomainLookupByUUIDString(conn, "not-a-uuid"));
    assertLastError(CAIRN_ERR_INVALID_ARG, -1, NULL);
    g_assert_null(cairnDomainLookupByID(conn, 42));
    assertLastError(CAIRN_ERR_NO_DOMAIN, -1, "Domain not found: no domain with matching id 42");
    g_assert_cmpint(cairnDomainGetID(NULL), ==, -1);
    assertLastError(CAIRN_ERR_INVALID_DOMAIN, CAIRN_FROM_DOM,
                    "invalid domain pointer in cairnDomainGetID");

    /* The handle keeps the connection alive. */
    g_assert_cmpint(cairnConnectClose(conn), ==, 1);
    g_assert_cmpstr(cairnDomainGetName(dom), ==, "test");
    cairnDomainFree(dom);
}


static void
testFreshStatePerConnection(void)
{
    cairnConnectPtr a = cairnConnectOpen(cairnTestURI());
    cairnConnectPtr b = cairnConnectOpen(cairnTestURI());
    cairnDomainPtr dom = cairnDomainDefineXML(a, otherXML);

    g_assert_nonnull(dom);
    cairnDomainFree(dom);
    g_assert_cmpint(cairnConnectListAllDomains(a, NULL, 0), ==, 2);
    g_assert_cmpint(cairnConnectListAllDomains(b, NULL, 0), ==, 1);
    cairnConnectClose(a);
    cairnConnectClose(b);
}


static int
countDomains(cairnConnectPtr conn, unsigned int flags, const char *expect)
{
    cairnDomainPtr *doms = NULL;
    int n = cairnConnectListAllDomains(conn, &doms, flags);
    g_autoptr(GString) names = g_string_new(NULL);

    g_assert_cmpint(n, >=, 0);
    for (int i = 0; i < n; i++) {
        g_string_append_printf(names, "%s%s", i ? "," : "", cairnDomainGetName(doms[i]));
        cairnDomainFree(doms[i]);
    }
    g_assert_null(doms[n]);
    free(doms);
    g_assert_cmpstr(names->str, ==, expect);
    return n;
}


static void
testListFilters(void)
{
    cairnConnectPtr conn = cairnConnectOpen(cairnTestURI());
    cairnDomainPtr test = cairnDomainLookupByName(conn, "test");
    cairnDomainPtr other = cairnDomainDefineXML(conn, otherXML);
    cairnDomainCheckpointPtr chk;

    countDomains(conn, 0, "test,other");
    countDomains(conn, CAIRN_CONNECT_LIST_DOMAINS_ACTIVE, "test");
    countDomains(conn, CAIRN_CONNECT_LIST_DOMAINS_INACTIVE, "other");
    countDomains(conn, CAIRN_CONNECT_LIST_DOMAINS_ACTIVE | CAIRN_CONNECT_LIST_DOMAINS_INACTIVE,
                 "test,other");
    countDomains(conn, CAIRN_CONNECT_LIST_DOMAINS_RUNNING, "test");
    countDomains(conn, CAIRN_CONNECT_LIST_DOMAINS_SHUTOFF, "other");
    countDomains(conn, CAIRN_CONNECT_LIST_DOMAINS_PERSISTENT, "test,other");
    countDomains(conn, CAIRN_CONNECT_LIST_DOMAINS_TRANSIENT, "");
    countDomains(conn, CAIRN_CONNECT_LIST_DOMAINS_NO_CHECKPOINT, "test,other");
    countDomains(conn, CAIRN_CONNECT_LIST_DOMAINS_HAS_CHECKPOINT, "");

    chk = cairnDomainCheckpointCreateXML(test,
                                         "<domaincheckpoint><name>c1</name></domaincheckpoint>", 0);
    g_assert_nonnull(chk);
    cairnDomainCheckpointFree(chk);
    countDomains(conn, CAIRN_CONNECT_LIST_DOMAINS_HAS_CHECKPOINT, "test");
    countDomains(conn, CAIRN_CONNECT_LIST_DOMAINS_NO_CHECKPOINT, "other");
    countDomains(
        conn, CAIRN_CONNECT_LIST_DOMAINS_HAS_CHECKPOINT | CAIRN_CONNECT_LIST_DOMAINS_NO_CHECKPOINT,
        "test,other");
    countDomains(
        conn, CAIRN_CONNECT_LIST_DOMAINS_HAS_CHECKPOINT | CAIRN_CONNECT_LIST_DOMAINS_INACTIVE, "");
    g_assert_cmpint(cairnDomainHasCheckpoints(test), ==, 1);
    g_assert_cmpint(cairnDomainHasCheckpoints(other), ==, 0);

    g_assert_cmpint(cairnConnectListAllDomains(conn, NULL, 1u << 20), ==, -1);
    assertLastError(CAIRN_ERR_INVALID_ARG, -1, NULL);
    cairnDomainFree(test);
    cairnDomainFree(other);
    cairnConnectClose(conn);
}


static void
testLifeCycle(void)
{
    cairnConnectPtr conn = cairnConnectOpen(cairnTestURI());
    cairnDomainPtr dom = cairnDomainDefineXML(conn, otherXML);
    cairnDomainInfo info;
    int state = -1, reason = -1;

    g_assert_cmpint(cairnDomainGetState(dom, &state, &reason, 0), ==, 0);
    g_assert_cmpint(state, ==, CAIRN_DOMAIN_SHUTOFF);
    g_assert_cmpint(cairnDomainIsActive(dom), ==, 0);
    g_assert_cmpint(cairnDomainIsPersistent(dom), ==, 1);
    g_assert_cmpint(cairnDomainDestroy(dom), ==, -1);
    assertLastError(CAIRN_ERR_OPERATION_INVALID, CAIRN_FROM_TEST,
                    "Requested operation is not valid: domain is not running");

    g_assert_cmpint(cairnDomainCreate(dom), ==, 0);
    g_assert_cmpint(cairnDomainGetID(dom), ==, 2);
    g_assert_cmpint(cairnDomainGetState(dom, &state, &reason, 0), ==, 0);
    g_assert_cmpint(state, ==, CAIRN_DOMAIN_RUNNING);
    g_assert_cmpint(reason, ==, CAIRN_DOMAIN_RUNNING_BOOTED);
    g_assert_cmpint(cairnDomainCreate(dom), ==, -1);
    assertLastError(CAIRN_ERR_OPERATION_INVALID, -1,
                    "Requested operation is not valid: domain is already running");
    g_assert_cmpint(cairnDomainGetInfo(dom, &info), ==, 0);
    g_assert_cmpint(info.state, ==, CAIRN_DOMAIN_RUNNING);
    g_assert_cmpuint(info.maxMem, ==, 262144);
    g_assert_cmpuint(info.nrVirtCpu, ==, 1);

    g_assert_cmpint(cairnDomainShutdown(dom), ==, 0);
    g_assert_cmpint(cairnDomainGetState(dom, &state, &reason, 0), ==, 0);
    g_assert_cmpint(state, ==, CAIRN_DOMAIN_SHUTOFF);
    g_assert_cmpint(reason, ==, CAIRN_DOMAIN_SHUTOFF_SHUTDOWN);
    g_assert_cmpint(cairnDomainCreate(dom), ==, 0);
    g_assert_cmpint(cairnDomainDestroy(dom), ==, 0);
    g_assert_cmpint(cairnDomainGetState(dom, &state, &reason, 0), ==, 0);
    g_assert_cmpint(reason, ==, CAIRN_DOMAIN_SHUTOFF_DESTROYED);
    g_assert_cmpint(cairnDomainUndefine(dom), ==, 0);
    g_assert_cmpint(cairnDomainIsActive(dom), ==, -1);
    assertLastError(CAIRN_ERR_NO_DOMAIN, CAIRN_FROM_DOMAIN, NULL);
    cairnDomainFree(dom);
    cairnConnectClose(conn);
}


/* libvirt's QEMU driver semantics: suspend pauses (reason user), resume
 * continues (reason unpaused); suspending a paused domain or resuming a
 * running one succeeds and changes nothing; a shut-off domain is refused. */
static void
testSuspendResume(void)
{
    cairnConnectPtr conn = cairnConnectOpen(cairnTestURI());
    cairnDomainPtr dom = cairnDomainLookupByName(conn, "test");
    cairnDomainCheckpointPtr chk;
    cairnDomainInfo info;
    int state = -1, reason = -1;

    g_assert_cmpint(cairnDomainSuspend(dom), ==, 0);
    g_assert_null(cairnGetLastError());
    g_assert_cmpint(cairnDomainGetState(dom, &state, &reason, 0), ==, 0);
    g_assert_cmpint(state, ==, CAIRN_DOMAIN_PAUSED);
    g_assert_cmpint(reason, ==, CAIRN_DOMAIN_PAUSED_USER);
    g_assert_cmpint(cairnDomainGetInfo(dom, &info), ==, 0);
    g_assert_cmpint(info.state, ==, CAIRN_DOMAIN_PAUSED);
    g_assert_cmpint(cairnDomainIsActive(dom), ==, 1);
    g_assert_cmpint(cairnDomainGetID(dom), ==, 1);
    countDomains(conn, CAIRN_CONNECT_LIST_DOMAINS_PAUSED, "test");
    countDomains(conn, CAIRN_CONNECT_LIST_DOMAINS_RUNNING, "");
    countDomains(conn, CAIRN_CONNECT_LIST_DOMAINS_ACTIVE, "test");

    /* Again: still paused, no error. */
    g_assert_cmpint(cairnDomainSuspend(dom), ==, 0);
    g_assert_cmpint(cairnDomainGetState(dom, &state, &reason, 0), ==, 0);
    g_assert_cmpint(state, ==, CAIRN_DOMAIN_PAUSED);
    g_assert_cmpint(reason, ==, CAIRN_DOMAIN_PAUSED_USER);

    /* A checkpoint of a paused domain works. */
    chk = cairnDomainCheckpointCreateXML(dom, "<domaincheckpoint><name>p</name></domaincheckpoint>",
                                         0);
    g_assert_nonnull(chk);
    cairnDomainCheckpointFree(chk);

    g_assert_cmpint(cairnDomainResume(dom), ==, 0);
    g_assert_null(cairnGetLastError());
    g_assert_cmpint(cairnDomainGetState(dom, &state, &reason, 0), ==, 0);
    g_assert_cmpint(state, ==, CAIRN_DOMAIN_RUNNING);
    g_assert_cmpint(reason, ==, CAIRN_DOMAIN_RUNNING_UNPAUSED);
    countDomains(conn, CAIRN_CONNECT_LIST_DOMAINS_RUNNING, "test");
    g_assert_cmpint(cairnDomainResume(dom), ==, 0);
    g_assert_cmpint(cairnDomainGetState(dom, &state, &reason, 0), ==, 0);
    g_assert_cmpint(state, ==, CAIRN_DOMAIN_RUNNING);
    g_assert_cmpint(reason, ==, CAIRN_DOMAIN_RUNNING_UNPAUSED);

    /* A paused domain can be destroyed; then both calls are refused. */
    g_assert_cmpint(cairnDomainSuspend(dom), ==, 0);
    g_assert_cmpint(cairnDomainDestroy(dom), ==, 0);
    g_assert_cmpint(cairnDomainGetState(dom, &state, &reason, 0), ==, 0);
    g_assert_cmpint(state, ==, CAIRN_DOMAIN_SHUTOFF);
    g_assert_cmpint(reason, ==, CAIRN_DOMAIN_SHUTOFF_DESTROYED);
    g_assert_cmpint(cairnDomainSuspend(dom), ==, -1);
    assertLastError(CAIRN_ERR_OPERATION_INVALID, CAIRN_FROM_TEST,
                    "Requested operation is not valid: domain is not running");
    g_assert_cmpint(cairnDomainResume(dom), ==, -1);
    assertLastError(CAIRN_ERR_OPERATION_INVALID, CAIRN_FROM_TEST,
                    "Requested operation is not valid: domain is not running");
    g_assert_cmpint(cairnDomainGetState(dom, &state, &reason, 0), ==, 0);
    g_assert_cmpint(state, ==, CAIRN_DOMAIN_SHUTOFF);

    g_assert_cmpint(cairnDomainSuspend(NULL), ==, -1);
    assertLastError(CAIRN_ERR_INVALID_DOMAIN, CAIRN_FROM_DOM,
                    "invalid domain pointer in cairnDomainSuspend");
    g_assert_cmpint(cairnDomainResume(NULL), ==, -1);
    assertLastError(CAIRN_ERR_INVALID_DOMAIN, CAIRN_FROM_DOM,
                    "invalid domain pointer in cairnDomainResume");
    cairnDomainFree(dom);
    cairnConnectClose(conn);
}


static void
testUndefineRunningBecomesTransient(void)
{
    cairnConnectPtr conn = cairnConnectOpen(cairnTestURI());
    cairnDomainPtr dom = cairnDomainLookupByName(conn, "test");

    g_assert_cmpint(cairnDomainUndefine(dom), ==, 0);
    g_assert_cmpint(cairnDomainIsPersistent(dom), ==, 0);
    g_assert_cmpint(cairnDomainIsActive(dom), ==, 1);
    countDomains(conn, CAIRN_CONNECT_LIST_DOMAINS_TRANSIENT, "test");
    g_assert_cmpint(cairnDomainUndefine(dom), ==, -1);
    assertLastError(CAIRN_ERR_OPERATION_INVALID, -1, NULL);
    g_assert_cmpint(cairnDomainDestroy(dom), ==, 0);
    countDomains(conn, 0, "");
    cairnDomainFree(dom);
    cairnConnectClose(conn);
}


static void
testUndefineCheckpointsMetadata(void)
{
    cairnConnectPtr conn = cairnConnectOpen(cairnTestURI());
    cairnDomainPtr dom = cairnDomainLookupByName(conn, "test");
    cairnDomainCheckpointPtr chk;

    chk = cairnDomainCheckpointCreateXML(dom, "<domaincheckpoint><name>a</name></domaincheckpoint>",
                                         0);
    cairnDomainCheckpointFree(chk);
    g_assert_cmpint(cairnDomainDestroy(dom), ==, 0);
    g_assert_cmpint(cairnDomainUndefine(dom), ==, -1);
    assertLastError(
        CAIRN_ERR_OPERATION_INVALID, -1,
        "Requested operation is not valid: cannot delete inactive domain with 1 checkpoints");
    g_assert_cmpint(cairnDomainUndefineFlags(dom, CAIRN_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA), ==,
                    0);
    countDomains(conn, 0, "");
    cairnDomainFree(dom);
    cairnConnectClose(conn);
}


static void
testDefineErrors(void)
{
    cairnConnectPtr conn = cairnConnectOpen(cairnTestURI());
    cairnDomainPtr dom;

    g_assert_null(cairnDomainDefineXML(conn, NULL));
    assertLastError(CAIRN_ERR_INVALID_ARG, -1, "xml in cairnDomainDefineXMLFlags must not be NULL");
    g_assert_null(cairnDomainDefineXML(conn, "<domain"));
    assertLastError(CAIRN_ERR_XML_ERROR, -1, NULL);
    g_assert_null(
        cairnDomainDefineXML(conn, "<domain type='qemu'><name>x</name><memory>1024</memory>"
                                   "<os><type>hvm</type></os><devices><interface type='network'/>"
                                   "</devices></domain>"));
    assertLastError(CAIRN_ERR_CONFIG_UNSUPPORTED, -1, NULL);
    g_assert_nonnull(strstr(cairnGetLastErrorMessage(), "interface"));

    /* Another domain's name with a different UUID, and the reverse. */
    g_assert_null(cairnDomainDefineXML(conn, DOMAIN_XML("test", OTHER_UUID)));
    assertLastError(CAIRN_ERR_OPERATION_FAILED, -1,
                    "operation failed: domain 'test' is already defined with uuid " TEST_UUID);
    g_assert_null(cairnDomainDefineXML(conn, DOMAIN_XML("renamed", TEST_UUID)));
    assertLastError(CAIRN_ERR_OPERATION_FAILED, -1,
                    "operation failed: domain 'test' already exists with uuid " TEST_UUID);
    /* A domain without a UUID gets one. */
    dom = cairnDomainDefineXML(conn, "<domain type='qemu'><name>nouuid</name><memory>1024</memory>"
                                     "<os><type>hvm</type></os></domain>");
    g_assert_nonnull(dom);
    cairnDomainFree(dom);
    cairnConnectClose(conn);
}


static void
testReadOnly(void)
{
    cairnConnectPtr conn = cairnConnectOpenReadOnly(cairnTestURI());
    cairnDomainPtr dom = cairnDomainLookupByName(conn, "test");
    char *xml;

    g_assert_cmpint(cairnConnectIsReadOnly(conn), ==, 1);
    g_assert_null(cairnDomainDefineXML(conn, otherXML));
    assertLastError(CAIRN_ERR_OPERATION_DENIED, -1,
                    "operation forbidden: read only access prevents cairnDomainDefineXMLFlags");
    g_assert_cmpint(cairnDomainDestroy(dom), ==, -1);
    assertLastError(CAIRN_ERR_OPERATION_DENIED, -1, NULL);
    g_assert_cmpint(cairnDomainCreate(dom), ==, -1);
    assertLastError(CAIRN_ERR_OPERATION_DENIED, -1, NULL);
    g_assert_cmpint(cairnDomainUndefine(dom), ==, -1);
    assertLastError(CAIRN_ERR_OPERATION_DENIED, -1, NULL);
    g_assert_cmpint(cairnDomainSuspend(dom), ==, -1);
    assertLastError(CAIRN_ERR_OPERATION_DENIED, -1,
                    "operation forbidden: read only access prevents cairnDomainSuspend");
    g_assert_cmpint(cairnDomainResume(dom), ==, -1);
    assertLastError(CAIRN_ERR_OPERATION_DENIED, -1,
                    "operation forbidden: read only access prevents cairnDomainResume");
    g_assert_null(cairnDomainGetXMLDesc(dom, CAIRN_DOMAIN_XML_SECURE));
    assertLastError(CAIRN_ERR_OPERATION_DENIED, -1, NULL);
    xml = cairnDomainGetXMLDesc(dom, 0);
    g_assert_nonnull(strstr(xml, "<name>test</name>"));
    g_free(xml);
    cairnDomainFree(dom);
    cairnConnectClose(conn);
}


static void
testDomainXML(void)
{
    cairnConnectPtr conn = cairnConnectOpen(cairnTestURI());
    cairnDomainPtr dom = cairnDomainDefineXML(conn, otherXML);
    char *xml = cairnDomainGetXMLDesc(dom, CAIRN_DOMAIN_XML_INACTIVE);
    cairnDomainPtr again;

    g_assert_nonnull(xml);
    g_assert_nonnull(strstr(xml, "<source file='/img/other.qcow2'/>"));
    g_assert_nonnull(strstr(xml, "<memory unit='KiB'>262144</memory>"));
    if (cairnTestSchemaDir())
        g_assert_true(cairnTestValidateRNG(xml, "domain.rng"));
    /* Defining the dumped XML again changes nothing. */
    again = cairnDomainDefineXML(conn, xml);
    g_assert_nonnull(again);
    cairnDomainFree(again);
    {
        char *xml2 = cairnDomainGetXMLDesc(dom, CAIRN_DOMAIN_XML_INACTIVE);
        g_assert_cmpstr(xml, ==, xml2);
        g_free(xml2);
    }
    g_assert_null(cairnDomainGetXMLDesc(dom, 0x100));
    assertLastError(CAIRN_ERR_INVALID_ARG, -1, NULL);
    g_free(xml);
    cairnDomainFree(dom);
    cairnConnectClose(conn);
}


static void
testVersion(void)
{
    unsigned long v = 0;

    g_assert_cmpint(cairnGetVersion(&v), ==, 0);
    g_assert_cmpuint(v, ==, CAIRN_VERSION_NUMBER);
    g_assert_true(CAIRN_CHECK_VERSION(0, 1, 0));
    g_assert_cmpint(cairnGetVersion(NULL), ==, -1);
    assertLastError(CAIRN_ERR_INVALID_ARG, -1, "libVer in cairnGetVersion must not be NULL");
}


/* Embedded, the library's own version; through cairnd, the daemon's
 * (built from the same tree here), asked over the wire. */
static void
testConnectLibVersion(void)
{
    cairnConnectPtr conn = cairnConnectOpen(cairnTestURI());
    unsigned long v = 0;

    g_assert_nonnull(conn);
    g_assert_cmpint(cairnConnectGetLibVersion(conn, &v), ==, 0);
    g_assert_cmpuint(v, ==, CAIRN_VERSION_NUMBER);
    g_assert_cmpint(cairnConnectGetLibVersion(conn, NULL), ==, -1);
    assertLastError(CAIRN_ERR_INVALID_ARG, -1,
                    "libVer in cairnConnectGetLibVersion must not be NULL");
    g_assert_cmpint(cairnConnectGetLibVersion(NULL, &v), ==, -1);
    assertLastError(CAIRN_ERR_INVALID_CONN, -1, NULL);
    cairnConnectClose(conn);
}


/* Block pull on the test driver (test_blockjob.c): the job advances by a
 * quarter per query and the query after 100 % finishes it; libvirt's
 * argument checks and errors. Through cairnd too (daemon-apitest). */
static void
testBlockJobs(void)
{
    cairnConnectPtr conn = cairnConnectOpen(cairnTestURI());
    cairnDomainPtr dom = cairnDomainLookupByName(conn, "test");
    cairnDomainBlockJobInfo info;
    int queries = 0;

    g_assert_nonnull(dom);
    g_assert_cmpint(cairnDomainGetBlockJobInfo(dom, "vda", &info, 0), ==, 0);
    g_assert_cmpint(cairnDomainBlockPull(dom, NULL, 0, 0), ==, -1);
    assertLastError(CAIRN_ERR_INVALID_ARG, -1, "disk in cairnDomainBlockPull must not be NULL");
    g_assert_cmpint(cairnDomainGetBlockJobInfo(dom, "vda", NULL, 0), ==, -1);
    assertLastError(CAIRN_ERR_INVALID_ARG, -1,
                    "info in cairnDomainGetBlockJobInfo must not be NULL");
    g_assert_cmpint(cairnDomainBlockPull(dom, "vdz", 0, 0), ==, -1);
    assertLastError(CAIRN_ERR_INVALID_ARG, -1, "invalid argument: disk 'vdz' not found in domain");
    g_assert_cmpint(cairnDomainBlockPull(dom, "vda", 1, 1 << 3), ==, -1);
    assertLastError(CAIRN_ERR_INVALID_ARG, -1, NULL);

    g_assert_cmpint(cairnDomainBlockPull(dom, "vda", 4096, CAIRN_DOMAIN_BLOCK_PULL_BANDWIDTH_BYTES),
                    ==, 0);
    g_assert_cmpint(cairnDomainBlockPull(dom, "/guest/diskimage1", 0, 0), ==, -1);
    assertLastError(CAIRN_ERR_OPERATION_INVALID, -1,
                    "Requested operation is not valid: disk 'vda' already in active block job");
    g_assert_cmpint(
        cairnDomainGetBlockJobInfo(dom, "vda", &info, CAIRN_DOMAIN_BLOCK_JOB_INFO_BANDWIDTH_BYTES),
        ==, 1);
    g_assert_cmpint(info.type, ==, CAIRN_DOMAIN_BLOCK_JOB_TYPE_PULL);
    g_assert_cmpuint(info.bandwidth, ==, 4096);
    g_assert_cmpuint(info.cur, ==, 0);
    g_assert_cmpuint(info.end, ==, 1ULL << 30);
    while (cairnDomainGetBlockJobInfo(dom, "vda", &info, 0) == 1)
        queries++;
    g_assert_cmpint(queries, ==, 4);
    g_assert_cmpint(info.type, ==, 0);
    g_assert_cmpint(cairnDomainBlockJobAbort(dom, "vda", 0), ==, -1);
    assertLastError(CAIRN_ERR_OPERATION_INVALID, -1,
                    "Requested operation is not valid: disk vda does not have an active block job");

    g_assert_cmpint(cairnDomainBlockPull(dom, "vda", 0, 0), ==, 0);
    g_assert_cmpint(cairnDomainBlockJobAbort(dom, "vda", CAIRN_DOMAIN_BLOCK_JOB_ABORT_PIVOT), ==,
                    -1);
    assertLastError(CAIRN_ERR_OPERATION_INVALID, -1, NULL);
    g_assert_cmpint(cairnDomainBlockJobAbort(dom, "vda", CAIRN_DOMAIN_BLOCK_JOB_ABORT_ASYNC), ==,
                    0);
    g_assert_cmpint(cairnDomainGetBlockJobInfo(dom, "vda", &info, 0), ==, 0);

    g_assert_cmpint(cairnDomainBlockPull(dom, "vda", 0, 0), ==, 0);
    g_assert_cmpint(cairnDomainDestroy(dom), ==, 0);
    g_assert_cmpint(cairnDomainGetBlockJobInfo(dom, "vda", &info, 0), ==, -1);
    assertLastError(CAIRN_ERR_OPERATION_INVALID, -1,
                    "Requested operation is not valid: domain is not running");
    g_assert_cmpint(cairnDomainCreate(dom), ==, 0);
    g_assert_cmpint(cairnDomainGetBlockJobInfo(dom, "vda", &info, 0), ==, 0);
    cairnDomainFree(dom);
    cairnConnectClose(conn);
}


int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/api/open-close", testOpenClose);
    g_test_add_func("/api/open-errors", testOpenErrors);
    g_test_add_func("/api/default-uri", testDefaultURI);
    g_test_add_func("/api/last-error", testLastErrorAPI);
    g_test_add_func("/api/lookup", testLookup);
    g_test_add_func("/api/fresh-state", testFreshStatePerConnection);
    g_test_add_func("/api/list-filters", testListFilters);
    g_test_add_func("/api/life-cycle", testLifeCycle);
    g_test_add_func("/api/suspend-resume", testSuspendResume);
    g_test_add_func("/api/undefine-running", testUndefineRunningBecomesTransient);
    g_test_add_func("/api/undefine-checkpoints-metadata", testUndefineCheckpointsMetadata);
    g_test_add_func("/api/define-errors", testDefineErrors);
    g_test_add_func("/api/read-only", testReadOnly);
    g_test_add_func("/api/domain-xml", testDomainXML);
    g_test_add_func("/api/version", testVersion);
    g_test_add_func("/api/connect-lib-version", testConnectLibVersion);
    g_test_add_func("/api/block-jobs", testBlockJobs);
    return g_test_run();
}
