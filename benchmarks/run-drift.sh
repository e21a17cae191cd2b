#!/usr/bin/env bash
# The drift engine against SciPy on the spec's generated data (shared/specs/
# drift.md, "Speed to beat"): 100,000 reference and 100,000 current rows, 20
# numeric and 5 categorical columns; medians of REPEATS runs each, side by side.
# Usage: benchmarks/run-drift.sh [repeats]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v swift >/dev/null || export PATH=/opt/swift/usr/bin:$PATH
source scripts/lib/benchmarks.sh
REPEATS=${1:-5}
echo "building (release)..."
build_benchmarks DriftBenchmark
data=$(mktemp -d /tmp/mlops-drift-XXXX)
trap 'rm -rf "$data"' EXIT
"$bench/DriftBenchmark" --repeats "$REPEATS" --write-data "$data"
python3 -c "import scipy" 2>/dev/null || pip install -q scipy
python3 benchmarks/drift_scipy.py "$data" "$REPEATS"
