/*
 * gen-daemon-corpus.c: writes the seed corpus of fuzz-daemon, call channel
 * streams of valid (and a few refused) calls, one file per seed:
 *
 *   gen-daemon-corpus tests/fuzz/corpus/daemon
 *
 * Built with the fuzz targets, not run by the tests: the seeds are
 * committed, and rerunning this must give the same bytes. Each file is a
 * whole session of one peer, since fuzz-daemon gives every input a fresh
 * test driver: calls that need a checkpoint or a backup come after the
 * call that makes it. A seed that starts with ConnectOpen starts
 * unconnected; the others with test:///default open (see fuzz-daemon.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>

#include "remote/remote_protocol.h"

/* The test driver's domain "test" (src/test/test_driver.c). */
static const guint8 fuzzTestUUID[16] = {
    0x66, 0x95, 0xeb, 0x01, 0xf6, 0xa4, 0x83, 0x04, 0x79, 0xaa, 0x97, 0xf2, 0x50, 0x2e, 0x19, 0x3f,
};

static const char fuzzCheckpointXML[] =
    "<domaincheckpoint><name>c1</name><description>seed</description>"
    "<disks><disk name='vda' checkpoint='bitmap'/></disks></domaincheckpoint>";

static const char fuzzBackupXML[] =
    "<domainbackup mode='push'><disks>"
    "<disk name='vda' backup='yes' type='file'><driver type='qcow2'/>"
    "<target file='/tmp/cairn-fuzz/vda.qcow2'/></disk>"
    "</disks></domainbackup>";

typedef struct {
    GByteArray *bytes;
    guint32 serial;
} fuzzStream;


/* The domain argument (sayi) of "test". Floating. */
static GVariant *
fuzzDomain(void)
{
    return g_variant_new(
        "(s@ayi)", "test",
        g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, fuzzTestUUID, sizeof(fuzzTestUUID), 1), 1);
}


/* Append a call of @method on @iface at @path with @args (floating; NULL
 * for none) to @stream. */
static void
fuzzCallAt(
    fuzzStream *stream, const char *path, const char *iface, const char *method, GVariant *args)
{
    g_autoptr(GDBusMessage) msg = g_dbus_message_new_method_call(NULL, path, iface, method);
    g_autoptr(GError) err = NULL;
    g_autofree guchar *blob = NULL;
    gsize len = 0;

    if (args)
        g_dbus_message_set_body(msg, args);
    g_dbus_message_set_serial(msg, ++stream->serial);
    if (!(blob = g_dbus_message_to_blob(msg, &len, G_DBUS_CAPABILITY_FLAGS_NONE, &err)))
        g_error("%s: %s", method, err->message);
    g_byte_array_append(stream->bytes, blob, (guint)len);
}


static void
fuzzCall(fuzzStream *stream, const char *method, GVariant *args)
{
    fuzzCallAt(stream, CAIRN_REMOTE_OBJECT_PATH, CAIRN_REMOTE_INTERFACE, method, args);
}


/* Start a new seed. */
static fuzzStream *
fuzzStreamNew(void)
{
    fuzzStream *stream = g_new0(fuzzStream, 1);

    stream->bytes = g_byte_array_new();
    return stream;
}


/* Write @stream as @dir/@name and free it. */
static void
fuzzStreamSave(fuzzStream *stream, const char *dir, const char *name)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    g_autoptr(GError) err = NULL;

    if (!g_file_set_contents(path, (const char *)stream->bytes->data, stream->bytes->len, &err))
        g_error("%s", err->message);
    g_byte_array_unref(stream->bytes);
    g_free(stream);
}


int
main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : NULL;
    fuzzStream *s;

    if (!dir) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return EXIT_FAILURE;
    }

    s = fuzzStreamNew();
    fuzzCall(s, "ConnectOpen", g_variant_new("(su)", "test:///default", 0));
    fuzzStreamSave(s, dir, "connect-open");

    s = fuzzStreamNew();
    fuzzCall(s, "ConnectOpen", g_variant_new("(su)", "test:///default", 1));
    fuzzCall(s, "DomainCheckpointCreateXML",
             g_variant_new("(@(sayi)su)", fuzzDomain(), fuzzCheckpointXML, 0));
    fuzzCall(s, "DomainGetInfo", g_variant_new("(@(sayi))", fuzzDomain()));
    fuzzStreamSave(s, dir, "connect-open-readonly");

    s = fuzzStreamNew();
    fuzzCall(s, "ConnectOpen", g_variant_new("(su)", "qemu:///system", 0));
    fuzzCall(s, "ConnectListAllDomains", g_variant_new("(ub)", 0, TRUE));
    fuzzStreamSave(s, dir, "connect-open-other-uri");

    s = fuzzStreamNew();
    fuzzCall(s, "ConnectListAllDomains", g_variant_new("(ub)", 0, TRUE));
    fuzzStreamSave(s, dir, "list-all-domains");

    s = fuzzStreamNew();
    fuzzCall(s, "DomainLookupByName", g_variant_new("(s)", "test"));
    fuzzStreamSave(s, dir, "lookup-by-name");

    s = fuzzStreamNew();
    fuzzCall(s, "DomainGetInfo", g_variant_new("(@(sayi))", fuzzDomain()));
    fuzzStreamSave(s, dir, "get-info");

    s = fuzzStreamNew();
    fuzzCall(s, "DomainGetXMLDesc", g_variant_new("(@(sayi)u)", fuzzDomain(), 0));
    fuzzStreamSave(s, dir, "get-xml-desc");

    s = fuzzStreamNew();
    fuzzCall(s, "DomainCheckpointCreateXML",
             g_variant_new("(@(sayi)su)", fuzzDomain(), fuzzCheckpointXML, 0));
    fuzzStreamSave(s, dir, "checkpoint-create");

    s = fuzzStreamNew();
    fuzzCall(s, "DomainListAllCheckpoints", g_variant_new("(@(sayi)ub)", fuzzDomain(), 0, TRUE));
    fuzzStreamSave(s, dir, "list-all-checkpoints");

    s = fuzzStreamNew();
    fuzzCall(s, "DomainCheckpointCreateXML",
             g_variant_new("(@(sayi)su)", fuzzDomain(), fuzzCheckpointXML, 0));
    fuzzCall(s, "DomainCheckpointGetXMLDesc", g_variant_new("(@(sayi)su)", fuzzDomain(), "c1", 0));
    fuzzStreamSave(s, dir, "checkpoint-get-xml-desc");

    s = fuzzStreamNew();
    fuzzCall(s, "DomainCheckpointCreateXML",
             g_variant_new("(@(sayi)su)", fuzzDomain(), fuzzCheckpointXML, 0));
    fuzzCall(s, "DomainCheckpointDelete", g_variant_new("(@(sayi)su)", fuzzDomain(), "c1", 0));
    fuzzStreamSave(s, dir, "checkpoint-delete");

    s = fuzzStreamNew();
    fuzzCall(s, "DomainBackupBegin",
             g_variant_new("(@(sayi)ssu)", fuzzDomain(), fuzzBackupXML,
                           "<domaincheckpoint><name>b1</name></domaincheckpoint>", 0));
    fuzzCall(s, "DomainBackupGetXMLDesc", g_variant_new("(@(sayi)u)", fuzzDomain(), 0));
    fuzzStreamSave(s, dir, "backup-begin");

    s = fuzzStreamNew();
    fuzzCall(s, "DomainBackupBegin",
             g_variant_new("(@(sayi)ssu)", fuzzDomain(), "<domainbackup/>", "", 0));
    fuzzCall(s, "DomainGetJobInfo", g_variant_new("(@(sayi))", fuzzDomain()));
    fuzzCall(s, "DomainAbortJob", g_variant_new("(@(sayi)u)", fuzzDomain(), 0));
    fuzzStreamSave(s, dir, "get-job-info");

    s = fuzzStreamNew();
    fuzzCall(s, "DomainNoSuchMethod", NULL);
    fuzzCallAt(s, "/org/cairn/Other", CAIRN_REMOTE_INTERFACE, "ConnectClose", NULL);
    fuzzCallAt(s, CAIRN_REMOTE_OBJECT_PATH, "org.freedesktop.DBus.Peer", "Ping", NULL);
    fuzzStreamSave(s, dir, "unknown-method");

    s = fuzzStreamNew();
    fuzzCall(s, "DomainLookupByName", g_variant_new("(u)", 7));
    fuzzStreamSave(s, dir, "wrong-signature");

    /* Serial 0, which D-Bus forbids: the reader refuses it (it used to
     * make a GLib critical when answered). */
    s = fuzzStreamNew();
    fuzzCall(s, "ConnectGetLibVersion", NULL);
    memset(s->bytes->data + 8, 0, 4);
    fuzzStreamSave(s, dir, "serial-zero");

    s = fuzzStreamNew();
    fuzzCall(s, "ConnectGetLibVersion", NULL);
    fuzzCall(s, "DomainLookupByName", g_variant_new("(s)", "test"));
    fuzzStreamSave(s, dir, "two-messages");

    s = fuzzStreamNew();
    fuzzCall(s, "ConnectDomainEventRegisterAny", g_variant_new("(i)", 0));
    fuzzCall(s, "DomainDestroy", g_variant_new("(@(sayi)u)", fuzzDomain(), 0));
    fuzzCall(s, "DomainCreate", g_variant_new("(@(sayi)u)", fuzzDomain(), 0));
    fuzzCall(s, "ConnectDomainEventDeregisterAny", g_variant_new("(i)", 1));
    fuzzCall(s, "ConnectClose", NULL);
    fuzzStreamSave(s, dir, "events");
    return EXIT_SUCCESS;
}
