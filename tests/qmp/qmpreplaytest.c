/*
 * qmpreplaytest.c: replay the conversations of tests/data/qmp against the
 * real monitor and command wrappers (one test per file, found by
 * enumerating the directory), or record them from a real QEMU:
 *
 *   qmpreplaytest                          run every tests/data/qmp/NAME.qmp
 *   qmpreplaytest --capture DIR [NAME...]  record the capturable scenarios
 *                                          into DIR/NAME.qmp
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "qmpscenarios.h"
#include "qmptestutils.h"
#include "testutils.h"

/* Debug messages of the monitor's log domain during the current test. */
static GString *monitorLog;


static GLogWriterOutput
logWriter(GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer opaque)
{
    const char *domain = NULL;
    const char *message = NULL;
    gsize i;

    for (i = 0; i < n_fields; i++) {
        if (g_str_equal(fields[i].key, "GLIB_DOMAIN"))
            domain = fields[i].value;
        else if (g_str_equal(fields[i].key, "MESSAGE"))
            message = fields[i].value;
    }
    if (g_strcmp0(domain, "cairn.qemu.monitor") == 0 && message) {
        g_string_append_printf(monitorLog, "%s\n", message);
        return G_LOG_WRITER_HANDLED;
    }
    if (level & G_LOG_LEVEL_DEBUG)
        return G_LOG_WRITER_HANDLED;
    return g_log_writer_default(level, fields, n_fields, opaque);
}


static void
envInit(qmpScenarioEnv *env, int fd)
{
    env->fd = fd;
    env->mon = NULL;
    env->events = g_ptr_array_new_with_free_func(g_free);
    env->eofs = 0;
}


static void
envClear(qmpScenarioEnv *env)
{
    g_clear_pointer(&env->mon, qemuMonitorClose);
    if (env->fd >= 0)
        close(env->fd);
    g_ptr_array_unref(env->events);
}


/* Run @scenario on the connected socket @fd. */
static void
runScenario(const qmpScenario *scenario, int fd)
{
    g_autoptr(GError) err = NULL;
    qmpScenarioEnv env;

    envInit(&env, fd);
    if (!scenario->own_open) {
        env.mon = qmpScenarioOpen(&env, 5000, &err);
        g_assert_no_error(err);
    }
    scenario->run(&env);
    envClear(&env);
}


static void
testReplay(gconstpointer opaque)
{
    const char *path = opaque;
    g_autofree char *base = g_path_get_basename(path);
    g_autoptr(GPtrArray) script = NULL;
    g_autoptr(GError) err = NULL;
    const qmpScenario *scenario;
    qmpTestPeer *peer;
    int fd;

    *strrchr(base, '.') = '\0';
    scenario = qmpScenarioFind(base);
    g_assert_nonnull(scenario);
    script = qmpTestScriptLoad(path, &err);
    g_assert_no_error(err);

    g_string_truncate(monitorLog, 0);
    peer = qmpTestPeerStart(script, &fd, &err);
    g_assert_no_error(err);
    runScenario(scenario, fd);
    qmpTestPeerFinish(peer, &err);
    g_assert_no_error(err);

    /* QMP traffic is logged, secrets are not (object.qmp adds a secret
     * whose data is "c2VjcmV0"). */
    g_assert_nonnull(strstr(monitorLog->str, "QMP mon="));
    g_assert_null(strstr(monitorLog->str, "c2VjcmV0"));
    if (g_str_equal(base, "object"))
        g_assert_nonnull(strstr(monitorLog->str, "\"object-add\", \"arguments\": <redacted>"));
}


/* Every scenario has its conversation file. */
static void
testAllScenariosHaveFiles(gconstpointer opaque)
{
    const char *dir = opaque;
    const qmpScenario *s;

    for (s = qmpScenarios; s->name; s++) {
        g_autofree char *file = g_strdup_printf("%s/%s.qmp", dir, s->name);

        if (!g_file_test(file, G_FILE_TEST_EXISTS))
            g_error("scenario %s has no conversation file %s", s->name, file);
    }
}


static int
replayAll(int argc, char **argv)
{
    g_autofree char *dir = cairnTestSrcPath("data/qmp");
    g_autoptr(GPtrArray) files = NULL;
    guint i;
    int ret;

    g_test_init(&argc, &argv, NULL);
    monitorLog = g_string_new(NULL);
    g_log_set_writer_func(logWriter, NULL, NULL);
    g_log_set_debug_enabled(TRUE);
    files = qmpTestListConversations(dir);
    g_test_add_data_func("/qmp/replay/all-scenarios-have-files", dir, testAllScenariosHaveFiles);
    for (i = 0; i < files->len; i++) {
        const char *path = g_ptr_array_index(files, i);
        g_autofree char *base = g_path_get_basename(path);
        g_autofree char *test = g_strdup_printf("/qmp/replay/%s", base);

        g_test_add_data_func(test, path, testReplay);
    }
    ret = g_test_run();
    g_string_free(monitorLog, TRUE);
    return ret;
}

/* ---- recording -------------------------------------------------------- */

/* Remove the (flat) working directory of a capture. */
static void
removeWorkdir(const char *workdir)
{
    g_autoptr(GDir) d = g_dir_open(workdir, 0, NULL);
    const char *name;

    while (d && (name = g_dir_read_name(d))) {
        g_autofree char *p = g_build_filename(workdir, name, NULL);
        g_unlink(p);
    }
    g_rmdir(workdir);
}


static bool
captureOne(const char *qemu_bin, const qmpScenario *s, const char *outdir, GError **error)
{
    g_autofree char *workdir = g_dir_make_tmp("cairn-qmp-capture-XXXXXX", error);
    g_autofree char *transcript = NULL;
    g_autofree char *out = NULL;
    g_autofree char *text = NULL;
    g_autoptr(qmpTestQemu) qemu = NULL;
    qmpTestRecorder *rec;
    int qemu_fd;
    int fd;

    if (!workdir || !qmpScenarioPrepareImages(workdir, error) ||
        !(qemu = qmpTestQemuStart(qemu_bin, workdir, error)) ||
        (qemu_fd = qmpTestQemuConnect(qemu, error)) < 0 ||
        !(rec = qmpTestRecorderStart(qemu_fd, s->trim_arrays, &fd, error)))
        return false;

    runScenario(s, fd);
    transcript = qmpTestRecorderFinish(rec);

    text = g_strdup_printf(
        "# Recorded from QEMU by qmpreplaytest --capture (scenario %s in\n"
        "# tests/qmp/qmpscenarios.c)%s; do not edit, re-record.\n%s",
        s->name, s->trim_arrays ? ", long reply arrays cut to a few entries" : "", transcript);
    out = g_strdup_printf("%s/%s.qmp", outdir, s->name);
    if (!g_file_set_contents(out, text, -1, error))
        return false;
    g_print("%s\n", out);

    g_clear_pointer(&qemu, qmpTestQemuStop);
    removeWorkdir(workdir);
    return true;
}


static int
captureAll(int argc, char **argv)
{
    g_autofree char *qemu_bin = qmpTestQemuFind();
    const char *outdir = argv[2];
    const qmpScenario *s;
    int i;

    if (!qemu_bin) {
        g_printerr("no qemu-system-x86_64\n");
        return 1;
    }
    for (s = qmpScenarios; s->name; s++) {
        g_autoptr(GError) err = NULL;
        bool wanted = argc <= 3;

        for (i = 3; i < argc; i++)
            wanted |= g_str_equal(argv[i], s->name);
        if (!wanted || !s->capture)
            continue;
        if (!captureOne(qemu_bin, s, outdir, &err)) {
            g_printerr("%s: %s\n", s->name, err->message);
            return 1;
        }
    }
    return 0;
}


int
main(int argc, char **argv)
{
    if (argc >= 3 && g_str_equal(argv[1], "--capture"))
        return captureAll(argc, argv);
    return replayAll(argc, argv);
}
