#!/usr/bin/env bash
# End-to-end benchmark: the packaged gateway and the bare Helidon endpoint (BareEndpoint) side by
# side, driven by the same AWS SDK v2 load (S3Load, default checksums), alternating the servers
# every round. Prints throughput, latency, each server's CPU per operation and the Strata/bare ratio.
#
#   mvn -o -B -Pbenchmarks -Dmaven.test.skip=true package     # builds gateway and benchmarks jars
#   benchmarks/e2e.sh [--tls] [S3Load options]                 # default: --size 64MiB --count 6 --threads 1 --rounds 3
#
# --tls: both servers serve HTTPS with the certificate the gateway generates (--tls-self-signed), as
# clients reach S3 in production; the SDK then sends unsigned aws-chunked bodies with a CRC32 trailer
# (no SHA-256 chunk signatures on either side). Without it, plain HTTP: the SDK signs every chunk.
#
# Servers listen on 127.0.0.1 (ports STRATA_BENCH_PORT, default 19500, and +1); data goes to a
# temporary directory removed at the end. JAVA_HOME selects the JDK. The gateway runs as ./strata runs
# it, with the Vector API module (without it the erasure coder falls back to the scalar kernel).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
port=${STRATA_BENCH_PORT:-19500}
data=$(mktemp -d "${TMPDIR:-/tmp}/strata-e2e.XXXXXX")
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    rm -rf "$data"
}
trap cleanup EXIT
tls=0
if [ "${1:-}" = "--tls" ]; then tls=1; shift; fi
scheme=http; strata_tls=(); bare_tls=(); load_tls=()
if [ $tls = 1 ]; then
    scheme=https; strata_tls=(--tls-self-signed)
    cert="$data/strata/tls/cert.pem"; key="$data/strata/tls/key.pem"
    bare_tls=(--tls-cert "$cert" --tls-key "$key"); load_tls=(--ca-bundle "$cert")
fi
STRATA_ACCESS_KEY=benchaccess STRATA_SECRET_KEY=benchsecret-0123456789 \
    "$java" --add-modules jdk.incubator.vector ${STRATA_BENCH_JAVA_OPTS:-} -jar "$root/gateway/target/strata-gateway.jar" serve --port "$port" \
    --data-dir "$data/strata" --log-level WARN "${strata_tls[@]}" >"$data/strata.log" 2>&1 &
pids+=($!); strata=$!
for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.2
done
"$java" ${STRATA_BENCH_JAVA_OPTS:-} -cp "$root/benchmarks/target/benchmarks.jar" io.strata.bench.BareEndpoint \
    --port $((port + 1)) "${bare_tls[@]}" >"$data/bare.log" 2>&1 &
pids+=($!); bare=$!
for p in "$port" $((port + 1)); do
    for _ in $(seq 1 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && break
        sleep 0.2
    done
done
args=("$@")
[ ${#args[@]} -eq 0 ] && args=(--size 64MiB --count 6 --threads 1 --rounds 3)
"$java" -cp "$root/benchmarks/target/benchmarks.jar" io.strata.bench.S3Load \
    --endpoint "$scheme://127.0.0.1:$port" --pid "$strata" --compare "$scheme://127.0.0.1:$((port + 1))" --compare-pid "$bare" \
    --access-key benchaccess --secret-key benchsecret-0123456789 "${load_tls[@]}" "${args[@]}" 2>&1 | grep -v '^SLF4J'
