/*
 * cairn-backup-qcow2.h: restore one disk of a snapshot to a qcow2 file:
 * `qemu-img convert` reading our nbdkit plugin over a socket pair.
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "cairn-backup.h"
#include "cairn-backup-progress.h"

/* Write disk @disk (@size bytes) of snapshot @id of the repository @repo
 * (opened with @opts->key) to the qcow2 file @path, which must not exist;
 * flushed to stable storage when this returns true. Zero chunks stay
 * unallocated. A damaged or missing chunk is an error naming it. On
 * failure @path may be left partly written: the caller removes it. */
bool cbQcow2Restore(const cbOptions *opts,
                    const char *repo,
                    const char *id,
                    const char *disk,
                    guint64 size,
                    const char *path,
                    cbProgressDisk *progress,
                    GError **error);
