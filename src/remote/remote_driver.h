/*
 * remote_driver.h: the remote driver: the client side of cairnd's
 * protocol. It takes qemu:///session, qemu:///system and
 * DRIVER+unix:///PATH?socket=SOCKET and forwards every driver slot to the
 * daemon. Its exports are its table and the helpers below, which the
 * public layer uses for a connection's type, the daemon's version and
 * socket forwards over ssh.
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "driver.h"

extern const cairnDriver remoteDriver;

/* The daemon's driver name ("QEMU", "Test") of a remote connection, or
 * NULL if @conn is not one. Lives as long as the connection. */
const char *remoteConnectGetType(cairnConnect *conn);

/* For tests: the calls @conn (a remote connection) made over its call
 * channel so far, or -1 when it has no channel or the channel died. */
gint64 remoteChannelCallCount(cairnConnect *conn);

/* The daemon's version (major * 1,000,000 + minor * 1,000 + micro) of a
 * remote connection; false if @conn is not one. */
bool remoteConnectGetDaemonVersion(cairnConnect *conn, unsigned long *version);

/* Forward @local_socket here to @remote_socket on the host of @conn
 * through its ssh connection (remote_ssh.h); CAIRN_ERR_NO_SUPPORT when
 * @conn is not a DRIVER+ssh:// connection. */
bool remoteConnectForwardUnixSocket(cairnConnect *conn,
                                    const char *remote_socket,
                                    const char *local_socket,
                                    GError **error);
