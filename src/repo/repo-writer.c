/*
 * repo-writer.c: writing a snapshot.
 *
 * PutChunk runs in several reader threads at once: the zero test, the
 * digest, the existence test, compression, encryption and the write all
 * run without a lock; only the index slot and the statistics are updated
 * under the writer's mutex. Chunks are stored with no_replace, so two
 * threads (or processes) storing the same chunk leave one file and count
 * it once as new.
 *
 * Commit: sync the store (every chunk durable), write each disk's index,
 * then the manifest: a crash before the manifest leaves no snapshot, only
 * files gc removes.
 */
#include <string.h>

#include <openssl/rand.h>

#include "repo-private.h"

typedef struct {
    char *name;
    guint64 size;
    bool has_base;
    cairnRepoIndex *index;
    /* statistics, under the writer's mutex */
    guint64 chunks_put;
    guint64 chunks_new;
    guint64 bytes_put;
    guint64 bytes_new;
    guint64 bytes_stored;
    GHashTable *info;
} writerDisk;

struct _cairnRepoWriter {
    cairnRepo *repo;
    char *domain;
    char *domain_xml;
    gint64 created;
    GHashTable *disks; /* name -> writerDisk*, under lock */
    GPtrArray *order;  /* writerDisk*, in the order added, under lock */
    GHashTable *info;
    GMutex lock;
    bool committed;
};


static void
writerDiskFree(gpointer data)
{
    writerDisk *d = data;

    g_free(d->name);
    cairnRepoIndexFree(d->index);
    g_hash_table_unref(d->info);
    g_free(d);
}


cairnRepoWriter *
cairnRepoWriterNew(cairnRepo *repo, const char *domain, const char *domain_xml, GError **error)
{
    cairnRepoWriter *w;

    if (!domain || !*domain || strchr(domain, '\n')) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_INVALID, "invalid domain name '%s'",
                          domain ? domain : "(null)");
        return NULL;
    }
    w = g_new0(cairnRepoWriter, 1);
    w->repo = repo;
    w->domain = g_strdup(domain);
    w->domain_xml = g_strdup(domain_xml ? domain_xml : "");
    w->created = g_get_real_time() / G_USEC_PER_SEC;
    w->disks = g_hash_table_new(g_str_hash, g_str_equal);
    w->order = g_ptr_array_new_with_free_func(writerDiskFree);
    w->info = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    g_mutex_init(&w->lock);
    return w;
}


void
cairnRepoWriterFree(cairnRepoWriter *w)
{
    if (!w)
        return;
    g_free(w->domain);
    g_free(w->domain_xml);
    g_hash_table_unref(w->disks);
    g_ptr_array_unref(w->order);
    g_hash_table_unref(w->info);
    g_mutex_clear(&w->lock);
    g_free(w);
}


bool
cairnRepoWriterAddDisk(cairnRepoWriter *w,
                       const char *disk,
                       guint64 size_bytes,
                       const cairnRepoIndex *base,
                       GError **error)
{
    writerDisk *d;

    if (!cairnRepoCheckName("disk", disk, error))
        return false;
    if (size_bytes == 0) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_INVALID, "disk '%s' has size 0", disk);
        return false;
    }
    if (base && (base->disk_size != size_bytes || base->chunk_size != w->repo->chunk_size)) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_INVALID,
                          "disk '%s': base index is for %" G_GUINT64_FORMAT
                          " bytes in chunks of %u, the disk has %" G_GUINT64_FORMAT
                          " bytes in chunks of %u: an incremental needs the same sizes",
                          disk, base->disk_size, base->chunk_size, size_bytes, w->repo->chunk_size);
        return false;
    }
    d = g_new0(writerDisk, 1);
    d->name = g_strdup(disk);
    d->size = size_bytes;
    d->has_base = base != NULL;
    d->index = cairnRepoIndexNewEmpty(size_bytes, w->repo->chunk_size);
    if (base)
        memcpy(d->index->digests, base->digests, base->n_chunks * CAIRN_REPO_DIGEST_LEN);
    d->info = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    g_mutex_lock(&w->lock);
    if (g_hash_table_contains(w->disks, disk)) {
        g_mutex_unlock(&w->lock);
        writerDiskFree(d);
        cairnRepoSetError(error, CAIRN_REPO_ERROR_INVALID, "disk '%s' added twice", disk);
        return false;
    }
    g_ptr_array_add(w->order, d);
    g_hash_table_insert(w->disks, d->name, d);
    g_mutex_unlock(&w->lock);
    return true;
}


static bool
isZero(const guint8 *data, size_t len)
{
    static const guint8 zeros[4096];

    while (len >= sizeof(zeros)) {
        if (memcmp(data, zeros, sizeof(zeros)) != 0)
            return false;
        data += sizeof(zeros);
        len -= sizeof(zeros);
    }
    return memcmp(data, zeros, len) == 0;
}


static writerDisk *
diskLookup(cairnRepoWriter *w, const char *disk, GError **error)
{
    writerDisk *d = NULL;

    if (disk) {
        g_mutex_lock(&w->lock);
        d = g_hash_table_lookup(w->disks, disk);
        g_mutex_unlock(&w->lock);
    }
    if (!d) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_INVALID, "no disk '%s' in this snapshot",
                          disk ? disk : "(null)");
    }
    return d;
}


bool
cairnRepoWriterPutChunk(cairnRepoWriter *w,
                        const char *disk,
                        guint64 chunk_no,
                        const void *data,
                        size_t len,
                        GError **error)
{
    cairnRepo *repo = w->repo;
    const cairnRepoKeys *keys = repo->encrypted ? &repo->keys : NULL;
    writerDisk *d;
    guint8 digest[CAIRN_REPO_DIGEST_LEN] = { 0 };
    bool created = false;
    size_t stored = 0;
    size_t want;
    int err;

    if (!(d = diskLookup(w, disk, error)))
        return false;
    if (chunk_no >= d->index->n_chunks) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_INVALID,
                          "disk '%s': chunk %" G_GUINT64_FORMAT
                          " is past the end (%" G_GUINT64_FORMAT " chunks)",
                          disk, chunk_no, d->index->n_chunks);
        return false;
    }
    want = cairnRepoIndexGetChunkLength(d->index, chunk_no);
    if (len != want) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_INVALID,
                          "disk '%s': chunk %" G_GUINT64_FORMAT " must be %zu bytes, not %zu", disk,
                          chunk_no, want, len);
        return false;
    }
    if ((err = cairnRepoHook("put-chunk")) != 0) {
        cairnRepoSetErrno(error, err, "disk '%s': cannot store chunk %" G_GUINT64_FORMAT, disk,
                          chunk_no);
        return false;
    }

    if (!isZero(data, len)) {
        g_autofree char *key = NULL;
        guint64 size = 0;
        bool replace;
        int have;

        cairnRepoDigestCompute(keys, data, len, digest);
        key = cairnRepoChunkKey(digest);
        if ((have = repo->store->driver->exists(repo->store, key, &size, error)) < 0)
            return false;
        /* A chunk file too short to hold even its header is debris (e.g.
         * a filesystem that lost its data in a power cut): replace it
         * rather than let this snapshot reference it. */
        replace = have && size < CAIRN_REPO_HEADER_LEN;
        if (replace)
            have = 0;
        if (!have) {
            struct iovec iov[2];

            if (!cairnRepoEncodeChunk(keys, digest, data, len, iov, error) ||
                !repo->store->driver->put(repo->store, key, iov, 2, !replace, false, &created,
                                          error)) {
                g_prefix_error(error, "disk '%s', chunk %" G_GUINT64_FORMAT ": ", disk, chunk_no);
                return false;
            }
            stored = iov[0].iov_len + iov[1].iov_len;
        }
    }

    g_mutex_lock(&w->lock);
    memcpy(d->index->digests + chunk_no * CAIRN_REPO_DIGEST_LEN, digest, CAIRN_REPO_DIGEST_LEN);
    d->chunks_put++;
    d->bytes_put += len;
    if (created) {
        d->chunks_new++;
        d->bytes_new += len;
        d->bytes_stored += stored;
    }
    g_mutex_unlock(&w->lock);
    return true;
}


static bool
checkInfoKey(const char *key, GError **error)
{
    if (!key || !*key ||
        strspn(key, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") !=
            strlen(key)) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_INVALID, "invalid info key '%s'",
                          key ? key : "(null)");
        return false;
    }
    return true;
}


bool
cairnRepoWriterSetInfo(
    cairnRepoWriter *w, const char *disk, const char *key, const char *value, GError **error)
{
    GHashTable *info = w->info;

    if (disk) {
        writerDisk *d = diskLookup(w, disk, error);

        if (!d)
            return false;
        info = d->info;
    }
    if (!checkInfoKey(key, error))
        return false;
    if (!value || !g_utf8_validate(value, -1, NULL)) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_INVALID, "info '%s': value is not UTF-8", key);
        return false;
    }
    g_mutex_lock(&w->lock);
    g_hash_table_insert(info, g_strdup(key), g_strdup(value));
    g_mutex_unlock(&w->lock);
    return true;
}


static guint64
countZero(const cairnRepoIndex *index)
{
    guint64 n = 0;

    for (guint64 i = 0; i < index->n_chunks; i++)
        n += cairnRepoDigestIsZero(index->digests + i * CAIRN_REPO_DIGEST_LEN);
    return n;
}


/* Fill @out (fields of cairnRepoManifestDisk) from @d; called locked. */
static void
diskStats(const writerDisk *d, cairnRepoManifestDisk *out)
{
    out->chunks += d->index->n_chunks;
    out->chunks_zero += countZero(d->index);
    out->chunks_put += d->chunks_put;
    out->chunks_new += d->chunks_new;
    out->bytes_put += d->bytes_put;
    out->bytes_new += d->bytes_new;
    out->bytes_stored += d->bytes_stored;
}


bool
cairnRepoWriterGetStats(cairnRepoWriter *w,
                        const char *disk,
                        cairnRepoManifestDisk *ret_stats,
                        GError **error)
{
    cairnRepoManifestDisk out = { 0 };
    writerDisk *d = NULL;

    if (disk && !(d = diskLookup(w, disk, error)))
        return false;
    g_mutex_lock(&w->lock);
    for (guint i = 0; i < w->order->len; i++) {
        if (!d || w->order->pdata[i] == d)
            diskStats(w->order->pdata[i], &out);
    }
    g_mutex_unlock(&w->lock);
    *ret_stats = out;
    return true;
}


/* YYYYMMDDTHHMMSSZ-rrrrrr: the start second, then the microsecond of the
 * commit (5 hex digits) and 4 random bits. Snapshots sort by start, end
 * and then id (repo.c), so two made within the same second keep the order
 * in which they were committed. */
static char *
makeId(gint64 when, gint64 now_us)
{
    g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(when);
    g_autofree char *stamp = dt ? g_date_time_format(dt, "%Y%m%dT%H%M%SZ") : g_strdup("0");
    guint32 usec = (guint32)(now_us % G_USEC_PER_SEC);
    guint8 rnd;

    if (RAND_bytes(&rnd, 1) != 1)
        rnd = (guint8)g_random_int();
    return g_strdup_printf("%s-%05x%x", stamp, usec, rnd & 0xfu);
}


static void
copyInfo(GHashTable *from, GHashTable *to)
{
    GHashTableIter it;
    gpointer k;
    gpointer v;

    g_hash_table_iter_init(&it, from);
    while (g_hash_table_iter_next(&it, &k, &v))
        g_hash_table_insert(to, g_strdup(k), g_strdup(v));
}


static cairnRepoManifest *
buildManifest(cairnRepoWriter *w, const char *id, const cairnRepoCommitInfo *info, gint64 now_us)
{
    cairnRepoManifest *m = cairnRepoManifestNew();

    m->id = g_strdup(id);
    m->domain = g_strdup(w->domain);
    m->domain_xml = g_strdup(w->domain_xml);
    m->checkpoint = g_strdup(info ? info->checkpoint : NULL);
    m->start_time = info && info->start_time ? info->start_time : w->created;
    m->end_time = info && info->end_time ? info->end_time : now_us / G_USEC_PER_SEC;
    m->tool_version = g_strdup(CAIRN_REPO_VERSION);
    copyInfo(w->info, m->info);
    for (guint i = 0; i < w->order->len; i++) {
        writerDisk *d = w->order->pdata[i];
        cairnRepoManifestDisk *md = cairnRepoManifestDiskNew(d->name);

        md->size = d->size;
        md->chunk_size = d->index->chunk_size;
        md->mode = g_strdup(d->has_base ? "incremental" : "full");
        diskStats(d, md);
        copyInfo(d->info, md->info);
        m->bytes_new += md->bytes_new;
        m->bytes_stored += md->bytes_stored;
        g_ptr_array_add(m->disks, md);
    }
    return m;
}


static bool
putObject(cairnRepo *repo,
          cairnRepoKind kind,
          const char *key,
          const guint8 *raw,
          size_t len,
          GError **error)
{
    g_autoptr(GBytes) file = NULL;
    struct iovec iov;
    bool created = false;

    if (!(file = cairnRepoEncodeObject(kind, repo->encrypted ? &repo->keys : NULL, key, raw, len,
                                       error)))
        return false;
    iov.iov_base = (void *)g_bytes_get_data(file, NULL);
    iov.iov_len = g_bytes_get_size(file);
    if (!repo->store->driver->put(repo->store, key, &iov, 1, true, true, &created, error))
        return false;
    if (!created) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_EXISTS, "%s exists already in %s", key,
                          repo->path);
        return false;
    }
    return true;
}


static bool
hookStep(const char *step, GError **error)
{
    int err = cairnRepoHook(step);

    if (err) {
        cairnRepoSetErrno(error, err, "cannot commit the snapshot (%s)", step);
        return false;
    }
    return true;
}


bool
cairnRepoWriterCommit(cairnRepoWriter *w,
                      const cairnRepoCommitInfo *info,
                      char **ret_id,
                      GError **error)
{
    cairnRepo *repo = w->repo;
    g_autoptr(cairnRepoManifest) m = NULL;
    g_autofree char *id = NULL;
    g_autofree char *text = NULL;
    g_autofree char *mkey = NULL;
    size_t text_len;
    gint64 now_us;

    if (w->committed) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_INVALID, "snapshot already committed");
        return false;
    }
    if (w->order->len == 0) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_INVALID, "a snapshot needs at least one disk");
        return false;
    }
    /* One instant for the ID's microsecond and the default end time, so
     * that (end, ID) orders snapshots by commit (makeId()). */
    now_us = g_get_real_time();
    id = makeId(info && info->start_time ? info->start_time : w->created, now_us);

    if (!hookStep("commit-sync", error) || !repo->store->driver->sync(repo->store, error))
        return false;
    for (guint i = 0; i < w->order->len; i++) {
        writerDisk *d = w->order->pdata[i];
        g_autofree char *key = cairnRepoIndexKey(id, d->name);
        g_autoptr(GBytes) raw = cairnRepoIndexSerialize(d->index);

        if (!hookStep("commit-index", error) ||
            !putObject(repo, CAIRN_REPO_KIND_INDEX, key, g_bytes_get_data(raw, NULL),
                       g_bytes_get_size(raw), error))
            return false;
    }
    m = buildManifest(w, id, info, now_us);
    text = cairnRepoManifestSerialize(m, &text_len);
    mkey = cairnRepoManifestKey(id);
    if (!hookStep("commit-manifest", error) ||
        !putObject(repo, CAIRN_REPO_KIND_MANIFEST, mkey, (const guint8 *)text, text_len, error))
        return false;
    w->committed = true;
    cairnRepoHook("commit-done");
    if (ret_id)
        *ret_id = g_steal_pointer(&id);
    return true;
}
