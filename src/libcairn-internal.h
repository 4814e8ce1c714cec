/*
 * libcairn-internal.h: argument checks shared by the public entry points.
 *
 * Each check returns true when the argument is fine, otherwise sets one
 * error (libvirt's code and wording, naming @func) and returns false.
 * Entry points chain them with || and turn the error into the last error
 * with cairnEntryFail().
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <glib.h>

#include "datatypes.h"
#include "driver.h"

bool cairnEntryCheckConnect(cairnConnect *conn, const char *func, GError **error);
bool cairnEntryCheckDomain(cairnDomain *dom, const char *func, GError **error);
bool cairnEntryCheckCheckpoint(cairnDomainCheckpoint *chk, const char *func, GError **error);

/* "ARG in FUNC must not be NULL" (CAIRN_ERR_INVALID_ARG). */
bool cairnEntryCheckNonNull(
    const void *arg, const char *argname, int from, const char *func, GError **error);

/* OPERATION_DENIED "read only access prevents FUNC" on a read-only
 * connection. */
bool cairnEntryCheckReadWrite(cairnConnect *conn, int from, const char *func, GError **error);

/* "Flags 'A' and 'B' are mutually exclusive" when both bits are set. */
bool cairnEntryCheckExclusive(unsigned int flags,
                              unsigned int a,
                              const char *aname,
                              unsigned int b,
                              const char *bname,
                              int from,
                              GError **error);

/* "Flag 'A' is required by flag 'B'" when @b is set without @a. */
bool cairnEntryCheckRequires(unsigned int flags,
                             unsigned int a,
                             const char *aname,
                             unsigned int b,
                             const char *bname,
                             int from,
                             GError **error);

/* NO_SUPPORT "this function is not supported by the connection driver:
 * FUNC" when the driver slot is NULL. */
bool cairnEntryCheckSupported(const void *slot, int from, const char *func, GError **error);

/* The function pointer at @offset (offsetof(cairnDriver, member)) of
 * @driver's table, as a plain pointer for cairnEntryCheckSupported(). */
static inline const void *
cairnDriverSlot(const cairnDriver *driver, size_t offset)
{
    const void *slot;

    memcpy(&slot, (const char *)driver + offset, sizeof(slot));
    return slot;
}

/* Turn @err into the thread-local last error. Always returns -1, so that
 * entry points can write "return cairnEntryFail(err);". */
int cairnEntryFail(const GError *err);
