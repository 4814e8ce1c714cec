/*
 * cmd_blockjob.h: the command table of cmd_blockjob.c (block jobs).
 */
#pragma once

#include "shell.h"

extern const shellCmdDef blockjobCmds[];

/* --bandwidth of @cmd: a number of MiB/s (bytes/s with --bytes), as virsh's
 * blockjob reads it; *@ret_given false when the option is absent. */
bool
blockJobOptBandwidth(shellControl *ctl, const shellCmd *cmd, unsigned long *ret, bool *ret_given);
