/*
 * cmd_blockjob.c: block job commands, virsh-compatible (tools/virsh-domain.c):
 * blockpull DOMAIN PATH [--bandwidth N] [--bytes] [--wait [--verbose]
 * [--timeout S] [--async]] and blockjob DOMAIN PATH [--info | --abort
 * [--async] [--pivot]] [--raw] [--bytes].
 */
#include <stdio.h>
#include <string.h>

#include "cmd_blockjob.h"

/* How often blockpull --wait looks at the job, ms. */
#define BLOCKJOB_POLL_MS 100


static bool
blockJobBandwidth(shellControl *ctl, const shellCmd *cmd, unsigned long *ret)
{
    const char *str = NULL;
    guint64 val = 0;

    *ret = 0;
    if (shellOptString(ctl, cmd, "bandwidth", &str) < 0)
        return false;
    if (!str)
        return true;
    if (!g_ascii_string_to_unsigned(str, 10, 0, G_MAXULONG, &val, NULL)) {
        shellError(ctl, "Numeric value '%s' for <bandwidth> option is malformed or out of range",
                   str);
        return false;
    }
    *ret = (unsigned long)val;
    return true;
}


static int
blockJobPercent(const cairnDomainBlockJobInfo *info)
{
    if (info->end == 0)
        return 0;
    return (int)(info->cur * 100 / info->end);
}


/* ---- blockpull ---- */

typedef struct {
    const char *disk;
    int status; /* -1 until the job's BLOCK_JOB_2 event */
} blockPullWatch;


static void
blockPullEvent(cairnConnectPtr conn G_GNUC_UNUSED,
               cairnDomainPtr dom G_GNUC_UNUSED,
               const char *disk,
               int type,
               int status,
               void *opaque)
{
    blockPullWatch *w = opaque;

    if (type == CAIRN_DOMAIN_BLOCK_JOB_TYPE_PULL && g_strcmp0(disk, w->disk) == 0)
        w->status = status;
}


/* Without an event (the job was finished by another process), the disk's
 * XML tells: a completed pull leaves no <backingStore>. */
static int
blockPullStatusFromXML(cairnDomainPtr dom, const char *disk)
{
    g_autofree char *xml = cairnDomainGetXMLDesc(dom, 0);
    g_autofree char *needle = g_strdup_printf("<target dev='%s'", disk);
    const char *start;
    const char *end;

    if (!xml || !(end = strstr(xml, needle)))
        return CAIRN_DOMAIN_BLOCK_JOB_COMPLETED;
    start = g_strrstr_len(xml, end - xml, "<disk ");
    if (start && g_strstr_len(start, end - start, "<backingStore"))
        return CAIRN_DOMAIN_BLOCK_JOB_FAILED;
    return CAIRN_DOMAIN_BLOCK_JOB_COMPLETED;
}


static bool
blockPullWait(shellControl *ctl, cairnDomainPtr dom, const char *disk, bool verbose, guint timeout)
{
    blockPullWatch w = { .disk = disk, .status = -1 };
    gint64 deadline = timeout ? g_get_monotonic_time() + (gint64)timeout * G_TIME_SPAN_SECOND : 0;
    cairnDomainBlockJobInfo info;
    int shown = -1;
    int id;
    int rc;

    id = cairnConnectDomainEventRegisterAny(ctl->conn, dom, CAIRN_DOMAIN_EVENT_ID_BLOCK_JOB_2,
                                            CAIRN_DOMAIN_EVENT_CALLBACK(blockPullEvent), &w, NULL);
    while ((rc = cairnDomainGetBlockJobInfo(dom, disk, &info, 0)) > 0) {
        shown = blockJobPercent(&info);
        if (verbose)
            fprintf(stderr, "\rBlock Pull: [%3d %%]", shown);
        if (deadline && g_get_monotonic_time() > deadline) {
            if (verbose)
                fprintf(stderr, "\n");
            cairnDomainBlockJobAbort(dom, disk, 0);
            if (id >= 0)
                cairnConnectDomainEventDeregisterAny(ctl->conn, id);
            shellError(ctl, "%s", "Pull aborted");
            return false;
        }
        for (int i = 0; i < BLOCKJOB_POLL_MS / 10; i++) {
            while (g_main_context_iteration(NULL, FALSE)) {
            }
            g_usleep(10 * G_TIME_SPAN_MILLISECOND);
        }
    }
    while (g_main_context_iteration(NULL, FALSE)) {
    }
    if (id >= 0)
        cairnConnectDomainEventDeregisterAny(ctl->conn, id);
    if (rc < 0)
        return shellSaveError(ctl);
    if (w.status < 0)
        w.status = blockPullStatusFromXML(dom, disk);
    if (verbose && w.status == CAIRN_DOMAIN_BLOCK_JOB_COMPLETED && shown != 100)
        fprintf(stderr, "\rBlock Pull: [100 %%]\n");
    else if (verbose)
        fprintf(stderr, "\n");
    switch (w.status) {
    case CAIRN_DOMAIN_BLOCK_JOB_COMPLETED:
        shellPrintExtra(ctl, "\nPull complete\n");
        return true;
    case CAIRN_DOMAIN_BLOCK_JOB_CANCELED:
        shellError(ctl, "%s", "Pull aborted");
        return false;
    default:
        shellError(ctl, "%s", "Pull failed");
        return false;
    }
}


static const shellOptDef opts_blockpull[] = {
    SHELL_OPT_DOMAIN,
    { .name = "path",
      .type = SHELL_OT_DATA,
      .required = true,
      .help = "fully-qualified path of disk" },
    { .name = "bandwidth", .type = SHELL_OT_STRING, .help = "bandwidth limit in MiB/s" },
    { .name = "bytes",
      .type = SHELL_OT_BOOL,
      .help = "the bandwidth limit is in bytes/s rather than MiB/s" },
    { .name = "wait", .type = SHELL_OT_BOOL, .help = "wait for job to finish" },
    { .name = "verbose", .type = SHELL_OT_BOOL, .help = "with --wait, display the progress" },
    { .name = "timeout",
      .type = SHELL_OT_STRING,
      .help = "with --wait, abort if pull exceeds timeout (in seconds)" },
    { .name = "async",
      .type = SHELL_OT_BOOL,
      .help = "with --wait, don't wait for cancel to finish" },
    { .name = NULL }
};


static bool
cmdBlockPull(shellControl *ctl, const shellCmd *cmd)
{
    g_autoptr(shellDomain) dom = NULL;
    const char *path = NULL;
    const char *timeout_str = NULL;
    bool wait = shellOptBool(cmd, "wait");
    unsigned long bandwidth = 0;
    unsigned int flags = 0;
    guint64 timeout = 0;

    if (!shellRequires(ctl, "verbose", shellOptBool(cmd, "verbose"), "wait", wait) ||
        !shellRequires(ctl, "async", shellOptBool(cmd, "async"), "wait", wait) ||
        shellOptString(ctl, cmd, "timeout", &timeout_str) < 0 ||
        !shellRequires(ctl, "timeout", timeout_str != NULL, "wait", wait) ||
        !blockJobBandwidth(ctl, cmd, &bandwidth) || shellOptString(ctl, cmd, "path", &path) < 0)
        return false;
    if (timeout_str &&
        (!g_ascii_string_to_unsigned(timeout_str, 10, 1, G_MAXUINT, &timeout, NULL))) {
        shellError(ctl, "%s", "invalid timeout");
        return false;
    }
    if (shellOptBool(cmd, "bytes"))
        flags |= CAIRN_DOMAIN_BLOCK_PULL_BANDWIDTH_BYTES;
    if (!(dom = shellCommandOptDomain(ctl, cmd, NULL)))
        return false;
    if (cairnDomainBlockPull(dom, path, bandwidth, flags) < 0)
        return shellSaveError(ctl);
    if (!wait) {
        shellPrintExtra(ctl, "Block Pull started\n");
        return true;
    }
    return blockPullWait(ctl, dom, path, shellOptBool(cmd, "verbose"), (guint)timeout);
}


/* ---- blockjob ---- */

bool
blockJobOptBandwidth(shellControl *ctl, const shellCmd *cmd, unsigned long *ret, bool *ret_given)
{
    const char *str = NULL;
    guint64 value = 0;

    *ret_given = false;
    if (shellOptString(ctl, cmd, "bandwidth", &str) < 0)
        return false;
    if (!str)
        return true;
    if (!g_ascii_string_to_unsigned(str, 10, 0, G_MAXULONG, &value, NULL)) {
        shellError(ctl, "Numeric value '%s' for <bandwidth> option is malformed or out of range",
                   str);
        return false;
    }
    *ret = (unsigned long)value;
    *ret_given = true;
    return true;
}


static const shellOptDef opts_blockjob[] = {
    SHELL_OPT_DOMAIN,
    { .name = "path",
      .type = SHELL_OT_DATA,
      .required = true,
      .help = "fully-qualified path of disk" },
    { .name = "abort",
      .type = SHELL_OT_BOOL,
      .help = "abort the active job on the specified disk" },
    { .name = "async",
      .type = SHELL_OT_BOOL,
      .help = "implies --abort; request but don't wait for job end" },
    { .name = "pivot",
      .type = SHELL_OT_BOOL,
      .help = "implies --abort; conclude and pivot a copy or commit job" },
    { .name = "info",
      .type = SHELL_OT_BOOL,
      .help = "get active job information for the specified disk" },
    { .name = "bandwidth", .type = SHELL_OT_STRING, .help = "set the bandwidth limit in MiB/s" },
    { .name = "bytes",
      .type = SHELL_OT_BOOL,
      .help = "get/set bandwidth in bytes rather than MiB/s" },
    { .name = "raw",
      .type = SHELL_OT_BOOL,
      .help = "implies --info; output details rather than human summary" },
    { .name = NULL }
};


static const char *
blockJobTypeLabel(int type)
{
    switch (type) {
    case CAIRN_DOMAIN_BLOCK_JOB_TYPE_PULL:
        return "Block Pull";
    case CAIRN_DOMAIN_BLOCK_JOB_TYPE_COPY:
        return "Block Copy";
    case CAIRN_DOMAIN_BLOCK_JOB_TYPE_COMMIT:
        return "Block Commit";
    case CAIRN_DOMAIN_BLOCK_JOB_TYPE_ACTIVE_COMMIT:
        return "Active Block Commit";
    case CAIRN_DOMAIN_BLOCK_JOB_TYPE_BACKUP:
        return "Backup";
    default:
        return "Unknown job";
    }
}


static const char *
blockJobTypeRaw(int type)
{
    static const char *const names[] = { "unknown", "pull",          "copy",
                                         "commit",  "active-commit", "backup" };

    return type >= 0 && type < (int)G_N_ELEMENTS(names) ? names[type] : "unknown";
}


static bool
blockJobInfo(shellControl *ctl, cairnDomainPtr dom, const char *path, bool raw, bool bytes)
{
    cairnDomainBlockJobInfo info;
    int rc;

    if ((rc = cairnDomainGetBlockJobInfo(
             dom, path, &info, bytes ? CAIRN_DOMAIN_BLOCK_JOB_INFO_BANDWIDTH_BYTES : 0)) < 0)
        return shellSaveError(ctl);
    if (rc == 0) {
        if (!raw)
            shellPrintExtra(ctl, "No current block job for %s\n", path);
        return true;
    }
    if (raw) {
        shellPrint(ctl, " type=%s\n bandwidth=%lu\n cur=%llu\n end=%llu\n",
                   blockJobTypeRaw(info.type), info.bandwidth, info.cur, info.end);
        return true;
    }
    shellPrint(ctl, "%s: [%3d %%]", blockJobTypeLabel(info.type), blockJobPercent(&info));
    if (info.bandwidth)
        shellPrint(ctl, "    Bandwidth limit: %lu %s", info.bandwidth, bytes ? "bytes/s" : "MiB/s");
    shellPrint(ctl, "\n");
    return true;
}


static bool
cmdBlockJob(shellControl *ctl, const shellCmd *cmd)
{
    g_autoptr(shellDomain) dom = NULL;
    const char *path = NULL;
    bool async = shellOptBool(cmd, "async");
    bool pivot = shellOptBool(cmd, "pivot");
    bool abort = shellOptBool(cmd, "abort") || async || pivot;
    bool raw = shellOptBool(cmd, "raw");
    bool info = shellOptBool(cmd, "info") || raw;
    unsigned long bandwidth = 0;
    bool speed = false;
    unsigned int flags = 0;

    if (!blockJobOptBandwidth(ctl, cmd, &bandwidth, &speed) ||
        !shellExclusive(ctl, "abort", abort, "info", info) ||
        !shellExclusive(ctl, "async", async, "pivot", pivot) ||
        !shellExclusive(ctl, "abort", abort, "bandwidth", speed) ||
        !shellExclusive(ctl, "info", info, "bandwidth", speed) ||
        shellOptString(ctl, cmd, "path", &path) < 0 ||
        !(dom = shellCommandOptDomain(ctl, cmd, NULL)))
        return false;
    if (speed) {
        if (shellOptBool(cmd, "bytes"))
            flags |= CAIRN_DOMAIN_BLOCK_JOB_SPEED_BANDWIDTH_BYTES;
        if (cairnDomainBlockJobSetSpeed(dom, path, bandwidth, flags) < 0)
            return shellSaveError(ctl);
        return true;
    }
    if (!abort)
        return blockJobInfo(ctl, dom, path, raw, shellOptBool(cmd, "bytes"));
    if (async)
        flags |= CAIRN_DOMAIN_BLOCK_JOB_ABORT_ASYNC;
    if (pivot)
        flags |= CAIRN_DOMAIN_BLOCK_JOB_ABORT_PIVOT;
    if (cairnDomainBlockJobAbort(dom, path, flags) < 0)
        return shellSaveError(ctl);
    return true;
}


const shellCmdDef blockjobCmds[] = {
    { .name = "blockjob",
      .handler = cmdBlockJob,
      .opts = opts_blockjob,
      .help = "Manage active block operations",
      .desc = "Query, adjust speed, or cancel active block operations." },
    { .name = "blockpull",
      .handler = cmdBlockPull,
      .opts = opts_blockpull,
      .help = "Populate a disk from its backing image.",
      .desc = "Populate a disk from its backing image." },
    { .name = NULL }
};
