/*
 * qemu_monitor_cmd_transaction.c: QMP transactions, the bitmap and backup
 * actions they carry, and the bitmap commands run alone (see
 * qemu_monitor_cmd.h).
 */
#define G_LOG_DOMAIN "cairn.qemu.monitor"

#include <string.h>

#include "qemu_monitor_cmd.h"
#include "qemu_monitor_cmd_priv.h"
#include "qemu_monitor_priv.h"
#include "util/cairnerror.h"
#include "util/cairnenum.h"


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
    JsonObject *data = qemuMonitorCmdArgsString("node", node);

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
    JsonObject *data = qemuMonitorCmdArgsString("node", node);
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


static const char *const backupSyncNames[] = {
    [QEMU_MONITOR_BACKUP_SYNC_NONE] = "none",
    [QEMU_MONITOR_BACKUP_SYNC_FULL] = "full",
    [QEMU_MONITOR_BACKUP_SYNC_INCREMENTAL] = "incremental",
    [QEMU_MONITOR_BACKUP_SYNC_TOP] = "top",
};
G_STATIC_ASSERT(G_N_ELEMENTS(backupSyncNames) == QEMU_MONITOR_BACKUP_SYNC_LAST);


static const char *
cmdBackupSyncName(qemuMonitorBackupSync sync)
{
    const char *name = cairnEnumToString(backupSyncNames, G_N_ELEMENTS(backupSyncNames), sync);

    return name ? name : "none";
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
    JsonObject *data = qemuMonitorCmdArgsString("device", device);

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
    JsonObject *data = qemuMonitorCmdArgsString("device", device);
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
    if (tuning &&
        (tuning->max_workers > 0 || tuning->max_chunk > 0 || tuning->use_copy_range >= 0)) {
        perf = json_object_new();
        if (tuning->use_copy_range >= 0)
            json_object_set_boolean_member(perf, "use-copy-range", tuning->use_copy_range > 0);
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
    return qemuMonitorCmdRun(mon, "transaction", args, error);
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

    return qemuMonitorCmdRun(mon, "block-dirty-bitmap-add", args, error);
}


bool
qemuMonitorBitmapRemove(qemuMonitor *mon, const char *node, const char *name, GError **error)
{
    g_autoptr(JsonObject) args = cmdBitmapArgs(node, name);

    return qemuMonitorCmdRun(mon, "block-dirty-bitmap-remove", args, error);
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

    return qemuMonitorCmdRun(mon, "block-dirty-bitmap-merge", args, error);
}
