/*
 * cairnerror.c: GError helpers and the thread-local last error.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "cairnerror.h"

/* libvirt's message templates: the text shown before a detail. Codes not
 * listed fall back to "%s". */
static const struct {
    int code;
    const char *fmt;
} errorFormats[] = {
    { CAIRN_ERR_INTERNAL_ERROR, "internal error: %s" },
    { CAIRN_ERR_NO_MEMORY, "out of memory: %s" },
    { CAIRN_ERR_NO_SUPPORT, "this function is not supported by the connection driver: %s" },
    { CAIRN_ERR_NO_CONNECT, "no connection driver available for %s" },
    { CAIRN_ERR_INVALID_CONN, "invalid connection pointer in %s" },
    { CAIRN_ERR_INVALID_DOMAIN, "invalid domain pointer in %s" },
    { CAIRN_ERR_INVALID_ARG, "invalid argument: %s" },
    { CAIRN_ERR_OPERATION_FAILED, "operation failed: %s" },
    { CAIRN_ERR_NO_NAME, "missing name information in %s" },
    { CAIRN_ERR_XML_ERROR, "XML error: %s" },
    { CAIRN_ERR_DOM_EXIST, "domain %s exists already" },
    { CAIRN_ERR_OPERATION_DENIED, "operation forbidden: %s" },
    { CAIRN_ERR_OPEN_FAILED, "failed to open configuration file %s" },
    { CAIRN_ERR_READ_FAILED, "failed to read configuration file %s" },
    { CAIRN_ERR_WRITE_FAILED, "failed to write configuration file: %s" },
    { CAIRN_ERR_XML_DETAIL, "%s" },
    { CAIRN_ERR_SYSTEM_ERROR, "%s" },
    { CAIRN_ERR_RPC, "%s" },
    { CAIRN_ERR_NO_DOMAIN, "Domain not found: %s" },
    { CAIRN_ERR_OPERATION_INVALID, "Requested operation is not valid: %s" },
    { CAIRN_ERR_CONFIG_UNSUPPORTED, "unsupported configuration: %s" },
    { CAIRN_ERR_OPERATION_TIMEOUT, "Timed out during operation: %s" },
    { CAIRN_ERR_ARGUMENT_UNSUPPORTED, "argument unsupported: %s" },
    { CAIRN_ERR_OPERATION_ABORTED, "operation aborted: %s" },
    { CAIRN_ERR_OVERFLOW, "numerical overflow: %s" },
    { CAIRN_ERR_OPERATION_UNSUPPORTED, "Operation not supported: %s" },
    { CAIRN_ERR_AGENT_UNRESPONSIVE, "Guest agent is not responding: %s" },
    { CAIRN_ERR_RESOURCE_BUSY, "resource busy: %s" },
    { CAIRN_ERR_ACCESS_DENIED, "access denied: %s" },
    { CAIRN_ERR_XML_INVALID_SCHEMA, "XML document failed to validate against schema: %s" },
    { CAIRN_ERR_INVALID_DOMAIN_CHECKPOINT, "Invalid domain checkpoint: %s" },
    { CAIRN_ERR_NO_DOMAIN_CHECKPOINT, "Domain checkpoint not found: %s" },
    { CAIRN_ERR_NO_DOMAIN_BACKUP, "Domain backup job id not found: %s" },
    { CAIRN_ERR_CHECKPOINT_INCONSISTENT, "checkpoint inconsistent: %s" },
    { CAIRN_ERR_MULTIPLE_DOMAINS, "multiple matching domains found: %s" },
};

/* Error domains are small integers (< 128); one quark each, named after the
 * number, created on first use. */
#define CAIRN_ERROR_FROM_MAX 128

GQuark
cairnErrorQuark(int from)
{
    static GQuark quarks[CAIRN_ERROR_FROM_MAX];
    GQuark q;

    if (from < 0 || from >= CAIRN_ERROR_FROM_MAX)
        from = CAIRN_FROM_NONE;
    q = g_atomic_int_get(&quarks[from]);
    if (q == 0) {
        g_autofree char *name = g_strdup_printf("cairn-error-from-%d", from);
        q = g_quark_from_string(name);
        g_atomic_int_set(&quarks[from], q);
    }
    return q;
}


int
cairnErrorGetFrom(const GError *err)
{
    const char *name;
    int from;

    if (!err)
        return -1;
    name = g_quark_to_string(err->domain);
    if (!name || !g_str_has_prefix(name, "cairn-error-from-"))
        return -1;
    from = atoi(name + strlen("cairn-error-from-"));
    return from;
}


bool
cairnErrorIs(const GError *err, int code)
{
    return err && cairnErrorGetFrom(err) >= 0 && err->code == code;
}


const char *
cairnErrorFormatFor(int code)
{
    for (size_t i = 0; i < G_N_ELEMENTS(errorFormats); i++) {
        if (errorFormats[i].code == code)
            return errorFormats[i].fmt;
    }
    return "%s";
}


static char *
cairnErrorCompose(int code, const char *detail)
{
    const char *fmt = cairnErrorFormatFor(code);
    const char *hole = strstr(fmt, "%s");
    GString *msg = g_string_new(NULL);

    /* Substitute by hand: the template is data, not a format string. */
    g_string_append_len(msg, fmt, hole - fmt);
    g_string_append(msg, detail);
    g_string_append(msg, hole + 2);
    return g_string_free(msg, FALSE);
}


static void G_GNUC_PRINTF(4, 0)
    cairnErrorSetVa(GError **error, int from, int code, const char *fmt, va_list ap)
{
    g_autofree char *detail = NULL;
    g_autofree char *msg = NULL;

    if (!error)
        return;
    detail = g_strdup_vprintf(fmt, ap);
    msg = cairnErrorCompose(code, detail);
    g_set_error_literal(error, cairnErrorQuark(from), code, msg);
}


void
cairnErrorSet(GError **error, int from, int code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    cairnErrorSetVa(error, from, code, fmt, ap);
    va_end(ap);
}


void
cairnErrorSetRaw(GError **error, int from, int code, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    if (!error)
        return;
    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error_literal(error, cairnErrorQuark(from), code, msg);
}


void
cairnErrorSetErrno(GError **error, int from, int errnum, const char *fmt, ...)
{
    g_autofree char *detail = NULL;
    va_list ap;

    if (!error)
        return;
    va_start(ap, fmt);
    detail = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(error, cairnErrorQuark(from), CAIRN_ERR_SYSTEM_ERROR, "%s: %s", detail,
                g_strerror(errnum));
}


void
cairnErrorSetFlags(GError **error, int from, unsigned int flags, const char *func)
{
    cairnErrorSet(error, from, CAIRN_ERR_INVALID_ARG, "unsupported flags (0x%x) in function %s",
                  flags, func);
}


bool
cairnCheckFlags(unsigned int flags, unsigned int known, int from, const char *func, GError **error)
{
    if (flags & ~known) {
        cairnErrorSetFlags(error, from, flags & ~known, func);
        return false;
    }
    return true;
}


/* ---- the thread-local last error ---- */

static void
cairnLastErrorFree(gpointer data)
{
    cairnError *err = data;

    cairnResetError(err);
    g_free(err);
}

static GPrivate lastErrorKey = G_PRIVATE_INIT(cairnLastErrorFree);

static cairnError *
cairnLastErrorGetSlot(void)
{
    cairnError *err = g_private_get(&lastErrorKey);

    if (!err) {
        err = g_new0(cairnError, 1);
        g_private_set(&lastErrorKey, err);
    }
    return err;
}


void
cairnErrorSetLastRaw(int from, int code, const char *message)
{
    cairnError *err = cairnLastErrorGetSlot();
    char *copy = g_strdup(message ? message : "unknown error");

    g_free(err->message);
    err->message = copy;
    err->code = code;
    err->domain = from;
    err->level = CAIRN_ERR_ERROR;
}


void
cairnErrorSetLast(const GError *gerr)
{
    int from;

    if (!gerr) {
        cairnErrorSetLastRaw(CAIRN_FROM_NONE, CAIRN_ERR_INTERNAL_ERROR,
                             "internal error: unexpected failure with no error reported");
        return;
    }
    from = cairnErrorGetFrom(gerr);
    if (from < 0) {
        /* A foreign GError (GLib, GIO): keep its text, mark it internal. */
        g_autofree char *msg = cairnErrorCompose(CAIRN_ERR_INTERNAL_ERROR, gerr->message);
        cairnErrorSetLastRaw(CAIRN_FROM_NONE, CAIRN_ERR_INTERNAL_ERROR, msg);
        return;
    }
    cairnErrorSetLastRaw(from, gerr->code, gerr->message);
}


void
cairnErrorReportLast(int from, int code, const char *fmt, ...)
{
    g_autoptr(GError) err = NULL;
    va_list ap;

    va_start(ap, fmt);
    cairnErrorSetVa(&err, from, code, fmt, ap);
    va_end(ap);
    cairnErrorSetLast(err);
}


cairnErrorPtr
cairnGetLastError(void)
{
    cairnError *err = g_private_get(&lastErrorKey);

    if (!err || err->code == CAIRN_ERR_OK)
        return NULL;
    return err;
}


void
cairnResetLastError(void)
{
    cairnError *err = g_private_get(&lastErrorKey);

    if (err)
        cairnResetError(err);
}


int
cairnGetLastErrorCode(void)
{
    cairnError *err = cairnGetLastError();

    return err ? err->code : CAIRN_ERR_OK;
}


int
cairnGetLastErrorDomain(void)
{
    cairnError *err = cairnGetLastError();

    return err ? err->domain : CAIRN_FROM_NONE;
}


const char *
cairnGetLastErrorMessage(void)
{
    cairnError *err = cairnGetLastError();

    return err && err->message ? err->message : "no error";
}


int
cairnCopyLastError(cairnErrorPtr to)
{
    cairnError *err = cairnGetLastError();

    if (!to)
        return -1;
    cairnResetError(to);
    if (!err)
        return 0;
    to->code = err->code;
    to->domain = err->domain;
    to->level = err->level;
    to->message = g_strdup(err->message);
    return to->code;
}


cairnErrorPtr
cairnSaveLastError(void)
{
    cairnError *copy = g_new0(cairnError, 1);

    cairnCopyLastError(copy);
    return copy;
}


void
cairnResetError(cairnErrorPtr err)
{
    if (!err)
        return;
    g_clear_pointer(&err->message, g_free);
    err->code = CAIRN_ERR_OK;
    err->domain = CAIRN_FROM_NONE;
    err->level = CAIRN_ERR_NONE;
}


void
cairnFreeError(cairnErrorPtr err)
{
    cairnResetError(err);
    g_free(err);
}
