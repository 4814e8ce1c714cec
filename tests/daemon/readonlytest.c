/*
 * readonlytest.c: a read-only peer can change nothing, and the daemon is
 * the one that says so.
 *
 * A raw D-Bus peer (not the library, whose own checks would answer first)
 * opens the daemon read-only and calls every method the protocol table
 * marks mutating, with well-formed arguments made from the interface
 * description, so a method added later is covered without editing this
 * test: each must fail with OPERATION_DENIED, and the peer's hypervisor
 * must look the same afterwards. A second ConnectOpen cannot turn the
 * connection read-write. Then the same through the library.
 */
#include <string.h>
#include <gio/gio.h>

#include "cairn/cairn.h"
#include "daemontestutils.h"
#include "remote/remote_error.h"
#include "remote/remote_protocol.h"

#define TEST_UUID "6695eb01-f6a4-8304-79aa-97f2502e193f"

static daemonTest daemonInst;


static GVariant *
rawCall(GDBusConnection *bus, const char *method, GVariant *args, GError **error)
{
    return g_dbus_connection_call_sync(bus, NULL, CAIRN_REMOTE_OBJECT_PATH, CAIRN_REMOTE_INTERFACE,
                                       method, args, NULL, G_DBUS_CALL_FLAGS_NONE, 10000, NULL,
                                       error);
}


static void
expectDenied(GDBusConnection *bus, const char *method)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GVariant) reply = rawCall(bus, method, daemonTestDefaultArgs(method), &err);
    g_autofree char *name = NULL;
    g_autofree char *want = remoteErrorName(CAIRN_FROM_RPC, CAIRN_ERR_OPERATION_DENIED);

    g_assert_null(reply);
    name = g_dbus_error_get_remote_error(err);
    if (g_strcmp0(name, want) != 0)
        g_error("%s on a read-only connection: %s (%s), not OPERATION_DENIED", method, err->message,
                name);
}


/* The peer's hypervisor as it started: "test" running, no checkpoint. */
static void
expectUnchanged(GDBusConnection *bus)
{
    g_autoptr(GVariant) state = NULL;
    g_autoptr(GVariant) chks = NULL;
    g_autoptr(GVariant) doms = NULL;
    gint32 st = 0;
    gint32 reason = 0;
    gint32 n = -1;

    state = rawCall(bus, "DomainGetState",
                    g_variant_new("(@(sayi)u)", daemonTestDomainVariant(), 0), NULL);
    g_assert_nonnull(state);
    g_variant_get(state, "(ii)", &st, &reason);
    g_assert_cmpint(st, ==, CAIRN_DOMAIN_RUNNING);
    chks = rawCall(bus, "DomainListAllCheckpoints",
                   g_variant_new("(@(sayi)ub)", daemonTestDomainVariant(), 0, TRUE), NULL);
    g_assert_nonnull(chks);
    g_variant_get_child(chks, 0, "i", &n);
    g_assert_cmpint(n, ==, 0);
    doms = rawCall(bus, "ConnectListAllDomains", g_variant_new("(ub)", 0, TRUE), NULL);
    g_assert_nonnull(doms);
    g_variant_get_child(doms, 0, "i", &n);
    g_assert_cmpint(n, ==, 1);
}


static void
testRawPeer(void)
{
    g_autofree char *address = daemonTestAddress(&daemonInst);
    g_autoptr(GDBusConnection) bus = NULL;
    g_autoptr(GVariant) reply = NULL;
    g_autoptr(GError) err = NULL;
    unsigned int denied = 0;

    bus = g_dbus_connection_new_for_address_sync(
        address, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT, NULL, NULL, &err);
    g_assert_no_error(err);
    reply = rawCall(bus, "ConnectOpen", g_variant_new("(su)", "test:///default", CAIRN_CONNECT_RO),
                    &err);
    g_assert_no_error(err);
    g_clear_pointer(&reply, g_variant_unref);
    /* No way back to read-write on the same connection. */
    reply = rawCall(bus, "ConnectOpen", g_variant_new("(su)", "test:///default", 0), &err);
    g_assert_null(reply);
    g_clear_error(&err);

    for (int i = 0; i < REMOTE_PROC_LAST; i++) {
        const remoteProcedureInfo *info = remoteProcedureGet(i);

        if (!info->mutating)
            continue;
        expectDenied(bus, info->method);
        denied++;
    }
    g_assert_cmpuint(denied, >=, 7);
    expectUnchanged(bus);
}


/* Through the library: the public layer refuses first, with libvirt's
 * message. */
static void
testLibrary(void)
{
    g_autofree char *uri = daemonTestURI(&daemonInst, true);
    cairnConnectPtr conn = cairnConnectOpenReadOnly(uri);
    cairnDomainPtr dom;
    cairnDomainCheckpointPtr *chks = NULL;
    char *reply = NULL;

    g_assert_nonnull(conn);
    g_assert_cmpint(cairnConnectIsReadOnly(conn), ==, 1);
    dom = cairnDomainLookupByName(conn, "test");
    g_assert_nonnull(dom);
    g_assert_cmpint(cairnDomainDestroy(dom), ==, -1);
    g_assert_cmpint(cairnGetLastErrorCode(), ==, CAIRN_ERR_OPERATION_DENIED);
    g_assert_cmpint(cairnDomainShutdown(dom), ==, -1);
    g_assert_cmpint(cairnDomainSuspend(dom), ==, -1);
    g_assert_cmpint(cairnGetLastErrorCode(), ==, CAIRN_ERR_OPERATION_DENIED);
    g_assert_cmpint(cairnDomainResume(dom), ==, -1);
    g_assert_cmpint(cairnGetLastErrorCode(), ==, CAIRN_ERR_OPERATION_DENIED);
    g_assert_cmpint(cairnDomainUndefine(dom), ==, -1);
    g_assert_null(cairnDomainCheckpointCreateXML(dom, "<domaincheckpoint/>", 0));
    g_assert_cmpint(cairnGetLastErrorCode(), ==, CAIRN_ERR_OPERATION_DENIED);
    g_assert_null(cairnDomainDefineXML(conn, "<domain/>"));
    g_assert_cmpint(cairnGetLastErrorCode(), ==, CAIRN_ERR_OPERATION_DENIED);
    g_assert_cmpint(cairnDomainQemuMonitorCommand(dom, "{}", &reply, 0), ==, -1);
    g_assert_cmpint(cairnGetLastErrorCode(), ==, CAIRN_ERR_OPERATION_DENIED);
    g_assert_null(cairnDomainGetXMLDesc(dom, CAIRN_DOMAIN_XML_SECURE));
    g_assert_cmpint(cairnGetLastErrorCode(), ==, CAIRN_ERR_OPERATION_DENIED);
    g_assert_cmpint(cairnDomainIsActive(dom), ==, 1);
    g_assert_cmpint(cairnDomainListAllCheckpoints(dom, &chks, 0), ==, 0);
    g_free(chks);
    cairnDomainFree(dom);
    cairnConnectClose(conn);
}


int
main(int argc, char **argv)
{
    const char *const args[] = { "--test", NULL };
    int ret;

    g_test_init(&argc, &argv, NULL);
    daemonTestStart(&daemonInst, args);
    g_test_add_func("/daemon/readonly/raw-peer", testRawPeer);
    g_test_add_func("/daemon/readonly/library", testLibrary);
    ret = g_test_run();
    daemonTestStop(&daemonInst, false);
    return ret;
}
