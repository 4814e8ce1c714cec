/* qemu_status.c: placeholder, being written. */
typedef int cairn_placeholder_qemu_status;
