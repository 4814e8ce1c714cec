/*
 * cairn-backup-serve.h: serving one disk of a snapshot over NBD with
 * nbdkit and the cairn plugin (tools/nbdkit-cairn-plugin.c).
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "cairn-backup.h"
#include "repo.h"

/* The path of the nbdkit plugin: $CAIRN_BACKUP_NBDKIT_PLUGIN, else the
 * one beside this executable (a build tree), else the installed one.
 * Newly allocated; an error when none exists. */
char *cbServePluginPath(GError **error);

/* Check that snapshot @id of the repository @path has disk @disk (with
 * key file @key, may be NULL): the errors a user should see before
 * nbdkit starts. */
bool
cbServeCheck(const char *path, const char *key, const char *id, const char *disk, GError **error);

/* The nbdkit command line serving disk @disk of snapshot @id read-only
 * in the foreground on the Unix socket @socket_path (or on TCP @tcp,
 * "HOST:PORT" or "PORT", when @socket_path is NULL), with the TLS options
 * of @opts. A NULL-terminated vector (free with g_strfreev()). */
char **cbServeArgv(const cbOptions *opts,
                   const char *path,
                   const char *id,
                   const char *disk,
                   const char *socket_path,
                   const char *tcp,
                   GError **error);

/* cairn-backup serve REPO SNAPSHOT --disk D (--socket PATH | --tcp
 * [HOST:]PORT) [--tls ...]: replaces this process with nbdkit. */
bool cbCmdServe(const cbOptions *opts, GError **error);
