/*
 * checkpoint-limits.c: checkpoint limits checked before anything is
 * written, and metadata that cannot be loaded reported, never skipped
 * (embedded, and through cairnd as daemon-qemu-checkpoint-limits):
 *
 * - a name longer than 200 bytes (201, and 245, which used to fail late
 *   with "unable to save metadata" and leave its bitmap in the image) is
 *   refused with INVALID_ARG on create (running and shut off), redefine
 *   and backup-begin's checkpoint, leaving no bitmap (QEMU's view and
 *   qemu-img's) and no file; a 200-byte name works and is loaded back by a
 *   new connection
 * - a description over 1 MiB is refused the same way; one of exactly
 *   1 MiB is saved, loaded back by a new connection, and its
 *   checkpoint-dumpxml redefines it again (through cairnd too)
 * - checkpoint files that cannot be loaded (too large for the XML reader,
 *   as a 10 MiB description made them; malformed) make listing, lookup and
 *   create fail with OPERATION_FAILED naming a file (and so does an
 *   incremental backup from a checkpoint not loaded), checkpoint-validate
 *   reports each (and the CLI exits 1), undefine counts them, and the
 *   domain itself still works; once they are gone all is as before
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "checkpointtestutils.h"

#define NAME "chklim"
#define MiB (1024 * 1024)

static const char *testRoot;
static char *imgA;


static void
expectState(cairnDomainPtr dom, const char *bitmaps, const char *meta)
{
    g_autoptr(GPtrArray) onA = NULL;
    g_autofree char *names = NULL;
    g_autofree char *got = chkTestMetadataNames(NAME);

    if (cairnDomainIsActive(dom) == 1)
        onA = chkTestLiveBitmaps(dom, imgA);
    else
        onA = chkTestImageBitmaps(imgA);
    names = chkTestBitmapNames(onA);
    CHK_EXPECT_STR(names, bitmaps);
    CHK_EXPECT_STR(got, meta);
}


static char *
checkpointXML(const char *name, const char *description)
{
    GString *xml = g_string_new("<domaincheckpoint><name>");

    g_string_append(xml, name);
    g_string_append(xml, "</name>");
    if (description) {
        g_string_append(xml, "<description>");
        g_string_append(xml, description);
        g_string_append(xml, "</description>");
    }
    g_string_append(xml, "</domaincheckpoint>");
    return g_string_free(xml, FALSE);
}


static void
expectCreateFails(
    cairnDomainPtr dom, const char *xml, unsigned int flags, int code, const char *msg)
{
    QT_CHECK(!cairnDomainCheckpointCreateXML(dom, xml, flags));
    qemuTestExpectError(code, msg);
}


/* On a new connection (a restarted driver): @name is there, with a
 * description of @desclen bytes. */
static void
expectLoadable(const char *name, size_t desclen)
{
    cairnConnectPtr conn = qemuTestConnect();
    cairnDomainPtr dom = cairnDomainLookupByName(conn, NAME);
    cairnDomainCheckpointPtr chk = NULL;
    g_autofree char *xml = NULL;
    const char *start;
    const char *end;

    QT_CHECK(dom && (chk = cairnDomainCheckpointLookupByName(dom, name, 0)));
    QT_CHECK((xml = cairnDomainCheckpointGetXMLDesc(chk, CAIRN_DOMAIN_CHECKPOINT_XML_NO_DOMAIN)));
    if (desclen) {
        QT_CHECK((start = strstr(xml, "<description>")) && (end = strstr(xml, "</description>")));
        CHK_EXPECT_INT(end - start - (gint64)strlen("<description>"), desclen);
    }
    cairnDomainCheckpointFree(chk);
    cairnDomainFree(dom);
    cairnConnectClose(conn);
}


static void
testNames(cairnDomainPtr dom, const char *root)
{
    g_autofree char *n200 = g_strnfill(200, 'k');
    g_autofree char *n201 = g_strnfill(201, 'n');
    g_autofree char *n245 = g_strnfill(245, 'm');
    g_autofree char *x200 = checkpointXML(n200, NULL);
    g_autofree char *x201 = checkpointXML(n201, NULL);
    g_autofree char *x245 = checkpointXML(n245, NULL);
    g_autofree char *redefine = g_strdup_printf(
        "<domaincheckpoint><name>%s</name><creationTime>1</creationTime></domaincheckpoint>", n201);
    g_autofree char *target = g_build_filename(root, "limits-backup.qcow2", NULL);
    g_autofree char *backup = g_strdup_printf(
        "<domainbackup><disks><disk name='vda' type='file'><target file='%s'/></disk></disks>"
        "</domainbackup>",
        target);
    cairnDomainCheckpointPtr chk;
    int type = -1;
    int n = 0;
    cairnTypedParameterPtr params = NULL;

    expectCreateFails(dom, x201, 0, CAIRN_ERR_INVALID_ARG,
                      "checkpoint name of 201 bytes is longer than the limit of 200 bytes");
    expectCreateFails(dom, x245, 0, CAIRN_ERR_INVALID_ARG,
                      "checkpoint name of 245 bytes is longer than the limit of 200 bytes");
    expectCreateFails(dom, redefine, CAIRN_DOMAIN_CHECKPOINT_CREATE_REDEFINE, CAIRN_ERR_INVALID_ARG,
                      "checkpoint name of 201 bytes is longer than the limit of 200 bytes");
    QT_CHECK(cairnDomainBackupBegin(dom, backup, x245, 0) < 0);
    qemuTestExpectError(CAIRN_ERR_INVALID_ARG,
                        "checkpoint name of 245 bytes is longer than the limit of 200 bytes");
    QT_CHECK(cairnDomainGetJobStats(dom, &type, &params, &n, 0) == 0);
    CHK_EXPECT_INT(type, CAIRN_DOMAIN_JOB_NONE);
    cairnTypedParamsFree(params, n);
    QT_CHECK(!g_file_test(target, G_FILE_TEST_EXISTS));
    CHK_EXPECT_INT(chkTestCountStorageDaemons(), 0);
    expectState(dom, "", "");

    /* At the limit: saved, and loaded back by another connection. */
    chk = chkTestCreate(dom, x200, 0);
    expectState(dom, n200, n200);
    expectLoadable(n200, 0);
    QT_CHECK(cairnDomainCheckpointDelete(chk, 0) == 0);
    cairnDomainCheckpointFree(chk);
    expectState(dom, "", "");
}


static void
testDescription(cairnDomainPtr dom)
{
    g_autofree char *big = g_strnfill(MiB + 1, 'd');
    g_autofree char *limit = g_strnfill(MiB, 'e');
    g_autofree char *xbig = checkpointXML("desc", big);
    g_autofree char *xlimit = checkpointXML("desc", limit);
    g_autofree char *dumped = NULL;
    cairnDomainCheckpointPtr chk;

    expectCreateFails(dom, xbig, 0, CAIRN_ERR_INVALID_ARG,
                      "checkpoint description of 1048577 bytes is longer than the limit of "
                      "1048576 bytes");
    expectState(dom, "", "");

    chk = chkTestCreate(dom, xlimit, 0);
    expectState(dom, "desc", "desc");
    expectLoadable("desc", MiB);
    /* What a backup application keeps and gives back: the full XML. */
    QT_CHECK((dumped = cairnDomainCheckpointGetXMLDesc(chk, CAIRN_DOMAIN_CHECKPOINT_XML_SECURE)));
    QT_CHECK(cairnDomainCheckpointDelete(chk, CAIRN_DOMAIN_CHECKPOINT_DELETE_METADATA_ONLY) == 0);
    cairnDomainCheckpointFree(chk);
    expectState(dom, "desc", "");
    chk = chkTestCreate(dom, dumped, CAIRN_DOMAIN_CHECKPOINT_CREATE_REDEFINE);
    expectState(dom, "desc", "desc");
    expectLoadable("desc", MiB);
    QT_CHECK(cairnDomainCheckpointDelete(chk, 0) == 0);
    cairnDomainCheckpointFree(chk);
    expectState(dom, "", "");
}


/* A checkpoint file as an older Cairn saved one with a 10 MiB
 * description: more than the XML reader takes. */
static void
writeBadFiles(char **ret_big, char **ret_bad)
{
    g_autofree char *dir = g_build_filename(testRoot, "checkpoints", NAME, NULL);
    g_autofree char *desc = g_strnfill(10 * MiB + 100, 'b');
    g_autofree char *text =
        g_strdup_printf("<domaincheckpoint><name>big</name><description>%s</description>"
                        "<creationTime>5</creationTime></domaincheckpoint>\n",
                        desc);

    *ret_big = g_build_filename(dir, "big.xml", NULL);
    *ret_bad = g_build_filename(dir, "bad.xml", NULL);
    QT_CHECK(g_mkdir_with_parents(dir, 0700) == 0);
    QT_CHECK(g_file_set_contents(*ret_big, text, -1, NULL));
    QT_CHECK(g_file_set_contents(*ret_bad, "<domaincheckpoint><name>bad", -1, NULL));
}


static void
expectNotLoaded(void)
{
    qemuTestExpectError(CAIRN_ERR_OPERATION_FAILED,
                        "checkpoint metadata of domain '" NAME "' cannot be loaded: file '");
    qemuTestExpectError(CAIRN_ERR_OPERATION_FAILED, "(and 1 more file(s))");
}


static void
testUnloadable(cairnDomainPtr dom)
{
    g_autofree char *big = NULL;
    g_autofree char *bad = NULL;
    g_autofree char *report = NULL;
    g_autofree char *out = NULL;
    g_autofree char *c1 = checkpointXML("c1", NULL);
    g_autofree char *target = g_build_filename(testRoot, "limits-inc.qcow2", NULL);
    g_autofree char *incremental = g_strdup_printf(
        "<domainbackup><incremental>big</incremental><disks><disk name='vda' type='file'>"
        "<target file='%s'/></disk></disks></domainbackup>",
        target);
    cairnDomainCheckpointPtr *list = NULL;
    int state = -1;
    int reason = -1;

    writeBadFiles(&big, &bad);
    QT_CHECK(cairnDomainListAllCheckpoints(dom, &list, 0) < 0);
    expectNotLoaded();
    QT_CHECK(!cairnDomainCheckpointLookupByName(dom, "big", 0));
    expectNotLoaded();
    expectCreateFails(dom, c1, 0, CAIRN_ERR_OPERATION_FAILED, "cannot be loaded");
    expectState(dom, "", "bad,big");
    /* An incremental backup from it says why, not "not found". */
    QT_CHECK(cairnDomainBackupBegin(dom, incremental, NULL, 0) < 0);
    expectNotLoaded();
    QT_CHECK(!g_file_test(target, G_FILE_TEST_EXISTS));
    CHK_EXPECT_INT(chkTestCountStorageDaemons(), 0);

    /* Validation reports each file; the CLI fails on them. */
    QT_CHECK((report = cairnDomainCheckpointValidate(dom, NULL, 0)));
    QT_CHECK(strstr(report, "<file name='big.xml' status='unloadable' error='"));
    QT_CHECK(strstr(report, "<file name='bad.xml' status='unloadable' error='"));
    CHK_EXPECT_INT(chkTestCli(&out, NULL, "checkpoint-validate", NAME, NULL), 1);
    QT_CHECK(strstr(out, "big.xml") && strstr(out, "unloadable metadata"));

    /* The domain itself is not held up; undefine counts the files. */
    QT_CHECK(cairnDomainGetState(dom, &state, &reason, 0) == 0 && state == CAIRN_DOMAIN_SHUTOFF);
    QT_CHECK(cairnDomainUndefine(dom) < 0);
    qemuTestExpectError(CAIRN_ERR_OPERATION_INVALID,
                        "cannot delete inactive domain with 2 checkpoints");

    QT_CHECK(unlink(big) == 0 && unlink(bad) == 0);
    CHK_EXPECT_INT(cairnDomainListAllCheckpoints(dom, NULL, 0), 0);
    CHK_EXPECT_INT(chkTestCli(NULL, NULL, "checkpoint-validate", NAME, NULL), 0);
}


int
main(void)
{
    const char *images[2] = { NULL, NULL };
    const char *formats[] = { "qcow2", NULL };
    g_autofree char *xml = NULL;
    cairnConnectPtr conn;
    cairnDomainPtr dom;

    testRoot = chkTestSetup(NAME);
    images[0] = imgA = qemuTestMakeImage("a.qcow2", "qcow2", "64M");
    xml = chkTestDomainXML(NAME, images, formats);
    conn = qemuTestConnect();
    QT_CHECK((dom = cairnDomainDefineXML(conn, xml)) != NULL);

    QT_CHECK(cairnDomainCreate(dom) == 0);
    testNames(dom, testRoot);
    QT_CHECK(cairnDomainDestroy(dom) == 0);
    testNames(dom, testRoot);
    testDescription(dom);
    testUnloadable(dom);

    cairnDomainFree(dom);
    cairnConnectClose(conn);
    g_free(imgA);
    printf("checkpoint-limits: ok\n");
    return 0;
}
