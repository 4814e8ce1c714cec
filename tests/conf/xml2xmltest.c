/*
 * xml2xmltest.c: data-driven XML round trips, one runner for every kind.
 *
 *   xml2xmltest checkpoint   tests/data/checkpointxml2xml/{in,out}/NAME.xml
 *   xml2xmltest domain       tests/data/domainxml2xml/{in,out}/NAME.xml
 *   xml2xmltest backup       tests/data/backupxml2xml/{in,out}/NAME.xml
 *   xml2xmltest conformance  libvirt's checkpoint and backup cases
 *                            ($CAIRN_CONFORMANCE_DIR)
 *   xml2xmltest conformance-backup DIR
 *                            backup cases laid out as libvirt's, under
 *                            libvirt's harness conditions (our own, in
 *                            tests/data/conformance-backup: cases the
 *                            shared copy of libvirt's data lacks, such as
 *                            the internal form)
 *
 * The directories are enumerated: adding a case is adding files.
 *
 * in/NAME.xml is parsed, processed and formatted, and the result compared
 * with out/NAME.xml (rewritten instead with CAIRN_TEST_REGENERATE_OUTPUT=1).
 * Every out/NAME.xml is parsed back (checkpoints with REDEFINE) and must
 * format to itself, and every output must validate against libvirt's RNG
 * schema. in/NAME-invalid.xml (and, for checkpoints, out/NAME-invalid.xml,
 * parsed with REDEFINE) must fail; NAME.err beside it holds the expected
 * error: the code's name on the first line, the full message on the
 * second.
 *
 * Checkpoint cases are processed as a driver creating a checkpoint would:
 * fake clock at 1700000000, the domain attached and disks aligned, output
 * with SECURE|NO_DOMAIN. An optional in/NAME.opts changes that, one
 * directive a line:
 *   now N            the fake clock
 *   domain NAME      align against tests/data/domainxml2xml/out/NAME.xml
 *                    (default: ckpt-default)
 *   parent NAME      set the parent after parsing
 *   redefine         parse with REDEFINE, then cairnCheckpointRedefineValidate
 *                    against the domain's UUID (or the one given by 'uuid')
 *   uuid UUID        see redefine
 *   noalign          neither attach the domain nor align
 *   size DISK N      set the size of a disk after processing
 *   flags F...       output flags among secure, no-domain, size
 *                    (default: secure no-domain)
 * The out->out pass applies 'size' and 'flags' again.
 *
 * Backup cases are processed as BackupBegin would: parsed as public input,
 * disks aligned against tests/data/domainxml2xml/out/ckpt-default.xml
 * with the suffix 1700000000, formatted for the public API. An optional
 * in/NAME.opts changes that, one directive a line:
 *   domain NAME      the domain to align against
 *   suffix S         the suffix of generated file names
 *   noalign          do not align
 *   internal         parse in the internal (status) form
 *   driver           apply the drivers' defaults after alignment
 *   format-internal  format in the internal (status) form (out->out then
 *                    parses internal too; no schema check: libvirt has
 *                    none for status XML)
 * out/NAME.xml is parsed back the same way, without alignment, and must
 * format to itself.
 *
 * Domain cases are parsed with INACTIVE (plus LENIENT when the name
 * contains "-lenient"); when the input has no <uuid>, the generated one is
 * checked to be a random (version 4) UUID and replaced by a fixed one.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutils.h"
#include "conf/backup_conf.h"
#include "conf/checkpoint_conf.h"
#include "conf/domain_conf.h"
#include "util/cairnerror.h"
#include "util/cairntime.h"

#define FAKE_NOW 1700000000
#define FIXED_UUID "00000000-0000-4000-8000-000000000000"

static int failures;
static int passes;


static void report(bool ok, const char *fmt, ...) G_GNUC_PRINTF(2, 3);


static void
report(bool ok, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    printf("%s - %s\n", ok ? "ok" : "FAIL", msg);
    if (ok)
        passes++;
    else
        failures++;
}


/* ---- expected errors ---- */

static const struct {
    const char *name;
    int code;
} errorCodes[] = {
    { "INTERNAL_ERROR", CAIRN_ERR_INTERNAL_ERROR },
    { "INVALID_ARG", CAIRN_ERR_INVALID_ARG },
    { "XML_ERROR", CAIRN_ERR_XML_ERROR },
    { "CONFIG_UNSUPPORTED", CAIRN_ERR_CONFIG_UNSUPPORTED },
    { "XML_INVALID_SCHEMA", CAIRN_ERR_XML_INVALID_SCHEMA },
    { "OPERATION_INVALID", CAIRN_ERR_OPERATION_INVALID },
};


static const char *
errorCodeName(int code)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(errorCodes); i++) {
        if (errorCodes[i].code == code)
            return errorCodes[i].name;
    }
    return "UNKNOWN";
}


/* Compare @err with @err_path (or regenerate it). A NULL @err_path only
 * requires a failure. */
static bool
checkExpectedError(const GError *err, const char *err_path)
{
    g_autofree char *actual = NULL;

    if (!err) {
        fprintf(stderr, "expected a failure, got success\n");
        return false;
    }
    if (!err_path)
        return true;
    actual = g_strdup_printf("%s\n%s\n", errorCodeName(err->code), err->message);
    return cairnTestCompareToFile(actual, err_path);
}


/* ---- checkpoint options ---- */

typedef struct {
    long long now;
    char *domain;
    char *parent;
    char *uuid;
    bool redefine;
    bool noalign;
    unsigned int flags;
    GPtrArray *sizes; /* "DISK N" strings */
} ckptOpts;


static void
ckptOptsClear(ckptOpts *opts)
{
    g_free(opts->domain);
    g_free(opts->parent);
    g_free(opts->uuid);
    if (opts->sizes)
        g_ptr_array_unref(opts->sizes);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(ckptOpts, ckptOptsClear)


static void
replaceStr(char **dst, const char *src)
{
    g_free(*dst);
    *dst = g_strdup(src);
}


static bool
ckptOptsParseFlags(ckptOpts *opts, char **words)
{
    size_t i;

    opts->flags = 0;
    for (i = 1; words[i]; i++) {
        if (g_str_equal(words[i], "secure"))
            opts->flags |= CAIRN_CHECKPOINT_FORMAT_SECURE;
        else if (g_str_equal(words[i], "no-domain"))
            opts->flags |= CAIRN_CHECKPOINT_FORMAT_NO_DOMAIN;
        else if (g_str_equal(words[i], "size"))
            opts->flags |= CAIRN_CHECKPOINT_FORMAT_SIZE;
        else
            return false;
    }
    return true;
}


static bool
ckptOptsParseLine(ckptOpts *opts, char **words)
{
    size_t n = g_strv_length(words);

    if (n == 0)
        return true;
    if (g_str_equal(words[0], "redefine") && n == 1)
        opts->redefine = true;
    else if (g_str_equal(words[0], "noalign") && n == 1)
        opts->noalign = true;
    else if (g_str_equal(words[0], "now") && n == 2)
        opts->now = g_ascii_strtoll(words[1], NULL, 10);
    else if (g_str_equal(words[0], "domain") && n == 2)
        replaceStr(&opts->domain, words[1]);
    else if (g_str_equal(words[0], "parent") && n == 2)
        replaceStr(&opts->parent, words[1]);
    else if (g_str_equal(words[0], "uuid") && n == 2)
        replaceStr(&opts->uuid, words[1]);
    else if (g_str_equal(words[0], "size") && n == 3)
        g_ptr_array_add(opts->sizes, g_strdup_printf("%s %s", words[1], words[2]));
    else if (g_str_equal(words[0], "flags"))
        return ckptOptsParseFlags(opts, words);
    else
        return false;
    return true;
}


/* Read in/NAME.opts if it exists. */
static bool
ckptOptsLoad(ckptOpts *opts, const char *path)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    size_t i;

    opts->now = FAKE_NOW;
    opts->domain = g_strdup("ckpt-default");
    opts->flags = CAIRN_CHECKPOINT_FORMAT_SECURE | CAIRN_CHECKPOINT_FORMAT_NO_DOMAIN;
    opts->sizes = g_ptr_array_new_with_free_func(g_free);
    if (!g_file_test(path, G_FILE_TEST_EXISTS))
        return true;
    if (!(text = cairnTestReadFile(path)))
        return false;
    lines = g_strsplit(text, "\n", -1);
    for (i = 0; lines[i]; i++) {
        g_auto(GStrv) words = g_strsplit_set(g_strstrip(lines[i]), " \t", -1);
        g_autoptr(GPtrArray) nonempty = g_ptr_array_new();
        size_t j;

        for (j = 0; words[j]; j++) {
            if (*words[j])
                g_ptr_array_add(nonempty, words[j]);
        }
        g_ptr_array_add(nonempty, NULL);
        if (!ckptOptsParseLine(opts, (char **)nonempty->pdata)) {
            fprintf(stderr, "%s: bad directive '%s'\n", path, lines[i]);
            return false;
        }
    }
    return true;
}


static bool
ckptApplySizes(cairnCheckpointDef *def, const ckptOpts *opts)
{
    size_t i;
    size_t j;

    for (i = 0; i < opts->sizes->len; i++) {
        g_auto(GStrv) words = g_strsplit(g_ptr_array_index(opts->sizes, i), " ", 2);
        bool found = false;

        for (j = 0; j < def->disks->len; j++) {
            cairnCheckpointDiskDef *disk = g_ptr_array_index(def->disks, j);

            if (g_strcmp0(disk->name, words[0]) == 0) {
                disk->size = g_ascii_strtoull(words[1], NULL, 10);
                disk->has_size = true;
                found = true;
            }
        }
        if (!found) {
            fprintf(stderr, "size: no disk '%s'\n", words[0]);
            return false;
        }
    }
    return true;
}


static cairnDomainDef *
loadDomain(const char *name)
{
    g_autofree char *rel = g_strdup_printf("data/domainxml2xml/out/%s.xml", name);
    g_autofree char *path = cairnTestSrcPath(rel);
    g_autofree char *xml = NULL;
    g_autoptr(GError) err = NULL;
    cairnDomainDef *def;

    if (!(xml = cairnTestReadFile(path)))
        return NULL;
    if (!(def = cairnDomainDefParseString(xml, CAIRN_DOMAIN_DEF_PARSE_INACTIVE, &err)))
        fprintf(stderr, "%s: %s\n", path, err->message);
    return def;
}


/* ---- checkpoint cases ---- */

/* What a driver does between parsing and formatting. */
static bool
ckptProcess(cairnCheckpointDef *def, const ckptOpts *opts, GError **error)
{
    g_autoptr(cairnDomainDef) dom = NULL;
    unsigned char uuid[CAIRN_UUID_RAW_LEN];

    if (opts->parent) {
        g_free(def->parent_name);
        def->parent_name = g_strdup(opts->parent);
    }
    if (opts->noalign)
        return true;
    if (!(dom = loadDomain(opts->domain))) {
        g_set_error_literal(error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "cannot load domain");
        return false;
    }
    if (opts->redefine) {
        memcpy(uuid, dom->uuid, sizeof(uuid));
        if (opts->uuid && !cairnUUIDParse(opts->uuid, uuid)) {
            g_set_error_literal(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "bad uuid option");
            return false;
        }
        return cairnCheckpointRedefineValidate(def, uuid, error);
    }
    cairnCheckpointDefSetDomain(def, dom);
    return cairnCheckpointAlignDisks(def, error);
}


/* Parse @xml; on success also process it. Returns the formatted output,
 * or NULL with @error set. */
static char *
ckptRun(const char *xml, const ckptOpts *opts, bool process, GError **error)
{
    g_autoptr(cairnCheckpointDef) def = NULL;
    unsigned int flags = (opts->redefine || !process) ? CAIRN_CHECKPOINT_PARSE_REDEFINE : 0;

    cairnClockSetFake(opts->now);
    def = cairnCheckpointDefParseString(xml, flags, error);
    cairnClockSetFake(0);
    if (!def)
        return NULL;
    if (process && !ckptProcess(def, opts, error))
        return NULL;
    if (!process && !cairnCheckpointRedefineValidate(def, def->dom ? def->dom->uuid : NULL, error))
        return NULL;
    if (!ckptApplySizes(def, opts)) {
        g_set_error_literal(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "bad size option");
        return NULL;
    }
    return cairnCheckpointDefFormat(def, opts->flags);
}


static bool
hasSuffix(const char *name, const char *suffix)
{
    return g_str_has_suffix(name, suffix);
}


static int
compareNames(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}


/* Sorted names of the *.xml files in @dir, without the extension. */
static GPtrArray *
listCases(const char *dir)
{
    g_autoptr(GDir) d = NULL;
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    const char *ent;

    if (!(d = g_dir_open(dir, 0, NULL)))
        return names;
    while ((ent = g_dir_read_name(d))) {
        if (hasSuffix(ent, ".xml"))
            g_ptr_array_add(names, g_strndup(ent, strlen(ent) - 4));
    }
    g_ptr_array_sort(names, compareNames);
    return names;
}


static char *
casePath(const char *base, const char *sub, const char *name, const char *ext)
{
    g_autofree char *file = g_strdup_printf("%s%s", name, ext);

    return g_build_filename(base, sub, file, NULL);
}


static void
ckptCaseIn(const char *base, const char *name)
{
    g_autofree char *in = casePath(base, "in", name, ".xml");
    g_autofree char *out = casePath(base, "out", name, ".xml");
    g_autofree char *opts_path = casePath(base, "in", name, ".opts");
    g_autofree char *err_path = casePath(base, "in", name, ".err");
    g_auto(ckptOpts) opts = { 0 };
    g_autofree char *xml = NULL;
    g_autofree char *actual = NULL;
    g_autoptr(GError) err = NULL;

    if (!ckptOptsLoad(&opts, opts_path) || !(xml = cairnTestReadFile(in))) {
        report(false, "checkpoint in->out %s: cannot load the case", name);
        return;
    }
    actual = ckptRun(xml, &opts, true, &err);
    if (hasSuffix(name, "-invalid")) {
        report(checkExpectedError(err, err_path), "checkpoint in->out %s", name);
        return;
    }
    if (!actual) {
        fprintf(stderr, "%s: %s\n", in, err->message);
        report(false, "checkpoint in->out %s", name);
        return;
    }
    report(cairnTestCompareToFile(actual, out) &&
               cairnTestValidateRNG(actual, "domaincheckpoint.rng"),
           "checkpoint in->out %s", name);
}


static void
ckptCaseOut(const char *base, const char *name)
{
    g_autofree char *out = casePath(base, "out", name, ".xml");
    g_autofree char *opts_path = casePath(base, "in", name, ".opts");
    g_autofree char *err_path = casePath(base, "out", name, ".err");
    g_auto(ckptOpts) opts = { 0 };
    g_autofree char *xml = NULL;
    g_autofree char *actual = NULL;
    g_autoptr(GError) err = NULL;

    if (!ckptOptsLoad(&opts, opts_path) || !(xml = cairnTestReadFile(out))) {
        report(false, "checkpoint out->out %s: cannot load the case", name);
        return;
    }
    if (!g_file_test(opts_path, G_FILE_TEST_EXISTS))
        opts.flags = CAIRN_CHECKPOINT_FORMAT_SECURE;
    actual = ckptRun(xml, &opts, false, &err);
    if (hasSuffix(name, "-invalid")) {
        report(checkExpectedError(err, err_path), "checkpoint out->out %s", name);
        return;
    }
    if (!actual) {
        fprintf(stderr, "%s: %s\n", out, err->message);
        report(false, "checkpoint out->out %s", name);
        return;
    }
    if (!g_str_equal(actual, xml))
        fprintf(stderr, "--- expected (%s)\n%s--- actual\n%s", out, xml, actual);
    report(g_str_equal(actual, xml) && cairnTestValidateRNG(actual, "domaincheckpoint.rng"),
           "checkpoint out->out %s", name);
}


static void
runDirectory(const char *base, const char *sub, void (*fn)(const char *base, const char *name))
{
    g_autofree char *dir = g_build_filename(base, sub, NULL);
    g_autoptr(GPtrArray) names = listCases(dir);
    size_t i;

    if (names->len == 0)
        report(false, "no cases in %s", dir);
    for (i = 0; i < names->len; i++)
        fn(base, g_ptr_array_index(names, i));
}


/* ---- libvirt's conformance cases, under libvirt's harness conditions ---- */

static const struct {
    const char *name;
    long long now;
    const char *parent;
    bool size;
} conformanceCases[] = {
    { "empty", 1525889631, NULL, false },
    { "disk-default", 1525889631, "1525111885", false },
    { "sample", 1525889631, "1525111885", false },
    { "size", 1553648510, "1525111885", true },
};


/* A domain with a qcow2 disk vda, plus one per other disk the checkpoint
 * names, so that alignment keeps what the input lists. */
static cairnDomainDef *
conformanceDomain(const cairnCheckpointDef *def)
{
    cairnDomainDef *dom = cairnDomainDefNew();
    g_autoptr(GPtrArray) names = g_ptr_array_new();
    size_t i;

    dom->virt_type = CAIRN_DOMAIN_VIRT_QEMU;
    dom->name = g_strdup("conformance");
    dom->memory_kib = 1024;
    g_ptr_array_add(names, (void *)"vda");
    for (i = 0; i < def->disks->len; i++) {
        const cairnCheckpointDiskDef *disk = g_ptr_array_index(def->disks, i);

        if (!g_str_equal(disk->name, "vda"))
            g_ptr_array_add(names, disk->name);
    }
    for (i = 0; i < names->len; i++) {
        cairnDomainDiskDef *disk = cairnDomainDiskDefNew();

        disk->format = CAIRN_DOMAIN_DISK_FORMAT_QCOW2;
        disk->dst = g_strdup(g_ptr_array_index(names, i));
        disk->src = g_strdup_printf("/fake/%s.qcow2", disk->dst);
        disk->bus = CAIRN_DOMAIN_DISK_BUS_VIRTIO;
        g_ptr_array_add(dom->disks, disk);
    }
    return dom;
}


static int
conformanceLookup(const char *name)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(conformanceCases); i++) {
        if (g_str_equal(conformanceCases[i].name, name))
            return (int)i;
    }
    return -1;
}


static char *
conformanceProcess(const char *xml, int idx, GError **error)
{
    g_autoptr(cairnCheckpointDef) def = NULL;
    g_autoptr(cairnDomainDef) dom = NULL;
    unsigned int flags = CAIRN_CHECKPOINT_FORMAT_SECURE | CAIRN_CHECKPOINT_FORMAT_NO_DOMAIN;

    cairnClockSetFake(conformanceCases[idx].now);
    def = cairnCheckpointDefParseString(xml, 0, error);
    cairnClockSetFake(0);
    if (!def)
        return NULL;
    if (conformanceCases[idx].parent)
        def->parent_name = g_strdup(conformanceCases[idx].parent);
    dom = conformanceDomain(def);
    cairnCheckpointDefSetDomain(def, dom);
    if (!cairnCheckpointAlignDisks(def, error))
        return NULL;
    if (conformanceCases[idx].size) {
        cairnCheckpointDiskDef *disk = g_ptr_array_index(def->disks, 0);

        disk->size = 1048576;
        disk->has_size = true;
        flags |= CAIRN_CHECKPOINT_FORMAT_SIZE;
    }
    return cairnCheckpointDefFormat(def, flags);
}


static bool
compareExact(const char *actual, const char *expected, const char *path)
{
    if (g_str_equal(actual, expected))
        return true;
    fprintf(stderr, "--- expected (%s)\n%s--- actual\n%s", path, expected, actual);
    return false;
}


static void
conformanceCaseIn(const char *base, const char *name)
{
    g_autofree char *in = casePath(base, "qemudomaincheckpointxml2xmlin", name, ".xml");
    g_autofree char *out = casePath(base, "qemudomaincheckpointxml2xmlout", name, ".xml");
    g_autofree char *xml = cairnTestReadFile(in);
    g_autofree char *expected = NULL;
    g_autofree char *actual = NULL;
    g_autoptr(GError) err = NULL;
    int idx = conformanceLookup(name);

    if (hasSuffix(name, "-invalid")) {
        g_autoptr(cairnCheckpointDef) def = cairnCheckpointDefParseString(xml, 0, &err);

        if (err)
            fprintf(stderr, "%s: %s\n", name, err->message);
        report(!def && err, "conformance in->out %s (must fail)", name);
        return;
    }
    if (idx < 0) {
        report(false, "conformance in->out %s: no harness conditions known", name);
        return;
    }
    if (!(actual = conformanceProcess(xml, idx, &err))) {
        fprintf(stderr, "%s: %s\n", in, err->message);
        report(false, "conformance in->out %s", name);
        return;
    }
    expected = cairnTestReadFile(out);
    report(expected && compareExact(actual, expected, out) &&
               cairnTestValidateRNG(actual, "domaincheckpoint.rng"),
           "conformance in->out %s", name);
}


static void
conformanceCaseOut(const char *base, const char *name)
{
    g_autofree char *out = casePath(base, "qemudomaincheckpointxml2xmlout", name, ".xml");
    g_autofree char *xml = cairnTestReadFile(out);
    g_autoptr(cairnCheckpointDef) def = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *actual = NULL;
    unsigned int flags = CAIRN_CHECKPOINT_FORMAT_SECURE;
    int idx = conformanceLookup(name);

    def = cairnCheckpointDefParseString(xml, CAIRN_CHECKPOINT_PARSE_REDEFINE, &err);
    if (hasSuffix(name, "-invalid")) {
        if (err)
            fprintf(stderr, "%s: %s\n", name, err->message);
        report(!def && err, "conformance out->out %s (must fail)", name);
        return;
    }
    if (!def || !cairnCheckpointRedefineValidate(def, def->dom ? def->dom->uuid : NULL, &err)) {
        fprintf(stderr, "%s: %s\n", out, err->message);
        report(false, "conformance out->out %s", name);
        return;
    }
    if (idx >= 0 && conformanceCases[idx].size) {
        cairnCheckpointDiskDef *disk = g_ptr_array_index(def->disks, 0);

        disk->size = 1048576;
        disk->has_size = true;
        flags |= CAIRN_CHECKPOINT_FORMAT_SIZE;
    }
    actual = cairnCheckpointDefFormat(def, flags);
    report(compareExact(actual, xml, out) && cairnTestValidateRNG(actual, "domaincheckpoint.rng"),
           "conformance out->out %s", name);
}


/* ---- backup cases ---- */

#define BACKUP_SUFFIX "1700000000"

typedef struct {
    char *domain;
    char *suffix;
    bool noalign;
    bool internal;
    bool driver;
    bool format_internal;
} backupOpts;


static void
backupOptsClear(backupOpts *opts)
{
    g_free(opts->domain);
    g_free(opts->suffix);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(backupOpts, backupOptsClear)


static bool
backupOptsParseLine(backupOpts *opts, char **words)
{
    size_t n = g_strv_length(words);

    if (n == 0)
        return true;
    if (n == 2 && g_str_equal(words[0], "domain"))
        replaceStr(&opts->domain, words[1]);
    else if (n == 2 && g_str_equal(words[0], "suffix"))
        replaceStr(&opts->suffix, words[1]);
    else if (n == 1 && g_str_equal(words[0], "noalign"))
        opts->noalign = true;
    else if (n == 1 && g_str_equal(words[0], "internal"))
        opts->internal = true;
    else if (n == 1 && g_str_equal(words[0], "driver"))
        opts->driver = true;
    else if (n == 1 && g_str_equal(words[0], "format-internal"))
        opts->format_internal = true;
    else
        return false;
    return true;
}


static bool
backupOptsLoad(backupOpts *opts, const char *path)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;

    opts->domain = g_strdup("ckpt-default");
    opts->suffix = g_strdup(BACKUP_SUFFIX);
    if (!g_file_test(path, G_FILE_TEST_EXISTS))
        return true;
    if (!(text = cairnTestReadFile(path)))
        return false;
    lines = g_strsplit(text, "\n", -1);
    for (size_t i = 0; lines[i]; i++) {
        g_auto(GStrv) words = g_strsplit_set(g_strstrip(lines[i]), " \t", -1);
        g_autoptr(GPtrArray) nonempty = g_ptr_array_new();

        for (size_t j = 0; words[j]; j++) {
            if (*words[j])
                g_ptr_array_add(nonempty, words[j]);
        }
        g_ptr_array_add(nonempty, NULL);
        if (!backupOptsParseLine(opts, (char **)nonempty->pdata)) {
            fprintf(stderr, "%s: bad directive '%s'\n", path, lines[i]);
            return false;
        }
    }
    return true;
}


/* Parse @xml; with @process also align (and apply driver defaults) as
 * @opts says. Returns the formatted output or NULL with @error set. */
static char *
backupRun(const char *xml, const backupOpts *opts, bool process, GError **error)
{
    g_autoptr(cairnBackupDef) def = NULL;
    g_autoptr(cairnDomainDef) dom = NULL;
    bool internal = process ? opts->internal : opts->format_internal;

    if (!(def = cairnBackupDefParseString(xml, internal ? CAIRN_BACKUP_PARSE_INTERNAL : 0, error)))
        return NULL;
    if (process && !opts->noalign) {
        if (!(dom = loadDomain(opts->domain))) {
            g_set_error_literal(error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "cannot load domain");
            return NULL;
        }
        if (!cairnBackupAlignDisks(def, dom, opts->suffix, error))
            return NULL;
    }
    if (process && opts->driver)
        cairnBackupDefApplyDriverDefaults(def);
    return cairnBackupDefFormat(def, opts->format_internal ? CAIRN_BACKUP_FORMAT_INTERNAL : 0);
}


/* libvirt's RNG knows no push <scratch> (Cairn's fleecing image): the
 * rest of such a document must validate. */
static bool
backupValidate(const char *xml, const backupOpts *opts)
{
    g_auto(GStrv) lines = NULL;
    g_autoptr(GString) rest = g_string_new(NULL);

    if (opts->format_internal)
        return true;
    lines = g_strsplit(xml, "\n", -1);
    for (guint i = 0; lines[i]; i++) {
        if (!strstr(xml, "mode='pull'") && strstr(lines[i], "<scratch file="))
            continue;
        g_string_append_printf(rest, "%s%s", lines[i], lines[i + 1] ? "\n" : "");
    }
    return cairnTestValidateRNG(rest->str, "domainbackup.rng");
}


static void
backupCaseIn(const char *base, const char *name)
{
    g_autofree char *in = casePath(base, "in", name, ".xml");
    g_autofree char *out = casePath(base, "out", name, ".xml");
    g_autofree char *opts_path = casePath(base, "in", name, ".opts");
    g_autofree char *err_path = casePath(base, "in", name, ".err");
    g_auto(backupOpts) opts = { 0 };
    g_autofree char *xml = NULL;
    g_autofree char *actual = NULL;
    g_autoptr(GError) err = NULL;

    if (!backupOptsLoad(&opts, opts_path) || !(xml = cairnTestReadFile(in))) {
        report(false, "backup in->out %s: cannot load the case", name);
        return;
    }
    actual = backupRun(xml, &opts, true, &err);
    if (hasSuffix(name, "-invalid")) {
        report(checkExpectedError(err, err_path), "backup in->out %s", name);
        return;
    }
    if (!actual) {
        fprintf(stderr, "%s: %s\n", in, err->message);
        report(false, "backup in->out %s", name);
        return;
    }
    report(cairnTestCompareToFile(actual, out) && backupValidate(actual, &opts),
           "backup in->out %s", name);
}


static void
backupCaseOut(const char *base, const char *name)
{
    g_autofree char *out = casePath(base, "out", name, ".xml");
    g_autofree char *opts_path = casePath(base, "in", name, ".opts");
    g_auto(backupOpts) opts = { 0 };
    g_autofree char *xml = NULL;
    g_autofree char *actual = NULL;
    g_autoptr(GError) err = NULL;

    if (!backupOptsLoad(&opts, opts_path) || !(xml = cairnTestReadFile(out))) {
        report(false, "backup out->out %s: cannot load the case", name);
        return;
    }
    if (!(actual = backupRun(xml, &opts, false, &err))) {
        fprintf(stderr, "%s: %s\n", out, err->message);
        report(false, "backup out->out %s", name);
        return;
    }
    report(compareExact(actual, xml, out) && backupValidate(actual, &opts), "backup out->out %s",
           name);
}


/* libvirt's harness: one qcow2 file disk per disk the backup lists, at
 * /fake/NAME.qcow2, in input order, plus "vdextradisk". */
static cairnDomainDef *
backupConformanceDomain(const cairnBackupDef *def)
{
    cairnDomainDef *dom = cairnDomainDefNew();

    dom->virt_type = CAIRN_DOMAIN_VIRT_QEMU;
    dom->name = g_strdup("conformance");
    dom->memory_kib = 1024;
    for (guint i = 0; i <= def->disks->len; i++) {
        cairnDomainDiskDef *disk = cairnDomainDiskDefNew();
        const cairnBackupDiskDef *bdisk =
            i < def->disks->len ? g_ptr_array_index(def->disks, i) : NULL;

        disk->format = CAIRN_DOMAIN_DISK_FORMAT_QCOW2;
        disk->dst = g_strdup(bdisk ? bdisk->name : "vdextradisk");
        disk->src = g_strdup_printf("/fake/%s.qcow2", disk->dst);
        disk->bus = CAIRN_DOMAIN_DISK_BUS_VIRTIO;
        g_ptr_array_add(dom->disks, disk);
    }
    return dom;
}


/* libvirt's harness parses a case whose name contains "-internal" in the
 * internal (status) form and formats it in that form too (per-disk state,
 * <privateData>): what a daemon saves, not public output. libvirt's RNG
 * schema has no status form, so such output is not validated. */
static bool
backupConformanceInternal(const char *name)
{
    return strstr(name, "-internal") != NULL;
}


static char *
backupConformanceProcess(const char *xml, const char *name, GError **error)
{
    g_autoptr(cairnBackupDef) def = NULL;
    g_autoptr(cairnDomainDef) dom = NULL;
    bool internal = backupConformanceInternal(name);

    if (!(def = cairnBackupDefParseString(xml, internal ? CAIRN_BACKUP_PARSE_INTERNAL : 0, error)))
        return NULL;
    dom = backupConformanceDomain(def);
    if (!cairnBackupAlignDisks(def, dom, "SUFFIX", error))
        return NULL;
    return cairnBackupDefFormat(def, internal ? CAIRN_BACKUP_FORMAT_INTERNAL : 0);
}


static void
backupConformanceCaseIn(const char *base, const char *name)
{
    g_autofree char *in = casePath(base, "domainbackupxml2xmlin", name, ".xml");
    g_autofree char *out = casePath(base, "domainbackupxml2xmlout", name, ".xml");
    g_autofree char *xml = cairnTestReadFile(in);
    g_autofree char *expected = NULL;
    g_autofree char *actual = NULL;
    g_autoptr(GError) err = NULL;

    if (!xml || !(actual = backupConformanceProcess(xml, name, &err))) {
        fprintf(stderr, "%s: %s\n", in, err ? err->message : "unreadable");
        report(false, "conformance backup in->out %s", name);
        return;
    }
    expected = cairnTestReadFile(out);
    report(
        expected && compareExact(actual, expected, out) &&
            (backupConformanceInternal(name) || cairnTestValidateRNG(actual, "domainbackup.rng")),
        "conformance backup in->out %s", name);
}


/* Not in libvirt's harness: each expected output parses back (in the form
 * it was written in) and formats to itself. */
static void
backupConformanceCaseOut(const char *base, const char *name)
{
    g_autofree char *out = casePath(base, "domainbackupxml2xmlout", name, ".xml");
    g_autofree char *xml = cairnTestReadFile(out);
    g_autoptr(cairnBackupDef) def = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *actual = NULL;
    bool internal = backupConformanceInternal(name);

    if (!xml ||
        !(def = cairnBackupDefParseString(xml, internal ? CAIRN_BACKUP_PARSE_INTERNAL : 0, &err))) {
        fprintf(stderr, "%s: %s\n", out, err ? err->message : "unreadable");
        report(false, "conformance backup out->out %s", name);
        return;
    }
    actual = cairnBackupDefFormat(def, internal ? CAIRN_BACKUP_FORMAT_INTERNAL : 0);
    report(compareExact(actual, xml, out) &&
               (internal || cairnTestValidateRNG(actual, "domainbackup.rng")),
           "conformance backup out->out %s", name);
}


/* ---- domain cases ---- */

static unsigned int
domainParseFlags(const char *name)
{
    unsigned int flags = CAIRN_DOMAIN_DEF_PARSE_INACTIVE;

    if (strstr(name, "-lenient"))
        flags |= CAIRN_DOMAIN_DEF_PARSE_LENIENT;
    return flags;
}


static bool
domainFixUUID(cairnDomainDef *def)
{
    if ((def->uuid[6] >> 4) != 4 || (def->uuid[8] & 0xc0) != 0x80) {
        fprintf(stderr, "generated uuid is not a random uuid\n");
        return false;
    }
    return cairnUUIDParse(FIXED_UUID, def->uuid);
}


/* Validate domain output against libvirt's domain.rng. <dataStore> came
 * with libvirt 10.10; a schema older than that (Debian 12 ships 9.0) has
 * no rule for it, so such output is validated only by a schema that
 * knows the element. */
static bool
domainValidateRNG(const char *actual)
{
    g_autofree char *rng = NULL;
    g_autofree char *text = NULL;

    if (strstr(actual, "<dataStore") && cairnTestSchemaDir()) {
        rng = g_build_filename(cairnTestSchemaDir(), "domaincommon.rng", NULL);
        text = cairnTestReadFile(rng);
        if (text && !strstr(text, "dataStore")) {
            printf("# schema %s predates <dataStore>: not validated\n", rng);
            return true;
        }
    }
    return cairnTestValidateRNG(actual, "domain.rng");
}


static void
domainCaseIn(const char *base, const char *name)
{
    g_autofree char *in = casePath(base, "in", name, ".xml");
    g_autofree char *out = casePath(base, "out", name, ".xml");
    g_autofree char *err_path = casePath(base, "in", name, ".err");
    g_autofree char *xml = cairnTestReadFile(in);
    g_autofree char *actual = NULL;
    g_autoptr(cairnDomainDef) def = NULL;
    g_autoptr(GError) err = NULL;

    def = xml ? cairnDomainDefParseString(xml, domainParseFlags(name), &err) : NULL;
    if (hasSuffix(name, "-invalid")) {
        report(!def && checkExpectedError(err, err_path), "domain in->out %s", name);
        return;
    }
    if (!def) {
        fprintf(stderr, "%s: %s\n", in, err ? err->message : "unreadable");
        report(false, "domain in->out %s", name);
        return;
    }
    if (!strstr(xml, "<uuid") && !domainFixUUID(def)) {
        report(false, "domain in->out %s", name);
        return;
    }
    actual = cairnDomainDefFormat(def, CAIRN_DOMAIN_DEF_FORMAT_INACTIVE |
                                           CAIRN_DOMAIN_DEF_FORMAT_SECURE);
    report(cairnTestCompareToFile(actual, out) && domainValidateRNG(actual), "domain in->out %s",
           name);
}


static void
domainCaseOut(const char *base, const char *name)
{
    g_autofree char *out = casePath(base, "out", name, ".xml");
    g_autofree char *xml = cairnTestReadFile(out);
    g_autofree char *actual = NULL;
    g_autoptr(cairnDomainDef) def = NULL;
    g_autoptr(GError) err = NULL;

    if (!xml || !(def = cairnDomainDefParseString(xml, domainParseFlags(name), &err))) {
        fprintf(stderr, "%s: %s\n", out, err ? err->message : "unreadable");
        report(false, "domain out->out %s", name);
        return;
    }
    actual = cairnDomainDefFormat(def, CAIRN_DOMAIN_DEF_FORMAT_INACTIVE |
                                           CAIRN_DOMAIN_DEF_FORMAT_SECURE);
    report(compareExact(actual, xml, out), "domain out->out %s", name);
}


int
main(int argc, char **argv)
{
    const char *kind = argc > 1 ? argv[1] : "";
    g_autofree char *base = NULL;

    if (g_str_equal(kind, "checkpoint")) {
        base = cairnTestSrcPath("data/checkpointxml2xml");
        runDirectory(base, "in", ckptCaseIn);
        runDirectory(base, "out", ckptCaseOut);
    } else if (g_str_equal(kind, "domain")) {
        base = cairnTestSrcPath("data/domainxml2xml");
        runDirectory(base, "in", domainCaseIn);
        runDirectory(base, "out", domainCaseOut);
    } else if (g_str_equal(kind, "backup")) {
        base = cairnTestSrcPath("data/backupxml2xml");
        runDirectory(base, "in", backupCaseIn);
        runDirectory(base, "out", backupCaseOut);
    } else if (g_str_equal(kind, "conformance")) {
        const char *dir = cairnTestConformanceDir();

        if (!dir) {
            printf("skip: no conformance directory\n");
            return CAIRN_TEST_SKIP;
        }
        runDirectory(dir, "qemudomaincheckpointxml2xmlin", conformanceCaseIn);
        runDirectory(dir, "qemudomaincheckpointxml2xmlout", conformanceCaseOut);
        runDirectory(dir, "domainbackupxml2xmlin", backupConformanceCaseIn);
        runDirectory(dir, "domainbackupxml2xmlout", backupConformanceCaseOut);
    } else if (g_str_equal(kind, "conformance-backup") && argc > 2) {
        runDirectory(argv[2], "domainbackupxml2xmlin", backupConformanceCaseIn);
        runDirectory(argv[2], "domainbackupxml2xmlout", backupConformanceCaseOut);
    } else {
        fprintf(stderr, "usage: %s checkpoint|domain|backup|conformance|conformance-backup DIR\n",
                argv[0]);
        return EXIT_FAILURE;
    }
    printf("%d passed, %d failed\n", passes, failures);
    return failures ? EXIT_FAILURE : EXIT_SUCCESS;
}
