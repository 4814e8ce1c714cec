/*
 * qemu_domain.h: the qemu driver's private state: one driver state per
 * connection, one object per domain, and the files under ROOT behind them.
 *
 * The files are the truth, the objects a cache: several connections, in
 * this process or others, may use the same root at once. Every call
 * refreshes the objects it uses from ROOT/domains/NAME.xml,
 * ROOT/run/NAME.xml and ROOT/checkpoints/NAME/: a file is read again only
 * when its stat(2) stamp may have changed, and parsed again only when its
 * text did (util/cairnfilecache.h tells when a stamp can be trusted).
 * Every call that changes a domain does so holding the
 * domain's lock file ROOT/run/NAME.lock (plus ROOT/run/driver.lock for
 * define and undefine; lock order: driver, domain, id counter). Inside a
 * process the driver state's mutex serialises the calls of one connection.
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "conf/domain_conf.h"
#include "conf/moment_tree.h"
#include "datatypes.h"
#include "qemu_status.h"
#include "util/cairnfile.h"
#include "util/cairnfilecache.h"

/* How long a call waits for another holder of a lock file, in ms (as
 * libvirt's job wait). */
#define QEMU_LOCK_TIMEOUT_MS 30000

/* Hold @drv's lock (qemuDriverState.lock) until the end of the enclosing
 * block: every driver call does, throughout. */
#define QEMU_LOCK(drv)                                                                             \
 g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new(&(drv)->lock)

typedef struct _qemuDriverState qemuDriverState;
typedef struct _qemuDomainObj qemuDomainObj;

/* Bring @obj's cached checkpoints in line with their files. */
typedef bool (*qemuDomainObjRefreshFunc)(qemuDriverState *drv, qemuDomainObj *obj, GError **error);

struct _qemuDriverState {
    GMutex lock;          /* held by every call throughout */
    char *root;           /* absolute */
    char *domains_dir;    /* ROOT/domains */
    char *run_dir;        /* ROOT/run */
    char *log_dir;        /* ROOT/log */
    char *checkpoint_dir; /* ROOT/checkpoints */
    GPtrArray *domains;   /* of qemuDomainObj*, owned */
    cairnConnect *conn;   /* the connection owning this state (not a
                           * reference): where events this process notices
                           * are emitted */
    char *kvm_device;     /* the KVM device a type='kvm' domain needs:
                           * CAIRN_KVM_DEVICE. An internal knob, not set by
                           * any URI or environment: tests linked with the
                           * internal library point it at a plain file or
                           * /dev/null to see the driver refuse them. */
    /* qemuCheckpointObjRefresh(), given by the opener (qemu_driver.c):
     * the checkpoint metadata sits above the domain objects. */
    qemuDomainObjRefreshFunc refresh_checkpoints;
    /* How a running domain's monitor is reached (qemuProcessAttach(), the
     * one place every driver path attaches): NULL means its QMP socket.
     * Set only by tests linked with the internal library, to hand the
     * driver code an already-connected monitor (a recorded conversation,
     * tests/qmp). */
    struct _qemuMonitor *(*attach_monitor)(qemuDomainObj *obj, void *opaque, GError **error);
    void *attach_opaque;
};

/* A checkpoint metadata file that could not be loaded (read or parsed):
 * never skipped, it is reported (qemu_checkpoint_meta.h). */
typedef struct {
    char *path;
    char *why;
} qemuCheckpointBadFile;

struct _qemuDomainObj {
    char *name;
    cairnDomainDef *def;          /* persistent definition; NULL when transient */
    qemuDomainStatus *status;     /* live state; NULL when shut off */
    int shutoff_reason;           /* reason of SHUTOFF, from ROOT/run/NAME.reason */
    cairnFileCache def_file;      /* ROOT/domains/NAME.xml as last read or written */
    cairnFileCache run_file;      /* ROOT/run/NAME.xml as last read or written */
    cairnFileCache reason_file;   /* ROOT/run/NAME.reason as last read or written */
    cairnMomentList *checkpoints; /* cache of ROOT/checkpoints/NAME/ (qemu_checkpoint_meta.h) */
    GHashTable *checkpoint_files; /* file name -> cairnFileCache* of that file; NULL: unknown */
    cairnFileStamp checkpoint_dir_stamp; /* of ROOT/checkpoints/NAME when last listed */
    gint64 state_asked_us;               /* when this process last asked QEMU for the
                                   * run state (monotonic; 0 = never) */
    int pidfd;                           /* -1, or a pidfd of status->pid once it was
                                   * found to be our QEMU (qemu_process.h) */
    pid_t pidfd_pid;
    /* of qemuCheckpointBadFile*: the files of ROOT/checkpoints/NAME that
     * could not be loaded; NULL or empty: none */
    GPtrArray *checkpoint_bad;
};

/* How long a read-only state query (dominfo, domstate, list) trusts the
 * run state QEMU gave this process, in microseconds. Within it, only the
 * process is checked (alive and ours, which is cheap and catches a crash at
 * once); what only QEMU knows — a guest that powered off or paused itself —
 * is seen at most this late. Calls that change a domain always ask. */
#define QEMU_STATE_TRUST_US (100 * G_TIME_SPAN_MILLISECOND)

static inline qemuDriverState *
qemuStateOf(cairnConnect *conn)
{
    return conn->privateData;
}

qemuDriverState *qemuDriverStateNew(const char *root, GError **error);
void qemuDriverStateFree(qemuDriverState *drv);

/* Paths of one domain's files: ROOT/domains/NAME.xml, and
 * ROOT/run/NAME<suffix> for suffix ".xml", ".qmp", ".agent", ".pid", ".lock";
 * ROOT/log/NAME.log. Caller frees. */
char *qemuDomainDefPath(const qemuDriverState *drv, const char *name);
char *qemuDomainRunPath(const qemuDriverState *drv, const char *name, const char *suffix);
char *qemuDomainLogPath(const qemuDriverState *drv, const char *name);

/* The domain's lock, waiting up to @timeout_ms. */
cairnFileLock *
qemuDomainLock(const qemuDriverState *drv, const char *name, int timeout_ms, GError **error);
/* The root-level lock for define/undefine. */
cairnFileLock *qemuDriverLock(const qemuDriverState *drv, GError **error);

bool qemuDomainObjIsActive(const qemuDomainObj *obj);
/* Close the pidfd held on @obj's QEMU (it stopped, or is no longer known). */
void qemuDomainObjForgetProcess(qemuDomainObj *obj);
/* The definition in force: the live one when running, else the
 * persistent one. */
const cairnDomainDef *qemuDomainObjGetDef(const qemuDomainObj *obj);
/* cairnDomainState and its reason. */
int qemuDomainObjGetState(const qemuDomainObj *obj, int *reason);
int qemuDomainObjGetID(const qemuDomainObj *obj);

/* Re-read what changed on disk for @obj. Returns false on a read error;
 * *@ret_gone is set when neither file exists any more. */
bool qemuDomainObjRefresh(qemuDriverState *drv, qemuDomainObj *obj, bool *ret_gone, GError **error);

/* Record why @obj stopped, in memory and in ROOT/run/NAME.reason, so
 * that other connections (a CLI run after a destroy) report it too. */
bool
qemuDomainSaveShutoffReason(qemuDriverState *drv, qemuDomainObj *obj, int reason, GError **error);

/* Write @obj->status to ROOT/run/NAME.xml (atomically). */
bool qemuDomainObjSaveStatus(qemuDriverState *drv, qemuDomainObj *obj, GError **error);

/* The object for @name, read from disk if it is not cached, refreshed if
 * it is. NULL with CAIRN_ERR_NO_DOMAIN when the domain does not exist. */
qemuDomainObj *qemuDriverFindByName(qemuDriverState *drv, const char *name, GError **error);

/* The object behind handle @dom (by name, then checked by UUID). */
qemuDomainObj *qemuDriverFindByHandle(qemuDriverState *drv, cairnDomain *dom, GError **error);

/* Bring the cache in line with the directories: new domains read, removed
 * ones dropped, every object refreshed. */
bool qemuDriverRescan(qemuDriverState *drv, GError **error);

/* The cached objects, in a new array that does not own them: for walks
 * during which objects may be dropped. */
GPtrArray *qemuDriverSnapshot(qemuDriverState *drv);

/* Drop @obj from the cache (after it stopped being defined and running). */
void qemuDriverForget(qemuDriverState *drv, qemuDomainObj *obj);

/* A new handle on @obj. */
cairnDomain *qemuDomainHandleNew(cairnConnect *conn, const qemuDomainObj *obj);

/* A fresh domain id, unique under the root (a counter file under its own
 * lock, ROOT/run/domain-id). */
bool qemuDriverAllocateID(qemuDriverState *drv, int *ret_id, GError **error);
