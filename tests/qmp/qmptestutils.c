/*
 * qmptestutils.c: fake QMP peer, recorder, schema checker and QEMU
 * launcher for tests (see qmptestutils.h).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <gio/gio.h>

#include "qmptestutils.h"

/* Pause between the chunks of a split message, long enough for the
 * client to read each chunk on its own (coverage depends on it, the
 * outcome does not). */
#define QMP_TEST_SPLIT_PAUSE_US (20 * 1000)

static void G_GNUC_PRINTF(2, 3) testFail(GError **error, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    if (!error || *error)
        return;
    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_FAILED, msg);
}

/* ---- conversation files ----------------------------------------------- */

static void
stepFree(gpointer opaque)
{
    qmpTestStep *step = opaque;

    g_free(step->text);
    g_free(step);
}


static bool
isMarker(const char *line)
{
    return g_str_has_prefix(line, "<<<") || g_str_has_prefix(line, ">>>") ||
           g_str_has_prefix(line, "!!!");
}


GPtrArray *
qmpTestScriptLoad(const char *path, GError **error)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    g_autoptr(GPtrArray) steps = NULL;
    qmpTestStep *cur = NULL;
    size_t i;

    if (!g_file_get_contents(path, &text, NULL, error))
        return NULL;
    steps = g_ptr_array_new_with_free_func(stepFree);
    lines = g_strsplit(text, "\n", -1);
    for (i = 0; lines[i]; i++) {
        char *line = g_strchomp(lines[i]);

        if (*line == '#' || !*line) {
            cur = NULL;
            continue;
        }
        if (!isMarker(line)) {
            g_autofree char *old = NULL;

            if (!cur) {
                testFail(error, "%s:%zu: text outside an entry", path, i + 1);
                return NULL;
            }
            old = cur->text;
            cur->text = g_strconcat(old, "\n", line, NULL);
            continue;
        }
        cur = g_new0(qmpTestStep, 1);
        if (line[0] == '<')
            cur->kind = QMP_TEST_STEP_REPLY;
        else if (line[0] == '>')
            cur->kind = QMP_TEST_STEP_EXPECT;
        else
            cur->kind = QMP_TEST_STEP_DIRECTIVE;
        cur->text = g_strdup(g_strstrip(line + 3));
        cur->line = i + 1;
        g_ptr_array_add(steps, cur);
    }
    return g_steal_pointer(&steps);
}


JsonNode *
qmpTestParseObject(const char *text, GError **error)
{
    g_autoptr(JsonParser) parser = json_parser_new();
    JsonNode *root;

    if (!json_parser_load_from_data(parser, text, -1, error))
        return NULL;
    root = json_parser_get_root(parser);
    if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
        testFail(error, "not a JSON object: %s", text);
        return NULL;
    }
    return json_node_copy(root);
}


static char *
toJson(JsonNode *node, bool pretty)
{
    g_autoptr(JsonGenerator) gen = json_generator_new();

    json_generator_set_pretty(gen, pretty);
    json_generator_set_indent(gen, 2);
    json_generator_set_root(gen, node);
    return json_generator_to_data(gen, NULL);
}


/* Member @name of @obj if it is a string, else NULL. */
static const char *
stringMember(JsonObject *obj, const char *name)
{
    JsonNode *n = json_object_get_member(obj, name);

    if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
        return NULL;
    return json_node_get_string(n);
}


static bool
writeAll(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, data, len, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        data += n;
        len -= n;
    }
    return true;
}

/* ---- fake peer -------------------------------------------------------- */

struct _qmpTestPeer {
    GThread *thread;
    GPtrArray *script;
    int fd;
    GByteArray *in;
    GString *out;
    GHashTable *ids; /* id in the file -> id the client used */
    int split;       /* chunk size for the next message, 0 = whole */
    GError *error;
};


/* Read one line from the client: 1 (in *@ret_line), 0 at EOF, -1 error. */
static int
peerReadLine(qmpTestPeer *peer, char **ret_line)
{
    for (;;) {
        guint8 *nl = peer->in->len ? memchr(peer->in->data, '\n', peer->in->len) : NULL;
        char buf[2048];
        ssize_t n;

        if (nl) {
            gsize len = nl - peer->in->data;

            *ret_line = g_strstrip(g_strndup((char *)peer->in->data, len));
            g_byte_array_remove_range(peer->in, 0, len + 1);
            return 1;
        }
        n = read(peer->fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            return 0;
        g_byte_array_append(peer->in, (guint8 *)buf, n);
    }
}


static bool
peerFlush(qmpTestPeer *peer)
{
    bool ok = writeAll(peer->fd, peer->out->str, peer->out->len);

    g_string_truncate(peer->out, 0);
    if (!ok)
        testFail(&peer->error, "peer: write failed: %s", g_strerror(errno));
    return ok;
}


/* Queue the <<< message of @step, with its id translated. */
static bool
peerReply(qmpTestPeer *peer, qmpTestStep *step)
{
    g_autoptr(JsonNode) node = qmpTestParseObject(step->text, NULL);
    g_autofree char *text = NULL;
    size_t off;

    if (node) {
        JsonObject *obj = json_node_get_object(node);
        const char *id = stringMember(obj, "id");
        const char *actual = id ? g_hash_table_lookup(peer->ids, id) : NULL;

        if (actual)
            json_object_set_string_member(obj, "id", actual);
        text = toJson(node, false);
    } else {
        text = g_strdup(step->text); /* deliberately not JSON */
    }

    if (!peer->split) {
        g_string_append_printf(peer->out, "%s\r\n", text);
        return true;
    }
    if (!peerFlush(peer))
        return false;
    g_string_append(peer->out, "\r\n");
    g_string_prepend(peer->out, text);
    for (off = 0; off < peer->out->len; off += peer->split) {
        size_t len = MIN((size_t)peer->split, peer->out->len - off);

        if (off > 0)
            g_usleep(QMP_TEST_SPLIT_PAUSE_US);
        if (!writeAll(peer->fd, peer->out->str + off, len)) {
            testFail(&peer->error, "peer: write failed: %s", g_strerror(errno));
            return false;
        }
    }
    g_string_truncate(peer->out, 0);
    peer->split = 0;
    return true;
}


static bool
peerExpect(qmpTestPeer *peer, qmpTestStep *step)
{
    g_autofree char *line = NULL;
    g_autoptr(JsonNode) want = NULL;
    g_autoptr(JsonNode) got = NULL;
    g_autoptr(GError) err = NULL;
    const char *want_id;
    const char *got_id;
    int rc;

    if (!peerFlush(peer))
        return false;
    if (!(want = qmpTestParseObject(step->text, &err))) {
        testFail(&peer->error, "line %d: %s", step->line, err->message);
        return false;
    }
    while ((rc = peerReadLine(peer, &line)) > 0 && !*line)
        g_clear_pointer(&line, g_free);
    if (rc <= 0) {
        testFail(&peer->error, "line %d: client closed instead of sending %s", step->line,
                 step->text);
        return false;
    }
    if (!(got = qmpTestParseObject(line, &err))) {
        testFail(&peer->error, "line %d: client sent bad JSON: %s", step->line, line);
        return false;
    }
    want_id = stringMember(json_node_get_object(want), "id");
    got_id = stringMember(json_node_get_object(got), "id");
    if (want_id && got_id)
        g_hash_table_insert(peer->ids, g_strdup(want_id), g_strdup(got_id));
    json_object_remove_member(json_node_get_object(want), "id");
    json_object_remove_member(json_node_get_object(got), "id");
    if (!json_node_equal(want, got)) {
        g_autofree char *w = toJson(want, false);
        g_autofree char *g = toJson(got, false);

        testFail(&peer->error, "line %d: expected\n  %s\nbut the client sent\n  %s", step->line, w,
                 g);
        return false;
    }
    return true;
}


static void
peerOversize(qmpTestPeer *peer, size_t size)
{
    g_autoptr(GString) msg = g_string_new("{\"return\": \"");

    while (msg->len < size)
        g_string_append_c(msg, 'x');
    g_string_append(msg, "\"}\r\n");
    g_string_append_len(peer->out, msg->str, msg->len);
}


/* Returns false when the script ends here (eof) or failed. */
static bool
peerDirective(qmpTestPeer *peer, qmpTestStep *step)
{
    g_auto(GStrv) words = g_strsplit(step->text, " ", 2);

    if (g_str_equal(words[0], "eof")) {
        peerFlush(peer);
        return false;
    }
    if (g_str_equal(words[0], "split") && words[1]) {
        peer->split = MAX(1, atoi(words[1]));
        return true;
    }
    if (g_str_equal(words[0], "oversize") && words[1]) {
        peerOversize(peer, strtoul(words[1], NULL, 10));
        return true;
    }
    testFail(&peer->error, "line %d: unknown directive '%s'", step->line, step->text);
    return false;
}


/* After the script: nothing more may come from the client. */
static void
peerDrain(qmpTestPeer *peer)
{
    g_autofree char *line = NULL;
    int rc;

    if (!peerFlush(peer))
        return;
    while ((rc = peerReadLine(peer, &line)) > 0) {
        if (*line) {
            testFail(&peer->error, "client sent a command after the end of the script: %s", line);
            return;
        }
        g_clear_pointer(&line, g_free);
    }
}


static gpointer
peerThread(gpointer opaque)
{
    qmpTestPeer *peer = opaque;
    guint i;

    for (i = 0; i < peer->script->len; i++) {
        qmpTestStep *step = g_ptr_array_index(peer->script, i);
        bool ok = true;

        switch (step->kind) {
        case QMP_TEST_STEP_REPLY:
            ok = peerReply(peer, step);
            break;
        case QMP_TEST_STEP_EXPECT:
            ok = peerExpect(peer, step);
            break;
        case QMP_TEST_STEP_DIRECTIVE:
            ok = peerDirective(peer, step);
            break;
        }
        if (!ok)
            break;
    }
    if (i == peer->script->len)
        peerDrain(peer);
    /* Said at once: the client usually fails an assertion next. */
    if (peer->error)
        g_printerr("qmp peer: %s\n", peer->error->message);
    close(peer->fd);
    peer->fd = -1;
    return NULL;
}


qmpTestPeer *
qmpTestPeerStart(GPtrArray *script, int *ret_fd, GError **error)
{
    qmpTestPeer *peer;
    int fds[2];

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0) {
        testFail(error, "socketpair: %s", g_strerror(errno));
        return NULL;
    }
    peer = g_new0(qmpTestPeer, 1);
    peer->script = script;
    peer->fd = fds[1];
    peer->in = g_byte_array_new();
    peer->out = g_string_new(NULL);
    peer->ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    peer->thread = g_thread_new("qmp-peer", peerThread, peer);
    *ret_fd = fds[0];
    return peer;
}


bool
qmpTestPeerFinish(qmpTestPeer *peer, GError **error)
{
    bool ok;

    g_thread_join(peer->thread);
    ok = peer->error == NULL;
    if (peer->error)
        g_propagate_error(error, peer->error);
    g_byte_array_unref(peer->in);
    g_string_free(peer->out, TRUE);
    g_hash_table_unref(peer->ids);
    g_free(peer);
    return ok;
}

/* ---- recorder --------------------------------------------------------- */

struct _qmpTestRecorder {
    GThread *thread;
    int qemu_fd;
    int fd; /* our end of the socketpair with the client */
    int trim;
    GByteArray *from_qemu;
    GByteArray *from_client;
    GString *transcript;
};


/* Cut arrays in "return" to @trim entries; true if anything was cut. */
static bool
recorderTrim(JsonObject *msg, int trim)
{
    JsonNode *ret = json_object_get_member(msg, "return");
    JsonArray *arr;
    bool cut = false;

    if (trim <= 0 || !ret || !JSON_NODE_HOLDS_ARRAY(ret))
        return false;
    arr = json_node_get_array(ret);
    while (json_array_get_length(arr) > (guint)trim) {
        json_array_remove_element(arr, json_array_get_length(arr) - 1);
        cut = true;
    }
    return cut;
}


/* Record @line as sent, unless it had to be trimmed. */
static void
recorderNote(qmpTestRecorder *rec, const char *marker, const char *line)
{
    g_autoptr(JsonNode) node = qmpTestParseObject(line, NULL);
    g_autofree char *text = NULL;

    if (node && *marker == '<' && recorderTrim(json_node_get_object(node), rec->trim))
        text = toJson(node, false);
    g_string_append_printf(rec->transcript, "%s %s\n", marker, text ? text : line);
}


/* Move complete lines of @buf into the transcript. */
static void
recorderLines(qmpTestRecorder *rec, GByteArray *buf, const char *marker)
{
    guint8 *nl;

    while ((nl = memchr(buf->data, '\n', buf->len))) {
        gsize len = nl - buf->data;
        g_autofree char *line = g_strstrip(g_strndup((char *)buf->data, len));

        g_byte_array_remove_range(buf, 0, len + 1);
        if (*line)
            recorderNote(rec, marker, line);
    }
}


/* Relay what @from has to @to; false at EOF or error. */
static bool
recorderRelay(qmpTestRecorder *rec, int from, int to, GByteArray *buf, const char *marker)
{
    char data[2048];
    ssize_t n = read(from, data, sizeof(data));

    if (n < 0 && errno == EINTR)
        return true;
    if (n <= 0)
        return false;
    g_byte_array_append(buf, (guint8 *)data, n);
    recorderLines(rec, buf, marker);
    writeAll(to, data, n);
    return true;
}


static gpointer
recorderThread(gpointer opaque)
{
    qmpTestRecorder *rec = opaque;

    for (;;) {
        struct pollfd fds[2] = {
            { .fd = rec->qemu_fd, .events = POLLIN },
            { .fd = rec->fd, .events = POLLIN },
        };

        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (fds[0].revents && !recorderRelay(rec, rec->qemu_fd, rec->fd, rec->from_qemu, "<<<")) {
            g_string_append(rec->transcript, "!!! eof\n");
            break;
        }
        if (fds[1].revents && !recorderRelay(rec, rec->fd, rec->qemu_fd, rec->from_client, ">>>"))
            break;
    }
    close(rec->fd);
    close(rec->qemu_fd);
    return NULL;
}


qmpTestRecorder *
qmpTestRecorderStart(int qemu_fd, int trim_arrays, int *ret_fd, GError **error)
{
    qmpTestRecorder *rec;
    int fds[2];

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0) {
        testFail(error, "socketpair: %s", g_strerror(errno));
        close(qemu_fd);
        return NULL;
    }
    rec = g_new0(qmpTestRecorder, 1);
    rec->qemu_fd = qemu_fd;
    rec->fd = fds[1];
    rec->trim = trim_arrays;
    rec->from_qemu = g_byte_array_new();
    rec->from_client = g_byte_array_new();
    rec->transcript = g_string_new(NULL);
    rec->thread = g_thread_new("qmp-recorder", recorderThread, rec);
    *ret_fd = fds[0];
    return rec;
}


char *
qmpTestRecorderFinish(qmpTestRecorder *rec)
{
    char *text;

    g_thread_join(rec->thread);
    g_byte_array_unref(rec->from_qemu);
    g_byte_array_unref(rec->from_client);
    text = g_string_free(rec->transcript, FALSE);
    g_free(rec);
    return text;
}

/* ---- schema ----------------------------------------------------------- */

struct _qmpTestSchema {
    JsonNode *root;
    GHashTable *entries; /* name -> JsonObject (SchemaInfo) */
};


qmpTestSchema *
qmpTestSchemaLoad(const char *path, GError **error)
{
    g_autoptr(JsonParser) parser = json_parser_new();
    g_autoptr(qmpTestSchema) schema = g_new0(qmpTestSchema, 1);
    JsonArray *arr;
    guint i;

    schema->entries = g_hash_table_new(g_str_hash, g_str_equal);
    if (!json_parser_load_from_file(parser, path, error))
        return NULL;
    schema->root = json_node_copy(json_parser_get_root(parser));
    if (!JSON_NODE_HOLDS_ARRAY(schema->root)) {
        testFail(error, "%s: not a JSON array", path);
        return NULL;
    }
    arr = json_node_get_array(schema->root);
    for (i = 0; i < json_array_get_length(arr); i++) {
        JsonObject *entry = json_array_get_object_element(arr, i);
        const char *name = json_object_get_string_member_with_default(entry, "name", NULL);

        if (name)
            g_hash_table_insert(schema->entries, (gpointer)name, entry);
    }
    return g_steal_pointer(&schema);
}


void
qmpTestSchemaFree(qmpTestSchema *schema)
{
    if (!schema)
        return;
    g_hash_table_unref(schema->entries);
    if (schema->root)
        json_node_unref(schema->root);
    g_free(schema);
}


static bool schemaCheckValue(
    qmpTestSchema *schema, const char *type, JsonNode *value, const char *path, GError **error);


static bool
schemaCheckBuiltin(JsonObject *entry, JsonNode *value, const char *path, GError **error)
{
    const char *jt = json_object_get_string_member(entry, "json-type");
    GType vt = JSON_NODE_HOLDS_VALUE(value) ? json_node_get_value_type(value) : G_TYPE_INVALID;
    bool ok;

    if (g_str_equal(jt, "value"))
        ok = true;
    else if (g_str_equal(jt, "null"))
        ok = JSON_NODE_HOLDS_NULL(value);
    else if (g_str_equal(jt, "string"))
        ok = vt == G_TYPE_STRING;
    else if (g_str_equal(jt, "int"))
        ok = vt == G_TYPE_INT64;
    else if (g_str_equal(jt, "number"))
        ok = vt == G_TYPE_INT64 || vt == G_TYPE_DOUBLE;
    else if (g_str_equal(jt, "boolean"))
        ok = vt == G_TYPE_BOOLEAN;
    else
        ok = false;
    if (!ok)
        testFail(error, "%s: not of JSON type %s", path, jt);
    return ok;
}


static bool
schemaCheckEnum(JsonObject *entry, JsonNode *value, const char *path, GError **error)
{
    JsonArray *values = json_object_get_array_member(entry, "values");
    const char *str = NULL;
    guint i;

    if (JSON_NODE_HOLDS_VALUE(value) && json_node_get_value_type(value) == G_TYPE_STRING)
        str = json_node_get_string(value);
    for (i = 0; str && i < json_array_get_length(values); i++) {
        if (g_str_equal(json_array_get_string_element(values, i), str))
            return true;
    }
    testFail(error, "%s: '%s' is not a value of its enum", path, str ? str : "(not a string)");
    return false;
}


/* Collect the members of object type @entry that apply to @obj (base
 * members plus those of the variant its tag selects), name -> member. */
static void
schemaCollectMembers(qmpTestSchema *schema, JsonObject *entry, JsonObject *obj, GHashTable *members)
{
    JsonArray *list = json_object_get_array_member(entry, "members");
    const char *tag = json_object_get_string_member_with_default(entry, "tag", NULL);
    const char *tagval = tag ? json_object_get_string_member_with_default(obj, tag, NULL) : NULL;
    JsonArray *variants;
    guint i;

    for (i = 0; i < json_array_get_length(list); i++) {
        JsonObject *m = json_array_get_object_element(list, i);
        g_hash_table_insert(members, (gpointer)json_object_get_string_member(m, "name"), m);
    }
    if (!tagval || !(variants = json_object_get_array_member(entry, "variants")))
        return;
    for (i = 0; i < json_array_get_length(variants); i++) {
        JsonObject *v = json_array_get_object_element(variants, i);
        JsonObject *vt;

        if (!g_str_equal(json_object_get_string_member(v, "case"), tagval))
            continue;
        vt = g_hash_table_lookup(schema->entries, json_object_get_string_member(v, "type"));
        if (vt)
            schemaCollectMembers(schema, vt, obj, members);
    }
}


static bool
schemaCheckObject(
    qmpTestSchema *schema, JsonObject *entry, JsonNode *value, const char *path, GError **error)
{
    g_autoptr(GHashTable) members = g_hash_table_new(g_str_hash, g_str_equal);
    JsonObject *obj;
    JsonObjectIter iter;
    const char *name;
    JsonNode *member;
    GHashTableIter hit;
    gpointer key;
    gpointer def;

    if (!JSON_NODE_HOLDS_OBJECT(value)) {
        testFail(error, "%s: not an object", path);
        return false;
    }
    obj = json_node_get_object(value);
    schemaCollectMembers(schema, entry, obj, members);

    json_object_iter_init(&iter, obj);
    while (json_object_iter_next(&iter, &name, &member)) {
        JsonObject *m = g_hash_table_lookup(members, name);
        g_autofree char *sub = g_strdup_printf("%s.%s", path, name);

        if (!m) {
            testFail(error, "%s: unknown member", sub);
            return false;
        }
        if (!schemaCheckValue(schema, json_object_get_string_member(m, "type"), member, sub, error))
            return false;
    }
    g_hash_table_iter_init(&hit, members);
    while (g_hash_table_iter_next(&hit, &key, &def)) {
        if (!json_object_has_member(def, "default") && !json_object_has_member(obj, key)) {
            testFail(error, "%s: required member '%s' missing", path, (char *)key);
            return false;
        }
    }
    return true;
}


static bool
schemaCheckAlternate(
    qmpTestSchema *schema, JsonObject *entry, JsonNode *value, const char *path, GError **error)
{
    JsonArray *list = json_object_get_array_member(entry, "members");
    guint i;

    for (i = 0; i < json_array_get_length(list); i++) {
        JsonObject *m = json_array_get_object_element(list, i);

        if (schemaCheckValue(schema, json_object_get_string_member(m, "type"), value, path, NULL))
            return true;
    }
    testFail(error, "%s: matches none of its alternatives", path);
    return false;
}


static bool
schemaCheckValue(
    qmpTestSchema *schema, const char *type, JsonNode *value, const char *path, GError **error)
{
    JsonObject *entry = g_hash_table_lookup(schema->entries, type);
    const char *meta;

    if (!entry) {
        testFail(error, "%s: type '%s' not in the schema", path, type);
        return false;
    }
    meta = json_object_get_string_member(entry, "meta-type");
    if (g_str_equal(meta, "builtin"))
        return schemaCheckBuiltin(entry, value, path, error);
    if (g_str_equal(meta, "enum"))
        return schemaCheckEnum(entry, value, path, error);
    if (g_str_equal(meta, "object"))
        return schemaCheckObject(schema, entry, value, path, error);
    if (g_str_equal(meta, "alternate"))
        return schemaCheckAlternate(schema, entry, value, path, error);
    if (g_str_equal(meta, "array")) {
        const char *et = json_object_get_string_member(entry, "element-type");
        JsonArray *arr;
        guint i;

        if (!JSON_NODE_HOLDS_ARRAY(value)) {
            testFail(error, "%s: not an array", path);
            return false;
        }
        arr = json_node_get_array(value);
        for (i = 0; i < json_array_get_length(arr); i++) {
            g_autofree char *sub = g_strdup_printf("%s[%u]", path, i);

            if (!schemaCheckValue(schema, et, json_array_get_element(arr, i), sub, error))
                return false;
        }
        return true;
    }
    testFail(error, "%s: unexpected meta-type '%s'", path, meta);
    return false;
}


bool
qmpTestSchemaCheckCommand(qmpTestSchema *schema, JsonObject *msg, GError **error)
{
    const char *name = json_object_get_string_member_with_default(msg, "execute", NULL);
    JsonObject *entry = name ? g_hash_table_lookup(schema->entries, name) : NULL;
    g_autoptr(JsonNode) empty = NULL;
    JsonNode *args;

    if (!entry || !g_str_equal(json_object_get_string_member(entry, "meta-type"), "command")) {
        testFail(error, "'%s' is not a command of this QEMU", name ? name : "(none)");
        return false;
    }
    args = json_object_get_member(msg, "arguments");
    if (!args) {
        args = empty = json_node_new(JSON_NODE_OBJECT);
        json_node_take_object(empty, json_object_new());
    }
    return schemaCheckValue(schema, json_object_get_string_member(entry, "arg-type"), args, name,
                            error);
}

/* ---- a real QEMU ------------------------------------------------------ */

struct _qmpTestQemu {
    GSubprocess *proc;
    char *sock_path;
    bool exited;
};


char *
qmpTestQemuFind(void)
{
    const char *env = g_getenv("QEMU");

    return g_find_program_in_path(env && *env ? env : "qemu-system-x86_64");
}


static void
qemuChildSetup(gpointer opaque)
{
    /* QEMU dies with the test, whatever path the test takes. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
}


static int
listenUnix(const char *path, GError **error)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd;

    if (strlen(path) >= sizeof(addr.sun_path)) {
        testFail(error, "socket path too long: %s", path);
        return -1;
    }
    strcpy(addr.sun_path, path);
    if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0 ||
        bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 4) < 0) {
        testFail(error, "cannot listen on %s: %s", path, g_strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}


qmpTestQemu *
qmpTestQemuStart(const char *binary, const char *workdir, GError **error)
{
    g_autoptr(GSubprocessLauncher) launcher = NULL;
    g_autofree char *log = g_build_filename(workdir, "qemu.log", NULL);
    qmpTestQemu *qemu;
    int fd;

    qemu = g_new0(qmpTestQemu, 1);
    qemu->sock_path = g_build_filename(workdir, "qmp.sock", NULL);
    if ((fd = listenUnix(qemu->sock_path, error)) < 0) {
        qmpTestQemuStop(qemu);
        return NULL;
    }
    launcher = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDIN_INHERIT);
    g_subprocess_launcher_set_cwd(launcher, workdir);
    g_subprocess_launcher_set_stdout_file_path(launcher, log);
    g_subprocess_launcher_set_stderr_file_path(launcher, log);
    g_subprocess_launcher_set_child_setup(launcher, qemuChildSetup, NULL, NULL);
    g_subprocess_launcher_take_fd(launcher, fd, 3);
    qemu->proc = g_subprocess_launcher_spawn(launcher, error, binary, "-machine", "none",
                                             "-nodefaults", "-display", "none", "-no-user-config",
                                             "-chardev", "socket,id=qmp,fd=3,server=on,wait=off",
                                             "-mon", "chardev=qmp,mode=control", NULL);
    if (!qemu->proc) {
        qmpTestQemuStop(qemu);
        return NULL;
    }
    return qemu;
}


const char *
qmpTestQemuSocketPath(qmpTestQemu *qemu)
{
    return qemu->sock_path;
}


int
qmpTestQemuConnect(qmpTestQemu *qemu, GError **error)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd;

    g_strlcpy(addr.sun_path, qemu->sock_path, sizeof(addr.sun_path));
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
        connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        testFail(error, "cannot connect to %s: %s", qemu->sock_path, g_strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}


static void
qemuWaited(GObject *source, GAsyncResult *res, gpointer opaque)
{
    g_subprocess_wait_finish(G_SUBPROCESS(source), res, NULL);
    *(bool *)opaque = true;
}


static gboolean
qemuWaitTimeout(gpointer opaque)
{
    *(bool *)opaque = true;
    return G_SOURCE_REMOVE;
}


bool
qmpTestQemuWaitExit(qmpTestQemu *qemu, int timeout_ms)
{
    g_autoptr(GMainContext) ctx = g_main_context_new();
    g_autoptr(GSource) timer = g_timeout_source_new(timeout_ms);
    g_autoptr(GCancellable) cancel = g_cancellable_new();
    bool done = false;
    bool expired = false;

    g_main_context_push_thread_default(ctx);
    g_subprocess_wait_async(qemu->proc, cancel, qemuWaited, &done);
    g_main_context_pop_thread_default(ctx);
    g_source_set_callback(timer, qemuWaitTimeout, &expired, NULL);
    g_source_attach(timer, ctx);
    while (!done && !expired)
        g_main_context_iteration(ctx, TRUE);
    g_source_destroy(timer);
    if (!done) {
        g_cancellable_cancel(cancel);
        while (!done)
            g_main_context_iteration(ctx, TRUE);
    }
    qemu->exited =
        g_subprocess_get_if_exited(qemu->proc) || g_subprocess_get_if_signaled(qemu->proc);
    return qemu->exited;
}


void
qmpTestQemuStop(qmpTestQemu *qemu)
{
    if (!qemu)
        return;
    if (qemu->proc) {
        const char *pid = g_subprocess_get_identifier(qemu->proc);

        if (pid && !qemu->exited)
            kill(atoi(pid), SIGKILL);
        g_subprocess_wait(qemu->proc, NULL, NULL);
        g_object_unref(qemu->proc);
    }
    if (qemu->sock_path)
        unlink(qemu->sock_path);
    g_free(qemu->sock_path);
    g_free(qemu);
}


bool
qmpTestQemuImg(const char *workdir, const char *const *argv, GError **error)
{
    g_autoptr(GSubprocessLauncher) launcher =
        g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
    g_autoptr(GPtrArray) args = g_ptr_array_new();
    g_autoptr(GSubprocess) proc = NULL;

    g_ptr_array_add(args, (gpointer) "qemu-img");
    for (; *argv; argv++)
        g_ptr_array_add(args, (gpointer)*argv);
    g_ptr_array_add(args, NULL);
    g_subprocess_launcher_set_cwd(launcher, workdir);
    if (!(proc = g_subprocess_launcher_spawnv(launcher, (const char *const *)args->pdata, error)))
        return false;
    return g_subprocess_wait_check(proc, NULL, error);
}


static gint
qmpTestComparePaths(gconstpointer a, gconstpointer b)
{
    return g_strcmp0(*(char *const *)a, *(char *const *)b);
}


GPtrArray *
qmpTestListConversations(const char *dir)
{
    GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GDir) d = NULL;
    g_autoptr(GError) err = NULL;
    const char *name;

    if (!(d = g_dir_open(dir, 0, &err)))
        g_error("%s", err->message);
    while ((name = g_dir_read_name(d))) {
        if (g_str_has_suffix(name, ".qmp"))
            g_ptr_array_add(files, g_build_filename(dir, name, NULL));
    }
    g_ptr_array_sort(files, qmpTestComparePaths);
    return files;
}
