/*
 * reconnecttest.c: when cairnd dies (kill -9) the client's calls fail
 * cleanly with CAIRN_ERR_RPC, closing the dead connection works, opening
 * fails with NO_CONNECT while no daemon listens, and once a daemon is
 * back (on the stale socket path) a new connection works.
 */
#include "cairn/cairn.h"
#include "daemontestutils.h"


int
main(int argc, char **argv)
{
    const char *const args[] = { "--test", NULL };
    g_auto(daemonTest) d = { 0 };
    g_autofree char *uri = NULL;
    cairnConnectPtr conn;
    cairnConnectPtr again;
    cairnDomainPtr dom;
    cairnDomainInfo info;

    daemonTestStart(&d, args);
    uri = daemonTestURI(&d, true);
    g_assert_nonnull(conn = cairnConnectOpen(uri));
    g_assert_nonnull(dom = cairnDomainLookupByName(conn, "test"));
    g_assert_cmpint(cairnDomainGetInfo(dom, &info), ==, 0);

    daemonTestStop(&d, true);
    g_assert_cmpint(cairnDomainGetInfo(dom, &info), ==, -1);
    g_assert_cmpint(cairnGetLastErrorCode(), ==, CAIRN_ERR_RPC);
    g_assert_cmpint(cairnGetLastErrorDomain(), ==, CAIRN_FROM_RPC);
    g_assert_nonnull(g_strstr_len(cairnGetLastErrorMessage(), -1, "closed"));
    g_assert_null(cairnDomainLookupByName(conn, "test"));
    g_assert_cmpint(cairnGetLastErrorCode(), ==, CAIRN_ERR_RPC);
    g_assert_null(cairnConnectOpen(uri));
    g_assert_cmpint(cairnGetLastErrorCode(), ==, CAIRN_ERR_NO_CONNECT);

    daemonTestStart(&d, args);
    g_assert_nonnull(again = cairnConnectOpen(uri));
    cairnDomainFree(dom);
    g_assert_cmpint(cairnConnectClose(conn), ==, 0);
    g_assert_nonnull(dom = cairnDomainLookupByName(again, "test"));
    g_assert_cmpint(cairnDomainGetInfo(dom, &info), ==, 0);
    g_assert_cmpint(info.state, ==, CAIRN_DOMAIN_RUNNING);
    cairnDomainFree(dom);
    g_assert_cmpint(cairnConnectClose(again), ==, 0);
    daemonTestStop(&d, false);
    g_print("reconnect: ok\n");
    return 0;
}
