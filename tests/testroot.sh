# tests/testroot.sh -- test roots for shell tests and scripts that run QEMU:
# the shell side of tests/testroot.h. Sourced; needs bash.
#
#   test_root_make NAME   make ${TMPDIR:-/tmp}/cairn-test-NAME-XXXXXX with its
#                         owner marker .cairn-test-owner ("PID STARTTIME":
#                         this shell and its start time, field 22 of
#                         /proc/PID/stat); sets TEST_ROOT to its path
#
# Not in $(...): the marker must name the shell that stays, not a subshell.
# The QEMUs such a shell leaves when it is killed by SIGKILL are what
# cairn-test-sweep (and every real-QEMU C test as it starts) kills.

test_root_make() {
    local stat fields
    TEST_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/cairn-test-$1-XXXXXX") || return 1
    read -r stat <"/proc/$BASHPID/stat"
    read -ra fields <<<"${stat##*) }"
    echo "$BASHPID ${fields[19]}" >"$TEST_ROOT/.cairn-test-owner"
}
