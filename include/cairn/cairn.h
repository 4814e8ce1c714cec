/*
 * cairn.h: the one header users include.
 *
 * Cairn: checkpoints and incremental backups for QEMU/KVM virtual machines,
 * with libvirt's checkpoint and backup API under the cairn prefix.
 */
#ifndef CAIRN_H
#define CAIRN_H

#include <cairn/cairn-common.h>
#include <cairn/cairn-version.h>
#include <cairn/cairn-error.h>
#include <cairn/cairn-host.h>
#include <cairn/cairn-domain.h>
#include <cairn/cairn-domain-checkpoint.h>
#include <cairn/cairn-typedparams.h>
#include <cairn/cairn-domain-job.h>
#include <cairn/cairn-domain-backup.h>
#include <cairn/cairn-event.h>
#include <cairn/cairn-qemu.h>

#endif /* CAIRN_H */
