/*
 * race.c: two client processes, each with its own connection to the same
 * root, race start and destroy on one domain. Every call either works or
 * fails with "already running" / "not running"; never more than one QEMU
 * runs; afterwards the state a fresh connection reports matches reality.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "qemutestutils.h"

#define NAME "race"
#define ROUNDS 12


static int
racer(unsigned int seed)
{
    cairnConnectPtr conn = cairnConnectOpen(qemuTestURI());
    cairnDomainPtr dom = conn ? cairnDomainLookupByName(conn, NAME) : NULL;
    int done = 0;

    if (!dom)
        return 1;
    srand(seed);
    for (int i = 0; i < ROUNDS; i++) {
        bool start = rand() % 2 == 0;
        int rc = start ? cairnDomainCreate(dom) : cairnDomainDestroy(dom);

        if (rc == 0) {
            done++;
            continue;
        }
        if (cairnGetLastErrorCode() != CAIRN_ERR_OPERATION_INVALID) {
            fprintf(stderr, "racer %u: %s failed: %s\n", seed, start ? "start" : "destroy",
                    cairnGetLastErrorMessage());
            return 1;
        }
    }
    fprintf(stderr, "racer %u: %d of %d calls changed the state\n", seed, done, ROUNDS);
    cairnDomainFree(dom);
    cairnConnectClose(conn);
    return 0;
}


static pid_t
spawnRacer(unsigned int seed)
{
    pid_t pid = fork();

    QT_CHECK(pid >= 0);
    if (pid == 0)
        _exit(racer(seed));
    return pid;
}


/* Wait for both racers, checking meanwhile that at most one QEMU runs. */
static void
watchRacers(pid_t a, pid_t b)
{
    int left = 2;
    guint samples = 0;

    while (left > 0) {
        int status;
        pid_t pid;

        QT_CHECK(qemuTestCountQemu(NAME) <= 1);
        samples++;
        while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
            QT_CHECK(pid == a || pid == b);
            QT_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
            left--;
        }
        g_usleep(2000);
    }
    fprintf(stderr, "%u samples, never more than one QEMU\n", samples);
}


int
main(void)
{
    g_autofree char *image = NULL;
    g_autofree char *xml = NULL;
    cairnConnectPtr conn;
    cairnDomainPtr dom;
    bool running;

    qemuTestSetup(NAME);
    image = qemuTestMakeImage("disk.qcow2", "qcow2", "64M");
    xml = qemuTestDomainXML(qemuTestVirtType(), NAME, image, "qcow2");
    conn = qemuTestConnect();
    QT_CHECK((dom = cairnDomainDefineXML(conn, xml)) != NULL);
    cairnDomainFree(dom);
    cairnConnectClose(conn);

    watchRacers(spawnRacer(1), spawnRacer(2));

    conn = qemuTestConnect();
    QT_CHECK((dom = cairnDomainLookupByName(conn, NAME)) != NULL);
    running = qemuTestQemuRunning(NAME);
    QT_CHECK(cairnDomainIsActive(dom) == (running ? 1 : 0));
    QT_CHECK(qemuTestCountRunFiles(NAME ".xml") == (running ? 1u : 0u));
    QT_CHECK(qemuTestCountRunFiles(NAME ".qmp") == (running ? 1u : 0u));
    if (running)
        QT_CHECK(cairnDomainDestroy(dom) == 0);
    qemuTestExpectNothingLeft(NAME);
    /* The image is usable: nobody holds its lock. */
    QT_CHECK(cairnDomainCreate(dom) == 0);
    QT_CHECK(cairnDomainDestroy(dom) == 0);
    cairnDomainFree(dom);
    cairnConnectClose(conn);
    printf("race: ok (%s at the end)\n", running ? "running" : "shut off");
    return 0;
}
