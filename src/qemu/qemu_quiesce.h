/*
 * qemu_quiesce.h: freezing a running guest's filesystems through its guest
 * agent around one step (checkpoint create, backup start), crash-proof.
 *
 *   ROOT/run/NAME.frozen   (written atomically before the freeze is sent,
 *                           removed after the thaw; its text is "frozen")
 *
 * A process killed between the two leaves the guest frozen and the record
 * behind; qemuCallBegin() runs qemuQuiesceRecover(), so the next ordinary
 * call on the domain thaws it. While the freezing process lives, the
 * agent's watchdog (qemu_agent.h) bounds the frozen time.
 *
 * Errors of qemuQuiesceFreeze(), as libvirt's quiesced snapshots give them:
 *   domain not running:      CAIRN_ERR_OPERATION_INVALID "domain is not running"
 *   no agent <channel>:      CAIRN_ERR_ARGUMENT_UNSUPPORTED
 *                            "QEMU guest agent is not configured"
 *   no agent in the guest (its port is not open):
 *                            CAIRN_ERR_AGENT_UNRESPONSIVE
 *                            "QEMU guest agent is not connected"
 *   no answer in time:       CAIRN_ERR_AGENT_UNRESPONSIVE
 *                            "Guest agent not available for now"
 *   the freeze failed:       CAIRN_ERR_OPERATION_FAILED
 *                            "unable to execute QEMU agent command ..."
 * and the guest is thawed whenever the freeze was sent.
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "qemu_domain.h"
#include "qemu_monitor.h"

typedef struct _qemuQuiesce qemuQuiesce;

/* The checks that need no QEMU: running, an agent channel configured.
 * For calls that want to fail before they create anything. */
bool qemuQuiescePrecheck(qemuDomainObj *obj, GError **error);

/* Check that @obj's agent is usable (@mon: its QEMU's monitor), record,
 * freeze. The caller holds the domain's lock. */
qemuQuiesce *
qemuQuiesceFreeze(qemuDriverState *drv, qemuDomainObj *obj, qemuMonitor *mon, GError **error);

/* Thaw, drop the record, free @q (also on failure). Fails when the thaw
 * fails or the watchdog had to thaw first. Accepts NULL (true). */
bool qemuQuiesceThaw(qemuQuiesce *q, GError **error);

/* A record left behind: thaw the guest (when it runs) and drop it. A thaw
 * that fails keeps the record for the next call and is logged, not
 * returned: a dead agent must not block the domain's other calls. */
void qemuQuiesceRecover(qemuDriverState *drv, qemuDomainObj *obj);

/* The socket of @def's guest agent channel (caller frees); NULL without. */
char *qemuQuiesceAgentPath(qemuDriverState *drv, const char *name, const cairnDomainDef *def);
