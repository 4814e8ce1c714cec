#!/bin/sh
# Validate every <domaincheckpoint> document found in the given CLI
# transcripts against libvirt's domaincheckpoint.rng with xmllint.
# Exit 77 (skip) without xmllint or the schema.

schema="${CAIRN_SCHEMA_DIR:-/usr/share/libvirt/schemas}/domaincheckpoint.rng"
command -v xmllint >/dev/null 2>&1 || { echo "xmllint not found"; exit 77; }
test -f "$schema" || { echo "$schema not found"; exit 77; }

tmpdir=$(mktemp -d) || exit 1
trap 'rm -rf "$tmpdir"' EXIT

for out in "$@"; do
    # Documents start at a line "<domaincheckpoint>" and end at the line
    # "</domaincheckpoint>"; --xpath output never starts that way.
    awk -v dir="$tmpdir" -v base="$(basename "$out" .out)" '
        /^<domaincheckpoint>$/ { n++; file = sprintf("%s/%s-%03d.xml", dir, base, n) }
        file != "" { print > file }
        /^<\/domaincheckpoint>$/ { close(file); file = "" }
    ' "$out" || exit 1
done

count=0
fail=0
for doc in "$tmpdir"/*.xml; do
    test -f "$doc" || continue
    count=$((count + 1))
    if ! xmllint --noout --relaxng "$schema" "$doc" 2>"$tmpdir/err"; then
        echo "INVALID: $(basename "$doc")"
        cat "$doc" "$tmpdir/err"
        fail=1
    fi
done
echo "$count checkpoint documents checked"
test "$count" -gt 0 || { echo "no documents found"; exit 1; }
exit $fail
