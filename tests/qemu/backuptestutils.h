/*
 * backuptestutils.h: helpers of the real-QEMU backup tests.
 *
 * Content is always checked independently of Cairn: images with qemu-img
 * (compare, map), exports with libnbd's tools (nbdinfo, nbdcopy), QEMU's
 * state through the QMP passthrough (query-named-block-nodes, query-jobs,
 * query-block-exports).
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>
#include <glib.h>
#include <json-glib/json-glib.h>

#include <cairn/cairn.h>

#include "checkpointtestutils.h"

/* chkTestSetup() and remember the root. */
const char *bkTestSetup(const char *testname);

/* Write @len bytes of @pattern at @offset through the guest disk @alias
 * ("virtio-disk0" for vda) with HMP qemu-io; then flush. */
void bkTestWrite(cairnDomainPtr dom, const char *alias, int pattern, guint64 offset, guint64 len);

/* QMP passthrough, returning the "return" member (new reference). */
JsonNode *bkTestQMP(cairnDomainPtr dom, const char *cmd);

/* query-named-block-nodes (flat) of @dom's QEMU: the array node (new
 * reference). */
JsonNode *bkTestNodes(cairnDomainPtr dom);

/* The first node of @nodes (bkTestNodes()) whose node-name ends in
 * @suffix ("-cbw", "cairn-1-data"), borrowed from @nodes; NULL if none. */
JsonObject *bkTestFindNode(JsonNode *nodes, const char *suffix);

/* The block node of @dom that opened file @path (its "file" member),
 * of driver @drv unless NULL; NULL when there is none. A new reference. */
JsonObject *bkTestLookupNodeOfFile(cairnDomainPtr dom, const char *path, const char *drv);

/* The same, any driver; fails the test when there is none. */
JsonObject *bkTestNodeOfFile(cairnDomainPtr dom, const char *path);

/* Begin a backup; fails the test on error. */
void bkTestBegin(cairnDomainPtr dom, const char *xml, const char *chkxml, unsigned int flags);

/* Poll job stats (which reconciles) until no job runs, at most
 * @timeout_s; returns the completed job's type (and keeps it). */
int bkTestWaitDone(cairnDomainPtr dom, int timeout_s);

/* The completed job's stats (KEEP_COMPLETED): type and, when asked for,
 * its "success" and "errmsg" (caller frees). */
int bkTestCompleted(cairnDomainPtr dom, bool *ret_success, char **ret_errmsg);

/* Allocated extents of @image at depth 0 (its own clusters), as
 * "start+len,start+len" with adjacent extents merged. */
char *bkTestMapOwn(const char *image);

/* qemu-img compare @a @b (formats probed; -U); true if identical. */
bool bkTestCompare(const char *a, const char *b);

/* Copy @src to @dst with qemu-img convert (-U), to qcow2. */
void bkTestCopy(const char *src, const char *dst);

/* Nothing of a backup left in QEMU or on disk: no node beyond the
 * domain's own @ndisks disk nodes and their backing layers (names
 * cairn-N-* with N > @ndisks), no job, no bitmap named backup-*, no
 * export, and none of the NULL-terminated @files exists. */
void bkTestExpectClean(cairnDomainPtr dom, guint ndisks, const char *const *files);

/* Number of QEMU jobs. */
guint bkTestCountJobs(cairnDomainPtr dom);

/* Run @argv and return its stdout (fails the test unless it exits 0). */
char *bkTestOutput(const char *const *argv);

/* The typed-param @name of the running job's stats (0 when absent);
 * *@ret_type gets the job type. */
guint64 bkTestStat(cairnDomainPtr dom, const char *name, int *ret_type);

/* Write ROOT/etc/backup.conf with @speed bytes/s (0 removes it). */
void bkTestSetSpeed(guint64 speed);

/* Set the speed of the running job @job_id through QMP. */
void bkTestJobSpeed(cairnDomainPtr dom, const char *job_id, guint64 speed);

/* The extents nbdinfo --map=@context reports as dirty on @uri (type bit
 * 0 set), adjacent ones merged, as "start+len,...". */
char *bkTestDirtyMap(const char *uri, const char *context);

/* ---- backups of a shut-off domain (run by a qemu-storage-daemon) ---- */

/* qemu-io -c @cmd on @image (the image must be free), e.g.
 * "write -P 0x5a 0 1M". */
void bkTestQemuIo(const char *image, const char *cmd);

/* The live (not zombie) qemu-storage-daemon running the backup of
 * shut-off domain @name (its command line names
 * ROOT/run/NAME.backup-qsd-qmp), or 0. */
pid_t bkTestDaemonPid(const char *name);

/* QMP @cmd on that daemon, as a client of its own (Cairn must not be
 * talking to it meanwhile); the "return" member (new reference). */
JsonNode *bkTestDaemonQMP(const char *name, const char *cmd);

/* Nothing of an offline backup of @name is left: no storage daemon, no
 * ROOT/run/NAME.backup-* file (job, daemon socket, pidfile, log), and
 * none of the NULL-terminated @files exists. */
void bkTestExpectOfflineClean(const char *name, const char *const *files);
