/*
 * cairn-backup-progress.c: progress bars on a terminal, summary lines
 * otherwise (cairn-backup-progress.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cairn-backup-progress.h"

#define CB_PROGRESS_TICK_US (200 * 1000)

struct _cbProgressDisk {
    cbProgress *progress;
    char *name;
    gint64 start_us;
    guint64 total; /* atomic */
    guint64 done;  /* atomic */
};

struct _cbProgress {
    char *verb;
    bool quiet;
    bool tty;
    GMutex lock; /* the display and @current */
    cbProgressDisk *current;
    GPtrArray *disks;
    GThread *ticker;
    gint stop; /* atomic */
};


char *
cbFormatSize(guint64 bytes)
{
    static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
    double value = bytes;
    guint i = 0;

    while (value >= 1024 && i + 1 < G_N_ELEMENTS(units)) {
        value /= 1024;
        i++;
    }
    if (i == 0)
        return g_strdup_printf("%" G_GUINT64_FORMAT " B", bytes);
    return g_strdup_printf("%.1f %s", value, units[i]);
}


static void
cbProgressDiskFree(gpointer opaque)
{
    cbProgressDisk *disk = opaque;

    g_free(disk->name);
    g_free(disk);
}


/* Draw the bar of the current disk. Called with @lock held. */
static void
cbProgressDraw(cbProgress *progress)
{
    cbProgressDisk *disk = progress->current;
    guint64 total;
    guint64 done;
    double secs;
    double rate;
    char bar[31];
    guint filled;
    g_autofree char *done_s = NULL;
    g_autofree char *total_s = NULL;
    g_autofree char *rate_s = NULL;
    g_autofree char *eta = NULL;

    if (!disk)
        return;
    done = __atomic_load_n(&disk->done, __ATOMIC_RELAXED);
    total = __atomic_load_n(&disk->total, __ATOMIC_RELAXED);
    secs = (g_get_monotonic_time() - disk->start_us) / 1e6;
    rate = secs > 0 ? done / secs : 0;
    filled = total ? (guint)(MIN(done, total) * 30 / total) : 0;
    memset(bar, '#', filled);
    memset(bar + filled, '.', 30 - filled);
    bar[30] = '\0';
    done_s = cbFormatSize(done);
    total_s = cbFormatSize(total);
    rate_s = cbFormatSize((guint64)rate);
    if (rate > 0 && total > done)
        eta = g_strdup_printf("ETA %.0fs", (total - done) / rate);
    else
        eta = g_strdup("");
    fprintf(stderr, "\r\033[K%s %s [%s] %s / %s  %s/s  %s", progress->verb, disk->name, bar, done_s,
            total_s, rate_s, eta);
    fflush(stderr);
}


static gpointer
cbProgressTicker(gpointer opaque)
{
    cbProgress *progress = opaque;

    while (!g_atomic_int_get(&progress->stop)) {
        g_usleep(CB_PROGRESS_TICK_US);
        g_mutex_lock(&progress->lock);
        cbProgressDraw(progress);
        g_mutex_unlock(&progress->lock);
    }
    return NULL;
}


cbProgress *
cbProgressNew(const char *verb, bool quiet)
{
    cbProgress *progress = g_new0(cbProgress, 1);

    progress->verb = g_strdup(verb);
    progress->quiet = quiet;
    progress->tty = !quiet && isatty(STDERR_FILENO) && g_strcmp0(g_getenv("TERM"), "dumb") != 0;
    progress->disks = g_ptr_array_new_with_free_func(cbProgressDiskFree);
    g_mutex_init(&progress->lock);
    if (progress->tty)
        progress->ticker = g_thread_new("cb-progress", cbProgressTicker, progress);
    return progress;
}


void
cbProgressFree(cbProgress *progress)
{
    if (!progress)
        return;
    if (progress->ticker) {
        g_atomic_int_set(&progress->stop, 1);
        g_thread_join(progress->ticker);
    }
    if (progress->tty && progress->current)
        fprintf(stderr, "\n");
    g_ptr_array_unref(progress->disks);
    g_mutex_clear(&progress->lock);
    g_free(progress->verb);
    g_free(progress);
}


cbProgressDisk *
cbProgressDiskStart(cbProgress *progress, const char *name)
{
    cbProgressDisk *disk = g_new0(cbProgressDisk, 1);

    disk->progress = progress;
    disk->name = g_strdup(name);
    disk->start_us = g_get_monotonic_time();
    g_mutex_lock(&progress->lock);
    g_ptr_array_add(progress->disks, disk);
    if (progress->tty && progress->current)
        fprintf(stderr, "\n");
    progress->current = disk;
    g_mutex_unlock(&progress->lock);
    return disk;
}


void
cbProgressDiskSetTotal(cbProgressDisk *disk, guint64 total)
{
    __atomic_store_n(&disk->total, total, __ATOMIC_RELAXED);
}


void
cbProgressDiskAdd(cbProgressDisk *disk, guint64 bytes)
{
    __atomic_fetch_add(&disk->done, bytes, __ATOMIC_RELAXED);
}


void
cbProgressDiskEnd(cbProgressDisk *disk, const char *note)
{
    cbProgress *progress = disk->progress;
    double secs = (g_get_monotonic_time() - disk->start_us) / 1e6;
    guint64 done = __atomic_load_n(&disk->done, __ATOMIC_RELAXED);
    g_autofree char *done_s = cbFormatSize(done);
    g_autofree char *rate_s = cbFormatSize(secs > 0 ? (guint64)(done / secs) : 0);

    g_mutex_lock(&progress->lock);
    if (progress->current == disk)
        progress->current = NULL;
    if (!progress->quiet) {
        fprintf(stderr, "%s%s %s: %s in %.2f s (%s/s)%s%s\n", progress->tty ? "\r\033[K" : "",
                progress->verb, disk->name, done_s, secs, rate_s, note ? ", " : "",
                note ? note : "");
    }
    g_mutex_unlock(&progress->lock);
}


void
cbProgressMessage(cbProgress *progress, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    if (progress->quiet)
        return;
    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_mutex_lock(&progress->lock);
    fprintf(stderr, "%s%s\n", progress->tty ? "\r\033[K" : "", msg);
    if (progress->tty)
        cbProgressDraw(progress);
    g_mutex_unlock(&progress->lock);
}
