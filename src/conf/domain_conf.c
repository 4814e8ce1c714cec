/* domain_conf.c: placeholder, being written. */
typedef int cairn_placeholder_domain_conf;
