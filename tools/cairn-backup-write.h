/*
 * cairn-backup-write.h: the image file writer of cairn-backup restore
 * (raw images, and the file under a qcow2 one): a sparse file of a given
 * size, written with pwrite from several threads; what is not written
 * stays a hole, so only data is written.
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

/* The granule of cbWriterWriteData(): a qcow2 cluster. */
#define CB_WRITER_BLOCK (64u * 1024)

/* As cbWriterWrite(), but blocks of CB_WRITER_BLOCK bytes (counted from
 * @offset, which should be aligned to it) that are all zeros are not
 * written: they stay holes. */
bool cbWriterWriteData(
    cbWriter *writer, guint thread, guint64 offset, const void *data, gsize len, GError **error);

/* Flush everything to stable storage and close; the file is complete. */
bool cbWriterFinish(cbWriter *writer, GError **error);

/* Free @writer; unless finished, remove the file.
 * Accepts NULL. */
void cbWriterFree(cbWriter *writer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(cbWriter, cbWriterFree)
