#!/usr/bin/env bash
# Snapshot scale benchmark (issue #13, on demand, not in CI): a gateway at -Xmx256m holding COUNT
# small versions (default 10^6) exports them to a local-directory repository, takes a second,
# no-change incremental snapshot, and a second gateway at -Xmx256m restores the snapshot and
# hydrates it to completion; then every snapshot is forgotten and gateway A runs GC over all COUNT
# versions (no retained neighbour: every data object goes). Prints each step's wall time and versions/s, each gateway's peak RSS
# (VmHWM) and peak heap in use (the largest heap-before-GC of its GC log), and whether either ran
# out of memory (-XX:+ExitOnOutOfMemoryError: it would then die and the step fail).
#
#   mvn -o -B -Pbenchmarks -Dmaven.test.skip=true package -pl gateway,benchmarks -am
#   benchmarks/snapshot-scale.sh [COUNT] [SIZE]          # default 1000000 objects of 16 bytes
#   benchmarks/snapshot-scale.sh --large COUNT SIZE      # e.g. --large 8 256MiB: large objects PUT
#
# --large: the objects are PUT through gateway A by S3Load (AWS SDK v2, 2 threads, one round; its
# PUT throughput is printed as a reference for the hot tier's write path, client CPU included),
# not seeded; the rest is the same. Hydration's MiB/s is then comparable with that and with the
# disk's own write rate (printed from dd with fsync).
#
# Seeding is offline (io.strata.bench.SnapshotSeed): before gateway A starts, the versions are
# written into its data directory through Namespace.importVersions, a thousand per synced batch,
# as the same inline records a PUT of that size stores. 10^6 PUTs through the SDK would take
# tens of minutes of client CPU on 2 cores (each PUT is a synced commit plus SigV4 signing); the
# import takes about a minute. The bucket is unversioned, so every version is a null version.
#
# STRATA_BENCH_REUSE=DIR (a directory kept by STRATA_BENCH_KEEP=1) skips the seeding and the full
# export: gateway A restarts on DIR/a, whose repository holds the full snapshot, and the run goes on
# with the no-change incremental (to measure a change to it without the full export's minutes).
#
# STRATA_BENCH_SKIP_RESTORE=1 skips gateway B (restore and hydration), to measure export and GC only.
#
# STRATA_BENCH_HYDRATE_PARALLELISM=N gives gateway b snapshots.hydrate-parallelism N (default 4).
#
# Gateways listen on 127.0.0.1 (ports STRATA_BENCH_PORT, default 19600, and +1) and are stopped
# by PID; everything goes to a temporary directory (TMPDIR) removed at the end unless
# STRATA_BENCH_KEEP=1. Each step is bounded by STRATA_BENCH_STEP_TIMEOUT seconds (default 1800).
# The JDK is JAVA_HOME if it is 21 or newer, else the newest under /usr/lib/jvm; STRATA_BENCH_JAVA_OPTS adds JVM options to both gateways.
set -euo pipefail
root=${STRATA_BENCH_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
# shellcheck source=scripts/jdk.sh
. "$(cd "$(dirname "$0")/.." && pwd)/scripts/jdk.sh"
use_jdk "benchmarks/snapshot-scale.sh"
java="$JAVA_HOME/bin/java"
large=0
if [ "${1:-}" = --large ]; then large=1; shift; fi
count=${1:-1000000}
size=${2:-16}
port=${STRATA_BENCH_PORT:-19600}
step_timeout=${STRATA_BENCH_STEP_TIMEOUT:-1800}
for jar in "$root/gateway/target/strata-gateway.jar" "$root/benchmarks/target/benchmarks.jar"; do
    [ -f "$jar" ] || { echo "snapshot-scale.sh: $jar missing; build it first (see the header)" >&2; exit 1; }
done
# A server left on these ports would answer in place of the ones started here, and be measured.
for p in "$port" $((port + 1)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
        echo "snapshot-scale.sh: port $p on 127.0.0.1 is in use; stop what listens there or set STRATA_BENCH_PORT" >&2
        exit 1
    fi
done
reuse=${STRATA_BENCH_REUSE:-}
if [ -n "$reuse" ]; then
    [ -d "$reuse/a/snapshots/snapshots" ] || { echo "snapshot-scale.sh: $reuse holds no kept run" >&2; exit 1; }
    work=$reuse
    rm -rf "$work/b"
else
    work=$(mktemp -d "${TMPDIR:-/tmp}/strata-snapscale.XXXXXX")
fi
# The run uses copies of the jars: a build during a long run must not change the code it measures.
mkdir -p "$work/jars"
cp -r "$root/gateway/target/strata-gateway.jar" "$root/gateway/target/libs" "$root/benchmarks/target/benchmarks.jar" "$work/jars/"
gateway_jar="$work/jars/strata-gateway.jar"
bench_jar="$work/jars/benchmarks.jar"
export STRATA_ACCESS_KEY=benchaccess STRATA_SECRET_KEY=benchsecret-0123456789
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    if [ "${STRATA_BENCH_KEEP:-0}" = 1 ] || [ -n "$reuse" ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.0f", n / (b - a) }'; }

# start NAME PORT: a gateway at -Xmx256m with a GC log; sets $started_pid.
start() {
    local name=$1 p=$2 config=()
    if [ "$name" = b ] && [ -n "${STRATA_BENCH_HYDRATE_PARALLELISM:-}" ]; then
        printf 'snapshots:\n  hydrate-parallelism: %s\n' "$STRATA_BENCH_HYDRATE_PARALLELISM" >"$work/b.yaml"
        config=(--config "$work/b.yaml")
    fi
    "$java" -Xmx256m -XX:+ExitOnOutOfMemoryError -Xlog:gc:file="$work/$name-gc.log" \
        --add-modules jdk.incubator.vector ${STRATA_BENCH_JAVA_OPTS:-} -jar "$gateway_jar" serve --port "$p" \
        --data-dir "$work/$name" --log-level INFO "${config[@]}" >"$work/$name.log" 2>&1 &
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

# memory NAME PID: peak RSS and peak heap in use so far, the live heap now (after a full GC), and
# whether it ran out of memory. A young GC's "after" figure still counts garbage promoted to the old
# generation, so only a full GC (jcmd GC.run) tells what the gateway really holds.
memory() {
    local name=$1 pid=$2 hwm heap live oom=no
    hwm=$(awk '/VmHWM/ { printf "%.0f MiB", $2 / 1024 }' "/proc/$pid/status" 2>/dev/null || echo "?")
    # G1 lines end "Pause Young (Normal) (G1 Evacuation Pause) 150M->30M(256M) 4.2ms": the first figure.
    heap=$(grep -o '[0-9]*M->' "$work/$name-gc.log" | sed 's/M->//' | sort -n | tail -1)
    "${java%java}jcmd" "$pid" GC.run >/dev/null 2>&1 || true
    live=$("${java%java}jcmd" "$pid" GC.heap_info 2>/dev/null | awk '/used/ { for (i = 1; i <= NF; i++)
        if ($i == "used") { v = $(i + 1); sub("K.*", "", v); printf "%.0f", v / 1024; exit } }')
    grep -q OutOfMemoryError "$work/$name.log" && oom=YES
    echo "$name: peak RSS $hwm, peak heap in use ${heap:-?} MiB of 256 MiB, live heap after a full GC ${live:-?} MiB, out of memory: $oom"
}

if [ -z "$reuse" ] && [ $large = 0 ]; then
    echo "== seeding $count objects of $size bytes into $work/a (offline)"
    t0=$(now)
    "$java" -Xmx256m -cp "$bench_jar" io.strata.bench.SnapshotSeed "$work/a" bench "$count" "$size"
    t1=$(now)
    echo "seed: $(elapsed "$t0" "$t1") s, $(rate "$count" "$t0" "$t1") versions/s"
fi

start a "$port"; pid_a=$started_pid
if [ $large = 1 ] && [ -z "$reuse" ]; then
    echo "== PUT $count objects of $size through gateway a (S3Load, 2 threads)"
    "$java" -cp "$bench_jar" io.strata.bench.S3Load --endpoint "http://127.0.0.1:$port" --access-key "$STRATA_ACCESS_KEY" \
        --secret-key "$STRATA_SECRET_KEY" --bucket bench --size "$size" --count "$count" --threads 2 --rounds 1 \
        --warmup 0 --ops put --fresh-keys 2>&1 | grep -v '^SLF4J\|^WARNING' | tail -4
    echo "disk write reference (dd 1 GiB, fsync): $(dd if=/dev/zero of="$work/dd.bin" bs=1M count=1024 conv=fsync 2>&1 | tail -1)"
    rm -f "$work/dd.bin"
fi
if [ -z "$reuse" ]; then
    echo "== full export to the local repository"
    t0=$(now)
    cli "$port" create --repo local --bucket bench --wait | tee "$work/full.out"
    t1=$(now)
    echo "full export: $(elapsed "$t0" "$t1") s, $(rate "$count" "$t0" "$t1") versions/s"
    memory a "$pid_a"
fi

echo "== no-change incremental snapshot"
t0=$(now)
cli "$port" create --repo local --bucket bench --wait | tee "$work/incr.out"
t1=$(now)
echo "no-change incremental: $(elapsed "$t0" "$t1") s, $(rate "$count" "$t0" "$t1") versions/s"
memory a "$pid_a"
locator=$(grep -o 'strata+file://[^ ]*' "$work/incr.out" | tail -1)
[ -n "$locator" ] || { echo "snapshot-scale.sh: no locator in the output" >&2; exit 1; }
grep -h 'snapshot .* written to' "$work/a.log" | sed 's/^.*snapshot /snapshot /' || true

if [ $large = 0 ]; then
    echo "== one-change incremental (one more object, seeded offline: the bucket is listed, one object uploaded)"
    kill "$pid_a"; wait "$pid_a" 2>/dev/null || true
    "$java" -cp "$bench_jar" io.strata.bench.SnapshotSeed "$work/a" bench 1 "$size" "$count" 2>&1 | grep '^seeded' || true
    start a "$port"; pid_a=$started_pid
    t0=$(now)
    cli "$port" create --repo local --bucket bench --wait | tail -2
    t1=$(now)
    echo "one-change incremental: $(elapsed "$t0" "$t1") s"
    memory a "$pid_a"
    grep -h 'snapshot .* written to' "$work/a.log" | tail -1 | sed 's/^.*snapshot /snapshot /' || true
fi

if [ "${STRATA_BENCH_SKIP_RESTORE:-0}" != 1 ]; then
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
if [ $large = 1 ]; then
    bytes=$(awk -v s="$size" 'BEGIN { n = s + 0; u = substr(s, length(n "") + 1);
        m = (u == "KiB") ? 1024 : (u == "MiB") ? 1048576 : (u == "GiB") ? 1073741824 : 1; print n * m }')
    echo "hydration: $(awk -v b="$bytes" -v n="$count" -v a="$t0" -v c="$t1" 'BEGIN { printf "%.0f", b * n / 1048576 / (c - a) }') MiB/s"
fi
memory b "$pid_b"
cli $((port + 1)) restores | tail -2
fi
# Range files only: a du of data/ walks a directory per key (minutes for 10^6 under load).
echo "range files: $(find "$work/a/snapshots/ranges" -type f | wc -l), $(du -sh "$work/a/snapshots/ranges" | cut -f1)"

# GC at scale: every snapshot of the repository forgotten, so none has a retained neighbour and GC
# plans the deletion of all COUNT data objects: a merge of the range files, written as a paged plan.
echo "== forget every snapshot, then gc (gateway a, -Xmx256m)"
ids=$(ls "$work/a/snapshots/snapshots" | sed -n 's/\.json$//p' | tr '\n' ' ')
# shellcheck disable=SC2086
cli "$port" forget $ids --repo local | tail -1
gc_log_from=$(($(wc -l <"$work/a-gc.log") + 1))
t0=$(now)
cli "$port" gc --repo local | tail -2
t1=$(now)
echo "gc: $(elapsed "$t0" "$t1") s, $(rate "$count" "$t0" "$t1") versions/s"
gc_heap=$(tail -n +"$gc_log_from" "$work/a-gc.log" | grep -o '[0-9]*M->' | sed 's/M->//' | sort -n | tail -1)
echo "a: peak heap in use during gc ${gc_heap:-?} MiB of 256 MiB"
memory a "$pid_a"
echo "left in the repository: $(find "$work/a/snapshots/data" -type f | wc -l) data objects, $(find "$work/a/snapshots/ranges" -type f | wc -l) range files, $(find "$work/a/snapshots/gc" -type f 2>/dev/null | wc -l) plan files"
