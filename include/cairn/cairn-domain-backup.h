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
    CAIRN_DOMAIN_BACKUP_BEGIN_REUSE_EXTERNAL = (1 << 0),
    /* a guest that shuts down while the backup runs is not terminated:
     * the domain is kept paused (reason SHUTTING_DOWN) until the backup
     * ends, then stopped as the guest asked (libvirt 11.10). Since: 0.1.0 */
    CAIRN_DOMAIN_BACKUP_BEGIN_PRESERVE_SHUTDOWN_DOMAIN = (1 << 1),
    /* freeze the guest's filesystems through its guest agent around the
     * moment the backup starts, so that the copy is application
     * consistent (Cairn's own flag: libvirt has none; a high bit, clear of
     * the values libvirt may add). Since: 0.1.0 */
    CAIRN_DOMAIN_BACKUP_BEGIN_QUIESCE = (1 << 16)
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
