#!/bin/sh
# run-libfuzzer.sh FUZZER SEED_CORPUS DICT ARTIFACT_DIR
#
# A bounded libFuzzer run for 'meson test --suite fuzz' in a -Dfuzzing=true
# build: CAIRN_FUZZ_SECONDS seconds (default 30), new inputs in a scratch
# directory (the seed corpus in the source tree is only read), crashes kept
# in ARTIFACT_DIR.
set -eu
fuzzer=$1
seeds=$2
dict=$3
artifacts=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
mkdir -p "$artifacts"
"$fuzzer" -max_total_time="${CAIRN_FUZZ_SECONDS:-30}" -timeout=10 -rss_limit_mb=2048 \
    -max_len=65536 -dict="$dict" -artifact_prefix="$artifacts/" -print_final_stats=1 \
    "$work" "$seeds"
