# Shared by the benchmarks (source it): the median of REPEAT runs of a load
# command that prints "calls_per_s=… p50_ms=… p99_ms=… errors=…", and the
# range of the runs' rates (the machine is noisy).
# median_of COMMAND...: prints "calls_per_s p50_ms p99_ms errors lowest-highest".
median_of() {
  local runs=()
  for _ in $(seq "$REPEAT"); do runs+=("$("$@" | sed -n 's/.*calls_per_s=\([0-9.]*\) p50_ms=\([0-9.]*\) p99_ms=\([0-9.]*\) errors=\([0-9]*\)/\1 \2 \3 \4/p')"); done
  local sorted
  sorted=$(printf '%s\n' "${runs[@]}" | sort -n -k1)
  echo "$(sed -n "$(( (REPEAT + 1) / 2 ))p" <<<"$sorted") $(head -1 <<<"$sorted" | cut -d' ' -f1)-$(tail -1 <<<"$sorted" | cut -d' ' -f1)"
}
