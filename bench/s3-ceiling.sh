#!/bin/bash
# bench/s3-ceiling.sh -- the ceiling of the RADOS Gateway of the S3 bench
# (tests/repo/rgw.sh: one mon, one memstore OSD, the gateway, all on this
# machine): how fast can any client PUT COUNT objects of OBJ bytes (default
# 3000 x 0.75 MiB, the objects of a 1 MiB-chunk full backup) with N requests
# in flight. The client is curl --parallel (one process, kept-alive
# connections, SigV4), the bodies are one file of random bytes in the page
# cache. PAYLOAD=signed (default) sends the body's SHA-256 (hashed once:
# every object has the same body), as cairn-backup does over http, and the
# gateway checks it; PAYLOAD=unsigned sends UNSIGNED-PAYLOAD. Printed per N:
# wall seconds, MiB/s, and the CPU seconds (user + system) of radosgw,
# ceph-osd, ceph-mon and curl, in total and per GiB put. Each round's
# objects are deleted after it. WARM=1 (default) runs an untimed first
# round at 16 in flight, so that every timed round finds the memstore OSD's
# memory faulted in (as s3-bench.sh's WARM=1); with WARM=0 the first timed
# round pays the faults of a memstore growing from nothing.
#
#   usage: bash bench/s3-ceiling.sh   (COUNT=3000, OBJ=786432,
#                                      INFLIGHT="4 8 16 32", WARM=1,
#                                      PAYLOAD=signed|unsigned,
#                                      WORKDIR=/var/tmp, KEEP=1)
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

rgwsh=$top/tests/repo/rgw.sh
need curl ceph-mon ceph-osd radosgw radosgw-admin uuidgen
COUNT=${COUNT:-3000}
OBJ=${OBJ:-786432}
INFLIGHT=${INFLIGHT:-4 8 16 32}

bench_work cairn-s3-ceiling "${WORKDIR:-/var/tmp}"
bench_teardown() { [ -d "$work/rgw" ] && bash "$rgwsh" stop "$work/rgw"; }
# the objects of one round at a time (each round's are deleted after it)
export CAIRN_RGW_MEMSTORE_BYTES=$((COUNT * OBJ * 3 / 2 + (1 << 30)))
echo "$bench: starting a RADOS Gateway ..." >&2
port=$(bash "$rgwsh" start "$work/rgw")
read -r access secret < <(bash "$rgwsh" keys)
ep=http://127.0.0.1:$port
empty=$(printf '' | sha256sum | cut -d' ' -f1)
s3curl() { curl -s --aws-sigv4 aws:amz:us-east-1:s3 -u "$access:$secret" "$@"; }
code=$(s3curl -o /dev/null -w '%{http_code}' -H "x-amz-content-sha256: $empty" -X PUT "$ep/ceiling")
[ "$code" = 200 ] || die "cannot create bucket: HTTP $code"
head -c "$OBJ" /dev/urandom >"$work/body"
case ${PAYLOAD:-signed} in
signed) payload=$(sha256sum "$work/body" | cut -d' ' -f1) ;;
unsigned) payload=UNSIGNED-PAYLOAD ;;
*) die "PAYLOAD is signed or unsigned" ;;
esac

pid_of() { cat "$work/rgw/run/$1.pid"; }
# user + system clock ticks of PID
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
rgw=$(pid_of client.rgw.gw)
osd=$(cat "$work"/rgw/run/osd.*.pid)
mon=$(pid_of mon.a)
hz=$(getconf CLK_TCK)
load_before=$(loadavg)

printf '%-8s %8s %8s %9s %9s %9s %9s   %s\n' "inflight" "wall s" "MiB/s" "rgw cpu" "osd cpu" \
    "mon cpu" "curl cpu" "CPU s per GiB (rgw osd curl)"
rounds=$INFLIGHT
[ "${WARM:-1}" = 1 ] && rounds="warm $INFLIGHT"
for n in $rounds; do
    inflight=$n
    [ "$n" = warm ] && inflight=16
    cfg=$work/put-$n.cfg
    : >"$cfg"
    for i in $(seq 1 "$COUNT"); do
        printf 'upload-file = "%s"\nurl = "%s/ceiling/r%s/%08d"\n' "$work/body" "$ep" "$n" "$i" >>"$cfg"
    done
    r0=$(ticks "$rgw") o0=$(ticks "$osd") m0=$(ticks "$mon")
    s=$(date +%s.%N)
    /usr/bin/time -f '%U %S' -o "$work/curl-$n.time" \
        curl -s --no-progress-meter --parallel --parallel-immediate --parallel-max "$inflight" --fail \
        --aws-sigv4 aws:amz:us-east-1:s3 -u "$access:$secret" \
        -H "x-amz-content-sha256: $payload" -o /dev/null -K "$cfg" 2>"$work/curl-$n.err" ||
        die "curl --parallel failed (round $n)"
    e=$(date +%s.%N)
    r1=$(ticks "$rgw") o1=$(ticks "$osd") m1=$(ticks "$mon")
    [ "$n" = warm ] || awk -v s="$s" -v e="$e" -v n="$n" -v c="$COUNT" -v b="$OBJ" -v hz="$hz" \
        -v r=$((r1 - r0)) -v o=$((o1 - o0)) -v m=$((m1 - m0)) -v ct="$(cat "$work/curl-$n.time")" '
        BEGIN { split(ct, t, " "); w = e - s; mib = c * b / 1048576; gib = mib / 1024
                printf "%-8d %8.2f %8.1f %9.2f %9.2f %9.2f %9.2f   %.2f %.2f %.2f\n", n, w, mib / w,
                    r / hz, o / hz, m / hz, t[1] + t[2], r / hz / gib, o / hz / gib, (t[1] + t[2]) / gib }'
    # delete the round's objects (one DELETE each, not timed) to free the memstore
    sed 's/^upload-file.*$/request = "DELETE"/' "$cfg" >"$work/del-$n.cfg"
    curl -s --no-progress-meter --parallel --parallel-max 16 --aws-sigv4 aws:amz:us-east-1:s3 -u "$access:$secret" \
        -H "x-amz-content-sha256: $empty" -o /dev/null -K "$work/del-$n.cfg" || true
done
echo "$COUNT objects of $OBJ bytes per round, payload ${PAYLOAD:-signed}," \
    "OSD $([ "${WARM:-1}" = 1 ] && echo warmed || echo cold); load average before: $load_before," \
    "after: $(loadavg); $(nproc) CPUs"
