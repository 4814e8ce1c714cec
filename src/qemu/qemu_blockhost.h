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
 *
 * A backup job of a shut-off domain (QEMU_BLOCK_HOST_JOB) runs in a QSD of
 * its own that outlives the process starting it: daemonized (--daemonize,
 * so not a child of anyone), every file disk opened as the domain's QEMU
 * would open it, QMP on ROOT/run/NAME.backup-qsd-qmp, its pid in
 * ROOT/run/NAME.backup-qsd-pid, its start-up errors in
 * ROOT/run/NAME.backup-qsd-log. The job file records pid and socket
 * (qemu_backup_job.h); whoever ends the job stops the daemon. (The
 * suffixes end in no extension of a domain's own files, so they never
 * name another domain's.) While the job runs, every other use of the
 * disks of the shut-off domain is refused (qemuBlockHostCheckFree()).
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>
#include <glib.h>

#include "qemu_domain.h"
#include "qemu_monitor.h"
#include "qemu_monitor_cmd.h"

typedef struct _qemuBlockHost qemuBlockHost;

#define QEMU_BLOCK_HOST_DAEMON_QMP ".backup-qsd-qmp"
#define QEMU_BLOCK_HOST_DAEMON_PID ".backup-qsd-pid"
#define QEMU_BLOCK_HOST_DAEMON_LOG ".backup-qsd-log"

typedef enum {
    /* open the images read-only (queries, SIZE, validation) */
    QEMU_BLOCK_HOST_READ_ONLY = 1 << 0,
    /* shut off: a daemonized QSD for a backup job, over every file disk;
     * stopped when the host is freed unless qemuBlockHostKeep() */
    QEMU_BLOCK_HOST_JOB = 1 << 1,
} qemuBlockHostFlags;

/* The monitor for @obj's disks: its QEMU when running, else a new QSD
 * over the qcow2 disks of the persistent definition (or the job's daemon,
 * see above). Errors: QSD cannot be started (CAIRN_ERR_OPERATION_FAILED
 * with QEMU's message, e.g. a lock held by another process); without
 * QEMU_BLOCK_HOST_JOB, a backup job of the shut-off domain holds the
 * disks (qemuBlockHostCheckFree()). */
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

/* The highest N of the cairn-N-* nodes the disks use (new nodes are
 * numbered after it). */
unsigned int qemuBlockHostNodeIndexes(qemuBlockHost *host);

/* A job's daemon: its pid (0 when there is none) and QMP socket. */
pid_t qemuBlockHostDaemonPid(qemuBlockHost *host);
const char *qemuBlockHostDaemonMonitor(qemuBlockHost *host);

/* Let a job's daemon outlive @host (the job started). */
void qemuBlockHostKeep(qemuBlockHost *host);

/* OPERATION_INVALID "cannot @action: ..." when shut-off @obj has a backup
 * job (whose daemon holds its disks); true otherwise. */
bool qemuBlockHostCheckFree(qemuDriverState *drv,
                            qemuDomainObj *obj,
                            const char *action,
                            GError **error);

/* The files of domain @name's job daemon (each return may be NULL). */
void qemuBlockHostDaemonPaths(
    qemuDriverState *drv, const char *name, char **ret_monitor, char **ret_pidfile, char **ret_log);

/* Whether @pid is still the daemon listening on @monitor. */
bool qemuBlockHostDaemonAlive(pid_t pid, const char *monitor);

/* Connect to the job daemon @pid on @monitor; an error when it is gone. */
qemuMonitor *qemuBlockHostDaemonAttach(pid_t pid, const char *monitor, GError **error);

/* Stop a job daemon: quit over @mon (may be NULL), which writes the
 * persistent bitmaps, then SIGTERM/SIGKILL if it does not exit; @pid 0
 * means the one in @pidfile. Its files are removed (each may be NULL). */
void qemuBlockHostDaemonStop(
    qemuMonitor *mon, pid_t pid, const char *monitor, const char *pidfile, const char *log);

/* A job daemon of domain @name that no job file names (a begin died
 * between starting it and recording it) is stopped and its files go. */
void qemuBlockHostDaemonSweep(qemuDriverState *drv, const char *name);

/* Finish: a QSD is told to quit and waited for (its exit writes the
 * bitmaps); an error when it does not exit cleanly. The host is freed
 * either way. */
bool qemuBlockHostClose(qemuBlockHost *host, GError **error);

/* Free without a clean finish: a QSD still running is terminated by its
 * pid. Accepts NULL. */
void qemuBlockHostFree(qemuBlockHost *host);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(qemuBlockHost, qemuBlockHostFree)
