/*
 * checkpoint-tree.c: time the checkpoint tree through the public API on
 * the test driver (bench/README.md, "Checkpoint tree (test driver)").
 *
 * Two shapes of N checkpoints (default 10,000), each built on a fresh
 * connection (the test driver keeps its state per connection):
 *   chain   N plain creates; each new checkpoint is the child of the
 *           current one, so the tree is one path N deep;
 *   bushy   N redefines with explicit <parent> and <creationTime>: one
 *           root, (N-1)/4 children of the root, every other checkpoint a
 *           child of one of those (about 3 each).
 * Timed: create (by segments 1..N/10, ..N/2, ..N: a flat per-op cost is
 * O(1) amortised), listing (TOPOLOGICAL, LEAVES, plain, ROOTS), the data the CLI's
 * --tree needs (plain list + one GetParent per checkpoint), LookupByName
 * x N, GetXMLDesc x N (with and without NO_DOMAIN: the CLI's table
 * fetches every checkpoint's XML), ListAllChildren(root, DESCENDANTS), Delete(root, CHILDREN), and
 * deleting every checkpoint one at a time. Every row is the median over
 * the repetitions (-r, default 5), each on a fresh connection; times come
 * from CLOCK_MONOTONIC.
 *
 * Usage: checkpoint-tree [-n N] [-r REPS] [-u URI]
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <malloc.h>

#include <glib.h>

#include <cairn/cairn.h>

#define BENCH_DOMAIN "test"

typedef struct {
    char *label;
    long n;
    GArray *samples; /* double, nanoseconds */
} benchRow;

typedef struct {
    const char *uri;
    long n;
    int reps;
    GPtrArray *rows;   /* benchRow*, in order of first report */
    size_t heap_chain; /* heap bytes per checkpoint, last build */
    size_t heap_bushy;
} benchCtx;


static double
benchNow(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}


static void
benchRowFree(gpointer opaque)
{
    benchRow *row = opaque;

    g_free(row->label);
    g_array_unref(row->samples);
    g_free(row);
}


/* Record one sample of @ns nanoseconds for @n operations under @label. */
static void
benchRecord(benchCtx *ctx, const char *label, long n, double ns)
{
    benchRow *row = NULL;

    for (guint i = 0; i < ctx->rows->len; i++) {
        benchRow *r = g_ptr_array_index(ctx->rows, i);

        if (g_str_equal(r->label, label) && r->n == n) {
            row = r;
            break;
        }
    }
    if (!row) {
        row = g_new0(benchRow, 1);
        row->label = g_strdup(label);
        row->n = n;
        row->samples = g_array_new(FALSE, FALSE, sizeof(double));
        g_ptr_array_add(ctx->rows, row);
    }
    g_array_append_val(row->samples, ns);
}


static gint
benchCompareDouble(gconstpointer a, gconstpointer b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;

    return (x > y) - (x < y);
}


static double
benchMedian(GArray *samples)
{
    guint len = samples->len;

    g_array_sort(samples, benchCompareDouble);
    if (len % 2)
        return g_array_index(samples, double, len / 2);
    return (g_array_index(samples, double, len / 2 - 1) + g_array_index(samples, double, len / 2)) /
           2;
}


static void
benchPrint(benchCtx *ctx)
{
    printf("%-46s %6s %11s %11s\n", "operation (API, median)", "N", "total ms", "per-op us");
    for (guint i = 0; i < ctx->rows->len; i++) {
        benchRow *row = g_ptr_array_index(ctx->rows, i);
        double ns = benchMedian(row->samples);

        printf("%-46s %6ld %11.3f %11.3f\n", row->label, row->n, ns / 1e6,
               row->n ? ns / 1e3 / (double)row->n : 0.0);
    }
}


G_GNUC_NORETURN static void
benchDie(const char *what)
{
    const char *msg = cairnGetLastErrorMessage();

    fprintf(stderr, "checkpoint-tree: %s failed: %s\n", what, msg ? msg : "(no error)");
    exit(EXIT_FAILURE);
}


static void
benchCheckpointName(char *buf, size_t len, char prefix, long i)
{
    g_snprintf(buf, len, "%c%05ld", prefix, i);
}


/* Free a NULL-terminated array from a List call. */
static void
benchFreeList(cairnDomainCheckpointPtr *chks)
{
    for (cairnDomainCheckpointPtr *p = chks; p && *p; p++)
        cairnDomainCheckpointFree(*p);
    free(chks);
}


/* The parent of checkpoint @i in the bushy tree, or -1 for the root. */
static long
benchBushyParent(long n, long i)
{
    long mids = MAX((n - 1) / 4, 1);

    if (i == 0)
        return -1;
    if (i <= mids)
        return 0;
    return 1 + (i - mids - 1) % mids;
}


/* Create checkpoint @i of the shape; the chain uses plain creates, the
 * bushy tree redefines with an explicit parent and creation time. */
static void
benchCreateOne(cairnDomainPtr dom, char shape, long n, long i)
{
    char name[32];
    char parent[32];
    g_autofree char *xml = NULL;
    cairnDomainCheckpointPtr chk;
    unsigned int flags = 0;
    long p;

    benchCheckpointName(name, sizeof(name), shape, i);
    if (shape == 'c') {
        xml = g_strdup_printf("<domaincheckpoint><name>%s</name></domaincheckpoint>", name);
    } else if ((p = benchBushyParent(n, i)) < 0) {
        xml = g_strdup_printf("<domaincheckpoint><name>%s</name>"
                              "<creationTime>%ld</creationTime></domaincheckpoint>",
                              name, 1700000000L + i);
        flags = CAIRN_DOMAIN_CHECKPOINT_CREATE_REDEFINE;
    } else {
        benchCheckpointName(parent, sizeof(parent), shape, p);
        xml = g_strdup_printf("<domaincheckpoint><name>%s</name>"
                              "<parent><name>%s</name></parent>"
                              "<creationTime>%ld</creationTime></domaincheckpoint>",
                              name, parent, 1700000000L + i);
        flags = CAIRN_DOMAIN_CHECKPOINT_CREATE_REDEFINE;
    }
    if (!(chk = cairnDomainCheckpointCreateXML(dom, xml, flags)))
        benchDie("cairnDomainCheckpointCreateXML");
    cairnDomainCheckpointFree(chk);
}


/* Record the cost of the operations since the previous mark when op
 * number @done (1-based) ends a segment: 1..N/10, N/10+1..N/2, N/2+1..N,
 * so a flat per-op column means O(1) amortised; the whole run is recorded
 * too. @mark_ns and @mark are the previous mark, updated here. */
static void
benchSegment(
    benchCtx *ctx, const char *what, long done, double total_ns, double *mark_ns, long *mark)
{
    long ends[] = { ctx->n / 10, ctx->n / 2, ctx->n };

    for (size_t i = 0; i < G_N_ELEMENTS(ends); i++) {
        g_autofree char *label = NULL;

        if (done != ends[i])
            continue;
        label = g_strdup_printf("%s #%ld-%ld", what, *mark + 1, done);
        benchRecord(ctx, label, done - *mark, total_ns - *mark_ns);
        *mark_ns = total_ns;
        *mark = done;
    }
    if (done == ctx->n) {
        g_autofree char *label = g_strdup_printf("%s, all", what);

        benchRecord(ctx, label, done, total_ns);
    }
}


/* Heap bytes in use (glibc), to report the memory per checkpoint. */
static size_t
benchHeapInUse(void)
{
    struct mallinfo2 mi = mallinfo2();

    return mi.uordblks + mi.hblkhd;
}


/* Build the shape on @dom, timing the creates by segment. */
static void
benchBuild(benchCtx *ctx, cairnDomainPtr dom, char shape)
{
    g_autofree char *what = g_strdup_printf("%s: create", shape == 'c' ? "chain" : "bushy");
    size_t heap0 = benchHeapInUse();
    double t0 = benchNow();
    double mark_ns = 0;
    long mark = 0;

    for (long i = 0; i < ctx->n; i++) {
        benchCreateOne(dom, shape, ctx->n, i);
        benchSegment(ctx, what, i + 1, benchNow() - t0, &mark_ns, &mark);
    }
    if (shape == 'c')
        ctx->heap_chain = (benchHeapInUse() - heap0) / (size_t)ctx->n;
    else
        ctx->heap_bushy = (benchHeapInUse() - heap0) / (size_t)ctx->n;
}


/* Time one ListAllCheckpoints call with @flags; free the handles
 * separately. Checks the count against @expect when >= 0. */
static void
benchList(benchCtx *ctx,
          cairnDomainPtr dom,
          const char *what,
          const char *flagname,
          unsigned int flags,
          long expect)
{
    g_autofree char *label = g_strdup_printf("%s: list %s", what, flagname);
    g_autofree char *flabel = g_strdup_printf("%s: free handles of list %s", what, flagname);
    cairnDomainCheckpointPtr *chks = NULL;
    double t0 = benchNow();
    int count = cairnDomainListAllCheckpoints(dom, &chks, flags);
    double t1 = benchNow();

    if (count < 0)
        benchDie("cairnDomainListAllCheckpoints");
    if (expect >= 0 && count != expect) {
        fprintf(stderr, "checkpoint-tree: %s: %d checkpoints, expected %ld\n", label, count,
                expect);
        exit(EXIT_FAILURE);
    }
    benchRecord(ctx, label, count, t1 - t0);
    t0 = benchNow();
    benchFreeList(chks);
    if (flags == 0)
        benchRecord(ctx, flabel, count, benchNow() - t0);
}


/* What `checkpoint-list --tree` fetches: every checkpoint, then the
 * parent of each (the CLI then prints, see README for that cost). */
static void
benchTreeData(benchCtx *ctx, cairnDomainPtr dom, const char *what)
{
    g_autofree char *label = g_strdup_printf("%s: --tree data (list + GetParent)", what);
    cairnDomainCheckpointPtr *chks = NULL;
    double t0 = benchNow();
    int count = cairnDomainListAllCheckpoints(dom, &chks, 0);
    g_autofree char **parents = NULL;

    if (count < 0)
        benchDie("cairnDomainListAllCheckpoints");
    parents = g_new0(char *, count + 1);
    for (int i = 0; i < count; i++) {
        cairnDomainCheckpointPtr parent = cairnDomainCheckpointGetParent(chks[i], 0);

        if (parent) {
            parents[i] = g_strdup(cairnDomainCheckpointGetName(parent));
            cairnDomainCheckpointFree(parent);
        } else if (cairnGetLastErrorCode() != CAIRN_ERR_NO_DOMAIN_CHECKPOINT) {
            benchDie("cairnDomainCheckpointGetParent");
        }
    }
    benchRecord(ctx, label, count, benchNow() - t0);
    for (int i = 0; i < count; i++)
        g_free(parents[i]);
    benchFreeList(chks);
}


static void
benchLookups(benchCtx *ctx, cairnDomainPtr dom, char shape, const char *what)
{
    g_autofree char *label = g_strdup_printf("%s: LookupByName x N", what);
    double total = 0;
    char name[32];

    for (long i = 0; i < ctx->n; i++) {
        cairnDomainCheckpointPtr chk;
        double t0;

        /* A stride through the names, so the order is not the insertion
         * order (7919 is prime, so every name is visited once). */
        benchCheckpointName(name, sizeof(name), shape, (i * 7919) % ctx->n);
        t0 = benchNow();
        chk = cairnDomainCheckpointLookupByName(dom, name, 0);
        total += benchNow() - t0;
        if (!chk)
            benchDie("cairnDomainCheckpointLookupByName");
        cairnDomainCheckpointFree(chk);
    }
    benchRecord(ctx, label, ctx->n, total);
}


/* GetXMLDesc of every checkpoint with @flags: what the CLI's plain
 * checkpoint-list (the table) fetches per row (virsh passes 0). */
static void
benchXMLDesc(
    benchCtx *ctx, cairnDomainPtr dom, const char *what, const char *flagname, unsigned int flags)
{
    g_autofree char *label = g_strdup_printf("%s: GetXMLDesc(%s) x N", what, flagname);
    cairnDomainCheckpointPtr *chks = NULL;
    int count = cairnDomainListAllCheckpoints(dom, &chks, 0);
    double t0 = benchNow();

    for (int i = 0; i < count; i++) {
        char *xml = cairnDomainCheckpointGetXMLDesc(chks[i], flags);

        if (!xml)
            benchDie("cairnDomainCheckpointGetXMLDesc");
        free(xml);
    }
    benchRecord(ctx, label, count, benchNow() - t0);
    benchFreeList(chks);
}


static cairnDomainCheckpointPtr
benchLookup(cairnDomainPtr dom, char shape, long i)
{
    char name[32];
    cairnDomainCheckpointPtr chk;

    benchCheckpointName(name, sizeof(name), shape, i);
    if (!(chk = cairnDomainCheckpointLookupByName(dom, name, 0)))
        benchDie("cairnDomainCheckpointLookupByName");
    return chk;
}


static void
benchDescendants(benchCtx *ctx, cairnDomainPtr dom, char shape, const char *what)
{
    g_autofree char *label = g_strdup_printf("%s: ListAllChildren(root, DESCENDANTS)", what);
    cairnDomainCheckpointPtr root = benchLookup(dom, shape, 0);
    cairnDomainCheckpointPtr *chks = NULL;
    double t0 = benchNow();
    int count =
        cairnDomainCheckpointListAllChildren(root, &chks, CAIRN_DOMAIN_CHECKPOINT_LIST_DESCENDANTS);
    double t1 = benchNow();

    if (count != ctx->n - 1)
        benchDie("cairnDomainCheckpointListAllChildren");
    benchRecord(ctx, label, count, t1 - t0);
    benchFreeList(chks);
    cairnDomainCheckpointFree(root);
}


static void
benchDeleteChildren(benchCtx *ctx, cairnDomainPtr dom, char shape, const char *what)
{
    g_autofree char *label = g_strdup_printf("%s: Delete(root, CHILDREN)", what);
    cairnDomainCheckpointPtr root = benchLookup(dom, shape, 0);
    double t0 = benchNow();

    if (cairnDomainCheckpointDelete(root, CAIRN_DOMAIN_CHECKPOINT_DELETE_CHILDREN) < 0)
        benchDie("cairnDomainCheckpointDelete");
    benchRecord(ctx, label, ctx->n, benchNow() - t0);
    cairnDomainCheckpointFree(root);
    if (cairnDomainListAllCheckpoints(dom, NULL, 0) != 0)
        benchDie("Delete(root, CHILDREN) left checkpoints");
}


/* Delete all checkpoints one at a time: @newest_first walks from the last
 * created (leaves first) to the root; otherwise from the root on (each
 * delete reparents the victim's children). Timed by segment; handles are
 * looked up before the clock starts. */
static void
benchDeleteEach(benchCtx *ctx, cairnDomainPtr dom, char shape, const char *what, bool newest_first)
{
    g_autofree cairnDomainCheckpointPtr *chks = g_new0(cairnDomainCheckpointPtr, ctx->n);
    g_autofree char *label = g_strdup_printf("%s: delete one by one, %s", what,
                                             newest_first ? "newest first" : "root first");
    double total = 0;
    double mark_ns = 0;
    long mark = 0;

    for (long i = 0; i < ctx->n; i++)
        chks[i] = benchLookup(dom, shape, newest_first ? ctx->n - 1 - i : i);
    for (long i = 0; i < ctx->n; i++) {
        double t0 = benchNow();

        if (cairnDomainCheckpointDelete(chks[i], 0) < 0)
            benchDie("cairnDomainCheckpointDelete");
        total += benchNow() - t0;
        cairnDomainCheckpointFree(chks[i]);
        benchSegment(ctx, label, i + 1, total, &mark_ns, &mark);
    }
    if (cairnDomainListAllCheckpoints(dom, NULL, 0) != 0)
        benchDie("deleting one by one left checkpoints");
}


typedef enum {
    BENCH_PHASE_QUERIES,     /* build, query, Delete(root, CHILDREN) */
    BENCH_PHASE_DELETE_NEW,  /* build, delete one by one newest first */
    BENCH_PHASE_DELETE_ROOT, /* build, delete one by one root first */
} benchPhase;


/* One repetition of one shape and phase, on a fresh connection. */
static void
benchRun(benchCtx *ctx, char shape, benchPhase phase)
{
    const char *what = shape == 'c' ? "chain" : "bushy";
    cairnConnectPtr conn;
    cairnDomainPtr dom;
    long leaves = shape == 'c' ? 1 : ctx->n - 1 - MAX((ctx->n - 1) / 4, 1);

    if (!(conn = cairnConnectOpen(ctx->uri)))
        benchDie("cairnConnectOpen");
    if (!(dom = cairnDomainLookupByName(conn, BENCH_DOMAIN)))
        benchDie("cairnDomainLookupByName");

    benchBuild(ctx, dom, shape);
    switch (phase) {
    case BENCH_PHASE_QUERIES:
        benchList(ctx, dom, what, "TOPOLOGICAL", CAIRN_DOMAIN_CHECKPOINT_LIST_TOPOLOGICAL, ctx->n);
        benchList(ctx, dom, what, "LEAVES", CAIRN_DOMAIN_CHECKPOINT_LIST_LEAVES, leaves);
        benchList(ctx, dom, what, "(no flags)", 0, ctx->n);
        benchList(ctx, dom, what, "ROOTS", CAIRN_DOMAIN_CHECKPOINT_LIST_ROOTS, 1);
        benchTreeData(ctx, dom, what);
        benchLookups(ctx, dom, shape, what);
        benchXMLDesc(ctx, dom, what, "0", 0);
        benchXMLDesc(ctx, dom, what, "NO_DOMAIN", CAIRN_DOMAIN_CHECKPOINT_XML_NO_DOMAIN);
        benchDescendants(ctx, dom, shape, what);
        benchDeleteChildren(ctx, dom, shape, what);
        break;
    case BENCH_PHASE_DELETE_NEW:
        benchDeleteEach(ctx, dom, shape, what, true);
        break;
    case BENCH_PHASE_DELETE_ROOT:
        benchDeleteEach(ctx, dom, shape, what, false);
        break;
    }

    cairnDomainFree(dom);
    cairnConnectClose(conn);
}


int
main(int argc, char **argv)
{
    benchCtx ctx = { .uri = "test:///default", .n = 10000, .reps = 5 };
    const char shapes[] = { 'c', 'b' };
    int opt;

    while ((opt = getopt(argc, argv, "n:r:u:")) != -1) {
        switch (opt) {
        case 'n':
            ctx.n = strtol(optarg, NULL, 10);
            break;
        case 'r':
            ctx.reps = (int)strtol(optarg, NULL, 10);
            break;
        case 'u':
            ctx.uri = optarg;
            break;
        default:
            fprintf(stderr, "usage: %s [-n N] [-r REPS] [-u URI]\n", argv[0]);
            return EXIT_FAILURE;
        }
    }
    if (ctx.n < 10 || ctx.n > 99999 || ctx.reps < 1) {
        fprintf(stderr, "checkpoint-tree: need 10 <= N <= 99999 and REPS >= 1\n");
        return EXIT_FAILURE;
    }
    ctx.rows = g_ptr_array_new_with_free_func(benchRowFree);

    for (size_t s = 0; s < G_N_ELEMENTS(shapes); s++) {
        for (int r = 0; r < ctx.reps; r++) {
            benchRun(&ctx, shapes[s], BENCH_PHASE_QUERIES);
            benchRun(&ctx, shapes[s], BENCH_PHASE_DELETE_NEW);
            benchRun(&ctx, shapes[s], BENCH_PHASE_DELETE_ROOT);
        }
    }
    printf("# uri %s, N %ld, %d repetitions, each on a fresh connection\n", ctx.uri, ctx.n,
           ctx.reps);
    benchPrint(&ctx);
    printf("# heap per checkpoint: chain %zu bytes, bushy %zu bytes\n", ctx.heap_chain,
           ctx.heap_bushy);
    g_ptr_array_unref(ctx.rows);
    return EXIT_SUCCESS;
}
