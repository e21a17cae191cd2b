#!/usr/bin/env bash
# Before/after of our transport, side by side in one run: two builds of
# RPCBenchmark (say, one from a worktree of the previous commit), each client
# against its own server, runs interleaved old/new at every payload and
# concurrency of run-rpc.sh; medians of REPEAT runs.
# Usage: benchmarks/compare-rpc.sh BEFORE AFTER [seconds per run] [repeats]
set -euo pipefail
before=${1:?usage: benchmarks/compare-rpc.sh BEFORE AFTER [seconds per run] [repeats] (two RPCBenchmark binaries)}
after=${2:?usage: benchmarks/compare-rpc.sh BEFORE AFTER [seconds per run] [repeats]}
SECONDS_PER_RUN=${3:-3}; REPEAT=${4:-3}
certs=$(mktemp -d); pids=()
trap 'for p in "${pids[@]}"; do kill $p 2>/dev/null || true; done; rm -rf "$certs"' EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$certs/ca.key" -out "$certs/ca.pem" -days 2 -subj /CN=bench-ca -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign 2>/dev/null
openssl req -x509 -CA "$certs/ca.pem" -CAkey "$certs/ca.key" -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$certs/bench.key" -out "$certs/bench.pem" -days 2 -subj /CN=bench -addext basicConstraints=CA:FALSE -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -addext extendedKeyUsage=serverAuth,clientAuth 2>/dev/null
tls=(--certificate "$certs/bench.pem" --key "$certs/bench.key" --ca "$certs/ca.pem")
"$before" server --port 21101 "${tls[@]}" & pids+=($!)
"$after" server --port 21102 "${tls[@]}" & pids+=($!)
sleep 2
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
field() { tr ' ' '\n' | sed -n "s/^$1=//p"; }
printf '%-8s %-9s | %12s %9s %9s | %12s %9s %9s\n' payload inflight "before c/s" "p50 µs" "p99 µs" "after c/s" "p50 µs" "p99 µs"
for payload in 0 200 16384; do
  for inflight in 1 16 64; do
    b=(); a=()
    for _ in $(seq "$REPEAT"); do
      b+=("$("$before" client --port 21101 "${tls[@]}" --payload $payload --concurrency $inflight --duration "$SECONDS_PER_RUN" --warmup 1)")
      a+=("$("$after" client --port 21102 "${tls[@]}" --payload $payload --concurrency $inflight --duration "$SECONDS_PER_RUN" --warmup 1)")
    done
    printf '%-8s %-9s | %12s %9s %9s | %12s %9s %9s\n' $payload $inflight \
      "$(printf '%s\n' "${b[@]}" | field calls_per_s | median)" "$(printf '%s\n' "${b[@]}" | field p50_us | median)" "$(printf '%s\n' "${b[@]}" | field p99_us | median)" \
      "$(printf '%s\n' "${a[@]}" | field calls_per_s | median)" "$(printf '%s\n' "${a[@]}" | field p50_us | median)" "$(printf '%s\n' "${a[@]}" | field p99_us | median)"
  done
done
