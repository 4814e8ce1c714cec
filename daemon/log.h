/*
 * log.h: the daemon's log: GLib structured logging, filtered by level,
 * written to the journal when stderr is connected to it, else to stderr
 * (or to a file once daemonized).
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

/* Install the writer; messages above @level (a GLogLevelFlags bit such as
 * G_LOG_LEVEL_INFO) are dropped. */
void cairndLogInit(GLogLevelFlags level);

/* Parse "error", "warning", "info" or "debug". */
bool cairndLogParseLevel(const char *name, GLogLevelFlags *ret_level);
