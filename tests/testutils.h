/*
 * testutils.h: helpers shared by the unit tests.
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

/* Exit status meaning "skipped" for meson. */
#define CAIRN_TEST_SKIP 77

/* Read a whole file; NULL (and a message on stderr) on failure. */
char *cairnTestReadFile(const char *path);

/* Compare @actual with the file @expected_path. With
 * CAIRN_TEST_REGENERATE_OUTPUT=1 in the environment the file is rewritten
 * instead and the comparison passes. On mismatch a unified-style diff hint
 * is printed to stderr and false returned. */
bool cairnTestCompareToFile(const char *actual, const char *expected_path);

/* Path of a file under the source tree's tests/ directory (abs_srcdir). */
char *cairnTestSrcPath(const char *rel);

/* The libvirt conformance directory, or NULL when absent. */
const char *cairnTestConformanceDir(void);

/* The directory holding libvirt's RNG schemas, or NULL when absent. */
const char *cairnTestSchemaDir(void);

/* Validate @xml against the RNG schema @rng_name (e.g.
 * "domaincheckpoint.rng") from cairnTestSchemaDir() using libxml2's
 * RelaxNG support (the same engine as xmllint --relaxng). Returns true if
 * valid; prints the validation errors otherwise. */
bool cairnTestValidateRNG(const char *xml, const char *rng_name);

/* The URI the API tests open: $CAIRN_TEST_URI (the daemon suite runs them
 * through cairnd with test+unix:///default?socket=...), else
 * test:///default. */
const char *cairnTestURI(void);
