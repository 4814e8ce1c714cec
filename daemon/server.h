/*
 * server.h: the daemon's listening socket and its peers' handshakes.
 *
 * The socket comes from systemd (LISTEN_FDS) or is made here: 0600 for a
 * session daemon, 0660 root:cairn for the system daemon. Each accepted
 * peer is checked twice, by the socket's peer credentials when accepted
 * and by the D-Bus EXTERNAL handshake: a session daemon takes only its own
 * user, the system daemon root and members of the group "cairn". Peers
 * beyond --max-clients are turned away at once.
 */
#pragma once

#include <stdbool.h>

#include "cairnd.h"

/* Listen on daemon->socket_path, or on the socket systemd passed. */
bool cairndServerListen(cairndDaemon *daemon, GError **error);

/* Stop accepting; close every peer. */
void cairndServerStop(cairndDaemon *daemon);
