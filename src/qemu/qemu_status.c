/*
 * qemu_status.c: the live state file ROOT/run/NAME.xml.
 */
#include <stdlib.h>
#include <string.h>

#include "cairn/cairn-domain.h"
#include "cairn/cairn-error.h"
#include "qemu_status.h"
#include "util/cairnerror.h"
#include "util/cairnfile.h"
#include "util/cairnxml.h"
#include "util/cairnenum.h"

#define FROM CAIRN_FROM_QEMU

/* A live state file is small; anything bigger is not ours. */
#define QEMU_STATUS_MAX_SIZE (4 * 1024 * 1024)

/* Indexed by cairnDomainState. */
static const char *const qemuStateNames[] = {
    "no state", "running", "blocked", "paused", "shutdown", "shut off", "crashed", "pmsuspended",
};

/* Reasons by state, indexed by the reason number (libvirt's names). */
static const char *const qemuRunningReasons[] = {
    "unknown",       "booted",   "migrated",           "restored",
    "from snapshot", "unpaused", "migration canceled", "save canceled",
    "wakeup",        "crashed",  "post-copy",          "post-copy failed",
};
static const char *const qemuPausedReasons[] = {
    "unknown",   "user",        "migrating",     "saving",           "dumping",
    "I/O error", "watchdog",    "from snapshot", "shutting down",    "creating snapshot",
    "crashed",   "starting up", "post-copy",     "post-copy failed", "api error",
};
static const char *const qemuShutoffReasons[] = {
    "unknown", "shutdown", "destroyed",     "crashed", "migrated",
    "saved",   "failed",   "from snapshot", "daemon",
};


qemuStatusDisk *
qemuStatusDiskNew(const char *dst, const char *alias, const char *storage, const char *format)
{
    qemuStatusDisk *disk = g_new0(qemuStatusDisk, 1);

    disk->dst = g_strdup(dst);
    disk->alias = g_strdup(alias);
    disk->storage_node = g_strdup(storage);
    disk->format_node = g_strdup(format);
    return disk;
}


void
qemuStatusDiskFree(qemuStatusDisk *disk)
{
    if (!disk)
        return;
    g_free(disk->dst);
    g_free(disk->alias);
    g_free(disk->storage_node);
    g_free(disk->format_node);
    if (disk->layers)
        g_ptr_array_unref(disk->layers);
    g_free(disk);
}


qemuDomainStatus *
qemuDomainStatusNew(void)
{
    qemuDomainStatus *st = g_new0(qemuDomainStatus, 1);

    st->state = CAIRN_DOMAIN_RUNNING;
    st->reason = CAIRN_DOMAIN_RUNNING_BOOTED;
    st->id = -1;
    st->disks = g_ptr_array_new_with_free_func((GDestroyNotify)qemuStatusDiskFree);
    return st;
}


void
qemuDomainStatusFree(qemuDomainStatus *st)
{
    if (!st)
        return;
    g_free(st->monitor_path);
    g_ptr_array_unref(st->disks);
    cairnDomainDefFree(st->def);
    g_free(st);
}


qemuStatusDisk *
qemuDomainStatusFindDisk(const qemuDomainStatus *st, const char *dst)
{
    for (guint i = 0; i < st->disks->len; i++) {
        qemuStatusDisk *disk = g_ptr_array_index(st->disks, i);

        if (g_str_equal(disk->dst, dst))
            return disk;
    }
    return NULL;
}


static void
qemuReasonTable(int state, const char *const **ret_table, size_t *ret_n)
{
    *ret_table = NULL;
    *ret_n = 0;
    if (state == CAIRN_DOMAIN_RUNNING) {
        *ret_table = qemuRunningReasons;
        *ret_n = G_N_ELEMENTS(qemuRunningReasons);
    } else if (state == CAIRN_DOMAIN_PAUSED) {
        *ret_table = qemuPausedReasons;
        *ret_n = G_N_ELEMENTS(qemuPausedReasons);
    } else if (state == CAIRN_DOMAIN_SHUTOFF) {
        *ret_table = qemuShutoffReasons;
        *ret_n = G_N_ELEMENTS(qemuShutoffReasons);
    }
}


const char *
qemuDomainStateToString(int state)
{
    return cairnEnumToString(qemuStateNames, G_N_ELEMENTS(qemuStateNames), state);
}


int
qemuDomainStateFromString(const char *str)
{
    return cairnEnumFromString(qemuStateNames, G_N_ELEMENTS(qemuStateNames), str);
}


const char *
qemuDomainStateReasonToString(int state, int reason)
{
    const char *const *table;
    const char *name;
    size_t n;

    qemuReasonTable(state, &table, &n);
    if (!table || !(name = cairnEnumToString(table, n, reason)))
        return "unknown";
    return name;
}


int
qemuDomainStateReasonFromString(int state, const char *str)
{
    const char *const *table;
    size_t n;

    qemuReasonTable(state, &table, &n);
    if (!table)
        return -1;
    return cairnEnumFromString(table, n, str);
}


unsigned int
qemuDomainStatusNodeIndexes(const qemuDomainStatus *st)
{
    unsigned int n = st->disks->len;

    for (guint i = 0; i < st->disks->len; i++) {
        qemuStatusDisk *disk = g_ptr_array_index(st->disks, i);

        n += disk->layers ? disk->layers->len : 0;
    }
    return n;
}


static void
qemuStatusFormatLayers(GString *buf, GPtrArray *layers)
{
    for (guint i = 0; i < layers->len; i++) {
        qemuBlockLayer *layer = g_ptr_array_index(layers, i);

        g_string_append(buf, "      <layer file='");
        cairnXMLEscape(buf, layer->file, true);
        g_string_append(buf, "' driver='");
        cairnXMLEscape(buf, layer->driver, true);
        g_string_append_printf(buf, "' storage='%s' format='%s'/>\n", layer->storage_node,
                               layer->format_node);
    }
}


static void
qemuStatusFormatDisks(GString *buf, const qemuDomainStatus *st)
{
    g_string_append(buf, "  <disks>\n");
    for (guint i = 0; i < st->disks->len; i++) {
        qemuStatusDisk *disk = g_ptr_array_index(st->disks, i);

        g_string_append(buf, "    <disk dst='");
        cairnXMLEscape(buf, disk->dst, true);
        g_string_append(buf, "' alias='");
        cairnXMLEscape(buf, disk->alias, true);
        g_string_append(buf, "'");
        if (disk->storage_node) {
            g_string_append_printf(buf, " storage='%s'", disk->storage_node);
            g_string_append_printf(buf, " format='%s'", disk->format_node);
        }
        if (!disk->layers || disk->layers->len == 0) {
            g_string_append(buf, "/>\n");
            continue;
        }
        g_string_append(buf, ">\n");
        qemuStatusFormatLayers(buf, disk->layers);
        g_string_append(buf, "    </disk>\n");
    }
    g_string_append(buf, "  </disks>\n");
}


char *
qemuDomainStatusFormat(const qemuDomainStatus *st)
{
    GString *buf = g_string_new(NULL);

    g_string_append_printf(buf, "<domstatus state='%s' reason='%s' pid='%lld' id='%d'>\n",
                           qemuDomainStateToString(st->state),
                           qemuDomainStateReasonToString(st->state, st->reason), (long long)st->pid,
                           st->id);
    g_string_append(buf, "  <monitor path='");
    cairnXMLEscape(buf, st->monitor_path, true);
    g_string_append(buf, "' type='unix'/>\n");
    g_string_append_printf(buf, "  <starttime>%lld</starttime>\n", st->start_time);
    qemuStatusFormatDisks(buf, st);
    cairnDomainDefFormatBuf(buf, st->def, 0, 2);
    g_string_append(buf, "</domstatus>\n");
    return g_string_free(buf, FALSE);
}


static bool
qemuStatusBad(const char *what, const char *detail, GError **error)
{
    cairnErrorSet(error, FROM, CAIRN_ERR_INTERNAL_ERROR, "malformed live state %s: %s", what,
                  detail);
    return false;
}


static bool
qemuStatusParseNumber(const xmlNode *node,
                      const char *attr,
                      long long min,
                      long long *ret,
                      const char *what,
                      GError **error)
{
    g_autofree char *str = cairnXMLPropString(node, attr);
    unsigned long long val;

    if (str && str[0] == '-' && min < 0 && g_str_equal(str, "-1")) {
        *ret = -1;
        return true;
    }
    if (!str || !cairnXMLParseULongLong(str, &val) || val > G_MAXINT64 || (long long)val < min)
        return qemuStatusBad(what, attr, error);
    *ret = (long long)val;
    return true;
}


static bool
qemuStatusParseTop(qemuDomainStatus *st, const xmlNode *root, const char *what, GError **error)
{
    g_autofree char *state = cairnXMLPropString(root, "state");
    g_autofree char *reason = cairnXMLPropString(root, "reason");
    long long pid;
    long long id;

    if (!cairnXMLNodeNameEqual(root, "domstatus"))
        return qemuStatusBad(what, "root element is not <domstatus>", error);
    if ((st->state = qemuDomainStateFromString(state)) < 0)
        return qemuStatusBad(what, "state", error);
    if ((st->reason = qemuDomainStateReasonFromString(st->state, reason)) < 0)
        st->reason = 0;
    if (!qemuStatusParseNumber(root, "pid", 0, &pid, what, error) ||
        !qemuStatusParseNumber(root, "id", -1, &id, what, error))
        return false;
    if (pid > G_MAXINT32 || id > G_MAXINT32)
        return qemuStatusBad(what, "pid or id out of range", error);
    st->pid = (pid_t)pid;
    st->id = (int)id;
    return true;
}


static bool
qemuStatusParseLayers(qemuStatusDisk *disk, const xmlNode *node, const char *what, GError **error)
{
    for (xmlNode *n = node->children; n; n = n->next) {
        g_autofree char *file = NULL;
        g_autofree char *driver = NULL;
        g_autofree char *storage = NULL;
        g_autofree char *format = NULL;

        if (!cairnXMLNodeNameEqual(n, "layer"))
            continue;
        file = cairnXMLPropString(n, "file");
        driver = cairnXMLPropString(n, "driver");
        storage = cairnXMLPropString(n, "storage");
        format = cairnXMLPropString(n, "format");
        if (!file || !driver || !storage || !format || !disk->format_node)
            return qemuStatusBad(what, "<layer>", error);
        if (!disk->layers)
            disk->layers = g_ptr_array_new_with_free_func((GDestroyNotify)qemuBlockLayerFree);
        g_ptr_array_add(disk->layers, qemuBlockLayerNew(file, driver, storage, format));
    }
    return true;
}


static bool
qemuStatusParseDisks(qemuDomainStatus *st, const xmlNode *disks, const char *what, GError **error)
{
    for (xmlNode *n = disks ? disks->children : NULL; n; n = n->next) {
        g_autofree char *dst = NULL;
        g_autofree char *alias = NULL;
        g_autofree char *storage = NULL;
        g_autofree char *format = NULL;

        if (!cairnXMLNodeNameEqual(n, "disk"))
            continue;
        dst = cairnXMLPropString(n, "dst");
        alias = cairnXMLPropString(n, "alias");
        storage = cairnXMLPropString(n, "storage");
        format = cairnXMLPropString(n, "format");
        if (!dst || !alias || !storage != !format)
            return qemuStatusBad(what, "<disk>", error);
        g_ptr_array_add(st->disks, qemuStatusDiskNew(dst, alias, storage, format));
        if (!qemuStatusParseLayers(g_ptr_array_index(st->disks, st->disks->len - 1), n, what,
                                   error))
            return false;
    }
    return true;
}


qemuDomainStatus *
qemuDomainStatusParse(const char *xml, const char *what, GError **error)
{
    g_autoptr(qemuDomainStatus) st = qemuDomainStatusNew();
    g_autoptr(xmlDoc) doc = NULL;
    g_autofree char *start = NULL;
    xmlNode *root;
    xmlNode *node;
    unsigned long long val;

    if (!(doc = cairnXMLParseString(xml, what, FROM, error)))
        return NULL;
    root = xmlDocGetRootElement(doc);
    if (!qemuStatusParseTop(st, root, what, error))
        return NULL;
    if (!(node = cairnXMLChild(root, "monitor")) ||
        !(st->monitor_path = cairnXMLPropString(node, "path"))) {
        qemuStatusBad(what, "<monitor path=...>", error);
        return NULL;
    }
    if ((node = cairnXMLChild(root, "starttime"))) {
        start = cairnXMLNodeText(node);
        if (cairnXMLParseULongLong(start, &val) && val <= G_MAXINT64)
            st->start_time = (long long)val;
    }
    if (!qemuStatusParseDisks(st, cairnXMLChild(root, "disks"), what, error))
        return NULL;
    if (!(node = cairnXMLChild(root, "domain"))) {
        qemuStatusBad(what, "no <domain>", error);
        return NULL;
    }
    if (!(st->def = cairnDomainDefParseNode(node, 0, error)))
        return NULL;
    return g_steal_pointer(&st);
}


bool
qemuDomainStatusSave(const qemuDomainStatus *st, const char *path, GError **error)
{
    g_autofree char *xml = qemuDomainStatusFormat(st);

    return cairnFileWriteAtomic(path, xml, -1, 0600, error);
}


bool
qemuDomainStatusLoad(const char *path, qemuDomainStatus **ret_st, GError **error)
{
    g_autofree char *xml = NULL;
    qemuDomainStatus *st;

    if (!cairnFileReadOptional(path, QEMU_STATUS_MAX_SIZE, &xml, error))
        return false;
    if (!xml) {
        *ret_st = NULL;
        return true;
    }
    if (!(st = qemuDomainStatusParse(xml, path, error)))
        return false;
    *ret_st = st;
    return true;
}
