/*
 * qemu_status.h: the live state of a running domain, ROOT/run/NAME.xml.
 *
 * One file per running QEMU, written atomically whenever the state
 * changes, removed when the domain stops. It holds what a new connection
 * needs to find and reattach to the QEMU (pid, monitor socket), what the
 * driver chose at start (id, per-disk alias and node names) and the live
 * definition, so a domain that was undefined while running (transient)
 * survives a reconnect:
 *
 *   <domstatus state='running' reason='booted' pid='1234' id='3'>
 *     <monitor path='ROOT/run/NAME.qmp' type='unix'/>
 *     <starttime>1700000000</starttime>
 *     <disks>
 *       <disk dst='vda' alias='virtio-disk0' storage='cairn-1-storage'
 *             format='cairn-1-format'>
 *         <layer file='/img/base.qcow2' driver='qcow2' storage='cairn-2-storage'
 *                format='cairn-2-format'/>
 *       </disk>
 *     </disks>
 *     <domain type='kvm'>...</domain>
 *   </domstatus>
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>
#include <glib.h>

#include "conf/domain_conf.h"
#include "qemu_block.h"

typedef struct _qemuStatusDisk qemuStatusDisk;
struct _qemuStatusDisk {
    char *dst;          /* <target dev=...> of the disk */
    char *alias;        /* the -device id, e.g. "virtio-disk0" */
    char *storage_node; /* the file node, e.g. "cairn-1-storage"; NULL without media */
    char *format_node;  /* the format node, e.g. "cairn-1-format"; NULL without media */
    GPtrArray *layers;  /* qemuBlockLayer* below the top, from its backing image down,
                           opened as explicit nodes; NULL when QEMU opened the backing
                           chain itself */
};

typedef struct _qemuDomainStatus qemuDomainStatus;
struct _qemuDomainStatus {
    int state;            /* cairnDomainState: RUNNING or PAUSED */
    int reason;           /* reason for @state */
    pid_t pid;            /* the QEMU process */
    int id;               /* the domain id, unique under the root */
    char *monitor_path;   /* the QMP unix socket */
    long long start_time; /* seconds since the epoch */
    GPtrArray *disks;     /* of qemuStatusDisk*, in the order of def->disks */
    cairnDomainDef *def;  /* the live definition */
};

qemuDomainStatus *qemuDomainStatusNew(void);
void qemuDomainStatusFree(qemuDomainStatus *st);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(qemuDomainStatus, qemuDomainStatusFree)

qemuStatusDisk *
qemuStatusDiskNew(const char *dst, const char *alias, const char *storage, const char *format);
void qemuStatusDiskFree(qemuStatusDisk *disk);

/* The disk entry for target @dst, or NULL. */
qemuStatusDisk *qemuDomainStatusFindDisk(const qemuDomainStatus *st, const char *dst);

/* An upper bound of the N in the cairn-N-* node names the disks and
 * their backing layers use; nodes added later (backups) take the next
 * ones. */
unsigned int qemuDomainStatusNodeIndexes(const qemuDomainStatus *st);

/* The document above. Never fails. */
char *qemuDomainStatusFormat(const qemuDomainStatus *st);

/* Parse the document; CAIRN_ERR_INTERNAL_ERROR (from CAIRN_FROM_QEMU)
 * naming @what when it is malformed. */
qemuDomainStatus *qemuDomainStatusParse(const char *xml, const char *what, GError **error);

/* Write @st to @path atomically. */
bool qemuDomainStatusSave(const qemuDomainStatus *st, const char *path, GError **error);

/* Read @path; *@ret_st is NULL when the file does not exist. */
bool qemuDomainStatusLoad(const char *path, qemuDomainStatus **ret_st, GError **error);

/* libvirt's names of states and reasons, as in virsh domstate --reason. */
const char *qemuDomainStateToString(int state);
int qemuDomainStateFromString(const char *str);
const char *qemuDomainStateReasonToString(int state, int reason);
int qemuDomainStateReasonFromString(int state, const char *str);
