/*
 * backupapitest.c: the public backup and job API on test:///default with
 * the test driver's clock injected (no test sleeps): argument checks and
 * errors in libvirt's order, the aligned definition of a running job, a
 * push job's progress and completion, a pull job that runs until aborted,
 * completed-job statistics with and without KEEP_COMPLETED, a checkpoint
 * made with a backup and an incremental backup from it, and backups of a
 * shut-off domain (what they refuse meanwhile).
 */
#include <string.h>

#include "cairn/cairn.h"
#include "test/test_backup.h"
#include "testutils.h"
#include "util/cairntime.h"

#define FAKE_TIME 1700000000
#define GIB (1024ULL * 1024 * 1024)

typedef struct {
    cairnConnectPtr conn;
    cairnDomainPtr dom;
    gint64 now;  /* the simulated clock, ms */
    char *stats; /* the last jobStats() result */
} Fixture;


static gint64
fixtureClock(void *opaque)
{
    return ((Fixture *)opaque)->now;
}


static void
fixtureSetUp(Fixture *f, gconstpointer data)
{
    cairnClockSetFake(FAKE_TIME);
    f->conn = cairnConnectOpen("test:///default");
    g_assert_nonnull(f->conn);
    f->dom = cairnDomainLookupByName(f->conn, "test");
    g_assert_nonnull(f->dom);
    f->now = 5000;
    testBackupSetClock(f->conn, fixtureClock, f);
}


static void
fixtureTearDown(Fixture *f, gconstpointer data)
{
    cairnDomainFree(f->dom);
    g_assert_cmpint(cairnConnectClose(f->conn), ==, 0);
    cairnClockSetFake(0);
    g_free(f->stats);
}


static void
assertLastError(int code, const char *message)
{
    cairnErrorPtr err = cairnGetLastError();

    g_assert_nonnull(err);
    g_assert_cmpint(err->code, ==, code);
    if (message)
        g_assert_cmpstr(err->message, ==, message);
}


/* The value of an ULLONG statistic, which must be present. */
static unsigned long long
statULLong(cairnTypedParameterPtr params, int n, const char *name)
{
    unsigned long long value = 0;

    g_assert_cmpint(cairnTypedParamsGetULLong(params, n, name, &value), ==, 1);
    return value;
}


/* Job stats as "type:field=value,..." for compact assertions; valid until
 * the next call. */
static const char *
jobStats(Fixture *f, unsigned int flags)
{
    cairnTypedParameterPtr params = NULL;
    GString *s = g_string_new(NULL);
    int type = -1;
    int n = -1;

    g_assert_cmpint(cairnDomainGetJobStats(f->dom, &type, &params, &n, flags), ==, 0);
    g_string_append_printf(s, "%d:", type);
    for (int i = 0; i < n; i++) {
        cairnTypedParameterPtr p = &params[i];

        g_string_append_printf(s, "%s%s=", i ? "," : "", p->field);
        if (p->type == CAIRN_TYPED_PARAM_INT)
            g_string_append_printf(s, "%d", p->value.i);
        else if (p->type == CAIRN_TYPED_PARAM_ULLONG)
            g_string_append_printf(s, "%llu", p->value.ul);
        else if (p->type == CAIRN_TYPED_PARAM_BOOLEAN)
            g_string_append(s, p->value.b ? "true" : "false");
        else if (p->type == CAIRN_TYPED_PARAM_STRING)
            g_string_append(s, p->value.s);
    }
    cairnTypedParamsFree(params, n);
    g_free(f->stats);
    f->stats = g_string_free(s, FALSE);
    return f->stats;
}


static void
testArgChecks(Fixture *f, gconstpointer data)
{
    cairnConnectPtr ro = cairnConnectOpenReadOnly("test:///default");
    cairnDomainPtr rodom = cairnDomainLookupByName(ro, "test");
    cairnDomainJobInfo info;
    cairnTypedParameterPtr params = NULL;
    int type = 0, n = 0;

    g_assert_cmpint(cairnDomainBackupBegin(NULL, "<domainbackup/>", NULL, 0), ==, -1);
    assertLastError(CAIRN_ERR_INVALID_DOMAIN, "invalid domain pointer in cairnDomainBackupBegin");
    g_assert_cmpint(cairnDomainBackupBegin(f->dom, NULL, NULL, 0), ==, -1);
    assertLastError(CAIRN_ERR_INVALID_ARG, "backupXML in cairnDomainBackupBegin must not be NULL");
    g_assert_cmpint(cairnDomainBackupBegin(rodom, "<domainbackup/>", NULL, 0), ==, -1);
    assertLastError(CAIRN_ERR_OPERATION_DENIED,
                    "operation forbidden: read only access prevents cairnDomainBackupBegin");
    g_assert_cmpint(cairnDomainBackupBegin(f->dom, "<domainbackup/>", NULL, 1u << 30), ==, -1);
    assertLastError(
        CAIRN_ERR_INVALID_ARG,
        "invalid argument: unsupported flags (0x40000000) in function testDomainBackupBegin");
    g_assert_null(cairnDomainBackupGetXMLDesc(NULL, 0));
    assertLastError(CAIRN_ERR_INVALID_DOMAIN, NULL);
    g_assert_null(cairnDomainBackupGetXMLDesc(f->dom, 0));
    assertLastError(CAIRN_ERR_NO_DOMAIN_BACKUP,
                    "Domain backup job id not found: no domain backup job present");
    g_assert_null(cairnDomainBackupGetXMLDesc(f->dom, 1));
    assertLastError(CAIRN_ERR_INVALID_ARG, NULL);

    g_assert_cmpint(cairnDomainGetJobInfo(f->dom, NULL), ==, -1);
    assertLastError(CAIRN_ERR_INVALID_ARG, "info in cairnDomainGetJobInfo must not be NULL");
    g_assert_cmpint(cairnDomainGetJobStats(f->dom, NULL, &params, &n, 0), ==, -1);
    assertLastError(CAIRN_ERR_INVALID_ARG, "type in cairnDomainGetJobStats must not be NULL");
    g_assert_cmpint(cairnDomainGetJobStats(f->dom, &type, NULL, &n, 0), ==, -1);
    assertLastError(CAIRN_ERR_INVALID_ARG, "params in cairnDomainGetJobStats must not be NULL");
    g_assert_cmpint(cairnDomainGetJobStats(f->dom, &type, &params, NULL, 0), ==, -1);
    assertLastError(CAIRN_ERR_INVALID_ARG, "nparams in cairnDomainGetJobStats must not be NULL");
    g_assert_cmpint(
        cairnDomainGetJobStats(f->dom, &type, &params, &n, CAIRN_DOMAIN_JOB_STATS_KEEP_COMPLETED),
        ==, -1);
    assertLastError(CAIRN_ERR_INVALID_ARG,
                    "Flag 'CAIRN_DOMAIN_JOB_STATS_COMPLETED' is required by flag "
                    "'CAIRN_DOMAIN_JOB_STATS_KEEP_COMPLETED'");
    g_assert_cmpint(cairnDomainGetJobStats(f->dom, &type, &params, &n, 4), ==, -1);
    g_assert_null(params);
    g_assert_cmpint(n, ==, 0);

    /* No job: type NONE, nothing else. */
    g_assert_cmpint(cairnDomainGetJobInfo(f->dom, &info), ==, 0);
    g_assert_cmpint(info.type, ==, CAIRN_DOMAIN_JOB_NONE);
    g_assert_cmpint(info.timeElapsed, ==, 0);
    g_assert_cmpstr(jobStats(f, 0), ==, "0:");
    g_assert_cmpstr(jobStats(f, CAIRN_DOMAIN_JOB_STATS_COMPLETED), ==, "0:");

    g_assert_cmpint(cairnDomainAbortJob(NULL), ==, -1);
    assertLastError(CAIRN_ERR_INVALID_DOMAIN, "invalid domain pointer in cairnDomainAbortJob");
    g_assert_cmpint(cairnDomainAbortJob(rodom), ==, -1);
    assertLastError(CAIRN_ERR_OPERATION_DENIED, NULL);
    g_assert_cmpint(cairnDomainAbortJobFlags(rodom, 0), ==, -1);
    assertLastError(CAIRN_ERR_OPERATION_DENIED,
                    "operation forbidden: read only access prevents cairnDomainAbortJobFlags");
    g_assert_cmpint(cairnDomainAbortJob(f->dom), ==, -1);
    assertLastError(CAIRN_ERR_OPERATION_INVALID,
                    "Requested operation is not valid: no job is active on the domain");
    /* libvirt 9.0 checks POSTCOPY before it looks for a job. */
    g_assert_cmpint(cairnDomainAbortJobFlags(f->dom, CAIRN_DOMAIN_ABORT_JOB_POSTCOPY), ==, -1);
    assertLastError(CAIRN_ERR_OPERATION_INVALID, "Requested operation is not valid: current job "
                                                 "is not outgoing migration in post-copy mode");
    g_assert_cmpint(cairnDomainAbortJobFlags(f->dom, 2), ==, -1);
    assertLastError(CAIRN_ERR_INVALID_ARG, NULL);
    cairnDomainFree(rodom);
    cairnConnectClose(ro);
}


static void
testPushProgress(Fixture *f, gconstpointer data)
{
    g_autofree char *xml = NULL;
    const char *stats = NULL;
    cairnTypedParameterPtr params = NULL;
    cairnDomainJobInfo info;
    int type = 0, n = 0;

    g_assert_cmpint(cairnDomainBackupBegin(f->dom, "<domainbackup/>", NULL, 0), ==, 0);
    xml = cairnDomainBackupGetXMLDesc(f->dom, 0);
    g_assert_cmpstr(xml, ==,
                    "<domainbackup mode='push'>\n"
                    "  <disks>\n"
                    "    <disk name='vda' backup='yes' type='file' backupmode='full' index='2'>\n"
                    "      <driver type='qcow2'/>\n"
                    "      <target file='/guest/diskimage1.1700000000'/>\n"
                    "    </disk>\n"
                    "  </disks>\n"
                    "</domainbackup>\n");
    stats = jobStats(f, 0);
    g_assert_cmpstr(stats, ==,
                    "2:operation=9,time_elapsed=0,disk_total=1073741824,"
                    "disk_processed=0,disk_remaining=1073741824");

    f->now += 250;
    g_assert_cmpint(cairnDomainGetJobStats(f->dom, &type, &params, &n, 0), ==, 0);
    g_assert_cmpint(type, ==, CAIRN_DOMAIN_JOB_UNBOUNDED);
    g_assert_cmpuint(statULLong(params, n, CAIRN_DOMAIN_JOB_TIME_ELAPSED), ==, 250);
    g_assert_cmpuint(statULLong(params, n, CAIRN_DOMAIN_JOB_DISK_PROCESSED), ==, GIB * 250 / 1000);
    g_assert_cmpuint(statULLong(params, n, CAIRN_DOMAIN_JOB_DISK_REMAINING), ==,
                     GIB - GIB * 250 / 1000);
    cairnTypedParamsFree(params, n);
    g_assert_cmpint(cairnDomainGetJobInfo(f->dom, &info), ==, 0);
    g_assert_cmpint(info.type, ==, CAIRN_DOMAIN_JOB_UNBOUNDED);
    g_assert_cmpuint(info.timeElapsed, ==, 250);
    g_assert_cmpuint(info.fileTotal, ==, GIB);
    g_assert_cmpuint(info.fileProcessed, ==, GIB * 250 / 1000);
    g_assert_cmpuint(info.fileRemaining, ==, GIB - GIB * 250 / 1000);
    g_assert_cmpuint(info.dataTotal, ==, 0);

    /* One backup per domain. */
    g_assert_cmpint(cairnDomainBackupBegin(f->dom, "<domainbackup/>", NULL, 0), ==, -1);
    assertLastError(CAIRN_ERR_OPERATION_INVALID,
                    "Requested operation is not valid: another backup job is already running");

    f->now += 750;
    g_assert_cmpstr(jobStats(f, 0), ==, "0:");
    g_assert_null(cairnDomainBackupGetXMLDesc(f->dom, 0));
    assertLastError(CAIRN_ERR_NO_DOMAIN_BACKUP, NULL);
    g_assert_cmpstr(
        jobStats(f, CAIRN_DOMAIN_JOB_STATS_COMPLETED | CAIRN_DOMAIN_JOB_STATS_KEEP_COMPLETED), ==,
        "3:operation=9,time_elapsed=1000,disk_total=1073741824,"
        "disk_processed=1073741824,disk_remaining=0,success=true");
    g_assert_cmpstr(jobStats(f, CAIRN_DOMAIN_JOB_STATS_COMPLETED), ==,
                    "3:operation=9,time_elapsed=1000,disk_total=1073741824,"
                    "disk_processed=1073741824,disk_remaining=0,success=true");
    /* Read once without KEEP_COMPLETED: gone. */
    g_assert_cmpstr(jobStats(f, CAIRN_DOMAIN_JOB_STATS_COMPLETED), ==, "0:");
    /* A new backup may start. */
    g_assert_cmpint(cairnDomainBackupBegin(f->dom, "<domainbackup/>", NULL, 0), ==, 0);
}


static void
testPullUntilAborted(Fixture *f, gconstpointer data)
{
    g_autofree char *xml = NULL;

    g_assert_cmpint(cairnDomainBackupBegin(f->dom,
                                           "<domainbackup mode='pull'>"
                                           "<server transport='unix' socket='/run/t.sock'/>"
                                           "</domainbackup>",
                                           NULL, CAIRN_DOMAIN_BACKUP_BEGIN_REUSE_EXTERNAL),
                    ==, 0);
    xml = cairnDomainBackupGetXMLDesc(f->dom, 0);
    g_assert_cmpstr(xml, ==,
                    "<domainbackup mode='pull'>\n"
                    "  <server transport='unix' socket='/run/t.sock'/>\n"
                    "  <disks>\n"
                    "    <disk name='vda' backup='yes' type='file' backupmode='full' "
                    "exportname='vda' index='2'>\n"
                    "      <driver type='qcow2'/>\n"
                    "      <scratch file='/guest/diskimage1.1700000000'/>\n"
                    "    </disk>\n"
                    "  </disks>\n"
                    "</domainbackup>\n");
    f->now += 100000;
    g_assert_cmpstr(jobStats(f, 0), ==,
                    "2:operation=9,time_elapsed=100000,"
                    "disk_temp_used=1073741824,disk_temp_total=1073741824");
    g_assert_cmpint(cairnDomainAbortJob(f->dom), ==, 0);
    g_assert_cmpstr(jobStats(f, 0), ==, "0:");
    /* A pull backup ended by abort completed. */
    g_assert_cmpstr(jobStats(f, CAIRN_DOMAIN_JOB_STATS_COMPLETED), ==,
                    "3:operation=9,time_elapsed=100000,disk_temp_used=1073741824,"
                    "disk_temp_total=1073741824,success=true");
}


static void
testPushAborted(Fixture *f, gconstpointer data)
{
    g_assert_cmpint(cairnDomainBackupBegin(f->dom, "<domainbackup/>", NULL, 0), ==, 0);
    f->now += 500;
    g_assert_cmpint(cairnDomainAbortJobFlags(f->dom, 0), ==, 0);
    g_assert_cmpint(cairnDomainAbortJob(f->dom), ==, -1);
    assertLastError(CAIRN_ERR_OPERATION_INVALID, NULL);
    g_assert_cmpstr(jobStats(f, CAIRN_DOMAIN_JOB_STATS_COMPLETED), ==,
                    "5:operation=9,time_elapsed=500,disk_total=1073741824,"
                    "disk_processed=536870912,disk_remaining=536870912,success=false");
}


static void
testDomainStopsUnderJob(Fixture *f, gconstpointer data)
{
    g_assert_cmpint(cairnDomainBackupBegin(f->dom, "<domainbackup/>", NULL, 0), ==, 0);
    f->now += 100;
    g_assert_cmpint(cairnDomainDestroy(f->dom), ==, 0);
    g_assert_cmpstr(jobStats(f, CAIRN_DOMAIN_JOB_STATS_COMPLETED), ==,
                    "4:operation=9,time_elapsed=100,disk_total=1073741824,"
                    "disk_processed=107374182,disk_remaining=966367642,success=false,"
                    "errmsg=domain is not running");
    g_assert_cmpint(cairnDomainAbortJob(f->dom), ==, -1);
    assertLastError(CAIRN_ERR_OPERATION_INVALID,
                    "Requested operation is not valid: domain is not running");
    /* ... before POSTCOPY, as libvirt 9.0 (qemuDomainAbortJobFlags). */
    g_assert_cmpint(cairnDomainAbortJobFlags(f->dom, CAIRN_DOMAIN_ABORT_JOB_POSTCOPY), ==, -1);
    assertLastError(CAIRN_ERR_OPERATION_INVALID,
                    "Requested operation is not valid: domain is not running");
}


static void
testBeginErrors(Fixture *f, gconstpointer data)
{
    static const struct {
        const char *xml;
        int code;
        const char *message;
    } cases[] = {
        { "<domainbackup", CAIRN_ERR_XML_ERROR, NULL },
        { "<domainbackup mode='pull'/>", CAIRN_ERR_XML_INVALID_SCHEMA, NULL },
        { "<domainbackup><disks><disk name='vdz'/></disks></domainbackup>",
          CAIRN_ERR_CONFIG_UNSUPPORTED, "unsupported configuration: no disk named 'vdz'" },
        { "<domainbackup><disks><disk name='vda' backup='no'/></disks></domainbackup>",
          CAIRN_ERR_CONFIG_UNSUPPORTED, "unsupported configuration: no disks selected for backup" },
        { "<domainbackup mode='pull'><server name='localhost'/></domainbackup>",
          CAIRN_ERR_OPERATION_UNSUPPORTED,
          "Operation not supported: <domainbackup> must specify TCP port for now" },
        { "<domainbackup mode='pull'><server name='localhost' port='10809' tls='yes'/>"
          "</domainbackup>",
          CAIRN_ERR_OPERATION_INVALID,
          "Requested operation is not valid: backup TLS directory not configured" },
        { "<domainbackup><incremental>nope</incremental></domainbackup>",
          CAIRN_ERR_NO_DOMAIN_CHECKPOINT,
          "Domain checkpoint not found: Checkpoint 'nope' for incremental backup of disk 'vda' "
          "not found" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_assert_cmpint(cairnDomainBackupBegin(f->dom, cases[i].xml, NULL, 0), ==, -1);
        assertLastError(cases[i].code, cases[i].message);
    }
    g_assert_cmpstr(jobStats(f, 0), ==, "0:");
}


static void
testCheckpointAndIncremental(Fixture *f, gconstpointer data)
{
    cairnDomainCheckpointPtr chk;
    cairnDomainCheckpointPtr parent;
    g_autofree char *xml = NULL;

    g_assert_cmpint(cairnDomainBackupBegin(f->dom, "<domainbackup/>",
                                           "<domaincheckpoint><name>c1</name></domaincheckpoint>",
                                           0),
                    ==, 0);
    xml = cairnDomainBackupGetXMLDesc(f->dom, 0);
    g_assert_nonnull(strstr(xml, "<target file='/guest/diskimage1.c1'/>"));
    chk = cairnDomainCheckpointLookupByName(f->dom, "c1", 0);
    g_assert_nonnull(chk);
    cairnDomainCheckpointFree(chk);
    f->now += 1000;
    g_assert_cmpstr(jobStats(f, 0), ==, "0:");

    /* The checkpoint's name is taken. */
    g_assert_cmpint(cairnDomainBackupBegin(f->dom, "<domainbackup/>",
                                           "<domaincheckpoint><name>c1</name></domaincheckpoint>",
                                           0),
                    ==, -1);
    assertLastError(CAIRN_ERR_OPERATION_FAILED,
                    "operation failed: domain moment c1 already exists");
    g_assert_cmpint(cairnDomainBackupBegin(f->dom,
                                           "<domainbackup><incremental>c1</incremental>"
                                           "</domainbackup>",
                                           "<domaincheckpoint><name>c2</name></domaincheckpoint>",
                                           0),
                    ==, 0);
    g_free(xml);
    xml = cairnDomainBackupGetXMLDesc(f->dom, 0);
    g_assert_nonnull(strstr(xml, "backupmode='incremental' incremental='c1' index='2'"));
    g_assert_nonnull(strstr(xml, "<target file='/guest/diskimage1.c2'/>"));
    g_assert_cmpstr(jobStats(f, 0), ==,
                    "2:operation=9,time_elapsed=0,disk_total=134217728,"
                    "disk_processed=0,disk_remaining=134217728");
    chk = cairnDomainCheckpointLookupByName(f->dom, "c2", 0);
    g_assert_nonnull(chk);
    parent = cairnDomainCheckpointGetParent(chk, 0);
    g_assert_cmpstr(cairnDomainCheckpointGetName(parent), ==, "c1");
    cairnDomainCheckpointFree(parent);
    cairnDomainCheckpointFree(chk);
}


/* The refusals while a backup of the shut-off domain runs. */
static void
assertDisksBusy(Fixture *f)
{
    cairnDomainCheckpointPtr c1 = cairnDomainCheckpointLookupByName(f->dom, "c1", 0);
    const char *held = "' has an active backup job whose qemu-storage-daemon holds the disks";
    g_autofree char *start = g_strconcat("Requested operation is not valid: cannot start the "
                                         "domain: domain 'test",
                                         held, NULL);
    g_autofree char *undefine = g_strconcat("Requested operation is not valid: cannot undefine "
                                            "the domain: domain 'test",
                                            held, NULL);
    g_autofree char *create = g_strconcat("Requested operation is not valid: cannot create "
                                          "checkpoint: domain 'test",
                                          held, NULL);
    g_autofree char *delete = g_strconcat("Requested operation is not valid: cannot delete "
                                          "checkpoint bitmaps: domain 'test",
                                          held, NULL);

    g_assert_nonnull(c1);
    g_assert_cmpint(cairnDomainCreate(f->dom), ==, -1);
    assertLastError(CAIRN_ERR_OPERATION_INVALID, start);
    g_assert_cmpint(cairnDomainUndefine(f->dom), ==, -1);
    assertLastError(CAIRN_ERR_OPERATION_INVALID, undefine);
    g_assert_null(cairnDomainCheckpointCreateXML(
        f->dom, "<domaincheckpoint><name>c9</name></domaincheckpoint>", 0));
    assertLastError(CAIRN_ERR_OPERATION_INVALID, create);
    g_assert_cmpint(cairnDomainCheckpointDelete(c1, 0), ==, -1);
    assertLastError(CAIRN_ERR_OPERATION_INVALID, delete);
    g_assert_cmpint(cairnDomainIsActive(f->dom), ==, 0);
    cairnDomainCheckpointFree(c1);
}


static void
testOfflinePush(Fixture *f, gconstpointer data)
{
    g_autofree char *xml = NULL;

    g_assert_cmpint(cairnDomainDestroy(f->dom), ==, 0);
    g_assert_cmpint(cairnDomainBackupBegin(f->dom, "<domainbackup/>",
                                           "<domaincheckpoint><name>c1</name></domaincheckpoint>",
                                           0),
                    ==, 0);
    xml = cairnDomainBackupGetXMLDesc(f->dom, 0);
    g_assert_nonnull(strstr(xml, "<target file='/guest/diskimage1.c1'/>"));
    f->now += 500;
    g_assert_cmpstr(jobStats(f, 0), ==,
                    "2:operation=9,time_elapsed=500,disk_total=1073741824,"
                    "disk_processed=536870912,disk_remaining=536870912");
    assertDisksBusy(f);
    f->now += 500;
    g_assert_cmpstr(jobStats(f, 0), ==, "0:");
    g_assert_cmpstr(jobStats(f, CAIRN_DOMAIN_JOB_STATS_COMPLETED), ==,
                    "3:operation=9,time_elapsed=1000,disk_total=1073741824,"
                    "disk_processed=1073741824,disk_remaining=0,success=true");
    g_assert_cmpint(cairnDomainCreate(f->dom), ==, 0);
    g_assert_cmpint(cairnDomainIsActive(f->dom), ==, 1);
}


static void
testOfflinePullAborted(Fixture *f, gconstpointer data)
{
    g_assert_cmpint(cairnDomainDestroy(f->dom), ==, 0);
    g_assert_cmpint(cairnDomainBackupBegin(f->dom, "<domainbackup/>",
                                           "<domaincheckpoint><name>c1</name></domaincheckpoint>",
                                           0),
                    ==, 0);
    f->now += 1000;
    g_assert_cmpint(
        cairnDomainBackupBegin(f->dom,
                               "<domainbackup mode='pull'><incremental>c1</incremental>"
                               "<server transport='unix' socket='/run/bk.sock'/></domainbackup>",
                               NULL, 0),
        ==, 0);
    f->now += 60000;
    g_assert_cmpstr(jobStats(f, 0), ==,
                    "2:operation=9,time_elapsed=60000,disk_temp_used=1073741824,"
                    "disk_temp_total=1073741824");
    assertDisksBusy(f);
    /* Only metadata: allowed, as for a running domain. */
    {
        cairnDomainCheckpointPtr c1 = cairnDomainCheckpointLookupByName(f->dom, "c1", 0);

        g_assert_cmpint(
            cairnDomainCheckpointDelete(c1, CAIRN_DOMAIN_CHECKPOINT_DELETE_METADATA_ONLY), ==, 0);
        cairnDomainCheckpointFree(c1);
    }
    g_assert_cmpint(cairnDomainAbortJob(f->dom), ==, 0);
    g_assert_cmpstr(jobStats(f, CAIRN_DOMAIN_JOB_STATS_COMPLETED), ==,
                    "3:operation=9,time_elapsed=60000,disk_temp_used=1073741824,"
                    "disk_temp_total=1073741824,success=true");
    g_assert_cmpint(cairnDomainAbortJob(f->dom), ==, -1);
    assertLastError(CAIRN_ERR_OPERATION_INVALID,
                    "Requested operation is not valid: domain is not running");
    g_assert_cmpint(cairnDomainCreate(f->dom), ==, 0);
}


int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, fixtureSetUp, fn, fixtureTearDown)
    ADD("/backup/arg-checks", testArgChecks);
    ADD("/backup/push-progress", testPushProgress);
    ADD("/backup/pull-until-aborted", testPullUntilAborted);
    ADD("/backup/push-aborted", testPushAborted);
    ADD("/backup/domain-stops", testDomainStopsUnderJob);
    ADD("/backup/begin-errors", testBeginErrors);
    ADD("/backup/checkpoint-and-incremental", testCheckpointAndIncremental);
    ADD("/backup/offline-push", testOfflinePush);
    ADD("/backup/offline-pull-aborted", testOfflinePullAborted);
#undef ADD
    return g_test_run();
}
