/*
 * cairnkvm.h: is KVM usable here?
 *
 * KVM is usable only when its device is a character device that opens
 * read-write and answers the KVM_GET_API_VERSION ioctl with the stable API
 * version (12). Anything less is "not available": a missing device, a
 * plain file where the device should be (a careless `exec 3<>/dev/kvm` in
 * a shell creates one), a device node without the module behind it, or one
 * this user may not open. The probe never creates the path.
 *
 * Every C probe of the tree goes through here (the qemu driver before it
 * starts a type='kvm' domain, tests choosing a virt type); shell scripts
 * use scripts/kvm.sh, which runs the same checks.
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

/* The device every probe checks unless told otherwise. */
#define CAIRN_KVM_DEVICE "/dev/kvm"

/* The API version every KVM since Linux 2.6.22 reports. */
#define CAIRN_KVM_API_VERSION 12

/* True if @path is a usable KVM device (see the top of the file).
 * Otherwise false, with an error (CAIRN_ERR_CONFIG_UNSUPPORTED, no
 * prefix) whose message says what @path is instead, e.g.
 * "/dev/kvm: not a character device". */
bool cairnKvmProbe(const char *path, GError **error);

/* cairnKvmProbe(CAIRN_KVM_DEVICE) with the reason dropped. */
bool cairnKvmAvailable(void);
