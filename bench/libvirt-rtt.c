/*
 * libvirt-rtt.c: the round trips of remote-rtt.c, through libvirtd.
 *
 * Usage: libvirt-rtt URI DOMAIN-XML-FILE [N]
 *
 * Starts a transient domain from DOMAIN-XML-FILE on URI (e.g.
 * qemu:///system, served by libvirtd), creates one checkpoint, times N
 * virDomainGetInfo and N virDomainCheckpointGetXMLDesc in this process
 * and destroys the domain. libvirt is loaded with dlopen() so that the
 * build needs no libvirt headers: the few public calls used are declared
 * here from their documented prototypes. Exits 77 when libvirt.so.0 is
 * missing.
 */
#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <glib.h>

/* virDomainInfo, as libvirt-domain.h documents it. */
typedef struct {
    unsigned char state;
    unsigned long maxMem;
    unsigned long memory;
    unsigned short nrVirtCpu;
    unsigned long long cpuTime;
} lvDomainInfo;

typedef struct {
    void *(*connectOpen)(const char *name);
    int (*connectClose)(void *conn);
    void *(*domainCreateXML)(void *conn, const char *xml, unsigned int flags);
    int (*domainGetInfo)(void *dom, lvDomainInfo *info);
    int (*domainDestroy)(void *dom);
    int (*domainFree)(void *dom);
    void *(*checkpointCreateXML)(void *dom, const char *xml, unsigned int flags);
    char *(*checkpointGetXMLDesc)(void *chk, unsigned int flags);
    int (*checkpointFree)(void *chk);
    const char *(*lastError)(void);
} lvApi;


static bool
lvLoad(lvApi *api)
{
    void *lib = dlopen("libvirt.so.0", RTLD_NOW);
    struct {
        const char *name;
        void **slot;
    } syms[] = {
        { "virConnectOpen", (void **)&api->connectOpen },
        { "virConnectClose", (void **)&api->connectClose },
        { "virDomainCreateXML", (void **)&api->domainCreateXML },
        { "virDomainGetInfo", (void **)&api->domainGetInfo },
        { "virDomainDestroy", (void **)&api->domainDestroy },
        { "virDomainFree", (void **)&api->domainFree },
        { "virDomainCheckpointCreateXML", (void **)&api->checkpointCreateXML },
        { "virDomainCheckpointGetXMLDesc", (void **)&api->checkpointGetXMLDesc },
        { "virDomainCheckpointFree", (void **)&api->checkpointFree },
        { "virGetLastErrorMessage", (void **)&api->lastError },
    };

    if (!lib)
        return false;
    for (size_t i = 0; i < G_N_ELEMENTS(syms); i++) {
        if (!(*syms[i].slot = dlsym(lib, syms[i].name)))
            return false;
    }
    return true;
}


static void
report(const char *what, int n, gint64 t0)
{
    double us = (double)(g_get_monotonic_time() - t0);

    printf("%-18s %6d  %9.1f ms  %7.1f us/op\n", what, n, us / 1000, us / n);
}


int
main(int argc, char **argv)
{
    int n = argc > 3 ? atoi(argv[3]) : 1000;
    g_autofree char *xml = NULL;
    lvApi api = { 0 };
    lvDomainInfo info;
    void *conn, *dom, *chk;
    gint64 t0;

    if (argc < 3 || !g_file_get_contents(argv[2], &xml, NULL, NULL)) {
        fprintf(stderr, "usage: libvirt-rtt URI DOMAIN-XML-FILE [N]\n");
        return 2;
    }
    if (!lvLoad(&api)) {
        fprintf(stderr, "libvirt-rtt: libvirt.so.0 not usable: %s\n", dlerror());
        return 77;
    }
    if (!(conn = api.connectOpen(argv[1])) || !(dom = api.domainCreateXML(conn, xml, 0))) {
        fprintf(stderr, "libvirt-rtt: %s\n", api.lastError());
        return 1;
    }
    chk =
        api.checkpointCreateXML(dom, "<domaincheckpoint><name>bench</name></domaincheckpoint>", 0);
    /* libvirt's first call after a start can take long (see README). */
    api.domainGetInfo(dom, &info);
    printf("# domain state %d (1: running)\n", info.state);
    t0 = g_get_monotonic_time();
    for (int i = 0; i < n; i++) {
        if (api.domainGetInfo(dom, &info) < 0) {
            fprintf(stderr, "libvirt-rtt: %s\n", api.lastError());
            return 1;
        }
    }
    report("dominfo", n, t0);
    t0 = g_get_monotonic_time();
    for (int i = 0; chk && i < n; i++) {
        char *text = api.checkpointGetXMLDesc(chk, 0);

        if (!text) {
            fprintf(stderr, "libvirt-rtt: %s\n", api.lastError());
            return 1;
        }
        free(text);
    }
    if (chk) {
        report("checkpoint-dumpxml", n, t0);
        api.checkpointFree(chk);
    } else {
        fprintf(stderr, "libvirt-rtt: no checkpoint: %s\n", api.lastError());
    }
    api.domainDestroy(dom);
    api.domainFree(dom);
    api.connectClose(conn);
    return 0;
}
