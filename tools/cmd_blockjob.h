/*
 * cmd_blockjob.h: the command table of cmd_blockjob.c (block jobs).
 */
#pragma once

#include "shell.h"

extern const shellCmdDef blockjobCmds[];
