/*
 * qemu_monitor_priv.h: monitor internals for the QMP unit tests and the
 * QMP fuzzer (tests/fuzz/fuzz-qmp.c); the driver uses qemu_monitor.h and
 * qemu_monitor_cmd.h only.
 */
#pragma once

#include "qemu_monitor.h"
#include "qemu_monitor_cmd.h"

/* ---- the reader without a socket -------------------------------------- */

/* A monitor with no socket, attached to @ctx (NULL: a new private
 * context): it gets its input from qemuMonitorFeedInput(), and the
 * commands started on it are kept, unsent, until it is closed. It has
 * seen no greeting; qemuMonitorClose() frees it. */
qemuMonitor *qemuMonitorNewDetached(GMainContext *ctx);

/* Hand @len bytes (borrowed) to the monitor as if one read of its socket
 * returned them, or, when @len is 0, end its input as a closed socket
 * does. The socket read path uses the same code: the bytes join the input
 * buffer, every complete message is handled (replies complete their
 * commands, events reach the handler and the waiters), and the size
 * limit applies to what stays buffered. Nothing happens once the monitor
 * is disconnected. */
void qemuMonitorFeedInput(qemuMonitor *mon, const void *data, gsize len);

/* ---- reply decoders --------------------------------------------------- */

/* The typed wrappers of qemu_monitor_cmd.h decode the "return" value of
 * their command with these; @reply is borrowed. Each fails with
 * CAIRN_ERR_INTERNAL_ERROR ("QEMU command 'CMD' returned malformed data:
 * ...") when @reply does not have the shape QEMU's schema gives, and sets
 * its outputs only on success. */
bool
qemuMonitorParseQueryStatus(JsonNode *reply, bool *ret_running, char **ret_status, GError **error);
bool qemuMonitorParseQueryVersion(JsonNode *reply,
                                  int *ret_major,
                                  int *ret_minor,
                                  int *ret_micro,
                                  char **ret_package,
                                  GError **error);
char *qemuMonitorParseHumanCommand(JsonNode *reply, GError **error);
bool qemuMonitorParseQueryQmpSchema(JsonNode *reply, GError **error);
GPtrArray *qemuMonitorParseQueryBlock(JsonNode *reply, GError **error);
GPtrArray *qemuMonitorParseNamedBlockNodes(JsonNode *reply, GError **error);
GPtrArray *qemuMonitorParseQueryJobs(JsonNode *reply, GError **error);
