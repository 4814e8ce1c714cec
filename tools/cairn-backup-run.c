/*
 * cairn-backup-run.c: `cairn-backup run DOMAIN REPO`, one backup.
 *
 * 1. Open the repository (shared lock), connect, find the domain; end a
 *    pull backup that a killed run of this repository left running.
 * 2. Decide each disk: incremental from the checkpoint of the domain's
 *    newest snapshot when that checkpoint exists, is ours, its bitmap on
 *    the disk is intact and the snapshot has the disk at the same size;
 *    else full, and the output says why. Orphans of killed runs (our
 *    checkpoints other than that one) are deleted first.
 * 3. Begin a pull backup on a unix socket in a private 0700 directory,
 *    with a new checkpoint cb-<repo id>-<time> made in the same call.
 *    Over ssh (qemu+ssh://) the socket is made by the far host's daemon
 *    as /tmp/cairn-backup-<repo id>-<random>.sock there and forwarded
 *    through the connection's ssh master to the private directory here
 *    (cairnConnectForwardUnixSocket); the scratch files then are the
 *    daemon's default, beside each disk on the far host.
 * 4. Read each export (cairn-backup-nbd.c) into a repository writer:
 *    dirty chunks for an incremental (the rest keeps the previous
 *    index's digests), data chunks for a full.
 * 5. End the job (cairnDomainAbortJob ends a pull backup, as in libvirt),
 *    commit the snapshot (its manifest is written last), then delete our
 *    older checkpoints. Print the snapshot id last.
 *
 * Killed at any moment, the repository holds no partial snapshot (only
 * chunks nobody references, for gc); the next run ends the job left
 * behind, ignores a checkpoint no snapshot names (full read) and deletes
 * it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include <cairn/cairn.h>

#include "repo.h"
#include "cairn-backup.h"
#include "cairn-backup-domain.h"
#include "cairn-backup-nbd.h"
#include "cairn-backup-progress.h"

/* Largest NBD read request. QEMU's NBD server allocates a fresh buffer
 * per request: at 4 MiB it spent 3.4 CPU seconds per GiB faulting that
 * memory in, at 512 KiB 0.7 s (bench/README.md); several requests of a
 * chunk are in flight at once. */
#define CB_RUN_REQUEST_SIZE (512 * 1024)

typedef struct {
    cbDomainDisk *disk; /* borrowed */
    bool incremental;   /* in the backup XML: backupmode='incremental' */
    char *reason;       /* why a full read, or "incremental since C" */
    cairnRepoIndex *base;
    guint64 size;
} cbRunDisk;

typedef struct {
    const cbOptions *opts;
    const char *domname;
    cairnRepo *repo;
    cairnConnectPtr conn;
    cairnDomainPtr dom;
    char *domxml;
    char *prefix;     /* our checkpoints' prefix */
    char *checkpoint; /* the new checkpoint */
    char *prev;       /* the previous snapshot's checkpoint, or NULL */
    char *tmpdir;
    char *socket;        /* the NBD socket read here */
    char *remote_socket; /* over ssh: the socket on the domain's host */
    GPtrArray *domdisks; /* cbDomainDisk* */
    GPtrArray *disks;    /* cbRunDisk*: those backed up */
    bool job;            /* a backup job of ours runs */
    cbProgress *progress;
    guint8 *zeros;
    bool timing;     /* $CAIRN_BACKUP_TIMING=1: phase times on stderr */
    gint64 phase_us; /* monotonic time the current phase started */
} cbRun;

typedef struct {
    cairnRepoWriter *writer;
    const char *disk;
    const guint8 *zeros;
    bool incremental;
} cbPutCtx;


/* With $CAIRN_BACKUP_TIMING=1, print the wall time of the phase that
 * ends now ("timing: NAME 0.123 s") and start the next one. */
static void
cbRunPhase(cbRun *run, const char *name)
{
    gint64 now = g_get_monotonic_time();

    if (run->timing)
        fprintf(stderr, "timing: %-12s %8.3f s\n", name, (now - run->phase_us) / 1e6);
    run->phase_us = now;
}


static void
cbRunDiskFree(gpointer opaque)
{
    cbRunDisk *d = opaque;

    g_free(d->reason);
    cairnRepoIndexFree(d->base);
    g_free(d);
}


static void
cbRunWarn(const char *msg, gpointer opaque)
{
    cbRun *run = opaque;

    cbProgressMessage(run->progress, "warning: %s", msg);
}


static void
cbRunClear(cbRun *run)
{
    if (run->job && cairnDomainAbortJob(run->dom) < 0)
        cbRunWarn(cairnGetLastErrorMessage(), run);
    if (run->tmpdir)
        cbRemoveDir(run->tmpdir);
    g_clear_pointer(&run->disks, g_ptr_array_unref);
    g_clear_pointer(&run->domdisks, g_ptr_array_unref);
    if (run->dom)
        cairnDomainFree(run->dom);
    if (run->conn)
        cairnConnectClose(run->conn);
    cairnRepoFree(run->repo);
    cbProgressFree(run->progress);
    g_free(run->domxml);
    g_free(run->prefix);
    g_free(run->checkpoint);
    g_free(run->prev);
    g_free(run->tmpdir);
    g_free(run->socket);
    g_free(run->remote_socket);
    g_free(run->zeros);
}


/* True when nothing listens on the unix socket @path any more: the local
 * end of the ssh forward of a run killed over ssh (its ssh is gone too). */
static bool
cbRunSocketDead(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    struct stat st;
    int fd;
    bool dead;

    if (lstat(path, &st) < 0 || !S_ISSOCK(st.st_mode) || strlen(path) >= sizeof(addr.sun_path) ||
        (fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
        return false;
    memcpy(addr.sun_path, path, strlen(path) + 1);
    dead = connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 && errno == ECONNREFUSED;
    close(fd);
    return dead;
}


/* Socket directories of runs killed after their job ended: empty ones, and
 * those holding only a forward's socket nobody listens on (a live run's
 * directory holds its listening socket, so both leave it alone). */
static void
cbRunSweepTmp(cbRun *run)
{
    g_autofree char *prefix = g_strdup_printf("cairn-backup-%s-", cairnRepoGetId(run->repo));
    g_autoptr(GDir) dir = g_dir_open(g_get_tmp_dir(), 0, NULL);
    const char *name;

    while (dir && (name = g_dir_read_name(dir))) {
        g_autofree char *path = NULL;
        g_autofree char *sock = NULL;

        if (!g_str_has_prefix(name, prefix))
            continue;
        path = g_build_filename(g_get_tmp_dir(), name, NULL);
        sock = g_build_filename(path, "nbd.sock", NULL);
        if (cbRunSocketDead(sock))
            g_unlink(sock);
        g_rmdir(path);
    }
}


static bool
cbRunConnect(cbRun *run, GError **error)
{
    bool recovered = false;

    if (!(run->conn = cairnConnectOpen(run->opts->uri))) {
        cbSetApiError(error, "cannot connect to '%s'", run->opts->uri ? run->opts->uri : "default");
        return false;
    }
    if (!(run->dom = cairnDomainLookupByName(run->conn, run->domname))) {
        cbSetApiError(error, "cannot find domain '%s'", run->domname);
        return false;
    }
    if (!cbRecoverStaleJob(run->dom, cairnRepoGetId(run->repo), &recovered, error))
        return false;
    if (recovered)
        cbProgressMessage(run->progress,
                          "ended the backup job an interrupted run left on domain '%s'",
                          run->domname);
    cbRunSweepTmp(run);
    if (!(run->domxml = cairnDomainGetXMLDesc(run->dom, 0))) {
        cbSetApiError(error, "cannot get the XML of domain '%s'", run->domname);
        return false;
    }
    return (run->domdisks = cbDomainDisks(run->domxml, error)) != NULL;
}


/* The disks to back up: --disk, or every disk. */
static bool
cbRunSelectDisks(cbRun *run, GError **error)
{
    g_auto(GStrv) wanted = run->opts->disks ? g_strsplit(run->opts->disks, ",", -1) : NULL;
    guint i;

    run->disks = g_ptr_array_new_with_free_func(cbRunDiskFree);
    for (i = 0; wanted && wanted[i]; i++) {
        guint j;

        for (j = 0; j < run->domdisks->len; j++) {
            cbDomainDisk *dd = g_ptr_array_index(run->domdisks, j);

            if (g_str_equal(dd->target, wanted[i]))
                break;
        }
        if (j == run->domdisks->len) {
            g_set_error(error, CB_ERROR, CB_ERROR_USAGE, "domain '%s' has no disk '%s'",
                        run->domname, wanted[i]);
            return false;
        }
    }
    for (i = 0; i < run->domdisks->len; i++) {
        cbDomainDisk *dd = g_ptr_array_index(run->domdisks, i);
        cbRunDisk *d;

        if (wanted && !g_strv_contains((const char *const *)wanted, dd->target))
            continue;
        d = g_new0(cbRunDisk, 1);
        d->disk = dd;
        g_ptr_array_add(run->disks, d);
    }
    if (run->disks->len == 0) {
        cbSetError(error, "domain '%s' has no disk to back up", run->domname);
        return false;
    }
    return true;
}


/* Incremental or full, per disk (see the top of the file). */
static bool
cbRunPlan(cbRun *run, GError **error)
{
    g_autoptr(cairnRepoManifest) latest = NULL;
    g_autoptr(GHashTable) status = NULL;
    g_autofree char *global = NULL;
    GError *err = NULL;
    bool missing = false;
    guint i;

    latest = cairnRepoFindLatest(run->repo, run->domname, &err);
    if (err) {
        g_propagate_error(error, err);
        return false;
    }
    if (run->opts->full)
        global = g_strdup("full read (--full)");
    else if (!latest)
        global = g_strdup("full read (first snapshot of the domain)");
    else if (!latest->checkpoint || !g_str_has_prefix(latest->checkpoint, run->prefix))
        global = g_strdup_printf("full read (snapshot %s has no checkpoint of this repository)",
                                 latest->id);
    if (!global) {
        run->prev = g_strdup(latest->checkpoint);
        if (!(status = cbCheckpointDiskStatus(run->dom, run->prev, &missing, error)))
            if (!missing)
                return false;
        if (missing) {
            global = g_strdup_printf("full read (checkpoint %s of snapshot %s is missing)",
                                     run->prev, latest->id);
            g_clear_pointer(&run->prev, g_free);
        }
    }
    /* Orphans of interrupted runs go first. */
    cbCheckpointDeleteOwn(run->dom, run->prefix, run->prev, cbRunWarn, run);

    for (i = 0; i < run->disks->len; i++) {
        cbRunDisk *d = g_ptr_array_index(run->disks, i);
        const char *st;

        if (global) {
            d->reason = g_strdup(global);
            continue;
        }
        if (!cairnRepoManifestFindDisk(latest, d->disk->target)) {
            d->reason = g_strdup_printf("full read (disk not in snapshot %s)", latest->id);
            continue;
        }
        if (!(st = g_hash_table_lookup(status, d->disk->target))) {
            d->reason =
                g_strdup_printf("full read (checkpoint %s has no bitmap for the disk)", run->prev);
            continue;
        }
        if (!g_str_equal(st, "ok")) {
            d->reason = g_strdup_printf("full read (bitmap of checkpoint %s is %s)", run->prev, st);
            continue;
        }
        if (!(d->base = cairnRepoLoadIndex(run->repo, latest->id, d->disk->target, &err))) {
            d->reason = g_strdup_printf("full read (index of snapshot %s unreadable: %s)",
                                        latest->id, err->message);
            g_clear_error(&err);
            continue;
        }
        d->incremental = true;
        d->reason = g_strdup_printf("incremental since %s (snapshot %s)", run->prev, latest->id);
    }
    return true;
}


/* The cbRunDisk of domain disk @dd, or NULL when it is not backed up. */
static cbRunDisk *
cbRunFindDisk(cbRun *run, const cbDomainDisk *dd)
{
    for (guint i = 0; i < run->disks->len; i++) {
        cbRunDisk *d = g_ptr_array_index(run->disks, i);

        if (d->disk == dd)
            return d;
    }
    return NULL;
}


static char *
cbRunBackupXML(cbRun *run)
{
    g_autoptr(GString) xml = g_string_new("<domainbackup mode='pull'>");
    guint i;

    g_string_append_printf(xml, "<server transport='unix' socket='%s'/><disks>",
                           run->remote_socket ? run->remote_socket : run->socket);
    for (i = 0; i < run->domdisks->len; i++) {
        cbDomainDisk *dd = g_ptr_array_index(run->domdisks, i);
        cbRunDisk *d = cbRunFindDisk(run, dd);

        if (!d) {
            g_string_append_printf(xml, "<disk name='%s' backup='no'/>", dd->target);
            continue;
        }
        g_string_append_printf(xml, "<disk name='%s' backup='yes' type='file'", dd->target);
        if (d->incremental)
            g_string_append_printf(xml, " backupmode='incremental' incremental='%s'", run->prev);
        else
            g_string_append(xml, " backupmode='full'");
        if (run->remote_socket)
            g_string_append(xml, "/>");
        else
            g_string_append_printf(xml, "><scratch file='%s/%s.scratch'/></disk>", run->tmpdir,
                                   dd->target);
    }
    g_string_append(xml, "</disks></domainbackup>");
    return g_string_free(g_steal_pointer(&xml), FALSE);
}


static char *
cbRunCheckpointXML(cbRun *run)
{
    g_autoptr(GString) xml = g_string_new("<domaincheckpoint>");
    guint i;

    g_string_append_printf(xml,
                           "<name>%s</name><description>cairn-backup, repository %s</description>"
                           "<disks>",
                           run->checkpoint, cairnRepoGetId(run->repo));
    for (i = 0; i < run->domdisks->len; i++) {
        cbDomainDisk *dd = g_ptr_array_index(run->domdisks, i);
        bool bitmap = g_str_equal(dd->format, "qcow2") && cbRunFindDisk(run, dd);

        g_string_append_printf(xml, "<disk name='%s' checkpoint='%s'/>", dd->target,
                               bitmap ? "bitmap" : "no");
    }
    g_string_append(xml, "</disks></domaincheckpoint>");
    return g_string_free(g_steal_pointer(&xml), FALSE);
}


/* Over ssh, the daemon on the far host makes the NBD socket; forward it
 * to run->socket here before the job starts (ssh connects to the far
 * socket only when a client connects here). A connection that is not over
 * ssh answers CAIRN_ERR_NO_SUPPORT: the socket is local, nothing to do. */
static bool
cbRunForward(cbRun *run, GError **error)
{
    g_autofree char *remote =
        g_strdup_printf("/tmp/cairn-backup-%s-%08x%08x.sock", cairnRepoGetId(run->repo),
                        g_random_int(), g_random_int());

    if (cairnConnectForwardUnixSocket(run->conn, remote, run->socket, 0) < 0) {
        if (cairnGetLastErrorCode() == CAIRN_ERR_NO_SUPPORT)
            return true;
        cbSetApiError(error, "cannot forward the NBD socket of domain '%s' over ssh", run->domname);
        return false;
    }
    run->remote_socket = g_steal_pointer(&remote);
    return true;
}


static bool
cbRunBegin(cbRun *run, GError **error)
{
    g_autofree char *tmpl = g_strdup_printf("cairn-backup-%s-XXXXXX", cairnRepoGetId(run->repo));
    g_autoptr(GDateTime) now = g_date_time_new_now_utc();
    g_autofree char *stamp = g_date_time_format(now, "%Y%m%dT%H%M%S%fZ");
    g_autofree char *bxml = NULL;
    g_autofree char *cxml = NULL;

    if (!(run->tmpdir = g_dir_make_tmp(tmpl, NULL))) {
        cbSetErrno(error, errno, "cannot make a private directory for the NBD socket in '%s'",
                   g_get_tmp_dir());
        return false;
    }
    run->socket = g_build_filename(run->tmpdir, "nbd.sock", NULL);
    if (!cbRunForward(run, error))
        return false;
    run->checkpoint = g_strdup_printf("%s%s", run->prefix, stamp);
    bxml = cbRunBackupXML(run);
    cxml = cbRunCheckpointXML(run);
    if (cairnDomainBackupBegin(run->dom, bxml, cxml,
                               run->opts->quiesce ? CAIRN_DOMAIN_BACKUP_BEGIN_QUIESCE : 0) < 0) {
        cbSetApiError(error, "cannot begin the pull backup of domain '%s'", run->domname);
        return false;
    }
    run->job = true;
    cbCrashPoint("begun");
    return true;
}


static bool
cbRunPut(guint64 index, const void *data, gsize len, gpointer opaque, GError **error)
{
    cbPutCtx *ctx = opaque;

    if (!data) {
        /* A full disk's chunks are zero unless put. */
        if (!ctx->incremental)
            return true;
        data = ctx->zeros;
    }
    if (!cairnRepoWriterPutChunk(ctx->writer, ctx->disk, index, data, len, error))
        return false;
    cbCrashPoint("chunk");
    return true;
}


static bool
cbRunReadDisk(cbRun *run,
              cairnRepoWriter *writer,
              cbRunDisk *d,
              GHashTable *exports,
              GHashTable *bitmaps,
              GError **error)
{
    const char *name = d->disk->target;
    const char *bitmap = g_hash_table_lookup(bitmaps, name);
    g_autofree char *context = NULL;
    cbNbdSource src = {
        .socket = run->socket,
        .export_name = g_hash_table_lookup(exports, name),
        .chunk_size = cairnRepoGetChunkSize(run->repo),
        .connections = cbConnections(run->opts),
        .request_size = CB_RUN_REQUEST_SIZE,
        .workers = cbWorkers(run->opts),
    };
    cbPutCtx ctx = { writer, name, run->zeros, false };
    cairnRepoManifestDisk stats = { 0 };
    g_autofree char *note = NULL;
    g_autofree char *stored = NULL;
    cbProgressDisk *pd;

    if (!src.export_name) {
        cbSetError(error, "the backup of domain '%s' exports no disk '%s'", run->domname, name);
        return false;
    }
    if (!cbNbdExportSize(&src, &d->size, error))
        return false;
    if (d->incremental && cairnRepoIndexGetDiskSize(d->base) != d->size) {
        g_free(d->reason);
        d->reason = g_strdup("full read (the disk's size changed)");
        d->incremental = false;
    }
    if (d->incremental && !bitmap) {
        g_free(d->reason);
        d->reason = g_strdup("full read (the export has no dirty bitmap)");
        d->incremental = false;
    }
    if (d->incremental)
        src.bitmap = context = g_strdup_printf("qemu:dirty-bitmap:%s", bitmap);
    ctx.incremental = d->incremental;
    if (!cairnRepoWriterAddDisk(writer, name, d->size, d->incremental ? d->base : NULL, error) ||
        !cairnRepoWriterSetInfo(writer, name, "read", d->reason, error))
        return false;
    pd = cbProgressDiskStart(run->progress, name);
    if (!cbNbdRead(&src, cbRunPut, &ctx, pd, error)) {
        cbProgressDiskEnd(pd, "failed");
        return false;
    }
    if (!cairnRepoWriterGetStats(writer, name, &stats, error))
        return false;
    stored = cbFormatSize(stats.bytes_stored);
    note = g_strdup_printf("%s new, %s", stored, d->reason);
    cbProgressDiskEnd(pd, note);
    return true;
}


static void
cbRunPrintJSON(cbRun *run, const char *id, cairnRepoWriter *writer)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    g_autoptr(JsonNode) root = NULL;
    g_autoptr(JsonGenerator) gen = json_generator_new();
    g_autofree char *json = NULL;
    guint i;

    json_builder_begin_object(b);
    json_builder_set_member_name(b, "snapshot");
    json_builder_add_string_value(b, id);
    json_builder_set_member_name(b, "domain");
    json_builder_add_string_value(b, run->domname);
    json_builder_set_member_name(b, "checkpoint");
    json_builder_add_string_value(b, run->checkpoint);
    json_builder_set_member_name(b, "disks");
    json_builder_begin_array(b);
    for (i = 0; i < run->disks->len; i++) {
        cbRunDisk *d = g_ptr_array_index(run->disks, i);
        cairnRepoManifestDisk st = { 0 };

        cairnRepoWriterGetStats(writer, d->disk->target, &st, NULL);
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "name");
        json_builder_add_string_value(b, d->disk->target);
        json_builder_set_member_name(b, "mode");
        json_builder_add_string_value(b, d->incremental ? "incremental" : "full");
        json_builder_set_member_name(b, "read");
        json_builder_add_string_value(b, d->reason);
        json_builder_set_member_name(b, "size");
        json_builder_add_int_value(b, d->size);
        json_builder_set_member_name(b, "bytes_read");
        json_builder_add_int_value(b, st.bytes_put);
        json_builder_set_member_name(b, "bytes_new");
        json_builder_add_int_value(b, st.bytes_new);
        json_builder_set_member_name(b, "bytes_stored");
        json_builder_add_int_value(b, st.bytes_stored);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
    root = json_builder_get_root(b);
    json_generator_set_root(gen, root);
    json = json_generator_to_data(gen, NULL);
    cbPrintJSON(json);
}


static bool
cbRunDo(cbRun *run, GError **error)
{
    g_autoptr(cairnRepoWriter) writer = NULL;
    g_autoptr(GHashTable) exports = NULL;
    g_autoptr(GHashTable) bitmaps = NULL;
    g_autofree char *id = NULL;
    cairnRepoCommitInfo info = { 0 };
    guint i;

    info.start_time = g_get_real_time() / G_USEC_PER_SEC;
    if (!cbRunBegin(run, error))
        return false;
    cbRunPhase(run, "begin");
    if (!cbBackupExports(run->dom, &exports, &bitmaps, error) ||
        !(writer = cairnRepoWriterNew(run->repo, run->domname, run->domxml, error)))
        return false;
    cbRunPhase(run, "exports");
    if (run->opts->uri && !cairnRepoWriterSetInfo(writer, NULL, "uri", run->opts->uri, error))
        return false;
    for (i = 0; i < run->disks->len; i++) {
        cbRunDisk *d = g_ptr_array_index(run->disks, i);

        if (!cbRunReadDisk(run, writer, d, exports, bitmaps, error)) {
            cbPrefixError(error, "disk '%s': ", d->disk->target);
            return false;
        }
        cbRunPhase(run, d->disk->target);
    }
    cbCrashPoint("read");
    /* The checkpoint is in the images once the job has ended (a shut-off
     * domain's storage daemon writes it when it quits). */
    if (cairnDomainAbortJob(run->dom) < 0) {
        cbSetApiError(error, "cannot end the backup job of domain '%s'", run->domname);
        return false;
    }
    run->job = false;
    cbCrashPoint("ended");
    cbRunPhase(run, "end-job");
    info.checkpoint = run->checkpoint;
    if (!cairnRepoWriterCommit(writer, &info, &id, error))
        return false;
    cbCrashPoint("committed");
    cbRunPhase(run, "commit");
    cbCheckpointDeleteOwn(run->dom, run->prefix, run->checkpoint, cbRunWarn, run);
    cbRunPhase(run, "checkpoints");
    if (run->opts->json)
        cbRunPrintJSON(run, id, writer);
    else
        printf("%s\n", id);
    return true;
}


bool
cbCmdRun(const cbOptions *opts, GError **error)
{
    cbRun run = { .opts = opts, .domname = opts->args[0] };
    const char *path = opts->args[1];
    bool ok = false;

    run.timing = g_strcmp0(g_getenv("CAIRN_BACKUP_TIMING"), "1") == 0;
    run.phase_us = g_get_monotonic_time();

    run.progress = cbProgressNew("read", opts->json);
    if ((run.repo = cairnRepoOpen(path, opts->key, CAIRN_REPO_LOCK_SHARED, error)) &&
        (run.zeros = g_malloc0(cairnRepoGetChunkSize(run.repo))) &&
        (run.prefix = cbCheckpointPrefix(cairnRepoGetId(run.repo))) && cbRunConnect(&run, error) &&
        cbRunSelectDisks(&run, error) && cbRunPlan(&run, error)) {
        cbRunPhase(&run, "open+plan");
        ok = cbRunDo(&run, error);
        if (!ok && run.checkpoint) {
            /* Nothing refers to the new checkpoint: drop it now rather
             * than on the next run. */
            if (run.job && cairnDomainAbortJob(run.dom) == 0)
                run.job = false;
            cbCheckpointDeleteOwn(run.dom, run.checkpoint, NULL, cbRunWarn, &run);
        }
    }
    if (!ok)
        cbPrefixError(error, "run of domain '%s' into repository '%s': ", run.domname, path);
    cbRunClear(&run);
    return ok;
}
