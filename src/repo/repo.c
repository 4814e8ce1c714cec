/*
 * repo.c: creating, opening and reading a repository.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>
#include <zstd.h>

#include "repo-private.h"

#define CONFIG_KEY "config"
#define ENC_NONE "none"
#define ENC_AES "aes-256-gcm"

int (*cairnRepoTestHook)(const char *step);


GQuark
cairnRepoErrorQuark(void)
{
    return g_quark_from_static_string("cairn-repo-error");
}


void
cairnRepoSetError(GError **error, cairnRepoErrorCode code, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error_literal(error, CAIRN_REPO_ERROR, code, msg);
}


void
cairnRepoSetErrno(GError **error, int errnum, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;
    cairnRepoErrorCode code = CAIRN_REPO_ERROR_IO;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (errnum == ENOSPC || errnum == EDQUOT) {
        code = CAIRN_REPO_ERROR_NO_SPACE;
    } else if (errnum == ENOENT) {
        code = CAIRN_REPO_ERROR_NOT_FOUND;
    }
    g_set_error(error, CAIRN_REPO_ERROR, code, "%s: %s", msg, g_strerror(errnum));
}


int
cairnRepoHook(const char *step)
{
    return cairnRepoTestHook ? cairnRepoTestHook(step) : 0;
}


/* ---- names and keys ---- */

bool
cairnRepoCheckName(const char *what, const char *name, GError **error)
{
    if (!name || !*name || name[0] == '.' || strlen(name) > 200 ||
        strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.+-") !=
            strlen(name)) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_INVALID,
                          "invalid %s name '%s' (letters, digits, '_.+-', not starting with '.')",
                          what, name ? name : "(null)");
        return false;
    }
    return true;
}


char *
cairnRepoChunkKey(const guint8 *digest)
{
    char hex[CAIRN_REPO_DIGEST_HEX_LEN + 1];

    cairnRepoDigestToHex(digest, hex);
    return g_strdup_printf("chunks/%.2s/%s", hex, hex);
}


char *
cairnRepoManifestKey(const char *id)
{
    return g_strdup_printf("snapshots/%s/manifest", id);
}


char *
cairnRepoIndexKey(const char *id, const char *disk)
{
    return g_strdup_printf("snapshots/%s/%s.index", id, disk);
}


bool
cairnRepoDigestIsZero(const guint8 *digest)
{
    for (size_t i = 0; i < CAIRN_REPO_DIGEST_LEN; i++) {
        if (digest[i])
            return false;
    }
    return true;
}


char *
cairnRepoDigestToHex(const guint8 *digest, char *buf)
{
    static const char hex[] = "0123456789abcdef";

    for (size_t i = 0; i < CAIRN_REPO_DIGEST_LEN; i++) {
        buf[2 * i] = hex[digest[i] >> 4];
        buf[2 * i + 1] = hex[digest[i] & 15];
    }
    buf[CAIRN_REPO_DIGEST_HEX_LEN] = '\0';
    return buf;
}


/* ---- init / open ---- */

static bool
configWrite(cairnRepoStore *store,
            const char *path,
            const char *fingerprint,
            guint32 chunk_size,
            GError **error)
{
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autoptr(GBytes) file = NULL;
    g_autofree char *text = NULL;
    struct iovec iov;
    guint8 id[8];
    char idhex[CAIRN_REPO_DIGEST_HEX_LEN + 1];
    guint8 padded[CAIRN_REPO_DIGEST_LEN] = { 0 };
    g_autofree char *created =
        g_strdup_printf("%" G_GINT64_FORMAT, g_get_real_time() / G_USEC_PER_SEC);
    size_t len;

    if (RAND_bytes(id, sizeof(id)) != 1) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_FAILED, "cannot generate a repository id");
        return false;
    }
    memcpy(padded, id, sizeof(id));
    cairnRepoDigestToHex(padded, idhex);
    idhex[16] = '\0';
    g_key_file_set_string(kf, "repository", "id", idhex);
    g_key_file_set_value(kf, "repository", "created", created);
    g_key_file_set_int64(kf, "repository", "chunk-size", chunk_size);
    g_key_file_set_string(kf, "repository", "encryption", fingerprint ? ENC_AES : ENC_NONE);
    if (fingerprint)
        g_key_file_set_string(kf, "repository", "key-fingerprint", fingerprint);
    text = g_key_file_to_data(kf, &len, NULL);
    if (!(file = cairnRepoEncodeObject(CAIRN_REPO_KIND_CONFIG, NULL, CONFIG_KEY,
                                       (const guint8 *)text, len, error)))
        return false;
    iov.iov_base = (void *)g_bytes_get_data(file, NULL);
    iov.iov_len = g_bytes_get_size(file);
    return store->driver->put(store, CONFIG_KEY, &iov, 1, true, true, NULL, error);
}


/* Check that @path is missing (*@ret_missing) or an empty directory. */
static bool
initCheckDir(const char *path, bool *ret_missing, GError **error)
{
    g_autoptr(GDir) dir = NULL;

    if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
        *ret_missing = true;
        return true;
    }
    if (!(dir = g_dir_open(path, 0, NULL))) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_EXISTS, "%s exists and is not a directory", path);
        return false;
    }
    if (g_dir_read_name(dir)) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_EXISTS,
                          "%s is not empty: a repository is created in a new or empty directory",
                          path);
        return false;
    }
    *ret_missing = false;
    return true;
}


static bool
initCheckEmptyObject(const char *key,
                     guint64 size G_GNUC_UNUSED,
                     gint64 mtime G_GNUC_UNUSED,
                     gpointer opaque,
                     GError **error)
{
    cairnRepoSetError(error, CAIRN_REPO_ERROR_EXISTS,
                      "%s is not empty (it holds %s): a repository is created under an empty "
                      "prefix",
                      (const char *)opaque, key);
    return false;
}


/* cairnRepoInit() in an object store: the bucket must exist, the prefix
 * must be empty. */
static bool
initS3(const char *path, const char *keyfile, guint32 chunk_size, GError **error)
{
    g_autoptr(cairnRepoStore) store = NULL;
    cairnRepoKeys keys;
    bool created_key = false;

    if (!(store = cairnRepoStoreS3Open(path, error)) ||
        !store->driver->list(store, "", initCheckEmptyObject, (gpointer)path, error))
        return false;
    if (keyfile) {
        if (!g_file_test(keyfile, G_FILE_TEST_EXISTS)) {
            if (!cairnRepoKeyGenerate(keyfile, error))
                return false;
            created_key = true;
        }
        if (!cairnRepoKeysLoad(keyfile, &keys, error))
            goto fail;
    }
    if (!configWrite(store, path, keyfile ? keys.fingerprint : NULL, chunk_size, error))
        goto fail;
    memset(&keys, 0, sizeof(keys));
    return true;

fail:
    memset(&keys, 0, sizeof(keys));
    if (created_key)
        unlink(keyfile);
    return false;
}


bool
cairnRepoChunkSizeValid(guint64 chunk_size)
{
    return chunk_size >= CAIRN_REPO_CHUNK_SIZE_MIN && chunk_size <= CAIRN_REPO_CHUNK_SIZE_MAX &&
           (chunk_size & (chunk_size - 1)) == 0;
}


bool
cairnRepoInit(const char *path, const char *keyfile, GError **error)
{
    return cairnRepoInitChunked(path, keyfile, 0, error);
}


bool
cairnRepoInitChunked(const char *path, const char *keyfile, guint32 chunk_size, GError **error)
{
    g_autoptr(cairnRepoStore) store = NULL;
    cairnRepoKeys keys;
    bool created_key = false;
    bool created_dir = false;
    bool missing = false;

    if (chunk_size == 0)
        chunk_size = CAIRN_REPO_CHUNK_SIZE;
    if (!cairnRepoChunkSizeValid(chunk_size)) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_INVALID,
                          "cannot create repository %s: chunk size %u is not a power of two "
                          "from %u (64 KiB) to %u (16 MiB)",
                          path, chunk_size, CAIRN_REPO_CHUNK_SIZE_MIN, CAIRN_REPO_CHUNK_SIZE_MAX);
        return false;
    }
    if (cairnRepoPathIsS3(path))
        return initS3(path, keyfile, chunk_size, error);
    /* Nothing is created until every check passed; a failure removes what
     * was created. */
    if (!initCheckDir(path, &missing, error))
        return false;
    if (keyfile) {
        if (!g_file_test(keyfile, G_FILE_TEST_EXISTS)) {
            if (!cairnRepoKeyGenerate(keyfile, error))
                return false;
            created_key = true;
        }
        if (!cairnRepoKeysLoad(keyfile, &keys, error))
            goto fail;
    }
    if (missing) {
        if (mkdir(path, 0755) < 0) {
            cairnRepoSetErrno(error, errno, "cannot create repository directory %s", path);
            goto fail;
        }
        created_dir = true;
    }
    if (!(store = cairnRepoStoreLocalOpen(path, error)) ||
        !configWrite(store, path, keyfile ? keys.fingerprint : NULL, chunk_size, error))
        goto fail;
    memset(&keys, 0, sizeof(keys));
    return true;

fail:
    memset(&keys, 0, sizeof(keys));
    if (created_key)
        unlink(keyfile);
    if (created_dir)
        rmdir(path);
    return false;
}


static bool
configRead(cairnRepo *repo, GError **error)
{
    cairnRepoStore *store = repo->store;
    g_autofree guint8 *buf = NULL;
    size_t cap = 0;
    size_t len = 0;
    g_autoptr(GBytes) raw = NULL;
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autoptr(GError) local = NULL;
    g_autofree char *enc = NULL;
    g_autofree char *what = g_strdup_printf("%s/" CONFIG_KEY, repo->path);
    gint64 chunk_size;

    if (!store->driver->get(store, CONFIG_KEY, CAIRN_REPO_SMALL_FILE_MAX, &buf, &cap, &len,
                            &local)) {
        if (g_error_matches(local, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_NOT_FOUND)) {
            cairnRepoSetError(error, CAIRN_REPO_ERROR_NOT_A_REPO,
                              "%s is not a cairn-backup repository (it has no config file)",
                              repo->path);
            return false;
        }
        g_propagate_error(error, g_steal_pointer(&local));
        return false;
    }
    if (!(raw = cairnRepoDecodeObject(CAIRN_REPO_KIND_CONFIG, NULL, what, buf, len, error)))
        return false;
    if (!g_key_file_load_from_data(kf, g_bytes_get_data(raw, NULL), g_bytes_get_size(raw),
                                   G_KEY_FILE_NONE, &local) ||
        !(repo->id = g_key_file_get_string(kf, "repository", "id", NULL)) ||
        !(enc = g_key_file_get_string(kf, "repository", "encryption", NULL))) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_CORRUPT, "%s: incomplete", what);
        return false;
    }
    chunk_size = g_key_file_get_int64(kf, "repository", "chunk-size", NULL);
    if (chunk_size <= 0 || !cairnRepoChunkSizeValid((guint64)chunk_size)) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_VERSION,
                          "%s: chunk size %" G_GINT64_FORMAT
                          " is not supported (a power of two from %u to %u)",
                          what, chunk_size, CAIRN_REPO_CHUNK_SIZE_MIN, CAIRN_REPO_CHUNK_SIZE_MAX);
        return false;
    }
    repo->chunk_size = (guint32)chunk_size;
    if (g_str_equal(enc, ENC_AES)) {
        g_autofree char *fp = g_key_file_get_string(kf, "repository", "key-fingerprint", NULL);

        repo->encrypted = true;
        if (!fp) {
            cairnRepoSetError(error, CAIRN_REPO_ERROR_CORRUPT, "%s: no key fingerprint", what);
            return false;
        }
        memcpy(repo->keys.fingerprint, fp, MIN(strlen(fp) + 1, sizeof(repo->keys.fingerprint)));
        repo->keys.fingerprint[sizeof(repo->keys.fingerprint) - 1] = '\0';
    } else if (!g_str_equal(enc, ENC_NONE)) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_VERSION,
                          "%s: unknown encryption '%s': upgrade cairn-backup", what, enc);
        return false;
    }
    return true;
}


static bool
keysCheck(cairnRepo *repo, const char *keyfile, GError **error)
{
    cairnRepoKeys keys;

    if (!repo->encrypted) {
        if (keyfile) {
            cairnRepoSetError(error, CAIRN_REPO_ERROR_KEY,
                              "repository %s is not encrypted: no key file is used", repo->path);
            return false;
        }
        return true;
    }
    if (!keyfile) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_KEY,
                          "repository %s is encrypted: its key file is needed", repo->path);
        return false;
    }
    if (!cairnRepoKeysLoad(keyfile, &keys, error))
        return false;
    if (!g_str_equal(keys.fingerprint, repo->keys.fingerprint)) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_KEY,
                          "key file %s does not belong to repository %s (key fingerprint %s, "
                          "repository expects %s)",
                          keyfile, repo->path, keys.fingerprint, repo->keys.fingerprint);
        memset(&keys, 0, sizeof(keys));
        return false;
    }
    repo->keys = keys;
    memset(&keys, 0, sizeof(keys));
    return true;
}


cairnRepo *
cairnRepoOpen(const char *path, const char *keyfile, cairnRepoLockMode lock, GError **error)
{
    g_autoptr(cairnRepo) repo = g_new0(cairnRepo, 1);

    repo->path = g_strdup(path);
    repo->lock_mode = lock;
    /* flock is exact on a directory; an object store keeps a grace period
     * (docs/s3.md) */
    repo->gc_grace = cairnRepoPathIsS3(path) ? CAIRN_REPO_GC_GRACE_S3 : 0;
    if (!(repo->store = cairnRepoStoreOpen(path, error)) || !configRead(repo, error) ||
        !keysCheck(repo, keyfile, error) || !repo->store->driver->lock(repo->store, lock, error))
        return NULL;
    return g_steal_pointer(&repo);
}


void
cairnRepoSetGcGrace(cairnRepo *repo, gint64 seconds)
{
    repo->gc_grace = MAX(seconds, 0);
}


void
cairnRepoFree(cairnRepo *repo)
{
    if (!repo)
        return;
    cairnRepoStoreFree(repo->store);
    g_free(repo->path);
    g_free(repo->id);
    memset(&repo->keys, 0, sizeof(repo->keys));
    g_free(repo);
}


const char *
cairnRepoGetId(cairnRepo *repo)
{
    return repo->id;
}


const char *
cairnRepoGetPath(cairnRepo *repo)
{
    return repo->path;
}


bool
cairnRepoIsEncrypted(cairnRepo *repo)
{
    return repo->encrypted;
}


guint32
cairnRepoGetChunkSize(cairnRepo *repo)
{
    return repo->chunk_size;
}


static const cairnRepoKeys *
repoKeys(cairnRepo *repo)
{
    return repo->encrypted ? &repo->keys : NULL;
}


/* ---- manifests ---- */

/* Read and decode the small object @key of @kind; the plaintext. */
static GBytes *
objectRead(cairnRepo *repo, cairnRepoKind kind, const char *key, GError **error)
{
    g_autofree guint8 *buf = NULL;
    size_t cap = 0;
    size_t len = 0;

    if (!repo->store->driver->get(repo->store, key, CAIRN_REPO_SMALL_FILE_MAX, &buf, &cap, &len,
                                  error))
        return NULL;
    return cairnRepoDecodeObject(kind, repoKeys(repo), key, buf, len, error);
}


cairnRepoManifest *
cairnRepoLoadManifest(cairnRepo *repo, const char *id, GError **error)
{
    g_autofree char *key = NULL;
    g_autoptr(GBytes) raw = NULL;
    g_autoptr(GError) local = NULL;
    g_autoptr(cairnRepoManifest) m = NULL;

    if (!cairnRepoCheckName("snapshot", id, error))
        return NULL;
    key = cairnRepoManifestKey(id);
    if (!(raw = objectRead(repo, CAIRN_REPO_KIND_MANIFEST, key, &local))) {
        if (g_error_matches(local, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_NOT_FOUND)) {
            cairnRepoSetError(error, CAIRN_REPO_ERROR_NOT_FOUND,
                              "no snapshot '%s' in repository %s", id, repo->path);
            return NULL;
        }
        g_propagate_error(error, g_steal_pointer(&local));
        return NULL;
    }
    if (!(m = cairnRepoManifestParse(g_bytes_get_data(raw, NULL), g_bytes_get_size(raw), key,
                                     error)))
        return NULL;
    if (!g_str_equal(m->id, id)) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_CORRUPT,
                          "%s: records snapshot id '%s' (misplaced)", key, m->id);
        return NULL;
    }
    return g_steal_pointer(&m);
}


const cairnRepoManifestDisk *
cairnRepoManifestFindDisk(const cairnRepoManifest *manifest, const char *name)
{
    for (guint i = 0; i < manifest->disks->len; i++) {
        const cairnRepoManifestDisk *d = manifest->disks->pdata[i];

        if (g_str_equal(d->name, name))
            return d;
    }
    return NULL;
}


static bool
collectManifestIds(const char *key, guint64 size, gint64 mtime, gpointer opaque, GError **error)
{
    GPtrArray *ids = opaque;
    const char *rest = key + strlen("snapshots/");
    const char *slash = strchr(rest, '/');

    if (slash && g_str_equal(slash, "/manifest"))
        g_ptr_array_add(ids, g_strndup(rest, (size_t)(slash - rest)));
    return true;
}


/* Ids of every visible snapshot (with a manifest), unsorted. */
GPtrArray *
cairnRepoListIds(cairnRepo *repo, GError **error)
{
    g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func(g_free);

    if (!repo->store->driver->list(repo->store, "snapshots/", collectManifestIds, ids, error))
        return NULL;
    return g_steal_pointer(&ids);
}


static int
manifestCompare(gconstpointer a, gconstpointer b)
{
    const cairnRepoManifest *ma = *(cairnRepoManifest *const *)a;
    const cairnRepoManifest *mb = *(cairnRepoManifest *const *)b;

    if (ma->start_time != mb->start_time)
        return ma->start_time < mb->start_time ? -1 : 1;
    if (ma->end_time != mb->end_time)
        return ma->end_time < mb->end_time ? -1 : 1;
    return strcmp(ma->id, mb->id); /* the commit's microsecond (makeId()) */
}


/* The manifests of @domain (all when NULL), sorted; an unreadable one is
 * an error, or, with @damaged, described there and left out. */
static GPtrArray *
listSnapshots(cairnRepo *repo, const char *domain, GPtrArray *damaged, GError **error)
{
    g_autoptr(GPtrArray) ids = NULL;
    g_autoptr(GPtrArray) list =
        g_ptr_array_new_with_free_func((GDestroyNotify)cairnRepoManifestFree);

    if (!(ids = cairnRepoListIds(repo, error)))
        return NULL;
    g_ptr_array_sort(ids, (GCompareFunc)g_strcmp0);
    for (guint i = 0; i < ids->len; i++) {
        g_autoptr(cairnRepoManifest) m = NULL;
        g_autoptr(GError) local = NULL;

        if (!(m = cairnRepoLoadManifest(repo, ids->pdata[i], &local))) {
            if (!damaged) {
                g_propagate_error(error, g_steal_pointer(&local));
                return NULL;
            }
            g_ptr_array_add(
                damaged, g_strdup_printf("snapshot %s: %s", (char *)ids->pdata[i], local->message));
            continue;
        }
        if (!domain || g_str_equal(domain, m->domain))
            g_ptr_array_add(list, g_steal_pointer(&m));
    }
    g_ptr_array_sort(list, manifestCompare);
    return g_steal_pointer(&list);
}


GPtrArray *
cairnRepoListSnapshots(cairnRepo *repo, const char *domain, GError **error)
{
    return listSnapshots(repo, domain, NULL, error);
}


GPtrArray *
cairnRepoListSnapshotsTolerant(cairnRepo *repo,
                               const char *domain,
                               GPtrArray **ret_damaged,
                               GError **error)
{
    g_autoptr(GPtrArray) damaged = g_ptr_array_new_with_free_func(g_free);
    GPtrArray *list = listSnapshots(repo, domain, damaged, error);

    if (list && ret_damaged)
        *ret_damaged = g_steal_pointer(&damaged);
    return list;
}


cairnRepoManifest *
cairnRepoFindLatest(cairnRepo *repo, const char *domain, GError **error)
{
    g_autoptr(GPtrArray) list = NULL;

    if (!(list = cairnRepoListSnapshots(repo, domain, error)))
        return NULL;
    if (list->len == 0)
        return NULL;
    return g_ptr_array_steal_index(list, list->len - 1);
}


/* ---- indexes ---- */

cairnRepoIndex *
cairnRepoLoadIndex(cairnRepo *repo, const char *id, const char *disk, GError **error)
{
    g_autofree char *key = NULL;
    g_autoptr(GBytes) raw = NULL;
    g_autoptr(GError) local = NULL;

    if (!cairnRepoCheckName("snapshot", id, error) || !cairnRepoCheckName("disk", disk, error))
        return NULL;
    key = cairnRepoIndexKey(id, disk);
    if (!(raw = objectRead(repo, CAIRN_REPO_KIND_INDEX, key, &local))) {
        if (g_error_matches(local, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_NOT_FOUND)) {
            cairnRepoSetError(error, CAIRN_REPO_ERROR_NOT_FOUND,
                              "snapshot '%s' has no disk '%s' in repository %s", id, disk,
                              repo->path);
            return NULL;
        }
        g_propagate_error(error, g_steal_pointer(&local));
        return NULL;
    }
    return cairnRepoIndexParse(g_bytes_get_data(raw, NULL), g_bytes_get_size(raw), key, error);
}


void
cairnRepoIndexFree(cairnRepoIndex *index)
{
    if (!index)
        return;
    g_free(index->digests);
    g_free(index);
}


guint64
cairnRepoIndexGetDiskSize(const cairnRepoIndex *index)
{
    return index->disk_size;
}


guint32
cairnRepoIndexGetChunkSize(const cairnRepoIndex *index)
{
    return index->chunk_size;
}


guint64
cairnRepoIndexGetChunkCount(const cairnRepoIndex *index)
{
    return index->n_chunks;
}


size_t
cairnRepoIndexGetChunkLength(const cairnRepoIndex *index, guint64 chunk_no)
{
    guint64 start = chunk_no * index->chunk_size;

    g_return_val_if_fail(chunk_no < index->n_chunks, 0);
    return (size_t)MIN((guint64)index->chunk_size, index->disk_size - start);
}


const guint8 *
cairnRepoIndexGetDigest(const cairnRepoIndex *index, guint64 chunk_no)
{
    g_return_val_if_fail(chunk_no < index->n_chunks, NULL);
    return index->digests + chunk_no * CAIRN_REPO_DIGEST_LEN;
}


/* ---- chunks ---- */

typedef struct {
    guint8 *buf;
    size_t cap;
} readBuf;


static void
readBufFree(gpointer data)
{
    readBuf *rb = data;

    g_free(rb->buf);
    g_free(rb);
}

static GPrivate readBufKey = G_PRIVATE_INIT(readBufFree);


/* Where a chunk file's payload is read to: a plain payload that fits
 * straight into the caller's buffer (verified there, never copied),
 * anything else (compressed, encrypted) into the thread's read buffer. */
typedef struct {
    readBuf *rb;
    guint8 *buf;
    size_t buf_len;
    const guint8 *payload; /* where it went */
} readPlace;


static guint8 *
readPlaceFunc(const guint8 *head, size_t head_len, size_t rest_len, gpointer opaque)
{
    readPlace *p = opaque;
    guint8 *to;

    if (cairnRepoChunkHeadIsPlain(head, head_len) && rest_len <= p->buf_len) {
        to = p->buf;
    } else {
        if (p->rb->cap < rest_len || !p->rb->buf) {
            p->rb->cap = MAX(rest_len, 1);
            g_free(p->rb->buf);
            p->rb->buf = g_malloc(p->rb->cap);
        }
        to = p->rb->buf;
    }
    p->payload = to;
    return to;
}


bool
cairnRepoReadChunk(cairnRepo *repo,
                   const guint8 *digest,
                   void *buf,
                   size_t buf_len,
                   size_t *ret_len,
                   GError **error)
{
    readBuf *rb = g_private_get(&readBufKey);
    g_autofree char *key = NULL;
    g_autoptr(GError) local = NULL;
    guint8 head[CAIRN_REPO_HEADER_LEN] = { 0 };
    size_t len = 0;
    size_t max = CAIRN_REPO_HEADER_LEN + ZSTD_compressBound(repo->chunk_size) +
                 CAIRN_REPO_NONCE_LEN + CAIRN_REPO_TAG_LEN;

    if (cairnRepoDigestIsZero(digest)) {
        memset(buf, 0, buf_len);
        *ret_len = buf_len;
        return true;
    }
    if (!rb) {
        rb = g_new0(readBuf, 1);
        g_private_set(&readBufKey, rb);
    }
    key = cairnRepoChunkKey(digest);
    if (repo->store->driver->get_parts) {
        /* (an empty payload, if the file is no longer than a header) */
        readPlace place = { rb, buf, buf_len, buf };

        if (repo->store->driver->get_parts(repo->store, key, max, head, sizeof(head), readPlaceFunc,
                                           &place, &len, &local))
            return cairnRepoDecodeChunkParts(repoKeys(repo), digest, head, place.payload, len, buf,
                                             buf_len, ret_len, error);
    } else if (repo->store->driver->get(repo->store, key, max, &rb->buf, &rb->cap, &len, &local)) {
        return cairnRepoDecodeChunk(repoKeys(repo), digest, rb->buf, len, buf, buf_len, ret_len,
                                    error);
    }
    if (g_error_matches(local, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_NOT_FOUND)) {
        char hex[CAIRN_REPO_DIGEST_HEX_LEN + 1];

        cairnRepoSetError(error, CAIRN_REPO_ERROR_NOT_FOUND,
                          "chunk %s is missing from repository %s",
                          cairnRepoDigestToHex(digest, hex), repo->path);
        return false;
    }
    g_propagate_error(error, g_steal_pointer(&local));
    return false;
}


bool
cairnRepoReadIndexChunk(
    cairnRepo *repo, const cairnRepoIndex *index, guint64 chunk_no, void *buf, GError **error)
{
    size_t want;
    size_t got = 0;
    char hex[CAIRN_REPO_DIGEST_HEX_LEN + 1];

    if (chunk_no >= index->n_chunks) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_INVALID,
                          "chunk %" G_GUINT64_FORMAT
                          " is past the end of the disk (%" G_GUINT64_FORMAT " chunks)",
                          chunk_no, index->n_chunks);
        return false;
    }
    want = cairnRepoIndexGetChunkLength(index, chunk_no);
    if (!cairnRepoReadChunk(repo, cairnRepoIndexGetDigest(index, chunk_no), buf, want, &got, error))
        return false;
    if (got != want) {
        cairnRepoSetError(
            error, CAIRN_REPO_ERROR_CORRUPT, "chunk %s holds %zu bytes, the index expects %zu",
            cairnRepoDigestToHex(cairnRepoIndexGetDigest(index, chunk_no), hex), got, want);
        return false;
    }
    return true;
}


/* The chunk a thread decoded last, for cairnRepoReadRange(). */
typedef struct {
    guint8 digest[CAIRN_REPO_DIGEST_LEN];
    bool valid;
    size_t len;
    size_t cap;
    guint8 *data; /* @cap bytes, at least the index's chunk size */
} rangeCache;


static void
rangeCacheFree(gpointer data)
{
    rangeCache *rc = data;

    g_free(rc->data);
    g_free(rc);
}

static GPrivate rangeCacheKey = G_PRIVATE_INIT(rangeCacheFree);


bool
cairnRepoReadRange(cairnRepo *repo,
                   const cairnRepoIndex *index,
                   guint64 offset,
                   size_t len,
                   void *buf,
                   GError **error)
{
    rangeCache *rc = g_private_get(&rangeCacheKey);
    guint8 *out = buf;

    if (offset > index->disk_size || len > index->disk_size - offset) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_INVALID,
                          "range of %zu bytes at %" G_GUINT64_FORMAT
                          " is past the end of the disk (%" G_GUINT64_FORMAT " bytes)",
                          len, offset, index->disk_size);
        return false;
    }
    if (!rc) {
        rc = g_new0(rangeCache, 1);
        g_private_set(&rangeCacheKey, rc);
    }
    if (rc->cap < index->chunk_size) {
        g_free(rc->data);
        rc->cap = index->chunk_size;
        rc->data = g_malloc(rc->cap);
        rc->valid = false;
    }
    while (len > 0) {
        guint64 c = offset / index->chunk_size;
        size_t within = (size_t)(offset - c * index->chunk_size);
        size_t clen = cairnRepoIndexGetChunkLength(index, c);
        size_t n = MIN(len, clen - within);
        const guint8 *digest = cairnRepoIndexGetDigest(index, c);

        if (cairnRepoDigestIsZero(digest)) {
            memset(out, 0, n);
        } else if (n == clen) {
            if (!cairnRepoReadIndexChunk(repo, index, c, out, error))
                return false;
        } else {
            if (!rc->valid || rc->len != clen ||
                memcmp(rc->digest, digest, CAIRN_REPO_DIGEST_LEN) != 0) {
                rc->valid = false;
                if (!cairnRepoReadIndexChunk(repo, index, c, rc->data, error))
                    return false;
                memcpy(rc->digest, digest, CAIRN_REPO_DIGEST_LEN);
                rc->len = clen;
                rc->valid = true;
            }
            memcpy(out, rc->data + within, n);
        }
        out += n;
        offset += n;
        len -= n;
    }
    return true;
}
