#!/usr/bin/env bash
# Renders a window's HTML report in a real browser: headless Chromium (the
# Debian package, installed if missing) turns it into a PNG, and its DOM after
# rendering must show the verdict and one chart per feature. With no argument,
# a report is made first (benchmarks/run-monitoring.sh on 2,000 generated rows
# of 25 features). Usage: scripts/render-report.sh [report.html] [out.png]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/chromium.sh
ensure_chromium
report=${1:-}
out=${2:-/tmp/mlops-report.png}
if [ -z "$report" ]; then
  kept=$(mktemp -d /tmp/mlops-reports-XXXX)
  KEEP_ARTIFACTS=$kept benchmarks/run-monitoring.sh 1 2000 >/dev/null
  report=$(find "$kept" -name report.html | head -1)
fi
browser=(chromium --headless --no-sandbox --disable-gpu --hide-scrollbars)
"${browser[@]}" --window-size=1000,3000 --screenshot="$out" "file://$(realpath "$report")" 2>/dev/null
dom=$("${browser[@]}" --dump-dom "file://$(realpath "$report")" 2>/dev/null)
charts=$(grep -o '<svg' <<<"$dom" | wc -l)
features=$(grep -o '<div class="feature">' <<<"$dom" | wc -l)
verdict=$(sed -n 's/.*id="verdict">\([^<]*\)<.*/\1/p' <<<"$dom")
size=$(stat -c %s "$out")
echo "report: $report ($(stat -c %s "$report") bytes)"
echo "rendered: $out ($size bytes); verdict: \"$verdict\"; charts: $charts for $features features"
[ -n "$verdict" ] && [ "$features" -gt 0 ] && [ "$charts" -eq "$features" ] && [ "$size" -gt 20000 ] || {
  echo "the rendered report is missing its verdict or charts" >&2
  exit 1
}
