/*
 * agenttest.c: the guest agent client (src/qemu/qemu_agent.c) against a
 * fake qemu-ga on a socketpair, without QEMU: the guest-sync-delimited
 * handshake skips stale data and replies of other ids; freeze, status and
 * thaw; an error reply to the freeze gives libvirt's error and is followed
 * by a thaw; an agent that never answers gives "Guest agent is not
 * responding" in bounded time; a freeze whose reply never comes is
 * followed by a thaw; the watchdog thaws a guest left frozen past its bound
 * and the caller's thaw then fails; closing a frozen agent thaws.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "cairn/cairn-error.h"
#include "qemu/qemu_agent.h"

#define CHECK(cond)                                                                                \
 do {                                                                                              \
  if (!(cond)) {                                                                                   \
   fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);                        \
   return false;                                                                                   \
  }                                                                                                \
 } while (0)

typedef enum {
    PEER_NORMAL = 0,
    PEER_MUTE,          /* answers nothing */
    PEER_FREEZE_ERROR,  /* guest-fsfreeze-freeze fails */
    PEER_FREEZE_SILENT, /* guest-fsfreeze-freeze never answered */
} PeerMode;

typedef struct {
    int fd;
    PeerMode mode;
    const char *prelude; /* written before anything is read */
    GMutex lock;
    bool frozen;
    int freezes;
    int thaws;
    gint64 thaw_us; /* monotonic time of the last thaw */
} Peer;


static void
peerSend(Peer *peer, const char *text)
{
    size_t len = strlen(text);

    if (write(peer->fd, text, len) != (ssize_t)len)
        fprintf(stderr, "peer: short write\n");
}


static void
peerHandle(Peer *peer, const char *line)
{
    g_autoptr(JsonParser) parser = json_parser_new();
    g_autofree char *reply = NULL;
    const char *cmd;
    JsonObject *obj;

    if (!json_parser_load_from_data(parser, line, -1, NULL) ||
        !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser))) {
        peerSend(peer, "{\"error\": {\"class\": \"GenericError\", \"desc\": \"bad JSON\"}}\n");
        return;
    }
    obj = json_node_get_object(json_parser_get_root(parser));
    cmd = json_object_get_string_member_with_default(obj, "execute", "");
    g_mutex_lock(&peer->lock);
    if (g_str_equal(cmd, "guest-sync-delimited")) {
        JsonObject *args = json_object_get_object_member(obj, "arguments");

        /* a stale reply of another id first, as a previous client's */
        reply = g_strdup_printf("\xff{\"return\": 7}\n\xff{\"return\": %" G_GINT64_FORMAT "}\n",
                                json_object_get_int_member(args, "id"));
    } else if (g_str_equal(cmd, "guest-fsfreeze-freeze")) {
        peer->freezes++;
        if (peer->mode == PEER_FREEZE_ERROR) {
            reply = g_strdup("{\"error\": {\"class\": \"GenericError\", \"desc\": \"failed to "
                             "freeze /mnt: Operation not supported\"}}\n");
        } else {
            peer->frozen = true;
            if (peer->mode != PEER_FREEZE_SILENT)
                reply = g_strdup("{\"return\": 2}\n");
        }
    } else if (g_str_equal(cmd, "guest-fsfreeze-thaw")) {
        reply = g_strdup_printf("{\"return\": %d}\n", peer->frozen ? 2 : 0);
        peer->frozen = false;
        peer->thaws++;
        peer->thaw_us = g_get_monotonic_time();
    } else if (g_str_equal(cmd, "guest-fsfreeze-status")) {
        reply = g_strdup_printf("{\"return\": \"%s\"}\n", peer->frozen ? "frozen" : "thawed");
    }
    g_mutex_unlock(&peer->lock);
    if (reply)
        peerSend(peer, reply);
}


static gpointer
peerRun(gpointer opaque)
{
    Peer *peer = opaque;
    g_autoptr(GString) line = g_string_new(NULL);
    char c;

    if (peer->prelude)
        peerSend(peer, peer->prelude);
    while (read(peer->fd, &c, 1) == 1) {
        if (c == '\xff') { /* the client's parser reset */
            g_string_truncate(line, 0);
            continue;
        }
        if (c != '\n') {
            g_string_append_c(line, c);
            continue;
        }
        if (peer->mode != PEER_MUTE)
            peerHandle(peer, line->str);
        g_string_truncate(line, 0);
    }
    return NULL;
}


typedef struct {
    Peer peer;
    GThread *thread;
    qemuAgent *agent;
} Fixture;


static void
fixtureStart(Fixture *fx, PeerMode mode, const char *prelude)
{
    int sv[2];

    g_assert(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
    memset(fx, 0, sizeof(*fx));
    g_mutex_init(&fx->peer.lock);
    fx->peer.fd = sv[1];
    fx->peer.mode = mode;
    fx->peer.prelude = prelude;
    fx->thread = g_thread_new("peer", peerRun, &fx->peer);
    fx->agent = qemuAgentOpenFd(sv[0]);
    qemuAgentSetTimeouts(fx->agent, 300, 300);
}


/* Close the client (which may thaw), then end the peer. */
static void
fixtureStop(Fixture *fx)
{
    g_clear_pointer(&fx->agent, qemuAgentClose);
    g_thread_join(fx->thread);
    close(fx->peer.fd);
    g_mutex_clear(&fx->peer.lock);
}


static bool
testFreezeThaw(void)
{
    Fixture fx;
    g_autoptr(GError) err = NULL;
    bool frozen = false;

    /* leftovers of an earlier client: half a reply and a whole one */
    fixtureStart(&fx, PEER_NORMAL, "{\"return\": {}}\n{\"retu");
    CHECK(qemuAgentSync(fx.agent, &err));
    CHECK(qemuAgentFSFreeze(fx.agent, 10000, &err) == 2);
    CHECK(qemuAgentFSStatus(fx.agent, &frozen, &err) && frozen);
    CHECK(qemuAgentFSThaw(fx.agent, &err) == 2);
    CHECK(qemuAgentFSStatus(fx.agent, &frozen, &err) && !frozen);
    CHECK(!qemuAgentWatchdogFired(fx.agent));
    fixtureStop(&fx);
    CHECK(fx.peer.freezes == 1 && fx.peer.thaws == 1);
    return true;
}


static bool
testFreezeError(void)
{
    Fixture fx;
    g_autoptr(GError) err = NULL;

    fixtureStart(&fx, PEER_FREEZE_ERROR, NULL);
    CHECK(qemuAgentFSFreeze(fx.agent, 10000, &err) == -1);
    CHECK(err && err->code == CAIRN_ERR_OPERATION_FAILED);
    CHECK(strstr(err->message, "unable to execute QEMU agent command 'guest-fsfreeze-freeze': "
                               "failed to freeze /mnt: Operation not supported"));
    fixtureStop(&fx);
    CHECK(fx.peer.thaws == 1 && !fx.peer.frozen);
    return true;
}


static bool
testMute(void)
{
    Fixture fx;
    g_autoptr(GError) err = NULL;
    gint64 t0 = g_get_monotonic_time();

    fixtureStart(&fx, PEER_MUTE, NULL);
    CHECK(qemuAgentFSFreeze(fx.agent, 10000, &err) == -1);
    CHECK(err && err->code == CAIRN_ERR_AGENT_UNRESPONSIVE);
    CHECK(g_str_equal(err->message, "Guest agent is not responding: Guest agent not available "
                                    "for now"));
    /* the handshake of the freeze only: no freeze sent, no thaw needed */
    CHECK(g_get_monotonic_time() - t0 < 2 * G_USEC_PER_SEC);
    fixtureStop(&fx);
    CHECK(fx.peer.freezes == 0);
    return true;
}


static bool
testFreezeSilent(void)
{
    Fixture fx;
    g_autoptr(GError) err = NULL;

    fixtureStart(&fx, PEER_FREEZE_SILENT, NULL);
    CHECK(qemuAgentFSFreeze(fx.agent, 10000, &err) == -1);
    CHECK(err && err->code == CAIRN_ERR_AGENT_UNRESPONSIVE);
    /* the peer froze without saying so: the client thawed it */
    g_mutex_lock(&fx.peer.lock);
    CHECK(fx.peer.freezes == 1 && fx.peer.thaws == 1 && !fx.peer.frozen);
    g_mutex_unlock(&fx.peer.lock);
    fixtureStop(&fx);
    return true;
}


static bool
testWatchdog(void)
{
    Fixture fx;
    g_autoptr(GError) err = NULL;
    gint64 t0;
    bool frozen = true;

    fixtureStart(&fx, PEER_NORMAL, NULL);
    t0 = g_get_monotonic_time();
    CHECK(qemuAgentFSFreeze(fx.agent, 200, &err) == 2);
    /* the caller is "stuck" for longer than the bound */
    g_usleep(700 * G_TIME_SPAN_MILLISECOND);
    g_mutex_lock(&fx.peer.lock);
    CHECK(fx.peer.thaws == 1 && !fx.peer.frozen);
    CHECK(fx.peer.thaw_us - t0 >= 200 * G_TIME_SPAN_MILLISECOND);
    CHECK(fx.peer.thaw_us - t0 < 650 * G_TIME_SPAN_MILLISECOND);
    g_mutex_unlock(&fx.peer.lock);
    CHECK(qemuAgentWatchdogFired(fx.agent));
    CHECK(qemuAgentFSThaw(fx.agent, &err) == -1);
    CHECK(err && err->code == CAIRN_ERR_OPERATION_FAILED &&
          strstr(err->message, "frozen longer than 200 ms"));
    g_clear_error(&err);
    CHECK(qemuAgentFSStatus(fx.agent, &frozen, &err) && !frozen);
    fixtureStop(&fx);
    return true;
}


static bool
testCloseThaws(void)
{
    Fixture fx;
    g_autoptr(GError) err = NULL;

    fixtureStart(&fx, PEER_NORMAL, NULL);
    CHECK(qemuAgentFSFreeze(fx.agent, 10000, &err) == 2);
    fixtureStop(&fx);
    CHECK(fx.peer.thaws == 1 && !fx.peer.frozen);
    return true;
}


int
main(void)
{
    static const struct {
        const char *name;
        bool (*fn)(void);
    } tests[] = {
        { "freeze-thaw", testFreezeThaw },
        { "freeze-error", testFreezeError },
        { "mute", testMute },
        { "freeze-silent", testFreezeSilent },
        { "watchdog", testWatchdog },
        { "close-thaws", testCloseThaws },
    };
    int failed = 0;

    for (size_t i = 0; i < G_N_ELEMENTS(tests); i++) {
        bool ok = tests[i].fn();

        printf("%s %s\n", ok ? "ok" : "FAIL", tests[i].name);
        failed += !ok;
    }
    return failed ? 1 : 0;
}
