#!/bin/bash
# checkpoint-tree.sh: the checkpoint tree benchmark on test:///default
# (bench/README.md, "Checkpoint tree (test driver)").
#
# 1. The API benchmark, bench/checkpoint-tree.c (its own table).
# 2. The CLI: per shape and repetition, one `cairn -c test:///default`
#    process reads one script on stdin: N creates (checkpoint-create-as for
#    the chain, checkpoint-create --redefine of one XML file each for the
#    bushy tree), the queries, checkpoint-delete --children of the root, N
#    creates again, and N single deletes. Between phases the script runs
#    `echo --err @@PHASE`; stderr (unbuffered in cairn) goes to a reader
#    that timestamps each marker, stdout to /dev/null. A phase's time is the
#    distance between its markers (median over REPS runs), so process start
#    and the other phases are not counted. Creation and deletion are split
#    at N/10 and N/2: a flat per-op column means O(1) amortised.
#
# Environment: BUILD (build dir, default build), N (default 10000),
# REPS (CLI runs, default 3), API_REPS (default 5), SKIP_API=1, SKIP_CLI=1,
# COMMIT (shown in the header; default: git rev-parse HEAD).
set -euo pipefail

cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
N=${N:-10000}
REPS=${REPS:-3}
API_REPS=${API_REPS:-5}
URI=test:///default
CAIRN=$BUILD/tools/cairn
API=$BUILD/bench/checkpoint-tree

for exe in "$CAIRN" "$API"; do
    if [ ! -x "$exe" ]; then
        echo "checkpoint-tree.sh: $exe missing; build first (ninja -C $BUILD)" >&2
        exit 1
    fi
done

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), commit ${COMMIT:-$(git rev-parse --short HEAD 2>/dev/null || echo unknown)}," \
     "nproc $(nproc), $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')," \
     "$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)," \
     "load average $(cut -d' ' -f1-3 /proc/loadavg)"

if [ "${SKIP_API:-0}" != 1 ]; then
    "$API" -n "$N" -r "$API_REPS" -u "$URI"
    echo
fi
[ "${SKIP_CLI:-0}" = 1 ] && exit 0

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# ---- scripts -------------------------------------------------------------

name() { printf '%s%05d' "$1" "$2"; }

# create-chain.all / create-bushy.all: the N creates. The bushy tree is the
# one of checkpoint-tree.c: a root, (N-1)/4 children of the root, the rest
# spread over those; each checkpoint is redefined from its own XML file.
gen_creates() {
    seq -f "checkpoint-create-as test c%05g" 0 $((N - 1)) > "$TMP/create-chain.all"
    mkdir -p "$TMP/xml"
    awk -v n="$N" -v dir="$TMP/xml" 'BEGIN {
        mids = int((n - 1) / 4)
        for (i = 0; i < n; i++) {
            file = sprintf("%s/b%05d.xml", dir, i)
            printf "<domaincheckpoint><name>b%05d</name>", i > file
            if (i > 0) {
                p = (i <= mids) ? 0 : 1 + (i - mids - 1) % mids
                printf "<parent><name>b%05d</name></parent>", p > file
            }
            printf "<creationTime>%d</creationTime></domaincheckpoint>\n", 1700000000 + i > file
            close(file)
            printf "checkpoint-create test %s --redefine\n", file
        }
    }' > "$TMP/create-bushy.all"
}

# The script of one shape ($1: chain or bushy); every phase ends with a
# marker "@@LABEL|COUNT" (COUNT: the operations in the phase).
gen_script() {
    local shape=$1 p=${1:0:1} all="$TMP/create-$1.all" k1=$((N / 10)) k2=$((N / 2))
    local root
    root=$(name "$p" 0)

    echo "echo --err @@start|0"
    sed -n "1,${k1}p" "$all"
    echo "echo --err @@create-1-$k1|$k1"
    sed -n "$((k1 + 1)),${k2}p" "$all"
    echo "echo --err @@create-$((k1 + 1))-$k2|$((k2 - k1))"
    sed -n "$((k2 + 1)),${N}p" "$all"
    echo "echo --err @@create-$((k2 + 1))-$N|$((N - k2))"
    echo "checkpoint-list test --topological --name"
    echo "echo --err @@list-topological|1"
    echo "checkpoint-list test --leaves --name"
    echo "echo --err @@list-leaves|1"
    echo "checkpoint-list test --name"
    echo "echo --err @@list-name|1"
    echo "checkpoint-list test"
    echo "echo --err @@list-table|1"
    echo "checkpoint-list test --tree"
    echo "echo --err @@list-tree|1"
    seq -f "checkpoint-parent test $p%05g" 1 $((N - 1))
    echo "echo --err @@parent|$((N - 1))"
    seq -f "checkpoint-info test $p%05g" 0 $((N - 1))
    echo "echo --err @@info|$N"
    echo "checkpoint-delete test $root --children"
    echo "echo --err @@delete-children|$N"
    cat "$all"
    echo "echo --err @@recreate|$N"
    seq -f "checkpoint-delete test $p%05g" $((N - 1)) -1 $((N - k1))
    echo "echo --err @@delete-1-$k1|$k1"
    seq -f "checkpoint-delete test $p%05g" $((N - k1 - 1)) -1 $((N - k2))
    echo "echo --err @@delete-$((k1 + 1))-$k2|$((k2 - k1))"
    seq -f "checkpoint-delete test $p%05g" $((N - k2 - 1)) -1 0
    echo "echo --err @@delete-$((k2 + 1))-$N|$((N - k2))"
    echo "checkpoint-list test --name"
}

# ---- timing --------------------------------------------------------------

# Run script $1 once; append "LABEL|COUNT|NS" per phase to $2. Exits when
# cairn fails or prints an error other than a marker.
run_script() {
    local script=$1 out=$2 rc=0
    local prev=

    set +e
    LC_ALL=C "$CAIRN" -c "$URI" < "$script" 2>&1 > /dev/null |
        while IFS= read -r line; do
            printf '%s %s\n' "${EPOCHREALTIME/./}" "$line"
        done > "$TMP/stamps"
    rc=${PIPESTATUS[0]}
    set -e
    if [ "$rc" != 0 ] || grep -qv ' error: @@' "$TMP/stamps"; then
        echo "checkpoint-tree.sh: cairn failed (exit $rc) on $script:" >&2
        grep -v ' error: @@' "$TMP/stamps" | head -5 >&2
        exit 1
    fi
    while read -r us rest; do
        rest=${rest#error: @@}
        if [ -n "$prev" ]; then
            echo "$rest|$(( (us - prev) * 1000 ))"
        fi
        prev=$us
    done < "$TMP/stamps" >> "$out"
}

gen_creates
echo "# CLI: one '$CAIRN -c $URI' process per shape and run, commands on stdin,"
echo "# stdout to /dev/null, phases timed by 'echo --err' markers; median of $REPS runs"
printf '%-46s %6s %11s %11s\n' "operation (CLI, median)" N "total ms" "per-op us"

for shape in chain bushy; do
    gen_script "$shape" > "$TMP/$shape.cmd"
    : > "$TMP/$shape.phases"
    for ((r = 0; r < REPS; r++)); do
        run_script "$TMP/$shape.cmd" "$TMP/$shape.phases"
    done
    # Median per phase, in the order of first appearance.
    awk -F'|' -v shape="$shape" '
        function label(key,    r) {
            if (key ~ /^create-/) { sub(/^create-/, "", key); return "create #" key }
            if (key ~ /^delete-[0-9]/) { sub(/^delete-/, "", key); return "delete newest first #" key }
            if (key == "list-topological") return "checkpoint-list --topological --name"
            if (key == "list-leaves") return "checkpoint-list --leaves --name"
            if (key == "list-name") return "checkpoint-list --name (sorted)"
            if (key == "list-table") return "checkpoint-list (table)"
            if (key == "list-tree") return "checkpoint-list --tree"
            if (key == "parent") return "checkpoint-parent x (N-1)"
            if (key == "info") return "checkpoint-info x N"
            if (key == "delete-children") return "checkpoint-delete --children (root)"
            if (key == "recreate") return "create all again"
            return key
        }
        !($1 in n) { order[++k] = $1; count[$1] = $2 }
        { v[$1, ++n[$1]] = $3 }
        END {
            for (i = 1; i <= k; i++) {
                l = order[i]; m = n[l]
                for (a = 1; a <= m; a++) s[a] = v[l, a]
                for (a = 1; a <= m; a++)
                    for (b = a + 1; b <= m; b++)
                        if (s[b] < s[a]) { t = s[a]; s[a] = s[b]; s[b] = t }
                med = (m % 2) ? s[(m + 1) / 2] : (s[m / 2] + s[m / 2 + 1]) / 2
                printf "%-46s %6d %11.1f %11.2f\n", shape ": " label(l), count[l], med / 1e6,
                       count[l] ? med / 1e3 / count[l] : 0
            }
        }' "$TMP/$shape.phases"
done
