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
 * gains nothing from a copy.
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
