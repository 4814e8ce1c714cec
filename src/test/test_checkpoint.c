/* test_checkpoint.c: placeholder, being written. */
typedef int cairn_placeholder_test_checkpoint;
