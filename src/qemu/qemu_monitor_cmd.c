/* qemu_monitor_cmd.c: placeholder, being written. */
typedef int cairn_placeholder_qemu_monitor_cmd;
