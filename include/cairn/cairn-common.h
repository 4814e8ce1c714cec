/*
 * cairn-common.h: opaque handle types and visibility macros shared by
 * every public header.
 *
 * Users include <cairn/cairn.h>, never this file directly.
 */
#ifndef CAIRN_COMMON_H
#define CAIRN_COMMON_H

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
# define CAIRN_DEPRECATED __attribute__((__deprecated__))
#else
# define CAIRN_DEPRECATED
#endif

/**
 * cairnConnect:
 *
 * A connection to a hypervisor driver (test, qemu embedded, or the daemon).
 *
 * Since: 0.1.0
 */
typedef struct _cairnConnect cairnConnect;
typedef cairnConnect *cairnConnectPtr;

/**
 * cairnDomain:
 *
 * A reference-counted handle on one domain of a connection.
 *
 * Since: 0.1.0
 */
typedef struct _cairnDomain cairnDomain;
typedef cairnDomain *cairnDomainPtr;

/**
 * cairnDomainCheckpoint:
 *
 * A reference-counted handle on one checkpoint of a domain: the owning
 * domain plus the checkpoint's name; every query goes back to the driver.
 *
 * Since: 0.1.0
 */
typedef struct _cairnDomainCheckpoint cairnDomainCheckpoint;
typedef cairnDomainCheckpoint *cairnDomainCheckpointPtr;

#ifdef __cplusplus
}
#endif

#endif /* CAIRN_COMMON_H */
