/*
 * qemu_monitor_cmd_util.c: what the typed QMP wrappers share (see
 * qemu_monitor_cmd_priv.h): reading replies, running commands.
 */
#define G_LOG_DOMAIN "cairn.qemu.monitor"

#include <string.h>

#include "qemu_monitor_cmd_priv.h"
#include "util/cairnerror.h"


JsonNode *
qemuMonitorReplyMember(JsonObject *obj, const char *name)
{
    return obj ? json_object_get_member(obj, name) : NULL;
}


const char *
qemuMonitorReplyGetString(JsonObject *obj, const char *name)
{
    JsonNode *n = qemuMonitorReplyMember(obj, name);

    if (!n || JSON_NODE_TYPE(n) != JSON_NODE_VALUE || json_node_get_value_type(n) != G_TYPE_STRING)
        return NULL;
    return json_node_get_string(n);
}


bool
qemuMonitorReplyGetBool(JsonObject *obj, const char *name, bool dflt)
{
    JsonNode *n = qemuMonitorReplyMember(obj, name);

    if (!n || JSON_NODE_TYPE(n) != JSON_NODE_VALUE || json_node_get_value_type(n) != G_TYPE_BOOLEAN)
        return dflt;
    return json_node_get_boolean(n);
}


gint64
qemuMonitorReplyGetInt(JsonObject *obj, const char *name, gint64 dflt)
{
    JsonNode *n = qemuMonitorReplyMember(obj, name);

    if (!n || JSON_NODE_TYPE(n) != JSON_NODE_VALUE || json_node_get_value_type(n) != G_TYPE_INT64)
        return dflt;
    return json_node_get_int(n);
}


JsonObject *
qemuMonitorReplyGetObject(JsonObject *obj, const char *name)
{
    JsonNode *n = qemuMonitorReplyMember(obj, name);

    return n && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
}


JsonArray *
qemuMonitorReplyGetArray(JsonObject *obj, const char *name)
{
    JsonNode *n = qemuMonitorReplyMember(obj, name);

    return n && JSON_NODE_HOLDS_ARRAY(n) ? json_node_get_array(n) : NULL;
}


JsonObject *
qemuMonitorReplyArrayObject(JsonArray *arr, guint i)
{
    JsonNode *n = json_array_get_element(arr, i);

    return n && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
}


void
qemuMonitorReplyMalformed(GError **error, const char *command, const char *what)
{
    cairnErrorSet(error, CAIRN_FROM_QEMU, CAIRN_ERR_INTERNAL_ERROR,
                  "QEMU command '%s' returned malformed data: %s", command, what);
}


bool
qemuMonitorCmdRun(qemuMonitor *mon, const char *command, JsonObject *args, GError **error)
{
    g_autoptr(JsonNode) ret = qemuMonitorCommand(mon, command, args, error);

    return ret != NULL;
}


JsonObject *
qemuMonitorReplyObject(JsonNode *reply, const char *command, GError **error)
{
    if (!JSON_NODE_HOLDS_OBJECT(reply)) {
        qemuMonitorReplyMalformed(error, command, "not an object");
        return NULL;
    }
    return json_node_get_object(reply);
}


JsonArray *
qemuMonitorReplyArray(JsonNode *reply, const char *command, GError **error)
{
    if (!JSON_NODE_HOLDS_ARRAY(reply)) {
        qemuMonitorReplyMalformed(error, command, "not an array");
        return NULL;
    }
    return json_node_get_array(reply);
}


GPtrArray *
qemuMonitorReplyParseArray(JsonNode *reply,
                           const char *command,
                           qemuMonitorReplyEntryParser parse,
                           GDestroyNotify free_item,
                           GError **error)
{
    g_autoptr(GPtrArray) list = NULL;
    JsonArray *ret;

    if (!(ret = qemuMonitorReplyArray(reply, command, error)))
        return NULL;
    list = g_ptr_array_new_with_free_func(free_item);
    for (guint i = 0; i < json_array_get_length(ret); i++) {
        gpointer item = parse(qemuMonitorReplyArrayObject(ret, i), command, error);

        if (!item)
            return NULL;
        g_ptr_array_add(list, item);
    }
    return g_steal_pointer(&list);
}


JsonObject *
qemuMonitorCmdArgsString(const char *name, const char *value)
{
    JsonObject *args = json_object_new();

    json_object_set_string_member(args, name, value);
    return args;
}


bool
qemuMonitorCmdRunString(
    qemuMonitor *mon, const char *command, const char *name, const char *value, GError **error)
{
    g_autoptr(JsonObject) args = qemuMonitorCmdArgsString(name, value);

    return qemuMonitorCmdRun(mon, command, args, error);
}
