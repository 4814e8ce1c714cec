/*
 * state-trust.c: read-only state queries trust the run state QEMU gave
 * this process for a short while (QEMU_STATE_TRUST_US), so a loop of
 * dominfo does not ask QEMU every time; but a change only QEMU knows (here
 * the VM paused behind Cairn's back) is still seen within that window, and
 * a QEMU that died is seen at once.
 */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cairn/cairn-qemu.h"
#include "qemutestutils.h"

#define NAME "trust"


/* Poll the state until it is @want or @limit_ms passes; the ms it took. */
static gint64
waitState(cairnDomainPtr dom, int want, int *reason, gint64 limit_ms)
{
    gint64 start = g_get_monotonic_time();
    int state = -1;

    for (;;) {
        gint64 took = (g_get_monotonic_time() - start) / 1000;

        QT_CHECK(cairnDomainGetState(dom, &state, reason, 0) == 0);
        if (state == want || took > limit_ms)
            return state == want ? took : -1;
        g_usleep(5000);
    }
}


/* pidfds this process holds. */
static guint
countPidfds(void)
{
    g_autoptr(GDir) d = g_dir_open("/proc/self/fd", 0, NULL);
    const char *ent;
    guint n = 0;

    while (d && (ent = g_dir_read_name(d))) {
        g_autofree char *path = g_strdup_printf("/proc/self/fd/%s", ent);
        g_autofree char *target = g_file_read_link(path, NULL);

        if (target && strstr(target, "pidfd"))
            n++;
    }
    return n;
}


int
main(void)
{
    const char *root G_GNUC_UNUSED = qemuTestSetup(NAME);
    g_autofree char *image = qemuTestMakeImage("disk.qcow2", "qcow2", "16M");
    g_autofree char *xml = qemuTestDomainXML(qemuTestVirtType(), NAME, image, "qcow2");
    cairnConnectPtr conn = qemuTestConnect();
    g_autofree char *reply = NULL;
    cairnDomainInfo info;
    cairnDomainPtr dom;
    struct pollfd pfd = { .fd = -1, .events = POLLIN };
    int reason = -1;
    int pidfd;
    pid_t pid;

    QT_CHECK((dom = cairnDomainDefineXML(conn, xml)) != NULL);
    QT_CHECK(cairnDomainCreate(dom) == 0);
    for (int i = 0; i < 200; i++)
        QT_CHECK(cairnDomainGetInfo(dom, &info) == 0 && info.state == CAIRN_DOMAIN_RUNNING);
    QT_CHECK(countPidfds() == 1);

    /* Paused behind Cairn's back: seen within the trust window (a second
     * is a generous bound for a 100 ms window). */
    QT_CHECK(cairnDomainQemuMonitorCommand(dom, "stop", &reply,
                                           CAIRN_DOMAIN_QEMU_MONITOR_COMMAND_HMP) == 0);
    QT_CHECK(waitState(dom, CAIRN_DOMAIN_PAUSED, &reason, 1000) >= 0);

    /* A QEMU that died is seen by the very next query, trust or not.
     * Died: every thread has exited (a SIGKILLed QEMU whose main thread
     * is gone may have others still exiting), which a pidfd tells; it may
     * stay a zombie if nothing reaps it. */
    QT_CHECK(cairnDomainGetInfo(dom, &info) == 0);
    QT_CHECK((pid = qemuTestDomainPid(NAME)) > 0);
    QT_CHECK((pidfd = (int)syscall(SYS_pidfd_open, pid, 0)) >= 0);
    QT_CHECK(kill(pid, SIGKILL) == 0);
    pfd.fd = pidfd;
    QT_CHECK(poll(&pfd, 1, 5000) == 1);
    close(pidfd);
    QT_CHECK(!qemuTestQemuRunning(NAME));
    QT_CHECK(waitState(dom, CAIRN_DOMAIN_SHUTOFF, &reason, 0) >= 0);
    QT_CHECK(reason == CAIRN_DOMAIN_SHUTOFF_CRASHED);
    /* The driver held the QEMU by a pidfd while it ran; not after it
     * crashed, nor after a destroy. */
    QT_CHECK(countPidfds() == 0);
    QT_CHECK(cairnDomainCreate(dom) == 0);
    QT_CHECK(cairnDomainGetInfo(dom, &info) == 0 && countPidfds() == 1);
    QT_CHECK(cairnDomainDestroy(dom) == 0);
    QT_CHECK(countPidfds() == 0);

    QT_CHECK(cairnDomainUndefine(dom) == 0);
    cairnDomainFree(dom);
    cairnConnectClose(conn);
    printf("ok\n");
    return 0;
}
