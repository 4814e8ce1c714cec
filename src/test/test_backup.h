/*
 * test_backup.h: what tests may do to the test driver's simulated backups.
 *
 * A push backup of the test driver copies, per participating disk,
 * TEST_BACKUP_FULL_BYTES (full) or TEST_BACKUP_INCREMENTAL_BYTES
 * (incremental) linearly over TEST_BACKUP_DURATION_MS of the simulated
 * clock, then completes; a pull backup runs until aborted, its scratch use
 * growing by TEST_BACKUP_TEMP_RATE bytes per ms. The clock is the
 * monotonic clock, or with CAIRN_TEST_CLOCK_STEP_MS=N a fake one that
 * starts at 0 and advances N ms on every reading, or one a test installs
 * with testBackupSetClock(). The simulation advances when the driver is
 * called for the domain (job stats, XML, abort, begin) and, unless a test
 * clock is installed, from a timer on the main loop, so that the events
 * fire without polling.
 */
#pragma once

#include <glib.h>

#include "datatypes.h"

#define TEST_BACKUP_DURATION_MS 1000
#define TEST_BACKUP_FULL_BYTES (1024ULL * 1024 * 1024)
#define TEST_BACKUP_INCREMENTAL_BYTES (128ULL * 1024 * 1024)
#define TEST_BACKUP_TEMP_RATE (64ULL * 1024)

/* Install @now (ms, never decreasing) as @conn's simulated clock; NULL
 * restores the default. @conn must be a test:///default connection. */
void testBackupSetClock(cairnConnect *conn, gint64 (*now)(void *opaque), void *opaque);

/* Advance every running backup of @conn to the clock's present: progress,
 * completion, events. */
void testBackupTick(cairnConnect *conn);
