/*
 * cairn-domain.h: the minimal set of domain calls around checkpoints and
 * backups. Names, flag names and values twin libvirt's.
 */
#ifndef CAIRN_DOMAIN_H
#define CAIRN_DOMAIN_H

#include <cairn/cairn-common.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * CAIRN_UUID_BUFLEN:
 *
 * Bytes in a raw UUID. Since: 0.1.0
 */
#define CAIRN_UUID_BUFLEN 16

/**
 * CAIRN_UUID_STRING_BUFLEN:
 *
 * Bytes needed for a UUID string with its terminating NUL. Since: 0.1.0
 */
#define CAIRN_UUID_STRING_BUFLEN (36 + 1)

/**
 * cairnDomainState:
 *
 * Since: 0.1.0
 */
typedef enum {
    CAIRN_DOMAIN_NOSTATE = 0,    /* Since: 0.1.0 */
    CAIRN_DOMAIN_RUNNING = 1,    /* Since: 0.1.0 */
    CAIRN_DOMAIN_BLOCKED = 2,    /* Since: 0.1.0 */
    CAIRN_DOMAIN_PAUSED = 3,     /* Since: 0.1.0 */
    CAIRN_DOMAIN_SHUTDOWN = 4,   /* Since: 0.1.0 */
    CAIRN_DOMAIN_SHUTOFF = 5,    /* Since: 0.1.0 */
    CAIRN_DOMAIN_CRASHED = 6,    /* Since: 0.1.0 */
    CAIRN_DOMAIN_PMSUSPENDED = 7 /* Since: 0.1.0 */
} cairnDomainState;

/**
 * cairnDomainRunningReason:
 *
 * Since: 0.1.0
 */
typedef enum {
    CAIRN_DOMAIN_RUNNING_UNKNOWN = 0, /* Since: 0.1.0 */
    CAIRN_DOMAIN_RUNNING_BOOTED = 1,  /* Since: 0.1.0 */
    CAIRN_DOMAIN_RUNNING_UNPAUSED = 5 /* Since: 0.1.0 */
} cairnDomainRunningReason;

/**
 * cairnDomainPausedReason:
 *
 * Since: 0.1.0
 */
typedef enum {
    CAIRN_DOMAIN_PAUSED_UNKNOWN = 0,       /* Since: 0.1.0 */
    CAIRN_DOMAIN_PAUSED_USER = 1,          /* paused on user request. Since: 0.1.0 */
    CAIRN_DOMAIN_PAUSED_IOERROR = 5,       /* paused after a disk I/O error. Since: 0.1.0 */
    CAIRN_DOMAIN_PAUSED_WATCHDOG = 6,      /* paused by a watchdog. Since: 0.1.0 */
    CAIRN_DOMAIN_PAUSED_SHUTTING_DOWN = 8, /* the guest shut down; kept until a backup ends
                                              (BACKUP_BEGIN_PRESERVE_SHUTDOWN_DOMAIN).
                                              Since: 0.1.0 */
    CAIRN_DOMAIN_PAUSED_STARTING_UP = 11   /* the domain is being started. Since: 0.1.0 */
} cairnDomainPausedReason;

/**
 * cairnDomainShutoffReason:
 *
 * Since: 0.1.0
 */
typedef enum {
    CAIRN_DOMAIN_SHUTOFF_UNKNOWN = 0,   /* Since: 0.1.0 */
    CAIRN_DOMAIN_SHUTOFF_SHUTDOWN = 1,  /* Since: 0.1.0 */
    CAIRN_DOMAIN_SHUTOFF_DESTROYED = 2, /* Since: 0.1.0 */
    CAIRN_DOMAIN_SHUTOFF_CRASHED = 3,   /* Since: 0.1.0 */
    CAIRN_DOMAIN_SHUTOFF_FAILED = 6,    /* Since: 0.1.0 */
    CAIRN_DOMAIN_SHUTOFF_DAEMON = 8     /* Since: 0.1.0 */
} cairnDomainShutoffReason;

/**
 * cairnDomainInfo:
 *
 * Since: 0.1.0
 */
typedef struct _cairnDomainInfo cairnDomainInfo;
typedef cairnDomainInfo *cairnDomainInfoPtr;
struct _cairnDomainInfo {
    unsigned char state;  /* a cairnDomainState */
    unsigned long maxMem; /* KiB */
    unsigned long memory; /* KiB */
    unsigned short nrVirtCpu;
    unsigned long long cpuTime; /* nanoseconds */
};

/**
 * cairnConnectListAllDomainsFlags:
 *
 * Since: 0.1.0
 */
typedef enum {
    CAIRN_CONNECT_LIST_DOMAINS_ACTIVE = 1 << 0,          /* Since: 0.1.0 */
    CAIRN_CONNECT_LIST_DOMAINS_INACTIVE = 1 << 1,        /* Since: 0.1.0 */
    CAIRN_CONNECT_LIST_DOMAINS_PERSISTENT = 1 << 2,      /* Since: 0.1.0 */
    CAIRN_CONNECT_LIST_DOMAINS_TRANSIENT = 1 << 3,       /* Since: 0.1.0 */
    CAIRN_CONNECT_LIST_DOMAINS_RUNNING = 1 << 4,         /* Since: 0.1.0 */
    CAIRN_CONNECT_LIST_DOMAINS_PAUSED = 1 << 5,          /* Since: 0.1.0 */
    CAIRN_CONNECT_LIST_DOMAINS_SHUTOFF = 1 << 6,         /* Since: 0.1.0 */
    CAIRN_CONNECT_LIST_DOMAINS_OTHER = 1 << 7,           /* Since: 0.1.0 */
    CAIRN_CONNECT_LIST_DOMAINS_HAS_CHECKPOINT = 1 << 14, /* Since: 0.1.0 */
    CAIRN_CONNECT_LIST_DOMAINS_NO_CHECKPOINT = 1 << 15   /* Since: 0.1.0 */
} cairnConnectListAllDomainsFlags;

/**
 * cairnDomainUndefineFlagsValues:
 *
 * Since: 0.1.0
 */
typedef enum {
    CAIRN_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA = 1 << 4 /* Since: 0.1.0 */
} cairnDomainUndefineFlagsValues;

/**
 * cairnDomainDefineFlags:
 *
 * Since: 0.1.0
 */
typedef enum {
    CAIRN_DOMAIN_DEFINE_VALIDATE = 1 << 0 /* Since: 0.1.0 */
} cairnDomainDefineFlags;

/**
 * cairnDomainXMLFlags:
 *
 * Since: 0.1.0
 */
typedef enum {
    CAIRN_DOMAIN_XML_SECURE = 1 << 0,     /* Since: 0.1.0 */
    CAIRN_DOMAIN_XML_INACTIVE = 1 << 1,   /* Since: 0.1.0 */
    CAIRN_DOMAIN_XML_UPDATE_CPU = 1 << 2, /* Since: 0.1.0 */
    CAIRN_DOMAIN_XML_MIGRATABLE = 1 << 3  /* Since: 0.1.0 */
} cairnDomainXMLFlags;

int cairnConnectListAllDomains(cairnConnectPtr conn, cairnDomainPtr **domains, unsigned int flags);

cairnDomainPtr cairnDomainLookupByName(cairnConnectPtr conn, const char *name);
cairnDomainPtr cairnDomainLookupByUUID(cairnConnectPtr conn, const unsigned char *uuid);
cairnDomainPtr cairnDomainLookupByUUIDString(cairnConnectPtr conn, const char *uuid);
cairnDomainPtr cairnDomainLookupByID(cairnConnectPtr conn, int id);

cairnDomainPtr cairnDomainDefineXML(cairnConnectPtr conn, const char *xml);
cairnDomainPtr cairnDomainDefineXMLFlags(cairnConnectPtr conn, const char *xml, unsigned int flags);
int cairnDomainUndefine(cairnDomainPtr domain);
int cairnDomainUndefineFlags(cairnDomainPtr domain, unsigned int flags);
int cairnDomainCreate(cairnDomainPtr domain);
int cairnDomainCreateWithFlags(cairnDomainPtr domain, unsigned int flags);
int cairnDomainDestroy(cairnDomainPtr domain);
int cairnDomainShutdown(cairnDomainPtr domain);
int cairnDomainSuspend(cairnDomainPtr domain);
int cairnDomainResume(cairnDomainPtr domain);

int cairnDomainRef(cairnDomainPtr domain);
int cairnDomainFree(cairnDomainPtr domain);

const char *cairnDomainGetName(cairnDomainPtr domain);
int cairnDomainGetID(cairnDomainPtr domain);
int cairnDomainGetUUID(cairnDomainPtr domain, unsigned char *uuid);
int cairnDomainGetUUIDString(cairnDomainPtr domain, char *buf);
cairnConnectPtr cairnDomainGetConnect(cairnDomainPtr domain);
char *cairnDomainGetXMLDesc(cairnDomainPtr domain, unsigned int flags);
int cairnDomainGetInfo(cairnDomainPtr domain, cairnDomainInfoPtr info);
int cairnDomainGetState(cairnDomainPtr domain, int *state, int *reason, unsigned int flags);
int cairnDomainIsActive(cairnDomainPtr domain);
int cairnDomainIsPersistent(cairnDomainPtr domain);
int cairnDomainHasCheckpoints(cairnDomainPtr domain);

#ifdef __cplusplus
}
#endif

#endif /* CAIRN_DOMAIN_H */
