/*
 * domain_conf.h: the subset of libvirt's domain XML that Cairn honours.
 *
 * Elements Cairn understands are parsed into cairnDomainDef and formatted
 * back in libvirt's layout; anything else is refused with
 * CAIRN_ERR_CONFIG_UNSUPPORTED naming the element (unless the LENIENT parse
 * flag is given, used for the <domain> embedded in checkpoint XML, where
 * only the disks matter and the rest is kept verbatim elsewhere).
 */
#pragma once

#include <stdbool.h>
#include <glib.h>
#include <libxml/tree.h>

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

typedef struct _cairnDomainDiskDef cairnDomainDiskDef;
struct _cairnDomainDiskDef {
    cairnDomainDiskType type;
    cairnDomainDiskDevice device;
    char *driver_name;            /* <driver name=...>, usually "qemu"; may be NULL */
    cairnDomainDiskFormat format; /* <driver type=...> */
    char *src;                    /* <source file|dev=...>; NULL = no media */
    char *dst;                    /* <target dev=...>, e.g. "vda"; required */
    cairnDomainDiskBus bus;       /* <target bus=...> */
    bool readonly;                /* <readonly/> */
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
    char *emulator;         /* <devices><emulator>, may be NULL */
    GPtrArray *disks;       /* of cairnDomainDiskDef*, in document order */
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
void cairnDomainDefFormatBuf(GString *buf, const cairnDomainDef *def, unsigned int flags,
                             int indent);

/* A deep copy. */
cairnDomainDef *cairnDomainDefCopy(const cairnDomainDef *def);

/* Lookups used by disk alignment: by target name, or by source path. */
cairnDomainDiskDef *cairnDomainDiskByTarget(const cairnDomainDef *def, const char *dst);
cairnDomainDiskDef *cairnDomainDiskByName(const cairnDomainDef *def, const char *name);

/* UUID helpers. */
void cairnUUIDFormat(const unsigned char *uuid, char *buf /* >= 37 bytes */);
bool cairnUUIDParse(const char *str, unsigned char *uuid);
void cairnUUIDGenerate(unsigned char *uuid);

/* Enum <-> string for the XML. */
const char *cairnDomainVirtTypeToString(cairnDomainVirtType t);
const char *cairnDomainDiskFormatToString(cairnDomainDiskFormat f);
