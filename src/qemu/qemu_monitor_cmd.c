/*
 * qemu_monitor_cmd.c: one typed wrapper per QMP command (see
 * qemu_monitor_cmd.h): VM state, block devices, NBD exports, objects and
 * devices. Jobs are in qemu_monitor_cmd_job.c, transactions and bitmaps in
 * qemu_monitor_cmd_transaction.c, the helpers they share in
 * qemu_monitor_cmd_util.c. Argument names and shapes follow QEMU's QAPI
 * schema; tests check every command sent against a captured schema.
 */
#define G_LOG_DOMAIN "cairn.qemu.monitor"

#include <string.h>

#include "qemu_monitor_cmd.h"
#include "qemu_monitor_cmd_priv.h"
#include "qemu_monitor_priv.h"
#include "util/cairnerror.h"


/* ---- protocol and VM state -------------------------------------------- */

bool
qemuMonitorParseQueryStatus(JsonNode *reply, bool *ret_running, char **ret_status, GError **error)
{
    JsonObject *ret;
    const char *status;

    if (!(ret = qemuMonitorReplyObject(reply, "query-status", error)))
        return false;
    if (!(status = qemuMonitorReplyGetString(ret, "status")) ||
        !qemuMonitorReplyMember(ret, "running")) {
        qemuMonitorReplyMalformed(error, "query-status", "no 'status' or 'running'");
        return false;
    }
    if (ret_running)
        *ret_running = qemuMonitorReplyGetBool(ret, "running", false);
    if (ret_status)
        *ret_status = g_strdup(status);
    return true;
}


bool
qemuMonitorQueryStatus(qemuMonitor *mon, bool *ret_running, char **ret_status, GError **error)
{
    g_autoptr(JsonNode) reply = qemuMonitorCommand(mon, "query-status", NULL, error);

    return reply && qemuMonitorParseQueryStatus(reply, ret_running, ret_status, error);
}


bool
qemuMonitorCont(qemuMonitor *mon, GError **error)
{
    return qemuMonitorCmdRun(mon, "cont", NULL, error);
}


bool
qemuMonitorStop(qemuMonitor *mon, GError **error)
{
    return qemuMonitorCmdRun(mon, "stop", NULL, error);
}


bool
qemuMonitorQomSetString(
    qemuMonitor *mon, const char *path, const char *property, const char *value, GError **error)
{
    g_autoptr(JsonObject) args = qemuMonitorCmdArgsString("path", path);

    json_object_set_string_member(args, "property", property);
    json_object_set_string_member(args, "value", value);
    return qemuMonitorCmdRun(mon, "qom-set", args, error);
}


bool
qemuMonitorQuit(qemuMonitor *mon, GError **error)
{
    return qemuMonitorCmdRun(mon, "quit", NULL, error);
}


bool
qemuMonitorSystemPowerdown(qemuMonitor *mon, GError **error)
{
    return qemuMonitorCmdRun(mon, "system_powerdown", NULL, error);
}


bool
qemuMonitorSystemReset(qemuMonitor *mon, GError **error)
{
    return qemuMonitorCmdRun(mon, "system_reset", NULL, error);
}


bool
qemuMonitorQueryChardevOpen(qemuMonitor *mon, const char *label, bool *ret_open, GError **error)
{
    g_autoptr(JsonNode) reply = qemuMonitorCommand(mon, "query-chardev", NULL, error);
    JsonArray *arr;

    if (!reply)
        return false;
    arr = JSON_NODE_HOLDS_ARRAY(reply) ? json_node_get_array(reply) : NULL;
    for (guint i = 0; arr && i < json_array_get_length(arr); i++) {
        JsonNode *n = json_array_get_element(arr, i);
        JsonObject *obj = JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;

        if (g_strcmp0(qemuMonitorReplyGetString(obj, "label"), label) == 0) {
            *ret_open = qemuMonitorReplyGetBool(obj, "frontend-open", false);
            return true;
        }
    }
    cairnErrorSet(error, CAIRN_FROM_QEMU, CAIRN_ERR_INTERNAL_ERROR,
                  "QEMU has no character device '%s'", label);
    return false;
}


char *
qemuMonitorParseHumanCommand(JsonNode *reply, GError **error)
{
    if (JSON_NODE_TYPE(reply) != JSON_NODE_VALUE ||
        json_node_get_value_type(reply) != G_TYPE_STRING) {
        qemuMonitorReplyMalformed(error, "human-monitor-command", "not a string");
        return NULL;
    }
    return g_strdup(json_node_get_string(reply));
}


char *
qemuMonitorHumanCommand(qemuMonitor *mon, const char *command_line, GError **error)
{
    g_autoptr(JsonObject) args = qemuMonitorCmdArgsString("command-line", command_line);
    g_autoptr(JsonNode) reply = qemuMonitorCommand(mon, "human-monitor-command", args, error);

    if (!reply)
        return NULL;
    return qemuMonitorParseHumanCommand(reply, error);
}


bool
qemuMonitorParseQueryQmpSchema(JsonNode *reply, GError **error)
{
    return qemuMonitorReplyArray(reply, "query-qmp-schema", error) != NULL;
}


JsonNode *
qemuMonitorQueryQmpSchema(qemuMonitor *mon, GError **error)
{
    g_autoptr(JsonNode) reply = qemuMonitorCommand(mon, "query-qmp-schema", NULL, error);

    if (!reply || !qemuMonitorParseQueryQmpSchema(reply, error))
        return NULL;
    return g_steal_pointer(&reply);
}


bool
qemuMonitorParseQueryVersion(JsonNode *reply,
                             int *ret_major,
                             int *ret_minor,
                             int *ret_micro,
                             char **ret_package,
                             GError **error)
{
    JsonObject *ret;
    JsonObject *qemu;

    if (!(ret = qemuMonitorReplyObject(reply, "query-version", error)))
        return false;
    if (!(qemu = qemuMonitorReplyGetObject(ret, "qemu"))) {
        qemuMonitorReplyMalformed(error, "query-version", "no 'qemu'");
        return false;
    }
    if (ret_major)
        *ret_major = (int)qemuMonitorReplyGetInt(qemu, "major", 0);
    if (ret_minor)
        *ret_minor = (int)qemuMonitorReplyGetInt(qemu, "minor", 0);
    if (ret_micro)
        *ret_micro = (int)qemuMonitorReplyGetInt(qemu, "micro", 0);
    if (ret_package)
        *ret_package = g_strdup(qemuMonitorReplyGetString(ret, "package"));
    return true;
}


bool
qemuMonitorQueryVersion(qemuMonitor *mon,
                        int *ret_major,
                        int *ret_minor,
                        int *ret_micro,
                        char **ret_package,
                        GError **error)
{
    g_autoptr(JsonNode) reply = qemuMonitorCommand(mon, "query-version", NULL, error);

    return reply &&
           qemuMonitorParseQueryVersion(reply, ret_major, ret_minor, ret_micro, ret_package, error);
}

/* ---- block devices ---------------------------------------------------- */

void
qemuMonitorBlockInfoFree(qemuMonitorBlockInfo *info)
{
    if (!info)
        return;
    g_free(info->device);
    g_free(info->qdev);
    g_free(info->node_name);
    g_free(info->drv);
    g_free(info->file);
    g_free(info);
}


static gpointer
cmdParseBlockInfo(JsonObject *dev, const char *command, GError **error)
{
    JsonObject *inserted = qemuMonitorReplyGetObject(dev, "inserted");
    qemuMonitorBlockInfo *info;

    if (!dev || !qemuMonitorReplyGetString(dev, "device")) {
        qemuMonitorReplyMalformed(error, command, "entry without 'device'");
        return NULL;
    }
    info = g_new0(qemuMonitorBlockInfo, 1);
    info->device = g_strdup(qemuMonitorReplyGetString(dev, "device"));
    info->qdev = g_strdup(qemuMonitorReplyGetString(dev, "qdev"));
    info->removable = qemuMonitorReplyGetBool(dev, "removable", false);
    info->locked = qemuMonitorReplyGetBool(dev, "locked", false);
    info->node_name = g_strdup(qemuMonitorReplyGetString(inserted, "node-name"));
    info->drv = g_strdup(qemuMonitorReplyGetString(inserted, "drv"));
    info->file = g_strdup(qemuMonitorReplyGetString(inserted, "file"));
    return info;
}


GPtrArray *
qemuMonitorParseQueryBlock(JsonNode *reply, GError **error)
{
    return qemuMonitorReplyParseArray(reply, "query-block", cmdParseBlockInfo,
                                      (GDestroyNotify)qemuMonitorBlockInfoFree, error);
}


GPtrArray *
qemuMonitorQueryBlock(qemuMonitor *mon, GError **error)
{
    g_autoptr(JsonNode) reply = qemuMonitorCommand(mon, "query-block", NULL, error);

    if (!reply)
        return NULL;
    return qemuMonitorParseQueryBlock(reply, error);
}


void
qemuMonitorBitmapInfoFree(qemuMonitorBitmapInfo *info)
{
    if (!info)
        return;
    g_free(info->name);
    g_free(info);
}


void
qemuMonitorBlockNodeFree(qemuMonitorBlockNode *node)
{
    if (!node)
        return;
    g_free(node->node_name);
    g_free(node->drv);
    g_free(node->file);
    g_free(node->backing_file);
    g_free(node->image_filename);
    g_free(node->image_format);
    g_ptr_array_unref(node->bitmaps);
    g_free(node);
}


static qemuMonitorBitmapInfo *
cmdParseBitmap(JsonObject *obj)
{
    qemuMonitorBitmapInfo *bm = g_new0(qemuMonitorBitmapInfo, 1);

    bm->name = g_strdup(qemuMonitorReplyGetString(obj, "name"));
    bm->recording = qemuMonitorReplyGetBool(obj, "recording", false);
    bm->persistent = qemuMonitorReplyGetBool(obj, "persistent", false);
    bm->inconsistent = qemuMonitorReplyGetBool(obj, "inconsistent", false);
    bm->busy = qemuMonitorReplyGetBool(obj, "busy", false);
    bm->granularity = qemuMonitorReplyGetInt(obj, "granularity", 0);
    bm->count = qemuMonitorReplyGetInt(obj, "count", 0);
    return bm;
}


static gpointer
cmdParseBlockNode(JsonObject *obj, const char *command, GError **error)
{
    JsonObject *image = qemuMonitorReplyGetObject(obj, "image");
    JsonArray *bitmaps = qemuMonitorReplyGetArray(obj, "dirty-bitmaps");
    qemuMonitorBlockNode *node;
    guint i;

    if (!obj || !qemuMonitorReplyGetString(obj, "node-name") ||
        !qemuMonitorReplyGetString(obj, "drv")) {
        qemuMonitorReplyMalformed(error, command, "node without 'node-name' or 'drv'");
        return NULL;
    }
    node = g_new0(qemuMonitorBlockNode, 1);
    node->node_name = g_strdup(qemuMonitorReplyGetString(obj, "node-name"));
    node->drv = g_strdup(qemuMonitorReplyGetString(obj, "drv"));
    node->file = g_strdup(qemuMonitorReplyGetString(obj, "file"));
    node->ro = qemuMonitorReplyGetBool(obj, "ro", false);
    node->backing_file = g_strdup(qemuMonitorReplyGetString(obj, "backing_file"));
    node->backing_file_depth = (int)qemuMonitorReplyGetInt(obj, "backing_file_depth", 0);
    node->image_filename = g_strdup(qemuMonitorReplyGetString(image, "filename"));
    node->image_format = g_strdup(qemuMonitorReplyGetString(image, "format"));
    node->virtual_size = qemuMonitorReplyGetInt(image, "virtual-size", 0);
    node->actual_size = qemuMonitorReplyGetInt(image, "actual-size", 0);
    node->bitmaps = g_ptr_array_new_with_free_func((GDestroyNotify)qemuMonitorBitmapInfoFree);
    for (i = 0; bitmaps && i < json_array_get_length(bitmaps); i++) {
        JsonObject *bm = qemuMonitorReplyArrayObject(bitmaps, i);

        if (bm && qemuMonitorReplyGetString(bm, "name"))
            g_ptr_array_add(node->bitmaps, cmdParseBitmap(bm));
    }
    return node;
}


GPtrArray *
qemuMonitorParseNamedBlockNodes(JsonNode *reply, GError **error)
{
    return qemuMonitorReplyParseArray(reply, "query-named-block-nodes", cmdParseBlockNode,
                                      (GDestroyNotify)qemuMonitorBlockNodeFree, error);
}


GPtrArray *
qemuMonitorQueryNamedBlockNodes(qemuMonitor *mon, GError **error)
{
    g_autoptr(JsonObject) args = json_object_new();
    g_autoptr(JsonNode) reply = NULL;

    json_object_set_boolean_member(args, "flat", TRUE);
    if (!(reply = qemuMonitorCommand(mon, "query-named-block-nodes", args, error)))
        return NULL;
    return qemuMonitorParseNamedBlockNodes(reply, error);
}


qemuMonitorBlockNode *
qemuMonitorBlockNodeFind(GPtrArray *nodes, const char *node_name)
{
    guint i;

    for (i = 0; nodes && i < nodes->len; i++) {
        qemuMonitorBlockNode *node = g_ptr_array_index(nodes, i);

        if (g_strcmp0(node->node_name, node_name) == 0)
            return node;
    }
    return NULL;
}


qemuMonitorBitmapInfo *
qemuMonitorBlockNodeFindBitmap(qemuMonitorBlockNode *node, const char *name)
{
    guint i;

    for (i = 0; node && i < node->bitmaps->len; i++) {
        qemuMonitorBitmapInfo *bm = g_ptr_array_index(node->bitmaps, i);

        if (g_strcmp0(bm->name, name) == 0)
            return bm;
    }
    return NULL;
}


bool
qemuMonitorBlockdevAdd(qemuMonitor *mon, JsonObject *props, GError **error)
{
    return qemuMonitorCmdRun(mon, "blockdev-add", props, error);
}


bool
qemuMonitorBlockdevReopen(qemuMonitor *mon, JsonArray *options, GError **error)
{
    g_autoptr(JsonObject) args = json_object_new();

    json_object_set_array_member(args, "options", json_array_ref(options));
    return qemuMonitorCmdRun(mon, "blockdev-reopen", args, error);
}


bool
qemuMonitorBlockdevDel(qemuMonitor *mon, const char *node_name, GError **error)
{
    return qemuMonitorCmdRunString(mon, "blockdev-del", "node-name", node_name, error);
}


bool
qemuMonitorBlockdevCreate(qemuMonitor *mon, const char *job_id, JsonObject *options, GError **error)
{
    g_autoptr(JsonObject) args = qemuMonitorCmdArgsString("job-id", job_id);

    json_object_set_object_member(args, "options", json_object_ref(options));
    return qemuMonitorCmdRun(mon, "blockdev-create", args, error);
}


/* After a job concluded: its error (if any) from query-jobs, then
 * job-dismiss. */
static bool
cmdJobConclude(qemuMonitor *mon, const char *what, const char *job_id, GError **error)
{
    g_autoptr(GPtrArray) jobs = NULL;
    g_autofree char *failure = NULL;
    qemuMonitorJobInfo *job;

    if (!(jobs = qemuMonitorQueryJobs(mon, error)))
        return false;
    if ((job = qemuMonitorJobInfoFind(jobs, job_id)))
        failure = g_strdup(job->error);
    if (!qemuMonitorJobDismiss(mon, job_id, error))
        return false;
    if (failure) {
        cairnErrorSet(error, CAIRN_FROM_QEMU, CAIRN_ERR_OPERATION_FAILED, "%s job '%s' failed: %s",
                      what, job_id, failure);
        return false;
    }
    return true;
}


bool
qemuMonitorBlockdevCreateWait(
    qemuMonitor *mon, const char *job_id, JsonObject *options, int timeout_ms, GError **error)
{
    g_autoptr(qemuMonitorEventWaiter) waiter =
        qemuMonitorJobWaiterNew(mon, job_id, QEMU_MONITOR_JOB_STATUS_CONCLUDED);
    g_autoptr(JsonObject) data = NULL;

    if (!qemuMonitorBlockdevCreate(mon, job_id, options, error))
        return false;
    if (!(data = qemuMonitorEventWaiterWait(waiter, timeout_ms, error)))
        return false;
    return cmdJobConclude(mon, "blockdev-create", job_id, error);
}

/* ---- NBD exports ------------------------------------------------------ */

/* nbd-server-start with SocketAddress {"type": @type, "data": @data}
 * (@data taken). */
static bool
cmdNBDServerStart(
    qemuMonitor *mon, const char *type, JsonObject *data, const char *tls_creds, GError **error)
{
    g_autoptr(JsonObject) args = json_object_new();
    JsonObject *addr = qemuMonitorCmdArgsString("type", type);

    json_object_set_object_member(addr, "data", data);
    json_object_set_object_member(args, "addr", addr);
    if (tls_creds)
        json_object_set_string_member(args, "tls-creds", tls_creds);
    return qemuMonitorCmdRun(mon, "nbd-server-start", args, error);
}


bool
qemuMonitorNBDServerStartUnix(qemuMonitor *mon,
                              const char *path,
                              const char *tls_creds,
                              GError **error)
{
    return cmdNBDServerStart(mon, "unix", qemuMonitorCmdArgsString("path", path), tls_creds, error);
}


bool
qemuMonitorNBDServerStartInet(
    qemuMonitor *mon, const char *host, unsigned int port, const char *tls_creds, GError **error)
{
    JsonObject *data = qemuMonitorCmdArgsString("host", host);
    g_autofree char *portstr = g_strdup_printf("%u", port);

    json_object_set_string_member(data, "port", portstr);
    return cmdNBDServerStart(mon, "inet", data, tls_creds, error);
}


bool
qemuMonitorNBDServerStop(qemuMonitor *mon, GError **error)
{
    return qemuMonitorCmdRun(mon, "nbd-server-stop", NULL, error);
}


bool
qemuMonitorBlockExportAddNBD(qemuMonitor *mon,
                             const char *id,
                             const char *node_name,
                             const char *export_name,
                             bool writable,
                             const char *const *bitmaps,
                             GError **error)
{
    g_autoptr(JsonObject) args = qemuMonitorCmdArgsString("type", "nbd");

    json_object_set_string_member(args, "id", id);
    json_object_set_string_member(args, "node-name", node_name);
    json_object_set_boolean_member(args, "writable", writable);
    if (export_name)
        json_object_set_string_member(args, "name", export_name);
    if (bitmaps && *bitmaps) {
        JsonArray *list = json_array_new();

        for (; *bitmaps; bitmaps++)
            json_array_add_string_element(list, *bitmaps);
        json_object_set_array_member(args, "bitmaps", list);
    }
    return qemuMonitorCmdRun(mon, "block-export-add", args, error);
}


bool
qemuMonitorBlockExportDel(qemuMonitor *mon, const char *id, bool hard, GError **error)
{
    g_autoptr(JsonObject) args = qemuMonitorCmdArgsString("id", id);

    if (hard)
        json_object_set_string_member(args, "mode", "hard");
    return qemuMonitorCmdRun(mon, "block-export-del", args, error);
}

/* ---- objects and devices ---------------------------------------------- */

bool
qemuMonitorObjectAdd(
    qemuMonitor *mon, const char *qom_type, const char *id, JsonObject *props, GError **error)
{
    g_autoptr(JsonObject) args = qemuMonitorCmdArgsString("qom-type", qom_type);
    g_autoptr(JsonNode) ret = NULL;
    unsigned int flags = 0;
    JsonObjectIter iter;
    const char *name;
    JsonNode *value;

    json_object_set_string_member(args, "id", id);
    if (props) {
        json_object_iter_init(&iter, props);
        while (json_object_iter_next(&iter, &name, &value))
            json_object_set_member(args, name, json_node_copy(value));
    }
    if (g_str_equal(qom_type, "secret"))
        flags |= QEMU_MONITOR_COMMAND_SECRET;
    ret = qemuMonitorCommandFull(mon, "object-add", args, flags, qemuMonitorGetCommandTimeout(mon),
                                 error);
    return ret != NULL;
}


bool
qemuMonitorObjectDel(qemuMonitor *mon, const char *id, GError **error)
{
    return qemuMonitorCmdRunString(mon, "object-del", "id", id, error);
}


bool
qemuMonitorDeviceDel(qemuMonitor *mon, const char *id, GError **error)
{
    return qemuMonitorCmdRunString(mon, "device_del", "id", id, error);
}
