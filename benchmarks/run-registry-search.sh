#!/usr/bin/env bash
# SearchRegisteredModels at scale: 100,000 models and 56,000 versions (five
# models of 10,000 versions each, first by name, and 6,000 models of one),
# written straight into a throwaway registry's tables. The registry (release
# build) answers first pages of 100 — by name, by last update, by a name
# prefix — at 1 and 8 callers; medians of REPEAT runs. Then, on the same
# data, the page's latest-versions read as it was (DISTINCT ON over every
# version of the page's models) beside the index probe it is now.
# Usage: benchmarks/run-registry-search.sh [seconds per run] [repeats]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v swift >/dev/null || export PATH=/opt/swift/usr/bin:$PATH
scripts/install-dependencies.sh
source scripts/lib/benchmarks.sh
SECONDS_PER_RUN=${1:-5}
REPEAT=${2:-3}
pg_port=25434
registry_port=27011

echo "building (release)..."
swift build -c release --product model-registry >/dev/null
build_benchmarks RegistryBenchmark
products="$(swift build -c release --show-bin-path)"

source scripts/lib/local-stack.sh
source scripts/lib/median.sh
dir=$(mktemp -d /tmp/mlops-search-bench-XXXX)
trap stack_cleanup EXIT
stack_start_postgres "$dir" $pg_port
sql() { psql -q -X -v ON_ERROR_STOP=1 -h "$dir" -p $pg_port -U postgres -d registry "$@"; }
psql -q -h "$dir" -p $pg_port -U postgres -c "CREATE DATABASE registry"
stack_issue_certificates "$dir/certs" model-registry admin
stack_start_service model-registry $registry_port registry

echo "writing 100,000 models and 56,000 versions..."
sql <<'SQL'
INSERT INTO registered_models (name, created_by, last_updated_by, creation_timestamp, last_updated_timestamp, last_version)
SELECT CASE WHEN i <= 5 THEN 'a-busy-' || i ELSE 'model-' || lpad(i::text, 6, '0') END,
       'bench', 'bench', 1764000000000 + i, 1764000000000 + i, CASE WHEN i <= 5 THEN 10000 WHEN i <= 6005 THEN 1 ELSE 0 END
FROM generate_series(1, 100000) AS i;
INSERT INTO model_versions (model_id, model_name, version, stage, created_by, last_updated_by, creation_timestamp,
                            last_updated_timestamp, source)
SELECT m.id, m.name, v, CASE WHEN v = 1 THEN 'Production' WHEN v % 3 = 0 THEN 'Archived' ELSE 'None' END,
       'bench', 'bench', 1764000000000 + v, 1764000000000 + v, 's3://bench'
FROM registered_models m CROSS JOIN LATERAL generate_series(1, m.last_version) AS v;
VACUUM ANALYZE;
SQL

ours=("$bench/RegistryBenchmark" --address 127.0.0.1:$registry_port --ca "$dir/certs/ca.pem"
  --cert "$dir/certs/admin.pem" --key "$dir/certs/admin.key")
printf '\n%-14s %-7s | %10s %13s %9s %9s %6s\n' operation callers "calls/s" range "p50 ms" "p99 ms" errors
for operation in search search-recent search-prefix; do
  for callers in 1 8; do
    read -r rate p50 p99 errors range <<<"$(median_of "${ours[@]}" --operation "$operation" --callers "$callers" \
      --connections 2 --duration "$SECONDS_PER_RUN")"
    printf '%-14s %-7s | %10s %13s %9s %9s %6s\n' "$operation" "$callers" "$rate" "$range" "$p50" "$p99" "$errors"
  done
done

# The first page's models, and their latest version per stage read both ways.
ids="ARRAY(SELECT id FROM registered_models ORDER BY name LIMIT 101)"
stages="ARRAY['None','Staging','Production','Archived']"
before="SELECT DISTINCT ON (v.model_id, v.stage) v.* FROM model_versions v
  WHERE v.model_id = ANY($ids) AND v.stage = ANY($stages) ORDER BY v.model_id, v.stage, v.version DESC"
after="SELECT v.* FROM unnest($ids) AS m(id) CROSS JOIN unnest($stages) AS s(stage)
  CROSS JOIN LATERAL (SELECT * FROM model_versions v WHERE v.model_id = m.id AND v.stage = s.stage
                      ORDER BY v.version DESC LIMIT 1) v"
timing() {
  for _ in $(seq 5); do sql -c "EXPLAIN (ANALYZE, TIMING OFF) $1" | sed -n 's/.*Execution Time: \([0-9.]*\) ms/\1/p'; done \
    | sort -n | sed -n 3p
}
printf '\nthe first page'"'"'s latest versions (median of 5, ms): DISTINCT ON %s, index probes %s\n' \
  "$(timing "$before")" "$(timing "$after")"
