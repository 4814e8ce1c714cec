/*
 * cairn-backup-mount.h: `cairn-backup mount` / `umount`: a snapshot's
 * disk as a read-only raw image file under a FUSE mount point (nbdfuse +
 * nbdkit with our plugin).
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "cairn-backup.h"

/* mount REPO SNAPSHOT MOUNTPOINT [--disk vda]: MOUNTPOINT/vda appears,
 * served by a detached nbdfuse; returns once it is readable. */
bool cbCmdMount(const cbOptions *opts, GError **error);

/* umount MOUNTPOINT: fusermount3 -u (nbdfuse and nbdkit then exit). */
bool cbCmdUmount(const cbOptions *opts, GError **error);
