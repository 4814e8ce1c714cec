/*
 * repo-maint.c: verify and gc.
 */
#include <string.h>

#include "repo-private.h"


static guint
digestHash(gconstpointer key)
{
    guint h;

    memcpy(&h, key, sizeof(h));
    return h;
}


static gboolean
digestEqual(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, CAIRN_REPO_DIGEST_LEN) == 0;
}


/* ---- verify ---- */

static void
problemFree(gpointer data)
{
    cairnRepoVerifyProblem *p = data;

    g_free(p->object);
    g_free(p->problem);
    g_ptr_array_unref(p->users);
    g_free(p);
}


void
cairnRepoVerifyReportFree(cairnRepoVerifyReport *report)
{
    if (!report)
        return;
    g_ptr_array_unref(report->problems);
    g_free(report);
}


static void
addProblem(cairnRepoVerifyReport *report, const char *object, const char *problem, GPtrArray *users)
{
    cairnRepoVerifyProblem *p = g_new0(cairnRepoVerifyProblem, 1);

    p->object = g_strdup(object);
    p->problem = g_strdup(problem);
    p->users = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; users && i < users->len; i++)
        g_ptr_array_add(p->users, g_strdup(users->pdata[i]));
    g_ptr_array_add(report->problems, p);
}


typedef struct {
    guint8 digest[CAIRN_REPO_DIGEST_LEN];
    GPtrArray *users; /* char* "ID disk" */
    GError *error;    /* set by the worker */
    size_t len;
} verifyChunk;


static void
verifyChunkFree(gpointer data)
{
    verifyChunk *c = data;

    g_ptr_array_unref(c->users);
    g_clear_error(&c->error);
    g_free(c);
}


typedef struct {
    cairnRepo *repo;
    GMutex lock;
    GCond cond;
    guint64 done;
} verifyRun;


static void
verifyWorker(gpointer data, gpointer opaque)
{
    verifyChunk *c = data;
    verifyRun *run = opaque;
    guint32 cs = run->repo->chunk_size;
    guint8 *buf = cairnRepoScratch(2, cs);

    cairnRepoReadChunk(run->repo, c->digest, buf, cs, &c->len, &c->error);
    g_mutex_lock(&run->lock);
    run->done++;
    g_cond_signal(&run->cond);
    g_mutex_unlock(&run->lock);
}


/* Collect the chunks of snapshot @id into @chunks (digest -> verifyChunk),
 * reporting an unreadable manifest or index. */
static void
verifySnapshot(cairnRepo *repo, const char *id, GHashTable *chunks, cairnRepoVerifyReport *report)
{
    g_autoptr(cairnRepoManifest) m = NULL;
    g_autoptr(GError) err = NULL;

    report->snapshots++;
    if (!(m = cairnRepoLoadManifest(repo, id, &err))) {
        g_autofree char *object = g_strdup_printf("snapshot %s manifest", id);

        addProblem(report, object, err->message, NULL);
        return;
    }
    for (guint i = 0; i < m->disks->len; i++) {
        cairnRepoManifestDisk *d = m->disks->pdata[i];
        g_autoptr(cairnRepoIndex) index = NULL;
        g_autofree char *user = g_strdup_printf("%s %s", id, d->name);

        if (!(index = cairnRepoLoadIndex(repo, id, d->name, &err)) || index->disk_size != d->size) {
            g_autofree char *object = g_strdup_printf("snapshot %s disk %s index", id, d->name);

            addProblem(report, object, err ? err->message : "size differs from the manifest", NULL);
            g_clear_error(&err);
            continue;
        }
        for (guint64 c = 0; c < index->n_chunks; c++) {
            const guint8 *digest = index->digests + c * CAIRN_REPO_DIGEST_LEN;
            verifyChunk *vc;

            if (cairnRepoDigestIsZero(digest))
                continue;
            if (!(vc = g_hash_table_lookup(chunks, digest))) {
                vc = g_new0(verifyChunk, 1);
                memcpy(vc->digest, digest, CAIRN_REPO_DIGEST_LEN);
                vc->users = g_ptr_array_new_with_free_func(g_free);
                g_hash_table_insert(chunks, vc->digest, vc);
            }
            if (vc->users->len == 0 || !g_str_equal(vc->users->pdata[vc->users->len - 1], user))
                g_ptr_array_add(vc->users, g_strdup(user));
        }
    }
}


static int
problemCompare(gconstpointer a, gconstpointer b)
{
    const cairnRepoVerifyProblem *pa = *(cairnRepoVerifyProblem *const *)a;
    const cairnRepoVerifyProblem *pb = *(cairnRepoVerifyProblem *const *)b;

    return strcmp(pa->object, pb->object);
}


static bool
verifyChunks(cairnRepo *repo,
             GHashTable *chunks,
             cairnRepoProgressFunc progress,
             gpointer opaque,
             cairnRepoVerifyReport *report,
             GError **error)
{
    g_autoptr(GPtrArray) list = g_ptr_array_new();
    verifyRun run = { .repo = repo };
    GThreadPool *pool;
    guint threads = CLAMP(g_get_num_processors(), 1, 8);

    GHashTableIter it;
    gpointer value;

    g_hash_table_iter_init(&it, chunks);
    while (g_hash_table_iter_next(&it, NULL, &value))
        g_ptr_array_add(list, value);
    g_mutex_init(&run.lock);
    g_cond_init(&run.cond);
    if (!(pool = g_thread_pool_new(verifyWorker, &run, (gint)threads, FALSE, error))) {
        g_mutex_clear(&run.lock);
        g_cond_clear(&run.cond);
        return false;
    }
    for (guint i = 0; i < list->len; i++)
        g_thread_pool_push(pool, list->pdata[i], NULL);
    g_mutex_lock(&run.lock);
    while (run.done < list->len) {
        g_cond_wait(&run.cond, &run.lock);
        if (progress) {
            guint64 done = run.done;

            g_mutex_unlock(&run.lock);
            progress(done, list->len, opaque);
            g_mutex_lock(&run.lock);
        }
    }
    g_mutex_unlock(&run.lock);
    g_thread_pool_free(pool, FALSE, TRUE);
    g_mutex_clear(&run.lock);
    g_cond_clear(&run.cond);

    for (guint i = 0; i < list->len; i++) {
        verifyChunk *c = list->pdata[i];
        char hex[CAIRN_REPO_DIGEST_HEX_LEN + 1];
        g_autofree char *object = NULL;

        report->chunks++;
        if (!c->error) {
            report->bytes += c->len;
            continue;
        }
        object = g_strdup_printf("chunk %s", cairnRepoDigestToHex(c->digest, hex));
        addProblem(report, object,
                   g_error_matches(c->error, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_NOT_FOUND) ?
                       "missing" :
                       c->error->message,
                   c->users);
    }
    return true;
}


bool
cairnRepoVerify(cairnRepo *repo,
                const char *const *ids,
                cairnRepoProgressFunc progress,
                gpointer opaque,
                cairnRepoVerifyReport **ret_report,
                GError **error)
{
    g_autoptr(cairnRepoVerifyReport) report = g_new0(cairnRepoVerifyReport, 1);
    g_autoptr(GHashTable) chunks =
        g_hash_table_new_full(digestHash, digestEqual, NULL, verifyChunkFree);
    g_autoptr(GPtrArray) all = NULL;

    report->problems = g_ptr_array_new_with_free_func(problemFree);
    if (ids) {
        /* unknown ids are an error before anything is read */
        for (size_t i = 0; ids[i]; i++) {
            g_autofree char *key = NULL;
            int have;

            if (!cairnRepoCheckName("snapshot", ids[i], error))
                return false;
            key = cairnRepoManifestKey(ids[i]);
            if ((have = repo->store->driver->exists(repo->store, key, NULL, error)) < 0)
                return false;
            if (!have) {
                cairnRepoSetError(error, CAIRN_REPO_ERROR_NOT_FOUND,
                                  "no snapshot '%s' in repository %s", ids[i], repo->path);
                return false;
            }
        }
    } else {
        if (!(all = cairnRepoListIds(repo, error)))
            return false;
        g_ptr_array_sort(all, (GCompareFunc)g_strcmp0);
        g_ptr_array_add(all, NULL);
        ids = (const char *const *)all->pdata;
    }
    for (size_t i = 0; ids[i]; i++)
        verifySnapshot(repo, ids[i], chunks, report);
    if (!verifyChunks(repo, chunks, progress, opaque, report, error))
        return false;
    g_ptr_array_sort(report->problems, problemCompare);
    *ret_report = g_steal_pointer(&report);
    return true;
}


/* ---- gc ---- */

typedef struct {
    GHashTable *snapshots; /* id -> GPtrArray of keys */
    GHashTable *complete;  /* ids with a manifest */
    GHashTable *young;     /* ids with an object modified after cutoff */
    gint64 cutoff;
} snapshotKeys;


static bool
collectSnapshotKey(const char *key, guint64 size, gint64 mtime, gpointer opaque, GError **error)
{
    snapshotKeys *sk = opaque;
    const char *rest = key + strlen("snapshots/");
    const char *slash = strchr(rest, '/');
    g_autofree char *id = NULL;
    GPtrArray *keys;

    if (!slash)
        return true;
    id = g_strndup(rest, (size_t)(slash - rest));
    if (g_str_equal(slash, "/manifest"))
        g_hash_table_add(sk->complete, g_strdup(id));
    if (mtime > sk->cutoff)
        g_hash_table_add(sk->young, g_strdup(id));
    if (!(keys = g_hash_table_lookup(sk->snapshots, id))) {
        keys = g_ptr_array_new_with_free_func(g_free);
        g_hash_table_insert(sk->snapshots, g_strdup(id), keys);
    }
    g_ptr_array_add(keys, g_strdup(key));
    return true;
}


typedef struct {
    GPtrArray *keys;
    GArray *sizes;
    GArray *mtimes;
} chunkKeys;


static bool
collectChunkKey(const char *key, guint64 size, gint64 mtime, gpointer opaque, GError **error)
{
    chunkKeys *ck = opaque;

    g_ptr_array_add(ck->keys, g_strdup(key));
    g_array_append_val(ck->sizes, size);
    g_array_append_val(ck->mtimes, mtime);
    return true;
}


/* The digest named by chunk key @key ("chunks/ab/<hex>"), or false for a
 * name that is no chunk's. */
static bool
chunkKeyDigest(const char *key, guint8 *digest)
{
    const char *hex = strrchr(key, '/');

    if (!hex || strlen(++hex) != CAIRN_REPO_DIGEST_HEX_LEN)
        return false;
    for (size_t i = 0; i < CAIRN_REPO_DIGEST_LEN; i++) {
        int hi = g_ascii_xdigit_value(hex[2 * i]);
        int lo = g_ascii_xdigit_value(hex[2 * i + 1]);

        if (hi < 0 || lo < 0)
            return false;
        digest[i] = (guint8)(hi << 4 | lo);
    }
    return true;
}


/* Every digest the complete snapshots reference, into @used (keys point
 * into the indexes kept in @indexes). */
static bool
gcMark(cairnRepo *repo, GHashTable *complete, GHashTable *used, GPtrArray *indexes, GError **error)
{
    GHashTableIter it;
    gpointer id;

    g_hash_table_iter_init(&it, complete);
    while (g_hash_table_iter_next(&it, &id, NULL)) {
        g_autoptr(cairnRepoManifest) m = NULL;

        if (!(m = cairnRepoLoadManifest(repo, id, error))) {
            g_prefix_error(error, "gc stopped, nothing removed: ");
            return false;
        }
        for (guint i = 0; i < m->disks->len; i++) {
            cairnRepoManifestDisk *d = m->disks->pdata[i];
            cairnRepoIndex *index = cairnRepoLoadIndex(repo, id, d->name, error);

            if (!index) {
                g_prefix_error(error, "gc stopped, nothing removed: ");
                return false;
            }
            g_ptr_array_add(indexes, index);
            for (guint64 c = 0; c < index->n_chunks; c++)
                g_hash_table_add(used, index->digests + c * CAIRN_REPO_DIGEST_LEN);
        }
    }
    return true;
}


#define GC_REMOVE_BATCH 256

/* Remove the chunks of @keys and empty it. */
static bool
gcRemoveBatch(cairnRepoStore *store, GPtrArray *keys, GError **error)
{
    bool ok = store->driver->remove_many(store, (const char *const *)keys->pdata, keys->len, error);

    g_ptr_array_set_size(keys, 0);
    return ok;
}


bool
cairnRepoGc(cairnRepo *repo, bool dry_run, cairnRepoGcStats *ret_stats, GError **error)
{
    cairnRepoStore *store = repo->store;
    cairnRepoGcStats stats = { 0 };
    g_autoptr(GHashTable) snaps =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_ptr_array_unref);
    g_autoptr(GHashTable) complete = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GHashTable) young = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GHashTable) used = g_hash_table_new(digestHash, digestEqual);
    g_autoptr(GPtrArray) indexes =
        g_ptr_array_new_with_free_func((GDestroyNotify)cairnRepoIndexFree);
    g_autoptr(GPtrArray) ckeys = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GArray) csizes = g_array_new(FALSE, FALSE, sizeof(guint64));
    g_autoptr(GArray) cmtimes = g_array_new(FALSE, FALSE, sizeof(gint64));
    g_autoptr(GPtrArray) doomed = g_ptr_array_new(); /* keys of ckeys */
    /* objects modified after cutoff may belong to a run still writing
     * (docs/s3.md); with no grace, the exclusive lock alone protects */
    gint64 cutoff =
        repo->gc_grace > 0 ? g_get_real_time() / G_USEC_PER_SEC - repo->gc_grace : G_MAXINT64;
    snapshotKeys sk = { snaps, complete, young, cutoff };
    chunkKeys ck = { ckeys, csizes, cmtimes };
    GHashTableIter it;
    gpointer id;
    gpointer keys;

    if (repo->lock_mode != CAIRN_REPO_LOCK_EXCLUSIVE) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_LOCKED,
                          "gc needs repository %s opened with the exclusive lock", repo->path);
        return false;
    }
    if (!store->driver->list(store, "snapshots/", collectSnapshotKey, &sk, error) ||
        !gcMark(repo, complete, used, indexes, error) ||
        !store->driver->list(store, "chunks/", collectChunkKey, &ck, error))
        return false;

    /* Under the exclusive lock no writer runs: every temp file and every
     * snapshot directory without a manifest is left over from a crash. */
    if (!store->driver->cleanup(store, dry_run, &stats.temp_removed, error))
        return false;
    g_hash_table_iter_init(&it, snaps);
    while (g_hash_table_iter_next(&it, &id, &keys)) {
        GPtrArray *list = keys;

        if (g_hash_table_contains(complete, id))
            continue;
        if (g_hash_table_contains(young, id)) {
            stats.incomplete_young++;
            continue;
        }
        stats.incomplete_removed++;
        if (!dry_run &&
            !store->driver->remove_many(store, (const char *const *)list->pdata, list->len, error))
            return false;
    }

    for (guint i = 0; i < ckeys->len; i++) {
        guint8 digest[CAIRN_REPO_DIGEST_LEN];
        guint64 size = g_array_index(csizes, guint64, i);
        int err;

        if (!chunkKeyDigest(ckeys->pdata[i], digest))
            continue;
        stats.chunks++;
        if (g_hash_table_contains(used, digest)) {
            stats.bytes_kept += size;
            continue;
        }
        if (g_array_index(cmtimes, gint64, i) > cutoff) {
            stats.chunks_young++;
            stats.bytes_kept += size;
            continue;
        }
        stats.chunks_removed++;
        stats.bytes_removed += size;
        if (dry_run)
            continue;
        if ((err = cairnRepoHook("gc-remove")) != 0) {
            cairnRepoSetErrno(error, err, "cannot remove %s", (char *)ckeys->pdata[i]);
            return false;
        }
        g_ptr_array_add(doomed, ckeys->pdata[i]);
        /* the removals go in batches: an object store runs them at once */
        if (doomed->len >= GC_REMOVE_BATCH && !gcRemoveBatch(store, doomed, error))
            return false;
    }
    if (!gcRemoveBatch(store, doomed, error))
        return false;
    if (!dry_run && !store->driver->sync(store, error))
        return false;
    if (ret_stats)
        *ret_stats = stats;
    return true;
}
