/*
 * cairn-backup-files.h: `cairn-backup ls` / `cat`: files of an ext2/3/4
 * filesystem on a snapshot's disk, read from the repository with
 * libext2fs, no mount.
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "cairn-backup.h"

/* ls REPO SNAPSHOT [PATH] [--disk vda]: the entries of directory PATH
 * (default /), sorted, directories with a trailing '/'; a file: its path. */
bool cbCmdLs(const cbOptions *opts, GError **error);

/* cat REPO SNAPSHOT PATH [--disk vda]: the file's bytes on stdout. */
bool cbCmdCat(const cbOptions *opts, GError **error);
