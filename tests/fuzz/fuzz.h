/*
 * fuzz.h: what every fuzz target provides. A target is built twice: with
 * fuzzmain.c into a standalone program (a short bounded run in suite
 * 'fuzz'), and with libFuzzer's main when meson option fuzzing is on.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Run one input; abort() on a broken invariant. Returns 0. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
