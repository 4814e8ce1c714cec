/*
 * cmd_backup.h: the command tables of cmd_backup.c (backups and jobs) and
 * cmd_event.c (events).
 */
#pragma once

#include "shell.h"

extern const shellCmdDef backupCmds[];
extern const shellCmdDef eventCmds[];
