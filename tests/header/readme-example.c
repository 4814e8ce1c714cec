/* Make two checkpoints of the test driver's domain and list them. */
#include <stdio.h>
#include <stdlib.h>
#include <cairn/cairn.h>

static int
fail(const char *what)
{
    fprintf(stderr, "%s: %s\n", what, cairnGetLastErrorMessage());
    return EXIT_FAILURE;
}

int
main(void)
{
    static const char *const xml[] = {
        "<domaincheckpoint><name>c1</name></domaincheckpoint>",
        "<domaincheckpoint><name>c2</name>"
        "<description>after the upgrade</description></domaincheckpoint>",
    };
    cairnConnectPtr conn;
    cairnDomainPtr dom;
    cairnDomainCheckpointPtr *list;
    int n;
    int i;

    if (!(conn = cairnConnectOpen("test:///default")))
        return fail("connect");
    if (!(dom = cairnDomainLookupByName(conn, "test")))
        return fail("lookup");

    /* c2 becomes the current checkpoint, a child of c1. */
    for (i = 0; i < 2; i++) {
        cairnDomainCheckpointPtr chk = cairnDomainCheckpointCreateXML(dom, xml[i], 0);

        if (!chk)
            return fail("checkpoint");
        cairnDomainCheckpointFree(chk);
    }

    n = cairnDomainListAllCheckpoints(dom, &list, CAIRN_DOMAIN_CHECKPOINT_LIST_TOPOLOGICAL);
    if (n < 0)
        return fail("list");
    for (i = 0; i < n; i++) {
        printf("%s\n", cairnDomainCheckpointGetName(list[i]));
        cairnDomainCheckpointFree(list[i]);
    }
    free(list);

    cairnDomainFree(dom);
    cairnConnectClose(conn);
    return EXIT_SUCCESS;
}
