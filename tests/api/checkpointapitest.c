/*
 * checkpointapitest.c: the public checkpoint API on test:///default:
 * libvirt's argument checks in order, error codes and messages, handles,
 * listing, parent, delete flags, redefine and the current checkpoint.
 */
#include <string.h>

#include "cairn/cairn.h"
#include "testutils.h"

#define FAKE_TIME 1700000000

typedef struct {
    cairnConnectPtr conn;
    cairnDomainPtr dom;
} Fixture;

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
fixtureSetUp(Fixture *f, gconstpointer data)
{
    f->conn = cairnConnectOpen(cairnTestURI());
    g_assert_nonnull(f->conn);
    f->dom = cairnDomainLookupByName(f->conn, "test");
    g_assert_nonnull(f->dom);
}


static void
fixtureTearDown(Fixture *f, gconstpointer data)
{
    cairnDomainFree(f->dom);
    g_assert_cmpint(cairnConnectClose(f->conn), ==, 0);
}


static cairnDomainCheckpointPtr
createNamed(Fixture *f, const char *name)
{
    g_autofree char *xml =
        g_strdup_printf("<domaincheckpoint><name>%s</name></domaincheckpoint>", name);
    cairnDomainCheckpointPtr chk = cairnDomainCheckpointCreateXML(f->dom, xml, 0);

    g_assert_nonnull(chk);
    return chk;
}


static void
createNamedFree(Fixture *f, const char *name)
{
    cairnDomainCheckpointFree(createNamed(f, name));
}


/* Names of a list, in list order, comma separated; frees the list. */
static char *
joinNames(cairnDomainCheckpointPtr *chks, int n)
{
    GString *s = g_string_new(NULL);

    g_assert_cmpint(n, >=, 0);
    for (int i = 0; i < n; i++) {
        g_string_append_printf(s, "%s%s", i ? "," : "", cairnDomainCheckpointGetName(chks[i]));
        cairnDomainCheckpointFree(chks[i]);
    }
    g_assert_null(chks[n]);
    free(chks);
    return g_string_free(s, FALSE);
}


static char *
listAll(Fixture *f, unsigned int flags)
{
    cairnDomainCheckpointPtr *chks = NULL;
    int n = cairnDomainListAllCheckpoints(f->dom, &chks, flags);

    g_assert_cmpint(n, ==, cairnDomainListAllCheckpoints(f->dom, NULL, flags));
    return joinNames(chks, n);
}


static char *
listChildren(Fixture *f, const char *name, unsigned int flags)
{
    cairnDomainCheckpointPtr chk = cairnDomainCheckpointLookupByName(f->dom, name, 0);
    cairnDomainCheckpointPtr *chks = NULL;
    int n;

    g_assert_nonnull(chk);
    n = cairnDomainCheckpointListAllChildren(chk, &chks, flags);
    g_assert_cmpint(n, ==, cairnDomainCheckpointListAllChildren(chk, NULL, flags));
    cairnDomainCheckpointFree(chk);
    return joinNames(chks, n);
}


static char *
parentOf(Fixture *f, const char *name)
{
    cairnDomainCheckpointPtr chk = cairnDomainCheckpointLookupByName(f->dom, name, 0);
    cairnDomainCheckpointPtr parent = cairnDomainCheckpointGetParent(chk, 0);
    char *ret = parent ? g_strdup(cairnDomainCheckpointGetName(parent)) : NULL;

    if (parent)
        cairnDomainCheckpointFree(parent);
    cairnDomainCheckpointFree(chk);
    return ret;
}


static void
testCreateDefaults(Fixture *f, gconstpointer data)
{
    cairnDomainCheckpointPtr chk = cairnDomainCheckpointCreateXML(f->dom, "<domaincheckpoint/>", 0);
    g_autofree char *xml = NULL;

    g_assert_nonnull(chk);
    g_assert_cmpstr(cairnDomainCheckpointGetName(chk), ==, "1700000000");
    g_assert_true(cairnDomainCheckpointGetDomain(chk) == f->dom);
    g_assert_true(cairnDomainCheckpointGetConnect(chk) == f->conn);
    xml = cairnDomainCheckpointGetXMLDesc(chk, CAIRN_DOMAIN_CHECKPOINT_XML_NO_DOMAIN);
    g_assert_cmpstr(xml, ==,
                    "<domaincheckpoint>\n"
                    "  <name>1700000000</name>\n"
                    "  <creationTime>1700000000</creationTime>\n"
                    "  <disks>\n"
                    "    <disk name='vda' checkpoint='bitmap' bitmap='1700000000'/>\n"
                    "  </disks>\n"
                    "</domaincheckpoint>\n");
    cairnDomainCheckpointFree(chk);
}


static void
testCreateArgChecks(Fixture *f, gconstpointer data)
{
    g_assert_null(cairnDomainCheckpointCreateXML(NULL, "<domaincheckpoint/>", 0));
    assertLastError(CAIRN_ERR_INVALID_DOMAIN, CAIRN_FROM_DOM,
                    "invalid domain pointer in cairnDomainCheckpointCreateXML");
    g_assert_null(cairnDomainCheckpointCreateXML(f->dom, NULL, 0));
    assertLastError(CAIRN_ERR_INVALID_ARG, CAIRN_FROM_DOMAIN_CHECKPOINT,
                    "xmlDesc in cairnDomainCheckpointCreateXML must not be NULL");
    g_assert_null(cairnDomainCheckpointCreateXML(f->dom, "<domaincheckpoint/>",
                                                 CAIRN_DOMAIN_CHECKPOINT_CREATE_REDEFINE |
                                                     CAIRN_DOMAIN_CHECKPOINT_CREATE_QUIESCE));
    assertLastError(CAIRN_ERR_INVALID_ARG, CAIRN_FROM_DOMAIN_CHECKPOINT,
                    "Flags 'CAIRN_DOMAIN_CHECKPOINT_CREATE_REDEFINE' and "
                    "'CAIRN_DOMAIN_CHECKPOINT_CREATE_QUIESCE' are mutually exclusive");
    g_assert_null(cairnDomainCheckpointCreateXML(f->dom, "<domaincheckpoint/>",
                                                 CAIRN_DOMAIN_CHECKPOINT_CREATE_REDEFINE_VALIDATE));
    assertLastError(CAIRN_ERR_INVALID_ARG, CAIRN_FROM_DOMAIN_CHECKPOINT,
                    "Flag 'CAIRN_DOMAIN_CHECKPOINT_CREATE_REDEFINE' is required by flag "
                    "'CAIRN_DOMAIN_CHECKPOINT_CREATE_REDEFINE_VALIDATE'");
    /* The test driver does not validate bitmaps. */
    g_assert_null(
        cairnDomainCheckpointCreateXML(f->dom, "<domaincheckpoint/>",
                                       CAIRN_DOMAIN_CHECKPOINT_CREATE_REDEFINE |
                                           CAIRN_DOMAIN_CHECKPOINT_CREATE_REDEFINE_VALIDATE));
    assertLastError(CAIRN_ERR_INVALID_ARG, -1,
                    "invalid argument: unsupported flags (0x4) in function "
                    "testDomainCheckpointCreateXML");
    g_assert_null(cairnDomainCheckpointCreateXML(f->dom, "<domaincheckpoint/>", 0x80));
    assertLastError(CAIRN_ERR_INVALID_ARG, -1, NULL);
    /* QUIESCE is accepted and ignored. */
    cairnDomainCheckpointFree(cairnDomainCheckpointCreateXML(
        f->dom, "<domaincheckpoint><name>q</name></domaincheckpoint>",
        CAIRN_DOMAIN_CHECKPOINT_CREATE_QUIESCE));
    g_assert_null(cairnGetLastError());
}


static void
testCreateErrors(Fixture *f, gconstpointer data)
{
    createNamedFree(f, "c1");
    g_assert_null(cairnDomainCheckpointCreateXML(
        f->dom, "<domaincheckpoint><name>c1</name></domaincheckpoint>", 0));
    assertLastError(CAIRN_ERR_OPERATION_FAILED, CAIRN_FROM_DOMAIN_CHECKPOINT,
                    "operation failed: domain moment c1 already exists");
    g_assert_null(cairnDomainCheckpointCreateXML(f->dom, "<domaincheckpoint>", 0));
    assertLastError(CAIRN_ERR_XML_ERROR, -1, NULL);
    g_assert_null(cairnDomainCheckpointCreateXML(
        f->dom, "<domaincheckpoint><name>../escape</name></domaincheckpoint>", 0));
    assertLastError(CAIRN_ERR_XML_INVALID_SCHEMA, -1, NULL);
    g_assert_null(cairnDomainCheckpointCreateXML(
        f->dom, "<domaincheckpoint><disks><disk name='vdz'/></disks></domaincheckpoint>", 0));
    assertLastError(CAIRN_ERR_CONFIG_UNSUPPORTED, -1,
                    "unsupported configuration: no disk named 'vdz'");
    /* Nothing half-made is left behind. */
    g_assert_cmpint(cairnDomainListAllCheckpoints(f->dom, NULL, 0), ==, 1);

    g_assert_cmpint(cairnDomainDestroy(f->dom), ==, 0);
    g_assert_null(cairnDomainCheckpointCreateXML(f->dom, "<domaincheckpoint/>", 0));
    assertLastError(CAIRN_ERR_OPERATION_INVALID, -1,
                    "Requested operation is not valid: domain is not running");
}


/* The limits that keep every accepted checkpoint loadable and able to
 * cross cairnd (checkpoint_conf.h): refused with INVALID_ARG before
 * anything is made, on create, redefine and a backup's checkpoint. */
static void
testLimits(Fixture *f, gconstpointer data)
{
    g_autofree char *n200 = g_strnfill(200, 'k');
    g_autofree char *n201 = g_strnfill(201, 'n');
    g_autofree char *x200 =
        g_strdup_printf("<domaincheckpoint><name>%s</name></domaincheckpoint>", n200);
    g_autofree char *x201 =
        g_strdup_printf("<domaincheckpoint><name>%s</name></domaincheckpoint>", n201);
    g_autofree char *r201 = g_strdup_printf(
        "<domaincheckpoint><name>%s</name><creationTime>1</creationTime></domaincheckpoint>", n201);
    g_autofree char *desc = g_strnfill(1024 * 1024, 'd');
    g_autofree char *bigdesc = g_strdup_printf(
        "<domaincheckpoint><name>d</name><description>%sx</description></domaincheckpoint>", desc);
    g_autofree char *domdesc = g_strnfill(2560 * 1024, 'e');
    g_autofree char *bigxml = g_strdup_printf(
        "<domaincheckpoint><name>x</name><description>%s</description>"
        "<creationTime>1</creationTime>"
        "<domain type='test'><name>test</name><uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>"
        "<description>%s</description><memory>8192</memory><os><type>hvm</type></os></domain>"
        "</domaincheckpoint>",
        desc, domdesc);
    const char *name_msg = "invalid argument: checkpoint name of 201 bytes is longer than the "
                           "limit of 200 bytes";
    cairnDomainCheckpointPtr chk;
    cairnDomainJobInfo info;
    cairnErrorPtr err;

    g_assert_null(cairnDomainCheckpointCreateXML(f->dom, x201, 0));
    assertLastError(CAIRN_ERR_INVALID_ARG, CAIRN_FROM_DOMAIN_CHECKPOINT, name_msg);
    g_assert_null(
        cairnDomainCheckpointCreateXML(f->dom, r201, CAIRN_DOMAIN_CHECKPOINT_CREATE_REDEFINE));
    assertLastError(CAIRN_ERR_INVALID_ARG, CAIRN_FROM_DOMAIN_CHECKPOINT, name_msg);
    g_assert_cmpint(cairnDomainBackupBegin(f->dom, "<domainbackup/>", x201, 0), ==, -1);
    assertLastError(CAIRN_ERR_INVALID_ARG, CAIRN_FROM_DOMAIN_CHECKPOINT, name_msg);
    g_assert_cmpint(cairnDomainGetJobInfo(f->dom, &info), ==, 0);
    g_assert_cmpint(info.type, ==, CAIRN_DOMAIN_JOB_NONE);
    g_assert_null(cairnDomainCheckpointCreateXML(f->dom, bigdesc, 0));
    assertLastError(CAIRN_ERR_INVALID_ARG, CAIRN_FROM_DOMAIN_CHECKPOINT,
                    "invalid argument: checkpoint description of 1048577 bytes is longer than "
                    "the limit of 1048576 bytes");
    /* Under 4 MiB as sent, over 3 MiB with the <domain> it keeps. */
    g_assert_cmpint(strlen(bigxml), <, 4 * 1024 * 1024);
    g_assert_null(
        cairnDomainCheckpointCreateXML(f->dom, bigxml, CAIRN_DOMAIN_CHECKPOINT_CREATE_REDEFINE));
    err = cairnGetLastError();
    g_assert_nonnull(err);
    g_assert_cmpint(err->code, ==, CAIRN_ERR_INVALID_ARG);
    g_assert_true(g_str_has_prefix(err->message, "invalid argument: checkpoint XML of "));
    g_assert_true(g_str_has_suffix(
        err->message, " bytes (with its domain) is longer than the limit of 3145728 bytes"));
    g_assert_cmpint(cairnDomainListAllCheckpoints(f->dom, NULL, 0), ==, 0);

    /* At the limit: fine. */
    g_assert_nonnull((chk = cairnDomainCheckpointCreateXML(f->dom, x200, 0)));
    g_assert_cmpstr(cairnDomainCheckpointGetName(chk), ==, n200);
    cairnDomainCheckpointFree(chk);
}


static void
testLookupAndParent(Fixture *f, gconstpointer data)
{
    cairnDomainCheckpointPtr chk;
    g_autofree char *p2 = NULL;

    createNamedFree(f, "c1");
    createNamedFree(f, "c2");
    p2 = parentOf(f, "c2");
    g_assert_cmpstr(p2, ==, "c1");
    chk = cairnDomainCheckpointLookupByName(f->dom, "c1", 0);
    g_assert_null(cairnDomainCheckpointGetParent(chk, 0));
    assertLastError(CAIRN_ERR_NO_DOMAIN_CHECKPOINT, CAIRN_FROM_DOMAIN_CHECKPOINT,
                    "Domain checkpoint not found: checkpoint 'c1' does not have a parent");
    cairnDomainCheckpointFree(chk);

    g_assert_null(cairnDomainCheckpointLookupByName(f->dom, "nosuch", 0));
    assertLastError(
        CAIRN_ERR_NO_DOMAIN_CHECKPOINT, CAIRN_FROM_DOMAIN_CHECKPOINT,
        "Domain checkpoint not found: no domain checkpoint with matching name 'nosuch'");
    g_assert_null(cairnDomainCheckpointLookupByName(f->dom, NULL, 0));
    assertLastError(CAIRN_ERR_INVALID_ARG, -1,
                    "name in cairnDomainCheckpointLookupByName must not be NULL");
    g_assert_null(cairnDomainCheckpointLookupByName(f->dom, "c1", 1));
    assertLastError(CAIRN_ERR_INVALID_ARG, -1, NULL);
    chk = cairnDomainCheckpointLookupByName(f->dom, "c1", 0);
    g_assert_null(cairnDomainCheckpointGetParent(chk, 1));
    assertLastError(CAIRN_ERR_INVALID_ARG, -1, NULL);

    /* Ref/Free and invalid handles. */
    g_assert_cmpint(cairnDomainCheckpointRef(chk), ==, 0);
    g_assert_cmpint(cairnDomainCheckpointFree(chk), ==, 0);
    g_assert_cmpstr(cairnDomainCheckpointGetName(chk), ==, "c1");
    g_assert_cmpint(cairnDomainCheckpointFree(chk), ==, 0);
    g_assert_null(cairnDomainCheckpointGetName(NULL));
    assertLastError(CAIRN_ERR_INVALID_DOMAIN_CHECKPOINT, CAIRN_FROM_DOMAIN_CHECKPOINT,
                    "Invalid domain checkpoint: cairnDomainCheckpointGetName");
    g_assert_cmpint(cairnDomainCheckpointFree(NULL), ==, -1);
}


static void
testStaleHandle(Fixture *f, gconstpointer data)
{
    cairnDomainCheckpointPtr chk = createNamed(f, "gone");

    g_assert_cmpint(cairnDomainCheckpointDelete(chk, 0), ==, 0);
    g_assert_null(cairnDomainCheckpointGetXMLDesc(chk, 0));
    assertLastError(CAIRN_ERR_NO_DOMAIN_CHECKPOINT, -1, NULL);
    g_assert_cmpint(cairnDomainCheckpointDelete(chk, 0), ==, -1);
    assertLastError(CAIRN_ERR_NO_DOMAIN_CHECKPOINT, -1, NULL);
    cairnDomainCheckpointFree(chk);
}


/* c1 -> c2 -> {c3, c4}; c4 -> c5 (c3 created after going back to c2). */
static void
buildTree(Fixture *f)
{
    createNamedFree(f, "c1");
    createNamedFree(f, "c2");
    createNamedFree(f, "c4");
    createNamedFree(f, "c5");
    /* Redefining c3 under c2 while c5 is current leaves c5 current. */
    cairnDomainCheckpointFree(cairnDomainCheckpointCreateXML(
        f->dom,
        "<domaincheckpoint><name>c3</name><parent><name>c2</name></parent>"
        "<creationTime>1</creationTime></domaincheckpoint>",
        CAIRN_DOMAIN_CHECKPOINT_CREATE_REDEFINE));
    g_assert_null(cairnGetLastError());
}


static void
testListing(Fixture *f, gconstpointer data)
{
    g_autofree char *all = NULL, *topo = NULL, *roots = NULL, *leaves = NULL, *noleaves = NULL;
    g_autofree char *both = NULL, *kids = NULL, *desc = NULL, *desctopo = NULL, *kidleaves = NULL;

    buildTree(f);
    all = listAll(f, 0);
    g_assert_cmpint(strlen(all), ==, strlen("c1,c2,c3,c4,c5"));
    topo = listAll(f, CAIRN_DOMAIN_CHECKPOINT_LIST_TOPOLOGICAL);
    g_assert_cmpstr(topo, ==, "c1,c2,c3,c4,c5");
    roots = listAll(f, CAIRN_DOMAIN_CHECKPOINT_LIST_ROOTS);
    g_assert_cmpstr(roots, ==, "c1");
    leaves =
        listAll(f, CAIRN_DOMAIN_CHECKPOINT_LIST_LEAVES | CAIRN_DOMAIN_CHECKPOINT_LIST_TOPOLOGICAL);
    g_assert_cmpstr(leaves, ==, "c3,c5");
    noleaves = listAll(f, CAIRN_DOMAIN_CHECKPOINT_LIST_NO_LEAVES |
                              CAIRN_DOMAIN_CHECKPOINT_LIST_TOPOLOGICAL);
    g_assert_cmpstr(noleaves, ==, "c1,c2,c4");
    both = listAll(f, CAIRN_DOMAIN_CHECKPOINT_LIST_LEAVES | CAIRN_DOMAIN_CHECKPOINT_LIST_NO_LEAVES);
    g_assert_cmpstr(both, ==, "");

    kids = listChildren(f, "c2", CAIRN_DOMAIN_CHECKPOINT_LIST_TOPOLOGICAL);
    g_assert_cmpstr(kids, ==, "c3,c4");
    desc = listChildren(f, "c2", CAIRN_DOMAIN_CHECKPOINT_LIST_DESCENDANTS);
    g_assert_cmpstr(desc, ==, "c3,c4,c5");
    desctopo = listChildren(f, "c1",
                            CAIRN_DOMAIN_CHECKPOINT_LIST_DESCENDANTS |
                                CAIRN_DOMAIN_CHECKPOINT_LIST_TOPOLOGICAL);
    g_assert_cmpstr(desctopo, ==, "c2,c3,c4,c5");
    kidleaves = listChildren(
        f, "c2", CAIRN_DOMAIN_CHECKPOINT_LIST_DESCENDANTS | CAIRN_DOMAIN_CHECKPOINT_LIST_LEAVES);
    g_assert_cmpstr(kidleaves, ==, "c3,c5");

    g_assert_cmpint(cairnDomainListAllCheckpoints(f->dom, NULL, 0x10), ==, -1);
    assertLastError(CAIRN_ERR_INVALID_ARG, -1, NULL);
    g_assert_cmpint(cairnDomainListAllCheckpoints(NULL, NULL, 0), ==, -1);
    assertLastError(CAIRN_ERR_INVALID_DOMAIN, -1, NULL);
}


static void
testDeleteReparents(Fixture *f, gconstpointer data)
{
    cairnDomainCheckpointPtr c2;
    g_autofree char *p3 = NULL, *p4 = NULL, *kids = NULL;

    buildTree(f);
    c2 = cairnDomainCheckpointLookupByName(f->dom, "c2", 0);
    g_assert_cmpint(cairnDomainCheckpointDelete(c2, 0), ==, 0);
    cairnDomainCheckpointFree(c2);
    p3 = parentOf(f, "c3");
    p4 = parentOf(f, "c4");
    g_assert_cmpstr(p3, ==, "c1");
    g_assert_cmpstr(p4, ==, "c1");
    kids = listChildren(f, "c1",
                        CAIRN_DOMAIN_CHECKPOINT_LIST_DESCENDANTS |
                            CAIRN_DOMAIN_CHECKPOINT_LIST_TOPOLOGICAL);
    g_assert_cmpint(strlen(kids), ==, strlen("c3,c4,c5"));
}


static void
testDeleteChildren(Fixture *f, gconstpointer data)
{
    cairnDomainCheckpointPtr c2, next;
    g_autofree char *all = NULL;
    g_autofree char *p = NULL;

    buildTree(f);
    c2 = cairnDomainCheckpointLookupByName(f->dom, "c2", 0);
    g_assert_cmpint(cairnDomainCheckpointDelete(c2, CAIRN_DOMAIN_CHECKPOINT_DELETE_CHILDREN), ==,
                    0);
    cairnDomainCheckpointFree(c2);
    all = listAll(f, CAIRN_DOMAIN_CHECKPOINT_LIST_TOPOLOGICAL);
    g_assert_cmpstr(all, ==, "c1");
    /* c5 was current: current moved to c2, then to c2's parent c1. */
    next = createNamed(f, "next");
    cairnDomainCheckpointFree(next);
    p = parentOf(f, "next");
    g_assert_cmpstr(p, ==, "c1");
}


static void
testDeleteChildrenOnly(Fixture *f, gconstpointer data)
{
    cairnDomainCheckpointPtr c2;
    g_autofree char *all = NULL, *p = NULL;

    buildTree(f);
    c2 = cairnDomainCheckpointLookupByName(f->dom, "c2", 0);
    g_assert_cmpint(
        cairnDomainCheckpointDelete(c2, CAIRN_DOMAIN_CHECKPOINT_DELETE_CHILDREN_ONLY |
                                            CAIRN_DOMAIN_CHECKPOINT_DELETE_METADATA_ONLY),
        ==, 0);
    cairnDomainCheckpointFree(c2);
    all = listAll(f, CAIRN_DOMAIN_CHECKPOINT_LIST_TOPOLOGICAL);
    g_assert_cmpstr(all, ==, "c1,c2");
    /* c5 was current: c2 becomes current. */
    createNamedFree(f, "next");
    p = parentOf(f, "next");
    g_assert_cmpstr(p, ==, "c2");
}


static void
testDeleteArgChecks(Fixture *f, gconstpointer data)
{
    cairnDomainCheckpointPtr c1 = createNamed(f, "c1");
    cairnConnectPtr ro = cairnConnectOpenReadOnly(cairnTestURI());

    g_assert_cmpint(
        cairnDomainCheckpointDelete(c1, CAIRN_DOMAIN_CHECKPOINT_DELETE_CHILDREN |
                                            CAIRN_DOMAIN_CHECKPOINT_DELETE_CHILDREN_ONLY),
        ==, -1);
    assertLastError(CAIRN_ERR_INVALID_ARG, CAIRN_FROM_DOMAIN_CHECKPOINT,
                    "Flags 'CAIRN_DOMAIN_CHECKPOINT_DELETE_CHILDREN' and "
                    "'CAIRN_DOMAIN_CHECKPOINT_DELETE_CHILDREN_ONLY' are mutually exclusive");
    g_assert_cmpint(cairnDomainCheckpointDelete(c1, 0x8), ==, -1);
    assertLastError(CAIRN_ERR_INVALID_ARG, -1,
                    "invalid argument: unsupported flags (0x8) in function "
                    "testDomainCheckpointDelete");
    g_assert_cmpint(cairnDomainCheckpointDelete(NULL, 0), ==, -1);
    assertLastError(CAIRN_ERR_INVALID_DOMAIN_CHECKPOINT, -1, NULL);
    cairnDomainCheckpointFree(c1);
    cairnConnectClose(ro);
}


static void
testReadOnly(Fixture *f, gconstpointer data)
{
    cairnConnectPtr ro = cairnConnectOpenReadOnly(cairnTestURI());
    cairnDomainPtr dom = cairnDomainLookupByName(ro, "test");
    cairnDomainCheckpointPtr chk;
    g_autofree char *xml = NULL;

    g_assert_null(cairnDomainCheckpointCreateXML(dom, "<domaincheckpoint/>", 0));
    assertLastError(
        CAIRN_ERR_OPERATION_DENIED, CAIRN_FROM_DOMAIN_CHECKPOINT,
        "operation forbidden: read only access prevents cairnDomainCheckpointCreateXML");
    g_assert_cmpint(cairnDomainListAllCheckpoints(dom, NULL, 0), ==, 0);
    cairnDomainFree(dom);
    cairnConnectClose(ro);

    /* Each test:///default connection is a fresh hypervisor, so a read-only
     * one never holds a checkpoint to ask SECURE XML of; on the read-write
     * fixture SECURE is allowed. */
    chk = createNamed(f, "c1");
    xml = cairnDomainCheckpointGetXMLDesc(chk, CAIRN_DOMAIN_CHECKPOINT_XML_SECURE);
    g_assert_nonnull(xml);
    cairnDomainCheckpointFree(chk);
}


static void
testXMLFlags(Fixture *f, gconstpointer data)
{
    cairnDomainCheckpointPtr chk = createNamed(f, "c1");
    g_autofree char *full = cairnDomainCheckpointGetXMLDesc(chk, 0);
    g_autofree char *nodom =
        cairnDomainCheckpointGetXMLDesc(chk, CAIRN_DOMAIN_CHECKPOINT_XML_NO_DOMAIN);
    g_autofree char *size = cairnDomainCheckpointGetXMLDesc(
        chk, CAIRN_DOMAIN_CHECKPOINT_XML_SIZE | CAIRN_DOMAIN_CHECKPOINT_XML_NO_DOMAIN);

    g_assert_nonnull(strstr(full, "<domain type='test'>"));
    g_assert_null(strstr(nodom, "<domain "));
    g_assert_nonnull(
        strstr(size, "<disk name='vda' checkpoint='bitmap' bitmap='c1' size='1024'/>"));
    if (cairnTestSchemaDir()) {
        g_assert_true(cairnTestValidateRNG(full, "domaincheckpoint.rng"));
        g_assert_true(cairnTestValidateRNG(nodom, "domaincheckpoint.rng"));
        g_assert_true(cairnTestValidateRNG(size, "domaincheckpoint.rng"));
    }
    g_assert_null(cairnDomainCheckpointGetXMLDesc(chk, 0x10));
    assertLastError(CAIRN_ERR_INVALID_ARG, -1, NULL);

    /* SIZE needs a running domain. */
    g_assert_cmpint(cairnDomainDestroy(f->dom), ==, 0);
    g_assert_null(cairnDomainCheckpointGetXMLDesc(chk, CAIRN_DOMAIN_CHECKPOINT_XML_SIZE));
    assertLastError(CAIRN_ERR_OPERATION_INVALID, -1,
                    "Requested operation is not valid: domain is not running");
    cairnDomainCheckpointFree(chk);
}


static void
testRedefine(Fixture *f, gconstpointer data)
{
    cairnDomainCheckpointPtr c1 = createNamed(f, "c1");
    cairnDomainCheckpointPtr c2 = createNamed(f, "c2");
    g_autofree char *x1 = cairnDomainCheckpointGetXMLDesc(c1, CAIRN_DOMAIN_CHECKPOINT_XML_SECURE);
    g_autofree char *x2 = cairnDomainCheckpointGetXMLDesc(c2, CAIRN_DOMAIN_CHECKPOINT_XML_SECURE);
    g_autofree char *again = NULL, *p = NULL;
    cairnDomainCheckpointPtr chk;

    g_assert_cmpint(
        cairnDomainCheckpointDelete(c1, CAIRN_DOMAIN_CHECKPOINT_DELETE_CHILDREN |
                                            CAIRN_DOMAIN_CHECKPOINT_DELETE_METADATA_ONLY),
        ==, 0);
    /* Children before parents fails. */
    g_assert_null(
        cairnDomainCheckpointCreateXML(f->dom, x2, CAIRN_DOMAIN_CHECKPOINT_CREATE_REDEFINE));
    assertLastError(CAIRN_ERR_INVALID_ARG, -1,
                    "invalid argument: parent c1 for moment c2 not found");
    chk = cairnDomainCheckpointCreateXML(f->dom, x1, CAIRN_DOMAIN_CHECKPOINT_CREATE_REDEFINE);
    g_assert_nonnull(chk);
    cairnDomainCheckpointFree(chk);
    chk = cairnDomainCheckpointCreateXML(f->dom, x2, CAIRN_DOMAIN_CHECKPOINT_CREATE_REDEFINE);
    g_assert_nonnull(chk);
    again = cairnDomainCheckpointGetXMLDesc(chk, CAIRN_DOMAIN_CHECKPOINT_XML_SECURE);
    g_assert_cmpstr(again, ==, x2);
    cairnDomainCheckpointFree(chk);
    /* c2 became current (its parent c1 was current). */
    createNamedFree(f, "c3");
    p = parentOf(f, "c3");
    g_assert_cmpstr(p, ==, "c2");

    /* Redefine needs a name and a creation time. */
    g_assert_null(cairnDomainCheckpointCreateXML(f->dom, "<domaincheckpoint/>",
                                                 CAIRN_DOMAIN_CHECKPOINT_CREATE_REDEFINE));
    assertLastError(CAIRN_ERR_XML_ERROR, -1, "XML error: a redefined checkpoint must have a name");
    g_assert_null(cairnDomainCheckpointCreateXML(
        f->dom, "<domaincheckpoint><name>x</name></domaincheckpoint>",
        CAIRN_DOMAIN_CHECKPOINT_CREATE_REDEFINE));
    assertLastError(CAIRN_ERR_INTERNAL_ERROR, -1,
                    "internal error: missing creationTime from existing checkpoint");
    /* Self-parent and cycles. */
    g_assert_null(cairnDomainCheckpointCreateXML(
        f->dom,
        "<domaincheckpoint><name>c1</name><parent><name>c1</name></parent>"
        "<creationTime>5</creationTime></domaincheckpoint>",
        CAIRN_DOMAIN_CHECKPOINT_CREATE_REDEFINE));
    assertLastError(CAIRN_ERR_INVALID_ARG, -1,
                    "invalid argument: cannot set moment c1 as its own parent");
    g_assert_null(cairnDomainCheckpointCreateXML(
        f->dom,
        "<domaincheckpoint><name>c1</name><parent><name>c3</name></parent>"
        "<creationTime>5</creationTime></domaincheckpoint>",
        CAIRN_DOMAIN_CHECKPOINT_CREATE_REDEFINE));
    assertLastError(CAIRN_ERR_INVALID_ARG, -1,
                    "invalid argument: parent c2 would create cycle to c1");
    /* A <domain> with another UUID. */
    g_assert_null(cairnDomainCheckpointCreateXML(
        f->dom,
        "<domaincheckpoint><name>u</name><creationTime>5</creationTime>"
        "<domain type='test'><name>test</name><uuid>11111111-2222-3333-4444-555555555555</uuid>"
        "<memory>1024</memory><os><type>hvm</type></os></domain></domaincheckpoint>",
        CAIRN_DOMAIN_CHECKPOINT_CREATE_REDEFINE));
    assertLastError(CAIRN_ERR_INVALID_ARG, -1,
                    "invalid argument: definition for checkpoint u must use uuid "
                    "6695eb01-f6a4-8304-79aa-97f2502e193f");
    cairnDomainCheckpointFree(c1);
    cairnDomainCheckpointFree(c2);
}


static void
testRedefineInPlaceKeepsChildren(Fixture *f, gconstpointer data)
{
    cairnDomainCheckpointPtr chk;
    g_autofree char *kids = NULL, *xml = NULL;

    createNamedFree(f, "c1");
    createNamedFree(f, "c2");
    chk = cairnDomainCheckpointCreateXML(
        f->dom,
        "<domaincheckpoint><name>c1</name><description>new words</description>"
        "<creationTime>7</creationTime></domaincheckpoint>",
        CAIRN_DOMAIN_CHECKPOINT_CREATE_REDEFINE);
    g_assert_nonnull(chk);
    xml = cairnDomainCheckpointGetXMLDesc(chk, 0);
    g_assert_nonnull(strstr(xml, "<description>new words</description>"));
    cairnDomainCheckpointFree(chk);
    kids = listChildren(f, "c1", 0);
    g_assert_cmpstr(kids, ==, "c2");
}


int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_setenv("CAIRN_TEST_FAKE_TIME", G_STRINGIFY(FAKE_TIME), TRUE);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, fixtureSetUp, fn, fixtureTearDown)
    ADD("/checkpoint/create-defaults", testCreateDefaults);
    ADD("/checkpoint/create-arg-checks", testCreateArgChecks);
    ADD("/checkpoint/create-errors", testCreateErrors);
    ADD("/checkpoint/limits", testLimits);
    ADD("/checkpoint/lookup-parent", testLookupAndParent);
    ADD("/checkpoint/stale-handle", testStaleHandle);
    ADD("/checkpoint/listing", testListing);
    ADD("/checkpoint/delete-reparents", testDeleteReparents);
    ADD("/checkpoint/delete-children", testDeleteChildren);
    ADD("/checkpoint/delete-children-only", testDeleteChildrenOnly);
    ADD("/checkpoint/delete-arg-checks", testDeleteArgChecks);
    ADD("/checkpoint/read-only", testReadOnly);
    ADD("/checkpoint/xml-flags", testXMLFlags);
    ADD("/checkpoint/redefine", testRedefine);
    ADD("/checkpoint/redefine-in-place", testRedefineInPlaceKeepsChildren);
#undef ADD
    return g_test_run();
}
