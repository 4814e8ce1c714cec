/*
 * checkpointtestutils.c: helpers of the real-QEMU checkpoint tests.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <stdarg.h>
#include <sys/wait.h>

#include <json-glib/json-glib.h>

#include "checkpointtestutils.h"

static char *chkRoot;
static pid_t chkOwner;


void
chkTestExpectStr(const char *file, int line, const char *what, const char *got, const char *want)
{
    if (g_strcmp0(got, want) != 0)
        qemuTestFail(file, line, "%s: got '%s', want '%s'", what, got ? got : "(null)",
                     want ? want : "(null)");
}


void
chkTestExpectInt(const char *file, int line, const char *what, gint64 got, gint64 want)
{
    if (got != want)
        qemuTestFail(file, line, "%s: got %" G_GINT64_FORMAT ", want %" G_GINT64_FORMAT, what, got,
                     want);
}


/* The command line of @pid (NUL-separated arguments, *ret_len bytes), or
 * NULL; and in *ret_ppid its parent, when the process is alive (not a
 * zombie). */
static char *
chkTestProcCmdline(const char *pid, gsize *ret_len, pid_t *ret_ppid)
{
    g_autofree char *path = g_strdup_printf("/proc/%s/cmdline", pid);
    g_autofree char *statpath = g_strdup_printf("/proc/%s/stat", pid);
    g_autofree char *cmd = NULL;
    g_autofree char *stat = NULL;
    const char *p;
    gsize len = 0;

    /* "PID (COMM) STATE PPID ...": COMM may hold ')' */
    if (!g_file_get_contents(path, &cmd, &len, NULL) || len == 0 || cmd[len - 1] != '\0' ||
        !g_file_get_contents(statpath, &stat, NULL, NULL) || !(p = strrchr(stat, ')')) ||
        p[1] != ' ' || p[2] == 'Z' || p[2] == 'X' || p[3] != ' ')
        return NULL;
    *ret_len = len;
    *ret_ppid = (pid_t)g_ascii_strtoll(p + 4, NULL, 10);
    return g_steal_pointer(&cmd);
}


static bool
chkTestCmdlineNamesRoot(const char *cmd, gsize len)
{
    for (const char *arg = cmd; arg < cmd + len; arg += strlen(arg) + 1) {
        if (strstr(arg, chkRoot))
            return true;
    }
    return false;
}


/* The pids of the live (not zombie) qemu-storage-daemons of this test:
 * those whose command line names a path under the root (Cairn's job
 * daemons, through their pidfile and monitor socket, and the test's image
 * holders) and those started by this process or by a process whose
 * command line names the root (Cairn's checkpoint work on a shut-off
 * domain, whose monitor is an inherited socket, embedded or in a cairnd
 * run with --root ROOT). A storage daemon of anything else on the machine
 * is never counted. */
static GArray *
chkTestOwnStorageDaemons(void)
{
    GArray *pids = g_array_new(FALSE, FALSE, sizeof(pid_t));
    g_autoptr(GDir) proc = g_dir_open("/proc", 0, NULL);
    const char *ent;

    while (chkRoot && proc && (ent = g_dir_read_name(proc))) {
        g_autofree char *cmd = NULL;
        g_autofree char *pcmd = NULL;
        g_autofree char *ppidstr = NULL;
        const char *base;
        gsize len = 0;
        gsize plen = 0;
        pid_t pid = (pid_t)atoi(ent);
        pid_t ppid = 0;
        pid_t pppid = 0;

        if (pid <= 0 || !(cmd = chkTestProcCmdline(ent, &len, &ppid)))
            continue;
        base = strrchr(cmd, '/') ? strrchr(cmd, '/') + 1 : cmd;
        if (!g_str_equal(base, "qemu-storage-daemon"))
            continue;
        ppidstr = g_strdup_printf("%d", (int)ppid);
        if (chkTestCmdlineNamesRoot(cmd, len) || ppid == getpid() ||
            ((pcmd = chkTestProcCmdline(ppidstr, &plen, &pppid)) &&
             chkTestCmdlineNamesRoot(pcmd, plen)))
            g_array_append_val(pids, pid);
    }
    return pids;
}


guint
chkTestCountStorageDaemons(void)
{
    g_autoptr(GArray) pids = chkTestOwnStorageDaemons();

    return pids->len;
}


/* Kill, by pid, every qemu-storage-daemon of the test (Cairn's own, should
 * one survive a failed check, and the test's image holders). */
static void
chkTestKillStrays(void)
{
    g_autoptr(GArray) pids = NULL;

    if (!chkRoot || getpid() != chkOwner)
        return;
    pids = chkTestOwnStorageDaemons();
    for (guint i = 0; i < pids->len; i++)
        kill(g_array_index(pids, pid_t, i), SIGKILL);
}


const char *
chkTestSetup(const char *testname)
{
    const char *root = qemuTestSetup(testname);

    chkRoot = g_strdup(root);
    chkOwner = getpid();
    atexit(chkTestKillStrays);
    return root;
}


char *
chkTestDomainXML(const char *name, const char *const *images, const char *const *formats)
{
    GString *xml = g_string_new(NULL);

    g_string_append_printf(xml,
                           "<domain type='%s'>\n  <name>%s</name>\n"
                           "  <memory unit='MiB'>128</memory>\n"
                           "  <os><type arch='x86_64'>hvm</type></os>\n  <devices>\n",
                           qemuTestVirtType(), name);
    for (size_t i = 0; images[i]; i++) {
        g_string_append_printf(xml,
                               "    <disk type='file' device='disk'>\n"
                               "      <driver name='qemu' type='%s'/>\n"
                               "      <source file='%s'/>\n"
                               "      <target dev='vd%c' bus='virtio'/>\n"
                               "    </disk>\n",
                               formats[i], images[i], (char)('a' + i));
    }
    g_string_append(xml, "  </devices>\n</domain>\n");
    return g_string_free(xml, FALSE);
}


char *
chkTestMonitor(cairnDomainPtr dom, const char *cmd, unsigned int flags)
{
    char *result = NULL;

    if (cairnDomainQemuMonitorCommand(dom, cmd, &result, flags) < 0)
        return NULL;
    return result;
}


void
chkTestWrite(cairnDomainPtr dom, const char *alias, guint64 offset, guint64 len)
{
    g_autofree char *cmd = g_strdup_printf(
        "qemu-io -d /machine/peripheral/%s/virtio-backend \"write -P 0xab %" G_GUINT64_FORMAT
        " %" G_GUINT64_FORMAT "\"",
        alias, offset, len);
    g_autofree char *out = chkTestMonitor(dom, cmd, CAIRN_DOMAIN_QEMU_MONITOR_COMMAND_HMP);

    if (!out || strstr(out, "rror"))
        qemuTestFail(__FILE__, __LINE__, "qemu-io write failed: %s", out ? out : "");
}


static void
chkTestBitmapFree(chkTestBitmap *b)
{
    g_free(b->name);
    g_free(b);
}


static JsonNode *
chkTestParseJSON(const char *text)
{
    g_autoptr(JsonParser) parser = json_parser_new();

    if (!text || !json_parser_load_from_data(parser, text, -1, NULL))
        qemuTestFail(__FILE__, __LINE__, "not JSON: %s", text ? text : "(null)");
    return json_node_copy(json_parser_get_root(parser));
}


GPtrArray *
chkTestLiveBitmaps(cairnDomainPtr dom, const char *image)
{
    g_autofree char *reply = chkTestMonitor(
        dom, "{\"execute\":\"query-named-block-nodes\",\"arguments\":{\"flat\":true}}", 0);
    g_autoptr(JsonNode) root = chkTestParseJSON(reply);
    JsonArray *nodes = json_object_get_array_member(json_node_get_object(root), "return");
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)chkTestBitmapFree);

    for (guint i = 0; i < json_array_get_length(nodes); i++) {
        JsonObject *node = json_array_get_object_element(nodes, i);
        JsonArray *bitmaps;

        if (g_strcmp0(json_object_get_string_member(node, "drv"), "qcow2") != 0 ||
            g_strcmp0(json_object_get_string_member(node, "file"), image) != 0 ||
            !json_object_has_member(node, "dirty-bitmaps"))
            continue;
        bitmaps = json_object_get_array_member(node, "dirty-bitmaps");
        for (guint j = 0; j < json_array_get_length(bitmaps); j++) {
            JsonObject *b = json_array_get_object_element(bitmaps, j);
            chkTestBitmap *bm = g_new0(chkTestBitmap, 1);

            bm->name = g_strdup(json_object_get_string_member(b, "name"));
            bm->count = (guint64)json_object_get_int_member(b, "count");
            bm->granularity = (guint64)json_object_get_int_member(b, "granularity");
            bm->recording = json_object_get_boolean_member(b, "recording");
            bm->persistent = json_object_get_boolean_member(b, "persistent");
            bm->inconsistent =
                json_object_get_boolean_member_with_default(b, "inconsistent", FALSE);
            g_ptr_array_add(out, bm);
        }
    }
    return out;
}


static bool
chkTestFlag(JsonArray *flags, const char *flag)
{
    for (guint i = 0; flags && i < json_array_get_length(flags); i++) {
        if (g_strcmp0(json_array_get_string_element(flags, i), flag) == 0)
            return true;
    }
    return false;
}


GPtrArray *
chkTestImageBitmaps(const char *image)
{
    const char *argv[] = { "qemu-img", "info", "--output=json", image, NULL };
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autoptr(JsonNode) root = NULL;
    GPtrArray *ret = g_ptr_array_new_with_free_func((GDestroyNotify)chkTestBitmapFree);
    JsonObject *spec;
    JsonArray *bitmaps;
    int status = -1;

    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                      &status, NULL) ||
        status != 0)
        qemuTestFail(__FILE__, __LINE__, "qemu-img info %s failed: %s", image, err ? err : "");
    root = chkTestParseJSON(out);
    spec = json_object_get_object_member(json_node_get_object(root), "format-specific");
    spec = json_object_get_object_member(spec, "data");
    if (!json_object_has_member(spec, "bitmaps"))
        return ret;
    bitmaps = json_object_get_array_member(spec, "bitmaps");
    for (guint i = 0; i < json_array_get_length(bitmaps); i++) {
        JsonObject *b = json_array_get_object_element(bitmaps, i);
        JsonArray *flags = json_object_get_array_member(b, "flags");
        chkTestBitmap *bm = g_new0(chkTestBitmap, 1);

        bm->name = g_strdup(json_object_get_string_member(b, "name"));
        bm->granularity = (guint64)json_object_get_int_member(b, "granularity");
        bm->recording = chkTestFlag(flags, "auto");
        bm->inconsistent = chkTestFlag(flags, "in-use");
        bm->persistent = true;
        g_ptr_array_add(ret, bm);
    }
    return ret;
}


static gint
chkTestCompareStr(gconstpointer a, gconstpointer b)
{
    return g_strcmp0(*(const char *const *)a, *(const char *const *)b);
}


static char *
chkTestJoinSorted(GPtrArray *names)
{
    g_ptr_array_sort(names, chkTestCompareStr);
    g_ptr_array_add(names, NULL);
    return g_strjoinv(",", (char **)names->pdata);
}


char *
chkTestBitmapNames(GPtrArray *bitmaps)
{
    g_autoptr(GPtrArray) names = g_ptr_array_new();

    for (guint i = 0; i < bitmaps->len; i++)
        g_ptr_array_add(names, ((chkTestBitmap *)g_ptr_array_index(bitmaps, i))->name);
    return chkTestJoinSorted(names);
}


chkTestBitmap *
chkTestBitmapFind(GPtrArray *bitmaps, const char *name)
{
    for (guint i = 0; i < bitmaps->len; i++) {
        chkTestBitmap *b = g_ptr_array_index(bitmaps, i);

        if (g_str_equal(b->name, name))
            return b;
    }
    return NULL;
}


char *
chkTestMetadataNames(const char *dom)
{
    g_autofree char *dir = g_build_filename(chkRoot, "checkpoints", dom, NULL);
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *ent;

    while (d && (ent = g_dir_read_name(d))) {
        if (g_str_has_suffix(ent, ".xml"))
            g_ptr_array_add(names, g_strndup(ent, strlen(ent) - 4));
    }
    return chkTestJoinSorted(names);
}


char *
chkTestMetadataCurrent(const char *dom)
{
    g_autofree char *path = g_build_filename(chkRoot, "checkpoints", dom, "current", NULL);
    char *text = NULL;

    if (!g_file_get_contents(path, &text, NULL, NULL))
        return g_strdup("");
    return g_strstrip(text);
}


gint64
chkTestSize(cairnDomainCheckpointPtr chk, const char *disk)
{
    g_autofree char *xml = cairnDomainCheckpointGetXMLDesc(
        chk, CAIRN_DOMAIN_CHECKPOINT_XML_SIZE | CAIRN_DOMAIN_CHECKPOINT_XML_NO_DOMAIN);
    g_autofree char *needle = g_strdup_printf("<disk name='%s' ", disk);
    const char *line;
    const char *end;
    const char *size;

    if (!xml)
        qemuTestFail(__FILE__, __LINE__, "SIZE of %s failed", cairnDomainCheckpointGetName(chk));
    if (!(line = strstr(xml, needle)))
        return -1;
    end = strchr(line, '\n');
    size = g_strstr_len(line, end - line, "size='");
    return size ? g_ascii_strtoll(size + 6, NULL, 10) : -1;
}


char *
chkTestParent(cairnDomainCheckpointPtr chk)
{
    cairnDomainCheckpointPtr parent = cairnDomainCheckpointGetParent(chk, 0);
    char *name;

    if (!parent)
        return g_strdup("");
    name = g_strdup(cairnDomainCheckpointGetName(parent));
    cairnDomainCheckpointFree(parent);
    return name;
}


cairnDomainCheckpointPtr
chkTestCreate(cairnDomainPtr dom, const char *xml, unsigned int flags)
{
    cairnDomainCheckpointPtr chk = cairnDomainCheckpointCreateXML(dom, xml, flags);

    if (!chk)
        qemuTestFail(__FILE__, __LINE__, "cannot create checkpoint from %s", xml);
    return chk;
}


int
chkTestCli(char **ret_out, char **ret_err, const char *first, ...)
{
    const char *builddir = g_getenv("abs_builddir");
    g_autofree char *bin =
        g_build_filename(builddir ? builddir : "tests", "..", "tools", "cairn", NULL);
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autoptr(GError) err = NULL;
    g_autofree char *out = NULL;
    g_autofree char *errout = NULL;
    const char *arg;
    int status = -1;
    va_list ap;

    if (!g_file_test(bin, G_FILE_TEST_IS_EXECUTABLE))
        qemuTestFail(__FILE__, __LINE__, "no cairn binary at %s", bin);
    g_ptr_array_add(argv, bin);
    g_ptr_array_add(argv, (char *)"-c");
    g_ptr_array_add(argv, (char *)qemuTestURI());
    va_start(ap, first);
    for (arg = first; arg; arg = va_arg(ap, const char *))
        g_ptr_array_add(argv, (char *)arg);
    va_end(ap);
    g_ptr_array_add(argv, NULL);
    if (!g_spawn_sync(NULL, (char **)argv->pdata, NULL, 0, NULL, NULL, &out, &errout, &status,
                      &err))
        qemuTestFail(__FILE__, __LINE__, "cannot run %s: %s", bin, err->message);
    if (!WIFEXITED(status))
        qemuTestFail(__FILE__, __LINE__, "%s ended by a signal", bin);
    if (ret_out)
        *ret_out = g_steal_pointer(&out);
    if (ret_err)
        *ret_err = g_steal_pointer(&errout);
    return WEXITSTATUS(status);
}


GPid
chkTestHoldImage(const char *image)
{
    g_autofree char *pidfile = g_strdup_printf("%s.holder.pid", image);
    g_autofree char *file = g_strdup_printf("driver=file,node-name=s,filename=%s", image);
    const char *argv[] = { "qemu-storage-daemon",
                           "--blockdev",
                           file,
                           "--blockdev",
                           "driver=qcow2,node-name=f,file=s",
                           "--daemonize",
                           "--pidfile",
                           pidfile,
                           NULL };
    g_autofree char *text = NULL;

    /* --daemonize returns once the image is open (and locked). */
    QT_CHECK(qemuTestRun(argv));
    QT_CHECK(g_file_get_contents(pidfile, &text, NULL, NULL));
    return (GPid)atoi(text);
}


/* True while @pid runs (neither gone nor a zombie). */
static bool
chkTestAlive(GPid pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int)pid);
    g_autofree char *text = NULL;
    const char *state;

    if (!g_file_get_contents(path, &text, NULL, NULL) || !(state = strrchr(text, ')')))
        return false;
    return state[1] && state[2] != 'Z' && state[2] != 'X';
}


void
chkTestReleaseImage(GPid pid)
{
    kill(pid, SIGTERM);
    for (int i = 0; i < 500 && chkTestAlive(pid); i++)
        g_usleep(10000);
    QT_CHECK(!chkTestAlive(pid));
}
