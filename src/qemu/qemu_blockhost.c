/*
 * qemu_blockhost.c: the domain's QEMU, or a qemu-storage-daemon, as the
 * QMP monitor in front of its disks (see qemu_blockhost.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "cairn/cairn-error.h"
#include "qemu_backup_job.h"
#include "qemu_block.h"
#include "qemu_blockhost.h"
#include "qemu_command.h"
#include "qemu_monitor_cmd.h"
#include "qemu_process.h"
#include "util/cairnerror.h"
#include "util/cairnfile.h"

#define FROM CAIRN_FROM_QEMU

/* How long the storage daemon may take to start, and to exit after quit. */
#define QEMU_BLOCK_HOST_START_TIMEOUT_MS 30000
#define QEMU_BLOCK_HOST_EXIT_TIMEOUT_MS 30000
#define QEMU_BLOCK_HOST_TERM_TIMEOUT_MS 5000
/* The descriptor number of QSD's end of the monitor socket pair. */
#define QEMU_BLOCK_HOST_QMP_FD 3
/* How long a job's daemon may take to exit after quit. */
#define QEMU_BLOCK_HOST_DAEMON_QUIT_MS 10000

/* A node the storage daemon opens once it is up (blockdev-add). */
typedef struct {
    JsonObject *props;
    char *disk; /* the disk's target, for messages */
    char *file; /* the image */
} qemuBlockHostNode;

struct _qemuBlockHost {
    qemuMonitor *mon;
    GHashTable *nodes;    /* disk target -> top format node name */
    GHashTable *layers;   /* disk target -> GPtrArray of qemuBlockLayer* below the top */
    GPtrArray *pending;   /* of qemuBlockHostNode*, QSD: the nodes to open, in order */
    GSubprocess *qsd;     /* NULL for the domain's own QEMU */
    char *log_path;       /* QSD's stderr */
    char *name;           /* the domain's name, for messages */
    unsigned int nodeidx; /* the highest N of the cairn-N-* nodes opened */
    /* A job's daemon (QEMU_BLOCK_HOST_JOB), not our child: */
    pid_t daemon_pid;     /* 0: none */
    char *daemon_monitor; /* its QMP socket */
    char *daemon_pidfile;
    bool keep; /* it outlives the host (qemuBlockHostKeep()) */
};


qemuMonitor *
qemuBlockHostMonitor(qemuBlockHost *host)
{
    return host->mon;
}


const char *
qemuBlockHostTopNode(qemuBlockHost *host, const char *dst)
{
    return g_hash_table_lookup(host->nodes, dst);
}


GPtrArray *
qemuBlockHostLayers(qemuBlockHost *host, const char *dst)
{
    return g_hash_table_lookup(host->layers, dst);
}


bool
qemuBlockHostIsOffline(qemuBlockHost *host)
{
    return host->qsd != NULL || host->daemon_pid > 0;
}


unsigned int
qemuBlockHostNodeIndexes(qemuBlockHost *host)
{
    return host->nodeidx;
}


pid_t
qemuBlockHostDaemonPid(qemuBlockHost *host)
{
    return host->daemon_pid;
}


const char *
qemuBlockHostDaemonMonitor(qemuBlockHost *host)
{
    return host->daemon_monitor;
}


void
qemuBlockHostKeep(qemuBlockHost *host)
{
    host->keep = true;
}


static void
qemuBlockHostNodeFree(qemuBlockHostNode *node)
{
    json_object_unref(node->props);
    g_free(node->disk);
    g_free(node->file);
    g_free(node);
}


static qemuBlockHost *
qemuBlockHostNew(const char *name)
{
    qemuBlockHost *host = g_new0(qemuBlockHost, 1);

    host->nodes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    host->layers =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_ptr_array_unref);
    host->name = g_strdup(name);
    host->pending = g_ptr_array_new_with_free_func((GDestroyNotify)qemuBlockHostNodeFree);
    return host;
}


static void
qemuBlockHostWaitDone(GObject *source, GAsyncResult *res, gpointer opaque)
{
    bool *done = opaque;

    g_subprocess_wait_finish(G_SUBPROCESS(source), res, NULL);
    *done = true;
}


static gboolean
qemuBlockHostWaitTimeout(gpointer opaque)
{
    bool *expired = opaque;

    *expired = true;
    return G_SOURCE_REMOVE;
}


/* Wait up to @timeout_ms for QSD to exit, iterating a private context
 * (the exit is the event; nothing polls). True if it exited. */
static bool
qemuBlockHostWaitExit(GSubprocess *proc, int timeout_ms)
{
    g_autoptr(GMainContext) ctx = g_main_context_new();
    g_autoptr(GSource) timer = g_timeout_source_new((guint)timeout_ms);
    bool done = false;
    bool expired = false;

    g_main_context_push_thread_default(ctx);
    g_source_set_callback(timer, qemuBlockHostWaitTimeout, &expired, NULL);
    g_source_attach(timer, ctx);
    g_subprocess_wait_async(proc, NULL, qemuBlockHostWaitDone, &done);
    while (!done && !expired)
        g_main_context_iteration(ctx, TRUE);
    g_source_destroy(timer);
    /* The wait's callback must run before the context goes away. */
    if (!done) {
        g_subprocess_force_exit(proc);
        while (!done)
            g_main_context_iteration(ctx, TRUE);
    }
    g_main_context_pop_thread_default(ctx);
    return !expired;
}


/* Terminate a QSD that is still running: SIGTERM (it closes the images
 * cleanly), then SIGKILL. */
static void
qemuBlockHostStop(GSubprocess *proc)
{
    if (g_subprocess_get_identifier(proc) == NULL)
        return;
    g_subprocess_send_signal(proc, SIGTERM);
    qemuBlockHostWaitExit(proc, QEMU_BLOCK_HOST_TERM_TIMEOUT_MS);
}


void
qemuBlockHostFree(qemuBlockHost *host)
{
    if (!host)
        return;
    if (host->daemon_monitor && !host->keep)
        qemuBlockHostDaemonStop(host->mon, host->daemon_pid, host->daemon_monitor,
                                host->daemon_pidfile, host->log_path);
    else if (host->daemon_monitor)
        g_clear_pointer(&host->log_path, g_free);
    g_clear_pointer(&host->mon, qemuMonitorClose);
    if (host->qsd) {
        qemuBlockHostStop(host->qsd);
        g_object_unref(host->qsd);
    }
    g_hash_table_unref(host->nodes);
    g_hash_table_unref(host->layers);
    g_ptr_array_unref(host->pending);
    if (host->log_path)
        cairnFileRemove(host->log_path, false, NULL);
    g_free(host->log_path);
    g_free(host->name);
    g_free(host->daemon_monitor);
    g_free(host->daemon_pidfile);
    g_free(host);
}


/* QSD's complaint from its log, without the echo of the option it was
 * about (a long JSON object), e.g. 'Failed to get "write" lock' and 'Is
 * another process using the image [PATH]?'. */
static char *
qemuBlockHostReadLog(const char *path)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    g_autoptr(GString) out = g_string_new(NULL);

    if (!g_file_get_contents(path, &text, NULL, NULL) || !*g_strstrip(text))
        return g_strdup("qemu-storage-daemon exited");
    lines = g_strsplit(text, "\n", -1);
    for (size_t i = 0; lines[i]; i++) {
        const char *line = lines[i];
        const char *cut = strstr(line, "}: ");

        if (g_str_has_prefix(line, "qemu-storage-daemon: --blockdev ") && cut)
            line = cut + 3;
        else if (g_str_has_prefix(line, "qemu-storage-daemon: "))
            line += strlen("qemu-storage-daemon: ");
        if (out->len)
            g_string_append(out, "; ");
        g_string_append(out, line);
    }
    return g_string_free(g_steal_pointer(&out), FALSE);
}


static void
qemuBlockHostQueue(qemuBlockHost *host, const char *disk, const char *file, JsonObject *props)
{
    qemuBlockHostNode *node = g_new0(qemuBlockHostNode, 1);

    node->props = props;
    node->disk = g_strdup(disk);
    node->file = g_strdup(file);
    g_ptr_array_add(host->pending, node);
}


/* The nodes of one disk: its backing layers (@probed, named here,
 * read-only; lowest first, so that each can name its backing) and its
 * image, queued and recorded in @host. */
static void
qemuBlockHostAddDisk(
    qemuBlockHost *host, const cairnDomainDiskDef *disk, GPtrArray *probed, int *idx, bool readonly)
{
    const char *fmt = disk->format == CAIRN_DOMAIN_DISK_FORMAT_QCOW2 ? "qcow2" : "raw";
    g_autofree char *data = qemuBlockDataNodeName(*idx);
    g_autofree char *storage = g_strdup_printf("cairn-%d-storage", *idx);
    g_autofree char *format = g_strdup_printf("cairn-%d-format", *idx);
    g_autoptr(GPtrArray) layers = probed ? qemuBlockNameLayers(probed, idx) : NULL;
    g_autoptr(JsonObject) props =
        qemuBlockFormatProps(fmt, format, storage, readonly || disk->readonly, layers);

    for (guint i = layers ? layers->len : 0; i > 0; i--) {
        qemuBlockLayer *layer = g_ptr_array_index(layers, i - 1);

        qemuBlockHostQueue(host, disk->dst, layer->file,
                           qemuBlockStorageProps(layer->file, layer->storage_node));
        qemuBlockHostQueue(host, disk->dst, layer->file,
                           qemuBlockLayerFormatProps(layers, i - 1, true));
    }
    qemuBlockHostQueue(host, disk->dst, disk->src, qemuBlockStorageProps(disk->src, storage));
    if (disk->data_file) {
        qemuBlockHostQueue(host, disk->dst, disk->data_file,
                           qemuBlockStorageProps(disk->data_file, data));
        qemuBlockSetDataFile(props, data);
    }
    qemuBlockHostQueue(host, disk->dst, disk->src, g_steal_pointer(&props));
    g_hash_table_insert(host->nodes, g_strdup(disk->dst), g_steal_pointer(&format));
    if (layers)
        g_hash_table_insert(host->layers, g_strdup(disk->dst), g_steal_pointer(&layers));
}


/* The QSD command line: a QMP monitor (on the inherited socket, or for a
 * job's daemon on its socket path), daemonized for a job. The nodes of
 * each qcow2 disk, its backing layers included (see qemu_block.h), are
 * queued in @host for qemuBlockHostOpenNodes(); a job's daemon (@all)
 * opens every file disk, raw and read-only ones too, as the domain's QEMU
 * would. */
static GStrv
qemuBlockHostBuildArgv(
    qemuBlockHost *host, const char *qsd, const cairnDomainDef *def, bool readonly, bool all)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GHashTable) backing = qemuBlockProbeDisks(def);
    int idx = 0;

    g_ptr_array_add(argv, g_strdup(qsd));
    g_ptr_array_add(argv, g_strdup("--chardev"));
    if (host->daemon_monitor) {
        g_autofree char *escaped = qemuCommandEscapeComma(host->daemon_monitor);

        g_ptr_array_add(argv,
                        g_strdup_printf("socket,id=cairn-qmp,path=%s,server=on,wait=off", escaped));
    } else {
        g_ptr_array_add(argv, g_strdup_printf("socket,id=cairn-qmp,fd=%d", QEMU_BLOCK_HOST_QMP_FD));
    }
    g_ptr_array_add(argv, g_strdup("--monitor"));
    g_ptr_array_add(argv, g_strdup("chardev=cairn-qmp"));
    for (guint i = 0; i < def->disks->len; i++) {
        const cairnDomainDiskDef *disk = g_ptr_array_index(def->disks, i);
        bool qcow2 = disk->format == CAIRN_DOMAIN_DISK_FORMAT_QCOW2;

        if (!disk->src)
            continue;
        idx++;
        if (disk->type != CAIRN_DOMAIN_DISK_TYPE_FILE || (!all && (!qcow2 || disk->readonly)))
            continue;
        qemuBlockHostAddDisk(host, disk, g_hash_table_lookup(backing, disk->dst), &idx, readonly);
    }
    host->nodeidx = (unsigned int)idx;
    if (host->daemon_pidfile) {
        g_ptr_array_add(argv, g_strdup("--daemonize"));
        g_ptr_array_add(argv, g_strdup("--pidfile"));
        g_ptr_array_add(argv, g_strdup(host->daemon_pidfile));
    }
    g_ptr_array_add(argv, NULL);
    return (GStrv)g_ptr_array_steal(argv, NULL);
}


/* Runs in the child: the daemon goes when Cairn goes (a killed CLI must
 * not leave images locked), and SIGTERM makes it close them cleanly. */
static void
qemuBlockHostChildSetup(gpointer opaque G_GNUC_UNUSED)
{
    prctl(PR_SET_PDEATHSIG, SIGTERM);
}


/* A connected pair of sockets: QSD's monitor gets one end (a chardev
 * socket on an inherited, connected descriptor), the driver keeps the
 * other. Nothing is listening, so nothing can be accepted twice: QEMU 7.2
 * may hang the monitor when a connection is already pending on a listening
 * descriptor as QSD starts (its main loop and the monitor's I/O thread
 * both accept; the loser blocks in accept(2) and the monitor never reads
 * the commands). */
static bool
qemuBlockHostSockets(int *ret_qsd, int *ret_client, GError **error)
{
    int fds[2];

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0) {
        cairnErrorSetErrno(error, FROM, errno, "cannot create a monitor socket pair");
        return false;
    }
    *ret_qsd = fds[0];
    *ret_client = fds[1];
    return true;
}


static GSubprocess *
qemuBlockHostSpawn(qemuBlockHost *host, GStrv argv, int qsd_fd, GError **error)
{
    g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new(
        G_SUBPROCESS_FLAGS_STDIN_INHERIT | G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
    g_autoptr(GError) gerr = NULL;
    GSubprocess *proc;

    g_subprocess_launcher_set_stderr_file_path(launcher, host->log_path);
    g_subprocess_launcher_take_fd(launcher, qsd_fd, QEMU_BLOCK_HOST_QMP_FD);
    g_subprocess_launcher_set_child_setup(launcher, qemuBlockHostChildSetup, NULL, NULL);
    if (!(proc = g_subprocess_launcher_spawnv(launcher, (const char *const *)argv, &gerr))) {
        cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_FAILED,
                      "cannot start qemu-storage-daemon: %s", gerr->message);
        return NULL;
    }
    return proc;
}


/* Open the queued nodes, in order, over QMP. They are not on the command
 * line because QSD exits on the first -blockdev it cannot open without
 * closing the images it opened before: their persistent bitmaps would stay
 * marked in use (inconsistent). Now a failure leaves those open, and the
 * caller's quit (or SIGTERM) closes them cleanly. */
static bool
qemuBlockHostOpenNodes(qemuBlockHost *host, GError **error)
{
    for (guint i = 0; i < host->pending->len; i++) {
        qemuBlockHostNode *node = g_ptr_array_index(host->pending, i);
        const char *prefix = "QEMU command 'blockdev-add' failed: ";
        g_autoptr(GError) gerr = NULL;
        g_autofree char *hint = NULL;
        const char *why;

        if (qemuMonitorBlockdevAdd(host->mon, node->props, &gerr))
            continue;
        /* QEMU's own words, as when it reported them on its command line. */
        why = strstr(gerr->message, prefix) ? strstr(gerr->message, prefix) + strlen(prefix) :
                                              gerr->message;
        /* The hint QEMU gives on its command line, lost over QMP. */
        hint = strstr(why, " lock") ?
                   g_strdup_printf("; Is another process using the image [%s]?", node->file) :
                   g_strdup("");
        cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_FAILED,
                      "cannot open the disks of shut-off domain '%s': %s%s", host->name, why, hint);
        return false;
    }
    g_ptr_array_set_size(host->pending, 0);
    return true;
}


static bool
qemuBlockHostStartQSD(qemuBlockHost *host,
                      qemuDriverState *drv,
                      const cairnDomainDef *def,
                      bool readonly,
                      GError **error)
{
    g_autofree char *qsd = g_find_program_in_path("qemu-storage-daemon");
    g_autoptr(GError) gerr = NULL;
    g_auto(GStrv) argv = NULL;
    int qfd = -1;
    int cfd = -1;

    if (!qsd) {
        cairnErrorSet(
            error, FROM, CAIRN_ERR_OPERATION_UNSUPPORTED,
            "checkpoints of a shut-off domain need qemu-storage-daemon, which is not installed");
        return false;
    }
    host->log_path = qemuDomainRunPath(drv, def->name, ".qsd.log");
    argv = qemuBlockHostBuildArgv(host, qsd, def, readonly, false);
    if (!qemuBlockHostSockets(&qfd, &cfd, error))
        return false;
    if (!(host->qsd = qemuBlockHostSpawn(host, argv, qfd, error))) {
        close(cfd);
        return false;
    }
    if ((host->mon = qemuMonitorOpenFd(cfd, NULL, QEMU_BLOCK_HOST_START_TIMEOUT_MS, &gerr)))
        return qemuBlockHostOpenNodes(host, error);
    if (qemuBlockHostWaitExit(host->qsd, QEMU_BLOCK_HOST_TERM_TIMEOUT_MS)) {
        g_autofree char *why = qemuBlockHostReadLog(host->log_path);

        cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_FAILED,
                      "cannot open the disks of shut-off domain '%s': %s", def->name, why);
    } else {
        cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_FAILED,
                      "qemu-storage-daemon for domain '%s' did not answer: %s", def->name,
                      gerr->message);
    }
    return false;
}


/* ---- a job's daemon --------------------------------------------------- */

void
qemuBlockHostDaemonPaths(
    qemuDriverState *drv, const char *name, char **ret_monitor, char **ret_pidfile, char **ret_log)
{
    if (ret_monitor)
        *ret_monitor = qemuDomainRunPath(drv, name, QEMU_BLOCK_HOST_DAEMON_QMP);
    if (ret_pidfile)
        *ret_pidfile = qemuDomainRunPath(drv, name, QEMU_BLOCK_HOST_DAEMON_PID);
    if (ret_log)
        *ret_log = qemuDomainRunPath(drv, name, QEMU_BLOCK_HOST_DAEMON_LOG);
}


bool
qemuBlockHostDaemonAlive(pid_t pid, const char *monitor)
{
    return pid > 0 && monitor && qemuProcessIsOurs(pid, monitor);
}


qemuMonitor *
qemuBlockHostDaemonAttach(pid_t pid, const char *monitor, GError **error)
{
    if (!qemuBlockHostDaemonAlive(pid, monitor)) {
        cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_FAILED,
                      "qemu-storage-daemon %lld of the backup job is gone", (long long)pid);
        return NULL;
    }
    return qemuMonitorOpen(monitor, NULL, QEMU_BLOCK_HOST_START_TIMEOUT_MS, error);
}


void
qemuBlockHostDaemonStop(
    qemuMonitor *mon, pid_t pid, const char *monitor, const char *pidfile, const char *log)
{
    g_autoptr(GError) err = NULL;
    bool quit = mon && qemuMonitorIsConnected(mon);

    if (pid <= 0 && pidfile)
        pid = qemuProcessReadPidfile(pidfile);
    if (qemuBlockHostDaemonAlive(pid, monitor)) {
        /* quit (or SIGTERM) closes the images cleanly: the persistent
         * bitmaps are written then. The reply may not come: the daemon
         * may close the socket first. */
        if (quit && !qemuMonitorQuit(mon, &err))
            g_debug("qemu-storage-daemon %lld quit: %s", (long long)pid, err->message);
        if (!qemuProcessWaitExit(pid, monitor, quit ? QEMU_BLOCK_HOST_DAEMON_QUIT_MS : 0) &&
            !qemuProcessKill(pid, monitor))
            g_warning("qemu-storage-daemon %lld does not exit", (long long)pid);
    }
    if (monitor)
        cairnFileRemove(monitor, false, NULL);
    if (pidfile)
        cairnFileRemove(pidfile, false, NULL);
    if (log)
        cairnFileRemove(log, false, NULL);
}


void
qemuBlockHostDaemonSweep(qemuDriverState *drv, const char *name)
{
    g_autofree char *monitor = NULL;
    g_autofree char *pidfile = NULL;
    g_autofree char *log = NULL;

    qemuBlockHostDaemonPaths(drv, name, &monitor, &pidfile, &log);
    if (!g_file_test(pidfile, G_FILE_TEST_EXISTS) && !g_file_test(log, G_FILE_TEST_EXISTS))
        return;
    g_debug("%s: removing the storage daemon of a backup job that is gone", name);
    qemuBlockHostDaemonStop(NULL, 0, monitor, pidfile, log);
}


/* Run @argv (QSD with --daemonize) and wait for the launcher to exit,
 * which it does once the daemon is up (or failed); its output goes to
 * @host->log_path. */
static bool
qemuBlockHostRunDaemonize(qemuBlockHost *host, GStrv argv, GError **error)
{
    g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_NONE);
    g_autoptr(GSubprocess) proc = NULL;
    g_autoptr(GError) gerr = NULL;
    int fd;

    if ((fd = open(host->log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0) {
        cairnErrorSetErrno(error, FROM, errno, "cannot open log file '%s'", host->log_path);
        return false;
    }
    qemuProcessSetupEnv(launcher);
    g_subprocess_launcher_take_stdout_fd(launcher, dup(fd));
    g_subprocess_launcher_take_stderr_fd(launcher, fd);
    if (!(proc = g_subprocess_launcher_spawnv(launcher, (const char *const *)argv, &gerr))) {
        cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_FAILED,
                      "cannot start qemu-storage-daemon: %s", gerr->message);
        return false;
    }
    if (!qemuBlockHostWaitExit(proc, QEMU_BLOCK_HOST_START_TIMEOUT_MS)) {
        cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_TIMEOUT,
                      "qemu-storage-daemon for domain '%s' did not start within %d ms", host->name,
                      QEMU_BLOCK_HOST_START_TIMEOUT_MS);
        return false;
    }
    if (!g_subprocess_get_if_exited(proc) || g_subprocess_get_exit_status(proc) != 0) {
        g_autofree char *why = qemuBlockHostReadLog(host->log_path);

        cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_FAILED,
                      "qemu-storage-daemon for domain '%s' failed to start: %s", host->name, why);
        return false;
    }
    return true;
}


/* A daemonized QSD for a backup job of the shut-off @def: it holds the
 * disks until the job ends, whichever process ends it. */
static bool
qemuBlockHostStartDaemon(qemuBlockHost *host,
                         qemuDriverState *drv,
                         const cairnDomainDef *def,
                         GError **error)
{
    g_autofree char *qsd = g_find_program_in_path("qemu-storage-daemon");
    g_auto(GStrv) argv = NULL;
    bool started;

    if (!qsd) {
        cairnErrorSet(
            error, FROM, CAIRN_ERR_OPERATION_UNSUPPORTED,
            "backups of a shut-off domain need qemu-storage-daemon, which is not installed");
        return false;
    }
    qemuBlockHostDaemonPaths(drv, def->name, &host->daemon_monitor, &host->daemon_pidfile,
                             &host->log_path);
    /* A daemon of a begin that died before it wrote its job file goes. */
    qemuBlockHostDaemonSweep(drv, def->name);
    argv = qemuBlockHostBuildArgv(host, qsd, def, false, true);
    started = qemuBlockHostRunDaemonize(host, argv, error);
    /* Read also after a failure: whatever it names is stopped on free. */
    host->daemon_pid = qemuProcessReadPidfile(host->daemon_pidfile);
    if (!started)
        return false;
    if (!qemuBlockHostDaemonAlive(host->daemon_pid, host->daemon_monitor)) {
        cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_FAILED,
                      "qemu-storage-daemon for domain '%s' started, but pidfile '%s' names no "
                      "running daemon of it",
                      def->name, host->daemon_pidfile);
        return false;
    }
    if (!(host->mon = qemuBlockHostDaemonAttach(host->daemon_pid, host->daemon_monitor, error)))
        return false;
    return qemuBlockHostOpenNodes(host, error);
}


bool
qemuBlockHostCheckFree(qemuDriverState *drv, qemuDomainObj *obj, const char *action, GError **error)
{
    if (qemuDomainObjIsActive(obj) || !qemuBackupJobExists(drv, obj->name))
        return true;
    cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_INVALID,
                  "cannot %s: domain '%s' has an active backup job whose qemu-storage-daemon "
                  "holds the disks",
                  action, obj->name);
    return false;
}


/* ---- open -------------------------------------------------------------- */

qemuBlockHost *
qemuBlockHostOpen(qemuDriverState *drv, qemuDomainObj *obj, unsigned int flags, GError **error)
{
    g_autoptr(qemuBlockHost) host = qemuBlockHostNew(obj->name);

    if (qemuDomainObjIsActive(obj)) {
        if (!(host->mon = qemuProcessAttach(drv, obj, error)))
            return NULL;
        host->nodeidx = qemuDomainStatusNodeIndexes(obj->status);
        for (guint i = 0; i < obj->status->disks->len; i++) {
            qemuStatusDisk *disk = g_ptr_array_index(obj->status->disks, i);

            if (disk->format_node)
                g_hash_table_insert(host->nodes, g_strdup(disk->dst), g_strdup(disk->format_node));
            if (disk->layers)
                g_hash_table_insert(host->layers, g_strdup(disk->dst),
                                    g_ptr_array_ref(disk->layers));
        }
        return g_steal_pointer(&host);
    }
    if (flags & QEMU_BLOCK_HOST_JOB) {
        if (!qemuBlockHostStartDaemon(host, drv, obj->def, error))
            return NULL;
        return g_steal_pointer(&host);
    }
    if (!qemuBlockHostCheckFree(drv, obj, "open the disks", error) ||
        !qemuBlockHostStartQSD(host, drv, obj->def, flags & QEMU_BLOCK_HOST_READ_ONLY, error))
        return NULL;
    return g_steal_pointer(&host);
}


/* blockdev-reopen of the backing layers named in @nodes (format node
 * names), all in one command, read-only or read-write. */
static bool
qemuBlockHostReopen(qemuBlockHost *host, GPtrArray *nodes, bool readonly, GError **error)
{
    g_autoptr(JsonArray) options = json_array_new();

    for (guint i = 0; i < nodes->len; i++) {
        const char *name = g_ptr_array_index(nodes, i);
        GHashTableIter iter;
        gpointer value;
        bool found = false;

        g_hash_table_iter_init(&iter, host->layers);
        while (!found && g_hash_table_iter_next(&iter, NULL, &value)) {
            GPtrArray *layers = value;

            for (guint j = 0; !found && j < layers->len; j++) {
                qemuBlockLayer *layer = g_ptr_array_index(layers, j);

                if ((found = g_str_equal(layer->format_node, name)))
                    json_array_add_object_element(options,
                                                  qemuBlockLayerFormatProps(layers, j, readonly));
            }
        }
        if (!found) {
            cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_UNSUPPORTED,
                          "block node '%s' of domain '%s' was opened by QEMU itself and cannot "
                          "be reopened read-write (restart the domain)",
                          name, host->name);
            return false;
        }
    }
    return qemuMonitorBlockdevReopen(host->mon, options, error);
}


bool
qemuBlockHostTransaction(qemuBlockHost *host,
                         qemuMonitorTransaction *tr,
                         GPtrArray *lower,
                         GError **error)
{
    g_autoptr(GError) gerr = NULL;
    bool ok;

    if (!lower || lower->len == 0)
        return qemuMonitorTransactionRun(host->mon, tr, error);
    if (!qemuBlockHostReopen(host, lower, false, error))
        return false;
    ok = qemuMonitorTransactionRun(host->mon, tr, error);
    if (!qemuBlockHostReopen(host, lower, true, ok ? error : &gerr)) {
        if (!ok)
            g_warning("cannot reopen the backing layers of '%s' read-only: %s", host->name,
                      gerr->message);
        return false;
    }
    return ok;
}


bool
qemuBlockHostClose(qemuBlockHost *host, GError **error)
{
    g_autoptr(qemuBlockHost) owned G_GNUC_UNUSED = host;
    g_autoptr(GError) gerr = NULL;
    bool ok;

    if (!host->qsd)
        return true;
    if (!qemuMonitorQuit(host->mon, &gerr))
        g_debug("qemu-storage-daemon quit: %s", gerr->message);
    g_clear_pointer(&host->mon, qemuMonitorClose);
    if (!qemuBlockHostWaitExit(host->qsd, QEMU_BLOCK_HOST_EXIT_TIMEOUT_MS)) {
        cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_TIMEOUT,
                      "qemu-storage-daemon for domain '%s' did not exit", host->name);
        return false;
    }
    ok = g_subprocess_get_if_exited(host->qsd) && g_subprocess_get_exit_status(host->qsd) == 0;
    if (!ok) {
        g_autofree char *why = qemuBlockHostReadLog(host->log_path);

        cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_FAILED,
                      "qemu-storage-daemon for domain '%s' failed: %s", host->name, why);
        return false;
    }
    return true;
}
