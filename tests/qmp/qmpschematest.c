/*
 * qmpschematest.c: every command Cairn sends in a recorded conversation
 * (tests/data/qmp/NAME.qmp, ">>>" entries) is valid for QEMU's own
 * schema, captured by scripts/capture-qapi-schema.sh: the command exists,
 * its argument members are known, required ones present, and values
 * typed right, recursively (transaction actions included).
 */
#include <string.h>

#include "qmptestutils.h"
#include "testutils.h"

static qmpTestSchema *schema;


static bool
checkText(const char *text, GError **error)
{
    g_autoptr(JsonNode) msg = qmpTestParseObject(text, error);

    return msg && qmpTestSchemaCheckCommand(schema, json_node_get_object(msg), error);
}


/* The checker itself: it accepts a good command and rejects bad ones. */
static void
testChecker(void)
{
    static const char *const bad[] = {
        "{\"execute\": \"no-such-command\"}",
        "{\"execute\": \"blockdev-del\"}",
        "{\"execute\": \"blockdev-del\", \"arguments\": {\"node-name\": 1}}",
        "{\"execute\": \"blockdev-del\", \"arguments\": {\"node-name\": \"a\", \"x\": 1}}",
        "{\"execute\": \"transaction\", \"arguments\": {\"actions\": [{\"type\": "
        "\"block-dirty-bitmap-add\", \"data\": {\"node\": \"n\", \"name\": \"b\", "
        "\"persistant\": true}}]}}",
        "{\"execute\": \"transaction\", \"arguments\": {\"actions\": [{\"type\": "
        "\"blockdev-backup\", \"data\": {\"device\": \"n\", \"target\": \"t\", "
        "\"sync\": \"sometimes\"}}]}}",
        "{\"execute\": \"block-dirty-bitmap-merge\", \"arguments\": {\"node\": \"n\", "
        "\"target\": \"t\", \"bitmaps\": [{\"node\": \"n\"}]}}",
        "{\"execute\": \"nbd-server-start\", \"arguments\": {\"addr\": {\"type\": \"unix\", "
        "\"data\": {\"host\": \"x\"}}}}",
    };
    static const char *const good[] = {
        "{\"execute\": \"query-status\"}",
        "{\"execute\": \"block-dirty-bitmap-merge\", \"arguments\": {\"node\": \"n\", "
        "\"target\": \"t\", \"bitmaps\": [\"a\", {\"node\": \"n\", \"name\": \"b\"}]}}",
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(GError) err = NULL;

        g_assert_false(checkText(bad[i], &err));
        g_assert_nonnull(err);
        g_test_message("rejected as expected: %s", err->message);
    }
    for (i = 0; i < G_N_ELEMENTS(good); i++) {
        g_autoptr(GError) err = NULL;

        checkText(good[i], &err);
        g_assert_no_error(err);
    }
}


static void
testFile(gconstpointer opaque)
{
    const char *path = opaque;
    g_autoptr(GError) err = NULL;
    g_autoptr(GPtrArray) script = qmpTestScriptLoad(path, &err);
    guint checked = 0;
    guint i;

    g_assert_no_error(err);
    for (i = 0; i < script->len; i++) {
        qmpTestStep *step = g_ptr_array_index(script, i);

        if (step->kind != QMP_TEST_STEP_EXPECT)
            continue;
        if (!checkText(step->text, &err))
            g_error("%s:%d: %s", path, step->line, err->message);
        checked++;
    }
    g_test_message("%u commands checked", checked);
}


int
main(int argc, char **argv)
{
    g_autofree char *schema_path = cairnTestSrcPath("data/qapi-schema/qemu-7.2.json");
    g_autofree char *dir = cairnTestSrcPath("data/qmp");
    g_autoptr(GPtrArray) files = NULL;
    g_autoptr(GError) err = NULL;
    guint i;
    int ret;

    g_test_init(&argc, &argv, NULL);
    if (!(schema = qmpTestSchemaLoad(schema_path, &err)))
        g_error("%s", err->message);
    files = qmpTestListConversations(dir);

    g_test_add_func("/qmp/schema/checker", testChecker);
    for (i = 0; i < files->len; i++) {
        const char *path = g_ptr_array_index(files, i);
        g_autofree char *base = g_path_get_basename(path);
        g_autofree char *test = g_strdup_printf("/qmp/schema/%s", base);

        g_test_add_data_func(test, path, testFile);
    }
    ret = g_test_run();
    qmpTestSchemaFree(schema);
    return ret;
}
