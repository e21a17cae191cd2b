#!/usr/bin/env bash
# The transport benchmark, side by side in one run with gRPC Swift 2 and,
# at one call in flight, with a minimal C echo over OpenSSL (the rough limit):
# echo of 0, 200 and 16,384 bytes over TLS on loopback, one connection,
# 1 / 16 / 64 calls in flight; calls per second and p50/p99 latency, medians
# of REPEAT runs. Then our server's gRPC path (ALPN h2, same port) against
# gRPC Swift 2's server, both called by gRPC Swift 2's client.
# Usage: benchmarks/run-rpc.sh [seconds per run] [repeats]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v swift >/dev/null || export PATH=/opt/swift/usr/bin:$PATH
scripts/install-dependencies.sh
source scripts/lib/benchmarks.sh

SECONDS_PER_RUN=${1:-3}
REPEAT=${2:-3}
WARMUP=1
OURS_PORT=21001
GRPC_PORT=21002
C_PORT=21003

echo "building (release)..."
build_benchmarks RPCBenchmark
ours="$bench/RPCBenchmark"
(cd benchmarks/grpc-peer && swift build -c release --scratch-path ../../.build-grpc-peer >/dev/null)
grpc="$(cd benchmarks/grpc-peer && swift build -c release --scratch-path ../../.build-grpc-peer --show-bin-path)/GRPCEchoBenchmark"
mkdir -p .build-c-peer
c_echo=.build-c-peer/tls_echo
"$(command -v cc || command -v clang)" -O2 -o "$c_echo" benchmarks/c-peer/tls_echo.c -lssl -lcrypto -lpthread

certs=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$certs"
}
trap cleanup EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$certs/ca.key" \
  -out "$certs/ca.pem" -days 2 -subj /CN=bench-ca -addext basicConstraints=critical,CA:TRUE \
  -addext keyUsage=critical,keyCertSign 2>/dev/null
openssl req -x509 -CA "$certs/ca.pem" -CAkey "$certs/ca.key" -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
  -nodes -keyout "$certs/bench.key" -out "$certs/bench.pem" -days 2 -subj /CN=bench \
  -addext basicConstraints=CA:FALSE -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
  -addext extendedKeyUsage=serverAuth,clientAuth 2>/dev/null
tls=(--certificate "$certs/bench.pem" --key "$certs/bench.key" --ca "$certs/ca.pem")

"$ours" server --port $OURS_PORT "${tls[@]}" & pids+=($!)
"$grpc" server $GRPC_PORT "$certs/bench.pem" "$certs/bench.key" "$certs/ca.pem" & pids+=($!)
"$c_echo" server $C_PORT "$certs/bench.pem" "$certs/bench.key" "$certs/ca.pem" & pids+=($!)
sleep 2

# median of the numbers on stdin
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
field() { tr ' ' '\n' | sed -n "s/^$1=//p"; }
# "calls/s p50 p99", each the median over the result lines given as arguments
medians() { for f in calls_per_s p50_us p99_us; do printf '%s\n' "$@" | field $f | median; done | paste -sd' '; }

printf '\n%-8s %-9s | %12s %9s %9s | %12s %9s %9s | %6s | %9s %7s\n' payload inflight \
  "ours call/s" "p50 µs" "p99 µs" "gRPC call/s" "p50 µs" "p99 µs" "×gRPC" "C p50 µs" "ours/C"
for payload in 0 200 16384; do
  for inflight in 1 16 64; do
    ours_runs=(); grpc_runs=(); c_runs=()
    for _ in $(seq "$REPEAT"); do
      if [ "$inflight" = 1 ]; then
        c_runs+=("$("$c_echo" client $C_PORT "$certs/bench.pem" "$certs/bench.key" "$certs/ca.pem" \
          $payload 1 "$SECONDS_PER_RUN" $WARMUP)")
      fi
      ours_runs+=("$("$ours" client --port $OURS_PORT "${tls[@]}" --payload $payload --concurrency $inflight \
        --duration "$SECONDS_PER_RUN" --warmup $WARMUP)")
      grpc_runs+=("$("$grpc" client $GRPC_PORT "$certs/bench.pem" "$certs/bench.key" "$certs/ca.pem" \
        $payload $inflight "$SECONDS_PER_RUN" $WARMUP)")
    done
    read -r o_rate o_p50 o_p99 <<<"$(medians "${ours_runs[@]}")"
    read -r g_rate g_p50 g_p99 <<<"$(medians "${grpc_runs[@]}")"
    ratio=$(awk -v o="$o_rate" -v g="$g_rate" 'BEGIN { printf "%.1fx", (g > 0 ? o / g : 0) }')
    c_p50=-; c_ratio=-
    if [ ${#c_runs[@]} -gt 0 ]; then
      c_p50=$(printf '%s\n' "${c_runs[@]}" | field p50_us | median)
      c_ratio=$(awk -v o="$o_p50" -v c="$c_p50" 'BEGIN { printf "%.2fx", (c > 0 ? o / c : 0) }')
    fi
    printf '%-8s %-9s | %12s %9s %9s | %12s %9s %9s | %6s | %9s %7s\n' "$payload" "$inflight" \
      "$o_rate" "$o_p50" "$o_p99" "$g_rate" "$g_p50" "$g_p99" "$ratio" "$c_p50" "$c_ratio"
  done
done
echo
echo "×gRPC: our calls/s over gRPC Swift 2's; ours/C: our p50 over the C echo's at one call in flight"
echo "medians of $REPEAT runs of ${SECONDS_PER_RUN}s (after ${WARMUP}s warm-up); client and server share this machine's cores"

# The gRPC path: the same client (gRPC Swift 2's) against our server and against gRPC Swift 2's.
printf '\n%-8s %-9s | %14s %9s %9s | %12s %9s %9s | %6s\n' payload inflight \
  "ours-h2 call/s" "p50 µs" "p99 µs" "gRPC call/s" "p50 µs" "p99 µs" "×gRPC"
for payload in 0 200 16384; do
  for inflight in 1 16 64; do
    ours_runs=(); grpc_runs=()
    for _ in $(seq "$REPEAT"); do
      ours_runs+=("$("$grpc" client $OURS_PORT "$certs/bench.pem" "$certs/bench.key" "$certs/ca.pem" \
        $payload $inflight "$SECONDS_PER_RUN" $WARMUP ours)")
      grpc_runs+=("$("$grpc" client $GRPC_PORT "$certs/bench.pem" "$certs/bench.key" "$certs/ca.pem" \
        $payload $inflight "$SECONDS_PER_RUN" $WARMUP)")
    done
    read -r o_rate o_p50 o_p99 <<<"$(medians "${ours_runs[@]}")"
    read -r g_rate g_p50 g_p99 <<<"$(medians "${grpc_runs[@]}")"
    ratio=$(awk -v o="$o_rate" -v g="$g_rate" 'BEGIN { printf "%.2fx", (g > 0 ? o / g : 0) }')
    printf '%-8s %-9s | %14s %9s %9s | %12s %9s %9s | %6s\n' "$payload" "$inflight" \
      "$o_rate" "$o_p50" "$o_p99" "$g_rate" "$g_p50" "$g_p99" "$ratio"
  done
done
echo
echo "ours-h2: gRPC Swift 2's client calling our server over gRPC (ALPN h2); gRPC: the same client and gRPC Swift 2's server"
