/*
 * cairn-backup-serve.c: `cairn-backup serve`, one disk of a snapshot as a
 * read-only NBD export. nbdkit does the protocol, the connections and
 * TLS; our plugin (nbdkit-cairn-plugin.c) reads the repository.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cairn-backup-serve.h"

#define CB_PLUGIN_NAME "nbdkit-cairn-plugin.so"


char *
cbServePluginPath(GError **error)
{
    const char *env = g_getenv("CAIRN_BACKUP_NBDKIT_PLUGIN");
    g_autofree char *self = g_file_read_link("/proc/self/exe", NULL);
    g_autofree char *beside = NULL;

    if (env && *env) {
        if (!g_file_test(env, G_FILE_TEST_IS_REGULAR)) {
            cbSetError(error, "nbdkit plugin '%s' ($CAIRN_BACKUP_NBDKIT_PLUGIN) does not exist",
                       env);
            return NULL;
        }
        return g_strdup(env);
    }
    if (self) {
        g_autofree char *dir = g_path_get_dirname(self);

        beside = g_build_filename(dir, CB_PLUGIN_NAME, NULL);
        if (g_file_test(beside, G_FILE_TEST_IS_REGULAR))
            return g_steal_pointer(&beside);
    }
    if (g_file_test(CAIRN_PLUGIN_DIR "/" CB_PLUGIN_NAME, G_FILE_TEST_IS_REGULAR))
        return g_strdup(CAIRN_PLUGIN_DIR "/" CB_PLUGIN_NAME);
    cbSetError(error, "nbdkit plugin %s not found (in %s, or beside %s)", CB_PLUGIN_NAME,
               CAIRN_PLUGIN_DIR, self ? self : "cairn-backup");
    return NULL;
}


bool
cbServeCheck(const char *path, const char *key, const char *id, const char *disk, GError **error)
{
    g_autoptr(cairnRepo) repo = NULL;
    g_autoptr(cairnRepoManifest) m = NULL;
    g_autoptr(cairnRepoIndex) index = NULL;

    if (!(repo = cairnRepoOpen(path, key, CAIRN_REPO_LOCK_SHARED, error)) ||
        !(m = cairnRepoLoadManifest(repo, id, error)))
        return false;
    if (!cairnRepoManifestFindDisk(m, disk)) {
        cbSetError(error, "snapshot '%s' has no disk '%s'", id, disk);
        return false;
    }
    if (!(index = cairnRepoLoadIndex(repo, id, disk, error)))
        return false;
    return true;
}


static char *
absolutePath(const char *path)
{
    g_autofree char *cwd = NULL;

    /* A URL (an s3:// repository) is not a path. */
    if (g_path_is_absolute(path) || strstr(path, "://"))
        return g_strdup(path);
    cwd = g_get_current_dir();
    return g_build_filename(cwd, path, NULL);
}


/* --tcp HOST:PORT, [V6]:PORT or PORT into -i HOST -p PORT. */
static bool
addTcp(GPtrArray *argv, const char *tcp, GError **error)
{
    const char *colon = strrchr(tcp, ':');
    g_autofree char *host = NULL;
    const char *port = tcp;
    char *end = NULL;
    guint64 n;

    if (colon) {
        host = g_strndup(tcp, colon - tcp);
        port = colon + 1;
        if (host[0] == '[' && host[strlen(host) - 1] == ']') {
            char *v6 = g_strndup(host + 1, strlen(host) - 2);

            g_free(host);
            host = v6;
        }
    }
    n = g_ascii_strtoull(port, &end, 10);
    if (!*port || *end || n == 0 || n > 65535 || (host && !*host)) {
        g_set_error(error, CB_ERROR, CB_ERROR_USAGE, "--tcp '%s' is not [HOST:]PORT", tcp);
        return false;
    }
    if (host) {
        g_ptr_array_add(argv, g_strdup("-i"));
        g_ptr_array_add(argv, g_steal_pointer(&host));
    }
    g_ptr_array_add(argv, g_strdup("-p"));
    g_ptr_array_add(argv, g_strdup(port));
    return true;
}


static bool
addTls(GPtrArray *argv, const cbOptions *opts, GError **error)
{
    const char *mode = opts->tls;

    if (!mode && (opts->tls_certificates || opts->tls_psk))
        mode = "require";
    if (!mode)
        return true;
    if (!g_str_equal(mode, "off") && !g_str_equal(mode, "on") && !g_str_equal(mode, "require")) {
        g_set_error(error, CB_ERROR, CB_ERROR_USAGE, "--tls '%s': off, on or require", mode);
        return false;
    }
    g_ptr_array_add(argv, g_strdup_printf("--tls=%s", mode));
    if (opts->tls_certificates) {
        g_autofree char *dir = absolutePath(opts->tls_certificates);

        g_ptr_array_add(argv, g_strdup_printf("--tls-certificates=%s", dir));
    }
    if (opts->tls_psk) {
        g_autofree char *file = absolutePath(opts->tls_psk);

        g_ptr_array_add(argv, g_strdup_printf("--tls-psk=%s", file));
    }
    if (opts->tls_verify_peer)
        g_ptr_array_add(argv, g_strdup("--tls-verify-peer"));
    return true;
}


char **
cbServeArgv(const cbOptions *opts,
            const char *path,
            const char *id,
            const char *disk,
            const char *socket_path,
            const char *tcp,
            GError **error)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *plugin = NULL;
    g_autofree char *repo = absolutePath(path);
    /* another nbdkit to run: the sanitized test builds use a wrapper that
     * loads the sanitizer runtimes before our plugin */
    const char *nbdkit = g_getenv("CAIRN_BACKUP_NBDKIT");

    if (!(plugin = cbServePluginPath(error)))
        return NULL;
    g_ptr_array_add(argv, g_strdup(nbdkit && *nbdkit ? nbdkit : "nbdkit"));
    g_ptr_array_add(argv, g_strdup("--foreground"));
    g_ptr_array_add(argv, g_strdup("--readonly"));
    /* Threads per connection. Decoding is CPU-bound and chunks are shared
     * through the plugin's cache, so more threads than cores only cost:
     * nbdkit gives each thread its own request buffer, zeroed on first
     * use (with nbdkit's default of 16, `nbdcopy --connections=4` made
     * 64 threads and the plugin spent twice the CPU, bench/README.md). */
    g_ptr_array_add(argv, g_strdup("--threads"));
    g_ptr_array_add(argv, g_strdup_printf("%u", MAX(4u, 2 * g_get_num_processors())));
    if (socket_path) {
        g_autofree char *sock = absolutePath(socket_path);

        g_ptr_array_add(argv, g_strdup("--unix"));
        g_ptr_array_add(argv, g_steal_pointer(&sock));
    } else if (!addTcp(argv, tcp, error)) {
        return NULL;
    }
    if (!addTls(argv, opts, error))
        return NULL;
    g_ptr_array_add(argv, g_steal_pointer(&plugin));
    g_ptr_array_add(argv, g_strdup_printf("repo=%s", repo));
    g_ptr_array_add(argv, g_strdup_printf("snapshot=%s", id));
    g_ptr_array_add(argv, g_strdup_printf("disk=%s", disk));
    if (opts->key) {
        g_autofree char *key = absolutePath(opts->key);

        g_ptr_array_add(argv, g_strdup_printf("key=%s", key));
    }
    g_ptr_array_add(argv, NULL);
    return (char **)g_ptr_array_free(g_steal_pointer(&argv), false);
}


bool
cbCmdServe(const cbOptions *opts, GError **error)
{
    const char *path = opts->args[0];
    const char *id = opts->args[1];
    const char *disk = opts->disks ? opts->disks : "vda";
    g_auto(GStrv) argv = NULL;

    if (!!opts->socket == !!opts->tcp) {
        g_set_error(error, CB_ERROR, CB_ERROR_USAGE,
                    "serve needs one of --socket PATH or --tcp "
                    "[HOST:]PORT");
        return false;
    }
    if (strchr(disk, ',')) {
        g_set_error(error, CB_ERROR, CB_ERROR_USAGE, "serve serves one disk, not '%s'", disk);
        return false;
    }
    if (!cbServeCheck(path, opts->key, id, disk, error) ||
        !(argv = cbServeArgv(opts, path, id, disk, opts->socket, opts->tcp, error)))
        return false;
    fflush(stdout);
    fflush(stderr);
    execvp(argv[0], argv);
    cbSetErrno(error, errno, "cannot run %s", argv[0]);
    return false;
}
