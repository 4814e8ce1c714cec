/*
 * repo-store-local.c: the repository in a local directory.
 *
 * A key is a relative path under the directory. put writes a temp file
 * ".tmp-*" in the target's directory, then renames it over the key (or,
 * with no_replace, hard-links it to the key so an existing object wins,
 * and unlinks the temp name); with durable it fsyncs the file before and
 * the directory after. Without durable nothing is fsync'ed: sync() runs
 * syncfs(2) once for all of them, which costs far less than an fsync per
 * chunk (Proxmox Backup Server's "filesystem" sync level); each such file's
 * writeback is started at once (sync_file_range), so that syncfs has
 * little left to write. Temp files are
 * never listed and cleanup removes them.
 *
 * The lock is flock(2) on the file "lock": shared or exclusive, dropped by
 * the kernel when the holder dies.
 */
#define _GNU_SOURCE /* syncfs, sync_file_range */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "repo-private.h"

#define TMP_PREFIX ".tmp-"

typedef struct {
    cairnRepoStore parent;
    char *path;
    int dirfd;
    int lockfd;
} cairnRepoStoreLocal;


static cairnRepoStoreLocal *
storeLocal(cairnRepoStore *store)
{
    return (cairnRepoStoreLocal *)store;
}


static bool
writeAll(int fd, const guint8 *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return false;
        data += n;
        len -= (size_t)n;
    }
    return true;
}


/* mkdir -p of the directory part of @key, relative to dirfd. */
static bool
makeParents(cairnRepoStoreLocal *s, const char *key)
{
    g_autofree char *dir = g_path_get_dirname(key);
    g_autofree char *sofar = NULL;
    g_auto(GStrv) parts = NULL;

    if (g_str_equal(dir, "."))
        return true;
    parts = g_strsplit(dir, "/", -1);
    for (size_t i = 0; parts[i]; i++) {
        char *next = sofar ? g_strconcat(sofar, "/", parts[i], NULL) : g_strdup(parts[i]);

        g_free(sofar);
        sofar = next;
        if (mkdirat(s->dirfd, sofar, 0755) < 0 && errno != EEXIST)
            return false;
    }
    return true;
}


static bool
fsyncDirOf(cairnRepoStoreLocal *s, const char *key)
{
    g_autofree char *dir = g_path_get_dirname(key);
    int fd = openat(s->dirfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int saved;

    if (fd < 0)
        return false;
    if (fsync(fd) < 0) {
        saved = errno;
        close(fd);
        errno = saved;
        return false;
    }
    close(fd);
    return true;
}


/* Create a temp file beside @key; its name in *@ret_tmp. */
static int
openTemp(cairnRepoStoreLocal *s, const char *key, char **ret_tmp)
{
    g_autofree char *dir = g_path_get_dirname(key);

    for (int attempt = 0; attempt < 2; attempt++) {
        for (int i = 0; i < 100; i++) {
            g_autofree char *tmp =
                g_strdup_printf("%s/" TMP_PREFIX "%08x%08x", dir, g_random_int(), g_random_int());
            int fd = openat(s->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

            if (fd >= 0) {
                *ret_tmp = g_steal_pointer(&tmp);
                return fd;
            }
            if (errno != EEXIST)
                break;
        }
        if (errno != ENOENT || !makeParents(s, key))
            return -1;
    }
    return -1;
}


static bool
storeLocalPut(cairnRepoStore *store,
              const char *key,
              const struct iovec *iov,
              int iovcnt,
              bool no_replace,
              bool durable,
              bool *ret_created,
              GError **error)
{
    cairnRepoStoreLocal *s = storeLocal(store);
    g_autofree char *tmp = NULL;
    bool created = true;
    int fd;
    int err;

    if ((fd = openTemp(s, key, &tmp)) < 0) {
        cairnRepoSetErrno(error, errno, "cannot create a temp file for %s in %s", key, s->path);
        return false;
    }
    if ((err = cairnRepoHook("store-write")) != 0) {
        errno = err;
        goto fail;
    }
    for (int i = 0; i < iovcnt; i++) {
        if (!writeAll(fd, iov[i].iov_base, iov[i].iov_len))
            goto fail;
    }
    if (durable && fsync(fd) < 0)
        goto fail;
    /* Not durable: start the writeback now (asynchronously), so that the
     * sync() before the snapshot's index and manifest finds most of the
     * data on disk already instead of writing it all at the end. Only a
     * hint: its failure changes nothing. */
    if (!durable)
        sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
    if (close(fd) < 0) {
        fd = -1;
        goto fail;
    }
    fd = -1;

    if (no_replace) {
        if (linkat(s->dirfd, tmp, s->dirfd, key, 0) < 0) {
            if (errno != EEXIST)
                goto fail;
            created = false;
        }
        unlinkat(s->dirfd, tmp, 0);
    } else if (renameat(s->dirfd, tmp, s->dirfd, key) < 0) {
        goto fail;
    }
    if (durable && !fsyncDirOf(s, key)) {
        cairnRepoSetErrno(error, errno, "cannot sync the directory of %s in %s", key, s->path);
        return false;
    }
    if (ret_created)
        *ret_created = created;
    return true;

fail:
    err = errno;
    if (fd >= 0)
        close(fd);
    unlinkat(s->dirfd, tmp, 0);
    cairnRepoSetErrno(error, err, "cannot write %s in %s", key, s->path);
    return false;
}


/* read() @len bytes of @fd into @buf; the count read (short at the end
 * of the file), or -1 with errno set. */
static ssize_t
readFull(int fd, guint8 *buf, size_t len)
{
    size_t done = 0;

    while (done < len) {
        ssize_t n = read(fd, buf + done, len - done);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        done += (size_t)n;
    }
    return (ssize_t)done;
}


/* Open @key for reading, refusing a file larger than @max_len (CORRUPT);
 * its size in @ret_size. The descriptor, or -1 with @error set. */
static int
openBounded(
    cairnRepoStoreLocal *s, const char *key, size_t max_len, size_t *ret_size, GError **error)
{
    struct stat st;
    int fd = openat(s->dirfd, key, O_RDONLY | O_CLOEXEC);
    int err;

    if (fd < 0) {
        cairnRepoSetErrno(error, errno, "cannot open %s in %s", key, s->path);
        return -1;
    }
    if (fstat(fd, &st) < 0) {
        err = errno;
        close(fd);
        cairnRepoSetErrno(error, err, "cannot read %s in %s", key, s->path);
        return -1;
    }
    if ((guint64)st.st_size > max_len) {
        close(fd);
        cairnRepoSetError(error, CAIRN_REPO_ERROR_CORRUPT,
                          "%s in %s is too large (%lld bytes, at most %zu)", key, s->path,
                          (long long)st.st_size, max_len);
        return -1;
    }
    *ret_size = (size_t)st.st_size;
    return fd;
}


static bool
storeLocalGet(cairnRepoStore *store,
              const char *key,
              size_t max_len,
              guint8 **buf,
              size_t *cap,
              size_t *ret_len,
              GError **error)
{
    cairnRepoStoreLocal *s = storeLocal(store);
    size_t size;
    ssize_t n;
    int fd = openBounded(s, key, max_len, &size, error);
    int err;

    if (fd < 0)
        return false;
    if (*cap < size || !*buf) {
        *cap = MAX(size, 1);
        *buf = g_realloc(*buf, *cap);
    }
    if ((n = readFull(fd, *buf, size)) < 0) {
        err = errno;
        close(fd);
        cairnRepoSetErrno(error, err, "cannot read %s in %s", key, s->path);
        return false;
    }
    close(fd);
    *ret_len = (size_t)n;
    return true;
}


static bool
storeLocalGetParts(cairnRepoStore *store,
                   const char *key,
                   size_t max_len,
                   guint8 *head,
                   size_t head_len,
                   cairnRepoStorePlaceFunc place,
                   gpointer opaque,
                   size_t *ret_len,
                   GError **error)
{
    cairnRepoStoreLocal *s = storeLocal(store);
    size_t size;
    size_t first;
    ssize_t n;
    ssize_t m = 0;
    int fd = openBounded(s, key, max_len, &size, error);
    int err;

    if (fd < 0)
        return false;
    first = MIN(size, head_len);
    if ((n = readFull(fd, head, first)) < 0)
        goto fail;
    if ((size_t)n == first && size > first &&
        (m = readFull(fd, place(head, first, size - first, opaque), size - first)) < 0)
        goto fail;
    close(fd);
    *ret_len = (size_t)n + (size_t)m;
    return true;

fail:
    err = errno;
    close(fd);
    cairnRepoSetErrno(error, err, "cannot read %s in %s", key, s->path);
    return false;
}


static int
storeLocalExists(cairnRepoStore *store, const char *key, guint64 *ret_size, GError **error)
{
    cairnRepoStoreLocal *s = storeLocal(store);
    struct stat st;

    if (fstatat(s->dirfd, key, &st, 0) < 0) {
        if (errno == ENOENT)
            return 0;
        cairnRepoSetErrno(error, errno, "cannot look up %s in %s", key, s->path);
        return -1;
    }
    if (ret_size)
        *ret_size = (guint64)st.st_size;
    return 1;
}


/* Walk directory @rel (relative to dirfd, "" for the top), calling
 * @func for every regular file not named .tmp-*, or for temp files only
 * when @temps. */
static bool
walk(cairnRepoStoreLocal *s,
     const char *rel,
     bool temps,
     cairnRepoStoreListFunc func,
     gpointer opaque,
     GError **error)
{
    int fd = openat(s->dirfd, *rel ? rel : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *dir;
    struct dirent *ent;
    bool ok = true;

    if (fd < 0) {
        if (errno == ENOENT)
            return true;
        cairnRepoSetErrno(error, errno, "cannot open directory %s in %s", rel, s->path);
        return false;
    }
    if (!(dir = fdopendir(fd))) {
        close(fd);
        cairnRepoSetErrno(error, errno, "cannot read directory %s in %s", rel, s->path);
        return false;
    }
    while (ok && (ent = readdir(dir))) {
        g_autofree char *key = NULL;
        struct stat st;

        if (g_str_equal(ent->d_name, ".") || g_str_equal(ent->d_name, ".."))
            continue;
        key = *rel ? g_strconcat(rel, "/", ent->d_name, NULL) : g_strdup(ent->d_name);
        if (fstatat(s->dirfd, key, &st, AT_SYMLINK_NOFOLLOW) < 0) {
            if (errno == ENOENT)
                continue;
            cairnRepoSetErrno(error, errno, "cannot look up %s in %s", key, s->path);
            ok = false;
            break;
        }
        if (S_ISDIR(st.st_mode)) {
            ok = walk(s, key, temps, func, opaque, error);
            continue;
        }
        if (!S_ISREG(st.st_mode))
            continue;
        if (g_str_has_prefix(ent->d_name, TMP_PREFIX) != temps)
            continue;
        ok = func(key, (guint64)st.st_size, (gint64)st.st_mtime, opaque, error);
    }
    closedir(dir);
    return ok;
}


static bool
storeLocalList(cairnRepoStore *store,
               const char *prefix,
               cairnRepoStoreListFunc func,
               gpointer opaque,
               GError **error)
{
    g_autofree char *rel = g_strdup(prefix);
    size_t len = strlen(rel);

    if (len > 0 && rel[len - 1] == '/')
        rel[len - 1] = '\0';
    return walk(storeLocal(store), rel, false, func, opaque, error);
}


static bool
storeLocalRemove(cairnRepoStore *store, const char *key, GError **error)
{
    cairnRepoStoreLocal *s = storeLocal(store);
    g_autofree char *dir = g_path_get_dirname(key);

    if (unlinkat(s->dirfd, key, 0) < 0 && errno != ENOENT) {
        cairnRepoSetErrno(error, errno, "cannot remove %s in %s", key, s->path);
        return false;
    }
    /* A snapshot directory goes with its last file; fan-out directories
     * of chunks are recreated by put when needed. */
    if (g_str_has_prefix(dir, "snapshots/"))
        unlinkat(s->dirfd, dir, AT_REMOVEDIR);
    return true;
}


static bool
storeLocalSync(cairnRepoStore *store, GError **error)
{
    cairnRepoStoreLocal *s = storeLocal(store);
    int err;

    if ((err = cairnRepoHook("store-sync")) != 0) {
        cairnRepoSetErrno(error, err, "cannot flush %s to disk", s->path);
        return false;
    }
    if (syncfs(s->dirfd) < 0) {
        cairnRepoSetErrno(error, errno, "cannot flush %s to disk", s->path);
        return false;
    }
    return true;
}


static bool
storeLocalLock(cairnRepoStore *store, cairnRepoLockMode mode, GError **error)
{
    cairnRepoStoreLocal *s = storeLocal(store);
    int op = (mode == CAIRN_REPO_LOCK_EXCLUSIVE ? LOCK_EX : LOCK_SH) | LOCK_NB;

    if (s->lockfd < 0 &&
        (s->lockfd = openat(s->dirfd, "lock", O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0) {
        cairnRepoSetErrno(error, errno, "cannot open the lock file of %s", s->path);
        return false;
    }
    while (flock(s->lockfd, op) < 0) {
        if (errno == EINTR)
            continue;
        if (errno == EWOULDBLOCK) {
            cairnRepoSetError(error, CAIRN_REPO_ERROR_LOCKED, "repository %s is locked %s", s->path,
                              mode == CAIRN_REPO_LOCK_EXCLUSIVE ?
                                  "by another process using it" :
                                  "exclusively by another process (gc)");
            return false;
        }
        cairnRepoSetErrno(error, errno, "cannot lock %s", s->path);
        return false;
    }
    return true;
}


typedef struct {
    cairnRepoStoreLocal *s;
    bool dry_run;
    guint64 count;
} cleanupData;


static bool
cleanupOne(const char *key, guint64 size, gint64 mtime, gpointer opaque, GError **error)
{
    cleanupData *data = opaque;

    data->count++;
    if (!data->dry_run && unlinkat(data->s->dirfd, key, 0) < 0 && errno != ENOENT) {
        cairnRepoSetErrno(error, errno, "cannot remove %s in %s", key, data->s->path);
        return false;
    }
    return true;
}


static bool
storeLocalCleanup(cairnRepoStore *store, bool dry_run, guint64 *ret_count, GError **error)
{
    cleanupData data = { storeLocal(store), dry_run, 0 };

    if (!walk(data.s, "", true, cleanupOne, &data, error))
        return false;
    *ret_count = data.count;
    return true;
}


static void
storeLocalFree(cairnRepoStore *store)
{
    cairnRepoStoreLocal *s = storeLocal(store);

    if (s->lockfd >= 0)
        close(s->lockfd);
    if (s->dirfd >= 0)
        close(s->dirfd);
    g_free(s->path);
    g_free(s);
}


static bool
storeLocalRemoveMany(cairnRepoStore *store, const char *const *keys, guint n, GError **error)
{
    for (guint i = 0; i < n; i++) {
        if (!storeLocalRemove(store, keys[i], error))
            return false;
    }
    return true;
}


static const cairnRepoStoreDriver storeLocalDriver = {
    .name = "local",
    .put = storeLocalPut,
    .get = storeLocalGet,
    .get_parts = storeLocalGetParts,
    .exists = storeLocalExists,
    .list = storeLocalList,
    .remove = storeLocalRemove,
    .remove_many = storeLocalRemoveMany,
    .sync = storeLocalSync,
    .lock = storeLocalLock,
    .cleanup = storeLocalCleanup,
    .free = storeLocalFree,
};


cairnRepoStore *
cairnRepoStoreLocalOpen(const char *path, GError **error)
{
    cairnRepoStoreLocal *s;
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd < 0) {
        if (errno == ENOENT) {
            cairnRepoSetError(error, CAIRN_REPO_ERROR_NOT_FOUND, "repository %s does not exist",
                              path);
        } else if (errno == ENOTDIR) {
            cairnRepoSetError(error, CAIRN_REPO_ERROR_NOT_A_REPO,
                              "%s is not a cairn-backup repository (not a directory)", path);
        } else {
            cairnRepoSetErrno(error, errno, "cannot open repository %s", path);
        }
        return NULL;
    }
    s = g_new0(cairnRepoStoreLocal, 1);
    s->parent.driver = &storeLocalDriver;
    s->path = g_strdup(path);
    s->dirfd = fd;
    s->lockfd = -1;
    return &s->parent;
}


cairnRepoStore *
cairnRepoStoreOpen(const char *path, GError **error)
{
    if (cairnRepoPathIsS3(path))
        return cairnRepoStoreS3Open(path, error);
    return cairnRepoStoreLocalOpen(path, error);
}


void
cairnRepoStoreFree(cairnRepoStore *store)
{
    if (store)
        store->driver->free(store);
}
