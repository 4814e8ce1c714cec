#!/usr/bin/env bash
# make demo: a scripted checkpoint tour with the cairn CLI on test:///default.
#
# The test driver keeps its state for one connection only, so the whole tour
# is one cairn invocation whose commands are separated by ';', as virsh
# allows; `echo` lines (a virsh command too) say what each step shows.
#
# usage: scripts/demo.sh            (CAIRN=path/to/cairn, default build/tools/cairn)
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
cairn=${CAIRN:-$here/build/tools/cairn}
uri=${CAIRN_DEMO_URI:-test:///default}

if [ ! -x "$cairn" ]; then
    echo "demo: $cairn not built yet (make build)" >&2
    exit 1
fi

# One step per line: "# text" is narration, anything else a cairn command.
steps=$(cat <<'EOF'
# The test driver has one running domain, 'test', with one disk, vda.
list --all
domblklist test
# Three checkpoints. Each new one becomes the child of the current one.
checkpoint-create-as test c1 --description "before the upgrade"
checkpoint-create-as test c2
checkpoint-create-as test c3
# Print the XML a checkpoint-create-as would use, without creating anything.
checkpoint-create-as test c9 "not created" --diskspec vda,checkpoint=bitmap,bitmap=b9 --print-xml
# The chain c1 -> c2 -> c3, as a tree and as a table with parents.
checkpoint-list test --tree
checkpoint-list test --parent
checkpoint-list test --name --topological
# The XML of one checkpoint (without the embedded domain definition), its details.
checkpoint-dumpxml test c2 --no-domain
checkpoint-info test c2
checkpoint-parent test c3
# Drop everything below c2, the next checkpoint grows from c2 again.
checkpoint-delete test c2 --children-only
checkpoint-create-as test c4
checkpoint-list test --tree
# Errors read as in virsh: a duplicate name, an unknown checkpoint.
checkpoint-create-as test c1
checkpoint-info test nosuch
# Deleting c1 re-parents its children, --children removes a whole subtree.
checkpoint-delete test c1
checkpoint-list test --roots --name
checkpoint-delete test c2 --children
checkpoint-list test --name
list --with-checkpoint --name
EOF
)

# Build one ';'-separated command string. Narration becomes an `echo` whose
# text is single-quoted (so its words are not taken for options); commands
# are echoed before they run, prefixed "cairn # ".
script=
while IFS= read -r line; do
    [ -n "$line" ] || continue
    case $line in
        "# "*) line=${line#\# }; cmd="echo '=== ${line//\'/} ==='" ;;
        *) cmd="echo 'cairn # ${line//\'/}'; $line" ;;
    esac
    script+="${script:+ ; }$cmd"
done <<<"$steps"

echo "\$ cairn -c $uri '<the commands below>'"
echo
out=$(mktemp)
trap 'rm -f "$out"' EXIT
# Two commands fail on purpose; whether cairn then exits 0 or 1 follows
# virsh (status of the last command); anything else is a crash.
set +e
"$cairn" -c "$uri" "$script" 2>&1 | tee "$out"
status=${PIPESTATUS[0]}
set -e
if [ "$status" -gt 1 ]; then
    echo "demo: cairn exited with status $status" >&2
    exit 1
fi
# The tour must have done its main steps.
for want in "Domain checkpoint c3 created" "+- c3" "<name>c2</name>" \
            "Domain checkpoint c2 children deleted" "Domain checkpoint c1 deleted"; do
    if ! grep -qF -- "$want" "$out"; then
        echo "demo: expected output missing: $want" >&2
        exit 1
    fi
done
echo "demo: done"
