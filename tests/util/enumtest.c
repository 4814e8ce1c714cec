/*
 * enumtest.c: the enum <-> string helper (util/cairnenum.h): names by
 * value and values by name, values without a name, out-of-range values,
 * NULL and near-miss strings.
 */
#include <glib.h>

#include "util/cairnenum.h"

typedef enum {
    COLOUR_DEFAULT = 0,
    COLOUR_RED,
    COLOUR_GREEN,
    COLOUR_UNNAMED,
    COLOUR_BLUE,
    COLOUR_LAST
} colour;

static const char *const colourNames[] = {
    [COLOUR_DEFAULT] = NULL, [COLOUR_RED] = "red",   [COLOUR_GREEN] = "green",
    [COLOUR_UNNAMED] = NULL, [COLOUR_BLUE] = "blue",
};
G_STATIC_ASSERT(G_N_ELEMENTS(colourNames) == COLOUR_LAST);

#define N G_N_ELEMENTS(colourNames)


static void
testToString(void)
{
    g_assert_cmpstr(cairnEnumToString(colourNames, N, COLOUR_RED), ==, "red");
    g_assert_cmpstr(cairnEnumToString(colourNames, N, COLOUR_GREEN), ==, "green");
    g_assert_cmpstr(cairnEnumToString(colourNames, N, COLOUR_BLUE), ==, "blue");
    /* Values without a name, and values outside the table. */
    g_assert_null(cairnEnumToString(colourNames, N, COLOUR_DEFAULT));
    g_assert_null(cairnEnumToString(colourNames, N, COLOUR_UNNAMED));
    g_assert_null(cairnEnumToString(colourNames, N, COLOUR_LAST));
    g_assert_null(cairnEnumToString(colourNames, N, -1));
    g_assert_null(cairnEnumToString(colourNames, N, G_MININT));
    g_assert_null(cairnEnumToString(colourNames, N, G_MAXINT));
    g_assert_null(cairnEnumToString(colourNames, 0, COLOUR_RED));
}


static void
testFromString(void)
{
    g_assert_cmpint(cairnEnumFromString(colourNames, N, "red"), ==, COLOUR_RED);
    g_assert_cmpint(cairnEnumFromString(colourNames, N, "green"), ==, COLOUR_GREEN);
    g_assert_cmpint(cairnEnumFromString(colourNames, N, "blue"), ==, COLOUR_BLUE);
    /* Exact matches only; NULL entries never match. */
    g_assert_cmpint(cairnEnumFromString(colourNames, N, "Red"), ==, -1);
    g_assert_cmpint(cairnEnumFromString(colourNames, N, "red "), ==, -1);
    g_assert_cmpint(cairnEnumFromString(colourNames, N, "re"), ==, -1);
    g_assert_cmpint(cairnEnumFromString(colourNames, N, ""), ==, -1);
    g_assert_cmpint(cairnEnumFromString(colourNames, N, NULL), ==, -1);
    /* Only the first @count entries are looked at. */
    g_assert_cmpint(cairnEnumFromString(colourNames, COLOUR_BLUE, "blue"), ==, -1);
}


/* Every name maps back to its value. */
static void
testRoundTrip(void)
{
    for (int v = 0; v < COLOUR_LAST; v++) {
        const char *name = cairnEnumToString(colourNames, N, v);

        if (name)
            g_assert_cmpint(cairnEnumFromString(colourNames, N, name), ==, v);
    }
}


int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/util/enum/to-string", testToString);
    g_test_add_func("/util/enum/from-string", testFromString);
    g_test_add_func("/util/enum/round-trip", testRoundTrip);
    return g_test_run();
}
