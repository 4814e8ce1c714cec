/*
 * cairn-backup-qcow2.c: the qcow2 image writer of restore
 * (cairn-backup-qcow2.h), after the format's specification (QEMU's
 * docs/interop/qcow2.txt): version 3, 64 KiB clusters, 16-bit refcounts.
 *
 * The file, in clusters:
 *
 *   0                  the header (104 bytes, then the end of the
 *                      header extensions: zeros)
 *   L1                 the L1 table: one entry per 512 MiB of disk
 *   RT                 the refcount table: one entry per refcount block
 *   RB                 the refcount blocks: 1 for every cluster of the
 *                      file (each block covers 32768 clusters, 2 GiB)
 *   L2                 one L2 table per 512 MiB of disk holding any data
 *   data               each used unit's clusters, contiguous, in the
 *                      order of the disk
 *
 * Every cluster the file has is referenced exactly once, so every
 * refcount is 1 and every L1 and L2 entry has the COPIED flag; unused
 * units have no clusters (their L2 entries, or whole L1 entries, are 0:
 * unallocated, reading as zeros). The sizes of RT and RB depend on the
 * file's size, which depends on them: computed to a fixed point. The
 * data is written first (by the caller's threads, zero clusters left as
 * holes), the metadata at the end, the header last, then one fsync.
 */
#include <string.h>

#include "cairn-backup-qcow2.h"
#include "cairn-backup-error.h"
#include "cairn-backup-write.h"

#define CB_QCOW2_L2_ENTRIES (CB_QCOW2_CLUSTER / 8)
#define CB_QCOW2_L2_REACH ((guint64)CB_QCOW2_L2_ENTRIES * CB_QCOW2_CLUSTER)
#define CB_QCOW2_RB_ENTRIES (CB_QCOW2_CLUSTER / 2)
#define CB_QCOW2_RT_ENTRIES (CB_QCOW2_CLUSTER / 8)
#define CB_QCOW2_COPIED (1ull << 63)
#define CB_QCOW2_HEADER_LEN 104

struct _cbQcow2 {
    cbWriter *file;
    guint64 size;      /* virtual size */
    guint32 unit;      /* bytes per unit */
    guint64 n_units;   /* ceil(size / unit) */
    guint64 *host;     /* per unit: its first cluster's offset; 0: none */
    guint64 l1_size;   /* L1 entries */
    guint64 l1_offset; /* file offsets of the areas */
    guint64 l1_clusters;
    guint64 rt_offset;
    guint64 rt_clusters;
    guint64 rb_offset;
    guint64 rb_count;
    guint64 *l2_host; /* per L1 entry: its L2 table's offset; 0: none */
    guint64 clusters; /* of the whole file */
};


static guint64
cbDivUp(guint64 a, guint64 b)
{
    return (a + b - 1) / b;
}


static void
cbPut16(guint8 *p, guint16 v)
{
    v = GUINT16_TO_BE(v);
    memcpy(p, &v, sizeof(v));
}


static void
cbPut32(guint8 *p, guint32 v)
{
    v = GUINT32_TO_BE(v);
    memcpy(p, &v, sizeof(v));
}


static void
cbPut64(guint8 *p, guint64 v)
{
    v = GUINT64_TO_BE(v);
    memcpy(p, &v, sizeof(v));
}


/* The length of unit @u: the unit size, less for the last one. */
static gsize
cbQcow2UnitLength(const cbQcow2 *q, guint64 u)
{
    return (gsize)MIN((guint64)q->unit, q->size - u * q->unit);
}


/* Compute the layout from @used; false if the disk is too large. */
static bool
cbQcow2Layout(cbQcow2 *q, const guint8 *used, GError **error)
{
    guint64 v_clusters = cbDivUp(q->size, CB_QCOW2_CLUSTER);
    guint64 l2_count = 0;
    guint64 data = 0;
    guint64 fixed;
    guint64 next;
    guint64 u;
    guint64 t;

    q->l1_size = cbDivUp(v_clusters, CB_QCOW2_L2_ENTRIES);
    /* QEMU's limit for the L1 table (32 MiB): disks up to 2 PiB. */
    if (q->l1_size > 32 * 1024 * 1024 / 8) {
        cbSetError(error, "a disk of %" G_GUINT64_FORMAT " bytes is too large for qcow2", q->size);
        return false;
    }
    q->l1_clusters = cbDivUp(q->l1_size * 8, CB_QCOW2_CLUSTER);
    q->l2_host = g_new0(guint64, MAX(q->l1_size, 1));
    q->host = g_new0(guint64, MAX(q->n_units, 1));
    for (u = 0; u < q->n_units; u++) {
        if (!used[u])
            continue;
        data += cbDivUp(cbQcow2UnitLength(q, u), CB_QCOW2_CLUSTER);
        /* Marked for now; offsets below. A unit is within one table. */
        q->l2_host[u * q->unit / CB_QCOW2_L2_REACH] = 1;
    }
    for (t = 0; t < q->l1_size; t++)
        l2_count += q->l2_host[t] ? 1 : 0;

    /* The refcount blocks count every cluster, themselves and the
     * refcount table included: grow both until they cover the file. */
    fixed = 1 + q->l1_clusters + l2_count + data;
    q->rb_count = 1;
    q->rt_clusters = 1;
    for (;;) {
        guint64 total = fixed + q->rb_count + q->rt_clusters;
        guint64 rb = cbDivUp(total, CB_QCOW2_RB_ENTRIES);
        guint64 rt = cbDivUp(rb, CB_QCOW2_RT_ENTRIES);

        if (rb == q->rb_count && rt == q->rt_clusters)
            break;
        q->rb_count = rb;
        q->rt_clusters = rt;
    }
    q->clusters = fixed + q->rb_count + q->rt_clusters;

    q->l1_offset = CB_QCOW2_CLUSTER;
    q->rt_offset = q->l1_offset + q->l1_clusters * CB_QCOW2_CLUSTER;
    q->rb_offset = q->rt_offset + q->rt_clusters * CB_QCOW2_CLUSTER;
    next = q->rb_offset + q->rb_count * CB_QCOW2_CLUSTER;
    for (t = 0; t < q->l1_size; t++) {
        if (q->l2_host[t]) {
            q->l2_host[t] = next;
            next += CB_QCOW2_CLUSTER;
        }
    }
    for (u = 0; u < q->n_units; u++) {
        if (!used[u])
            continue;
        q->host[u] = next;
        next += cbDivUp(cbQcow2UnitLength(q, u), CB_QCOW2_CLUSTER) * CB_QCOW2_CLUSTER;
    }
    g_assert(next == q->clusters * CB_QCOW2_CLUSTER);
    return true;
}


cbQcow2 *
cbQcow2Create(
    const char *path, guint64 size, guint32 unit, const guint8 *used, guint threads, GError **error)
{
    g_autoptr(cbQcow2) q = g_new0(cbQcow2, 1);

    if (unit < CB_QCOW2_CLUSTER || (unit & (unit - 1)) || unit > CB_QCOW2_L2_REACH) {
        cbSetError(error, "cannot write qcow2 in units of %u bytes", unit);
        return NULL;
    }
    q->size = size;
    q->unit = unit;
    q->n_units = cbDivUp(size, unit);
    if (!cbQcow2Layout(q, used, error))
        return NULL;
    if (!(q->file = cbWriterOpen(path, q->clusters * CB_QCOW2_CLUSTER, threads, error)))
        return NULL;
    return g_steal_pointer(&q);
}


bool
cbQcow2WriteUnit(cbQcow2 *q, guint thread, guint64 u, const void *data, gsize len, GError **error)
{
    if (u >= q->n_units || !q->host[u] || len != cbQcow2UnitLength(q, u)) {
        cbSetError(error, "qcow2: unit %" G_GUINT64_FORMAT " (%zu bytes) has no place", u, len);
        return false;
    }
    return cbWriterWriteData(q->file, thread, q->host[u], data, len, error);
}


/* Fill the L2 table @buf (one cluster) of L1 entry @t. */
static void
cbQcow2FillL2(const cbQcow2 *q, guint64 t, guint8 *buf)
{
    guint64 v_clusters = cbDivUp(q->size, CB_QCOW2_CLUSTER);
    guint64 first = t * CB_QCOW2_L2_ENTRIES;
    guint64 end = MIN(first + CB_QCOW2_L2_ENTRIES, v_clusters);
    guint64 v;

    memset(buf, 0, CB_QCOW2_CLUSTER);
    for (v = first; v < end; v++) {
        guint64 offset = v * CB_QCOW2_CLUSTER;
        guint64 u = offset / q->unit;

        if (q->host[u])
            cbPut64(buf + (v - first) * 8, (q->host[u] + offset - u * q->unit) | CB_QCOW2_COPIED);
    }
}


/* Write the metadata, header last. */
static bool
cbQcow2WriteMetadata(cbQcow2 *q, GError **error)
{
    g_autofree guint8 *buf = g_malloc(CB_QCOW2_CLUSTER);
    g_autofree guint8 *table = NULL;
    guint64 t;
    guint64 i;

    for (t = 0; t < q->l1_size; t++) {
        if (!q->l2_host[t])
            continue;
        cbQcow2FillL2(q, t, buf);
        if (!cbWriterWrite(q->file, 0, q->l2_host[t], buf, CB_QCOW2_CLUSTER, error))
            return false;
    }

    /* Refcount blocks: 1 for each of the file's clusters. */
    for (t = 0; t < q->rb_count; t++) {
        guint64 first = t * CB_QCOW2_RB_ENTRIES;
        guint64 end = MIN(first + CB_QCOW2_RB_ENTRIES, q->clusters);

        memset(buf, 0, CB_QCOW2_CLUSTER);
        for (i = first; i < end; i++)
            cbPut16(buf + (i - first) * 2, 1);
        if (!cbWriterWrite(q->file, 0, q->rb_offset + t * CB_QCOW2_CLUSTER, buf, CB_QCOW2_CLUSTER,
                           error))
            return false;
    }

    table = g_malloc0(q->rt_clusters * CB_QCOW2_CLUSTER);
    for (t = 0; t < q->rb_count; t++)
        cbPut64(table + t * 8, q->rb_offset + t * CB_QCOW2_CLUSTER);
    if (!cbWriterWrite(q->file, 0, q->rt_offset, table, q->rt_clusters * CB_QCOW2_CLUSTER, error))
        return false;
    g_clear_pointer(&table, g_free);

    if (q->l1_clusters) {
        table = g_malloc0(q->l1_clusters * CB_QCOW2_CLUSTER);
        for (t = 0; t < q->l1_size; t++) {
            if (q->l2_host[t])
                cbPut64(table + t * 8, q->l2_host[t] | CB_QCOW2_COPIED);
        }
        if (!cbWriterWrite(q->file, 0, q->l1_offset, table, q->l1_clusters * CB_QCOW2_CLUSTER,
                           error))
            return false;
    }

    /* The header; everything after it in the cluster is zero, which ends
     * the (absent) header extensions. */
    memset(buf, 0, CB_QCOW2_CLUSTER);
    memcpy(buf, "QFI\xfb", 4);
    cbPut32(buf + 4, 3);                        /* version */
    cbPut32(buf + 20, 16);                      /* cluster_bits */
    cbPut64(buf + 24, q->size);                 /* size */
    cbPut32(buf + 36, (guint32)q->l1_size);     /* l1_size */
    cbPut64(buf + 40, q->l1_offset);            /* l1_table_offset */
    cbPut64(buf + 48, q->rt_offset);            /* refcount_table_offset */
    cbPut32(buf + 56, (guint32)q->rt_clusters); /* refcount_table_clusters */
    cbPut32(buf + 96, 4);                       /* refcount_order: 16 bits */
    cbPut32(buf + 100, CB_QCOW2_HEADER_LEN);    /* header_length */
    return cbWriterWrite(q->file, 0, 0, buf, CB_QCOW2_CLUSTER, error);
}


bool
cbQcow2Finish(cbQcow2 *q, GError **error)
{
    return cbQcow2WriteMetadata(q, error) && cbWriterFinish(q->file, error);
}


void
cbQcow2Free(cbQcow2 *q)
{
    if (!q)
        return;
    cbWriterFree(q->file);
    g_free(q->host);
    g_free(q->l2_host);
    g_free(q);
}
