/* qemu_driver.c: placeholder, being written. */
typedef int cairn_placeholder_qemu_driver;
