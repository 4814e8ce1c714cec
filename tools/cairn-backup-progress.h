/*
 * cairn-backup-progress.h: what cairn-backup shows while it works. On a
 * terminal (stderr), a bar per disk redrawn a few times a second: bytes
 * done and to do, rate, ETA. Otherwise nothing until a disk is done, then
 * one summary line for it. Counters are updated from any thread.
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

typedef struct _cbProgress cbProgress;
typedef struct _cbProgressDisk cbProgressDisk;

/* @verb ("read", "restored") starts each line; @quiet shows nothing (for
 * --json). The result is freed with cbProgressFree(). */
cbProgress *cbProgressNew(const char *verb, bool quiet);
void cbProgressFree(cbProgress *progress);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(cbProgress, cbProgressFree)

/* Start the display of disk @name (owned by @progress). One disk is shown
 * at a time: starting a new one ends the previous one. */
cbProgressDisk *cbProgressDiskStart(cbProgress *progress, const char *name);

/* Bytes to process on the disk (may be set after the start). */
void cbProgressDiskSetTotal(cbProgressDisk *disk, guint64 total);

/* @bytes more done (any thread). */
void cbProgressDiskAdd(cbProgressDisk *disk, guint64 bytes);

/* End the disk's display with its summary line, with @note appended
 * (may be NULL). */
void cbProgressDiskEnd(cbProgressDisk *disk, const char *note);

/* A message line that does not disturb the bar (stderr). */
void cbProgressMessage(cbProgress *progress, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* Human-readable size ("1.5 GiB"), caller frees. */
char *cbFormatSize(guint64 bytes);
