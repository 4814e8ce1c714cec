/*
 * domain_blockjob.h: what the in-process drivers share for block jobs
 * (cairnDomainBlockPull and friends): the disk lookup and errors in
 * libvirt's words, and the BLOCK_JOB / BLOCK_JOB_2 events of a job's end.
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "conf/domain_conf.h"
#include "datatypes.h"

/* The disk @name (target or source path) of @def; CAIRN_ERR_INVALID_ARG
 * "disk '@name' not found in domain" otherwise. */
cairnDomainDiskDef *
cairnBlockJobFindDisk(const cairnDomainDef *def, const char *name, GError **error);

/* CAIRN_ERR_OPERATION_INVALID "disk '@dst' already in active block job". */
void cairnBlockJobErrorBusy(const char *dst, GError **error);

/* CAIRN_ERR_OPERATION_INVALID "disk @dst does not have an active block job". */
void cairnBlockJobErrorNone(const char *dst, GError **error);

/* Emit BLOCK_JOB (source path) and BLOCK_JOB_2 (target) for the end of a
 * job of @type on @disk with @status (cairnConnectDomainEventBlockStatus)
 * to @conn's callbacks (nothing when @conn is NULL). */
void cairnBlockJobEmit(cairnConnect *conn,
                       const cairnDomainDef *def,
                       int id,
                       const cairnDomainDiskDef *disk,
                       int type,
                       int status);
