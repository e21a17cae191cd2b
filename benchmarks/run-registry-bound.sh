#!/usr/bin/env bash
# How fast PostgreSQL alone runs the registry's stage changes, beside the
# registry itself, in one run on one throwaway PostgreSQL 15. Changes to one
# model take turns under its row lock, so one model's promotions can go no
# faster than one connection can commit their transactions back to back.
#
# 1. The registry: TransitionModelVersionStage with archiving at 1 and 8
#    callers (medians of REPEAT runs), and how many changes each of its
#    transactions carried (from how far the transaction ids moved).
# 2. PostgreSQL logs every statement for a second at 8 callers; transactions
#    of 1, 4 and 8 changes (or the nearest logged) are replayed by pgbench on
#    one connection with the registry stopped: statement by statement, in the
#    registry's two round trips (lock and read; write and commit), and in one.
# Usage: benchmarks/run-registry-bound.sh [seconds per run] [repeats]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v swift >/dev/null || export PATH=/opt/swift/usr/bin:$PATH
scripts/install-dependencies.sh
source scripts/lib/benchmarks.sh
SECONDS_PER_RUN=${1:-5}
REPEAT=${2:-3}
pg_port=25434
registry_port=27004

echo "building (release)..."
swift build -c release --product model-registry >/dev/null
build_benchmarks RegistryBenchmark
products="$(swift build -c release --show-bin-path)"

source scripts/lib/local-stack.sh
dir=$(mktemp -d /tmp/mlops-registry-bound-XXXX)
trap stack_cleanup EXIT
stack_start_postgres "$dir" $pg_port
psql=(psql -q -At -h "$dir" -p $pg_port -U postgres)
"${psql[@]}" -c "CREATE DATABASE registry"
certs="$dir/certs"
stack_issue_certificates "$certs" model-registry admin
stack_start_service model-registry $registry_port registry
registry_pid=$stack_last_pid
ours=("$bench/RegistryBenchmark" --address 127.0.0.1:$registry_port --ca "$certs/ca.pem"
  --cert "$certs/admin.pem" --key "$certs/admin.key")
"${ours[@]}" --operation setup >/dev/null
"${psql[@]}" -d registry -c "VACUUM ANALYZE" -c "CHECKPOINT"

median() { sort -n | sed -n "$(( (REPEAT + 1) / 2 ))p"; }
# The next transaction id: every write transaction takes one (and so does this query).
next_xid() { "${psql[@]}" -d registry -c "SELECT pg_current_xact_id()"; }

declare -A rate per_commit
for callers in 1 8; do
  runs=()
  for _ in $(seq "$REPEAT"); do
    before=$(next_xid)
    line=$("${ours[@]}" --operation transition --callers $callers --duration "$SECONDS_PER_RUN")
    after=$(next_xid)
    runs+=("$(sed -n 's/.*calls_per_s=\([0-9.]*\).*/\1/p' <<<"$line")")
    per_commit[$callers]=$(awk -v r="${runs[-1]}" -v s="$SECONDS_PER_RUN" -v c=$((after - before - 1)) \
      'BEGIN { printf "%.1f", r * s / c }')
  done
  rate[$callers]=$(printf '%s\n' "${runs[@]}" | median)
done

echo "logging a second of statements at 8 callers..."
"${psql[@]}" -c "ALTER SYSTEM SET log_statement = 'all'" -c "SELECT pg_reload_conf()" >/dev/null
: >"$dir/postgres.log"
"${ours[@]}" --operation transition --callers 8 --duration 1 >/dev/null
"${psql[@]}" -c "ALTER SYSTEM RESET log_statement" -c "SELECT pg_reload_conf()" >/dev/null
cp "$dir/postgres.log" "$dir/statements.log"
kill "$registry_pid"
wait "$registry_pid" 2>/dev/null || true

printf '\nthe registry, TransitionModelVersionStage with archiving (medians of %s runs of %s s):\n' "$REPEAT" "$SECONDS_PER_RUN"
for callers in 1 8; do
  printf '  %s callers: %8s changes/s, %s changes per transaction\n' $callers "${rate[$callers]}" "${per_commit[$callers]}"
done
printf '\nPostgreSQL alone (pgbench, one connection) replaying a logged transaction, changes/s:\n'
printf '  %-8s %22s %22s %14s\n' changes "statement by statement" "registry's round trips" "one round trip"
for size in 1 4 8; do
  cells=()
  for mode in serial registry single; do
    taken=$(python3 benchmarks/replay_batch.py "$dir/statements.log" $size $mode "$dir/replay.sql" "$dir/replay.args")
    mapfile -d '' definitions <"$dir/replay.args"
    cells+=("$(for _ in $(seq "$REPEAT"); do
      pgbench -n -M prepared -h "$dir" -p $pg_port -U postgres "${definitions[@]}" -f "$dir/replay.sql" \
        -T "$SECONDS_PER_RUN" registry 2>/dev/null | sed -n 's/^tps = \([0-9.]*\).*/\1/p'
    done | median | awk -v n="$taken" '{ printf "%.0f", $1 * n }')")
  done
  printf '  %-8s %22s %22s %14s\n' "$taken" "${cells[@]}"
done
