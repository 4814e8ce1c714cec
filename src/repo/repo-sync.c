/*
 * repo-sync.c: copy snapshots between two repositories of any store
 * (directory -> s3 off-site, s3 -> directory), object by object.
 *
 * Objects are copied as stored (no re-compression, no re-encryption), so
 * both repositories must use the same key, or none. Every chunk read from
 * the source is decoded and checked against its digest before it is
 * written; every manifest and index is parsed (checksum, tag) before it
 * is. Chunks the destination has already are not read at all. A snapshot
 * appears in the destination when its manifest, copied last, does: an
 * interrupted sync leaves only unreferenced chunks and indexes there, and
 * the next sync skips what was copied.
 *
 * The chunks of a snapshot are copied by SYNC_THREADS threads at once, so
 * an object store has that many requests in flight (repo-s3-xfer.c runs
 * them in one multi handle).
 */
#include <string.h>
#include <zstd.h>

#include "repo-private.h"
#include "repo-store.h"

#define SYNC_THREADS 8


static const cairnRepoKeys *
keysOf(cairnRepo *repo)
{
    return repo->encrypted ? &repo->keys : NULL;
}


static guint
digestHash(gconstpointer p)
{
    guint h;

    memcpy(&h, p, sizeof(h));
    return h;
}


static gboolean
digestEqual(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, CAIRN_REPO_DIGEST_LEN) == 0;
}


/* Copy object @key as stored, after @check said its bytes are sound. */
static bool
copyRaw(
    cairnRepo *src, cairnRepo *dst, const char *key, size_t max, guint64 *ret_bytes, GError **error)
{
    g_autofree guint8 *buf = NULL;
    size_t cap = 0;
    size_t len = 0;
    struct iovec iov;

    if (!src->store->driver->get(src->store, key, max, &buf, &cap, &len, error))
        return false;
    iov = (struct iovec){ buf, len };
    if (!dst->store->driver->put(dst->store, key, &iov, 1, true, true, NULL, error))
        return false;
    *ret_bytes += len;
    return true;
}


static bool
syncChunk(cairnRepo *src,
          cairnRepo *dst,
          const guint8 *digest,
          guint8 *scratch,
          cairnRepoSyncStats *stats,
          GError **error)
{
    g_autofree char *key = cairnRepoChunkKey(digest);
    g_autofree guint8 *buf = NULL;
    size_t cap = 0;
    size_t len = 0;
    size_t raw_len = 0;
    size_t max = CAIRN_REPO_HEADER_LEN + ZSTD_compressBound(src->chunk_size) +
                 CAIRN_REPO_NONCE_LEN + CAIRN_REPO_TAG_LEN;
    struct iovec iov;
    int ex;

    if ((ex = dst->store->driver->exists(dst->store, key, NULL, error)) < 0)
        return false;
    if (ex > 0) {
        stats->chunks_present++;
        return true;
    }
    if (!src->store->driver->get(src->store, key, max, &buf, &cap, &len, error))
        return false;
    /* never pass on bytes that do not match their name */
    if (!cairnRepoDecodeChunk(keysOf(src), digest, buf, len, scratch, src->chunk_size, &raw_len,
                              error)) {
        g_prefix_error(error, "sync from %s: ", src->path);
        return false;
    }
    iov = (struct iovec){ buf, len };
    if (!dst->store->driver->put(dst->store, key, &iov, 1, true, false, NULL, error))
        return false;
    stats->chunks_copied++;
    stats->bytes_copied += len;
    return true;
}


typedef struct {
    cairnRepo *src;
    cairnRepo *dst;
    GPtrArray *digests; /* const guint8*, into the indexes */
    guint next;         /* atomic */
    GMutex lock;
    cairnRepoSyncStats *stats; /* under lock */
    GError *error;             /* the first, under lock */
} syncJob;


static gpointer
syncWorker(gpointer opaque)
{
    syncJob *job = opaque;
    g_autofree guint8 *scratch = g_malloc(job->src->chunk_size);
    cairnRepoSyncStats mine = { 0 };
    guint i;

    while ((i = (guint)g_atomic_int_add(&job->next, 1)) < job->digests->len) {
        g_autoptr(GError) local = NULL;

        if (!syncChunk(job->src, job->dst, job->digests->pdata[i], scratch, &mine, &local)) {
            g_mutex_lock(&job->lock);
            if (!job->error)
                job->error = g_steal_pointer(&local);
            g_mutex_unlock(&job->lock);
            g_atomic_int_set(&job->next, (gint)job->digests->len);
        }
    }
    g_mutex_lock(&job->lock);
    job->stats->chunks_present += mine.chunks_present;
    job->stats->chunks_copied += mine.chunks_copied;
    job->stats->bytes_copied += mine.bytes_copied;
    g_mutex_unlock(&job->lock);
    return NULL;
}


/* Copy the chunks of @digests (distinct) the destination lacks. */
static bool
syncChunks(
    cairnRepo *src, cairnRepo *dst, GPtrArray *digests, cairnRepoSyncStats *stats, GError **error)
{
    syncJob job = { src, dst, digests, 0, { 0 }, stats, NULL };
    g_autoptr(GPtrArray) threads = g_ptr_array_new();
    guint n = MIN(digests->len, SYNC_THREADS);

    g_mutex_init(&job.lock);
    for (guint i = 0; i < n; i++)
        g_ptr_array_add(threads, g_thread_new("cairn-sync", syncWorker, &job));
    for (guint i = 0; i < threads->len; i++)
        g_thread_join(threads->pdata[i]);
    g_mutex_clear(&job.lock);
    if (job.error) {
        g_propagate_error(error, job.error);
        return false;
    }
    return true;
}


static bool
syncSnapshot(cairnRepo *src,
             cairnRepo *dst,
             const cairnRepoManifest *m,
             GHashTable *seen,
             cairnRepoSyncStats *stats,
             GError **error)
{
    g_autofree char *mkey = cairnRepoManifestKey(m->id);
    g_autoptr(GPtrArray) indexes =
        g_ptr_array_new_with_free_func((GDestroyNotify)cairnRepoIndexFree);
    g_autoptr(GPtrArray) todo = g_ptr_array_new();
    g_autoptr(GHashTable) mine = g_hash_table_new(digestHash, digestEqual);

    for (guint i = 0; i < m->disks->len; i++) {
        const cairnRepoManifestDisk *d = m->disks->pdata[i];
        cairnRepoIndex *index = cairnRepoLoadIndex(src, m->id, d->name, error);

        if (!index)
            return false;
        g_ptr_array_add(indexes, index);
        for (guint64 c = 0; c < index->n_chunks; c++) {
            const guint8 *digest = index->digests + c * CAIRN_REPO_DIGEST_LEN;

            if (cairnRepoDigestIsZero(digest) || g_hash_table_contains(seen, digest) ||
                !g_hash_table_add(mine, (gpointer)digest))
                continue;
            g_ptr_array_add(todo, (gpointer)digest);
        }
    }
    if (!syncChunks(src, dst, todo, stats, error))
        return false;
    for (guint i = 0; i < todo->len; i++)
        g_hash_table_add(seen, g_memdup2(todo->pdata[i], CAIRN_REPO_DIGEST_LEN));
    /* chunks durable before the indexes and the manifest that name them */
    if (!dst->store->driver->sync(dst->store, error))
        return false;
    for (guint i = 0; i < m->disks->len; i++) {
        const cairnRepoManifestDisk *d = m->disks->pdata[i];
        g_autofree char *ikey = cairnRepoIndexKey(m->id, d->name);

        if (!copyRaw(src, dst, ikey, G_MAXSIZE, &stats->bytes_copied, error))
            return false;
    }
    if (!copyRaw(src, dst, mkey, CAIRN_REPO_SMALL_FILE_MAX, &stats->bytes_copied, error))
        return false;
    stats->snapshots_copied++;
    return true;
}


bool
cairnRepoSync(cairnRepo *src,
              cairnRepo *dst,
              const char *domain,
              guint last,
              cairnRepoSyncStats *ret_stats,
              GError **error)
{
    cairnRepoSyncStats stats = { 0 };
    g_autoptr(GPtrArray) snaps = NULL;
    g_autoptr(GHashTable) seen = g_hash_table_new_full(digestHash, digestEqual, g_free, NULL);
    g_autoptr(GHashTable) per_domain = g_hash_table_new(g_str_hash, g_str_equal);

    if (src->encrypted != dst->encrypted ||
        (src->encrypted && !g_str_equal(src->keys.fingerprint, dst->keys.fingerprint))) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_KEY,
                          "cannot sync %s to %s: both must be plain, or encrypted with the same "
                          "key (init the destination with --encrypt and the source's key file)",
                          src->path, dst->path);
        return false;
    }
    if (src->chunk_size != dst->chunk_size) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_INVALID,
                          "cannot sync %s to %s: their chunk sizes differ (%u and %u bytes); "
                          "init the destination with --chunk-size %u",
                          src->path, dst->path, src->chunk_size, dst->chunk_size, src->chunk_size);
        return false;
    }
    if (!(snaps = cairnRepoListSnapshots(src, domain, error)))
        return false;
    /* newest first, so --last N counts per domain from the newest */
    for (guint i = snaps->len; i-- > 0;) {
        const cairnRepoManifest *m = snaps->pdata[i];
        guint n = GPOINTER_TO_UINT(g_hash_table_lookup(per_domain, m->domain));
        g_autofree char *mkey = cairnRepoManifestKey(m->id);
        int ex;

        if (last && n >= last)
            continue;
        g_hash_table_insert(per_domain, m->domain, GUINT_TO_POINTER(n + 1));
        if ((ex = dst->store->driver->exists(dst->store, mkey, NULL, error)) < 0)
            return false;
        if (ex > 0) {
            stats.snapshots_present++;
            continue;
        }
        if (!syncSnapshot(src, dst, m, seen, &stats, error)) {
            g_prefix_error(error, "snapshot %s: ", m->id);
            return false;
        }
    }
    if (ret_stats)
        *ret_stats = stats;
    return true;
}
