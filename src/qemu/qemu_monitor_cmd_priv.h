/*
 * qemu_monitor_cmd_priv.h: what the typed QMP wrappers (qemu_monitor_cmd*.c)
 * share; defined in qemu_monitor_cmd_util.c. Nothing else uses it.
 */
#pragma once

#include <stdbool.h>
#include <glib.h>
#include <json-glib/json-glib.h>

#include "qemu_monitor.h"

/* ---- reading replies -------------------------------------------------- */

/* Member @name of @obj (which may be NULL), or NULL. */
JsonNode *qemuMonitorReplyMember(JsonObject *obj, const char *name);

/* Member @name of @obj (which may be NULL) if it has the type asked for,
 * else NULL (or @dflt). */
const char *qemuMonitorReplyGetString(JsonObject *obj, const char *name);
bool qemuMonitorReplyGetBool(JsonObject *obj, const char *name, bool dflt);
gint64 qemuMonitorReplyGetInt(JsonObject *obj, const char *name, gint64 dflt);
JsonObject *qemuMonitorReplyGetObject(JsonObject *obj, const char *name);
JsonArray *qemuMonitorReplyGetArray(JsonObject *obj, const char *name);

/* Element @i of @arr if it is an object, else NULL. */
JsonObject *qemuMonitorReplyArrayObject(JsonArray *arr, guint i);

/* CAIRN_ERR_INTERNAL_ERROR "QEMU command '@command' returned malformed
 * data: @what". */
void qemuMonitorReplyMalformed(GError **error, const char *command, const char *what);

/* @reply if it is an object (an array), else NULL with an error naming
 * @command. */
JsonObject *qemuMonitorReplyObject(JsonNode *reply, const char *command, GError **error);
JsonArray *qemuMonitorReplyArray(JsonNode *reply, const char *command, GError **error);

/* One entry of a reply array: the new item, or NULL with @error set.
 * @entry is NULL where the array holds something else than an object. */
typedef gpointer (*qemuMonitorReplyEntryParser)(JsonObject *entry,
                                                const char *command,
                                                GError **error);

/* The items of @reply, the array @command returned, each made by @parse
 * and freed by @free_item; NULL with an error if @reply is not an array
 * or one entry fails. The one parser of every array reply. */
GPtrArray *qemuMonitorReplyParseArray(JsonNode *reply,
                                      const char *command,
                                      qemuMonitorReplyEntryParser parse,
                                      GDestroyNotify free_item,
                                      GError **error);

/* ---- running commands ------------------------------------------------- */

/* Run @command with @args (may be NULL) and ignore its return value. */
bool qemuMonitorCmdRun(qemuMonitor *mon, const char *command, JsonObject *args, GError **error);

/* An object with the single string member @name = @value. */
JsonObject *qemuMonitorCmdArgsString(const char *name, const char *value);

/* Run @command with the single string argument @name = @value. */
bool qemuMonitorCmdRunString(
    qemuMonitor *mon, const char *command, const char *name, const char *value, GError **error);
