/*
 * typedparamtest.c: typed parameter values as text (util/cairntypedparam.h),
 * exactly as libvirt 9.0's virTypedParameterToString gives them to virsh.
 */
#include <string.h>

#include "testutils.h"
#include "conf/domain_job.h"
#include "util/cairntypedparam.h"


static void
expectText(const cairnTypedParameter *param, const char *want)
{
    g_autofree char *got = cairnTypedParamToString(param);

    g_assert_cmpstr(got, ==, want);
}


static void
testToString(void)
{
    cairnTypedParameter p = { 0 };

    p.type = CAIRN_TYPED_PARAM_INT;
    p.value.i = -9;
    expectText(&p, "-9");
    p.type = CAIRN_TYPED_PARAM_UINT;
    p.value.ui = 4000000000u;
    expectText(&p, "4000000000");
    p.type = CAIRN_TYPED_PARAM_LLONG;
    p.value.l = -1099511627776LL;
    expectText(&p, "-1099511627776");
    p.type = CAIRN_TYPED_PARAM_ULLONG;
    p.value.ul = 18446744073709551615ULL;
    expectText(&p, "18446744073709551615");
    p.type = CAIRN_TYPED_PARAM_DOUBLE;
    p.value.d = 0.5;
    expectText(&p, "0.500000");
    /* A job's "success": virsh prints "success: 1", never "yes". */
    p.type = CAIRN_TYPED_PARAM_BOOLEAN;
    p.value.b = 1;
    expectText(&p, "1");
    p.value.b = 0;
    expectText(&p, "0");
    p.type = CAIRN_TYPED_PARAM_STRING;
    p.value.s = (char *)"Operation canceled";
    expectText(&p, "Operation canceled");
}


/* libvirt 9.0's qemuDomainBackupJobDataToParams: the type of every field
 * of a backup's job statistics and job-completed event. */
static const struct {
    const char *field;
    int type;
} jobFieldTypes[] = {
    { CAIRN_DOMAIN_JOB_OPERATION, CAIRN_TYPED_PARAM_INT },
    { CAIRN_DOMAIN_JOB_TIME_ELAPSED, CAIRN_TYPED_PARAM_ULLONG },
    { CAIRN_DOMAIN_JOB_DISK_TOTAL, CAIRN_TYPED_PARAM_ULLONG },
    { CAIRN_DOMAIN_JOB_DISK_PROCESSED, CAIRN_TYPED_PARAM_ULLONG },
    { CAIRN_DOMAIN_JOB_DISK_REMAINING, CAIRN_TYPED_PARAM_ULLONG },
    { CAIRN_DOMAIN_JOB_DISK_TEMP_USED, CAIRN_TYPED_PARAM_ULLONG },
    { CAIRN_DOMAIN_JOB_DISK_TEMP_TOTAL, CAIRN_TYPED_PARAM_ULLONG },
    { CAIRN_DOMAIN_JOB_SUCCESS, CAIRN_TYPED_PARAM_BOOLEAN },
    { CAIRN_DOMAIN_JOB_ERRMSG, CAIRN_TYPED_PARAM_STRING },
};


/* Every field, as a driver gives it and as it arrives through the daemon
 * (the GVariant form), has libvirt's type; the text virsh would print. */
static void
testJobFieldTypes(void)
{
    g_autoptr(cairnDomainJobData) data = cairnDomainJobDataNew(CAIRN_DOMAIN_JOB_OPERATION_BACKUP);
    g_autoptr(GVariant) wire = NULL;
    cairnTypedParameter *params = NULL;
    cairnTypedParameter *back = NULL;
    g_autoptr(GError) err = NULL;
    int nparams = 0;
    int nback = 0;
    int type = 0;

    data->type = CAIRN_DOMAIN_JOB_CANCELLED;
    data->time_elapsed = 1000;
    data->disk_total = 2048;
    data->disk_processed = 1024;
    data->temp_used = 512;
    data->temp_total = 4096;
    data->errmsg = g_strdup("Operation canceled");
    cairnDomainJobDataToParams(data, &type, &params, &nparams);
    g_assert_cmpint(nparams, ==, G_N_ELEMENTS(jobFieldTypes));
    wire = g_variant_ref_sink(cairnTypedParamsToVariant(params, nparams));
    g_assert_true(cairnTypedParamsFromVariant(wire, &back, &nback, &err));
    g_assert_no_error(err);
    g_assert_cmpint(nback, ==, nparams);
    for (guint i = 0; i < G_N_ELEMENTS(jobFieldTypes); i++) {
        g_assert_cmpstr(params[i].field, ==, jobFieldTypes[i].field);
        g_assert_cmpint(params[i].type, ==, jobFieldTypes[i].type);
        g_assert_cmpstr(back[i].field, ==, jobFieldTypes[i].field);
        g_assert_cmpint(back[i].type, ==, jobFieldTypes[i].type);
    }
    expectText(&back[7], "0");
    data->type = CAIRN_DOMAIN_JOB_COMPLETED;
    cairnTypedParamsFree(params, nparams);
    cairnDomainJobDataToParams(data, &type, &params, &nparams);
    expectText(&params[7], "1");
    cairnTypedParamsFree(params, nparams);
    cairnTypedParamsFree(back, nback);
}


int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/typedparam/to-string", testToString);
    g_test_add_func("/typedparam/job-field-types", testJobFieldTypes);
    return g_test_run();
}
