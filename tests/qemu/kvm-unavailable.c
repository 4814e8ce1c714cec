/*
 * kvm-unavailable.c: a type='kvm' domain on a host whose KVM device is not
 * a usable KVM fails to start with Cairn's clear error (not QEMU's
 * "failed to initialize kvm"), and nothing is started or left behind. The
 * driver's device is pointed, through its internal knob, at what a broken
 * host has: a plain empty file (what `exec 3<>/dev/kvm` creates), /dev/null
 * (a character device that does not answer KVM_GET_API_VERSION) and a
 * missing path. None of them is created or changed by the probe, and a
 * type='qemu' domain still starts.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "qemu/qemu_domain.h"
#include "qemutestutils.h"

#define NAME "needkvm"
#define TCG_NAME "tcg"


/* Point the driver behind @conn (embedded) at @device. */
static void
setKvmDevice(cairnConnectPtr conn, const char *device)
{
    qemuDriverState *drv = qemuStateOf(conn);

    g_free(drv->kvm_device);
    drv->kvm_device = g_strdup(device);
}


/* Start must fail with the clear error naming @reason, leaving nothing. */
static void
expectRefused(cairnConnectPtr conn,
              cairnDomainPtr dom,
              const char *root,
              const char *device,
              const char *reason)
{
    g_autofree char *want = g_strdup_printf("domain requires KVM, but it is not available "
                                            "(%s: %s); use <domain type='qemu'> for TCG",
                                            device, reason);
    g_autofree char *log = g_build_filename(root, "log", NAME ".log", NULL);
    int state = -1;
    int reason_code = -1;

    setKvmDevice(conn, device);
    QT_CHECK(cairnDomainCreate(dom) < 0);
    qemuTestExpectError(CAIRN_ERR_CONFIG_UNSUPPORTED, want);
    QT_CHECK(g_str_has_prefix(cairnGetLastErrorMessage(), "unsupported configuration: "));
    qemuTestExpectNothingLeft(NAME);
    QT_CHECK(qemuTestCountQemu(NAME) == 0);
    /* Refused before anything ran: QEMU never wrote a log. */
    QT_CHECK(!g_file_test(log, G_FILE_TEST_EXISTS));
    QT_CHECK(cairnDomainGetState(dom, &state, &reason_code, 0) == 0);
    QT_CHECK(state == CAIRN_DOMAIN_SHUTOFF);
    QT_CHECK(cairnDomainGetID(dom) == -1);
}


int
main(void)
{
    const char *root = qemuTestSetup(NAME);
    g_autofree char *image = NULL;
    g_autofree char *tcg_image = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *tcg_xml = NULL;
    g_autofree char *plain = g_build_filename(root, "kvm-plain-file", NULL);
    g_autofree char *missing = g_build_filename(root, "no-such-kvm", NULL);
    g_autofree char *content = NULL;
    cairnConnectPtr conn;
    cairnDomainPtr dom;
    cairnDomainPtr tcg;
    struct stat sb;
    gsize len = 1;

    if (g_getenv("CAIRN_TEST_QEMU_URI")) {
        printf("kvm-unavailable: the driver's device knob needs an embedded driver\n");
        return 77;
    }
    image = qemuTestMakeImage(NAME ".qcow2", "qcow2", "16M");
    tcg_image = qemuTestMakeImage(TCG_NAME ".qcow2", "qcow2", "16M");
    xml = qemuTestDomainXML("kvm", NAME, image, "qcow2");
    tcg_xml = qemuTestDomainXML("qemu", TCG_NAME, tcg_image, "qcow2");
    QT_CHECK(g_file_set_contents(plain, "", 0, NULL));

    conn = qemuTestConnect();
    QT_CHECK(g_str_equal(cairnConnectGetType(conn), "QEMU"));
    QT_CHECK((dom = cairnDomainDefineXML(conn, xml)) != NULL);

    expectRefused(conn, dom, root, plain, "not a character device");
    QT_CHECK(g_file_get_contents(plain, &content, &len, NULL) && len == 0);
    QT_CHECK(stat(plain, &sb) == 0 && S_ISREG(sb.st_mode));

    expectRefused(conn, dom, root, "/dev/null",
                  "does not answer KVM_GET_API_VERSION: Inappropriate ioctl for device");
    QT_CHECK(stat("/dev/null", &sb) == 0 && S_ISCHR(sb.st_mode));

    expectRefused(conn, dom, root, missing, "cannot access: No such file or directory");
    QT_CHECK(!g_file_test(missing, G_FILE_TEST_EXISTS));

    /* The device only matters to type='kvm'. */
    QT_CHECK((tcg = cairnDomainDefineXML(conn, tcg_xml)) != NULL);
    QT_CHECK(cairnDomainCreate(tcg) == 0);
    QT_CHECK(qemuTestQemuRunning(TCG_NAME));
    QT_CHECK(cairnDomainDestroy(tcg) == 0);
    qemuTestExpectNothingLeft(TCG_NAME);

    cairnDomainFree(tcg);
    cairnDomainFree(dom);
    cairnConnectClose(conn);
    printf("kvm-unavailable: ok\n");
    return 0;
}
