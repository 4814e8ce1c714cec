/*
 * limitstest.c: what the daemon refuses from a peer it does not trust:
 * strings over the protocol's size limit, names that are not one path
 * component, UUIDs of the wrong size, calls before ConnectOpen, a URI the
 * daemon does not serve, unknown flags.
 */
#include <string.h>
#include <gio/gio.h>

#include "cairn/cairn.h"
#include "daemontestutils.h"
#include "remote/remote_error.h"
#include "remote/remote_protocol.h"

static daemonTest daemonInst;
static GDBusConnection *bus;


static void
expectError(const char *method, GVariant *args, int code)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GVariant) reply = NULL;
    g_autofree char *name = NULL;
    g_autofree char *suffix = g_strdup_printf(".Code%d", code);

    reply =
        g_dbus_connection_call_sync(bus, NULL, CAIRN_REMOTE_OBJECT_PATH, CAIRN_REMOTE_INTERFACE,
                                    method, args, NULL, G_DBUS_CALL_FLAGS_NONE, 10000, NULL, &err);
    g_assert_null(reply);
    name = g_dbus_error_get_remote_error(err);
    if (!name || !g_str_has_suffix(name, suffix))
        g_error("%s: %s (%s), expected code %d", method, err->message, name, code);
}


static GVariant *
domainArg(const char *name, gsize uuidlen)
{
    unsigned char uuid[32] = { 0x66, 0x95 };

    return g_variant_new("(s@ayi)", name,
                         g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, uuid, uuidlen, 1), 1);
}


static void
testBeforeOpen(void)
{
    expectError("ConnectListAllDomains", g_variant_new("(ub)", 0, TRUE), CAIRN_ERR_INVALID_CONN);
    expectError("ConnectOpen", g_variant_new("(su)", "qemu:///system", 0), CAIRN_ERR_NO_CONNECT);
    expectError("ConnectOpen", g_variant_new("(su)", "test:///default", 0x100),
                CAIRN_ERR_INVALID_ARG);
}


static void
testAfterOpen(void)
{
    g_autofree char *big = g_malloc(CAIRN_REMOTE_STRING_MAX + 2);
    g_autoptr(GVariant) reply = NULL;

    reply = g_dbus_connection_call_sync(bus, NULL, CAIRN_REMOTE_OBJECT_PATH, CAIRN_REMOTE_INTERFACE,
                                        "ConnectOpen", g_variant_new("(su)", "test:///default", 0),
                                        NULL, G_DBUS_CALL_FLAGS_NONE, 10000, NULL, NULL);
    g_assert_nonnull(reply);
    memset(big, 'a', CAIRN_REMOTE_STRING_MAX + 1);
    big[CAIRN_REMOTE_STRING_MAX + 1] = '\0';
    expectError("DomainDefineXML", g_variant_new("(su)", big, 0), CAIRN_ERR_INVALID_ARG);
    expectError("DomainGetXMLDesc", g_variant_new("(@(sayi)u)", domainArg("../test", 16), 0),
                CAIRN_ERR_INVALID_ARG);
    expectError("DomainGetXMLDesc", g_variant_new("(@(sayi)u)", domainArg("a/b", 16), 0),
                CAIRN_ERR_INVALID_ARG);
    expectError("DomainGetXMLDesc", g_variant_new("(@(sayi)u)", domainArg("test", 3), 0),
                CAIRN_ERR_INVALID_ARG);
    expectError("DomainCheckpointGetXMLDesc",
                g_variant_new("(@(sayi)su)", domainArg("test", 16), "..", 0),
                CAIRN_ERR_INVALID_ARG);
    expectError("DomainLookupByName", g_variant_new("(s)", "../../etc/passwd"),
                CAIRN_ERR_NO_DOMAIN);
    expectError("DomainDefineXML",
                g_variant_new("(su)", "<domain type='qemu'><name>..</name></domain>", 0),
                CAIRN_ERR_XML_ERROR);
    expectError("DomainCheckpointCreateXML",
                g_variant_new("(@(sayi)su)", domainArg("test", 16),
                              "<domaincheckpoint><name>a/b</name></domaincheckpoint>", 0),
                CAIRN_ERR_XML_INVALID_SCHEMA);
    expectError("DomainGetState", g_variant_new("(@(sayi)u)", domainArg("test", 16), 0x80),
                CAIRN_ERR_INVALID_ARG);
}


int
main(int argc, char **argv)
{
    const char *const args[] = { "--test", NULL };
    g_autofree char *address = NULL;
    int ret;

    g_test_init(&argc, &argv, NULL);
    daemonTestStart(&daemonInst, args);
    address = daemonTestAddress(&daemonInst);
    bus = g_dbus_connection_new_for_address_sync(
        address, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT, NULL, NULL, NULL);
    g_assert_nonnull(bus);
    g_test_add_func("/daemon/limits/before-open", testBeforeOpen);
    g_test_add_func("/daemon/limits/after-open", testAfterOpen);
    ret = g_test_run();
    g_object_unref(bus);
    daemonTestStop(&daemonInst, false);
    return ret;
}
