/*
 * cairnenum.h: the one enum <-> string helper.
 *
 * An enum's names are a table indexed by value and sized by the enum's
 * _LAST sentinel (a G_STATIC_ASSERT beside the table checks it):
 *
 *   static const char *const fooNames[] = {
 *       [FOO_DEFAULT] = NULL,
 *       [FOO_BAR] = "bar",
 *   };
 *   G_STATIC_ASSERT(G_N_ELEMENTS(fooNames) == FOO_LAST);
 *
 *   cairnEnumToString(fooNames, G_N_ELEMENTS(fooNames), FOO_BAR)   -> "bar"
 *   cairnEnumFromString(fooNames, G_N_ELEMENTS(fooNames), "bar")   -> FOO_BAR
 *
 * A NULL entry is a value without a name (typically the default, written
 * by leaving an attribute out): it is never printed and never matched.
 * Glib only, so that the CLI, which uses the public API alone, compiles it
 * too.
 */
#pragma once

#include <stddef.h>

/* The name of @value, or NULL when @value is outside the table or has no
 * name. */
const char *cairnEnumToString(const char *const *names, size_t count, int value);

/* The value named @str (exact match), or -1 when no entry is named so or
 * @str is NULL. */
int cairnEnumFromString(const char *const *names, size_t count, const char *str);
