/*
 * backup_conf.h: <domainbackup> XML, per spec/xml.md section 2: the
 * definition of one backup, its parser (public input, and the internal
 * status form that a driver saves under ROOT/run), its formatter, and disk
 * alignment against the domain definition.
 *
 * Conf-layer errors are raised in CAIRN_FROM_DOMAIN.
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "domain_conf.h"

typedef enum {
    CAIRN_BACKUP_TYPE_DEFAULT = 0, /* not given: push */
    CAIRN_BACKUP_TYPE_PUSH,
    CAIRN_BACKUP_TYPE_PULL,
    CAIRN_BACKUP_TYPE_LAST
} cairnBackupType;

/* Per-disk job state: internal (status XML) only. */
typedef enum {
    CAIRN_BACKUP_DISK_STATE_NONE = 0, /* not started */
    CAIRN_BACKUP_DISK_STATE_RUNNING,
    CAIRN_BACKUP_DISK_STATE_COMPLETE,
    CAIRN_BACKUP_DISK_STATE_FAILED,
    CAIRN_BACKUP_DISK_STATE_CANCELLING,
    CAIRN_BACKUP_DISK_STATE_CANCELLED,
    CAIRN_BACKUP_DISK_STATE_LAST
} cairnBackupDiskState;

typedef enum {
    CAIRN_BACKUP_DISK_MODE_DEFAULT = 0, /* resolved by alignment */
    CAIRN_BACKUP_DISK_MODE_FULL,
    CAIRN_BACKUP_DISK_MODE_INCREMENTAL,
    CAIRN_BACKUP_DISK_MODE_LAST
} cairnBackupDiskMode;

/* Storage type of a target or scratch (<disk type=...>). */
typedef enum {
    CAIRN_BACKUP_STORE_NONE = 0, /* backup='no' disks */
    CAIRN_BACKUP_STORE_FILE,
    CAIRN_BACKUP_STORE_BLOCK,
    CAIRN_BACKUP_STORE_LAST
} cairnBackupStoreType;

typedef enum {
    CAIRN_BACKUP_TRANSPORT_TCP = 0, /* default */
    CAIRN_BACKUP_TRANSPORT_UNIX,
    CAIRN_BACKUP_TRANSPORT_FD,
    CAIRN_BACKUP_TRANSPORT_LAST
} cairnBackupTransport;

/* <server> of a pull backup. */
typedef struct _cairnBackupServerDef cairnBackupServerDef;
struct _cairnBackupServerDef {
    cairnBackupTransport transport;
    bool transport_given; /* transport='tcp' written explicitly */
    int tls;              /* 0 absent, 1 yes, 2 no (libvirt's tristate) */
    char *name;           /* TCP host */
    unsigned int port;    /* TCP port; 0 = none */
    char *socket;         /* UNIX: absolute path */
    char *fdgroup;        /* FD: group name */
};

/* A target (push) or scratch (pull) image. The <seclabel> and
 * <encryption> children are kept as formatted XML (libvirt's layout,
 * indentation 0, one element per line, each line ending in a newline) and
 * re-indented on output; the qemu driver refuses encrypted stores
 * (CONFIG_UNSUPPORTED). */
typedef struct _cairnBackupStoreDef cairnBackupStoreDef;
struct _cairnBackupStoreDef {
    char *path;           /* file= or dev= */
    char *format;         /* <driver type=...>, e.g. "qcow2", "raw"; NULL = unset */
    char *seclabels_xml;  /* the <seclabel> elements, or NULL */
    char *encryption_xml; /* the <encryption> element, or NULL */
};

typedef struct _cairnBackupDiskDef cairnBackupDiskDef;
struct _cairnBackupDiskDef {
    char *name;                      /* disk target, e.g. "vda" */
    bool backup;                     /* backup='yes' (default) */
    bool backup_given;               /* backup= written in the input */
    cairnBackupDiskMode mode;        /* backupmode= */
    char *incremental;               /* incremental= checkpoint, or NULL */
    char *exportname;                /* pull: NBD export name */
    char *exportbitmap;              /* pull: exported dirty bitmap */
    cairnBackupStoreType store_type; /* type=; FILE when not given */
    /* <target> (push) or <scratch> (pull) and <driver>: set for every
     * backup='yes' disk; store->path NULL = none given (alignment then
     * generates "<source>.<suffix>"). NULL for backup='no' disks. */
    cairnBackupStoreDef *store;
    /* Push only, beyond libvirt: <scratch file=...> beside <target>, the
     * local image of fleecing (the guest's old data goes there, the
     * backup reads the frozen view); NULL = none given. */
    char *fleece;
    /* Internal (status XML) only: */
    cairnBackupDiskState state;
    unsigned int index; /* storage source id; 0 = none */
};

typedef struct _cairnBackupDef cairnBackupDef;
struct _cairnBackupDef {
    cairnBackupType type;
    char *incremental;            /* backup-wide <incremental>, or NULL */
    cairnBackupServerDef *server; /* pull only */
    GPtrArray *disks;             /* of cairnBackupDiskDef*, owned; never NULL */
    /* Internal (status XML) only: the TLS objects' aliases of
     * <privateData><objects>, NULL when none. */
    char *tls_alias;
    char *tls_secret_alias;
};

typedef enum {
    /* Status XML saved by a driver: no schema check; state, index and
     * privateData are read (and disk state is required). */
    CAIRN_BACKUP_PARSE_INTERNAL = 1 << 0,
    /* With INTERNAL: a disk without a state has not started yet (state
     * none), as in the first record of a begin (hypervisor/domain_backup.h
     * phase 'begin'), which libvirt's form cannot express. */
    CAIRN_BACKUP_PARSE_INTERNAL_UNSTARTED = 1 << 1,
} cairnBackupParseFlags;

typedef enum {
    /* Status XML: also print disk state and <privateData>. */
    CAIRN_BACKUP_FORMAT_INTERNAL = 1 << 0,
} cairnBackupFormatFlags;

cairnBackupDef *cairnBackupDefNew(void);
void cairnBackupDefFree(cairnBackupDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(cairnBackupDef, cairnBackupDefFree)
cairnBackupDef *cairnBackupDefCopy(const cairnBackupDef *def);
cairnBackupDiskDef *cairnBackupDiskDefNew(void);
void cairnBackupDiskDefFree(cairnBackupDiskDef *disk);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(cairnBackupDiskDef, cairnBackupDiskDefFree)

/* Parse <domainbackup>. Without INTERNAL, enforces what libvirt's
 * domainbackup.rng enforces (CAIRN_ERR_XML_INVALID_SCHEMA) and then the
 * parser's own rules (CAIRN_ERR_XML_ERROR: missing disk name, unsupported
 * disk backup type, relative socket path, <server> in push mode, ...).
 * Flags: cairnBackupParseFlags. */
cairnBackupDef *cairnBackupDefParseString(const char *xml, unsigned int flags, GError **error);

/* Format per spec/xml.md 2.3 (flags: cairnBackupFormatFlags). The public
 * form (flags 0) is what cairnDomainBackupGetXMLDesc() returns. */
char *cairnBackupDefFormat(const cairnBackupDef *def, unsigned int flags);

/* Disk alignment (spec/xml.md 2.2, libvirt's virDomainBackupAlignDisks)
 * against @dom: checks the listed disks, appends the unlisted ones in
 * domain order, generates "<source>.<suffix>" targets/scratch files for
 * participating disks without one, and resolves every disk's mode and
 * incremental checkpoint. @suffix is the new checkpoint's name when one is
 * created with the backup, else the current time in seconds. Errors:
 * CAIRN_ERR_CONFIG_UNSUPPORTED. Driver-specific defaults (format qcow2,
 * export names/bitmaps) are cairnBackupDefApplyDriverDefaults(). */
bool cairnBackupAlignDisks(cairnBackupDef *def,
                           const cairnDomainDef *dom,
                           const char *suffix,
                           GError **error);

/* What the qemu driver (and the test driver, which mimics it) adds after
 * alignment: every participating disk's store format defaults to qcow2;
 * pull: exportname defaults to the disk target and, for incremental disks,
 * exportbitmap to "backup-<target>". */
void cairnBackupDefApplyDriverDefaults(cairnBackupDef *def);

/* Iterators over the aligned definition. */
cairnBackupDiskDef *cairnBackupDefFindDisk(const cairnBackupDef *def, const char *name);
/* Number of disks with backup='yes'. */
guint cairnBackupDefCountParticipating(const cairnBackupDef *def);

const char *cairnBackupTypeToString(cairnBackupType t);
const char *cairnBackupDiskStateToString(cairnBackupDiskState s);
int cairnBackupDiskStateFromString(const char *s);
const char *cairnBackupDiskModeToString(cairnBackupDiskMode m);
