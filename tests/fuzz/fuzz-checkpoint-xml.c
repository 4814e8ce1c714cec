/*
 * fuzz-checkpoint-xml.c: fuzz target for the <domaincheckpoint> parser.
 *
 * For each input, with and without REDEFINE: parse; on failure exactly one
 * error must be set; on success format, parse the output back with
 * REDEFINE and format again, which must give the same text; then align
 * the disks against a fixed domain and format once more.
 */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"
#include "conf/checkpoint_conf.h"
#include "util/cairntime.h"

static const char *fuzzDomainXML =
    "<domain type='kvm'><name>g</name><uuid>4dea22b3-1d52-d8f3-2516-782e98ab3fa0</uuid>"
    "<memory>1048576</memory><os><type>hvm</type></os><devices>"
    "<disk><driver name='qemu' type='qcow2'/><source file='/img/a.qcow2'/><target dev='vda'/></disk>"
    "<disk><driver name='qemu' type='qcow2'/><source file='/img/b.qcow2'/><target dev='vdb'/></disk>"
    "<disk device='cdrom'><target dev='hdc'/></disk></devices></domain>";


static void
fuzzCheck(bool cond, const char *what, const char *detail)
{
    if (cond)
        return;
    fprintf(stderr, "fuzz-checkpoint-xml: broken invariant: %s\n%s\n", what, detail);
    abort();
}


static void
fuzzRoundTrip(const cairnCheckpointDef *def)
{
    unsigned int flags = CAIRN_CHECKPOINT_FORMAT_SECURE | CAIRN_CHECKPOINT_FORMAT_SIZE;
    g_autofree char *first = cairnCheckpointDefFormat(def, flags);
    g_autofree char *second = NULL;
    g_autoptr(cairnCheckpointDef) again = NULL;
    g_autoptr(GError) err = NULL;

    /* A redefined checkpoint needs a name and a creation time. */
    if (!def->name || def->creation_time <= 0)
        return;
    again = cairnCheckpointDefParseString(first, CAIRN_CHECKPOINT_PARSE_REDEFINE, &err);
    fuzzCheck(again && !err, "output does not parse back", err ? err->message : first);
    second = cairnCheckpointDefFormat(again, flags);
    fuzzCheck(g_str_equal(first, second), "output does not format to itself", first);
}


static void
fuzzAlign(cairnCheckpointDef *def, const cairnDomainDef *dom)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *out = NULL;

    if (def->dom) {
        if (!cairnCheckpointRedefineValidate(def, def->dom->uuid, &err))
            fuzzCheck(err != NULL, "redefine failed without an error", "");
    } else {
        cairnCheckpointDefSetDomain(def, dom);
        if (!cairnCheckpointAlignDisks(def, &err))
            fuzzCheck(err != NULL, "alignment failed without an error", "");
    }
    out = cairnCheckpointDefFormat(def, CAIRN_CHECKPOINT_FORMAT_SECURE);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static cairnDomainDef *dom;
    g_autofree char *xml = g_strndup((const char *)data, size);
    unsigned int parse_flags[] = { 0, CAIRN_CHECKPOINT_PARSE_REDEFINE };
    size_t i;

    if (!dom) {
        cairnClockSetFake(1700000000);
        dom = cairnDomainDefParseString(fuzzDomainXML, 0, NULL);
        fuzzCheck(dom != NULL, "fixed domain does not parse", fuzzDomainXML);
    }
    for (i = 0; i < G_N_ELEMENTS(parse_flags); i++) {
        g_autoptr(GError) err = NULL;
        g_autoptr(cairnCheckpointDef) def =
            cairnCheckpointDefParseString(xml, parse_flags[i], &err);

        if (!def) {
            fuzzCheck(err != NULL, "parse failed without an error", xml);
            continue;
        }
        fuzzCheck(err == NULL, "parse succeeded with an error", xml);
        fuzzRoundTrip(def);
        fuzzAlign(def, dom);
    }
    return 0;
}
