#!/usr/bin/env bash
# The main command: installs what this machine lacks, builds, and runs the
# system on loopback with a throwaway PostgreSQL, doing real work end to end:
# model-registry, monitoring and retraining-gate, driven by mlopsctl the way
# the training pipeline, serving code and a person would. (`mlopsctl dev up`
# and the full demo arrive with issue #8.)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v swift >/dev/null || export PATH=/opt/swift/usr/bin:$PATH
scripts/install-dependencies.sh
echo "building (release)..."
for product in model-registry monitoring retraining-gate mlopsctl; do swift build -c release --product $product; done
bin=$(swift build -c release --show-bin-path)

source scripts/lib/local-stack.sh
dir=$(mktemp -d /tmp/mlops-run-XXXX)
trap stack_cleanup EXIT
stack_start_postgres "$dir" 25434
psql -q -h "$dir" -p 25434 -U postgres -c "CREATE DATABASE mlops"
stack_issue_certificates "$dir/certs" model-registry monitoring admin trainer retraining-gate serving
db_env=(env POSTGRES_HOST=$dir POSTGRES_PORT=25434 POSTGRES_USER=postgres MLOPS_DB_NAME=mlops POSTGRES_SSLMODE=disable)

registry_port=27101
metrics_port=29101
  "${db_env[@]}" "$bin/model-registry" --config services/model-registry/config.json --host 127.0.0.1 --port $registry_port \
  --metrics-port $metrics_port --tls-certificate "$dir/certs/model-registry.pem" \
  --tls-key "$dir/certs/model-registry.key" --tls-ca "$dir/certs/ca.pem" 2>"$dir/registry.log" &
registry_pid=$!
stack_pids+=($registry_pid)
monitoring_port=27102
gate_port=27103
"${db_env[@]}" "$bin/monitoring" --config services/monitoring/config.json --host 127.0.0.1 --port $monitoring_port \
  --metrics-port 29102 --tls-certificate "$dir/certs/monitoring.pem" --tls-key "$dir/certs/monitoring.key" \
  --tls-ca "$dir/certs/ca.pem" --artifacts-directory "$dir/artifacts" 2>"$dir/monitoring.log" &
monitoring_pid=$!
stack_pids+=($monitoring_pid)
"${db_env[@]}" "$bin/retraining-gate" --config services/retraining-gate/config.json --host 127.0.0.1 \
  --port $gate_port --metrics-port 29103 --tls-certificate "$dir/certs/retraining-gate.pem" \
  --tls-key "$dir/certs/retraining-gate.key" --tls-ca "$dir/certs/ca.pem" \
  --registry-address 127.0.0.1:$registry_port --monitoring-address 127.0.0.1:$monitoring_port 2>"$dir/gate.log" &
gate_pid=$!
stack_pids+=($gate_pid)

# mlopsctl as IDENTITY: ctl IDENTITY ARGS...
ctl() {
  local identity=$1
  shift
  MLOPS_REGISTRY_ADDRESS=127.0.0.1:$registry_port MLOPS_MONITORING_ADDRESS=127.0.0.1:$monitoring_port \
    MLOPS_GATE_ADDRESS=127.0.0.1:$gate_port MLOPS_TLS_CA=$dir/certs/ca.pem \
    MLOPS_TLS_CERT=$dir/certs/$identity.pem MLOPS_TLS_KEY=$dir/certs/$identity.key "$bin/mlopsctl" "$@"
}
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "model-registry :$registry_port, monitoring :$monitoring_port, retraining-gate :$gate_port; PostgreSQL in $dir"
for _ in $(seq 200); do
  ctl serving registry search-models >/dev/null 2>&1 && ctl serving monitoring recent >/dev/null 2>&1 \
    && ctl serving gate policy >/dev/null 2>&1 && break
  sleep 0.1
done

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

step "serving code logs an hour of predictions; labels follow for 60 %; the training data is the reference"
end=$(( $(date +%s) * 1000 ))
python3 scripts/lib/demo-data.py "$dir" $end
ctl trainer monitoring set-reference "$dir/reference.csv" --model credit-risk-model
ctl serving monitoring log-predictions "$dir/predictions.csv" --model credit-risk-model --model-version 2
ctl serving monitoring log-labels "$dir/labels.csv"

step "a monitoring window over the last hour: the applicants' income and region have moved"
ctl serving monitoring run credit-risk-model --lookback-hours 1 --as-of $end
report=$(ctl serving monitoring latest credit-risk-model --json | python3 -c "import json,sys; print(json.load(sys.stdin)['report'])")
ctl serving monitoring report "$report" --output "$dir/report.html"

step "the pipeline retrains (v3) and asks the gate, with both versions' scores on labelled recent data"
ctl trainer registry create-version credit-risk-model --source s3://models/credit-risk/3 --run-id run-3
ctl trainer gate evaluate credit-risk-model --candidate 3 "$dir/scores.csv" --trigger drift --idempotency-key retrain-3
ctl serving registry latest credit-risk-model --stage Production
ctl serving gate list --model credit-risk-model

step "the record: who moved what, when, and which decision caused it"
ctl serving registry history credit-risk-model
psql -q -h "$dir" -p 25434 -U postgres -d mlops \
  -c "SELECT changed_at, model_version, from_stage, to_stage, changed_by, decision_id FROM v_model_timeline" \
  -c "SELECT timestamp, model_name, candidate_version, action, promotion_state FROM v_decision_history" \
  -c "SELECT timestamp, num_predictions, feature_drift_ratio, dataset_drift_detected FROM v_recent_monitoring"

step "metrics (Prometheus, plain HTTP)"
curl -s "http://127.0.0.1:$metrics_port/metrics" | grep '^rpc_server_requests_total' | head -5
curl -s "http://127.0.0.1:29103/metrics" | grep '^gate_decisions_total' | head -3

step "SIGTERM: every service drains and exits"
for pid in $gate_pid $monitoring_pid $registry_pid; do
  kill -TERM $pid
  wait $pid
  echo "pid $pid exited with status $?"
done
