/*
 * fuzzmain.c: a libFuzzer-free driver for the fuzz targets, for the short
 * bounded run in 'meson test --suite fuzz'.
 *
 *   fuzz-TARGET-standalone CORPUS_DIR [ITERATIONS [SEED [DICT]]]
 *
 * Runs every file of CORPUS_DIR through the target, then ITERATIONS
 * (default 20000) inputs made by deterministic random mutations (GRand
 * seeded with SEED, default 1) of those files: byte flips, insertions,
 * deletions, chunk copies and tokens spliced in. The tokens are those of
 * DICT, a libFuzzer dictionary, when given; else XML tokens. The same
 * seed gives the same run, so a failure can be replayed.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "fuzz.h"

/* Inputs grow up to this size; bigger ones are cut. */
#define FUZZ_MAX_INPUT 65536

static const char *const fuzzXMLTokens[] = {
    "<",
    ">",
    "/>",
    "</",
    "'",
    "\"",
    "&amp;",
    "&lt;",
    "&#10;",
    "&#0;",
    "&x;",
    "<!--",
    "-->",
    "<![CDATA[",
    "]]>",
    "<?xml version='1.0'?>",
    "<!DOCTYPE a [<!ENTITY x 'y'>]>",
    "<domaincheckpoint>",
    "</domaincheckpoint>",
    "<name>",
    "</name>",
    "<description>",
    "</description>",
    "<creationTime>",
    "</creationTime>",
    "<parent><name>p</name></parent>",
    "<disks>",
    "</disks>",
    "<disk name='vda'/>",
    "<disk name='/img/b.qcow2'/>",
    " checkpoint='no'",
    " checkpoint='bitmap'",
    " bitmap='b'",
    " size='1'",
    "<domain type='kvm'>",
    "</domain>",
    "<memory unit='GiB'>",
    "</memory>",
    "<os>",
    "</os>",
    "<type arch='x86_64'>hvm</type>",
    "<devices>",
    "</devices>",
    "<disk type='file'>",
    "<disk type='block' device='cdrom'>",
    "</disk>",
    "<source file='/x'/>",
    "<target dev='vdb'/>",
    "<readonly/>",
    "<uuid>",
    "</uuid>",
    "<vcpu>",
    "</vcpu>",
    "<boot dev='hd'/>",
    "<features><acpi/></features>",
    "<clock offset='utc'/>",
    "<on_crash>restart</on_crash>",
    "xmlns:q='urn:q'",
    "<q:x/>",
    "18446744073709551615",
    "-1",
    "0",
    "..",
    "/",
    "\n",
    "\xc3\xa9",
    "\xff",
};


/* The tokens spliced in by fuzzMutate(): GBytes. */
static GPtrArray *fuzzTokens;


/* Decode the quoted value of one libFuzzer dictionary line (name="value",
 * with \\, \" and \xHH escapes) into @out; false if there is none. */
static bool
fuzzDictEntry(const char *line, GByteArray *out)
{
    const char *p = strchr(line, '"');
    const char *end = strrchr(line, '"');

    if (!p || end == p || line[strspn(line, " \t")] == '#')
        return false;
    for (p++; p < end; p++) {
        guint8 c = (guint8)*p;

        if (c == '\\' && p + 1 < end && p[1] == 'x' && p + 3 < end && g_ascii_isxdigit(p[2]) &&
            g_ascii_isxdigit(p[3])) {
            c = (guint8)(g_ascii_xdigit_value(p[2]) * 16 + g_ascii_xdigit_value(p[3]));
            p += 3;
        } else if (c == '\\' && p + 1 < end) {
            c = (guint8) * ++p;
        }
        g_byte_array_append(out, &c, 1);
    }
    return out->len > 0;
}


/* The tokens of the dictionary @path, or the XML tokens when @path is
 * NULL. Exits on an unreadable or empty dictionary. */
static GPtrArray *
fuzzLoadTokens(const char *path)
{
    GPtrArray *tokens = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    g_autoptr(GError) err = NULL;
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    size_t i;

    if (!path) {
        for (i = 0; i < G_N_ELEMENTS(fuzzXMLTokens); i++)
            g_ptr_array_add(tokens, g_bytes_new_static(fuzzXMLTokens[i], strlen(fuzzXMLTokens[i])));
        return tokens;
    }
    if (!g_file_get_contents(path, &text, NULL, &err)) {
        fprintf(stderr, "%s\n", err->message);
        exit(EXIT_FAILURE);
    }
    lines = g_strsplit(text, "\n", -1);
    for (i = 0; lines[i]; i++) {
        GByteArray *tok = g_byte_array_new();

        if (fuzzDictEntry(lines[i], tok))
            g_ptr_array_add(tokens, g_byte_array_free_to_bytes(tok));
        else
            g_byte_array_unref(tok);
    }
    if (tokens->len == 0) {
        fprintf(stderr, "%s: no tokens\n", path);
        exit(EXIT_FAILURE);
    }
    return tokens;
}


static void
fuzzMutate(GString *buf, GRand *rand)
{
    guint op = g_rand_int_range(rand, 0, 6);
    gsize len = buf->len;
    gsize pos = len ? (gsize)g_rand_int_range(rand, 0, (gint32)len + 1) : 0;
    gsize from = len ? (gsize)g_rand_int_range(rand, 0, (gint32)len) : 0;
    gsize run = (gsize)g_rand_int_range(rand, 1, 64);

    switch (op) {
    case 0: /* flip a bit */
        if (len)
            buf->str[pos % len] ^= (char)(1u << g_rand_int_range(rand, 0, 8));
        break;
    case 1: { /* insert a random byte */
        char b = (char)g_rand_int_range(rand, 0, 256);

        g_string_insert_len(buf, (gssize)pos, &b, 1);
        break;
    }
    case 2: /* delete a run */
        if (pos < len)
            g_string_erase(buf, (gssize)pos, (gssize)MIN(len - pos, run % 16 + 1));
        break;
    case 3: { /* copy a chunk elsewhere */
        gsize n = len ? MIN(len - from, run) : 0;
        g_autofree char *chunk = g_strndup(buf->str + from, n);

        if (n)
            g_string_insert_len(buf, (gssize)pos, chunk, (gssize)n);
        break;
    }
    default: { /* splice in a token */
        GBytes *tok =
            g_ptr_array_index(fuzzTokens, g_rand_int_range(rand, 0, (gint32)fuzzTokens->len));
        gsize toklen;
        const char *tokdata = g_bytes_get_data(tok, &toklen);

        g_string_insert_len(buf, (gssize)pos, tokdata, (gssize)toklen);
        break;
    }
    }
    if (buf->len > FUZZ_MAX_INPUT)
        g_string_truncate(buf, FUZZ_MAX_INPUT);
}


static GPtrArray *
fuzzLoadCorpus(const char *dir)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    GPtrArray *inputs = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    const char *ent;
    size_t i;

    while (d && (ent = g_dir_read_name(d)))
        g_ptr_array_add(names, g_build_filename(dir, ent, NULL));
    g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);
    for (i = 0; i < names->len; i++) {
        char *data = NULL;
        gsize len = 0;

        if (g_file_get_contents(g_ptr_array_index(names, i), &data, &len, NULL))
            g_ptr_array_add(inputs, g_bytes_new_take(data, len));
    }
    return inputs;
}


int
main(int argc, char **argv)
{
    g_autoptr(GPtrArray) corpus = NULL;
    g_autoptr(GRand) rand = NULL;
    guint64 iterations = argc > 2 ? g_ascii_strtoull(argv[2], NULL, 10) : 20000;
    guint32 seed = argc > 3 ? (guint32)g_ascii_strtoull(argv[3], NULL, 10) : 1;
    guint64 i;

    if (argc < 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR [ITERATIONS [SEED [DICT]]]\n", argv[0]);
        return EXIT_FAILURE;
    }
    fuzzTokens = fuzzLoadTokens(argc > 4 ? argv[4] : NULL);
    corpus = fuzzLoadCorpus(argv[1]);
    if (corpus->len == 0) {
        fprintf(stderr, "%s: empty corpus %s\n", argv[0], argv[1]);
        return EXIT_FAILURE;
    }
    for (i = 0; i < corpus->len; i++) {
        gsize len;
        const guint8 *data = g_bytes_get_data(g_ptr_array_index(corpus, i), &len);

        LLVMFuzzerTestOneInput(data, len);
    }
    rand = g_rand_new_with_seed(seed);
    for (i = 0; i < iterations; i++) {
        GBytes *base = g_ptr_array_index(corpus, g_rand_int_range(rand, 0, (gint32)corpus->len));
        g_autoptr(GString) buf = g_string_new(NULL);
        gsize len;
        const char *data = g_bytes_get_data(base, &len);
        guint n = g_rand_int_range(rand, 1, 9);

        g_string_append_len(buf, data, (gssize)len);
        while (n--)
            fuzzMutate(buf, rand);
        LLVMFuzzerTestOneInput((const uint8_t *)buf->str, buf->len);
    }
    printf("%s: %u corpus files, %" G_GUINT64_FORMAT " mutations (seed %u, %u tokens): ok\n",
           argv[0], corpus->len, iterations, seed, fuzzTokens->len);
    g_ptr_array_unref(fuzzTokens);
    return EXIT_SUCCESS;
}
