/*
 * quiesce.c: QUIESCE through a real qemu-ga in the test guest (one boot).
 *
 * The guest (tests/guest, cairn.agent=) mounts vda, an ext4 made here, runs
 * qemu-ga on the domain's <channel> and a loop writing seq=N to a file with
 * fsync every 20 ms; qemu-ga's freeze hook logs FREEZE/THAW with the guest's
 * uptime. It first holds the agent's port open without answering. Then:
 *
 * 1. a quiesced checkpoint while the port is closed fails with "QEMU guest
 *    agent is not connected", while it is open but unanswered with "Guest
 *    agent is not responding: Guest agent not available for now" (after
 *    the handshake's 5 s), and leaves no record and no checkpoint;
 * 2. once qemu-ga runs, a quiesced checkpoint is made;
 * 3. a quiesced full push backup of vda: its ext4 is clean (no
 *    needs_recovery: the freeze flushed the journal; e2fsck -fn passes) and
 *    its seq is the last write finished before the freeze; a backup
 *    without QUIESCE (the control) has needs_recovery set;
 * 4. checkpoint-create --quiesce in the CLI killed at quiesce-frozen
 *    (CAIRN_CRASH_AT) leaves the guest frozen and ROOT/run/NAME.frozen;
 *    the next call thaws it and drops the record;
 * 5. after the power button the guest writes its log to vdb: exactly the
 *    three FREEZE/THAW pairs (checkpoint, backup, killed CLI) in order; the
 *    backup holds every write finished before its FREEZE and none issued
 *    after its THAW; during the long freeze of 4 a write stalled for more
 *    than a second (a loop write takes a few hundredths otherwise).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "backuptestutils.h"

#define NAME "quiesce"
#define VDA_ONLY(name)                                                                             \
 "<domaincheckpoint><name>" name "</name><disks><disk name='vda'/>"                                \
 "<disk name='vdb' checkpoint='no'/></disks></domaincheckpoint>"

static const char *root;

typedef struct {
    double freeze;
    double thaw;
} Frozen;

typedef struct {
    int seq;
    double issued;
    double done;
} Write;


static char *
domainXML(const char *kernel, const char *initrd, const char *fs, const char *log)
{
    return g_strdup_printf(
        "<domain type='qemu'>\n"
        "  <name>" NAME "</name>\n"
        "  <memory unit='MiB'>256</memory>\n"
        "  <os>\n"
        "    <type arch='x86_64' machine='q35'>hvm</type>\n"
        "    <kernel>%s</kernel>\n"
        "    <initrd>%s</initrd>\n"
        "    <cmdline>console=ttyS0 quiet panic=-1 cryptomgr.notests rodata=off "
        "cairn.agent=vda cairn.agent.loop=20 cairn.agent.log=vdb cairn.agent.mute=7000 "
        "cairn.wait=1</cmdline>\n"
        "  </os>\n"
        "  <features><acpi/></features>\n"
        "  <devices>\n"
        "    <disk type='file' device='disk'>\n"
        "      <driver name='qemu' type='qcow2'/>\n"
        "      <source file='%s'/>\n"
        "      <target dev='vda' bus='virtio'/>\n"
        "    </disk>\n"
        "    <disk type='file' device='disk'>\n"
        "      <driver name='qemu' type='raw'/>\n"
        "      <source file='%s'/>\n"
        "      <target dev='vdb' bus='virtio'/>\n"
        "    </disk>\n"
        "    <channel type='unix'>\n"
        "      <target type='virtio' name='org.qemu.guest_agent.0'/>\n"
        "    </channel>\n"
        "  </devices>\n"
        "</domain>\n",
        kernel, initrd, fs, log);
}


static char *
makeFilesystem(void)
{
    g_autofree char *raw = qemuTestMakeImage("fs.raw", "raw", "32M");
    g_autofree char *qcow2 = g_build_filename(root, "images", "fs.qcow2", NULL);
    const char *mkfs[] = { "mkfs.ext4", "-q", "-F", raw, NULL };
    const char *conv[] = { "qemu-img", "convert", "-O", "qcow2", raw, qcow2, NULL };

    QT_CHECK(qemuTestRun(mkfs) && qemuTestRun(conv));
    return g_steal_pointer(&qcow2);
}


static char *
frozenRecord(void)
{
    return g_build_filename(root, "run", NAME ".frozen", NULL);
}


/* 1: not connected, then not responding, until the mute phase ends. */
static void
testUnresponsive(cairnDomainPtr dom)
{
    g_autofree char *record = frozenRecord();
    gint64 deadline = g_get_monotonic_time() + 120 * G_USEC_PER_SEC;
    bool not_connected = false;

    for (;;) {
        cairnErrorPtr err;

        QT_CHECK(g_get_monotonic_time() < deadline);
        QT_CHECK(cairnDomainCheckpointCreateXML(dom, VDA_ONLY("early"),
                                                CAIRN_DOMAIN_CHECKPOINT_CREATE_QUIESCE) == NULL);
        err = cairnGetLastError();
        QT_CHECK(err && err->code == CAIRN_ERR_AGENT_UNRESPONSIVE);
        if (strstr(err->message, "QEMU guest agent is not connected")) {
            not_connected = true;
            g_usleep(100 * G_TIME_SPAN_MILLISECOND);
            continue;
        }
        QT_CHECK(g_str_equal(err->message,
                             "Guest agent is not responding: Guest agent not available for now"));
        break;
    }
    QT_CHECK(not_connected);
    QT_CHECK(!g_file_test(record, G_FILE_TEST_EXISTS));
    QT_CHECK(cairnDomainCheckpointLookupByName(dom, "early", 0) == NULL);
}


/* 2: as soon as qemu-ga answers. */
static void
testCheckpoint(cairnDomainPtr dom)
{
    gint64 deadline = g_get_monotonic_time() + 60 * G_USEC_PER_SEC;
    cairnDomainCheckpointPtr chk;

    while (!(chk = cairnDomainCheckpointCreateXML(dom, VDA_ONLY("c1"),
                                                  CAIRN_DOMAIN_CHECKPOINT_CREATE_QUIESCE))) {
        QT_CHECK(cairnGetLastErrorCode() == CAIRN_ERR_AGENT_UNRESPONSIVE);
        QT_CHECK(g_get_monotonic_time() < deadline);
        g_usleep(100 * G_TIME_SPAN_MILLISECOND);
    }
    cairnDomainCheckpointFree(chk);
}


static void
pushBackup(cairnDomainPtr dom, const char *target, unsigned int flags)
{
    g_autofree char *xml =
        g_strdup_printf("<domainbackup><disks><disk name='vda' type='file'><target file='%s'/>"
                        "<driver type='qcow2'/></disk><disk name='vdb' backup='no'/></disks>"
                        "</domainbackup>",
                        target);
    bool success = false;

    bkTestBegin(dom, xml, NULL, flags);
    bkTestWaitDone(dom, 120);
    bkTestCompleted(dom, &success, NULL);
    QT_CHECK(success);
}


/* The ext4 of a backup: whether it needs journal recovery, its /seq (when
 * @ret_seq is not NULL; e2fsck -fn must pass then too). */
static void
inspectBackup(const char *target, bool *ret_needs_recovery, int *ret_seq)
{
    g_autofree char *raw = g_strconcat(target, ".raw", NULL);
    const char *conv[] = { "qemu-img", "convert", "-O", "raw", target, raw, NULL };
    const char *dump[] = { "dumpe2fs", "-h", raw, NULL };
    const char *cat[] = { "debugfs", "-R", "cat /seq", raw, NULL };
    g_autofree char *header = NULL;
    g_autofree char *seq = NULL;

    QT_CHECK(qemuTestRun(conv));
    header = bkTestOutput(dump);
    *ret_needs_recovery = strstr(header, "needs_recovery") != NULL;
    if (ret_seq) {
        const char *fsck[] = { "e2fsck", "-fn", raw, NULL };

        QT_CHECK(qemuTestRun(fsck));
    }
    /* A backup that needs recovery has its newest data in the journal,
     * which debugfs does not replay: its /seq says nothing. */
    if (!ret_seq)
        return;
    seq = bkTestOutput(cat);
    if (sscanf(seq, "seq=%d", ret_seq) != 1)
        qemuTestFail(__FILE__, __LINE__, "%s: /seq holds '%s'", target, seq);
}


/* 4: kill -9 while frozen; the next call thaws. */
static void
testKilled(cairnDomainPtr dom, const char *cli)
{
    g_autofree char *record = frozenRecord();
    g_autofree char *uri = g_strdup(qemuTestURI());
    g_autofree char *xmlfile = g_build_filename(root, "c2.xml", NULL);
    g_autoptr(GError) err = NULL;
    cairnDomainCheckpointPtr chk;
    int status = 0;

    QT_CHECK(g_file_set_contents(xmlfile, VDA_ONLY("c2"), -1, NULL));
    {
        const char *full[] = {
            cli, "-c", uri, "checkpoint-create", NAME, xmlfile, "--quiesce", NULL
        };
        g_auto(GStrv) env =
            g_environ_setenv(g_get_environ(), "CAIRN_CRASH_AT", "quiesce-frozen", TRUE);

        QT_CHECK(g_spawn_sync(NULL, (char **)full, env, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                              NULL, NULL, &status, &err));
    }
    QT_CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    QT_CHECK(g_file_test(record, G_FILE_TEST_EXISTS));
    /* Frozen long enough for the guest's loop to stall visibly. */
    g_usleep(1500 * G_TIME_SPAN_MILLISECOND);
    QT_CHECK(g_file_test(record, G_FILE_TEST_EXISTS));
    chk = cairnDomainCheckpointCreateXML(dom, VDA_ONLY("c3"), 0);
    QT_CHECK(chk != NULL);
    cairnDomainCheckpointFree(chk);
    QT_CHECK(!g_file_test(record, G_FILE_TEST_EXISTS));
}


/* The log the guest wrote to vdb. */
static void
readLog(const char *log, GArray *frozen, GArray *writes)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    double open_freeze = -1;

    QT_CHECK(g_file_get_contents(log, &text, NULL, NULL));
    lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++) {
        Write w;
        double t;

        if (sscanf(*l, "CAIRN-AGENT-FREEZE up=%lf", &t) == 1) {
            QT_CHECK(open_freeze < 0);
            open_freeze = t;
        } else if (sscanf(*l, "CAIRN-AGENT-THAW up=%lf", &t) == 1) {
            Frozen f = { open_freeze, t };

            QT_CHECK(open_freeze >= 0 && t >= open_freeze);
            g_array_append_val(frozen, f);
            open_freeze = -1;
        } else if (sscanf(*l, "W %d %lf %lf", &w.seq, &w.issued, &w.done) == 3) {
            g_array_append_val(writes, w);
        }
    }
    QT_CHECK(open_freeze < 0);
}


/* 5, and the backup's seq against the backup's freeze. */
static void
checkLog(const char *log, int backup_seq)
{
    g_autoptr(GArray) frozen = g_array_new(FALSE, FALSE, sizeof(Frozen));
    g_autoptr(GArray) writes = g_array_new(FALSE, FALSE, sizeof(Write));
    const Frozen *bk;
    const Frozen *killed;
    bool stalled = false;

    readLog(log, frozen, writes);
    fprintf(stderr, "guest log: %u freezes, %u writes\n", frozen->len, writes->len);
    QT_CHECK(frozen->len == 3);
    QT_CHECK(writes->len > 10);
    /* The hook logs FREEZE before qemu-ga freezes (under TCG up to a few
     * tenths of a second before) and THAW after it thawed: a write done
     * before FREEZE was flushed by the freeze, one issued after THAW came
     * after the copy's point in time. */
    bk = &g_array_index(frozen, Frozen, 1);
    for (guint j = 0; j < writes->len; j++) {
        const Write *w = &g_array_index(writes, Write, j);

        if (w->done < bk->freeze)
            QT_CHECK(w->seq <= backup_seq);
        if (w->issued > bk->thaw)
            QT_CHECK(w->seq > backup_seq);
    }
    /* the freeze left by the killed CLI stalled a write until the thaw */
    killed = &g_array_index(frozen, Frozen, 2);
    QT_CHECK(killed->thaw - killed->freeze >= 1.5);
    for (guint j = 0; j < writes->len; j++) {
        const Write *w = &g_array_index(writes, Write, j);

        if (w->issued >= killed->freeze - 0.5 && w->done <= killed->thaw + 0.5 &&
            w->done - w->issued >= 1.0)
            stalled = true;
        else if (w->done >= killed->freeze - 1 && w->issued <= killed->thaw + 1)
            fprintf(stderr, "around the long freeze %.2f .. %.2f: write %d %.2f .. %.2f\n",
                    killed->freeze, killed->thaw, w->seq, w->issued, w->done);
    }
    QT_CHECK(stalled);
}


int
main(int argc, char **argv)
{
    g_autofree char *kernel = NULL;
    g_autofree char *initrd = NULL;
    g_autofree char *fs = NULL;
    g_autofree char *log = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *quiesced = NULL;
    g_autofree char *plain = NULL;
    cairnConnectPtr conn;
    cairnDomainPtr dom;
    bool needs_recovery = true;
    int seq = 0;

    if (argc != 2) {
        fprintf(stderr, "usage: %s CAIRN\n", argv[0]);
        return 2;
    }
    root = bkTestSetup(NAME);
    qemuTestBuildGuest(root, &kernel, &initrd);
    fs = makeFilesystem();
    log = qemuTestMakeImage("log.raw", "raw", "1M");
    quiesced = g_build_filename(root, "images", "quiesced.qcow2", NULL);
    plain = g_build_filename(root, "images", "plain.qcow2", NULL);
    xml = domainXML(kernel, initrd, fs, log);
    conn = qemuTestConnect();
    QT_CHECK((dom = cairnDomainDefineXML(conn, xml)) != NULL);
    QT_CHECK(cairnDomainCreate(dom) == 0);

    testUnresponsive(dom);
    testCheckpoint(dom);
    pushBackup(dom, quiesced, CAIRN_DOMAIN_BACKUP_BEGIN_QUIESCE);
    pushBackup(dom, plain, 0);
    testKilled(dom, argv[1]);

    QT_CHECK(cairnDomainShutdown(dom) == 0);
    QT_CHECK(qemuTestWaitShutoff(dom, 60, NULL) == CAIRN_DOMAIN_SHUTOFF);

    inspectBackup(quiesced, &needs_recovery, &seq);
    QT_CHECK(!needs_recovery);
    inspectBackup(plain, &needs_recovery, NULL);
    QT_CHECK(needs_recovery);
    checkLog(log, seq);

    cairnDomainFree(dom);
    cairnConnectClose(conn);
    printf("quiesce: ok (backup at seq=%d)\n", seq);
    return 0;
}
