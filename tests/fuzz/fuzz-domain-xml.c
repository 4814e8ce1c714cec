/*
 * fuzz-domain-xml.c: fuzz target for the domain XML parser.
 *
 * For each input, strict and LENIENT: parse; on failure exactly one error
 * must be set; on success format, parse the output back with the same
 * flags and format again, which must give the same text.
 */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"
#include "conf/domain_conf.h"


static void
fuzzCheck(bool cond, const char *what, const char *detail)
{
    if (cond)
        return;
    fprintf(stderr, "fuzz-domain-xml: broken invariant: %s\n%s\n", what, detail);
    abort();
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autofree char *xml = g_strndup((const char *)data, size);
    unsigned int parse_flags[] = {
        CAIRN_DOMAIN_DEF_PARSE_INACTIVE,
        CAIRN_DOMAIN_DEF_PARSE_INACTIVE | CAIRN_DOMAIN_DEF_PARSE_LENIENT,
    };
    unsigned int format_flags = CAIRN_DOMAIN_DEF_FORMAT_INACTIVE | CAIRN_DOMAIN_DEF_FORMAT_SECURE;
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(parse_flags); i++) {
        g_autoptr(GError) err = NULL;
        g_autoptr(cairnDomainDef) def = cairnDomainDefParseString(xml, parse_flags[i], &err);
        g_autoptr(cairnDomainDef) again = NULL;
        g_autoptr(cairnDomainDef) copy = NULL;
        g_autofree char *first = NULL;
        g_autofree char *second = NULL;
        g_autofree char *third = NULL;

        if (!def) {
            fuzzCheck(err != NULL, "parse failed without an error", xml);
            continue;
        }
        fuzzCheck(err == NULL, "parse succeeded with an error", xml);
        first = cairnDomainDefFormat(def, format_flags);
        again = cairnDomainDefParseString(first, parse_flags[i], &err);
        fuzzCheck(again != NULL, "output does not parse back", err ? err->message : first);
        second = cairnDomainDefFormat(again, format_flags);
        fuzzCheck(g_str_equal(first, second), "output does not format to itself", first);
        copy = cairnDomainDefCopy(again);
        third = cairnDomainDefFormat(copy, format_flags);
        fuzzCheck(g_str_equal(first, third), "a copy formats differently", first);
    }
    return 0;
}
