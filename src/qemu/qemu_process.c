/*
 * qemu_process.c: launching, finding, watching and stopping QEMU.
 *
 * QEMU is started with -daemonize: the process we spawn exits once the
 * real QEMU has initialised (monitor socket listening, pidfile written) or
 * failed, so its exit status says whether the start worked and its stderr
 * (the domain log) says why not. The daemon it leaves is not our child;
 * we find it again by the pidfile and the live state file, and check that
 * a pid is still our QEMU by its command line (which names the unique
 * monitor socket path) before signalling it.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <gio/gio.h>

#include "cairn/cairn-error.h"
#include "qemu_backup_job.h"
#include "qemu_block.h"
#include "qemu_command.h"
#include "qemu_monitor_cmd.h"
#include "qemu_block_nbd.h"
#include "qemu_process.h"
#include "util/cairnerror.h"
#include "util/cairnfile.h"
#include "util/cairnkvm.h"
#include "util/cairntime.h"

#define FROM CAIRN_FROM_QEMU

/* Grace times of the stop sequence, in ms. */
#define QEMU_STOP_QUIT_WAIT_MS 5000
#define QEMU_STOP_TERM_WAIT_MS 5000
#define QEMU_STOP_KILL_WAIT_MS 5000
/* Monitor connect timeout of a running QEMU, in ms. */
#define QEMU_ATTACH_TIMEOUT_MS 10000
/* How much of QEMU's own error text an error message carries. */
#define QEMU_LOG_ERROR_MAX 2048

typedef struct {
    char *run_file;
    char *qmp;
    char *agent;
    char *pidfile;
    char *log;
    char *reason;
} qemuProcessPaths;


static void
qemuProcessPathsInit(qemuProcessPaths *paths, qemuDriverState *drv, const char *name)
{
    paths->run_file = qemuDomainRunPath(drv, name, ".xml");
    paths->qmp = qemuDomainRunPath(drv, name, ".qmp");
    paths->agent = qemuDomainRunPath(drv, name, ".agent");
    paths->pidfile = qemuDomainRunPath(drv, name, ".pid");
    paths->log = qemuDomainLogPath(drv, name);
    paths->reason = qemuDomainRunPath(drv, name, ".reason");
}


static void
qemuProcessPathsClear(qemuProcessPaths *paths)
{
    g_free(paths->run_file);
    g_free(paths->qmp);
    g_free(paths->agent);
    g_free(paths->pidfile);
    g_free(paths->log);
    g_free(paths->reason);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(qemuProcessPaths, qemuProcessPathsClear)


/* The text of /proc/PID/stat after the command name, or NULL. One read
 * into a buffer large enough for any stat line (the command name is at
 * most 16 bytes, the rest a few dozen numbers). */
static char *
qemuProcessReadStat(pid_t pid)
{
    char path[64];
    char data[2048];
    ssize_t len;
    char *p;
    int fd;

    g_snprintf(path, sizeof(path), "/proc/%lld/stat", (long long)pid);
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return NULL;
    do {
        len = read(fd, data, sizeof(data) - 1);
    } while (len < 0 && errno == EINTR);
    close(fd);
    if (len <= 0)
        return NULL;
    data[len] = '\0';
    if (!(p = strrchr(data, ')')))
        return NULL;
    return g_strdup(p + 1);
}


bool
qemuProcessIsOurs(pid_t pid, const char *monitor_path)
{
    g_autofree char *path = g_strdup_printf("/proc/%lld/cmdline", (long long)pid);
    g_autofree char *escaped = qemuCommandEscapeComma(monitor_path);
    g_autofree char *needle = g_strdup_printf("path=%s,", escaped);
    g_autofree char *stat = NULL;
    g_autofree char *cmdline = NULL;
    gsize len = 0;

    if (pid <= 0 || !(stat = qemuProcessReadStat(pid)))
        return false;
    /* " S ..." : the state letter; a zombie is gone for our purposes. */
    if (strlen(stat) < 2 || stat[1] == 'Z' || stat[1] == 'X')
        return false;
    if (!g_file_get_contents(path, &cmdline, &len, NULL) || len == 0)
        return false;
    /* The arguments are NUL-separated; the socket is named in one. */
    for (const char *arg = cmdline; arg < cmdline + len; arg += strlen(arg) + 1) {
        if (strstr(arg, needle))
            return true;
    }
    return false;
}


unsigned long long
qemuProcessCPUTime(pid_t pid)
{
    g_autofree char *stat = qemuProcessReadStat(pid);
    g_auto(GStrv) fields = NULL;
    long ticks = sysconf(_SC_CLK_TCK);
    unsigned long long utime;
    unsigned long long stime;

    /* After the name: state(0) ppid ... utime(11) stime(12). */
    if (!stat || ticks <= 0)
        return 0;
    fields = g_strsplit(g_strstrip(stat), " ", 14);
    if (g_strv_length(fields) < 14)
        return 0;
    utime = g_ascii_strtoull(fields[11], NULL, 10);
    stime = g_ascii_strtoull(fields[12], NULL, 10);
    return (utime + stime) * (1000000000ULL / (unsigned long long)ticks);
}


static int
qemuProcessPidfdOpen(pid_t pid)
{
#ifdef SYS_pidfd_open
    return (int)syscall(SYS_pidfd_open, pid, 0);
#else
    errno = ENOSYS;
    return -1;
#endif
}


/* Whether the process behind @pidfd has not exited yet. */
static bool
qemuProcessPidfdRunning(int pidfd)
{
    struct pollfd pfd = { .fd = pidfd, .events = POLLIN };

    return poll(&pfd, 1, 0) == 0;
}


bool
qemuProcessObjIsOurs(qemuDomainObj *obj)
{
    pid_t pid = obj->status->pid;
    int pidfd;

    /* A pidfd names one process, never a later one with its number: while
     * it has not exited, it is still the QEMU it was checked to be. */
    if (obj->pidfd >= 0 && obj->pidfd_pid == pid && qemuProcessPidfdRunning(obj->pidfd))
        return true;
    if (obj->pidfd >= 0) {
        close(obj->pidfd);
        obj->pidfd = -1;
    }
    if (!qemuProcessIsOurs(pid, obj->status->monitor_path))
        return false;
    /* Opened after the check, so checked again: the pidfd must be of the
     * process that was found to be ours. */
    if ((pidfd = qemuProcessPidfdOpen(pid)) < 0)
        return true;
    if (qemuProcessIsOurs(pid, obj->status->monitor_path) && qemuProcessPidfdRunning(pidfd)) {
        obj->pidfd = pidfd;
        obj->pidfd_pid = pid;
    } else {
        close(pidfd);
    }
    return true;
}


/* A pidfd makes the wait an event (the daemon is not our child, so
 * waitpid cannot); kernels without pidfd_open fall back to checking every
 * 10 ms. */
bool
qemuProcessWaitExit(pid_t pid, const char *monitor_path, int timeout_ms)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
    int pidfd = qemuProcessPidfdOpen(pid);

    while (qemuProcessIsOurs(pid, monitor_path)) {
        gint64 left_ms = (deadline - g_get_monotonic_time()) / 1000;

        if (left_ms <= 0)
            break;
        if (pidfd >= 0) {
            struct pollfd pfd = { .fd = pidfd, .events = POLLIN };

            if (poll(&pfd, 1, (int)MIN(left_ms, 1000)) < 0 && errno != EINTR)
                break;
        } else {
            g_usleep(10000);
        }
    }
    if (pidfd >= 0)
        close(pidfd);
    return !qemuProcessIsOurs(pid, monitor_path);
}


bool
qemuProcessKill(pid_t pid, const char *monitor_path)
{
    if (!qemuProcessIsOurs(pid, monitor_path))
        return true;
    kill(pid, SIGTERM);
    if (qemuProcessWaitExit(pid, monitor_path, QEMU_STOP_TERM_WAIT_MS))
        return true;
    kill(pid, SIGKILL);
    return qemuProcessWaitExit(pid, monitor_path, QEMU_STOP_KILL_WAIT_MS);
}


/* Remove what a QEMU of @obj leaves: live state, sockets, pidfile. */
static void
qemuProcessRemoveFiles(const qemuProcessPaths *paths)
{
    g_autoptr(GError) err = NULL;

    if (!cairnFileRemove(paths->run_file, true, &err) ||
        !cairnFileRemove(paths->qmp, false, &err) || !cairnFileRemove(paths->agent, false, &err) ||
        !cairnFileRemove(paths->pidfile, false, &err))
        g_debug("cleanup: %s", err->message);
}


/* @obj is shut off now: record it (and forget a transient one's state). */
static void
qemuProcessMarkStopped(qemuDriverState *drv, qemuDomainObj *obj, int reason)
{
    g_autoptr(GError) err = NULL;

    qemuDomainStatusFree(g_steal_pointer(&obj->status));
    qemuDomainObjForgetProcess(obj);
    cairnFileCacheClear(&obj->run_file);
    /* A transient domain is gone now; nothing to remember for it. */
    if (obj->def && !qemuDomainSaveShutoffReason(drv, obj, reason, &err))
        g_debug("%s: %s", obj->name, err->message);
}


qemuMonitor *
qemuProcessAttach(qemuDriverState *drv, qemuDomainObj *obj, GError **error)
{
    if (drv->attach_monitor)
        return drv->attach_monitor(obj, drv->attach_opaque, error);
    return qemuMonitorOpen(obj->status->monitor_path, NULL, QEMU_ATTACH_TIMEOUT_MS, error);
}


bool
qemuProcessStop(qemuDriverState *drv, qemuDomainObj *obj, int reason, GError **error)
{
    g_auto(qemuProcessPaths) paths = { 0 };
    pid_t pid = obj->status->pid;
    const char *mon_path = obj->status->monitor_path;
    g_autoptr(GError) quit_err = NULL;
    bool gone;

    qemuProcessPathsInit(&paths, drv, obj->name);
    if (qemuProcessIsOurs(pid, mon_path)) {
        g_autoptr(qemuMonitor) mon = qemuProcessAttach(drv, obj, &quit_err);

        if (mon)
            qemuMonitorQuit(mon, &quit_err);
        g_clear_pointer(&mon, qemuMonitorClose);
        if (quit_err)
            g_debug("quit %s: %s", obj->name, quit_err->message);
    }
    gone = qemuProcessWaitExit(pid, mon_path, quit_err ? 0 : QEMU_STOP_QUIT_WAIT_MS) ||
           qemuProcessKill(pid, mon_path);
    if (!gone) {
        cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_FAILED,
                      "failed to terminate process %lld with SIGKILL", (long long)pid);
        return false;
    }
    qemuProcessRemoveFiles(&paths);
    qemuProcessMarkStopped(drv, obj, reason);
    return true;
}


/* QEMU's RunState as the domain's state: RUNNING/PAUSED with a reason,
 * or SHUTOFF with the reason it should be stopped with. */
static int
qemuProcessStateFromRunState(const char *status, int *reason)
{
    static const struct {
        const char *name;
        int state;
        int reason;
    } map[] = {
        { "running", CAIRN_DOMAIN_RUNNING, CAIRN_DOMAIN_RUNNING_BOOTED },
        { "paused", CAIRN_DOMAIN_PAUSED, CAIRN_DOMAIN_PAUSED_USER },
        { "io-error", CAIRN_DOMAIN_PAUSED, CAIRN_DOMAIN_PAUSED_IOERROR },
        { "watchdog", CAIRN_DOMAIN_PAUSED, CAIRN_DOMAIN_PAUSED_WATCHDOG },
        { "prelaunch", CAIRN_DOMAIN_PAUSED, CAIRN_DOMAIN_PAUSED_STARTING_UP },
        { "shutdown", CAIRN_DOMAIN_SHUTOFF, CAIRN_DOMAIN_SHUTOFF_SHUTDOWN },
        { "guest-panicked", CAIRN_DOMAIN_SHUTOFF, CAIRN_DOMAIN_SHUTOFF_CRASHED },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(map); i++) {
        if (g_str_equal(map[i].name, status)) {
            *reason = map[i].reason;
            return map[i].state;
        }
    }
    *reason = 0;
    return CAIRN_DOMAIN_PAUSED;
}


/* Whether a backup of @obj runs with PRESERVE_SHUTDOWN_DOMAIN. A job file
 * that cannot be read does not preserve. */
static bool
qemuProcessBackupPreserves(qemuDriverState *drv, qemuDomainObj *obj)
{
    g_autoptr(qemuBackupJob) job = NULL;
    g_autoptr(GError) err = NULL;

    if (!qemuBackupJobExists(drv, obj->name))
        return false;
    if (!qemuBackupJobLoad(drv, obj->name, &job, &err)) {
        g_debug("backup job of %s: %s", obj->name, err->message);
        return false;
    }
    return job && job->preserve_shutdown;
}


/* Ask QEMU how the guest is and act on it. A guest that powered off
 * (QEMU runs with -no-shutdown, so it stays, in run state "shutdown")
 * during a backup begun with PRESERVE_SHUTDOWN_DOMAIN is kept, PAUSED
 * with reason SHUTTING_DOWN, until the backup ends; QEMU's run state is
 * the record, so any later query finishes the stop. */
static bool
qemuProcessQuery(qemuDriverState *drv, qemuDomainObj *obj, GError **error)
{
    g_autoptr(GError) mon_err = NULL;
    g_autoptr(qemuMonitor) mon = qemuProcessAttach(drv, obj, &mon_err);
    g_autofree char *status = NULL;
    int state;
    int reason;

    if (!mon || !qemuMonitorQueryStatus(mon, NULL, &status, &mon_err)) {
        g_debug("cannot query %s: %s", obj->name, mon_err->message);
        return true;
    }
    g_clear_pointer(&mon, qemuMonitorClose);
    state = qemuProcessStateFromRunState(status, &reason);
    if (state == CAIRN_DOMAIN_SHUTOFF && reason == CAIRN_DOMAIN_SHUTOFF_SHUTDOWN &&
        qemuProcessBackupPreserves(drv, obj)) {
        state = CAIRN_DOMAIN_PAUSED;
        reason = CAIRN_DOMAIN_PAUSED_SHUTTING_DOWN;
    } else if (state == CAIRN_DOMAIN_SHUTOFF) {
        return qemuProcessStop(drv, obj, reason, error);
    }
    /* Same state: kept, unless a paused domain now waits for its
     * backup to end. */
    if (state == obj->status->state &&
        (reason != CAIRN_DOMAIN_PAUSED_SHUTTING_DOWN || obj->status->reason == reason))
        return true;
    if (state == CAIRN_DOMAIN_RUNNING)
        reason = CAIRN_DOMAIN_RUNNING_UNPAUSED;
    obj->status->state = state;
    obj->status->reason = reason;
    return qemuDomainObjSaveStatus(drv, obj, error);
}


bool
qemuProcessEndPreservedShutdown(qemuDriverState *drv, qemuDomainObj *obj, GError **error)
{
    if (!obj->status || obj->status->state != CAIRN_DOMAIN_PAUSED ||
        obj->status->reason != CAIRN_DOMAIN_PAUSED_SHUTTING_DOWN ||
        qemuBackupJobExists(drv, obj->name))
        return true;
    return qemuProcessQuery(drv, obj, error);
}


bool
qemuProcessCheck(qemuDriverState *drv, qemuDomainObj *obj, bool query, GError **error)
{
    g_auto(qemuProcessPaths) paths = { 0 };

    if (!obj->status)
        return true;
    if (!qemuProcessObjIsOurs(obj)) {
        qemuProcessPathsInit(&paths, drv, obj->name);
        qemuProcessRemoveFiles(&paths);
        qemuProcessMarkStopped(drv, obj, CAIRN_DOMAIN_SHUTOFF_CRASHED);
        return true;
    }
    if (!query)
        return true;
    return qemuProcessQuery(drv, obj, error);
}


/* libvirt checks every image before starting; so do we, with its
 * wording. */
static bool
qemuProcessCheckDisks(const cairnDomainDef *def, GError **error)
{
    for (guint i = 0; i < def->disks->len; i++) {
        const cairnDomainDiskDef *disk = g_ptr_array_index(def->disks, i);
        int mode = disk->readonly ? R_OK : R_OK | W_OK;

        if (!disk->src)
            continue;
        if (access(disk->src, mode) < 0) {
            cairnErrorSetErrno(error, FROM, errno,
                               "Cannot access storage file '%s' (as uid:%u, gid:%u)", disk->src,
                               (unsigned int)geteuid(), (unsigned int)getegid());
            return false;
        }
    }
    return true;
}


/* type='kvm' needs a KVM device that really is one (util/cairnkvm.h);
 * anything else gets libvirt's advice instead of QEMU's "failed to
 * initialize kvm". */
static bool
qemuProcessCheckAccel(const qemuDriverState *drv, const cairnDomainDef *def, GError **error)
{
    g_autoptr(GError) probe_err = NULL;

    if (def->virt_type != CAIRN_DOMAIN_VIRT_KVM || cairnKvmProbe(drv->kvm_device, &probe_err))
        return true;
    cairnErrorSet(
        error, FROM, CAIRN_ERR_CONFIG_UNSUPPORTED,
        "domain requires KVM, but it is not available (%s); use <domain type='qemu'> for TCG",
        probe_err->message);
    return false;
}


static char *
qemuProcessFindEmulator(const cairnDomainDef *def, GError **error)
{
    const char *name = def->emulator ? def->emulator : "qemu-system-x86_64";
    char *path = g_find_program_in_path(name);

    if (!path)
        cairnErrorSetErrno(error, FROM, ENOENT, "Cannot find '%s' in path", name);
    return path;
}


/* Open the domain log for appending and write libvirt's style of header:
 * the time and the command line. *@ret_offset is where QEMU's own output
 * will start. */
static int
qemuProcessOpenLog(const char *path, GStrv argv, goffset *ret_offset, GError **error)
{
    g_autoptr(GDateTime) now = g_date_time_new_now_utc();
    g_autofree char *stamp = g_date_time_format(now, "%Y-%m-%d %H:%M:%S");
    g_autofree char *cmd = g_strjoinv(" ", argv);
    g_autofree char *header = g_strdup_printf("%s: starting up\nLC_ALL=C %s\n", stamp, cmd);
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);

    if (fd < 0) {
        cairnErrorSetErrno(error, FROM, errno, "cannot open log file '%s'", path);
        return -1;
    }
    if (write(fd, header, strlen(header)) < 0 || (*ret_offset = lseek(fd, 0, SEEK_END)) < 0) {
        cairnErrorSetErrno(error, FROM, errno, "cannot write log file '%s'", path);
        close(fd);
        return -1;
    }
    return fd;
}


/* QEMU's own output in the log from @offset, trimmed to its last
 * QEMU_LOG_ERROR_MAX bytes. */
static char *
qemuProcessReadLogError(const char *path, goffset offset)
{
    g_autofree char *data = NULL;
    gsize len = 0;
    const char *text;

    if (!g_file_get_contents(path, &data, &len, NULL) || (gsize)offset > len)
        return g_strdup("(no log)");
    text = data + offset;
    if (strlen(text) > QEMU_LOG_ERROR_MAX)
        text += strlen(text) - QEMU_LOG_ERROR_MAX;
    return g_strstrip(g_strdup(text));
}


static void
qemuProcessWaitDone(GObject *source, GAsyncResult *res, gpointer opaque)
{
    gboolean *done = opaque;

    g_subprocess_wait_finish(G_SUBPROCESS(source), res, NULL);
    *done = TRUE;
}


static gboolean
qemuProcessWaitTimeout(gpointer opaque)
{
    gboolean *timed_out = opaque;

    *timed_out = TRUE;
    return G_SOURCE_REMOVE;
}


/* Fixed malloc thresholds (a setting of its own turns off glibc's
 * dynamic ones): blocks up to NBD's largest request (32 MiB) come from
 * the heap, and up to 64 MiB of freed heap stays mapped for the next
 * requests instead of being trimmed and faulted in again. */
#define QEMU_PROCESS_MALLOC_TUNABLES                                                               \
 "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=67108864"


void
qemuProcessSetupEnv(GSubprocessLauncher *launcher)
{
    g_subprocess_launcher_setenv(launcher, "LC_ALL", "C", TRUE);
    g_subprocess_launcher_setenv(launcher, "GLIBC_TUNABLES", QEMU_PROCESS_MALLOC_TUNABLES, FALSE);
}


/* Run @argv with stdout and stderr on @logfd and wait (up to the start
 * timeout) for it to exit: with -daemonize that is when QEMU is up. */
static bool
qemuProcessSpawn(GStrv argv, int logfd, int *ret_status, GError **error)
{
    g_autoptr(GMainContext) ctx = g_main_context_new();
    g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_NONE);
    g_autoptr(GSubprocess) proc = NULL;
    g_autoptr(GError) gerr = NULL;
    g_autoptr(GSource) timer = g_timeout_source_new(QEMU_PROCESS_START_TIMEOUT_MS);
    gboolean done = FALSE;
    gboolean timed_out = FALSE;

    qemuProcessSetupEnv(launcher);
    g_subprocess_launcher_take_stdout_fd(launcher, dup(logfd));
    g_subprocess_launcher_take_stderr_fd(launcher, dup(logfd));
    g_main_context_push_thread_default(ctx);
    if ((proc = g_subprocess_launcher_spawnv(launcher, (const char *const *)argv, &gerr))) {
        g_subprocess_wait_async(proc, NULL, qemuProcessWaitDone, &done);
        g_source_set_callback(timer, qemuProcessWaitTimeout, &timed_out, NULL);
        g_source_attach(timer, ctx);
        while (!done && !timed_out)
            g_main_context_iteration(ctx, TRUE);
        g_source_destroy(timer);
        if (!done) {
            g_subprocess_force_exit(proc);
            while (!done)
                g_main_context_iteration(ctx, TRUE);
        }
    }
    g_main_context_pop_thread_default(ctx);
    if (!proc) {
        cairnErrorSet(error, FROM, CAIRN_ERR_INTERNAL_ERROR, "cannot run '%s': %s", argv[0],
                      gerr->message);
        return false;
    }
    if (timed_out) {
        cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_TIMEOUT, "QEMU did not start within %d ms",
                      QEMU_PROCESS_START_TIMEOUT_MS);
        return false;
    }
    *ret_status = g_subprocess_get_if_exited(proc) ? g_subprocess_get_exit_status(proc) : 255;
    return true;
}


pid_t
qemuProcessReadPidfile(const char *pidfile)
{
    g_autofree char *data = NULL;
    gint64 pid;

    if (!g_file_get_contents(pidfile, &data, NULL, NULL))
        return 0;
    pid = g_ascii_strtoll(data, NULL, 10);
    return pid > 0 && pid <= G_MAXINT32 ? (pid_t)pid : 0;
}


/* After a failed start: kill whatever QEMU the pidfile names and remove
 * every file the attempt created. */
static void
qemuProcessAbortStart(const qemuProcessPaths *paths)
{
    pid_t pid = qemuProcessReadPidfile(paths->pidfile);

    if (pid > 0 && qemuProcessIsOurs(pid, paths->qmp)) {
        kill(pid, SIGKILL);
        qemuProcessWaitExit(pid, paths->qmp, QEMU_STOP_KILL_WAIT_MS);
    }
    qemuProcessRemoveFiles(paths);
}


/* Build the command line for @st->def, run it, and fill @st->pid. */
static bool
qemuProcessLaunch(const qemuProcessPaths *paths, qemuDomainStatus *st, GError **error)
{
    g_autofree char *emulator = NULL;
    g_autoptr(GHashTable) backing = NULL;
    g_auto(GStrv) argv = NULL;
    qemuCommandParams params = { 0 };
    goffset offset = 0;
    int status = 0;
    int logfd;
    bool ok;

    if (!(emulator = qemuProcessFindEmulator(st->def, error)))
        return false;
    params.emulator = emulator;
    params.kvm = st->def->virt_type == CAIRN_DOMAIN_VIRT_KVM;
    params.qmp_path = paths->qmp;
    params.pid_path = paths->pidfile;
    params.agent_path = paths->agent;
    params.backing = backing = qemuBlockProbeDisks(st->def);
    qemuBlockNBDNoteBacking(st->def, backing);
    if (!(argv = qemuCommandBuild(st->def, &params, st, error)) ||
        (logfd = qemuProcessOpenLog(paths->log, argv, &offset, error)) < 0)
        return false;
    ok = qemuProcessSpawn(argv, logfd, &status, error);
    close(logfd);
    if (!ok)
        return false;
    if (status != 0) {
        g_autofree char *msg = qemuProcessReadLogError(paths->log, offset);

        cairnErrorSet(error, FROM, CAIRN_ERR_INTERNAL_ERROR,
                      "process exited while connecting to monitor: %s", msg);
        return false;
    }
    st->pid = qemuProcessReadPidfile(paths->pidfile);
    if (!qemuProcessIsOurs(st->pid, paths->qmp)) {
        cairnErrorSet(error, FROM, CAIRN_ERR_INTERNAL_ERROR,
                      "QEMU started, but pidfile '%s' names no running QEMU of this domain",
                      paths->pidfile);
        return false;
    }
    return true;
}


/* Talk to the new QEMU once. */
static bool
qemuProcessFinishStart(const qemuProcessPaths *paths, qemuDomainStatus *st, GError **error)
{
    g_autoptr(qemuMonitor) mon = NULL;
    g_autofree char *runstate = NULL;

    st->start_time = cairnClockNow();
    return (mon = qemuMonitorOpen(paths->qmp, NULL, QEMU_ATTACH_TIMEOUT_MS, error)) &&
           qemuMonitorQueryStatus(mon, NULL, &runstate, error);
}


bool
qemuProcessStart(qemuDriverState *drv, qemuDomainObj *obj, GError **error)
{
    g_auto(qemuProcessPaths) paths = { 0 };
    g_autoptr(qemuDomainStatus) st = qemuDomainStatusNew();

    qemuProcessPathsInit(&paths, drv, obj->name);
    st->def = cairnDomainDefCopy(obj->def);
    st->monitor_path = g_strdup(paths.qmp);
    if (!qemuCommandValidate(st->def, error) || !qemuProcessCheckAccel(drv, st->def, error) ||
        !qemuProcessCheckDisks(st->def, error))
        return false;
    /* A QEMU left by a client that died while starting it would hold the
     * images: it goes first. */
    qemuProcessAbortStart(&paths);
    if (!qemuDriverAllocateID(drv, &st->id, error))
        return false;
    if (!qemuProcessLaunch(&paths, st, error) || !qemuProcessFinishStart(&paths, st, error)) {
        qemuProcessAbortStart(&paths);
        qemuDomainSaveShutoffReason(drv, obj, CAIRN_DOMAIN_SHUTOFF_FAILED, NULL);
        return false;
    }
    obj->status = g_steal_pointer(&st);
    cairnFileRemove(paths.reason, false, NULL);
    if (!qemuDomainObjSaveStatus(drv, obj, error)) {
        qemuProcessMarkStopped(drv, obj, CAIRN_DOMAIN_SHUTOFF_FAILED);
        qemuProcessAbortStart(&paths);
        return false;
    }
    return true;
}
