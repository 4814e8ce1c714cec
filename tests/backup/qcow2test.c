/*
 * qcow2test.c: restore's qcow2 writer (tools/cairn-backup-qcow2.c) against
 * QEMU: images of odd sizes, of several L2 tables and refcount blocks, and
 * of nothing but zeros are written beside a raw file with the same data;
 * `qemu-img check` must find no error and no leak, `qemu-img compare`
 * no difference, `qemu-img info` the right size. A refcount and a data
 * byte changed on purpose must make check and compare fail, so that
 * these checks are known to catch a wrong image.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "cairn-backup-qcow2.h"

typedef struct {
    const char *name;
    guint64 size;
    guint32 unit;
    guint used_every; /* unit u used if u % used_every != 1 (0: none) */
    bool full_data;   /* every byte random, else markers in a few clusters */
    guint mark_every; /* markers only if u % mark_every == 0 (0: in all) */
    bool corrupt;     /* also the negative checks */
} cbCase;


/* Run @argv; its exit status, and its output in *@out. */
static int
run(const char *const *argv, char **out)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *o = NULL;
    g_autofree char *e = NULL;
    int status = 0;
    gint64 t0 = g_get_monotonic_time();

    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &o, &e, &status,
                      &err))
        g_error("cannot run %s: %s", argv[0], err->message);
    g_test_message("%s %s: %.2f s", argv[0], argv[1], (g_get_monotonic_time() - t0) / 1e6);
    if (!g_spawn_check_wait_status(status, NULL))
        g_printerr("%s %s: %s%s", argv[0], argv[1], o, e);
    if (out)
        *out = g_strconcat(o, e, NULL);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}


static bool
caseUsed(const cbCase *c, guint64 u)
{
    return c->used_every && u % c->used_every != 1;
}


/* Unit @u's data (@len bytes) into @buf. */
static void
caseFill(const cbCase *c, guint64 u, guint8 *buf, gsize len, GRand *rand)
{
    gsize i;

    memset(buf, 0, len);
    if (c->full_data) {
        for (i = 0; i < len; i++)
            buf[i] = (guint8)g_rand_int(rand);
        /* An all-zero cluster inside, when there is room. */
        if (len >= 3 * CB_QCOW2_CLUSTER)
            memset(buf + CB_QCOW2_CLUSTER, 0, CB_QCOW2_CLUSTER);
        return;
    }
    /* Markers naming the unit: at its start, in its last cluster, at a
     * place that moves with the unit; the rest stays zero. Units without
     * markers are used but all zero: holes in the qcow2 file. */
    if (c->mark_every && u % c->mark_every)
        return;
    for (i = 0; i < 3; i++) {
        gsize at = i == 0 ? 0 : i == 1 ? len - MIN(len, 16) : (u * 4099) % len;
        guint64 mark = GUINT64_TO_LE(u * 3 + i + 1);

        memcpy(buf + at, &mark, MIN(sizeof(mark), len - at));
    }
}


static void
pwriteAll(int fd, const guint8 *buf, gsize len, guint64 offset)
{
    while (len > 0) {
        ssize_t n = pwrite(fd, buf, len, offset);

        g_assert_cmpint(n, >, 0);
        buf += n;
        len -= n;
        offset += n;
    }
}


/* Change the 2 bytes at @offset of @path to @v (big-endian). */
static void
patch16(const char *path, guint64 offset, guint16 v)
{
    int fd = open(path, O_WRONLY);
    guint16 be = GUINT16_TO_BE(v);

    g_assert_cmpint(fd, >=, 0);
    pwriteAll(fd, (const guint8 *)&be, sizeof(be), offset);
    close(fd);
}


static guint64
read64(const char *path, guint64 offset)
{
    int fd = open(path, O_RDONLY);
    guint64 v = 0;

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(pread(fd, &v, sizeof(v), offset), ==, sizeof(v));
    close(fd);
    return GUINT64_FROM_BE(v);
}


/* A scratch directory: in memory when /dev/shm is there (the images are
 * sparse, so they take little of it, and no disk I/O slows the test). */
static char *
makeDir(GError **error)
{
    g_autofree char *tmpl = NULL;

    if (!g_file_test("/dev/shm", G_FILE_TEST_IS_DIR))
        return g_dir_make_tmp("cairn-qcow2-XXXXXX", error);
    tmpl = g_strdup("/dev/shm/cairn-qcow2-XXXXXX");
    if (!g_mkdtemp(tmpl)) {
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno), "mkdtemp failed");
        return NULL;
    }
    return g_steal_pointer(&tmpl);
}


static void
testCase(gconstpointer opaque)
{
    const cbCase *c = opaque;
    g_autoptr(GError) err = NULL;
    g_autoptr(cbQcow2) q = NULL;
    g_autoptr(GRand) rand = g_rand_new_with_seed(11);
    g_autofree char *dir = makeDir(&err);
    g_autofree char *raw = g_build_filename(dir, "disk.raw", NULL);
    g_autofree char *img = g_build_filename(dir, "disk.qcow2", NULL);
    g_autofree guint8 *used = NULL;
    g_autofree guint8 *buf = g_malloc(c->unit);
    g_autofree char *out = NULL;
    g_autofree char *size_field = NULL;
    guint64 n_units = (c->size + c->unit - 1) / c->unit;
    guint64 u;
    int fd;

    g_assert_no_error(err);
    used = g_malloc0(MAX(n_units, 1));
    for (u = 0; u < n_units; u++)
        used[u] = caseUsed(c, u);
    q = cbQcow2Create(img, c->size, c->unit, used, 2, &err);
    g_assert_no_error(err);
    g_assert_nonnull(q);
    fd = open(raw, O_WRONLY | O_CREAT | O_EXCL, 0644);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(ftruncate(fd, c->size), ==, 0);
    /* Backwards: the order of writes must not matter. */
    for (u = n_units; u-- > 0;) {
        gsize len = MIN((guint64)c->unit, c->size - u * c->unit);

        if (!used[u])
            continue;
        caseFill(c, u, buf, len, rand);
        if (!c->mark_every || u % c->mark_every == 0)
            pwriteAll(fd, buf, len, u * c->unit);
        g_assert_true(cbQcow2WriteUnit(q, u % 2, u, buf, len, &err));
        g_assert_no_error(err);
    }
    close(fd);
    /* A unit not marked used has no place. */
    for (u = 0; u < n_units; u++) {
        if (!used[u]) {
            g_assert_false(
                cbQcow2WriteUnit(q, 0, u, buf, MIN((guint64)c->unit, c->size - u * c->unit), &err));
            g_clear_error(&err);
            break;
        }
    }
    g_assert_true(cbQcow2Finish(q, &err));
    g_assert_no_error(err);

    {
        const char *check[] = { "qemu-img", "check", "-f", "qcow2", img, NULL };
        const char *cmp[] = { "qemu-img", "compare", "-f", "raw", "-F", "qcow2", raw, img, NULL };
        const char *info[] = { "qemu-img", "info", "--output=json", img, NULL };

        g_assert_cmpint(run(check, &out), ==, 0);
        g_assert_nonnull(strstr(out, "No errors were found"));
        g_clear_pointer(&out, g_free);
        g_assert_cmpint(run(cmp, &out), ==, 0);
        g_clear_pointer(&out, g_free);
        g_assert_cmpint(run(info, &out), ==, 0);
        size_field = g_strdup_printf("\"virtual-size\": %" G_GUINT64_FORMAT ",", c->size);
        g_assert_nonnull(strstr(out, size_field));
        g_clear_pointer(&out, g_free);

        /* More than 32768 clusters: a second refcount block is there. */
        if (c->size > 2ull << 30) {
            guint64 rt = read64(img, 48);

            g_assert_cmpuint(read64(img, rt + 8), !=, 0);
        }
        if (c->corrupt) {
            guint64 rt = read64(img, 48);
            guint64 rb = read64(img, rt);

            /* The header's cluster counted twice: an error for check. */
            patch16(img, rb, 2);
            g_assert_cmpint(run(check, &out), !=, 0);
            g_clear_pointer(&out, g_free);
            patch16(img, rb, 1);
            g_assert_cmpint(run(check, NULL), ==, 0);
            /* A byte of the first used unit's data changed: compare
             * must see it. */
            for (u = 0; u < n_units && !used[u]; u++)
                ;
            g_assert_cmpuint(u, <, n_units);
            {
                guint64 l1 = read64(img, 40);
                guint64 l2 = read64(img, l1 + (u * c->unit / (8192ull * 65536)) * 8);
                guint64 host;

                l2 &= ~(1ull << 63);
                host = read64(img, l2 + ((u * c->unit / 65536) % 8192) * 8) & ~(1ull << 63);
                patch16(img, host, 0xffff);
            }
            g_assert_cmpint(run(cmp, &out), !=, 0);
            g_clear_pointer(&out, g_free);
        }
    }
    g_unlink(raw);
    g_unlink(img);
    g_rmdir(dir);
}


int
main(int argc, char **argv)
{
    static const cbCase cases[] = {
        /* Not a multiple of the cluster or the unit (disks are of whole
         * 512-byte sectors: QEMU rounds any other size); every third unit
         * unused; random data with a zero cluster inside. */
        { "odd", 96ull * 1048576 + 12800, 4u * 1048576, 3, true, 0, true },
        /* Beyond one L2 table (512 MiB) and one refcount block (32768
         * clusters): 64 KiB units, all used (but one), markers in every
         * 64th, the others all zero (the files stay sparse). */
        { "large", 2048ull * 1048576 + 3 * 65536 + 7 * 512, 65536, 1000000, false, 64, false },
        /* Units of 16 MiB over several L2 tables, some unused. */
        { "wide", 600ull * 1048576, 16u * 1048576, 4, false, 0, true },
        /* Nothing but zeros: no L2 table, no data cluster. */
        { "empty", 1024ull * 1048576 + 512, 4u * 1048576, 0, false, 0, false },
        /* Less than one cluster. */
        { "tiny", 1536, 65536, 1000000, true, 0, false },
    };
    g_autofree char *qemu_img = g_find_program_in_path("qemu-img");
    guint i;

    g_test_init(&argc, &argv, NULL);
    if (!qemu_img) {
        g_printerr("qemu-img not found\n");
        return 77;
    }
    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *path = g_strdup_printf("/qcow2/%s", cases[i].name);

        g_test_add_data_func(path, &cases[i], testCase);
    }
    return g_test_run();
}
