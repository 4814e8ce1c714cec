/*
 * qemu_agent.h: the QEMU guest agent client (qemu-ga over the
 * org.qemu.guest_agent.0 virtio-serial channel). The only place guest
 * agent commands are built, as qemu_monitor_cmd.c is for QMP.
 *
 * The protocol is QMP without greeting or events: one JSON object per
 * request, one per reply, each ending in a newline. The channel keeps what
 * a previous client left (a late reply to a command that timed out, half a
 * request), so every command is preceded by a handshake: the client sends a
 * 0xFF byte (the agent's parser drops whatever partial input it holds),
 * then guest-sync-delimited with a random id; the agent answers with a
 * 0xFF byte and then {"return": id}. Everything before that 0xFF, and any
 * reply with another id, is stale and discarded.
 *
 * Calls are synchronous and every one has a deadline (the handshake
 * QEMU_AGENT_SYNC_TIMEOUT_MS, a command QEMU_AGENT_COMMAND_TIMEOUT_MS;
 * tests shorten them). Errors (from CAIRN_FROM_QEMU), as libvirt words them:
 *   no answer in time:   CAIRN_ERR_AGENT_UNRESPONSIVE
 *                        "Guest agent not available for now"
 *   connection closed:   CAIRN_ERR_AGENT_UNRESPONSIVE
 *                        "Guest agent disappeared while executing command"
 *   an error reply:      CAIRN_ERR_OPERATION_FAILED
 *                        "unable to execute QEMU agent command 'CMD': DESC"
 *   a reply that is not JSON or has an unexpected form:
 *                        CAIRN_ERR_INTERNAL_ERROR
 *
 * Frozen guests. qemuAgentFSFreeze() never leaves a guest frozen behind an
 * error: any failure after the freeze was sent (an error reply, a timeout,
 * a broken reply) is followed by a thaw. After a successful freeze a
 * watchdog thread thaws the guest once @max_frozen_ms have passed, even if
 * the caller is stuck elsewhere (in a QMP call, say); qemuAgentFSThaw()
 * disarms it, and fails (CAIRN_ERR_OPERATION_FAILED) when the watchdog had
 * to thaw first: the work done while frozen was not all covered by the
 * freeze. qemuAgentClose() of a frozen agent thaws too. A process killed
 * while the guest is frozen leaves that to the record of qemu_quiesce.h.
 *
 * Threading: one thread uses an agent; the watchdog shares its connection
 * under the agent's lock.
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

#define QEMU_AGENT_SYNC_TIMEOUT_MS 5000
#define QEMU_AGENT_COMMAND_TIMEOUT_MS 60000
/* The longest a guest stays frozen before the watchdog thaws it. */
#define QEMU_AGENT_FROZEN_MAX_MS 60000

typedef struct _qemuAgent qemuAgent;

/* Connect to the agent's chardev socket at @path (waiting at most
 * @timeout_ms). Connecting says nothing about the agent in the guest: the
 * first command's handshake does. */
qemuAgent *qemuAgentOpen(const char *path, int timeout_ms, GError **error);

/* The same on a connected socket @fd (taken over). For tests. */
qemuAgent *qemuAgentOpenFd(int fd);

/* Thaw first when the guest is frozen by this agent (errors logged), stop
 * the watchdog, disconnect, free. Accepts NULL. */
void qemuAgentClose(qemuAgent *agent);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(qemuAgent, qemuAgentClose)

/* Deadlines of the handshake and of a command, in ms (> 0). */
void qemuAgentSetTimeouts(qemuAgent *agent, int sync_ms, int command_ms);

/* guest-sync-delimited handshake alone (as a ping). */
bool qemuAgentSync(qemuAgent *agent, GError **error);

/* guest-fsfreeze-freeze: the number of filesystems frozen (>= 0), and the
 * watchdog armed for @max_frozen_ms; -1 on error, the guest thawed. */
int qemuAgentFSFreeze(qemuAgent *agent, int max_frozen_ms, GError **error);

/* guest-fsfreeze-thaw, the watchdog disarmed: the number of filesystems
 * thawed, or -1 (also when the watchdog thawed first; see above). */
int qemuAgentFSThaw(qemuAgent *agent, GError **error);

/* guest-fsfreeze-status: *@ret_frozen is true for "frozen". */
bool qemuAgentFSStatus(qemuAgent *agent, bool *ret_frozen, GError **error);

/* Whether the watchdog thawed the guest since the last freeze. */
bool qemuAgentWatchdogFired(qemuAgent *agent);
