/*
 * repo-format.c: the bytes of every repository file (docs/repository.md).
 *
 * Every file is a 96-byte header followed by a payload; all integers are
 * little-endian:
 *    0  8  magic: "CAIRNCFG" config, "CAIRNMAN" manifest, "CAIRNIDX" index,
 *          "CAIRNCHK" chunk
 *    8  2  format version (1)
 *   10  2  header length (96)
 *   12  4  flags: 1 zstd-compressed, 2 AES-256-GCM encrypted
 *   16  8  payload length
 *   24  8  raw length: the content's length once decrypted and decompressed
 *   32 32  chunk: its digest (the name it is stored under); others: zeros
 *   64 32  SHA-256 of bytes 0..63, followed (except for chunks) by the payload
 */
#include <string.h>

#include <zstd.h>

#include "repo-private.h"

#define OFF_VERSION 8
#define OFF_HEADER_LEN 10
#define OFF_FLAGS 12
#define OFF_PAYLOAD_LEN 16
#define OFF_RAW_LEN 24
#define OFF_DIGEST 32
#define OFF_CHECKSUM 64

#define INDEX_HEAD_LEN 24

int cairnRepoZstdLevel = CAIRN_REPO_ZSTD_LEVEL;

static const char *const kindMagic[] = {
    [CAIRN_REPO_KIND_CONFIG] = "CAIRNCFG",
    [CAIRN_REPO_KIND_MANIFEST] = "CAIRNMAN",
    [CAIRN_REPO_KIND_INDEX] = "CAIRNIDX",
    [CAIRN_REPO_KIND_CHUNK] = "CAIRNCHK",
};


/* ---- thread-local scratch ---- */

typedef struct {
    guint8 *buf[3];
    size_t cap[3];
    ZSTD_CCtx *cctx;
    ZSTD_DCtx *dctx;
} scratchSet;


static void
scratchSetFree(gpointer data)
{
    scratchSet *set = data;

    for (int i = 0; i < 3; i++)
        g_free(set->buf[i]);
    ZSTD_freeCCtx(set->cctx);
    ZSTD_freeDCtx(set->dctx);
    g_free(set);
}

static GPrivate scratchKey = G_PRIVATE_INIT(scratchSetFree);


static scratchSet *
scratchGet(void)
{
    scratchSet *set = g_private_get(&scratchKey);

    if (!set) {
        set = g_new0(scratchSet, 1);
        g_private_set(&scratchKey, set);
    }
    return set;
}


guint8 *
cairnRepoScratch(int which, size_t size)
{
    scratchSet *set = scratchGet();

    if (set->cap[which] < size) {
        g_free(set->buf[which]);
        set->buf[which] = g_malloc(size);
        set->cap[which] = size;
    }
    return set->buf[which];
}


/* ---- little-endian fields ---- */

static void
put16(guint8 *p, guint16 v)
{
    v = GUINT16_TO_LE(v);
    memcpy(p, &v, 2);
}

static void
put32(guint8 *p, guint32 v)
{
    v = GUINT32_TO_LE(v);
    memcpy(p, &v, 4);
}

static void
put64(guint8 *p, guint64 v)
{
    v = GUINT64_TO_LE(v);
    memcpy(p, &v, 8);
}

static guint16
get16(const guint8 *p)
{
    guint16 v;

    memcpy(&v, p, 2);
    return GUINT16_FROM_LE(v);
}

static guint32
get32(const guint8 *p)
{
    guint32 v;

    memcpy(&v, p, 4);
    return GUINT32_FROM_LE(v);
}

static guint64
get64(const guint8 *p)
{
    guint64 v;

    memcpy(&v, p, 8);
    return GUINT64_FROM_LE(v);
}


/* ---- headers ---- */

static void
checksum(const guint8 *header, const guint8 *payload, size_t payload_len, guint8 *out)
{
    g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
    gsize len = CAIRN_REPO_DIGEST_LEN;

    g_checksum_update(sum, header, OFF_CHECKSUM);
    if (payload)
        g_checksum_update(sum, payload, payload_len);
    g_checksum_get_digest(sum, out, &len);
}


/* Fill the header at @file (payload already at @file + HEADER_LEN). */
static void
headerWrite(guint8 *file,
            cairnRepoKind kind,
            guint32 flags,
            size_t payload_len,
            size_t raw_len,
            const guint8 *digest)
{
    memcpy(file, kindMagic[kind], 8);
    put16(file + OFF_VERSION, CAIRN_REPO_FORMAT_VERSION);
    put16(file + OFF_HEADER_LEN, CAIRN_REPO_HEADER_LEN);
    put32(file + OFF_FLAGS, flags);
    put64(file + OFF_PAYLOAD_LEN, payload_len);
    put64(file + OFF_RAW_LEN, raw_len);
    if (digest) {
        memcpy(file + OFF_DIGEST, digest, CAIRN_REPO_DIGEST_LEN);
    } else {
        memset(file + OFF_DIGEST, 0, CAIRN_REPO_DIGEST_LEN);
    }
    checksum(file, kind == CAIRN_REPO_KIND_CHUNK ? NULL : file + CAIRN_REPO_HEADER_LEN, payload_len,
             file + OFF_CHECKSUM);
}


typedef struct {
    guint32 flags;
    size_t payload_len;
    size_t raw_len;
    const guint8 *digest;
    const guint8 *payload;
} header;


/* Check the header of @file (@len bytes) named @what. */
static bool
headerRead(cairnRepoKind kind,
           const guint8 *file,
           size_t len,
           const char *what,
           header *ret,
           GError **error)
{
    guint16 version;
    guint8 sum[CAIRN_REPO_DIGEST_LEN];

    if (len < 12 || memcmp(file, kindMagic[kind], 8) != 0) {
        cairnRepoSetError(error,
                          kind == CAIRN_REPO_KIND_CONFIG ? CAIRN_REPO_ERROR_NOT_A_REPO :
                                                           CAIRN_REPO_ERROR_CORRUPT,
                          "%s: not a cairn-backup %s file (bad magic)", what, kindMagic[kind] + 5);
        return false;
    }
    version = get16(file + OFF_VERSION);
    if (version > CAIRN_REPO_FORMAT_VERSION) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_VERSION,
                          "%s has format version %u; this cairn-backup reads version %d: "
                          "upgrade cairn-backup",
                          what, version, CAIRN_REPO_FORMAT_VERSION);
        return false;
    }
    if (version == 0 || get16(file + OFF_HEADER_LEN) != CAIRN_REPO_HEADER_LEN ||
        len < CAIRN_REPO_HEADER_LEN) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_CORRUPT, "%s: bad or truncated header", what);
        return false;
    }
    ret->flags = get32(file + OFF_FLAGS);
    ret->payload_len = get64(file + OFF_PAYLOAD_LEN);
    ret->raw_len = get64(file + OFF_RAW_LEN);
    ret->digest = file + OFF_DIGEST;
    ret->payload = file + CAIRN_REPO_HEADER_LEN;
    checksum(file, kind == CAIRN_REPO_KIND_CHUNK ? NULL : ret->payload, len - CAIRN_REPO_HEADER_LEN,
             sum);
    if (memcmp(sum, file + OFF_CHECKSUM, sizeof(sum)) != 0) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_CORRUPT, "%s: checksum mismatch", what);
        return false;
    }
    if (ret->payload_len != len - CAIRN_REPO_HEADER_LEN) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_CORRUPT,
                          "%s: payload is %zu bytes, header says %zu (truncated?)", what,
                          len - CAIRN_REPO_HEADER_LEN, ret->payload_len);
        return false;
    }
    if (ret->flags & ~CAIRN_REPO_FLAGS_KNOWN) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_VERSION,
                          "%s uses unknown features (flags 0x%x): upgrade cairn-backup", what,
                          ret->flags);
        return false;
    }
    return true;
}


/* ---- small objects ---- */

GBytes *
cairnRepoEncodeObject(cairnRepoKind kind,
                      const cairnRepoKeys *keys,
                      const char *aad,
                      const guint8 *raw,
                      size_t raw_len,
                      GError **error)
{
    size_t payload_len = keys ? raw_len + CAIRN_REPO_NONCE_LEN + CAIRN_REPO_TAG_LEN : raw_len;
    g_autofree guint8 *file = g_malloc(CAIRN_REPO_HEADER_LEN + payload_len);
    guint32 flags = 0;

    if (keys) {
        if (!cairnRepoEncrypt(keys, (const guint8 *)aad, strlen(aad), raw, raw_len,
                              file + CAIRN_REPO_HEADER_LEN, error))
            return NULL;
        flags |= CAIRN_REPO_FLAG_AES_GCM;
    } else {
        memcpy(file + CAIRN_REPO_HEADER_LEN, raw, raw_len);
    }
    headerWrite(file, kind, flags, payload_len, raw_len, NULL);
    return g_bytes_new_take(g_steal_pointer(&file), CAIRN_REPO_HEADER_LEN + payload_len);
}


GBytes *
cairnRepoDecodeObject(cairnRepoKind kind,
                      const cairnRepoKeys *keys,
                      const char *key,
                      const guint8 *data,
                      size_t len,
                      GError **error)
{
    g_autofree guint8 *raw = NULL;
    header h;

    if (!headerRead(kind, data, len, key, &h, error))
        return NULL;
    if (h.flags & CAIRN_REPO_FLAG_ZSTD) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_CORRUPT, "%s: compressed, which it never is",
                          key);
        return NULL;
    }
    if (!(h.flags & CAIRN_REPO_FLAG_AES_GCM)) {
        if (keys && kind != CAIRN_REPO_KIND_CONFIG) {
            cairnRepoSetError(error, CAIRN_REPO_ERROR_CORRUPT,
                              "%s: not encrypted in an encrypted repository", key);
            return NULL;
        }
        if (h.raw_len != h.payload_len) {
            cairnRepoSetError(error, CAIRN_REPO_ERROR_CORRUPT, "%s: bad raw length", key);
            return NULL;
        }
        return g_bytes_new(h.payload, h.payload_len);
    }
    if (!keys) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_KEY, "%s is encrypted: a key file is needed",
                          key);
        return NULL;
    }
    if (h.raw_len + CAIRN_REPO_NONCE_LEN + CAIRN_REPO_TAG_LEN != h.payload_len) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_CORRUPT, "%s: bad raw length", key);
        return NULL;
    }
    raw = g_malloc(MAX(h.raw_len, 1));
    if (!cairnRepoDecrypt(keys, (const guint8 *)key, strlen(key), h.payload, h.payload_len, raw,
                          key, error))
        return NULL;
    return g_bytes_new_take(g_steal_pointer(&raw), h.raw_len);
}


/* ---- chunks ---- */

bool
cairnRepoEncodeChunk(const cairnRepoKeys *keys,
                     const guint8 *digest,
                     const guint8 *data,
                     size_t len,
                     struct iovec *ret_iov,
                     GError **error)
{
    scratchSet *set = scratchGet();
    size_t bound = ZSTD_compressBound(len);
    size_t extra = keys ? CAIRN_REPO_NONCE_LEN + CAIRN_REPO_TAG_LEN : 0;
    guint8 *head = cairnRepoScratch(0, CAIRN_REPO_HEADER_LEN + MAX(bound, len) + extra);
    guint8 *zbuf = keys ? cairnRepoScratch(1, bound) : head + CAIRN_REPO_HEADER_LEN;
    const guint8 *payload = data;
    size_t payload_len = len;
    guint32 flags = 0;
    size_t zlen;

    if (!set->cctx && !(set->cctx = ZSTD_createCCtx())) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_FAILED, "cannot create a zstd context");
        return false;
    }
    zlen = ZSTD_compressCCtx(set->cctx, zbuf, bound, data, len, cairnRepoZstdLevel);
    if (!ZSTD_isError(zlen) && zlen < len) {
        payload = zbuf;
        payload_len = zlen;
        flags |= CAIRN_REPO_FLAG_ZSTD;
    }
    if (keys) {
        if (!cairnRepoEncrypt(keys, digest, CAIRN_REPO_DIGEST_LEN, payload, payload_len,
                              head + CAIRN_REPO_HEADER_LEN, error))
            return false;
        payload = head + CAIRN_REPO_HEADER_LEN;
        payload_len += extra;
        flags |= CAIRN_REPO_FLAG_AES_GCM;
    }
    headerWrite(head, CAIRN_REPO_KIND_CHUNK, flags, payload_len, len, digest);
    ret_iov[0].iov_base = head;
    ret_iov[0].iov_len = CAIRN_REPO_HEADER_LEN;
    ret_iov[1].iov_base = (void *)payload;
    ret_iov[1].iov_len = payload_len;
    return true;
}


bool
cairnRepoChunkHeadIsPlain(const guint8 *head, size_t head_len)
{
    return head_len >= CAIRN_REPO_HEADER_LEN &&
           memcmp(head, kindMagic[CAIRN_REPO_KIND_CHUNK], 8) == 0 && get32(head + OFF_FLAGS) == 0;
}


bool
cairnRepoDecodeChunk(const cairnRepoKeys *keys,
                     const guint8 *digest,
                     const guint8 *file,
                     size_t file_len,
                     guint8 *buf,
                     size_t buf_len,
                     size_t *ret_len,
                     GError **error)
{
    return cairnRepoDecodeChunkParts(
        keys, digest, file, file_len >= CAIRN_REPO_HEADER_LEN ? file + CAIRN_REPO_HEADER_LEN : NULL,
        file_len, buf, buf_len, ret_len, error);
}


bool
cairnRepoDecodeChunkParts(const cairnRepoKeys *keys,
                          const guint8 *digest,
                          const guint8 *head,
                          const guint8 *payload,
                          size_t file_len,
                          guint8 *buf,
                          size_t buf_len,
                          size_t *ret_len,
                          GError **error)
{
    char hex[CAIRN_REPO_DIGEST_HEX_LEN + 1];
    g_autofree char *what = NULL;
    scratchSet *set;
    const guint8 *plain;
    size_t plain_len;
    guint8 check[CAIRN_REPO_DIGEST_LEN];
    header h;

    what = g_strdup_printf("chunk %s", cairnRepoDigestToHex(digest, hex));
    /* A chunk's header checksum covers the header alone, so the header
     * and the payload need not be contiguous. */
    if (!headerRead(CAIRN_REPO_KIND_CHUNK, head, file_len, what, &h, error))
        return false;
    h.payload = payload;
    if (memcmp(h.digest, digest, CAIRN_REPO_DIGEST_LEN) != 0) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_CORRUPT,
                          "%s: its header names another chunk (file misplaced)", what);
        return false;
    }
    if (h.raw_len > buf_len || h.raw_len > CAIRN_REPO_CHUNK_SIZE_MAX) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_CORRUPT, "%s: %zu bytes, more than expected",
                          what, h.raw_len);
        return false;
    }
    plain = h.payload;
    plain_len = h.payload_len;
    if (!!(h.flags & CAIRN_REPO_FLAG_AES_GCM) != !!keys) {
        cairnRepoSetError(error, keys ? CAIRN_REPO_ERROR_CORRUPT : CAIRN_REPO_ERROR_KEY,
                          keys ? "%s: not encrypted in an encrypted repository" :
                                 "%s is encrypted: a key file is needed",
                          what);
        return false;
    }
    if (keys) {
        guint8 *dec;

        if (plain_len < CAIRN_REPO_NONCE_LEN + CAIRN_REPO_TAG_LEN) {
            cairnRepoSetError(error, CAIRN_REPO_ERROR_CORRUPT, "%s: truncated", what);
            return false;
        }
        dec = (h.flags & CAIRN_REPO_FLAG_ZSTD) ? cairnRepoScratch(1, plain_len) : buf;
        if (!(h.flags & CAIRN_REPO_FLAG_ZSTD) &&
            plain_len - CAIRN_REPO_NONCE_LEN - CAIRN_REPO_TAG_LEN != h.raw_len) {
            cairnRepoSetError(error, CAIRN_REPO_ERROR_CORRUPT, "%s: bad length", what);
            return false;
        }
        if (!cairnRepoDecrypt(keys, digest, CAIRN_REPO_DIGEST_LEN, plain, plain_len, dec, what,
                              error))
            return false;
        plain = dec;
        plain_len -= CAIRN_REPO_NONCE_LEN + CAIRN_REPO_TAG_LEN;
    }
    if (h.flags & CAIRN_REPO_FLAG_ZSTD) {
        size_t n;

        set = scratchGet();
        if (!set->dctx && !(set->dctx = ZSTD_createDCtx())) {
            cairnRepoSetError(error, CAIRN_REPO_ERROR_FAILED, "cannot create a zstd context");
            return false;
        }
        n = ZSTD_decompressDCtx(set->dctx, buf, h.raw_len, plain, plain_len);
        if (ZSTD_isError(n) || n != h.raw_len) {
            cairnRepoSetError(error, CAIRN_REPO_ERROR_CORRUPT, "%s: cannot decompress: %s", what,
                              ZSTD_isError(n) ? ZSTD_getErrorName(n) : "short");
            return false;
        }
    } else {
        if (plain_len != h.raw_len) {
            cairnRepoSetError(error, CAIRN_REPO_ERROR_CORRUPT, "%s: bad length", what);
            return false;
        }
        /* A plain payload read straight into @buf is already in place. */
        if (plain != buf)
            memcpy(buf, plain, plain_len);
    }
    cairnRepoDigestCompute(keys, buf, h.raw_len, check);
    if (memcmp(check, digest, CAIRN_REPO_DIGEST_LEN) != 0) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_CORRUPT,
                          "%s: digest mismatch (the content is damaged)", what);
        return false;
    }
    *ret_len = h.raw_len;
    return true;
}


/* ---- indexes ---- */

cairnRepoIndex *
cairnRepoIndexNewEmpty(guint64 disk_size, guint32 chunk_size)
{
    cairnRepoIndex *index = g_new0(cairnRepoIndex, 1);

    index->disk_size = disk_size;
    index->chunk_size = chunk_size;
    index->n_chunks = (disk_size + chunk_size - 1) / chunk_size;
    index->digests = g_malloc0(MAX(index->n_chunks, 1) * CAIRN_REPO_DIGEST_LEN);
    return index;
}


GBytes *
cairnRepoIndexSerialize(const cairnRepoIndex *index)
{
    size_t len = INDEX_HEAD_LEN + index->n_chunks * CAIRN_REPO_DIGEST_LEN;
    guint8 *raw = g_malloc(len);

    put64(raw, index->disk_size);
    put32(raw + 8, index->chunk_size);
    put32(raw + 12, 0);
    put64(raw + 16, index->n_chunks);
    memcpy(raw + INDEX_HEAD_LEN, index->digests, index->n_chunks * CAIRN_REPO_DIGEST_LEN);
    return g_bytes_new_take(raw, len);
}


cairnRepoIndex *
cairnRepoIndexParse(const guint8 *raw, size_t len, const char *what, GError **error)
{
    g_autoptr(cairnRepoIndex) index = NULL;
    guint64 size;
    guint32 chunk_size;
    guint64 count;

    if (len < INDEX_HEAD_LEN) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_CORRUPT, "%s: truncated", what);
        return NULL;
    }
    size = get64(raw);
    chunk_size = get32(raw + 8);
    count = get64(raw + 16);
    if (!cairnRepoChunkSizeValid(chunk_size) || count != (size + chunk_size - 1) / chunk_size ||
        len != INDEX_HEAD_LEN + count * CAIRN_REPO_DIGEST_LEN) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_CORRUPT,
                          "%s: inconsistent sizes (disk %" G_GUINT64_FORMAT
                          ", chunk %u, %" G_GUINT64_FORMAT " chunks, %zu bytes)",
                          what, size, chunk_size, count, len);
        return NULL;
    }
    index = cairnRepoIndexNewEmpty(size, chunk_size);
    memcpy(index->digests, raw + INDEX_HEAD_LEN, count * CAIRN_REPO_DIGEST_LEN);
    return g_steal_pointer(&index);
}


/* ---- manifests ---- */

static void
setU64(GKeyFile *kf, const char *group, const char *key, guint64 v)
{
    g_autofree char *s = g_strdup_printf("%" G_GUINT64_FORMAT, v);

    g_key_file_set_value(kf, group, key, s);
}


static void
setInfo(GKeyFile *kf, const char *group, GHashTable *info)
{
    g_autoptr(GList) keys = g_list_sort(g_hash_table_get_keys(info), (GCompareFunc)strcmp);

    for (GList *l = keys; l; l = l->next)
        g_key_file_set_string(kf, group, l->data, g_hash_table_lookup(info, l->data));
}


char *
cairnRepoManifestSerialize(const cairnRepoManifest *m, size_t *ret_len)
{
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autoptr(GPtrArray) names = g_ptr_array_new();
    g_autofree char *start = g_strdup_printf("%" G_GINT64_FORMAT, m->start_time);
    g_autofree char *end = g_strdup_printf("%" G_GINT64_FORMAT, m->end_time);

    g_key_file_set_string(kf, "snapshot", "id", m->id);
    g_key_file_set_string(kf, "snapshot", "domain", m->domain);
    if (m->checkpoint)
        g_key_file_set_string(kf, "snapshot", "checkpoint", m->checkpoint);
    g_key_file_set_value(kf, "snapshot", "start-time", start);
    g_key_file_set_value(kf, "snapshot", "end-time", end);
    g_key_file_set_string(kf, "snapshot", "tool-version", m->tool_version);
    setU64(kf, "snapshot", "bytes-new", m->bytes_new);
    setU64(kf, "snapshot", "bytes-stored", m->bytes_stored);
    for (guint i = 0; i < m->disks->len; i++)
        g_ptr_array_add(names, ((cairnRepoManifestDisk *)m->disks->pdata[i])->name);
    g_key_file_set_string_list(kf, "snapshot", "disks", (const char *const *)names->pdata,
                               names->len);
    g_key_file_set_string(kf, "snapshot", "domain-xml", m->domain_xml);
    if (g_hash_table_size(m->info) > 0)
        setInfo(kf, "info", m->info);

    for (guint i = 0; i < m->disks->len; i++) {
        cairnRepoManifestDisk *d = m->disks->pdata[i];
        g_autofree char *group = g_strdup_printf("disk %s", d->name);

        setU64(kf, group, "size", d->size);
        setU64(kf, group, "chunk-size", d->chunk_size);
        g_key_file_set_string(kf, group, "mode", d->mode);
        setU64(kf, group, "chunks", d->chunks);
        setU64(kf, group, "chunks-zero", d->chunks_zero);
        setU64(kf, group, "chunks-put", d->chunks_put);
        setU64(kf, group, "chunks-new", d->chunks_new);
        setU64(kf, group, "bytes-put", d->bytes_put);
        setU64(kf, group, "bytes-new", d->bytes_new);
        setU64(kf, group, "bytes-stored", d->bytes_stored);
        if (g_hash_table_size(d->info) > 0) {
            g_autofree char *igroup = g_strdup_printf("disk-info %s", d->name);

            setInfo(kf, igroup, d->info);
        }
    }
    return g_key_file_to_data(kf, ret_len, NULL);
}


static bool
getU64(GKeyFile *kf,
       const char *group,
       const char *key,
       guint64 *out,
       const char *what,
       GError **error)
{
    g_autofree char *s = g_key_file_get_value(kf, group, key, NULL);

    if (!s || !g_ascii_string_to_unsigned(s, 10, 0, G_MAXUINT64, out, NULL)) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_CORRUPT, "%s: [%s] %s missing or not a number",
                          what, group, key);
        return false;
    }
    return true;
}


static bool
getI64(
    GKeyFile *kf, const char *group, const char *key, gint64 *out, const char *what, GError **error)
{
    g_autofree char *s = g_key_file_get_value(kf, group, key, NULL);

    if (!s || !g_ascii_string_to_signed(s, 10, G_MININT64, G_MAXINT64, out, NULL)) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_CORRUPT, "%s: [%s] %s missing or not a number",
                          what, group, key);
        return false;
    }
    return true;
}


static char *
getStr(GKeyFile *kf, const char *group, const char *key, const char *what, GError **error)
{
    char *s = g_key_file_get_string(kf, group, key, NULL);

    if (!s)
        cairnRepoSetError(error, CAIRN_REPO_ERROR_CORRUPT, "%s: [%s] %s missing", what, group, key);
    return s;
}


static void
getInfo(GKeyFile *kf, const char *group, GHashTable *info)
{
    g_auto(GStrv) keys = g_key_file_get_keys(kf, group, NULL, NULL);

    for (size_t i = 0; keys && keys[i]; i++) {
        char *v = g_key_file_get_string(kf, group, keys[i], NULL);

        if (v)
            g_hash_table_insert(info, g_strdup(keys[i]), v);
    }
}


static cairnRepoManifestDisk *
diskParse(GKeyFile *kf, const char *name, const char *what, GError **error)
{
    g_autofree char *group = g_strdup_printf("disk %s", name);
    g_autofree char *igroup = g_strdup_printf("disk-info %s", name);
    cairnRepoManifestDisk *d = g_new0(cairnRepoManifestDisk, 1);
    guint64 chunk_size = 0;

    d->name = g_strdup(name);
    d->info = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    if (!getU64(kf, group, "size", &d->size, what, error) ||
        !getU64(kf, group, "chunk-size", &chunk_size, what, error) ||
        !(d->mode = getStr(kf, group, "mode", what, error)) ||
        !getU64(kf, group, "chunks", &d->chunks, what, error) ||
        !getU64(kf, group, "chunks-zero", &d->chunks_zero, what, error) ||
        !getU64(kf, group, "chunks-put", &d->chunks_put, what, error) ||
        !getU64(kf, group, "chunks-new", &d->chunks_new, what, error) ||
        !getU64(kf, group, "bytes-put", &d->bytes_put, what, error) ||
        !getU64(kf, group, "bytes-new", &d->bytes_new, what, error) ||
        !getU64(kf, group, "bytes-stored", &d->bytes_stored, what, error)) {
        g_free(d->name);
        g_free(d->mode);
        g_hash_table_unref(d->info);
        g_free(d);
        return NULL;
    }
    d->chunk_size = (guint32)chunk_size;
    getInfo(kf, igroup, d->info);
    return d;
}


static void
manifestDiskFree(gpointer data)
{
    cairnRepoManifestDisk *d = data;

    g_free(d->name);
    g_free(d->mode);
    g_hash_table_unref(d->info);
    g_free(d);
}


cairnRepoManifest *
cairnRepoManifestNew(void)
{
    cairnRepoManifest *m = g_new0(cairnRepoManifest, 1);

    m->disks = g_ptr_array_new_with_free_func(manifestDiskFree);
    m->info = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    return m;
}


cairnRepoManifestDisk *
cairnRepoManifestDiskNew(const char *name)
{
    cairnRepoManifestDisk *d = g_new0(cairnRepoManifestDisk, 1);

    d->name = g_strdup(name);
    d->info = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    return d;
}


void
cairnRepoManifestFree(cairnRepoManifest *m)
{
    if (!m)
        return;
    g_free(m->id);
    g_free(m->domain);
    g_free(m->domain_xml);
    g_free(m->checkpoint);
    g_free(m->tool_version);
    g_ptr_array_unref(m->disks);
    g_hash_table_unref(m->info);
    g_free(m);
}


cairnRepoManifest *
cairnRepoManifestParse(const char *text, size_t len, const char *what, GError **error)
{
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autoptr(cairnRepoManifest) m = cairnRepoManifestNew();
    g_autoptr(GError) local = NULL;
    g_auto(GStrv) disks = NULL;

    if (!g_key_file_load_from_data(kf, text, len, G_KEY_FILE_NONE, &local)) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_CORRUPT, "%s: %s", what, local->message);
        return NULL;
    }
    if (!(m->id = getStr(kf, "snapshot", "id", what, error)) ||
        !(m->domain = getStr(kf, "snapshot", "domain", what, error)) ||
        !getI64(kf, "snapshot", "start-time", &m->start_time, what, error) ||
        !getI64(kf, "snapshot", "end-time", &m->end_time, what, error) ||
        !(m->tool_version = getStr(kf, "snapshot", "tool-version", what, error)) ||
        !getU64(kf, "snapshot", "bytes-new", &m->bytes_new, what, error) ||
        !getU64(kf, "snapshot", "bytes-stored", &m->bytes_stored, what, error) ||
        !(m->domain_xml = getStr(kf, "snapshot", "domain-xml", what, error)))
        return NULL;
    m->checkpoint = g_key_file_get_string(kf, "snapshot", "checkpoint", NULL);
    if (!(disks = g_key_file_get_string_list(kf, "snapshot", "disks", NULL, NULL)))
        disks = g_new0(char *, 1);
    for (size_t i = 0; disks[i]; i++) {
        cairnRepoManifestDisk *d;

        if (!cairnRepoCheckName("disk", disks[i], error) ||
            !(d = diskParse(kf, disks[i], what, error)))
            return NULL;
        g_ptr_array_add(m->disks, d);
    }
    getInfo(kf, "info", m->info);
    return g_steal_pointer(&m);
}
