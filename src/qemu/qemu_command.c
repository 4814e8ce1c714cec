/* qemu_command.c: placeholder, being written. */
typedef int cairn_placeholder_qemu_command;
