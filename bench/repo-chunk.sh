#!/bin/bash
# Chunk throughput of the repository library (src/repo/): put from 1 and 2
# threads at zstd levels 1 and 3, then read back; plain and encrypted.
# Results: bench/README.md, "Repository chunks".
set -e
BUILD=${BUILD:-build}
nice "$BUILD/bench/repo-chunk-bench" "$@"
nice "$BUILD/bench/repo-chunk-bench" --encrypt "$@"
