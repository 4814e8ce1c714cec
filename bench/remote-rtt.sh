#!/bin/sh
# remote-rtt.sh: API round trips (dominfo x N, checkpoint-dumpxml x N, one
# process) embedded and through cairnd (test driver), and cairnd's RSS.
# libvirtd's figure for comparison is taken by hand (see bench/README.md).
set -eu
BUILD=${BUILD:-build}
N=${N:-1000}
dir=$(mktemp -d)
"$BUILD/daemon/cairnd" --test --socket "$dir/sock" 2>/dev/null &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$dir"' EXIT
while [ ! -S "$dir/sock" ]; do sleep 0.02; done
echo "# embedded test:///default"
"$BUILD/bench/remote-rtt" test:///default "$N"
echo "# through cairnd --test"
"$BUILD/bench/remote-rtt" "test+unix:///default?socket=$dir/sock" "$N"
echo "# cairnd $(grep VmRSS /proc/$pid/status)"
