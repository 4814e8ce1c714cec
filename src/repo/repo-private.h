/*
 * repo-private.h: what the files of the repository library share.
 *
 * Layering inside src/repo/ (nothing includes a layer above it):
 *   repo.c, repo-writer.c, repo-maint.c  the operations of repo.h
 *   repo-format.c                        bytes <-> objects (headers, chunks,
 *                                        indexes, manifests, config)
 *   repo-crypto.c                        key file, digests, AES-256-GCM
 *   repo-store.h, repo-store-local.c     where the bytes live (a vtable)
 */
#pragma once

#include <stdbool.h>
#include <sys/uio.h>
#include <glib.h>

#include "repo.h"
#include "repo-store.h"

/* On-disk format version this code writes and the newest it reads. */
#define CAIRN_REPO_FORMAT_VERSION 1

/* Every file starts with a header of this size (docs/repository.md). */
#define CAIRN_REPO_HEADER_LEN 96

/* Header flags. */
#define CAIRN_REPO_FLAG_ZSTD (1u << 0)
#define CAIRN_REPO_FLAG_AES_GCM (1u << 1)
#define CAIRN_REPO_FLAGS_KNOWN (CAIRN_REPO_FLAG_ZSTD | CAIRN_REPO_FLAG_AES_GCM)

/* AES-256-GCM framing of an encrypted payload: nonce || ciphertext || tag. */
#define CAIRN_REPO_NONCE_LEN 12
#define CAIRN_REPO_TAG_LEN 16
#define CAIRN_REPO_KEY_LEN 32

/* zstd level for chunks. On the bench disk of issue 11 (1 GiB each of
 * random, text and 64 KiB pool blocks; 4 MiB chunks) level 3 stores 2252
 * MiB, level 1 2293 and virtnbdbackup's lz4 2267, for +3.4 CPU seconds
 * over the 3 GiB (text only: 1.4 against 0.64 s per 256 MiB); see
 * bench/README.md. bench/repo-chunk-bench measures 1 against 3. */
#define CAIRN_REPO_ZSTD_LEVEL 3

/* The level used; CAIRN_REPO_ZSTD_LEVEL unless a benchmark changes it. */
extern int cairnRepoZstdLevel;

/* Largest manifest, config or key file read (sanity limit). */
#define CAIRN_REPO_SMALL_FILE_MAX (64u * 1024 * 1024)

typedef enum {
    CAIRN_REPO_KIND_CONFIG = 0,
    CAIRN_REPO_KIND_MANIFEST,
    CAIRN_REPO_KIND_INDEX,
    CAIRN_REPO_KIND_CHUNK,
} cairnRepoKind;

/* Keys derived from a key file (repo-crypto.c). */
typedef struct {
    guint8 digest_key[CAIRN_REPO_KEY_LEN]; /* HMAC key of chunk digests */
    guint8 cipher_key[CAIRN_REPO_KEY_LEN]; /* AES-256-GCM key */
    char fingerprint[17];                  /* 16 hex + NUL, recorded in config */
} cairnRepoKeys;

struct _cairnRepo {
    char *path;
    cairnRepoStore *store;
    cairnRepoLockMode lock_mode;
    char *id;
    bool encrypted;
    cairnRepoKeys keys; /* valid when encrypted */
    gint64 gc_grace;    /* seconds: gc keeps unreferenced objects younger than this */
    guint32 chunk_size; /* from the config */
};

struct _cairnRepoIndex {
    guint64 disk_size;
    guint32 chunk_size;
    guint64 n_chunks;
    guint8 *digests; /* n_chunks * CAIRN_REPO_DIGEST_LEN */
};


/* ---- errors (repo.c) ---- */

void cairnRepoSetError(GError **error, cairnRepoErrorCode code, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

/* An error for a failed system call: CAIRN_REPO_ERROR_NO_SPACE for
 * ENOSPC/EDQUOT, CAIRN_REPO_ERROR_NOT_FOUND for ENOENT, else
 * CAIRN_REPO_ERROR_IO; the message is "DETAIL: strerror". */
void cairnRepoSetErrno(GError **error, int errnum, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

/* ---- test hook ---- */

/* Tests set this to a function called at every named step (crash point);
 * a non-zero return is an errno that the step fails with (fault
 * injection), and the function may also kill the process there. Steps:
 * "store-write" (before a file's bytes are written), "put-chunk" (before
 * a chunk is stored), "commit-sync", "commit-index" (before each index),
 * "commit-manifest" (before the manifest), "commit-done",
 * "prune-remove" (between a manifest's and its indexes' removal),
 * "gc-remove" (before each chunk's removal), "s3-request" (before each
 * attempt of an S3 request), "s3-upload" (before a queued upload of the
 * S3 store, in its upload thread). NULL in production. */
extern int (*cairnRepoTestHook)(const char *step);

/* 0, or the errno the test hook injects at @step. */
int cairnRepoHook(const char *step);

/* ---- names (repo.c) ---- */

bool cairnRepoCheckName(const char *what, const char *name, GError **error);
char *cairnRepoChunkKey(const guint8 *digest);
char *cairnRepoManifestKey(const char *id);
char *cairnRepoIndexKey(const char *id, const char *disk);

/* Ids of every snapshot with a manifest, unsorted (repo.c). */
GPtrArray *cairnRepoListIds(cairnRepo *repo, GError **error);

/* ---- crypto (repo-crypto.c) ---- */

bool cairnRepoKeysLoad(const char *keyfile, cairnRepoKeys *ret_keys, GError **error);

/* The chunk digest of @data: SHA-256, or HMAC-SHA256 under @keys. */
void
cairnRepoDigestCompute(const cairnRepoKeys *keys, const void *data, size_t len, guint8 *ret_digest);

/* Encrypt @len bytes of @in into @out (@len + NONCE + TAG bytes):
 * nonce || ciphertext || tag, authenticating @aad too. */
bool cairnRepoEncrypt(const cairnRepoKeys *keys,
                      const guint8 *aad,
                      size_t aad_len,
                      const guint8 *in,
                      size_t len,
                      guint8 *out,
                      GError **error);

/* Decrypt and authenticate @len bytes (nonce || ciphertext || tag) into
 * @out (@len - NONCE - TAG bytes). A bad tag is CAIRN_REPO_ERROR_CORRUPT
 * naming @what. */
bool cairnRepoDecrypt(const cairnRepoKeys *keys,
                      const guint8 *aad,
                      size_t aad_len,
                      const guint8 *in,
                      size_t len,
                      guint8 *out,
                      const char *what,
                      GError **error);

/* ---- format (repo-format.c) ---- */

/* Thread-local scratch buffer number @which (0..2) of at least @size
 * bytes, kept for the thread's life. */
guint8 *cairnRepoScratch(int which, size_t size);

/* Encode a small object (config, manifest, index) of @kind with plaintext
 * @raw: header + payload, encrypted under @keys when not NULL (@aad: the
 * object's key). Returns the file bytes. */
GBytes *cairnRepoEncodeObject(cairnRepoKind kind,
                              const cairnRepoKeys *keys,
                              const char *aad,
                              const guint8 *raw,
                              size_t raw_len,
                              GError **error);

/* Decode a small object read from @key: check magic, version, flags,
 * lengths, checksum; decrypt (keys not NULL) and return the plaintext. */
GBytes *cairnRepoDecodeObject(cairnRepoKind kind,
                              const cairnRepoKeys *keys,
                              const char *key,
                              const guint8 *data,
                              size_t len,
                              GError **error);

/* Encode chunk @data (@len bytes, digest @digest): @ret_iov[0] is the
 * header, @ret_iov[1] the payload, in thread-local scratch or @data itself
 * (valid until the thread's next encode, and while @data is). A chunk
 * stored raw is not copied. */
bool cairnRepoEncodeChunk(const cairnRepoKeys *keys,
                          const guint8 *digest,
                          const guint8 *data,
                          size_t len,
                          struct iovec *ret_iov,
                          GError **error);

/* Decode chunk file @file (@file_len bytes) stored under @digest into
 * @buf (@buf_len bytes), verifying everything including the digest. */
bool cairnRepoDecodeChunk(const cairnRepoKeys *keys,
                          const guint8 *digest,
                          const guint8 *file,
                          size_t file_len,
                          guint8 *buf,
                          size_t buf_len,
                          size_t *ret_len,
                          GError **error);

/* The same with the chunk file in two parts: its header (@head, the
 * first CAIRN_REPO_HEADER_LEN bytes) and the rest (@payload), @file_len
 * bytes in all. A plain payload (neither compressed nor encrypted) may
 * already be at @buf: it is then verified in place, not copied. */
bool cairnRepoDecodeChunkParts(const cairnRepoKeys *keys,
                               const guint8 *digest,
                               const guint8 *head,
                               const guint8 *payload,
                               size_t file_len,
                               guint8 *buf,
                               size_t buf_len,
                               size_t *ret_len,
                               GError **error);

/* True if @head (@head_len bytes read from the start of a chunk file)
 * says the payload is stored plain (neither compressed nor encrypted):
 * a hint for where to read the payload to, verified by the decode. */
bool cairnRepoChunkHeadIsPlain(const guint8 *head, size_t head_len);

GBytes *cairnRepoIndexSerialize(const cairnRepoIndex *index);
cairnRepoIndex *
cairnRepoIndexParse(const guint8 *raw, size_t len, const char *what, GError **error);
cairnRepoIndex *cairnRepoIndexNewEmpty(guint64 disk_size, guint32 chunk_size);

cairnRepoManifest *cairnRepoManifestNew(void);
cairnRepoManifestDisk *cairnRepoManifestDiskNew(const char *name);

char *cairnRepoManifestSerialize(const cairnRepoManifest *manifest, size_t *ret_len);
cairnRepoManifest *
cairnRepoManifestParse(const char *text, size_t len, const char *what, GError **error);

/* ---- prune (repo-prune.c) ---- */

/* Remove snapshot @id: its manifest first, then its indexes. */
bool cairnRepoRemoveSnapshot(cairnRepo *repo, const char *id, GError **error);


/* Mark which of @n snapshots with start times @times (newest first) the
 * policy keeps: @ret_reasons[i] is the rule's name ("keep-last", ...) or
 * NULL to remove. Times are bucketed in local time. */
void cairnRepoPruneSelect(const cairnRepoPrunePolicy *policy,
                          const gint64 *times,
                          size_t n,
                          const char **ret_reasons);
