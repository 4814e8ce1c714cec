/*
 * channeltest.c: the call channel (ConnectOpenChannel, remote_channel.h).
 *
 * Through the library: calls take the channel (each one counted by the
 * client, and the daemon's log counts what its channel thread served) and
 * answer exactly what the bus answers, errors included; two threads on one
 * connection both get through (one of them on the bus); a daemon killed
 * while the client idles gives the bus's clean disconnect error, without
 * SIGPIPE; a client with an open channel keeps an idle daemon up.
 *
 * On a raw channel fd (this test asks for it itself): a read-only peer is
 * refused every mutating method; garbage or an oversized length closes the
 * channel and the daemon serves on; an unknown method, a wrong signature or
 * path, ConnectOpenChannel on the channel itself get error replies; no
 * channel before ConnectOpen, nor more than CAIRN_REMOTE_CHANNEL_MAX.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <gio/gio.h>
#include <gio/gunixfdlist.h>

#include "cairn/cairn.h"
#include "daemontestutils.h"
#include "remote/remote_channel.h"
#include "remote/remote_driver.h"
#include "remote/remote_error.h"
#include "remote/remote_protocol.h"

static daemonTest daemonInst;


/* ---- through the library ---- */

/* A connection to @d with a call channel (@channel) or without. */
static cairnConnectPtr
openLibrary(const daemonTest *d, bool channel)
{
    g_autofree char *uri = daemonTestURI(d, true);
    cairnConnectPtr conn;

    if (!channel)
        g_setenv("CAIRN_REMOTE_CHANNEL", "0", TRUE);
    conn = cairnConnectOpen(uri);
    g_unsetenv("CAIRN_REMOTE_CHANNEL");
    g_assert_nonnull(conn);
    g_assert_cmpint(remoteChannelCallCount(conn), ==, channel ? 0 : -1);
    return conn;
}


/* The call just made on @conn took its channel (the count went up by one
 * since @before). */
#define ASSERT_ON_CHANNEL(conn, before)                                                            \
 g_assert_cmpint(remoteChannelCallCount(conn), ==, (before) + 1)


static void
testSameResults(void)
{
    cairnConnectPtr chan = openLibrary(&daemonInst, true);
    cairnConnectPtr bus = openLibrary(&daemonInst, false);
    cairnDomainPtr dc;
    cairnDomainPtr db;
    cairnDomainCheckpointPtr cc;
    cairnDomainCheckpointPtr cb;
    cairnDomainInfo ic = { 0 };
    cairnDomainInfo ib = { 0 };
    cairnDomainPtr *list = NULL;
    unsigned long vc = 0;
    unsigned long vb = 0;
    char *xc;
    char *xb;
    gint64 n = 0;

    g_assert_nonnull(dc = cairnDomainLookupByName(chan, "test"));
    ASSERT_ON_CHANNEL(chan, n++);
    g_assert_nonnull(db = cairnDomainLookupByName(bus, "test"));
    g_assert_cmpint(cairnDomainGetInfo(dc, &ic), ==, 0);
    ASSERT_ON_CHANNEL(chan, n++);
    g_assert_cmpint(cairnDomainGetInfo(db, &ib), ==, 0);
    g_assert_cmpmem(&ic, sizeof(ic), &ib, sizeof(ib));
    g_assert_cmpint(ic.state, ==, CAIRN_DOMAIN_RUNNING);

    xc = cairnDomainGetXMLDesc(dc, 0);
    ASSERT_ON_CHANNEL(chan, n++);
    xb = cairnDomainGetXMLDesc(db, 0);
    g_assert_nonnull(xc);
    g_assert_cmpstr(xc, ==, xb);
    g_free(xc);
    g_free(xb);

    cc = cairnDomainCheckpointCreateXML(dc, "<domaincheckpoint><name>c1</name></domaincheckpoint>",
                                        0);
    g_assert_nonnull(cc);
    ASSERT_ON_CHANNEL(chan, n++);
    /* Each connection of the test driver has a state of its own. */
    cb = cairnDomainCheckpointCreateXML(db, "<domaincheckpoint><name>c1</name></domaincheckpoint>",
                                        0);
    g_assert_nonnull(cb);
    xc = cairnDomainCheckpointGetXMLDesc(cc, 0);
    ASSERT_ON_CHANNEL(chan, n++);
    xb = cairnDomainCheckpointGetXMLDesc(cb, 0);
    g_assert_nonnull(xc);
    g_assert_cmpstr(xc, ==, xb);
    g_free(xc);
    g_free(xb);

    g_assert_cmpint(cairnConnectListAllDomains(chan, &list, 0), ==, 1);
    ASSERT_ON_CHANNEL(chan, n++);
    g_assert_cmpstr(cairnDomainGetName(list[0]), ==, "test");
    cairnDomainFree(list[0]);
    g_free(list);
    g_assert_cmpint(cairnDomainListAllCheckpoints(dc, NULL, 0), ==, 1);
    ASSERT_ON_CHANNEL(chan, n++);
    g_assert_cmpint(cairnConnectGetLibVersion(chan, &vc), ==, 0);
    ASSERT_ON_CHANNEL(chan, n++);
    g_assert_cmpint(cairnConnectGetLibVersion(bus, &vb), ==, 0);
    g_assert_cmpuint(vc, ==, vb);

    g_assert_cmpint(cairnDomainCheckpointDelete(cc, 0), ==, 0);
    ASSERT_ON_CHANNEL(chan, n++);
    cairnDomainCheckpointFree(cc);
    cairnDomainCheckpointFree(cb);
    cairnDomainFree(dc);
    cairnDomainFree(db);
    cairnConnectClose(bus);
    cairnConnectClose(chan);

    /* The daemon's side: its channel thread served those calls. */
    {
        g_autofree char *line = g_strdup_printf(": closed after %" G_GINT64_FORMAT " messages", n);

        daemonTestWaitLog(&daemonInst, line);
    }
}


typedef struct {
    int code;
    int domain;
    char *message;
} savedError;


static void
saveError(savedError *e)
{
    e->code = cairnGetLastErrorCode();
    e->domain = cairnGetLastErrorDomain();
    e->message = g_strdup(cairnGetLastErrorMessage());
}


/* The same failing call on both connections fails the same way; the
 * channel's connection made it on the channel. */
static void
compareErrors(cairnConnectPtr chan, savedError *c, savedError *b)
{
    g_assert_cmpint(c->code, !=, 0);
    g_assert_cmpint(c->code, ==, b->code);
    g_assert_cmpint(c->domain, ==, b->domain);
    g_assert_cmpstr(c->message, ==, b->message);
    g_clear_pointer(&c->message, g_free);
    g_clear_pointer(&b->message, g_free);
}


static void
testErrors(void)
{
    cairnConnectPtr chan = openLibrary(&daemonInst, true);
    cairnConnectPtr bus = openLibrary(&daemonInst, false);
    const char *bad_chk = "<domaincheckpoint><name>a/b</name></domaincheckpoint>";
    savedError c = { 0 };
    savedError b = { 0 };
    cairnDomainPtr dc;
    cairnDomainPtr db;
    gint64 n;

    g_assert_null(cairnDomainLookupByName(chan, "nosuch"));
    saveError(&c);
    g_assert_null(cairnDomainLookupByName(bus, "nosuch"));
    saveError(&b);
    g_assert_cmpint(c.code, ==, CAIRN_ERR_NO_DOMAIN);
    compareErrors(chan, &c, &b);
    g_assert_cmpint(remoteChannelCallCount(chan), ==, 1);

    g_assert_nonnull(dc = cairnDomainLookupByName(chan, "test"));
    g_assert_nonnull(db = cairnDomainLookupByName(bus, "test"));
    n = remoteChannelCallCount(chan);
    g_assert_null(cairnDomainCheckpointLookupByName(dc, "nosuch", 0));
    ASSERT_ON_CHANNEL(chan, n++);
    saveError(&c);
    g_assert_null(cairnDomainCheckpointLookupByName(db, "nosuch", 0));
    saveError(&b);
    g_assert_cmpint(c.code, ==, CAIRN_ERR_NO_DOMAIN_CHECKPOINT);
    compareErrors(chan, &c, &b);

    g_assert_null(cairnDomainCheckpointCreateXML(dc, bad_chk, 0));
    ASSERT_ON_CHANNEL(chan, n++);
    saveError(&c);
    g_assert_null(cairnDomainCheckpointCreateXML(db, bad_chk, 0));
    saveError(&b);
    compareErrors(chan, &c, &b);

    g_assert_null(cairnDomainDefineXML(chan, "<domain type='test'><name>x</name>"));
    ASSERT_ON_CHANNEL(chan, n++);
    saveError(&c);
    g_assert_null(cairnDomainDefineXML(bus, "<domain type='test'><name>x</name>"));
    saveError(&b);
    compareErrors(chan, &c, &b);

    cairnDomainFree(dc);
    cairnDomainFree(db);
    cairnConnectClose(bus);
    cairnConnectClose(chan);
}


typedef struct {
    cairnDomainPtr dom;
    gint64 deadline;
    gint calls;
    gint failures;
    gint *stop;
} callerData;


static gpointer
callerThread(gpointer opaque)
{
    callerData *data = opaque;
    cairnDomainInfo info;

    while (!g_atomic_int_get(data->stop) && g_get_monotonic_time() < data->deadline) {
        if (cairnDomainGetInfo(data->dom, &info) < 0 || info.state != CAIRN_DOMAIN_RUNNING)
            data->failures++;
        data->calls++;
    }
    return NULL;
}


/* Two threads call at once on one connection: every call succeeds, some
 * take the channel and some, when the other thread is on it, the bus. */
static void
testTwoThreads(void)
{
    cairnConnectPtr conn = openLibrary(&daemonInst, true);
    cairnDomainPtr dom = cairnDomainLookupByName(conn, "test");
    gint stop = 0;
    callerData a = { dom, g_get_monotonic_time() + 20 * G_USEC_PER_SEC, 0, 0, &stop };
    callerData b = a;
    GThread *ta;
    GThread *tb;
    gint64 on_channel = 0;
    gint64 total = 0;

    g_assert_nonnull(dom);
    ta = g_thread_new("caller-a", callerThread, &a);
    tb = g_thread_new("caller-b", callerThread, &b);
    /* Until both lanes were used a fair number of times, or 20 s. */
    while (g_get_monotonic_time() < a.deadline) {
        on_channel = remoteChannelCallCount(conn) - 1;
        total = g_atomic_int_get(&a.calls) + g_atomic_int_get(&b.calls);
        if (on_channel >= 200 && total - on_channel >= 200)
            break;
        g_usleep(10000);
    }
    g_atomic_int_set(&stop, 1);
    g_thread_join(ta);
    g_thread_join(tb);
    on_channel = remoteChannelCallCount(conn) - 1; /* the lookup took it too */
    total = a.calls + b.calls;
    g_test_message("%" G_GINT64_FORMAT " calls, %" G_GINT64_FORMAT " on the channel", total,
                   on_channel);
    g_assert_cmpint(a.failures + b.failures, ==, 0);
    g_assert_cmpint(on_channel, >=, 200);
    g_assert_cmpint(total - on_channel, >=, 200);
    cairnDomainFree(dom);
    cairnConnectClose(conn);
}


/* kill -9 of the daemon while the client idles: the next call (on the
 * channel) fails with the bus's disconnect error, and SIGPIPE does not
 * kill us; the channel is dead and the call after takes the bus, which
 * says the same. */
static void
testDaemonKilled(void)
{
    const char *const args[] = { "--test", NULL };
    g_auto(daemonTest) d = { 0 };
    g_autofree char *first = NULL;
    cairnConnectPtr conn;
    cairnDomainPtr dom;
    cairnDomainInfo info;

    signal(SIGPIPE, SIG_DFL);
    d.socket = g_build_filename(daemonTestDir(), "sock-killed", NULL);
    d.log = g_build_filename(daemonTestDir(), "cairnd-killed.log", NULL);
    daemonTestStart(&d, args);
    conn = openLibrary(&d, true);
    g_assert_nonnull(dom = cairnDomainLookupByName(conn, "test"));
    g_assert_cmpint(remoteChannelCallCount(conn), ==, 1);

    daemonTestStop(&d, true);
    g_assert_cmpint(cairnDomainGetInfo(dom, &info), ==, -1);
    g_assert_cmpint(cairnGetLastErrorCode(), ==, CAIRN_ERR_RPC);
    g_assert_cmpint(cairnGetLastErrorDomain(), ==, CAIRN_FROM_RPC);
    first = g_strdup(cairnGetLastErrorMessage());
    g_assert_nonnull(strstr(first, "closed"));
    /* The channel took that call and died. */
    g_assert_cmpint(remoteChannelCallCount(conn), ==, -1);

    g_assert_cmpint(cairnDomainGetInfo(dom, &info), ==, -1);
    g_assert_cmpint(cairnGetLastErrorCode(), ==, CAIRN_ERR_RPC);
    g_assert_cmpstr(cairnGetLastErrorMessage(), ==, first);
    cairnDomainFree(dom);
    g_assert_cmpint(cairnConnectClose(conn), ==, 0);
}


/* True once @pid has exited (not reaped, so daemonTestStop() still can). */
static bool
exited(GPid pid)
{
    siginfo_t info = { 0 };

    return waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid;
}


/* A daemon with --timeout 1 stays while a client with a channel is
 * connected and idle, and leaves once it is gone. */
static void
testIdleExit(void)
{
    const char *const args[] = { "--test", "--timeout", "1", NULL };
    g_auto(daemonTest) d = { 0 };
    cairnConnectPtr conn;
    cairnDomainPtr dom;
    cairnDomainInfo info;
    bool gone = false;

    d.socket = g_build_filename(daemonTestDir(), "sock-idle", NULL);
    d.log = g_build_filename(daemonTestDir(), "cairnd-idle.log", NULL);
    daemonTestStart(&d, args);
    conn = openLibrary(&d, true);
    g_assert_nonnull(dom = cairnDomainLookupByName(conn, "test"));
    g_usleep(2500 * G_TIME_SPAN_MILLISECOND);
    g_assert_false(exited(d.pid));
    g_assert_cmpint(cairnDomainGetInfo(dom, &info), ==, 0);
    g_assert_cmpint(remoteChannelCallCount(conn), ==, 2);
    cairnDomainFree(dom);
    cairnConnectClose(conn);
    for (int i = 0; i < 1000 && !gone; i++) {
        gone = exited(d.pid);
        g_usleep(10000);
    }
    g_assert_true(gone);
    /* Reaps it; a clean idle exit is status 0. */
    daemonTestStop(&d, false);
}


/* ---- a raw peer ---- */

static GDBusConnection *
rawBus(void)
{
    g_autofree char *address = daemonTestAddress(&daemonInst);
    g_autoptr(GError) err = NULL;
    GDBusConnection *bus = g_dbus_connection_new_for_address_sync(
        address, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT, NULL, NULL, &err);

    g_assert_no_error(err);
    return bus;
}


static void
rawOpen(GDBusConnection *bus, unsigned int flags)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GVariant) reply = NULL;

    reply =
        g_dbus_connection_call_sync(bus, NULL, CAIRN_REMOTE_OBJECT_PATH, CAIRN_REMOTE_INTERFACE,
                                    "ConnectOpen", g_variant_new("(su)", "test:///default", flags),
                                    NULL, G_DBUS_CALL_FLAGS_NONE, 10000, NULL, &err);
    g_assert_no_error(err);
    g_assert_nonnull(reply);
}


/* ConnectOpenChannel on @bus: the fd, or -1 with the D-Bus error name in
 * *@ret_name. */
static int
rawOpenChannel(GDBusConnection *bus, char **ret_name)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GUnixFDList) fds = NULL;
    g_autoptr(GVariant) reply = NULL;
    gint32 index = -1;

    reply = g_dbus_connection_call_with_unix_fd_list_sync(
        bus, NULL, CAIRN_REMOTE_OBJECT_PATH, CAIRN_REMOTE_INTERFACE, "ConnectOpenChannel", NULL,
        G_VARIANT_TYPE("(h)"), G_DBUS_CALL_FLAGS_NONE, 10000, NULL, &fds, NULL, &err);
    if (!reply) {
        *ret_name = g_dbus_error_get_remote_error(err);
        g_assert_nonnull(*ret_name);
        return -1;
    }
    g_variant_get(reply, "(h)", &index);
    g_assert_nonnull(fds);
    return g_unix_fd_list_get(fds, index, NULL);
}


static bool
writeAll(int fd, const void *buf, size_t len)
{
    const char *p = buf;

    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

        if (n <= 0)
            return false;
        p += n;
        len -= (size_t)n;
    }
    return true;
}


static bool
readAll(int fd, void *buf, size_t len)
{
    char *p = buf;

    while (len > 0) {
        ssize_t n = read(fd, p, len);

        if (n <= 0)
            return false;
        p += n;
        len -= (size_t)n;
    }
    return true;
}


/* Call @method at @path with @args (floating; NULL for none) on the raw
 * channel @fd and return the answer. */
static GDBusMessage *
chanCall(int fd, const char *path, const char *method, GVariant *args)
{
    static guint32 serial;
    g_autoptr(GDBusMessage) msg =
        g_dbus_message_new_method_call(NULL, path, CAIRN_REMOTE_INTERFACE, method);
    g_autofree guchar *blob = NULL;
    g_autofree guchar *rblob = NULL;
    guchar head[16];
    GDBusMessage *reply;
    gssize need;
    gsize len = 0;

    if (args)
        g_dbus_message_set_body(msg, args);
    g_dbus_message_set_serial(msg, ++serial);
    g_assert_nonnull(blob = g_dbus_message_to_blob(msg, &len, G_DBUS_CAPABILITY_FLAGS_NONE, NULL));
    g_assert_true(writeAll(fd, blob, len));
    g_assert_true(readAll(fd, head, sizeof(head)));
    need = g_dbus_message_bytes_needed(head, sizeof(head), NULL);
    if (need < (gssize)sizeof(head))
        g_error("the daemon's answer on the channel is not a D-Bus message");
    rblob = g_malloc((gsize)need);
    memcpy(rblob, head, sizeof(head));
    g_assert_true(readAll(fd, rblob + 16, (size_t)need - 16));
    reply = g_dbus_message_new_from_blob(rblob, (gsize)need, G_DBUS_CAPABILITY_FLAGS_NONE, NULL);
    g_assert_nonnull(reply);
    g_assert_cmpuint(g_dbus_message_get_reply_serial(reply), ==, serial);
    return reply;
}


/* The call must fail with the D-Bus error @name. */
static void
chanExpectError(int fd, const char *path, const char *method, GVariant *args, const char *name)
{
    g_autoptr(GDBusMessage) reply = chanCall(fd, path, method, args);

    if (g_dbus_message_get_message_type(reply) != G_DBUS_MESSAGE_TYPE_ERROR ||
        g_strcmp0(g_dbus_message_get_error_name(reply), name) != 0)
        g_error("%s on the channel: answered %s, expected %s", method,
                g_dbus_message_get_error_name(reply), name);
}


static void
chanExpectCairnError(int fd, const char *method, GVariant *args, int code)
{
    g_autofree char *name = remoteErrorName(CAIRN_FROM_RPC, code);

    chanExpectError(fd, CAIRN_REMOTE_OBJECT_PATH, method, args, name);
}


/* The daemon closed @fd (EOF within 10 s). */
static void
expectClosed(int fd)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };
    char byte;
    ssize_t n;

    g_assert_cmpint(poll(&p, 1, 10000), ==, 1);
    /* ECONNRESET when the daemon left bytes of ours unread. */
    n = read(fd, &byte, 1);
    g_assert_true(n == 0 || (n < 0 && errno == ECONNRESET));
}


/* The daemon still serves: this peer on its bus and a new channel, and a
 * new peer. */
static void
expectServing(GDBusConnection *bus)
{
    g_autofree char *name = NULL;
    g_autoptr(GDBusMessage) reply = NULL;
    g_autoptr(GVariant) doms = NULL;
    cairnConnectPtr conn;
    int fd;

    doms = g_dbus_connection_call_sync(bus, NULL, CAIRN_REMOTE_OBJECT_PATH, CAIRN_REMOTE_INTERFACE,
                                       "ConnectListAllDomains", g_variant_new("(ub)", 0, TRUE),
                                       NULL, G_DBUS_CALL_FLAGS_NONE, 10000, NULL, NULL);
    g_assert_nonnull(doms);
    g_assert_cmpint(fd = rawOpenChannel(bus, &name), >=, 0);
    reply = chanCall(fd, CAIRN_REMOTE_OBJECT_PATH, "ConnectGetLibVersion", NULL);
    g_assert_cmpint(g_dbus_message_get_message_type(reply), ==, G_DBUS_MESSAGE_TYPE_METHOD_RETURN);
    close(fd);
    conn = openLibrary(&daemonInst, true);
    g_assert_cmpint(cairnConnectClose(conn), ==, 0);
}


static void
testReadOnly(void)
{
    g_autoptr(GDBusConnection) bus = rawBus();
    g_autoptr(GDBusMessage) reply = NULL;
    g_autofree char *name = NULL;
    unsigned int denied = 0;
    int fd;

    rawOpen(bus, CAIRN_CONNECT_RO);
    g_assert_cmpint(fd = rawOpenChannel(bus, &name), >=, 0);
    for (int i = 0; i < REMOTE_PROC_LAST; i++) {
        const remoteProcedureInfo *info = remoteProcedureGet(i);

        if (!info->mutating)
            continue;
        chanExpectCairnError(fd, info->method, daemonTestDefaultArgs(info->method),
                             CAIRN_ERR_OPERATION_DENIED);
        denied++;
    }
    g_assert_cmpuint(denied, >=, 7);
    /* Reads work, and nothing changed. */
    reply = chanCall(fd, CAIRN_REMOTE_OBJECT_PATH, "DomainListAllCheckpoints",
                     g_variant_new("(@(sayi)ub)", daemonTestDomainVariant(), 0, TRUE));
    g_assert_cmpint(g_dbus_message_get_message_type(reply), ==, G_DBUS_MESSAGE_TYPE_METHOD_RETURN);
    g_assert_cmpstr(g_variant_get_type_string(g_dbus_message_get_body(reply)), ==, "(ias)");
    {
        gint32 count = -1;

        g_variant_get_child(g_dbus_message_get_body(reply), 0, "i", &count);
        g_assert_cmpint(count, ==, 0);
    }
    close(fd);
}


static void
testBeforeOpen(void)
{
    g_autoptr(GDBusConnection) bus = rawBus();
    g_autofree char *name = NULL;
    g_autofree char *want = remoteErrorName(CAIRN_FROM_RPC, CAIRN_ERR_INVALID_CONN);

    g_assert_cmpint(rawOpenChannel(bus, &name), ==, -1);
    g_assert_cmpstr(name, ==, want);
}


static void
testGarbage(void)
{
    g_autoptr(GDBusConnection) bus = rawBus();
    g_autofree char *name = NULL;
    static const char garbage[] = "this is no D-Bus message at all";
    int fd;

    rawOpen(bus, 0);
    g_assert_cmpint(fd = rawOpenChannel(bus, &name), >=, 0);
    g_assert_true(writeAll(fd, garbage, sizeof(garbage)));
    expectClosed(fd);
    close(fd);
    expectServing(bus);
}


/* A call with serial 0, which D-Bus forbids and no answer could refer
 * to: the daemon closes the channel (it used to trip a GLib critical
 * making the answer). Found by fuzz-daemon. */
static void
testSerialZero(void)
{
    g_autoptr(GDBusConnection) bus = rawBus();
    g_autoptr(GDBusMessage) msg = g_dbus_message_new_method_call(
        NULL, CAIRN_REMOTE_OBJECT_PATH, CAIRN_REMOTE_INTERFACE, "ConnectGetLibVersion");
    g_autofree char *name = NULL;
    g_autofree guchar *blob = NULL;
    gsize len = 0;
    int fd;

    g_dbus_message_set_serial(msg, 1);
    g_assert_nonnull(blob = g_dbus_message_to_blob(msg, &len, G_DBUS_CAPABILITY_FLAGS_NONE, NULL));
    memset(blob + 8, 0, 4); /* the serial */
    rawOpen(bus, 0);
    g_assert_cmpint(fd = rawOpenChannel(bus, &name), >=, 0);
    g_assert_true(writeAll(fd, blob, len));
    expectClosed(fd);
    close(fd);
    expectServing(bus);
}


static void
testOversized(void)
{
    g_autoptr(GDBusConnection) bus = rawBus();
    g_autofree char *name = NULL;
    /* Little endian, method call, no flags, version 1, a body of 64 MiB,
     * serial 1, no header fields. */
    static const guchar head[16] = { 'l', 1, 0, 1, 0, 0, 0, 4, 1, 0, 0, 0, 0, 0, 0, 0 };
    int fd;

    rawOpen(bus, 0);
    g_assert_cmpint(fd = rawOpenChannel(bus, &name), >=, 0);
    g_assert_true(writeAll(fd, head, sizeof(head)));
    expectClosed(fd);
    close(fd);
    expectServing(bus);
}


static void
testErrorReplies(void)
{
    g_autoptr(GDBusConnection) bus = rawBus();
    g_autoptr(GDBusMessage) reply = NULL;
    g_autofree char *name = NULL;
    g_autofree char *big = NULL;
    int fd;

    rawOpen(bus, 0);
    g_assert_cmpint(fd = rawOpenChannel(bus, &name), >=, 0);
    chanExpectError(fd, CAIRN_REMOTE_OBJECT_PATH, "NoSuchMethod", NULL,
                    "org.freedesktop.DBus.Error.UnknownMethod");
    chanExpectError(fd, CAIRN_REMOTE_OBJECT_PATH, "DomainLookupByName", g_variant_new("(i)", 1),
                    "org.freedesktop.DBus.Error.InvalidArgs");
    chanExpectError(fd, CAIRN_REMOTE_OBJECT_PATH, "DomainLookupByName", NULL,
                    "org.freedesktop.DBus.Error.InvalidArgs");
    chanExpectError(fd, "/elsewhere", "DomainLookupByName", g_variant_new("(s)", "test"),
                    "org.freedesktop.DBus.Error.UnknownObject");
    /* No descriptors travel on a channel. */
    chanExpectCairnError(fd, "ConnectOpenChannel", NULL, CAIRN_ERR_OPERATION_UNSUPPORTED);
    /* The dispatcher's own checks, as on the bus: a string over the limit. */
    big = g_malloc(CAIRN_REMOTE_STRING_MAX + 2);
    memset(big, 'a', CAIRN_REMOTE_STRING_MAX + 1);
    big[CAIRN_REMOTE_STRING_MAX + 1] = '\0';
    chanExpectCairnError(fd, "DomainDefineXML", g_variant_new("(su)", big, 0),
                         CAIRN_ERR_INVALID_ARG);
    /* And after all that, the channel still works. */
    reply =
        chanCall(fd, CAIRN_REMOTE_OBJECT_PATH, "DomainLookupByName", g_variant_new("(s)", "test"));
    g_assert_cmpint(g_dbus_message_get_message_type(reply), ==, G_DBUS_MESSAGE_TYPE_METHOD_RETURN);
    close(fd);
}


static void
testLimit(void)
{
    g_autoptr(GDBusConnection) bus = rawBus();
    g_autofree char *want = remoteErrorName(CAIRN_FROM_RPC, CAIRN_ERR_OPERATION_FAILED);
    int fds[CAIRN_REMOTE_CHANNEL_MAX];
    int fd = -1;

    rawOpen(bus, 0);
    for (int i = 0; i < CAIRN_REMOTE_CHANNEL_MAX; i++) {
        g_autofree char *name = NULL;

        g_assert_cmpint(fds[i] = rawOpenChannel(bus, &name), >=, 0);
    }
    {
        g_autofree char *name = NULL;

        g_assert_cmpint(rawOpenChannel(bus, &name), ==, -1);
        g_assert_cmpstr(name, ==, want);
    }
    /* One closed by the peer makes room, once the daemon saw its EOF. */
    close(fds[0]);
    for (int i = 0; i < 1000 && fd < 0; i++) {
        g_autofree char *name = NULL;

        if ((fd = rawOpenChannel(bus, &name)) < 0) {
            g_assert_cmpstr(name, ==, want);
            g_usleep(10000);
        }
    }
    g_assert_cmpint(fd, >=, 0);
    close(fd);
    for (int i = 1; i < CAIRN_REMOTE_CHANNEL_MAX; i++)
        close(fds[i]);
}


int
main(int argc, char **argv)
{
    const char *const args[] = { "--test", NULL };
    int ret;

    g_test_init(&argc, &argv, NULL);
    /* The daemon's clock, so that the checkpoints of two connections match. */
    g_setenv("CAIRN_TEST_FAKE_TIME", "1700000000", TRUE);
    daemonTestStart(&daemonInst, args);
    g_test_add_func("/daemon/channel/same-results", testSameResults);
    g_test_add_func("/daemon/channel/errors", testErrors);
    g_test_add_func("/daemon/channel/two-threads", testTwoThreads);
    g_test_add_func("/daemon/channel/read-only", testReadOnly);
    g_test_add_func("/daemon/channel/before-open", testBeforeOpen);
    g_test_add_func("/daemon/channel/garbage", testGarbage);
    g_test_add_func("/daemon/channel/serial-zero", testSerialZero);
    g_test_add_func("/daemon/channel/oversized", testOversized);
    g_test_add_func("/daemon/channel/error-replies", testErrorReplies);
    g_test_add_func("/daemon/channel/limit", testLimit);
    g_test_add_func("/daemon/channel/daemon-killed", testDaemonKilled);
    g_test_add_func("/daemon/channel/idle-exit", testIdleExit);
    ret = g_test_run();
    daemonTestStop(&daemonInst, false);
    return ret;
}
