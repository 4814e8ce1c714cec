# scripts/kvm.sh -- is KVM usable here? The shell side of
# src/util/cairnkvm.c, for every script of the tree. Sourced, never run:
#
#   . "$top/scripts/kvm.sh"
#   virt=$(kvm_virt_type)
#
# KVM is usable only when the device is a character device that opens
# read-write and answers the KVM_GET_API_VERSION ioctl with 12. A shell
# redirection cannot probe that without risk: opening a missing path for
# writing (`<>`, `>`) creates it as a plain file, which then fools every
# later probe and makes QEMU fail with "failed to initialize kvm". So no
# redirection here names the device (scripts/check-kvm-probes.py refuses
# one anywhere in the tree); python3, which meson needs anyway, opens it
# without O_CREAT and asks the ioctl.

# kvm_usable [DEVICE]: true when DEVICE (default /dev/kvm) is a usable KVM
# device. Creates nothing.
kvm_usable() {
    local dev=${1:-/dev/kvm}

    [ -c "$dev" ] && [ -r "$dev" ] && [ -w "$dev" ] || return 1
    command -v python3 >/dev/null || return 1
    python3 - "$dev" 2>/dev/null <<'PY'
import fcntl
import os
import sys

KVM_GET_API_VERSION = 0xAE00  # _IO(KVMIO, 0x00)
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CLOEXEC | os.O_NOCTTY)
sys.exit(0 if fcntl.ioctl(fd, KVM_GET_API_VERSION) == 12 else 1)
PY
}

# kvm_virt_type [DEVICE]: the domain type to use, "kvm" when kvm_usable,
# else "qemu" (TCG).
kvm_virt_type() {
    if kvm_usable "$@"; then echo kvm; else echo qemu; fi
}
