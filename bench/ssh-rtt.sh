#!/bin/bash
# ssh-rtt.sh: API round trips through ssh (test+ssh://) beside the local
# socket, both to one "cairnd --test": bench/remote-rtt (dominfo x N,
# checkpoint-dumpxml x N) over
#   1. test+unix:// with the call channel (the default locally),
#   2. test+unix:// on the bus (CAIRN_REMOTE_CHANNEL=0: what ssh has, as
#      file descriptors cannot cross it),
#   3. test+ssh://root@127.0.0.1 (a private sshd on a free port, throw-away
#      keys, cairn-ssh-helper of this build on the far side),
# and the cost of a connection (open + close) each way.
#
# Needs root (sshd gets a private /run/sshd in its own mount namespace) and
# openssh-server. Environment: BUILD (default build), N (1000), CONNS (20).
# Every process started here is stopped by its pid.
set -eu
BUILD=$(cd "${BUILD:-build}" && pwd)
N=${N:-1000}
CONNS=${CONNS:-20}
work=$(mktemp -d /tmp/cairn-ssh-rtt-XXXXXX)
pids=()

cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || { echo "# ssh-rtt.sh: needs root (private sshd): skipped"; exit 0; }
[ -x /usr/sbin/sshd ] || { echo "# ssh-rtt.sh: no /usr/sbin/sshd: skipped"; exit 0; }

"$BUILD/daemon/cairnd" --socket "$work/sock" --test 2>>"$work/cairnd.log" &
pids+=($!)
for _ in $(seq 500); do [ -S "$work/sock" ] && break; sleep 0.02; done

ssh-keygen -q -t ed25519 -N '' -f "$work/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$work/key"
cp "$work/key.pub" "$work/authorized_keys"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
echo "[127.0.0.1]:$port $(cat "$work/host_key.pub")" >"$work/known_hosts"
cat >"$work/sshd_config" <<CFG
Port $port
ListenAddress 127.0.0.1
HostKey $work/host_key
PidFile none
AuthorizedKeysFile $work/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
SetEnv PATH=$BUILD/daemon:/usr/sbin:/usr/bin:/sbin:/bin
CFG
unshare --mount --propagation private sh -c \
    "mount -t tmpfs cairn-bench /run && mkdir -m 755 /run/sshd && exec /usr/sbin/sshd -D -e -f $work/sshd_config" \
    2>>"$work/sshd.log" &
pids+=($!)
for _ in $(seq 500); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.02; done

unix_uri="test+unix:///default?socket=$work/sock"
ssh_uri="test+ssh://root@127.0.0.1:$port/default?socket=$work/sock&keyfile=$work/key&known_hosts=$work/known_hosts"

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')," \
     "nproc $(nproc), load $(cut -d' ' -f1-3 /proc/loadavg), N $N, $(ssh -V 2>&1)"
echo "## test+unix://, call channel"
"$BUILD/bench/remote-rtt" "$unix_uri" "$N"
echo "## test+unix://, bus (CAIRN_REMOTE_CHANNEL=0)"
CAIRN_REMOTE_CHANNEL=0 "$BUILD/bench/remote-rtt" "$unix_uri" "$N"
echo "## test+ssh://root@127.0.0.1 (bus; cairn-ssh-helper on the far side)"
"$BUILD/bench/remote-rtt" "$ssh_uri" "$N"

# A connection: open, one call, close (the CLI's 'version' does just that).
conns() {
    local t0 t1
    t0=$(date +%s%N)
    for _ in $(seq "$CONNS"); do "$BUILD/tools/cairn" -q -c "$1" version >/dev/null; done
    t1=$(date +%s%N)
    echo "$2 $CONNS x 'cairn -c URI version': $(((t1 - t0) / CONNS / 1000000)) ms each"
}
echo "## connections (process start, open, one call, close)"
conns "$unix_uri" "test+unix://"
conns "$ssh_uri" "test+ssh:// "
