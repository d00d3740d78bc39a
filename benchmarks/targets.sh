#!/usr/bin/env bash
# The targets table of issue #16 in one run: every workload through benchmarks/e2e.sh --count-fsyncs
# (the packaged gateway and the bare endpoint side by side, fresh servers per run, server CPU per
# operation, then one extra round under strace for the sync calls per object), printed as a markdown
# table on stdout: workload | Strata | bare | ratio | server CPU/op | fsyncs/object.
#
#   mvn -o -B -Pbenchmarks -Dmaven.test.skip=true package -pl gateway,benchmarks -am
#   benchmarks/targets.sh [--quick] > targets.md
#
# Full run: 25 minutes on the 2-core VM at load 30-38 (other builds running); --quick, fewer and
# shorter rounds and a 16 x 64 MiB burst (the table says so): 8 minutes at load 17-21, aiming at
# about 3 on a quiet machine. Each run of
# e2e.sh is cut off after STRATA_TARGETS_TIMEOUT seconds (default 1200; its row then says so).
# Each run's raw output goes to stderr as it finishes; the table, the time, the load average
# (uptime) before and after, the commit and the JDK go to stdout. Client and servers share the
# machine's cores, so read the ratios, not the absolute rates, and note the load.
#
# Multipart (op mpu) and listing (op list) rows need those S3Load operations; where S3Load does not
# have one yet, its row says "n/a (op missing)" and the run goes on. Other settings as e2e.sh
# (JAVA_HOME, STRATA_BENCH_PORT); servers and temporary directories are removed on exit and Ctrl-C.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
quick=0
case "${1:-}" in
    --quick) quick=1 ;;
    "") ;;
    *) echo "usage: benchmarks/targets.sh [--quick]" >&2; exit 2 ;;
esac
# shellcheck source=scripts/jdk.sh
. "$here/../scripts/jdk.sh"
use_jdk benchmarks/targets.sh # the JDK e2e.sh runs, named in the table's header
row_timeout=${STRATA_TARGETS_TIMEOUT:-1200}
work=$(mktemp -d "${TMPDIR:-/tmp}/strata-targets.XXXXXX")
current=
cleanup() {
    # timeout passes the signal on to e2e.sh and its process group; e2e.sh stops its servers and
    # removes its data directory on the way out.
    if [ -n "$current" ]; then
        kill -TERM "$current" 2>/dev/null || true
        wait "$current" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Runs: name, then e2e.sh's S3Load options. One run may fill several rows (PUT and GET).
# Small requests get thousands of warm-up requests: until C2 has compiled the request path (the
# whole filter chain inlines into a few large methods), the JIT compiler takes as much CPU as the
# requests and the gateway's CPU per 4 KiB PUT reads two to three times its steady figure.
if [ $quick = 1 ]; then
    burst_size=64MiB
    runs=(
        "m1t16|--ops put,get --size 1MiB --threads 16 --count 64 --rounds 1 --warmup 2"
        "k4t16|--ops put --size 4KiB --threads 16 --count 256 --rounds 1 --warmup 12"
        "m64t4|--ops put --size 64MiB --threads 4 --count 4 --rounds 1 --warmup 1"
        "mpu|--ops mpu --parts 8 --size 256MiB --count 1 --threads 1 --rounds 1 --warmup 1"
        "burst|--ops burst --writers 16 --size $burst_size --rounds 1 --warmup 1"
        "m1t1|--ops put,get --size 1MiB --threads 1 --count 32 --rounds 1 --warmup 8"
        "list|--ops list --count 50 --threads 1 --list-keys 1000 --rounds 1 --warmup 2"
    )
else
    burst_size=256MiB
    runs=(
        "m1t16|--ops put,get --size 1MiB --threads 16 --count 200 --rounds 3 --warmup 5"
        "k4t16|--ops put --size 4KiB --threads 16 --count 1000 --rounds 3 --warmup 6"
        "m64t4|--ops put --size 64MiB --threads 4 --count 8 --rounds 3 --warmup 4"
        "mpu|--ops mpu --parts 8 --size 256MiB --count 2 --threads 1 --rounds 3 --warmup 2"
        "burst|--ops burst --writers 16 --size $burst_size --rounds 2 --warmup 1"
        "m1t1|--ops put,get --size 1MiB --threads 1 --count 100 --rounds 3 --warmup 4"
        "list|--ops list --count 200 --threads 1 --list-keys 1000 --rounds 3 --warmup 2"
    )
fi
# Rows in the issue's order: label, run, the operation's name in S3Load's output, unit.
rows=(
    "1 MiB PUT, 16 threads|m1t16|PUT|ops"
    "4 KiB PUT, 16 threads|k4t16|PUT|ops"
    "64 MiB PUT, 4 threads|m64t4|PUT|MiB"
    "256 MiB multipart, 8 parts in parallel|mpu|MPU|MiB"
    "16 × ${burst_size/MiB/ MiB} burst|burst|BURST|MiB"
    "1 MiB GET, 1 thread|m1t1|GET|ops"
    "1 MiB GET, 16 threads|m1t16|GET|ops"
    "ListObjectsV2, 1,000-key page|list|LIST|ops"
)

load_before=$(uptime)
started=$(date -u +%s)
declare -A status
for run in "${runs[@]}"; do
    name=${run%%|*}
    read -r -a opts <<<"${run#*|}"
    echo "== $name: e2e.sh --count-fsyncs ${opts[*]}" >&2
    rc=0
    timeout "$row_timeout" "$here/e2e.sh" --count-fsyncs "${opts[@]}" >"$work/$name.log" 2>&1 &
    current=$!
    wait "$current" || rc=$?
    current=
    cat "$work/$name.log" >&2
    if [ $rc = 0 ]; then
        status[$name]=ok
    elif grep -qE 'unknown option --(parts|list-keys)|IllegalArgumentException: --ops: .* not (mpu|list)$' "$work/$name.log"; then
        status[$name]="n/a (op missing)"
    elif [ $rc = 124 ]; then
        status[$name]="n/a (cut off after ${row_timeout} s)"
    else
        status[$name]="n/a (failed, exit $rc: see its output above)"
    fi
done
elapsed=$(( $(date -u +%s) - started ))

# The first number after PATTERN in LINE, or empty.
num() { sed -nE "s/.*$2 ?([0-9][0-9.]*).*/\1/p" <<<"$1"; }
# The result line of OP for SERVER in run RUN's output (e.g. "PUT  strata 8.1 ops/s, ...").
result() { grep -E "^$2 +$3 " "$work/$1.log" | head -1 || true; }
# One server's cell: the rate in the row's unit and the median (per writer for a burst).
cell() {
    local line=$1 unit=$2 rate p50 max
    [ -n "$line" ] || { echo "?"; return; }
    if [ "$unit" = ops ]; then rate="$(sed -nE 's/.* ([0-9.]+) ops\/s.*/\1/p' <<<"$line") ops/s"
    else rate="$(sed -nE 's/.* ([0-9.]+) MiB\/s.*/\1/p' <<<"$line") MiB/s"; fi
    p50=$(num "$line" "p50"); max=$(num "$line" ", max")
    echo "$rate${p50:+, p50 $p50 ms}${max:+, max $max ms}"
}

echo "Issue #16 targets, $(date -u '+%Y-%m-%d %H:%M UTC')$([ $quick = 1 ] && echo ', --quick'), commit $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown),"
echo "$("$JAVA_HOME/bin/java" -version 2>&1 | head -1), $(nproc) cores shared by client and servers; took ${elapsed} s."
echo "Load before: ${load_before#*load average: }; after: $(uptime | sed 's/.*load average: //')."
echo
echo "| workload | Strata | bare | ratio | server CPU/op (Strata; bare) | fsyncs/object |"
echo "|---|---|---|---|---|---|"
for row in "${rows[@]}"; do
    IFS='|' read -r label run op unit <<<"$row"
    if [ "${status[$run]}" != ok ]; then
        echo "| $label | ${status[$run]} | | | | |"
        continue
    fi
    strata=$(result "$run" "$op" strata)
    bare=$(result "$run" "$op" bare)
    pct=$(grep -E "^$op +strata/bare throughput: " "$work/$run.log" | sed -nE 's/.*: ([0-9]+)%.*/\1/p' | head -1 || true)
    ratio=${pct:+$(awk -v p="$pct" 'BEGIN { printf "%.2f", p / 100 }')}
    cpu_s=$(num "$strata" "server CPU"); cpu_b=$(num "$bare" "server CPU")
    fsync=$(grep -E "^FSYNC $op strata: " "$work/$run.log" | head -1 | sed -E "s/^FSYNC $op strata: //" || true)
    case "$fsync" in
        *" per object "*) fsync=${fsync%% per object*} ;;
        "") fsync=$(grep -m1 -- '--count-fsyncs skipped: ' "$work/$run.log" | sed 's/.*skipped: /skipped: /' || true) ;;
    esac
    echo "| $label | $(cell "$strata" "$unit") | $(cell "$bare" "$unit") | ${ratio:-?} | ${cpu_s:-?} ms; ${cpu_b:-?} ms | ${fsync:-?} |"
done
