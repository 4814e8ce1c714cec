#!/bin/bash
# Bad input changes nothing and says what is wrong: a missing or foreign
# REPO, an unknown snapshot, an unknown domain or disk, --quiesce of a
# shut-off domain; an encrypted
# repository round-trips, refuses a wrong or missing key.
. "$(dirname "$0")/lib.sh"
bk_setup bad
repo=$root/repo

expect() { # expect CODE NEEDLE CMD...
    local code=$1 needle=$2 rc
    shift 2
    set +e
    "$@" >"$root/out" 2>"$root/err"
    rc=$?
    set -e
    [ $rc = "$code" ] || fail "$* exited $rc, want $code: $(cat "$root/err")"
    grep -q -- "$needle" "$root/err" || fail "$*: no '$needle' in: $(cat "$root/err")"
}

expect 1 "$root/nothing" cb list "$root/nothing"
mkdir "$root/foreign" && echo data >"$root/foreign/file"
expect 5 "$root/foreign" cb list "$root/foreign"
expect 1 "" cb init "$root/foreign"
[ "$(ls "$root/foreign")" = file ] || fail "init touched a foreign directory"
expect 2 "usage" cb run onlyone
expect 2 "unknown command" cb frobnicate
cb init "$repo" >/dev/null
expect 1 "no-such-snapshot" cb restore "$repo" no-such-snapshot "$root/out-dir"
[ ! -e "$root/out-dir" ] || [ -z "$(ls -A "$root/out-dir")" ] || fail "restore left files"
expect 1 "no-such-snapshot" cb verify "$repo" no-such-snapshot
expect 1 "nodom" cb run nodom "$repo"
expect 2 "prune needs a policy" cb prune "$repo"

note "encrypted repository"
bk_define vm 1
bk_random "$img/vm-vda.qcow2" 0 4
cb init "$root/enc" --encrypt "$root/key" >/dev/null
[ -s "$root/key" ] || fail "no key file"
expect 2 "no disk 'vdz'" cb run vm "$root/enc" --key "$root/key" --disk vdz
# --quiesce needs a running guest (with an agent: tests/qemu/quiesce.c)
expect 1 "domain is not running" cb run vm "$root/enc" --key "$root/key" --quiesce
expect 5 "" cb run vm "$root/enc"
bk_copy vm e1
id=$(cb run vm "$root/enc" --key "$root/key" | tail -1)
BK_KEY="--key $root/key"
repo=$root/enc
bk_restore_check "$id" e1 raw
bk_restore_check "$id" e1 qcow2 # through the plugin, given the key
head -c 64 /dev/urandom >"$root/other.key"
cb init "$root/enc2" --encrypt "$root/other.key" >/dev/null 2>&1 || true
expect 5 "" cb restore "$root/enc" "$id" "$root/wrong" --key "$root/other.key"
[ ! -e "$root/wrong/vda.qcow2" ] || fail "restore with a wrong key wrote"
CAIRN_BACKUP_KEY=$root/key cb verify "$root/enc" >/dev/null || fail "verify with the key"

note "a full disk during run and restore (tmpfs; needs mount rights)"
mkdir -p "$root/full"
if mount -t tmpfs -o size=3m tmpfs "$root/full" 2>/dev/null; then
    BK_UMOUNT=$root/full
    fid=$(cb init "$root/full/repo" --json | json "['id']")
    expect 1 "No space left on device" cb run vm "$root/full/repo"
    [ "$(cb list "$root/full/repo" --json)" = "[]" ] || fail "a snapshot after ENOSPC"
    cb verify "$root/full/repo" >/dev/null || fail "verify after ENOSPC"
    ! c checkpoint-list vm --name | grep -q "^cb-$fid-" ||
        fail "a checkpoint left after ENOSPC: $(c checkpoint-list vm --name)"
    cb gc "$root/full/repo" >/dev/null
    for fmt in raw qcow2; do
        expect 1 "No space left on device" cb restore "$root/enc" "$id" "$root/full/out" --key "$root/key" --format "$fmt"
        grep -q "snapshot '$id', disk 'vda', file '$root/full/out/vda.$fmt'" "$root/err" ||
            fail "error does not name snapshot, disk, file: $(cat "$root/err")"
        [ -z "$(ls -A "$root/full/out")" ] || fail "restore left $(ls -A "$root/full/out")"
    done
else
    echo "(no mount rights: full-disk part not run)" >&2
fi
echo ok
