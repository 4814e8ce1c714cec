/*
 * qemu_monitor_cmd.c: one typed wrapper per QMP command (see
 * qemu_monitor_cmd.h). Argument names and shapes follow QEMU's QAPI
 * schema; tests check every command sent against a captured schema.
 */
#define G_LOG_DOMAIN "cairn.qemu.monitor"

#include <string.h>

#include "qemu_monitor_cmd.h"
#include "qemu_monitor_priv.h"
#include "util/cairnerror.h"

/* ---- helpers ---------------------------------------------------------- */

static JsonNode *
cmdMember(JsonObject *obj, const char *name)
{
    return obj ? json_object_get_member(obj, name) : NULL;
}


static const char *
cmdGetString(JsonObject *obj, const char *name)
{
    JsonNode *n = cmdMember(obj, name);

    if (!n || JSON_NODE_TYPE(n) != JSON_NODE_VALUE || json_node_get_value_type(n) != G_TYPE_STRING)
        return NULL;
    return json_node_get_string(n);
}


static bool
cmdGetBool(JsonObject *obj, const char *name, bool dflt)
{
    JsonNode *n = cmdMember(obj, name);

    if (!n || JSON_NODE_TYPE(n) != JSON_NODE_VALUE || json_node_get_value_type(n) != G_TYPE_BOOLEAN)
        return dflt;
    return json_node_get_boolean(n);
}


static gint64
cmdGetInt(JsonObject *obj, const char *name, gint64 dflt)
{
    JsonNode *n = cmdMember(obj, name);

    if (!n || JSON_NODE_TYPE(n) != JSON_NODE_VALUE || json_node_get_value_type(n) != G_TYPE_INT64)
        return dflt;
    return json_node_get_int(n);
}


static JsonObject *
cmdGetObject(JsonObject *obj, const char *name)
{
    JsonNode *n = cmdMember(obj, name);

    return n && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
}


static JsonArray *
cmdGetArray(JsonObject *obj, const char *name)
{
    JsonNode *n = cmdMember(obj, name);

    return n && JSON_NODE_HOLDS_ARRAY(n) ? json_node_get_array(n) : NULL;
}


/* Element @i of @arr if it is an object, else NULL. */
static JsonObject *
cmdArrayObject(JsonArray *arr, guint i)
{
    JsonNode *n = json_array_get_element(arr, i);

    return n && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
}


static void
cmdMalformed(GError **error, const char *command, const char *what)
{
    cairnErrorSet(error, CAIRN_FROM_QEMU, CAIRN_ERR_INTERNAL_ERROR,
                  "QEMU command '%s' returned malformed data: %s", command, what);
}


/* Run @command with @args (may be NULL) and ignore its return value. */
static bool
cmdRun(qemuMonitor *mon, const char *command, JsonObject *args, GError **error)
{
    g_autoptr(JsonNode) ret = qemuMonitorCommand(mon, command, args, error);

    return ret != NULL;
}


/* @reply if it is an object, else NULL with an error naming @command. */
static JsonObject *
cmdReplyObject(JsonNode *reply, const char *command, GError **error)
{
    if (!JSON_NODE_HOLDS_OBJECT(reply)) {
        cmdMalformed(error, command, "not an object");
        return NULL;
    }
    return json_node_get_object(reply);
}


/* @reply if it is an array, else NULL with an error naming @command. */
static JsonArray *
cmdReplyArray(JsonNode *reply, const char *command, GError **error)
{
    if (!JSON_NODE_HOLDS_ARRAY(reply)) {
        cmdMalformed(error, command, "not an array");
        return NULL;
    }
    return json_node_get_array(reply);
}


/* One entry of a reply array: the new item, or NULL with @error set.
 * @entry is NULL where the array holds something else than an object. */
typedef gpointer (*cmdEntryParser)(JsonObject *entry, const char *command, GError **error);

/* The items of @reply, the array @command returned, each made by @parse
 * and freed by @free_item; NULL with an error if @reply is not an array
 * or one entry fails. */
static GPtrArray *
cmdParseReplyArray(JsonNode *reply,
                   const char *command,
                   cmdEntryParser parse,
                   GDestroyNotify free_item,
                   GError **error)
{
    g_autoptr(GPtrArray) list = NULL;
    JsonArray *ret;

    if (!(ret = cmdReplyArray(reply, command, error)))
        return NULL;
    list = g_ptr_array_new_with_free_func(free_item);
    for (guint i = 0; i < json_array_get_length(ret); i++) {
        gpointer item = parse(cmdArrayObject(ret, i), command, error);

        if (!item)
            return NULL;
        g_ptr_array_add(list, item);
    }
    return g_steal_pointer(&list);
}


/* An object with the single string member @name = @value. */
static JsonObject *
cmdArgsString(const char *name, const char *value)
{
    JsonObject *args = json_object_new();

    json_object_set_string_member(args, name, value);
    return args;
}


/* Run @command with the single string argument @name = @value. */
static bool
cmdRunString(
    qemuMonitor *mon, const char *command, const char *name, const char *value, GError **error)
{
    g_autoptr(JsonObject) args = cmdArgsString(name, value);

    return cmdRun(mon, command, args, error);
}

/* ---- protocol and VM state -------------------------------------------- */

bool
qemuMonitorParseQueryStatus(JsonNode *reply, bool *ret_running, char **ret_status, GError **error)
{
    JsonObject *ret;
    const char *status;

    if (!(ret = cmdReplyObject(reply, "query-status", error)))
        return false;
    if (!(status = cmdGetString(ret, "status")) || !cmdMember(ret, "running")) {
        cmdMalformed(error, "query-status", "no 'status' or 'running'");
        return false;
    }
    if (ret_running)
        *ret_running = cmdGetBool(ret, "running", false);
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
    return cmdRun(mon, "cont", NULL, error);
}


bool
qemuMonitorStop(qemuMonitor *mon, GError **error)
{
    return cmdRun(mon, "stop", NULL, error);
}


bool
qemuMonitorQuit(qemuMonitor *mon, GError **error)
{
    return cmdRun(mon, "quit", NULL, error);
}


bool
qemuMonitorSystemPowerdown(qemuMonitor *mon, GError **error)
{
    return cmdRun(mon, "system_powerdown", NULL, error);
}


bool
qemuMonitorSystemReset(qemuMonitor *mon, GError **error)
{
    return cmdRun(mon, "system_reset", NULL, error);
}


char *
qemuMonitorParseHumanCommand(JsonNode *reply, GError **error)
{
    if (JSON_NODE_TYPE(reply) != JSON_NODE_VALUE ||
        json_node_get_value_type(reply) != G_TYPE_STRING) {
        cmdMalformed(error, "human-monitor-command", "not a string");
        return NULL;
    }
    return g_strdup(json_node_get_string(reply));
}


char *
qemuMonitorHumanCommand(qemuMonitor *mon, const char *command_line, GError **error)
{
    g_autoptr(JsonObject) args = cmdArgsString("command-line", command_line);
    g_autoptr(JsonNode) reply = qemuMonitorCommand(mon, "human-monitor-command", args, error);

    if (!reply)
        return NULL;
    return qemuMonitorParseHumanCommand(reply, error);
}


bool
qemuMonitorParseQueryQmpSchema(JsonNode *reply, GError **error)
{
    return cmdReplyArray(reply, "query-qmp-schema", error) != NULL;
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

    if (!(ret = cmdReplyObject(reply, "query-version", error)))
        return false;
    if (!(qemu = cmdGetObject(ret, "qemu"))) {
        cmdMalformed(error, "query-version", "no 'qemu'");
        return false;
    }
    if (ret_major)
        *ret_major = (int)cmdGetInt(qemu, "major", 0);
    if (ret_minor)
        *ret_minor = (int)cmdGetInt(qemu, "minor", 0);
    if (ret_micro)
        *ret_micro = (int)cmdGetInt(qemu, "micro", 0);
    if (ret_package)
        *ret_package = g_strdup(cmdGetString(ret, "package"));
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
    JsonObject *inserted = cmdGetObject(dev, "inserted");
    qemuMonitorBlockInfo *info;

    if (!dev || !cmdGetString(dev, "device")) {
        cmdMalformed(error, command, "entry without 'device'");
        return NULL;
    }
    info = g_new0(qemuMonitorBlockInfo, 1);
    info->device = g_strdup(cmdGetString(dev, "device"));
    info->qdev = g_strdup(cmdGetString(dev, "qdev"));
    info->removable = cmdGetBool(dev, "removable", false);
    info->locked = cmdGetBool(dev, "locked", false);
    info->node_name = g_strdup(cmdGetString(inserted, "node-name"));
    info->drv = g_strdup(cmdGetString(inserted, "drv"));
    info->file = g_strdup(cmdGetString(inserted, "file"));
    return info;
}


GPtrArray *
qemuMonitorParseQueryBlock(JsonNode *reply, GError **error)
{
    return cmdParseReplyArray(reply, "query-block", cmdParseBlockInfo,
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

    bm->name = g_strdup(cmdGetString(obj, "name"));
    bm->recording = cmdGetBool(obj, "recording", false);
    bm->persistent = cmdGetBool(obj, "persistent", false);
    bm->inconsistent = cmdGetBool(obj, "inconsistent", false);
    bm->busy = cmdGetBool(obj, "busy", false);
    bm->granularity = cmdGetInt(obj, "granularity", 0);
    bm->count = cmdGetInt(obj, "count", 0);
    return bm;
}


static gpointer
cmdParseBlockNode(JsonObject *obj, const char *command, GError **error)
{
    JsonObject *image = cmdGetObject(obj, "image");
    JsonArray *bitmaps = cmdGetArray(obj, "dirty-bitmaps");
    qemuMonitorBlockNode *node;
    guint i;

    if (!obj || !cmdGetString(obj, "node-name") || !cmdGetString(obj, "drv")) {
        cmdMalformed(error, command, "node without 'node-name' or 'drv'");
        return NULL;
    }
    node = g_new0(qemuMonitorBlockNode, 1);
    node->node_name = g_strdup(cmdGetString(obj, "node-name"));
    node->drv = g_strdup(cmdGetString(obj, "drv"));
    node->file = g_strdup(cmdGetString(obj, "file"));
    node->ro = cmdGetBool(obj, "ro", false);
    node->backing_file = g_strdup(cmdGetString(obj, "backing_file"));
    node->backing_file_depth = (int)cmdGetInt(obj, "backing_file_depth", 0);
    node->image_filename = g_strdup(cmdGetString(image, "filename"));
    node->image_format = g_strdup(cmdGetString(image, "format"));
    node->virtual_size = cmdGetInt(image, "virtual-size", 0);
    node->actual_size = cmdGetInt(image, "actual-size", 0);
    node->bitmaps = g_ptr_array_new_with_free_func((GDestroyNotify)qemuMonitorBitmapInfoFree);
    for (i = 0; bitmaps && i < json_array_get_length(bitmaps); i++) {
        JsonObject *bm = cmdArrayObject(bitmaps, i);

        if (bm && cmdGetString(bm, "name"))
            g_ptr_array_add(node->bitmaps, cmdParseBitmap(bm));
    }
    return node;
}


GPtrArray *
qemuMonitorParseNamedBlockNodes(JsonNode *reply, GError **error)
{
    return cmdParseReplyArray(reply, "query-named-block-nodes", cmdParseBlockNode,
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
    return cmdRun(mon, "blockdev-add", props, error);
}


bool
qemuMonitorBlockdevReopen(qemuMonitor *mon, JsonArray *options, GError **error)
{
    g_autoptr(JsonObject) args = json_object_new();

    json_object_set_array_member(args, "options", json_array_ref(options));
    return cmdRun(mon, "blockdev-reopen", args, error);
}


bool
qemuMonitorBlockdevDel(qemuMonitor *mon, const char *node_name, GError **error)
{
    return cmdRunString(mon, "blockdev-del", "node-name", node_name, error);
}


bool
qemuMonitorBlockdevCreate(qemuMonitor *mon, const char *job_id, JsonObject *options, GError **error)
{
    g_autoptr(JsonObject) args = cmdArgsString("job-id", job_id);

    json_object_set_object_member(args, "options", json_object_ref(options));
    return cmdRun(mon, "blockdev-create", args, error);
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

/* ---- jobs ------------------------------------------------------------- */

static const char *const jobStatusNames[QEMU_MONITOR_JOB_STATUS_LAST] = {
    [QEMU_MONITOR_JOB_STATUS_UNDEFINED] = "undefined",
    [QEMU_MONITOR_JOB_STATUS_CREATED] = "created",
    [QEMU_MONITOR_JOB_STATUS_RUNNING] = "running",
    [QEMU_MONITOR_JOB_STATUS_PAUSED] = "paused",
    [QEMU_MONITOR_JOB_STATUS_READY] = "ready",
    [QEMU_MONITOR_JOB_STATUS_STANDBY] = "standby",
    [QEMU_MONITOR_JOB_STATUS_WAITING] = "waiting",
    [QEMU_MONITOR_JOB_STATUS_PENDING] = "pending",
    [QEMU_MONITOR_JOB_STATUS_ABORTING] = "aborting",
    [QEMU_MONITOR_JOB_STATUS_CONCLUDED] = "concluded",
    [QEMU_MONITOR_JOB_STATUS_NULL] = "null",
};


const char *
qemuMonitorJobStatusToString(qemuMonitorJobStatus status)
{
    if ((int)status < 0 || status >= QEMU_MONITOR_JOB_STATUS_LAST)
        return NULL;
    return jobStatusNames[status];
}


int
qemuMonitorJobStatusFromString(const char *str)
{
    int i;

    for (i = 0; str && i < QEMU_MONITOR_JOB_STATUS_LAST; i++) {
        if (g_str_equal(jobStatusNames[i], str))
            return i;
    }
    return -1;
}


void
qemuMonitorJobInfoFree(qemuMonitorJobInfo *info)
{
    if (!info)
        return;
    g_free(info->id);
    g_free(info->type);
    g_free(info->error);
    g_free(info);
}


static gpointer
cmdParseJobInfo(JsonObject *obj, const char *command, GError **error)
{
    qemuMonitorJobInfo *job;
    int status;

    if (!obj || !cmdGetString(obj, "id")) {
        cmdMalformed(error, command, "job without 'id'");
        return NULL;
    }
    job = g_new0(qemuMonitorJobInfo, 1);
    job->id = g_strdup(cmdGetString(obj, "id"));
    job->type = g_strdup(cmdGetString(obj, "type"));
    status = qemuMonitorJobStatusFromString(cmdGetString(obj, "status"));
    job->status = status < 0 ? QEMU_MONITOR_JOB_STATUS_UNDEFINED : status;
    job->current_progress = cmdGetInt(obj, "current-progress", 0);
    job->total_progress = cmdGetInt(obj, "total-progress", 0);
    job->error = g_strdup(cmdGetString(obj, "error"));
    return job;
}


GPtrArray *
qemuMonitorParseQueryJobs(JsonNode *reply, GError **error)
{
    return cmdParseReplyArray(reply, "query-jobs", cmdParseJobInfo,
                              (GDestroyNotify)qemuMonitorJobInfoFree, error);
}


GPtrArray *
qemuMonitorQueryJobs(qemuMonitor *mon, GError **error)
{
    g_autoptr(JsonNode) reply = qemuMonitorCommand(mon, "query-jobs", NULL, error);

    if (!reply)
        return NULL;
    return qemuMonitorParseQueryJobs(reply, error);
}


qemuMonitorJobInfo *
qemuMonitorJobInfoFind(GPtrArray *jobs, const char *id)
{
    guint i;

    for (i = 0; jobs && i < jobs->len; i++) {
        qemuMonitorJobInfo *job = g_ptr_array_index(jobs, i);

        if (g_strcmp0(job->id, id) == 0)
            return job;
    }
    return NULL;
}


bool
qemuMonitorJobDismiss(qemuMonitor *mon, const char *id, GError **error)
{
    return cmdRunString(mon, "job-dismiss", "id", id, error);
}


bool
qemuMonitorJobFinalize(qemuMonitor *mon, const char *id, GError **error)
{
    return cmdRunString(mon, "job-finalize", "id", id, error);
}


bool
qemuMonitorJobCancel(qemuMonitor *mon, const char *id, GError **error)
{
    return cmdRunString(mon, "job-cancel", "id", id, error);
}


bool
qemuMonitorBlockJobCancel(qemuMonitor *mon, const char *device, bool force, GError **error)
{
    g_autoptr(JsonObject) args = cmdArgsString("device", device);

    json_object_set_boolean_member(args, "force", force);
    return cmdRun(mon, "block-job-cancel", args, error);
}


typedef struct {
    char *id;
    const char *status;
} cmdJobMatch;


static void
cmdJobMatchFree(gpointer opaque)
{
    cmdJobMatch *m = opaque;

    g_free(m->id);
    g_free(m);
}


static bool
cmdJobMatches(JsonObject *data, gpointer opaque)
{
    cmdJobMatch *m = opaque;

    return g_strcmp0(cmdGetString(data, "id"), m->id) == 0 &&
           g_strcmp0(cmdGetString(data, "status"), m->status) == 0;
}


qemuMonitorEventWaiter *
qemuMonitorJobWaiterNew(qemuMonitor *mon, const char *id, qemuMonitorJobStatus status)
{
    cmdJobMatch *m = g_new0(cmdJobMatch, 1);

    m->id = g_strdup(id);
    m->status = qemuMonitorJobStatusToString(status);
    return qemuMonitorEventWaiterNewFull(mon, "JOB_STATUS_CHANGE", cmdJobMatches, m,
                                         cmdJobMatchFree);
}

/* ---- transactions ----------------------------------------------------- */

struct _qemuMonitorTransaction {
    JsonArray *actions;
};


qemuMonitorTransaction *
qemuMonitorTransactionNew(void)
{
    qemuMonitorTransaction *tr = g_new0(qemuMonitorTransaction, 1);

    tr->actions = json_array_new();
    return tr;
}


void
qemuMonitorTransactionFree(qemuMonitorTransaction *tr)
{
    if (!tr)
        return;
    json_array_unref(tr->actions);
    g_free(tr);
}


guint
qemuMonitorTransactionCount(qemuMonitorTransaction *tr)
{
    return json_array_get_length(tr->actions);
}


void
qemuMonitorTransactionAppend(qemuMonitorTransaction *dst, qemuMonitorTransaction *src)
{
    guint i;

    for (i = 0; i < json_array_get_length(src->actions); i++) {
        json_array_add_element(dst->actions,
                               json_node_copy(json_array_get_element(src->actions, i)));
    }
}


/* Append {"type": @type, "data": @data} (@data taken). */
static void
cmdTransactionAdd(qemuMonitorTransaction *tr, const char *type, JsonObject *data)
{
    JsonObject *action = json_object_new();

    json_object_set_string_member(action, "type", type);
    json_object_set_object_member(action, "data", data);
    json_array_add_object_element(tr->actions, action);
}


static JsonObject *
cmdBitmapArgs(const char *node, const char *name)
{
    JsonObject *data = cmdArgsString("node", node);

    json_object_set_string_member(data, "name", name);
    return data;
}


static JsonObject *
cmdBitmapAddArgs(
    const char *node, const char *name, bool persistent, bool disabled, guint64 granularity)
{
    JsonObject *data = cmdBitmapArgs(node, name);

    json_object_set_boolean_member(data, "persistent", persistent);
    json_object_set_boolean_member(data, "disabled", disabled);
    if (granularity > 0)
        json_object_set_int_member(data, "granularity", (gint64)granularity);
    return data;
}


static JsonObject *
cmdBitmapMergeArgs(const char *node,
                   const char *target,
                   const qemuMonitorBitmapRef *srcs,
                   size_t nsrcs)
{
    JsonObject *data = cmdArgsString("node", node);
    JsonArray *bitmaps = json_array_new();
    size_t i;

    json_object_set_string_member(data, "target", target);
    for (i = 0; i < nsrcs; i++)
        json_array_add_object_element(bitmaps, cmdBitmapArgs(srcs[i].node, srcs[i].name));
    json_object_set_array_member(data, "bitmaps", bitmaps);
    return data;
}


void
qemuMonitorTransactionBitmapAdd(qemuMonitorTransaction *tr,
                                const char *node,
                                const char *name,
                                bool persistent,
                                bool disabled,
                                guint64 granularity)
{
    cmdTransactionAdd(tr, "block-dirty-bitmap-add",
                      cmdBitmapAddArgs(node, name, persistent, disabled, granularity));
}


void
qemuMonitorTransactionBitmapRemove(qemuMonitorTransaction *tr, const char *node, const char *name)
{
    cmdTransactionAdd(tr, "block-dirty-bitmap-remove", cmdBitmapArgs(node, name));
}


void
qemuMonitorTransactionBitmapClear(qemuMonitorTransaction *tr, const char *node, const char *name)
{
    cmdTransactionAdd(tr, "block-dirty-bitmap-clear", cmdBitmapArgs(node, name));
}


void
qemuMonitorTransactionBitmapEnable(qemuMonitorTransaction *tr, const char *node, const char *name)
{
    cmdTransactionAdd(tr, "block-dirty-bitmap-enable", cmdBitmapArgs(node, name));
}


void
qemuMonitorTransactionBitmapDisable(qemuMonitorTransaction *tr, const char *node, const char *name)
{
    cmdTransactionAdd(tr, "block-dirty-bitmap-disable", cmdBitmapArgs(node, name));
}


void
qemuMonitorTransactionBitmapMerge(qemuMonitorTransaction *tr,
                                  const char *node,
                                  const char *target,
                                  const qemuMonitorBitmapRef *srcs,
                                  size_t nsrcs)
{
    cmdTransactionAdd(tr, "block-dirty-bitmap-merge",
                      cmdBitmapMergeArgs(node, target, srcs, nsrcs));
}


static const char *
cmdBackupSyncName(qemuMonitorBackupSync sync)
{
    switch (sync) {
    case QEMU_MONITOR_BACKUP_SYNC_NONE:
        return "none";
    case QEMU_MONITOR_BACKUP_SYNC_FULL:
        return "full";
    case QEMU_MONITOR_BACKUP_SYNC_INCREMENTAL:
        return "incremental";
    case QEMU_MONITOR_BACKUP_SYNC_TOP:
        return "top";
    case QEMU_MONITOR_BACKUP_SYNC_LAST:
        break;
    }
    return "none";
}


void
qemuMonitorTransactionBackup(qemuMonitorTransaction *tr,
                             const char *device,
                             const char *job_id,
                             const char *target,
                             qemuMonitorBackupSync sync,
                             const char *bitmap,
                             bool auto_finalize,
                             bool auto_dismiss)
{
    JsonObject *data = cmdArgsString("device", device);

    json_object_set_string_member(data, "job-id", job_id);
    json_object_set_string_member(data, "target", target);
    json_object_set_string_member(data, "sync", cmdBackupSyncName(sync));
    if (bitmap)
        json_object_set_string_member(data, "bitmap", bitmap);
    json_object_set_boolean_member(data, "auto-finalize", auto_finalize);
    json_object_set_boolean_member(data, "auto-dismiss", auto_dismiss);
    cmdTransactionAdd(tr, "blockdev-backup", data);
}


void
qemuMonitorTransactionBackupTuned(qemuMonitorTransaction *tr,
                                  const char *device,
                                  const char *job_id,
                                  const char *target,
                                  qemuMonitorBackupSync sync,
                                  const char *bitmap,
                                  bool auto_finalize,
                                  bool auto_dismiss,
                                  const qemuMonitorBackupTuning *tuning)
{
    JsonObject *data = cmdArgsString("device", device);
    JsonObject *perf = NULL;

    json_object_set_string_member(data, "job-id", job_id);
    json_object_set_string_member(data, "target", target);
    json_object_set_string_member(data, "sync", cmdBackupSyncName(sync));
    if (bitmap)
        json_object_set_string_member(data, "bitmap", bitmap);
    json_object_set_boolean_member(data, "auto-finalize", auto_finalize);
    json_object_set_boolean_member(data, "auto-dismiss", auto_dismiss);
    if (tuning && tuning->speed > 0)
        json_object_set_int_member(data, "speed", (gint64)tuning->speed);
    if (tuning && (tuning->max_workers > 0 || tuning->max_chunk > 0)) {
        perf = json_object_new();
        if (tuning->max_workers > 0)
            json_object_set_int_member(perf, "max-workers", tuning->max_workers);
        if (tuning->max_chunk > 0)
            json_object_set_int_member(perf, "max-chunk", tuning->max_chunk);
        json_object_set_object_member(data, "x-perf", perf);
    }
    cmdTransactionAdd(tr, "blockdev-backup", data);
}


bool
qemuMonitorTransactionRun(qemuMonitor *mon, qemuMonitorTransaction *tr, GError **error)
{
    g_autoptr(JsonObject) args = json_object_new();

    json_object_set_array_member(args, "actions", json_array_ref(tr->actions));
    return cmdRun(mon, "transaction", args, error);
}


bool
qemuMonitorBitmapAdd(qemuMonitor *mon,
                     const char *node,
                     const char *name,
                     bool persistent,
                     bool disabled,
                     guint64 granularity,
                     GError **error)
{
    g_autoptr(JsonObject) args = cmdBitmapAddArgs(node, name, persistent, disabled, granularity);

    return cmdRun(mon, "block-dirty-bitmap-add", args, error);
}


bool
qemuMonitorBitmapRemove(qemuMonitor *mon, const char *node, const char *name, GError **error)
{
    g_autoptr(JsonObject) args = cmdBitmapArgs(node, name);

    return cmdRun(mon, "block-dirty-bitmap-remove", args, error);
}


bool
qemuMonitorBitmapMerge(qemuMonitor *mon,
                       const char *node,
                       const char *target,
                       const qemuMonitorBitmapRef *srcs,
                       size_t nsrcs,
                       GError **error)
{
    g_autoptr(JsonObject) args = cmdBitmapMergeArgs(node, target, srcs, nsrcs);

    return cmdRun(mon, "block-dirty-bitmap-merge", args, error);
}

/* ---- NBD exports ------------------------------------------------------ */

/* nbd-server-start with SocketAddress {"type": @type, "data": @data}
 * (@data taken). */
static bool
cmdNBDServerStart(
    qemuMonitor *mon, const char *type, JsonObject *data, const char *tls_creds, GError **error)
{
    g_autoptr(JsonObject) args = json_object_new();
    JsonObject *addr = cmdArgsString("type", type);

    json_object_set_object_member(addr, "data", data);
    json_object_set_object_member(args, "addr", addr);
    if (tls_creds)
        json_object_set_string_member(args, "tls-creds", tls_creds);
    return cmdRun(mon, "nbd-server-start", args, error);
}


bool
qemuMonitorNBDServerStartUnix(qemuMonitor *mon,
                              const char *path,
                              const char *tls_creds,
                              GError **error)
{
    return cmdNBDServerStart(mon, "unix", cmdArgsString("path", path), tls_creds, error);
}


bool
qemuMonitorNBDServerStartInet(
    qemuMonitor *mon, const char *host, unsigned int port, const char *tls_creds, GError **error)
{
    JsonObject *data = cmdArgsString("host", host);
    g_autofree char *portstr = g_strdup_printf("%u", port);

    json_object_set_string_member(data, "port", portstr);
    return cmdNBDServerStart(mon, "inet", data, tls_creds, error);
}


bool
qemuMonitorNBDServerStop(qemuMonitor *mon, GError **error)
{
    return cmdRun(mon, "nbd-server-stop", NULL, error);
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
    g_autoptr(JsonObject) args = cmdArgsString("type", "nbd");

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
    return cmdRun(mon, "block-export-add", args, error);
}


bool
qemuMonitorBlockExportDel(qemuMonitor *mon, const char *id, bool hard, GError **error)
{
    g_autoptr(JsonObject) args = cmdArgsString("id", id);

    if (hard)
        json_object_set_string_member(args, "mode", "hard");
    return cmdRun(mon, "block-export-del", args, error);
}

/* ---- objects and devices ---------------------------------------------- */

bool
qemuMonitorObjectAdd(
    qemuMonitor *mon, const char *qom_type, const char *id, JsonObject *props, GError **error)
{
    g_autoptr(JsonObject) args = cmdArgsString("qom-type", qom_type);
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
    return cmdRunString(mon, "object-del", "id", id, error);
}


bool
qemuMonitorDeviceDel(qemuMonitor *mon, const char *id, GError **error)
{
    return cmdRunString(mon, "device_del", "id", id, error);
}
