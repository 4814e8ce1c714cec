/*
 * sshtestutils.h: a private sshd for the tests of DRIVER+ssh:// URIs.
 *
 * The test starts Debian's sshd (openssh-server) on 127.0.0.1 and a free
 * high port, with a throw-away host key, one authorized client key, a
 * known_hosts file and a private configuration in the test's directory;
 * nothing outside it changes. The configuration puts the build's
 * cairn-ssh-helper ($CAIRN_SSH_HELPER_DIR) first in the PATH of the
 * sessions, $CAIRND as their CAIRND_PATH, and their XDG_RUNTIME_DIR,
 * XDG_DATA_HOME and XDG_CACHE_HOME under DIR/ssh (run, data, cache), so
 * that a session daemon they start lives in the test's directory. Running as root, sshd gets its privilege separation
 * directory (/run/sshd) in a mount namespace of its own, on a private
 * tmpfs over /run.
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

typedef struct {
    char *dir;         /* DIR/ssh */
    char *key;         /* the client's private key */
    char *known_hosts; /* the host key, for [127.0.0.1]:PORT */
    char *log;         /* sshd's stderr */
    int port;
    GPid pid;
} sshTest;

/* Start sshd and wait until it accepts connections. Returns false (with
 * the reason on stderr) when sshd cannot run here: the caller skips. */
bool sshTestStart(sshTest *s);

/* DRIVER+ssh://root@127.0.0.1:PORT/PATH?socket=@socket&keyfile=...&
 * known_hosts=...; @socket may be NULL. Caller frees. */
char *sshTestURI(const sshTest *s, const char *driver, const char *path, const char *socket);

/* The ssh arguments (-p, -i, -o UserKnownHostsFile) before the host, for
 * commands run by the test itself; NULL-terminated, caller frees. */
GStrv sshTestArgs(const sshTest *s);

/* Kill sshd (SIGTERM, reap) and free the paths. */
void sshTestClear(sshTest *s);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(sshTest, sshTestClear)
