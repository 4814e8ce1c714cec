/*
 * kvmtest.c: the KVM probe (util/cairnkvm.h) says "not available", with
 * the reason, for everything that is not a KVM device, and never creates
 * the path it probes: a missing path, a plain file (what `exec 3<>/dev/kvm`
 * leaves behind), a directory, a FIFO (not even opened, so no hang), and
 * /dev/null (a character device that opens read-write but does not answer
 * KVM_GET_API_VERSION).
 */
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "testutils.h"
#include "util/cairnerror.h"
#include "util/cairnkvm.h"


typedef struct {
    char *dir;
} Fixture;


static void
fixtureSetup(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) err = NULL;

    fx->dir = g_dir_make_tmp("cairn-kvm-XXXXXX", &err);
    g_assert_no_error(err);
}


static void
fixtureTeardown(Fixture *fx, gconstpointer data)
{
    g_autoptr(GDir) d = g_dir_open(fx->dir, 0, NULL);
    const char *ent;

    while (d && (ent = g_dir_read_name(d))) {
        g_autofree char *path = g_build_filename(fx->dir, ent, NULL);

        if (g_remove(path) < 0)
            g_rmdir(path);
    }
    g_rmdir(fx->dir);
    g_free(fx->dir);
}


/* Probe @path, expect "not available" with a message "@path: @reason". */
static void
expectUnavailable(const char *path, const char *reason)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *want = g_strdup_printf("%s: %s", path, reason);

    g_assert_false(cairnKvmProbe(path, &err));
    g_assert_nonnull(err);
    g_assert_true(cairnErrorIs(err, CAIRN_ERR_CONFIG_UNSUPPORTED));
    g_assert_cmpstr(err->message, ==, want);
}


static void
testMissing(Fixture *fx, gconstpointer data)
{
    g_autofree char *path = g_build_filename(fx->dir, "kvm", NULL);

    expectUnavailable(path, "cannot access: No such file or directory");
    /* The probe must not have created it. */
    g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
}


static void
testPlainFile(Fixture *fx, gconstpointer data)
{
    g_autofree char *path = g_build_filename(fx->dir, "kvm", NULL);
    g_autofree char *text = NULL;
    gsize len = 0;

    g_assert_true(g_file_set_contents(path, "", 0, NULL));
    expectUnavailable(path, "not a character device");
    g_assert_true(g_file_get_contents(path, &text, &len, NULL));
    g_assert_cmpuint(len, ==, 0);
}


static void
testDirectory(Fixture *fx, gconstpointer data)
{
    expectUnavailable(fx->dir, "not a character device");
}


static void
testFifo(Fixture *fx, gconstpointer data)
{
    g_autofree char *path = g_build_filename(fx->dir, "kvm", NULL);

    /* Opened read-write, a FIFO would not block on Linux, but opened any
     * other way it would: the probe must not open it at all. */
    g_assert_cmpint(mkfifo(path, 0600), ==, 0);
    expectUnavailable(path, "not a character device");
}


static void
testNull(Fixture *fx, gconstpointer data)
{
    struct stat sb;

    g_assert_cmpint(stat("/dev/null", &sb), ==, 0);
    g_assert_true(S_ISCHR(sb.st_mode));
    expectUnavailable("/dev/null", "does not answer KVM_GET_API_VERSION: "
                                   "Inappropriate ioctl for device");
}


/* Whatever this machine has, the default probe creates nothing and agrees
 * with a probe of the path. */
static void
testDefaultDevice(Fixture *fx, gconstpointer data)
{
    bool existed = g_file_test(CAIRN_KVM_DEVICE, G_FILE_TEST_EXISTS);
    bool usable = cairnKvmProbe(CAIRN_KVM_DEVICE, NULL);

    g_assert_cmpint(cairnKvmAvailable(), ==, usable);
    g_assert_cmpint(g_file_test(CAIRN_KVM_DEVICE, G_FILE_TEST_EXISTS), ==, existed);
    if (g_test_verbose())
        g_printerr("%s: %s\n", CAIRN_KVM_DEVICE, usable ? "usable" : "not usable");
}


int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add("/kvm/missing", Fixture, NULL, fixtureSetup, testMissing, fixtureTeardown);
    g_test_add("/kvm/plain-file", Fixture, NULL, fixtureSetup, testPlainFile, fixtureTeardown);
    g_test_add("/kvm/directory", Fixture, NULL, fixtureSetup, testDirectory, fixtureTeardown);
    g_test_add("/kvm/fifo", Fixture, NULL, fixtureSetup, testFifo, fixtureTeardown);
    g_test_add("/kvm/dev-null", Fixture, NULL, fixtureSetup, testNull, fixtureTeardown);
    g_test_add("/kvm/default-device", Fixture, NULL, fixtureSetup, testDefaultDevice,
               fixtureTeardown);
    return g_test_run();
}
