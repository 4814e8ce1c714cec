/*
 * test_driver.h: the in-memory test driver, URI test:///default.
 */
#pragma once

#include "driver.h"

extern const cairnDriver testDriver;
