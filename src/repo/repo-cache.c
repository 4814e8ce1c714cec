/*
 * repo-cache.c: a cache of decoded chunks of one disk, shared by threads
 * (cairnRepoChunkCache in repo.h).
 *
 * A fixed number of slots, each holding one chunk. A thread reading a
 * piece of a chunk that no slot holds takes the least recently used slot
 * that nobody is copying from, marks it loading and decodes the chunk
 * into it outside the lock (so several chunks decode at once, one per
 * thread); threads wanting the same chunk meanwhile wait for it instead
 * of decoding it again. A chunk that fails to decode leaves its slot
 * empty and fails the read; a thread that waited for it tries itself
 * and fails with its own error, so bad data is never handed on. Reads of
 * a whole chunk that no slot holds are decoded straight into the
 * caller's buffer and not cached: a sequential reader of whole chunks
 * gains nothing from a copy. With readahead, a thread of the cache's own
 * decodes the chunks after the one a sequential reader of pieces is in,
 * into slots like any other load.
 */
#include <string.h>

#include "repo.h"
#include "repo-private.h"

typedef enum {
    SLOT_EMPTY = 0,
    SLOT_LOADING,
    SLOT_READY,
} slotState;

typedef struct {
    guint64 chunk;
    slotState state;
    guint users;  /* threads copying out of @data */
    guint64 used; /* cache tick of the last use, for LRU */
    guint8 *data; /* the chunk size, allocated on first use */
} cacheSlot;

struct _cairnRepoChunkCache {
    cairnRepo *repo;
    const cairnRepoIndex *index;
    GMutex lock;
    GCond cond; /* a slot finished loading or lost its last user */
    guint64 tick;
    guint n_slots;
    cacheSlot *slots;
    /* readahead */
    guint readahead;     /* chunks, 0: off */
    GThreadPool *pool;   /* one thread; a task is a chunk number (never 0) */
    guint64 next_offset; /* where the last read ended */
    guint64 queued;      /* the last chunk queued ahead */
    guint64 ahead_count; /* chunks decoded ahead */
};


cairnRepoChunkCache *
cairnRepoChunkCacheNew(cairnRepo *repo, const cairnRepoIndex *index, guint slots)
{
    cairnRepoChunkCache *cache = g_new0(cairnRepoChunkCache, 1);

    cache->repo = repo;
    cache->index = index;
    cache->n_slots = MAX(slots, 1);
    cache->slots = g_new0(cacheSlot, cache->n_slots);
    g_mutex_init(&cache->lock);
    g_cond_init(&cache->cond);
    return cache;
}


void
cairnRepoChunkCacheFree(cairnRepoChunkCache *cache)
{
    guint i;

    if (!cache)
        return;
    if (cache->pool)
        g_thread_pool_free(cache->pool, TRUE, TRUE);
    for (i = 0; i < cache->n_slots; i++)
        g_free(cache->slots[i].data);
    g_free(cache->slots);
    g_mutex_clear(&cache->lock);
    g_cond_clear(&cache->cond);
    g_free(cache);
}


/* With the lock held: the slot holding or loading chunk @c, or NULL. */
static cacheSlot *
cacheFind(cairnRepoChunkCache *cache, guint64 c)
{
    guint i;

    for (i = 0; i < cache->n_slots; i++) {
        cacheSlot *s = &cache->slots[i];

        if (s->state != SLOT_EMPTY && s->chunk == c)
            return s;
    }
    return NULL;
}


/* With the lock held: an empty slot, else the least recently used ready
 * slot nobody copies from; NULL when every slot is busy. */
static cacheSlot *
cacheVictim(cairnRepoChunkCache *cache)
{
    cacheSlot *best = NULL;
    guint i;

    for (i = 0; i < cache->n_slots; i++) {
        cacheSlot *s = &cache->slots[i];

        if (s->state == SLOT_EMPTY)
            return s;
        if (s->state == SLOT_READY && s->users == 0 && (!best || s->used < best->used))
            best = s;
    }
    return best;
}


/* Copy @n bytes at @within of chunk @c (@clen bytes long) to @out. */
static bool
cacheReadChunk(cairnRepoChunkCache *cache,
               guint64 c,
               size_t clen,
               size_t within,
               size_t n,
               guint8 *out,
               GError **error)
{
    cacheSlot *s;
    bool ok;

    g_mutex_lock(&cache->lock);
    for (;;) {
        if ((s = cacheFind(cache, c))) {
            if (s->state == SLOT_READY)
                break;
            g_cond_wait(&cache->cond, &cache->lock);
            continue;
        }
        if (n == clen) {
            g_mutex_unlock(&cache->lock);
            return cairnRepoReadIndexChunk(cache->repo, cache->index, c, out, error);
        }
        if (!(s = cacheVictim(cache))) {
            g_cond_wait(&cache->cond, &cache->lock);
            continue;
        }
        /* Ours alone while loading: nobody reads or evicts it. */
        s->state = SLOT_LOADING;
        s->chunk = c;
        g_mutex_unlock(&cache->lock);
        if (!s->data)
            s->data = g_malloc(cairnRepoIndexGetChunkSize(cache->index));
        ok = cairnRepoReadIndexChunk(cache->repo, cache->index, c, s->data, error);
        g_mutex_lock(&cache->lock);
        s->state = ok ? SLOT_READY : SLOT_EMPTY;
        g_cond_broadcast(&cache->cond);
        if (!ok) {
            g_mutex_unlock(&cache->lock);
            return false;
        }
        break;
    }
    s->users++;
    s->used = ++cache->tick;
    g_mutex_unlock(&cache->lock);

    memcpy(out, s->data + within, n);

    g_mutex_lock(&cache->lock);
    if (--s->users == 0)
        g_cond_broadcast(&cache->cond);
    g_mutex_unlock(&cache->lock);
    return true;
}


/* The readahead thread: decode chunk @task into a slot unless it is
 * there, loading or zero, or every slot is busy (then it is skipped: the
 * reader will load it itself). */
static void
cacheAhead(gpointer task, gpointer opaque)
{
    cairnRepoChunkCache *cache = opaque;
    guint64 c = GPOINTER_TO_SIZE(task);
    g_autoptr(GError) error = NULL;
    cacheSlot *s;
    bool ok;

    if (c >= cairnRepoIndexGetChunkCount(cache->index) ||
        cairnRepoDigestIsZero(cairnRepoIndexGetDigest(cache->index, c)))
        return;
    g_mutex_lock(&cache->lock);
    if (cacheFind(cache, c) || !(s = cacheVictim(cache))) {
        g_mutex_unlock(&cache->lock);
        return;
    }
    s->state = SLOT_LOADING;
    s->chunk = c;
    g_mutex_unlock(&cache->lock);
    if (!s->data)
        s->data = g_malloc(cairnRepoIndexGetChunkSize(cache->index));
    /* A failure is the reader's to report, with its own error. */
    ok = cairnRepoReadIndexChunk(cache->repo, cache->index, c, s->data, &error);
    g_mutex_lock(&cache->lock);
    s->state = ok ? SLOT_READY : SLOT_EMPTY;
    s->used = ++cache->tick;
    if (ok)
        cache->ahead_count++;
    g_cond_broadcast(&cache->cond);
    g_mutex_unlock(&cache->lock);
}


void
cairnRepoChunkCacheSetReadahead(cairnRepoChunkCache *cache, guint chunks)
{
    g_return_if_fail(!cache->pool);
    if (chunks == 0)
        return;
    /* Never more than the slots less one, which a reader needs. */
    cache->readahead = MIN(chunks, cache->n_slots - 1);
    if (cache->readahead > 0)
        cache->pool = g_thread_pool_new(cacheAhead, cache, 1, FALSE, NULL);
}


guint64
cairnRepoChunkCacheGetReadaheadCount(cairnRepoChunkCache *cache)
{
    guint64 n;

    g_mutex_lock(&cache->lock);
    n = cache->ahead_count;
    g_mutex_unlock(&cache->lock);
    return n;
}


/* Before reading @len bytes at @offset: queue the chunks after the last
 * one the read touches if it continues the previous read and is a piece
 * of a chunk. */
static void
cacheQueueAhead(cairnRepoChunkCache *cache, guint64 offset, size_t len)
{
    guint64 csize = cairnRepoIndexGetChunkSize(cache->index);
    guint64 last = (offset + len - 1) / csize;
    bool sequential;
    guint64 from;
    guint64 to;

    g_mutex_lock(&cache->lock);
    sequential = offset == cache->next_offset && len < csize;
    cache->next_offset = offset + len;
    if (!sequential) {
        cache->queued = last;
        g_mutex_unlock(&cache->lock);
        return;
    }
    from = MAX(cache->queued, last) + 1;
    to = last + cache->readahead;
    cache->queued = MAX(cache->queued, to);
    g_mutex_unlock(&cache->lock);
    for (guint64 c = from; c <= to; c++)
        g_thread_pool_push(cache->pool, GSIZE_TO_POINTER((gsize)c), NULL);
}


bool
cairnRepoChunkCacheRead(
    cairnRepoChunkCache *cache, guint64 offset, size_t len, void *buf, GError **error)
{
    const cairnRepoIndex *index = cache->index;
    guint64 size = cairnRepoIndexGetDiskSize(index);
    guint64 csize = cairnRepoIndexGetChunkSize(index);
    guint8 *out = buf;

    if (offset > size || len > size - offset) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_INVALID,
                          "range of %zu bytes at %" G_GUINT64_FORMAT
                          " is past the end of the disk (%" G_GUINT64_FORMAT " bytes)",
                          len, offset, size);
        return false;
    }
    if (cache->pool && len > 0)
        cacheQueueAhead(cache, offset, len);
    while (len > 0) {
        guint64 c = offset / csize;
        size_t within = (size_t)(offset - c * csize);
        size_t clen = cairnRepoIndexGetChunkLength(index, c);
        size_t n = MIN(len, clen - within);

        if (cairnRepoDigestIsZero(cairnRepoIndexGetDigest(index, c)))
            memset(out, 0, n);
        else if (!cacheReadChunk(cache, c, clen, within, n, out, error))
            return false;
        out += n;
        offset += n;
        len -= n;
    }
    return true;
}
