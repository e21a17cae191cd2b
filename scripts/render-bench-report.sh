#!/usr/bin/env bash
# Renders `mlopsctl bench --html` output in a real browser: headless Chromium
# (the Debian package, installed if missing) turns it into a PNG, and its DOM
# after rendering must hold the three charts, each with something drawn, and
# no script. Usage: scripts/render-bench-report.sh report.html [out.png]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/chromium.sh
ensure_chromium
report=$1
out=${2:-/tmp/mlops-bench-report.png}
browser=(chromium --headless --no-sandbox --disable-gpu --hide-scrollbars)
"${browser[@]}" --window-size=900,1500 --screenshot="$out" "file://$(realpath "$report")" 2>/dev/null
dom=$("${browser[@]}" --dump-dom "file://$(realpath "$report")" 2>/dev/null)
charts=$(grep -o '<svg' <<<"$dom" | wc -l)
lines=$(grep -o '<polyline' <<<"$dom" | wc -l)
bars=$(grep -o '<rect class="bar"' <<<"$dom" | wc -l)
echo "report: $report ($(stat -c %s "$report") bytes); image: $out ($(stat -c %s "$out") bytes)"
echo "charts: $charts, lines: $lines, bars: $bars"
[ "$charts" -eq 3 ] && [ "$lines" -ge 2 ] && [ "$bars" -ge 1 ] || { echo "render-bench-report: charts missing" >&2; exit 1; }
! grep -q '<script' <<<"$dom" || { echo "render-bench-report: the page has a script" >&2; exit 1; }
