/*
 * cmd_backup.c: backup and job commands, virsh-compatible: backup-begin,
 * backup-dumpxml (tools/virsh-backup.c), domjobinfo, domjobabort
 * (tools/virsh-domain.c); beyond virsh, domjobinfo --wait [--progress]
 * follows a job until it ends, and backup-begin --quiesce freezes the
 * guest's filesystems while the backup starts.
 */
#include <stdio.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xpath.h>

#include "cmd_backup.h"
#include "cmd_blockjob.h"
#include "util/cairnenum.h"

/* How often domjobinfo --wait looks at the job, ms: at most every
 * JOB_POLL_MS, and more often as the job nears its end (half the time it
 * should still take at the rate seen so far, not below JOB_POLL_MIN_MS),
 * so that the end is noticed soon after it and a long job is not asked
 * more often than before. */
#define JOB_POLL_MS 100
#define JOB_POLL_MIN_MS 10


/* ---- backup-begin ---- */

static const shellOptDef opts_backup_begin[] = {
    SHELL_OPT_DOMAIN,
    { .name = "backupxml", .type = SHELL_OT_STRING, .help = "domain backup XML" },
    { .name = "checkpointxml", .type = SHELL_OT_STRING, .help = "domain checkpoint XML" },
    { .name = "reuse-external", .type = SHELL_OT_BOOL, .help = "reuse files provided by caller" },
    { .name = "preserve-domain-on-shutdown",
      .type = SHELL_OT_BOOL,
      .help = "domain is kept paused on guest-initiated shutdown until the backup ends" },
    { .name = "quiesce",
      .type = SHELL_OT_BOOL,
      .help = "quiesce guest's file systems while the backup starts" },
    { .name = "bandwidth",
      .type = SHELL_OT_STRING,
      .help = "rate limit of each disk's copy, MiB/s (Cairn)" },
    { .name = NULL }
};


/* The participating disks of the running backup, from its XML. */
static GPtrArray *
backupDisks(shellControl *ctl, cairnDomainPtr dom)
{
    g_autofree char *xml = cairnDomainBackupGetXMLDesc(dom, 0);
    g_autoptr(GPtrArray) disks = g_ptr_array_new_with_free_func(g_free);
    xmlDocPtr doc;
    xmlXPathContextPtr xpctxt;
    xmlXPathObjectPtr obj;

    if (!xml) {
        shellSaveError(ctl);
        return NULL;
    }
    if (!(doc = xmlReadMemory(xml, (int)strlen(xml), "backup.xml", NULL, XML_PARSE_NONET))) {
        shellError(ctl, "cannot parse the backup's XML");
        return NULL;
    }
    xpctxt = xmlXPathNewContext(doc);
    obj = xmlXPathEval(BAD_CAST "/domainbackup/disks/disk[not(@backup='no')]/@name", xpctxt);
    for (int i = 0; obj && obj->nodesetval && i < obj->nodesetval->nodeNr; i++) {
        xmlChar *name = xmlNodeGetContent(obj->nodesetval->nodeTab[i]);

        g_ptr_array_add(disks, g_strdup((const char *)name));
        xmlFree(name);
    }
    xmlXPathFreeObject(obj);
    xmlXPathFreeContext(xpctxt);
    xmlFreeDoc(doc);
    return g_steal_pointer(&disks);
}


/* Beyond virsh: backup-begin --bandwidth sets every disk's limit right
 * after the start, as blockjob --bandwidth would one by one. */
static bool
backupSetBandwidth(shellControl *ctl, cairnDomainPtr dom, unsigned long bandwidth)
{
    g_autoptr(GPtrArray) disks = backupDisks(ctl, dom);

    if (!disks)
        return false;
    for (guint i = 0; i < disks->len; i++) {
        if (cairnDomainBlockJobSetSpeed(dom, g_ptr_array_index(disks, i), bandwidth, 0) < 0)
            return shellSaveError(ctl);
    }
    return true;
}


static bool
cmdBackupBegin(shellControl *ctl, const shellCmd *cmd)
{
    g_autoptr(shellDomain) dom = NULL;
    g_autofree char *backup = NULL;
    g_autofree char *checkpoint = NULL;
    const char *backup_from = NULL;
    const char *checkpoint_from = NULL;
    unsigned int flags = 0;
    unsigned long bandwidth = 0;
    bool limit = false;

    if (shellOptBool(cmd, "reuse-external"))
        flags |= CAIRN_DOMAIN_BACKUP_BEGIN_REUSE_EXTERNAL;
    if (shellOptBool(cmd, "preserve-domain-on-shutdown"))
        flags |= CAIRN_DOMAIN_BACKUP_BEGIN_PRESERVE_SHUTDOWN_DOMAIN;
    if (shellOptBool(cmd, "quiesce"))
        flags |= CAIRN_DOMAIN_BACKUP_BEGIN_QUIESCE;
    if (!blockJobOptBandwidth(ctl, cmd, &bandwidth, &limit) ||
        shellOptString(ctl, cmd, "backupxml", &backup_from) < 0 ||
        shellOptString(ctl, cmd, "checkpointxml", &checkpoint_from) < 0)
        return false;
    if (!(dom = shellCommandOptDomain(ctl, cmd, NULL)))
        return false;
    if (!backup_from)
        backup = g_strdup("<domainbackup/>");
    else if (!(backup = shellReadFile(ctl, backup_from)))
        return false;
    if (checkpoint_from && !(checkpoint = shellReadFile(ctl, checkpoint_from)))
        return false;
    if (cairnDomainBackupBegin(dom, backup, checkpoint, flags) < 0) {
        if (cairnGetLastErrorCode() != CAIRN_ERR_CHECKPOINT_INCONSISTENT)
            return shellSaveError(ctl);
        /* A broken bitmap chain: say how to get incremental backups back. */
        shellSaveError(ctl);
        shellReportError(ctl);
        fprintf(
            stderr,
            "hint: that checkpoint's bitmaps are unusable (QEMU stopped without saving them,\n"
            "      or they were removed); 'checkpoint-validate %s --repair' removes the broken\n"
            "      checkpoints, then a full backup with a new checkpoint starts a new chain\n",
            cairnDomainGetName(dom));
        return false;
    }
    if (limit && !backupSetBandwidth(ctl, dom, bandwidth))
        return false;
    shellPrint(ctl, "Backup started\n");
    return true;
}


/* ---- backup-dumpxml ---- */

static const shellOptDef opts_backup_dumpxml[] = { SHELL_OPT_DOMAIN,
                                                   SHELL_OPTS_XPATH,
                                                   { .name = NULL } };


static bool
cmdBackupDumpXML(shellControl *ctl, const shellCmd *cmd)
{
    g_autoptr(shellDomain) dom = NULL;
    g_autofree char *xml = NULL;
    const char *xpath = NULL;

    if (shellOptString(ctl, cmd, "xpath", &xpath) < 0)
        return false;
    if (!(dom = shellCommandOptDomain(ctl, cmd, NULL)))
        return false;
    if (!(xml = cairnDomainBackupGetXMLDesc(dom, 0)))
        return shellSaveError(ctl);
    return shellDumpXML(ctl, xml, xpath, shellOptBool(cmd, "wrap"));
}


/* ---- domjobinfo ---- */

static const char *const jobTypeNames[] = {
    "None", "Bounded", "Unbounded", "Completed", "Failed", "Cancelled",
};

static const char *const jobOperationNames[] = {
    "Unknown",  "Start",           "Save", "Restore", "Incoming migration", "Outgoing migration",
    "Snapshot", "Snapshot revert", "Dump", "Backup",  "Snapshot delete",
};


static const char *
jobTypeToString(int type)
{
    const char *name = cairnEnumToString(jobTypeNames, G_N_ELEMENTS(jobTypeNames), type);

    return name ? name : "unknown";
}


static const char *
jobOperationToString(int op)
{
    const char *name = cairnEnumToString(jobOperationNames, G_N_ELEMENTS(jobOperationNames), op);

    return name ? name : "unknown";
}


/* virsh's vshPrettyCapacity. */
static double
prettyCapacity(unsigned long long val, const char **unit)
{
    static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
    double value = (double)val;
    size_t i = 0;

    while (i + 1 < G_N_ELEMENTS(units) && value >= 1024.0) {
        value /= 1024.0;
        i++;
    }
    *unit = units[i];
    return value;
}


/* virsh's virTypedParameterToString. */
static void
printCapacity(shellControl *ctl, const char *label, unsigned long long bytes)
{
    const char *unit;
    double val = prettyCapacity(bytes, &unit);

    shellPrint(ctl, "%-17s %-.3lf %s\n", label, val, unit);
}


static void
printDiskStats(shellControl *ctl, cairnTypedParameterPtr params, int n)
{
    unsigned long long total = 0, processed = 0, remaining = 0, value = 0;
    const char *errmsg = NULL;

    cairnTypedParamsGetULLong(params, n, CAIRN_DOMAIN_JOB_DISK_TOTAL, &total);
    cairnTypedParamsGetULLong(params, n, CAIRN_DOMAIN_JOB_DISK_PROCESSED, &processed);
    cairnTypedParamsGetULLong(params, n, CAIRN_DOMAIN_JOB_DISK_REMAINING, &remaining);
    if (total || processed || remaining) {
        printCapacity(ctl, "File processed:", processed);
        printCapacity(ctl, "File remaining:", remaining);
        printCapacity(ctl, "File total:", total);
    }
    if (cairnTypedParamsGetULLong(params, n, CAIRN_DOMAIN_JOB_DISK_TEMP_USED, &value) == 1)
        printCapacity(ctl, "Temporary disk space use:", value);
    if (cairnTypedParamsGetULLong(params, n, CAIRN_DOMAIN_JOB_DISK_TEMP_TOTAL, &value) == 1)
        printCapacity(ctl, "Temporary disk space total:", value);
    if (cairnTypedParamsGetString(params, n, CAIRN_DOMAIN_JOB_ERRMSG, &errmsg) == 1)
        shellPrint(ctl, "%-17s %s\n", "Error message:", errmsg);
}


static void
printJobStats(shellControl *ctl,
              int type,
              cairnTypedParameterPtr params,
              int n,
              bool completed,
              bool anystats)
{
    unsigned long long elapsed = 0;
    int op = 0;

    shellPrint(ctl, "%-17s %-12s\n", "Job type:", jobTypeToString(type));
    if (type == CAIRN_DOMAIN_JOB_NONE)
        return;
    cairnTypedParamsGetInt(params, n, CAIRN_DOMAIN_JOB_OPERATION, &op);
    shellPrint(ctl, "%-17s %-12s\n", "Operation:", jobOperationToString(op));
    if (!anystats && type != CAIRN_DOMAIN_JOB_BOUNDED && type != CAIRN_DOMAIN_JOB_UNBOUNDED &&
        !(completed && type == CAIRN_DOMAIN_JOB_COMPLETED))
        return;
    cairnTypedParamsGetULLong(params, n, CAIRN_DOMAIN_JOB_TIME_ELAPSED, &elapsed);
    shellPrint(ctl, "%-17s %-12llu ms\n", "Time elapsed:", elapsed);
    printDiskStats(ctl, params, n);
}


static void
printRawStats(shellControl *ctl, int type, cairnTypedParameterPtr params, int n)
{
    shellPrint(ctl, "Job type: %d\n\n", type);
    for (int i = 0; i < n; i++) {
        g_autofree char *value = shellTypedParamText(&params[i]);

        shellPrint(ctl, "%s: %s\n", params[i].field, value ? value : "?");
    }
}


/* The job's progress in percent: bytes copied for a push backup; 0 when
 * nothing tells. */
static int
jobProgress(cairnTypedParameterPtr params, int n)
{
    unsigned long long total = 0, processed = 0;

    cairnTypedParamsGetULLong(params, n, CAIRN_DOMAIN_JOB_DISK_TOTAL, &total);
    cairnTypedParamsGetULLong(params, n, CAIRN_DOMAIN_JOB_DISK_PROCESSED, &processed);
    return total ? (int)(processed * 100 / total) : 0;
}


typedef struct {
    shellControl *ctl;
    cairnDomainPtr dom;
    GMainLoop *loop;
    bool progress;
    bool ok;
    bool done;                     /* the job ended or could not be read */
    gint64 first_us;               /* when progress was first seen */
    unsigned long long first_done; /* bytes done then */
} jobWait;


/* The next poll's delay in ms, from the job's progress (see JOB_POLL_MS). */
static guint
jobWaitDelay(jobWait *w, cairnTypedParameterPtr params, int n)
{
    unsigned long long total = 0, done = 0, remaining;
    gint64 now = g_get_monotonic_time();
    double rate;
    double left_ms;

    cairnTypedParamsGetULLong(params, n, CAIRN_DOMAIN_JOB_DISK_TOTAL, &total);
    cairnTypedParamsGetULLong(params, n, CAIRN_DOMAIN_JOB_DISK_PROCESSED, &done);
    if (!total || done > total)
        return JOB_POLL_MS;
    if (!w->first_us) {
        w->first_us = now;
        w->first_done = done;
        return JOB_POLL_MS;
    }
    if (done <= w->first_done || now <= w->first_us)
        return JOB_POLL_MS;
    rate = (double)(done - w->first_done) / (double)(now - w->first_us); /* bytes/us */
    remaining = total - done;
    left_ms = (double)remaining / rate / 1000.0;
    return (guint)CLAMP(left_ms / 2, JOB_POLL_MIN_MS, JOB_POLL_MS);
}


static gboolean
jobWaitPoll(gpointer opaque)
{
    jobWait *w = opaque;
    cairnTypedParameterPtr params = NULL;
    int type = 0, n = 0;

    if (cairnDomainGetJobStats(w->dom, &type, &params, &n, 0) < 0) {
        w->ok = shellSaveError(w->ctl);
        w->done = true;
        g_main_loop_quit(w->loop);
        return G_SOURCE_REMOVE;
    }
    if (w->progress && type != CAIRN_DOMAIN_JOB_NONE) {
        fflush(stdout);
        fprintf(stderr, "\rBackup: [%3d %%]", jobProgress(params, n));
    }
    if (type != CAIRN_DOMAIN_JOB_NONE) {
        g_timeout_add(jobWaitDelay(w, params, n), jobWaitPoll, w);
        cairnTypedParamsFree(params, n);
        return G_SOURCE_REMOVE;
    }
    cairnTypedParamsFree(params, n);
    if (w->progress)
        fprintf(stderr, "\n");
    w->done = true;
    g_main_loop_quit(w->loop);
    return G_SOURCE_REMOVE;
}


/* Follow the running job until it ends, from a main loop (so that event
 * callbacks of this process keep running). */
static bool
jobWaitRun(shellControl *ctl, cairnDomainPtr dom, bool progress)
{
    jobWait w = { .ctl = ctl, .dom = dom, .progress = progress, .ok = true };

    w.loop = g_main_loop_new(NULL, FALSE);
    /* Each poll schedules the next one while the job runs. */
    jobWaitPoll(&w);
    if (!w.done)
        g_main_loop_run(w.loop);
    g_main_loop_unref(w.loop);
    return w.ok;
}


static const shellOptDef opts_domjobinfo[] = {
    SHELL_OPT_DOMAIN,
    { .name = "completed",
      .type = SHELL_OT_BOOL,
      .help = "return statistics of a recently completed job" },
    { .name = "keep-completed",
      .type = SHELL_OT_BOOL,
      .help = "don't destroy statistics of a recently completed job when reading" },
    { .name = "anystats",
      .type = SHELL_OT_BOOL,
      .help = "print statistics for any kind of job (even failed ones)" },
    { .name = "rawstats", .type = SHELL_OT_BOOL, .help = "print the raw data returned by libvirt" },
    { .name = "wait",
      .type = SHELL_OT_BOOL,
      .help = "wait for the running job to end, then print its completed statistics" },
    { .name = "progress",
      .type = SHELL_OT_BOOL,
      .help = "with --wait, show the job's progress on stderr" },
    { .name = NULL }
};


static bool
cmdDomJobInfo(shellControl *ctl, const shellCmd *cmd)
{
    g_autoptr(shellDomain) dom = NULL;
    cairnTypedParameterPtr params = NULL;
    bool completed = shellOptBool(cmd, "completed");
    bool wait = shellOptBool(cmd, "wait");
    unsigned int flags = 0;
    int type = 0, n = 0;

    if (!shellRequires(ctl, "keep-completed", shellOptBool(cmd, "keep-completed"), "completed",
                       completed) ||
        !shellRequires(ctl, "progress", shellOptBool(cmd, "progress"), "wait", wait) ||
        !shellExclusive(ctl, "wait", wait, "completed", completed))
        return false;
    if (!(dom = shellCommandOptDomain(ctl, cmd, NULL)))
        return false;
    if (wait) {
        if (!jobWaitRun(ctl, dom, shellOptBool(cmd, "progress")))
            return false;
        completed = true;
        flags |= CAIRN_DOMAIN_JOB_STATS_KEEP_COMPLETED;
    }
    if (completed)
        flags |= CAIRN_DOMAIN_JOB_STATS_COMPLETED;
    if (shellOptBool(cmd, "keep-completed"))
        flags |= CAIRN_DOMAIN_JOB_STATS_KEEP_COMPLETED;
    if (cairnDomainGetJobStats(dom, &type, &params, &n, flags) < 0)
        return shellSaveError(ctl);
    if (shellOptBool(cmd, "rawstats"))
        printRawStats(ctl, type, params, n);
    else
        printJobStats(ctl, type, params, n, completed, shellOptBool(cmd, "anystats"));
    cairnTypedParamsFree(params, n);
    return true;
}


/* ---- domjobabort ---- */

static const shellOptDef opts_domjobabort[] = {
    SHELL_OPT_DOMAIN,
    { .name = "postcopy", .type = SHELL_OT_BOOL, .help = "interrupt post-copy migration" },
    { .name = NULL }
};


static bool
cmdDomJobAbort(shellControl *ctl, const shellCmd *cmd)
{
    g_autoptr(shellDomain) dom = NULL;
    int rc;

    if (!(dom = shellCommandOptDomain(ctl, cmd, NULL)))
        return false;
    if (shellOptBool(cmd, "postcopy"))
        rc = cairnDomainAbortJobFlags(dom, CAIRN_DOMAIN_ABORT_JOB_POSTCOPY);
    else
        rc = cairnDomainAbortJob(dom);
    return rc < 0 ? shellSaveError(ctl) : true;
}


const shellCmdDef backupCmds[] = {
    { .name = "backup-begin",
      .handler = cmdBackupBegin,
      .opts = opts_backup_begin,
      .help = "Start a disk backup of a live domain",
      .desc = "Use XML to start a full or incremental disk backup of a live domain, optionally "
              "creating a checkpoint" },
    { .name = "backup-dumpxml",
      .handler = cmdBackupDumpXML,
      .opts = opts_backup_dumpxml,
      .help = "Dump XML for an ongoing domain block backup job",
      .desc = "Backup Dump XML" },
    { .name = "domjobabort",
      .handler = cmdDomJobAbort,
      .opts = opts_domjobabort,
      .help = "abort active domain job",
      .desc = "Aborts the currently running domain job" },
    { .name = "domjobinfo",
      .handler = cmdDomJobInfo,
      .opts = opts_domjobinfo,
      .help = "domain job information",
      .desc = "Returns information about jobs running on a domain." },
    { .name = NULL }
};
