/*
 * nbdkit-cairn-plugin.c: an nbdkit plugin serving one disk of a
 * cairn-backup snapshot, read-only, straight from the repository.
 *
 *   nbdkit --readonly ./nbdkit-cairn-plugin.so repo=DIR snapshot=ID disk=vda [key=FILE]
 *          [cache=SIZE] [readahead=N]
 *
 * `cairn-backup serve` runs it (cairn-backup-serve.c). Every read goes
 * through one chunk cache shared by nbdkit's threads
 * (cairnRepoChunkCacheRead(), at most cache=SIZE bytes, 64M by default),
 * which decrypts, decompresses and checks the digest of each chunk once
 * however many requests cover it: a damaged or missing chunk fails every
 * request touching it with EIO and is logged with the chunk's name; no
 * data is ever handed on unverified. A reader of consecutive pieces of
 * chunks (QEMU's block-stream, 512 KiB at a time) finds the next
 * readahead=N chunks (2 by default) decoded ahead by a thread of the
 * cache's own. The preferred block size is the chunk size. Block status reports the all-zero chunks
 * (never stored) as holes that read as zeros. The export never changes,
 * so every connection sees the same data (multi-conn) and requests run in
 * parallel (the repository's read functions are thread-safe).
 */
#define NBDKIT_API_VERSION 2
#include <errno.h>
#include <inttypes.h>
#include <nbdkit-plugin.h>
#include <stdbool.h>
#include <string.h>

#include "repo.h"

#define THREAD_MODEL NBDKIT_THREAD_MODEL_PARALLEL

static char *repo_path;
static char *snapshot_id;
static char *disk_name;
static char *key_path;
static int64_t cache_bytes = 64 * 1024 * 1024;
static unsigned readahead = 2;

static cairnRepo *repo;
static cairnRepoIndex *disk_index;
static cairnRepoChunkCache *cache;

/* A handle is not needed: every connection serves the same disk. */
static int handle_token;


static void
cairnPluginUnload(void)
{
    if (cache)
        nbdkit_debug("%" G_GUINT64_FORMAT " chunks decoded ahead of sequential readers",
                     cairnRepoChunkCacheGetReadaheadCount(cache));
    cairnRepoChunkCacheFree(cache);
    cairnRepoIndexFree(disk_index);
    cairnRepoFree(repo);
    g_free(repo_path);
    g_free(snapshot_id);
    g_free(disk_name);
    g_free(key_path);
}


static int
cairnPluginConfig(const char *key, const char *value)
{
    char **slot = NULL;

    if (strcmp(key, "cache") == 0) {
        if ((cache_bytes = nbdkit_parse_size(value)) == -1)
            return -1;
        return 0;
    }
    if (strcmp(key, "readahead") == 0)
        return nbdkit_parse_unsigned("readahead", value, &readahead);
    if (strcmp(key, "repo") == 0)
        slot = &repo_path;
    else if (strcmp(key, "snapshot") == 0)
        slot = &snapshot_id;
    else if (strcmp(key, "disk") == 0)
        slot = &disk_name;
    else if (strcmp(key, "key") == 0)
        slot = &key_path;
    if (!slot) {
        nbdkit_error("unknown parameter '%s' (repo, snapshot, disk, key, cache, readahead)", key);
        return -1;
    }
    if (*slot) {
        nbdkit_error("parameter '%s' given twice", key);
        return -1;
    }
    if ((slot == &repo_path && !strstr(value, "://")) || slot == &key_path) {
        /* nbdkit_realpath() makes it absolute: nbdkit may chdir("/"). A
         * URL (an s3:// repository) is kept as it is. */
        char *abs = nbdkit_realpath(value);

        if (!abs)
            return -1;
        *slot = g_strdup(abs);
        free(abs);
    } else {
        *slot = g_strdup(value);
    }
    return 0;
}


static int
cairnPluginConfigComplete(void)
{
    if (!repo_path || !snapshot_id || !disk_name) {
        nbdkit_error("repo=DIR, snapshot=ID and disk=NAME are required");
        return -1;
    }
    return 0;
}


/* Open the repository (shared lock, held for the server's life) and load
 * the disk's index. After the fork, so the lock belongs to the process
 * that serves. */
static int
cairnPluginAfterFork(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(cairnRepo) r = NULL;
    g_autoptr(cairnRepoManifest) manifest = NULL;

    if (!(r = cairnRepoOpen(repo_path, key_path, CAIRN_REPO_LOCK_SHARED, &error)) ||
        !(manifest = cairnRepoLoadManifest(r, snapshot_id, &error))) {
        nbdkit_error("%s", error->message);
        return -1;
    }
    if (!cairnRepoManifestFindDisk(manifest, disk_name)) {
        nbdkit_error("snapshot %s has no disk %s", snapshot_id, disk_name);
        return -1;
    }
    if (!(disk_index = cairnRepoLoadIndex(r, snapshot_id, disk_name, &error))) {
        nbdkit_error("%s", error->message);
        return -1;
    }
    repo = g_steal_pointer(&r);
    cache = cairnRepoChunkCacheNew(
        repo, disk_index,
        (guint)MIN(cache_bytes / cairnRepoIndexGetChunkSize(disk_index), G_MAXUINT));
    cairnRepoChunkCacheSetReadahead(cache, readahead);
    nbdkit_debug("serving snapshot %s disk %s: %" G_GUINT64_FORMAT " bytes", snapshot_id, disk_name,
                 cairnRepoIndexGetDiskSize(disk_index));
    return 0;
}


static void *
cairnPluginOpen(int readonly G_GNUC_UNUSED)
{
    return &handle_token;
}


static int64_t
cairnPluginGetSize(void *handle G_GNUC_UNUSED)
{
    return (int64_t)cairnRepoIndexGetDiskSize(disk_index);
}


static int
cairnPluginCanWrite(void *handle G_GNUC_UNUSED)
{
    return 0;
}


static int
cairnPluginCanMultiConn(void *handle G_GNUC_UNUSED)
{
    return 1;
}


static int
cairnPluginCanExtents(void *handle G_GNUC_UNUSED)
{
    return 1;
}


static int
cairnPluginCanCache(void *handle G_GNUC_UNUSED)
{
    return NBDKIT_CACHE_NONE;
}


static int
cairnPluginPread(void *handle G_GNUC_UNUSED,
                 void *buf,
                 uint32_t count,
                 uint64_t offset,
                 uint32_t flags G_GNUC_UNUSED)
{
    g_autoptr(GError) error = NULL;

    if (!cairnRepoChunkCacheRead(cache, offset, count, buf, &error)) {
        nbdkit_error("read of %" PRIu32 " bytes at %" PRIu64 ": %s", count, offset, error->message);
        nbdkit_set_error(EIO);
        return -1;
    }
    return 0;
}


/* Requests of a whole chunk decode it once, straight into the reply. */
static int
cairnPluginBlockSize(void *handle G_GNUC_UNUSED,
                     uint32_t *minimum,
                     uint32_t *preferred,
                     uint32_t *maximum)
{
    uint32_t csize = cairnRepoIndexGetChunkSize(disk_index);
    uint32_t p = 512;

    /* The largest power of two within a chunk, from 512 to 32M (the
     * protocol's bounds). */
    while (p * 2 <= csize && p < 32 * 1024 * 1024)
        p <<= 1;
    *minimum = 1;
    *preferred = p;
    *maximum = 0xffffffff;
    return 0;
}


/* One extent per run of chunks of the same kind: stored (data) or zero
 * (a hole reading as zeros). */
static int
cairnPluginExtents(void *handle G_GNUC_UNUSED,
                   uint32_t count,
                   uint64_t offset,
                   uint32_t flags,
                   struct nbdkit_extents *extents)
{
    guint64 size = cairnRepoIndexGetDiskSize(disk_index);
    guint64 csize = cairnRepoIndexGetChunkSize(disk_index);
    guint64 end = MIN(size, offset + count);
    guint64 c = offset / csize;
    guint64 start = c * csize;

    while (start < end) {
        bool zero = cairnRepoDigestIsZero(cairnRepoIndexGetDigest(disk_index, c));
        guint64 stop = start;
        guint64 n = c;

        while (stop < size &&
               cairnRepoDigestIsZero(cairnRepoIndexGetDigest(disk_index, n)) == zero) {
            stop += cairnRepoIndexGetChunkLength(disk_index, n);
            n++;
            if (stop >= end)
                break;
        }
        if (nbdkit_add_extent(extents, start, stop - start,
                              zero ? NBDKIT_EXTENT_HOLE | NBDKIT_EXTENT_ZERO : 0) == -1)
            return -1;
        if (flags & NBDKIT_FLAG_REQ_ONE)
            break;
        start = stop;
        c = n;
    }
    return 0;
}


static struct nbdkit_plugin plugin = {
    .name = "cairn",
    .longname = "cairn-backup snapshot disk",
    .version = CAIRN_PLUGIN_VERSION,
    .description = "serve one disk of a cairn-backup snapshot, read-only",
    .config_help = "repo=DIR          the repository (required)\n"
                   "snapshot=ID       the snapshot (required)\n"
                   "disk=NAME         the disk, e.g. vda (required)\n"
                   "key=FILE          key file of an encrypted repository\n"
                   "cache=SIZE        memory for decoded chunks (default 64M)\n"
                   "readahead=N       chunks decoded ahead of a sequential reader (default 2)",
    .magic_config_key = NULL,
    .unload = cairnPluginUnload,
    .config = cairnPluginConfig,
    .config_complete = cairnPluginConfigComplete,
    .after_fork = cairnPluginAfterFork,
    .open = cairnPluginOpen,
    .get_size = cairnPluginGetSize,
    .can_write = cairnPluginCanWrite,
    .can_multi_conn = cairnPluginCanMultiConn,
    .can_extents = cairnPluginCanExtents,
    .can_cache = cairnPluginCanCache,
    .block_size = cairnPluginBlockSize,
    .pread = cairnPluginPread,
    .extents = cairnPluginExtents,
};

/* The entry point the macro below defines (nbdkit looks it up by name). */
struct nbdkit_plugin *plugin_init(void);

NBDKIT_REGISTER_PLUGIN(plugin)
