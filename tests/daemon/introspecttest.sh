#!/bin/sh
# introspecttest.sh CAIRND: `gdbus introspect --address unix:path=...`
# shows the org.cairn.Cairn1 interface with every method of
# cairn-remote.xml and the DomainEvent signal. Skips (77) without gdbus.
set -u
cairnd=$1
xml=$2
command -v gdbus >/dev/null 2>&1 || { echo "skip: no gdbus (libglib2.0-bin)"; exit 77; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/cairnd-introspect-XXXXXX")
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$dir"
}
trap cleanup EXIT

"$cairnd" --test --socket "$dir/sock" 2>"$dir/log" &
pid=$!
i=0
while [ ! -S "$dir/sock" ] && [ $i -lt 500 ]; do sleep 0.02; i=$((i + 1)); done
gdbus introspect --address "unix:path=$dir/sock" --dest org.cairn.Cairn1 \
    --object-path /org/cairn/Cairn1 >"$dir/out" || { cat "$dir/log"; exit 1; }
grep -q "interface org.cairn.Cairn1" "$dir/out" || { echo "FAIL: no interface"; exit 1; }
for m in $(sed -n 's/.*<method name="\([A-Za-z]*\)".*/\1/p' "$xml") DomainEvent; do
    grep -q "  $m(" "$dir/out" || grep -q " $m(" "$dir/out" || { echo "FAIL: $m missing"; cat "$dir/out"; exit 1; }
done
echo "introspect: ok ($(grep -c '(' "$dir/out") members)"
