/*
 * fuzz-daemon.c: fuzz target for the daemon protocol, fed what a peer
 * could write on a call channel (ConnectOpenChannel).
 *
 * An input is the byte stream of one channel. It is read back with
 * remoteStreamRead(), as the channel's thread of cairnd does, message by
 * message until an error or EOF; each message goes to
 * cairndDispatchMessage() for a peer (a detached cairndClient of an
 * in-process daemon serving the test driver), then the main context runs
 * what the call left due (events). When the first message is a call of
 * ConnectOpen, the peer starts without a driver connection, so that call
 * opens it (read-only with flags 1: how inputs reach OPERATION_DENIED);
 * otherwise the peer starts with test:///default open read-write, as the
 * remote driver's peers do.
 *
 * Invariants (abort on failure): the reader fails only with a G_IO_ERROR;
 * a method call gets an answer unless it says NO_REPLY_EXPECTED, anything
 * else gets none; an answer is a METHOD_RETURN or an ERROR whose reply
 * serial is the call's serial; an ERROR's name is D-Bus's own
 * (org.freedesktop.DBus.Error.*) or one that the client's decoder
 * (remoteErrorFromDBus()) turns back into a Cairn error of the same name
 * and message; every answer serializes with g_dbus_message_to_blob(); no
 * GLib warning or critical; no leak (LeakSanitizer). The process works in
 * a scratch directory (cwd and TMPDIR), which must be empty at exit: no
 * input makes the daemon write a file.
 */
#define _GNU_SOURCE /* memfd_create() */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "cairn/cairn.h"
#include "client.h"
#include "dispatch.h"
#include "fuzz.h"
#include "remote/remote_error.h"
#include "remote/remote_protocol.h"
#include "remote/remote_stream.h"
#include "util/cairnerror.h"

#define FUZZ_DBUS_ERROR_PREFIX "org.freedesktop.DBus.Error."

static cairndDaemon fuzzDaemon;
static char *fuzzScratch;


static void
fuzzCheck(bool cond, const char *what, const char *detail)
{
    if (cond)
        return;
    fprintf(stderr, "fuzz-daemon: broken invariant: %s\n%s\n", what, detail ? detail : "");
    abort();
}


/* At exit: the scratch directory must be empty (rmdir fails otherwise). */
static void
fuzzScratchRemove(void)
{
    if (chdir("/") < 0 || g_rmdir(fuzzScratch) < 0) {
        fprintf(stderr, "fuzz-daemon: the daemon left files in %s\n", fuzzScratch);
        abort();
    }
    g_free(fuzzScratch);
}


/* GLib's writer, then abort() on a warning or worse: libFuzzer keeps the
 * input of an abort, not of the SIGTRAP that G_DEBUG=fatal-warnings
 * raises. */
static GLogWriterOutput
fuzzLogWriter(GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer opaque)
{
    GLogWriterOutput ret = g_log_writer_default(level, fields, n_fields, opaque);

    if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
        abort();
    return ret;
}


/* Once per process: the daemon, a scratch directory as cwd and TMPDIR,
 * warnings fatal even outside meson test. */
static void
fuzzInit(void)
{
    static gsize done;
    g_autoptr(GError) err = NULL;

    if (!g_once_init_enter(&done))
        return;
    g_log_set_writer_func(fuzzLogWriter, NULL, NULL);
    if (!(fuzzScratch = g_dir_make_tmp("cairn-fuzz-daemon-XXXXXX", &err)) ||
        chdir(fuzzScratch) < 0) {
        fprintf(stderr, "fuzz-daemon: no scratch directory: %s\n",
                err ? err->message : g_strerror(errno));
        abort();
    }
    g_setenv("TMPDIR", fuzzScratch, TRUE);
    atexit(fuzzScratchRemove);
    cairndDaemonInit(&fuzzDaemon);
    cairndDaemonServeTest(&fuzzDaemon);
    fuzzCheck(cairndDispatchCheckTable(&err), "the dispatch table", err ? err->message : NULL);
    g_once_init_leave(&done, 1);
}


/* Before the first message: open the test driver read-write for @client
 * unless @first calls ConnectOpen itself. */
static void
fuzzStartPeer(cairndClient *client, GDBusMessage *first)
{
    g_autoptr(GError) err = NULL;

    if (g_dbus_message_get_message_type(first) == G_DBUS_MESSAGE_TYPE_METHOD_CALL &&
        g_strcmp0(g_dbus_message_get_member(first), "ConnectOpen") == 0)
        return;
    fuzzCheck(cairndClientOpen(client, fuzzDaemon.public_uri, 0, &err), "opening the test driver",
              err ? err->message : NULL);
}


/* A read-only fd holding @data, positioned at its start, or abort. */
static int
fuzzInputFd(const uint8_t *data, size_t size)
{
    int fd = memfd_create("fuzz-daemon", MFD_CLOEXEC);
    size_t done = 0;

    fuzzCheck(fd >= 0, "memfd_create", g_strerror(errno));
    while (done < size) {
        ssize_t n = write(fd, data + done, size - done);

        fuzzCheck(n > 0, "writing the input", g_strerror(errno));
        done += (size_t)n;
    }
    fuzzCheck(lseek(fd, 0, SEEK_SET) == 0, "rewinding the input", g_strerror(errno));
    return fd;
}


/* An ERROR answer of ours must decode, on the client's side, to the Cairn
 * error it was made from. */
static void
fuzzCheckErrorName(GDBusMessage *answer, const char *method)
{
    const char *name = g_dbus_message_get_error_name(answer);
    g_autoptr(GError) dbus_err = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *back = NULL;
    GVariant *body = g_dbus_message_get_body(answer);
    const char *text = NULL;

    fuzzCheck(name != NULL, "an ERROR without a name", method);
    if (g_str_has_prefix(name, FUZZ_DBUS_ERROR_PREFIX))
        return;
    fuzzCheck(g_str_has_prefix(name, CAIRN_REMOTE_ERROR_PREFIX ".From"), "an unknown error name",
              name);
    fuzzCheck(body && g_variant_is_of_type(body, G_VARIANT_TYPE("(s)")), "an error without text",
              name);
    g_variant_get(body, "(&s)", &text);
    fuzzCheck(g_dbus_message_to_gerror(answer, &dbus_err), "to_gerror of an ERROR", name);
    remoteErrorFromDBus(&err, dbus_err, method ? method : "");
    fuzzCheck(err && cairnErrorGetFrom(err) >= 0, "the decoder made no Cairn error", name);
    back = remoteErrorName(cairnErrorGetFrom(err), err->code);
    fuzzCheck(g_str_equal(back, name), "the decoder changed the error", back);
    fuzzCheck(g_str_equal(err->message, text), "the decoder changed the message", err->message);
}


/* Check the answer (or its absence) to @message. */
static void
fuzzCheckAnswer(GDBusMessage *message, GDBusMessage *answer, guint32 serial)
{
    const char *method = g_dbus_message_get_member(message);
    g_autoptr(GError) err = NULL;
    g_autofree guchar *blob = NULL;
    bool due = g_dbus_message_get_message_type(message) == G_DBUS_MESSAGE_TYPE_METHOD_CALL &&
               !(g_dbus_message_get_flags(message) & G_DBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED);
    gsize len = 0;

    fuzzCheck(due == (answer != NULL), due ? "a call without an answer" : "an unasked answer",
              method);
    if (!answer)
        return;
    switch (g_dbus_message_get_message_type(answer)) {
    case G_DBUS_MESSAGE_TYPE_METHOD_RETURN:
        break;
    case G_DBUS_MESSAGE_TYPE_ERROR:
        fuzzCheckErrorName(answer, method);
        break;
    case G_DBUS_MESSAGE_TYPE_INVALID:
    case G_DBUS_MESSAGE_TYPE_METHOD_CALL:
    case G_DBUS_MESSAGE_TYPE_SIGNAL:
    default:
        fuzzCheck(false, "an answer that is neither a reply nor an error", method);
    }
    fuzzCheck(g_dbus_message_get_reply_serial(answer) == g_dbus_message_get_serial(message),
              "the answer's reply serial is not the call's", method);
    g_dbus_message_set_serial(answer, serial);
    blob = g_dbus_message_to_blob(answer, &len, G_DBUS_CAPABILITY_FLAGS_NONE, &err);
    fuzzCheck(blob != NULL, "the answer does not serialize", err ? err->message : method);
}


/* Run what the calls left due in the default main context (events,
 * their idle dispatch), without waiting for timers. */
static void
fuzzDrainContext(void)
{
    while (g_main_context_iteration(NULL, FALSE))
        ;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autoptr(cairndClient) client = NULL;
    remoteStreamInput in = { 0 };
    guint32 serial = 0;
    int fd;

    fuzzInit();
    client = cairndClientNewDetached(&fuzzDaemon, getuid(), getpid());
    fd = fuzzInputFd(data, size);
    for (;;) {
        g_autoptr(GError) err = NULL;
        g_autoptr(GDBusMessage) message = NULL;
        g_autoptr(GDBusMessage) answer = NULL;

        if (!(message = remoteStreamRead(fd, &in, CAIRN_REMOTE_CHANNEL_CALL_MAX, &err))) {
            fuzzCheck(err && err->domain == G_IO_ERROR, "the reader failed without an I/O error",
                      err ? err->message : NULL);
            break;
        }
        if (serial == 0)
            fuzzStartPeer(client, message);
        answer = cairndDispatchMessage(client, message, G_DBUS_CAPABILITY_FLAGS_NONE);
        fuzzCheckAnswer(message, answer, ++serial);
        fuzzDrainContext();
    }
    close(fd);
    remoteStreamInputClear(&in);
    /* The peer leaves, as when its bus connection closes. */
    cairndClientClose(client);
    fuzzDrainContext();
    return 0;
}
