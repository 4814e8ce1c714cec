/*
 * qemu_backup_job.c: the backup job's files under ROOT/run (see
 * qemu_backup_job.h).
 */
#include <string.h>

#include "cairn/cairn-error.h"
#include "qemu_backup_job.h"
#include "util/cairnerror.h"
#include "util/cairnfile.h"
#include "util/cairnxml.h"

#define FROM CAIRN_FROM_QEMU

/* Larger than any job document or completed record we write. */
#define QEMU_BACKUP_JOB_MAX_SIZE (4 * 1024 * 1024)


static void
qemuBackupJobDiskFree(qemuBackupJobDisk *disk)
{
    if (!disk)
        return;
    g_free(disk->name);
    g_free(disk->job_id);
    g_free(disk->top_node);
    g_free(disk->store_storage);
    g_free(disk->store_format);
    g_free(disk->bitmap);
    g_free(disk->bitmap_node);
    g_free(disk->export_id);
    g_free(disk->fleece_storage);
    g_free(disk->fleece_format);
    g_free(disk->cbw_node);
    g_free(disk->access_node);
    g_free(disk->qdev);
    g_free(disk);
}


static void
qemuBackupJobBitmapFree(qemuBackupJobBitmap *bitmap)
{
    g_free(bitmap->node);
    g_free(bitmap->name);
    g_free(bitmap);
}


void
qemuBackupJobAddCheckpointBitmap(qemuBackupJob *job, const char *node, const char *name)
{
    qemuBackupJobBitmap *bitmap = g_new0(qemuBackupJobBitmap, 1);

    bitmap->node = g_strdup(node);
    bitmap->name = g_strdup(name);
    g_ptr_array_add(job->chk_bitmaps, bitmap);
}


qemuBackupJob *
qemuBackupJobNew(cairnBackupDef *def)
{
    qemuBackupJob *job = g_new0(qemuBackupJob, 1);

    job->chk_bitmaps = g_ptr_array_new_with_free_func((GDestroyNotify)qemuBackupJobBitmapFree);
    job->def = def;
    job->disks = g_ptr_array_new_with_free_func((GDestroyNotify)qemuBackupJobDiskFree);
    job->data = cairnDomainJobDataNew(CAIRN_DOMAIN_JOB_OPERATION_BACKUP);
    return job;
}


void
qemuBackupJobFree(qemuBackupJob *job)
{
    if (!job)
        return;
    cairnBackupDefFree(job->def);
    g_free(job->daemon_monitor);
    g_free(job->chk_xml);
    g_ptr_array_unref(job->chk_bitmaps);
    g_ptr_array_unref(job->disks);
    cairnDomainJobDataFree(job->data);
    g_free(job);
}


qemuBackupJobDisk *
qemuBackupJobAddDisk(qemuBackupJob *job, const char *name)
{
    qemuBackupJobDisk *disk = g_new0(qemuBackupJobDisk, 1);

    disk->name = g_strdup(name);
    g_ptr_array_add(job->disks, disk);
    return disk;
}


qemuBackupJobDisk *
qemuBackupJobFindDisk(const qemuBackupJob *job, const char *name)
{
    for (guint i = 0; i < job->disks->len; i++) {
        qemuBackupJobDisk *disk = g_ptr_array_index(job->disks, i);

        if (g_str_equal(disk->name, name))
            return disk;
    }
    return NULL;
}


void
qemuBackupJobSetError(qemuBackupJob *job, const char *msg)
{
    if (!job->data->errmsg && msg)
        job->data->errmsg = g_strdup(msg);
}


/* ---- format ------------------------------------------------------------ */

static void
qemuBackupFormatAttr(GString *buf, const char *name, const char *value)
{
    if (!value)
        return;
    g_string_append_printf(buf, " %s='", name);
    cairnXMLEscape(buf, value, true);
    g_string_append_c(buf, '\'');
}


static void
qemuBackupFormatDisk(GString *buf, const qemuBackupJobDisk *disk)
{
    g_string_append(buf, "  <disk");
    qemuBackupFormatAttr(buf, "name", disk->name);
    qemuBackupFormatAttr(buf, "job", disk->job_id);
    qemuBackupFormatAttr(buf, "top", disk->top_node);
    qemuBackupFormatAttr(buf, "storage", disk->store_storage);
    qemuBackupFormatAttr(buf, "format", disk->store_format);
    qemuBackupFormatAttr(buf, "bitmap", disk->bitmap);
    qemuBackupFormatAttr(buf, "bitmap-node", disk->bitmap_node);
    qemuBackupFormatAttr(buf, "export", disk->export_id);
    qemuBackupFormatAttr(buf, "fleece-storage", disk->fleece_storage);
    qemuBackupFormatAttr(buf, "fleece-format", disk->fleece_format);
    qemuBackupFormatAttr(buf, "cbw", disk->cbw_node);
    qemuBackupFormatAttr(buf, "access", disk->access_node);
    qemuBackupFormatAttr(buf, "qdev", disk->qdev);
    if (disk->swapped)
        g_string_append(buf, " swapped='yes'");
    if (disk->fleece_created)
        g_string_append(buf, " fleece-created='yes'");
    g_string_append_printf(
        buf, " created='%s' total='%" G_GUINT64_FORMAT "' processed='%" G_GUINT64_FORMAT "'/>\n",
        disk->created ? "yes" : "no", disk->total, disk->processed);
}


/* @xml (a document of its own, maybe with a leading comment) inside
 * <@element>. */
static void
qemuBackupFormatEmbedded(GString *buf, const char *element, const char *xml)
{
    const char *start = strstr(xml, "<domaincheckpoint");

    g_string_append_printf(buf, "  <%s>\n%s", element, start ? start : xml);
    if (!g_str_has_suffix(buf->str, "\n"))
        g_string_append_c(buf, '\n');
    g_string_append_printf(buf, "  </%s>\n", element);
}


char *
qemuBackupJobFormat(const qemuBackupJob *job)
{
    GString *buf = g_string_new(NULL);
    g_autofree char *def = cairnBackupDefFormat(job->def, CAIRN_BACKUP_FORMAT_INTERNAL);
    g_auto(GStrv) lines = g_strsplit(def, "\n", -1);

    g_string_append_printf(buf, "<backupjob phase='%s'", cairnBackupPhaseToString(job->phase));
    if (job->phase == CAIRN_BACKUP_PHASE_TERMINATING)
        g_string_append_printf(buf, " end-type='%d'", (int)job->end_type);
    g_string_append_printf(
        buf, " start='%" G_GINT64_FORMAT "' reuse-external='%s' nbd-server='%s'%s>\n",
        job->start_ms, job->reuse_external ? "yes" : "no", job->nbd_server ? "yes" : "no",
        job->preserve_shutdown ? " preserve-shutdown='yes'" : "");
    if (job->paused) {
        g_string_truncate(buf, buf->len - 2);
        g_string_append(buf, " paused='yes'>\n");
    }
    if (job->daemon_monitor) {
        g_string_append_printf(buf, "  <storage-daemon pid='%lld'", (long long)job->daemon_pid);
        qemuBackupFormatAttr(buf, "monitor", job->daemon_monitor);
        g_string_append(buf, "/>\n");
    }
    g_string_append_printf(buf,
                           "  <stats total='%llu' processed='%llu' temp-used='%llu' "
                           "temp-total='%llu'/>\n",
                           job->data->disk_total, job->data->disk_processed, job->data->temp_used,
                           job->data->temp_total);
    cairnXMLFormatTextElement(buf, 2, "errmsg", job->data->errmsg);
    for (guint i = 0; i < job->chk_bitmaps->len; i++) {
        qemuBackupJobBitmap *bitmap = g_ptr_array_index(job->chk_bitmaps, i);

        g_string_append(buf, "  <checkpoint-bitmap");
        qemuBackupFormatAttr(buf, "node", bitmap->node);
        qemuBackupFormatAttr(buf, "name", bitmap->name);
        g_string_append(buf, "/>\n");
    }
    for (guint i = 0; i < job->disks->len; i++)
        qemuBackupFormatDisk(buf, g_ptr_array_index(job->disks, i));
    if (job->chk_xml)
        qemuBackupFormatEmbedded(buf, "newcheckpoint", job->chk_xml);
    for (guint i = 0; lines[i]; i++) {
        if (*lines[i])
            g_string_append_printf(buf, "  %s\n", lines[i]);
    }
    g_string_append(buf, "</backupjob>\n");
    return g_string_free(buf, FALSE);
}


/* ---- parse ------------------------------------------------------------- */

static bool
qemuBackupJobBad(const char *what, const char *detail, GError **error)
{
    cairnErrorSet(error, FROM, CAIRN_ERR_INTERNAL_ERROR, "malformed backup job state %s: %s", what,
                  detail);
    return false;
}


static bool
qemuBackupParseU64(const xmlNode *node,
                   const char *attr,
                   unsigned long long *ret,
                   const char *what,
                   GError **error)
{
    g_autofree char *str = cairnXMLPropString(node, attr);

    if (!str) {
        *ret = 0;
        return true;
    }
    if (!cairnXMLParseULongLong(str, ret))
        return qemuBackupJobBad(what, attr, error);
    return true;
}


static bool
qemuBackupParseYes(const xmlNode *node, const char *attr)
{
    g_autofree char *value = cairnXMLPropString(node, attr);

    return g_strcmp0(value, "yes") == 0;
}


static bool
qemuBackupParseDisk(qemuBackupJob *job, const xmlNode *node, const char *what, GError **error)
{
    g_autofree char *name = cairnXMLPropString(node, "name");
    g_autofree char *created = cairnXMLPropString(node, "created");
    unsigned long long total;
    unsigned long long processed;
    qemuBackupJobDisk *disk;

    if (!name)
        return qemuBackupJobBad(what, "disk without a name", error);
    if (!qemuBackupParseU64(node, "total", &total, what, error) ||
        !qemuBackupParseU64(node, "processed", &processed, what, error))
        return false;
    disk = qemuBackupJobAddDisk(job, name);
    disk->job_id = cairnXMLPropString(node, "job");
    disk->top_node = cairnXMLPropString(node, "top");
    disk->store_storage = cairnXMLPropString(node, "storage");
    disk->store_format = cairnXMLPropString(node, "format");
    disk->bitmap = cairnXMLPropString(node, "bitmap");
    disk->bitmap_node = cairnXMLPropString(node, "bitmap-node");
    disk->export_id = cairnXMLPropString(node, "export");
    disk->fleece_storage = cairnXMLPropString(node, "fleece-storage");
    disk->fleece_format = cairnXMLPropString(node, "fleece-format");
    disk->cbw_node = cairnXMLPropString(node, "cbw");
    disk->access_node = cairnXMLPropString(node, "access");
    disk->qdev = cairnXMLPropString(node, "qdev");
    disk->swapped = qemuBackupParseYes(node, "swapped");
    disk->fleece_created = qemuBackupParseYes(node, "fleece-created");
    disk->created = g_strcmp0(created, "yes") == 0;
    disk->total = total;
    disk->processed = processed;
    return true;
}


static bool
qemuBackupParseStats(qemuBackupJob *job, const xmlNode *root, const char *what, GError **error)
{
    xmlNode *stats = cairnXMLChild(root, "stats");
    xmlNode *errmsg = cairnXMLChild(root, "errmsg");
    cairnDomainJobData *data = job->data;

    if (stats && (!qemuBackupParseU64(stats, "total", &data->disk_total, what, error) ||
                  !qemuBackupParseU64(stats, "processed", &data->disk_processed, what, error) ||
                  !qemuBackupParseU64(stats, "temp-used", &data->temp_used, what, error) ||
                  !qemuBackupParseU64(stats, "temp-total", &data->temp_total, what, error)))
        return false;
    if (errmsg)
        data->errmsg = cairnXMLNodeText(errmsg);
    return true;
}


static bool
qemuBackupParseDaemon(qemuBackupJob *job, const xmlNode *root, const char *what, GError **error)
{
    xmlNode *node = cairnXMLChild(root, "storage-daemon");
    unsigned long long pid;

    if (!node)
        return true;
    if (!qemuBackupParseU64(node, "pid", &pid, what, error))
        return false;
    if (pid == 0 || pid > G_MAXINT32 ||
        !(job->daemon_monitor = cairnXMLPropString(node, "monitor")))
        return qemuBackupJobBad(what, "<storage-daemon> without pid or monitor", error);
    job->daemon_pid = (pid_t)pid;
    return true;
}


/* phase (absent: written before phases; see qemu_backup_job.h) and
 * end-type; *@ret_known tells whether phase was there. */
static bool
qemuBackupParsePhase(
    qemuBackupJob *job, const xmlNode *root, bool *ret_known, const char *what, GError **error)
{
    g_autofree char *phase = cairnXMLPropString(root, "phase");
    unsigned long long type;
    int p;

    *ret_known = phase != NULL;
    if (!phase)
        return true;
    if ((p = cairnBackupPhaseFromString(phase)) < 0)
        return qemuBackupJobBad(what, "unknown phase", error);
    job->phase = p;
    if (!qemuBackupParseU64(root, "end-type", &type, what, error))
        return false;
    if (p == CAIRN_BACKUP_PHASE_TERMINATING && type > CAIRN_DOMAIN_JOB_CANCELLED)
        return qemuBackupJobBad(what, "end-type", error);
    job->end_type = (cairnDomainJobType)type;
    return true;
}


static bool
qemuBackupParseCheckpoint(qemuBackupJob *job, const xmlNode *root, const char *what, GError **error)
{
    xmlNode *newchk = cairnXMLChild(root, "newcheckpoint");
    xmlNode *def = newchk ? cairnXMLChild(newchk, "domaincheckpoint") : NULL;

    for (xmlNode *cur = root->children; cur; cur = cur->next) {
        g_autofree char *node = NULL;
        g_autofree char *name = NULL;

        if (!cairnXMLNodeNameEqual(cur, "checkpoint-bitmap"))
            continue;
        node = cairnXMLPropString(cur, "node");
        name = cairnXMLPropString(cur, "name");
        if (!node || !name)
            return qemuBackupJobBad(what, "<checkpoint-bitmap> without node or name", error);
        qemuBackupJobAddCheckpointBitmap(job, node, name);
    }
    if (newchk && !def)
        return qemuBackupJobBad(what, "<newcheckpoint> without <domaincheckpoint>", error);
    if (def)
        job->chk_xml = cairnXMLFormatNodeString(def, 0);
    return true;
}


static bool
qemuBackupParseTop(
    qemuBackupJob *job, const xmlNode *root, bool *ret_phase, const char *what, GError **error)
{
    g_autofree char *reuse = cairnXMLPropString(root, "reuse-external");
    g_autofree char *nbd = cairnXMLPropString(root, "nbd-server");
    g_autofree char *preserve = cairnXMLPropString(root, "preserve-shutdown");
    unsigned long long start;

    if (!cairnXMLNodeNameEqual(root, "backupjob"))
        return qemuBackupJobBad(what, "root element is not <backupjob>", error);
    if (!qemuBackupParsePhase(job, root, ret_phase, what, error) ||
        !qemuBackupParseCheckpoint(job, root, what, error) ||
        !qemuBackupParseU64(root, "start", &start, what, error))
        return false;
    job->start_ms = (gint64)start;
    job->reuse_external = g_strcmp0(reuse, "yes") == 0;
    job->nbd_server = g_strcmp0(nbd, "yes") == 0;
    job->preserve_shutdown = g_strcmp0(preserve, "yes") == 0;
    job->paused = qemuBackupParseYes(root, "paused");
    return qemuBackupParseDaemon(job, root, what, error) &&
           qemuBackupParseStats(job, root, what, error);
}


static bool
qemuBackupJobHasUnstarted(const qemuBackupJob *job)
{
    for (guint i = 0; i < job->def->disks->len; i++) {
        const cairnBackupDiskDef *disk = g_ptr_array_index(job->def->disks, i);

        if (disk->backup && disk->state == CAIRN_BACKUP_DISK_STATE_NONE)
            return true;
    }
    return false;
}


qemuBackupJob *
qemuBackupJobParse(const char *xml, const char *what, GError **error)
{
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(qemuBackupJob) job = qemuBackupJobNew(NULL);
    g_autofree char *deftext = NULL;
    unsigned int flags = CAIRN_BACKUP_PARSE_INTERNAL;
    bool phase = false;
    xmlNode *root;
    xmlNode *defnode;

    if (!(doc = cairnXMLParseString(xml, what, FROM, error)))
        return NULL;
    root = xmlDocGetRootElement(doc);
    if (!qemuBackupParseTop(job, root, &phase, what, error))
        return NULL;
    for (xmlNode *cur = root->children; cur; cur = cur->next) {
        if (cairnXMLNodeNameEqual(cur, "disk") && !qemuBackupParseDisk(job, cur, what, error))
            return NULL;
    }
    if (!(defnode = cairnXMLChild(root, "domainbackup"))) {
        qemuBackupJobBad(what, "no <domainbackup>", error);
        return NULL;
    }
    deftext = cairnXMLFormatNodeString(defnode, 0);
    /* Disks start with the transaction: before it, they have no state. */
    if (!phase || job->phase == CAIRN_BACKUP_PHASE_BEGIN ||
        job->phase == CAIRN_BACKUP_PHASE_STARTING || job->phase == CAIRN_BACKUP_PHASE_ROLLBACK)
        flags |= CAIRN_BACKUP_PARSE_INTERNAL_UNSTARTED;
    if (!(job->def = cairnBackupDefParseString(deftext, flags, error)))
        return NULL;
    if (!phase)
        job->phase =
            qemuBackupJobHasUnstarted(job) ? CAIRN_BACKUP_PHASE_BEGIN : CAIRN_BACKUP_PHASE_RUNNING;
    return g_steal_pointer(&job);
}


/* ---- files ------------------------------------------------------------- */

bool
qemuBackupJobExists(qemuDriverState *drv, const char *name)
{
    g_autofree char *path = qemuDomainRunPath(drv, name, QEMU_BACKUP_JOB_SUFFIX);

    return g_file_test(path, G_FILE_TEST_EXISTS);
}


bool
qemuBackupJobLoad(qemuDriverState *drv, const char *name, qemuBackupJob **ret_job, GError **error)
{
    g_autofree char *path = qemuDomainRunPath(drv, name, QEMU_BACKUP_JOB_SUFFIX);
    g_autofree char *text = NULL;

    if (!cairnFileReadOptional(path, QEMU_BACKUP_JOB_MAX_SIZE, &text, error))
        return false;
    if (!text) {
        *ret_job = NULL;
        return true;
    }
    return (*ret_job = qemuBackupJobParse(text, path, error)) != NULL;
}


bool
qemuBackupJobSave(qemuDriverState *drv, const char *name, const qemuBackupJob *job, GError **error)
{
    g_autofree char *path = qemuDomainRunPath(drv, name, QEMU_BACKUP_JOB_SUFFIX);
    g_autofree char *text = qemuBackupJobFormat(job);

    return cairnFileWriteAtomic(path, text, -1, 0600, error);
}


bool
qemuBackupJobAdvance(qemuDriverState *drv,
                     const char *name,
                     qemuBackupJob *job,
                     cairnBackupPhase next,
                     GError **error)
{
    return cairnBackupPhaseAdvance(&job->phase, next, error) &&
           qemuBackupJobSave(drv, name, job, error);
}


bool
qemuBackupJobRemove(qemuDriverState *drv, const char *name, GError **error)
{
    g_autofree char *path = qemuDomainRunPath(drv, name, QEMU_BACKUP_JOB_SUFFIX);

    return cairnFileRemove(path, true, error);
}


bool
qemuBackupCompletedLoad(qemuDriverState *drv,
                        const char *name,
                        cairnDomainJobData **ret_data,
                        GError **error)
{
    g_autofree char *path = qemuDomainRunPath(drv, name, ".job-completed");
    g_autofree char *text = NULL;
    g_autoptr(GVariant) value = NULL;
    g_autoptr(GError) perr = NULL;

    *ret_data = NULL;
    if (!cairnFileReadOptional(path, QEMU_BACKUP_JOB_MAX_SIZE, &text, error))
        return false;
    if (!text)
        return true;
    if (!(value = g_variant_parse(NULL, text, NULL, NULL, &perr))) {
        qemuBackupJobBad(path, perr->message, error);
        return false;
    }
    return (*ret_data = cairnDomainJobDataFromVariant(value, error)) != NULL;
}


bool
qemuBackupCompletedSave(qemuDriverState *drv,
                        const char *name,
                        const cairnDomainJobData *data,
                        GError **error)
{
    g_autofree char *path = qemuDomainRunPath(drv, name, ".job-completed");
    g_autoptr(GVariant) value = g_variant_ref_sink(cairnDomainJobDataToVariant(data));
    g_autofree char *text = g_variant_print(value, TRUE);

    return cairnFileWriteAtomic(path, text, -1, 0600, error);
}


bool
qemuBackupCompletedRemove(qemuDriverState *drv, const char *name, GError **error)
{
    g_autofree char *path = qemuDomainRunPath(drv, name, ".job-completed");

    return cairnFileRemove(path, true, error);
}
