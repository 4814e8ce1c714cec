/*
 * domain_backup.c: the backup job's phases, checks and events shared by
 * the in-process drivers (see domain_backup.h).
 */
#include "domain_backup.h"
#include "cairn/cairn-domain-backup.h"
#include "cairn/cairn-error.h"
#include "conf/domain_event.h"
#include "conf/object_event.h"

#define P_BEGIN CAIRN_BACKUP_PHASE_BEGIN
#define P_STARTING CAIRN_BACKUP_PHASE_STARTING
#define P_COMMITTING CAIRN_BACKUP_PHASE_COMMITTING
#define P_RUNNING CAIRN_BACKUP_PHASE_RUNNING
#define P_TERMINATING CAIRN_BACKUP_PHASE_TERMINATING
#define P_ROLLBACK CAIRN_BACKUP_PHASE_ROLLBACK

static const struct {
    const char *name;
    cairnBackupRecovery recovery;
    bool next[CAIRN_BACKUP_PHASE_LAST]; /* the phases it may move to */
} backupPhases[] = {
    [P_BEGIN] = { "begin",
                  CAIRN_BACKUP_RECOVER_UNDO,
                  { [P_STARTING] = true, [P_ROLLBACK] = true } },
    [P_STARTING] = { "starting",
                     CAIRN_BACKUP_RECOVER_UNDO,
                     { [P_COMMITTING] = true, [P_ROLLBACK] = true } },
    [P_COMMITTING] = { "committing",
                       CAIRN_BACKUP_RECOVER_COMMIT,
                       { [P_RUNNING] = true, [P_ROLLBACK] = true } },
    [P_RUNNING] = { "running", CAIRN_BACKUP_RECOVER_RECONCILE, { [P_TERMINATING] = true } },
    [P_TERMINATING] = { "terminating", CAIRN_BACKUP_RECOVER_TERMINATE, { 0 } },
    [P_ROLLBACK] = { "rollback", CAIRN_BACKUP_RECOVER_UNDO, { 0 } },
};
G_STATIC_ASSERT(G_N_ELEMENTS(backupPhases) == CAIRN_BACKUP_PHASE_LAST);


const char *
cairnBackupPhaseToString(cairnBackupPhase phase)
{
    return (unsigned int)phase < CAIRN_BACKUP_PHASE_LAST ? backupPhases[phase].name : NULL;
}


int
cairnBackupPhaseFromString(const char *name)
{
    for (int i = 0; name && i < CAIRN_BACKUP_PHASE_LAST; i++) {
        if (g_str_equal(backupPhases[i].name, name))
            return i;
    }
    return -1;
}


bool
cairnBackupPhaseAdvance(cairnBackupPhase *phase, cairnBackupPhase next, GError **error)
{
    g_assert((unsigned int)*phase < CAIRN_BACKUP_PHASE_LAST);
    g_assert((unsigned int)next < CAIRN_BACKUP_PHASE_LAST);
    if (!backupPhases[*phase].next[next]) {
        cairnErrorSet(error, CAIRN_FROM_DOMAIN, CAIRN_ERR_OPERATION_INVALID,
                      "backup job cannot go from phase '%s' to '%s'", backupPhases[*phase].name,
                      backupPhases[next].name);
        return false;
    }
    *phase = next;
    return true;
}


cairnBackupRecovery
cairnBackupPhaseRecovery(cairnBackupPhase phase)
{
    g_assert((unsigned int)phase < CAIRN_BACKUP_PHASE_LAST);
    return backupPhases[phase].recovery;
}


bool
cairnBackupCheckServer(const cairnBackupDef *def, int from, GError **error)
{
    if (def->type != CAIRN_BACKUP_TYPE_PULL || !def->server)
        return true;
    if (def->server->transport == CAIRN_BACKUP_TRANSPORT_TCP && def->server->port == 0) {
        cairnErrorSet(error, from, CAIRN_ERR_OPERATION_UNSUPPORTED,
                      "<domainbackup> must specify TCP port for now");
        return false;
    }
    if (def->server->transport == CAIRN_BACKUP_TRANSPORT_FD) {
        cairnErrorSet(error, from, CAIRN_ERR_OPERATION_UNSUPPORTED,
                      "NBD server with an FD group transport is not supported");
        return false;
    }
    if (def->server->tls == 1) {
        cairnErrorSet(error, from, CAIRN_ERR_OPERATION_INVALID,
                      "backup TLS directory not configured");
        return false;
    }
    return true;
}


int
cairnBackupBlockJobStatus(cairnBackupDiskState state)
{
    switch (state) {
    case CAIRN_BACKUP_DISK_STATE_COMPLETE:
        return CAIRN_DOMAIN_BLOCK_JOB_COMPLETED;
    case CAIRN_BACKUP_DISK_STATE_CANCELLED:
        return CAIRN_DOMAIN_BLOCK_JOB_CANCELED;
    case CAIRN_BACKUP_DISK_STATE_FAILED:
    case CAIRN_BACKUP_DISK_STATE_NONE:
    case CAIRN_BACKUP_DISK_STATE_RUNNING:
    case CAIRN_BACKUP_DISK_STATE_CANCELLING:
    case CAIRN_BACKUP_DISK_STATE_LAST:
        break;
    }
    return CAIRN_DOMAIN_BLOCK_JOB_FAILED;
}


void
cairnBackupEmitBlockJob(cairnConnect *conn,
                        const cairnDomainDef *domdef,
                        int id,
                        const cairnBackupDiskDef *disk)
{
    const cairnDomainDiskDef *domdisk = cairnDomainDiskByTarget(domdef, disk->name);
    int status = cairnBackupBlockJobStatus(disk->state);

    if (!conn)
        return;
    if (domdisk && domdisk->src)
        cairnConnectEmitEvent(
            conn, cairnDomainEventBlockJobNew(domdef->name, domdef->uuid, id,
                                              CAIRN_DOMAIN_EVENT_ID_BLOCK_JOB, domdisk->src,
                                              CAIRN_DOMAIN_BLOCK_JOB_TYPE_BACKUP, status));
    cairnConnectEmitEvent(conn,
                          cairnDomainEventBlockJobNew(domdef->name, domdef->uuid, id,
                                                      CAIRN_DOMAIN_EVENT_ID_BLOCK_JOB_2, disk->name,
                                                      CAIRN_DOMAIN_BLOCK_JOB_TYPE_BACKUP, status));
}


void
cairnBackupEmitJobCompleted(cairnConnect *conn,
                            const cairnDomainDef *domdef,
                            int id,
                            const cairnDomainJobData *data)
{
    cairnTypedParameter *params = NULL;
    int nparams = 0;
    int ignored;

    if (!conn)
        return;
    cairnDomainJobDataToParams(data, &ignored, &params, &nparams);
    cairnConnectEmitEvent(
        conn, cairnDomainEventJobCompletedNew(domdef->name, domdef->uuid, id, params, nparams));
}
