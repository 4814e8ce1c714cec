/*
 * cairn-backup-write.h: the raw image writer of cairn-backup restore: a
 * sparse file of the disk's size, written with pwrite; chunks not written
 * stay holes, so the caller writes only the chunks that hold data.
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

typedef struct _cbWriter cbWriter;

/* Create @path (which must not exist) for a disk of @size bytes, ready
 * for @threads writer threads. */
cbWriter *cbWriterOpen(const char *path, guint64 size, guint threads, GError **error);

/* Write @len bytes at @offset from writer thread @thread (0..threads-1).
 * Thread-safe across different @thread values. */
bool cbWriterWrite(
    cbWriter *writer, guint thread, guint64 offset, const void *data, gsize len, GError **error);

/* Flush everything to stable storage and close; the file is complete. */
bool cbWriterFinish(cbWriter *writer, GError **error);

/* Free @writer; unless finished, remove the file.
 * Accepts NULL. */
void cbWriterFree(cbWriter *writer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(cbWriter, cbWriterFree)
