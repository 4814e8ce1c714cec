/*
 * cairn-backup-qcow2.h: a qcow2 image writer for restore, in process:
 * version 3, 64 KiB clusters, 16-bit refcounts, no backing file, no
 * compression. The caller says up front which units (the repository's
 * chunks) will hold data; only those get host clusters (contiguous per
 * unit, in the order of the disk), the others stay unallocated and read
 * as zeros, so the whole layout, metadata included, is fixed before any
 * data is written.
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

#define CB_QCOW2_CLUSTER (64u * 1024)

typedef struct _cbQcow2 cbQcow2;

/* Create @path (which must not exist) for a disk of @size bytes cut into
 * units of @unit bytes (a power of two, a multiple of CB_QCOW2_CLUSTER,
 * at most 512 MiB); @used holds one byte per unit (ceil(@size / @unit)
 * of them): non-zero for every unit that will be written. Ready for
 * @threads writer threads. */
cbQcow2 *cbQcow2Create(const char *path,
                       guint64 size,
                       guint32 unit,
                       const guint8 *used,
                       guint threads,
                       GError **error);

/* Write unit @u (@len bytes: the unit size, or what is left of the disk
 * for the last unit), which must be one marked used, from writer thread
 * @thread (0..threads-1). All-zero clusters are not written: they stay
 * holes of the file, so they still read as zeros. */
bool
cbQcow2WriteUnit(cbQcow2 *q, guint thread, guint64 u, const void *data, gsize len, GError **error);

/* Write the metadata (header, L1 table, refcount table and blocks, L2
 * tables), flush everything to stable storage and close: the image is
 * complete. Call once every used unit has been written. */
bool cbQcow2Finish(cbQcow2 *q, GError **error);

/* Free @q; unless finished, remove the file. Accepts NULL. */
void cbQcow2Free(cbQcow2 *q);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(cbQcow2, cbQcow2Free)
