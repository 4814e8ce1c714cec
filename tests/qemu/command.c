/*
 * command.c: the QEMU command line built from a domain definition, without
 * running QEMU. For every tests/qemu/data/command-NAME.xml the argument
 * vector (one argument per line) plus the recorded disk aliases and node
 * names must equal command-NAME.args; files named *-invalid.xml must be
 * refused, with the message in command-NAME.err.
 */
#include <stdio.h>
#include <string.h>

#include "qemu/qemu_command.h"
#include "testutils.h"
#include "util/cairnerror.h"


static char *
formatResult(GStrv argv, const qemuDomainStatus *st)
{
    GString *buf = g_string_new(NULL);

    for (size_t i = 0; argv[i]; i++)
        g_string_append_printf(buf, "%s\n", argv[i]);
    g_string_append(buf, "# disks\n");
    for (guint i = 0; i < st->disks->len; i++) {
        qemuStatusDisk *d = g_ptr_array_index(st->disks, i);

        g_string_append_printf(buf, "%s %s %s %s\n", d->dst, d->alias,
                               d->storage_node ? d->storage_node : "-",
                               d->format_node ? d->format_node : "-");
    }
    return g_string_free(buf, FALSE);
}


static bool
runOne(const char *dir, const char *name)
{
    g_autofree char *xmlpath = g_build_filename(dir, name, NULL);
    g_autofree char *base = g_strndup(name, strlen(name) - strlen(".xml"));
    g_autofree char *xml = cairnTestReadFile(xmlpath);
    g_autoptr(cairnDomainDef) def = NULL;
    g_autoptr(qemuDomainStatus) st = qemuDomainStatusNew();
    g_autoptr(GError) err = NULL;
    g_auto(GStrv) argv = NULL;
    g_autofree char *expected = NULL;
    g_autofree char *actual = NULL;
    bool invalid = g_str_has_suffix(base, "-invalid");
    qemuCommandParams params = {
        .emulator = "/usr/bin/qemu-system-x86_64",
        .qmp_path = "/var/lib/cairn/run/NAME.qmp",
        .pid_path = "/var/lib/cairn/run/NAME.pid",
        .agent_path = "/var/lib/cairn/run/NAME.agent",
    };

    if (!xml || !(def = cairnDomainDefParseString(xml, CAIRN_DOMAIN_DEF_PARSE_INACTIVE, &err))) {
        fprintf(stderr, "%s: %s\n", name, err ? err->message : "unreadable");
        return false;
    }
    params.kvm = def->virt_type == CAIRN_DOMAIN_VIRT_KVM;
    argv = qemuCommandBuild(def, &params, st, &err);
    if (invalid) {
        expected = g_strconcat(dir, "/", base, ".err", NULL);
        if (argv) {
            fprintf(stderr, "%s: accepted, should fail\n", name);
            return false;
        }
        actual = g_strconcat(err->message, "\n", NULL);
    } else {
        expected = g_strconcat(dir, "/", base, ".args", NULL);
        if (!argv) {
            fprintf(stderr, "%s: %s\n", name, err->message);
            return false;
        }
        actual = formatResult(argv, st);
    }
    return cairnTestCompareToFile(actual, expected);
}


static bool
checkIndexes(void)
{
    static const struct {
        const char *dst;
        int idx;
    } cases[] = {
        { "vda", 0 }, { "vdz", 25 }, { "vdaa", 26 }, { "vdab", 27 }, { "vdba", 52 },
        { "hdc", 2 }, { "sdb", 1 },  { "vd", -1 },   { "vd1", -1 },  { "xyz", -1 },
    };
    bool ok = true;

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        int got = qemuCommandDiskIndex(cases[i].dst);

        if (got != cases[i].idx) {
            fprintf(stderr, "index of %s: %d, want %d\n", cases[i].dst, got, cases[i].idx);
            ok = false;
        }
    }
    return ok;
}


int
main(void)
{
    g_autofree char *dir = cairnTestSrcPath("qemu/data");
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *ent;
    int failed = 0;
    int n = 0;

    if (!d) {
        fprintf(stderr, "cannot open %s\n", dir);
        return 1;
    }
    while ((ent = g_dir_read_name(d))) {
        if (!g_str_has_prefix(ent, "command-") || !g_str_has_suffix(ent, ".xml"))
            continue;
        n++;
        if (!runOne(dir, ent))
            failed++;
    }
    if (!checkIndexes())
        failed++;
    printf("%d files, %d failed\n", n, failed);
    return failed ? 1 : 0;
}
