/*
 * cairnenum.c: the enum <-> string helper (see cairnenum.h).
 */
#include <string.h>

#include "cairnenum.h"


const char *
cairnEnumToString(const char *const *names, size_t count, int value)
{
    if (value < 0 || (size_t)value >= count)
        return NULL;
    return names[value];
}


int
cairnEnumFromString(const char *const *names, size_t count, const char *str)
{
    if (!str)
        return -1;
    for (size_t i = 0; i < count; i++) {
        if (names[i] && strcmp(names[i], str) == 0)
            return (int)i;
    }
    return -1;
}
