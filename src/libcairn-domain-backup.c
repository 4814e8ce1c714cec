/*
 * libcairn-domain-backup.c: public entry points for backups and domain
 * jobs, the twins of libvirt's virDomainBackupBegin,
 * virDomainBackupGetXMLDesc, virDomainGetJobInfo, virDomainGetJobStats and
 * virDomainAbortJob(Flags). Each checks its arguments in libvirt's order,
 * resets the last error and dispatches.
 */
#include <stddef.h>
#include <string.h>

#include "cairn/cairn.h"
#include "libcairn-internal.h"
#include "util/cairnerror.h"

#define FROM CAIRN_FROM_DOMAIN


static bool
domainSupports(cairnDomain *dom, size_t slot_offset, const char *func, GError **error)
{
    return cairnEntryCheckSupported(cairnDriverSlot(dom->conn->driver, slot_offset), FROM, func,
                                    error);
}


/**
 * cairnDomainBackupBegin:
 * @domain: a running domain
 * @backupXML: description of the requested backup (<domainbackup>)
 * @checkpointXML: description of a checkpoint to create with it, or NULL
 * @flags: bitwise-OR of cairnDomainBackupBeginFlags
 *
 * Starts a point-in-time backup job for the domain's disks: push (the
 * hypervisor writes each disk to a target) or pull (it exports each disk
 * over NBD for a third party to read), full or incremental since a
 * checkpoint. Defaults are filled in as libvirt does (generated target
 * names "<source>.<suffix>", where suffix is the checkpoint's name or the
 * current time). With @checkpointXML, a checkpoint is created at the same
 * instant and becomes current. Only one backup runs per domain.
 *
 * Returns as soon as the job runs: watch it with cairnDomainGetJobStats()
 * or the CAIRN_DOMAIN_EVENT_ID_JOB_COMPLETED event, end it (a pull backup
 * must be ended) with cairnDomainAbortJob().
 *
 * Returns 0 on success, -1 on error.
 *
 * Since: 0.1.0
 */
int
cairnDomainBackupBegin(cairnDomainPtr domain,
                       const char *backupXML,
                       const char *checkpointXML,
                       unsigned int flags)
{
    g_autoptr(GError) err = NULL;

    cairnResetLastError();
    if (!cairnEntryCheckDomain(domain, __func__, &err) ||
        !cairnEntryCheckNonNull(backupXML, "backupXML", FROM, __func__, &err) ||
        !cairnEntryCheckReadWrite(domain->conn, FROM, __func__, &err) ||
        !domainSupports(domain, offsetof(cairnDriver, domainBackupBegin), __func__, &err) ||
        !domain->conn->driver->domainBackupBegin(domain, backupXML, checkpointXML, flags, &err))
        return cairnEntryFail(err);
    return 0;
}


/**
 * cairnDomainBackupGetXMLDesc:
 * @domain: a domain
 * @flags: extra flags; not used yet, so callers should always pass 0
 *
 * Queries the running backup job: its definition with every default filled
 * in (generated file names, export names and bitmaps, disk index). No
 * backup running is CAIRN_ERR_NO_DOMAIN_BACKUP.
 *
 * Returns the XML (caller frees with free()), or NULL.
 *
 * Since: 0.1.0
 */
char *
cairnDomainBackupGetXMLDesc(cairnDomainPtr domain, unsigned int flags)
{
    g_autoptr(GError) err = NULL;
    char *xml = NULL;

    cairnResetLastError();
    if (!cairnEntryCheckDomain(domain, __func__, &err) ||
        !domainSupports(domain, offsetof(cairnDriver, domainBackupGetXMLDesc), __func__, &err) ||
        !(xml = domain->conn->driver->domainBackupGetXMLDesc(domain, flags, &err)))
        cairnEntryFail(err);
    return xml;
}


/**
 * cairnDomainGetJobInfo:
 * @domain: a domain
 * @info: where to store the job's summary
 *
 * Extracts information about the domain's running job (type
 * CAIRN_DOMAIN_JOB_NONE when there is none). A push backup reports its
 * progress in the file* fields.
 *
 * Returns 0 on success, -1 on error.
 *
 * Since: 0.1.0
 */
int
cairnDomainGetJobInfo(cairnDomainPtr domain, cairnDomainJobInfoPtr info)
{
    g_autoptr(GError) err = NULL;

    cairnResetLastError();
    if (!cairnEntryCheckDomain(domain, __func__, &err) ||
        !cairnEntryCheckNonNull(info, "info", FROM, __func__, &err))
        return cairnEntryFail(err);
    memset(info, 0, sizeof(*info));
    if (!domainSupports(domain, offsetof(cairnDriver, domainGetJobInfo), __func__, &err) ||
        !domain->conn->driver->domainGetJobInfo(domain, info, &err))
        return cairnEntryFail(err);
    return 0;
}


/**
 * cairnDomainGetJobStats:
 * @domain: a domain
 * @type: where to store the job type (a cairnDomainJobType)
 * @params: where to store the statistics (free with cairnTypedParamsFree())
 * @nparams: where to store the number of statistics
 * @flags: bitwise-OR of cairnDomainGetJobStatsFlags
 *
 * Extracts the statistics of the running job, or with
 * CAIRN_DOMAIN_JOB_STATS_COMPLETED of the last finished one (which is then
 * forgotten unless CAIRN_DOMAIN_JOB_STATS_KEEP_COMPLETED is also given).
 * A backup reports "operation", "time_elapsed", for push "disk_total",
 * "disk_processed", "disk_remaining", for pull "disk_temp_used",
 * "disk_temp_total", and once finished "success" and maybe "errmsg".
 * Without a job, *type is CAIRN_DOMAIN_JOB_NONE and *nparams 0.
 *
 * Returns 0 on success, -1 on error.
 *
 * Since: 0.1.0
 */
int
cairnDomainGetJobStats(cairnDomainPtr domain,
                       int *type,
                       cairnTypedParameterPtr *params,
                       int *nparams,
                       unsigned int flags)
{
    g_autoptr(GError) err = NULL;

    cairnResetLastError();
    if (!cairnEntryCheckDomain(domain, __func__, &err) ||
        !cairnEntryCheckNonNull(type, "type", FROM, __func__, &err) ||
        !cairnEntryCheckNonNull(params, "params", FROM, __func__, &err) ||
        !cairnEntryCheckNonNull(nparams, "nparams", FROM, __func__, &err) ||
        !cairnEntryCheckRequires(flags, CAIRN_DOMAIN_JOB_STATS_COMPLETED,
                                 "CAIRN_DOMAIN_JOB_STATS_COMPLETED",
                                 CAIRN_DOMAIN_JOB_STATS_KEEP_COMPLETED,
                                 "CAIRN_DOMAIN_JOB_STATS_KEEP_COMPLETED", FROM, &err) ||
        !domainSupports(domain, offsetof(cairnDriver, domainGetJobStats), __func__, &err))
        return cairnEntryFail(err);
    if (!domain->conn->driver->domainGetJobStats(domain, type, params, nparams, flags, &err)) {
        *params = NULL;
        *nparams = 0;
        return cairnEntryFail(err);
    }
    return 0;
}


static int
domainAbortJob(cairnDomain *domain, unsigned int flags, const char *func)
{
    g_autoptr(GError) err = NULL;

    cairnResetLastError();
    if (!cairnEntryCheckDomain(domain, func, &err) ||
        !cairnEntryCheckReadWrite(domain->conn, FROM, func, &err) ||
        !domainSupports(domain, offsetof(cairnDriver, domainAbortJob), func, &err) ||
        !domain->conn->driver->domainAbortJob(domain, flags, &err))
        return cairnEntryFail(err);
    return 0;
}


/**
 * cairnDomainAbortJob:
 * @domain: a domain
 *
 * Requests that the running job be aborted. For a push backup this
 * cancels the copy (the job ends as CANCELLED); it is the only way to end
 * a pull backup (which then normally ends as COMPLETED). No job is
 * CAIRN_ERR_OPERATION_INVALID.
 *
 * Returns 0 on success, -1 on error.
 *
 * Since: 0.1.0
 */
int
cairnDomainAbortJob(cairnDomainPtr domain)
{
    return domainAbortJob(domain, 0, __func__);
}


/**
 * cairnDomainAbortJobFlags:
 * @domain: a domain
 * @flags: bitwise-OR of cairnDomainAbortJobFlagsValues
 *
 * As cairnDomainAbortJob(); CAIRN_DOMAIN_ABORT_JOB_POSTCOPY concerns
 * migration only, which Cairn does not do, so drivers refuse it.
 *
 * Returns 0 on success, -1 on error.
 *
 * Since: 0.1.0
 */
int
cairnDomainAbortJobFlags(cairnDomainPtr domain, unsigned int flags)
{
    return domainAbortJob(domain, flags, __func__);
}


/**
 * cairnDomainBlockJobSetSpeed:
 * @domain: a domain with a running backup
 * @disk: the disk's target name ("vda") or source path
 * @bandwidth: the new rate limit in MiB/s (bytes/s with
 *             CAIRN_DOMAIN_BLOCK_JOB_SPEED_BANDWIDTH_BYTES); 0 is no limit
 * @flags: bitwise-OR of cairnDomainBlockJobSetSpeedFlags
 *
 * Sets the rate limit of the block job copying @disk, as
 * virDomainBlockJobSetSpeed() does; Cairn's block jobs are the disk jobs
 * of a backup. A disk without a running job is CAIRN_ERR_OPERATION_INVALID,
 * a MiB/s value that overflows bytes/s CAIRN_ERR_OVERFLOW.
 *
 * Returns 0 on success, -1 on error.
 *
 * Since: 0.1.0
 */
int
cairnDomainBlockJobSetSpeed(cairnDomainPtr domain,
                            const char *disk,
                            unsigned long bandwidth,
                            unsigned int flags)
{
    g_autoptr(GError) err = NULL;
    unsigned long long bytes = bandwidth;

    cairnResetLastError();
    if (!cairnEntryCheckDomain(domain, __func__, &err) ||
        !cairnEntryCheckReadWrite(domain->conn, FROM, __func__, &err) ||
        !cairnEntryCheckNonNull(disk, "disk", FROM, __func__, &err) ||
        !domainSupports(domain, offsetof(cairnDriver, domainBlockJobSetSpeed), __func__, &err))
        return cairnEntryFail(err);
    if (!(flags & CAIRN_DOMAIN_BLOCK_JOB_SPEED_BANDWIDTH_BYTES)) {
        if (bytes > (unsigned long long)G_MAXINT64 >> 20) {
            cairnErrorSet(&err, FROM, CAIRN_ERR_OVERFLOW, "bandwidth must be less than %llu",
                          ((unsigned long long)G_MAXINT64 >> 20) + 1);
            return cairnEntryFail(err);
        }
        bytes <<= 20;
    }
    if (bytes > (unsigned long long)G_MAXINT64) {
        cairnErrorSet(&err, FROM, CAIRN_ERR_OVERFLOW, "bandwidth must be less than %llu",
                      (unsigned long long)G_MAXINT64 + 1);
        return cairnEntryFail(err);
    }
    if (!domain->conn->driver->domainBlockJobSetSpeed(domain, disk, bytes, flags, &err))
        return cairnEntryFail(err);
    return 0;
}
