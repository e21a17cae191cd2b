#!/usr/bin/env bash
# Every benchmark of the project, one after another on a quiet machine, each
# one's whole output kept in benchmarks/results/DAY/ (the figures that
# benchmarks/README.md quotes, with the commands that made them). MLflow's
# server is measured beside the registry unless MLFLOW=0; ONLY="drift gate"
# runs only those. A benchmark that fails is reported and the rest still run.
# Usage: benchmarks/run-all.sh [seconds per run] [repeats]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${1:-5}
REPEAT=${2:-3}
out=benchmarks/results/$(date -u +%F)
mkdir -p "$out"
{
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GB", $2 / 1048576}' /proc/meminfo), $(uname -sr)"
  echo "swift: $(swift --version 2>&1 | head -1)"
  echo "commit: $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- Sources benchmarks || echo ' (with local changes)')"
} >"$out/machine.txt"

failed=()
swiftpm_noise='^(Fetching|Fetched|Creating working copy|Working copy of|Computing|Computed|Updating|Updated|\[[0-9]+/[0-9]+\])'
run() {
  local name=$1
  shift
  if [ -n "${ONLY:-}" ] && [[ " $ONLY " != *" $name "* ]]; then return; fi
  echo "== $name: $*"
  local started=$SECONDS
  # SwiftPM's fetching and progress lines are left out of the record.
  if { echo "\$ $*"; "$@" 2>&1 | grep -vE "$swiftpm_noise"; } >"$out/$name.txt"; then
    echo "   $((SECONDS - started)) s"
  else
    echo "   $name failed: see $out/$name.txt" >&2
    failed+=("$name")
  fi
}

run rpc benchmarks/run-rpc.sh "$SECONDS_PER_RUN" "$REPEAT"
run postgres benchmarks/run-postgres.sh "$SECONDS_PER_RUN"
run drift benchmarks/run-drift.sh "$REPEAT"
run monitoring benchmarks/run-monitoring.sh "$REPEAT"
run monitoring-1m benchmarks/run-monitoring.sh 1 1000000
run gate benchmarks/run-gate.sh "$SECONDS_PER_RUN" "$REPEAT"
run registry benchmarks/run-registry.sh "$SECONDS_PER_RUN" "$REPEAT"
run registry-bound benchmarks/run-registry-bound.sh "$SECONDS_PER_RUN" "$REPEAT"
run registry-search benchmarks/run-registry-search.sh "$SECONDS_PER_RUN" "$REPEAT"
echo "results: $out"
[ ${#failed[@]} -eq 0 ] || { echo "failed: ${failed[*]}" >&2; exit 1; }
