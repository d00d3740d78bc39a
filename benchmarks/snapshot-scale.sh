#!/usr/bin/env bash
# Snapshot scale benchmark (issue #13, on demand, not in CI): a gateway at -Xmx256m holding COUNT
# small versions (default 10^6) exports them to a local-directory repository, takes a second,
# no-change incremental snapshot, and a second gateway at -Xmx256m restores the snapshot and
# hydrates it to completion. Prints each step's wall time and versions/s, each gateway's peak RSS
# (VmHWM) and peak heap in use (the largest heap-before-GC of its GC log), and whether either ran
# out of memory (-XX:+ExitOnOutOfMemoryError: it would then die and the step fail).
#
#   mvn -o -B -Pbenchmarks -Dmaven.test.skip=true package -pl gateway,benchmarks -am
#   benchmarks/snapshot-scale.sh [COUNT] [SIZE]          # default 1000000 objects of 16 bytes
#
# Seeding is offline (io.strata.bench.SnapshotSeed): before gateway A starts, the versions are
# written into its data directory through Namespace.importVersions, a thousand per synced batch,
# as the same inline records a PUT of that size stores. 10^6 PUTs through the SDK would take
# tens of minutes of client CPU on 2 cores (each PUT is a synced commit plus SigV4 signing); the
# import takes about a minute. The bucket is unversioned, so every version is a null version.
#
# Gateways listen on 127.0.0.1 (ports STRATA_BENCH_PORT, default 19600, and +1) and are stopped
# by PID; everything goes to a temporary directory (TMPDIR) removed at the end unless
# STRATA_BENCH_KEEP=1. Each step is bounded by STRATA_BENCH_STEP_TIMEOUT seconds (default 1800).
# JAVA_HOME selects the JDK; STRATA_BENCH_JAVA_OPTS adds JVM options to both gateways.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
count=${1:-1000000}
size=${2:-16}
port=${STRATA_BENCH_PORT:-19600}
step_timeout=${STRATA_BENCH_STEP_TIMEOUT:-1800}
gateway_jar="$root/gateway/target/strata-gateway.jar"
bench_jar="$root/benchmarks/target/benchmarks.jar"
for jar in "$gateway_jar" "$bench_jar"; do
    [ -f "$jar" ] || { echo "snapshot-scale.sh: $jar missing; build it first (see the header)" >&2; exit 1; }
done
# A server left on these ports would answer in place of the ones started here, and be measured.
for p in "$port" $((port + 1)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
        echo "snapshot-scale.sh: port $p on 127.0.0.1 is in use; stop what listens there or set STRATA_BENCH_PORT" >&2
        exit 1
    fi
done
work=$(mktemp -d "${TMPDIR:-/tmp}/strata-snapscale.XXXXXX")
export STRATA_ACCESS_KEY=benchaccess STRATA_SECRET_KEY=benchsecret-0123456789
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    if [ "${STRATA_BENCH_KEEP:-0}" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.0f", n / (b - a) }'; }

# start NAME PORT: a gateway at -Xmx256m with a GC log; sets $started_pid.
start() {
    local name=$1 p=$2
    "$java" -Xmx256m -XX:+ExitOnOutOfMemoryError -Xlog:gc:file="$work/$name-gc.log" \
        --add-modules jdk.incubator.vector ${STRATA_BENCH_JAVA_OPTS:-} -jar "$gateway_jar" serve --port "$p" \
        --data-dir "$work/$name" --log-level INFO >"$work/$name.log" 2>&1 &
    started_pid=$!
    pids+=("$started_pid")
    for _ in $(seq 1 300); do
        (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && return 0
        kill -0 "$started_pid" 2>/dev/null || break
        sleep 0.2
    done
    echo "snapshot-scale.sh: gateway $name did not start; its log:" >&2
    tail -20 "$work/$name.log" >&2
    exit 1
}

cli() { # cli PORT ARGS...: the strata CLI against the gateway on PORT, bounded in time
    local p=$1; shift
    timeout "$step_timeout" "$java" -jar "$gateway_jar" snapshot "$@" --gateway "http://127.0.0.1:$p"
}

# memory NAME PID: peak RSS and peak heap in use so far, and whether it ran out of memory.
memory() {
    local name=$1 pid=$2 hwm heap oom=no
    hwm=$(awk '/VmHWM/ { printf "%.0f MiB", $2 / 1024 }' "/proc/$pid/status" 2>/dev/null || echo "?")
    # G1 lines end "Pause Young (Normal) (G1 Evacuation Pause) 150M->30M(256M) 4.2ms": the first figure.
    heap=$(grep -o '[0-9]*M->' "$work/$name-gc.log" | sed 's/M->//' | sort -n | tail -1)
    grep -q OutOfMemoryError "$work/$name.log" && oom=YES
    echo "$name: peak RSS $hwm, peak heap in use ${heap:-?} MiB of 256 MiB, out of memory: $oom"
}

echo "== seeding $count objects of $size bytes into $work/a (offline)"
t0=$(now)
"$java" -Xmx256m -cp "$bench_jar" io.strata.bench.SnapshotSeed "$work/a" bench "$count" "$size"
t1=$(now)
echo "seed: $(elapsed "$t0" "$t1") s, $(rate "$count" "$t0" "$t1") versions/s"

start a "$port"; pid_a=$started_pid
echo "== full export to the local repository"
t0=$(now)
cli "$port" create --repo local --bucket bench --wait | tee "$work/full.out"
t1=$(now)
echo "full export: $(elapsed "$t0" "$t1") s, $(rate "$count" "$t0" "$t1") versions/s"
memory a "$pid_a"

echo "== no-change incremental snapshot"
t0=$(now)
cli "$port" create --repo local --bucket bench --wait | tee "$work/incr.out"
t1=$(now)
echo "no-change incremental: $(elapsed "$t0" "$t1") s, $(rate "$count" "$t0" "$t1") versions/s"
memory a "$pid_a"
locator=$(grep -o 'strata+file://[^ ]*' "$work/incr.out" | tail -1)
[ -n "$locator" ] || { echo "snapshot-scale.sh: no locator in the output" >&2; exit 1; }
grep -h 'snapshot .* written to' "$work/a.log" | sed 's/^.*snapshot /snapshot /' || true

start b $((port + 1)); pid_b=$started_pid
echo "== restore (metadata load) into gateway b"
t0=$(now)
cli $((port + 1)) restore "$locator" --bucket bench --as bench --no-hydrate --wait | tail -3
t1=$(now)
echo "restore load: $(elapsed "$t0" "$t1") s, $(rate "$count" "$t0" "$t1") versions/s"
memory b "$pid_b"

echo "== hydration to completion"
t0=$(now)
cli $((port + 1)) hydrate bench --wait | tail -3
t1=$(now)
echo "hydration: $(elapsed "$t0" "$t1") s, $(rate "$count" "$t0" "$t1") versions/s"
memory b "$pid_b"
cli $((port + 1)) restores | tail -2
echo "repository: $(du -sh "$work/a/snapshots" | cut -f1), $(find "$work/a/snapshots/ranges" -type f | wc -l) range files"
