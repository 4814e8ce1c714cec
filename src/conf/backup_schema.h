/*
 * backup_schema.h: what libvirt's domainbackup.rng enforces on public
 * <domainbackup> input, checked in code (no schema copy in the tree).
 * Used by backup_conf.c only.
 */
#pragma once

#include <stdbool.h>
#include <glib.h>
#include <libxml/tree.h>

#define CAIRN_BACKUP_SCHEMA "domainbackup.rng"

/* Check the document rooted at @root. On a violation sets
 * CAIRN_ERR_XML_INVALID_SCHEMA in CAIRN_FROM_DOMAIN: "Unable to validate
 * doc against domainbackup.rng" plus a line naming the problem. */
bool cairnBackupSchemaCheck(const xmlNode *root, GError **error);
