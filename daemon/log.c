/*
 * log.c: the daemon's log writer (see log.h).
 */
#include <unistd.h>

#include "log.h"

static GLogLevelFlags cairndLogLevel = G_LOG_LEVEL_INFO;

static const struct {
    const char *name;
    GLogLevelFlags level;
} cairndLogLevels[] = {
    { "error", G_LOG_LEVEL_CRITICAL },
    { "warning", G_LOG_LEVEL_WARNING },
    { "info", G_LOG_LEVEL_INFO },
    { "debug", G_LOG_LEVEL_DEBUG },
};


bool
cairndLogParseLevel(const char *name, GLogLevelFlags *ret_level)
{
    for (size_t i = 0; i < G_N_ELEMENTS(cairndLogLevels); i++) {
        if (g_str_equal(name, cairndLogLevels[i].name)) {
            *ret_level = cairndLogLevels[i].level;
            return true;
        }
    }
    return false;
}


/* GLib's levels run from ERROR (1 << 2) to DEBUG (1 << 7): a message is
 * kept when its bit is not above the threshold's. MESSAGE ranks with
 * INFO's neighbours, as GLib orders them. */
static GLogWriterOutput
cairndLogWriter(GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer opaque)
{
    GLogLevelFlags bit = level & G_LOG_LEVEL_MASK;

    if (bit > cairndLogLevel)
        return G_LOG_WRITER_HANDLED;
    if (g_log_writer_is_journald(STDERR_FILENO) &&
        g_log_writer_journald(level, fields, n_fields, opaque) == G_LOG_WRITER_HANDLED)
        return G_LOG_WRITER_HANDLED;
    return g_log_writer_standard_streams(level, fields, n_fields, opaque);
}


void
cairndLogInit(GLogLevelFlags level)
{
    cairndLogLevel = level;
    g_log_writer_default_set_use_stderr(TRUE);
    g_log_set_writer_func(cairndLogWriter, NULL, NULL);
}
