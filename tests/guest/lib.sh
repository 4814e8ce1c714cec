# lib.sh -- bash helpers to build and boot Cairn's test guest.  Sourced by
# boot-test.sh; other tests may source it too.  Needs bash 4.3+.
#
#   guest_setup                 skip (exit 77) without QEMU, make the scratch
#                               directory $GT (a test root of
#                               tests/testroot.sh), build the guest (skip if its
#                               packages cannot be had), set GUEST_KERNEL,
#                               GUEST_INITRD, GUEST_APPEND_BASE (guest.env)
#   vm_start NAME APPEND [DISK[,serial=S]]...
#                               start QEMU in the background (one VM at a
#                               time): qcow2 DISKs as virtio-blk-pci, serial
#                               console to $GT/NAME.serial, QMP on a pair of
#                               FIFOs; sets VM_PID, VM_SERIAL
#   vm_wait_for REGEX [SECONDS] wait for a serial console line
#   vm_wait_exit [SECONDS]      wait for QEMU to exit (killed at the time
#                               limit); sets VM_RC (124: timed out), VM_MS
#   qmp COMMAND [ARGS-JSON]     run a QMP command; reply line in QMP_REPLY
#   qmp_event NAME [SECONDS]    wait for a QMP event; the event in QMP_REPLY
#   check_pattern IMG OFF LEN BYTE   qemu-io -r: IMG holds BYTE there
#
# QMP transport: a `-chardev pipe` in control mode.  QEMU opens
# $GT/NAME.qmp.in and $GT/NAME.qmp.out (FIFOs made here) read-write, so this side can open them
# read-write too and never blocks; bash `read -t` puts a time limit on every
# reply.  That is the real QMP protocol (greeting, qmp_capabilities, ids,
# events) with no socat, netcat or python needed.
#
# Every QEMU started here is killed by PID (TERM, then KILL) when the script
# exits, however it exits, and $GT is removed (set GUEST_KEEP=1 to keep it).
# GUEST_TIMEOUT (default 90 s) is the time limit for one boot; GUEST_ACCEL
# (default tcg) the accelerator; CAIRN_GUEST_OFFLINE=1 builds from the cache
# only (no apt); CAIRN_GUEST_CACHE is make-guest.sh's cache directory.

GUEST_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../testroot.sh
. "$GUEST_HERE/../testroot.sh"
GUEST_TIMEOUT=${GUEST_TIMEOUT:-90}
GUEST_ACCEL=${GUEST_ACCEL:-tcg}
GUEST_PIDS=()
GT=
PASSED=0 FAILED=0

pass() { PASSED=$((PASSED + 1)); echo "ok   $*"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL $*"; }
skip() { echo "SKIP: $*"; exit 77; }
# finish: the closing line and the exit status
finish() { echo "$PASSED passed, $FAILED failed"; [ "$FAILED" = 0 ]; }

now_ms() { echo $(($(date +%s%N) / 1000000)); }

guest_cleanup() {
    local rc=$? p n left=
    # A subshell that exits on an error may run this trap too: only the
    # shell that set it up cleans up.
    [ "$BASHPID" = "$GUEST_OWNER" ] || exit "$rc"
    for p in "${GUEST_PIDS[@]}"; do
        kill -0 "$p" 2>/dev/null && kill -TERM "$p" 2>/dev/null
    done
    for p in "${GUEST_PIDS[@]}"; do
        n=0
        while kill -0 "$p" 2>/dev/null && [ $n -lt 100 ]; do sleep 0.05; n=$((n + 1)); done
        kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null
        wait "$p" 2>/dev/null
        kill -0 "$p" 2>/dev/null && left="$left $p"
    done
    if [ -n "$GT" ]; then
        if [ -n "${GUEST_KEEP:-}" ]; then echo "kept $GT"; else rm -rf "$GT"; fi
    fi
    if [ -n "$left" ]; then
        echo "FAIL processes left behind:$left"
        rc=1
    fi
    exit "$rc"
}

guest_setup() {
    local t out rc=0
    for t in qemu-system-x86_64 qemu-img qemu-io; do
        command -v "$t" >/dev/null || skip "$t is not installed (Debian: qemu-system-x86, qemu-utils)"
    done
    test_root_make guest
    GT=$TEST_ROOT
    GUEST_OWNER=$BASHPID
    trap guest_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    local t0
    t0=$(now_ms)
    out=$("$GUEST_HERE/make-guest.sh" --quiet ${CAIRN_GUEST_OFFLINE:+--offline} "$GT/guest" 2>"$GT/build.log") || rc=$?
    if [ "$rc" = 3 ]; then
        skip "the guest's Debian packages cannot be had: $(tail -n 1 "$GT/build.log")"
    elif [ "$rc" != 0 ]; then
        cat "$GT/build.log"
        echo "FAIL make-guest.sh exited $rc"
        exit 1
    fi
    GUEST_BUILD_MS=$(($(now_ms) - t0))
    # shellcheck source=/dev/null
    . "$GT/guest/guest.env"
    [ "$out" = "$GUEST_KERNEL"$'\n'"$GUEST_INITRD" ] || { echo "FAIL make-guest.sh printed '$out'"; exit 1; }
    echo "# guest $GUEST_RELEASE built in $GUEST_BUILD_MS ms: ${GUEST_KERNEL##*/} + ${GUEST_INITRD##*/}"
}

# new_disk NAME [SIZE]: a fresh qcow2 image in $GT; prints its path
new_disk() {
    qemu-img create -q -f qcow2 "$GT/$1.qcow2" "${2:-1G}" && echo "$GT/$1.qcow2"
}

vm_start() {
    local name=$1 append=$2 i=0 d file opts args=()
    shift 2
    for d in "$@"; do
        file=${d%%,*}
        opts=${d#"$file"}
        args+=(-blockdev "driver=file,filename=$file,node-name=file$i"
            -blockdev "driver=qcow2,file=file$i,node-name=disk$i"
            -device "virtio-blk-pci,drive=disk$i$opts")
        i=$((i + 1))
    done
    VM_NAME=$name
    VM_SERIAL=$GT/$name.serial
    VM_QMPLOG=$GT/$name.qmp.log
    VM_QMP_READY=
    VM_QMP_ID=0
    rm -f "$VM_SERIAL" "$VM_QMPLOG" "$GT/$name.qmp.in" "$GT/$name.qmp.out"
    : >"$VM_SERIAL"
    mkfifo "$GT/$name.qmp.in" "$GT/$name.qmp.out"
    exec {VM_QIN}<>"$GT/$name.qmp.in" {VM_QOUT}<>"$GT/$name.qmp.out"
    VM_T0=$(now_ms)
    qemu-system-x86_64 -machine "q35,accel=$GUEST_ACCEL" -m 256 -nodefaults -no-user-config \
        -display none -no-reboot \
        -serial "file:$VM_SERIAL" \
        -chardev "pipe,id=qmp0,path=$GT/$name.qmp" -mon chardev=qmp0,mode=control \
        -kernel "$GUEST_KERNEL" -initrd "$GUEST_INITRD" \
        -append "$GUEST_APPEND_BASE $append" \
        "${args[@]}" </dev/null 2>"$GT/$name.err" &
    VM_PID=$!
    GUEST_PIDS+=("$VM_PID")
}

vm_close_fds() {
    [ -z "${VM_QIN:-}" ] || exec {VM_QIN}>&-
    [ -z "${VM_QOUT:-}" ] || exec {VM_QOUT}>&-
    VM_QIN='' VM_QOUT=''
}

vm_wait_exit() {
    local deadline=$(($(now_ms) + ${1:-$GUEST_TIMEOUT} * 1000))
    while kill -0 "$VM_PID" 2>/dev/null && [ "$(now_ms)" -lt "$deadline" ]; do sleep 0.05; done
    VM_RC=0
    if kill -0 "$VM_PID" 2>/dev/null; then
        kill -TERM "$VM_PID" 2>/dev/null
        sleep 0.5
        kill -KILL "$VM_PID" 2>/dev/null
        wait "$VM_PID" 2>/dev/null
        VM_RC=124
    else
        wait "$VM_PID" || VM_RC=$?
    fi
    VM_MS=$(($(now_ms) - VM_T0))
    vm_close_fds
    # Reaped: forget the PID, which the system may now give to another
    # process that the clean-up must not touch.
    local p keep=()
    for p in "${GUEST_PIDS[@]}"; do [ "$p" = "$VM_PID" ] || keep+=("$p"); done
    GUEST_PIDS=("${keep[@]}")
}

vm_wait_for() {
    local deadline=$(($(now_ms) + ${2:-$GUEST_TIMEOUT} * 1000))
    until serial_has "$1"; do
        kill -0 "$VM_PID" 2>/dev/null || return 1
        [ "$(now_ms)" -lt "$deadline" ] || return 1
        sleep 0.05
    done
}

# qmp_line WHAT [SECONDS]: read QMP lines until one matches WHAT: "greeting",
# "id:ID" (the reply to that command) or "event:NAME" (an event, also one
# read earlier).  Logs every line; prints the matching one.  Default 10 s.
qmp_line() {
    local what=$1 secs=${2:-10} line part='' st pat deadline
    deadline=$(($(now_ms) + secs * 1000))
    case $what in
    greeting) pat='*"QMP"*' ;;
    id:*) pat="*\"id\": \"${what#id:}\"*" ;;
    event:*)
        pat="*\"event\": \"${what#event:}\"*"
        line=$(grep -F "\"event\": \"${what#event:}\"" "$VM_QMPLOG" 2>/dev/null | head -n 1)
        [ -z "$line" ] || { echo "${line#<- }"; return 0; } ;;
    esac
    while [ "$(now_ms)" -lt "$deadline" ]; do
        IFS= read -r -t 1 -u "$VM_QOUT" line
        st=$?
        if [ $st -gt 128 ]; then # timed out; keep what came of a line
            part=$part$line
            continue
        fi
        [ $st = 0 ] || break
        line=$part${line%$'\r'}
        part=''
        echo "<- $line" >>"$VM_QMPLOG"
        # shellcheck disable=SC2053 # $pat is a glob on purpose
        [[ $line == $pat ]] && { echo "$line"; return 0; }
    done
    echo "QMP: no $what within $secs s" >&2
    return 1
}

# qmp_event NAME [SECONDS]: wait for an event; sets QMP_REPLY to it
qmp_event() {
    QMP_REPLY=$(qmp_line "event:$1" "${2:-10}")
}

# qmp COMMAND [ARGUMENTS-JSON]: sets QMP_REPLY to the reply line; 0 on
# "return", 1 on "error" or no reply.  Not in $(...): the connection state
# lives in this shell.
qmp() {
    local cmd
    QMP_REPLY=
    if [ -z "$VM_QMP_READY" ]; then
        qmp_line greeting >/dev/null || return 1
        VM_QMP_READY=1
        qmp qmp_capabilities || return 1
    fi
    VM_QMP_ID=$((VM_QMP_ID + 1))
    cmd="{\"execute\": \"$1\"${2:+, \"arguments\": $2}, \"id\": \"c$VM_QMP_ID\"}"
    echo "-> $cmd" >>"$VM_QMPLOG"
    printf '%s\n' "$cmd" >&"$VM_QIN"
    QMP_REPLY=$(qmp_line "id:c$VM_QMP_ID") || return 1
    case $QMP_REPLY in *'"return"'*) return 0 ;; *) return 1 ;; esac
}

# check_pattern IMG OFF LEN BYTE (qemu-io syntax for the numbers)
check_pattern() {
    local out rc=0
    out=$(qemu-io -r -f qcow2 -c "read -P $4 $2 $3" "$1" 2>&1) || rc=$?
    if [ "$rc" = 0 ] && [[ $out == read\ * ]] && [[ $out != *"verification failed"* ]]; then
        pass "${1##*/}: $3 bytes of $4 at $2"
    else
        fail "${1##*/}: $3 bytes of $4 at $2: $(tr '\n' ' ' <<<"$out")"
    fi
}

# serial_has REGEX: the console log has a matching line
# (the console ends its lines with CR LF; the CRs are dropped first)
serial_has() { tr -d '\r' <"$VM_SERIAL" | grep -Eq -- "$1"; }
serial_tail() { tail -n 8 "$VM_SERIAL" | tr -d '\r' | tr '\n' '|'; }
# serial_value REGEX: the first \1 of a sed -E match in the console log
serial_value() { tr -d '\r' <"$VM_SERIAL" | sed -En "s/$1/\\1/p" | head -n 1; }

# expect_done WHAT: QEMU exited 0 after the guest said DONE
expect_done() {
    if [ "$VM_RC" = 0 ] && serial_has 'CAIRN-GUEST-DONE'; then
        pass "$1 ($VM_MS ms; guest $(serial_value '.*CAIRN-GUEST-DONE (uptime=[0-9.]*).*') s)"
    else
        fail "$1: qemu rc=$VM_RC, console: $(serial_tail) stderr: $(head -c 300 "$GT/$VM_NAME.err")"
    fi
}

# expect_failed WHAT REGEX: the guest said FAILED with REASON matching
# REGEX, and still powered off cleanly
expect_failed() {
    if [ "$VM_RC" = 0 ] && serial_has "CAIRN-GUEST-FAILED $2" && ! serial_has 'CAIRN-GUEST-DONE'; then
        pass "$1 ($VM_MS ms)"
    else
        fail "$1: qemu rc=$VM_RC, console: $(serial_tail)"
    fi
}
