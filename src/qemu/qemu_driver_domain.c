/*
 * qemu_driver_domain.c: the qemu driver's domain calls.
 *
 * Every call holds the driver state's mutex throughout and refreshes the
 * objects it uses from disk (see qemu_domain.h). Calls that change a
 * domain take its lock file first and then re-read it, so they act on
 * what every other connection has done before. Calls that only look try
 * the lock without waiting before they ask QEMU how the guest is: when
 * another connection is busy with the domain, the live state file is the
 * answer.
 */
#include <errno.h>
#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "cairn/cairn-domain.h"
#include "cairn/cairn-error.h"
#include "cairn/cairn-qemu.h"
#include "conf/domain_filter.h"
#include "qemu_checkpoint_meta.h"
#include "qemu_command.h"
#include "qemu_domain.h"
#include "qemu_driver_domain.h"
#include "qemu_call.h"
#include "qemu_job.h"
#include "qemu_monitor_cmd.h"
#include "qemu_process.h"
#include "util/cairnerror.h"
#include "util/cairnfile.h"

#define FROM CAIRN_FROM_QEMU


static bool
qemuDomainObjIsGone(const qemuDomainObj *obj)
{
    return !obj->def && !obj->status;
}


static void
qemuSetNoDomain(GError **error, const char *name)
{
    cairnErrorSet(error, CAIRN_FROM_DOMAIN, CAIRN_ERR_NO_DOMAIN,
                  "no domain with matching name '%s'", name);
}


/* Reconcile @obj with its QEMU without waiting for its lock (see the top
 * of the file); with @query QEMU is asked, else only the pid is checked.
 * Returns false with CAIRN_ERR_NO_DOMAIN when a transient domain went
 * away; @obj is then freed. */
static bool
qemuDomainObjPeek(qemuDriverState *drv, qemuDomainObj *obj, bool query, GError **error)
{
    g_autoptr(cairnFileLock) lock = NULL;
    g_autofree char *name = NULL;
    gint64 now = g_get_monotonic_time();
    bool gone = false;

    if (query && obj->state_asked_us && now - obj->state_asked_us < QEMU_STATE_TRUST_US)
        query = false;
    if (!obj->status || (!query && qemuProcessObjIsOurs(obj)))
        return true;
    if (!(lock = qemuDomainLock(drv, obj->name, 0, NULL)))
        return true;
    if (!qemuDomainObjRefresh(drv, obj, &gone, error) ||
        (!gone && !qemuProcessCheck(drv, obj, query, error)))
        return false;
    if (query)
        obj->state_asked_us = now;
    if (!qemuDomainObjIsGone(obj))
        return true;
    name = g_strdup(obj->name);
    qemuDriverForget(drv, obj);
    qemuSetNoDomain(error, name);
    return false;
}


/* The object behind @dom, refreshed and peeked at. */
static qemuDomainObj *
qemuDomainObjGet(qemuDriverState *drv, cairnDomain *dom, bool query, GError **error)
{
    qemuDomainObj *obj = qemuDriverFindByHandle(drv, dom, error);

    if (!obj || !qemuDomainObjPeek(drv, obj, query, error))
        return NULL;
    return obj;
}


static bool
qemuDomainObjCheckActive(const qemuDomainObj *obj, GError **error)
{
    if (qemuDomainObjIsActive(obj))
        return true;
    cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_INVALID, "domain is not running");
    return false;
}


static cairnDomainFilterFacts
qemuDomainObjFacts(const qemuDomainObj *obj)
{
    cairnDomainFilterFacts facts = {
        .active = qemuDomainObjIsActive(obj),
        .persistent = obj->def != NULL,
        .state = qemuDomainObjGetState(obj, NULL),
        .has_checkpoints =
            cairnMomentListSize(obj->checkpoints) > 0 || qemuCheckpointBadCount(obj) > 0,
    };

    return facts;
}


int
qemuConnectListAllDomains(cairnConnect *conn,
                          cairnDomain ***domains,
                          unsigned int flags,
                          GError **error)
{
    qemuDriverState *drv = qemuStateOf(conn);
    g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func((GDestroyNotify)cairnDomainUnref);
    g_autoptr(GPtrArray) objs = NULL;
    int n;
    QEMU_LOCK(drv);

    if (!cairnCheckFlags(flags, cairnDomainFilterKnownFlags(), FROM, __func__, error) ||
        !qemuDriverRescan(drv, error))
        return -1;
    /* Peeking may drop objects: walk a copy. */
    objs = qemuDriverSnapshot(drv);
    for (guint i = 0; i < objs->len; i++) {
        qemuDomainObj *obj = g_ptr_array_index(objs, i);
        cairnDomainFilterFacts facts;
        g_autoptr(GError) err = NULL;

        if (!qemuDomainObjPeek(drv, obj, true, &err)) {
            if (cairnErrorIs(err, CAIRN_ERR_NO_DOMAIN))
                continue;
            g_propagate_error(error, g_steal_pointer(&err));
            return -1;
        }
        facts = qemuDomainObjFacts(obj);
        if (cairnDomainFilterMatch(&facts, flags))
            g_ptr_array_add(out, qemuDomainHandleNew(conn, obj));
    }
    n = (int)out->len;
    if (domains) {
        g_ptr_array_set_free_func(out, NULL);
        g_ptr_array_add(out, NULL);
        *domains = (cairnDomain **)g_ptr_array_steal(out, NULL);
    }
    return n;
}


cairnDomain *
qemuDomainLookupByName(cairnConnect *conn, const char *name, GError **error)
{
    qemuDriverState *drv = qemuStateOf(conn);
    qemuDomainObj *obj;
    QEMU_LOCK(drv);

    if (!(obj = qemuDriverFindByName(drv, name, error)) ||
        !qemuDomainObjPeek(drv, obj, false, error))
        return NULL;
    return qemuDomainHandleNew(conn, obj);
}


/* Find by a key that needs every domain: UUID (@uuid) or id (@id >= 0). */
static cairnDomain *
qemuDomainLookupByKey(cairnConnect *conn, const unsigned char *uuid, int id, GError **error)
{
    qemuDriverState *drv = qemuStateOf(conn);
    g_autoptr(GPtrArray) objs = NULL;

    if (!qemuDriverRescan(drv, error))
        return NULL;
    objs = qemuDriverSnapshot(drv);
    for (guint i = 0; i < objs->len; i++) {
        qemuDomainObj *obj = g_ptr_array_index(objs, i);
        g_autoptr(GError) err = NULL;

        if (uuid && memcmp(qemuDomainObjGetDef(obj)->uuid, uuid, CAIRN_UUID_BUFLEN) != 0)
            continue;
        if (!qemuDomainObjPeek(drv, obj, false, &err))
            continue;
        if (uuid || qemuDomainObjGetID(obj) == id)
            return qemuDomainHandleNew(conn, obj);
    }
    return NULL;
}


cairnDomain *
qemuDomainLookupByUUID(cairnConnect *conn, const unsigned char *uuid, GError **error)
{
    qemuDriverState *drv = qemuStateOf(conn);
    g_autoptr(GError) err = NULL;
    char uuidstr[CAIRN_UUID_STRING_BUFLEN];
    cairnDomain *dom;
    QEMU_LOCK(drv);

    if ((dom = qemuDomainLookupByKey(conn, uuid, -1, &err)))
        return dom;
    if (err) {
        g_propagate_error(error, g_steal_pointer(&err));
        return NULL;
    }
    cairnUUIDFormat(uuid, uuidstr);
    cairnErrorSet(error, CAIRN_FROM_DOMAIN, CAIRN_ERR_NO_DOMAIN,
                  "no domain with matching uuid '%s'", uuidstr);
    return NULL;
}


cairnDomain *
qemuDomainLookupByID(cairnConnect *conn, int id, GError **error)
{
    qemuDriverState *drv = qemuStateOf(conn);
    g_autoptr(GError) err = NULL;
    cairnDomain *dom;
    QEMU_LOCK(drv);

    if (id >= 0 && (dom = qemuDomainLookupByKey(conn, NULL, id, &err)))
        return dom;
    if (err) {
        g_propagate_error(error, g_steal_pointer(&err));
        return NULL;
    }
    cairnErrorSet(error, CAIRN_FROM_DOMAIN, CAIRN_ERR_NO_DOMAIN, "no domain with matching id %d",
                  id);
    return NULL;
}


/* A definition may replace the one with its name and UUID; it must not
 * take another domain's name or UUID. */
static bool
qemuDomainCheckDefineClash(qemuDriverState *drv, const cairnDomainDef *def, GError **error)
{
    char uuidstr[CAIRN_UUID_STRING_BUFLEN];

    if (!qemuDriverRescan(drv, error))
        return false;
    for (guint i = 0; i < drv->domains->len; i++) {
        qemuDomainObj *obj = g_ptr_array_index(drv->domains, i);
        const cairnDomainDef *cur = qemuDomainObjGetDef(obj);
        bool same_name = g_str_equal(obj->name, def->name);
        bool same_uuid = memcmp(cur->uuid, def->uuid, CAIRN_UUID_BUFLEN) == 0;

        if (same_name && !same_uuid) {
            cairnUUIDFormat(cur->uuid, uuidstr);
            cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_FAILED,
                          "domain '%s' is already defined with uuid %s", def->name, uuidstr);
            return false;
        }
        if (!same_name && same_uuid) {
            cairnUUIDFormat(def->uuid, uuidstr);
            cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_FAILED,
                          "domain '%s' already exists with uuid %s", obj->name, uuidstr);
            return false;
        }
    }
    return true;
}


static bool
qemuDomainDefCheckType(const cairnDomainDef *def, GError **error)
{
    if (def->virt_type == CAIRN_DOMAIN_VIRT_KVM || def->virt_type == CAIRN_DOMAIN_VIRT_QEMU)
        return qemuCommandValidate(def, error);
    cairnErrorSet(error, FROM, CAIRN_ERR_CONFIG_UNSUPPORTED,
                  "domain type '%s' is not supported by the QEMU driver (use 'kvm' or 'qemu')",
                  cairnDomainVirtTypeToString(def->virt_type));
    return false;
}


cairnDomain *
qemuDomainDefineXML(cairnConnect *conn, const char *xml, unsigned int flags, GError **error)
{
    qemuDriverState *drv = qemuStateOf(conn);
    g_autoptr(cairnDomainDef) def = NULL;
    g_autoptr(cairnFileLock) lock = NULL;
    g_autofree char *path = NULL;
    g_autofree char *text = NULL;
    qemuDomainObj *obj;
    g_autoptr(GError) lookup_err = NULL;
    QEMU_LOCK(drv);

    if (!cairnCheckFlags(flags, CAIRN_DOMAIN_DEFINE_VALIDATE, FROM, __func__, error) ||
        !(def = cairnDomainDefParseString(xml, CAIRN_DOMAIN_DEF_PARSE_INACTIVE, error)) ||
        !qemuDomainDefCheckType(def, error) || !(lock = qemuDriverLock(drv, error)) ||
        !qemuDomainCheckDefineClash(drv, def, error))
        return NULL;
    path = qemuDomainDefPath(drv, def->name);
    text = cairnDomainDefFormat(def, CAIRN_DOMAIN_DEF_FORMAT_INACTIVE);
    if (!cairnFileWriteAtomic(path, text, -1, 0600, error))
        return NULL;
    if (!(obj = qemuDriverFindByName(drv, def->name, &lookup_err))) {
        g_propagate_error(error, g_steal_pointer(&lookup_err));
        return NULL;
    }
    return qemuDomainHandleNew(conn, obj);
}


/* Remove ROOT/checkpoints/NAME/ and the metadata files in it. */
static bool
qemuDomainRemoveCheckpointDir(qemuDriverState *drv, const char *name, GError **error)
{
    g_autofree char *dir = g_build_filename(drv->checkpoint_dir, name, NULL);
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *ent;

    if (!d)
        return true;
    while ((ent = g_dir_read_name(d))) {
        g_autofree char *path = g_build_filename(dir, ent, NULL);

        if (!cairnFileRemove(path, false, error))
            return false;
    }
    if (g_rmdir(dir) < 0) {
        cairnErrorSetErrno(error, FROM, errno, "cannot remove '%s'", dir);
        return false;
    }
    return cairnFileSyncDir(drv->checkpoint_dir, error);
}


bool
qemuDomainUndefine(cairnDomain *dom, unsigned int flags, GError **error)
{
    qemuDriverState *drv = qemuStateOf(dom->conn);
    g_autoptr(cairnFileLock) drvlock = NULL;
    g_autoptr(cairnFileLock) lock = NULL;
    g_autofree char *path = NULL;
    qemuDomainObj *obj;
    size_t nchk;
    QEMU_LOCK(drv);

    if (!cairnCheckFlags(flags, CAIRN_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA, FROM, __func__,
                         error) ||
        !(drvlock = qemuDriverLock(drv, error)) ||
        !(obj = qemuCallBegin(drv, dom, 0, QEMU_LOCK_TIMEOUT_MS, &lock, error)))
        return false;
    if (!obj->def) {
        cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_INVALID, "cannot undefine transient domain");
        return false;
    }
    if (!qemuJobCheckDisksFree(drv, obj, dom->conn, "undefine the domain", error))
        return false;
    /* Files that could not be loaded count: undefine would orphan them. */
    nchk = cairnMomentListSize(obj->checkpoints) + qemuCheckpointBadCount(obj);
    if (nchk > 0 && !qemuDomainObjIsActive(obj) &&
        !(flags & CAIRN_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA)) {
        cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_INVALID,
                      "cannot delete inactive domain with %zu checkpoints", nchk);
        return false;
    }
    if ((flags & CAIRN_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA) &&
        !qemuDomainRemoveCheckpointDir(drv, obj->name, error))
        return false;
    path = qemuDomainDefPath(drv, obj->name);
    if (!cairnFileRemove(path, true, error))
        return false;
    if (flags & CAIRN_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA) {
        cairnMomentListFree(obj->checkpoints);
        obj->checkpoints = cairnMomentListNew();
    }
    /* A running domain stays, transient, until it stops (as libvirt). */
    g_clear_pointer(&obj->def, cairnDomainDefFree);
    cairnFileCacheClear(&obj->def_file);
    if (!qemuDomainObjIsActive(obj)) {
        g_autofree char *reason = qemuDomainRunPath(drv, obj->name, ".reason");

        cairnFileRemove(reason, false, NULL);
        qemuDriverForget(drv, obj);
    }
    return true;
}


bool
qemuDomainCreate(cairnDomain *dom, unsigned int flags, GError **error)
{
    qemuDriverState *drv = qemuStateOf(dom->conn);
    g_autoptr(cairnFileLock) lock = NULL;
    qemuDomainObj *obj;
    QEMU_LOCK(drv);

    if (!cairnCheckFlags(flags, 0, FROM, __func__, error) ||
        !(obj = qemuCallBegin(drv, dom, QEMU_CALL_QUERY, QEMU_LOCK_TIMEOUT_MS, &lock, error)))
        return false;
    if (qemuDomainObjIsActive(obj)) {
        cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_INVALID, "domain is already running");
        return false;
    }
    if (!qemuJobCheckDisksFree(drv, obj, dom->conn, "start the domain", error) ||
        !qemuProcessStart(drv, obj, error))
        return false;
    dom->id = qemuDomainObjGetID(obj);
    return true;
}


/* A backup that ran in the destroyed domain's QEMU ends now, as failed,
 * with its events (a job of a storage daemon of its own goes on). */
static void
qemuDomainDestroySettle(qemuDriverState *drv, qemuDomainObj *obj, cairnConnect *conn)
{
    g_autoptr(GError) err = NULL;
    bool busy = false;

    if (!qemuJobSettle(drv, obj, conn, &busy, &err))
        g_debug("%s: ending its backup: %s", obj->name, err->message);
}


bool
qemuDomainDestroy(cairnDomain *dom, unsigned int flags, GError **error)
{
    qemuDriverState *drv = qemuStateOf(dom->conn);
    g_autoptr(cairnFileLock) lock = NULL;
    qemuDomainObj *obj;
    QEMU_LOCK(drv);

    if (!cairnCheckFlags(flags, 0, FROM, __func__, error) ||
        !(obj = qemuCallBegin(drv, dom, 0, QEMU_LOCK_TIMEOUT_MS, &lock, error)) ||
        !qemuDomainObjCheckActive(obj, error) ||
        !qemuProcessStop(drv, obj, CAIRN_DOMAIN_SHUTOFF_DESTROYED, error))
        return false;
    dom->id = -1;
    qemuDomainDestroySettle(drv, obj, dom->conn);
    if (qemuDomainObjIsGone(obj))
        qemuDriverForget(drv, obj);
    return true;
}


bool
qemuDomainShutdown(cairnDomain *dom, unsigned int flags, GError **error)
{
    qemuDriverState *drv = qemuStateOf(dom->conn);
    g_autoptr(cairnFileLock) lock = NULL;
    g_autoptr(qemuMonitor) mon = NULL;
    qemuDomainObj *obj;
    QEMU_LOCK(drv);

    if (!cairnCheckFlags(flags, 0, FROM, __func__, error) ||
        !(obj = qemuCallBegin(drv, dom, QEMU_CALL_QUERY, QEMU_LOCK_TIMEOUT_MS, &lock, error)) ||
        !qemuDomainObjCheckActive(obj, error) || !(mon = qemuProcessAttach(drv, obj, error)))
        return false;
    return qemuMonitorSystemPowerdown(mon, error);
}


/* Stop or continue the guest's CPUs (QMP stop/cont), then record @state
 * with @reason in the live state, as libvirt's qemuDomainSuspend and
 * qemuDomainResume do: a shut-off domain is refused, a domain already in
 * @state (as QEMU reports it now) is left as it is. Should the process die
 * between the QMP command and the record, the record is only a cache: the
 * next call that changes the domain asks QEMU for its run state first
 * (qemuProcessCheck) and records what it says. */
static bool
qemuDomainSetRunState(cairnDomain *dom, int state, int reason, GError **error)
{
    qemuDriverState *drv = qemuStateOf(dom->conn);
    g_autoptr(cairnFileLock) lock = NULL;
    g_autoptr(qemuMonitor) mon = NULL;
    qemuDomainObj *obj;
    int cur;
    int cur_reason = 0;
    QEMU_LOCK(drv);

    if (!(obj = qemuCallBegin(drv, dom, QEMU_CALL_QUERY, QEMU_LOCK_TIMEOUT_MS, &lock, error)) ||
        !qemuDomainObjCheckActive(obj, error))
        return false;
    cur = qemuDomainObjGetState(obj, &cur_reason);
    if (cur == CAIRN_DOMAIN_PMSUSPENDED) {
        cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_INVALID, "domain is pmsuspended");
        return false;
    }
    /* The guest powered off during a backup that preserves it. */
    if (cur == CAIRN_DOMAIN_PAUSED && cur_reason == CAIRN_DOMAIN_PAUSED_SHUTTING_DOWN &&
        state == CAIRN_DOMAIN_RUNNING) {
        cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_INVALID,
                      "domain is shutting down: it stops when its backup ends");
        return false;
    }
    if (cur == state)
        return true;
    if (!(mon = qemuProcessAttach(drv, obj, error)) ||
        !(state == CAIRN_DOMAIN_PAUSED ? qemuMonitorStop(mon, error) : qemuMonitorCont(mon, error)))
        return false;
    obj->status->state = state;
    obj->status->reason = reason;
    obj->state_asked_us = g_get_monotonic_time();
    return qemuDomainObjSaveStatus(drv, obj, error);
}


bool
qemuDomainSuspend(cairnDomain *dom, unsigned int flags, GError **error)
{
    if (!cairnCheckFlags(flags, 0, FROM, __func__, error))
        return false;
    return qemuDomainSetRunState(dom, CAIRN_DOMAIN_PAUSED, CAIRN_DOMAIN_PAUSED_USER, error);
}


bool
qemuDomainResume(cairnDomain *dom, unsigned int flags, GError **error)
{
    if (!cairnCheckFlags(flags, 0, FROM, __func__, error))
        return false;
    return qemuDomainSetRunState(dom, CAIRN_DOMAIN_RUNNING, CAIRN_DOMAIN_RUNNING_UNPAUSED, error);
}


char *
qemuDomainGetXMLDesc(cairnDomain *dom, unsigned int flags, GError **error)
{
    qemuDriverState *drv = qemuStateOf(dom->conn);
    const cairnDomainDef *def;
    qemuDomainObj *obj;
    unsigned int fmt = 0;
    QEMU_LOCK(drv);

    if (!cairnCheckFlags(flags,
                         CAIRN_DOMAIN_XML_SECURE | CAIRN_DOMAIN_XML_INACTIVE |
                             CAIRN_DOMAIN_XML_UPDATE_CPU | CAIRN_DOMAIN_XML_MIGRATABLE,
                         FROM, __func__, error) ||
        !(obj = qemuDomainObjGet(drv, dom, false, error)))
        return NULL;
    if (flags & CAIRN_DOMAIN_XML_SECURE)
        fmt |= CAIRN_DOMAIN_DEF_FORMAT_SECURE;
    def = qemuDomainObjGetDef(obj);
    if (flags & (CAIRN_DOMAIN_XML_INACTIVE | CAIRN_DOMAIN_XML_MIGRATABLE) ||
        !qemuDomainObjIsActive(obj)) {
        fmt |= CAIRN_DOMAIN_DEF_FORMAT_INACTIVE;
        if (obj->def && (flags & CAIRN_DOMAIN_XML_INACTIVE))
            def = obj->def;
    }
    return cairnDomainDefFormat(def, fmt);
}


bool
qemuDomainGetInfo(cairnDomain *dom, cairnDomainInfo *info, GError **error)
{
    qemuDriverState *drv = qemuStateOf(dom->conn);
    const cairnDomainDef *def;
    qemuDomainObj *obj;
    QEMU_LOCK(drv);

    if (!(obj = qemuDomainObjGet(drv, dom, true, error)))
        return false;
    def = qemuDomainObjGetDef(obj);
    info->state = (unsigned char)qemuDomainObjGetState(obj, NULL);
    info->maxMem = (unsigned long)def->memory_kib;
    info->memory =
        (unsigned long)(def->current_memory_kib ? def->current_memory_kib : def->memory_kib);
    info->nrVirtCpu = (unsigned short)def->vcpus;
    info->cpuTime = obj->status ? qemuProcessCPUTime(obj->status->pid) : 0;
    return true;
}


bool
qemuDomainGetState(cairnDomain *dom, int *state, int *reason, unsigned int flags, GError **error)
{
    qemuDriverState *drv = qemuStateOf(dom->conn);
    qemuDomainObj *obj;
    QEMU_LOCK(drv);

    if (!cairnCheckFlags(flags, 0, FROM, __func__, error) ||
        !(obj = qemuDomainObjGet(drv, dom, true, error)))
        return false;
    *state = qemuDomainObjGetState(obj, reason);
    return true;
}


int
qemuDomainIsActive(cairnDomain *dom, GError **error)
{
    qemuDriverState *drv = qemuStateOf(dom->conn);
    qemuDomainObj *obj;
    QEMU_LOCK(drv);

    if (!(obj = qemuDomainObjGet(drv, dom, true, error)))
        return -1;
    return qemuDomainObjIsActive(obj) ? 1 : 0;
}


int
qemuDomainIsPersistent(cairnDomain *dom, GError **error)
{
    qemuDriverState *drv = qemuStateOf(dom->conn);
    qemuDomainObj *obj;
    QEMU_LOCK(drv);

    if (!(obj = qemuDomainObjGet(drv, dom, false, error)))
        return -1;
    return obj->def ? 1 : 0;
}


/* Raw QMP: @cmd is {"execute": NAME, "arguments": {...}}; the reply is
 * {"return": ...} as JSON text. */
static char *
qemuDomainMonitorQMP(qemuMonitor *mon, const char *cmd, GError **error)
{
    g_autoptr(JsonParser) parser = json_parser_new();
    g_autoptr(JsonNode) ret = NULL;
    g_autoptr(JsonBuilder) b = json_builder_new();
    g_autoptr(JsonNode) reply = NULL;
    JsonObject *obj;
    JsonObject *args = NULL;
    const char *execute;

    if (!json_parser_load_from_data(parser, cmd, -1, NULL) || !json_parser_get_root(parser) ||
        !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser)) ||
        !(obj = json_node_get_object(json_parser_get_root(parser))) ||
        !(execute = json_object_get_string_member_with_default(obj, "execute", NULL))) {
        cairnErrorSet(error, FROM, CAIRN_ERR_INVALID_ARG,
                      "QMP command must be a JSON object with an 'execute' member: %s", cmd);
        return NULL;
    }
    if (json_object_has_member(obj, "arguments") &&
        !(args = json_object_get_object_member(obj, "arguments"))) {
        cairnErrorSet(error, FROM, CAIRN_ERR_INVALID_ARG, "QMP 'arguments' must be an object");
        return NULL;
    }
    if (!(ret = qemuMonitorCommand(mon, execute, args, error)))
        return NULL;
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "return");
    json_builder_add_value(b, g_steal_pointer(&ret));
    json_builder_end_object(b);
    reply = json_builder_get_root(b);
    return json_to_string(reply, FALSE);
}


char *
qemuDomainQemuMonitorCommand(cairnDomain *dom, const char *cmd, unsigned int flags, GError **error)
{
    qemuDriverState *drv = qemuStateOf(dom->conn);
    g_autoptr(cairnFileLock) lock = NULL;
    g_autoptr(qemuMonitor) mon = NULL;
    qemuDomainObj *obj;
    QEMU_LOCK(drv);

    if (!cairnCheckFlags(flags, CAIRN_DOMAIN_QEMU_MONITOR_COMMAND_HMP, FROM, __func__, error) ||
        !(obj = qemuCallBegin(drv, dom, QEMU_CALL_QUERY, QEMU_LOCK_TIMEOUT_MS, &lock, error)) ||
        !qemuDomainObjCheckActive(obj, error) || !(mon = qemuProcessAttach(drv, obj, error)))
        return NULL;
    if (flags & CAIRN_DOMAIN_QEMU_MONITOR_COMMAND_HMP)
        return qemuMonitorHumanCommand(mon, cmd, error);
    return qemuDomainMonitorQMP(mon, cmd, error);
}
