/*
 * domain_conf.h: the subset of libvirt's domain XML that Cairn honours.
 *
 * Elements Cairn understands are parsed into cairnDomainDef and formatted
 * back in libvirt's layout; anything else is refused with
 * CAIRN_ERR_CONFIG_UNSUPPORTED naming the element (unless the LENIENT parse
 * flag is given, used for the <domain> embedded in checkpoint XML, where
 * only the disks matter and the rest is kept verbatim elsewhere).
 *
 * The subset, in libvirt's output order:
 *   <domain type='kvm|qemu|test'>  (an id attribute is accepted and ignored)
 *   <name> (required; no '/', no newline, not '.' or '..'),
 *   <uuid> (generated when missing), <title> (no newline), <description>,
 *   <memory unit=...> (required, non-zero; any libvirt unit, stored and
 *   written in KiB, rounded up), <currentMemory> (defaults to, and is
 *   capped at, <memory>), <vcpu placement='static'> (default 1),
 *   <os>: <type arch=... machine=...>hvm</type>, <kernel>, <initrd>,
 *   <cmdline>, <boot dev='hd|cdrom|network|fd'/> (up to 4, default hd),
 *   <features> with <acpi/>, <apic/>, <pae/>,
 *   <clock offset='utc|localtime'/> (always written, default utc),
 *   <on_poweroff>, <on_reboot>, <on_crash> with destroy|restart (always
 *   written, defaults destroy, restart, destroy),
 *   <devices>: <emulator>, and <disk type='file' device='disk|cdrom'> with
 *   <driver name='qemu' type='qcow2|raw'/>, <source file=.../> (absent:
 *   no media, allowed for cdroms only; a qcow2 image's source may hold
 *   <dataStore type='file'><format type='raw'/><source file=.../>
 *   </dataStore>, its qcow2 data file), <target dev=... bus=.../> (bus
 *   defaults from the dev prefix: vd virtio, hd ide, sd scsi) and
 *   <readonly/> (implied, and written, for cdroms), and one layer of
 *   <backingStore> (domain_conf_backing.h);
 *   <channel type='unix'> with <source mode='bind' path=.../> (optional:
 *   absent, the driver picks the socket) and <target type='virtio'
 *   name=.../> (required; org.qemu.guest_agent.0 is the guest agent).
 * A disk's or channel's <address> (and a channel target's state) is accepted and dropped: Cairn does not pin guest
 * addresses. Everything else (elements, attributes, other values) is
 * CAIRN_ERR_CONFIG_UNSUPPORTED. With LENIENT, unknown elements and
 * attributes are ignored, unknown values of clock, lifecycle actions, boot
 * devices, disk device/bus/format are taken as defaults (os type and arch
 * are kept as written), no value checks are made, and disks of
 * type='block' (<source dev=...>) are accepted; disks of other types and
 * unknown domain types are refused even then (alignment could not treat
 * them correctly).
 */
#pragma once

#include <stdbool.h>
#include <glib.h>
#include <libxml/tree.h>

#include "domain_conf_backing.h"

#define CAIRN_UUID_RAW_LEN 16

typedef enum {
    CAIRN_DOMAIN_VIRT_NONE = 0, /* unset; parse error for a full def */
    CAIRN_DOMAIN_VIRT_QEMU,     /* type='qemu': TCG */
    CAIRN_DOMAIN_VIRT_KVM,      /* type='kvm' */
    CAIRN_DOMAIN_VIRT_TEST,     /* type='test': the test driver */
    CAIRN_DOMAIN_VIRT_LAST
} cairnDomainVirtType;

typedef enum {
    CAIRN_DOMAIN_DISK_TYPE_FILE = 0,
    CAIRN_DOMAIN_DISK_TYPE_BLOCK, /* accepted only with the LENIENT flag */
    CAIRN_DOMAIN_DISK_TYPE_LAST
} cairnDomainDiskType;

typedef enum {
    CAIRN_DOMAIN_DISK_DEVICE_DISK = 0,
    CAIRN_DOMAIN_DISK_DEVICE_CDROM,
    CAIRN_DOMAIN_DISK_DEVICE_LAST
} cairnDomainDiskDevice;

typedef enum {
    CAIRN_DOMAIN_DISK_FORMAT_NONE = 0, /* no <driver type=...> */
    CAIRN_DOMAIN_DISK_FORMAT_RAW,
    CAIRN_DOMAIN_DISK_FORMAT_QCOW2,
    CAIRN_DOMAIN_DISK_FORMAT_LAST
} cairnDomainDiskFormat;

typedef enum {
    CAIRN_DOMAIN_DISK_BUS_NONE = 0,
    CAIRN_DOMAIN_DISK_BUS_VIRTIO,
    CAIRN_DOMAIN_DISK_BUS_IDE,
    CAIRN_DOMAIN_DISK_BUS_SCSI,
    CAIRN_DOMAIN_DISK_BUS_SATA,
    CAIRN_DOMAIN_DISK_BUS_LAST
} cairnDomainDiskBus;

/* <boot dev=...>, in libvirt's enum order. */
typedef enum {
    CAIRN_DOMAIN_BOOT_FLOPPY = 0, /* 'fd' */
    CAIRN_DOMAIN_BOOT_CDROM,      /* 'cdrom' */
    CAIRN_DOMAIN_BOOT_DISK,       /* 'hd' */
    CAIRN_DOMAIN_BOOT_NET,        /* 'network' */
    CAIRN_DOMAIN_BOOT_LAST
} cairnDomainBootDev;

/* <features>: a bit set. */
typedef enum {
    CAIRN_DOMAIN_FEATURE_ACPI = 1 << 0,
    CAIRN_DOMAIN_FEATURE_APIC = 1 << 1,
    CAIRN_DOMAIN_FEATURE_PAE = 1 << 2,
} cairnDomainFeature;

typedef enum {
    CAIRN_DOMAIN_CLOCK_OFFSET_UTC = 0, /* also the default */
    CAIRN_DOMAIN_CLOCK_OFFSET_LOCALTIME,
    CAIRN_DOMAIN_CLOCK_OFFSET_LAST
} cairnDomainClockOffset;

/* <on_poweroff>, <on_reboot>, <on_crash>. DEFAULT is libvirt's default
 * for the event: destroy, restart, destroy. */
typedef enum {
    CAIRN_DOMAIN_LIFECYCLE_DEFAULT = 0,
    CAIRN_DOMAIN_LIFECYCLE_DESTROY,
    CAIRN_DOMAIN_LIFECYCLE_RESTART,
    CAIRN_DOMAIN_LIFECYCLE_LAST
} cairnDomainLifecycleAction;

typedef struct _cairnDomainDiskDef cairnDomainDiskDef;
struct _cairnDomainDiskDef {
    cairnDomainDiskType type;
    cairnDomainDiskDevice device;
    char *driver_name;            /* <driver name=...>, usually "qemu"; may be NULL */
    cairnDomainDiskFormat format; /* <driver type=...> */
    char *src;                    /* <source file|dev=...>; NULL = no media */
    /* <source><dataStore type='file'><format type='raw'/><source file=.../>:
     * the raw file holding a qcow2 image's guest data (qcow2 data-file;
     * libvirt 10.10). NULL = none. Only with format qcow2. */
    char *data_file;
    char *dst;                       /* <target dev=...>, e.g. "vda"; required */
    cairnDomainDiskBus bus;          /* <target bus=...> */
    bool readonly;                   /* <readonly/> */
    cairnDomainDiskBacking *backing; /* <backingStore>; NULL: probed from the image */
};

/* The virtio-serial port name of the QEMU guest agent. */
#define CAIRN_DOMAIN_AGENT_CHANNEL "org.qemu.guest_agent.0"

/* <channel type='unix'><target type='virtio' name=.../></channel> */
typedef struct _cairnDomainChannelDef cairnDomainChannelDef;
struct _cairnDomainChannelDef {
    char *path;        /* <source mode='bind' path=...>; NULL: the driver picks one */
    char *target_name; /* <target name=...>, required */
};

typedef struct _cairnDomainDef cairnDomainDef;
struct _cairnDomainDef {
    cairnDomainVirtType virt_type;
    char *name;
    unsigned char uuid[CAIRN_UUID_RAW_LEN];
    char *title;
    char *description;
    unsigned long long memory_kib;         /* <memory>, normalised to KiB */
    unsigned long long current_memory_kib; /* <currentMemory>; 0 = same as memory */
    unsigned int vcpus;                    /* <vcpu>, default 1 */
    char *os_type;                         /* <os><type>: "hvm" */
    char *os_arch;                         /* <type arch=...>, may be NULL */
    char *os_machine;                      /* <type machine=...>, may be NULL */
    char *os_kernel;
    char *os_initrd;
    char *os_cmdline;
    char *emulator;      /* <devices><emulator>, may be NULL */
    GPtrArray *disks;    /* of cairnDomainDiskDef*, in document order */
    GPtrArray *channels; /* of cairnDomainChannelDef*, in document order */
    /* Boot order from <os><boot dev=.../>; parsing adds 'hd' when the
     * document names none, as libvirt does. */
    cairnDomainBootDev boot[CAIRN_DOMAIN_BOOT_LAST];
    size_t nboot;
    unsigned int features; /* cairnDomainFeature bits */
    cairnDomainClockOffset clock_offset;
    cairnDomainLifecycleAction on_poweroff;
    cairnDomainLifecycleAction on_reboot;
    cairnDomainLifecycleAction on_crash;
};

typedef enum {
    /* Parse the persistent (inactive) definition. */
    CAIRN_DOMAIN_DEF_PARSE_INACTIVE = 1 << 0,
    /* Ignore what the subset does not know instead of refusing it (for the
     * <domain> embedded in checkpoint XML). */
    CAIRN_DOMAIN_DEF_PARSE_LENIENT = 1 << 1,
} cairnDomainDefParseFlags;

typedef enum {
    CAIRN_DOMAIN_DEF_FORMAT_SECURE = 1 << 0,
    CAIRN_DOMAIN_DEF_FORMAT_INACTIVE = 1 << 1,
} cairnDomainDefFormatFlags;

cairnDomainDef *cairnDomainDefNew(void);
void cairnDomainDefFree(cairnDomainDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(cairnDomainDef, cairnDomainDefFree)
void cairnDomainDiskDefFree(cairnDomainDiskDef *disk);

/* Parse a whole document. A missing UUID is generated. Errors:
 * CAIRN_ERR_XML_ERROR (not well formed, missing name, bad values),
 * CAIRN_ERR_CONFIG_UNSUPPORTED (element or value outside the subset). */
cairnDomainDef *cairnDomainDefParseString(const char *xml, unsigned int flags, GError **error);

/* Parse from the <domain> element @root of an already parsed document. */
cairnDomainDef *cairnDomainDefParseNode(xmlNode *root, unsigned int flags, GError **error);

/* Format in libvirt's layout (2-space indentation, single-quoted
 * attributes, trailing newline). Never fails. */
char *cairnDomainDefFormat(const cairnDomainDef *def, unsigned int flags);

/* Append the formatted definition to @buf, every line indented by
 * @indent spaces (used to embed it in checkpoint XML). */
void
cairnDomainDefFormatBuf(GString *buf, const cairnDomainDef *def, unsigned int flags, int indent);

/* A deep copy. */
cairnDomainDef *cairnDomainDefCopy(const cairnDomainDef *def);

/* The guest agent's channel (target name CAIRN_DOMAIN_AGENT_CHANNEL), or
 * NULL when the domain has none. */
cairnDomainChannelDef *cairnDomainAgentChannel(const cairnDomainDef *def);

/* Lookups used by disk alignment: by target name, or by source path. */
cairnDomainDiskDef *cairnDomainDiskByTarget(const cairnDomainDef *def, const char *dst);
cairnDomainDiskDef *cairnDomainDiskByName(const cairnDomainDef *def, const char *name);

/* True if @dst matches libvirt's pattern for disk targets,
 * (ioemu:)?(fd|hd|sd|vd|xvd|ubd)[a-zA-Z0-9_]+ (e.g. "vda"). */
bool cairnDomainDiskTargetIsValid(const char *dst);

/* UUID helpers. */
void cairnUUIDFormat(const unsigned char *uuid, char *buf /* >= 37 bytes */);
bool cairnUUIDParse(const char *str, unsigned char *uuid);
void cairnUUIDGenerate(unsigned char *uuid);

/* Enum <-> string for the XML. */
const char *cairnDomainVirtTypeToString(cairnDomainVirtType t);
const char *cairnDomainDiskFormatToString(cairnDomainDiskFormat f);
const char *cairnDomainDiskTypeToString(cairnDomainDiskType t);
const char *cairnDomainDiskDeviceToString(cairnDomainDiskDevice d);
const char *cairnDomainDiskBusToString(cairnDomainDiskBus b);

/* A new disk: type file, device disk, everything else unset. */
cairnDomainDiskDef *cairnDomainDiskDefNew(void);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(cairnDomainDiskDef, cairnDomainDiskDefFree)
