/*
 * cairn-backup-live-parts.h: the pieces of a live restore
 * (cairn-backup-live.h): one disk's server, image and XML.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>
#include <glib.h>

#include "cairn-backup.h"

typedef struct {
    char *disk;    /* "vda" */
    guint64 size;  /* bytes */
    char *image;   /* DIR/<disk>.qcow2 */
    char *socket;  /* DIR/.cairn-live/<disk>.sock */
    char *pidfile; /* DIR/.cairn-live/<disk>.pid */
    bool done;     /* the image has no backing */
    guint64 cur;   /* pull progress */
    guint64 end;
    int shown; /* last percentage shown; -1 none */
    /* The runs of all-zero chunks of the snapshot's disk: pairs of guint64
     * offset, length. Marked as zero clusters in a new image, so the copy
     * (block-stream copies what the top image lacks) skips them. */
    GArray *zeros;
} cbLiveDisk;

void cbLiveDiskFree(cbLiveDisk *d);

/* The NBD URI of @d's export: nbd+unix:///<disk>?socket=<socket>. */
char *cbLiveDiskURI(const cbLiveDisk *d);

/* The pid of @d's running server, or 0 when it is not running (a pid file
 * naming another process does not count). */
pid_t cbLiveServerPid(const cbLiveDisk *d);

/* Start @d's server without waiting for it: *@ret_pid is nbdkit's
 * parent (which exits once the child listens), *@ret_err its stderr. */
bool cbLiveServerSpawn(const cbOptions *opts,
                       const char *repo,
                       const char *id,
                       cbLiveDisk *d,
                       GPid *ret_pid,
                       int *ret_err,
                       GError **error);

/* Wait for a server spawned so until its socket accepts connections. */
bool cbLiveServerWait(cbLiveDisk *d, GPid pid, int errfd, GError **error);

/* Start @d's server (nbdkit, daemonized) for snapshot @id of repository
 * @repo on @d->socket; returns once the socket accepts connections. */
bool cbLiveServerStart(
    const cbOptions *opts, const char *repo, const char *id, cbLiveDisk *d, GError **error);

/* Stop @d's server (SIGTERM, then SIGKILL) and remove its files. */
void cbLiveServerStop(cbLiveDisk *d);

/* The backing-file string of @image ("" when it has none), from
 * `qemu-img info` (which does not open the backing). */
char *cbLiveImageBacking(const char *image, GError **error);

/* Create the temporary image of @d (*@ret_temp, beside @d->image) with
 * @d's export as its raw backing, without opening the export. */
bool cbLiveImageCreate(cbLiveDisk *d, char **ret_temp, GError **error);

/* Mark @d->zeros as zero clusters in @temp (with qemu-io, which opens the
 * backing: the server must run), then rename @temp to @d->image. */
bool cbLiveImageCommit(cbLiveDisk *d, const char *temp, GError **error);

/* @xml (a domain's, or the snapshot's) with every disk of @disks (cbLiveDisk*)
 * pointed at its image, its export as <backingStore> unless done; @name
 * replaces the name and the UUID is dropped when @rename. */
char *
cbLiveDomainXML(const char *xml, GPtrArray *disks, const char *name, bool rename, GError **error);

/* Whether disk @target of domain XML @xml has a <backingStore>; a disk
 * not in @xml has none. */
bool cbLiveXMLHasBacking(const char *xml, const char *target);

/* Whether the disk @target of @xml uses @image as its source. */
bool cbLiveXMLUsesImage(const char *xml, const char *target, const char *image);
