/*
 * repo-crypto.c: key files, chunk digests and AES-256-GCM (OpenSSL 3 EVP).
 *
 * A key file is text (docs/repository.md):
 *   cairn-backup-key 1
 *   key <64 lower-case hex digits: the 32-byte master key>
 * Three keys are derived from the master key with HMAC-SHA256 over fixed
 * labels: the digest key (chunk digests are HMAC-SHA256 under it, so equal
 * plaintexts still deduplicate without the digest revealing the content),
 * the cipher key (AES-256-GCM), and the fingerprint recorded in the
 * repository's config, so a wrong key is refused before anything is read.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "repo-private.h"

#define KEYFILE_MAGIC "cairn-backup-key"
#define KEYFILE_VERSION 1

G_DEFINE_AUTOPTR_CLEANUP_FUNC(EVP_CIPHER_CTX, EVP_CIPHER_CTX_free)


static void
deriveKey(const guint8 *master, const char *label, guint8 *out)
{
    unsigned int len = CAIRN_REPO_KEY_LEN;

    HMAC(EVP_sha256(), master, CAIRN_REPO_KEY_LEN, (const guint8 *)label, strlen(label), out, &len);
}


bool
cairnRepoKeyGenerate(const char *keyfile, GError **error)
{
    guint8 key[CAIRN_REPO_KEY_LEN];
    char hex[CAIRN_REPO_DIGEST_HEX_LEN + 1];
    g_autofree char *text = NULL;
    size_t len;
    int fd;

    if (RAND_bytes(key, sizeof(key)) != 1) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_FAILED, "cannot generate a random key");
        return false;
    }
    cairnRepoDigestToHex(key, hex);
    text = g_strdup_printf(KEYFILE_MAGIC " %d\nkey %s\n", KEYFILE_VERSION, hex);
    len = strlen(text);
    OPENSSL_cleanse(key, sizeof(key));

    if ((fd = open(keyfile, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
        if (errno == EEXIST) {
            cairnRepoSetError(error, CAIRN_REPO_ERROR_EXISTS, "key file %s already exists",
                              keyfile);
        } else {
            cairnRepoSetErrno(error, errno, "cannot create key file %s", keyfile);
        }
        return false;
    }
    if (write(fd, text, len) != (ssize_t)len || fsync(fd) < 0) {
        int err = errno;

        close(fd);
        unlink(keyfile);
        cairnRepoSetErrno(error, err, "cannot write key file %s", keyfile);
        return false;
    }
    close(fd);
    OPENSSL_cleanse(text, len);
    return true;
}


static bool
parseHexKey(const char *hex, guint8 *out)
{
    if (strlen(hex) != 2 * CAIRN_REPO_KEY_LEN)
        return false;
    for (size_t i = 0; i < CAIRN_REPO_KEY_LEN; i++) {
        int hi = g_ascii_xdigit_value(hex[2 * i]);
        int lo = g_ascii_xdigit_value(hex[2 * i + 1]);

        if (hi < 0 || lo < 0)
            return false;
        out[i] = (guint8)(hi << 4 | lo);
    }
    return true;
}


bool
cairnRepoKeysLoad(const char *keyfile, cairnRepoKeys *ret_keys, GError **error)
{
    g_autofree char *text = NULL;
    g_autoptr(GError) local = NULL;
    g_auto(GStrv) lines = NULL;
    guint8 master[CAIRN_REPO_KEY_LEN];
    guint8 fp[CAIRN_REPO_KEY_LEN];
    char fphex[CAIRN_REPO_DIGEST_HEX_LEN + 1];
    gsize len;
    unsigned long version;
    char *end;

    if (!g_file_get_contents(keyfile, &text, &len, &local)) {
        if (g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
            cairnRepoSetError(error, CAIRN_REPO_ERROR_KEY, "key file %s does not exist", keyfile);
        } else {
            cairnRepoSetError(error, CAIRN_REPO_ERROR_KEY, "cannot read key file: %s",
                              local->message);
        }
        return false;
    }
    lines = g_strsplit(text, "\n", -1);
    if (!lines[0] || !g_str_has_prefix(lines[0], KEYFILE_MAGIC " ")) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_KEY, "%s is not a cairn-backup key file",
                          keyfile);
        return false;
    }
    version = strtoul(lines[0] + strlen(KEYFILE_MAGIC " "), &end, 10);
    if (*end != '\0' || version == 0) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_KEY, "%s is not a cairn-backup key file",
                          keyfile);
        return false;
    }
    if (version > KEYFILE_VERSION) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_VERSION,
                          "key file %s has format version %lu; this cairn-backup reads "
                          "version %d: upgrade cairn-backup",
                          keyfile, version, KEYFILE_VERSION);
        return false;
    }
    if (!lines[1] || !g_str_has_prefix(lines[1], "key ") || !parseHexKey(lines[1] + 4, master)) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_KEY,
                          "key file %s: the second line must be 'key' and 64 hex digits", keyfile);
        return false;
    }
    OPENSSL_cleanse(text, len);

    deriveKey(master, "cairn-backup digest key", ret_keys->digest_key);
    deriveKey(master, "cairn-backup cipher key", ret_keys->cipher_key);
    deriveKey(master, "cairn-backup key fingerprint", fp);
    OPENSSL_cleanse(master, sizeof(master));
    cairnRepoDigestToHex(fp, fphex);
    memcpy(ret_keys->fingerprint, fphex, 16);
    ret_keys->fingerprint[16] = '\0';
    return true;
}


void
cairnRepoDigestCompute(const cairnRepoKeys *keys, const void *data, size_t len, guint8 *ret_digest)
{
    unsigned int dlen = CAIRN_REPO_DIGEST_LEN;

    if (keys) {
        HMAC(EVP_sha256(), keys->digest_key, CAIRN_REPO_KEY_LEN, data, len, ret_digest, &dlen);
    } else {
        EVP_Digest(data, len, ret_digest, &dlen, EVP_sha256(), NULL);
    }
}


bool
cairnRepoEncrypt(const cairnRepoKeys *keys,
                 const guint8 *aad,
                 size_t aad_len,
                 const guint8 *in,
                 size_t len,
                 guint8 *out,
                 GError **error)
{
    g_autoptr(EVP_CIPHER_CTX) ctx = EVP_CIPHER_CTX_new();
    guint8 *nonce = out;
    guint8 *ct = out + CAIRN_REPO_NONCE_LEN;
    int n = 0;
    int fin = 0;

    if (!ctx || RAND_bytes(nonce, CAIRN_REPO_NONCE_LEN) != 1 ||
        EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, keys->cipher_key, nonce) != 1 ||
        EVP_EncryptUpdate(ctx, NULL, &n, aad, (int)aad_len) != 1 ||
        EVP_EncryptUpdate(ctx, ct, &n, in, (int)len) != 1 ||
        EVP_EncryptFinal_ex(ctx, ct + n, &fin) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, CAIRN_REPO_TAG_LEN, ct + len) != 1) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_FAILED, "AES-256-GCM encryption failed");
        return false;
    }
    return true;
}


bool
cairnRepoDecrypt(const cairnRepoKeys *keys,
                 const guint8 *aad,
                 size_t aad_len,
                 const guint8 *in,
                 size_t len,
                 guint8 *out,
                 const char *what,
                 GError **error)
{
    g_autoptr(EVP_CIPHER_CTX) ctx = NULL;
    size_t ct_len;
    int n = 0;
    int fin = 0;

    if (len < CAIRN_REPO_NONCE_LEN + CAIRN_REPO_TAG_LEN) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_CORRUPT, "%s: encrypted payload truncated", what);
        return false;
    }
    ct_len = len - CAIRN_REPO_NONCE_LEN - CAIRN_REPO_TAG_LEN;
    ctx = EVP_CIPHER_CTX_new();
    if (!ctx || EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, keys->cipher_key, in) != 1 ||
        EVP_DecryptUpdate(ctx, NULL, &n, aad, (int)aad_len) != 1 ||
        EVP_DecryptUpdate(ctx, out, &n, in + CAIRN_REPO_NONCE_LEN, (int)ct_len) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, CAIRN_REPO_TAG_LEN,
                            (void *)(in + CAIRN_REPO_NONCE_LEN + ct_len)) != 1) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_FAILED, "%s: AES-256-GCM decryption failed",
                          what);
        return false;
    }
    if (EVP_DecryptFinal_ex(ctx, out + n, &fin) != 1) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_CORRUPT,
                          "%s: authentication tag mismatch (damaged, or not written with this key)",
                          what);
        return false;
    }
    return true;
}
