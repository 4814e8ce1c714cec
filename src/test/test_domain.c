/* test_domain.c: placeholder, being written. */
typedef int cairn_placeholder_test_domain;
