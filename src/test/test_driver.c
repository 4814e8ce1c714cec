/* test_driver.c: placeholder, being written. */
typedef int cairn_placeholder_test_driver;
