/*
 * qemu_block_nbd.h: disk layers served over NBD, and the backing-file
 * string of a qcow2 image read from its header.
 *
 * A layer whose file is an NBD URI (nbd+unix:///EXPORT?socket=PATH, see
 * conf/domain_conf_backing.h) is opened as an "nbd" blockdev node,
 * read-only, with reconnect-delay: when the server dies, requests wait
 * that long for a new server on the same socket before they fail, so a
 * restarted server is picked up by the running QEMU. Its format node
 * (raw, usually) sits above it as for any other layer.
 *
 * The chain of an image whose backing is an NBD export is read from the
 * qcow2 header rather than with qemu-img, which would connect to the
 * server (and fail while it is down).
 */
#pragma once

#include <stdbool.h>
#include <glib.h>
#include <json-glib/json-glib.h>

#include "conf/domain_conf.h"

/* Seconds an NBD node waits for its server to come back. */
#define QEMU_BLOCK_NBD_RECONNECT_DELAY 30

/* The backing-file string of qcow2 image @path and its format (from the
 * header extension; NULL when not recorded). Both NULL for an image
 * without backing or that is not qcow2. Errors: @path cannot be read
 * (CAIRN_ERR_OPERATION_FAILED). */
bool
qemuBlockNBDReadBacking(const char *path, char **ret_backing, char **ret_format, GError **error);

/* The file node of the NBD URI @uri: {"driver": "nbd", "server": {"type":
 * "unix", "path": ...}, "export": ..., "reconnect-delay": ...}; NULL when
 * @uri is not an nbd+unix URI. */
JsonObject *qemuBlockNBDStorageProps(const char *uri, const char *node);

/* Give each disk of the live definition @def whose probed chain in
 * @chains (qemuBlockProbeDisks()) starts with an NBD layer that layer as
 * its <backingStore>, so the live XML shows what the disk depends on. */
void qemuBlockNBDNoteBacking(cairnDomainDef *def, GHashTable *chains);
