/*
 * cairn-backup-files.c: `cairn-backup ls` and `cat`: files of an ext2/3/4
 * filesystem on a snapshot's disk, read with libext2fs straight from the
 * repository (no mount, no root, no NBD). libext2fs reads through an
 * io_manager of ours whose reads are cairnRepoReadRange() calls, so every
 * chunk is checked against its digest; a damaged chunk is an error naming
 * it, never wrong bytes. The filesystem must fill the disk (no partition
 * table); the journal is not replayed (a snapshot of a running guest shows
 * the state its last commit left on disk).
 */
#include <errno.h>
#include <ext2fs/ext2fs.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cairn-backup-files.h"
#include "repo.h"

/* What the io_manager reads: set while a filesystem is open (libext2fs
 * gives the manager only a name). cairn-backup is single-threaded here. */
typedef struct {
    cairnRepo *repo;
    cairnRepoIndex *index;
    GError *error; /* the first read error, for the message */
} cbFsSource;

static cbFsSource *fs_source;

static struct struct_io_manager cb_io_manager;


static errcode_t
cbIoOpen(const char *name, int flags, io_channel *ret_channel)
{
    io_channel ch;

    if (!fs_source || (flags & IO_FLAG_RW))
        return EXT2_ET_BAD_DEVICE_NAME;
    ch = g_new0(struct struct_io_channel, 1);
    ch->magic = EXT2_ET_MAGIC_IO_CHANNEL;
    ch->manager = &cb_io_manager;
    ch->name = g_strdup(name);
    ch->block_size = 1024;
    ch->refcount = 1;
    ch->private_data = fs_source;
    *ret_channel = ch;
    return 0;
}


static errcode_t
cbIoClose(io_channel ch)
{
    if (--ch->refcount > 0)
        return 0;
    g_free(ch->name);
    g_free(ch);
    return 0;
}


static errcode_t
cbIoSetBlksize(io_channel ch, int blksize)
{
    ch->block_size = blksize;
    return 0;
}


static errcode_t
cbIoRead64(io_channel ch, unsigned long long block, int count, void *data)
{
    cbFsSource *src = ch->private_data;
    guint64 offset = block * (guint64)ch->block_size;
    size_t len = count < 0 ? (size_t)-count : (size_t)count * ch->block_size;
    guint64 size = cairnRepoIndexGetDiskSize(src->index);
    g_autoptr(GError) error = NULL;

    if (offset >= size || len > size - offset) {
        memset(data, 0, len);
        return EXT2_ET_SHORT_READ;
    }
    if (!cairnRepoReadRange(src->repo, src->index, offset, len, data, &error)) {
        if (!src->error)
            src->error = g_steal_pointer(&error);
        return EIO;
    }
    return 0;
}


static errcode_t
cbIoRead(io_channel ch, unsigned long block, int count, void *data)
{
    return cbIoRead64(ch, block, count, data);
}


static errcode_t
cbIoWrite(io_channel ch G_GNUC_UNUSED,
          unsigned long block G_GNUC_UNUSED,
          int count G_GNUC_UNUSED,
          const void *data G_GNUC_UNUSED)
{
    return EXT2_ET_RO_FILSYS;
}


static errcode_t
cbIoWrite64(io_channel ch G_GNUC_UNUSED,
            unsigned long long block G_GNUC_UNUSED,
            int count G_GNUC_UNUSED,
            const void *data G_GNUC_UNUSED)
{
    return EXT2_ET_RO_FILSYS;
}


static errcode_t
cbIoFlush(io_channel ch G_GNUC_UNUSED)
{
    return 0;
}


static errcode_t
cbIoSetOption(io_channel ch G_GNUC_UNUSED,
              const char *option G_GNUC_UNUSED,
              const char *arg G_GNUC_UNUSED)
{
    return EXT2_ET_INVALID_ARGUMENT;
}


static struct struct_io_manager cb_io_manager = {
    .magic = EXT2_ET_MAGIC_IO_MANAGER,
    .name = "cairn repository",
    .open = cbIoOpen,
    .close = cbIoClose,
    .set_blksize = cbIoSetBlksize,
    .read_blk = cbIoRead,
    .write_blk = cbIoWrite,
    .flush = cbIoFlush,
    .set_option = cbIoSetOption,
    .read_blk64 = cbIoRead64,
    .write_blk64 = cbIoWrite64,
};


/* Set @error for libext2fs error @err while doing @what: the repository's
 * own error when a read failed, else com_err's message. */
static void
cbFsSetError(GError **error, cbFsSource *src, errcode_t err, const char *what)
{
    if (src->error) {
        cbSetError(error, "%s: %s", what, src->error->message);
        g_clear_error(&src->error);
        return;
    }
    cbSetError(error, "%s: %s", what, error_message(err));
}


typedef struct {
    cbFsSource src;
    cairnRepo *repo;
    ext2_filsys fs;
} cbFs;


static void
cbFsClose(cbFs *f)
{
    if (f->fs)
        ext2fs_close_free(&f->fs);
    fs_source = NULL;
    g_clear_error(&f->src.error);
    cairnRepoIndexFree(f->src.index);
    cairnRepoFree(f->repo);
}


/* Open the filesystem on disk --disk (vda) of snapshot args[1]. */
static bool
cbFsOpen(const cbOptions *opts, cbFs *f, GError **error)
{
    const char *disk = opts->disks ? opts->disks : "vda";
    g_autoptr(cairnRepoManifest) m = NULL;
    g_autofree char *what = NULL;
    errcode_t err;

    memset(f, 0, sizeof(*f));
    if (!(f->repo = cairnRepoOpen(opts->args[0], opts->key, CAIRN_REPO_LOCK_SHARED, error)) ||
        !(m = cairnRepoLoadManifest(f->repo, opts->args[1], error)))
        return false;
    if (!cairnRepoManifestFindDisk(m, disk)) {
        cbSetError(error, "snapshot '%s' has no disk '%s'", opts->args[1], disk);
        return false;
    }
    if (!(f->src.index = cairnRepoLoadIndex(f->repo, opts->args[1], disk, error)))
        return false;
    f->src.repo = f->repo;
    fs_source = &f->src;
    what = g_strdup_printf("snapshot '%s', disk '%s': no ext2/3/4 filesystem", opts->args[1], disk);
    err = ext2fs_open2(disk, NULL, EXT2_FLAG_64BITS | EXT2_FLAG_IGNORE_CSUM_ERRORS, 0, 0,
                       &cb_io_manager, &f->fs);
    if (err) {
        f->fs = NULL;
        cbFsSetError(error, &f->src, err, what);
        return false;
    }
    return true;
}


/* The inode of @path (absolute or relative to /), symlinks followed. */
static bool
cbFsLookup(cbFs *f, const char *path, ext2_ino_t *ret_ino, GError **error)
{
    g_autofree char *what = g_strdup_printf("'%s'", path);
    ext2_ino_t ino;
    errcode_t err;

    while (*path == '/')
        path++;
    if (!*path) {
        *ret_ino = EXT2_ROOT_INO;
        return true;
    }
    if ((err = ext2fs_namei_follow(f->fs, EXT2_ROOT_INO, EXT2_ROOT_INO, path, &ino))) {
        cbFsSetError(error, &f->src, err, what);
        return false;
    }
    *ret_ino = ino;
    return true;
}


static int
cbLsEntry(struct ext2_dir_entry *dirent,
          int offset G_GNUC_UNUSED,
          int blocksize G_GNUC_UNUSED,
          char *buf G_GNUC_UNUSED,
          void *opaque)
{
    GPtrArray *names = opaque;
    int len = ext2fs_dirent_name_len(dirent);
    int type = ext2fs_dirent_file_type(dirent);
    g_autofree char *name = g_strndup(dirent->name, len);

    if (g_str_equal(name, ".") || g_str_equal(name, ".."))
        return 0;
    g_ptr_array_add(names,
                    type == EXT2_FT_DIR ? g_strconcat(name, "/", NULL) : g_steal_pointer(&name));
    return 0;
}


static gint
cbCompareNames(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}


bool
cbCmdLs(const cbOptions *opts, GError **error)
{
    const char *path = opts->nargs > 2 ? opts->args[2] : "/";
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *what = g_strdup_printf("'%s'", path);
    struct ext2_inode inode;
    ext2_ino_t ino;
    errcode_t err;
    cbFs f;
    bool ok = false;
    guint i;

    if (!cbFsOpen(opts, &f, error))
        goto out;
    if (!cbFsLookup(&f, path, &ino, error))
        goto out;
    if ((err = ext2fs_read_inode(f.fs, ino, &inode))) {
        cbFsSetError(error, &f.src, err, what);
        goto out;
    }
    if (!LINUX_S_ISDIR(inode.i_mode)) {
        printf("%s\n", path);
        ok = true;
        goto out;
    }
    if ((err = ext2fs_dir_iterate(f.fs, ino, 0, NULL, cbLsEntry, names))) {
        cbFsSetError(error, &f.src, err, what);
        goto out;
    }
    g_ptr_array_sort(names, cbCompareNames);
    for (i = 0; i < names->len; i++)
        printf("%s\n", (const char *)g_ptr_array_index(names, i));
    ok = true;
out:
    cbFsClose(&f);
    return ok;
}


bool
cbCmdCat(const cbOptions *opts, GError **error)
{
    const char *path = opts->args[2];
    g_autofree char *what = g_strdup_printf("'%s'", path);
    g_autofree char *buf = g_malloc(1 << 20);
    ext2_file_t file = NULL;
    struct ext2_inode inode;
    ext2_ino_t ino;
    errcode_t err;
    cbFs f;
    bool ok = false;

    if (!cbFsOpen(opts, &f, error) || !cbFsLookup(&f, path, &ino, error))
        goto out;
    if ((err = ext2fs_read_inode(f.fs, ino, &inode))) {
        cbFsSetError(error, &f.src, err, what);
        goto out;
    }
    if (!LINUX_S_ISREG(inode.i_mode)) {
        cbSetError(error, "'%s' is not a regular file", path);
        goto out;
    }
    if ((err = ext2fs_file_open(f.fs, ino, 0, &file))) {
        cbFsSetError(error, &f.src, err, what);
        goto out;
    }
    for (;;) {
        unsigned int got = 0;

        if ((err = ext2fs_file_read(file, buf, 1 << 20, &got))) {
            cbFsSetError(error, &f.src, err, what);
            goto out;
        }
        if (got == 0)
            break;
        if (fwrite(buf, 1, got, stdout) != got) {
            cbSetErrno(error, errno, "cannot write to standard output");
            goto out;
        }
    }
    if (fflush(stdout) != 0) {
        cbSetErrno(error, errno, "cannot write to standard output");
        goto out;
    }
    ok = true;
out:
    if (file)
        ext2fs_file_close(file);
    cbFsClose(&f);
    return ok;
}
