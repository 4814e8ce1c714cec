/*
 * cairnerror.h: errors inside the library.
 *
 * Inside the library errors travel as GError (QEMU's error.h rules: the
 * GError ** argument comes last, a failing function sets exactly one error
 * and says so in its return value, a succeeding one sets none). The GError
 * code is the public cairnErrorNumber; the GError domain quark encodes the
 * public cairnErrorDomain (one quark per error domain, see
 * cairnErrorQuark()). Public entry points turn a GError into the
 * thread-local last error with cairnErrorSetLast().
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "cairn/cairn-error.h"

/* The quark for errors raised in public error domain @from. */
GQuark cairnErrorQuark(int from);

/* The public error domain of @err, or -1 if @err is not a Cairn error. */
int cairnErrorGetFrom(const GError *err);

/* True if @err is a Cairn error with number @code. */
bool cairnErrorIs(const GError *err, int code);

/* Set *@error (if @error is not NULL) to a Cairn error from @from with
 * @code. The message is libvirt's prefix for @code followed by the
 * formatted detail, e.g. "invalid argument: name must not be NULL". */
void cairnErrorSet(GError **error, int from, int code, const char *fmt, ...) G_GNUC_PRINTF(4, 5);

/* As cairnErrorSet() but the formatted text is the whole message, with no
 * prefix (libvirt's argument-check errors look like that). */
void cairnErrorSetRaw(GError **error, int from, int code, const char *fmt, ...) G_GNUC_PRINTF(4, 5);

/* As cairnErrorSet() for a failed system call with @errnum; the message is
 * "DETAIL: strerror(errnum)" (code CAIRN_ERR_SYSTEM_ERROR). */
void cairnErrorSetErrno(GError **error, int from, int errnum, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);

/* "unsupported flags (0x%x) in function FUNC" */
void cairnErrorSetFlags(GError **error, int from, unsigned int flags, const char *func);

/* Check that @flags only has bits of @known; otherwise set an
 * unsupported-flags error naming @func and return false. */
bool
cairnCheckFlags(unsigned int flags, unsigned int known, int from, const char *func, GError **error);

/* The message prefix libvirt uses for @code with a detail (without the
 * detail), e.g. "invalid argument: %s". */
const char *cairnErrorFormatFor(int code);

/* The thread-local last error (public side). */
void cairnErrorSetLast(const GError *err);
void cairnErrorSetLastRaw(int from, int code, const char *message);
void cairnErrorReportLast(int from, int code, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
