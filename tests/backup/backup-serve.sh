#!/bin/bash
# cairn-backup serve: one disk of a snapshot as a read-only NBD export
# (nbdkit + our plugin), read by qemu-img, nbdinfo and nbdcopy unchanged
# and equal to a plain restore; zero chunks are holes; multi-conn; TLS
# (PSK); a flipped byte in one chunk fails reads of that chunk only, every
# time; the preferred block size is the chunk size.
. "$(dirname "$0")/lib.sh"
for tool in nbdkit nbdinfo nbdcopy; do
    command -v "$tool" >/dev/null || { echo "skip: $tool missing"; exit 77; }
done
bk_setup serve
repo=$root/repo
sock=$root/serve.sock

# Serve snapshot $1 disk $2 on $sock (extra options after), wait for it.
serve_pid=
serve() {
    local id=$1 disk=$2 i
    shift 2
    rm -f "$sock"
    cb serve "$repo" "$id" --disk "$disk" --socket "$sock" "$@" 2>>"$root/serve.err" &
    serve_pid=$!
    for ((i = 0; i < 100; i++)); do
        [ -S "$sock" ] && return 0
        kill -0 "$serve_pid" 2>/dev/null || fail "serve exited: $(cat "$root/serve.err")"
        sleep 0.1
    done
    fail "no socket after 10 s"
}
unserve() {
    kill "$serve_pid" 2>/dev/null || true
    wait "$serve_pid" 2>/dev/null || true
    serve_pid=
}
trap 'rc=$?; [ -z "$serve_pid" ] || kill -9 "$serve_pid" 2>/dev/null; (exit $rc); bk_cleanup' EXIT
nbd="nbd+unix:///?socket=$sock"

bk_define vm 1
bk_random "$img/vm-vda.qcow2" 0 6
qemu-io -f qcow2 -c "write -P 0x62 40M 1M" "$img/vm-vda.qcow2" >/dev/null
cb init "$repo" >/dev/null
s1=$(cb run vm "$repo" | tail -1)
cb restore "$repo" "$s1" "$root/restored" >/dev/null
# restore to qcow2 reads the plugin too: the zero chunks stay unallocated
qemu-img map -f qcow2 --output=json "$root/restored/vda.qcow2" | python3 -c '
import json, sys
M = 1 << 20
data = [(e["start"], e["start"] + e["length"]) for e in json.load(sys.stdin) if e["data"]]
bad = [d for d in data if not (d[1] <= 8 * M or 40 * M <= d[0] < d[1] <= 44 * M)]
sys.exit(1 if bad or not data else 0)' || fail "zeros allocated: $(qemu-img map -f qcow2 "$root/restored/vda.qcow2")"

note "serve: qemu-img, nbdinfo, nbdcopy"
serve "$s1" vda
qemu-img info -f raw "$nbd" | grep -q "virtual size: 64 MiB" || fail "size: $(qemu-img info -f raw "$nbd")"
qemu-img compare -q -f raw -F qcow2 "$nbd" "$root/restored/vda.qcow2" || fail "export differs from restore"
nbdcopy --connections=4 "$nbd" "$root/copy.raw"
qemu-img compare -q -f raw -F qcow2 "$root/copy.raw" "$root/restored/vda.qcow2" || fail "nbdcopy differs"
nbdinfo --can multi-conn "$nbd" || fail "no multi-conn"
nbdinfo --is readonly "$nbd" || fail "not read-only"
nbdinfo "$nbd" | grep -q "block_size_preferred: 4194304" || fail "preferred block size: $(nbdinfo "$nbd")"

note "block status: zero chunks are holes"
# chunks: 0-1 random (0-6M), 2..9 zero, 10 data (40M), 11-15 zero
nbdinfo --map "$nbd" | awk '{print $1, $2, $3}' >"$root/map"
cat >"$root/map.want" <<MAP
0 8388608 0
8388608 33554432 3
41943040 4194304 0
46137344 20971520 3
MAP
diff -u "$root/map.want" "$root/map" || fail "map differs"

note "multi-conn: parallel readers see the same data"
pids=()
for i in 1 2 3 4; do
    (nbdcopy "$nbd" - | md5sum >"$root/sum.$i") &
    pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || fail "a reader failed"; done
qemu-img convert -f qcow2 -O raw "$root/restored/vda.qcow2" "$root/ref.raw"
sum=$(md5sum <"$root/ref.raw")
for i in 1 2 3 4; do
    [ "$(cat "$root/sum.$i")" = "$sum" ] || fail "reader $i read other data"
done
unserve

note "TLS (PSK): the export refuses plain clients"
echo "alice:$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"$root/psk"
chmod 600 "$root/psk"
serve "$s1" vda --tls require --tls-psk "$root/psk"
if nbdinfo --size "$nbd" >/dev/null 2>&1; then fail "plain client served"; fi
[ "$(nbdinfo --size "nbds+unix://alice@/?socket=$sock&tls-psk-file=$root/psk")" = 67108864 ] ||
    fail "TLS client not served"
unserve

note "bad arguments"
if cb serve "$repo" "$s1" --disk vdz --socket "$sock" 2>"$root/err"; then fail "vdz served"; fi
grep -q "no disk 'vdz'" "$root/err" || fail "no reason: $(cat "$root/err")"
if cb serve "$repo" "$s1" 2>"$root/err"; then fail "served without a socket"; fi
grep -q "one of --socket" "$root/err" || fail "no reason: $(cat "$root/err")"
if cb serve "$repo" nosuch --socket "$sock" 2>"$root/err"; then fail "nosuch served"; fi
grep -q "nosuch" "$root/err" || fail "no reason: $(cat "$root/err")"

note "a flipped byte in chunk 10: reads of it fail, the rest reads"
digest=$(dd if="$root/ref.raw" bs=1M skip=40 count=4 status=none | sha256sum | cut -c1-64)
chunk=$repo/chunks/${digest:0:2}/$digest
[ -f "$chunk" ] || fail "chunk 10 is not $chunk"
chmod u+w "$chunk"
size=$(stat -c %s "$chunk")
printf '\xff' | dd of="$chunk" bs=1 seek=$((size - 7)) conv=notrunc status=none
serve "$s1" vda
# Pieces (decoded through the plugin's shared cache) and the whole chunk
# (decoded straight into the reply), twice: a failed chunk is never cached.
for r in "read 40M 4k" "read 42M 64k" "read 40M 4M" "read 40M 4k"; do
    if qemu-io -r -f raw -c "$r" "$nbd" >"$root/out" 2>&1 && ! grep -q "error" "$root/out"; then
        fail "corrupted chunk read ($r): $(cat "$root/out")"
    fi
done
qemu-io -r -f raw -c "read -P 0 44M 4M" -c "read -P 0 8M 32M" "$nbd" | grep -q error &&
    fail "reads around the bad chunk failed"
qemu-io -r -f raw -c "read -v 0 64k" "$nbd" >"$root/a" 2>&1
qemu-io -r -f raw -c "read -v 0 64k" "$root/ref.raw" >"$root/b" 2>&1
diff -q <(grep '^0' "$root/a") <(grep '^0' "$root/b") >/dev/null || fail "chunk 0 differs"
grep -q "chunk $digest" "$root/serve.err" || fail "the chunk is not named: $(cat "$root/serve.err")"
kill -0 "$serve_pid" || fail "the server died"
unserve
echo ok
