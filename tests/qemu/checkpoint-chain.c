/*
 * checkpoint-chain.c: checkpoint bitmaps across a backing chain, running
 * and shut off. vda is top.qcow2 on mid.qcow2 on base.qcow2 (relative
 * backing names); bitmaps are put on the lower layers with qemu-img before
 * Cairn sees them, as after an external snapshot:
 *
 * - Cairn opens every layer as its own node: cairn-1-format (top, rw),
 *   cairn-2-format (mid) and cairn-3-format (base), both read-only
 * - REDEFINE_VALIDATE accepts a bitmap carried by all three layers, and
 *   refuses one with a gap (top and base only) or one missing in the top
 *   (base only); validate reports them as gap and missing
 * - SIZE merges the bitmap of every layer: writes made into base.qcow2
 *   (qemu-io, before the overlays existed) plus writes in the guest
 * - an incremental push backup from it holds exactly those clusters, and
 *   its nodes do not clash with the layers' node names
 * - delete removes the bitmap from all three layers in one go (the lower
 *   ones reopened read-write for it), checked with query-named-block-nodes,
 *   and leaves mid and base read-only; after shutdown qemu-img agrees
 * - validate --repair removes the broken ones on every layer
 * - all of it again on the shut-off domain (qemu-storage-daemon)
 */
#include <stdio.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "backuptestutils.h"
#include "checkpointtestutils.h"

#define NAME "chkchain"
#define G CHK_TEST_GRANULARITY
#define VALIDATE                                                                                   \
 (CAIRN_DOMAIN_CHECKPOINT_CREATE_REDEFINE | CAIRN_DOMAIN_CHECKPOINT_CREATE_REDEFINE_VALIDATE)

static const char *root;
static char *imgTop;
static char *imgMid;
static char *imgBase;


static void
run(const char *const *argv)
{
    if (!qemuTestRun(argv))
        qemuTestFail(__FILE__, __LINE__, "%s %s failed", argv[0], argv[1]);
}


static void
addBitmap(const char *image, const char *name)
{
    const char *argv[] = { "qemu-img", "bitmap", "--add", "-g", "65536", image, name, NULL };

    run(argv);
}


/* Write @len bytes at @offset into @image with qemu-io: its enabled
 * persistent bitmaps record it. */
static void
writeImage(const char *image, guint64 offset, guint64 len)
{
    g_autofree char *cmd =
        g_strdup_printf("write -q %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT, offset, len);
    const char *argv[] = { "qemu-io", "-f", "qcow2", "-c", cmd, image, NULL };

    run(argv);
}


static char *
makeOverlay(const char *name, const char *backing)
{
    g_autofree char *dir = g_path_get_dirname(imgBase);
    char *path = g_build_filename(dir, name, NULL);
    const char *argv[] = { "qemu-img", "create", "-q",    "-f", "qcow2", "-F",
                           "qcow2",    "-b",     backing, path, NULL };

    run(argv);
    return path;
}


static gint
sortNames(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}


/* "ro|rw:BITMAP,..." (sorted) of the live qcow2 node @node. */
static char *
liveNode(cairnDomainPtr dom, const char *node, const char *file)
{
    g_autofree char *reply = chkTestMonitor(
        dom, "{\"execute\":\"query-named-block-nodes\",\"arguments\":{\"flat\":true}}", 0);
    g_autoptr(JsonParser) parser = json_parser_new();
    JsonArray *nodes;

    if (!reply || !json_parser_load_from_data(parser, reply, -1, NULL))
        qemuTestFail(__FILE__, __LINE__, "query-named-block-nodes failed");
    nodes =
        json_object_get_array_member(json_node_get_object(json_parser_get_root(parser)), "return");
    for (guint i = 0; i < json_array_get_length(nodes); i++) {
        JsonObject *n = json_array_get_object_element(nodes, i);
        JsonArray *bitmaps = json_object_has_member(n, "dirty-bitmaps") ?
                                 json_object_get_array_member(n, "dirty-bitmaps") :
                                 NULL;
        g_autoptr(GString) out = g_string_new(NULL);
        g_autoptr(GPtrArray) names = g_ptr_array_new();

        if (g_strcmp0(json_object_get_string_member(n, "node-name"), node) != 0)
            continue;
        /* Nodes with a backing get a json: file name; the base has its own. */
        if (file && g_strcmp0(json_object_get_string_member(n, "file"), file) != 0)
            qemuTestFail(__FILE__, __LINE__, "node %s is not %s", node, file);
        g_string_append(out, json_object_get_boolean_member(n, "ro") ? "ro:" : "rw:");
        for (guint j = 0; bitmaps && j < json_array_get_length(bitmaps); j++) {
            JsonObject *b = json_array_get_object_element(bitmaps, j);

            g_ptr_array_add(names, (gpointer)json_object_get_string_member(b, "name"));
        }
        g_ptr_array_sort(names, sortNames);
        for (guint j = 0; j < names->len; j++)
            g_string_append_printf(out, "%s%s", j ? "," : "", (char *)g_ptr_array_index(names, j));
        return g_string_free(g_steal_pointer(&out), FALSE);
    }
    qemuTestFail(__FILE__, __LINE__, "no node %s", node);
    return NULL;
}


static void
expectLive(cairnDomainPtr dom, const char *top, const char *mid, const char *base)
{
    g_autofree char *t = liveNode(dom, "cairn-1-format", NULL);
    g_autofree char *m = liveNode(dom, "cairn-2-format", NULL);
    g_autofree char *b = liveNode(dom, "cairn-3-format", imgBase);

    CHK_EXPECT_STR(t, top);
    CHK_EXPECT_STR(m, mid);
    CHK_EXPECT_STR(b, base);
}


static void
expectImage(const char *image, const char *want)
{
    g_autoptr(GPtrArray) bitmaps = chkTestImageBitmaps(image);
    g_autofree char *names = chkTestBitmapNames(bitmaps);

    CHK_EXPECT_STR(names, want);
    for (guint i = 0; i < bitmaps->len; i++) {
        chkTestBitmap *bm = g_ptr_array_index(bitmaps, i);

        QT_CHECK(!bm->inconsistent);
    }
}


static void
expectImages(const char *top, const char *mid, const char *base)
{
    expectImage(imgTop, top);
    expectImage(imgMid, mid);
    expectImage(imgBase, base);
}


/* A checkpoint of vda alone, for REDEFINE. */
static char *
checkpointXML(const char *name)
{
    return g_strdup_printf("<domaincheckpoint><name>%s</name>"
                           "<creationTime>1700000000</creationTime>"
                           "<disks><disk name='vda' checkpoint='bitmap'/></disks>"
                           "</domaincheckpoint>",
                           name);
}


static cairnDomainCheckpointPtr
redefine(cairnDomainPtr dom, const char *name, unsigned int flags)
{
    g_autofree char *xml = checkpointXML(name);

    return chkTestCreate(dom, xml, flags);
}


/* @name on every layer fine; @gap on top and base; @low on base only. */
static void
expectValidation(cairnDomainPtr dom, const char *name, const char *gap, const char *low)
{
    g_autofree char *xml = checkpointXML(gap);
    g_autofree char *xml2 = checkpointXML(low);
    cairnDomainCheckpointPtr chk = redefine(dom, name, VALIDATE);
    g_autofree char *report = NULL;
    g_autofree char *want_gap = g_strdup_printf(
        "<checkpoint name='%s' status='broken'>\n    <disk name='vda' status='gap'/>", gap);
    g_autofree char *want_low = g_strdup_printf(
        "<checkpoint name='%s' status='broken'>\n    <disk name='vda' status='missing'/>", low);

    cairnDomainCheckpointFree(chk);
    QT_CHECK(!cairnDomainCheckpointCreateXML(dom, xml, VALIDATE));
    qemuTestExpectError(CAIRN_ERR_CHECKPOINT_INCONSISTENT, "missing or broken bitmap");
    QT_CHECK(!cairnDomainCheckpointCreateXML(dom, xml2, VALIDATE));
    qemuTestExpectError(CAIRN_ERR_CHECKPOINT_INCONSISTENT, "missing or broken bitmap");
    cairnDomainCheckpointFree(redefine(dom, gap, CAIRN_DOMAIN_CHECKPOINT_CREATE_REDEFINE));
    cairnDomainCheckpointFree(redefine(dom, low, CAIRN_DOMAIN_CHECKPOINT_CREATE_REDEFINE));
    report = cairnDomainCheckpointValidate(dom, NULL, 0);
    QT_CHECK(report != NULL);
    if (!strstr(report, want_gap) || !strstr(report, want_low))
        qemuTestFail(__FILE__, __LINE__, "unexpected report:\n%s", report);
}


/* Repair: the broken checkpoints go, with their bitmaps on every layer. */
static void
repair(cairnDomainPtr dom)
{
    g_autofree char *report =
        cairnDomainCheckpointValidate(dom, NULL, CAIRN_DOMAIN_CHECKPOINT_VALIDATE_REPAIR);

    QT_CHECK(report != NULL && strstr(report, "action='removed'"));
    CHK_EXPECT_INT(cairnDomainListAllCheckpoints(dom, NULL, 0), 1);
}


/* The live state file records the layers as nodes of their own. */
static void
expectStatusLayers(void)
{
    g_autofree char *path = g_build_filename(root, "run", NAME ".xml", NULL);
    g_autofree char *text = NULL;
    g_autofree char *mid = g_strdup_printf(
        "<layer file='%s' driver='qcow2' storage='cairn-2-storage' format='cairn-2-format'/>",
        imgMid);
    g_autofree char *base = g_strdup_printf(
        "<layer file='%s' driver='qcow2' storage='cairn-3-storage' format='cairn-3-format'/>",
        imgBase);

    QT_CHECK(g_file_get_contents(path, &text, NULL, NULL));
    if (!strstr(text, mid) || !strstr(text, base) || strstr(text, mid) > strstr(text, base))
        qemuTestFail(__FILE__, __LINE__, "layers not in %s:\n%s", path, text);
}


/* Incremental push backup from @chk on vda: what the merged chain marks. */
static void
backupFrom(cairnDomainPtr dom, const char *chk, const char *want)
{
    g_autofree char *target = g_build_filename(root, "inc.qcow2", NULL);
    g_autofree char *xml = g_strdup_printf(
        "<domainbackup><incremental>%s</incremental><disks>"
        "<disk name='vda' type='file'><target file='%s'/><driver type='qcow2'/></disk>"
        "</disks></domainbackup>",
        chk, target);
    g_autofree char *map = NULL;
    bool success = false;

    bkTestBegin(dom, xml, NULL, 0);
    QT_CHECK(bkTestWaitDone(dom, 60) == CAIRN_DOMAIN_JOB_COMPLETED);
    bkTestCompleted(dom, &success, NULL);
    QT_CHECK(success);
    map = bkTestMapOwn(target);
    CHK_EXPECT_STR(map, want);
    bkTestExpectClean(dom, 3, NULL);
}


/* Delete through a new connection: the layers come from the state file. */
static void
deleteFresh(const char *name)
{
    cairnConnectPtr conn = qemuTestConnect();
    cairnDomainPtr dom = cairnDomainLookupByName(conn, NAME);
    cairnDomainCheckpointPtr chk = NULL;

    QT_CHECK(dom && (chk = cairnDomainCheckpointLookupByName(dom, name, 0)));
    QT_CHECK(cairnDomainCheckpointDelete(chk, 0) == 0);
    cairnDomainCheckpointFree(chk);
    cairnDomainFree(dom);
    cairnConnectClose(conn);
}


static void
testRunning(cairnDomainPtr dom)
{
    cairnDomainCheckpointPtr c1;

    QT_CHECK(cairnDomainCreate(dom) == 0);
    expectStatusLayers();
    expectLive(dom, "rw:c1,g1", "ro:c1", "ro:c1,g1,m1");
    expectValidation(dom, "c1", "g1", "m1");
    QT_CHECK((c1 = cairnDomainCheckpointLookupByName(dom, "c1", 0)));
    chkTestWrite(dom, "virtio-disk0", 0, 100 * 1024);
    /* base: 16 granules written before the overlays, guest: 2 */
    CHK_EXPECT_INT(chkTestSize(c1, "vda"), 18 * G);
    expectLive(dom, "rw:c1,g1", "ro:c1", "ro:c1,g1,m1");
    backupFrom(dom, "c1", "0+131072,1048576+1048576");
    expectLive(dom, "rw:c1,g1", "ro:c1", "ro:c1,g1,m1");

    repair(dom);
    expectLive(dom, "rw:c1", "ro:c1", "ro:c1");
    deleteFresh("c1");
    expectLive(dom, "rw:", "ro:", "ro:");
    CHK_EXPECT_INT(cairnDomainListAllCheckpoints(dom, NULL, 0), 0);
    QT_CHECK(cairnDomainDestroy(dom) == 0);
    expectImages("", "", "");
    cairnDomainCheckpointFree(c1);
}


static void
testOffline(cairnDomainPtr dom)
{
    cairnDomainCheckpointPtr c2;

    addBitmap(imgBase, "c2");
    writeImage(imgBase, 4 * 1024 * 1024, 3 * G);
    addBitmap(imgMid, "c2");
    addBitmap(imgTop, "c2");
    addBitmap(imgTop, "g2");
    addBitmap(imgBase, "g2");
    addBitmap(imgBase, "m2");
    expectValidation(dom, "c2", "g2", "m2");
    QT_CHECK((c2 = cairnDomainCheckpointLookupByName(dom, "c2", 0)));
    CHK_EXPECT_INT(chkTestSize(c2, "vda"), 3 * G);
    repair(dom);
    expectImages("c2", "c2", "c2");
    QT_CHECK(cairnDomainCheckpointDelete(c2, 0) == 0);
    expectImages("", "", "");
    CHK_EXPECT_INT(cairnDomainListAllCheckpoints(dom, NULL, 0), 0);
    cairnDomainCheckpointFree(c2);

    /* A bitmap found in no layer: nothing changes. */
    c2 = redefine(dom, "c3", CAIRN_DOMAIN_CHECKPOINT_CREATE_REDEFINE);
    QT_CHECK(cairnDomainCheckpointDelete(c2, 0) < 0);
    qemuTestExpectError(CAIRN_ERR_INTERNAL_ERROR, "bitmap 'c3' not found in backing chain");
    CHK_EXPECT_INT(cairnDomainListAllCheckpoints(dom, NULL, 0), 1);
    cairnDomainCheckpointFree(c2);
}


int
main(void)
{
    const char *images[2] = { NULL, NULL };
    const char *formats[] = { "qcow2", NULL };
    g_autofree char *xml = NULL;
    cairnConnectPtr conn;
    cairnDomainPtr dom;

    root = bkTestSetup(NAME);
    imgBase = qemuTestMakeImage("base.qcow2", "qcow2", "64M");
    addBitmap(imgBase, "c1");
    writeImage(imgBase, 1024 * 1024, 16 * G);
    addBitmap(imgBase, "g1");
    addBitmap(imgBase, "m1");
    imgMid = makeOverlay("mid.qcow2", "base.qcow2");
    addBitmap(imgMid, "c1");
    imgTop = makeOverlay("top.qcow2", "mid.qcow2");
    addBitmap(imgTop, "c1");
    addBitmap(imgTop, "g1");
    images[0] = imgTop;
    xml = chkTestDomainXML(NAME, images, formats);
    conn = qemuTestConnect();
    QT_CHECK((dom = cairnDomainDefineXML(conn, xml)) != NULL);

    testRunning(dom);
    testOffline(dom);

    cairnDomainFree(dom);
    cairnConnectClose(conn);
    g_free(imgTop);
    g_free(imgMid);
    g_free(imgBase);
    printf("checkpoint-chain: ok\n");
    return 0;
}
