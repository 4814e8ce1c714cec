/*
 * cairn-backup-live.c: `cairn-backup restore REPO SNAPSHOT --live DOMAIN`
 * (see cairn-backup-live.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include <cairn/cairn.h>

#include "repo.h"
#include "cairn-backup-live-parts.h"
#include "cairn-backup-live.h"

#define CB_LIVE_DIR ".cairn-live"
#define CB_LIVE_POLL_MS 200

typedef struct {
    const cbOptions *opts;
    const char *repo;
    const char *id;
    const char *name; /* the domain */
    gint64 t0;        /* when the command began (monotonic) */
    char *dir;        /* DIR, absolute */
    char *rundir;     /* DIR/.cairn-live */
    int lockfd;
    cairnRepoManifest *m;
    GPtrArray *disks; /* cbLiveDisk* */
    cairnConnectPtr conn;
    cairnDomainPtr dom;
    bool tty;
} cbLive;


static void
cbLiveClear(cbLive *live)
{
    g_free(live->dir);
    g_free(live->rundir);
    if (live->lockfd >= 0)
        close(live->lockfd);
    cairnRepoManifestFree(live->m);
    if (live->disks)
        g_ptr_array_unref(live->disks);
    if (live->dom)
        cairnDomainFree(live->dom);
    if (live->conn)
        cairnConnectClose(live->conn);
}


G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(cbLive, cbLiveClear)


static void G_GNUC_PRINTF(2, 3) cbLiveSay(cbLive *live, const char *fmt, ...)
{
    va_list ap;

    if (live->opts->json)
        return;
    if (live->tty)
        fputs("\r\033[K", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}


/* ---- setup ------------------------------------------------------------ */

static bool
cbLiveLock(cbLive *live, GError **error)
{
    g_autofree char *path = g_build_filename(live->rundir, "lock", NULL);

    if (g_mkdir_with_parents(live->rundir, 0700) < 0) {
        cbSetErrno(error, errno, "cannot make directory '%s'", live->rundir);
        return false;
    }
    if ((live->lockfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0) {
        cbSetErrno(error, errno, "cannot open '%s'", path);
        return false;
    }
    if (flock(live->lockfd, LOCK_EX | LOCK_NB) < 0) {
        cbSetError(error, "another live restore into '%s' is running", live->dir);
        return false;
    }
    return true;
}


/* DIR/.cairn-live/state names the restore the directory holds: a rerun
 * must be the same one. Written before anything else is made. */
static bool
cbLiveState(cbLive *live, GError **error)
{
    g_autofree char *path = g_build_filename(live->rundir, "state", NULL);
    g_autofree char *temp = g_build_filename(live->rundir, ".state.tmp", NULL);
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autofree char *text = NULL;

    if (g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, NULL)) {
        g_autofree char *id = g_key_file_get_string(kf, "restore", "snapshot", NULL);
        g_autofree char *name = g_key_file_get_string(kf, "restore", "domain", NULL);

        if (g_strcmp0(id, live->id) != 0 || g_strcmp0(name, live->name) != 0) {
            cbSetError(error, "'%s' holds the live restore of snapshot '%s' into domain '%s'",
                       live->dir, id ? id : "?", name ? name : "?");
            return false;
        }
        return true;
    }
    g_key_file_set_string(kf, "restore", "repository", live->repo);
    g_key_file_set_string(kf, "restore", "snapshot", live->id);
    g_key_file_set_string(kf, "restore", "domain", live->name);
    text = g_key_file_to_data(kf, NULL, NULL);
    if (!g_file_set_contents(temp, text, -1, error) || g_rename(temp, path) < 0) {
        if (error && !*error)
            cbSetErrno(error, errno, "cannot write '%s'", path);
        return false;
    }
    return true;
}


/* The runs of zero chunks of @index, as offset/length pairs. */
static GArray *
cbLiveZeroRuns(const cairnRepoIndex *index)
{
    GArray *runs = g_array_new(FALSE, FALSE, sizeof(guint64));
    guint64 n = cairnRepoIndexGetChunkCount(index);
    guint64 csize = cairnRepoIndexGetChunkSize(index);
    guint64 start = 0;
    guint64 len = 0;

    for (guint64 c = 0; c <= n; c++) {
        bool zero = c < n && cairnRepoDigestIsZero(cairnRepoIndexGetDigest(index, c));

        if (zero) {
            if (len == 0)
                start = c * csize;
            len += cairnRepoIndexGetChunkLength(index, c);
            continue;
        }
        if (len > 0) {
            g_array_append_val(runs, start);
            g_array_append_val(runs, len);
        }
        len = 0;
    }
    return runs;
}


static bool
cbLiveDisks(cbLive *live, cairnRepo *repo, GError **error)
{
    live->disks = g_ptr_array_new_with_free_func((GDestroyNotify)cbLiveDiskFree);
    if (live->opts->disks && !cairnRepoManifestFindDisk(live->m, live->opts->disks)) {
        cbSetError(error, "snapshot '%s' has no disk '%s'", live->id, live->opts->disks);
        return false;
    }
    for (guint i = 0; i < live->m->disks->len; i++) {
        const cairnRepoManifestDisk *md = g_ptr_array_index(live->m->disks, i);
        cbLiveDisk *d;

        if (live->opts->disks && !g_str_equal(live->opts->disks, md->name))
            continue;
        d = g_new0(cbLiveDisk, 1);
        d->disk = g_strdup(md->name);
        d->size = md->size;
        d->image = g_strdup_printf("%s/%s.qcow2", live->dir, md->name);
        d->socket = g_strdup_printf("%s/%s.sock", live->rundir, md->name);
        d->pidfile = g_strdup_printf("%s/%s.pid", live->rundir, md->name);
        d->shown = -1;
        g_ptr_array_add(live->disks, d);
        if (!live->opts->status && !g_file_test(d->image, G_FILE_TEST_EXISTS)) {
            g_autoptr(cairnRepoIndex) index = cairnRepoLoadIndex(repo, live->id, d->disk, error);

            if (!index)
                return false;
            d->zeros = cbLiveZeroRuns(index);
        }
    }
    return true;
}


/* Each disk: its image made (or found, with what it already holds), its
 * server running unless the image needs it no more. The server starts
 * while the image is made. */
static bool
cbLivePrepareDisk(cbLive *live, cbLiveDisk *d, GError **error)
{
    g_autofree char *backing = NULL;
    bool fresh = !g_file_test(d->image, G_FILE_TEST_EXISTS);
    bool spawned = false;
    g_autofree char *temp = NULL;
    GPid pid = 0;
    int errfd = -1;

    if (!fresh) {
        if (!(backing = cbLiveImageBacking(d->image, error)))
            return false;
        d->done = !*backing;
    }
    if (d->done) {
        cbLiveServerStop(d);
        return true;
    }
    if (cbLiveServerPid(d) == 0) {
        if (g_file_test(d->pidfile, G_FILE_TEST_EXISTS))
            cbLiveSay(live, "the server of disk '%s' had died; restarting it on %s", d->disk,
                      d->socket);
        if (!cbLiveServerSpawn(live->opts, live->repo, live->id, d, &pid, &errfd, error))
            return false;
        spawned = true;
    }
    if (fresh && !cbLiveImageCreate(d, &temp, error)) {
        if (spawned)
            cbLiveServerWait(d, pid, errfd, NULL);
        return false;
    }
    if (spawned && !cbLiveServerWait(d, pid, errfd, error)) {
        if (temp)
            g_unlink(temp);
        return false;
    }
    return !fresh || cbLiveImageCommit(d, temp, error);
}


/* ---- the domain ------------------------------------------------------- */

/* Whether the domain's disks are already this restore's images. */
static bool
cbLiveDomainIsOurs(cbLive *live, const char *xml)
{
    for (guint i = 0; i < live->disks->len; i++) {
        cbLiveDisk *d = g_ptr_array_index(live->disks, i);

        if (!cbLiveXMLUsesImage(xml, d->disk, d->image))
            return false;
    }
    return true;
}


/* Define the domain over the images (reusing a shut-off one) and start
 * it, unless it runs them already. */
static bool
cbLiveDomainStart(cbLive *live, GError **error)
{
    g_autofree char *xml = NULL;
    g_autofree char *newxml = NULL;
    cairnDomainPtr defined;
    int active;

    if (!(live->conn = cairnConnectOpen(live->opts->uri))) {
        cbSetApiError(error, "cannot connect to '%s'",
                      live->opts->uri ? live->opts->uri : "default");
        return false;
    }
    if ((live->dom = cairnDomainLookupByName(live->conn, live->name))) {
        if ((active = cairnDomainIsActive(live->dom)) < 0 ||
            !(xml = cairnDomainGetXMLDesc(live->dom, CAIRN_DOMAIN_XML_INACTIVE))) {
            cbSetApiError(error, "cannot read domain '%s'", live->name);
            return false;
        }
        if (active) {
            g_autofree char *livexml = cairnDomainGetXMLDesc(live->dom, 0);

            if (!livexml || !cbLiveDomainIsOurs(live, livexml)) {
                cbSetError(error, "domain '%s' is running on other disks; shut it off first",
                           live->name);
                return false;
            }
            cbLiveSay(live, "domain '%s' is running (a restore into '%s' resumed)", live->name,
                      live->dir);
            return true;
        }
        newxml = cbLiveDomainXML(xml, live->disks, live->name, false, error);
    } else {
        if (!*live->m->domain_xml) {
            cbSetError(error, "no domain '%s', and snapshot '%s' has no domain XML to define it",
                       live->name, live->id);
            return false;
        }
        newxml = cbLiveDomainXML(live->m->domain_xml, live->disks, live->name, true, error);
    }
    if (!newxml)
        return false;
    if (!(defined = cairnDomainDefineXML(live->conn, newxml))) {
        cbSetApiError(error, "cannot define domain '%s'", live->name);
        return false;
    }
    if (live->dom)
        cairnDomainFree(live->dom);
    live->dom = defined;
    if (cairnDomainCreate(live->dom) < 0) {
        cbSetApiError(error, "cannot start domain '%s'", live->name);
        return false;
    }
    if (live->opts->json)
        return true;
    cbLiveSay(live, "domain '%s' running after %.2f s", live->name,
              (double)(g_get_monotonic_time() - live->t0) / G_TIME_SPAN_SECOND);
    return true;
}


/* ---- the copy --------------------------------------------------------- */

static bool
cbLivePullStart(cbLive *live, cbLiveDisk *d, GError **error)
{
    cairnDomainBlockJobInfo info;
    int rc;

    if ((rc = cairnDomainGetBlockJobInfo(live->dom, d->disk, &info, 0)) < 0) {
        cbSetApiError(error, "cannot query the block job of disk '%s'", d->disk);
        return false;
    }
    if (rc > 0)
        return true;
    if (cairnDomainBlockPull(live->dom, d->disk, (unsigned long)live->opts->bandwidth, 0) < 0) {
        cbSetApiError(error, "cannot start copying disk '%s'", d->disk);
        return false;
    }
    return true;
}


static void
cbLiveShowProgress(cbLive *live, cbLiveDisk *d)
{
    int pct = d->end ? (int)(d->cur * 100 / d->end) : 0;

    if (live->opts->json || pct == d->shown)
        return;
    if (live->tty) {
        fprintf(stderr, "\r\033[Kcopying %s: %3d %%", d->disk, pct);
    } else if (pct / 10 != d->shown / 10 || d->shown < 0) {
        fprintf(stderr, "copying %s: %3d %%\n", d->disk, pct);
    }
    d->shown = pct;
}


/* A pull that ended: done when the disk has no backing any more. */
static bool
cbLivePullEnded(cbLive *live, cbLiveDisk *d, GError **error)
{
    g_autofree char *xml = cairnDomainGetXMLDesc(live->dom, 0);

    if (!xml) {
        cbSetApiError(error, "cannot read domain '%s'", live->name);
        return false;
    }
    if (cbLiveXMLHasBacking(xml, d->disk)) {
        cbSetError(error,
                   "copying disk '%s' failed; the domain still reads it from the export on '%s', "
                   "which keeps running: rerun the command to resume",
                   d->disk, d->socket);
        return false;
    }
    d->done = true;
    cbLiveSay(live, "copied %s", d->disk);
    return true;
}


/* Follow every pull to its end, keeping the servers up. */
static bool
cbLiveFollow(cbLive *live, GError **error)
{
    for (;;) {
        bool busy = false;

        for (guint i = 0; i < live->disks->len; i++) {
            cbLiveDisk *d = g_ptr_array_index(live->disks, i);
            cairnDomainBlockJobInfo info;
            int rc;

            if (d->done)
                continue;
            if (cbLiveServerPid(d) == 0) {
                cbLiveSay(live, "the server of disk '%s' died; restarting it", d->disk);
                if (!cbLiveServerStart(live->opts, live->repo, live->id, d, error))
                    return false;
            }
            if ((rc = cairnDomainGetBlockJobInfo(live->dom, d->disk, &info, 0)) < 0) {
                cbSetApiError(error,
                              "cannot follow the copy of disk '%s' (rerun the command to resume)",
                              d->disk);
                return false;
            }
            if (rc == 0) {
                if (!cbLivePullEnded(live, d, error))
                    return false;
                continue;
            }
            busy = true;
            d->cur = info.cur;
            d->end = info.end;
            cbLiveShowProgress(live, d);
        }
        if (!busy)
            return true;
        g_usleep(CB_LIVE_POLL_MS * G_TIME_SPAN_MILLISECOND);
    }
}


/* Every disk copied: stop the servers, check the images, clean up. */
static bool
cbLiveFinish(cbLive *live, GError **error)
{
    g_autofree char *state = g_build_filename(live->rundir, "state", NULL);
    g_autofree char *lock = g_build_filename(live->rundir, "lock", NULL);

    for (guint i = 0; i < live->disks->len; i++) {
        cbLiveDisk *d = g_ptr_array_index(live->disks, i);
        g_autofree char *backing = NULL;

        cbLiveServerStop(d);
        if (!(backing = cbLiveImageBacking(d->image, error)))
            return false;
        if (*backing) {
            cbSetError(error, "'%s' still has the backing '%s'", d->image, backing);
            return false;
        }
    }
    g_unlink(state);
    g_unlink(lock);
    g_rmdir(live->rundir);
    return true;
}


static void
cbLivePrintResult(cbLive *live)
{
    if (live->opts->json) {
        g_autoptr(JsonBuilder) b = json_builder_new();
        g_autoptr(JsonGenerator) gen = json_generator_new();
        g_autoptr(JsonNode) root = NULL;
        g_autofree char *json = NULL;

        json_builder_begin_object(b);
        json_builder_set_member_name(b, "domain");
        json_builder_add_string_value(b, live->name);
        json_builder_set_member_name(b, "disks");
        json_builder_begin_array(b);
        for (guint i = 0; i < live->disks->len; i++) {
            cbLiveDisk *d = g_ptr_array_index(live->disks, i);

            json_builder_begin_object(b);
            json_builder_set_member_name(b, "disk");
            json_builder_add_string_value(b, d->disk);
            json_builder_set_member_name(b, "file");
            json_builder_add_string_value(b, d->image);
            json_builder_end_object(b);
        }
        json_builder_end_array(b);
        json_builder_end_object(b);
        root = json_builder_get_root(b);
        json_generator_set_root(gen, root);
        json = json_generator_to_data(gen, NULL);
        cbPrintJSON(json);
        return;
    }
    for (guint i = 0; i < live->disks->len; i++)
        printf("%s\n", ((cbLiveDisk *)g_ptr_array_index(live->disks, i))->image);
}


/* --status: what each disk depends on, changing nothing. */
static bool
cbLiveStatus(cbLive *live, GError **error)
{
    bool dead = false;

    for (guint i = 0; i < live->disks->len; i++) {
        cbLiveDisk *d = g_ptr_array_index(live->disks, i);
        g_autofree char *backing = NULL;
        pid_t pid;

        if (!g_file_test(d->image, G_FILE_TEST_EXISTS)) {
            printf("%s: no image yet\n", d->disk);
            continue;
        }
        if (!(backing = cbLiveImageBacking(d->image, error)))
            return false;
        if (!*backing) {
            printf("%s: copied, %s has no backing\n", d->disk, d->image);
            continue;
        }
        pid = cbLiveServerPid(d);
        printf("%s: reads from %s, server %s\n", d->disk, backing,
               pid > 0 ? "running" : "DEAD (rerun the restore command)");
        dead = dead || pid == 0;
    }
    if (dead)
        cbSetError(error, "an export the restored disks depend on is not served");
    return !dead;
}


bool
cbCmdRestoreLive(const cbOptions *opts, GError **error)
{
    g_auto(cbLive) live = { .opts = opts, .lockfd = -1 };
    g_autoptr(cairnRepo) repo = NULL;
    const char *dir = opts->to ? opts->to : (opts->nargs > 2 ? opts->args[2] : ".");
    g_autofree char *cwd = g_get_current_dir();

    live.t0 = g_get_monotonic_time();
    live.repo = opts->args[0];
    live.id = opts->args[1];
    live.name = opts->live;
    live.tty = isatty(STDERR_FILENO);
    live.dir = g_path_is_absolute(dir) ? g_canonicalize_filename(dir, NULL) :
                                         g_canonicalize_filename(dir, cwd);
    live.rundir = g_build_filename(live.dir, CB_LIVE_DIR, NULL);
    if (opts->nargs > 2 && opts->to) {
        g_set_error(error, CB_ERROR, CB_ERROR_USAGE, "give DIR or --to, not both");
        return false;
    }
    if (opts->bandwidth < 0) {
        g_set_error(error, CB_ERROR, CB_ERROR_USAGE, "--bandwidth must not be negative");
        return false;
    }
    if (!(repo = cairnRepoOpen(live.repo, opts->key, CAIRN_REPO_LOCK_SHARED, error)) ||
        !(live.m = cairnRepoLoadManifest(repo, live.id, error)) || !cbLiveDisks(&live, repo, error))
        return false;
    g_clear_pointer(&repo, cairnRepoFree);
    if (opts->status)
        return cbLiveStatus(&live, error);
    if (g_mkdir_with_parents(live.dir, 0755) < 0) {
        cbSetErrno(error, errno, "cannot make directory '%s'", live.dir);
        return false;
    }
    if (!cbLiveLock(&live, error) || !cbLiveState(&live, error))
        return false;
    for (guint i = 0; i < live.disks->len; i++) {
        if (!cbLivePrepareDisk(&live, g_ptr_array_index(live.disks, i), error))
            return false;
    }
    if (!cbLiveDomainStart(&live, error))
        return false;
    for (guint i = 0; i < live.disks->len; i++) {
        cbLiveDisk *d = g_ptr_array_index(live.disks, i);

        if (!d->done && !cbLivePullStart(&live, d, error))
            return false;
    }
    if (!cbLiveFollow(&live, error) || !cbLiveFinish(&live, error))
        return false;
    cbLivePrintResult(&live);
    return true;
}
