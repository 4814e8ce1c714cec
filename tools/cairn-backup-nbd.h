/*
 * cairn-backup-nbd.h: cairn-backup's NBD reader. Given the export of one
 * disk of a pull backup (unix socket, export name), it finds the chunks
 * to read (those the dirty bitmap marks for an incremental, those that
 * base:allocation says hold data for a full), reads them over several
 * connections at once (a thread each) and hands each chunk through a
 * bounded queue to a callback running in several worker threads, so that
 * reading overlaps the callback's digest, compression and write.
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "cairn-backup-progress.h"

typedef struct _cbNbdSource cbNbdSource;
struct _cbNbdSource {
    const char *socket;      /* unix socket of the NBD server */
    const char *export_name; /* export of the disk */
    const char *bitmap;      /* "qemu:dirty-bitmap:NAME": read only what it
                              * marks; NULL: read what base:allocation calls
                              * data, report the rest as zero */
    guint64 chunk_size;      /* a power of two; chunks aligned to offset 0 */
    guint connections;       /* parallel connections (and threads), >= 1 */
    guint64 request_size;    /* largest NBD read request; 0: the chunk size */
    guint workers;           /* threads calling the chunk callback, >= 1 */
};

/* Called once per chunk to store, from any of the reader's threads, never
 * twice at once for the same @index. @data is NULL for a chunk that is
 * all zeros (not read); else @len bytes (the chunk size, shorter for the
 * last chunk of the disk). Chunks of an incremental that are not dirty
 * are not reported. Returns false with @error set to stop the read. */
typedef bool (*cbNbdChunkFunc)(
    guint64 index, const void *data, gsize len, gpointer opaque, GError **error);

/* The size of the export, after a connection of its own. */
bool cbNbdExportSize(const cbNbdSource *src, guint64 *ret_size, GError **error);

/* Read the chunks of @src as described above, calling @fn for each;
 * @progress (may be NULL) learns the bytes to read and those read.
 * Returns false with one error naming the export when a connection, a
 * read or @fn fails; the other threads then stop. */
bool cbNbdRead(const cbNbdSource *src,
               cbNbdChunkFunc fn,
               gpointer opaque,
               cbProgressDisk *progress,
               GError **error);
