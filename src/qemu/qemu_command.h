/*
 * qemu_command.h: the QEMU command line for a domain definition.
 *
 * Pure: builds strings, touches no file and starts nothing, so every
 * choice it makes (aliases, node names, -blockdev/-device JSON) can be
 * tested without QEMU.
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "conf/domain_conf.h"
#include "qemu_status.h"

typedef struct _qemuCommandParams qemuCommandParams;
struct _qemuCommandParams {
    const char *emulator;   /* the QEMU binary */
    bool kvm;               /* accel=kvm, else accel=tcg */
    const char *qmp_path;   /* the QMP socket to listen on */
    const char *pid_path;   /* the pidfile QEMU writes */
    const char *agent_path; /* the guest agent's socket when its <channel> names
                               none (qemuDomainAgentPath()) */
    GHashTable *backing;    /* disk target -> GPtrArray of qemuBlockLayer* (unnamed), the
                             layers below the image, opened as explicit nodes; a disk
                             not in it (or NULL) leaves its backing to QEMU */
};

/* Check that @def is something this driver can run: x86_64 hvm, disks on
 * the virtio or ide bus, no virtio cdrom, file disks only, channels with a
 * source path (the guest agent's may leave it to the driver). Otherwise
 * CAIRN_ERR_CONFIG_UNSUPPORTED (from CAIRN_FROM_QEMU) naming the
 * problem. */
bool qemuCommandValidate(const cairnDomainDef *def, GError **error);

/* The -device id libvirt gives the disk: "virtio-disk<N>" on virtio,
 * "ide0-<bus>-<unit>" on ide, where N is the target's index (vda 0, vdb 1,
 * ..., vdaa 26). NULL when @disk->dst has no index. */
char *qemuCommandDiskAlias(const cairnDomainDiskDef *disk);

/* The index of target @dst ("vdb" -> 1), or -1. */
int qemuCommandDiskIndex(const char *dst);

/* QEMU's option syntax: a comma inside a value is written twice. */
char *qemuCommandEscapeComma(const char *str);

/* Channels: one virtio-serial-pci controller (virtio-serial0) when there
 * is a channel, and per channel N (0, 1, ... in document order) a
 * listening socket chardev "charchannelN" and a virtserialport "channelN"
 * (nr=N+1) named after the channel's target, as libvirt lays them out.

   Build the argument vector (emulator first; NULL-terminated, for
 * g_subprocess_newv()) and record the per-disk aliases and node names
 * (cairn-N-storage, cairn-N-format, N counting disks with media from 1)
 * into @st->disks, which must be empty. Runs qemuCommandValidate() first. */
GStrv qemuCommandBuild(const cairnDomainDef *def,
                       const qemuCommandParams *params,
                       qemuDomainStatus *st,
                       GError **error);
