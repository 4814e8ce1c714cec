/*
 * qemu_driver.h: the qemu driver (qemu:///embed?root=DIR): real QEMU
 * processes, state under DIR. Its only export is its table.
 */
#pragma once

#include "driver.h"

extern const cairnDriver qemuDriver;
