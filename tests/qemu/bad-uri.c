/*
 * bad-uri.c: qemu:///embed URIs without a usable root fail with a clear
 * error; a missing root is created. (Other qemu:// URIs are the remote
 * driver's.)
 */
#include <stdio.h>

#include "qemutestutils.h"


static void
expectOpenFails(const char *uri, int code, const char *needle)
{
    cairnConnectPtr conn = cairnConnectOpen(uri);

    QT_CHECK(conn == NULL);
    qemuTestExpectError(code, needle);
}


int
main(void)
{
    g_autofree char *file = NULL;
    g_autofree char *uri = NULL;
    g_autofree char *nested = NULL;
    cairnConnectPtr conn;
    const char *root;

    root = qemuTestSetup("uri");
    expectOpenFails("qemu:///embed", CAIRN_ERR_INVALID_ARG, "needs a root directory");
    expectOpenFails("qemu:///embed?root=relative/dir", CAIRN_ERR_INVALID_ARG, "absolute path");
    expectOpenFails("qemu:///embed?root=/tmp&colour=blue", CAIRN_ERR_INVALID_ARG,
                    "unknown parameter 'colour'");
    file = g_build_filename(root, "a-file", NULL);
    QT_CHECK(g_file_set_contents(file, "x", 1, NULL));
    uri = g_strdup_printf("qemu:///embed?root=%s", file);
    expectOpenFails(uri, CAIRN_ERR_SYSTEM_ERROR, "cannot create directory");

    /* A missing root is created. */
    nested = g_strdup_printf("qemu:///embed?root=%s/new/root", root);
    QT_CHECK((conn = cairnConnectOpen(nested)) != NULL);
    QT_CHECK(cairnConnectListAllDomains(conn, NULL, 0) == 0);
    cairnConnectClose(conn);
    printf("bad-uri: ok\n");
    return 0;
}
