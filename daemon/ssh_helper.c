/*
 * ssh_helper.c: cairn-ssh-helper, the far side of DRIVER+ssh:// URIs (as
 * libvirt's virt-ssh-helper).
 *
 * Usage: cairn-ssh-helper [--socket PATH] URI
 *
 * ssh runs it with the ssh channel on stdin/stdout. It connects to the
 * daemon's unix socket (that of qemu:///system, of qemu:///session --
 * starting the session daemon, $CAIRND_PATH or the installed one, when
 * none listens -- or PATH) and authenticates there as itself, the user ssh
 * logged in: D-Bus's EXTERNAL mechanism with its credentials, which the
 * daemon checks as for any local peer. To the client it answers the
 * D-Bus authentication itself (the client's own uid means nothing on this
 * host; ssh authenticated it), refusing file descriptor passing, which
 * cannot cross ssh. After both handshakes it copies bytes both ways until
 * either side closes.
 */
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <gio/gio.h>
#include <gio/gunixconnection.h>
#include <gio/gunixsocketaddress.h>

#include "remote/remote_protocol.h"
#include "remote/remote_spawn.h"

/* The longest line of the authentication conversation we take. */
#define HELPER_LINE_MAX 16384
#define HELPER_BUF_SIZE 65536


/* Read one CRLF-terminated line from @fd a byte at a time (nothing past
 * it may be consumed: the D-Bus messages follow). */
static char *
helperReadLine(int fd, GError **error)
{
    g_autoptr(GString) line = g_string_new(NULL);

    while (line->len < HELPER_LINE_MAX) {
        char c;
        ssize_t n = read(fd, &c, 1);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                        "end of file during the authentication");
            return NULL;
        }
        g_string_append_c(line, c);
        if (g_str_has_suffix(line->str, "\r\n")) {
            g_string_truncate(line, line->len - 2);
            return g_string_free(g_steal_pointer(&line), FALSE);
        }
    }
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "authentication line too long");
    return NULL;
}


static bool
helperWriteAll(int fd, const char *buf, size_t len, GError **error)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "write: %s",
                        g_strerror(errno));
            return false;
        }
        buf += n;
        len -= (size_t)n;
    }
    return true;
}


static bool
helperWriteLine(int fd, const char *line, GError **error)
{
    g_autofree char *text = g_strdup_printf("%s\r\n", line);

    return helperWriteAll(fd, text, strlen(text), error);
}


/* The client side of the D-Bus authentication with the daemon on @conn;
 * returns the daemon's GUID. */
static char *
helperAuthDaemon(GSocketConnection *conn, GError **error)
{
    int fd = g_socket_get_fd(g_socket_connection_get_socket(conn));
    g_autofree char *uid = g_strdup_printf("%u", (unsigned int)getuid());
    g_autofree char *hex = NULL;
    g_autofree char *auth = NULL;
    g_autofree char *reply = NULL;
    GString *h = g_string_new(NULL);

    for (const char *p = uid; *p; p++)
        g_string_append_printf(h, "%02x", (unsigned char)*p);
    hex = g_string_free(h, FALSE);
    /* The NUL byte, with our credentials attached. */
    if (!g_unix_connection_send_credentials(G_UNIX_CONNECTION(conn), NULL, error))
        return NULL;
    /* GSocket made the descriptor non-blocking; the rest is plain I/O. */
    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) {
        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "fcntl: %s",
                    g_strerror(errno));
        return NULL;
    }
    auth = g_strdup_printf("AUTH EXTERNAL %s", hex);
    if (!helperWriteLine(fd, auth, error) || !(reply = helperReadLine(fd, error)))
        return NULL;
    if (!g_str_has_prefix(reply, "OK ")) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                    "the daemon refused the authentication: %s", reply);
        return NULL;
    }
    if (!helperWriteLine(fd, "BEGIN", error))
        return NULL;
    return g_strdup(reply + 3);
}


/* The server side of the D-Bus authentication with the client on
 * stdin/stdout: any mechanism the client offers is accepted (ssh
 * authenticated it), file descriptors are refused. */
static bool
helperAuthClient(const char *guid, GError **error)
{
    g_autofree char *ok = g_strdup_printf("OK %s", guid);
    char nul;
    ssize_t n;

    while ((n = read(STDIN_FILENO, &nul, 1)) < 0 && errno == EINTR)
        ;
    if (n != 1 || nul != '\0') {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                    "the client did not start with a NUL byte");
        return false;
    }
    for (;;) {
        g_autofree char *line = helperReadLine(STDIN_FILENO, error);
        const char *answer;

        if (!line)
            return false;
        if (g_str_equal(line, "BEGIN"))
            return true;
        if (g_str_has_prefix(line, "AUTH EXTERNAL") || g_str_has_prefix(line, "AUTH ANONYMOUS") ||
            g_str_has_prefix(line, "DATA"))
            answer = ok;
        else if (g_str_has_prefix(line, "AUTH"))
            answer = "REJECTED EXTERNAL ANONYMOUS";
        else if (g_str_equal(line, "NEGOTIATE_UNIX_FD"))
            answer = "ERROR file descriptors cannot cross ssh";
        else if (g_str_equal(line, "CANCEL"))
            answer = "REJECTED EXTERNAL ANONYMOUS";
        else
            answer = "ERROR unknown command";
        if (!helperWriteLine(STDOUT_FILENO, answer, error))
            return false;
    }
}


/* Copy @from to @to; false at end of file or on an error. One thread. */
static bool
helperCopy(int from, int to)
{
    static char buf[HELPER_BUF_SIZE];
    ssize_t n = read(from, buf, sizeof(buf));

    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return true;
    if (n <= 0)
        return false;
    return helperWriteAll(to, buf, (size_t)n, NULL);
}


static void
helperRelay(int sock)
{
    struct pollfd fds[2] = {
        { .fd = STDIN_FILENO, .events = POLLIN },
        { .fd = sock, .events = POLLIN },
    };

    for (;;) {
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        if (fds[0].revents && !helperCopy(STDIN_FILENO, sock))
            return;
        if (fds[1].revents && !helperCopy(sock, STDOUT_FILENO))
            return;
    }
}


/* The daemon's socket for @uri (or @socket_path), starting a session
 * daemon for qemu:///session when none listens. */
static GSocketConnection *
helperConnect(const char *uri, const char *socket_path, GError **error)
{
    g_autofree char *path = g_strdup(socket_path);
    g_autoptr(GSocketClient) client = g_socket_client_new();
    g_autoptr(GSocketAddress) addr = NULL;
    g_autoptr(GError) err = NULL;
    GSocketConnection *conn;
    bool session = g_str_equal(uri, "qemu:///session");

    if (!path && session)
        path = remoteSessionSocketPath();
    else if (!path && g_str_equal(uri, "qemu:///system"))
        path = remoteSystemSocketPath();
    if (!path) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                    "no socket for '%s': give --socket", uri);
        return NULL;
    }
    addr = g_unix_socket_address_new(path);
    if ((conn = g_socket_client_connect(client, G_SOCKET_CONNECTABLE(addr), NULL, &err)))
        return conn;
    if (session && !socket_path &&
        (g_error_matches(err, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) ||
         g_error_matches(err, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))) {
        g_clear_error(&err);
        if (!remoteSpawnSessionDaemon(path, error))
            return NULL;
        if ((conn = g_socket_client_connect(client, G_SOCKET_CONNECTABLE(addr), NULL, &err)))
            return conn;
    }
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot connect to '%s': %s", path,
                err->message);
    return NULL;
}


int
main(int argc, char **argv)
{
    g_autofree char *socket_path = NULL;
    const GOptionEntry entries[] = { { "socket", 0, 0, G_OPTION_ARG_FILENAME, &socket_path,
                                       "the daemon's socket", "PATH" },
                                     { NULL } };
    g_autoptr(GOptionContext) ctx = g_option_context_new("URI");
    g_autoptr(GSocketConnection) conn = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *guid = NULL;

    setlocale(LC_ALL, "");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_summary(ctx, "The far side of a Cairn qemu+ssh:// connection: joins "
                                      "stdin/stdout to the daemon's socket.");
    if (!g_option_context_parse(ctx, &argc, &argv, &err) || argc != 2) {
        fprintf(stderr, "cairn-ssh-helper: %s\n",
                err ? err->message : "usage: [--socket PATH] URI");
        return EXIT_FAILURE;
    }
    if (!(conn = helperConnect(argv[1], socket_path, &err)) ||
        !(guid = helperAuthDaemon(conn, &err)) || !helperAuthClient(guid, &err)) {
        fprintf(stderr, "cairn-ssh-helper: %s\n", err->message);
        return EXIT_FAILURE;
    }
    helperRelay(g_socket_get_fd(g_socket_connection_get_socket(conn)));
    return EXIT_SUCCESS;
}
