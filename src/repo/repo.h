/*
 * repo.h: the cairn-backup repository, a deduplicating chunk store.
 *
 * A repository is a directory (docs/repository.md describes every byte of
 * it). Disks are cut into fixed chunks of CAIRN_REPO_CHUNK_SIZE bytes,
 * aligned to the disk offset (the last chunk of a disk may be short). Each
 * chunk is stored once under its digest: SHA-256 of its content, or
 * HMAC-SHA256 with a key derived from the key file when the repository is
 * encrypted; compressed with zstd (kept raw when that does not shrink it);
 * encrypted with AES-256-GCM when the repository is encrypted. All-zero
 * chunks are never stored: their index entry is the zero digest.
 *
 * A snapshot is, per disk, an index of digests covering the whole disk,
 * plus a manifest (domain, domain XML, checkpoint, disks, times, sizes)
 * written last: the snapshot exists once its manifest does. Every snapshot
 * is a complete image; none depends on another.
 *
 * This library is self-contained (GLib, libzstd, OpenSSL libcrypto): it
 * knows nothing of domains beyond the strings it is given, and it is the
 * only code that reads or writes the format.
 *
 * Errors are GErrors in the CAIRN_REPO_ERROR domain (codes below); every
 * message names the repository object involved (snapshot, disk, chunk,
 * file). A failing function sets exactly one error and says so in its
 * return value; out-parameters (ret_*) are written only on success.
 *
 * Threads: a cairnRepo may be used from several threads at once by the
 * read functions and by cairnRepoWriterPutChunk(); everything else is for
 * one thread at a time.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

/* Size of every chunk but the last of a disk: the default, chosen at
 * init (cairnRepoInitChunked()) per repository among the powers of two
 * from CAIRN_REPO_CHUNK_SIZE_MIN to CAIRN_REPO_CHUNK_SIZE_MAX, and
 * recorded in its config; cairnRepoGetChunkSize() tells a repository's. */
#define CAIRN_REPO_CHUNK_SIZE (4u * 1024 * 1024)
#define CAIRN_REPO_CHUNK_SIZE_MIN (64u * 1024)
#define CAIRN_REPO_CHUNK_SIZE_MAX (16u * 1024 * 1024)

/* Bytes in a digest (SHA-256 / HMAC-SHA256). */
#define CAIRN_REPO_DIGEST_LEN 32

/* Hex characters in a digest, without the terminating NUL. */
#define CAIRN_REPO_DIGEST_HEX_LEN (2 * CAIRN_REPO_DIGEST_LEN)


/* ---- errors ---- */

#define CAIRN_REPO_ERROR (cairnRepoErrorQuark())
GQuark cairnRepoErrorQuark(void);

typedef enum {
    CAIRN_REPO_ERROR_FAILED = 0,      /* anything not listed below */
    CAIRN_REPO_ERROR_NOT_IMPLEMENTED, /* not there yet */
    CAIRN_REPO_ERROR_INVALID,         /* bad argument: name, size, chunk number, length */
    CAIRN_REPO_ERROR_NOT_FOUND,       /* repository directory, snapshot, disk, chunk missing */
    CAIRN_REPO_ERROR_NOT_A_REPO,      /* the directory exists but is not a repository */
    CAIRN_REPO_ERROR_EXISTS,          /* init on a non-empty directory, key file exists */
    CAIRN_REPO_ERROR_VERSION,         /* a file of a newer format version than this code */
    CAIRN_REPO_ERROR_CORRUPT,         /* bad magic/checksum/digest/tag, truncated file */
    CAIRN_REPO_ERROR_KEY,             /* missing or wrong key, or key for a plain repo */
    CAIRN_REPO_ERROR_LOCKED,          /* lock held by another process (e.g. gc) */
    CAIRN_REPO_ERROR_NO_SPACE,        /* ENOSPC / EDQUOT while writing */
    CAIRN_REPO_ERROR_IO,              /* any other system call failure */
} cairnRepoErrorCode;


/* ---- digests ---- */

/* True if @digest (CAIRN_REPO_DIGEST_LEN bytes) is the zero marker: the
 * index entry of an all-zero chunk, which is never stored. */
bool cairnRepoDigestIsZero(const guint8 *digest);

/* Write @digest as lower-case hex into @buf (CAIRN_REPO_DIGEST_HEX_LEN + 1
 * bytes, NUL-terminated). Returns @buf. */
char *cairnRepoDigestToHex(const guint8 *digest, char *buf);


/* ---- repositories ---- */

typedef struct _cairnRepo cairnRepo;

typedef enum {
    /* run, list, verify, restore, prune: any number of holders at once */
    CAIRN_REPO_LOCK_SHARED = 0,
    /* gc: no other holder; also needed by nothing else */
    CAIRN_REPO_LOCK_EXCLUSIVE,
} cairnRepoLockMode;

/* Create a repository in directory @path, which must be missing or empty
 * (parents are not created). With @keyfile the repository is encrypted:
 * if @keyfile does not exist, a new random key is written there first
 * (mode 0600; see cairnRepoKeyGenerate()); the repository records the
 * key's fingerprint, so opening it with another key is a clear error. */
bool cairnRepoInit(const char *path, const char *keyfile, GError **error);

/* cairnRepoInit() with chunks of @chunk_size bytes (0: CAIRN_REPO_CHUNK_SIZE),
 * a power of two from CAIRN_REPO_CHUNK_SIZE_MIN to CAIRN_REPO_CHUNK_SIZE_MAX
 * (else CAIRN_REPO_ERROR_INVALID, nothing created). Smaller chunks make an
 * incremental of scattered writes read and store less, for a larger index
 * (32 bytes per chunk) and more files. */
bool
cairnRepoInitChunked(const char *path, const char *keyfile, guint32 chunk_size, GError **error);

/* True if @chunk_size is one cairnRepoInitChunked() accepts. */
bool cairnRepoChunkSizeValid(guint64 chunk_size);

/* Write a new random key to @keyfile (created with mode 0600; an existing
 * file is CAIRN_REPO_ERROR_EXISTS). The key file format is in
 * docs/repository.md. */
bool cairnRepoKeyGenerate(const char *keyfile, GError **error);

/* Open the repository at @path, taking @lock without waiting (a conflicting
 * holder is CAIRN_REPO_ERROR_LOCKED). An encrypted repository needs
 * @keyfile (CAIRN_REPO_ERROR_KEY when missing or wrong); a plain one
 * refuses a key file. A missing directory is CAIRN_REPO_ERROR_NOT_FOUND,
 * a directory without a repository CAIRN_REPO_ERROR_NOT_A_REPO, a newer
 * format CAIRN_REPO_ERROR_VERSION. Free with cairnRepoFree(), which drops
 * the lock. */
cairnRepo *
cairnRepoOpen(const char *path, const char *keyfile, cairnRepoLockMode lock, GError **error);

/* gc's default grace period on an object store (docs/s3.md): 24 hours. */
#define CAIRN_REPO_GC_GRACE_S3 (24 * 3600)

/* Make cairnRepoGc() keep every unreferenced chunk, and every object of a
 * snapshot without a manifest, modified less than @seconds ago (default:
 * CAIRN_REPO_GC_GRACE_S3 for s3://, 0 for a directory). */
void cairnRepoSetGcGrace(cairnRepo *repo, gint64 seconds);

/* Close @repo and drop its lock. Accepts NULL. */
void cairnRepoFree(cairnRepo *repo);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(cairnRepo, cairnRepoFree)

/* The repository's random id (16 lower-case hex characters), fixed at
 * init. cairn-backup prefixes the checkpoints it creates with it, so it
 * only ever touches its own. Owned by @repo. */
const char *cairnRepoGetId(cairnRepo *repo);

/* The path @repo was opened with. Owned by @repo. */
const char *cairnRepoGetPath(cairnRepo *repo);

/* True if @repo is encrypted. */
bool cairnRepoIsEncrypted(cairnRepo *repo);

/* The chunk size of @repo (its config's, fixed at init). */
guint32 cairnRepoGetChunkSize(cairnRepo *repo);


/* ---- snapshots: manifests and indexes ---- */

/* One disk of a snapshot, as recorded in its manifest. */
typedef struct {
    char *name;           /* disk target, e.g. "vda" ([A-Za-z0-9_.+-], no leading '.') */
    guint64 size;         /* disk size in bytes */
    guint32 chunk_size;   /* the repository's chunk size */
    char *mode;           /* "full" (no base index) or "incremental" */
    guint64 chunks;       /* chunks in the index (covering the whole disk) */
    guint64 chunks_zero;  /* of which all-zero (not stored) */
    guint64 chunks_put;   /* chunks this run passed to cairnRepoWriterPutChunk() */
    guint64 chunks_new;   /* of which not yet in the repository (stored now) */
    guint64 bytes_put;    /* raw bytes passed to PutChunk */
    guint64 bytes_new;    /* raw bytes of the chunks stored now */
    guint64 bytes_stored; /* bytes those took in the repository (compressed, encrypted) */
    GHashTable *info;     /* char* -> char*: cairnRepoWriterSetInfo() for this disk; never NULL */
} cairnRepoManifestDisk;

/* A snapshot's manifest. */
typedef struct {
    char *id;          /* snapshot id, e.g. "20261205T043000Z-3fa2c1"; sorts by time */
    char *domain;      /* domain name */
    char *domain_xml;  /* domain XML at backup time ("" if none was given) */
    char *checkpoint;  /* checkpoint created by the run, or NULL */
    gint64 start_time; /* seconds since the epoch (UTC) */
    gint64 end_time;
    char *tool_version; /* version of the code that wrote it */
    guint64 bytes_new;  /* sums over the disks */
    guint64 bytes_stored;
    GPtrArray *disks; /* cairnRepoManifestDisk*, in the order they were added */
    GHashTable *info; /* char* -> char*: cairnRepoWriterSetInfo() for the snapshot; never NULL */
} cairnRepoManifest;

void cairnRepoManifestFree(cairnRepoManifest *manifest);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(cairnRepoManifest, cairnRepoManifestFree)

/* The disk called @name in @manifest, or NULL. */
const cairnRepoManifestDisk *cairnRepoManifestFindDisk(const cairnRepoManifest *manifest,
                                                       const char *name);

/* Every snapshot (of @domain only, unless NULL), sorted by start time then
 * id, oldest first: a GPtrArray of cairnRepoManifest* that frees its
 * elements. An empty repository gives an empty array. A manifest that
 * cannot be read is an error naming it. */
GPtrArray *cairnRepoListSnapshots(cairnRepo *repo, const char *domain, GError **error);

/* As cairnRepoListSnapshots(), but a manifest that cannot be read does
 * not stop the listing (so one damaged snapshot does not stop backups of
 * every domain): it is left out and described in *@ret_damaged (if not
 * NULL): a GPtrArray of char* "snapshot ID: message", for every domain
 * (a damaged manifest does not say whose it is). Fails only when the
 * repository cannot be listed at all. */
GPtrArray *cairnRepoListSnapshotsTolerant(cairnRepo *repo,
                                          const char *domain,
                                          GPtrArray **ret_damaged,
                                          GError **error);

/* The manifest of snapshot @id (CAIRN_REPO_ERROR_NOT_FOUND if none). */
cairnRepoManifest *cairnRepoLoadManifest(cairnRepo *repo, const char *id, GError **error);

/* The newest snapshot of @domain; NULL with no error set if there is none. */
cairnRepoManifest *cairnRepoFindLatest(cairnRepo *repo, const char *domain, GError **error);

/* A disk's index: one digest per chunk, covering the whole disk. */
typedef struct _cairnRepoIndex cairnRepoIndex;

/* Load the index of disk @disk of snapshot @id. */
cairnRepoIndex *
cairnRepoLoadIndex(cairnRepo *repo, const char *id, const char *disk, GError **error);

void cairnRepoIndexFree(cairnRepoIndex *index);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(cairnRepoIndex, cairnRepoIndexFree)

guint64 cairnRepoIndexGetDiskSize(const cairnRepoIndex *index);
guint32 cairnRepoIndexGetChunkSize(const cairnRepoIndex *index);
guint64 cairnRepoIndexGetChunkCount(const cairnRepoIndex *index);

/* Length in bytes of chunk @chunk_no (the chunk size, or less for the
 * last chunk). @chunk_no must be below the chunk count. */
size_t cairnRepoIndexGetChunkLength(const cairnRepoIndex *index, guint64 chunk_no);

/* The digest of chunk @chunk_no (CAIRN_REPO_DIGEST_LEN bytes owned by
 * @index; the zero marker for an all-zero chunk). */
const guint8 *cairnRepoIndexGetDigest(const cairnRepoIndex *index, guint64 chunk_no);


/* ---- reading chunks ---- */

/* Read the chunk stored under @digest into @buf (@buf_len bytes, at least
 * the chunk's length; the repository's chunk size is always enough): decrypt,
 * decompress and check the digest. A missing chunk is
 * CAIRN_REPO_ERROR_NOT_FOUND, a damaged one (checksum, tag, zstd,
 * digest) CAIRN_REPO_ERROR_CORRUPT; both name the chunk. Data is never
 * handed on unverified. The zero marker gives @buf_len zero bytes.
 * Thread-safe. */
bool cairnRepoReadChunk(cairnRepo *repo,
                        const guint8 *digest,
                        void *buf,
                        size_t buf_len,
                        size_t *ret_len,
                        GError **error);

/* Read chunk @chunk_no of @index into @buf (at least
 * cairnRepoIndexGetChunkLength() bytes): zeros for the zero marker,
 * otherwise cairnRepoReadChunk(), and a chunk whose length differs from
 * the index's is CAIRN_REPO_ERROR_CORRUPT. Thread-safe. */
bool cairnRepoReadIndexChunk(
    cairnRepo *repo, const cairnRepoIndex *index, guint64 chunk_no, void *buf, GError **error);


/* Read @len bytes at byte @offset of the disk @index describes into @buf
 * (serving a snapshot over NBD, mounting it): every chunk involved is read
 * and verified as by cairnRepoReadIndexChunk(). Each thread keeps the
 * last chunk it decoded, so small sequential reads decode a chunk once. A
 * range past the end of the disk is CAIRN_REPO_ERROR_INVALID.
 * Thread-safe. */
bool cairnRepoReadRange(cairnRepo *repo,
                        const cairnRepoIndex *index,
                        guint64 offset,
                        size_t len,
                        void *buf,
                        GError **error);


/* A cache of decoded chunks of the disk @index describes, shared by
 * threads (serving a snapshot over NBD): each chunk is decoded and
 * verified once while it stays cached, however many threads read pieces
 * of it at once; threads wanting a chunk another is decoding wait for
 * it. Holds at most @slots chunks (at least 1) of the index's chunk size.
 * @repo and @index must outlive the cache. */
typedef struct _cairnRepoChunkCache cairnRepoChunkCache;

cairnRepoChunkCache *
cairnRepoChunkCacheNew(cairnRepo *repo, const cairnRepoIndex *index, guint slots);

/* Free @cache (no reads may be running). Accepts NULL. */
void cairnRepoChunkCacheFree(cairnRepoChunkCache *cache);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(cairnRepoChunkCache, cairnRepoChunkCacheFree)

/* As cairnRepoReadRange() (same checks and errors), through @cache. A
 * chunk that fails to decode is not cached: every read of it fails.
 * Thread-safe. */
bool cairnRepoChunkCacheRead(
    cairnRepoChunkCache *cache, guint64 offset, size_t len, void *buf, GError **error);

/* Decode up to @chunks stored chunks ahead of a sequential reader of
 * pieces smaller than a chunk (a read starting where the previous one
 * ended), in a thread of the cache's own, so that the next chunk is ready
 * when the reader gets there (QEMU's block-stream reads 512 KiB at a
 * time, one request after the other). Whole-chunk readers are left alone.
 * A chunk that fails to decode ahead is simply not cached: the read of it
 * then fails as without readahead. 0 (the default) turns it off. Call
 * before the first read. */
void cairnRepoChunkCacheSetReadahead(cairnRepoChunkCache *cache, guint chunks);

/* How many chunks @cache decoded ahead of its readers so far. */
guint64 cairnRepoChunkCacheGetReadaheadCount(cairnRepoChunkCache *cache);


/* ---- writing a snapshot ---- */

typedef struct _cairnRepoWriter cairnRepoWriter;

/* Start a snapshot of domain @domain (its XML @domain_xml, may be NULL).
 * Nothing is visible until cairnRepoWriterCommit(); freeing a writer
 * without committing leaves only unreferenced chunks (and perhaps temp
 * files after a crash), which gc removes. @repo must stay open (with at
 * least a shared lock) for the writer's life. */
cairnRepoWriter *
cairnRepoWriterNew(cairnRepo *repo, const char *domain, const char *domain_xml, GError **error);

/* Free @writer; without a commit, the snapshot is abandoned. Accepts NULL. */
void cairnRepoWriterFree(cairnRepoWriter *writer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(cairnRepoWriter, cairnRepoWriterFree)

/* Add disk @disk of @size_bytes. With @base (the previous snapshot's index
 * of this disk, same size and chunk size, or CAIRN_REPO_ERROR_INVALID),
 * the disk is "incremental": every chunk not put keeps @base's digest
 * (@base is copied; the caller keeps it). Without @base the disk is
 * "full": every chunk not put is all-zero. Thread-safe: a disk may be
 * added while the chunks of another are being put. */
bool cairnRepoWriterAddDisk(cairnRepoWriter *writer,
                            const char *disk,
                            guint64 size_bytes,
                            const cairnRepoIndex *base,
                            GError **error);

/* Store chunk @chunk_no of disk @disk: @len bytes at @data, exactly the
 * chunk's length (the repository's chunk size, or less for the last chunk;
 * otherwise CAIRN_REPO_ERROR_INVALID). All-zero data is recorded as the
 * zero marker and not stored; otherwise the digest is computed, the chunk
 * compressed/encrypted and stored unless the repository has it already,
 * and the digest recorded in the disk's index. Putting a chunk twice
 * keeps the last. Thread-safe: call it from several threads at once. */
bool cairnRepoWriterPutChunk(cairnRepoWriter *writer,
                             const char *disk,
                             guint64 chunk_no,
                             const void *data,
                             size_t len,
                             GError **error);

/* Record a free-form @key = @value (UTF-8, @key [A-Za-z0-9_-]) in the
 * manifest: for disk @disk, or for the snapshot when @disk is NULL. E.g.
 * the tool's "note" = "checkpoint missing: full read". Shown as
 * cairnRepoManifest(Disk).info. */
bool cairnRepoWriterSetInfo(
    cairnRepoWriter *writer, const char *disk, const char *key, const char *value, GError **error);

/* Statistics of disk @disk so far, or of all disks when @disk is NULL
 * (the chunks and bytes fields of cairnRepoManifestDisk; other fields
 * zero/NULL; do not free). Thread-safe. */
bool cairnRepoWriterGetStats(cairnRepoWriter *writer,
                             const char *disk,
                             cairnRepoManifestDisk *ret_stats,
                             GError **error);

typedef struct {
    const char *checkpoint; /* checkpoint created by this run, or NULL */
    gint64 start_time;      /* seconds since the epoch; 0: when the writer was made */
    gint64 end_time;        /* 0: now */
} cairnRepoCommitInfo;

/* Make the snapshot visible: flush the chunks to stable storage, write
 * every disk's index, then the manifest. @info may be NULL. On success
 * *@ret_id (if @ret_id is not NULL) is the new snapshot's id (free it).
 * A writer can be committed once; free it afterwards. */
bool cairnRepoWriterCommit(cairnRepoWriter *writer,
                           const cairnRepoCommitInfo *info,
                           char **ret_id,
                           GError **error);


/* ---- verify, prune, gc ---- */

/* Progress of a long operation: @done of @total units (chunks). */
typedef void (*cairnRepoProgressFunc)(guint64 done, guint64 total, gpointer opaque);

/* One damaged or missing object found by cairnRepoVerify(). */
typedef struct {
    char *object;  /* "chunk <hex digest>", "snapshot ID manifest", "snapshot ID disk vda index" */
    char *problem; /* what is wrong, e.g. "missing", "digest mismatch" */
    GPtrArray *users; /* char*: "SNAPSHOT-ID disk" that use a bad chunk (empty for others) */
} cairnRepoVerifyProblem;

typedef struct {
    guint64 snapshots;   /* snapshots checked */
    guint64 chunks;      /* distinct stored chunks checked */
    guint64 bytes;       /* raw bytes of those chunks */
    GPtrArray *problems; /* cairnRepoVerifyProblem*; empty when all is well */
} cairnRepoVerifyReport;

void cairnRepoVerifyReportFree(cairnRepoVerifyReport *report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(cairnRepoVerifyReport, cairnRepoVerifyReportFree)

/* Re-read every chunk that the snapshots @ids (NULL-terminated; NULL for
 * all) use, checking header checksums, tags and digests, and every
 * manifest and index on the way. Damage is reported in *@ret_report, not
 * as an error: the function fails only when it cannot run (unknown
 * snapshot id: CAIRN_REPO_ERROR_NOT_FOUND). @progress (may be NULL) is
 * called from the calling thread. */
bool cairnRepoVerify(cairnRepo *repo,
                     const char *const *ids,
                     cairnRepoProgressFunc progress,
                     gpointer opaque,
                     cairnRepoVerifyReport **ret_report,
                     GError **error);

/* Retention policy, Proxmox Backup Server's semantics: keep_last keeps the
 * newest N snapshots; then each of keep_hourly, keep_daily, keep_weekly
 * (ISO weeks), keep_monthly, keep_yearly in turn keeps the newest snapshot
 * of each of the last N periods (local time) that has a snapshot and is
 * not already covered by a snapshot kept by an earlier rule. Everything
 * not kept is removed. All zero: keep everything. */
typedef struct {
    guint keep_last;
    guint keep_hourly;
    guint keep_daily;
    guint keep_weekly;
    guint keep_monthly;
    guint keep_yearly;
} cairnRepoPrunePolicy;

typedef struct {
    char *id;
    char *domain;
    gint64 time; /* start time */
    bool keep;
    char *reason; /* "keep-last", "keep-daily", ..., "keep-all" or "remove" */
} cairnRepoPruneItem;

void cairnRepoPruneItemFree(cairnRepoPruneItem *item);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(cairnRepoPruneItem, cairnRepoPruneItemFree)

/* Apply @policy to the snapshots of @domain (of each domain separately
 * when NULL) and remove the snapshots it does not keep (manifest first,
 * then indexes; chunks stay until gc), unless @dry_run. *@ret_items (if
 * not NULL): every snapshot considered, newest first per domain, as
 * cairnRepoPruneItem* (the array frees them). Needs a shared lock. */
bool cairnRepoPrune(cairnRepo *repo,
                    const char *domain,
                    const cairnRepoPrunePolicy *policy,
                    bool dry_run,
                    GPtrArray **ret_items,
                    GError **error);

typedef struct {
    guint64 chunks;             /* chunks found */
    guint64 chunks_removed;     /* unreferenced, removed (or would be, with dry_run) */
    guint64 bytes_removed;      /* their stored size */
    guint64 bytes_kept;         /* stored size of the referenced chunks */
    guint64 temp_removed;       /* temp files left by crashed writers */
    guint64 incomplete_removed; /* snapshot directories without a manifest */
    guint64 chunks_young;       /* unreferenced, kept: modified within the grace period */
    guint64 incomplete_young;   /* snapshots without a manifest kept within the grace */
} cairnRepoGcStats;

/* Remove every chunk that no snapshot's index references, the temp files
 * and manifest-less snapshot directories crashed writers left, except what
 * was modified within the grace period (cairnRepoSetGcGrace()). Needs
 * @repo opened with CAIRN_REPO_LOCK_EXCLUSIVE (else CAIRN_REPO_ERROR_LOCKED),
 * so no writer runs meanwhile. An index that cannot be read stops gc with
 * an error before anything is removed. *@ret_stats may be NULL. */
bool cairnRepoGc(cairnRepo *repo, bool dry_run, cairnRepoGcStats *ret_stats, GError **error);


/* ---- sync ---- */

typedef struct {
    guint64 snapshots_copied;
    guint64 snapshots_present; /* already in the destination */
    guint64 chunks_copied;
    guint64 chunks_present; /* the destination had them: not read */
    guint64 bytes_copied;   /* stored bytes written to the destination */
} cairnRepoSyncStats;

/* Copy the snapshots of @src (of @domain only unless NULL; the newest
 * @last per domain unless 0) that @dst lacks, keeping their ids: only the
 * chunks @dst lacks are read and written, each checked against its digest
 * on the way; the manifest is copied last, so an interrupted sync is
 * resumed by the next. Both repositories must be plain or use the same
 * key (CAIRN_REPO_ERROR_KEY). @src and @dst are open with a shared lock. */
bool cairnRepoSync(cairnRepo *src,
                   cairnRepo *dst,
                   const char *domain,
                   guint last,
                   cairnRepoSyncStats *ret_stats,
                   GError **error);
