/*
 * checkpoint_conf.c: <domaincheckpoint> XML, per spec/xml.md section 1.
 */
#include <stdarg.h>
#include <string.h>
#include <libxml/tree.h>

#include "checkpoint_conf.h"
#include "util/cairnerror.h"
#include "util/cairntime.h"
#include "util/cairnxml.h"
#include "util/cairnenum.h"

#define CAIRN_CHECKPOINT_SCHEMA "domaincheckpoint.rng"

static const char *const cairnCheckpointTypeNames[] = {
    [CAIRN_CHECKPOINT_TYPE_DEFAULT] = "default",
    [CAIRN_CHECKPOINT_TYPE_NONE] = "no",
    [CAIRN_CHECKPOINT_TYPE_BITMAP] = "bitmap",
};
G_STATIC_ASSERT(G_N_ELEMENTS(cairnCheckpointTypeNames) == CAIRN_CHECKPOINT_TYPE_LAST);


const char *
cairnCheckpointTypeToString(cairnCheckpointType t)
{
    return cairnEnumToString(cairnCheckpointTypeNames, G_N_ELEMENTS(cairnCheckpointTypeNames), t);
}


/* ---- objects ---- */

static void
cairnCheckpointDiskDefFree(void *opaque)
{
    cairnCheckpointDiskDef *disk = opaque;

    if (!disk)
        return;
    g_free(disk->name);
    g_free(disk->bitmap);
    g_free(disk);
}


static cairnCheckpointDiskDef *
cairnCheckpointDiskDefCopy(const cairnCheckpointDiskDef *disk)
{
    cairnCheckpointDiskDef *copy = g_new0(cairnCheckpointDiskDef, 1);

    *copy = *disk;
    copy->name = g_strdup(disk->name);
    copy->bitmap = g_strdup(disk->bitmap);
    return copy;
}


cairnCheckpointDef *
cairnCheckpointDefNew(void)
{
    cairnCheckpointDef *def = g_new0(cairnCheckpointDef, 1);

    def->disks = g_ptr_array_new_with_free_func(cairnCheckpointDiskDefFree);
    return def;
}


void
cairnCheckpointDefFree(cairnCheckpointDef *def)
{
    if (!def)
        return;
    g_free(def->name);
    g_free(def->description);
    g_free(def->parent_name);
    if (def->disks)
        g_ptr_array_unref(def->disks);
    cairnDomainDefFree(def->dom);
    g_free(def->dom_xml);
    g_free(def->dom_xml_public);
    g_free(def);
}


cairnCheckpointDef *
cairnCheckpointDefCopy(const cairnCheckpointDef *def)
{
    cairnCheckpointDef *copy = cairnCheckpointDefNew();
    size_t i;

    copy->name = g_strdup(def->name);
    copy->description = g_strdup(def->description);
    copy->parent_name = g_strdup(def->parent_name);
    copy->creation_time = def->creation_time;
    for (i = 0; def->disks && i < def->disks->len; i++)
        g_ptr_array_add(copy->disks, cairnCheckpointDiskDefCopy(g_ptr_array_index(def->disks, i)));
    copy->dom = def->dom ? cairnDomainDefCopy(def->dom) : NULL;
    copy->dom_xml = g_strdup(def->dom_xml);
    copy->dom_xml_public = g_strdup(def->dom_xml_public);
    return copy;
}


/* ---- what domaincheckpoint.rng enforces ---- */

enum {
    SLOT_NAME,
    SLOT_DESCRIPTION,
    SLOT_CREATION_TIME,
    SLOT_DISKS,
    SLOT_DOMAIN,
    SLOT_PARENT,
    SLOT_LAST
};

static const char *const cairnCheckpointChildNames[SLOT_LAST] = {
    [SLOT_NAME] = "name",
    [SLOT_DESCRIPTION] = "description",
    [SLOT_CREATION_TIME] = "creationTime",
    [SLOT_DISKS] = "disks",
    [SLOT_DOMAIN] = "domain",
    [SLOT_PARENT] = "parent",
};


static bool cairnCheckpointSchemaFail(GError **error, const char *fmt, ...) G_GNUC_PRINTF(2, 3);


static bool
cairnCheckpointSchemaFail(GError **error, const char *fmt, ...)
{
    g_autofree char *detail = NULL;
    va_list ap;

    va_start(ap, fmt);
    detail = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    cairnErrorSet(error, CAIRN_FROM_DOMAIN_CHECKPOINT, CAIRN_ERR_XML_INVALID_SCHEMA,
                  "Unable to validate doc against %s\n%s", CAIRN_CHECKPOINT_SCHEMA, detail);
    return false;
}


/* How the schema messages name @node: with its namespace, if any. */
static char *
cairnCheckpointNodeName(const xmlNode *node)
{
    if (node->ns && node->ns->href)
        return g_strdup_printf("{%s}%s", (const char *)node->ns->href, (const char *)node->name);
    return g_strdup((const char *)node->name);
}


/* The checkpointName pattern: [a-zA-Z0-9_\-][a-zA-Z0-9_\-.]* */
static bool
cairnCheckpointNameIsValid(const char *name)
{
    const char *p;

    if (!name || !(g_ascii_isalnum(name[0]) || name[0] == '_' || name[0] == '-'))
        return false;
    for (p = name + 1; *p; p++) {
        if (!g_ascii_isalnum(*p) && *p != '_' && *p != '-' && *p != '.')
            return false;
    }
    return true;
}


/* diskTargetDev, or absFilePath: (/|[a-zA-Z]:\\).+ where '.' is any
 * character but a line break. */
static bool
cairnCheckpointDiskNameIsValid(const char *name)
{
    const char *rest;

    if (cairnDomainDiskTargetIsValid(name))
        return true;
    if (name[0] == '/')
        rest = name + 1;
    else if (g_ascii_isalpha(name[0]) && name[1] == ':' && name[2] == '\\')
        rest = name + 3;
    else
        return false;
    return *rest && !strpbrk(rest, "\n\r");
}


static bool
cairnCheckpointCheckNoAttrs(const xmlNode *node, GError **error)
{
    if (node->properties)
        return cairnCheckpointSchemaFail(error, "Invalid attribute %s for element %s",
                                         (const char *)node->properties->name,
                                         (const char *)node->name);
    return true;
}


/* An element holding text only. */
static bool
cairnCheckpointCheckText(const xmlNode *node, GError **error)
{
    if (!cairnCheckpointCheckNoAttrs(node, error))
        return false;
    if (cairnXMLHasElementChildren(node))
        return cairnCheckpointSchemaFail(error, "Element %s has extra content",
                                         (const char *)node->name);
    return true;
}


/* An element holding elements only. */
static bool
cairnCheckpointCheckContainer(const xmlNode *node, GError **error)
{
    if (!cairnCheckpointCheckNoAttrs(node, error))
        return false;
    if (cairnXMLHasNonBlankText(node))
        return cairnCheckpointSchemaFail(error, "Element %s has extra text content",
                                         (const char *)node->name);
    return true;
}


static bool
cairnCheckpointCheckName(const xmlNode *node, GError **error)
{
    g_autofree char *name = NULL;

    if (!cairnCheckpointCheckText(node, error))
        return false;
    name = cairnXMLNodeText(node);
    if (!cairnCheckpointNameIsValid(name))
        return cairnCheckpointSchemaFail(error, "Invalid checkpoint name '%s'", name);
    return true;
}


static bool
cairnCheckpointCheckULong(const xmlNode *node, const char *what, const char *value, GError **error)
{
    unsigned long long dummy;

    if (!cairnXMLParseULongLong(value, &dummy))
        return cairnCheckpointSchemaFail(error, "Invalid value '%s' for %s of element %s", value,
                                         what, (const char *)node->name);
    return true;
}


static bool
cairnCheckpointCheckDisk(const xmlNode *node, GError **error)
{
    const xmlAttr *attr;
    g_autofree char *name = cairnXMLPropString(node, "name");
    g_autofree char *checkpoint = cairnXMLPropString(node, "checkpoint");
    g_autofree char *size = cairnXMLPropString(node, "size");
    bool has_bitmap = xmlHasNsProp(node, BAD_CAST "bitmap", NULL) != NULL;

    for (attr = node->properties; attr; attr = attr->next) {
        if (attr->ns || (!xmlStrEqual(attr->name, BAD_CAST "name") &&
                         !xmlStrEqual(attr->name, BAD_CAST "checkpoint") &&
                         !xmlStrEqual(attr->name, BAD_CAST "bitmap") &&
                         !xmlStrEqual(attr->name, BAD_CAST "size")))
            return cairnCheckpointSchemaFail(error, "Invalid attribute %s for element disk",
                                             (const char *)attr->name);
    }
    if (cairnXMLHasElementChildren(node) || cairnXMLHasNonBlankText(node))
        return cairnCheckpointSchemaFail(error, "Element disk has extra content");
    if (!name)
        return cairnCheckpointSchemaFail(error, "Element disk failed to validate attributes: "
                                                "missing attribute name");
    if (!cairnCheckpointDiskNameIsValid(name))
        return cairnCheckpointSchemaFail(error, "Invalid disk name '%s'", name);
    if (checkpoint && !g_str_equal(checkpoint, "no") && !g_str_equal(checkpoint, "bitmap"))
        return cairnCheckpointSchemaFail(error, "Invalid value '%s' for attribute checkpoint",
                                         checkpoint);
    if (checkpoint && g_str_equal(checkpoint, "no") && (has_bitmap || size))
        return cairnCheckpointSchemaFail(error, "disk '%s' with checkpoint='no' cannot have %s",
                                         name, has_bitmap ? "a bitmap" : "a size");
    if (size && !cairnCheckpointCheckULong(node, "attribute size", size, error))
        return false;
    return true;
}


static bool
cairnCheckpointCheckDisks(const xmlNode *node, GError **error)
{
    const xmlNode *cur;
    size_t n = 0;

    if (!cairnCheckpointCheckContainer(node, error))
        return false;
    for (cur = node->children; cur; cur = cur->next) {
        if (cur->type != XML_ELEMENT_NODE)
            continue;
        if (!cairnXMLNodeNameEqual(cur, "disk"))
            return cairnCheckpointSchemaFail(error, "Element disks has extra content: %s",
                                             (const char *)cur->name);
        if (!cairnCheckpointCheckDisk(cur, error))
            return false;
        n++;
    }
    if (n == 0)
        return cairnCheckpointSchemaFail(error, "Element disks needs at least one disk");
    return true;
}


static bool
cairnCheckpointCheckParent(const xmlNode *node, GError **error)
{
    const xmlNode *cur;
    const xmlNode *name = NULL;

    if (!cairnCheckpointCheckContainer(node, error))
        return false;
    for (cur = node->children; cur; cur = cur->next) {
        if (cur->type != XML_ELEMENT_NODE)
            continue;
        if (!cairnXMLNodeNameEqual(cur, "name") || name)
            return cairnCheckpointSchemaFail(error, "Element parent has extra content: %s",
                                             (const char *)cur->name);
        name = cur;
    }
    if (!name)
        return cairnCheckpointSchemaFail(error, "Element parent needs a name");
    return cairnCheckpointCheckName(name, error);
}


/* Check the document against the grammar, and sort the children of the
 * root into @slots. The embedded <domain> is checked when it is parsed. */
static bool
cairnCheckpointCheckRoot(xmlNode *root, xmlNode **slots, GError **error)
{
    xmlNode *cur;
    g_autofree char *time = NULL;

    if (!cairnXMLNodeNameEqual(root, "domaincheckpoint")) {
        g_autofree char *name = cairnCheckpointNodeName(root);
        return cairnCheckpointSchemaFail(error, "Expecting element domaincheckpoint, got %s", name);
    }
    if (!cairnCheckpointCheckContainer(root, error))
        return false;
    for (cur = root->children; cur; cur = cur->next) {
        size_t i;

        if (cur->type != XML_ELEMENT_NODE)
            continue;
        for (i = 0; i < SLOT_LAST; i++) {
            if (cairnXMLNodeNameEqual(cur, cairnCheckpointChildNames[i]))
                break;
        }
        if (i == SLOT_LAST || slots[i]) {
            g_autofree char *name = cairnCheckpointNodeName(cur);
            return cairnCheckpointSchemaFail(
                error, "Element domaincheckpoint has extra content: %s", name);
        }
        slots[i] = cur;
    }
    if ((slots[SLOT_NAME] && !cairnCheckpointCheckName(slots[SLOT_NAME], error)) ||
        (slots[SLOT_DESCRIPTION] && !cairnCheckpointCheckText(slots[SLOT_DESCRIPTION], error)) ||
        (slots[SLOT_CREATION_TIME] &&
         !cairnCheckpointCheckText(slots[SLOT_CREATION_TIME], error)) ||
        (slots[SLOT_DISKS] && !cairnCheckpointCheckDisks(slots[SLOT_DISKS], error)) ||
        (slots[SLOT_PARENT] && !cairnCheckpointCheckParent(slots[SLOT_PARENT], error)))
        return false;
    if (slots[SLOT_CREATION_TIME]) {
        time = cairnXMLNodeText(slots[SLOT_CREATION_TIME]);
        if (!cairnCheckpointCheckULong(slots[SLOT_CREATION_TIME], "content", time, error))
            return false;
    }
    if (slots[SLOT_DOMAIN] && !xmlHasNsProp(slots[SLOT_DOMAIN], BAD_CAST "type", NULL))
        return cairnCheckpointSchemaFail(error, "Element domain misses attribute type");
    return true;
}


/* ---- parsing ---- */

/* The embedded <domain>: parsed leniently (only its disks matter), and
 * kept as text exactly as libvirt would print it. A problem in it is a
 * schema error, as libvirt's nested domain grammar would find it;
 * what the subset cannot represent keeps its own error. */
/* The <domain> element @node as it appears inside <domaincheckpoint>. */
static char *
cairnCheckpointFormatDomainNode(const xmlNode *node, unsigned int xml_flags)
{
    GString *buf = g_string_new(NULL);

    cairnXMLFormatNode(buf, node, 2, xml_flags);
    return g_string_free(buf, FALSE);
}


/* Store the embedded domain's text (both stolen); the public form is
 * dropped when it equals the secure one. */
static void
cairnCheckpointDefSetDomainText(cairnCheckpointDef *def, char *secure, char *public)
{
    g_free(def->dom_xml);
    g_free(def->dom_xml_public);
    def->dom_xml = secure;
    if (g_str_equal(secure, public)) {
        g_free(public);
        public = NULL;
    }
    def->dom_xml_public = public;
}


static bool
cairnCheckpointParseDomain(cairnCheckpointDef *def, xmlNode *node, GError **error)
{
    g_autoptr(GError) err = NULL;
    unsigned int flags = CAIRN_DOMAIN_DEF_PARSE_INACTIVE | CAIRN_DOMAIN_DEF_PARSE_LENIENT;
    const char *prefix = "XML error: ";

    if (!(def->dom = cairnDomainDefParseNode(node, flags, &err))) {
        if (!cairnErrorIs(err, CAIRN_ERR_XML_ERROR)) {
            g_propagate_error(error, g_steal_pointer(&err));
            return false;
        }
        return cairnCheckpointSchemaFail(
            error, "Element domain: %s",
            g_str_has_prefix(err->message, prefix) ? err->message + strlen(prefix) : err->message);
    }
    cairnCheckpointDefSetDomainText(
        def, cairnCheckpointFormatDomainNode(node, 0),
        cairnCheckpointFormatDomainNode(node, CAIRN_XML_FORMAT_NO_SECRETS));
    return true;
}


static bool
cairnCheckpointParseRedefine(cairnCheckpointDef *def, xmlNode **slots, GError **error)
{
    g_autofree char *time = NULL;
    unsigned long long value = 0;

    if (!def->name) {
        cairnErrorSet(error, CAIRN_FROM_DOMAIN_CHECKPOINT, CAIRN_ERR_XML_ERROR,
                      "a redefined checkpoint must have a name");
        return false;
    }
    if (slots[SLOT_CREATION_TIME])
        time = cairnXMLNodeText(slots[SLOT_CREATION_TIME]);
    if (!time || !cairnXMLParseULongLong(time, &value) || value > G_MAXINT64) {
        cairnErrorSet(error, CAIRN_FROM_DOMAIN_CHECKPOINT, CAIRN_ERR_INTERNAL_ERROR,
                      "missing creationTime from existing checkpoint");
        return false;
    }
    def->creation_time = (long long)value;
    if (slots[SLOT_PARENT])
        def->parent_name = cairnXMLNodeText(cairnXMLChild(slots[SLOT_PARENT], "name"));
    if (slots[SLOT_DOMAIN] && !cairnCheckpointParseDomain(def, slots[SLOT_DOMAIN], error))
        return false;
    return true;
}


static void
cairnCheckpointParseDisks(cairnCheckpointDef *def, const xmlNode *disks)
{
    const xmlNode *cur;

    for (cur = disks ? disks->children : NULL; cur; cur = cur->next) {
        cairnCheckpointDiskDef *disk;
        g_autofree char *checkpoint = NULL;

        if (!cairnXMLNodeNameEqual(cur, "disk"))
            continue;
        disk = g_new0(cairnCheckpointDiskDef, 1);
        disk->name = cairnXMLPropString(cur, "name");
        checkpoint = cairnXMLPropString(cur, "checkpoint");
        if (checkpoint && g_str_equal(checkpoint, "no"))
            disk->type = CAIRN_CHECKPOINT_TYPE_NONE;
        else
            disk->type = CAIRN_CHECKPOINT_TYPE_BITMAP;
        disk->bitmap = cairnXMLPropString(cur, "bitmap");
        /* size is output only, never read. */
        g_ptr_array_add(def->disks, disk);
    }
}


static char *
cairnCheckpointOptionalText(const xmlNode *node)
{
    char *text;

    if (!node)
        return NULL;
    text = cairnXMLNodeText(node);
    if (!*text)
        g_clear_pointer(&text, g_free);
    return text;
}


cairnCheckpointDef *
cairnCheckpointDefParseString(const char *xml, unsigned int flags, GError **error)
{
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(cairnCheckpointDef) def = NULL;
    xmlNode *slots[SLOT_LAST] = { NULL };

    if (!(doc =
              cairnXMLParseString(xml, "(domain_checkpoint)", CAIRN_FROM_DOMAIN_CHECKPOINT, error)))
        return NULL;
    if (!cairnCheckpointCheckRoot(xmlDocGetRootElement(doc), slots, error))
        return NULL;

    def = cairnCheckpointDefNew();
    def->name = cairnCheckpointOptionalText(slots[SLOT_NAME]);
    def->description = cairnCheckpointOptionalText(slots[SLOT_DESCRIPTION]);
    if (flags & CAIRN_CHECKPOINT_PARSE_REDEFINE) {
        if (!cairnCheckpointParseRedefine(def, slots, error))
            return NULL;
    } else {
        def->creation_time = cairnClockNow();
        if (!def->name)
            def->name = g_strdup_printf("%lld", def->creation_time);
    }
    cairnCheckpointParseDisks(def, slots[SLOT_DISKS]);
    return g_steal_pointer(&def);
}


/* ---- formatting ---- */

static void
cairnCheckpointFormatDisk(GString *buf, const cairnCheckpointDiskDef *disk, unsigned int flags)
{
    const char *type = cairnCheckpointTypeToString(disk->type);

    if (!disk->name)
        return;
    g_string_append(buf, "    <disk name='");
    cairnXMLEscape(buf, disk->name, true);
    g_string_append_c(buf, '\'');
    if (disk->type != CAIRN_CHECKPOINT_TYPE_DEFAULT && type)
        g_string_append_printf(buf, " checkpoint='%s'", type);
    if (disk->bitmap) {
        g_string_append(buf, " bitmap='");
        cairnXMLEscape(buf, disk->bitmap, true);
        g_string_append_c(buf, '\'');
        if ((flags & CAIRN_CHECKPOINT_FORMAT_SIZE) && disk->has_size)
            g_string_append_printf(buf, " size='%llu'", disk->size);
    }
    g_string_append(buf, "/>\n");
}


static void
cairnCheckpointFormatDomain(GString *buf, const cairnCheckpointDef *def, unsigned int flags)
{
    if (!def->dom_xml)
        return;
    if (!(flags & CAIRN_CHECKPOINT_FORMAT_SECURE) && def->dom_xml_public)
        g_string_append(buf, def->dom_xml_public);
    else
        g_string_append(buf, def->dom_xml);
}


char *
cairnCheckpointDefFormat(const cairnCheckpointDef *def, unsigned int flags)
{
    GString *buf = g_string_new("<domaincheckpoint>\n");
    size_t i;

    cairnXMLFormatTextElement(buf, 2, "name", def->name);
    cairnXMLFormatTextElement(buf, 2, "description", def->description);
    if (def->parent_name) {
        g_string_append(buf, "  <parent>\n");
        cairnXMLFormatTextElement(buf, 4, "name", def->parent_name);
        g_string_append(buf, "  </parent>\n");
    }
    if (def->creation_time)
        g_string_append_printf(buf, "  <creationTime>%lld</creationTime>\n", def->creation_time);
    if (def->disks && def->disks->len) {
        g_string_append(buf, "  <disks>\n");
        for (i = 0; i < def->disks->len; i++)
            cairnCheckpointFormatDisk(buf, g_ptr_array_index(def->disks, i), flags);
        g_string_append(buf, "  </disks>\n");
    }
    if (!(flags & CAIRN_CHECKPOINT_FORMAT_NO_DOMAIN))
        cairnCheckpointFormatDomain(buf, def, flags);
    g_string_append(buf, "</domaincheckpoint>\n");
    return g_string_free(buf, FALSE);
}


bool
cairnCheckpointDefCheckLimits(const cairnCheckpointDef *def, GError **error)
{
    g_autofree char *xml = NULL;
    size_t len;

    if (def->name && (len = strlen(def->name)) > CAIRN_CHECKPOINT_NAME_MAX) {
        cairnErrorSet(error, CAIRN_FROM_DOMAIN_CHECKPOINT, CAIRN_ERR_INVALID_ARG,
                      "checkpoint name of %zu bytes is longer than the limit of %d bytes", len,
                      CAIRN_CHECKPOINT_NAME_MAX);
        return false;
    }
    if (def->description && (len = strlen(def->description)) > CAIRN_CHECKPOINT_DESCRIPTION_MAX) {
        cairnErrorSet(error, CAIRN_FROM_DOMAIN_CHECKPOINT, CAIRN_ERR_INVALID_ARG,
                      "checkpoint description of %zu bytes is longer than the limit of %d bytes",
                      len, CAIRN_CHECKPOINT_DESCRIPTION_MAX);
        return false;
    }
    xml = cairnCheckpointDefFormat(def, CAIRN_CHECKPOINT_FORMAT_SECURE);
    if ((len = strlen(xml)) > CAIRN_CHECKPOINT_XML_MAX) {
        cairnErrorSet(error, CAIRN_FROM_DOMAIN_CHECKPOINT, CAIRN_ERR_INVALID_ARG,
                      "checkpoint XML of %zu bytes (with its domain) is longer than the limit of "
                      "%d bytes",
                      len, CAIRN_CHECKPOINT_XML_MAX);
        return false;
    }
    return true;
}


void
cairnCheckpointDefSetDomain(cairnCheckpointDef *def, const cairnDomainDef *dom)
{
    cairnDomainDef *copy = cairnDomainDefCopy(dom);
    GString *secure = g_string_new(NULL);
    GString *public = g_string_new(NULL);

    cairnDomainDefFormatBuf(secure, dom,
                            CAIRN_DOMAIN_DEF_FORMAT_INACTIVE | CAIRN_DOMAIN_DEF_FORMAT_SECURE, 2);
    cairnDomainDefFormatBuf(public, dom, CAIRN_DOMAIN_DEF_FORMAT_INACTIVE, 2);
    cairnDomainDefFree(def->dom);
    def->dom = copy;
    cairnCheckpointDefSetDomainText(def, g_string_free(secure, FALSE),
                                    g_string_free(public, FALSE));
}


/* ---- disk alignment and redefine ---- */

void
cairnCheckpointDefAssignBitmapNames(cairnCheckpointDef *def)
{
    size_t i;

    for (i = 0; i < def->disks->len; i++) {
        cairnCheckpointDiskDef *disk = g_ptr_array_index(def->disks, i);

        if (disk->type == CAIRN_CHECKPOINT_TYPE_DEFAULT)
            disk->type = CAIRN_CHECKPOINT_TYPE_BITMAP;
        if (disk->type == CAIRN_CHECKPOINT_TYPE_BITMAP && !disk->bitmap)
            disk->bitmap = g_strdup(def->name);
    }
}


/* Check the requested disks against the domain, filling @map with
 * domain target -> requested disk. Nothing is changed on failure. */
static bool
cairnCheckpointCheckRequested(const cairnCheckpointDef *def, GHashTable *map, GError **error)
{
    size_t i;

    for (i = 0; i < def->disks->len; i++) {
        cairnCheckpointDiskDef *chkdisk = g_ptr_array_index(def->disks, i);
        const cairnDomainDiskDef *domdisk = cairnDomainDiskByName(def->dom, chkdisk->name);

        if (!domdisk || !domdisk->dst) {
            cairnErrorSet(error, CAIRN_FROM_DOMAIN_CHECKPOINT, CAIRN_ERR_CONFIG_UNSUPPORTED,
                          "no disk named '%s'", chkdisk->name ? chkdisk->name : "");
            return false;
        }
        if (g_hash_table_contains(map, domdisk->dst)) {
            cairnErrorSet(error, CAIRN_FROM_DOMAIN_CHECKPOINT, CAIRN_ERR_CONFIG_UNSUPPORTED,
                          "disk '%s' specified twice", chkdisk->name);
            return false;
        }
        g_hash_table_insert(map, domdisk->dst, chkdisk);
        if ((!domdisk->src || domdisk->readonly) && chkdisk->type != CAIRN_CHECKPOINT_TYPE_NONE) {
            cairnErrorSet(error, CAIRN_FROM_DOMAIN_CHECKPOINT, CAIRN_ERR_CONFIG_UNSUPPORTED,
                          "disk '%s' is empty or readonly", chkdisk->name);
            return false;
        }
    }
    return true;
}


bool
cairnCheckpointAlignDisks(cairnCheckpointDef *def, GError **error)
{
    const cairnDomainDef *dom = def->dom;
    g_autoptr(GHashTable) map = NULL;
    GPtrArray *aligned = NULL;
    cairnCheckpointType dflt = CAIRN_CHECKPOINT_TYPE_NONE;
    size_t i;

    if (!dom) {
        cairnErrorSet(error, CAIRN_FROM_DOMAIN_CHECKPOINT, CAIRN_ERR_INTERNAL_ERROR,
                      "missing domain in checkpoint");
        return false;
    }
    if (def->disks->len > dom->disks->len) {
        cairnErrorSet(error, CAIRN_FROM_DOMAIN_CHECKPOINT, CAIRN_ERR_CONFIG_UNSUPPORTED,
                      "too many disk checkpoint requests for domain");
        return false;
    }
    if (dom->disks->len == 0) {
        cairnErrorSet(error, CAIRN_FROM_DOMAIN_CHECKPOINT, CAIRN_ERR_CONFIG_UNSUPPORTED,
                      "domain must have at least one disk to perform checkpoints");
        return false;
    }
    /* <disks> omitted: a bitmap on every writable disk with media;
     * otherwise disks left out are not checkpointed. */
    if (def->disks->len == 0)
        dflt = CAIRN_CHECKPOINT_TYPE_BITMAP;

    map = g_hash_table_new(g_str_hash, g_str_equal);
    if (!cairnCheckpointCheckRequested(def, map, error))
        return false;

    aligned = g_ptr_array_new_full(dom->disks->len, cairnCheckpointDiskDefFree);
    for (i = 0; i < dom->disks->len; i++) {
        const cairnDomainDiskDef *domdisk = g_ptr_array_index(dom->disks, i);
        const char *dst = domdisk->dst ? domdisk->dst : "";
        cairnCheckpointDiskDef *existing = g_hash_table_lookup(map, dst);
        cairnCheckpointDiskDef *disk;

        if (existing) {
            disk = cairnCheckpointDiskDefCopy(existing);
            g_free(disk->name);
        } else {
            disk = g_new0(cairnCheckpointDiskDef, 1);
            disk->type = (!domdisk->src || domdisk->readonly) ? CAIRN_CHECKPOINT_TYPE_NONE : dflt;
        }
        disk->name = g_strdup(dst);
        g_ptr_array_add(aligned, disk);
    }
    g_ptr_array_unref(def->disks);
    def->disks = aligned;
    cairnCheckpointDefAssignBitmapNames(def);
    return true;
}


bool
cairnCheckpointRedefineValidate(cairnCheckpointDef *def, const unsigned char *uuid, GError **error)
{
    if (!def->dom) {
        cairnCheckpointDefAssignBitmapNames(def);
        return true;
    }
    if (uuid && memcmp(def->dom->uuid, uuid, CAIRN_UUID_RAW_LEN) != 0) {
        char uuidstr[37];

        cairnUUIDFormat(uuid, uuidstr);
        cairnErrorSet(error, CAIRN_FROM_DOMAIN_CHECKPOINT, CAIRN_ERR_INVALID_ARG,
                      "definition for checkpoint %s must use uuid %s", def->name, uuidstr);
        return false;
    }
    return cairnCheckpointAlignDisks(def, error);
}
