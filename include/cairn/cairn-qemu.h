/*
 * cairn-qemu.h: QEMU-specific calls, twin of libvirt-qemu.h. What passes
 * through here bypasses Cairn's view of the domain; it is meant for tests,
 * debugging and the odd command Cairn does not wrap.
 */
#ifndef CAIRN_QEMU_H
#define CAIRN_QEMU_H

#include <cairn/cairn-common.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * cairnDomainQemuMonitorCommandFlags:
 *
 * Since: 0.1.0
 */
typedef enum {
    CAIRN_DOMAIN_QEMU_MONITOR_COMMAND_DEFAULT = 0,   /* @cmd is QMP JSON. Since: 0.1.0 */
    CAIRN_DOMAIN_QEMU_MONITOR_COMMAND_HMP = (1 << 0) /* @cmd is an HMP command line. Since: 0.1.0 */
} cairnDomainQemuMonitorCommandFlags;

int cairnDomainQemuMonitorCommand(cairnDomainPtr domain,
                                  const char *cmd,
                                  char **result,
                                  unsigned int flags);

#ifdef __cplusplus
}
#endif

#endif /* CAIRN_QEMU_H */
