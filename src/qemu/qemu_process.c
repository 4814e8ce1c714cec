/* qemu_process.c: placeholder, being written. */
typedef int cairn_placeholder_qemu_process;
