#!/usr/bin/env bash
# The monitoring service end to end, on the drift spec's generated data
# (20 numeric and 5 categorical features): a 100,000-row reference uploaded,
# 100,000 predictions ingested over TLS in batches of 5,000 (two in flight),
# then one RunMonitoring over them: database read, drift, artifacts, row.
# Then the same with the demo model's shape (7 numeric features to two
# decimals, 3 categorical).
# Targets (issue 6): ingestion < 2 s, the window < 2 s. Medians of REPEAT runs.
# Usage: benchmarks/run-monitoring.sh [repeats] [rows]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v swift >/dev/null || export PATH=/opt/swift/usr/bin:$PATH
scripts/install-dependencies.sh
source scripts/lib/benchmarks.sh
REPEAT=${1:-3}
ROWS=${2:-100000}
pg_port=25434
monitoring_port=27002

echo "building (release)..."
swift build -c release --product monitoring >/dev/null
build_benchmarks MonitoringBenchmark
products="$(swift build -c release --show-bin-path)"

source scripts/lib/local-stack.sh
dir=$(mktemp -d /tmp/mlops-monitoring-bench-XXXX)
trap stack_cleanup EXIT
stack_start_postgres "$dir" $pg_port
psql -q -h "$dir" -p $pg_port -U postgres -c "CREATE DATABASE monitoring"
certs="$dir/certs"
stack_issue_certificates "$certs" monitoring serving
# At info: the service logs its own timing of each window.
stack_start_service monitoring $monitoring_port monitoring ", \"artifacts\": {\"directory\": \"$dir/artifacts\"}" \
  --log-level info
monitoring_pid=$stack_last_pid

for shape in spec credit; do
  echo "shape: $shape"
  "$bench/MonitoringBenchmark" --address 127.0.0.1:$monitoring_port --ca "$certs/ca.pem" \
    --cert "$certs/serving.pem" --key "$certs/serving.key" --rows "$ROWS" --repeats "$REPEAT" --shape $shape
done
echo "the service's own timing of each window: reading its rows, then computing and storing it:"
grep "window analysed" "$dir/monitoring.log" \
  | sed 's/.*predictions=\([0-9]*\) read_seconds=\([0-9.]*\) seconds=\([0-9.]*\).*/  predictions=\1 read_seconds=\2 seconds=\3/'
echo "the monitoring process's peak resident memory: $(awk '/^VmHWM/ {printf "%.0f MB", $2 / 1024}' "/proc/$monitoring_pid/status")"
echo "report sizes:"
find "$dir/artifacts" -name report.html -exec du -h {} + | sed 's/^/  /'
# scripts/render-report.sh keeps the reports to render them.
if [ -n "${KEEP_ARTIFACTS:-}" ]; then mkdir -p "$KEEP_ARTIFACTS" && cp -r "$dir/artifacts/." "$KEEP_ARTIFACTS"; fi
