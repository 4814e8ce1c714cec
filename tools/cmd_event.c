/*
 * cmd_event.c: the event command, virsh-compatible
 * (tools/virsh-domain-event.c): list event types, or wait for one event
 * (or, with --loop, for events until --timeout or an interrupt) and print
 * each as virsh does, from a GLib main loop.
 */
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cmd_backup.h"
#include "util/cairnenum.h"

typedef struct _eventData eventData;

typedef struct {
    const char *name;
    cairnConnectDomainEventGenericCallback cb;
} eventCallback;

typedef struct {
    shellControl *ctl;
    GMainLoop *loop;
    bool loop_mode;
    bool timestamp;
    int count;
    int outcome; /* 0 done, 1 timed out, 2 interrupted */
} eventWait;

struct _eventData {
    eventWait *wait;
    const eventCallback *cb;
    int id;
};

static const char *const lifecycleNames[] = {
    "Defined", "Undefined", "Started",     "Suspended", "Resumed",
    "Stopped", "Shutdown",  "PMSuspended", "Crashed",
};

static const char *const stoppedNames[] = {
    "Shutdown", "Destroyed", "Crashed", "Migrated", "Saved", "Failed", "Snapshot",
};

static const char *const blockJobTypeNames[] = {
    "Unknown", "Pull", "Copy", "Commit", "Active Block Commit", "Backup",
};

static const char *const blockJobStatusNames[] = { "completed", "failed", "canceled", "ready" };


static const char *
nameOf(const char *const *names, size_t n, int value)
{
    const char *name = cairnEnumToString(names, n, value);

    return name ? name : "unknown";
}


static const char *
lifecycleDetail(int event, int detail)
{
    static const char *const defined[] = { "Added", "Updated", "Renamed", "Snapshot" };
    static const char *const undefined[] = { "Removed", "Renamed" };
    static const char *const started[] = { "Booted", "Migrated", "Restored", "Snapshot",
                                           "Event wakeup" };
    static const char *const shutdown[] = { "Finished", "Finished after guest request",
                                            "Finished after host request" };

    switch (event) {
    case CAIRN_DOMAIN_EVENT_DEFINED:
        return nameOf(defined, G_N_ELEMENTS(defined), detail);
    case CAIRN_DOMAIN_EVENT_UNDEFINED:
        return nameOf(undefined, G_N_ELEMENTS(undefined), detail);
    case CAIRN_DOMAIN_EVENT_STARTED:
        return nameOf(started, G_N_ELEMENTS(started), detail);
    case CAIRN_DOMAIN_EVENT_STOPPED:
        return nameOf(stoppedNames, G_N_ELEMENTS(stoppedNames), detail);
    case CAIRN_DOMAIN_EVENT_SHUTDOWN:
        return nameOf(shutdown, G_N_ELEMENTS(shutdown), detail);
    default:
        return "unknown";
    }
}


/* virsh's virshEventPrintf: one event, with its timestamp; a one-shot
 * wait ends after the first. */
static void
eventPrint(eventData *data, const char *msg)
{
    eventWait *w = data->wait;

    if (!w->loop_mode && w->count)
        return;
    if (w->timestamp) {
        g_autoptr(GDateTime) now = g_date_time_new_now_utc();
        g_autofree char *stamp = g_date_time_format(now, "%Y-%m-%d %H:%M:%S");

        shellPrint(w->ctl, "%s.%03d+0000: ", stamp, g_date_time_get_microsecond(now) / 1000);
    }
    shellPrint(w->ctl, "%s", msg);
    w->count++;
    if (!w->loop_mode)
        g_main_loop_quit(w->loop);
}


static void
eventGenericPrint(cairnConnectPtr conn, cairnDomainPtr dom, void *opaque)
{
    eventData *data = opaque;
    g_autofree char *msg =
        g_strdup_printf("event '%s' for domain '%s'\n", data->cb->name, cairnDomainGetName(dom));

    eventPrint(data, msg);
}


static int
eventLifecyclePrint(cairnConnectPtr conn, cairnDomainPtr dom, int event, int detail, void *opaque)
{
    g_autofree char *msg =
        g_strdup_printf("event 'lifecycle' for domain '%s': %s %s\n", cairnDomainGetName(dom),
                        nameOf(lifecycleNames, G_N_ELEMENTS(lifecycleNames), event),
                        lifecycleDetail(event, detail));

    eventPrint(opaque, msg);
    return 0;
}


static void
eventBlockJobPrint(
    cairnConnectPtr conn, cairnDomainPtr dom, const char *disk, int type, int status, void *opaque)
{
    eventData *data = opaque;
    g_autofree char *msg = g_strdup_printf(
        "event '%s' for domain '%s': %s for %s %s\n", data->cb->name, cairnDomainGetName(dom),
        nameOf(blockJobTypeNames, G_N_ELEMENTS(blockJobTypeNames), type), disk,
        nameOf(blockJobStatusNames, G_N_ELEMENTS(blockJobStatusNames), status));

    eventPrint(data, msg);
}


static void
eventJobCompletedPrint(cairnConnectPtr conn,
                       cairnDomainPtr dom,
                       cairnTypedParameterPtr params,
                       int nparams,
                       void *opaque)
{
    g_autoptr(GString) msg = g_string_new(NULL);

    g_string_append_printf(msg, "event 'job-completed' for domain '%s':\n",
                           cairnDomainGetName(dom));
    for (int i = 0; i < nparams; i++) {
        g_autofree char *value = shellTypedParamText(&params[i]);

        if (value)
            g_string_append_printf(msg, "\t%s: %s\n", params[i].field, value);
    }
    eventPrint(opaque, msg->str);
}


#define GENERIC(name)                                                                              \
 {                                                                                                 \
  name, eventGenericPrint                                                                          \
 }
#define TYPED(name, fn)                                                                            \
 {                                                                                                 \
  name, CAIRN_DOMAIN_EVENT_CALLBACK(fn)                                                            \
 }

/* Indexed by cairnDomainEventID. Events Cairn never emits print the
 * generic line (they cannot fire). */
static const eventCallback eventCallbacks[CAIRN_DOMAIN_EVENT_ID_COUNT] = {
    TYPED("lifecycle", eventLifecyclePrint),
    GENERIC("reboot"),
    GENERIC("rtc-change"),
    GENERIC("watchdog"),
    GENERIC("io-error"),
    GENERIC("graphics"),
    GENERIC("io-error-reason"),
    GENERIC("control-error"),
    TYPED("block-job", eventBlockJobPrint),
    GENERIC("disk-change"),
    GENERIC("tray-change"),
    GENERIC("pm-wakeup"),
    GENERIC("pm-suspend"),
    GENERIC("balloon-change"),
    GENERIC("pm-suspend-disk"),
    GENERIC("device-removed"),
    TYPED("block-job-2", eventBlockJobPrint),
    GENERIC("tunable"),
    GENERIC("agent-lifecycle"),
    GENERIC("device-added"),
    GENERIC("migration-iteration"),
    TYPED("job-completed", eventJobCompletedPrint),
    GENERIC("device-removal-failed"),
    GENERIC("metadata-change"),
    GENERIC("block-threshold"),
    GENERIC("memory-failure"),
    GENERIC("memory-device-size-change"),
    GENERIC("nic-mac-change"),
};

#undef GENERIC
#undef TYPED


static gboolean
eventTimeout(gpointer opaque)
{
    eventWait *w = opaque;

    w->outcome = 1;
    g_main_loop_quit(w->loop);
    return G_SOURCE_REMOVE;
}


static gboolean
eventInterrupt(gpointer opaque)
{
    eventWait *w = opaque;

    w->outcome = 2;
    g_main_loop_quit(w->loop);
    return G_SOURCE_CONTINUE;
}


static const shellOptDef opts_event[] = {
    { .name = "domain", .type = SHELL_OT_STRING, .help = "filter by domain name, id or uuid" },
    { .name = "event", .type = SHELL_OT_STRING, .help = "which event type to wait for" },
    { .name = "all",
      .type = SHELL_OT_BOOL,
      .help = "wait for all events instead of just one type" },
    { .name = "loop",
      .type = SHELL_OT_BOOL,
      .help = "loop until timeout or interrupt, rather than one-shot" },
    { .name = "timeout", .type = SHELL_OT_STRING, .help = "timeout seconds" },
    { .name = "list", .type = SHELL_OT_BOOL, .help = "list valid event types" },
    { .name = "timestamp", .type = SHELL_OT_BOOL, .help = "show timestamp for each printed event" },
    { .name = NULL }
};


/* --timeout as seconds (virsh's vshCommandOptTimeoutToMs): 0 when absent. */
static bool
eventTimeoutOpt(shellControl *ctl, const shellCmd *cmd, guint *ret_seconds)
{
    const char *text = NULL;
    guint64 value = 0;

    *ret_seconds = 0;
    if (shellOptString(ctl, cmd, "timeout", &text) < 0)
        return false;
    if (!text)
        return true;
    if (!g_ascii_string_to_unsigned(text, 10, 1, G_MAXINT / 1000, &value, NULL)) {
        shellError(ctl, "invalid timeout");
        return false;
    }
    *ret_seconds = (guint)value;
    return true;
}


/* Register @data's callbacks; the first failure is fatal, later ones
 * (an older server) are ignored, as virsh does. */
static bool
eventRegisterAll(shellControl *ctl, cairnDomainPtr dom, eventData *data, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        data[i].id = cairnConnectDomainEventRegisterAny(
            ctl->conn, dom, (int)(data[i].cb - eventCallbacks), data[i].cb->cb, &data[i], NULL);
        if (data[i].id >= 0)
            continue;
        if (i == 0)
            return shellSaveError(ctl);
        shellResetError(ctl);
    }
    return true;
}


static void
eventRunLoop(shellControl *ctl, eventWait *w, guint timeout)
{
    guint sigint = g_unix_signal_add(SIGINT, eventInterrupt, w);
    guint timer = timeout ? g_timeout_add_seconds(timeout, eventTimeout, w) : 0;

    g_main_loop_run(w->loop);
    g_source_remove(sigint);
    if (timer && w->outcome != 1)
        g_source_remove(timer);
    if (w->outcome == 2)
        shellPrint(ctl, "event loop interrupted\n");
    else if (w->outcome == 1)
        shellPrint(ctl, "event loop timed out\n");
    shellPrint(ctl, "events received: %d\n", w->count);
}


static bool
eventSelect(shellControl *ctl, const char *name, eventWait *w, eventData *data, size_t *ret_n)
{
    size_t n = 0;

    for (size_t i = 0; i < G_N_ELEMENTS(eventCallbacks); i++) {
        if (name && !g_str_equal(name, eventCallbacks[i].name))
            continue;
        data[n].wait = w;
        data[n].cb = &eventCallbacks[i];
        data[n].id = -1;
        n++;
    }
    if (n == 0) {
        shellError(ctl, "unknown event type %s", name);
        return false;
    }
    *ret_n = n;
    return true;
}


static bool
cmdEvent(shellControl *ctl, const shellCmd *cmd)
{
    eventData data[CAIRN_DOMAIN_EVENT_ID_COUNT] = { { 0 } };
    eventWait w = { .ctl = ctl,
                    .loop_mode = shellOptBool(cmd, "loop"),
                    .timestamp = shellOptBool(cmd, "timestamp") };
    g_autoptr(shellDomain) dom = NULL;
    const char *name = NULL;
    bool all = shellOptBool(cmd, "all");
    bool list = shellOptBool(cmd, "list");
    bool ok = true;
    guint timeout = 0;
    size_t n = 0;

    if (shellOptString(ctl, cmd, "event", &name) < 0 ||
        !shellExclusive(ctl, "all", all, "event", name != NULL) ||
        !shellExclusive(ctl, "list", list, "all", all) ||
        !shellExclusive(ctl, "list", list, "event", name != NULL))
        return false;
    if (list) {
        for (size_t i = 0; i < G_N_ELEMENTS(eventCallbacks); i++)
            shellPrint(ctl, "%s\n", eventCallbacks[i].name);
        return true;
    }
    if (!name && !all) {
        shellError(ctl, "one of --list, --all, or --event <type> is required");
        return false;
    }
    if (!eventSelect(ctl, name, &w, data, &n) || !eventTimeoutOpt(ctl, cmd, &timeout))
        return false;
    if (shellOptBool(cmd, "domain")) {
        if (!(dom = shellCommandOptDomain(ctl, cmd, NULL)))
            return false;
    }
    if (!shellConnection(ctl))
        return false;
    w.loop = g_main_loop_new(NULL, FALSE);
    if ((ok = eventRegisterAll(ctl, dom, data, n))) {
        eventRunLoop(ctl, &w, timeout);
        ok = w.count > 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (data[i].id >= 0 && cairnConnectDomainEventDeregisterAny(ctl->conn, data[i].id) < 0)
            ok = false;
    }
    g_main_loop_unref(w.loop);
    return ok;
}


const shellCmdDef eventCmds[] = { { .name = "event",
                                    .handler = cmdEvent,
                                    .opts = opts_event,
                                    .help = "Domain Events",
                                    .desc = "List event types, or wait for domain events to occur",
                                    .flags = 0 },
                                  { .name = NULL } };
