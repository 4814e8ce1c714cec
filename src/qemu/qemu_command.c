/*
 * qemu_command.c: building the QEMU command line and its -blockdev and
 * -device JSON from a domain definition.
 */
#include <string.h>

#include <json-glib/json-glib.h>

#include "cairn/cairn-domain.h"
#include "cairn/cairn-error.h"
#include "qemu_block.h"
#include "qemu_command.h"
#include "util/cairnerror.h"

#define FROM CAIRN_FROM_QEMU

/* libvirt's default machine type for x86_64 guests. */
#define QEMU_DEFAULT_MACHINE "pc"


static const char *const qemuDiskPrefixes[] = { "fd", "hd", "vd", "sd", "xvd", "ubd" };


int
qemuCommandDiskIndex(const char *dst)
{
    const char *p = NULL;
    int idx = 0;

    if (!dst)
        return -1;
    for (size_t i = 0; i < G_N_ELEMENTS(qemuDiskPrefixes); i++) {
        if (g_str_has_prefix(dst, qemuDiskPrefixes[i])) {
            p = dst + strlen(qemuDiskPrefixes[i]);
            break;
        }
    }
    if (!p || !*p)
        return -1;
    /* "a".."z" are 0..25, "aa" is 26: bijective base 26, as libvirt's
     * virDiskNameToIndex. */
    for (int n = 0; *p; p++, n++) {
        if (*p < 'a' || *p > 'z' || idx > G_MAXINT / 32)
            return -1;
        idx = (idx + (n > 0 ? 1 : 0)) * 26 + (*p - 'a');
    }
    return idx;
}


char *
qemuCommandDiskAlias(const cairnDomainDiskDef *disk)
{
    int idx = qemuCommandDiskIndex(disk->dst);

    if (idx < 0)
        return NULL;
    if (disk->bus == CAIRN_DOMAIN_DISK_BUS_IDE)
        return g_strdup_printf("ide0-%d-%d", idx / 2, idx % 2);
    return g_strdup_printf("virtio-disk%d", idx);
}


static bool
qemuCommandValidateDisk(const cairnDomainDiskDef *disk, GError **error)
{
    if (disk->type != CAIRN_DOMAIN_DISK_TYPE_FILE) {
        cairnErrorSet(error, FROM, CAIRN_ERR_CONFIG_UNSUPPORTED,
                      "disk '%s': only disks of type 'file' are supported", disk->dst);
        return false;
    }
    if (disk->bus != CAIRN_DOMAIN_DISK_BUS_VIRTIO && disk->bus != CAIRN_DOMAIN_DISK_BUS_IDE) {
        cairnErrorSet(error, FROM, CAIRN_ERR_CONFIG_UNSUPPORTED,
                      "disk '%s': bus '%s' is not supported (use virtio or ide)", disk->dst,
                      cairnDomainDiskBusToString(disk->bus));
        return false;
    }
    if (disk->device == CAIRN_DOMAIN_DISK_DEVICE_CDROM &&
        disk->bus == CAIRN_DOMAIN_DISK_BUS_VIRTIO) {
        cairnErrorSet(error, FROM, CAIRN_ERR_CONFIG_UNSUPPORTED,
                      "disk type of '%s' does not support ejectable media", disk->dst);
        return false;
    }
    if (!disk->src && disk->device != CAIRN_DOMAIN_DISK_DEVICE_CDROM) {
        cairnErrorSet(error, FROM, CAIRN_ERR_CONFIG_UNSUPPORTED, "disk '%s' has no source",
                      disk->dst);
        return false;
    }
    if (qemuCommandDiskIndex(disk->dst) < 0) {
        cairnErrorSet(error, FROM, CAIRN_ERR_CONFIG_UNSUPPORTED,
                      "cannot derive an index from disk target '%s'", disk->dst);
        return false;
    }
    return true;
}


bool
qemuCommandValidate(const cairnDomainDef *def, GError **error)
{
    g_autoptr(GHashTable) aliases = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

    if (def->os_type && !g_str_equal(def->os_type, "hvm")) {
        cairnErrorSet(error, FROM, CAIRN_ERR_CONFIG_UNSUPPORTED,
                      "OS type '%s' is not supported by the QEMU driver", def->os_type);
        return false;
    }
    if (def->os_arch && !g_str_equal(def->os_arch, "x86_64")) {
        cairnErrorSet(error, FROM, CAIRN_ERR_CONFIG_UNSUPPORTED,
                      "architecture '%s' is not supported (only x86_64)", def->os_arch);
        return false;
    }
    for (guint i = 0; i < def->channels->len; i++) {
        const cairnDomainChannelDef *chan = g_ptr_array_index(def->channels, i);

        if (!chan->path && !g_str_equal(chan->target_name, CAIRN_DOMAIN_AGENT_CHANNEL)) {
            cairnErrorSet(error, FROM, CAIRN_ERR_CONFIG_UNSUPPORTED,
                          "channel '%s' needs a source path", chan->target_name);
            return false;
        }
    }
    for (guint i = 0; i < def->disks->len; i++) {
        const cairnDomainDiskDef *disk = g_ptr_array_index(def->disks, i);
        char *alias;

        if (!qemuCommandValidateDisk(disk, error))
            return false;
        alias = qemuCommandDiskAlias(disk);
        if (!g_hash_table_add(aliases, alias)) {
            cairnErrorSet(error, FROM, CAIRN_ERR_CONFIG_UNSUPPORTED,
                          "disk target '%s' is used twice", disk->dst);
            return false;
        }
    }
    return true;
}


char *
qemuCommandEscapeComma(const char *str)
{
    GString *buf = g_string_new(NULL);

    for (const char *p = str; *p; p++) {
        if (*p == ',')
            g_string_append_c(buf, ',');
        g_string_append_c(buf, *p);
    }
    return g_string_free(buf, FALSE);
}


static char *
qemuCommandBuilderToString(JsonBuilder *builder)
{
    g_autoptr(JsonNode) root = json_builder_get_root(builder);

    return json_to_string(root, FALSE);
}


static char *
qemuCommandStorageJSON(const cairnDomainDiskDef *disk, const char *node)
{
    g_autoptr(JsonObject) props = qemuBlockStorageProps(disk->src, node);

    return qemuBlockPropsToString(props);
}


/* @layers: the named chain below the disk's image, or NULL to let QEMU
 * open its backing itself. */
static char *
qemuCommandFormatJSON(const cairnDomainDiskDef *disk,
                      const char *node,
                      const char *file,
                      const char *data_node,
                      GPtrArray *layers)
{
    const char *fmt = disk->format == CAIRN_DOMAIN_DISK_FORMAT_QCOW2 ? "qcow2" : "raw";
    g_autoptr(JsonObject) props = qemuBlockFormatProps(fmt, node, file, disk->readonly, layers);

    if (data_node)
        qemuBlockSetDataFile(props, data_node);

    return qemuBlockPropsToString(props);
}


static char *
qemuCommandDeviceJSON(const cairnDomainDiskDef *disk, const qemuStatusDisk *sdisk, int bootindex)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    const char *driver = "virtio-blk-pci";

    if (disk->bus == CAIRN_DOMAIN_DISK_BUS_IDE)
        driver = disk->device == CAIRN_DOMAIN_DISK_DEVICE_CDROM ? "ide-cd" : "ide-hd";
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "driver");
    json_builder_add_string_value(b, driver);
    if (sdisk->format_node) {
        json_builder_set_member_name(b, "drive");
        json_builder_add_string_value(b, sdisk->format_node);
    }
    json_builder_set_member_name(b, "id");
    json_builder_add_string_value(b, sdisk->alias);
    if (bootindex > 0) {
        json_builder_set_member_name(b, "bootindex");
        json_builder_add_int_value(b, bootindex);
    }
    json_builder_end_object(b);
    return qemuCommandBuilderToString(b);
}


/* Boot order: the first disk of each <boot dev> kind, in the order of the
 * <boot> elements, gets the next bootindex. Fills @bootindex (per disk, 0
 * for none). */
static void
qemuCommandBootIndexes(const cairnDomainDef *def, int *bootindex)
{
    int next = 1;

    for (size_t b = 0; b < def->nboot; b++) {
        cairnDomainDiskDevice want;

        if (def->boot[b] == CAIRN_DOMAIN_BOOT_DISK)
            want = CAIRN_DOMAIN_DISK_DEVICE_DISK;
        else if (def->boot[b] == CAIRN_DOMAIN_BOOT_CDROM)
            want = CAIRN_DOMAIN_DISK_DEVICE_CDROM;
        else
            continue;
        for (guint i = 0; i < def->disks->len; i++) {
            const cairnDomainDiskDef *disk = g_ptr_array_index(def->disks, i);

            if (disk->device == want && bootindex[i] == 0) {
                bootindex[i] = next++;
                break;
            }
        }
    }
}


/* The -blockdev nodes of @disk's image, of its data file (<dataStore>),
 * and of its backing layers when @params knows them; fills @sdisk's node
 * names. */
static void
qemuCommandAddDiskNodes(GPtrArray *argv,
                        const cairnDomainDiskDef *disk,
                        const qemuCommandParams *params,
                        qemuStatusDisk *sdisk,
                        int *nodeidx)
{
    GPtrArray *probed = params->backing ? g_hash_table_lookup(params->backing, disk->dst) : NULL;
    g_autofree char *data_node = NULL;

    *nodeidx += 1;
    sdisk->storage_node = g_strdup_printf("cairn-%d-storage", *nodeidx);
    sdisk->format_node = g_strdup_printf("cairn-%d-format", *nodeidx);
    if (probed) {
        sdisk->layers = qemuBlockNameLayers(probed, nodeidx);
        qemuBlockLayersArgs(argv, "-blockdev", sdisk->layers);
    }
    if (disk->data_file) {
        g_autoptr(JsonObject) data = NULL;

        data_node = qemuBlockDataNodeName(*nodeidx);
        data = qemuBlockStorageProps(disk->data_file, data_node);
        g_ptr_array_add(argv, g_strdup("-blockdev"));
        g_ptr_array_add(argv, qemuBlockPropsToString(data));
    }
    g_ptr_array_add(argv, g_strdup("-blockdev"));
    g_ptr_array_add(argv, qemuCommandStorageJSON(disk, sdisk->storage_node));
    g_ptr_array_add(argv, g_strdup("-blockdev"));
    g_ptr_array_add(argv, qemuCommandFormatJSON(disk, sdisk->format_node, sdisk->storage_node,
                                                data_node, sdisk->layers));
}


static void
qemuCommandAddDisks(GPtrArray *argv,
                    const cairnDomainDef *def,
                    const qemuCommandParams *params,
                    qemuDomainStatus *st)
{
    g_autofree int *bootindex = g_new0(int, def->disks->len + 1);
    int nodeidx = 0;

    if (!def->os_kernel)
        qemuCommandBootIndexes(def, bootindex);
    for (guint i = 0; i < def->disks->len; i++) {
        const cairnDomainDiskDef *disk = g_ptr_array_index(def->disks, i);
        g_autofree char *alias = qemuCommandDiskAlias(disk);
        qemuStatusDisk *sdisk = qemuStatusDiskNew(disk->dst, alias, NULL, NULL);

        if (disk->src)
            qemuCommandAddDiskNodes(argv, disk, params, sdisk, &nodeidx);
        g_ptr_array_add(st->disks, sdisk);
        g_ptr_array_add(argv, g_strdup("-device"));
        g_ptr_array_add(argv, qemuCommandDeviceJSON(disk, sdisk, bootindex[i]));
    }
}


static void
qemuCommandAdd(GPtrArray *argv, const char *opt, char *value /* stolen */)
{
    g_ptr_array_add(argv, g_strdup(opt));
    g_ptr_array_add(argv, value);
}


static char *
qemuCommandChannelPortJSON(const cairnDomainChannelDef *chan, guint idx)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    g_autofree char *chardev = g_strdup_printf("charchannel%u", idx);
    g_autofree char *id = g_strdup_printf("channel%u", idx);

    json_builder_begin_object(b);
    json_builder_set_member_name(b, "driver");
    json_builder_add_string_value(b, "virtserialport");
    json_builder_set_member_name(b, "bus");
    json_builder_add_string_value(b, "virtio-serial0.0");
    json_builder_set_member_name(b, "nr");
    json_builder_add_int_value(b, idx + 1);
    json_builder_set_member_name(b, "chardev");
    json_builder_add_string_value(b, chardev);
    json_builder_set_member_name(b, "id");
    json_builder_add_string_value(b, id);
    json_builder_set_member_name(b, "name");
    json_builder_add_string_value(b, chan->target_name);
    json_builder_end_object(b);
    return qemuCommandBuilderToString(b);
}


static void
qemuCommandAddChannels(GPtrArray *argv, const cairnDomainDef *def, const qemuCommandParams *params)
{
    if (def->channels->len == 0)
        return;
    qemuCommandAdd(argv, "-device",
                   g_strdup("{\"driver\":\"virtio-serial-pci\",\"id\":\"virtio-serial0\"}"));
    for (guint i = 0; i < def->channels->len; i++) {
        const cairnDomainChannelDef *chan = g_ptr_array_index(def->channels, i);
        g_autofree char *path =
            qemuCommandEscapeComma(chan->path ? chan->path : params->agent_path);

        qemuCommandAdd(
            argv, "-chardev",
            g_strdup_printf("socket,id=charchannel%u,path=%s,server=on,wait=off", i, path));
        qemuCommandAdd(argv, "-device", qemuCommandChannelPortJSON(chan, i));
    }
}


static void
qemuCommandAddMachine(GPtrArray *argv, const cairnDomainDef *def, const qemuCommandParams *params)
{
    g_autofree char *name = qemuCommandEscapeComma(def->name);
    g_autofree char *machine = NULL;
    char uuid[CAIRN_UUID_STRING_BUFLEN];

    machine = qemuCommandEscapeComma(def->os_machine ? def->os_machine : QEMU_DEFAULT_MACHINE);
    cairnUUIDFormat(def->uuid, uuid);
    qemuCommandAdd(argv, "-name", g_strdup_printf("guest=%s,debug-threads=on", name));
    qemuCommandAdd(argv, "-uuid", g_strdup(uuid));
    qemuCommandAdd(argv, "-machine",
                   g_strdup_printf("%s,accel=%s", machine, params->kvm ? "kvm" : "tcg"));
    qemuCommandAdd(argv, "-m", g_strdup_printf("size=%lluk", def->memory_kib));
    qemuCommandAdd(argv, "-smp", g_strdup_printf("%u", def->vcpus ? def->vcpus : 1));
    if (def->clock_offset == CAIRN_DOMAIN_CLOCK_OFFSET_LOCALTIME)
        qemuCommandAdd(argv, "-rtc", g_strdup("base=localtime"));
}


static void
qemuCommandAddProcess(GPtrArray *argv, const qemuCommandParams *params)
{
    g_autofree char *qmp = qemuCommandEscapeComma(params->qmp_path);

    g_ptr_array_add(argv, g_strdup("-no-user-config"));
    g_ptr_array_add(argv, g_strdup("-nodefaults"));
    qemuCommandAdd(argv, "-display", g_strdup("none"));
    g_ptr_array_add(argv, g_strdup("-no-shutdown"));
    qemuCommandAdd(argv, "-chardev",
                   g_strdup_printf("socket,id=charmonitor,path=%s,server=on,wait=off", qmp));
    qemuCommandAdd(argv, "-mon", g_strdup("chardev=charmonitor,id=monitor,mode=control"));
    g_ptr_array_add(argv, g_strdup("-daemonize"));
    qemuCommandAdd(argv, "-pidfile", g_strdup(params->pid_path));
}


GStrv
qemuCommandBuild(const cairnDomainDef *def,
                 const qemuCommandParams *params,
                 qemuDomainStatus *st,
                 GError **error)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);

    if (!qemuCommandValidate(def, error))
        return NULL;
    g_ptr_array_add(argv, g_strdup(params->emulator));
    qemuCommandAddMachine(argv, def, params);
    qemuCommandAddProcess(argv, params);
    if (def->os_kernel)
        qemuCommandAdd(argv, "-kernel", g_strdup(def->os_kernel));
    if (def->os_initrd)
        qemuCommandAdd(argv, "-initrd", g_strdup(def->os_initrd));
    if (def->os_cmdline)
        qemuCommandAdd(argv, "-append", g_strdup(def->os_cmdline));
    qemuCommandAddDisks(argv, def, params, st);
    qemuCommandAddChannels(argv, def, params);
    g_ptr_array_add(argv, NULL);
    g_ptr_array_set_free_func(argv, NULL);
    return (GStrv)g_ptr_array_free(g_steal_pointer(&argv), FALSE);
}
