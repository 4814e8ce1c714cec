/*
 * cairn-error.h: error codes, error domains and the last-error API.
 *
 * Codes and domains are numerically equal to libvirt's virErrorNumber and
 * virErrorDomain, so code that knows libvirt's values can use them as is.
 */
#ifndef CAIRN_ERROR_H
#define CAIRN_ERROR_H

#include <cairn/cairn-common.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * cairnErrorLevel:
 *
 * Since: 0.1.0
 */
typedef enum {
    CAIRN_ERR_NONE = 0,    /* Since: 0.1.0 */
    CAIRN_ERR_WARNING = 1, /* Since: 0.1.0 */
    CAIRN_ERR_ERROR = 2    /* Since: 0.1.0 */
} cairnErrorLevel;

/**
 * cairnErrorDomain:
 *
 * Which part of the system raised an error. Values equal libvirt's
 * virErrorDomain; only those Cairn raises are named.
 *
 * Since: 0.1.0
 */
typedef enum {
    CAIRN_FROM_NONE = 0,              /* Since: 0.1.0 */
    CAIRN_FROM_XML = 5,               /* Since: 0.1.0 */
    CAIRN_FROM_DOM = 6,               /* Since: 0.1.0 */
    CAIRN_FROM_RPC = 7,               /* Since: 0.1.0 */
    CAIRN_FROM_CONF = 9,              /* Since: 0.1.0 */
    CAIRN_FROM_QEMU = 10,             /* Since: 0.1.0 */
    CAIRN_FROM_TEST = 12,             /* Since: 0.1.0 */
    CAIRN_FROM_REMOTE = 13,           /* Since: 0.1.0 */
    CAIRN_FROM_STORAGE = 18,          /* Since: 0.1.0 */
    CAIRN_FROM_DOMAIN = 20,           /* Since: 0.1.0 */
    CAIRN_FROM_URI = 45,              /* Since: 0.1.0 */
    CAIRN_FROM_DBUS = 47,             /* Since: 0.1.0 */
    CAIRN_FROM_DOMAIN_CHECKPOINT = 69 /* Since: 0.1.0 */
} cairnErrorDomain;

/**
 * cairnErrorNumber:
 *
 * The error codes. Values equal libvirt's virErrorNumber; only those Cairn
 * raises are named.
 *
 * Since: 0.1.0
 */
typedef enum {
    CAIRN_ERR_OK = 0,                          /* Since: 0.1.0 */
    CAIRN_ERR_INTERNAL_ERROR = 1,              /* Since: 0.1.0 */
    CAIRN_ERR_NO_MEMORY = 2,                   /* Since: 0.1.0 */
    CAIRN_ERR_NO_SUPPORT = 3,                  /* Since: 0.1.0 */
    CAIRN_ERR_NO_CONNECT = 5,                  /* Since: 0.1.0 */
    CAIRN_ERR_INVALID_CONN = 6,                /* Since: 0.1.0 */
    CAIRN_ERR_INVALID_DOMAIN = 7,              /* Since: 0.1.0 */
    CAIRN_ERR_INVALID_ARG = 8,                 /* Since: 0.1.0 */
    CAIRN_ERR_OPERATION_FAILED = 9,            /* Since: 0.1.0 */
    CAIRN_ERR_NO_NAME = 21,                    /* Since: 0.1.0 */
    CAIRN_ERR_XML_ERROR = 27,                  /* Since: 0.1.0 */
    CAIRN_ERR_DOM_EXIST = 28,                  /* Since: 0.1.0 */
    CAIRN_ERR_OPERATION_DENIED = 29,           /* Since: 0.1.0 */
    CAIRN_ERR_OPEN_FAILED = 30,                /* Since: 0.1.0 */
    CAIRN_ERR_READ_FAILED = 31,                /* Since: 0.1.0 */
    CAIRN_ERR_WRITE_FAILED = 34,               /* Since: 0.1.0 */
    CAIRN_ERR_XML_DETAIL = 35,                 /* Since: 0.1.0 */
    CAIRN_ERR_SYSTEM_ERROR = 38,               /* Since: 0.1.0 */
    CAIRN_ERR_RPC = 39,                        /* Since: 0.1.0 */
    CAIRN_ERR_NO_DOMAIN = 42,                  /* Since: 0.1.0 */
    CAIRN_ERR_OPERATION_INVALID = 55,          /* Since: 0.1.0 */
    CAIRN_ERR_CONFIG_UNSUPPORTED = 67,         /* Since: 0.1.0 */
    CAIRN_ERR_OPERATION_TIMEOUT = 68,          /* Since: 0.1.0 */
    CAIRN_ERR_ARGUMENT_UNSUPPORTED = 74,       /* Since: 0.1.0 */
    CAIRN_ERR_OPERATION_ABORTED = 78,          /* Since: 0.1.0 */
    CAIRN_ERR_OVERFLOW = 82,                   /* Since: 0.1.0 */
    CAIRN_ERR_OPERATION_UNSUPPORTED = 84,      /* Since: 0.1.0 */
    CAIRN_ERR_AGENT_UNRESPONSIVE = 86,         /* Since: 0.1.0 */
    CAIRN_ERR_RESOURCE_BUSY = 87,              /* Since: 0.1.0 */
    CAIRN_ERR_ACCESS_DENIED = 88,              /* Since: 0.1.0 */
    CAIRN_ERR_XML_INVALID_SCHEMA = 92,         /* Since: 0.1.0 */
    CAIRN_ERR_INVALID_DOMAIN_CHECKPOINT = 102, /* Since: 0.1.0 */
    CAIRN_ERR_NO_DOMAIN_CHECKPOINT = 103,      /* Since: 0.1.0 */
    CAIRN_ERR_NO_DOMAIN_BACKUP = 104,          /* Since: 0.1.0 */
    CAIRN_ERR_CHECKPOINT_INCONSISTENT = 109,   /* Since: 0.1.0 */
    CAIRN_ERR_MULTIPLE_DOMAINS = 110           /* Since: 0.1.0 */
} cairnErrorNumber;

/**
 * cairnError:
 *
 * One error as the library reports it. @message is the full, human
 * readable text, already carrying the code's prefix, e.g.
 * "invalid argument: ...".
 *
 * Since: 0.1.0
 */
typedef struct _cairnError cairnError;
typedef cairnError *cairnErrorPtr;
struct _cairnError {
    int code;              /* a cairnErrorNumber */
    int domain;            /* a cairnErrorDomain */
    char *message;         /* full message */
    cairnErrorLevel level; /* always CAIRN_ERR_ERROR for now */
};

cairnErrorPtr cairnGetLastError(void);
void cairnResetLastError(void);
int cairnGetLastErrorCode(void);
int cairnGetLastErrorDomain(void);
const char *cairnGetLastErrorMessage(void);
int cairnCopyLastError(cairnErrorPtr to);
void cairnResetError(cairnErrorPtr err);
void cairnFreeError(cairnErrorPtr err);
cairnErrorPtr cairnSaveLastError(void);

#ifdef __cplusplus
}
#endif

#endif /* CAIRN_ERROR_H */
