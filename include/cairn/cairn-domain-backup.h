/*
 * cairn-domain-backup.h: the twin of libvirt's backup API
 * (virDomainBackupBegin, virDomainBackupGetXMLDesc). A backup is watched
 * and ended with the job API (cairn-domain-job.h) and the events
 * (cairn-event.h).
 *
 * Users include <cairn/cairn.h>, never this file directly.
 */
#ifndef CAIRN_DOMAIN_BACKUP_H
#define CAIRN_DOMAIN_BACKUP_H

#include <cairn/cairn-common.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * cairnDomainBackupBeginFlags:
 *
 * Since: 0.1.0
 */
typedef enum {
    /* reuse separately provided images: the caller made the targets or
     * scratch files with the right format and size; Cairn neither creates
     * nor deletes them. Since: 0.1.0 */
    CAIRN_DOMAIN_BACKUP_BEGIN_REUSE_EXTERNAL = (1 << 0)
} cairnDomainBackupBeginFlags;

int cairnDomainBackupBegin(cairnDomainPtr domain,
                           const char *backupXML,
                           const char *checkpointXML,
                           unsigned int flags);
char *cairnDomainBackupGetXMLDesc(cairnDomainPtr domain, unsigned int flags);

/**
 * cairnDomainBlockJobSetSpeedFlags:
 *
 * Since: 0.1.0
 */
typedef enum {
    /* bandwidth is in bytes/s, not MiB/s. Since: 0.1.0 */
    CAIRN_DOMAIN_BLOCK_JOB_SPEED_BANDWIDTH_BYTES = (1 << 0)
} cairnDomainBlockJobSetSpeedFlags;

int cairnDomainBlockJobSetSpeed(cairnDomainPtr domain,
                                const char *disk,
                                unsigned long bandwidth,
                                unsigned int flags);

#ifdef __cplusplus
}
#endif

#endif /* CAIRN_DOMAIN_BACKUP_H */
