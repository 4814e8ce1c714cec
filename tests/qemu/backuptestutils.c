/*
 * backuptestutils.c: helpers of the real-QEMU backup tests.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "backuptestutils.h"
#include "qemutestutils.h"
#include "qemu/qemu_monitor.h"

static char *bkRoot;


const char *
bkTestSetup(const char *testname)
{
    const char *root = chkTestSetup(testname);

    bkRoot = g_strdup(root);
    return root;
}


void
bkTestWrite(cairnDomainPtr dom, const char *alias, int pattern, guint64 offset, guint64 len)
{
    g_autofree char *cmd = g_strdup_printf(
        "qemu-io -d /machine/peripheral/%s/virtio-backend \"write -P 0x%02x %" G_GUINT64_FORMAT
        " %" G_GUINT64_FORMAT "\"",
        alias, pattern, offset, len);
    g_autofree char *flush =
        g_strdup_printf("qemu-io -d /machine/peripheral/%s/virtio-backend \"flush\"", alias);
    g_autofree char *out = chkTestMonitor(dom, cmd, CAIRN_DOMAIN_QEMU_MONITOR_COMMAND_HMP);
    g_autofree char *out2 = NULL;

    if (!out || strstr(out, "rror"))
        qemuTestFail(__FILE__, __LINE__, "qemu-io write failed: %s", out ? out : "");
    out2 = chkTestMonitor(dom, flush, CAIRN_DOMAIN_QEMU_MONITOR_COMMAND_HMP);
    if (!out2)
        qemuTestFail(__FILE__, __LINE__, "qemu-io flush failed");
}


JsonNode *
bkTestQMP(cairnDomainPtr dom, const char *cmd)
{
    g_autofree char *reply = chkTestMonitor(dom, cmd, 0);
    g_autoptr(JsonParser) parser = json_parser_new();

    if (!reply || !json_parser_load_from_data(parser, reply, -1, NULL))
        qemuTestFail(__FILE__, __LINE__, "QMP %s failed: %s", cmd, reply ? reply : "");
    return json_node_copy(
        json_object_get_member(json_node_get_object(json_parser_get_root(parser)), "return"));
}


JsonNode *
bkTestNodes(cairnDomainPtr dom)
{
    return bkTestQMP(dom,
                     "{\"execute\":\"query-named-block-nodes\",\"arguments\":{\"flat\":true}}");
}


JsonObject *
bkTestFindNode(JsonNode *nodes, const char *suffix)
{
    JsonArray *array = json_node_get_array(nodes);

    for (guint i = 0; i < json_array_get_length(array); i++) {
        JsonObject *node = json_array_get_object_element(array, i);
        const char *name = json_object_get_string_member_with_default(node, "node-name", NULL);

        if (name && g_str_has_suffix(name, suffix))
            return node;
    }
    return NULL;
}


JsonObject *
bkTestLookupNodeOfFile(cairnDomainPtr dom, const char *path, const char *drv)
{
    g_autoptr(JsonNode) nodes = bkTestNodes(dom);
    JsonArray *array = json_node_get_array(nodes);

    for (guint i = 0; i < json_array_get_length(array); i++) {
        JsonObject *node = json_array_get_object_element(array, i);

        if (!g_strcmp0(json_object_get_string_member_with_default(node, "file", NULL), path) &&
            (!drv ||
             !g_strcmp0(json_object_get_string_member_with_default(node, "drv", NULL), drv)))
            return json_object_ref(node);
    }
    return NULL;
}


JsonObject *
bkTestNodeOfFile(cairnDomainPtr dom, const char *path)
{
    JsonObject *node = bkTestLookupNodeOfFile(dom, path, NULL);

    if (!node)
        qemuTestFail(__FILE__, __LINE__, "no block node of %s", path);
    return node;
}


void
bkTestBegin(cairnDomainPtr dom, const char *xml, const char *chkxml, unsigned int flags)
{
    if (cairnDomainBackupBegin(dom, xml, chkxml, flags) < 0)
        qemuTestFail(__FILE__, __LINE__, "backup begin failed: %s", cairnGetLastErrorMessage());
}


int
bkTestWaitDone(cairnDomainPtr dom, int timeout_s)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)timeout_s * G_USEC_PER_SEC;

    for (;;) {
        cairnTypedParameterPtr params = NULL;
        int nparams = 0;
        int type = -1;

        if (cairnDomainGetJobStats(dom, &type, &params, &nparams, 0) < 0)
            qemuTestFail(__FILE__, __LINE__, "job stats: %s", cairnGetLastErrorMessage());
        cairnTypedParamsFree(params, nparams);
        if (type == CAIRN_DOMAIN_JOB_NONE)
            return bkTestCompleted(dom, NULL, NULL);
        if (g_get_monotonic_time() > deadline)
            qemuTestFail(__FILE__, __LINE__, "backup still running after %d s", timeout_s);
        g_usleep(20 * 1000);
    }
}


int
bkTestCompleted(cairnDomainPtr dom, bool *ret_success, char **ret_errmsg)
{
    cairnTypedParameterPtr params = NULL;
    int nparams = 0;
    int type = -1;

    if (cairnDomainGetJobStats(dom, &type, &params, &nparams,
                               CAIRN_DOMAIN_JOB_STATS_COMPLETED |
                                   CAIRN_DOMAIN_JOB_STATS_KEEP_COMPLETED) < 0)
        qemuTestFail(__FILE__, __LINE__, "completed stats: %s", cairnGetLastErrorMessage());
    for (int i = 0; i < nparams; i++) {
        if (ret_success && g_str_equal(params[i].field, "success"))
            *ret_success = params[i].value.b;
        if (ret_errmsg && g_str_equal(params[i].field, "errmsg"))
            *ret_errmsg = g_strdup(params[i].value.s);
    }
    cairnTypedParamsFree(params, nparams);
    return type;
}


guint64
bkTestStat(cairnDomainPtr dom, const char *name, int *ret_type)
{
    cairnTypedParameterPtr params = NULL;
    int nparams = 0;
    int type = -1;
    guint64 value = 0;

    if (cairnDomainGetJobStats(dom, &type, &params, &nparams, 0) < 0)
        qemuTestFail(__FILE__, __LINE__, "job stats: %s", cairnGetLastErrorMessage());
    for (int i = 0; i < nparams; i++) {
        if (g_str_equal(params[i].field, name))
            value = params[i].value.ul;
    }
    cairnTypedParamsFree(params, nparams);
    if (ret_type)
        *ret_type = type;
    return value;
}


char *
bkTestOutput(const char *const *argv)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *out = NULL;
    int status = -1;

    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL,
                      &status, &err) ||
        !g_spawn_check_wait_status(status, NULL))
        qemuTestFail(__FILE__, __LINE__, "%s failed: %s", argv[0], err ? err->message : "");
    return g_steal_pointer(&out);
}


char *
bkTestMapOwn(const char *image)
{
    const char *argv[] = { "qemu-img", "map", "-U", "--output=json", image, NULL };
    g_autofree char *out = bkTestOutput(argv);
    g_autoptr(JsonParser) parser = json_parser_new();
    GString *buf = g_string_new(NULL);
    gint64 start = -1;
    gint64 end = -1;
    JsonArray *arr;

    if (!json_parser_load_from_data(parser, out, -1, NULL))
        qemuTestFail(__FILE__, __LINE__, "qemu-img map: not JSON");
    arr = json_node_get_array(json_parser_get_root(parser));
    for (guint i = 0; i <= json_array_get_length(arr); i++) {
        JsonObject *e =
            i < json_array_get_length(arr) ? json_array_get_object_element(arr, i) : NULL;
        bool own = e && json_object_get_int_member(e, "depth") == 0 &&
                   json_object_get_boolean_member(e, "data");
        gint64 s = e ? json_object_get_int_member(e, "start") : -1;

        if (own && s == end) {
            end += json_object_get_int_member(e, "length");
            continue;
        }
        if (start >= 0)
            g_string_append_printf(buf, "%s%" G_GINT64_FORMAT "+%" G_GINT64_FORMAT,
                                   buf->len ? "," : "", start, end - start);
        start = own ? s : -1;
        end = own ? s + json_object_get_int_member(e, "length") : -1;
    }
    return g_string_free(buf, FALSE);
}


bool
bkTestCompare(const char *a, const char *b)
{
    const char *argv[] = { "qemu-img", "compare", "-U", "-q", a, b, NULL };

    return qemuTestRun(argv);
}


void
bkTestCopy(const char *src, const char *dst)
{
    const char *argv[] = { "qemu-img", "convert", "-U", "-O", "qcow2", src, dst, NULL };

    if (!qemuTestRun(argv))
        qemuTestFail(__FILE__, __LINE__, "qemu-img convert %s failed", src);
}


guint
bkTestCountJobs(cairnDomainPtr dom)
{
    g_autoptr(JsonNode) ret = bkTestQMP(dom, "{\"execute\":\"query-jobs\"}");

    return json_array_get_length(json_node_get_array(ret));
}


/* Fail when a node named cairn-N-* with N > @ndisks exists, or a bitmap
 * named backup-*. */
static void
bkTestExpectNoNodes(cairnDomainPtr dom, guint ndisks)
{
    g_autoptr(JsonNode) ret = bkTestNodes(dom);
    JsonArray *nodes = json_node_get_array(ret);

    for (guint i = 0; i < json_array_get_length(nodes); i++) {
        JsonObject *node = json_array_get_object_element(nodes, i);
        const char *name = json_object_get_string_member(node, "node-name");
        JsonArray *bitmaps = json_object_has_member(node, "dirty-bitmaps") ?
                                 json_object_get_array_member(node, "dirty-bitmaps") :
                                 NULL;
        unsigned int n = 0;

        if (sscanf(name, "cairn-%u-", &n) == 1 && n > ndisks)
            qemuTestFail(__FILE__, __LINE__, "block node %s left behind", name);
        for (guint j = 0; bitmaps && j < json_array_get_length(bitmaps); j++) {
            const char *bm =
                json_object_get_string_member(json_array_get_object_element(bitmaps, j), "name");

            if (g_str_has_prefix(bm, "backup-"))
                qemuTestFail(__FILE__, __LINE__, "bitmap %s on %s left behind", bm, name);
        }
    }
}


void
bkTestExpectClean(cairnDomainPtr dom, guint ndisks, const char *const *files)
{
    g_autoptr(JsonNode) exports = bkTestQMP(dom, "{\"execute\":\"query-block-exports\"}");
    guint njobs = bkTestCountJobs(dom);

    bkTestExpectNoNodes(dom, ndisks);
    if (njobs != 0)
        qemuTestFail(__FILE__, __LINE__, "%u QEMU jobs left behind", njobs);
    if (json_array_get_length(json_node_get_array(exports)) != 0)
        qemuTestFail(__FILE__, __LINE__, "NBD exports left behind");
    for (size_t i = 0; files && files[i]; i++) {
        if (g_file_test(files[i], G_FILE_TEST_EXISTS))
            qemuTestFail(__FILE__, __LINE__, "file %s left behind", files[i]);
    }
}


void
bkTestSetSpeed(guint64 speed)
{
    g_autofree char *dir = g_build_filename(bkRoot, "etc", NULL);
    g_autofree char *path = g_build_filename(dir, "backup.conf", NULL);
    g_autofree char *text = g_strdup_printf("[backup]\nspeed=%" G_GUINT64_FORMAT "\n", speed);

    g_mkdir_with_parents(dir, 0700);
    if (speed == 0) {
        g_unlink(path);
        return;
    }
    if (!g_file_set_contents(path, text, -1, NULL))
        qemuTestFail(__FILE__, __LINE__, "cannot write %s", path);
}


void
bkTestJobSpeed(cairnDomainPtr dom, const char *job_id, guint64 speed)
{
    g_autofree char *cmd = g_strdup_printf(
        "{\"execute\":\"block-job-set-speed\",\"arguments\":{\"device\":\"%s\",\"speed\":%" G_GUINT64_FORMAT
        "}}",
        job_id, speed);
    g_autoptr(JsonNode) ret G_GNUC_UNUSED = bkTestQMP(dom, cmd);
}


void
bkTestQemuIo(const char *image, const char *cmd)
{
    const char *argv[] = { "qemu-io", "-f", "qcow2", "-c", cmd, image, NULL };
    g_autofree char *out = bkTestOutput(argv);

    if (strstr(out, "rror"))
        qemuTestFail(__FILE__, __LINE__, "qemu-io '%s' on %s: %s", cmd, image, out);
}


/* ROOT/run/NAME.backup-qsd-qmp */
static char *
bkTestDaemonSocket(const char *name)
{
    g_autofree char *base = g_strconcat(name, ".backup-qsd-qmp", NULL);

    return g_build_filename(bkRoot, "run", base, NULL);
}


pid_t
bkTestDaemonPid(const char *name)
{
    g_autofree char *sock = bkTestDaemonSocket(name);
    g_autofree char *needle = g_strdup_printf("path=%s,", sock);

    return qemuTestFindProcess(needle);
}


JsonNode *
bkTestDaemonQMP(const char *name, const char *cmd)
{
    g_autofree char *sock = bkTestDaemonSocket(name);
    g_autoptr(GError) err = NULL;
    g_autoptr(qemuMonitor) mon = qemuMonitorOpen(sock, NULL, 10000, &err);
    g_autoptr(JsonParser) parser = json_parser_new();
    JsonObject *req;
    JsonNode *ret;

    if (!mon)
        qemuTestFail(__FILE__, __LINE__, "cannot connect to %s: %s", sock, err->message);
    if (!json_parser_load_from_data(parser, cmd, -1, NULL))
        qemuTestFail(__FILE__, __LINE__, "not JSON: %s", cmd);
    req = json_node_get_object(json_parser_get_root(parser));
    ret = qemuMonitorCommand(mon, json_object_get_string_member(req, "execute"),
                             json_object_has_member(req, "arguments") ?
                                 json_object_get_object_member(req, "arguments") :
                                 NULL,
                             &err);
    if (!ret)
        qemuTestFail(__FILE__, __LINE__, "QMP %s on the storage daemon: %s", cmd, err->message);
    return ret;
}


void
bkTestExpectOfflineClean(const char *name, const char *const *files)
{
    g_autofree char *rundir = g_build_filename(bkRoot, "run", NULL);
    g_autofree char *prefix = g_strconcat(name, ".backup", NULL);
    g_autoptr(GDir) d = g_dir_open(rundir, 0, NULL);
    const char *ent;
    pid_t pid = bkTestDaemonPid(name);

    if (pid > 0)
        qemuTestFail(__FILE__, __LINE__, "storage daemon %d of '%s' left running", (int)pid, name);
    while (d && (ent = g_dir_read_name(d))) {
        if (g_str_has_prefix(ent, prefix))
            qemuTestFail(__FILE__, __LINE__, "run/%s left behind", ent);
    }
    for (size_t i = 0; files && files[i]; i++) {
        if (g_file_test(files[i], G_FILE_TEST_EXISTS))
            qemuTestFail(__FILE__, __LINE__, "file %s left behind", files[i]);
    }
}


/* The extents nbdinfo --map reports as dirty (type bit 0 set), merged,
 * as "start+len,...". */
char *
bkTestDirtyMap(const char *uri, const char *context)
{
    g_autofree char *map = g_strdup_printf("--map=%s", context);
    const char *argv[] = { "nbdinfo", map, uri, NULL };
    g_autofree char *out = bkTestOutput(argv);
    g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
    GString *buf = g_string_new(NULL);
    guint64 start = 0;
    guint64 end = 0;
    bool open = false;

    for (guint i = 0; lines[i]; i++) {
        guint64 off;
        guint64 len;
        unsigned int type;

        if (sscanf(lines[i], "%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %u", &off, &len, &type) !=
                3 ||
            !(type & 1))
            continue;
        if (open && off == end) {
            end += len;
            continue;
        }
        if (open)
            g_string_append_printf(buf, "%s%" G_GUINT64_FORMAT "+%" G_GUINT64_FORMAT,
                                   buf->len ? "," : "", start, end - start);
        start = off;
        end = off + len;
        open = true;
    }
    if (open)
        g_string_append_printf(buf, "%s%" G_GUINT64_FORMAT "+%" G_GUINT64_FORMAT,
                               buf->len ? "," : "", start, end - start);
    return g_string_free(buf, FALSE);
}
