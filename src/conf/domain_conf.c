/*
 * domain_conf.c: the subset of libvirt's domain XML that Cairn honours.
 */
#include <string.h>
#include <libxml/tree.h>

#include "domain_conf.h"
#include "util/cairnerror.h"
#include "util/cairnxml.h"
#include "util/cairnenum.h"

#define CAIRN_DOMAIN_ERROR(error, code, ...)                                                       \
 cairnErrorSet(error, CAIRN_FROM_DOMAIN, code, __VA_ARGS__)

static const char *const cairnDomainVirtTypeNames[] = {
    [CAIRN_DOMAIN_VIRT_NONE] = "none",
    [CAIRN_DOMAIN_VIRT_QEMU] = "qemu",
    [CAIRN_DOMAIN_VIRT_KVM] = "kvm",
    [CAIRN_DOMAIN_VIRT_TEST] = "test",
};
G_STATIC_ASSERT(G_N_ELEMENTS(cairnDomainVirtTypeNames) == CAIRN_DOMAIN_VIRT_LAST);

static const char *const cairnDomainDiskTypeNames[] = {
    [CAIRN_DOMAIN_DISK_TYPE_FILE] = "file",
    [CAIRN_DOMAIN_DISK_TYPE_BLOCK] = "block",
};
G_STATIC_ASSERT(G_N_ELEMENTS(cairnDomainDiskTypeNames) == CAIRN_DOMAIN_DISK_TYPE_LAST);

static const char *const cairnDomainDiskDeviceNames[] = {
    [CAIRN_DOMAIN_DISK_DEVICE_DISK] = "disk",
    [CAIRN_DOMAIN_DISK_DEVICE_CDROM] = "cdrom",
};
G_STATIC_ASSERT(G_N_ELEMENTS(cairnDomainDiskDeviceNames) == CAIRN_DOMAIN_DISK_DEVICE_LAST);

static const char *const cairnDomainDiskFormatNames[] = {
    [CAIRN_DOMAIN_DISK_FORMAT_NONE] = "none",
    [CAIRN_DOMAIN_DISK_FORMAT_RAW] = "raw",
    [CAIRN_DOMAIN_DISK_FORMAT_QCOW2] = "qcow2",
};
G_STATIC_ASSERT(G_N_ELEMENTS(cairnDomainDiskFormatNames) == CAIRN_DOMAIN_DISK_FORMAT_LAST);

static const char *const cairnDomainDiskBusNames[] = {
    [CAIRN_DOMAIN_DISK_BUS_NONE] = "none", [CAIRN_DOMAIN_DISK_BUS_VIRTIO] = "virtio",
    [CAIRN_DOMAIN_DISK_BUS_IDE] = "ide",   [CAIRN_DOMAIN_DISK_BUS_SCSI] = "scsi",
    [CAIRN_DOMAIN_DISK_BUS_SATA] = "sata",
};
G_STATIC_ASSERT(G_N_ELEMENTS(cairnDomainDiskBusNames) == CAIRN_DOMAIN_DISK_BUS_LAST);

static const char *const cairnDomainBootNames[] = {
    [CAIRN_DOMAIN_BOOT_FLOPPY] = "fd",
    [CAIRN_DOMAIN_BOOT_CDROM] = "cdrom",
    [CAIRN_DOMAIN_BOOT_DISK] = "hd",
    [CAIRN_DOMAIN_BOOT_NET] = "network",
};
G_STATIC_ASSERT(G_N_ELEMENTS(cairnDomainBootNames) == CAIRN_DOMAIN_BOOT_LAST);

static const char *const cairnDomainClockOffsetNames[] = {
    [CAIRN_DOMAIN_CLOCK_OFFSET_UTC] = "utc",
    [CAIRN_DOMAIN_CLOCK_OFFSET_LOCALTIME] = "localtime",
};
G_STATIC_ASSERT(G_N_ELEMENTS(cairnDomainClockOffsetNames) == CAIRN_DOMAIN_CLOCK_OFFSET_LAST);

static const char *const cairnDomainLifecycleNames[] = {
    [CAIRN_DOMAIN_LIFECYCLE_DEFAULT] = NULL,
    [CAIRN_DOMAIN_LIFECYCLE_DESTROY] = "destroy",
    [CAIRN_DOMAIN_LIFECYCLE_RESTART] = "restart",
};
G_STATIC_ASSERT(G_N_ELEMENTS(cairnDomainLifecycleNames) == CAIRN_DOMAIN_LIFECYCLE_LAST);

/* Architectures accepted in <type arch=...> (strict mode). */
static const char *const cairnDomainArchNames[] = {
    "x86_64", "i686", "aarch64", "armv7l", "ppc64", "ppc64le", "riscv64", "s390x",
};

#define CAIRN_ENUM(table, str) cairnEnumFromString(table, G_N_ELEMENTS(table), str)


const char *
cairnDomainVirtTypeToString(cairnDomainVirtType t)
{
    return cairnEnumToString(cairnDomainVirtTypeNames, G_N_ELEMENTS(cairnDomainVirtTypeNames), t);
}


const char *
cairnDomainDiskFormatToString(cairnDomainDiskFormat f)
{
    return cairnEnumToString(cairnDomainDiskFormatNames, G_N_ELEMENTS(cairnDomainDiskFormatNames),
                             f);
}


const char *
cairnDomainDiskTypeToString(cairnDomainDiskType t)
{
    return cairnEnumToString(cairnDomainDiskTypeNames, G_N_ELEMENTS(cairnDomainDiskTypeNames), t);
}


const char *
cairnDomainDiskDeviceToString(cairnDomainDiskDevice d)
{
    return cairnEnumToString(cairnDomainDiskDeviceNames, G_N_ELEMENTS(cairnDomainDiskDeviceNames),
                             d);
}


const char *
cairnDomainDiskBusToString(cairnDomainDiskBus b)
{
    return cairnEnumToString(cairnDomainDiskBusNames, G_N_ELEMENTS(cairnDomainDiskBusNames), b);
}


/* ---- UUIDs ---- */

void
cairnUUIDFormat(const unsigned char *uuid, char *buf)
{
    g_snprintf(buf, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
               uuid[0], uuid[1], uuid[2], uuid[3], uuid[4], uuid[5], uuid[6], uuid[7], uuid[8],
               uuid[9], uuid[10], uuid[11], uuid[12], uuid[13], uuid[14], uuid[15]);
}


/* Like libvirt: surrounding blanks are allowed, and a '-' may separate
 * any two bytes. */
bool
cairnUUIDParse(const char *str, unsigned char *uuid)
{
    unsigned char raw[CAIRN_UUID_RAW_LEN];
    const char *p = str;
    size_t i;

    if (!str)
        return false;
    while (g_ascii_isspace(*p))
        p++;
    for (i = 0; i < CAIRN_UUID_RAW_LEN; i++) {
        int hi;
        int lo;

        if (i > 0 && *p == '-')
            p++;
        if ((hi = g_ascii_xdigit_value(p[0])) < 0 || (lo = g_ascii_xdigit_value(p[1])) < 0)
            return false;
        raw[i] = (unsigned char)(hi * 16 + lo);
        p += 2;
    }
    while (g_ascii_isspace(*p))
        p++;
    if (*p)
        return false;
    memcpy(uuid, raw, sizeof(raw));
    return true;
}


void
cairnUUIDGenerate(unsigned char *uuid)
{
    g_autofree char *str = g_uuid_string_random();

    if (!cairnUUIDParse(str, uuid))
        g_assert_not_reached();
}


/* ---- objects ---- */

cairnDomainDiskDef *
cairnDomainDiskDefNew(void)
{
    return g_new0(cairnDomainDiskDef, 1);
}


void
cairnDomainDiskDefFree(cairnDomainDiskDef *disk)
{
    if (!disk)
        return;
    g_free(disk->driver_name);
    g_free(disk->src);
    g_free(disk->data_file);
    g_free(disk->dst);
    cairnDomainDiskBackingFree(disk->backing);
    g_free(disk);
}


static void
cairnDomainDiskDefFreeVoid(void *disk)
{
    cairnDomainDiskDefFree(disk);
}


static void
cairnDomainChannelDefFree(cairnDomainChannelDef *chan)
{
    if (!chan)
        return;
    g_free(chan->path);
    g_free(chan->target_name);
    g_free(chan);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(cairnDomainChannelDef, cairnDomainChannelDefFree)


static void
cairnDomainChannelDefFreeVoid(void *chan)
{
    cairnDomainChannelDefFree(chan);
}


static cairnDomainChannelDef *
cairnDomainChannelDefCopy(const cairnDomainChannelDef *chan)
{
    cairnDomainChannelDef *copy = g_new0(cairnDomainChannelDef, 1);

    copy->path = g_strdup(chan->path);
    copy->target_name = g_strdup(chan->target_name);
    return copy;
}


cairnDomainDef *
cairnDomainDefNew(void)
{
    cairnDomainDef *def = g_new0(cairnDomainDef, 1);

    def->vcpus = 1;
    def->disks = g_ptr_array_new_with_free_func(cairnDomainDiskDefFreeVoid);
    def->channels = g_ptr_array_new_with_free_func(cairnDomainChannelDefFreeVoid);
    return def;
}


void
cairnDomainDefFree(cairnDomainDef *def)
{
    if (!def)
        return;
    g_free(def->name);
    g_free(def->title);
    g_free(def->description);
    g_free(def->os_type);
    g_free(def->os_arch);
    g_free(def->os_machine);
    g_free(def->os_kernel);
    g_free(def->os_initrd);
    g_free(def->os_cmdline);
    g_free(def->emulator);
    if (def->disks)
        g_ptr_array_unref(def->disks);
    if (def->channels)
        g_ptr_array_unref(def->channels);
    g_free(def);
}


static cairnDomainDiskDef *
cairnDomainDiskDefCopy(const cairnDomainDiskDef *disk)
{
    cairnDomainDiskDef *copy = g_new0(cairnDomainDiskDef, 1);

    *copy = *disk;
    copy->driver_name = g_strdup(disk->driver_name);
    copy->src = g_strdup(disk->src);
    copy->data_file = g_strdup(disk->data_file);
    copy->dst = g_strdup(disk->dst);
    copy->backing = cairnDomainDiskBackingCopy(disk->backing);
    return copy;
}


cairnDomainDef *
cairnDomainDefCopy(const cairnDomainDef *def)
{
    cairnDomainDef *copy = cairnDomainDefNew();
    GPtrArray *disks = copy->disks;
    GPtrArray *channels = copy->channels;
    size_t i;

    *copy = *def;
    copy->disks = disks;
    copy->channels = channels;
    copy->name = g_strdup(def->name);
    copy->title = g_strdup(def->title);
    copy->description = g_strdup(def->description);
    copy->os_type = g_strdup(def->os_type);
    copy->os_arch = g_strdup(def->os_arch);
    copy->os_machine = g_strdup(def->os_machine);
    copy->os_kernel = g_strdup(def->os_kernel);
    copy->os_initrd = g_strdup(def->os_initrd);
    copy->os_cmdline = g_strdup(def->os_cmdline);
    copy->emulator = g_strdup(def->emulator);
    for (i = 0; def->disks && i < def->disks->len; i++)
        g_ptr_array_add(copy->disks, cairnDomainDiskDefCopy(g_ptr_array_index(def->disks, i)));
    for (i = 0; def->channels && i < def->channels->len; i++)
        g_ptr_array_add(copy->channels,
                        cairnDomainChannelDefCopy(g_ptr_array_index(def->channels, i)));
    return copy;
}


cairnDomainChannelDef *
cairnDomainAgentChannel(const cairnDomainDef *def)
{
    for (guint i = 0; def->channels && i < def->channels->len; i++) {
        cairnDomainChannelDef *chan = g_ptr_array_index(def->channels, i);

        if (g_strcmp0(chan->target_name, CAIRN_DOMAIN_AGENT_CHANNEL) == 0)
            return chan;
    }
    return NULL;
}


cairnDomainDiskDef *
cairnDomainDiskByTarget(const cairnDomainDef *def, const char *dst)
{
    size_t i;

    for (i = 0; dst && i < def->disks->len; i++) {
        cairnDomainDiskDef *disk = g_ptr_array_index(def->disks, i);

        if (g_strcmp0(disk->dst, dst) == 0)
            return disk;
    }
    return NULL;
}


/* A target name wins; a source path must name exactly one disk. */
cairnDomainDiskDef *
cairnDomainDiskByName(const cairnDomainDef *def, const char *name)
{
    cairnDomainDiskDef *candidate = NULL;
    size_t i;

    if (!name)
        return NULL;
    for (i = 0; i < def->disks->len; i++) {
        cairnDomainDiskDef *disk = g_ptr_array_index(def->disks, i);

        if (g_strcmp0(disk->dst, name) == 0)
            return disk;
        if (disk->src && g_str_equal(disk->src, name)) {
            if (candidate)
                return NULL;
            candidate = disk;
        }
    }
    return candidate;
}


/* ---- parsing helpers ---- */

static char *
cairnDomainNodeQName(const xmlNode *node)
{
    if (node->ns && node->ns->prefix)
        return g_strdup_printf("%s:%s", (const char *)node->ns->prefix, (const char *)node->name);
    return g_strdup((const char *)node->name);
}


/* An element the subset does not know: an error, or ignored with
 * LENIENT. Returns false on error. */
static bool
cairnDomainUnknownElement(const xmlNode *node, unsigned int flags, GError **error)
{
    g_autofree char *name = NULL;

    if (flags & CAIRN_DOMAIN_DEF_PARSE_LENIENT)
        return true;
    name = cairnDomainNodeQName(node);
    CAIRN_DOMAIN_ERROR(error, CAIRN_ERR_CONFIG_UNSUPPORTED,
                       "element '%s' is not supported by Cairn", name);
    return false;
}


/* Check that every attribute of @node is in the NULL-terminated list
 * @allowed (not checked with LENIENT). */
static bool
cairnDomainCheckAttrs(const xmlNode *node,
                      const char *const *allowed,
                      unsigned int flags,
                      GError **error)
{
    const xmlAttr *attr;

    if (flags & CAIRN_DOMAIN_DEF_PARSE_LENIENT)
        return true;
    for (attr = node->properties; attr; attr = attr->next) {
        size_t i;
        bool ok = false;

        for (i = 0; !attr->ns && allowed && allowed[i]; i++) {
            if (xmlStrEqual(attr->name, BAD_CAST allowed[i]))
                ok = true;
        }
        if (!ok) {
            g_autofree char *elem = cairnDomainNodeQName(node);
            CAIRN_DOMAIN_ERROR(error, CAIRN_ERR_CONFIG_UNSUPPORTED,
                               "attribute '%s%s%s' of element '%s' is not supported by Cairn",
                               attr->ns && attr->ns->prefix ? (const char *)attr->ns->prefix : "",
                               attr->ns && attr->ns->prefix ? ":" : "", (const char *)attr->name,
                               elem);
            return false;
        }
    }
    return true;
}


/* For elements with text content only: no attributes (unless listed),
 * no child elements. */
static bool
cairnDomainCheckLeaf(const xmlNode *node,
                     const char *const *allowed,
                     unsigned int flags,
                     GError **error)
{
    xmlNode *cur;

    if (!cairnDomainCheckAttrs(node, allowed, flags, error))
        return false;
    for (cur = node->children; cur; cur = cur->next) {
        if (cur->type == XML_ELEMENT_NODE && !cairnDomainUnknownElement(cur, flags, error))
            return false;
    }
    return true;
}


/* An element with element children only, and no attributes. */
static bool
cairnDomainCheckContainer(const xmlNode *node, unsigned int flags, GError **error)
{
    if (!(flags & CAIRN_DOMAIN_DEF_PARSE_LENIENT) && cairnXMLHasNonBlankText(node)) {
        CAIRN_DOMAIN_ERROR(error, CAIRN_ERR_XML_ERROR, "unexpected text in element '%s'",
                           (const char *)node->name);
        return false;
    }
    return cairnDomainCheckAttrs(node, NULL, flags, error);
}


/* Sort the child elements of @node into @slots by the names in
 * @names (NULL-terminated; @slots has as many entries). Elements named
 * in @multi may repeat (the first is stored); other repeats are
 * errors, unknown elements are refused unless LENIENT. */
static bool
cairnDomainCollectChildren(const xmlNode *node,
                           const char *const *names,
                           const char *multi,
                           xmlNode **slots,
                           unsigned int flags,
                           GError **error)
{
    xmlNode *cur;

    if (!(flags & CAIRN_DOMAIN_DEF_PARSE_LENIENT) && cairnXMLHasNonBlankText(node)) {
        CAIRN_DOMAIN_ERROR(error, CAIRN_ERR_XML_ERROR, "unexpected text in element '%s'",
                           (const char *)node->name);
        return false;
    }
    for (cur = node->children; cur; cur = cur->next) {
        size_t i;
        bool found = false;

        if (cur->type != XML_ELEMENT_NODE)
            continue;
        for (i = 0; names[i] && !found; i++) {
            if (!cairnXMLNodeNameEqual(cur, names[i]))
                continue;
            found = true;
            if (slots[i] && !(multi && g_str_equal(multi, names[i]))) {
                CAIRN_DOMAIN_ERROR(error, CAIRN_ERR_XML_ERROR,
                                   "element '%s' may appear only once in '%s'", names[i],
                                   (const char *)node->name);
                return false;
            }
            if (!slots[i])
                slots[i] = cur;
        }
        if (!found && !cairnDomainUnknownElement(cur, flags, error))
            return false;
    }
    return true;
}


/* The text of the leaf element @node, NULL when @node is NULL or the
 * text is empty (libvirt treats an empty element as absent). */
static bool
cairnDomainLeafText(const xmlNode *node, unsigned int flags, char **ret_text, GError **error)
{
    char *text;

    *ret_text = NULL;
    if (!node)
        return true;
    if (!cairnDomainCheckLeaf(node, NULL, flags, error))
        return false;
    text = cairnXMLNodeText(node);
    if (!*text) {
        g_free(text);
        return true;
    }
    *ret_text = text;
    return true;
}


/* ---- parsing: identity and resources ---- */

enum {
    SLOT_NAME,
    SLOT_UUID,
    SLOT_TITLE,
    SLOT_DESCRIPTION,
    SLOT_MEMORY,
    SLOT_CURRENT_MEMORY,
    SLOT_VCPU,
    SLOT_OS,
    SLOT_FEATURES,
    SLOT_CLOCK,
    SLOT_ON_POWEROFF,
    SLOT_ON_REBOOT,
    SLOT_ON_CRASH,
    SLOT_DEVICES,
    SLOT_LAST
};

static const char *const cairnDomainTopNames[SLOT_LAST + 1] = {
    [SLOT_NAME] = "name",
    [SLOT_UUID] = "uuid",
    [SLOT_TITLE] = "title",
    [SLOT_DESCRIPTION] = "description",
    [SLOT_MEMORY] = "memory",
    [SLOT_CURRENT_MEMORY] = "currentMemory",
    [SLOT_VCPU] = "vcpu",
    [SLOT_OS] = "os",
    [SLOT_FEATURES] = "features",
    [SLOT_CLOCK] = "clock",
    [SLOT_ON_POWEROFF] = "on_poweroff",
    [SLOT_ON_REBOOT] = "on_reboot",
    [SLOT_ON_CRASH] = "on_crash",
    [SLOT_DEVICES] = "devices",
    [SLOT_LAST] = NULL,
};


static bool
cairnDomainCheckName(const char *name, unsigned int flags, GError **error)
{
    if (!name) {
        CAIRN_DOMAIN_ERROR(error, CAIRN_ERR_XML_ERROR, "missing domain name");
        return false;
    }
    if (flags & CAIRN_DOMAIN_DEF_PARSE_LENIENT)
        return true;
    if (strchr(name, '/') || strchr(name, '\n')) {
        CAIRN_DOMAIN_ERROR(error, CAIRN_ERR_XML_ERROR, "name '%s' cannot contain '%s'", name,
                           strchr(name, '/') ? "/" : "\\n");
        return false;
    }
    if (g_str_equal(name, ".") || g_str_equal(name, "..")) {
        CAIRN_DOMAIN_ERROR(error, CAIRN_ERR_XML_ERROR, "name '%s' is not allowed", name);
        return false;
    }
    return true;
}


static bool
cairnDomainParseIdentity(cairnDomainDef *def, xmlNode **slots, unsigned int flags, GError **error)
{
    g_autofree char *uuid = NULL;

    if (!cairnDomainLeafText(slots[SLOT_NAME], flags, &def->name, error) ||
        !cairnDomainCheckName(def->name, flags, error))
        return false;

    if (!cairnDomainLeafText(slots[SLOT_UUID], flags, &uuid, error))
        return false;
    if (!uuid) {
        cairnUUIDGenerate(def->uuid);
    } else if (!cairnUUIDParse(uuid, def->uuid)) {
        CAIRN_DOMAIN_ERROR(error, CAIRN_ERR_XML_ERROR, "malformed uuid element");
        return false;
    }

    if (!cairnDomainLeafText(slots[SLOT_TITLE], flags, &def->title, error))
        return false;
    if (def->title && strchr(def->title, '\n') && !(flags & CAIRN_DOMAIN_DEF_PARSE_LENIENT)) {
        CAIRN_DOMAIN_ERROR(error, CAIRN_ERR_XML_ERROR, "Domain title can't contain newlines");
        return false;
    }
    return cairnDomainLeafText(slots[SLOT_DESCRIPTION], flags, &def->description, error);
}


/* The number of bytes in one @unit (libvirt's scaled integers; no unit
 * means KiB). */
static bool
cairnDomainUnitScale(const char *unit, unsigned long long *ret_scale)
{
    static const char powers[] = "kmgtpe";
    const char *pos;
    unsigned long long base;
    unsigned long long scale = 1;

    if (!unit) {
        *ret_scale = 1024;
        return true;
    }
    if (g_ascii_strcasecmp(unit, "b") == 0 || g_ascii_strcasecmp(unit, "byte") == 0 ||
        g_ascii_strcasecmp(unit, "bytes") == 0) {
        *ret_scale = 1;
        return true;
    }
    if (!unit[0] || !(pos = strchr(powers, g_ascii_tolower(unit[0]))))
        return false;
    if (!unit[1] || g_ascii_strcasecmp(unit + 1, "ib") == 0)
        base = 1024;
    else if (g_ascii_strcasecmp(unit + 1, "b") == 0)
        base = 1000;
    else
        return false;
    for (; pos >= powers; pos--)
        scale *= base;
    *ret_scale = scale;
    return true;
}


static bool
cairnDomainParseMemory(const xmlNode *node,
                       unsigned int flags,
                       unsigned long long *ret_kib,
                       GError **error)
{
    static const char *const attrs[] = { "unit", NULL };
    g_autofree char *unit = NULL;
    g_autofree char *text = NULL;
    unsigned long long scale;
    unsigned long long value;
    unsigned long long bytes;

    if (!cairnDomainCheckLeaf(node, attrs, flags, error))
        return false;
    unit = cairnXMLPropString(node, "unit");
    text = cairnXMLNodeText(node);
    if (!cairnDomainUnitScale(unit, &scale)) {
        CAIRN_DOMAIN_ERROR(error, CAIRN_ERR_XML_ERROR, "unknown unit '%s' in element '%s'", unit,
                           (const char *)node->name);
        return false;
    }
    if (!cairnXMLParseULongLong(text, &value)) {
        CAIRN_DOMAIN_ERROR(error, CAIRN_ERR_XML_ERROR, "invalid value '%s' in element '%s'", text,
                           (const char *)node->name);
        return false;
    }
    if (value > G_MAXUINT64 / scale) {
        CAIRN_DOMAIN_ERROR(error, CAIRN_ERR_XML_ERROR, "value '%s' of element '%s' is too large",
                           text, (const char *)node->name);
        return false;
    }
    bytes = value * scale;
    *ret_kib = bytes / 1024 + (bytes % 1024 != 0);
    return true;
}


static bool
cairnDomainParseVcpu(cairnDomainDef *def, const xmlNode *node, unsigned int flags, GError **error)
{
    static const char *const attrs[] = { "placement", NULL };
    g_autofree char *placement = NULL;
    g_autofree char *text = NULL;
    unsigned long long value;

    if (!node)
        return true;
    if (!cairnDomainCheckLeaf(node, attrs, flags, error))
        return false;
    placement = cairnXMLPropString(node, "placement");
    if (placement && !g_str_equal(placement, "static") &&
        !(flags & CAIRN_DOMAIN_DEF_PARSE_LENIENT)) {
        CAIRN_DOMAIN_ERROR(error, CAIRN_ERR_CONFIG_UNSUPPORTED,
                           "vcpu placement '%s' is not supported by Cairn", placement);
        return false;
    }
    text = cairnXMLNodeText(node);
    if (!cairnXMLParseULongLong(text, &value) || value > G_MAXUINT16) {
        CAIRN_DOMAIN_ERROR(error, CAIRN_ERR_XML_ERROR, "invalid number of vcpus '%s'", text);
        return false;
    }
    if (value == 0) {
        CAIRN_DOMAIN_ERROR(error, CAIRN_ERR_XML_ERROR, "domain requires at least 1 vCPU");
        return false;
    }
    def->vcpus = (unsigned int)value;
    return true;
}


static bool
cairnDomainParseResources(cairnDomainDef *def, xmlNode **slots, unsigned int flags, GError **error)
{
    if (slots[SLOT_MEMORY] &&
        !cairnDomainParseMemory(slots[SLOT_MEMORY], flags, &def->memory_kib, error))
        return false;
    if (def->memory_kib == 0) {
        CAIRN_DOMAIN_ERROR(error, CAIRN_ERR_XML_ERROR,
                           "memory size must be specified via <memory>");
        return false;
    }
    if (slots[SLOT_CURRENT_MEMORY] &&
        !cairnDomainParseMemory(slots[SLOT_CURRENT_MEMORY], flags, &def->current_memory_kib, error))
        return false;
    /* As libvirt: missing or zero means all of it, and never more. */
    if (def->current_memory_kib == 0 || def->current_memory_kib > def->memory_kib)
        def->current_memory_kib = def->memory_kib;
    return cairnDomainParseVcpu(def, slots[SLOT_VCPU], flags, error);
}


/* ---- parsing: os, features, clock, lifecycle ---- */

static bool
cairnDomainParseOSType(cairnDomainDef *def, const xmlNode *node, unsigned int flags, GError **error)
{
    static const char *const attrs[] = { "arch", "machine", NULL };
    bool lenient = flags & CAIRN_DOMAIN_DEF_PARSE_LENIENT;

    if (!node) {
        CAIRN_DOMAIN_ERROR(error, CAIRN_ERR_XML_ERROR, "an os <type> must be specified");
        return false;
    }
    if (!cairnDomainCheckLeaf(node, attrs, flags, error))
        return false;
    def->os_type = cairnXMLNodeText(node);
    if (!*def->os_type) {
        CAIRN_DOMAIN_ERROR(error, CAIRN_ERR_XML_ERROR, "an os <type> must be specified");
        return false;
    }
    if (!lenient && !g_str_equal(def->os_type, "hvm")) {
        CAIRN_DOMAIN_ERROR(error, CAIRN_ERR_CONFIG_UNSUPPORTED,
                           "os type '%s' is not supported by Cairn", def->os_type);
        return false;
    }
    def->os_arch = cairnXMLPropString(node, "arch");
    def->os_machine = cairnXMLPropString(node, "machine");
    if (!lenient && def->os_arch && CAIRN_ENUM(cairnDomainArchNames, def->os_arch) < 0) {
        CAIRN_DOMAIN_ERROR(error, CAIRN_ERR_CONFIG_UNSUPPORTED,
                           "architecture '%s' is not supported by Cairn", def->os_arch);
        return false;
    }
    return true;
}


static bool
cairnDomainParseBoot(cairnDomainDef *def, const xmlNode *os, unsigned int flags, GError **error)
{
    static const char *const attrs[] = { "dev", NULL };
    xmlNode *cur;

    for (cur = os->children; cur; cur = cur->next) {
        g_autofree char *dev = NULL;
        int val;

        if (!cairnXMLNodeNameEqual(cur, "boot"))
            continue;
        if (!cairnDomainCheckLeaf(cur, attrs, flags, error))
            return false;
        dev = cairnXMLPropString(cur, "dev");
        if ((val = CAIRN_ENUM(cairnDomainBootNames, dev)) < 0) {
            if (flags & CAIRN_DOMAIN_DEF_PARSE_LENIENT)
                continue;
            CAIRN_DOMAIN_ERROR(error, CAIRN_ERR_XML_ERROR, "unknown boot device '%s'",
                               dev ? dev : "");
            return false;
        }
        /* As libvirt: devices past the fourth are ignored. */
        if (def->nboot < CAIRN_DOMAIN_BOOT_LAST)
            def->boot[def->nboot++] = (cairnDomainBootDev)val;
    }
    if (def->nboot == 0)
        def->boot[def->nboot++] = CAIRN_DOMAIN_BOOT_DISK;
    return true;
}


static bool
cairnDomainParseOS(cairnDomainDef *def, const xmlNode *node, unsigned int flags, GError **error)
{
    static const char *const names[] = { "type", "kernel", "initrd", "cmdline", "boot", NULL };
    xmlNode *slots[G_N_ELEMENTS(names)] = { NULL };

    if (!node) {
        CAIRN_DOMAIN_ERROR(error, CAIRN_ERR_XML_ERROR, "an os <type> must be specified");
        return false;
    }
    if (!cairnDomainCheckAttrs(node, NULL, flags, error) ||
        !cairnDomainCollectChildren(node, names, "boot", slots, flags, error) ||
        !cairnDomainParseOSType(def, slots[0], flags, error) ||
        !cairnDomainLeafText(slots[1], flags, &def->os_kernel, error) ||
        !cairnDomainLeafText(slots[2], flags, &def->os_initrd, error) ||
        !cairnDomainLeafText(slots[3], flags, &def->os_cmdline, error))
        return false;
    return cairnDomainParseBoot(def, node, flags, error);
}


static bool
cairnDomainParseFeatures(cairnDomainDef *def,
                         const xmlNode *node,
                         unsigned int flags,
                         GError **error)
{
    static const char *const names[] = { "acpi", "apic", "pae" };
    xmlNode *cur;

    if (!node)
        return true;
    if (!cairnDomainCheckContainer(node, flags, error))
        return false;
    for (cur = node->children; cur; cur = cur->next) {
        int bit = -1;
        size_t i;

        if (cur->type != XML_ELEMENT_NODE)
            continue;
        for (i = 0; i < G_N_ELEMENTS(names); i++) {
            if (cairnXMLNodeNameEqual(cur, names[i]))
                bit = (int)i;
        }
        if (bit < 0) {
            if (!cairnDomainUnknownElement(cur, flags, error))
                return false;
            continue;
        }
        if (!cairnDomainCheckLeaf(cur, NULL, flags, error))
            return false;
        def->features |= 1u << bit;
    }
    return true;
}


static bool
cairnDomainParseClock(cairnDomainDef *def, const xmlNode *node, unsigned int flags, GError **error)
{
    static const char *const attrs[] = { "offset", NULL };
    g_autofree char *offset = NULL;
    int val;

    if (!node)
        return true;
    if (!cairnDomainCheckLeaf(node, attrs, flags, error))
        return false;
    if (!(offset = cairnXMLPropString(node, "offset")))
        return true;
    if ((val = CAIRN_ENUM(cairnDomainClockOffsetNames, offset)) >= 0) {
        def->clock_offset = (cairnDomainClockOffset)val;
        return true;
    }
    if (flags & CAIRN_DOMAIN_DEF_PARSE_LENIENT)
        return true;
    CAIRN_DOMAIN_ERROR(error, CAIRN_ERR_CONFIG_UNSUPPORTED,
                       "clock offset '%s' is not supported by Cairn", offset);
    return false;
}


static bool
cairnDomainParseLifecycle(const xmlNode *node,
                          unsigned int flags,
                          cairnDomainLifecycleAction *ret_action,
                          GError **error)
{
    g_autofree char *text = NULL;
    int val;

    if (!node)
        return true;
    if (!cairnDomainLeafText(node, flags, &text, error))
        return false;
    if ((val = CAIRN_ENUM(cairnDomainLifecycleNames, text)) > 0) {
        *ret_action = (cairnDomainLifecycleAction)val;
        return true;
    }
    if (flags & CAIRN_DOMAIN_DEF_PARSE_LENIENT)
        return true;
    CAIRN_DOMAIN_ERROR(error, CAIRN_ERR_CONFIG_UNSUPPORTED,
                       "value '%s' of element '%s' is not supported by Cairn", text ? text : "",
                       (const char *)node->name);
    return false;
}


static bool
cairnDomainParseMisc(cairnDomainDef *def, xmlNode **slots, unsigned int flags, GError **error)
{
    return cairnDomainParseOS(def, slots[SLOT_OS], flags, error) &&
           cairnDomainParseFeatures(def, slots[SLOT_FEATURES], flags, error) &&
           cairnDomainParseClock(def, slots[SLOT_CLOCK], flags, error) &&
           cairnDomainParseLifecycle(slots[SLOT_ON_POWEROFF], flags, &def->on_poweroff, error) &&
           cairnDomainParseLifecycle(slots[SLOT_ON_REBOOT], flags, &def->on_reboot, error) &&
           cairnDomainParseLifecycle(slots[SLOT_ON_CRASH], flags, &def->on_crash, error);
}


/* ---- parsing: devices ---- */

bool
cairnDomainDiskTargetIsValid(const char *dst)
{
    static const char *const prefixes[] = { "xvd", "ubd", "fd", "hd", "sd", "vd" };
    const char *p = dst;
    size_t i;

    if (!dst)
        return false;
    if (g_str_has_prefix(p, "ioemu:"))
        p += strlen("ioemu:");
    for (i = 0; i < G_N_ELEMENTS(prefixes); i++) {
        if (g_str_has_prefix(p, prefixes[i]))
            break;
    }
    if (i == G_N_ELEMENTS(prefixes))
        return false;
    p += strlen(prefixes[i]);
    if (!*p)
        return false;
    for (; *p; p++) {
        if (!g_ascii_isalnum(*p) && *p != '_')
            return false;
    }
    return true;
}


static bool
cairnDomainDiskParseDriver(cairnDomainDiskDef *disk,
                           const xmlNode *node,
                           unsigned int flags,
                           GError **error)
{
    static const char *const attrs[] = { "name", "type", NULL };
    bool lenient = flags & CAIRN_DOMAIN_DEF_PARSE_LENIENT;
    g_autofree char *type = NULL;
    int val;

    if (!node)
        return true;
    if (!cairnDomainCheckLeaf(node, attrs, flags, error))
        return false;
    disk->driver_name = cairnXMLPropString(node, "name");
    if (!lenient && disk->driver_name && !g_str_equal(disk->driver_name, "qemu")) {
        CAIRN_DOMAIN_ERROR(error, CAIRN_ERR_CONFIG_UNSUPPORTED,
                           "disk driver name '%s' is not supported by Cairn", disk->driver_name);
        return false;
    }
    if (!(type = cairnXMLPropString(node, "type")))
        return true;
    if ((val = CAIRN_ENUM(cairnDomainDiskFormatNames, type)) > 0) {
        disk->format = (cairnDomainDiskFormat)val;
    } else if (!lenient) {
        CAIRN_DOMAIN_ERROR(error, CAIRN_ERR_CONFIG_UNSUPPORTED,
                           "disk format '%s' is not supported by Cairn", type);
        return false;
    }
    return true;
}


/* <dataStore type='file'><format type='raw'/><source file=.../></dataStore>
 * inside a qcow2 disk's <source> (libvirt 10.10): the raw file holding the
 * image's data. */
static bool
cairnDomainDiskParseDataStore(cairnDomainDiskDef *disk,
                              const xmlNode *node,
                              unsigned int flags,
                              GError **error)
{
    static const char *const attrs[] = { "type", NULL };
    static const char *const names[] = { "format", "source", NULL };
    static const char *const format_attrs[] = { "type", NULL };
    static const char *const source_attrs[] = { "file", NULL };
    bool lenient = flags & CAIRN_DOMAIN_DEF_PARSE_LENIENT;
    xmlNode *slots[G_N_ELEMENTS(names)] = { NULL };
    g_autofree char *type = cairnXMLPropString(node, "type");
    g_autofree char *format = NULL;
    g_autofree char *file = NULL;

    if (!cairnDomainCheckAttrs(node, attrs, flags, error) ||
        !cairnDomainCollectChildren(node, names, NULL, slots, flags, error))
        return false;
    if (!type || !g_str_equal(type, "file")) {
        if (lenient)
            return true;
        CAIRN_DOMAIN_ERROR(error, CAIRN_ERR_CONFIG_UNSUPPORTED,
                           "dataStore type '%s' of disk is not supported by Cairn (only 'file')",
                           type ? type : "");
        return false;
    }
    if (slots[0]) {
        if (!cairnDomainCheckLeaf(slots[0], format_attrs, flags, error))
            return false;
        format = cairnXMLPropString(slots[0], "type");
    }
    if (!format || !g_str_equal(format, "raw")) {
        if (lenient)
            return true;
        CAIRN_DOMAIN_ERROR(error, CAIRN_ERR_CONFIG_UNSUPPORTED,
                           "dataStore format '%s' is not supported (only 'raw')",
                           format ? format : "");
        return false;
    }
    if (slots[1]) {
        if (!cairnDomainCheckLeaf(slots[1], source_attrs, flags, error))
            return false;
        file = cairnXMLPropString(slots[1], "file");
    }
    if (!file || !*file) {
        if (lenient)
            return true;
        CAIRN_DOMAIN_ERROR(error, CAIRN_ERR_XML_ERROR, "missing source file of dataStore");
        return false;
    }
    disk->data_file = g_steal_pointer(&file);
    return true;
}


static bool
cairnDomainDiskParseSource(cairnDomainDiskDef *disk,
                           const xmlNode *node,
                           unsigned int flags,
                           GError **error)
{
    static const char *const file_attrs[] = { "file", NULL };
    static const char *const dev_attrs[] = { "dev", NULL };
    static const char *const names[] = { "dataStore", NULL };
    xmlNode *slots[G_N_ELEMENTS(names)] = { NULL };
    bool file = disk->type == CAIRN_DOMAIN_DISK_TYPE_FILE;
    g_autofree char *src = NULL;

    if (!node)
        return true;
    if (!cairnDomainCheckAttrs(node, file ? file_attrs : dev_attrs, flags, error) ||
        !cairnDomainCollectChildren(node, names, NULL, slots, flags, error))
        return false;
    src = cairnXMLPropString(node, file ? "file" : "dev");
    if (src && *src)
        disk->src = g_steal_pointer(&src);
    if (slots[0] && !cairnDomainDiskParseDataStore(disk, slots[0], flags, error))
        return false;
    return true;
}


static cairnDomainDiskBus
cairnDomainDiskBusFromTarget(const char *dst)
{
    if (g_str_has_prefix(dst, "vd"))
        return CAIRN_DOMAIN_DISK_BUS_VIRTIO;
    if (g_str_has_prefix(dst, "hd"))
        return CAIRN_DOMAIN_DISK_BUS_IDE;
    if (g_str_has_prefix(dst, "sd"))
        return CAIRN_DOMAIN_DISK_BUS_SCSI;
    return CAIRN_DOMAIN_DISK_BUS_NONE;
}


static bool
cairnDomainDiskParseTarget(cairnDomainDiskDef *disk,
                           const xmlNode *node,
                           unsigned int flags,
                           GError **error)
{
    static const char *const attrs[] = { "dev", "bus", NULL };
    bool lenient = flags & CAIRN_DOMAIN_DEF_PARSE_LENIENT;
    g_autofree char *bus = NULL;
    int val;

    if (!node || !(disk->dst = cairnXMLPropString(node, "dev")) || !*disk->dst) {
        CAIRN_DOMAIN_ERROR(error, CAIRN_ERR_XML_ERROR, "missing target dev for disk");
        return false;
    }
    if (!cairnDomainCheckLeaf(node, attrs, flags, error))
        return false;
    if (!lenient && !cairnDomainDiskTargetIsValid(disk->dst)) {
        CAIRN_DOMAIN_ERROR(error, CAIRN_ERR_XML_ERROR, "invalid disk target '%s'", disk->dst);
        return false;
    }
    bus = cairnXMLPropString(node, "bus");
    if ((val = CAIRN_ENUM(cairnDomainDiskBusNames, bus)) > 0) {
        disk->bus = (cairnDomainDiskBus)val;
    } else if (!bus || lenient) {
        disk->bus = cairnDomainDiskBusFromTarget(disk->dst);
    } else {
        CAIRN_DOMAIN_ERROR(error, CAIRN_ERR_CONFIG_UNSUPPORTED,
                           "disk bus '%s' is not supported by Cairn", bus);
        return false;
    }
    return true;
}


static bool
cairnDomainDiskParseKind(cairnDomainDiskDef *disk,
                         const xmlNode *node,
                         unsigned int flags,
                         GError **error)
{
    bool lenient = flags & CAIRN_DOMAIN_DEF_PARSE_LENIENT;
    g_autofree char *type = cairnXMLPropString(node, "type");
    g_autofree char *device = cairnXMLPropString(node, "device");

    if (!type || g_str_equal(type, "file")) {
        disk->type = CAIRN_DOMAIN_DISK_TYPE_FILE;
    } else if (lenient && g_str_equal(type, "block")) {
        disk->type = CAIRN_DOMAIN_DISK_TYPE_BLOCK;
    } else {
        CAIRN_DOMAIN_ERROR(error, CAIRN_ERR_CONFIG_UNSUPPORTED,
                           "disk type '%s' is not supported by Cairn", type);
        return false;
    }

    if (!device || g_str_equal(device, "disk")) {
        disk->device = CAIRN_DOMAIN_DISK_DEVICE_DISK;
    } else if (g_str_equal(device, "cdrom")) {
        disk->device = CAIRN_DOMAIN_DISK_DEVICE_CDROM;
    } else if (lenient) {
        disk->device = CAIRN_DOMAIN_DISK_DEVICE_DISK;
    } else {
        CAIRN_DOMAIN_ERROR(error, CAIRN_ERR_CONFIG_UNSUPPORTED,
                           "disk device '%s' is not supported by Cairn", device);
        return false;
    }
    return true;
}


static cairnDomainDiskDef *
cairnDomainDiskParse(const xmlNode *node, unsigned int flags, GError **error)
{
    static const char *const attrs[] = { "type", "device", NULL };
    static const char *const names[] = { "driver",  "source",       "target", "readonly",
                                         "address", "backingStore", NULL };
    xmlNode *slots[G_N_ELEMENTS(names)] = { NULL };
    g_autoptr(cairnDomainDiskDef) disk = cairnDomainDiskDefNew();

    if (!cairnDomainCheckAttrs(node, attrs, flags, error) ||
        !cairnDomainCollectChildren(node, names, NULL, slots, flags, error) ||
        !cairnDomainDiskParseKind(disk, node, flags, error) ||
        !cairnDomainDiskParseDriver(disk, slots[0], flags, error) ||
        !cairnDomainDiskParseSource(disk, slots[1], flags, error) ||
        !cairnDomainDiskParseTarget(disk, slots[2], flags, error))
        return NULL;
    if (slots[3]) {
        if (!cairnDomainCheckLeaf(slots[3], NULL, flags, error))
            return NULL;
        disk->readonly = true;
    }
    /* slots[4], <address>, is accepted and dropped. */
    if (slots[5] && !cairnDomainDiskBackingParse(slots[5], flags & CAIRN_DOMAIN_DEF_PARSE_LENIENT,
                                                 &disk->backing, error))
        return NULL;
    if (disk->data_file && (disk->format != CAIRN_DOMAIN_DISK_FORMAT_QCOW2 || !disk->src) &&
        !(flags & CAIRN_DOMAIN_DEF_PARSE_LENIENT)) {
        CAIRN_DOMAIN_ERROR(error, CAIRN_ERR_CONFIG_UNSUPPORTED,
                           "disk '%s': a dataStore needs a qcow2 image as source", disk->dst);
        return NULL;
    }
    if (disk->device == CAIRN_DOMAIN_DISK_DEVICE_CDROM)
        disk->readonly = true;
    if (!disk->src && disk->device != CAIRN_DOMAIN_DISK_DEVICE_CDROM &&
        !(flags & CAIRN_DOMAIN_DEF_PARSE_LENIENT)) {
        CAIRN_DOMAIN_ERROR(error, CAIRN_ERR_CONFIG_UNSUPPORTED,
                           "disk '%s' without media is supported for cdroms only", disk->dst);
        return NULL;
    }
    return g_steal_pointer(&disk);
}


/* <source mode='bind' path=.../> of a unix channel: connect mode is not
 * supported (QEMU is the server of the guest agent's socket). */
static bool
cairnDomainChannelParseSource(cairnDomainChannelDef *chan,
                              const xmlNode *node,
                              unsigned int flags,
                              GError **error)
{
    static const char *const attrs[] = { "mode", "path", NULL };
    g_autofree char *mode = NULL;
    g_autofree char *path = NULL;

    if (!node)
        return true;
    if (!cairnDomainCheckLeaf(node, attrs, flags, error))
        return false;
    mode = cairnXMLPropString(node, "mode");
    if (mode && !g_str_equal(mode, "bind") && !(flags & CAIRN_DOMAIN_DEF_PARSE_LENIENT)) {
        CAIRN_DOMAIN_ERROR(error, CAIRN_ERR_CONFIG_UNSUPPORTED,
                           "channel source mode '%s' is not supported by Cairn", mode);
        return false;
    }
    path = cairnXMLPropString(node, "path");
    if (path && *path)
        chan->path = g_steal_pointer(&path);
    return true;
}


static bool
cairnDomainChannelParseTarget(cairnDomainChannelDef *chan,
                              const xmlNode *node,
                              unsigned int flags,
                              GError **error)
{
    static const char *const attrs[] = { "type", "name", "state", NULL };
    g_autofree char *type = NULL;

    if (!node) {
        CAIRN_DOMAIN_ERROR(error, CAIRN_ERR_XML_ERROR, "missing target for channel");
        return false;
    }
    if (!cairnDomainCheckLeaf(node, attrs, flags, error))
        return false;
    type = cairnXMLPropString(node, "type");
    if (g_strcmp0(type, "virtio") != 0) {
        CAIRN_DOMAIN_ERROR(error, CAIRN_ERR_CONFIG_UNSUPPORTED,
                           "channel target type '%s' is not supported by Cairn", type ? type : "");
        return false;
    }
    chan->target_name = cairnXMLPropString(node, "name");
    if (!chan->target_name || !*chan->target_name) {
        CAIRN_DOMAIN_ERROR(error, CAIRN_ERR_XML_ERROR, "missing name for virtio channel target");
        return false;
    }
    /* state='connected|disconnected' is live information: dropped. */
    return true;
}


static cairnDomainChannelDef *
cairnDomainChannelParse(const xmlNode *node, unsigned int flags, GError **error)
{
    static const char *const attrs[] = { "type", NULL };
    static const char *const names[] = { "source", "target", "address", NULL };
    xmlNode *slots[G_N_ELEMENTS(names)] = { NULL };
    g_autoptr(cairnDomainChannelDef) chan = g_new0(cairnDomainChannelDef, 1);
    g_autofree char *type = cairnXMLPropString(node, "type");

    if (g_strcmp0(type, "unix") != 0) {
        CAIRN_DOMAIN_ERROR(error, CAIRN_ERR_CONFIG_UNSUPPORTED,
                           "channel type '%s' is not supported by Cairn", type ? type : "");
        return NULL;
    }
    /* slots[2], <address>, is accepted and dropped. */
    if (!cairnDomainCheckAttrs(node, attrs, flags, error) ||
        !cairnDomainCollectChildren(node, names, NULL, slots, flags, error) ||
        !cairnDomainChannelParseSource(chan, slots[0], flags, error) ||
        !cairnDomainChannelParseTarget(chan, slots[1], flags, error))
        return NULL;
    return g_steal_pointer(&chan);
}


static bool
cairnDomainParseDevices(cairnDomainDef *def,
                        const xmlNode *node,
                        unsigned int flags,
                        GError **error)
{
    xmlNode *cur;
    xmlNode *emulator = NULL;

    if (!node)
        return true;
    if (!cairnDomainCheckContainer(node, flags, error))
        return false;
    for (cur = node->children; cur; cur = cur->next) {
        if (cairnXMLNodeNameEqual(cur, "disk")) {
            cairnDomainDiskDef *disk = cairnDomainDiskParse(cur, flags, error);

            if (!disk)
                return false;
            g_ptr_array_add(def->disks, disk);
        } else if (cairnXMLNodeNameEqual(cur, "channel")) {
            cairnDomainChannelDef *chan = cairnDomainChannelParse(cur, flags, error);

            if (!chan)
                return false;
            g_ptr_array_add(def->channels, chan);
        } else if (cairnXMLNodeNameEqual(cur, "emulator")) {
            if (emulator) {
                CAIRN_DOMAIN_ERROR(error, CAIRN_ERR_XML_ERROR,
                                   "element 'emulator' may appear only once in 'devices'");
                return false;
            }
            emulator = cur;
            if (!cairnDomainLeafText(cur, flags, &def->emulator, error))
                return false;
        } else if (cur->type == XML_ELEMENT_NODE) {
            if (!cairnDomainUnknownElement(cur, flags, error))
                return false;
        }
    }
    return true;
}


/* Checks libvirt makes after parsing (skipped for LENIENT definitions, as
 * libvirt skips them for the <domain> of checkpoints). */
static bool
cairnDomainDefValidate(const cairnDomainDef *def, GError **error)
{
    size_t i;
    size_t j;

    for (i = 0; i < def->disks->len; i++) {
        const cairnDomainDiskDef *a = g_ptr_array_index(def->disks, i);

        for (j = 0; j < i; j++) {
            const cairnDomainDiskDef *b = g_ptr_array_index(def->disks, j);

            if (g_str_equal(a->dst, b->dst)) {
                CAIRN_DOMAIN_ERROR(error, CAIRN_ERR_XML_ERROR,
                                   "target '%s' duplicated for disk sources '%s' and '%s'", a->dst,
                                   b->src ? b->src : "<null>", a->src ? a->src : "<null>");
                return false;
            }
        }
    }
    for (i = 0; i < def->channels->len; i++) {
        const cairnDomainChannelDef *a = g_ptr_array_index(def->channels, i);

        for (j = 0; j < i; j++) {
            const cairnDomainChannelDef *b = g_ptr_array_index(def->channels, j);

            if (g_str_equal(a->target_name, b->target_name)) {
                CAIRN_DOMAIN_ERROR(error, CAIRN_ERR_XML_ERROR,
                                   "channel target name '%s' is used twice", a->target_name);
                return false;
            }
        }
    }
    return true;
}


static bool
cairnDomainParseVirtType(cairnDomainDef *def, const xmlNode *root, GError **error)
{
    g_autofree char *type = cairnXMLPropString(root, "type");
    int val;

    if (!type) {
        CAIRN_DOMAIN_ERROR(error, CAIRN_ERR_XML_ERROR, "missing domain type attribute");
        return false;
    }
    if ((val = CAIRN_ENUM(cairnDomainVirtTypeNames, type)) <= 0) {
        CAIRN_DOMAIN_ERROR(error, CAIRN_ERR_CONFIG_UNSUPPORTED,
                           "domain type '%s' is not supported by Cairn", type);
        return false;
    }
    def->virt_type = (cairnDomainVirtType)val;
    return true;
}


cairnDomainDef *
cairnDomainDefParseNode(xmlNode *root, unsigned int flags, GError **error)
{
    static const char *const attrs[] = { "type", "id", NULL };
    xmlNode *slots[SLOT_LAST] = { NULL };
    g_autoptr(cairnDomainDef) def = NULL;

    if (!cairnXMLNodeNameEqual(root, "domain")) {
        CAIRN_DOMAIN_ERROR(error, CAIRN_ERR_XML_ERROR,
                           "expecting root element of 'domain', not '%s'",
                           root ? (const char *)root->name : "");
        return NULL;
    }
    def = cairnDomainDefNew();
    if (!cairnDomainCheckAttrs(root, attrs, flags, error) ||
        !cairnDomainParseVirtType(def, root, error) ||
        !cairnDomainCollectChildren(root, cairnDomainTopNames, NULL, slots, flags, error) ||
        !cairnDomainParseIdentity(def, slots, flags, error) ||
        !cairnDomainParseResources(def, slots, flags, error) ||
        !cairnDomainParseMisc(def, slots, flags, error) ||
        !cairnDomainParseDevices(def, slots[SLOT_DEVICES], flags, error))
        return NULL;
    if (!(flags & CAIRN_DOMAIN_DEF_PARSE_LENIENT) && !cairnDomainDefValidate(def, error))
        return NULL;
    return g_steal_pointer(&def);
}


cairnDomainDef *
cairnDomainDefParseString(const char *xml, unsigned int flags, GError **error)
{
    g_autoptr(xmlDoc) doc = NULL;

    if (!(doc = cairnXMLParseString(xml, "(domain_definition)", CAIRN_FROM_DOMAIN, error)))
        return NULL;
    return cairnDomainDefParseNode(xmlDocGetRootElement(doc), flags, error);
}


/* ---- formatting ---- */

static const char *
cairnDomainLifecycleToString(cairnDomainLifecycleAction action, cairnDomainLifecycleAction dflt)
{
    const char *name = cairnEnumToString(cairnDomainLifecycleNames,
                                         G_N_ELEMENTS(cairnDomainLifecycleNames), action);

    return name ? name : cairnDomainLifecycleNames[dflt];
}


static void
cairnDomainFormatOS(GString *buf, const cairnDomainDef *def, int ind)
{
    size_t i;

    g_string_append_printf(buf, "%*s<os>\n", ind, "");
    g_string_append_printf(buf, "%*s<type", ind + 2, "");
    if (def->os_arch) {
        g_string_append(buf, " arch='");
        cairnXMLEscape(buf, def->os_arch, true);
        g_string_append_c(buf, '\'');
    }
    if (def->os_machine) {
        g_string_append(buf, " machine='");
        cairnXMLEscape(buf, def->os_machine, true);
        g_string_append_c(buf, '\'');
    }
    g_string_append_c(buf, '>');
    cairnXMLEscape(buf, def->os_type ? def->os_type : "hvm", false);
    g_string_append(buf, "</type>\n");
    cairnXMLFormatTextElement(buf, ind + 2, "kernel", def->os_kernel);
    cairnXMLFormatTextElement(buf, ind + 2, "initrd", def->os_initrd);
    cairnXMLFormatTextElement(buf, ind + 2, "cmdline", def->os_cmdline);
    for (i = 0; i < def->nboot && i < CAIRN_DOMAIN_BOOT_LAST; i++) {
        const char *dev = cairnEnumToString(cairnDomainBootNames,
                                            G_N_ELEMENTS(cairnDomainBootNames), def->boot[i]);

        if (dev)
            g_string_append_printf(buf, "%*s<boot dev='%s'/>\n", ind + 2, "", dev);
    }
    g_string_append_printf(buf, "%*s</os>\n", ind, "");
}


static void
cairnDomainFormatMisc(GString *buf, const cairnDomainDef *def, int ind)
{
    static const char *const features[] = { "acpi", "apic", "pae" };
    const char *offset = cairnEnumToString(
        cairnDomainClockOffsetNames, G_N_ELEMENTS(cairnDomainClockOffsetNames), def->clock_offset);
    size_t i;

    if (def->features) {
        g_string_append_printf(buf, "%*s<features>\n", ind, "");
        for (i = 0; i < G_N_ELEMENTS(features); i++) {
            if (def->features & (1u << i))
                g_string_append_printf(buf, "%*s<%s/>\n", ind + 2, "", features[i]);
        }
        g_string_append_printf(buf, "%*s</features>\n", ind, "");
    }
    g_string_append_printf(buf, "%*s<clock offset='%s'/>\n", ind, "", offset ? offset : "utc");
    cairnXMLFormatTextElement(
        buf, ind, "on_poweroff",
        cairnDomainLifecycleToString(def->on_poweroff, CAIRN_DOMAIN_LIFECYCLE_DESTROY));
    cairnXMLFormatTextElement(
        buf, ind, "on_reboot",
        cairnDomainLifecycleToString(def->on_reboot, CAIRN_DOMAIN_LIFECYCLE_RESTART));
    cairnXMLFormatTextElement(
        buf, ind, "on_crash",
        cairnDomainLifecycleToString(def->on_crash, CAIRN_DOMAIN_LIFECYCLE_DESTROY));
}


static void
cairnDomainFormatDisk(GString *buf, const cairnDomainDiskDef *disk, int ind)
{
    const char *type = cairnDomainDiskTypeToString(disk->type);
    const char *device = cairnDomainDiskDeviceToString(disk->device);
    bool block = disk->type == CAIRN_DOMAIN_DISK_TYPE_BLOCK;

    g_string_append_printf(buf, "%*s<disk type='%s' device='%s'>\n", ind, "", type ? type : "file",
                           device ? device : "disk");
    if (disk->driver_name || disk->format != CAIRN_DOMAIN_DISK_FORMAT_NONE) {
        g_string_append_printf(buf, "%*s<driver", ind + 2, "");
        if (disk->driver_name) {
            g_string_append(buf, " name='");
            cairnXMLEscape(buf, disk->driver_name, true);
            g_string_append_c(buf, '\'');
        }
        if (disk->format != CAIRN_DOMAIN_DISK_FORMAT_NONE &&
            cairnDomainDiskFormatToString(disk->format))
            g_string_append_printf(buf, " type='%s'", cairnDomainDiskFormatToString(disk->format));
        g_string_append(buf, "/>\n");
    }
    if (disk->src) {
        g_string_append_printf(buf, "%*s<source %s='", ind + 2, "", block ? "dev" : "file");
        cairnXMLEscape(buf, disk->src, true);
        if (!disk->data_file) {
            g_string_append(buf, "'/>\n");
        } else {
            g_string_append(buf, "'>\n");
            g_string_append_printf(buf, "%*s<dataStore type='file'>\n", ind + 4, "");
            g_string_append_printf(buf, "%*s<format type='raw'/>\n", ind + 6, "");
            g_string_append_printf(buf, "%*s<source file='", ind + 6, "");
            cairnXMLEscape(buf, disk->data_file, true);
            g_string_append(buf, "'/>\n");
            g_string_append_printf(buf, "%*s</dataStore>\n", ind + 4, "");
            g_string_append_printf(buf, "%*s</source>\n", ind + 2, "");
        }
    }
    if (disk->backing)
        cairnDomainDiskBackingFormat(buf, disk->backing, ind + 2);
    g_string_append_printf(buf, "%*s<target dev='", ind + 2, "");
    cairnXMLEscape(buf, disk->dst ? disk->dst : "", true);
    g_string_append_c(buf, '\'');
    if (disk->bus != CAIRN_DOMAIN_DISK_BUS_NONE && cairnDomainDiskBusToString(disk->bus))
        g_string_append_printf(buf, " bus='%s'", cairnDomainDiskBusToString(disk->bus));
    g_string_append(buf, "/>\n");
    if (disk->readonly)
        g_string_append_printf(buf, "%*s<readonly/>\n", ind + 2, "");
    g_string_append_printf(buf, "%*s</disk>\n", ind, "");
}


static void
cairnDomainFormatChannel(GString *buf, const cairnDomainChannelDef *chan, int ind)
{
    g_string_append_printf(buf, "%*s<channel type='unix'>\n", ind, "");
    if (chan->path) {
        g_string_append_printf(buf, "%*s<source mode='bind' path='", ind + 2, "");
        cairnXMLEscape(buf, chan->path, true);
        g_string_append(buf, "'/>\n");
    }
    g_string_append_printf(buf, "%*s<target type='virtio' name='", ind + 2, "");
    cairnXMLEscape(buf, chan->target_name ? chan->target_name : "", true);
    g_string_append(buf, "'/>\n");
    g_string_append_printf(buf, "%*s</channel>\n", ind, "");
}


static void
cairnDomainFormatDevices(GString *buf, const cairnDomainDef *def, int ind)
{
    size_t i;

    if (!def->emulator && (!def->disks || def->disks->len == 0) &&
        (!def->channels || def->channels->len == 0))
        return;
    g_string_append_printf(buf, "%*s<devices>\n", ind, "");
    cairnXMLFormatTextElement(buf, ind + 2, "emulator", def->emulator);
    for (i = 0; def->disks && i < def->disks->len; i++)
        cairnDomainFormatDisk(buf, g_ptr_array_index(def->disks, i), ind + 2);
    for (i = 0; def->channels && i < def->channels->len; i++)
        cairnDomainFormatChannel(buf, g_ptr_array_index(def->channels, i), ind + 2);
    g_string_append_printf(buf, "%*s</devices>\n", ind, "");
}


void
cairnDomainDefFormatBuf(GString *buf,
                        const cairnDomainDef *def,
                        unsigned int flags G_GNUC_UNUSED,
                        int indent)
{
    const char *type = cairnDomainVirtTypeToString(def->virt_type);
    char uuid[37];
    int ind = indent + 2;

    cairnUUIDFormat(def->uuid, uuid);
    g_string_append_printf(buf, "%*s<domain type='%s'>\n", indent, "", type ? type : "none");
    cairnXMLFormatTextElement(buf, ind, "name", def->name);
    g_string_append_printf(buf, "%*s<uuid>%s</uuid>\n", ind, "", uuid);
    cairnXMLFormatTextElement(buf, ind, "title", def->title);
    cairnXMLFormatTextElement(buf, ind, "description", def->description);
    g_string_append_printf(buf, "%*s<memory unit='KiB'>%llu</memory>\n", ind, "", def->memory_kib);
    g_string_append_printf(buf, "%*s<currentMemory unit='KiB'>%llu</currentMemory>\n", ind, "",
                           def->current_memory_kib ? def->current_memory_kib : def->memory_kib);
    g_string_append_printf(buf, "%*s<vcpu placement='static'>%u</vcpu>\n", ind, "",
                           def->vcpus ? def->vcpus : 1);
    cairnDomainFormatOS(buf, def, ind);
    cairnDomainFormatMisc(buf, def, ind);
    cairnDomainFormatDevices(buf, def, ind);
    g_string_append_printf(buf, "%*s</domain>\n", indent, "");
}


char *
cairnDomainDefFormat(const cairnDomainDef *def, unsigned int flags)
{
    GString *buf = g_string_new(NULL);

    cairnDomainDefFormatBuf(buf, def, flags, 0);
    return g_string_free(buf, FALSE);
}
