/*
 * qemu_backup.c: starting a backup, and its XML (see qemu_backup.h).
 */
#include <string.h>

#include "cairn/cairn-domain-backup.h"
#include "cairn/cairn-error.h"
#include "conf/backup_job.h"
#include "conf/checkpoint_conf.h"
#include "qemu_backup.h"
#include "qemu_backup_end.h"
#include "qemu_backup_fleece.h"
#include "qemu_backup_storage.h"
#include "qemu_bitmap.h"
#include "qemu_blockhost.h"
#include "qemu_call.h"
#include "qemu_checkpoint.h"
#include "qemu_checkpoint_meta.h"
#include "qemu_command.h"
#include "qemu_job.h"
#include "qemu_monitor_cmd.h"
#include "qemu_quiesce.h"
#include "util/cairncrash.h"
#include "util/cairnerror.h"
#include "util/cairntime.h"

#define FROM CAIRN_FROM_QEMU


/* Everything one begin works with. */
typedef struct {
    qemuBackupCtx ctx;
    qemuBlockHost *host;
    GPtrArray *nodes; /* query-named-block-nodes */
    qemuBackupJob *job;
    cairnCheckpointDef *chk;    /* the checkpoint made with the backup, or NULL */
    qemuMonitorTransaction *tr; /* the one transaction */
    qemuMonitorBackupTuning tuning;
    bool direct;       /* stores opened with O_DIRECT */
    bool quiesce;      /* guest frozen around the transaction (qemu_quiesce.h) */
    bool fleecing;     /* push: fleece disks without a <scratch> too */
    char *scratch_dir; /* where generated fleecing scratch files go */
    const char *suffix;
} qemuBackupBeginData;


static void
qemuBackupBeginDataClear(qemuBackupBeginData *b)
{
    g_clear_pointer(&b->nodes, g_ptr_array_unref);
    g_clear_pointer(&b->job, qemuBackupJobFree);
    g_clear_pointer(&b->chk, cairnCheckpointDefFree);
    g_clear_pointer(&b->tr, qemuMonitorTransactionFree);
    g_clear_pointer(&b->host, qemuBlockHostFree);
    g_clear_pointer(&b->scratch_dir, g_free);
}


G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(qemuBackupBeginData, qemuBackupBeginDataClear)


/* ---- input ------------------------------------------------------------- */

/* A boolean of backup.conf: yes/no as well as GKeyFile's true/false/1/0;
 * anything else leaves @value. */
static void
qemuBackupReadBool(GKeyFile *kf, const char *group, const char *key, bool *value)
{
    g_autofree char *str = g_key_file_get_string(kf, group, key, NULL);

    if (!str)
        return;
    g_strstrip(str);
    if (!g_ascii_strcasecmp(str, "yes") || !g_ascii_strcasecmp(str, "true") ||
        g_str_equal(str, "1"))
        *value = true;
    else if (!g_ascii_strcasecmp(str, "no") || !g_ascii_strcasecmp(str, "false") ||
             g_str_equal(str, "0"))
        *value = false;
    else
        g_message("backup.conf: [%s] %s: not a boolean: '%s'", group, key, str);
}


/* One group of ROOT/etc/backup.conf over what @b holds. */
static void
qemuBackupReadGroup(qemuBackupBeginData *b, GKeyFile *kf, const char *group)
{
    qemuMonitorBackupTuning *t = &b->tuning;

    if (!g_key_file_has_group(kf, group))
        return;
    if (g_key_file_has_key(kf, group, "speed", NULL))
        t->speed = g_key_file_get_uint64(kf, group, "speed", NULL);
    if (g_key_file_has_key(kf, group, "max-workers", NULL))
        t->max_workers = g_key_file_get_int64(kf, group, "max-workers", NULL);
    if (g_key_file_has_key(kf, group, "max-chunk", NULL))
        t->max_chunk = g_key_file_get_int64(kf, group, "max-chunk", NULL);
    if (g_key_file_has_key(kf, group, "use-copy-range", NULL)) {
        bool copy_range = false;

        qemuBackupReadBool(kf, group, "use-copy-range", &copy_range);
        t->use_copy_range = copy_range;
    }
    qemuBackupReadBool(kf, group, "direct", &b->direct);
    qemuBackupReadBool(kf, group, "fleecing", &b->fleecing);
    if (g_key_file_has_key(kf, group, "scratch-dir", NULL)) {
        g_free(b->scratch_dir);
        b->scratch_dir = g_key_file_get_string(kf, group, "scratch-dir", NULL);
    }
}


/* The optional tuning file ROOT/etc/backup.conf (see qemu_backup.h):
 * [backup], then the domain's own [domain NAME]. */
static void
qemuBackupReadTuning(qemuBackupBeginData *b)
{
    g_autofree char *path = g_build_filename(b->ctx.drv->root, "etc", "backup.conf", NULL);
    g_autofree char *group = g_strdup_printf("domain %s", b->ctx.obj->name);
    g_autoptr(GKeyFile) kf = g_key_file_new();

    /* The fast defaults (bench/push-speed.sh, bench/README.md): copy
     * offloading through the page cache; the bounce-buffer copy costs QEMU
     * 9x the CPU, and O_DIRECT targets wait on every write. */
    memset(&b->tuning, 0, sizeof(b->tuning));
    b->tuning.use_copy_range = 1;
    b->direct = false;
    b->fleecing = false;
    if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, NULL))
        return;
    qemuBackupReadGroup(b, kf, "backup");
    qemuBackupReadGroup(b, kf, group);
}


/* Parse both documents; the suffix of generated file names is the new
 * checkpoint's name, else the time in seconds. */
static bool
qemuBackupParseInput(const char *backupXML,
                     const char *checkpointXML,
                     cairnBackupDef **ret_def,
                     cairnCheckpointDef **ret_chk,
                     char **ret_suffix,
                     GError **error)
{
    g_autoptr(cairnBackupDef) def = NULL;
    g_autoptr(cairnCheckpointDef) chk = NULL;

    if (!(def = cairnBackupDefParseString(backupXML, 0, error)))
        return false;
    if (checkpointXML && !(chk = cairnCheckpointDefParseString(checkpointXML, 0, error)))
        return false;
    *ret_suffix = chk ? g_strdup(chk->name) : g_strdup_printf("%lld", cairnClockNow());
    *ret_def = g_steal_pointer(&def);
    *ret_chk = g_steal_pointer(&chk);
    return true;
}


/* Alignment and the checks of spec/qemu.md 5 step 3-4, in libvirt's order. */
static bool
qemuBackupCheckDef(qemuBackupBeginData *b, cairnBackupDef *def, const char *suffix, GError **error)
{
    qemuDomainObj *obj = b->ctx.obj;

    if (!cairnBackupAlignDisks(def, qemuDomainObjGetDef(obj), suffix, error))
        return false;
    if (qemuBackupJobExists(b->ctx.drv, obj->name)) {
        cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_INVALID,
                      "another backup job is already running");
        return false;
    }
    if (!cairnBackupCheckServer(def, FROM, error) ||
        (b->chk && !qemuCheckpointPrepareNew(obj, b->chk, error)))
        return false;
    cairnBackupDefApplyDriverDefaults(def);
    if (cairnBackupDefCountParticipating(def) == 0) {
        cairnErrorSet(error, FROM, CAIRN_ERR_CONFIG_UNSUPPORTED, "no disks selected for backup");
        return false;
    }
    return true;
}


/* ---- per disk ---------------------------------------------------------- */

static bool
qemuBackupCheckStore(const cairnBackupDef *def, const cairnBackupDiskDef *disk, GError **error)
{
    const char *fmt = disk->store->format;

    if (disk->store_type != CAIRN_BACKUP_STORE_FILE) {
        cairnErrorSet(error, FROM, CAIRN_ERR_CONFIG_UNSUPPORTED,
                      "backup of disk '%s' into a block device is not supported", disk->name);
        return false;
    }
    if (disk->store->encryption_xml) {
        cairnErrorSet(error, FROM, CAIRN_ERR_CONFIG_UNSUPPORTED,
                      "encrypted backup of disk '%s' is not supported", disk->name);
        return false;
    }
    if (def->type == CAIRN_BACKUP_TYPE_PULL && g_strcmp0(fmt, "qcow2") != 0) {
        cairnErrorSet(error, FROM, CAIRN_ERR_CONFIG_UNSUPPORTED,
                      "pull mode backup for disk '%s' requires qcow2 driver", disk->name);
        return false;
    }
    if (g_strcmp0(fmt, "qcow2") != 0 && g_strcmp0(fmt, "raw") != 0) {
        cairnErrorSet(error, FROM, CAIRN_ERR_CONFIG_UNSUPPORTED,
                      "backup target format '%s' of disk '%s' is not supported", fmt, disk->name);
        return false;
    }
    return true;
}


/* An incremental disk: the checkpoint exists and its bitmap chain is
 * valid; returns the chain (borrowed nodes of b->nodes). */
static GPtrArray *
qemuBackupCheckIncremental(qemuBackupBeginData *b, const cairnBackupDiskDef *disk, GError **error)
{
    g_autoptr(GPtrArray) chain = NULL;

    if (!cairnMomentListLookup(b->ctx.obj->checkpoints, disk->incremental)) {
        /* Not "not found" when its metadata file may be one not loaded. */
        if (!qemuCheckpointCheckLoaded(b->ctx.obj, error))
            return NULL;
        cairnErrorSet(error, CAIRN_FROM_DOMAIN_CHECKPOINT, CAIRN_ERR_NO_DOMAIN_CHECKPOINT,
                      "Checkpoint '%s' for incremental backup of disk '%s' not found",
                      disk->incremental, disk->name);
        return NULL;
    }
    chain = qemuCheckpointDiskChain(b->host, b->nodes, disk->name);
    if (qemuBitmapChainCheck(chain, disk->incremental) != QEMU_BITMAP_OK) {
        cairnErrorSet(error, FROM, CAIRN_ERR_CHECKPOINT_INCONSISTENT,
                      "missing or broken bitmap '%s' for disk '%s'", disk->incremental, disk->name);
        return NULL;
    }
    return g_steal_pointer(&chain);
}


/* The temporary bitmap of an incremental disk on @node: the checkpoint's
 * bitmap merged from every layer of @chain carrying it. */
static void
qemuBackupBitmapActions(qemuBackupBeginData *b,
                        qemuBackupJobDisk *jd,
                        GPtrArray *chain,
                        const char *checkpoint,
                        const char *node)
{
    g_autoptr(GArray) srcs = g_array_new(FALSE, FALSE, sizeof(qemuMonitorBitmapRef));
    qemuMonitorBitmapInfo *top = qemuBitmapChainTop(chain, checkpoint);

    for (guint i = 0; i < chain->len; i++) {
        qemuMonitorBlockNode *layer = g_ptr_array_index(chain, i);
        qemuMonitorBitmapRef ref = { layer->node_name, checkpoint };

        if (qemuMonitorBlockNodeFindBitmap(layer, checkpoint))
            g_array_append_val(srcs, ref);
    }
    qemuMonitorTransactionBitmapAdd(b->tr, node, jd->bitmap, false, true, top->granularity);
    qemuMonitorTransactionBitmapMerge(b->tr, node, jd->bitmap,
                                      (const qemuMonitorBitmapRef *)(void *)srcs->data, srcs->len);
    jd->bitmap_node = g_strdup(node);
}


/* Push with fleecing for @disk (qemu_backup_fleece.h): its <scratch>, or
 * with fleecing=yes in backup.conf one generated in scratch-dir or beside
 * the disk's image; names of the nodes to make, all numbered @index. A
 * shut-off domain's disks are not fleeced (no guest writes). */
static bool
qemuBackupPlanFleece(qemuBackupBeginData *b,
                     cairnBackupDiskDef *disk,
                     qemuBackupJobDisk *jd,
                     unsigned int index,
                     GError **error)
{
    const cairnDomainDiskDef *domdisk =
        cairnDomainDiskByTarget(qemuDomainObjGetDef(b->ctx.obj), disk->name);
    g_autofree char *alias = NULL;

    if (b->job->def->type == CAIRN_BACKUP_TYPE_PULL || qemuBlockHostDaemonPid(b->host) > 0 ||
        (!disk->fleece && !b->fleecing))
        return true;
    if (!domdisk || !(alias = qemuCommandDiskAlias(domdisk))) {
        cairnErrorSet(error, FROM, CAIRN_ERR_CONFIG_UNSUPPORTED,
                      "disk '%s' has no device to fleece", disk->name);
        return false;
    }
    if (disk->fleece && !g_path_is_absolute(disk->fleece)) {
        cairnErrorSet(error, FROM, CAIRN_ERR_CONFIG_UNSUPPORTED,
                      "scratch '%s' of disk '%s' is not an absolute path", disk->fleece,
                      disk->name);
        return false;
    }
    if (!disk->fleece && b->scratch_dir)
        disk->fleece = g_strdup_printf("%s/%s-%s.%s.fleece", b->scratch_dir, b->ctx.obj->name,
                                       disk->name, b->suffix);
    else if (!disk->fleece)
        disk->fleece = g_strdup_printf("%s.%s.fleece", domdisk->src, b->suffix);
    jd->qdev = qemuBackupFleeceQdev(alias, domdisk->bus == CAIRN_DOMAIN_DISK_BUS_VIRTIO);
    jd->fleece_storage = g_strdup_printf("cairn-%u-fleece-storage", index);
    jd->fleece_format = g_strdup_printf("cairn-%u-fleece", index);
    jd->cbw_node = g_strdup_printf("cairn-%u-cbw", index);
    jd->access_node = g_strdup_printf("cairn-%u-access", index);
    return true;
}


/* Record one participating disk in the job and queue its actions. */
static bool
qemuBackupPrepareDisk(qemuBackupBeginData *b,
                      cairnBackupDiskDef *disk,
                      unsigned int index,
                      GError **error)
{
    bool pull = b->job->def->type == CAIRN_BACKUP_TYPE_PULL;
    bool incremental = disk->mode == CAIRN_BACKUP_DISK_MODE_INCREMENTAL;
    const char *top = qemuBlockHostTopNode(b->host, disk->name);
    g_autoptr(GPtrArray) chain = NULL;
    qemuBackupJobDisk *jd;

    if (!qemuBackupCheckStore(b->job->def, disk, error))
        return false;
    if (!top || !qemuMonitorBlockNodeFind(b->nodes, top)) {
        cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_INVALID,
                      "disk '%s' has no block node to back up", disk->name);
        return false;
    }
    if (incremental && !(chain = qemuBackupCheckIncremental(b, disk, error)))
        return false;
    disk->index = index;
    jd = qemuBackupJobAddDisk(b->job, disk->name);
    jd->top_node = g_strdup(top);
    jd->job_id = g_strdup_printf("backup-%s-%s", disk->name, top);
    if (!qemuBackupPlanFleece(b, disk, jd, index, error))
        return false;
    if (incremental) {
        g_autofree char *scratch = g_strdup_printf("cairn-%u-format", index);
        /* The job's bitmap sits on the node it reads. */
        const char *node = pull ? scratch : jd->access_node ? jd->access_node : top;

        jd->bitmap = disk->exportbitmap ? g_strdup(disk->exportbitmap) :
                                          g_strdup_printf("backup-%s", disk->name);
        qemuBackupBitmapActions(b, jd, chain, disk->incremental, node);
    }
    return true;
}


static void
qemuBackupDiskActions(qemuBackupBeginData *b)
{
    bool pull = b->job->def->type == CAIRN_BACKUP_TYPE_PULL;

    for (guint i = 0; i < b->job->disks->len; i++) {
        qemuBackupJobDisk *jd = g_ptr_array_index(b->job->disks, i);
        cairnBackupDiskDef *disk = cairnBackupDefFindDisk(b->job->def, jd->name);
        g_autofree char *store = g_strdup_printf("cairn-%u-format", disk->index);
        qemuMonitorBackupSync sync = QEMU_MONITOR_BACKUP_SYNC_FULL;
        const char *bitmap = NULL;

        if (pull) {
            sync = QEMU_MONITOR_BACKUP_SYNC_NONE;
        } else if (disk->mode == CAIRN_BACKUP_DISK_MODE_INCREMENTAL) {
            sync = QEMU_MONITOR_BACKUP_SYNC_INCREMENTAL;
            bitmap = jd->bitmap;
        }
        qemuMonitorTransactionBackupTuned(b->tr, jd->access_node ? jd->access_node : jd->top_node,
                                          jd->job_id, store, sync, bitmap, true, false, &b->tuning);
    }
}


/* The new checkpoint's bitmaps and definition go into the job record, so
 * that whoever finds the begin interrupted removes or commits them. */
static void
qemuBackupRecordCheckpoint(qemuBackupBeginData *b)
{
    if (!b->chk)
        return;
    for (guint i = 0; i < b->chk->disks->len; i++) {
        cairnCheckpointDiskDef *disk = g_ptr_array_index(b->chk->disks, i);
        const char *node = qemuBlockHostTopNode(b->host, disk->name);

        if (disk->type == CAIRN_CHECKPOINT_TYPE_BITMAP && node)
            qemuBackupJobAddCheckpointBitmap(b->job, node, disk->bitmap);
    }
    b->job->chk_xml = cairnCheckpointDefFormat(b->chk, CAIRN_CHECKPOINT_FORMAT_SECURE);
}


/* Every participating disk, then the blockdev-backup actions after all
 * bitmap actions (the checkpoint's come first). */
static bool
qemuBackupPrepareDisks(qemuBackupBeginData *b, GError **error)
{
    unsigned int index = qemuBlockHostNodeIndexes(b->host);

    b->tr = qemuMonitorTransactionNew();
    if (b->chk && !qemuCheckpointAddActions(b->host, b->chk, b->tr, error))
        return false;
    qemuBackupRecordCheckpoint(b);
    for (guint i = 0; i < b->job->def->disks->len; i++) {
        cairnBackupDiskDef *disk = g_ptr_array_index(b->job->def->disks, i);

        if (disk->backup && !qemuBackupPrepareDisk(b, disk, ++index, error))
            return false;
    }
    qemuBackupDiskActions(b);
    return true;
}


/* ---- storage, server, transaction, exports ----------------------------- */

static bool
qemuBackupSave(qemuBackupBeginData *b, GError **error)
{
    return qemuBackupJobSave(b->ctx.drv, b->ctx.obj->name, b->job, error);
}


/* The file and nodes of one store, each recorded before it is made. */
static bool
qemuBackupMakeStore(qemuBackupBeginData *b, qemuBackupJobDisk *jd, bool reuse, GError **error)
{
    cairnBackupDiskDef *disk = cairnBackupDefFindDisk(b->job->def, jd->name);
    const cairnDomainDiskDef *domdisk =
        cairnDomainDiskByTarget(qemuDomainObjGetDef(b->ctx.obj), jd->name);
    qemuMonitorBlockNode *top = qemuMonitorBlockNodeFind(b->nodes, jd->top_node);
    bool pull = b->job->def->type == CAIRN_BACKUP_TYPE_PULL;
    bool qcow2 = g_str_equal(disk->store->format, "qcow2");
    qemuBackupStoreSpec spec = {
        .store = disk->store,
        .disk = disk->name,
        .size = top->virtual_size,
        .reuse = reuse,
        .direct = b->direct,
    };

    if (pull || (qcow2 && disk->mode == CAIRN_BACKUP_DISK_MODE_INCREMENTAL)) {
        spec.backing_node = jd->top_node;
        spec.backing_file = domdisk->src;
        spec.backing_format = cairnDomainDiskFormatToString(domdisk->format);
    }
    if (!qemuBackupStoreCheckFile(&spec, error))
        return false;
    jd->created = !reuse;
    jd->store_storage = g_strdup_printf("cairn-%u-storage", disk->index);
    jd->store_format = g_strdup_printf("cairn-%u-format", disk->index);
    if (!qemuBackupSave(b, error) || !qemuBackupStoreCreateFile(&spec, jd, error))
        return false;
    cairnCrashPoint(CAIRN_CRASH_BACKUP_BEGIN_STORE_FILE);
    if (!qemuBackupStoreAttach(b->ctx.mon, &spec, jd->store_storage, jd->store_format, error))
        return false;
    cairnCrashPoint(CAIRN_CRASH_BACKUP_BEGIN_STORE_NODES);
    return true;
}


/* Fleecing step 1 for @jd: its scratch file and nodes. */
static bool
qemuBackupMakeFleece(qemuBackupBeginData *b, qemuBackupJobDisk *jd, GError **error)
{
    cairnBackupDiskDef *disk = cairnBackupDefFindDisk(b->job->def, jd->name);
    qemuMonitorBlockNode *top = qemuMonitorBlockNodeFind(b->nodes, jd->top_node);

    if (!jd->access_node)
        return true;
    jd->fleece_created = true;
    if (!qemuBackupSave(b, error) ||
        !qemuBackupFleeceCreate(b->ctx.mon, jd, disk->fleece, top->virtual_size, b->direct, error))
        return false;
    cairnCrashPoint(CAIRN_CRASH_BACKUP_BEGIN_STORE_NODES);
    return true;
}


static bool
qemuBackupSaveOpaque(void *opaque, GError **error)
{
    return qemuBackupSave(opaque, error);
}


/* Fleecing step 2 for every fleeced disk: the guest stops (recorded
 * first) so that the filters go in at the instant of the transaction;
 * qemuBackupResume() lets it go on. */
static bool
qemuBackupInsertFleece(qemuBackupBeginData *b, GError **error)
{
    bool any = false;
    bool running = false;

    for (guint i = 0; i < b->job->disks->len; i++)
        any |= ((qemuBackupJobDisk *)g_ptr_array_index(b->job->disks, i))->access_node != NULL;
    if (!any)
        return true;
    if (!qemuMonitorQueryStatus(b->ctx.mon, &running, NULL, error))
        return false;
    if (running) {
        b->job->paused = true;
        if (!qemuBackupSave(b, error) || !qemuMonitorStop(b->ctx.mon, error))
            return false;
    }
    for (guint i = 0; i < b->job->disks->len; i++) {
        qemuBackupJobDisk *jd = g_ptr_array_index(b->job->disks, i);

        if (jd->access_node &&
            !qemuBackupFleeceInsert(b->ctx.mon, jd, qemuBackupSaveOpaque, b, error))
            return false;
    }
    return true;
}


static bool
qemuBackupStartServer(qemuBackupBeginData *b, GError **error)
{
    const cairnBackupServerDef *srv = b->job->def->server;
    bool ok;

    if (b->job->def->type != CAIRN_BACKUP_TYPE_PULL)
        return true;
    if (!srv) {
        cairnErrorSet(error, FROM, CAIRN_ERR_CONFIG_UNSUPPORTED,
                      "pull mode backup needs a <server>");
        return false;
    }
    b->job->nbd_server = true;
    if (!qemuBackupSave(b, error))
        return false;
    if (srv->transport == CAIRN_BACKUP_TRANSPORT_UNIX)
        ok = qemuMonitorNBDServerStartUnix(b->ctx.mon, srv->socket, NULL, error);
    else
        ok = qemuMonitorNBDServerStartInet(b->ctx.mon, srv->name ? srv->name : "localhost",
                                           srv->port, NULL, error);
    /* A server that did not start (maybe someone else's runs) is not ours
     * to stop. */
    b->job->nbd_server = ok;
    if (ok)
        cairnCrashPoint(CAIRN_CRASH_BACKUP_BEGIN_SERVER);
    return ok;
}


static bool
qemuBackupAddExports(qemuBackupBeginData *b, GError **error)
{
    if (b->job->def->type != CAIRN_BACKUP_TYPE_PULL)
        return true;
    for (guint i = 0; i < b->job->disks->len; i++) {
        qemuBackupJobDisk *jd = g_ptr_array_index(b->job->disks, i);
        cairnBackupDiskDef *disk = cairnBackupDefFindDisk(b->job->def, jd->name);
        const char *bitmaps[] = { jd->bitmap, NULL };

        jd->export_id = g_strdup_printf("cairn-nbd-%s", jd->store_format);
        if (!qemuBackupSave(b, error) ||
            !qemuMonitorBlockExportAddNBD(b->ctx.mon, jd->export_id, jd->store_format,
                                          disk->exportname, false, jd->bitmap ? bitmaps : NULL,
                                          error))
            return false;
    }
    cairnCrashPoint(CAIRN_CRASH_BACKUP_BEGIN_EXPORTS);
    return true;
}


static bool
qemuBackupRunTransaction(qemuBackupBeginData *b, GError **error)
{
    qemuQuiesce *frozen = NULL;
    bool ok;

    if (!qemuBackupJobAdvance(b->ctx.drv, b->ctx.obj->name, b->job, CAIRN_BACKUP_PHASE_STARTING,
                              error))
        return false;
    cairnCrashPoint(CAIRN_CRASH_BACKUP_BEGIN_STARTING);
    if (b->quiesce && !(frozen = qemuQuiesceFreeze(b->ctx.drv, b->ctx.obj, b->ctx.mon, error)))
        return false;
    ok = qemuMonitorTransactionRun(b->ctx.mon, b->tr, error);
    if (!qemuQuiesceThaw(frozen, ok ? error : NULL) || !ok)
        return false;
    cairnCrashPoint(CAIRN_CRASH_BACKUP_BEGIN_TRANSACTION);
    if (!qemuBackupResume(&b->ctx, b->job, error))
        return false;
    for (guint i = 0; i < b->job->disks->len; i++) {
        qemuBackupJobDisk *jd = g_ptr_array_index(b->job->disks, i);

        cairnBackupDiskApply(cairnBackupDefFindDisk(b->job->def, jd->name), CAIRN_BACKUP_VERB_START,
                             NULL);
    }
    return qemuBackupSave(b, error);
}


/* The checkpoint made with the backup goes into the metadata, then the
 * job runs: committing is finished by whoever finds it interrupted. */
static bool
qemuBackupCommit(qemuBackupBeginData *b, GError **error)
{
    qemuDriverState *drv = b->ctx.drv;
    const char *name = b->ctx.obj->name;

    if (!qemuBackupJobAdvance(drv, name, b->job, CAIRN_BACKUP_PHASE_COMMITTING, error))
        return false;
    cairnCrashPoint(CAIRN_CRASH_BACKUP_BEGIN_COMMITTING);
    if (b->chk && !qemuCheckpointCommitNew(drv, b->ctx.obj, &b->chk, error))
        return false;
    cairnCrashPoint(CAIRN_CRASH_BACKUP_BEGIN_CHECKPOINT);
    g_clear_pointer(&b->job->chk_xml, g_free);
    return qemuBackupJobAdvance(drv, name, b->job, CAIRN_BACKUP_PHASE_RUNNING, error);
}


/* Images, server, transaction, exports, checkpoint: spec/qemu.md 5 steps
 * 7-10, each recorded in the job file before it acts
 * (hypervisor/domain_backup.h). The first record already parses. */
static bool
qemuBackupStart(qemuBackupBeginData *b, bool reuse, GError **error)
{
    b->job->reuse_external = reuse;
    b->job->start_ms = g_get_real_time() / 1000;
    if (!qemuBackupSave(b, error))
        return false;
    cairnCrashPoint(CAIRN_CRASH_BACKUP_BEGIN_RECORDED);
    for (guint i = 0; i < b->job->disks->len; i++) {
        if (!qemuBackupMakeStore(b, g_ptr_array_index(b->job->disks, i), reuse, error) ||
            !qemuBackupMakeFleece(b, g_ptr_array_index(b->job->disks, i), error))
            return false;
    }
    return qemuBackupStartServer(b, error) && qemuBackupInsertFleece(b, error) &&
           qemuBackupRunTransaction(b, error) && qemuBackupAddExports(b, error) &&
           qemuBackupCommit(b, error);
}


/* ---- entry points ------------------------------------------------------ */

/* The QEMU the job runs in: the domain's, or (shut off) a storage daemon
 * started for the job, recorded in the job so that any process finds it. */
static bool
qemuBackupOpenHost(qemuBackupBeginData *b, GError **error)
{
    if (!(b->host = qemuBlockHostOpen(b->ctx.drv, b->ctx.obj, QEMU_BLOCK_HOST_JOB, error)))
        return false;
    b->ctx.mon = qemuBlockHostMonitor(b->host);
    return true;
}


static bool
qemuBackupBeginLocked(qemuBackupBeginData *b,
                      cairnBackupDef **def,
                      const char *suffix,
                      unsigned int flags,
                      GError **error)
{
    bool busy = false;

    /* A backup that ended since anyone last looked is finished first,
     * through whichever QEMU runs it. */
    b->quiesce = flags & CAIRN_DOMAIN_BACKUP_BEGIN_QUIESCE;
    if (!qemuJobSettle(b->ctx.drv, b->ctx.obj, b->ctx.conn, &busy, error) ||
        !qemuBackupCheckDef(b, *def, suffix, error) ||
        (b->quiesce && !qemuQuiescePrecheck(b->ctx.obj, error)) || !qemuBackupOpenHost(b, error) ||
        !(b->nodes = qemuMonitorQueryNamedBlockNodes(b->ctx.mon, error)))
        return false;
    b->job = qemuBackupJobNew(g_steal_pointer(def));
    if (qemuBlockHostDaemonPid(b->host) > 0) {
        b->job->daemon_pid = qemuBlockHostDaemonPid(b->host);
        b->job->daemon_monitor = g_strdup(qemuBlockHostDaemonMonitor(b->host));
    }
    if (!qemuBackupPrepareDisks(b, error))
        return false;
    b->job->preserve_shutdown = flags & CAIRN_DOMAIN_BACKUP_BEGIN_PRESERVE_SHUTDOWN_DOMAIN;
    if (qemuBackupStart(b, flags & CAIRN_DOMAIN_BACKUP_BEGIN_REUSE_EXTERNAL, error)) {
        qemuBlockHostKeep(b->host);
        return true;
    }
    qemuBackupRollback(&b->ctx, b->job);
    return false;
}


bool
qemuBackupBeginObj(qemuDriverState *drv,
                   cairnConnect *conn,
                   qemuDomainObj *obj,
                   cairnBackupDef **def,
                   cairnCheckpointDef **chk,
                   const char *suffix,
                   unsigned int flags,
                   GError **error)
{
    g_auto(qemuBackupBeginData) b = { .ctx = { .drv = drv, .conn = conn, .obj = obj } };

    b.chk = g_steal_pointer(chk);
    b.suffix = suffix;
    qemuBackupReadTuning(&b);
    return qemuBackupBeginLocked(&b, def, suffix, flags, error);
}


bool
qemuDomainBackupBegin(cairnDomain *dom,
                      const char *backupXML,
                      const char *checkpointXML,
                      unsigned int flags,
                      GError **error)
{
    qemuDriverState *drv = qemuStateOf(dom->conn);
    g_autoptr(cairnFileLock) lock = NULL;
    g_autoptr(cairnBackupDef) def = NULL;
    g_autoptr(cairnCheckpointDef) chk = NULL;
    g_autofree char *suffix = NULL;
    qemuDomainObj *obj;
    QEMU_LOCK(drv);

    if (!cairnCheckFlags(flags,
                         CAIRN_DOMAIN_BACKUP_BEGIN_REUSE_EXTERNAL |
                             CAIRN_DOMAIN_BACKUP_BEGIN_PRESERVE_SHUTDOWN_DOMAIN |
                             CAIRN_DOMAIN_BACKUP_BEGIN_QUIESCE,
                         FROM, __func__, error) ||
        !qemuBackupParseInput(backupXML, checkpointXML, &def, &chk, &suffix, error) ||
        !(obj = qemuCallBegin(drv, dom, 0, QEMU_LOCK_TIMEOUT_MS, &lock, error)))
        return false;
    return qemuBackupBeginObj(drv, dom->conn, obj, &def, &chk, suffix, flags, error);
}


char *
qemuDomainBackupGetXMLDesc(cairnDomain *dom, unsigned int flags, GError **error)
{
    qemuDriverState *drv = qemuStateOf(dom->conn);
    g_auto(qemuJobCall) call = { 0 };
    QEMU_LOCK(drv);

    if (!cairnCheckFlags(flags, 0, FROM, __func__, error) ||
        !qemuJobCallBegin(&call, dom, QEMU_LOCK_TIMEOUT_MS, error))
        return NULL;
    if (!call.job) {
        cairnErrorSet(error, FROM, CAIRN_ERR_NO_DOMAIN_BACKUP, "no domain backup job present");
        return NULL;
    }
    return cairnBackupDefFormat(call.job->def, 0);
}
