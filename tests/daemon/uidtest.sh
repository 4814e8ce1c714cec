#!/bin/sh
# uidtest.sh CAIRND CAIRN: another uid cannot use a session daemon's
# socket. The socket is made 0600 in a 0700 directory (checked); then the
# test opens both wide (0777/0666) so that only the daemon's peer
# credential check stands between user 'nobody' and the daemon, and runs
# the CLI as 'nobody' (setpriv): it must be refused, while the daemon's
# own user is served. Skips (77) unless run as root with setpriv.
set -u
cairnd=$1
cairn=$2

if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null 2>&1 || ! id nobody >/dev/null 2>&1; then
    echo "skip: needs root, setpriv and a 'nobody' user to switch uid"
    exit 77
fi
dir=$(mktemp -d "${TMPDIR:-/tmp}/cairnd-uid-XXXXXX")
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; cat "$dir/log"; exit 1; }

"$cairnd" --test --socket "$dir/sock" --log-level=debug 2>"$dir/log" &
pid=$!
i=0
while [ ! -S "$dir/sock" ] && [ $i -lt 500 ]; do sleep 0.02; i=$((i + 1)); done
[ -S "$dir/sock" ] || fail "cairnd did not listen"
uri="test+unix:///default?socket=$dir/sock"

[ "$(stat -c %a "$dir/sock")" = 600 ] || fail "socket mode $(stat -c %a "$dir/sock"), not 600"
"$cairn" -c "$uri" domstate test | grep -q running || fail "the daemon's own user is not served"

chmod 0777 "$dir"
chmod 0666 "$dir/sock"
# 'nobody' may not reach the build tree (a checkout in a 0700 directory):
# it runs a copy of the CLI and of libcairn from $dir.
mkdir "$dir/bin" "$dir/lib"
cp "$cairn" "$dir/bin/cairn"
lib=$(ldd "$cairn" | awk '/libcairn\.so/ { print $3 }')
[ -n "$lib" ] || fail "cannot find the libcairn that $cairn uses"
cp "$lib" "$dir/lib/"
chmod -R a+rX "$dir/bin" "$dir/lib"
out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups \
      env LD_LIBRARY_PATH="$dir/lib" "$dir/bin/cairn" -c "$uri" domstate test 2>&1) &&
    fail "nobody was served: $out"
echo "nobody: $out"
grep -q "refusing" "$dir/log" || fail "the daemon did not log the refusal"
"$cairn" -c "$uri" domstate test | grep -q running || fail "the daemon's own user is no longer served"
echo "uid: ok"
