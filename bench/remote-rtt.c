/*
 * remote-rtt.c: API round trips in one process.
 *
 * Usage: remote-rtt URI [N] [DOMAIN]
 *
 * Opens URI, looks up DOMAIN (default: the first one listed), then times
 * N cairnDomainGetInfo
 * (what `dominfo` costs) and, after creating one checkpoint when the
 * domain has none, N cairnDomainCheckpointGetXMLDesc. Prints per-call µs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <glib.h>

#include <cairn/cairn.h>


static double
nowUs(void)
{
    return (double)g_get_monotonic_time();
}


int
main(int argc, char **argv)
{
    int n = argc > 2 ? atoi(argv[2]) : 1000;
    cairnConnectPtr conn;
    cairnDomainPtr *doms = NULL;
    cairnDomainCheckpointPtr *chks = NULL;
    cairnDomainCheckpointPtr chk;
    cairnDomainInfo info;
    double t0;

    if (argc < 2 || !(conn = cairnConnectOpen(argv[1])) ||
        cairnConnectListAllDomains(conn, &doms, 0) < 1 ||
        (argc > 3 && !(doms[0] = cairnDomainLookupByName(conn, argv[3])))) {
        fprintf(stderr, "remote-rtt: %s\n", cairnGetLastErrorMessage());
        return 1;
    }
    if (cairnDomainGetInfo(doms[0], &info) < 0)
        return 1;
    printf("# domain %s, state %d (1: running)\n", cairnDomainGetName(doms[0]), info.state);
    t0 = nowUs();
    for (int i = 0; i < n; i++) {
        if (cairnDomainGetInfo(doms[0], &info) < 0)
            return 1;
    }
    printf("dominfo            %6d  %9.1f ms  %7.1f us/op\n", n, (nowUs() - t0) / 1000,
           (nowUs() - t0) / n);
    if (cairnDomainListAllCheckpoints(doms[0], &chks, 0) < 1) {
        chk = cairnDomainCheckpointCreateXML(doms[0],
                                             "<domaincheckpoint><name>bench</name>"
                                             "</domaincheckpoint>",
                                             0);
    } else {
        chk = chks[0];
    }
    if (!chk) {
        fprintf(stderr, "remote-rtt: %s\n", cairnGetLastErrorMessage());
        return 1;
    }
    t0 = nowUs();
    for (int i = 0; i < n; i++) {
        char *xml = cairnDomainCheckpointGetXMLDesc(chk, 0);

        if (!xml)
            return 1;
        free(xml);
    }
    printf("checkpoint-dumpxml %6d  %9.1f ms  %7.1f us/op\n", n, (nowUs() - t0) / 1000,
           (nowUs() - t0) / n);
    cairnConnectClose(conn);
    return 0;
}
