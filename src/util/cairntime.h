/*
 * cairntime.h: the wall clock, replaceable by tests.
 */
#pragma once

/* Seconds since the epoch: the real time, or the value set with
 * cairnClockSetFake(). */
long long cairnClockNow(void);

/* Make cairnClockNow() return @now from now on; 0 restores the real clock.
 * For tests. */
void cairnClockSetFake(long long now);
