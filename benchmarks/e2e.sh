#!/usr/bin/env bash
# End-to-end benchmark: the packaged gateway and the bare Helidon endpoint (BareEndpoint) side by
# side, driven by the same AWS SDK v2 load (S3Load, default checksums), alternating the servers
# every round. Prints throughput, latency, each server's CPU per operation and the Strata/bare ratio.
#
#   mvn -o -B -Pbenchmarks -Dmaven.test.skip=true package     # builds gateway and benchmarks jars
#   benchmarks/e2e.sh [--tls] [--digest-floor] [--count-fsyncs] [S3Load options] # default: --size 64MiB --count 8 --threads 1 --rounds 4
#   benchmarks/e2e.sh --count-fsyncs --ops burst --writers 16 --size 256MiB --rounds 2   # a 16 x 256 MiB checkpoint burst
#   benchmarks/e2e.sh --size 256MiB --count 2 --threads 1 --parts 8 --ops mpu   # multipart: 8 parts of 32 MiB at once
#
# e2e.sh's own flags come before S3Load's.
#
# --tls: both servers serve HTTPS with the certificate the gateway generates (--tls-self-signed), as
# clients reach S3 in production; the SDK then sends unsigned aws-chunked bodies with a CRC32 trailer
# (no SHA-256 chunk signatures on either side). Without it, plain HTTP: the SDK signs every chunk.
# --digest-floor: in place of the gateway, a second bare endpoint that only computes what every S3
# server owes a PUT (the chunk signatures' SHA-256 when signed, the MD5 ETag on its own thread) and
# stores nothing: the ratio it reaches is the ceiling for any S3 server with MD5 ETags on this machine.
# --count-fsyncs: after each operation's measured rounds, one more round of it against the gateway
# alone with strace -f -c attached to every gateway thread, printing the sync calls (fsync, fdatasync,
# msync, sync_file_range; each call counted) per object ("FSYNC ..." lines). strace stops the gateway
# at every system call, so that round is not measured; it is skipped, saying why, when strace is
# missing or ptrace is not permitted (Yama's ptrace_scope, no CAP_SYS_PTRACE).
#
# Servers listen on 127.0.0.1 (ports STRATA_BENCH_PORT, default 19500, and +1); data goes to a
# temporary directory removed at the end. The JDK is JAVA_HOME if it is 21 or newer, else the newest under /usr/lib/jvm. The gateway runs as ./strata runs
# it, with the Vector API module (without it the erasure coder falls back to the scalar kernel).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/jdk.sh
. "$root/scripts/jdk.sh"
use_jdk "benchmarks/e2e.sh"
java="$JAVA_HOME/bin/java"
port=${STRATA_BENCH_PORT:-19500}
# JVM options for both servers, split at spaces as a command line would be.
read -r -a java_opts <<<"${STRATA_BENCH_JAVA_OPTS:-}"
# Unless they size the heap, both servers get the fixed, pre-touched heap ./strata serve gives the
# gateway on machines of 8 GiB or more, so the gateway is measured as it runs.
if [[ " ${STRATA_BENCH_JAVA_OPTS:-} " != *" -Xm"[sx]* ]] \
        && [ "$(awk '/^MemTotal:/ {print $2}' /proc/meminfo 2>/dev/null || echo 0)" -ge $((8 * 1024 * 1024)) ]; then
    java_opts+=(-Xms2g -Xmx2g -XX:+AlwaysPreTouch)
fi
# A server left on these ports would answer in place of the ones started here, and be measured.
for p in "$port" $((port + 1)) $((port + 2)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
        echo "e2e.sh: port $p on 127.0.0.1 is in use; stop what listens there or set STRATA_BENCH_PORT" >&2
        exit 1
    fi
done
data=$(mktemp -d "${TMPDIR:-/tmp}/strata-e2e.XXXXXX")
pids=()
cleanup() {
    local status=$?
    # A failed run shows what the gateway logged before its data directory goes.
    if [ "$status" != 0 ] && [ -f "$data/strata.log" ]; then
        echo "e2e.sh: the gateway's last errors ($data/strata.log):" >&2
        grep -E -A12 'level=(ERROR|WARN)' "$data/strata.log" | tail -60 >&2 || true
    fi
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    rm -rf "$data"
}
trap cleanup EXIT
tls=0; floor=(); fsyncs=()
while [ $# -gt 0 ]; do
    case "$1" in
        --tls) tls=1; shift ;;
        --digest-floor) floor=(--digests); shift ;;
        --count-fsyncs) fsyncs=(--count-fsyncs); shift ;;
        *) break ;;
    esac
done
# Why strace cannot count here, or nothing. It attaches to a process it did not start (the gateway),
# which Yama allows at ptrace_scope 0, at 1 and 2 only with CAP_SYS_PTRACE, at 3 never; without
# Yama, same-user tracing is allowed unless a seccomp profile forbids ptrace (S3Load then says so).
ptrace_refusal() {
    command -v strace >/dev/null || { echo "strace is not installed (apt-get install strace)"; return; }
    local scope_file=/proc/sys/kernel/yama/ptrace_scope scope caps
    [ -r "$scope_file" ] || return 0
    scope=$(cat "$scope_file")
    caps=$(awk '/^CapEff:/ {print $2}' /proc/self/status)
    case "$scope" in
        0) ;;
        1|2) (( (16#${caps:-0} >> 19) & 1 )) || echo "ptrace_scope is $scope and this user lacks CAP_SYS_PTRACE (run as root or set $scope_file to 0)" ;;
        *) echo "ptrace_scope is $scope: no process may be traced until reboot" ;;
    esac
}
if [ ${#fsyncs[@]} -gt 0 ]; then
    refusal=$(ptrace_refusal)
    if [ -n "$refusal" ]; then
        echo "e2e.sh: --count-fsyncs skipped: $refusal"
        fsyncs=()
    fi
fi
scheme=http; strata_tls=(); bare_tls=(); load_tls=()
if [ $tls = 1 ]; then
    scheme=https; strata_tls=(--tls-self-signed)
    cert="$data/strata/tls/cert.pem"; key="$data/strata/tls/key.pem"
    bare_tls=(--tls-cert "$cert" --tls-key "$key"); load_tls=(--ca-bundle "$cert")
fi
STRATA_ACCESS_KEY=benchaccess STRATA_SECRET_KEY=benchsecret-0123456789 \
    "$java" --add-modules jdk.incubator.vector "${java_opts[@]}" -jar "$root/gateway/target/strata-gateway.jar" serve --port "$port" \
    --data-dir "$data/strata" --log-level WARN "${strata_tls[@]}" >"$data/strata.log" 2>&1 &
pids+=($!); strata=$!
for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.2
done
"$java" "${java_opts[@]}" -cp "$root/benchmarks/target/benchmarks.jar" io.strata.bench.BareEndpoint \
    --port $((port + 1)) "${bare_tls[@]}" >"$data/bare.log" 2>&1 &
pids+=($!); bare=$!
target=$port; measured=$strata
if [ ${#floor[@]} -gt 0 ]; then   # the gateway stays idle (it made the TLS certificate); the floor is measured instead
    "$java" "${java_opts[@]}" -cp "$root/benchmarks/target/benchmarks.jar" io.strata.bench.BareEndpoint \
        --port $((port + 2)) "${bare_tls[@]}" --digests >"$data/floor.log" 2>&1 &
    pids+=($!); measured=$!; target=$((port + 2))
fi
for p in "$target" $((port + 1)); do
    for _ in $(seq 1 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && break
        sleep 0.2
    done
done
args=("$@")
[ ${#args[@]} -eq 0 ] && args=(--size 64MiB --count 8 --threads 1 --rounds 4)
# Uncounted rounds per operation and server first, unless given: JIT warm-up of both, until each has
# seen about 1,000 requests or 2 GiB (S3Load --warmup auto; 4 rounds at 64 MiB x 8, 5 at 1 MiB x 200).
case " ${args[*]} " in *" --warmup "*) ;; *) args=(--warmup auto "${args[@]}") ;; esac
"$java" -cp "$root/benchmarks/target/benchmarks.jar" io.strata.bench.S3Load \
    --endpoint "$scheme://127.0.0.1:$target" --pid "$measured" --compare "$scheme://127.0.0.1:$((port + 1))" --compare-pid "$bare" \
    --access-key benchaccess --secret-key benchsecret-0123456789 "${load_tls[@]}" "${fsyncs[@]}" "${args[@]}" 2>&1 | grep -v '^SLF4J'
