/*
 * libcairn-domain-blockjob.c: the public block job calls, twins of
 * virDomainBlockPull, virDomainGetBlockJobInfo and virDomainBlockJobAbort.
 * Each checks its arguments in libvirt's order and dispatches; the
 * semantics live in the drivers.
 */
#include <stddef.h>
#include <string.h>

#include "cairn/cairn.h"
#include "libcairn-internal.h"
#include "util/cairnerror.h"

#define FROM CAIRN_FROM_DOMAIN


static bool
blockJobSupports(cairnDomain *dom, size_t slot_offset, const char *func, GError **error)
{
    return cairnEntryCheckSupported(cairnDriverSlot(dom->conn->driver, slot_offset), FROM, func,
                                    error);
}


/**
 * cairnDomainBlockPull:
 * @dom: a running domain
 * @disk: the disk's target ("vda") or source path
 * @bandwidth: speed limit in MiB/s (bytes/s with
 *   CAIRN_DOMAIN_BLOCK_PULL_BANDWIDTH_BYTES); 0 for none
 * @flags: bitwise-OR of cairnDomainBlockPullFlags
 *
 * Starts copying the whole backing chain of @disk into its top image, as
 * QEMU's block-stream does; when the job completes the image no longer
 * has a backing (the disk's XML has no <backingStore>). Returns as soon as
 * the job runs; follow it with cairnDomainGetBlockJobInfo() and
 * CAIRN_DOMAIN_EVENT_ID_BLOCK_JOB(_2) events, stop it with
 * cairnDomainBlockJobAbort(). Errors: a domain that is not running or a
 * disk already in a block job (CAIRN_ERR_OPERATION_INVALID), an unknown
 * disk (CAIRN_ERR_INVALID_ARG).
 *
 * Returns 0 on success, -1 on error.
 *
 * Since: 0.1.0
 */
int
cairnDomainBlockPull(cairnDomainPtr dom,
                     const char *disk,
                     unsigned long bandwidth,
                     unsigned int flags)
{
    g_autoptr(GError) err = NULL;

    cairnResetLastError();
    if (!cairnEntryCheckDomain(dom, __func__, &err) ||
        !cairnEntryCheckReadWrite(dom->conn, FROM, __func__, &err) ||
        !cairnEntryCheckNonNull(disk, "disk", FROM, __func__, &err) ||
        !blockJobSupports(dom, offsetof(cairnDriver, domainBlockPull), __func__, &err) ||
        !dom->conn->driver->domainBlockPull(dom, disk, bandwidth, flags, &err))
        return cairnEntryFail(err);
    return 0;
}


/**
 * cairnDomainGetBlockJobInfo:
 * @dom: a domain
 * @disk: the disk's target or source path
 * @info: filled with the job's progress (zeroed when there is none)
 * @flags: bitwise-OR of cairnDomainBlockJobInfoFlags
 *
 * The block job running on @disk. A job that has just ended is finished
 * by this call (the disk's definition updated, its event emitted), so 0
 * after a pull means the pull is over; whether it succeeded shows in the
 * disk's XML (no <backingStore> left) and in the event's status.
 *
 * Returns 1 when a job runs, 0 when none, -1 on error.
 *
 * Since: 0.1.0
 */
int
cairnDomainGetBlockJobInfo(cairnDomainPtr dom,
                           const char *disk,
                           cairnDomainBlockJobInfoPtr info,
                           unsigned int flags)
{
    g_autoptr(GError) err = NULL;
    int ret;

    cairnResetLastError();
    if (!cairnEntryCheckDomain(dom, __func__, &err) ||
        !cairnEntryCheckNonNull(disk, "disk", FROM, __func__, &err) ||
        !cairnEntryCheckNonNull(info, "info", FROM, __func__, &err))
        return cairnEntryFail(err);
    memset(info, 0, sizeof(*info));
    if (!blockJobSupports(dom, offsetof(cairnDriver, domainGetBlockJobInfo), __func__, &err))
        return cairnEntryFail(err);
    if ((ret = dom->conn->driver->domainGetBlockJobInfo(dom, disk, info, flags, &err)) < 0) {
        memset(info, 0, sizeof(*info));
        return cairnEntryFail(err);
    }
    return ret;
}


/**
 * cairnDomainBlockJobAbort:
 * @dom: a running domain
 * @disk: the disk's target or source path
 * @flags: bitwise-OR of cairnDomainBlockJobAbortFlags
 *
 * Cancels the block job of @disk. A cancelled pull leaves the data copied
 * so far in the top image, which keeps its backing. Without
 * CAIRN_DOMAIN_BLOCK_JOB_ABORT_ASYNC the call returns once the job is
 * gone. CAIRN_DOMAIN_BLOCK_JOB_ABORT_PIVOT is for copy jobs, which Cairn
 * does not run (CAIRN_ERR_OPERATION_INVALID). No job on the disk is
 * CAIRN_ERR_OPERATION_INVALID.
 *
 * Returns 0 on success, -1 on error.
 *
 * Since: 0.1.0
 */
int
cairnDomainBlockJobAbort(cairnDomainPtr dom, const char *disk, unsigned int flags)
{
    g_autoptr(GError) err = NULL;

    cairnResetLastError();
    if (!cairnEntryCheckDomain(dom, __func__, &err) ||
        !cairnEntryCheckReadWrite(dom->conn, FROM, __func__, &err) ||
        !cairnEntryCheckNonNull(disk, "disk", FROM, __func__, &err) ||
        !blockJobSupports(dom, offsetof(cairnDriver, domainBlockJobAbort), __func__, &err) ||
        !dom->conn->driver->domainBlockJobAbort(dom, disk, flags, &err))
        return cairnEntryFail(err);
    return 0;
}
