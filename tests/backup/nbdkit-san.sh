#!/bin/sh
# nbdkit-san.sh -- nbdkit for the sanitized test builds ($CAIRN_BACKUP_NBDKIT).
# Our nbdkit plugin is built with ASan and UBSan there, and nbdkit (not
# instrumented) can only load it when the sanitizer runtimes are loaded
# first ("ASan runtime does not come first in initial library list"). Leak
# checking is off for nbdkit's own process: its exit is not ours to judge.
rt=''
for lib in libasan.so libubsan.so; do
    p=$(${CC:-cc} -print-file-name=$lib 2>/dev/null)
    [ -f "$p" ] && rt="$rt${rt:+ }$p"
done
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" LD_PRELOAD="$rt" exec nbdkit "$@"
