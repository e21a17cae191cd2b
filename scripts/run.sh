#!/usr/bin/env bash
# The main command: installs what this machine lacks, builds, and runs the
# system on loopback with a throwaway PostgreSQL, doing real work end to end.
# Today that is the model registry (issue #5) driven by mlopsctl the way the
# training pipeline, the gate and serving code drive it; monitoring, the gate,
# `mlopsctl dev up` and the full demo join with issues #6-#8.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v swift >/dev/null || export PATH=/opt/swift/usr/bin:$PATH
scripts/install-dependencies.sh
echo "building (release)..."
swift build -c release --product model-registry
swift build -c release --product mlopsctl
bin=$(swift build -c release --show-bin-path)

source scripts/lib/local-stack.sh
dir=$(mktemp -d /tmp/mlops-run-XXXX)
trap stack_cleanup EXIT
stack_start_postgres "$dir" 25434
psql -q -h "$dir" -p 25434 -U postgres -c "CREATE DATABASE mlops"
stack_issue_certificates "$dir/certs" model-registry admin trainer retraining-gate serving

registry_port=27101
metrics_port=29101
POSTGRES_HOST=$dir POSTGRES_PORT=25434 POSTGRES_USER=postgres MLOPS_DB_NAME=mlops POSTGRES_SSLMODE=disable \
  "$bin/model-registry" --config services/model-registry/config.json --host 127.0.0.1 --port $registry_port \
  --metrics-port $metrics_port --tls-certificate "$dir/certs/model-registry.pem" \
  --tls-key "$dir/certs/model-registry.key" --tls-ca "$dir/certs/ca.pem" 2>"$dir/registry.log" &
registry_pid=$!
stack_pids+=($registry_pid)

# mlopsctl as IDENTITY: ctl IDENTITY ARGS...
ctl() {
  local identity=$1
  shift
  MLOPS_REGISTRY_ADDRESS=127.0.0.1:$registry_port MLOPS_TLS_CA=$dir/certs/ca.pem \
    MLOPS_TLS_CERT=$dir/certs/$identity.pem MLOPS_TLS_KEY=$dir/certs/$identity.key "$bin/mlopsctl" "$@"
}
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "model-registry on 127.0.0.1:$registry_port (metrics on :$metrics_port), PostgreSQL in $dir"
for _ in $(seq 100); do ctl serving registry search-models >/dev/null 2>&1 && break; sleep 0.1; done

step "the training pipeline (identity trainer) registers credit-risk-model v1 and v2"
ctl trainer registry create-model credit-risk-model --description "Scores loan applications" --tag team=risk
ctl trainer registry create-version credit-risk-model --source s3://models/credit-risk/1 --run-id run-1 --f1 0.78
ctl trainer registry create-version credit-risk-model --source s3://models/credit-risk/2 --run-id run-2 --f1 0.81
ctl trainer registry transition credit-risk-model 1 Staging --comment "candidate"

step "the trainer may not promote to Production (the policy says so)"
if ctl trainer registry transition credit-risk-model 1 Production; then
  echo "expected PERMISSION_DENIED" >&2
  exit 1
fi

step "the gate (identity retraining-gate) promotes v1, points champion at it, then replaces it with v2"
ctl retraining-gate registry transition credit-risk-model 1 Production --archive-existing --decision-id decision-1
ctl retraining-gate registry set-alias credit-risk-model champion 1
ctl retraining-gate registry transition credit-risk-model 2 Production --archive-existing --decision-id decision-2 \
  --comment "F1 0.81 beats 0.78"
ctl retraining-gate registry set-alias credit-risk-model champion 2

step "serving code (identity serving) asks what to load"
ctl serving registry latest credit-risk-model --stage Production
ctl serving registry get-by-alias credit-risk-model champion

step "the record: who moved what, when, and which decision caused it"
ctl serving registry history credit-risk-model
psql -q -h "$dir" -p 25434 -U postgres -d mlops \
  -c "SELECT changed_at, model_name, model_version, from_stage, to_stage, changed_by, decision_id FROM v_model_timeline"

step "metrics (Prometheus, plain HTTP)"
curl -s "http://127.0.0.1:$metrics_port/metrics" | grep '^rpc_server_requests_total' | head -8

step "SIGTERM: the registry drains and exits"
kill -TERM $registry_pid
wait $registry_pid
echo "model-registry exited with status $?"
