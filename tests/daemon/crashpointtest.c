/*
 * crashpointtest.c: kill -9 at every named step of a backup
 * (util/cairncrash.h), and the next ordinary command recovers.
 *
 * Usage: crashpointtest embed CAIRN   (the CLI, run as the process killed)
 *        crashpointtest daemon        (cairnd is the process killed)
 *
 * For each family (push and pull, of a running domain and of a shut-off
 * one, run by its qemu-storage-daemon) and each crash point the code
 * names, a backup with a new checkpoint is begun with CAIRN_CRASH_AT set
 * to that point in the process that runs it: the CLI (embedded) or cairnd.
 * When the begin passes the point by, the job is ended in that process
 * (push: domjobinfo until it reconciled the end; pull: domjobabort). When
 * the process was killed, a fresh connection (a restarted cairnd) must
 * recover with ordinary calls: job statistics answer; a job still running
 * can be waited for (push) or aborted (pull); afterwards no QEMU job,
 * block node, export, NBD socket, scratch file, storage daemon or job file
 * is left, checkpoint-validate is clean, and the next iteration's begin
 * works. Every crash point must be hit by some family; the number covered
 * is printed. quiesce-frozen needs a guest agent in the guest: the
 * real-guest test tests/qemu/quiesce.c covers it.
 * is printed. Embedded, a push with fleecing (<scratch>) also runs through
 * the begin's points: afterwards the guest runs again (the begin stops it
 * for the filter swap) and the scratch file is gone.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include <glib/gstdio.h>

#include "backuptestutils.h"
#include "daemontestutils.h"
#include "util/cairncrash.h"

typedef struct {
    const char *name;
    bool pull;
    bool running;
    bool fleece; /* push with <scratch>; embedded, begin points only */
} crashFamily;

static const crashFamily families[] = {
    { "cppush", false, true, false },     { "cppull", true, true, false },
    { "cpoffpush", false, false, false }, { "cpoffpull", true, false, false },
    { "cpfleece", false, true, true },
};

static const char *cli;   /* embed: the CLI */
static daemonTest cairnd; /* daemon mode */
static bool daemonMode;
static const char *root;
static unsigned int iteration; /* names checkpoints and files uniquely */


/* ---- the process that is killed ---------------------------------------- */

static void
crashDaemonStart(const char *point)
{
    const char *const args[] = { "--session", "--root", root, NULL };

    if (point)
        g_setenv("CAIRN_CRASH_AT", point, TRUE);
    daemonTestStart(&cairnd, args);
    g_unsetenv("CAIRN_CRASH_AT");
}


/* Reap a daemon that should have died; true if it was killed by SIGKILL. */
static bool
crashDaemonReap(void)
{
    int status = 0;

    for (int i = 0; i < 500; i++) {
        if (waitpid(cairnd.pid, &status, WNOHANG) == cairnd.pid) {
            cairnd.pid = 0;
            return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
        }
        g_usleep(10000);
    }
    return false;
}


/* Embed: run the CLI with @args under CAIRN_CRASH_AT=@point; true if it
 * was killed, with its stdout in *@ret_out otherwise. */
static bool
crashRunCli(const char *point, const char *const *args, char **ret_out)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_auto(GStrv) env = g_get_environ();
    g_autoptr(GError) err = NULL;
    g_autofree char *out = NULL;
    int status = 0;

    env = g_environ_setenv(env, "CAIRN_CRASH_AT", point, TRUE);
    g_ptr_array_add(argv, (char *)cli);
    g_ptr_array_add(argv, (char *)"-c");
    g_ptr_array_add(argv, (char *)qemuTestURI());
    for (size_t i = 0; args[i]; i++)
        g_ptr_array_add(argv, (char *)args[i]);
    g_ptr_array_add(argv, NULL);
    if (!g_spawn_sync(NULL, (char **)argv->pdata, env, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL,
                      &status, &err))
        qemuTestFail(__FILE__, __LINE__, "cannot run %s: %s", cli, err->message);
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        return true;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        qemuTestFail(__FILE__, __LINE__, "cairn %s failed (point %s)", args[0], point);
    if (ret_out)
        *ret_out = g_steal_pointer(&out);
    return false;
}


/* ---- one iteration ----------------------------------------------------- */

typedef struct {
    const crashFamily *fam;
    const char *point;
    char *store;   /* push target or pull scratch file */
    char *scratch; /* fleece: the push's scratch file */
    char *socket;  /* pull: the NBD socket */
    char *chkname; /* the checkpoint made with the backup */
    char *bkfile;  /* the two documents, as files for the CLI */
    char *chkfile;
} crashIter;


static void
crashIterClear(crashIter *it)
{
    g_free(it->store);
    g_free(it->scratch);
    g_free(it->socket);
    g_free(it->chkname);
    g_free(it->bkfile);
    g_free(it->chkfile);
}


G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(crashIter, crashIterClear)


static void
crashIterInit(crashIter *it, const crashFamily *fam, const char *point)
{
    g_autofree char *bkxml = NULL;
    g_autofree char *chkxml = NULL;

    iteration++;
    it->fam = fam;
    it->point = point;
    it->store = g_strdup_printf("%s/store-%u.qcow2", root, iteration);
    it->scratch = g_strdup_printf("%s/scratch-%u.fleece", root, iteration);
    it->socket = g_strdup_printf("%s/nbd-%u.sock", root, iteration);
    it->chkname = g_strdup_printf("c%u", iteration);
    if (fam->pull)
        bkxml = g_strdup_printf(
            "<domainbackup mode='pull'><server transport='unix' socket='%s'/>"
            "<disks><disk name='vda' type='file'><scratch file='%s'/></disk></disks>"
            "</domainbackup>",
            it->socket, it->store);
    else if (fam->fleece)
        bkxml = g_strdup_printf("<domainbackup><disks><disk name='vda' type='file'>"
                                "<target file='%s'/><driver type='qcow2'/><scratch file='%s'/>"
                                "</disk></disks></domainbackup>",
                                it->store, it->scratch);
    else
        bkxml = g_strdup_printf("<domainbackup><disks><disk name='vda' type='file'>"
                                "<target file='%s'/><driver type='qcow2'/></disk></disks>"
                                "</domainbackup>",
                                it->store);
    chkxml = g_strdup_printf("<domaincheckpoint><name>%s</name></domaincheckpoint>", it->chkname);
    it->bkfile = g_strdup_printf("%s/backup-%u.xml", root, iteration);
    it->chkfile = g_strdup_printf("%s/checkpoint-%u.xml", root, iteration);
    QT_CHECK(g_file_set_contents(it->bkfile, bkxml, -1, NULL));
    QT_CHECK(g_file_set_contents(it->chkfile, chkxml, -1, NULL));
}


static cairnDomainPtr
crashLookup(cairnConnectPtr conn, const crashFamily *fam)
{
    cairnDomainPtr dom = cairnDomainLookupByName(conn, fam->name);

    if (!dom)
        qemuTestFail(__FILE__, __LINE__, "lookup %s: %s", fam->name, cairnGetLastErrorMessage());
    return dom;
}


/* Daemon mode: @call through a daemon armed with the point; true if the
 * daemon died by it. */
typedef bool (*crashCall)(cairnDomainPtr dom, const crashIter *it);


static bool
crashCallBegin(cairnDomainPtr dom, const crashIter *it)
{
    g_autofree char *bkxml = NULL;
    g_autofree char *chkxml = NULL;

    QT_CHECK(g_file_get_contents(it->bkfile, &bkxml, NULL, NULL));
    QT_CHECK(g_file_get_contents(it->chkfile, &chkxml, NULL, NULL));
    return cairnDomainBackupBegin(dom, bkxml, chkxml, 0) == 0;
}


/* Push: job info until the end was reconciled; pull: abort. */
static bool
crashCallEnd(cairnDomainPtr dom, const crashIter *it)
{
    cairnDomainJobInfo info;

    if (it->fam->pull)
        return cairnDomainAbortJob(dom) == 0;
    for (int i = 0; i < 600; i++) {
        memset(&info, 0, sizeof(info));
        if (cairnDomainGetJobInfo(dom, &info) < 0)
            return false;
        if (info.type == CAIRN_DOMAIN_JOB_NONE)
            return true;
        g_usleep(50000);
    }
    qemuTestFail(__FILE__, __LINE__, "push backup did not end");
}


/* Run @call in the armed daemon; true if the daemon was killed. */
static bool
crashThroughDaemon(const crashIter *it, crashCall call)
{
    g_autofree char *uri = NULL;
    cairnConnectPtr conn;
    cairnDomainPtr dom;
    bool ok;

    crashDaemonStart(it->point);
    uri = daemonTestURI(&cairnd, false);
    if (!(conn = cairnConnectOpen(uri)))
        qemuTestFail(__FILE__, __LINE__, "open %s: %s", uri, cairnGetLastErrorMessage());
    dom = crashLookup(conn, it->fam);
    ok = call(dom, it);
    cairnDomainFree(dom);
    cairnConnectClose(conn);
    if (ok) {
        daemonTestStop(&cairnd, false);
        return false;
    }
    if (!crashDaemonReap())
        qemuTestFail(__FILE__, __LINE__, "call failed without a crash at %s: %s", it->point,
                     cairnGetLastErrorMessage());
    return true;
}


static bool
crashBegin(const crashIter *it)
{
    const char *args[] = { "backup-begin", it->fam->name, it->bkfile, it->chkfile, NULL };

    if (daemonMode)
        return crashThroughDaemon(it, crashCallBegin);
    return crashRunCli(it->point, args, NULL);
}


static bool
crashEnd(const crashIter *it)
{
    const char *abort[] = { "domjobabort", it->fam->name, NULL };
    const char *info[] = { "domjobinfo", it->fam->name, NULL };

    if (daemonMode)
        return crashThroughDaemon(it, crashCallEnd);
    if (it->fam->pull)
        return crashRunCli(it->point, abort, NULL);
    for (int i = 0; i < 600; i++) {
        g_autofree char *out = NULL;

        if (crashRunCli(it->point, info, &out))
            return true;
        if (strstr(out, "None"))
            return false;
        g_usleep(50000);
    }
    qemuTestFail(__FILE__, __LINE__, "push backup did not end");
}


/* ---- recovery ---------------------------------------------------------- */

static void
crashExpectClean(cairnDomainPtr dom, const crashIter *it)
{
    const char *files[] = { it->store, it->socket, it->scratch, NULL };
    g_autofree char *jobfile = g_strdup_printf("%s/run/%s.backup-job", root, it->fam->name);
    g_autofree char *report = cairnDomainCheckpointValidate(dom, NULL, 0);

    if (!report)
        qemuTestFail(__FILE__, __LINE__, "validate: %s", cairnGetLastErrorMessage());
    if (strstr(report, "broken") || strstr(report, "<bitmap "))
        qemuTestFail(__FILE__, __LINE__, "after %s (%s): checkpoints not clean:\n%s", it->point,
                     it->fam->name, report);
    if (g_file_test(jobfile, G_FILE_TEST_EXISTS))
        qemuTestFail(__FILE__, __LINE__, "after %s (%s): job file left", it->point, it->fam->name);
    if (it->fam->fleece) {
        g_autoptr(JsonNode) status = bkTestQMP(dom, "{\"execute\":\"query-status\"}");

        if (!json_object_get_boolean_member(json_node_get_object(status), "running"))
            qemuTestFail(__FILE__, __LINE__, "after %s (%s): the guest is still stopped", it->point,
                         it->fam->name);
    }
    if (it->fam->running)
        bkTestExpectClean(dom, 1, files);
    else
        bkTestExpectOfflineClean(it->fam->name, files);
}


/* Ordinary calls on a fresh connection bring the domain back to no job. */
static void
crashRecover(const crashIter *it)
{
    cairnConnectPtr conn;
    cairnDomainPtr dom;
    int type = -1;
    bool success = false;

    if (daemonMode)
        crashDaemonStart(NULL);
    conn = qemuTestConnect();
    dom = crashLookup(conn, it->fam);
    bkTestStat(dom, "time_elapsed", &type);
    if (type != CAIRN_DOMAIN_JOB_NONE && it->fam->pull && cairnDomainAbortJob(dom) < 0)
        qemuTestFail(__FILE__, __LINE__, "after %s (%s): abort: %s", it->point, it->fam->name,
                     cairnGetLastErrorMessage());
    type = bkTestWaitDone(dom, 120);
    bkTestCompleted(dom, &success, NULL);
    /* A push backup that completed keeps its target. */
    if (!it->fam->pull && type == CAIRN_DOMAIN_JOB_COMPLETED && success)
        g_unlink(it->store);
    crashExpectClean(dom, it);
    /* Forget the completed job, so the next iteration reads its own. */
    bkTestWaitDone(dom, 1);
    {
        cairnTypedParameterPtr params = NULL;
        int nparams = 0;

        QT_CHECK(cairnDomainGetJobStats(dom, &type, &params, &nparams,
                                        CAIRN_DOMAIN_JOB_STATS_COMPLETED) == 0);
        cairnTypedParamsFree(params, nparams);
    }
    cairnDomainFree(dom);
    cairnConnectClose(conn);
    if (daemonMode)
        daemonTestStop(&cairnd, false);
}


/* Issue 10 item 6: the process serving a pull backup (the domain's QEMU,
 * or the storage daemon of a shut-off domain) is killed; the next look at
 * the job ends it as failed and removes the NBD socket QEMU left behind
 * with the scratch file. The running domain is shut off afterwards. */
static void
crashKillServer(const crashFamily *fam)
{
    g_auto(crashIter) it = { 0 };
    g_autofree char *jobfile = g_strdup_printf("%s/run/%s.backup-job", root, fam->name);
    g_autofree char *bkxml = NULL;
    cairnConnectPtr conn;
    cairnDomainPtr dom;
    bool success = true;
    pid_t pid;

    crashIterInit(&it, fam, "qemu-killed");
    QT_CHECK(g_file_get_contents(it.bkfile, &bkxml, NULL, NULL));
    if (daemonMode)
        crashDaemonStart(NULL);
    conn = qemuTestConnect();
    dom = crashLookup(conn, fam);
    bkTestBegin(dom, bkxml, NULL, 0);
    QT_CHECK(g_file_test(it.socket, G_FILE_TEST_EXISTS));
    pid = fam->running ? qemuTestDomainPid(fam->name) : bkTestDaemonPid(fam->name);
    QT_CHECK(pid > 0 && kill(pid, SIGKILL) == 0);
    for (int i = 0; i < 500 && kill(pid, 0) == 0; i++)
        g_usleep(10000);
    QT_CHECK(bkTestWaitDone(dom, 60) == CAIRN_DOMAIN_JOB_FAILED);
    bkTestCompleted(dom, &success, NULL);
    QT_CHECK(!success);
    if (g_file_test(it.socket, G_FILE_TEST_EXISTS) || g_file_test(it.store, G_FILE_TEST_EXISTS) ||
        g_file_test(jobfile, G_FILE_TEST_EXISTS))
        qemuTestFail(__FILE__, __LINE__, "%s: socket, scratch or job file left after the kill",
                     fam->name);
    if (!fam->running)
        bkTestExpectOfflineClean(fam->name, NULL);
    fprintf(stderr, "%-10s %-28s %s\n", fam->name, "server killed", "socket removed");
    cairnDomainFree(dom);
    cairnConnectClose(conn);
    if (daemonMode)
        daemonTestStop(&cairnd, false);
}


/* ---- checkpoint create and delete -------------------------------------- */

static bool
crashCallCheckpointCreate(cairnDomainPtr dom, const crashIter *it)
{
    g_autofree char *xml = NULL;
    cairnDomainCheckpointPtr chk;

    QT_CHECK(g_file_get_contents(it->chkfile, &xml, NULL, NULL));
    if (!(chk = cairnDomainCheckpointCreateXML(dom, xml, 0)))
        return false;
    cairnDomainCheckpointFree(chk);
    return true;
}


static bool
crashCallCheckpointDelete(cairnDomainPtr dom, const crashIter *it)
{
    cairnDomainCheckpointPtr chk = cairnDomainCheckpointLookupByName(dom, it->chkname, 0);
    int rc;

    if (!chk)
        return false;
    rc = cairnDomainCheckpointDelete(chk, 0);
    cairnDomainCheckpointFree(chk);
    return rc == 0;
}


/* Create checkpoint @it->chkname, then delete it, under the crash point. */
static bool
crashCheckpoint(const crashIter *it)
{
    const char *create[] = { "checkpoint-create", it->fam->name, it->chkfile, NULL };
    const char *delete[] = { "checkpoint-delete", it->fam->name, it->chkname, NULL };

    if (daemonMode)
        return crashThroughDaemon(it, crashCallCheckpointCreate) ||
               crashThroughDaemon(it, crashCallCheckpointDelete);
    return crashRunCli(it->point, create, NULL) || crashRunCli(it->point, delete, NULL);
}


/* The next call (validate) finishes or undoes the change: the checkpoint
 * exists with its bitmap or not at all; deleting it works. */
static void
crashCheckpointRecover(const crashIter *it)
{
    g_autofree char *opfile = g_strdup_printf("%s/run/%s.checkpoint-op", root, it->fam->name);
    const char *files[] = { NULL };
    cairnDomainCheckpointPtr chk;
    cairnConnectPtr conn;
    cairnDomainPtr dom;

    if (daemonMode)
        crashDaemonStart(NULL);
    conn = qemuTestConnect();
    dom = crashLookup(conn, it->fam);
    crashExpectClean(dom, it);
    if (g_file_test(opfile, G_FILE_TEST_EXISTS))
        qemuTestFail(__FILE__, __LINE__, "after %s (%s): checkpoint change record left", it->point,
                     it->fam->name);
    if ((chk = cairnDomainCheckpointLookupByName(dom, it->chkname, 0))) {
        if (cairnDomainCheckpointDelete(chk, 0) < 0)
            qemuTestFail(__FILE__, __LINE__, "after %s (%s): delete: %s", it->point, it->fam->name,
                         cairnGetLastErrorMessage());
        cairnDomainCheckpointFree(chk);
        crashExpectClean(dom, it);
    }
    if (!it->fam->running)
        bkTestExpectOfflineClean(it->fam->name, files);
    cairnDomainFree(dom);
    cairnConnectClose(conn);
    if (daemonMode)
        daemonTestStop(&cairnd, false);
}


/* ---- main -------------------------------------------------------------- */

static void
crashDefine(const crashFamily *fam)
{
    g_autofree char *imgname = g_strdup_printf("%s.qcow2", fam->name);
    g_autofree char *img = qemuTestMakeImage(imgname, "qcow2", "16M");
    const char *images[] = { img, NULL };
    const char *formats[] = { "qcow2", NULL };
    g_autofree char *xml = chkTestDomainXML(fam->name, images, formats);
    g_autofree char *io = g_strdup("write -P 0x5a 0 4M");
    cairnConnectPtr conn;
    cairnDomainPtr dom;

    bkTestQemuIo(img, io);
    if (daemonMode)
        crashDaemonStart(NULL);
    conn = qemuTestConnect();
    if (!(dom = cairnDomainDefineXML(conn, xml)))
        qemuTestFail(__FILE__, __LINE__, "define: %s", cairnGetLastErrorMessage());
    if (fam->running && cairnDomainCreate(dom) < 0)
        qemuTestFail(__FILE__, __LINE__, "start: %s", cairnGetLastErrorMessage());
    cairnDomainFree(dom);
    cairnConnectClose(conn);
    if (daemonMode)
        daemonTestStop(&cairnd, false);
}


int
main(int argc, char **argv)
{
    bool hit[CAIRN_CRASH_LAST] = { false };
    unsigned int covered = 0;
    unsigned int crashes = 0;

    if (argc < 2 || (g_str_equal(argv[1], "embed") && argc < 3)) {
        fprintf(stderr, "usage: crashpointtest embed CAIRN | daemon\n");
        return 2;
    }
    daemonMode = g_str_equal(argv[1], "daemon");
    cli = daemonMode ? NULL : argv[2];
    if (daemonMode) {
        g_autofree char *dir = g_build_filename(daemonTestDir(), "root", NULL);
        g_autofree char *uri = NULL;

        g_assert_cmpint(g_mkdir(dir, 0700), ==, 0);
        /* The paths daemonTestStart() uses, known before any start. */
        cairnd.socket = g_build_filename(daemonTestDir(), "sock", NULL);
        cairnd.log = g_build_filename(daemonTestDir(), "cairnd.log", NULL);
        uri = daemonTestURI(&cairnd, false);
        g_setenv("CAIRN_TEST_QEMU_ROOT", dir, TRUE);
        g_setenv("CAIRN_TEST_QEMU_URI", uri, TRUE);
    }
    root = bkTestSetup(daemonMode ? "crashpoints-daemon" : "crashpoints");
    for (size_t f = 0; f < G_N_ELEMENTS(families); f++) {
        /* Fleecing: the begin's points, embedded (time). */
        if (families[f].fleece && daemonMode)
            continue;
        crashDefine(&families[f]);
        for (int p = 0; p < CAIRN_CRASH_LAST; p++) {
            g_auto(crashIter) it = { 0 };
            bool crashed;

            /* Needs a guest agent: tests/qemu/quiesce.c covers it. */
            if (p == CAIRN_CRASH_QUIESCE_FROZEN)
                continue;
            if (families[f].fleece && !g_str_has_prefix(cairnCrashPointName(p), "backup-begin-"))
                continue;
            crashIterInit(&it, &families[f], cairnCrashPointName(p));
            crashed = crashBegin(&it) || crashEnd(&it);
            if (crashed) {
                hit[p] = true;
                crashes++;
            }
            fprintf(stderr, "%-10s %-28s %s\n", families[f].name, it.point,
                    crashed ? "crashed, recovered" : "not on this path");
            crashRecover(&it);
            /* Checkpoint create and delete, running and shut off. */
            if (families[f].pull || families[f].fleece)
                continue;
            crashIterClear(&it);
            memset(&it, 0, sizeof(it));
            crashIterInit(&it, &families[f], cairnCrashPointName(p));
            crashed = crashCheckpoint(&it);
            if (crashed) {
                hit[p] = true;
                crashes++;
            }
            fprintf(stderr, "%-10s %-28s %s\n", families[f].name, it.point,
                    crashed ? "checkpoint: crashed, recovered" : "checkpoint: not on this path");
            crashCheckpointRecover(&it);
        }
        if (families[f].pull)
            crashKillServer(&families[f]);
    }
    for (int p = 0; p < CAIRN_CRASH_LAST; p++) {
        if (!hit[p] && p != CAIRN_CRASH_QUIESCE_FROZEN)
            qemuTestFail(__FILE__, __LINE__, "crash point %s is on no path tested",
                         cairnCrashPointName(p));
        covered++;
    }
    printf("%u of %u crash points covered, %u crashes recovered (%s)\n", covered,
           (unsigned int)CAIRN_CRASH_LAST, crashes, daemonMode ? "through cairnd" : "embedded");
    return 0;
}
