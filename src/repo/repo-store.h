/*
 * repo-store.h: where a repository's bytes live.
 *
 * A store holds objects under keys ("config", "chunks/ab/abcd...",
 * "snapshots/ID/manifest", "snapshots/ID/vda.index"). Everything above it
 * speaks only in keys, so an object store (S3) can be added as another
 * driver without touching the rest. The local-directory driver is in
 * repo-store-local.c.
 *
 * Contract of every driver:
 * - put is atomic: a reader sees the whole old object, the whole new one,
 *   or none; a crash never leaves a half object under its key (the local
 *   driver's temp files are never listed and are removed by cleanup).
 * - objects put without @durable are made durable by the next sync;
 *   objects put with @durable are durable when put returns.
 * - the functions may be called from several threads at once, except
 *   lock and free.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/uio.h>
#include <glib.h>

#include "repo.h"

typedef struct _cairnRepoStore cairnRepoStore;

/* Called by list for each object: its key, stored size and time of last
 * modification (seconds since the epoch). */
typedef bool (*cairnRepoStoreListFunc)(
    const char *key, guint64 size, gint64 mtime, gpointer opaque, GError **error);

/* Called by get_parts once the head of an object is read: where to read
 * the @rest_len bytes that follow it to (never NULL). */
typedef guint8 *(*cairnRepoStorePlaceFunc)(const guint8 *head,
                                           size_t head_len,
                                           size_t rest_len,
                                           gpointer opaque);

typedef struct {
    const char *name;
    /* Store the @iovcnt buffers of @iov, one after the other, under @key.
     * With @no_replace an existing object is kept: *@ret_created (may be
     * NULL) says whether this call made it. */
    bool (*put)(cairnRepoStore *store,
                const char *key,
                const struct iovec *iov,
                int iovcnt,
                bool no_replace,
                bool durable,
                bool *ret_created,
                GError **error);
    /* Read object @key (at most @max_len bytes, else CORRUPT) into *@buf,
     * a g_malloc'ed buffer of *@cap bytes grown (g_realloc) as needed. A
     * missing object is CAIRN_REPO_ERROR_NOT_FOUND. */
    bool (*get)(cairnRepoStore *store,
                const char *key,
                size_t max_len,
                guint8 **buf,
                size_t *cap,
                size_t *ret_len,
                GError **error);
    /* Optional (NULL: the caller uses get): read object @key (at most
     * @max_len bytes, else CORRUPT) in two parts, its first @head_len
     * bytes (fewer if it is shorter) into @head and the rest to where
     * @place says, so that a payload can land in its final place without
     * a copy. *@ret_len is the object's whole length. */
    bool (*get_parts)(cairnRepoStore *store,
                      const char *key,
                      size_t max_len,
                      guint8 *head,
                      size_t head_len,
                      cairnRepoStorePlaceFunc place,
                      gpointer opaque,
                      size_t *ret_len,
                      GError **error);
    /* 1 if @key exists (with its size in *@ret_size, may be NULL), 0 if
     * not, -1 on error. */
    int (*exists)(cairnRepoStore *store, const char *key, guint64 *ret_size, GError **error);
    /* Call @func for every object whose key starts with @prefix (a
     * directory-like prefix ending in '/', or "" for all), in no order. */
    bool (*list)(cairnRepoStore *store,
                 const char *prefix,
                 cairnRepoStoreListFunc func,
                 gpointer opaque,
                 GError **error);
    /* Remove @key; a missing object is fine. */
    bool (*remove)(cairnRepoStore *store, const char *key, GError **error);
    /* Remove the @n objects @keys (missing ones are fine), as many at
     * once as the store can; after a failure, some may be removed. */
    bool (*remove_many)(cairnRepoStore *store, const char *const *keys, guint n, GError **error);
    /* Make every object put so far durable. */
    bool (*sync)(cairnRepoStore *store, GError **error);
    /* Take the repository lock, without waiting. */
    bool (*lock)(cairnRepoStore *store, cairnRepoLockMode mode, GError **error);
    /* Remove what crashed writers left (temp files); count in *@ret_count.
     * Only under the exclusive lock. */
    bool (*cleanup)(cairnRepoStore *store, bool dry_run, guint64 *ret_count, GError **error);
    void (*free)(cairnRepoStore *store);
} cairnRepoStoreDriver;

struct _cairnRepoStore {
    const cairnRepoStoreDriver *driver;
};

/* Open the local-directory store at @path (which must exist as a
 * directory: CAIRN_REPO_ERROR_NOT_FOUND otherwise). */
cairnRepoStore *cairnRepoStoreLocalOpen(const char *path, GError **error);

/* True if @path names an object store repository (s3://BUCKET[/PREFIX]). */
bool cairnRepoPathIsS3(const char *path);

/* Open the S3 store at @url (s3://BUCKET[/PREFIX]), configured from the
 * environment as docs/s3.md describes. Nothing is contacted yet. */
cairnRepoStore *cairnRepoStoreS3Open(const char *url, GError **error);

/* Counters of an S3 store since it was opened. */
typedef struct {
    guint put, get, head, list, del, retries;
    guint64 bytes_up, bytes_down;
    guint connects;     /* connections opened */
    guint peak_running; /* most transfers in flight at once */
} cairnRepoS3Stats;

/* Fill @stats if @store is an S3 store; false if it is not. */
bool cairnRepoStoreS3GetStats(cairnRepoStore *store, cairnRepoS3Stats *stats);

/* The store driver for @path: S3 for s3://..., else the local directory. */
cairnRepoStore *cairnRepoStoreOpen(const char *path, GError **error);

void cairnRepoStoreFree(cairnRepoStore *store);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(cairnRepoStore, cairnRepoStoreFree)
