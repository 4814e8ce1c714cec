/*
 * qemu_quiesce.c: guest filesystem freeze around one step, recorded (see
 * qemu_quiesce.h).
 */
#define G_LOG_DOMAIN "cairn.qemu.quiesce"

#include "cairn/cairn-error.h"
#include "qemu_agent.h"
#include "qemu_monitor_cmd.h"
#include "qemu_quiesce.h"
#include "util/cairncrash.h"
#include "util/cairnerror.h"
#include "util/cairnfile.h"

#define FROM CAIRN_FROM_QEMU
#define QEMU_QUIESCE_CONNECT_MS 2000

struct _qemuQuiesce {
    qemuAgent *agent;
    char *record; /* ROOT/run/NAME.frozen */
};


char *
qemuQuiesceAgentPath(qemuDriverState *drv, const char *name, const cairnDomainDef *def)
{
    cairnDomainChannelDef *chan = def ? cairnDomainAgentChannel(def) : NULL;

    if (!chan)
        return NULL;
    return chan->path ? g_strdup(chan->path) : qemuDomainRunPath(drv, name, ".agent");
}


/* The chardev label the command line gave the agent's channel. */
static char *
qemuQuiesceAgentLabel(const cairnDomainDef *def)
{
    for (guint i = 0; i < def->channels->len; i++) {
        if (g_ptr_array_index(def->channels, i) == cairnDomainAgentChannel(def))
            return g_strdup_printf("charchannel%u", i);
    }
    return NULL;
}


bool
qemuQuiescePrecheck(qemuDomainObj *obj, GError **error)
{
    if (!qemuDomainObjIsActive(obj)) {
        cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_INVALID, "domain is not running");
        return false;
    }
    if (!cairnDomainAgentChannel(qemuDomainObjGetDef(obj))) {
        cairnErrorSet(error, FROM, CAIRN_ERR_ARGUMENT_UNSUPPORTED,
                      "QEMU guest agent is not configured");
        return false;
    }
    return true;
}


static bool
qemuQuiesceAvailable(qemuDomainObj *obj, qemuMonitor *mon, GError **error)
{
    g_autofree char *label = NULL;
    bool open = false;

    if (!qemuQuiescePrecheck(obj, error))
        return false;
    label = qemuQuiesceAgentLabel(qemuDomainObjGetDef(obj));
    if (!qemuMonitorQueryChardevOpen(mon, label, &open, error))
        return false;
    if (!open) {
        cairnErrorSet(error, FROM, CAIRN_ERR_AGENT_UNRESPONSIVE,
                      "QEMU guest agent is not connected");
        return false;
    }
    return true;
}


static void
qemuQuiesceFree(qemuQuiesce *q)
{
    qemuAgentClose(q->agent);
    g_free(q->record);
    g_free(q);
}


static void
qemuQuiesceDropRecord(const char *record)
{
    g_autoptr(GError) err = NULL;

    if (!cairnFileRemove(record, true, &err))
        g_debug("%s: %s", record, err->message);
}


qemuQuiesce *
qemuQuiesceFreeze(qemuDriverState *drv, qemuDomainObj *obj, qemuMonitor *mon, GError **error)
{
    g_autofree char *path = NULL;
    qemuQuiesce *q;
    int n;

    if (!qemuQuiesceAvailable(obj, mon, error))
        return NULL;
    path = qemuQuiesceAgentPath(drv, obj->name, qemuDomainObjGetDef(obj));
    q = g_new0(qemuQuiesce, 1);
    q->record = qemuDomainRunPath(drv, obj->name, ".frozen");
    if (!(q->agent = qemuAgentOpen(path, QEMU_QUIESCE_CONNECT_MS, error)) ||
        !cairnFileWriteAtomic(q->record, "frozen\n", -1, 0600, error)) {
        qemuQuiesceFree(q);
        return NULL;
    }
    if ((n = qemuAgentFSFreeze(q->agent, QEMU_AGENT_FROZEN_MAX_MS, error)) < 0) {
        qemuQuiesceDropRecord(q->record);
        qemuQuiesceFree(q);
        return NULL;
    }
    g_debug("%s: %d guest filesystems frozen", obj->name, n);
    cairnCrashPoint(CAIRN_CRASH_QUIESCE_FROZEN);
    return q;
}


bool
qemuQuiesceThaw(qemuQuiesce *q, GError **error)
{
    bool ok;

    if (!q)
        return true;
    ok = qemuAgentFSThaw(q->agent, error) >= 0;
    /* Thawed, or the agent failed: closing it tries once more; the record
     * goes only when a thaw is known to have happened. */
    if (ok || qemuAgentWatchdogFired(q->agent))
        qemuQuiesceDropRecord(q->record);
    qemuQuiesceFree(q);
    return ok;
}


void
qemuQuiesceRecover(qemuDriverState *drv, qemuDomainObj *obj)
{
    g_autofree char *record = qemuDomainRunPath(drv, obj->name, ".frozen");
    g_autofree char *path = NULL;
    g_autoptr(qemuAgent) agent = NULL;
    g_autoptr(GError) err = NULL;

    if (!g_file_test(record, G_FILE_TEST_EXISTS))
        return;
    if (qemuDomainObjIsActive(obj)) {
        path = qemuQuiesceAgentPath(drv, obj->name, qemuDomainObjGetDef(obj));
        if (!path || !(agent = qemuAgentOpen(path, QEMU_QUIESCE_CONNECT_MS, &err)) ||
            qemuAgentFSThaw(agent, &err) < 0) {
            g_debug("%s: the guest may still be frozen: %s", obj->name,
                    err ? err->message : "no agent channel");
            return;
        }
        g_debug("%s: guest filesystems thawed after an interrupted call", obj->name);
    }
    qemuQuiesceDropRecord(record);
}
