#!/usr/bin/env bash
# The registry benchmark, side by side with MLflow's own server in one run
# (ours first, then MLflow, each server alone on the machine while measured),
# both on one throwaway PostgreSQL 15 (unix socket), driven at 1 / 8 / 32
# concurrent callers: GetLatestVersions, GetModelVersionByAlias,
# CreateModelVersion, TransitionModelVersionStage with archiving. Ours over
# TLS (mutual, as deployed); MLflow 3.17.2 (`mlflow server`, 4 uvicorn workers)
# over plain HTTP from benchmarks/mlflow_load.py. Medians of REPEAT runs, with the
# range of the rates.
# Usage: benchmarks/run-registry.sh [seconds per run] [repeats]; MLFLOW=0 skips
# MLflow; OPERATIONS="create transition" measures only those.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v swift >/dev/null || export PATH=/opt/swift/usr/bin:$PATH
scripts/install-dependencies.sh
source scripts/lib/benchmarks.sh
SECONDS_PER_RUN=${1:-5}
REPEAT=${2:-3}
MLFLOW=${MLFLOW:-1}
pg_port=25433
registry_port=27001
mlflow_port=5055

echo "building (release)..."
swift build -c release --product model-registry >/dev/null
build_benchmarks RegistryBenchmark
products="$(swift build -c release --show-bin-path)"
if [ "$MLFLOW" = 1 ] && [ ! -x .build-mlflow/venv/bin/mlflow ]; then
  echo "installing MLflow 3.17.2 into .build-mlflow/venv..."
  python3 -m venv .build-mlflow/venv
  .build-mlflow/venv/bin/pip install -q mlflow==3.17.2 psycopg2-binary aiohttp
fi

source scripts/lib/local-stack.sh
dir=$(mktemp -d /tmp/mlops-registry-bench-XXXX)
trap stack_cleanup EXIT
stack_start_postgres "$dir" $pg_port
psql -q -h "$dir" -p $pg_port -U postgres -c "CREATE DATABASE registry" -c "CREATE DATABASE mlflow"
# The registry's certificate and the caller's (CN admin may do everything).
certs="$dir/certs"
stack_issue_certificates "$certs" model-registry admin
stack_start_service model-registry $registry_port registry
registry_pid=$stack_last_pid
ours=("$bench/RegistryBenchmark" --address 127.0.0.1:$registry_port --ca "$certs/ca.pem"
  --cert "$certs/admin.pem" --key "$certs/admin.key")
theirs=(.build-mlflow/venv/bin/python benchmarks/mlflow_load.py --base http://127.0.0.1:$mlflow_port)
# Creates go last: a run of them leaves a model of 100,000+ versions, which setup deletes, and
# updates then scatter over the emptied table's pages (a full-page WAL image each), costing
# the promotions after them a quarter of their speed at one caller.
operations=${OPERATIONS:-latest alias transition create}

source scripts/lib/median.sh

# measure SIDE DATABASE COMMAND...: every operation at 1, 8 and 32 callers, into results[SIDE operation callers].
# Each operation starts from a fresh model, a vacuumed database and a checkpoint: the last
# operation's dead rows (hundreds of thousands after the creates) and their WAL are not left
# for autovacuum and a checkpoint to work through during the next measurement.
declare -A results
measure() {
  local side=$1 database=$2
  shift 2
  for operation in $operations; do
    "$@" --operation setup >/dev/null
    psql -q -h "$dir" -p $pg_port -U postgres -d "$database" -c "VACUUM ANALYZE" -c "CHECKPOINT"
    for callers in 1 8 32; do
      results[$side $operation $callers]=$(median_of "$@" --operation "$operation" --callers $callers --duration "$SECONDS_PER_RUN")
    done
  done
}

# One server at a time: MLflow's workers keep working for a while after a run of its
# own (requests still in flight, its job queue), which cost ours a quarter of its
# throughput when the two took turns run by run.
echo "measuring ours..."
measure ours registry "${ours[@]}"
kill "$registry_pid"
wait "$registry_pid" 2>/dev/null || true

if [ "$MLFLOW" = 1 ]; then
  .build-mlflow/venv/bin/mlflow server --host 127.0.0.1 --port $mlflow_port \
    --backend-store-uri "postgresql+psycopg2://postgres@/mlflow?host=$dir&port=$pg_port" \
    --default-artifact-root "$dir/artifacts" >"$dir/mlflow.log" 2>&1 & stack_pids+=($!)
  for _ in $(seq 300); do curl -sf http://127.0.0.1:$mlflow_port/health >/dev/null && break; sleep 0.5; done
  curl -sf http://127.0.0.1:$mlflow_port/health >/dev/null || { tail -20 "$dir/mlflow.log"; exit 1; }
  echo "MLflow is up; letting its background jobs settle (30 s)..."
  sleep 30
  echo "measuring MLflow..."
  measure mlflow mlflow "${theirs[@]}"
fi

printf '\n%-12s %7s | %10s %13s %7s %7s %6s | %8s %11s %7s %7s %6s | %6s\n' operation callers \
  "ours/s" "range" "p50 ms" "p99 ms" errors "mlflow/s" "range" "p50 ms" "p99 ms" errors ratio
for operation in $operations; do
  for callers in 1 8 32; do
    read -r o_rate o_p50 o_p99 o_err o_range <<<"${results[ours $operation $callers]}"
    m_rate=- m_p50=- m_p99=- m_err=- m_range=- ratio=-
    if [ "$MLFLOW" = 1 ]; then
      read -r m_rate m_p50 m_p99 m_err m_range <<<"${results[mlflow $operation $callers]}"
      ratio=$(awk -v o="$o_rate" -v m="$m_rate" 'BEGIN { if (m > 0) printf "%.0fx", o / m; else print "inf" }')
    fi
    printf '%-12s %7s | %10s %13s %7s %7s %6s | %8s %11s %7s %7s %6s | %6s\n' $operation $callers \
      "$o_rate" "$o_range" "$o_p50" "$o_p99" "$o_err" "$m_rate" "$m_range" "$m_p50" "$m_p99" "$m_err" "$ratio"
  done
done
