#!/usr/bin/env bash
# Fuzzes with libFuzzer under AddressSanitizer: the frame reader, every
# message decoder (with a round-trip check), the search-filter parser, the
# configuration decoders and mlopsctl's CSV reader.
#   scripts/fuzz.sh [seconds per target] [target...]     (default: 12 s, all)
# Each target starts from its committed seeds (fuzz/corpus/<target>/) and
# every crash once found (fuzz/regressions/<target>/), which the tests
# replay too; new inputs go to a scratch corpus, not into git. A crash stops
# the run with its input saved under .build-fuzz/crashes/<target>/: add it to
# fuzz/regressions/<target>/ with the fix. Prints each target's executions.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v swift >/dev/null || export PATH=/opt/swift/usr/bin:$PATH

seconds=${1:-12}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(frame-reader messages search-filter configuration csv)

scratch=.build-fuzz
swift build --scratch-path "$scratch" -c debug --product mlops-fuzz \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -DFUZZING
binary="$scratch/debug/mlops-fuzz"

for target in "${targets[@]}"; do
  corpus="$scratch/corpus/$target"
  crashes="$scratch/crashes/$target"
  mkdir -p "$corpus" "$crashes" "fuzz/regressions/$target"
  log="$scratch/$target.log"
  status=0
  # Swift's own crash backtracer trips AddressSanitizer: libFuzzer reports the crash.
  SWIFT_BACKTRACE=enable=no MLOPS_FUZZ_TARGET="$target" "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$crashes/" "$corpus" "fuzz/corpus/$target" "fuzz/regressions/$target" >"$log" 2>&1 || status=$?
  runs=$(grep -oE 'Done [0-9]+ runs' "$log" | grep -oE '[0-9]+' || echo "?")
  if [ "$status" -ne 0 ]; then
    echo "$target: FAILED after $(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#') executions; input in $crashes/"
    grep -E 'ERROR|Fatal error|Precondition failed|SUMMARY' "$log" | head -5
    exit 1
  fi
  echo "$target: $runs executions in ${seconds}s, $(find "$corpus" -type f | wc -l) inputs in its corpus, no crash"
done
