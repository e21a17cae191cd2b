#!/usr/bin/env bash
# The PostgreSQL layer's write benchmark against pgbench, on one throwaway
# PostgreSQL 15 server (default settings, synchronous_commit on), unix socket:
# single-row decision inserts at 1 / 8 / 32 writers through the pool and
# pgbench's one-insert script at the same client counts; pipelined batches;
# COPY of 100,000 prediction rows. Usage: benchmarks/run-postgres.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v swift >/dev/null || export PATH=/opt/swift/usr/bin:$PATH
scripts/install-dependencies.sh
source scripts/lib/benchmarks.sh
SECONDS_PER_RUN=${1:-5}
bin=/usr/lib/postgresql/15/bin

echo "building (release)..."
build_benchmarks PostgresBenchmark
ours="$bench/PostgresBenchmark"

dir=$(mktemp -d /tmp/mlops-pgbench-XXXX)
port=25432
as_postgres=()
if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir"; as_postgres=(runuser -u postgres --); fi
cleanup() { "${as_postgres[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap cleanup EXIT
"${as_postgres[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust >/dev/null
"${as_postgres[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -o "-p $port -k $dir -c listen_addresses='' -c max_connections=100" -w start >/dev/null

psql=(psql -q -h "$dir" -p $port -U postgres -d postgres)
"${psql[@]}" <<'SQL'
CREATE TABLE bench_decisions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(), timestamp timestamp NOT NULL, trigger_reason varchar(50) NOT NULL,
    action varchar(10) NOT NULL CHECK (action IN ('promote', 'reject')), drift_context jsonb, data_context jsonb,
    decision_details jsonb, labeled_samples integer, coverage_pct double precision,
    created_at timestamp DEFAULT CURRENT_TIMESTAMP);
CREATE TABLE bench_predictions (
    prediction_id text PRIMARY KEY, model_name text NOT NULL, model_version int NOT NULL, timestamp timestamp NOT NULL,
    features jsonb NOT NULL, probability double precision NOT NULL, predicted_label int NOT NULL);
SQL
cat >"$dir/insert.sql" <<'SQL'
INSERT INTO bench_decisions (timestamp, trigger_reason, action, drift_context, data_context, decision_details, labeled_samples, coverage_pct) VALUES (now(), 'scheduled', 'promote', '{"feature_drift_ratio": 0.2, "drifted_features": ["income", "dti"]}', '{"predictions": 1000, "labeled": 400}', '{"gates": [{"name": "min_f1_gain", "observed": 0.02, "threshold": 0.01, "passed": true}]}', 400, 0.4);
SQL

declare -A pgbench_tps
printf '\n%-28s %12s %12s %7s\n' "single-row insert" "ours rows/s" "pgbench TPS" "ratio"
for writers in 1 8 32; do
  o=$("$ours" --host "$dir" --port $port --mode single --writers $writers --duration "$SECONDS_PER_RUN" | sed -n 's/.*rows_per_s=//p')
  p=$(pgbench -n -h "$dir" -p $port -U postgres -f "$dir/insert.sql" -c $writers -j $writers -T "$SECONDS_PER_RUN" postgres 2>/dev/null \
    | sed -n 's/^tps = \([0-9.]*\).*/\1/p' | cut -d. -f1)
  pgbench_tps[$writers]=$p
  printf '%-28s %12s %12s %7s\n' "$writers writers" "$o" "$p" "$(awk -v o="$o" -v p="$p" 'BEGIN { printf "%.2f", o / p }')"
done
printf '\n%-28s %12s %12s %7s\n' "pipelined batches" "ours rows/s" "pgbench TPS" "ratio"
for writers in 1 8; do
  for rows in 100 1000; do
    o=$("$ours" --host "$dir" --port $port --mode batch --rows $rows --writers $writers --duration "$SECONDS_PER_RUN" | sed -n 's/.*rows_per_s=//p')
    p=${pgbench_tps[$writers]}
    printf '%-28s %12s %12s %7s\n' "x$rows, $writers writers" "$o" "$p" "$(awk -v o="$o" -v p="$p" 'BEGIN { printf "%.2f", o / p }')"
  done
done
"$ours" --host "$dir" --port $port --mode copy --rows 100000
