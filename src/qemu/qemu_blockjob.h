/*
 * qemu_blockjob.h: block pull jobs of the qemu driver
 * (cairnDomainBlockPull, cairnDomainGetBlockJobInfo,
 * cairnDomainBlockJobAbort).
 *
 * A pull is QEMU's block-stream of a disk's whole backing chain into its
 * top image, run by the domain's QEMU with auto-dismiss off, so its end
 * (and error) stays visible in query-jobs until Cairn has taken note.
 * Every pull is recorded, before block-stream is sent, in
 * ROOT/run/NAME.blockjobs (a key file, one group per disk target: job id,
 * the QEMU pid it runs in, the node, bandwidth, whether an abort was
 * asked), written atomically. Any block job call reconciles the record
 * with QEMU first, so a pull begun by a process that died (kill -9 of the
 * API process or of cairnd) is found and finished by the next call:
 *   - the job still runs: reported;
 *   - it concluded without error: the top image has no backing any more;
 *     the disk's backing layers are dropped from the live state (and their
 *     nodes deleted in QEMU), its <backingStore> from the live and
 *     persistent definitions, the job dismissed, the record removed, and
 *     BLOCK_JOB/BLOCK_JOB_2 COMPLETED emitted;
 *   - it failed or was cancelled: dismissed, record removed, FAILED or
 *     CANCELED emitted; the image keeps its backing and the data copied;
 *   - QEMU is gone or another QEMU runs (the domain was restarted), or
 *     the job is unknown to QEMU (the call died before block-stream was
 *     sent): the record is dropped as FAILED.
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "driver.h"

#define QEMU_BLOCKJOB_SUFFIX ".blockjobs"

bool qemuDomainBlockPull(cairnDomain *dom,
                         const char *disk,
                         unsigned long bandwidth,
                         unsigned int flags,
                         GError **error);
int qemuDomainGetBlockJobInfo(cairnDomain *dom,
                              const char *disk,
                              cairnDomainBlockJobInfo *info,
                              unsigned int flags,
                              GError **error);
bool
qemuDomainBlockJobAbort(cairnDomain *dom, const char *disk, unsigned int flags, GError **error);
