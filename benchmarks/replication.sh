#!/usr/bin/env bash
# Replication benchmark (issue #14, on demand, not in CI): a source gateway A replicates to a target,
# a second gateway B (default) or s3proxy (--target s3proxy), all on 127.0.0.1. Prints its
# parameters, then:
#   keepup   1 MiB objects PUT by N writers: the source's PUT rate, the rate replicas appear at the
#            target and the lag left when the last PUT is answered (does replication keep up?);
#   large    LARGE_COUNT x LARGE_SIZE: replication MiB/s (the versions are FAILED first because the
#            destination bucket is missing, then it is created and `strata replicate retry --failed`
#            sends them all; timed from that command to the last replica listed) against
#            `strata tier move` MiB/s of the same objects to the same target (timed likewise); needs a
#            target that refuses a PUT into a missing bucket with NoSuchBucket (Strata does);
#   lag      single small PUTs on the idle pair, one at a time: time from the PUT's answer until a
#            HEAD at the target finds the replica (5 ms between HEADs), median and p90;
#   onoff    source PUT throughput into a bucket with replication (each round waits until the
#            replicas are all there) and into one without, alternating rounds, with the CPU time
#            the source and the target spent per object (from /proc);
#   backlog  the target stopped, BACKLOG small PUTs queued: the source's live heap (jcmd
#            GC.class_histogram: a full GC, then reachable objects only) before and with the
#            backlog, and its largest classes.
#
#   mvn -o -B -Pbenchmarks -Dmaven.test.skip=true package -pl gateway,benchmarks -am
#   benchmarks/replication.sh [--target strata|s3proxy] [STEP...]     # steps: keepup large lag onoff backlog (all)
#
# Environment (defaults): STRATA_BENCH_PORT (19700: the first of three free ports picked from there),
# STRATA_BENCH_WRITERS (4), STRATA_BENCH_KEEPUP_COUNT (200), STRATA_BENCH_LARGE_COUNT (4),
# STRATA_BENCH_LARGE_SIZE (256MiB), STRATA_BENCH_LAG_COUNT (50), STRATA_BENCH_ONOFF_COUNT (200),
# STRATA_BENCH_ONOFF_ROUNDS (2 of each), STRATA_BENCH_BACKLOG (100000), STRATA_BENCH_PARALLELISM
# (the source's replication.parallelism, default the gateway's), STRATA_BENCH_INTERVAL (the source's
# replication.interval), STRATA_BENCH_STEP_TIMEOUT (1800 s per step), STRATA_BENCH_KEEP=1 keeps the
# temporary directory. The JDK is JAVA_HOME if it is 21 or newer, else the newest under /usr/lib/jvm; STRATA_BENCH_JAVA_OPTS adds JVM options to the gateways.
# s3proxy (filesystem provider) runs from the tiering tests' classpath, resolved offline by mvn.
set -euo pipefail
root=${STRATA_BENCH_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
# shellcheck source=scripts/jdk.sh
. "$(cd "$(dirname "$0")/.." && pwd)/scripts/jdk.sh"
use_jdk "benchmarks/replication.sh"
java="$JAVA_HOME/bin/java"
target_kind=strata
if [ "${1:-}" = --target ]; then target_kind=$2; shift 2; fi
case "$target_kind" in strata|s3proxy) ;; *) echo "replication.sh: --target strata or s3proxy" >&2; exit 2 ;; esac
steps=("$@")
[ ${#steps[@]} -eq 0 ] && steps=(keepup large lag onoff backlog)
writers=${STRATA_BENCH_WRITERS:-4}
keepup_count=${STRATA_BENCH_KEEPUP_COUNT:-200}
large_count=${STRATA_BENCH_LARGE_COUNT:-4}
large_size=${STRATA_BENCH_LARGE_SIZE:-256MiB}
lag_count=${STRATA_BENCH_LAG_COUNT:-50}
onoff_count=${STRATA_BENCH_ONOFF_COUNT:-200}
onoff_rounds=${STRATA_BENCH_ONOFF_ROUNDS:-2}
backlog=${STRATA_BENCH_BACKLOG:-100000}
step_timeout=${STRATA_BENCH_STEP_TIMEOUT:-1800}
for jar in "$root/gateway/target/strata-gateway.jar" "$root/benchmarks/target/benchmarks.jar"; do
    [ -f "$jar" ] || { echo "replication.sh: $jar missing; build it first (see the header)" >&2; exit 1; }
done

# Three free ports from STRATA_BENCH_PORT on (a server left there would be measured in place of ours).
ports=()
p=${STRATA_BENCH_PORT:-19700}
while [ ${#ports[@]} -lt 3 ] && [ "$p" -lt $(( ${STRATA_BENCH_PORT:-19700} + 200 )) ]; do
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || ports+=("$p")
    p=$((p + 1))
done
[ ${#ports[@]} -eq 3 ] || { echo "replication.sh: no three free ports from ${STRATA_BENCH_PORT:-19700}" >&2; exit 1; }
port_a=${ports[0]}; port_b=${ports[1]}
work=$(mktemp -d "${TMPDIR:-/tmp}/strata-replbench.XXXXXX")
mkdir -p "$work/jars"
cp -r "$root/gateway/target/strata-gateway.jar" "$root/gateway/target/libs" "$root/benchmarks/target/benchmarks.jar" "$work/jars/"
gateway_jar="$work/jars/strata-gateway.jar"
bench_jar="$work/jars/benchmarks.jar"
export STRATA_ACCESS_KEY=benchaccess STRATA_SECRET_KEY=benchsecret-0123456789
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    if [ "${STRATA_BENCH_KEEP:-0}" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

now() { date +%s.%N; }
wait_port() { # wait_port PORT PID NAME
    for _ in $(seq 1 300); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        kill -0 "$2" 2>/dev/null || break
        sleep 0.2
    done
    echo "replication.sh: $3 did not start; its log:" >&2
    tail -20 "$work/$3.log" >&2
    exit 1
}

# gateway NAME PORT [ENV...]: starts a gateway with a GC log; sets $started_pid.
gateway() {
    local name=$1 p=$2; shift 2
    env "$@" "$java" -Xmx1g -XX:+ExitOnOutOfMemoryError -Xlog:gc:file="$work/$name-gc.log" --add-modules jdk.incubator.vector \
        ${STRATA_BENCH_JAVA_OPTS:-} -jar "$gateway_jar" serve --port "$p" --data-dir "$work/$name" --log-level INFO \
        >"$work/$name.log" 2>&1 &
    started_pid=$!
    pids+=("$started_pid")
    wait_port "$p" "$started_pid" "$name"
}

s3proxy_cp=""
start_s3proxy() {
    if [ -z "$s3proxy_cp" ]; then
        # The tiering tests' classpath holds s3proxy and its providers; reactor modules resolve only
        # within a build that compiles them (a no-op when compiled), and the last module's file wins.
        (cd "$root" && timeout 300 mvn -o -q -B compile dependency:build-classpath -pl tiering -am -Dmdep.includeScope=test \
            -Dmdep.outputFile="$work/s3proxy.classpath" >"$work/s3proxy-classpath.log" 2>&1) \
            || { echo "replication.sh: no s3proxy classpath; see $work/s3proxy-classpath.log" >&2; exit 1; }
        s3proxy_cp=$(cat "$work/s3proxy.classpath")
        # Without a configuration logback logs at DEBUG, a line per socket event: that would be measured too.
        printf '<configuration><root level="WARN"/></configuration>\n' >"$work/s3proxy-logback.xml"
        mkdir -p "$work/s3proxy-data"
        cat >"$work/s3proxy.properties" <<EOF
s3proxy.endpoint=http://127.0.0.1:$port_b
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$STRATA_ACCESS_KEY
s3proxy.credential=$STRATA_SECRET_KEY
jclouds.provider=filesystem
jclouds.filesystem.basedir=$work/s3proxy-data
EOF
    fi
    "$java" -Xmx512m -Dlogback.configurationFile="$work/s3proxy-logback.xml" -cp "$s3proxy_cp" org.gaul.s3proxy.Main --properties "$work/s3proxy.properties" >"$work/target.log" 2>&1 &
    started_pid=$!
    pids+=("$started_pid")
    wait_port "$port_b" "$started_pid" target
}

start_target() {
    if [ "$target_kind" = s3proxy ]; then start_s3proxy; else gateway target "$port_b"; fi
    pid_b=$started_pid
}

cli() { # cli ARGS...: the strata CLI against gateway A, bounded in time
    timeout "$step_timeout" "$java" -jar "$gateway_jar" "$@" --gateway "http://127.0.0.1:$port_a"
}
bench() { # bench COMMAND ARGS...: the S3 side (AWS SDK v2), bounded in time
    timeout "$step_timeout" "$java" -Xmx2g -cp "$bench_jar" io.strata.bench.ReplicationBench "$@" 2>&1 | grep -v '^SLF4J'
}
A="http://127.0.0.1:$port_a"; B="http://127.0.0.1:$port_b"

# cpu PID: the process's CPU time so far, in ms (user + system, from /proc).
cpu() {
    awk -v hz="$(getconf CLK_TCK)" '{ printf "%.0f", ($14 + $15) * 1000 / hz }' "/proc/$1/stat"
}
per_object() { # per_object BEFORE AFTER COUNT: CPU ms per object
    awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN { printf "%.1f", (b - a) / n }'
}

# heap PID: the live heap in MiB, from GC.class_histogram (a full GC, then only reachable objects
# counted). GC.heap_info after GC.run also counts what was allocated since, e.g. the worker's status
# refresh, which reads the queue (up to 100,000 items) once a second.
heap() {
    "${java%java}jcmd" "$1" GC.class_histogram 2>/dev/null | awk '$1 == "Total" { printf "%.1f", $3 / 1048576 }'
}

source_env=()
[ -n "${STRATA_BENCH_PARALLELISM:-}" ] && source_env+=("STRATA_REPLICATION_PARALLELISM=$STRATA_BENCH_PARALLELISM")
[ -n "${STRATA_BENCH_INTERVAL:-}" ] && source_env+=("STRATA_REPLICATION_INTERVAL=$STRATA_BENCH_INTERVAL")
echo "== replication.sh: target $target_kind, steps ${steps[*]}; ports A $port_a, target $port_b; writers $writers,"
echo "   keepup $keepup_count x 1MiB, large $large_count x $large_size, lag $lag_count x 1KiB, onoff $onoff_rounds x $onoff_count x 1MiB,"
echo "   backlog $backlog x 1KiB; source env: ${source_env[*]:-(defaults)}; $(nproc) cores; $("$java" -version 2>&1 | head -1)"
gateway source "$port_a" "${source_env[@]}"; pid_a=$started_pid
start_target

# Destination buckets at the target (versioned at a Strata target), the two targets, the source buckets.
if [ "$target_kind" = strata ]; then
    bench bucket --endpoint "$B" --bucket dest --versioning
else
    bench bucket --endpoint "$B" --bucket dest
fi
cli replicate target add t1 --endpoint "$B" --bucket dest --access-key "$STRATA_ACCESS_KEY" \
    --secret-key "$STRATA_SECRET_KEY" --path-style
bench bucket --endpoint "$A" --bucket src --replicate-to dest

for step in "${steps[@]}"; do
    case "$step" in
    keepup)
        echo "== keepup: $keepup_count x 1MiB, $writers writers, replication on"
        bench keepup --source "$A" --target "$B" --bucket src --dest dest --prefix keepup/ --size 1MiB \
            --count "$keepup_count" --threads "$writers"
        ;;
    large)
        echo "== large: $large_count x $large_size, replication (retry --failed into a new bucket) vs tier move"
        cli replicate target add t2 --endpoint "$B" --bucket bigdest --access-key "$STRATA_ACCESS_KEY" \
            --secret-key "$STRATA_SECRET_KEY" --path-style
        bench bucket --endpoint "$A" --bucket bigsrc --replicate-to bigdest
        bench put --source "$A" --bucket bigsrc --prefix big/ --size "$large_size" --count "$large_count" --threads 1
        # The destination bucket does not exist yet: every version is FAILED (NoSuchBucket), then all are sent at once.
        failed=0
        for _ in $(seq 1 120); do
            failed=$(cli replicate status bigsrc | grep -c '^  FAILED bigsrc/' || true)
            [ "$failed" -ge "$large_count" ] && break
            sleep 0.5
        done
        if [ "$failed" -lt "$large_count" ]; then
            echo "replication.sh: only $failed of $large_count FAILED: this target does not refuse a missing bucket with" \
                "NoSuchBucket (s3proxy's answer to a large PUT there is seen as transient), so large is measured with --target strata" >&2
            exit 1
        fi
        if [ "$target_kind" = strata ]; then
            bench bucket --endpoint "$B" --bucket bigdest --versioning
        else
            bench bucket --endpoint "$B" --bucket bigdest
        fi
        # Timed at the gateway, without the CLI's JVM start: from the source's log line of the retry to the
        # last replica listed by a watcher started before it (50 ms between listings).
        bench await --target "$B" --dest bigdest --prefix big/ --count "$large_count" >"$work/await.out" &
        watcher=$!
        cli replicate retry --failed --target t2
        wait "$watcher" || true
        read -r n t1 <"$work/await.out"
        [ "${n:-0}" -ge "$large_count" ] || { echo "replication.sh: only $n of $large_count replicas" >&2; exit 1; }
        t0=$(date -d "$(grep 'FAILED operation(s) queued again' "$work/source.log" | tail -1 | sed 's/^ts=\([^ ]*\) .*/\1/')" +%s.%N)
        bytes=$(awk -v s="$large_size" 'BEGIN { n = s + 0; u = substr(s, length(n "") + 1);
            m = (u == "KiB") ? 1024 : (u == "MiB") ? 1048576 : (u == "GiB") ? 1073741824 : 1; print n * m }')
        repl_rate=$(awk -v b="$bytes" -v n="$large_count" -v a="$t0" -v c="$t1" 'BEGIN { printf "%.1f", b * n / 1048576 / (c - a) }')
        echo "replication of $large_count x $large_size: $(awk -v a="$t0" -v c="$t1" 'BEGIN { printf "%.2f", c - a }') s, $repl_rate MiB/s (retry logged -> last replica listed)"
        bench bucket --endpoint "$B" --bucket tierdest
        cli tier add RTARGET --type s3 --endpoint "$B" --bucket tierdest --access-key "$STRATA_ACCESS_KEY" \
            --secret-key "$STRATA_SECRET_KEY" --path-style true >/dev/null
        bench bucket --endpoint "$A" --bucket tiersrc
        bench put --source "$A" --bucket tiersrc --prefix big/ --size "$large_size" --count "$large_count" --threads 1
        job=$(cli tier move tiersrc RTARGET | tail -1)
        echo "$job"
        # Timed at the gateway likewise: the job's creation to its last update (done).
        id=$(echo "$job" | sed -n 's/^job \([0-9]*\) .*/\1/p')
        json=$(cli jobs show "$id" --json --no-wait)
        t0=$(date -d "$(echo "$json" | sed -n 's/.*"created" *: *"\([^"]*\)".*/\1/p')" +%s.%N)
        t1=$(date -d "$(echo "$json" | sed -n 's/.*"updated" *: *"\([^"]*\)".*/\1/p')" +%s.%N)
        tier_rate=$(awk -v b="$bytes" -v n="$large_count" -v a="$t0" -v c="$t1" 'BEGIN { printf "%.1f", b * n / 1048576 / (c - a) }')
        echo "tier move of $large_count x $large_size: $(awk -v a="$t0" -v c="$t1" 'BEGIN { printf "%.2f", c - a }') s, $tier_rate MiB/s (job created -> done)"
        echo "replication / tier move: $(awk -v r="$repl_rate" -v t="$tier_rate" 'BEGIN { printf "%.0f%%", 100 * r / t }')"
        ;;
    lag)
        echo "== lag: $lag_count single 1KiB PUTs on the idle pair"
        bench lag --source "$A" --target "$B" --bucket src --dest dest --prefix lag/ --size 1KiB --count "$lag_count"
        ;;
    onoff)
        echo "== onoff: $onoff_rounds rounds each of $onoff_count x 1MiB, $writers writers, replication off / on"
        bench bucket --endpoint "$A" --bucket off --versioning
        off=(); on=()
        for round in $(seq 1 "$onoff_rounds"); do
            ca=$(cpu "$pid_a"); cb=$(cpu "$pid_b")
            r=$(bench put --source "$A" --bucket off --prefix "r$round/" --size 1MiB --count "$onoff_count" --threads "$writers" | tail -1)
            echo "off, round $round: $r; CPU per object: source $(per_object "$ca" "$(cpu "$pid_a")" "$onoff_count") ms, target $(per_object "$cb" "$(cpu "$pid_b")" "$onoff_count") ms"
            off+=("$(echo "$r" | sed -n 's/.* \([0-9.]*\) objects\/s.*/\1/p')")
            ca=$(cpu "$pid_a"); cb=$(cpu "$pid_b")
            r=$(bench keepup --source "$A" --target "$B" --bucket src --dest dest --prefix "on$round/" --size 1MiB \
                --count "$onoff_count" --threads "$writers")
            echo "$r" | sed "s/^/on, round $round: /"
            echo "on, round $round: CPU per object (PUT and replication): source $(per_object "$ca" "$(cpu "$pid_a")" "$onoff_count") ms, target $(per_object "$cb" "$(cpu "$pid_b")" "$onoff_count") ms"
            on+=("$(echo "$r" | sed -n 's/^source PUT.* \([0-9.]*\) objects\/s.*/\1/p')")
        done
        echo "PUT objects/s with replication off: ${off[*]}; on: ${on[*]}; on / off: $(echo "${off[*]} | ${on[*]}" | awk -F'|' '{
            n = split($1, a, " "); m = split($2, b, " "); s = 0; t = 0; for (i = 1; i <= n; i++) s += a[i]; for (i = 1; i <= m; i++) t += b[i];
            printf "%.0f%%", 100 * (t / m) / (s / n) }')"
        ;;
    backlog)
        echo "== backlog: target stopped, $backlog x 1KiB PUTs queued at the source"
        idle=$(heap "$pid_a")
        kill "$pid_b"; wait "$pid_b" 2>/dev/null || true
        t0=$(now)
        bench put --source "$A" --bucket src --prefix backlog/ --size 1KiB --count "$backlog" --threads 8
        pending=0
        for _ in $(seq 1 600); do
            pending=$(cli replicate status src | awk '$1 == "t1" { print $3 }')
            [ "${pending:-0}" -ge "$backlog" ] && break
            sleep 1
        done
        t1=$(now)
        with=$(heap "$pid_a")
        echo "pending at t1 (counted up to 100000): $pending, $(awk -v a="$t0" -v c="$t1" 'BEGIN { printf "%.0f", c - a }') s to queue"
        echo "source live heap (class histogram after a full GC): idle $idle MiB, with the backlog $with MiB; RSS $(awk '/VmRSS/ { printf "%.0f MiB", $2 / 1024 }' /proc/$pid_a/status)"
        "${java%java}jcmd" "$pid_a" GC.class_histogram 2>/dev/null | sed -n '1,8p'
        cli replicate status src | head -3
        ;;
    *) echo "replication.sh: unknown step $step" >&2; exit 2 ;;
    esac
done
