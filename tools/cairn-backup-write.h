/*
 * cairn-backup-write.h: the image writers of cairn-backup restore.
 *
 * raw: a sparse file of the disk's size, written with pwrite; chunks not
 * written stay holes. qcow2: a sparse raw temporary file beside it,
 * converted with `qemu-img convert` at the end; chunks not written stay
 * unallocated. Either way the caller writes only the chunks that hold
 * data.
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

typedef struct _cbWriter cbWriter;

/* Create @path (which must not exist) for a disk of @size bytes in
 * @format ("raw" or "qcow2"), ready for @threads writer threads. */
cbWriter *
cbWriterOpen(const char *path, const char *format, guint64 size, guint threads, GError **error);

/* Write @len bytes at @offset from writer thread @thread (0..threads-1).
 * Thread-safe across different @thread values. */
bool cbWriterWrite(
    cbWriter *writer, guint thread, guint64 offset, const void *data, gsize len, GError **error);

/* Flush everything to stable storage and close; the file is complete. */
bool cbWriterFinish(cbWriter *writer, GError **error);

/* Free @writer; unless finished, stop its helper and remove the file.
 * Accepts NULL. */
void cbWriterFree(cbWriter *writer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(cbWriter, cbWriterFree)
