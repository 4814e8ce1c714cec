/*
 * libcairn-qemu.c: public entry points of cairn-qemu.h. Each checks its
 * arguments, resets the last error and dispatches to the driver.
 */
#include <stddef.h>

#include "cairn/cairn.h"
#include "libcairn-internal.h"
#include "util/cairnerror.h"

#define FROM CAIRN_FROM_DOMAIN


/**
 * cairnDomainQemuMonitorCommand:
 * @domain: a running domain
 * @cmd: a QMP command as JSON text ({"execute": ..., "arguments": ...}),
 *       or with CAIRN_DOMAIN_QEMU_MONITOR_COMMAND_HMP an HMP command line
 * @result: (out): the reply: QMP's reply as JSON text ({"return": ...}),
 *          or HMP's output text; caller frees with free()
 * @flags: bitwise-OR of cairnDomainQemuMonitorCommandFlags
 *
 * Sends @cmd to the domain's QEMU monitor as it is, like libvirt's
 * virDomainQemuMonitorCommand. The domain must be running.
 *
 * Returns 0, or -1 (*@result is then NULL).
 *
 * Since: 0.1.0
 */
int
cairnDomainQemuMonitorCommand(cairnDomainPtr domain,
                              const char *cmd,
                              char **result,
                              unsigned int flags)
{
    g_autoptr(GError) err = NULL;
    char *reply = NULL;

    cairnResetLastError();
    if (result)
        *result = NULL;
    if (!cairnEntryCheckDomain(domain, __func__, &err) ||
        !cairnEntryCheckNonNull(cmd, "cmd", FROM, __func__, &err) ||
        !cairnEntryCheckNonNull(result, "result", FROM, __func__, &err) ||
        !cairnEntryCheckSupported(domain->conn->driver->domainQemuMonitorCommand, FROM, __func__,
                                  &err) ||
        !cairnEntryCheckReadWrite(domain->conn, FROM, __func__, &err) ||
        !(reply = domain->conn->driver->domainQemuMonitorCommand(domain, cmd, flags, &err)))
        return cairnEntryFail(err);
    *result = reply;
    return 0;
}
