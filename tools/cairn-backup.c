/*
 * cairn-backup.c: main() of cairn-backup, the deduplicating backup tool:
 * the command table, option parsing, error reporting and exit codes.
 * The commands live in cairn-backup-run.c, cairn-backup-restore.c and
 * cairn-backup-admin.c.
 */
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cairn-backup-files.h"
#include "cairn-backup-live.h"
#include "cairn-backup-mount.h"
#include "cairn-backup-serve.h"
#include "cairn-backup.h"

static cbOptions options;

static const GOptionEntry common_entries[] = {
    { "connect", 'c', 0, G_OPTION_ARG_STRING, &options.uri, "connection URI (as cairn -c)", "URI" },
    { "key", 'k', 0, G_OPTION_ARG_FILENAME, &options.key,
      "key file of an encrypted repository (default $CAIRN_BACKUP_KEY)", "KEYFILE" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &options.json, "machine-readable output", NULL },
    { NULL }
};

static const GOptionEntry init_entries[] = {
    { "encrypt", 0, 0, G_OPTION_ARG_FILENAME, &options.encrypt,
      "encrypt with the key in KEYFILE (made when missing)", "KEYFILE" },
    { "chunk-size", 0, 0, G_OPTION_ARG_STRING, &options.chunk_size,
      "chunk size, a power of two from 64K to 16M (default 4M)", "SIZE" },
    { NULL }
};

static const GOptionEntry run_entries[] = {
    { "full", 0, 0, G_OPTION_ARG_NONE, &options.full, "read every disk in full", NULL },
    { "quiesce", 0, 0, G_OPTION_ARG_NONE, &options.quiesce,
      "freeze the guest's filesystems (guest agent) while the backup starts", NULL },
    { "disk", 0, 0, G_OPTION_ARG_STRING, &options.disks, "back up only these disks", "vda,vdb" },
    { "connections", 0, 0, G_OPTION_ARG_INT, &options.connections,
      "parallel NBD connections per disk", "N" },
    { NULL }
};

static const GOptionEntry restore_entries[] = {
    { "disk", 0, 0, G_OPTION_ARG_STRING, &options.disks, "restore only this disk", "vda" },
    { "format", 0, 0, G_OPTION_ARG_STRING, &options.format, "qcow2 (default) or raw", "FORMAT" },
    { "connections", 0, 0, G_OPTION_ARG_INT, &options.connections, "parallel writers", "N" },
    { "live", 0, 0, G_OPTION_ARG_STRING, &options.live,
      "boot DOMAIN from the snapshot at once and copy its disks underneath it", "DOMAIN" },
    { "to", 0, 0, G_OPTION_ARG_FILENAME, &options.to,
      "with --live: the directory of the new images (default: DIR, else .)", "DIR" },
    { "bandwidth", 0, 0, G_OPTION_ARG_INT64, &options.bandwidth,
      "with --live: copy at most MIB MiB/s per disk", "MIB" },
    { "status", 0, 0, G_OPTION_ARG_NONE, &options.status,
      "with --live: show what the restored disks still depend on", NULL },
    { NULL }
};

static const GOptionEntry serve_entries[] = {
    { "disk", 0, 0, G_OPTION_ARG_STRING, &options.disks, "the disk to serve (default vda)", "vda" },
    { "socket", 0, 0, G_OPTION_ARG_FILENAME, &options.socket, "listen on this Unix socket",
      "PATH" },
    { "tcp", 0, 0, G_OPTION_ARG_STRING, &options.tcp, "listen on TCP", "[HOST:]PORT" },
    { "tls", 0, 0, G_OPTION_ARG_STRING, &options.tls, "nbdkit --tls", "off|on|require" },
    { "tls-certificates", 0, 0, G_OPTION_ARG_FILENAME, &options.tls_certificates,
      "nbdkit --tls-certificates", "DIR" },
    { "tls-psk", 0, 0, G_OPTION_ARG_FILENAME, &options.tls_psk, "nbdkit --tls-psk", "FILE" },
    { "tls-verify-peer", 0, 0, G_OPTION_ARG_NONE, &options.tls_verify_peer,
      "nbdkit --tls-verify-peer", NULL },
    { NULL }
};

static const GOptionEntry mount_entries[] = { { "disk", 0, 0, G_OPTION_ARG_STRING, &options.disks,
                                                "the disk to show (default vda)", "vda" },
                                              { NULL } };

static const GOptionEntry prune_entries[] = {
    { "keep-last", 0, 0, G_OPTION_ARG_INT, &options.keep_last, "keep the newest N", "N" },
    { "keep-hourly", 0, 0, G_OPTION_ARG_INT, &options.keep_hourly, "one per hour, N hours", "N" },
    { "keep-daily", 0, 0, G_OPTION_ARG_INT, &options.keep_daily, "one per day, N days", "N" },
    { "keep-weekly", 0, 0, G_OPTION_ARG_INT, &options.keep_weekly, "one per week, N weeks", "N" },
    { "keep-monthly", 0, 0, G_OPTION_ARG_INT, &options.keep_monthly, "one per month, N months",
      "N" },
    { "keep-yearly", 0, 0, G_OPTION_ARG_INT, &options.keep_yearly, "one per year, N years", "N" },
    { "dry-run", 'n', 0, G_OPTION_ARG_NONE, &options.dry_run, "only say what would go", NULL },
    { NULL }
};

static const GOptionEntry gc_entries[] = {
    { "dry-run", 'n', 0, G_OPTION_ARG_NONE, &options.dry_run, "only say what would go", NULL },
    { "grace", 0, 0, G_OPTION_ARG_INT64, &options.grace,
      "keep unreferenced chunks younger than SECONDS (default: 86400 on s3://, 0 on a directory)",
      "SECONDS" },
    { NULL }
};

static const GOptionEntry sync_entries[] = {
    { "domain", 0, 0, G_OPTION_ARG_STRING, &options.domain, "only this domain's snapshots", "D" },
    { "last", 0, 0, G_OPTION_ARG_INT, &options.last, "only the newest N of each domain", "N" },
    { NULL }
};

typedef struct {
    const char *name;
    const char *args;
    const char *summary;
    guint min_args;
    guint max_args; /* G_MAXUINT: any */
    const GOptionEntry *entries;
} cbCommand;

static const cbCommand commands[] = {
    { "init", "REPO", "create a repository (a directory or s3://BUCKET[/PREFIX])", 1, 1,
      init_entries },
    { "run", "DOMAIN REPO", "back up a domain; prints the snapshot id last", 2, 2, run_entries },
    { "list", "REPO [DOMAIN]", "list snapshots", 1, 2, NULL },
    { "verify", "REPO [SNAPSHOT...]", "re-read every chunk, check every digest", 1, G_MAXUINT,
      NULL },
    { "restore", "REPO SNAPSHOT DIR", "write each disk to DIR/<disk>.<format> (--live: boot first)",
      2, 3, restore_entries },
    { "serve", "REPO SNAPSHOT", "serve one disk read-only over NBD (nbdkit)", 2, 2, serve_entries },
    { "mount", "REPO SNAPSHOT MOUNTPOINT", "show a disk as MOUNTPOINT/DISK, read-only (FUSE)", 3, 3,
      mount_entries },
    { "umount", "MOUNTPOINT", "undo mount", 1, 1, NULL },
    { "ls", "REPO SNAPSHOT [PATH]", "list a directory of an ext4 disk (no mount)", 2, 3,
      mount_entries },
    { "cat", "REPO SNAPSHOT PATH", "print a file of an ext4 disk (no mount)", 3, 3, mount_entries },
    { "prune", "REPO [DOMAIN]", "remove snapshots the retention policy does not keep", 1, 2,
      prune_entries },
    { "gc", "REPO", "drop chunks no snapshot references", 1, 1, gc_entries },
    { "sync", "SRC DST", "copy the snapshots DST lacks (directory or s3://BUCKET/PREFIX)", 2, 2,
      sync_entries },
};


guint
cbConnections(const cbOptions *opts)
{
    if (opts->connections > 0)
        return MIN(opts->connections, 64);
    return CLAMP(g_get_num_processors(), 2, 8);
}


guint
cbWorkers(const cbOptions *opts G_GNUC_UNUSED)
{
    const char *env = g_getenv("CAIRN_BACKUP_WORKERS");
    guint64 n;

    if (env && g_ascii_string_to_unsigned(env, 10, 1, 64, &n, NULL))
        return n;
    return CLAMP(g_get_num_processors(), 2, 16);
}


void
cbCrashPoint(const char *name)
{
    if (g_strcmp0(g_getenv("CAIRN_BACKUP_CRASH_AT"), name) == 0) {
        fflush(stdout);
        kill(getpid(), SIGKILL);
    }
}


void
cbPrintJSON(const char *json)
{
    fputs(json, stdout);
    fputc('\n', stdout);
    fflush(stdout);
}


static void
usage(FILE *out)
{
    guint i;

    fprintf(out, "usage: cairn-backup COMMAND ARGS [OPTIONS]\n\ncommands:\n");
    for (i = 0; i < G_N_ELEMENTS(commands); i++)
        fprintf(out, "  %-8s %-20s %s\n", commands[i].name, commands[i].args, commands[i].summary);
    fprintf(out, "\n'cairn-backup COMMAND --help' lists the options of a command; "
                 "cairn-backup(1) has the rest.\n");
}


static const cbCommand *
findCommand(const char *name)
{
    guint i;

    for (i = 0; i < G_N_ELEMENTS(commands); i++) {
        if (g_str_equal(commands[i].name, name))
            return &commands[i];
    }
    return NULL;
}


static bool
parseCommand(const cbCommand *cmd, int argc, char **argv, GError **error)
{
    g_autofree char *param = g_strdup_printf("%s %s", cmd->name, cmd->args);
    g_autoptr(GOptionContext) ctx = g_option_context_new(param);
    g_autofree char *prog = g_strdup_printf("cairn-backup %s", cmd->name);

    g_set_prgname(prog);
    g_option_context_set_summary(ctx, cmd->summary);
    if (cmd->entries)
        g_option_context_add_main_entries(ctx, cmd->entries, NULL);
    g_option_context_add_main_entries(ctx, common_entries, NULL);
    options.grace = -1;
    if (!g_option_context_parse(ctx, &argc, &argv, error))
        return false;
    /* argv[0] is the program, argv[1] the command. */
    options.nargs = argc - 2;
    options.args = g_new0(char *, options.nargs + 1);
    for (guint i = 0; i < options.nargs; i++)
        options.args[i] = g_strdup(argv[i + 2]);
    if (options.nargs < cmd->min_args || options.nargs > cmd->max_args) {
        g_set_error(error, CB_ERROR, CB_ERROR_USAGE, "usage: cairn-backup %s %s [OPTIONS]",
                    cmd->name, cmd->args);
        return false;
    }
    if (!options.key && g_getenv("CAIRN_BACKUP_KEY") && *g_getenv("CAIRN_BACKUP_KEY"))
        options.key = g_strdup(g_getenv("CAIRN_BACKUP_KEY"));
    return true;
}


static bool
runCommand(const cbCommand *cmd, cbExitCode *ret_exit, GError **error)
{
    if (g_str_equal(cmd->name, "init"))
        return cbCmdInit(&options, error);
    if (g_str_equal(cmd->name, "sync"))
        return cbCmdSync(&options, error);
    if (g_str_equal(cmd->name, "run"))
        return cbCmdRun(&options, error);
    if (g_str_equal(cmd->name, "list"))
        return cbCmdList(&options, error);
    if (g_str_equal(cmd->name, "verify"))
        return cbCmdVerify(&options, ret_exit, error);
    if (g_str_equal(cmd->name, "restore") && options.live)
        return cbCmdRestoreLive(&options, error);
    if (g_str_equal(cmd->name, "restore") && options.nargs < 3) {
        g_set_error(error, CB_ERROR, CB_ERROR_USAGE,
                    "usage: cairn-backup restore REPO SNAPSHOT DIR [OPTIONS]");
        return false;
    }
    if (g_str_equal(cmd->name, "restore"))
        return cbCmdRestore(&options, error);
    if (g_str_equal(cmd->name, "serve"))
        return cbCmdServe(&options, error);
    if (g_str_equal(cmd->name, "mount"))
        return cbCmdMount(&options, error);
    if (g_str_equal(cmd->name, "umount"))
        return cbCmdUmount(&options, error);
    if (g_str_equal(cmd->name, "ls"))
        return cbCmdLs(&options, error);
    if (g_str_equal(cmd->name, "cat"))
        return cbCmdCat(&options, error);
    if (g_str_equal(cmd->name, "prune"))
        return cbCmdPrune(&options, error);
    return cbCmdGc(&options, error);
}


int
main(int argc, char **argv)
{
    const cbCommand *cmd;
    g_autoptr(GError) error = NULL;
    cbExitCode code = CB_EXIT_OK;
    g_auto(GStrv) args = NULL;

    setlocale(LC_ALL, "");
    /* OpenSSL's one-time initialisation leaves error state in the thread
     * that runs it: let that be the main thread, not a worker of the
     * repository's verify (LeakSanitizer reported it; NEEDS-FROM-REPO.md). */
    OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG, NULL);
    if (argc < 2 || g_str_equal(argv[1], "--help") || g_str_equal(argv[1], "-h") ||
        g_str_equal(argv[1], "help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CB_EXIT_USAGE : CB_EXIT_OK;
    }
    if (!(cmd = findCommand(argv[1]))) {
        fprintf(stderr, "cairn-backup: error: unknown command '%s'\n", argv[1]);
        usage(stderr);
        return CB_EXIT_USAGE;
    }
    if (!parseCommand(cmd, argc, argv, &error) || !runCommand(cmd, &code, &error)) {
        fprintf(stderr, "cairn-backup: error: %s\n", error->message);
        code = cbExitCodeFor(error);
    }
    args = options.args;
    g_free(options.uri);
    g_free(options.key);
    g_free(options.domain);
    g_free(options.encrypt);
    g_free(options.disks);
    g_free(options.format);
    g_free(options.socket);
    g_free(options.tcp);
    g_free(options.tls);
    g_free(options.tls_certificates);
    g_free(options.tls_psk);
    return code;
}
