/*
 * remote_ssh.h: the ssh transport of the remote driver (DRIVER+ssh://).
 *
 * As libvirt's: the client runs the system's OpenSSH client, which runs
 * cairn-ssh-helper on the far side; the helper connects the ssh channel
 * to the daemon's unix socket there (starting a session daemon on
 * demand). The D-Bus connection then runs over ssh's stdin/stdout, which
 * the client holds as one end of a socket pair. File descriptors cannot
 * cross ssh, so such a connection has no call channel: every call takes
 * the bus.
 */
#pragma once

#include <stdbool.h>
#include <gio/gio.h>

/* What an ssh URI asks for (libvirt's parameters, uri.html#ssh-transport). */
typedef struct {
    char *host;        /* required */
    char *user;        /* -l, NULL for ssh's default */
    int port;          /* -p, 0 for ssh's default */
    char *keyfile;     /* -i */
    char *known_hosts; /* -o UserKnownHostsFile= */
    bool no_verify;    /* -o StrictHostKeyChecking=no */
    char *command;     /* the local ssh program; "ssh" by default */
    char *socket;      /* the daemon's socket on the far side, NULL: the URI's default */
    char *daemon_uri;  /* what the far side serves: qemu:///system, test:///default, ... */
} remoteSSHTarget;

void remoteSSHTargetClear(remoteSSHTarget *t);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(remoteSSHTarget, remoteSSHTargetClear)

/* An ssh connection: the process and our end of its stdin/stdout. */
typedef struct _remoteSSH remoteSSH;

/* The argument vector that runs @remote_argv (NULL-terminated) on
 * @t's host with @t's options, before anything is run; for tests and
 * the forwarding helper. */
GStrv remoteSSHArgv(const remoteSSHTarget *t, const char *const *remote_argv);

/* Run ssh to @t's host and cairn-ssh-helper there; returns the
 * connection, whose stream is ready for a D-Bus client handshake. */
remoteSSH *remoteSSHOpen(const remoteSSHTarget *t, GError **error);

/* The stream to the far side (owned by @ssh). */
GIOStream *remoteSSHStream(remoteSSH *ssh);

/* What ssh wrote on stderr so far (at most 2 KiB, stripped; "" for
 * nothing), without blocking; any thread. Caller frees. */
char *remoteSSHStderr(remoteSSH *ssh);

/* Make @local_socket here a forward of @remote_socket on the far side,
 * through @ssh's own connection (ssh -O forward -L on its control
 * socket). The forward lasts as long as @ssh; its socket file is removed
 * with it. */
bool remoteSSHForward(remoteSSH *ssh,
                      const char *remote_socket,
                      const char *local_socket,
                      GError **error);

/* Stop ssh (SIGTERM once its stdin is closed, SIGKILL after 2 s) and
 * reap it. Accepts NULL. */
void remoteSSHFree(remoteSSH *ssh);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(remoteSSH, remoteSSHFree)
