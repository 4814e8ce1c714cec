/*
 * cairn-backup-domain.h: what cairn-backup asks of a domain through the
 * public API: its disks, the state of a checkpoint's bitmaps, the exports
 * of a running pull backup, and its own checkpoints (named
 * "cb-<repository id>-<time>": it never touches another name).
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include <cairn/cairn.h>

typedef struct {
    char *target; /* "vda" */
    char *format; /* "qcow2", "raw" */
    char *source; /* image file, or NULL */
} cbDomainDisk;

void cbDomainDiskFree(cbDomainDisk *disk);

/* The disks (device='disk') of domain XML @xml, in document order, as a
 * GPtrArray of cbDomainDisk* that frees them. */
GPtrArray *cbDomainDisks(const char *xml, GError **error);

/* The prefix of the checkpoints of repository @repo_id: "cb-<id>-". */
char *cbCheckpointPrefix(const char *repo_id);

/* The state of checkpoint @name's bitmap on each of its disks
 * (cairnDomainCheckpointValidate without repair): a table disk -> status
 * ("ok", "missing", "inconsistent", ...). A checkpoint that does not
 * exist gives NULL and *@ret_missing = true, with no error. */
GHashTable *
cbCheckpointDiskStatus(cairnDomainPtr dom, const char *name, bool *ret_missing, GError **error);

/* Delete every checkpoint whose name starts with @prefix, except @keep
 * (may be NULL). A checkpoint that cannot be deleted because its bitmaps
 * are broken is removed by a repair of that checkpoint. Failures are
 * reported through @warn (one line each) and do not stop the others;
 * returns the number deleted. */
guint cbCheckpointDeleteOwn(cairnDomainPtr dom,
                            const char *prefix,
                            const char *keep,
                            void (*warn)(const char *msg, gpointer opaque),
                            gpointer opaque);

/* If the domain runs a pull backup whose socket is in a directory named
 * "cairn-backup-<repo_id>-*" (a run of this repository killed before it
 * ended the job), end that job and remove the directory. Returns false
 * with an error only when the job exists and cannot be ended. */
bool
cbRecoverStaleJob(cairnDomainPtr dom, const char *repo_id, bool *ret_recovered, GError **error);

/* Export names and bitmaps of the running pull backup: tables disk ->
 * export name, disk -> export bitmap (may lack a disk). */
bool cbBackupExports(cairnDomainPtr dom,
                     GHashTable **ret_exports,
                     GHashTable **ret_bitmaps,
                     GError **error);

/* Remove directory @dir with the files in it (no subdirectories). */
void cbRemoveDir(const char *dir);
