/*
 * cairnfile.h: files that survive crashes and concurrent processes.
 *
 * Writes are atomic: the data goes to a temporary file in the same
 * directory, which is fsync'ed, renamed over the target, and the directory
 * is fsync'ed, so a crash leaves either the old or the new file, never a
 * half-written one. Locks are flock(2) locks on a lock file: they exclude
 * other processes and other open connections of the same process alike,
 * and the kernel drops them when their holder dies.
 *
 * Errors are CAIRN_ERR_SYSTEM_ERROR ("DETAIL: strerror") from
 * CAIRN_FROM_NONE unless a function says otherwise.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>
#include <glib.h>

/* Write @len bytes of @data to @path atomically with permissions @mode. */
bool
cairnFileWriteAtomic(const char *path, const char *data, gssize len, mode_t mode, GError **error);

/* Read the whole of @path (at most @max_len bytes; 0 for no limit) into a
 * new NUL-terminated buffer. ENOENT sets the error like any other failure;
 * callers that expect absence test for the file first or use
 * cairnFileReadOptional(). */
bool
cairnFileRead(const char *path, gsize max_len, char **ret_data, gsize *ret_len, GError **error);

/* As cairnFileRead(), but a missing file is not an error: returns true
 * with *@ret_data NULL. */
bool cairnFileReadOptional(const char *path, gsize max_len, char **ret_data, GError **error);

/* Remove @path; a missing file is fine. With @sync_dir the containing
 * directory is fsync'ed afterwards. */
bool cairnFileRemove(const char *path, bool sync_dir, GError **error);

/* fsync the directory @dir. */
bool cairnFileSyncDir(const char *dir, GError **error);

/* Create @path and missing parents with @mode (like mkdir -p). */
bool cairnFileMakePath(const char *path, mode_t mode, GError **error);

/* An exclusive flock on a lock file. */
typedef struct _cairnFileLock cairnFileLock;

/* Lock @path (created if missing, never removed), waiting up to
 * @timeout_ms (0: do not wait). The descriptor is close-on-exec, so child
 * processes never inherit the lock. When the wait runs out:
 * CAIRN_ERR_OPERATION_TIMEOUT from @from, "cannot acquire state change
 * lock (held by another process or connection): PATH". */
cairnFileLock *cairnFileLockAcquire(const char *path, int timeout_ms, int from, GError **error);

/* Unlock and free. Accepts NULL. */
void cairnFileLockRelease(cairnFileLock *lock);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(cairnFileLock, cairnFileLockRelease)
