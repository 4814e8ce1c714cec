/*
 * repo-chunk-bench.c: throughput of the repository library's chunk path
 * (src/repo/): cairnRepoWriterPutChunk() from 1 and 2 threads at zstd
 * levels 1 and 3, then reading every chunk back, on the data mix
 * (a third random, a third text-like, a third 64 KiB blocks drawn from a
 * small random pool), in a fresh repository each time.
 *
 *   build/bench/repo-chunk-bench [-m MIB] [-d DIR] [-e]
 *
 * -m: data size in MiB (default 384, a multiple of 12), -d: where the
 * repositories go (default: a temp directory), -e: encrypted repositories.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "repo-private.h"

#define CS CAIRN_REPO_CHUNK_SIZE

typedef struct {
    cairnRepoWriter *w;
    const guint8 *data;
    guint64 first;
    guint64 step;
    guint64 count;
} job;


static guint32
xorshift(guint32 *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 17;
    *x ^= *x << 5;
    return *x;
}


static guint8 *
makeData(guint64 len)
{
    static const char *const words[] = { "the ",   "backup ", "of ",     "a ",   "disk ",
                                         "image ", "is ",     "stored ", "in ",  "chunks,\n",
                                         "qemu ",  "writes ", "data ",   "and ", "reads " };
    guint8 *data = g_malloc(len);
    guint64 third = len / 3;
    guint64 poolLen = 16 * 1024 * 1024;
    guint32 x = 2463534242u;
    guint64 i;

    for (i = 0; i < third; i++)
        data[i] = (guint8)(xorshift(&x) >> 5);
    while (i < 2 * third) {
        const char *w = words[xorshift(&x) % G_N_ELEMENTS(words)];
        size_t n = MIN(strlen(w), 2 * third - i);

        memcpy(data + i, w, n);
        i += n;
    }
    /* 64 KiB blocks drawn from the first 16 MiB (random) */
    for (; i < len; i += 65536) {
        guint64 from = (xorshift(&x) % (poolLen / 65536)) * 65536;

        memcpy(data + i, data + from, MIN(65536, len - i));
    }
    return data;
}


/* CPU seconds this process used so far (all threads). */
static double
cpuSeconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}


static gpointer
putThread(gpointer opaque)
{
    job *j = opaque;
    g_autoptr(GError) err = NULL;

    for (guint64 c = j->first; c < j->count; c += j->step) {
        if (!cairnRepoWriterPutChunk(j->w, "vda", c, j->data + c * CS, CS, &err)) {
            fprintf(stderr, "put: %s\n", err->message);
            exit(1);
        }
    }
    return NULL;
}


typedef struct {
    cairnRepo *repo;
    const cairnRepoIndex *index;
    guint64 first;
    guint64 step;
} readJob;


static gpointer
readThread(gpointer opaque)
{
    readJob *j = opaque;
    g_autofree guint8 *buf = g_malloc(CS);
    g_autoptr(GError) err = NULL;

    for (guint64 c = j->first; c < cairnRepoIndexGetChunkCount(j->index); c += j->step) {
        if (!cairnRepoReadIndexChunk(j->repo, j->index, c, buf, &err)) {
            fprintf(stderr, "read: %s\n", err->message);
            exit(1);
        }
    }
    return NULL;
}


static void
runOne(const char *dir, const guint8 *data, guint64 len, int level, guint threads, bool encrypt)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *path = g_strdup_printf("%s/repo-l%d-t%u", dir, level, threads);
    g_autofree char *key = encrypt ? g_strdup_printf("%s.key", path) : NULL;
    g_autoptr(cairnRepo) repo = NULL;
    g_autoptr(cairnRepoWriter) w = NULL;
    g_autoptr(cairnRepoIndex) index = NULL;
    g_autofree char *id = NULL;
    g_autoptr(cairnRepoManifest) m = NULL;
    GThread *tids[8];
    job jobs[8];
    readJob rjobs[8];
    gint64 t0;
    gint64 t1;
    gint64 t2;
    gint64 t3;
    double c0;
    double c1;
    double c2;

    cairnRepoZstdLevel = level;
    if (!cairnRepoInit(path, key, &err) ||
        !(repo = cairnRepoOpen(path, key, CAIRN_REPO_LOCK_SHARED, &err)) ||
        !(w = cairnRepoWriterNew(repo, "bench", NULL, &err)) ||
        !cairnRepoWriterAddDisk(w, "vda", len, NULL, &err)) {
        fprintf(stderr, "%s\n", err->message);
        exit(1);
    }
    t0 = g_get_monotonic_time();
    c0 = cpuSeconds();
    for (guint i = 0; i < threads; i++) {
        jobs[i] = (job){ w, data, i, threads, len / CS };
        tids[i] = g_thread_new("put", putThread, &jobs[i]);
    }
    for (guint i = 0; i < threads; i++)
        g_thread_join(tids[i]);
    t1 = g_get_monotonic_time();
    c1 = cpuSeconds();
    if (!cairnRepoWriterCommit(w, NULL, &id, &err)) {
        fprintf(stderr, "%s\n", err->message);
        exit(1);
    }
    t2 = g_get_monotonic_time();
    m = cairnRepoLoadManifest(repo, id, &err);
    index = cairnRepoLoadIndex(repo, id, "vda", &err);
    if (!m || !index) {
        fprintf(stderr, "%s\n", err->message);
        exit(1);
    }
    c2 = cpuSeconds();
    for (guint i = 0; i < threads; i++) {
        rjobs[i] = (readJob){ repo, index, i, threads };
        tids[i] = g_thread_new("read", readThread, &rjobs[i]);
    }
    for (guint i = 0; i < threads; i++)
        g_thread_join(tids[i]);
    t3 = g_get_monotonic_time();

    printf("%-5d %-7u %8.0f %9.0f %10.0f %11.1f %9.0f %12.2f %13.2f\n", level, threads,
           (double)len / (double)(t1 - t0), (double)(t2 - t1) / 1000.0,
           (double)len / (double)(t2 - t0), (double)m->bytes_stored / (1024.0 * 1024.0),
           (double)len / (double)(t3 - t2), (c1 - c0) / ((double)len / (1 << 30)),
           (cpuSeconds() - c2) / ((double)len / (1 << 30)));
    fflush(stdout);
}


/* Best of @reps timings (µs) of @fn over one chunk: the minimum filters
 * out the other processes of a busy machine. */
static double
bestOf(int reps,
       bool (*fn)(const guint8 *chunk, gpointer opaque),
       const guint8 *chunk,
       gpointer opaque)
{
    gint64 best = G_MAXINT64;

    for (int r = 0; r < reps; r++) {
        gint64 t0 = g_get_monotonic_time();

        if (!fn(chunk, opaque))
            exit(1);
        best = MIN(best, g_get_monotonic_time() - t0);
    }
    return (double)best;
}


static bool
stepDigest(const guint8 *chunk, gpointer opaque)
{
    guint8 digest[CAIRN_REPO_DIGEST_LEN];

    cairnRepoDigestCompute(opaque, chunk, CS, digest);
    return true;
}


static size_t lastStored;


static bool
stepEncode(const guint8 *chunk, gpointer opaque)
{
    guint8 digest[CAIRN_REPO_DIGEST_LEN] = { 1 };
    struct iovec iov[2];

    if (!cairnRepoEncodeChunk(opaque, digest, chunk, CS, iov, NULL))
        return false;
    lastStored = iov[1].iov_len;
    return true;
}


/* Per-chunk costs of each step, best of 20, for one chunk of each kind. */
static void
microTable(const guint8 *data, guint64 len)
{
    static const char *const kinds[] = { "random", "text", "pool" };
    cairnRepoKeys keys;

    memset(&keys, 7, sizeof(keys));
    printf("per 4 MiB chunk, best of 20 (µs): digest, encode at zstd 1 and 3 (bytes "
           "stored), encrypted encode at 1\n");
    printf("%-7s %8s %8s %9s %8s %9s %9s\n", "chunk", "sha256", "zstd-1", "stored-1", "zstd-3",
           "stored-3", "zstd-1+gcm");
    for (int k = 0; k < 3; k++) {
        const guint8 *chunk = data + (len / 3) * (guint64)k + CS;
        double sha;
        double l1;
        double l3;
        double enc;
        size_t s1;
        size_t s3;

        sha = bestOf(20, stepDigest, chunk, NULL);
        cairnRepoZstdLevel = 1;
        l1 = bestOf(20, stepEncode, chunk, NULL);
        s1 = lastStored;
        enc = bestOf(20, stepEncode, chunk, &keys);
        cairnRepoZstdLevel = 3;
        l3 = bestOf(20, stepEncode, chunk, NULL);
        s3 = lastStored;
        printf("%-7s %8.0f %8.0f %9zu %8.0f %9zu %9.0f\n", kinds[k], sha, l1, s1, l3, s3, enc);
    }
    cairnRepoZstdLevel = CAIRN_REPO_ZSTD_LEVEL;
}


static void
removeTree(const char *path)
{
    g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
    const char *name;

    if (!dir) {
        g_unlink(path);
        return;
    }
    while ((name = g_dir_read_name(dir))) {
        g_autofree char *child = g_build_filename(path, name, NULL);

        removeTree(child);
    }
    g_rmdir(path);
}


int
main(int argc, char **argv)
{
    g_autoptr(GError) err = NULL;
    gint mib = 384;
    g_autofree char *where = NULL;
    gboolean encrypt = FALSE;
    GOptionEntry entries[] = {
        { "mib", 'm', 0, G_OPTION_ARG_INT, &mib, "data size in MiB", "N" },
        { "dir", 'd', 0, G_OPTION_ARG_FILENAME, &where, "directory for the repositories", "DIR" },
        { "encrypt", 'e', 0, G_OPTION_ARG_NONE, &encrypt, "encrypted repositories", NULL },
        { NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("- repository chunk throughput");
    g_autofree char *dir = NULL;
    g_autofree guint8 *data = NULL;
    guint64 len;

    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, &argc, &argv, &err) || mib < 12) {
        fprintf(stderr, "%s\n", err ? err->message : "-m must be at least 12");
        return 1;
    }
    len = (guint64)(mib / 12 * 12) * 1024 * 1024;
    dir = where ? g_strdup_printf("%s/repo-chunk-bench-%d", where, (int)getpid()) :
                  g_dir_make_tmp("repo-chunk-bench-XXXXXX", NULL);
    if (!dir || (where && g_mkdir(dir, 0755) < 0)) {
        fprintf(stderr, "cannot create a directory for the repositories\n");
        return 1;
    }
    data = makeData(len);
    printf("%" G_GUINT64_FORMAT " MiB (1/3 random, 1/3 text, 1/3 64 KiB blocks of a 16 MiB "
           "pool)%s, in %s\n",
           len >> 20, encrypt ? ", encrypted" : "", dir);
    microTable(data, len);
    printf("level threads put-MB/s commit-ms total-MB/s stored-MiB read-MB/s put-cpu-s/GiB "
           "read-cpu-s/GiB\n");
    for (int level = 1; level <= 3; level += 2) {
        for (guint threads = 1; threads <= 2; threads++)
            runOne(dir, data, len, level, threads, encrypt);
    }
    removeTree(dir);
    return 0;
}
