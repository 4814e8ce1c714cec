/* qemu_monitor.c: placeholder, being written. */
typedef int cairn_placeholder_qemu_monitor;
