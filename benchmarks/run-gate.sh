#!/usr/bin/env bash
# The retraining gate under load, with its real peers: model-registry,
# monitoring and retraining-gate (release builds) on one throwaway PostgreSQL
# 15, over mutual TLS on loopback, the load generator on the same machine.
# Evaluate with 2,000 labelled samples at 1 / 16 / 64 concurrent callers,
# dry runs and logged decisions (rejects, so the registry is not promoting at
# load); medians of REPEAT runs, and the gate's resident memory.
# Targets (issue 7): at 64 callers >= 3,000 dry runs/s and >= 1,500 logged/s;
# the gate under 100 MB resident.
# Usage: benchmarks/run-gate.sh [seconds per run] [repeats]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v swift >/dev/null || export PATH=/opt/swift/usr/bin:$PATH
scripts/install-dependencies.sh
source scripts/lib/benchmarks.sh
SECONDS_PER_RUN=${1:-5}
REPEAT=${2:-3}
pg_port=25437
registry_port=27011
monitoring_port=27012
gate_port=27013

echo "building (release)..."
for product in model-registry monitoring retraining-gate; do
  swift build -c release --product $product >/dev/null
done
products="$(swift build -c release --show-bin-path)"
build_benchmarks GateBenchmark

source scripts/lib/local-stack.sh
dir=$(mktemp -d /tmp/mlops-gate-bench-XXXX)
trap stack_cleanup EXIT
stack_start_postgres "$dir" $pg_port
psql -q -h "$dir" -p $pg_port -U postgres -c "CREATE DATABASE mlops"
certs="$dir/certs"
stack_issue_certificates "$certs" model-registry monitoring retraining-gate admin trainer
stack_start_service model-registry $registry_port mlops
stack_start_service monitoring $monitoring_port mlops ", \"artifacts\": {\"directory\": \"$dir/artifacts\"}"
stack_start_service retraining-gate $gate_port mlops ", \"registry\": {\"address\": \"127.0.0.1:$registry_port\"},
 \"monitoring\": {\"address\": \"127.0.0.1:$monitoring_port\"}, \"policy\": {\"minCoveragePct\": 0}"
gate_pid=$stack_last_pid
bench=("$bench/GateBenchmark" --address 127.0.0.1:$gate_port --registry-address 127.0.0.1:$registry_port
  --ca "$certs/ca.pem")
"${bench[@]}" --operation setup --cert "$certs/admin.pem" --key "$certs/admin.key" >/dev/null
bench+=(--cert "$certs/trainer.pem" --key "$certs/trainer.key")

source scripts/lib/median.sh
rss() { awk '/^VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$gate_pid/status"; }

printf '\n%-8s %7s | %10s %8s %8s %6s | %7s\n' mode callers "decisions/s" "p50 ms" "p99 ms" errors "rss MB"
for mode in dry-run logged; do
  for callers in 1 16 64; do
    read -r rate p50 p99 errors _ < <(median_of "${bench[@]}" --operation $mode --callers $callers --duration "$SECONDS_PER_RUN")
    printf '%-8s %7s | %10s %8s %8s %6s | %7s\n' $mode $callers "$rate" "$p50" "$p99" "$errors" "$(rss)"
  done
done
echo "gate peak resident memory: $(awk '/^VmHWM/ {printf "%.0f MB", $2 / 1024}' "/proc/$gate_pid/status")"
