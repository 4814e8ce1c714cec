#!/bin/bash
# A private single-node Ceph (1 mon, 1 memstore OSD, no auth, no mgr) with one
# RADOS Gateway on 127.0.0.1, for the S3 tests of the repository.
#
#   rgw.sh start DIR     start it under DIR; prints the S3 port on stdout
#   rgw.sh stop DIR      stop what DIR's pid files name, then remove DIR
#   rgw.sh kill-rgw DIR  SIGKILL the gateway only;  rgw.sh start-rgw DIR  restart it
#
# Ports are chosen at random (20000-59999) per start; every daemon binds to
# 127.0.0.1; nothing outside DIR is touched. The S3 user has the access key
# and secret printed by 'rgw.sh keys'.
# The OSD keeps its data in memory: $CAIRN_RGW_MEMSTORE_BYTES (default 1 GiB).
set -euo pipefail

ACCESS=CAIRNTESTACCESS00000
SECRET=cairntestsecret000000000000000000000000
IP=127.0.0.1

conf() { echo "$1/ceph.conf"; }

# What a PUT costs the gateway and the OSD (bench/s3-ceiling.sh,
# bench/README.md) is cut where the test cluster allows, still the same
# gateway, RADOS and OSD code paths; CAIRN_RGW_UNTUNED=1 leaves Ceph's
# defaults.
# daemon CMD...: run a Ceph daemon with glibc's malloc keeping freed
# memory (no trim, no mmap per large buffer): page faults of fresh memory
# were half the OSD's and the gateway's CPU.
daemon() {
    if [ -n "${CAIRN_RGW_UNTUNED:-}" ]; then
        "$@"
    else
        GLIBC_TUNABLES=glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824 "$@"
    fi
}

# tuning: the ceph.conf lines: no debug logging, not even gathered in
# memory; no CRC of message payloads over loopback; no data digest of
# whole-object writes (the OSD's crc32c); no op tracking; no ops or usage
# log.
tuning() {
    local sub
    [ -n "${CAIRN_RGW_UNTUNED:-}" ] && return 0
    for sub in asok auth bluestore context crush finisher heartbeatmap memstore mon monc ms \
        objclass objecter optracker osd paxos perfcounter rados rgw rgw_sync throttle; do
        echo "debug $sub = 0/0"
    done
    echo "ms crc data = false"
    echo "osd skip data digest = true"
    echo "osd enable op tracker = false"
    echo "rgw enable ops log = false"
    echo "rgw enable usage log = false"
}

rgw_start() {
    local d=$1 port
    port=$(cat "$d/rgw.port")
    daemon radosgw -c "$(conf "$d")" -n client.rgw.gw 2>>"$d/log/stderr.log"
    for _ in $(seq 1 240); do
        code=$(curl -s -o /dev/null -w '%{http_code}' "http://$IP:$port/" || true)
        [ "$code" = 200 ] && return 0
        sleep 0.25
    done
    echo "rgw.sh: radosgw did not answer on $IP:$port (see $d/log)" >&2
    return 1
}

start() {
    local d=$1 base mon1 mon2 port fsid uuid id
    mkdir -p "$d"/{run,log,mon/a,osd,rgw}
    base=$((20000 + RANDOM % 13333 * 3))
    mon1=$base; mon2=$((base + 1)); port=$((base + 2))
    echo "$port" > "$d/rgw.port"
    fsid=$(uuidgen)
    cat > "$(conf "$d")" <<CONF
[global]
fsid = $fsid
mon host = [v2:$IP:$mon2,v1:$IP:$mon1]
public addr = $IP
cluster addr = $IP
ms bind ipv6 = false
auth cluster required = none
auth service required = none
auth client required = none
ms mon client mode = crc
run dir = $d/run
admin socket = $d/run/\$name.asok
pid file = $d/run/\$name.pid
log file = $d/log/\$name.log
crash dir = $d/crash
log to stderr = false
err to stderr = false
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
mon warn on pool no redundancy = false
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon max pg per osd = 1000
osd crush chooseleaf type = 0
mon data avail warn = 1
mon data avail crit = 0
$(tuning)

[mon]
mon data = $d/mon/\$id
mon cluster log file = $d/log/cluster.log
paxos propose interval = 0.05

[osd]
osd data = $d/osd/\$id
osd objectstore = memstore
memstore device bytes = ${CAIRN_RGW_MEMSTORE_BYTES:-1073741824}
osd max object name len = 460
osd max object namespace len = 64

[client.rgw.gw]
rgw frontends = beast endpoint=$IP:$port
rgw data = $d/rgw
rgw thread pool size = 32
rgw dns name = localhost
rgw init timeout = 120
client mount timeout = 60
CONF
    monmaptool --create --clobber --fsid "$fsid" --addv a "[v2:$IP:$mon2,v1:$IP:$mon1]" \
        "$d/monmap" >/dev/null
    ceph-mon -c "$(conf "$d")" --mkfs -i a --monmap "$d/monmap"
    daemon ceph-mon -c "$(conf "$d")" -i a 2>>"$d/log/stderr.log"
    for _ in $(seq 1 120); do ceph -c "$(conf "$d")" -s >/dev/null 2>&1 && break; sleep 0.25; done
    uuid=$(uuidgen)
    id=$(ceph -c "$(conf "$d")" osd new "$uuid")
    mkdir -p "$d/osd/$id"
    ceph-osd -c "$(conf "$d")" -i "$id" --mkfs --osd-uuid "$uuid" >/dev/null 2>&1
    daemon ceph-osd -c "$(conf "$d")" -i "$id" 2>>"$d/log/stderr.log"
    for _ in $(seq 1 240); do
        ceph -c "$(conf "$d")" osd dump 2>/dev/null | grep -q "^osd.$id up" && break
        sleep 0.25
    done
    rgw_start "$d"
    radosgw-admin -c "$(conf "$d")" user create --uid=cairn --display-name=cairn \
        --access-key="$ACCESS" --secret-key="$SECRET" >/dev/null
    echo "$port"
}

stop_pids() {
    local pids=() f pid
    for f in "$@"; do
        [ -f "$f" ] || continue
        pid=$(cat "$f")
        if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
            kill -KILL "$pid"
            pids+=("$pid")
        fi
        rm -f "$f"
    done
    for pid in "${pids[@]}"; do
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    done
}

stop() {
    local d=$1
    [ -d "$d/run" ] && {
        stop_pids "$d"/run/client.rgw.*.pid
        stop_pids "$d"/run/osd.*.pid "$d"/run/mon.*.pid
    }
    rm -rf "$d"
}

case "${1:-}" in
start) start "$2" ;;
stop) stop "$2" ;;
kill-rgw) stop_pids "$2"/run/client.rgw.*.pid ;;
start-rgw) rgw_start "$2" ;;
keys) echo "$ACCESS $SECRET" ;;
*) echo "usage: rgw.sh start|stop|kill-rgw|start-rgw DIR | keys" >&2; exit 2 ;;
esac
