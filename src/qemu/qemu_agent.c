/*
 * qemu_agent.c: the QEMU guest agent client (see qemu_agent.h).
 */
#define G_LOG_DOMAIN "cairn.qemu.agent"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "cairn/cairn-error.h"
#include "qemu_agent.h"
#include "util/cairnerror.h"

#define FROM CAIRN_FROM_QEMU

/* The agent's delimiter byte (guest-sync-delimited) and the client's
 * parser reset. */
#define QEMU_AGENT_SENTINEL '\xff'
/* No reply of the commands used here comes anywhere near this. */
#define QEMU_AGENT_MAX_REPLY (1024 * 1024)

struct _qemuAgent {
    int fd;
    GMutex io_lock; /* the connection: the caller's thread or the watchdog */
    GByteArray *in; /* received, not yet consumed */
    int sync_timeout_ms;
    int command_timeout_ms;

    GMutex wd_lock; /* the fields below */
    GCond wd_cond;
    GThread *wd_thread;
    bool wd_armed;         /* the guest is frozen by us, the watchdog waits */
    bool wd_fired;         /* the watchdog thawed the guest */
    gint64 wd_deadline_us; /* monotonic */
    int wd_max_ms;
};


static void
qemuAgentUnresponsive(GError **error, const char *what)
{
    cairnErrorSet(error, FROM, CAIRN_ERR_AGENT_UNRESPONSIVE, "%s", what);
}


qemuAgent *
qemuAgentOpenFd(int fd)
{
    qemuAgent *agent = g_new0(qemuAgent, 1);
    int flags = fcntl(fd, F_GETFL);

    if (flags >= 0)
        fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    agent->fd = fd;
    g_mutex_init(&agent->io_lock);
    g_mutex_init(&agent->wd_lock);
    g_cond_init(&agent->wd_cond);
    agent->in = g_byte_array_new();
    agent->sync_timeout_ms = QEMU_AGENT_SYNC_TIMEOUT_MS;
    agent->command_timeout_ms = QEMU_AGENT_COMMAND_TIMEOUT_MS;
    return agent;
}


qemuAgent *
qemuAgentOpen(const char *path, int timeout_ms, GError **error)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
    int fd;

    if (strlen(path) >= sizeof(addr.sun_path)) {
        cairnErrorSet(error, FROM, CAIRN_ERR_INTERNAL_ERROR,
                      "guest agent socket path '%s' is too long", path);
        return NULL;
    }
    memcpy(addr.sun_path, path, strlen(path) + 1);
    for (;;) {
        if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
            cairnErrorSetErrno(error, FROM, errno, "cannot create a socket");
            return NULL;
        }
        if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0)
            return qemuAgentOpenFd(fd);
        close(fd);
        /* QEMU may be between two clients: its listening socket's backlog
         * is full or not yet there. */
        if ((errno != EAGAIN && errno != ECONNREFUSED) || g_get_monotonic_time() >= deadline) {
            qemuAgentUnresponsive(error, "QEMU guest agent is not connected");
            return NULL;
        }
        g_usleep(20 * G_TIME_SPAN_MILLISECOND);
    }
}


void
qemuAgentSetTimeouts(qemuAgent *agent, int sync_ms, int command_ms)
{
    agent->sync_timeout_ms = sync_ms;
    agent->command_timeout_ms = command_ms;
}


/* ---- transport --------------------------------------------------------- */

/* Wait for @events on the socket until @deadline (monotonic us). */
static bool
qemuAgentPoll(qemuAgent *agent, short events, gint64 deadline, GError **error)
{
    for (;;) {
        struct pollfd pfd = { .fd = agent->fd, .events = events };
        gint64 left = deadline - g_get_monotonic_time();
        int rc;

        if (left <= 0) {
            qemuAgentUnresponsive(error, "Guest agent not available for now");
            return false;
        }
        rc = poll(&pfd, 1, (int)MIN((left + 999) / 1000, G_MAXINT));
        if (rc > 0)
            return true;
        if (rc < 0 && errno != EINTR) {
            cairnErrorSetErrno(error, FROM, errno, "cannot poll the guest agent socket");
            return false;
        }
    }
}


static bool
qemuAgentWrite(qemuAgent *agent, const char *data, size_t len, gint64 deadline, GError **error)
{
    while (len > 0) {
        ssize_t n = send(agent->fd, data, len, MSG_NOSIGNAL);

        if (n > 0) {
            data += n;
            len -= (size_t)n;
        } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            if (!qemuAgentPoll(agent, POLLOUT, deadline, error))
                return false;
        } else {
            qemuAgentUnresponsive(error, "Guest agent disappeared while executing command");
            return false;
        }
    }
    return true;
}


/* Read what is there (waiting for something until @deadline). */
static bool
qemuAgentReadMore(qemuAgent *agent, gint64 deadline, GError **error)
{
    guint8 buf[1024];

    for (;;) {
        ssize_t n = recv(agent->fd, buf, sizeof(buf), 0);

        if (n > 0) {
            if (agent->in->len + (guint)n > QEMU_AGENT_MAX_REPLY) {
                cairnErrorSet(error, FROM, CAIRN_ERR_INTERNAL_ERROR,
                              "guest agent reply larger than %d bytes", QEMU_AGENT_MAX_REPLY);
                return false;
            }
            g_byte_array_append(agent->in, buf, (guint)n);
            return true;
        }
        if (n == 0) {
            qemuAgentUnresponsive(error, "Guest agent disappeared while executing command");
            return false;
        }
        if (errno != EAGAIN && errno != EINTR) {
            cairnErrorSetErrno(error, FROM, errno, "cannot read from the guest agent");
            return false;
        }
        if (!qemuAgentPoll(agent, POLLIN, deadline, error))
            return false;
    }
}


/* The next line received (without its newline; caller frees). */
static char *
qemuAgentReadLine(qemuAgent *agent, gint64 deadline, GError **error)
{
    for (;;) {
        guint8 *nl = agent->in->len ? memchr(agent->in->data, '\n', agent->in->len) : NULL;

        if (nl) {
            guint len = (guint)(nl - agent->in->data);
            char *line = g_strndup((const char *)agent->in->data, len);

            g_byte_array_remove_range(agent->in, 0, len + 1);
            return line;
        }
        if (!qemuAgentReadMore(agent, deadline, error))
            return NULL;
    }
}


/* Drop everything up to and including the next sentinel byte. */
static bool
qemuAgentSkipToSentinel(qemuAgent *agent, gint64 deadline, GError **error)
{
    for (;;) {
        guint8 *s = agent->in->len ?
                        memchr(agent->in->data, (guint8)QEMU_AGENT_SENTINEL, agent->in->len) :
                        NULL;

        if (s) {
            g_byte_array_remove_range(agent->in, 0, (guint)(s - agent->in->data) + 1);
            return true;
        }
        g_byte_array_set_size(agent->in, 0);
        if (!qemuAgentReadMore(agent, deadline, error))
            return false;
    }
}


static char *
qemuAgentRequest(const char *cmd, JsonObject *args /* stolen, may be NULL */)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    g_autoptr(JsonNode) root = NULL;
    g_autofree char *text = NULL;

    json_builder_begin_object(b);
    json_builder_set_member_name(b, "execute");
    json_builder_add_string_value(b, cmd);
    if (args) {
        JsonNode *node = json_node_new(JSON_NODE_OBJECT);

        json_node_take_object(node, args);
        json_builder_set_member_name(b, "arguments");
        json_builder_add_value(b, node);
    }
    json_builder_end_object(b);
    root = json_builder_get_root(b);
    text = json_to_string(root, FALSE);
    return g_strconcat(text, "\n", NULL);
}


static JsonNode *
qemuAgentParse(const char *line)
{
    g_autoptr(JsonParser) parser = json_parser_new();

    if (!json_parser_load_from_data(parser, line, -1, NULL) || !json_parser_get_root(parser) ||
        !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser)))
        return NULL;
    return json_node_copy(json_parser_get_root(parser));
}


/* The handshake. Called with io_lock held. */
static bool
qemuAgentSyncLocked(qemuAgent *agent, GError **error)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)agent->sync_timeout_ms * 1000;
    gint64 id = ((gint64)g_random_int() << 20) ^ g_random_int();
    JsonObject *args = json_object_new();
    g_autofree char *req = NULL;
    g_autofree char *msg = NULL;

    json_object_set_int_member(args, "id", id);
    req = qemuAgentRequest("guest-sync-delimited", args);
    msg = g_strdup_printf("%c%s", QEMU_AGENT_SENTINEL, req);
    g_byte_array_set_size(agent->in, 0);
    if (!qemuAgentWrite(agent, msg, strlen(msg), deadline, error))
        return false;
    for (;;) {
        g_autofree char *line = NULL;
        g_autoptr(JsonNode) reply = NULL;
        JsonNode *ret;

        if (!qemuAgentSkipToSentinel(agent, deadline, error) ||
            !(line = qemuAgentReadLine(agent, deadline, error)))
            return false;
        /* Anything else than our {"return": id} is stale: look further. */
        if ((reply = qemuAgentParse(line)) &&
            (ret = json_object_get_member(json_node_get_object(reply), "return")) &&
            JSON_NODE_HOLDS_VALUE(ret) && json_node_get_value_type(ret) == G_TYPE_INT64 &&
            json_node_get_int(ret) == id)
            return true;
        g_debug("guest agent: stale reply skipped: %s", line);
    }
}


/* Handshake, then @cmd: its "return" member (new reference). Called with
 * io_lock held. *@ret_sent (may be NULL) tells whether @cmd was sent. */
static JsonNode *
qemuAgentCommandLocked(qemuAgent *agent, const char *cmd, bool *ret_sent, GError **error)
{
    g_autofree char *req = qemuAgentRequest(cmd, NULL);
    g_autofree char *line = NULL;
    g_autoptr(JsonNode) reply = NULL;
    gint64 deadline;
    JsonObject *obj;
    JsonNode *ret;

    if (ret_sent)
        *ret_sent = false;
    if (!qemuAgentSyncLocked(agent, error))
        return NULL;
    deadline = g_get_monotonic_time() + (gint64)agent->command_timeout_ms * 1000;
    g_debug("guest agent: send %s", cmd);
    if (ret_sent)
        *ret_sent = true;
    if (!qemuAgentWrite(agent, req, strlen(req), deadline, error) ||
        !(line = qemuAgentReadLine(agent, deadline, error)))
        return NULL;
    if (!(reply = qemuAgentParse(line))) {
        cairnErrorSet(error, FROM, CAIRN_ERR_INTERNAL_ERROR,
                      "cannot parse the guest agent's reply to '%s'", cmd);
        return NULL;
    }
    obj = json_node_get_object(reply);
    if (json_object_has_member(obj, "error")) {
        JsonNode *err = json_object_get_member(obj, "error");
        const char *desc = NULL;

        if (JSON_NODE_HOLDS_OBJECT(err))
            desc =
                json_object_get_string_member_with_default(json_node_get_object(err), "desc", NULL);
        cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_FAILED,
                      "unable to execute QEMU agent command '%s': %s", cmd,
                      desc ? desc : "unknown error");
        return NULL;
    }
    if (!(ret = json_object_get_member(obj, "return"))) {
        cairnErrorSet(error, FROM, CAIRN_ERR_INTERNAL_ERROR,
                      "guest agent reply to '%s' has neither 'return' nor 'error'", cmd);
        return NULL;
    }
    return json_node_copy(ret);
}


static JsonNode *
qemuAgentCommand(qemuAgent *agent, const char *cmd, bool *ret_sent, GError **error)
{
    g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new(&agent->io_lock);

    return qemuAgentCommandLocked(agent, cmd, ret_sent, error);
}


static int
qemuAgentCount(JsonNode *ret, const char *cmd, GError **error)
{
    if (!JSON_NODE_HOLDS_VALUE(ret) || json_node_get_value_type(ret) != G_TYPE_INT64 ||
        json_node_get_int(ret) < 0 || json_node_get_int(ret) > G_MAXINT) {
        cairnErrorSet(error, FROM, CAIRN_ERR_INTERNAL_ERROR,
                      "guest agent reply to '%s' is not a count", cmd);
        return -1;
    }
    return (int)json_node_get_int(ret);
}


bool
qemuAgentSync(qemuAgent *agent, GError **error)
{
    g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new(&agent->io_lock);

    return qemuAgentSyncLocked(agent, error);
}


/* ---- freeze, thaw, watchdog --------------------------------------------- */

static bool
qemuAgentThawNow(qemuAgent *agent, GError **error)
{
    g_autoptr(JsonNode) ret = qemuAgentCommand(agent, "guest-fsfreeze-thaw", NULL, error);

    return ret && qemuAgentCount(ret, "guest-fsfreeze-thaw", error) >= 0;
}


static gpointer
qemuAgentWatchdog(gpointer opaque)
{
    qemuAgent *agent = opaque;
    g_autoptr(GError) err = NULL;
    bool fire = false;

    g_mutex_lock(&agent->wd_lock);
    while (agent->wd_armed) {
        if (!g_cond_wait_until(&agent->wd_cond, &agent->wd_lock, agent->wd_deadline_us) &&
            agent->wd_armed && g_get_monotonic_time() >= agent->wd_deadline_us) {
            fire = true;
            agent->wd_armed = false;
            agent->wd_fired = true;
        }
    }
    g_mutex_unlock(&agent->wd_lock);
    if (fire) {
        g_debug("guest agent: frozen for %d ms: the watchdog thaws", agent->wd_max_ms);
        if (!qemuAgentThawNow(agent, &err))
            g_debug("guest agent: watchdog thaw: %s", err->message);
    }
    return NULL;
}


static void
qemuAgentWatchdogArm(qemuAgent *agent, int max_ms)
{
    g_mutex_lock(&agent->wd_lock);
    agent->wd_armed = true;
    agent->wd_fired = false;
    agent->wd_max_ms = max_ms;
    agent->wd_deadline_us = g_get_monotonic_time() + (gint64)max_ms * 1000;
    g_mutex_unlock(&agent->wd_lock);
    agent->wd_thread = g_thread_new("cairn-agent-watchdog", qemuAgentWatchdog, agent);
}


/* Stop the watchdog (waiting for a thaw it is doing). Returns whether it
 * had fired. */
static bool
qemuAgentWatchdogDisarm(qemuAgent *agent)
{
    bool fired;

    g_mutex_lock(&agent->wd_lock);
    agent->wd_armed = false;
    g_cond_signal(&agent->wd_cond);
    g_mutex_unlock(&agent->wd_lock);
    if (agent->wd_thread)
        g_thread_join(g_steal_pointer(&agent->wd_thread));
    g_mutex_lock(&agent->wd_lock);
    fired = agent->wd_fired;
    g_mutex_unlock(&agent->wd_lock);
    return fired;
}


int
qemuAgentFSFreeze(qemuAgent *agent, int max_frozen_ms, GError **error)
{
    g_autoptr(JsonNode) ret = NULL;
    g_autoptr(GError) thaw_err = NULL;
    bool sent = false;
    int n;

    if (agent->wd_thread) {
        cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_INVALID,
                      "guest filesystems are already frozen");
        return -1;
    }
    ret = qemuAgentCommand(agent, "guest-fsfreeze-freeze", &sent, error);
    if (ret && (n = qemuAgentCount(ret, "guest-fsfreeze-freeze", error)) >= 0) {
        qemuAgentWatchdogArm(agent, max_frozen_ms);
        return n;
    }
    /* Once sent, the freeze may have happened, or happen after a timeout:
     * thaw. */
    if (sent && !qemuAgentThawNow(agent, &thaw_err))
        g_debug("guest agent: thaw after failed freeze: %s", thaw_err->message);
    return -1;
}


int
qemuAgentFSThaw(qemuAgent *agent, GError **error)
{
    bool fired = qemuAgentWatchdogDisarm(agent);
    g_autoptr(JsonNode) ret = qemuAgentCommand(agent, "guest-fsfreeze-thaw", NULL, error);
    int n;

    if (!ret || (n = qemuAgentCount(ret, "guest-fsfreeze-thaw", error)) < 0)
        return -1;
    if (fired) {
        cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_FAILED,
                      "the guest was frozen longer than %d ms and was thawed before the "
                      "operation ended",
                      agent->wd_max_ms);
        return -1;
    }
    return n;
}


bool
qemuAgentFSStatus(qemuAgent *agent, bool *ret_frozen, GError **error)
{
    g_autoptr(JsonNode) ret = qemuAgentCommand(agent, "guest-fsfreeze-status", NULL, error);
    const char *status;

    if (!ret)
        return false;
    if (!JSON_NODE_HOLDS_VALUE(ret) || json_node_get_value_type(ret) != G_TYPE_STRING) {
        cairnErrorSet(error, FROM, CAIRN_ERR_INTERNAL_ERROR,
                      "guest agent reply to 'guest-fsfreeze-status' is not a string");
        return false;
    }
    status = json_node_get_string(ret);
    *ret_frozen = g_str_equal(status, "frozen");
    return true;
}


bool
qemuAgentWatchdogFired(qemuAgent *agent)
{
    bool fired;

    g_mutex_lock(&agent->wd_lock);
    fired = agent->wd_fired;
    g_mutex_unlock(&agent->wd_lock);
    return fired;
}


void
qemuAgentClose(qemuAgent *agent)
{
    if (!agent)
        return;
    if (agent->wd_thread && !qemuAgentWatchdogDisarm(agent)) {
        g_autoptr(GError) err = NULL;

        if (!qemuAgentThawNow(agent, &err))
            g_debug("guest agent: thaw on close: %s", err->message);
    }
    if (agent->fd >= 0)
        close(agent->fd);
    g_byte_array_unref(agent->in);
    g_mutex_clear(&agent->io_lock);
    g_mutex_clear(&agent->wd_lock);
    g_cond_clear(&agent->wd_cond);
    g_free(agent);
}
