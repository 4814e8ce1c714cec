/*
 * cmd_complete.h: the hidden 'complete' command (cmd_complete.c).
 */
#pragma once

#include "shell.h"

extern const shellOptDef opts_complete[];
bool cmdComplete(shellControl *ctl, const shellCmd *cmd);
