/*
 * qemu_monitor_cmd_job.c: the QMP job commands and their status names
 * (see qemu_monitor_cmd.h).
 */
#define G_LOG_DOMAIN "cairn.qemu.monitor"

#include <string.h>

#include "qemu_monitor_cmd.h"
#include "qemu_monitor_cmd_priv.h"
#include "qemu_monitor_priv.h"
#include "util/cairnerror.h"
#include "util/cairnenum.h"


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
    return cairnEnumToString(jobStatusNames, G_N_ELEMENTS(jobStatusNames), status);
}


int
qemuMonitorJobStatusFromString(const char *str)
{
    return cairnEnumFromString(jobStatusNames, G_N_ELEMENTS(jobStatusNames), str);
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

    if (!obj || !qemuMonitorReplyGetString(obj, "id")) {
        qemuMonitorReplyMalformed(error, command, "job without 'id'");
        return NULL;
    }
    job = g_new0(qemuMonitorJobInfo, 1);
    job->id = g_strdup(qemuMonitorReplyGetString(obj, "id"));
    job->type = g_strdup(qemuMonitorReplyGetString(obj, "type"));
    status = qemuMonitorJobStatusFromString(qemuMonitorReplyGetString(obj, "status"));
    job->status = status < 0 ? QEMU_MONITOR_JOB_STATUS_UNDEFINED : status;
    job->current_progress = qemuMonitorReplyGetInt(obj, "current-progress", 0);
    job->total_progress = qemuMonitorReplyGetInt(obj, "total-progress", 0);
    job->error = g_strdup(qemuMonitorReplyGetString(obj, "error"));
    return job;
}


GPtrArray *
qemuMonitorParseQueryJobs(JsonNode *reply, GError **error)
{
    return qemuMonitorReplyParseArray(reply, "query-jobs", cmdParseJobInfo,
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
    return qemuMonitorCmdRunString(mon, "job-dismiss", "id", id, error);
}


bool
qemuMonitorJobFinalize(qemuMonitor *mon, const char *id, GError **error)
{
    return qemuMonitorCmdRunString(mon, "job-finalize", "id", id, error);
}


bool
qemuMonitorJobCancel(qemuMonitor *mon, const char *id, GError **error)
{
    return qemuMonitorCmdRunString(mon, "job-cancel", "id", id, error);
}


bool
qemuMonitorBlockJobCancel(qemuMonitor *mon, const char *device, bool force, GError **error)
{
    g_autoptr(JsonObject) args = qemuMonitorCmdArgsString("device", device);

    json_object_set_boolean_member(args, "force", force);
    return qemuMonitorCmdRun(mon, "block-job-cancel", args, error);
}


bool
qemuMonitorBlockJobSetSpeed(qemuMonitor *mon, const char *device, guint64 speed, GError **error)
{
    g_autoptr(JsonObject) args = qemuMonitorCmdArgsString("device", device);

    json_object_set_int_member(args, "speed", (gint64)speed);
    return qemuMonitorCmdRun(mon, "block-job-set-speed", args, error);
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

    return g_strcmp0(qemuMonitorReplyGetString(data, "id"), m->id) == 0 &&
           g_strcmp0(qemuMonitorReplyGetString(data, "status"), m->status) == 0;
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


bool
qemuMonitorBlockStream(qemuMonitor *mon,
                       const char *job_id,
                       const char *device,
                       unsigned long long speed,
                       GError **error)
{
    g_autoptr(JsonObject) args = qemuMonitorCmdArgsString("job-id", job_id);

    json_object_set_string_member(args, "device", device);
    if (speed > 0)
        json_object_set_int_member(args, "speed", (gint64)speed);
    json_object_set_boolean_member(args, "auto-finalize", TRUE);
    json_object_set_boolean_member(args, "auto-dismiss", FALSE);
    return qemuMonitorCmdRun(mon, "block-stream", args, error);
}
