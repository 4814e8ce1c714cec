/*
 * cairn-backup-live.h: `cairn-backup restore REPO SNAPSHOT --live DOMAIN
 * [--to DIR] [--bandwidth MIB] [--status]`, an instant restore.
 *
 * Each disk of the snapshot is served read-only over NBD by a daemonized
 * nbdkit with our plugin (the serve command's command line), socket and
 * pid file under the private runtime directory DIR/.cairn-live/; a new
 * qcow2 DIR/<disk>.qcow2 gets that export as its backing (header and
 * <backingStore> in the domain XML); the domain is defined with those
 * disks (a shut-off domain of that name is reused, else the snapshot's
 * domain XML is used) and started at once; then cairnDomainBlockPull
 * copies every disk into its image while the guest runs. When every
 * pull has completed the servers are stopped and the runtime directory
 * removed: the images no longer depend on the repository.
 *
 * Before it acts, the command records what it does in
 * DIR/.cairn-live/state (written atomically), and holds
 * DIR/.cairn-live/lock while it runs. Rerunning the same command
 * finishes an interrupted restore: a dead server is restarted on the same
 * socket (the domain's QEMU reconnects), a domain that stopped is started
 * again over its partly filled images (what was copied stays), a pull
 * that ended or failed is begun again. --status reports, without
 * changing anything, which disks still depend on an export and whether
 * its server is alive.
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "cairn-backup.h"

bool cbCmdRestoreLive(const cbOptions *opts, GError **error);
