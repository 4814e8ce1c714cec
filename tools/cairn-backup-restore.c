/*
 * cairn-backup-restore.c: `cairn-backup restore REPO SNAPSHOT DIR`.
 *
 * Each disk of the snapshot (or --disk) is written to a hidden temporary
 * file in DIR, in process, by several threads, each taking the next chunk
 * of the index, reading it from the repository (which checks its digest:
 * damaged data is never written) and writing it with pwrite: raw at its
 * offset (cairn-backup-write.c), qcow2 at the place our qcow2 writer
 * (cairn-backup-qcow2.c) gave it, the layout being known from the index
 * before any data is read. Zero chunks are not written (holes, or
 * unallocated qcow2 clusters), nor are all-zero 64 KiB blocks of the
 * others; data is written with O_DIRECT where the filesystem has it (no
 * copy into the page cache, and the disk writes while the threads decode
 * instead of all at the final fsync: bench/README.md). Only when every disk is complete and flushed are the
 * temporary files renamed to DIR/<disk>.<format>; on any failure (a
 * damaged or missing chunk, a full disk) they are removed, so nothing
 * partial is left. An existing DIR/<disk>.<format> is never overwritten.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "repo.h"
#include "cairn-backup.h"
#include "cairn-backup-progress.h"
#include "cairn-backup-qcow2.h"
#include "cairn-backup-write.h"

typedef struct {
    cairnRepo *repo;
    const cairnRepoIndex *index;
    cbWriter *writer; /* raw, or */
    cbQcow2 *qcow2;
    cbProgressDisk *progress;
    guint64 chunks;
    guint next;   /* atomic */
    gint failed;  /* atomic */
    guint thread; /* atomic: thread numbers handed out */
    GMutex lock;
    GError *error;
} cbRestoreJob;

typedef struct {
    char *disk;
    char *path; /* DIR/<disk>.<format> */
    char *temp; /* DIR/.<disk>.<format>.partial */
} cbRestoreTarget;


static void
cbRestoreTargetFree(gpointer opaque)
{
    cbRestoreTarget *t = opaque;

    g_free(t->disk);
    g_free(t->path);
    g_free(t->temp);
    g_free(t);
}


static gpointer
cbRestoreWorker(gpointer opaque)
{
    cbRestoreJob *job = opaque;
    guint thread = g_atomic_int_add(&job->thread, 1);
    /* Aligned for O_DIRECT writes (cairn-backup-write.c). */
    guint8 *buf = g_aligned_alloc(1, cairnRepoIndexGetChunkSize(job->index), 4096);
    GError *err = NULL;

    while (!g_atomic_int_get(&job->failed)) {
        guint64 c = g_atomic_int_add(&job->next, 1);
        gsize len;

        if (c >= job->chunks)
            break;
        len = cairnRepoIndexGetChunkLength(job->index, c);
        if (!cairnRepoDigestIsZero(cairnRepoIndexGetDigest(job->index, c))) {
            bool ok = cairnRepoReadIndexChunk(job->repo, job->index, c, buf, &err);

            if (ok && job->qcow2)
                ok = cbQcow2WriteUnit(job->qcow2, thread, c, buf, len, &err);
            else if (ok)
                ok = cbWriterWriteData(job->writer, thread,
                                       c * cairnRepoIndexGetChunkSize(job->index), buf, len, &err);
            if (!ok) {
                g_mutex_lock(&job->lock);
                if (!job->error)
                    job->error = g_steal_pointer(&err);
                g_mutex_unlock(&job->lock);
                g_clear_error(&err);
                g_atomic_int_set(&job->failed, 1);
                break;
            }
            cbCrashPoint("restoring");
        }
        cbProgressDiskAdd(job->progress, len);
    }
    g_aligned_free(buf);
    return NULL;
}


/* Write disk @t of snapshot @id to @t->temp. */
static bool
cbRestoreDisk(guint n,
              cairnRepo *repo,
              const char *id,
              cbRestoreTarget *t,
              const char *format,
              cbProgress *progress,
              GError **error)
{
    g_autoptr(cairnRepoIndex) index = NULL;
    g_autoptr(cbWriter) writer = NULL;
    g_autoptr(cbQcow2) qcow2 = NULL;
    g_autoptr(GPtrArray) threads = g_ptr_array_new();
    cbRestoreJob job = { .repo = repo };
    guint64 size;
    guint64 c;
    guint i;

    if (!(index = cairnRepoLoadIndex(repo, id, t->disk, error)))
        return false;
    size = cairnRepoIndexGetDiskSize(index);
    job.chunks = cairnRepoIndexGetChunkCount(index);
    if (g_str_equal(format, "qcow2")) {
        g_autofree guint8 *used = g_malloc0(MAX(job.chunks, 1));

        for (c = 0; c < job.chunks; c++)
            used[c] = !cairnRepoDigestIsZero(cairnRepoIndexGetDigest(index, c));
        if (!(qcow2 =
                  cbQcow2Create(t->temp, size, cairnRepoIndexGetChunkSize(index), used, n, error)))
            return false;
    } else if (!(writer = cbWriterOpen(t->temp, size, n, error))) {
        return false;
    }
    job.index = index;
    job.writer = writer;
    job.qcow2 = qcow2;
    job.progress = cbProgressDiskStart(progress, t->disk);
    cbProgressDiskSetTotal(job.progress, size);
    g_mutex_init(&job.lock);
    for (i = 0; i < n; i++)
        g_ptr_array_add(threads, g_thread_new("cb-restore", cbRestoreWorker, &job));
    for (i = 0; i < threads->len; i++)
        g_thread_join(threads->pdata[i]);
    g_mutex_clear(&job.lock);
    if (job.error) {
        cbProgressDiskEnd(job.progress, "failed");
        g_propagate_error(error, job.error);
        return false;
    }
    if (qcow2 ? !cbQcow2Finish(qcow2, error) : !cbWriterFinish(writer, error)) {
        cbProgressDiskEnd(job.progress, "failed");
        return false;
    }
    cbProgressDiskEnd(job.progress, t->path);
    return true;
}


static bool
cbFsyncDir(const char *dir, GError **error)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd < 0 || fsync(fd) < 0) {
        cbSetErrno(error, errno, "cannot flush directory '%s'", dir);
        if (fd >= 0)
            close(fd);
        return false;
    }
    close(fd);
    return true;
}


/* The disks to restore, with their paths; refuses existing outputs. */
static GPtrArray *
cbRestoreTargets(const cbOptions *opts,
                 const cairnRepoManifest *m,
                 const char *dir,
                 const char *format,
                 GError **error)
{
    g_autoptr(GPtrArray) targets = g_ptr_array_new_with_free_func(cbRestoreTargetFree);
    guint i;

    if (opts->disks && !cairnRepoManifestFindDisk(m, opts->disks)) {
        g_set_error(error, CB_ERROR, CB_ERROR_USAGE, "snapshot '%s' has no disk '%s'", m->id,
                    opts->disks);
        return NULL;
    }
    for (i = 0; i < m->disks->len; i++) {
        const cairnRepoManifestDisk *d = g_ptr_array_index(m->disks, i);
        cbRestoreTarget *t;

        if (opts->disks && !g_str_equal(opts->disks, d->name))
            continue;
        t = g_new0(cbRestoreTarget, 1);
        t->disk = g_strdup(d->name);
        t->path = g_strdup_printf("%s/%s.%s", dir, d->name, format);
        t->temp = g_strdup_printf("%s/.%s.%s.partial", dir, d->name, format);
        g_ptr_array_add(targets, t);
        if (g_file_test(t->path, G_FILE_TEST_EXISTS)) {
            cbSetError(error, "'%s' exists; restore never overwrites", t->path);
            return NULL;
        }
        /* A leftover of a restore killed earlier. */
        g_unlink(t->temp);
    }
    return g_steal_pointer(&targets);
}


bool
cbCmdRestore(const cbOptions *opts, GError **error)
{
    const char *path = opts->args[0];
    const char *id = opts->args[1];
    const char *dir = opts->args[2];
    const char *format = opts->format ? opts->format : "qcow2";
    g_autoptr(cairnRepo) repo = NULL;
    g_autoptr(cairnRepoManifest) m = NULL;
    g_autoptr(GPtrArray) targets = NULL;
    g_autoptr(cbProgress) progress = cbProgressNew("restored", opts->json);
    guint i;
    bool ok = true;
    /* Twice the CPUs unless told: an O_DIRECT write blocks its thread,
     * and another one decodes meanwhile (bench/README.md: 1 GiB disk,
     * 2 CPUs, qcow2: 3.0 s with 2 threads, 2.0 s with 4, same CPU). From
     * an object store (a URL) each thread mostly waits for its GET: 16,
     * as many as the S3 store's transfers in flight. */
    guint n = opts->connections > 0 ? cbConnections(opts) :
              strstr(path, "://")   ? 16 :
                                      CLAMP(2 * g_get_num_processors(), 4, 16);

    if (!g_str_equal(format, "qcow2") && !g_str_equal(format, "raw")) {
        g_set_error(error, CB_ERROR, CB_ERROR_USAGE, "unknown format '%s' (qcow2 or raw)", format);
        return false;
    }
    if (!(repo = cairnRepoOpen(path, opts->key, CAIRN_REPO_LOCK_SHARED, error)) ||
        !(m = cairnRepoLoadManifest(repo, id, error)))
        return false;
    if (g_mkdir_with_parents(dir, 0755) < 0) {
        cbSetErrno(error, errno, "cannot make directory '%s'", dir);
        return false;
    }
    if (!(targets = cbRestoreTargets(opts, m, dir, format, error)))
        return false;
    for (i = 0; ok && i < targets->len; i++) {
        cbRestoreTarget *t = g_ptr_array_index(targets, i);

        if (!(ok = cbRestoreDisk(n, repo, id, t, format, progress, error)))
            cbPrefixError(error, "snapshot '%s', disk '%s', file '%s': ", id, t->disk, t->path);
    }
    for (i = 0; ok && i < targets->len; i++) {
        cbRestoreTarget *t = g_ptr_array_index(targets, i);

        if (g_rename(t->temp, t->path) < 0) {
            cbSetErrno(error, errno, "cannot rename '%s' to '%s'", t->temp, t->path);
            ok = false;
        }
    }
    if (ok)
        ok = cbFsyncDir(dir, error);
    if (!ok) {
        for (i = 0; i < targets->len; i++) {
            cbRestoreTarget *t = g_ptr_array_index(targets, i);

            g_unlink(t->temp);
        }
        return false;
    }
    if (opts->json) {
        g_autoptr(JsonBuilder) b = json_builder_new();
        g_autoptr(JsonGenerator) gen = json_generator_new();
        g_autoptr(JsonNode) root = NULL;
        g_autofree char *json = NULL;

        json_builder_begin_array(b);
        for (i = 0; i < targets->len; i++) {
            cbRestoreTarget *t = g_ptr_array_index(targets, i);

            json_builder_begin_object(b);
            json_builder_set_member_name(b, "disk");
            json_builder_add_string_value(b, t->disk);
            json_builder_set_member_name(b, "file");
            json_builder_add_string_value(b, t->path);
            json_builder_end_object(b);
        }
        json_builder_end_array(b);
        root = json_builder_get_root(b);
        json_generator_set_root(gen, root);
        json = json_generator_to_data(gen, NULL);
        cbPrintJSON(json);
        return true;
    }
    for (i = 0; i < targets->len; i++)
        printf("%s\n", ((cbRestoreTarget *)g_ptr_array_index(targets, i))->path);
    return true;
}
