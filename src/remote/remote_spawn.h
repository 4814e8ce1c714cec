/*
 * remote_spawn.h: starting the per-user daemon on demand.
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

/* Start "cairnd --session --daemonize" ($CAIRND_PATH, else the installed
 * daemon) and wait until it listens (or another instance, started at the
 * same time, does). @socket_path is where it will listen. */
bool remoteSpawnSessionDaemon(const char *socket_path, GError **error);
