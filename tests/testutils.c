/*
 * testutils.c: helpers shared by the unit tests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>
#include <libxml/relaxng.h>

#include "testutils.h"

char *
cairnTestReadFile(const char *path)
{
    g_autoptr(GError) err = NULL;
    char *data = NULL;

    if (!g_file_get_contents(path, &data, NULL, &err)) {
        fprintf(stderr, "cannot read %s: %s\n", path, err->message);
        return NULL;
    }
    return data;
}


bool
cairnTestCompareToFile(const char *actual, const char *expected_path)
{
    g_autofree char *expected = NULL;
    const char *regen = g_getenv("CAIRN_TEST_REGENERATE_OUTPUT");

    if (regen && g_str_equal(regen, "1")) {
        g_autoptr(GError) err = NULL;
        if (!g_file_set_contents(expected_path, actual, -1, &err)) {
            fprintf(stderr, "cannot write %s: %s\n", expected_path, err->message);
            return false;
        }
        return true;
    }
    if (!(expected = cairnTestReadFile(expected_path)))
        return false;
    if (!g_str_equal(expected, actual)) {
        size_t i = 0;
        while (expected[i] && expected[i] == actual[i])
            i++;
        fprintf(stderr, "mismatch with %s at byte %zu\n--- expected\n%s--- actual\n%s---\n",
                expected_path, i, expected, actual);
        return false;
    }
    return true;
}


char *
cairnTestSrcPath(const char *rel)
{
    const char *srcdir = g_getenv("abs_srcdir");

    return g_build_filename(srcdir ? srcdir : ".", rel, NULL);
}


static const char *
cairnTestDirFromEnv(const char *var)
{
    const char *dir = g_getenv(var);

    if (!dir || !g_file_test(dir, G_FILE_TEST_IS_DIR))
        return NULL;
    return dir;
}


const char *
cairnTestConformanceDir(void)
{
    return cairnTestDirFromEnv("CAIRN_CONFORMANCE_DIR");
}


const char *
cairnTestSchemaDir(void)
{
    return cairnTestDirFromEnv("CAIRN_SCHEMA_DIR");
}


bool
cairnTestValidateRNG(const char *xml, const char *rng_name)
{
    const char *dir = cairnTestSchemaDir();
    g_autofree char *rng = NULL;
    xmlRelaxNGParserCtxtPtr pctxt = NULL;
    xmlRelaxNGPtr schema = NULL;
    xmlRelaxNGValidCtxtPtr vctxt = NULL;
    xmlDocPtr doc = NULL;
    bool ok = false;

    if (!dir) {
        fprintf(stderr, "no schema directory\n");
        return false;
    }
    rng = g_build_filename(dir, rng_name, NULL);
    if (!(pctxt = xmlRelaxNGNewParserCtxt(rng)) || !(schema = xmlRelaxNGParse(pctxt))) {
        fprintf(stderr, "cannot load schema %s\n", rng);
        goto done;
    }
    if (!(doc = xmlReadMemory(xml, strlen(xml), "test.xml", NULL, XML_PARSE_NONET))) {
        fprintf(stderr, "document is not well formed\n");
        goto done;
    }
    vctxt = xmlRelaxNGNewValidCtxt(schema);
    ok = xmlRelaxNGValidateDoc(vctxt, doc) == 0;
    if (!ok)
        fprintf(stderr, "document does not validate against %s:\n%s\n", rng_name, xml);

done:
    if (vctxt)
        xmlRelaxNGFreeValidCtxt(vctxt);
    if (doc)
        xmlFreeDoc(doc);
    if (schema)
        xmlRelaxNGFree(schema);
    if (pctxt)
        xmlRelaxNGFreeParserCtxt(pctxt);
    return ok;
}


const char *
cairnTestURI(void)
{
    const char *uri = g_getenv("CAIRN_TEST_URI");

    return uri && *uri ? uri : "test:///default";
}
