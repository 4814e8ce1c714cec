/*
 * qemu_monitor_cmd.h: one small typed wrapper per QMP command Cairn uses.
 * This is the only place QMP commands and their arguments are built
 * (json-glib objects, never text); query results the driver needs are
 * parsed into small structs with free functions.
 *
 * Every wrapper is synchronous (it iterates the monitor's GMainContext,
 * see qemu_monitor.h), uses the monitor's command timeout, and on failure
 * returns false/NULL with exactly one GError whose text is the monitor's
 * (e.g. "operation failed: QEMU command 'blockdev-del' failed: ...").
 * String arguments are borrowed.
 */
#pragma once

#include <stdbool.h>
#include <glib.h>
#include <json-glib/json-glib.h>

#include "qemu_monitor.h"

/* ---- protocol and VM state -------------------------------------------- */


/* query-status: *@ret_running and *@ret_status (QEMU's RunState string,
 * e.g. "running", "paused", "prelaunch"; caller frees). Either may be
 * NULL. */
bool qemuMonitorQueryStatus(qemuMonitor *mon, bool *ret_running, char **ret_status, GError **error);

bool qemuMonitorCont(qemuMonitor *mon, GError **error);
bool qemuMonitorStop(qemuMonitor *mon, GError **error);
/* qom-set of a string property, e.g. a disk device's "drive" to a node
 * name (re-attaching the device to another node while it runs). */
bool qemuMonitorQomSetString(
    qemuMonitor *mon, const char *path, const char *property, const char *value, GError **error);
/* quit: returns once QEMU acknowledged; QEMU then closes the monitor. */
bool qemuMonitorQuit(qemuMonitor *mon, GError **error);
bool qemuMonitorSystemPowerdown(qemuMonitor *mon, GError **error);
bool qemuMonitorSystemReset(qemuMonitor *mon, GError **error);

/* query-chardev: *@ret_open is whether the guest side of chardev @label
 * is open ("frontend-open"; for a virtio-serial port: a guest program has
 * it open). CAIRN_ERR_INTERNAL_ERROR when QEMU has no chardev @label. */
bool
qemuMonitorQueryChardevOpen(qemuMonitor *mon, const char *label, bool *ret_open, GError **error);

/* human-monitor-command: the HMP output text (caller frees; may be ""). */
char *qemuMonitorHumanCommand(qemuMonitor *mon, const char *command_line, GError **error);

/* query-qmp-schema: the raw reply (an array of SchemaInfo; new reference). */
JsonNode *qemuMonitorQueryQmpSchema(qemuMonitor *mon, GError **error);

/* query-version. @ret_package (caller frees) may be NULL. */
bool qemuMonitorQueryVersion(qemuMonitor *mon,
                             int *ret_major,
                             int *ret_minor,
                             int *ret_micro,
                             char **ret_package,
                             GError **error);

/* ---- block devices ---------------------------------------------------- */

/* One entry of query-block. */
typedef struct _qemuMonitorBlockInfo qemuMonitorBlockInfo;
struct _qemuMonitorBlockInfo {
    char *device;    /* may be "" with -blockdev */
    char *qdev;      /* QOM path or id of the device; NULL if none */
    char *node_name; /* "inserted" medium's node name; NULL if no medium */
    char *drv;       /* "inserted" medium's driver; NULL if no medium */
    char *file;      /* "inserted" medium's file; NULL if no medium */
    bool removable;
    bool locked;
};
void qemuMonitorBlockInfoFree(qemuMonitorBlockInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(qemuMonitorBlockInfo, qemuMonitorBlockInfoFree)

/* query-block: array of qemuMonitorBlockInfo (owns its elements). */
GPtrArray *qemuMonitorQueryBlock(qemuMonitor *mon, GError **error);

/* One dirty bitmap of a node. */
typedef struct _qemuMonitorBitmapInfo qemuMonitorBitmapInfo;
struct _qemuMonitorBitmapInfo {
    char *name;
    bool recording;
    bool persistent;
    bool inconsistent;
    bool busy;
    guint64 granularity; /* bytes per bit */
    guint64 count;       /* dirty bytes */
};
void qemuMonitorBitmapInfoFree(qemuMonitorBitmapInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(qemuMonitorBitmapInfo, qemuMonitorBitmapInfoFree)

/* One node of query-named-block-nodes (flat). */
typedef struct _qemuMonitorBlockNode qemuMonitorBlockNode;
struct _qemuMonitorBlockNode {
    char *node_name;
    char *drv;  /* "qcow2", "raw", "file", ... */
    char *file; /* the node's filename as QEMU shows it */
    bool ro;
    char *backing_file;     /* the image's backing file name; NULL if none */
    int backing_file_depth; /* QEMU's backing_file_depth; always 0 with flat=true */
    char *image_filename;   /* image.filename */
    char *image_format;     /* image.format */
    guint64 virtual_size;   /* image.virtual-size, bytes */
    guint64 actual_size;    /* image.actual-size, 0 if unknown */
    GPtrArray *bitmaps;     /* qemuMonitorBitmapInfo, never NULL */
};
void qemuMonitorBlockNodeFree(qemuMonitorBlockNode *node);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(qemuMonitorBlockNode, qemuMonitorBlockNodeFree)

/* query-named-block-nodes with flat=true: array of qemuMonitorBlockNode
 * (owns its elements). Flat nodes carry no link to their backing node:
 * the caller walks a chain by the node names it gave each layer. */
GPtrArray *qemuMonitorQueryNamedBlockNodes(qemuMonitor *mon, GError **error);

/* Lookups in the result above (borrowed; NULL when absent). */
qemuMonitorBlockNode *qemuMonitorBlockNodeFind(GPtrArray *nodes, const char *node_name);
qemuMonitorBitmapInfo *qemuMonitorBlockNodeFindBitmap(qemuMonitorBlockNode *node, const char *name);

/* blockdev-add with @props, the BlockdevOptions the caller built (a
 * reference is taken; not modified). */
bool qemuMonitorBlockdevAdd(qemuMonitor *mon, JsonObject *props, GError **error);
bool qemuMonitorBlockdevDel(qemuMonitor *mon, const char *node_name, GError **error);

/* blockdev-reopen of the nodes in @options (BlockdevOptions objects, each
 * complete: what is left out returns to its default) in one transaction;
 * a reference is taken. */
bool qemuMonitorBlockdevReopen(qemuMonitor *mon, JsonArray *options, GError **error);

/* blockdev-create job @job_id with @options (BlockdevCreateOptions; a
 * reference is taken). Returns once the job is started. */
bool qemuMonitorBlockdevCreate(qemuMonitor *mon,
                               const char *job_id,
                               JsonObject *options,
                               GError **error);

/* blockdev-create, then wait (up to @timeout_ms) for the job to conclude
 * (JOB_STATUS_CHANGE), read its result with query-jobs and dismiss it.
 * Fails with the job's error text if the job failed. */
bool qemuMonitorBlockdevCreateWait(
    qemuMonitor *mon, const char *job_id, JsonObject *options, int timeout_ms, GError **error);

/* ---- jobs ------------------------------------------------------------- */

typedef enum {
    QEMU_MONITOR_JOB_STATUS_UNDEFINED = 0,
    QEMU_MONITOR_JOB_STATUS_CREATED,
    QEMU_MONITOR_JOB_STATUS_RUNNING,
    QEMU_MONITOR_JOB_STATUS_PAUSED,
    QEMU_MONITOR_JOB_STATUS_READY,
    QEMU_MONITOR_JOB_STATUS_STANDBY,
    QEMU_MONITOR_JOB_STATUS_WAITING,
    QEMU_MONITOR_JOB_STATUS_PENDING,
    QEMU_MONITOR_JOB_STATUS_ABORTING,
    QEMU_MONITOR_JOB_STATUS_CONCLUDED,
    QEMU_MONITOR_JOB_STATUS_NULL,

    QEMU_MONITOR_JOB_STATUS_LAST
} qemuMonitorJobStatus;

/* QEMU's name of @status, or NULL if out of range. */
const char *qemuMonitorJobStatusToString(qemuMonitorJobStatus status);
/* The status named @str, or -1. */
int qemuMonitorJobStatusFromString(const char *str);

/* One entry of query-jobs. */
typedef struct _qemuMonitorJobInfo qemuMonitorJobInfo;
struct _qemuMonitorJobInfo {
    char *id;
    char *type;                  /* "backup", "create", ... */
    qemuMonitorJobStatus status; /* UNDEFINED for a status this code does not know */
    gint64 current_progress;
    gint64 total_progress;
    char *error; /* NULL unless the job failed */
};
void qemuMonitorJobInfoFree(qemuMonitorJobInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(qemuMonitorJobInfo, qemuMonitorJobInfoFree)

/* query-jobs: array of qemuMonitorJobInfo (owns its elements). */
GPtrArray *qemuMonitorQueryJobs(qemuMonitor *mon, GError **error);
qemuMonitorJobInfo *qemuMonitorJobInfoFind(GPtrArray *jobs, const char *id);

bool qemuMonitorJobDismiss(qemuMonitor *mon, const char *id, GError **error);
bool qemuMonitorJobFinalize(qemuMonitor *mon, const char *id, GError **error);
bool qemuMonitorJobCancel(qemuMonitor *mon, const char *id, GError **error);
/* block-job-cancel {"device": @device, "force": @force}. */
bool qemuMonitorBlockJobCancel(qemuMonitor *mon, const char *device, bool force, GError **error);
/* block-job-set-speed: @speed bytes/s, 0 no limit. */
bool
qemuMonitorBlockJobSetSpeed(qemuMonitor *mon, const char *device, guint64 speed, GError **error);

/* block-stream of the whole backing chain of node @device into it, as job
 * @job_id, @speed bytes/s (0: unlimited), auto-dismiss off: the concluded
 * job stays in query-jobs, with its error, until job-dismiss. */
bool qemuMonitorBlockStream(qemuMonitor *mon,
                            const char *job_id,
                            const char *device,
                            unsigned long long speed,
                            GError **error);

/* A waiter (see qemu_monitor.h) for JOB_STATUS_CHANGE of job @id
 * reaching @status. Create it before the command that starts the job. */
qemuMonitorEventWaiter *
qemuMonitorJobWaiterNew(qemuMonitor *mon, const char *id, qemuMonitorJobStatus status);

/* ---- transactions ----------------------------------------------------- */

/* A list of transaction actions, appended to by the builders below and
 * sent as one atomic `transaction` command. */
typedef struct _qemuMonitorTransaction qemuMonitorTransaction;
qemuMonitorTransaction *qemuMonitorTransactionNew(void);
void qemuMonitorTransactionFree(qemuMonitorTransaction *tr);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(qemuMonitorTransaction, qemuMonitorTransactionFree)

/* Number of actions. */
guint qemuMonitorTransactionCount(qemuMonitorTransaction *tr);

/* Append copies of all of @src's actions to @dst. */
void qemuMonitorTransactionAppend(qemuMonitorTransaction *dst, qemuMonitorTransaction *src);

/* block-dirty-bitmap-add; @granularity 0 = QEMU's default (omitted). */
void qemuMonitorTransactionBitmapAdd(qemuMonitorTransaction *tr,
                                     const char *node,
                                     const char *name,
                                     bool persistent,
                                     bool disabled,
                                     guint64 granularity);
void
qemuMonitorTransactionBitmapRemove(qemuMonitorTransaction *tr, const char *node, const char *name);
void
qemuMonitorTransactionBitmapClear(qemuMonitorTransaction *tr, const char *node, const char *name);
void
qemuMonitorTransactionBitmapEnable(qemuMonitorTransaction *tr, const char *node, const char *name);
void
qemuMonitorTransactionBitmapDisable(qemuMonitorTransaction *tr, const char *node, const char *name);

/* A source of a bitmap merge: bitmap @name on node @node. */
typedef struct {
    const char *node;
    const char *name;
} qemuMonitorBitmapRef;

/* block-dirty-bitmap-merge of @nsrcs bitmaps @srcs into @target on @node. */
void qemuMonitorTransactionBitmapMerge(qemuMonitorTransaction *tr,
                                       const char *node,
                                       const char *target,
                                       const qemuMonitorBitmapRef *srcs,
                                       size_t nsrcs);

typedef enum {
    QEMU_MONITOR_BACKUP_SYNC_NONE = 0,
    QEMU_MONITOR_BACKUP_SYNC_FULL,
    QEMU_MONITOR_BACKUP_SYNC_INCREMENTAL,
    QEMU_MONITOR_BACKUP_SYNC_TOP,

    QEMU_MONITOR_BACKUP_SYNC_LAST
} qemuMonitorBackupSync;

/* blockdev-backup of node @device into node @target as job @job_id;
 * @bitmap (may be NULL) is sent only when given. */
void qemuMonitorTransactionBackup(qemuMonitorTransaction *tr,
                                  const char *device,
                                  const char *job_id,
                                  const char *target,
                                  qemuMonitorBackupSync sync,
                                  const char *bitmap,
                                  bool auto_finalize,
                                  bool auto_dismiss);

/* Optional knobs of blockdev-backup: "speed" (bytes per second) and the
 * experimental "x-perf" members; 0 = omitted (QEMU's default). */
typedef struct {
    guint64 speed;
    gint64 max_workers;
    gint64 max_chunk;
    int use_copy_range; /* x-perf.use-copy-range: -1 omitted, else 0/1 */
} qemuMonitorBackupTuning;

/* As qemuMonitorTransactionBackup(), with @tuning (may be NULL). */
void qemuMonitorTransactionBackupTuned(qemuMonitorTransaction *tr,
                                       const char *device,
                                       const char *job_id,
                                       const char *target,
                                       qemuMonitorBackupSync sync,
                                       const char *bitmap,
                                       bool auto_finalize,
                                       bool auto_dismiss,
                                       const qemuMonitorBackupTuning *tuning);

/* Send `transaction` with all actions of @tr (an empty list is sent too). */
bool qemuMonitorTransactionRun(qemuMonitor *mon, qemuMonitorTransaction *tr, GError **error);

/* The same bitmap operations as plain commands. */
bool qemuMonitorBitmapAdd(qemuMonitor *mon,
                          const char *node,
                          const char *name,
                          bool persistent,
                          bool disabled,
                          guint64 granularity,
                          GError **error);
bool qemuMonitorBitmapRemove(qemuMonitor *mon, const char *node, const char *name, GError **error);
bool qemuMonitorBitmapMerge(qemuMonitor *mon,
                            const char *node,
                            const char *target,
                            const qemuMonitorBitmapRef *srcs,
                            size_t nsrcs,
                            GError **error);

/* ---- NBD exports ------------------------------------------------------ */

/* nbd-server-start on a unix socket at @path / on @host:@port;
 * @tls_creds (id of a tls-creds object) may be NULL. */
bool qemuMonitorNBDServerStartUnix(qemuMonitor *mon,
                                   const char *path,
                                   const char *tls_creds,
                                   GError **error);
bool qemuMonitorNBDServerStartInet(
    qemuMonitor *mon, const char *host, unsigned int port, const char *tls_creds, GError **error);
bool qemuMonitorNBDServerStop(qemuMonitor *mon, GError **error);

/* block-export-add of type nbd: export @id of node @node_name under
 * @export_name (NULL: QEMU uses the node name), read-only unless
 * @writable, with the dirty bitmaps named in the NULL-terminated
 * @bitmaps (may be NULL). */
bool qemuMonitorBlockExportAddNBD(qemuMonitor *mon,
                                  const char *id,
                                  const char *node_name,
                                  const char *export_name,
                                  bool writable,
                                  const char *const *bitmaps,
                                  GError **error);
/* block-export-del; @hard: mode "hard" (drop connected clients). */
bool qemuMonitorBlockExportDel(qemuMonitor *mon, const char *id, bool hard, GError **error);

/* ---- objects and devices ---------------------------------------------- */

/* object-add of type @qom_type with @id and the properties in @props
 * (may be NULL; a reference is taken, not modified). The arguments of a
 * "secret" object are never logged. */
bool qemuMonitorObjectAdd(
    qemuMonitor *mon, const char *qom_type, const char *id, JsonObject *props, GError **error);
bool qemuMonitorObjectDel(qemuMonitor *mon, const char *id, GError **error);
bool qemuMonitorDeviceDel(qemuMonitor *mon, const char *id, GError **error);
