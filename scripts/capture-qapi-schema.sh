#!/bin/sh
# capture-qapi-schema.sh: record QEMU's own QAPI schema (the reply to
# query-qmp-schema) as tests/data/qapi-schema/qemu-<major>.<minor>.json.
#
# Usage: scripts/capture-qapi-schema.sh [QEMU_BINARY [OUTPUT_FILE]]
#
# QEMU runs with no machine and no devices, its QMP monitor on stdio; the
# script negotiates capabilities, asks for the schema and quits. The file
# holds the "return" array, one SchemaInfo per line, so that a recapture
# with a newer QEMU diffs readably. Needs jq.
set -eu

qemu=${1:-qemu-system-x86_64}
srcdir=$(cd "$(dirname "$0")/.." && pwd)

command -v "$qemu" >/dev/null 2>&1 || { echo "$0: $qemu not found" >&2; exit 1; }
command -v jq >/dev/null 2>&1 || { echo "$0: jq not found" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

printf '%s\n' \
    '{"execute": "qmp_capabilities"}' \
    '{"execute": "query-version", "id": "version"}' \
    '{"execute": "query-qmp-schema", "id": "schema"}' \
    '{"execute": "quit"}' |
    "$qemu" -machine none -nodefaults -display none -no-user-config \
        -qmp stdio >"$tmp/out" 2>"$tmp/err" || {
    echo "$0: $qemu failed:" >&2
    cat "$tmp/err" >&2
    exit 1
}

# The reply lines carry our ids; events and the greeting do not.
major=$(jq -r 'select(.id == "version") | .return.qemu.major' "$tmp/out")
minor=$(jq -r 'select(.id == "version") | .return.qemu.minor' "$tmp/out")
out=${2:-$srcdir/tests/data/qapi-schema/qemu-$major.$minor.json}

{
    echo '['
    jq -c 'select(.id == "schema") | .return[]' "$tmp/out" | sed '$!s/$/,/'
    echo ']'
} >"$tmp/schema.json"

jq -e 'length > 100' "$tmp/schema.json" >/dev/null || {
    echo "$0: implausible schema reply" >&2
    exit 1
}

mkdir -p "$(dirname "$out")"
mv "$tmp/schema.json" "$out"
echo "$out: $(jq length "$out") schema entries from QEMU $major.$minor"
