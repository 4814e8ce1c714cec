/*
 * qemu_blockhost.h: a QMP monitor in front of a domain's disks, running
 * or shut off.
 *
 * Checkpoint work is QMP on the disks' format nodes. A running domain's
 * QEMU provides them. For a shut-off domain, Cairn starts a
 * qemu-storage-daemon (QSD) with its QMP monitor on one end of a socket
 * pair, opens the domain's qcow2 disks in it as block nodes (blockdev-add,
 * one node at a time: a failure leaves the nodes opened before to a clean
 * close), runs the very same QMP, and quits it, which writes the
 * persistent bitmaps back into the images. So the offline results (and the metadata built from
 * them) are those of the running case. QEMU's image locking is kept: an
 * image another process uses cannot be opened, and the call fails with
 * QEMU's own message, having changed nothing.
 *
 * The caller holds the domain's lock file throughout, so the domain cannot
 * be started meanwhile (and a QEMU started by hand would hit the image
 * lock).
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "qemu_domain.h"
#include "qemu_monitor.h"
#include "qemu_monitor_cmd.h"

typedef struct _qemuBlockHost qemuBlockHost;

typedef enum {
    /* open the images read-only (queries, SIZE, validation) */
    QEMU_BLOCK_HOST_READ_ONLY = 1 << 0,
} qemuBlockHostFlags;

/* The monitor for @obj's disks: its QEMU when running, else a new QSD
 * over the qcow2 disks of the persistent definition. Errors: QSD cannot be
 * started (CAIRN_ERR_OPERATION_FAILED with QEMU's message, e.g. a lock
 * held by another process). */
qemuBlockHost *
qemuBlockHostOpen(qemuDriverState *drv, qemuDomainObj *obj, unsigned int flags, GError **error);

qemuMonitor *qemuBlockHostMonitor(qemuBlockHost *host);

/* The format node of the top image of disk @dst, or NULL when the disk
 * has no node (absent, no media, or not opened offline). */
const char *qemuBlockHostTopNode(qemuBlockHost *host, const char *dst);

/* The backing layers of disk @dst opened as nodes of their own
 * (qemuBlockLayer*, from the top's backing image down; borrowed), or NULL
 * when QEMU opened the disk's backing chain itself. */
GPtrArray *qemuBlockHostLayers(qemuBlockHost *host, const char *dst);

/* Run @tr; when it touches backing layers, @lower (their format node
 * names) are first reopened read-write with blockdev-reopen and reopened
 * read-only afterwards, whether or not @tr succeeded. Errors: a layer not
 * opened as its own node (CAIRN_ERR_OPERATION_UNSUPPORTED), or QEMU's. */
bool qemuBlockHostTransaction(qemuBlockHost *host,
                              qemuMonitorTransaction *tr,
                              GPtrArray *lower,
                              GError **error);

/* True when the nodes belong to a storage daemon (domain shut off). */
bool qemuBlockHostIsOffline(qemuBlockHost *host);

/* Finish: a QSD is told to quit and waited for (its exit writes the
 * bitmaps); an error when it does not exit cleanly. The host is freed
 * either way. */
bool qemuBlockHostClose(qemuBlockHost *host, GError **error);

/* Free without a clean finish: a QSD still running is terminated by its
 * pid. Accepts NULL. */
void qemuBlockHostFree(qemuBlockHost *host);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(qemuBlockHost, qemuBlockHostFree)
