/*
 * server.h: the daemon's listening socket and its peers' handshakes.
 *
 * The socket comes from systemd (LISTEN_FDS) or is made here: 0600 for a
 * session daemon, 0660 root:cairn for the system daemon. Each accepted
 * peer is checked twice, by the socket's peer credentials when accepted
 * and by the D-Bus EXTERNAL handshake: a session daemon takes only its own
 * user, the system daemon root and members of the group "cairn". Peers
 * beyond --max-clients are turned away at once.
 *
 * Unauthenticated peers are limited apart from the authenticated ones,
 * so that they cannot take their places: at most --max-handshakes at
 * once (a newcomer beyond that makes the oldest one be dropped), each
 * dropped if it has not authenticated within --handshake-timeout
 * seconds. A peer that has sent nothing yet costs a socket and a watch;
 * its handshake, which holds one of GIO's threads, starts with its first
 * bytes.
 */
#pragma once

#include <stdbool.h>

#include "cairnd.h"

/* Listen on daemon->socket_path, or on the socket systemd passed. */
bool cairndServerListen(cairndDaemon *daemon, GError **error);

/* Stop accepting peers and drop those in their handshake; the
 * authenticated ones stay. Main loop. */
void cairndServerStopAccepting(cairndDaemon *daemon);

/* Stop accepting; close every peer. */
void cairndServerStop(cairndDaemon *daemon);
