/*
 * repotestutils.h: helpers of the repository tests (tests/repo/).
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "repo.h"

typedef enum {
    RT_ZERO = 0, /* all zero */
    RT_RANDOM,   /* pseudo-random from a seed: does not compress */
    RT_TEXT,     /* text-like from a seed: compresses well */
} rtFill;

/* A new empty temp directory (free the string, remove with rtRemoveTree). */
char *rtMakeDir(void);

/* rm -rf @path. */
void rtRemoveTree(const char *path);

/* Fill @buf (@len bytes) deterministically from @kind and @seed. */
void rtFillBuffer(guint8 *buf, size_t len, rtFill kind, guint32 seed);

/* Number of regular files under @dir/@sub (recursively; all names). */
guint rtCountFiles(const char *dir, const char *sub);

/* Path of the first chunk file under @repo/chunks (NULL if none). */
char *rtFirstChunkFile(const char *repo);

/* Open @path with the lock, asserting success. */
cairnRepo *rtOpen(const char *path, const char *keyfile, cairnRepoLockMode lock);

/* A disk of a snapshot to write: size and what each chunk holds. */
typedef struct {
    const char *name;
    guint64 size;
    const rtFill *fills; /* one per chunk */
    const guint32 *seeds;
} rtDisk;

/* Write and commit a snapshot of @domain with @disks (NULL-name
 * terminated), at @start_time (0: now); the id (free it). */
char *rtWriteSnapshot(cairnRepo *repo, const char *domain, const rtDisk *disks, gint64 start_time);
/* The same with @end_time (0: the commit's time). */
char *rtWriteSnapshotEnd(
    cairnRepo *repo, const char *domain, const rtDisk *disks, gint64 start_time, gint64 end_time);

/* Read every chunk of disk @disk of snapshot @id and compare with @d. */
void rtCheckDisk(cairnRepo *repo, const char *id, const rtDisk *d);
