/* moment_tree.c: placeholder, being written. */
typedef int cairn_placeholder_moment_tree;
