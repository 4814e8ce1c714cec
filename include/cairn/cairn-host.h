/*
 * cairn-host.h: opening and closing connections, library version.
 */
#ifndef CAIRN_HOST_H
#define CAIRN_HOST_H

#include <cairn/cairn-common.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * cairnConnectFlags:
 *
 * Since: 0.1.0
 */
typedef enum {
    CAIRN_CONNECT_RO = (1 << 0) /* read-only connection. Since: 0.1.0 */
} cairnConnectFlags;

int cairnGetVersion(unsigned long *libVer);

cairnConnectPtr cairnConnectOpen(const char *name);
cairnConnectPtr cairnConnectOpenReadOnly(const char *name);
cairnConnectPtr cairnConnectOpenFlags(const char *name, unsigned int flags);
int cairnConnectRef(cairnConnectPtr conn);
int cairnConnectClose(cairnConnectPtr conn);
char *cairnConnectGetURI(cairnConnectPtr conn);
int cairnConnectGetLibVersion(cairnConnectPtr conn, unsigned long *libVer);
const char *cairnConnectGetType(cairnConnectPtr conn);
int cairnConnectIsReadOnly(cairnConnectPtr conn);
int cairnConnectForwardUnixSocket(cairnConnectPtr conn,
                                  const char *remoteSocket,
                                  const char *localSocket,
                                  unsigned int flags);

#ifdef __cplusplus
}
#endif

#endif /* CAIRN_HOST_H */
