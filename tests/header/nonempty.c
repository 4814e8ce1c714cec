/*
 * The translation unit the header checks compile after "-include HEADER"
 * (twice, to check the include guard): ISO C forbids an empty one, which is
 * what a header of macros only would otherwise leave.
 */
typedef int cairnHeaderCheckNonEmpty;
