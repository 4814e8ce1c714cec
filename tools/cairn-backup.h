/*
 * cairn-backup.h: what the parts of cairn-backup share: the parsed
 * command line and the commands.
 *
 * cairn-backup is a client of the public API (include/cairn) and of the
 * repository library (src/repo/repo.h) only.
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "cairn-backup-error.h"

/* The command line, parsed. Strings owned by main(). */
typedef struct {
    char *uri;        /* -c: connection URI; NULL: as cairn picks */
    char *key;        /* --key: key file of an encrypted repository */
    char *encrypt;    /* init --encrypt KEYFILE */
    char *chunk_size; /* init --chunk-size SIZE (e.g. 1M, 4MiB, 65536) */
    gboolean json;    /* --json: machine-readable output on stdout */
    gboolean full;    /* run --full */
    gboolean quiesce; /* run --quiesce */
    char *disks;      /* run --disk vda,vdb; restore --disk vda */
    char *format;     /* restore --format qcow2|raw */
    gint connections; /* --connections N: NBD connections/threads */
    gboolean dry_run; /* prune, gc --dry-run */
    gint keep_last;   /* prune --keep-... */
    gint keep_hourly;
    gint keep_daily;
    gint keep_weekly;
    gint keep_monthly;
    gint keep_yearly;
    char *socket;           /* serve --socket PATH */
    char *tcp;              /* serve --tcp [HOST:]PORT */
    char *tls;              /* serve --tls off|on|require */
    char *tls_certificates; /* serve --tls-certificates DIR */
    char *tls_psk;          /* serve --tls-psk FILE */
    gboolean tls_verify_peer;
    gint64 grace;     /* gc --grace SECONDS; -1: the repository's default */
    char *live;       /* restore --live DOMAIN */
    char *to;         /* restore --live --to DIR */
    gint64 bandwidth; /* restore --live --bandwidth MiB/s; 0: unlimited */
    gboolean status;  /* restore --live --status */
    char *domain;     /* sync --domain D */
    gint last;        /* sync --last N */
    char **args;      /* positional arguments after the command */
    guint nargs;
} cbOptions;

/* The commands: true on success; false with one error (main() prints it
 * and exits with cbExitCodeFor()). verify sets *@ret_exit to
 * CB_EXIT_DAMAGED when it found damage. */
bool cbCmdInit(const cbOptions *opts, GError **error);
bool cbCmdRun(const cbOptions *opts, GError **error);
bool cbCmdList(const cbOptions *opts, GError **error);
bool cbCmdVerify(const cbOptions *opts, cbExitCode *ret_exit, GError **error);
bool cbCmdRestore(const cbOptions *opts, GError **error);
bool cbCmdPrune(const cbOptions *opts, GError **error);
bool cbCmdGc(const cbOptions *opts, GError **error);
bool cbCmdSync(const cbOptions *opts, GError **error);

/* Print @node (a JSON value, as text) on stdout, one line. */
void cbPrintJSON(const char *json);

/* Number of NBD connections / worker threads: --connections, else a
 * default from the number of CPUs (2..8). */
guint cbConnections(const cbOptions *opts);

/* Threads that digest, compress and store the chunks run reads: one per
 * CPU (2..16); $CAIRN_BACKUP_WORKERS (bench/README.md) overrides it. */
guint cbWorkers(const cbOptions *opts);

/* Test hook: when $CAIRN_BACKUP_CRASH_AT names crash point @name, the
 * process kills itself with SIGKILL there (tests/backup/backup-kill.sh
 * walks every point). The points of `run`: "begun" (the pull backup
 * runs), "chunk" (the first chunk is stored), "read" (every disk read,
 * job still running), "ended" (job ended, snapshot not committed),
 * "committed" (snapshot committed, old checkpoints not yet deleted). Of
 * `restore`: "restoring" (a chunk is written). */
void cbCrashPoint(const char *name);
