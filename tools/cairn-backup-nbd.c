/*
 * cairn-backup-nbd.c: reading the exports of a pull backup with libnbd
 * (cairn-backup-nbd.h).
 *
 * One connection maps the export first: base:allocation always (what is
 * data, what reads as zeros), the dirty bitmap for an incremental. That
 * decides the chunks: every chunk of a full, the dirty ones of an
 * incremental; a chunk whose every byte base:allocation calls zero is
 * reported as zero without a read. Then @connections threads, each with a
 * connection of its own (QEMU's read-only exports accept several; when
 * the server advertises multi-conn, that is its promise of consistency,
 * which a read-only export of a frozen point in time has anyway), take
 * chunks in order from a shared counter and read only the data extents
 * of each, the rest of the buffer being zeros. A chunk read goes through
 * a queue to @workers threads that call the chunk function (digest,
 * compression, store: the CPU work), so the next reads are in flight
 * meanwhile; buffers come from a pool of 2 per reader + 1 per worker,
 * which bounds the memory and makes the readers wait for slow workers.
 */
#include <errno.h>
#include <string.h>

#include <libnbd.h>

#include "cairn-backup-nbd.h"
#include "cairn-backup-error.h"

#define CB_NBD_MAP_WINDOW (1ULL << 30)
#define CB_NBD_STATE_HOLE 1
#define CB_NBD_STATE_ZERO 2
#define CB_NBD_STATE_DIRTY 1
/* Most requests in flight for one chunk (the request size is raised to
 * chunk size / this when smaller). */
#define CB_NBD_MAX_REQUESTS 64

typedef struct {
    guint64 offset;
    guint64 length;
} cbExtent;

typedef struct {
    const cbNbdSource *src;
    guint64 size;
    GArray *data;   /* cbExtent: what base:allocation calls data, sorted */
    GArray *chunks; /* guint64: the chunk indexes to report, sorted */
    guint next;     /* atomic: next position in @chunks */
    gint failed;    /* atomic */
    GMutex lock;    /* @error */
    GError *error;  /* the first failure */
    cbNbdChunkFunc fn;
    gpointer opaque;
    cbProgressDisk *progress;
    GAsyncQueue *pool; /* guint8[chunk_size]: free buffers */
    GAsyncQueue *work; /* cbNbdItem*: chunks read, for the workers */
} cbNbdJob;

typedef struct {
    const char *want; /* the context being collected */
    GArray *extents;  /* cbExtent with flags folded: only those matching */
    guint32 mask;     /* flags that make an extent count */
    guint32 match;    /* ... when (flags & mask) == match */
    guint64 seen;     /* bytes covered by the reply */
} cbMapCollect;


static void
cbNbdClose(struct nbd_handle *nbd)
{
    if (nbd) {
        nbd_shutdown(nbd, 0);
        nbd_close(nbd);
    }
}
typedef struct nbd_handle cbNbdHandle;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(cbNbdHandle, cbNbdClose)


static struct nbd_handle *
cbNbdConnect(const cbNbdSource *src, bool meta, GError **error)
{
    g_autoptr(cbNbdHandle) nbd = nbd_create();

    if (!nbd) {
        cbSetError(error, "cannot create an NBD handle: %s", nbd_get_error());
        return NULL;
    }
    if (nbd_set_export_name(nbd, src->export_name) < 0 ||
        (meta && nbd_add_meta_context(nbd, "base:allocation") < 0) ||
        (meta && src->bitmap && nbd_add_meta_context(nbd, src->bitmap) < 0) ||
        nbd_connect_unix(nbd, src->socket) < 0) {
        cbSetError(error, "cannot connect to export '%s' on '%s': %s", src->export_name,
                   src->socket, nbd_get_error());
        return NULL;
    }
    if (meta && (nbd_can_meta_context(nbd, "base:allocation") <= 0 ||
                 (src->bitmap && nbd_can_meta_context(nbd, src->bitmap) <= 0))) {
        cbSetError(error, "export '%s' on '%s' does not offer '%s'", src->export_name, src->socket,
                   src->bitmap ? src->bitmap : "base:allocation");
        return NULL;
    }
    return g_steal_pointer(&nbd);
}


bool
cbNbdExportSize(const cbNbdSource *src, guint64 *ret_size, GError **error)
{
    g_autoptr(cbNbdHandle) nbd = NULL;
    int64_t size;

    if (!(nbd = cbNbdConnect(src, false, error)))
        return false;
    if ((size = nbd_get_size(nbd)) < 0) {
        cbSetError(error, "cannot get the size of export '%s': %s", src->export_name,
                   nbd_get_error());
        return false;
    }
    *ret_size = size;
    return true;
}


static int
cbMapExtent(void *opaque,
            const char *context,
            uint64_t offset,
            uint32_t *entries,
            size_t nr_entries,
            int *error)
{
    cbMapCollect *col = opaque;
    size_t i;

    if (!g_str_equal(context, col->want))
        return 0;
    for (i = 0; i + 1 < nr_entries; i += 2) {
        guint32 len = entries[i];
        guint32 flags = entries[i + 1];

        if ((flags & col->mask) == col->match) {
            cbExtent *last = col->extents->len ?
                                 &g_array_index(col->extents, cbExtent, col->extents->len - 1) :
                                 NULL;

            if (last && last->offset + last->length == offset)
                last->length += len;
            else
                g_array_append_vals(col->extents, &(cbExtent){ offset, len }, 1);
        }
        offset += len;
        col->seen += len;
    }
    return 0;
}


/* The extents of context @want whose flags match, merged and sorted. */
static GArray *
cbNbdMap(struct nbd_handle *nbd,
         const cbNbdSource *src,
         guint64 size,
         const char *want,
         guint32 mask,
         guint32 match,
         GError **error)
{
    g_autoptr(GArray) extents = g_array_new(FALSE, FALSE, sizeof(cbExtent));
    guint64 offset = 0;

    while (offset < size) {
        cbMapCollect col = { want, extents, mask, match, 0 };
        guint64 count = MIN(size - offset, CB_NBD_MAP_WINDOW);
        nbd_extent_callback cb = { .callback = cbMapExtent, .user_data = &col };

        if (nbd_block_status(nbd, count, offset, cb, 0) < 0) {
            cbSetError(error, "cannot read '%s' of export '%s' at offset %" G_GUINT64_FORMAT ": %s",
                       want, src->export_name, offset, nbd_get_error());
            return NULL;
        }
        if (col.seen == 0) {
            cbSetError(error, "export '%s' answered no extent of '%s' at offset %" G_GUINT64_FORMAT,
                       src->export_name, want, offset);
            return NULL;
        }
        offset += col.seen;
    }
    return g_steal_pointer(&extents);
}


/* Append to @chunks every chunk that one of @extents touches. */
static void
cbChunksOf(GArray *chunks, GArray *extents, guint64 chunk_size)
{
    guint i;

    for (i = 0; i < extents->len; i++) {
        cbExtent *e = &g_array_index(extents, cbExtent, i);
        guint64 first = e->offset / chunk_size;
        guint64 last = (e->offset + e->length - 1) / chunk_size;
        guint64 c;

        if (e->length == 0)
            continue;
        if (chunks->len && g_array_index(chunks, guint64, chunks->len - 1) >= first)
            first = g_array_index(chunks, guint64, chunks->len - 1) + 1;
        for (c = first; c <= last; c++)
            g_array_append_val(chunks, c);
    }
}


/* Position of the first data extent ending after @offset. */
static guint
cbFirstExtentAfter(GArray *data, guint64 offset)
{
    guint lo = 0;
    guint hi = data->len;

    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;
        cbExtent *e = &g_array_index(data, cbExtent, mid);

        if (e->offset + e->length <= offset)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}


/* Bytes of chunk @index that base:allocation calls data. */
static guint64
cbDataIn(cbNbdJob *job, guint64 index)
{
    guint64 start = index * job->src->chunk_size;
    guint64 end = MIN(start + job->src->chunk_size, job->size);
    guint64 sum = 0;
    guint i;

    for (i = cbFirstExtentAfter(job->data, start); i < job->data->len; i++) {
        cbExtent *e = &g_array_index(job->data, cbExtent, i);

        if (e->offset >= end)
            break;
        sum += MIN(e->offset + e->length, end) - MAX(e->offset, start);
    }
    return sum;
}


static void
cbNbdJobFail(cbNbdJob *job, GError *err)
{
    g_mutex_lock(&job->lock);
    if (!job->error)
        job->error = err;
    else
        g_error_free(err);
    g_mutex_unlock(&job->lock);
    g_atomic_int_set(&job->failed, 1);
}


/* Requests of one chunk in flight on a connection. */
typedef struct {
    int64_t cookies[CB_NBD_MAX_REQUESTS];
    guint64 offsets[CB_NBD_MAX_REQUESTS];
    guint n;
} cbNbdBatch;


/* Wait until every request of @batch is answered (even after a failure:
 * the buffer they read into must not be reused before); false with
 * @error set (unless already set, *@ok false) when one failed. */
static bool
cbNbdDrain(cbNbdJob *job, struct nbd_handle *nbd, cbNbdBatch *batch, bool ok, GError **error)
{
    while (nbd_aio_in_flight(nbd) > 0) {
        if (nbd_poll(nbd, -1) < 0) {
            if (ok)
                cbSetError(error, "cannot read export '%s': %s", job->src->export_name,
                           nbd_get_error());
            return false;
        }
    }
    for (guint i = 0; i < batch->n; i++) {
        if (nbd_aio_command_completed(nbd, batch->cookies[i]) < 0 && ok) {
            cbSetError(error, "cannot read at offset %" G_GUINT64_FORMAT " of export '%s': %s",
                       batch->offsets[i], job->src->export_name, nbd_get_error());
            ok = false;
        }
    }
    batch->n = 0;
    return ok;
}


/* Read chunk @index into @buf (zeros where base:allocation has no data);
 * *@ret_zero tells a chunk with no data at all. The data extents go out
 * as requests of at most src->request_size bytes, up to
 * CB_NBD_MAX_REQUESTS in flight at once on the connection (QEMU serves
 * them concurrently), and are waited for before the chunk is handed on. */
static bool
cbNbdReadChunk(cbNbdJob *job,
               struct nbd_handle *nbd,
               guint64 index,
               guint8 *buf,
               gsize len,
               bool *ret_zero,
               guint64 *ret_read,
               GError **error)
{
    guint64 start = index * job->src->chunk_size;
    guint64 end = start + len;
    guint64 pos = start;
    guint64 req = job->src->request_size ? job->src->request_size : job->src->chunk_size;
    cbNbdBatch batch = { .n = 0 };
    bool zero = true;
    bool ok = true;

    for (guint i = cbFirstExtentAfter(job->data, start); i < job->data->len && ok; i++) {
        cbExtent *e = &g_array_index(job->data, cbExtent, i);
        guint64 from = MAX(e->offset, start);
        guint64 to = MIN(e->offset + e->length, end);

        if (e->offset >= end)
            break;
        if (from > pos)
            memset(buf + (pos - start), 0, from - pos);
        for (guint64 off = from; off < to && ok; off += req) {
            guint64 count = MIN(req, to - off);

            if (batch.n == CB_NBD_MAX_REQUESTS && !cbNbdDrain(job, nbd, &batch, ok, error)) {
                ok = false;
                break;
            }
            batch.offsets[batch.n] = off;
            batch.cookies[batch.n] =
                nbd_aio_pread(nbd, buf + (off - start), count, off, NBD_NULL_COMPLETION, 0);
            if (batch.cookies[batch.n] < 0) {
                cbSetError(error,
                           "cannot read %" G_GUINT64_FORMAT " bytes at offset %" G_GUINT64_FORMAT
                           " of export '%s': %s",
                           count, off, job->src->export_name, nbd_get_error());
                ok = false;
                break;
            }
            batch.n++;
            zero = false;
            *ret_read += count;
        }
        pos = to;
    }
    /* A chunk with no data is reported without its buffer: no need to
     * clear it (a GiB of memset in a full of a half-empty disk). */
    if (pos < end && !zero)
        memset(buf + (pos - start), 0, end - pos);
    if (!cbNbdDrain(job, nbd, &batch, ok, error))
        return false;
    *ret_zero = zero;
    return ok;
}


/* A chunk read, on its way from a reader to a worker; @buf goes back
 * to the pool when the worker is done with it. */
typedef struct {
    guint64 index;
    guint64 len;
    guint64 read; /* bytes read from the export (progress) */
    bool zero;
    guint8 *buf;
} cbNbdItem;

/* The end of the work queue, one per worker. */
static cbNbdItem cbNbdStop;


/* A reader: one connection, chunks in order from the shared counter, each
 * read into a free buffer of the pool and queued for the workers. */
static gpointer
cbNbdReader(gpointer opaque)
{
    cbNbdJob *job = opaque;
    g_autoptr(cbNbdHandle) nbd = NULL;
    GError *err = NULL;

    if (!(nbd = cbNbdConnect(job->src, false, &err))) {
        cbNbdJobFail(job, err);
        return NULL;
    }
    while (!g_atomic_int_get(&job->failed)) {
        guint8 *buf = g_async_queue_pop(job->pool);
        guint pos = g_atomic_int_add(&job->next, 1);
        cbNbdItem *item;

        if (pos >= job->chunks->len || g_atomic_int_get(&job->failed)) {
            g_async_queue_push(job->pool, buf);
            break;
        }
        item = g_new0(cbNbdItem, 1);
        item->index = g_array_index(job->chunks, guint64, pos);
        item->len = MIN(job->src->chunk_size, job->size - item->index * job->src->chunk_size);
        item->buf = buf;
        if (!cbNbdReadChunk(job, nbd, item->index, buf, item->len, &item->zero, &item->read,
                            &err)) {
            cbNbdJobFail(job, err);
            g_async_queue_push(job->pool, buf);
            g_free(item);
            break;
        }
        g_async_queue_push(job->work, item);
    }
    return NULL;
}


/* A worker: hands the queued chunks to job->fn (digest, compression,
 * store), returns their buffers; after a failure only returns them. */
static gpointer
cbNbdWorker(gpointer opaque)
{
    cbNbdJob *job = opaque;
    cbNbdItem *item;

    while ((item = g_async_queue_pop(job->work)) != &cbNbdStop) {
        GError *err = NULL;

        if (!g_atomic_int_get(&job->failed)) {
            if (!job->fn(item->index, item->zero ? NULL : item->buf, item->len, job->opaque, &err))
                cbNbdJobFail(job, err);
            else if (job->progress)
                cbProgressDiskAdd(job->progress, item->read);
        }
        g_async_queue_push(job->pool, item->buf);
        g_free(item);
    }
    return NULL;
}


bool
cbNbdRead(const cbNbdSource *src,
          cbNbdChunkFunc fn,
          gpointer opaque,
          cbProgressDisk *progress,
          GError **error)
{
    g_autoptr(cbNbdHandle) nbd = NULL;
    g_autoptr(GArray) dirty = NULL;
    g_autoptr(GPtrArray) threads = g_ptr_array_new();
    g_autoptr(GPtrArray) workers_t = g_ptr_array_new();
    guint readers;
    guint workers;
    guint n_bufs;
    cbNbdJob job = { .src = src, .fn = fn, .opaque = opaque, .progress = progress };
    int64_t size;
    guint64 total = 0;
    guint i;

    if (!(nbd = cbNbdConnect(src, true, error)))
        return false;
    if ((size = nbd_get_size(nbd)) < 0) {
        cbSetError(error, "cannot get the size of export '%s': %s", src->export_name,
                   nbd_get_error());
        return false;
    }
    job.size = size;
    /* Without multi-conn the server promises no consistency across
     * connections; a read-only export of one point in time needs none. */
    g_debug("export '%s': can_multi_conn %d, %u connections", src->export_name,
            nbd_can_multi_conn(nbd), MAX(src->connections, 1));
    if (!(job.data = cbNbdMap(nbd, src, size, "base:allocation", CB_NBD_STATE_ZERO, 0, error)))
        return false;
    job.chunks = g_array_new(FALSE, FALSE, sizeof(guint64));
    if (src->bitmap) {
        if (!(dirty = cbNbdMap(nbd, src, size, src->bitmap, CB_NBD_STATE_DIRTY, CB_NBD_STATE_DIRTY,
                               error))) {
            g_array_unref(job.data);
            g_array_unref(job.chunks);
            return false;
        }
        cbChunksOf(job.chunks, dirty, src->chunk_size);
    } else {
        guint64 n = (job.size + src->chunk_size - 1) / src->chunk_size;
        guint64 c;

        for (c = 0; c < n; c++)
            g_array_append_val(job.chunks, c);
    }
    cbNbdClose(g_steal_pointer(&nbd));

    for (i = 0; i < job.chunks->len; i++)
        total += cbDataIn(&job, g_array_index(job.chunks, guint64, i));
    if (progress)
        cbProgressDiskSetTotal(progress, total);

    readers = MIN(MAX(src->connections, 1), MAX(job.chunks->len, 1));
    workers = MAX(src->workers, 1);
    /* Each reader can fill one buffer while another waits for a worker,
     * and each worker holds one: reads, digests, compression and writes
     * overlap, and memory stays bounded. */
    n_bufs = 2 * readers + workers;
    job.pool = g_async_queue_new();
    job.work = g_async_queue_new();
    for (i = 0; i < n_bufs; i++)
        g_async_queue_push(job.pool, g_malloc(src->chunk_size));
    g_mutex_init(&job.lock);
    for (i = 0; i < workers; i++)
        g_ptr_array_add(workers_t, g_thread_new("cb-work", cbNbdWorker, &job));
    for (i = 0; i < readers; i++)
        g_ptr_array_add(threads, g_thread_new("cb-nbd", cbNbdReader, &job));
    for (i = 0; i < threads->len; i++)
        g_thread_join(threads->pdata[i]);
    for (i = 0; i < workers_t->len; i++)
        g_async_queue_push(job.work, &cbNbdStop);
    for (i = 0; i < workers_t->len; i++)
        g_thread_join(workers_t->pdata[i]);
    for (i = 0; i < n_bufs; i++)
        g_free(g_async_queue_pop(job.pool));
    g_async_queue_unref(job.pool);
    g_async_queue_unref(job.work);
    g_mutex_clear(&job.lock);
    g_array_unref(job.data);
    g_array_unref(job.chunks);
    if (job.error) {
        g_propagate_error(error, job.error);
        return false;
    }
    return true;
}
