#!/bin/bash
# completiontest.sh: the bash completion of cairn and cairn-backup
# (tools/bash-completion/), sourced into bash and asked for the
# completions of a few command lines against test:///default, once with
# Debian's bash-completion loaded (its _get_comp_words_by_ref) and once
# without it.
#
# Usage: completiontest.sh SRCDIR/tools/bash-completion BUILDDIR/tools
set -u
compdir=$1
tooldir=$2
export PATH="$tooldir:$PATH"
fail=0

run() { # MODE: "bash-completion" or "plain"
    bash --norc --noprofile -s "$1" "$compdir" <<'SCRIPT'
set -u
mode=$1
if [ "$mode" = bash-completion ]; then
    if [ ! -r /usr/share/bash-completion/bash_completion ]; then
        echo "SKIP bash-completion is not installed"
        exit 0
    fi
    . /usr/share/bash-completion/bash_completion
fi
. "$2/cairn"
. "$2/cairn-backup"
fail=0

# check FUNCTION "EXPECTED" WORD... : the completions of the last WORD.
check() {
    local fn=$1 expected=$2 got
    shift 2
    COMP_WORDS=("$@")
    COMP_CWORD=$(($# - 1))
    COMP_LINE="$*"
    COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    "$fn"
    got="${COMPREPLY[*]}"
    if [ "$got" = "$expected" ]; then
        echo "ok   [$mode] $*|"
    else
        echo "FAIL [$mode] $*|: expected '$expected', got '$got'"
        fail=1
    fi
}

check _cairn "checkpoint-list" cairn checkpoint-l
check _cairn "domjobabort domjobinfo" cairn domj
check _cairn "--connect" cairn --con
check _cairn "test" cairn -c test:///default dominfo ""
check _cairn "test" cairn -c test:///default checkpoint-list t
check _cairn "--tree --topological" cairn -c test:///default checkpoint-list test --t
check _cairn "--topological" cairn -c test:///default checkpoint-list test --tree --t
check _cairn "--checkpointxml" cairn -c test:///default backup-begin test --checkpointx
check _cairn "events event" cairn help ev
check _cairn "" cairn -c test:///default nosuch-command ""
check _cairn_backup "prune" cairn-backup pr
check _cairn_backup "--keep-last" cairn-backup prune REPO --keep-l
check _cairn_backup "--json" cairn-backup list --js
check _cairn_backup "qcow2" cairn-backup restore REPO SNAP DIR --format q
check _cairn_backup "test" cairn-backup -c test:///default run ""
exit $fail
SCRIPT
}

for mode in bash-completion plain; do
    run "$mode" || fail=1
done
exit $fail
