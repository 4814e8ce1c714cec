/* libcairn-domain-checkpoint.c: placeholder, being written. */
typedef int cairn_placeholder_libcairn_domain_checkpoint;
