/*
 * qemu_domain.c: driver state, domain objects and their files under ROOT.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "cairn/cairn-error.h"
#include "qemu_domain.h"
#include "util/cairnerror.h"
#include "util/cairnfile.h"
#include "util/cairnkvm.h"

#define FROM CAIRN_FROM_QEMU

/* A persistent definition is small; anything bigger is not ours. */
#define QEMU_DEF_MAX_SIZE (4 * 1024 * 1024)


static void
qemuDomainObjFree(qemuDomainObj *obj)
{
    if (!obj)
        return;
    g_free(obj->name);
    cairnDomainDefFree(obj->def);
    qemuDomainStatusFree(obj->status);
    cairnMomentListFree(obj->checkpoints);
    g_clear_pointer(&obj->checkpoint_files, g_hash_table_unref);
    g_clear_pointer(&obj->checkpoint_bad, g_ptr_array_unref);
    cairnFileCacheClear(&obj->def_file);
    cairnFileCacheClear(&obj->run_file);
    cairnFileCacheClear(&obj->reason_file);
    qemuDomainObjForgetProcess(obj);
    g_free(obj);
}


void
qemuDomainObjForgetProcess(qemuDomainObj *obj)
{
    if (obj->pidfd >= 0)
        close(obj->pidfd);
    obj->pidfd = -1;
    obj->pidfd_pid = 0;
}


static qemuDomainObj *
qemuDomainObjNew(const char *name)
{
    qemuDomainObj *obj = g_new0(qemuDomainObj, 1);

    obj->name = g_strdup(name);
    obj->shutoff_reason = CAIRN_DOMAIN_SHUTOFF_UNKNOWN;
    obj->checkpoints = cairnMomentListNew();
    obj->pidfd = -1;
    return obj;
}


qemuDriverState *
qemuDriverStateNew(const char *root, GError **error)
{
    qemuDriverState *drv = g_new0(qemuDriverState, 1);
    const char *dirs[4];

    g_mutex_init(&drv->lock);
    drv->root = g_strdup(root);
    drv->domains_dir = g_build_filename(root, "domains", NULL);
    drv->run_dir = g_build_filename(root, "run", NULL);
    drv->log_dir = g_build_filename(root, "log", NULL);
    drv->checkpoint_dir = g_build_filename(root, "checkpoints", NULL);
    drv->kvm_device = g_strdup(CAIRN_KVM_DEVICE);
    drv->domains = g_ptr_array_new_with_free_func((GDestroyNotify)qemuDomainObjFree);
    dirs[0] = drv->domains_dir;
    dirs[1] = drv->run_dir;
    dirs[2] = drv->log_dir;
    dirs[3] = drv->checkpoint_dir;
    for (size_t i = 0; i < G_N_ELEMENTS(dirs); i++) {
        if (!cairnFileMakePath(dirs[i], 0700, error)) {
            qemuDriverStateFree(drv);
            return NULL;
        }
    }
    return drv;
}


void
qemuDriverStateFree(qemuDriverState *drv)
{
    if (!drv)
        return;
    g_ptr_array_unref(drv->domains);
    g_free(drv->root);
    g_free(drv->domains_dir);
    g_free(drv->run_dir);
    g_free(drv->log_dir);
    g_free(drv->checkpoint_dir);
    g_free(drv->kvm_device);
    g_mutex_clear(&drv->lock);
    g_free(drv);
}


char *
qemuDomainDefPath(const qemuDriverState *drv, const char *name)
{
    g_autofree char *base = g_strconcat(name, ".xml", NULL);

    return g_build_filename(drv->domains_dir, base, NULL);
}


char *
qemuDomainRunPath(const qemuDriverState *drv, const char *name, const char *suffix)
{
    g_autofree char *base = g_strconcat(name, suffix, NULL);

    return g_build_filename(drv->run_dir, base, NULL);
}


char *
qemuDomainLogPath(const qemuDriverState *drv, const char *name)
{
    g_autofree char *base = g_strconcat(name, ".log", NULL);

    return g_build_filename(drv->log_dir, base, NULL);
}


cairnFileLock *
qemuDomainLock(const qemuDriverState *drv, const char *name, int timeout_ms, GError **error)
{
    g_autofree char *path = qemuDomainRunPath(drv, name, ".lock");

    return cairnFileLockAcquire(path, timeout_ms, FROM, error);
}


cairnFileLock *
qemuDriverLock(const qemuDriverState *drv, GError **error)
{
    g_autofree char *path = g_build_filename(drv->run_dir, "driver.lock", NULL);

    return cairnFileLockAcquire(path, QEMU_LOCK_TIMEOUT_MS, FROM, error);
}


bool
qemuDomainObjIsActive(const qemuDomainObj *obj)
{
    return obj->status != NULL;
}


const cairnDomainDef *
qemuDomainObjGetDef(const qemuDomainObj *obj)
{
    return obj->status ? obj->status->def : obj->def;
}


int
qemuDomainObjGetState(const qemuDomainObj *obj, int *reason)
{
    if (obj->status) {
        if (reason)
            *reason = obj->status->reason;
        return obj->status->state;
    }
    if (reason)
        *reason = obj->shutoff_reason;
    return CAIRN_DOMAIN_SHUTOFF;
}


int
qemuDomainObjGetID(const qemuDomainObj *obj)
{
    return obj->status ? obj->status->id : -1;
}


static bool
qemuDomainObjLoadDef(qemuDomainObj *obj, const char *path, const char *xml, GError **error)
{
    g_autoptr(cairnDomainDef) def = NULL;

    if (xml) {
        if (!(def = cairnDomainDefParseString(xml, CAIRN_DOMAIN_DEF_PARSE_INACTIVE, error)))
            return false;
        if (!g_str_equal(def->name, obj->name)) {
            cairnErrorSet(error, FROM, CAIRN_ERR_INTERNAL_ERROR,
                          "definition file '%s' names domain '%s'", path, def->name);
            return false;
        }
    }
    cairnDomainDefFree(obj->def);
    obj->def = g_steal_pointer(&def);
    return true;
}


static bool
qemuDomainObjLoadStatus(qemuDomainObj *obj, const char *path, const char *xml, GError **error)
{
    qemuDomainStatus *st = NULL;

    if (xml && !(st = qemuDomainStatusParse(xml, path, error)))
        return false;
    qemuDomainStatusFree(obj->status);
    obj->status = st;
    if (!st)
        qemuDomainObjForgetProcess(obj);
    return true;
}


/* The reason the domain last stopped, from ROOT/run/NAME.reason (written
 * when it stopped; absent: unknown). */
static bool
qemuDomainObjLoadShutoffReason(qemuDriverState *drv, qemuDomainObj *obj, GError **error)
{
    g_autofree char *path = qemuDomainRunPath(drv, obj->name, ".reason");
    g_autofree char *text = NULL;
    cairnFileStamp stamp;
    int reason = -1;

    switch (cairnFileCacheCheck(&obj->reason_file, path, QEMU_DEF_MAX_SIZE, &text, &stamp, error)) {
    case -1:
        return false;
    case 0:
        return true;
    }
    if (text)
        reason = qemuDomainStateReasonFromString(CAIRN_DOMAIN_SHUTOFF, g_strstrip(text));
    obj->shutoff_reason = reason >= 0 ? reason : CAIRN_DOMAIN_SHUTOFF_UNKNOWN;
    cairnFileCacheCommit(&obj->reason_file, g_steal_pointer(&text), &stamp);
    return true;
}


bool
qemuDomainSaveShutoffReason(qemuDriverState *drv, qemuDomainObj *obj, int reason, GError **error)
{
    g_autofree char *path = qemuDomainRunPath(drv, obj->name, ".reason");
    g_autofree char *text =
        g_strdup_printf("%s\n", qemuDomainStateReasonToString(CAIRN_DOMAIN_SHUTOFF, reason));

    obj->shutoff_reason = reason;
    /* Whatever the write does, the next refresh reads the file again. */
    cairnFileCacheClear(&obj->reason_file);
    return cairnFileWriteAtomic(path, text, -1, 0600, error);
}


bool
qemuDomainObjRefresh(qemuDriverState *drv, qemuDomainObj *obj, bool *ret_gone, GError **error)
{
    g_autofree char *defpath = qemuDomainDefPath(drv, obj->name);
    g_autofree char *runpath = qemuDomainRunPath(drv, obj->name, ".xml");
    g_autofree char *deftext = NULL;
    g_autofree char *runtext = NULL;
    cairnFileStamp defstamp;
    cairnFileStamp runstamp;
    int defdiff;
    int rundiff;

    if ((defdiff = cairnFileCacheCheck(&obj->def_file, defpath, QEMU_DEF_MAX_SIZE, &deftext,
                                       &defstamp, error)) < 0 ||
        (rundiff = cairnFileCacheCheck(&obj->run_file, runpath, QEMU_DEF_MAX_SIZE, &runtext,
                                       &runstamp, error)) < 0)
        return false;
    if (defdiff) {
        if (!qemuDomainObjLoadDef(obj, defpath, deftext, error))
            return false;
        cairnFileCacheCommit(&obj->def_file, g_steal_pointer(&deftext), &defstamp);
    }
    if (rundiff) {
        if (!qemuDomainObjLoadStatus(obj, runpath, runtext, error))
            return false;
        cairnFileCacheCommit(&obj->run_file, g_steal_pointer(&runtext), &runstamp);
    }
    if (!obj->status && !qemuDomainObjLoadShutoffReason(drv, obj, error))
        return false;
    *ret_gone = !obj->def && !obj->status;
    g_assert(drv->refresh_checkpoints);
    return drv->refresh_checkpoints(drv, obj, error);
}


bool
qemuDomainObjSaveStatus(qemuDriverState *drv, qemuDomainObj *obj, GError **error)
{
    g_autofree char *runpath = qemuDomainRunPath(drv, obj->name, ".xml");
    g_autofree char *text = qemuDomainStatusFormat(obj->status);

    if (!cairnFileWriteAtomic(runpath, text, -1, 0600, error)) {
        cairnFileCacheClear(&obj->run_file);
        return false;
    }
    cairnFileCacheCommit(&obj->run_file, g_steal_pointer(&text), NULL);
    return true;
}


static qemuDomainObj *
qemuDriverLookupCached(qemuDriverState *drv, const char *name)
{
    for (guint i = 0; i < drv->domains->len; i++) {
        qemuDomainObj *obj = g_ptr_array_index(drv->domains, i);

        if (g_str_equal(obj->name, name))
            return obj;
    }
    return NULL;
}


GPtrArray *
qemuDriverSnapshot(qemuDriverState *drv)
{
    GPtrArray *copy = g_ptr_array_copy(drv->domains, NULL, NULL);

    /* The copy inherits the free function; it must not own the objects. */
    g_ptr_array_set_free_func(copy, NULL);
    return copy;
}


void
qemuDriverForget(qemuDriverState *drv, qemuDomainObj *obj)
{
    g_ptr_array_remove(drv->domains, obj);
}


static bool
qemuDomainNameIsSafe(const char *name)
{
    return *name && !strchr(name, '/') && !g_str_equal(name, ".") && !g_str_equal(name, "..");
}


qemuDomainObj *
qemuDriverFindByName(qemuDriverState *drv, const char *name, GError **error)
{
    qemuDomainObj *obj = qemuDriverLookupCached(drv, name);
    bool gone = false;

    if (!obj && qemuDomainNameIsSafe(name)) {
        obj = qemuDomainObjNew(name);
        g_ptr_array_add(drv->domains, obj);
    }
    if (obj && !qemuDomainObjRefresh(drv, obj, &gone, error)) {
        /* Keep no object that could not be loaded at all: every walker of
         * the list expects a definition or a live state. */
        if (!obj->def && !obj->status)
            qemuDriverForget(drv, obj);
        return NULL;
    }
    if (!obj || gone) {
        if (obj)
            qemuDriverForget(drv, obj);
        cairnErrorSet(error, CAIRN_FROM_DOMAIN, CAIRN_ERR_NO_DOMAIN,
                      "no domain with matching name '%s'", name);
        return NULL;
    }
    return obj;
}


qemuDomainObj *
qemuDriverFindByHandle(qemuDriverState *drv, cairnDomain *dom, GError **error)
{
    g_autoptr(GError) lookup_err = NULL;
    char uuidstr[CAIRN_UUID_STRING_BUFLEN];
    qemuDomainObj *obj = qemuDriverFindByName(drv, dom->name, &lookup_err);

    if (obj && memcmp(qemuDomainObjGetDef(obj)->uuid, dom->uuid, CAIRN_UUID_BUFLEN) == 0)
        return obj;
    if (lookup_err && !cairnErrorIs(lookup_err, CAIRN_ERR_NO_DOMAIN)) {
        g_propagate_error(error, g_steal_pointer(&lookup_err));
        return NULL;
    }
    cairnUUIDFormat(dom->uuid, uuidstr);
    cairnErrorSet(error, CAIRN_FROM_DOMAIN, CAIRN_ERR_NO_DOMAIN,
                  "no domain with matching uuid '%s' (%s)", uuidstr, dom->name);
    return NULL;
}


/* Add the names of DIR/NAME.xml files to @names, except those ending in
 * @skip (NULL: none). */
static bool
qemuDriverListNames(const char *dir, const char *skip, GHashTable *names, GError **error)
{
    g_autoptr(GError) gerr = NULL;
    g_autoptr(GDir) d = g_dir_open(dir, 0, &gerr);
    const char *ent;

    if (!d) {
        cairnErrorSet(error, FROM, CAIRN_ERR_SYSTEM_ERROR, "cannot read directory: %s",
                      gerr->message);
        return false;
    }
    while ((ent = g_dir_read_name(d))) {
        if (ent[0] == '.' || !g_str_has_suffix(ent, ".xml") ||
            (skip && g_str_has_suffix(ent, skip)))
            continue;
        g_hash_table_add(names, g_strndup(ent, strlen(ent) - 4));
    }
    return true;
}


bool
qemuDriverRescan(qemuDriverState *drv, GError **error)
{
    g_autoptr(GHashTable) names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    GHashTableIter iter;
    gpointer key;

    if (!qemuDriverListNames(drv->domains_dir, NULL, names, error) ||
        !qemuDriverListNames(drv->run_dir, NULL, names, error))
        return false;
    for (guint i = 0; i < drv->domains->len; i++) {
        qemuDomainObj *obj = g_ptr_array_index(drv->domains, i);

        g_hash_table_add(names, g_strdup(obj->name));
    }
    g_hash_table_iter_init(&iter, names);
    while (g_hash_table_iter_next(&iter, &key, NULL)) {
        g_autoptr(GError) err = NULL;

        /* A domain that vanished is simply dropped; one whose files
         * cannot be read is skipped and logged, as libvirt does at load. */
        if (!qemuDriverFindByName(drv, key, &err) && !cairnErrorIs(err, CAIRN_ERR_NO_DOMAIN))
            g_debug("skipping domain '%s': %s", (const char *)key, err->message);
    }
    return true;
}


cairnDomain *
qemuDomainHandleNew(cairnConnect *conn, const qemuDomainObj *obj)
{
    const cairnDomainDef *def = qemuDomainObjGetDef(obj);

    return cairnDomainNew(conn, obj->name, def->uuid, qemuDomainObjGetID(obj));
}


bool
qemuDriverAllocateID(qemuDriverState *drv, int *ret_id, GError **error)
{
    g_autofree char *lockpath = g_build_filename(drv->run_dir, "domain-id.lock", NULL);
    g_autofree char *path = g_build_filename(drv->run_dir, "domain-id", NULL);
    g_autoptr(cairnFileLock) lock = NULL;
    g_autofree char *data = NULL;
    g_autofree char *next = NULL;
    gint64 id = 1;

    if (!(lock = cairnFileLockAcquire(lockpath, QEMU_LOCK_TIMEOUT_MS, FROM, error)) ||
        !cairnFileReadOptional(path, 64, &data, error))
        return false;
    if (data) {
        id = g_ascii_strtoll(data, NULL, 10);
        if (id < 1 || id >= G_MAXINT)
            id = 1;
    }
    next = g_strdup_printf("%d\n", (int)id + 1);
    if (!cairnFileWriteAtomic(path, next, -1, 0600, error))
        return false;
    *ret_id = (int)id;
    return true;
}
