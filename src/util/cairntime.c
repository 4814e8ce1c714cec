/*
 * cairntime.c: the wall clock, replaceable by tests.
 */
#include <glib.h>
#include <stdatomic.h>

#include "cairntime.h"

static _Atomic long long fakeNow;

long long
cairnClockNow(void)
{
    long long fake = atomic_load(&fakeNow);

    if (fake)
        return fake;
    return g_get_real_time() / G_USEC_PER_SEC;
}


void
cairnClockSetFake(long long now)
{
    atomic_store(&fakeNow, now);
}
