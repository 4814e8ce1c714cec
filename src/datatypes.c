/* datatypes.c: placeholder, being written. */
typedef int cairn_placeholder_datatypes;
