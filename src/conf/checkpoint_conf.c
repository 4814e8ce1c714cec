/* checkpoint_conf.c: placeholder, being written. */
typedef int cairn_placeholder_checkpoint_conf;
