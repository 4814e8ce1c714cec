/*
 * clitest.c: transcript tests for the cairn CLI.
 *
 * Usage: clitest CAIRN_BINARY NAME.cmd...
 *
 * A NAME.cmd file holds shell invocations run against test:///default:
 * a line starting with "$ " begins one (its text is /bin/sh code, where
 * "cairn" is the binary under test), following lines continue it (for
 * multi-line quoted command strings or here-documents), and lines starting
 * with "#" are comments. Each invocation runs in a fresh temporary
 * directory shared by the whole file, with stdout and stderr merged, TZ=UTC,
 * LC_ALL=C, CAIRN_DEFAULT_URI=test:///default (commands without -c use it),
 * CAIRN_TEST_FAKE_TIME=1700000000, EDITOR=false and $srcdir set to the
 * directory of NAME.cmd.
 *
 * The transcript (comments, each invocation, its output, "[exit N]" when
 * the status is not 0) is compared with NAME.out;
 * CAIRN_TEST_REGENERATE_OUTPUT=1 rewrites NAME.out instead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutils.h"


typedef struct {
    char *code; /* shell code of one invocation */
    bool is_comment;
} cliStep;


static void
cliStepFree(cliStep *step)
{
    g_free(step->code);
    g_free(step);
}


static void
cliFinishCode(cliStep *step, GString **code)
{
    if (!*code)
        return;
    while ((*code)->len && (*code)->str[(*code)->len - 1] == '\n')
        g_string_truncate(*code, (*code)->len - 1);
    step->code = g_string_free(*code, FALSE);
    *code = NULL;
}


/* Split a .cmd file into comments and invocations. */
static GPtrArray *
cliParseCmdFile(const char *text)
{
    g_autoptr(GPtrArray) steps = g_ptr_array_new_with_free_func((GDestroyNotify)cliStepFree);
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    cliStep *cur = NULL;
    GString *code = NULL;
    size_t i;

    for (i = 0; lines[i]; i++) {
        const char *line = lines[i];
        cliStep *step;

        if (!g_str_has_prefix(line, "$ ") && line[0] != '#') {
            if (code) {
                g_string_append_c(code, '\n');
                g_string_append(code, line);
            } else if (*line) {
                fprintf(stderr, "stray line ignored: %s\n", line);
            }
            continue;
        }
        if (cur)
            cliFinishCode(cur, &code);
        step = g_new0(cliStep, 1);
        g_ptr_array_add(steps, step);
        if (line[0] == '#') {
            step->is_comment = true;
            step->code = g_strdup(line);
            cur = NULL;
        } else {
            cur = step;
            code = g_string_new(line + 2);
        }
    }
    if (cur)
        cliFinishCode(cur, &code);
    return g_steal_pointer(&steps);
}


static char **
cliEnv(const char *bindir, const char *srcdir, const char *tmpdir)
{
    char **env = g_get_environ();
    g_autofree char *path = g_strdup_printf("%s:%s", bindir, g_getenv("PATH"));

    env = g_environ_setenv(env, "PATH", path, TRUE);
    env = g_environ_setenv(env, "TZ", "UTC", TRUE);
    env = g_environ_setenv(env, "LC_ALL", "C", TRUE);
    env = g_environ_setenv(env, "CAIRN_TEST_FAKE_TIME", "1700000000", TRUE);
    env = g_environ_setenv(env, "EDITOR", "false", TRUE);
    env = g_environ_setenv(env, "srcdir", srcdir, TRUE);
    env = g_environ_setenv(env, "HOME", tmpdir, TRUE);
    env = g_environ_setenv(env, "XDG_CACHE_HOME", tmpdir, TRUE);
    env = g_environ_setenv(env, "TMPDIR", tmpdir, TRUE);
    env = g_environ_unsetenv(env, "VISUAL");
    env = g_environ_setenv(env, "CAIRN_DEFAULT_URI", "test:///default", TRUE);
    env = g_environ_unsetenv(env, "G_DEBUG");
    return env;
}


/* Run @code with sh in @tmpdir; append the echo and output to @out. */
static bool
cliRunStep(const char *code, char **env, const char *tmpdir, GString *out)
{
    g_autofree char *wrapped = g_strdup_printf("{ %s\n} 2>&1", code);
    const char *argv[] = { "/bin/sh", "-c", wrapped, NULL };
    g_autoptr(GError) err = NULL;
    g_autofree char *output = NULL;
    int status = 0;

    g_string_append_printf(out, "$ %s\n", code);
    if (!g_spawn_sync(tmpdir, (char **)argv, env, G_SPAWN_DEFAULT, NULL, NULL, &output, NULL,
                      &status, &err)) {
        fprintf(stderr, "cannot run /bin/sh: %s\n", err->message);
        return false;
    }
    g_string_append(out, output);
    if (*output && output[strlen(output) - 1] != '\n')
        g_string_append(out, "\n[no newline at end of output]\n");
    if (!WIFEXITED(status)) {
        g_string_append(out, "[killed by a signal]\n");
    } else if (WEXITSTATUS(status) != 0) {
        g_string_append_printf(out, "[exit %d]\n", WEXITSTATUS(status));
    }
    return true;
}


static bool
cliRunFile(const char *cairn, const char *cmdfile)
{
    g_autofree char *text = cairnTestReadFile(cmdfile);
    g_autofree char *abscairn = g_canonicalize_filename(cairn, NULL);
    g_autofree char *abscmd = g_canonicalize_filename(cmdfile, NULL);
    g_autofree char *bindir = g_path_get_dirname(abscairn);
    g_autofree char *srcdir = g_path_get_dirname(abscmd);
    g_autofree char *base = NULL;
    g_autofree char *outfile = NULL;
    g_autofree char *tmpdir = NULL;
    g_autoptr(GPtrArray) steps = NULL;
    g_autoptr(GString) out = g_string_new(NULL);
    g_auto(GStrv) env = NULL;
    g_autoptr(GError) err = NULL;
    size_t i;

    if (!text)
        return false;
    base = g_strndup(cmdfile, strlen(cmdfile) - strlen(".cmd"));
    outfile = g_strdup_printf("%s.out", base);
    if (!(tmpdir = g_dir_make_tmp("cairn-cli-XXXXXX", &err))) {
        fprintf(stderr, "cannot create a temporary directory: %s\n", err->message);
        return false;
    }
    env = cliEnv(bindir, srcdir, tmpdir);
    steps = cliParseCmdFile(text);
    for (i = 0; i < steps->len; i++) {
        cliStep *step = g_ptr_array_index(steps, i);

        if (step->is_comment) {
            g_string_append_printf(out, "%s\n", step->code);
        } else if (!cliRunStep(step->code, env, tmpdir, out)) {
            return false;
        }
    }
    {
        const char *rm[] = { "rm", "-rf", tmpdir, NULL };

        g_spawn_sync(NULL, (char **)rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL,
                     NULL);
    }
    return cairnTestCompareToFile(out->str, outfile);
}


int
main(int argc, char **argv)
{
    int ret = EXIT_SUCCESS;
    int i;

    if (argc < 3) {
        fprintf(stderr, "usage: %s CAIRN NAME.cmd...\n", argv[0]);
        return EXIT_FAILURE;
    }
    for (i = 2; i < argc; i++) {
        if (!cliRunFile(argv[1], argv[i])) {
            fprintf(stderr, "FAIL: %s\n", argv[i]);
            ret = EXIT_FAILURE;
        }
    }
    return ret;
}
