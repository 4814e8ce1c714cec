/*
 * qmptestutils.h: QMP conversations for tests.
 *
 * A conversation file (tests/data/qmp/NAME.qmp) is a list of entries:
 *
 *   # comment                 ignored (also blank lines)
 *   <<< JSON                  a message QEMU sends (the first one is the greeting)
 *   >>> JSON                  a command Cairn must send (compared as JSON, "id" ignored)
 *   !!! DIRECTIVE             an action of the fake peer:
 *        eof                    close the connection
 *        split N                write the next <<< message in chunks of N bytes,
 *                               pausing between them
 *        oversize N             send one {"return": "xxx..."} line of N bytes
 *
 * A JSON text may continue on the following lines (pretty-printed). The
 * "id" of a <<< message is rewritten to the id Cairn actually used for the
 * >>> command that carried that id in the file, so recorded files stay
 * valid if ids are numbered differently. Consecutive <<< messages are
 * written with one write(), so the client sees several messages in one
 * read. When the file ends the peer waits for the client to close; any
 * further command is an error.
 */
#pragma once

#include <stdbool.h>
#include <glib.h>
#include <json-glib/json-glib.h>

typedef enum {
    QMP_TEST_STEP_REPLY = 0, /* <<< */
    QMP_TEST_STEP_EXPECT,    /* >>> */
    QMP_TEST_STEP_DIRECTIVE, /* !!! */
} qmpTestStepKind;

typedef struct {
    qmpTestStepKind kind;
    char *text;
    int line;
} qmpTestStep;

/* Parse a conversation file: array of qmpTestStep (owns them). */
GPtrArray *qmpTestScriptLoad(const char *path, GError **error);

/* Parse one JSON text into an object node, or NULL with @error. */
JsonNode *qmpTestParseObject(const char *text, GError **error);

/* ---- fake QEMU -------------------------------------------------------- */

typedef struct _qmpTestPeer qmpTestPeer;

/* Start a thread that plays @script (borrowed; must outlive the peer) on
 * one end of a socketpair; *@ret_fd is the other end for the client. */
qmpTestPeer *qmpTestPeerStart(GPtrArray *script, int *ret_fd, GError **error);

/* Wait for the peer to finish (the client must have closed its end, or
 * the script ended in eof) and free it. False with @error describing the
 * first difference from the script. */
bool qmpTestPeerFinish(qmpTestPeer *peer, GError **error);

/* ---- recording real QEMU ---------------------------------------------- */

typedef struct _qmpTestRecorder qmpTestRecorder;

/* Relay between the QMP socket @qemu_fd (taken) and a new socketpair
 * whose client end is *@ret_fd, recording every message. Arrays in
 * "return" values longer than @trim_arrays (0: no limit) are cut to that
 * length in the transcript. */
qmpTestRecorder *qmpTestRecorderStart(int qemu_fd, int trim_arrays, int *ret_fd, GError **error);

/* Wait until the client closed its end (or QEMU its), free the recorder
 * and return the conversation in the file format above. */
char *qmpTestRecorderFinish(qmpTestRecorder *rec);

/* ---- schema ----------------------------------------------------------- */

typedef struct _qmpTestSchema qmpTestSchema;

qmpTestSchema *qmpTestSchemaLoad(const char *path, GError **error);

/* The conversation files (*.qmp) of @dir, full paths sorted by name; the
 * test aborts when @dir cannot be read. */
GPtrArray *qmpTestListConversations(const char *dir);
void qmpTestSchemaFree(qmpTestSchema *schema);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(qmpTestSchema, qmpTestSchemaFree)

/* Check the command message @msg ({"execute": ..., "arguments": ...})
 * against the schema: the command exists, every argument member is known,
 * every required member is present, and every value has the right type
 * (recursively, through unions, alternates, arrays and enums). */
bool qmpTestSchemaCheckCommand(qmpTestSchema *schema, JsonObject *msg, GError **error);

/* ---- a real QEMU ------------------------------------------------------ */

typedef struct _qmpTestQemu qmpTestQemu;

/* The QEMU binary (QEMU env var or qemu-system-x86_64 in PATH) or NULL. */
char *qmpTestQemuFind(void);

/* Start @binary with no machine and a QMP socket @workdir/qmp.sock that
 * is bound and listening before QEMU starts (so connecting never races
 * QEMU's start-up). QEMU runs in @workdir (relative image paths resolve
 * there) with stderr in @workdir/qemu.log, and dies with the test. */
qmpTestQemu *qmpTestQemuStart(const char *binary, const char *workdir, GError **error);
const char *qmpTestQemuSocketPath(qmpTestQemu *qemu);

/* Connect to the QMP socket: a connected fd, or -1 with @error. */
int qmpTestQemuConnect(qmpTestQemu *qemu, GError **error);

/* Wait up to @timeout_ms for QEMU to exit by itself; true if it did. */
bool qmpTestQemuWaitExit(qmpTestQemu *qemu, int timeout_ms);

/* Kill QEMU by its PID (SIGKILL) unless it exited, reap it, free. */
void qmpTestQemuStop(qmpTestQemu *qemu);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(qmpTestQemu, qmpTestQemuStop)

/* Run qemu-img with @argv (NULL-terminated, without the program) in
 * @workdir. */
bool qmpTestQemuImg(const char *workdir, const char *const *argv, GError **error);
