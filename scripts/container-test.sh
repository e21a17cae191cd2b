#!/usr/bin/env bash
# The stack as users run it, in a real container engine (rootful podman, as root):
#  1. installs podman, buildah, mmdebstrap, runc, netavark and aardvark-dns (Debian) and podman-compose (PyPI);
#  2. builds every image (scripts/build-images.sh: the base from mmdebstrap when none
#     can be pulled, PostgreSQL 15, the CA, the three services from release binaries);
#  3. runs compose/compose.yaml on its own network: PostgreSQL with a role per service,
#     the CA job, the services as uid 10001 on read-only root filesystems;
#  4. runs `mlopsctl demo` from this host, as an unprivileged user, and checks every outcome;
#  5. a rolling restart under load: a second registry replica behind the name
#     model-registry, `mlopsctl bench gate-evaluate` against the gate (dry runs, and logged
#     decisions whose promotions go through the registry), each registry replica
#     replaced in turn; no call may fail and every promotion must be applied once;
#  6. stops every container and checks it drained and exited 0;
# and removes every container, network and volume it made (images stay, as a cache).
# Uses the host ports compose publishes (7001-7003, 9101-9103).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v swift >/dev/null || export PATH=/opt/swift/usr/bin:$PATH
began=$SECONDS
[ "$(id -u)" -eq 0 ] || { echo "container-test: run it as root (rootful podman)" >&2; exit 1; }

scripts/install-dependencies.sh
missing=()
# netavark and aardvark-dns (networks, names between containers) come as recommends: name them all the same.
# netavark runs iptables, which Debian's podman only suggests; without it every RUN and network
# fails with "netavark: No such file or directory".
for package in podman buildah mmdebstrap runc netavark aardvark-dns iptables; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v podman-compose >/dev/null ||
  python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore podman-compose==1.6.0

for port in 7001 7002 7003 9101 9102 9103; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "container-test: port $port is taken (a dev stack? mlopsctl dev down)" >&2
    exit 1
  fi
done

work=$(mktemp -d /tmp/mlops-containers.XXXXXX)
chmod 755 "$work"
# crun refuses these machines' hybrid cgroups, and the sandbox cannot raise limits to podman's defaults.
cat >"$work/containers.conf" <<'CONF'
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
runtime = "runc"
CONF
export CONTAINERS_CONF=$work/containers.conf
project=mlopsct$$
cat >"$work/env" <<ENV
POSTGRES_PASSWORD=postgres-$RANDOM$RANDOM
MODEL_REGISTRY_DB_PASSWORD=registry-$RANDOM$RANDOM
MONITORING_DB_PASSWORD=monitoring-$RANDOM$RANDOM
RETRAINING_GATE_DB_PASSWORD=gate-$RANDOM$RANDOM
POSTGRES_IMAGE=mlops/postgres:15
ENV
extra_containers=()
compose() { podman-compose --env-file "$work/env" -f compose/compose.yaml -p "$project" "$@"; }
cleanup() {
  set +e
  [ ${#extra_containers[@]} -eq 0 ] || podman rm -f -t 0 "${extra_containers[@]}" >/dev/null 2>&1
  compose down -v -t 0 >/dev/null 2>&1
  podman network rm -f "${project}_default" >/dev/null 2>&1
  for volume in postgres-data tls artifacts; do podman volume rm -f "${project}_$volume" >/dev/null 2>&1; done
  rm -rf "$work"
}
# MLOPS_KEEP_STACK=1 leaves everything up to look at (podman ps -a; the folder $work).
[ "${MLOPS_KEEP_STACK:-0}" = 1 ] || trap cleanup EXIT
# podman 4.3 without systemd says so on every container start, and podman-compose that
# it ignores health conditions (the start is ordered below instead).
quiet() { "$@" 2> >(grep -v "systemd\|condition check\|syslog" >&2); }
fail() {
  echo "container-test FAILED: $*" >&2
  for name in $(podman ps -a --filter "name=^${project}_" --format '{{.Names}}'); do
    echo "--- $name" >&2
    podman logs "$name" 2>&1 | grep -v systemd | tail -15 >&2
  done
  exit 1
}
container() { echo "${project}_$1_1"; }

# Health checks are not run by podman without systemd: run them while waiting.
wait_healthy() { # NAME...
  for name in "$@"; do
    for _ in $(seq 120); do
      podman healthcheck run "$name" >/dev/null 2>&1 && continue 2
      [ "$(podman inspect "$name" --format '{{.State.Running}}')" = true ] ||
        { podman logs "$name" | tail -20; fail "$name exited"; }
      sleep 1
    done
    podman logs "$name" | tail -20
    fail "$name did not become healthy"
  done
}

# SIGTERM with compose's grace period: the service must finish its calls, say so and exit 0 on its own.
stop_cleanly() { # NAME
  local name=$1 stopped_at=$SECONDS
  podman stop -t 35 "$name" >/dev/null 2>&1
  local code
  code=$(podman inspect "$name" --format '{{.State.ExitCode}}')
  [ "$code" = 0 ] || { podman logs "$name" | tail -20; fail "$name exited with $code"; }
  if [[ $name != *postgres* ]]; then
    local log
    log=$(podman logs "$name" 2>&1 | grep -v systemd)
    grep -q "finishing in-flight calls" <<<"$log" || fail "$name did not drain"
    tail -1 <<<"$log" | grep -q "stopped" || fail "$name did not say it stopped"
  fi
  echo "  $(date +%T) $name drained and exited 0 in $((SECONDS - stopped_at)) s"
}

echo "== images"
scripts/build-images.sh
# Built as the services are (build-images.sh), so nothing is compiled twice.
static=(-c release --static-swift-stdlib --scratch-path .build-static)
swift build "${static[@]}" --product mlopsctl
mlopsctl=$(swift build "${static[@]}" --show-bin-path)/mlopsctl

echo "== the stack (compose/compose.yaml, project $project)"
# podman-compose ignores compose's health conditions on podman 4.3: order the start here.
quiet compose up -d --no-build postgres certificates >/dev/null
wait_healthy "$(container postgres)"
for _ in $(seq 60); do
  [ "$(podman inspect "$(container certificates)" --format '{{.State.Status}}')" = exited ] && break
  sleep 1
done
[ "$(podman inspect "$(container certificates)" --format '{{.State.ExitCode}}')" = 0 ] || fail "the CA job failed"
quiet compose up -d --no-build model-registry monitoring >/dev/null
wait_healthy "$(container model-registry)" "$(container monitoring)"
quiet compose up -d --no-build retraining-gate >/dev/null
wait_healthy "$(container retraining-gate)"
for service in model-registry monitoring retraining-gate; do
  name=$(container "$service")
  [ "$(podman inspect "$name" --format '{{.Config.User}}')" = 10001:10001 ] || fail "$name does not run as 10001"
  [ "$(podman inspect "$name" --format '{{.HostConfig.ReadonlyRootfs}}')" = true ] || fail "$name root is writable"
done
echo "  up and healthy after $((SECONDS - began)) s"

# The callers' certificates, from the CA's volume, for an unprivileged user.
certificates=$work/certificates
mkdir "$certificates"
tls=$(podman volume inspect "${project}_tls" --format '{{.Mountpoint}}')
cp "$tls/ca.pem" "$tls"/{admin,trainer,serving}.{pem,key} "$certificates/"
chown -R nobody: "$certificates"
as_user() {
  (cd "$work" && setpriv --reuid=65534 --regid=65534 --clear-groups -- env \
    MLOPS_REGISTRY_ADDRESS=127.0.0.1:7001 MLOPS_MONITORING_ADDRESS=127.0.0.1:7002 \
    MLOPS_GATE_ADDRESS=127.0.0.1:7003 MLOPS_TLS_CA="$certificates/ca.pem" \
    MLOPS_TLS_CERT="$certificates/admin.pem" MLOPS_TLS_KEY="$certificates/admin.key" "$@")
}

echo "== mlopsctl demo, from this host"
chown nobody: "$work"
as_user "$mlopsctl" demo --certificates "$certificates" >"$work/demo.log" 2>&1 ||
  { tail -30 "$work/demo.log"; fail "the demo"; }
tail -1 "$work/demo.log"
grep -q "expected outcomes happened" "$work/demo.log" || fail "the demo did not check its outcomes"

echo "== a rolling restart of the registry under load"
registry_password=$(sed -n 's/^MODEL_REGISTRY_DB_PASSWORD=//p' "$work/env")
registry_replica() { # NAME: another model-registry as compose runs it, behind the same name
  extra_containers+=("$1")
  quiet podman run -d --name "$1" --network "${project}_default" --network-alias model-registry \
    --read-only --cap-drop ALL --security-opt no-new-privileges \
    -e POSTGRES_HOST=postgres -e POSTGRES_PORT=5432 -e POSTGRES_USER=model_registry \
    -e POSTGRES_PASSWORD="$registry_password" -e MLOPS_DB_NAME=mlops \
    -v "${project}_tls:/etc/mlops/tls:ro" "mlops/model-registry:${MLOPS_VERSION:-latest}" >/dev/null
  wait_healthy "$1"
  echo "  $(date +%T) $1 started and healthy"
}
registry_calls() { # NAME: the registry calls (health checks aside) the replica has answered
  podman exec "$1" bash -c 'exec 3<>/dev/tcp/127.0.0.1/9101; printf "GET /metrics HTTP/1.0\r\n\r\n" >&3; cat <&3' |
    awk '/^rpc_server_requests_total/ && /ModelRegistry/ { sum += $NF } END { print sum + 0 }'
}
# The gate looks its peers' names up again every 30 s: a new replica must be taking
# its calls before an old one goes (Kubernetes: minReadySeconds, docs/deploy.md).
wait_for_calls() { # NAME
  for _ in $(seq 60); do
    [ "$(registry_calls "$1")" -gt 0 ] && { echo "  $(date +%T) $1 takes the gate's calls"; return 0; }
    sleep 1
  done
  fail "$1 took no calls from the gate"
}
sql() { podman exec "$(container postgres)" psql -U postgres -d mlops -Atc "$1"; }

# Samples on which candidate 2 beats production clearly, so every logged decision promotes it.
python3 - "$work/scores.csv" <<'PY'
import random, sys
random.seed(20261207)
with open(sys.argv[1], "w") as out:
    out.write("label,candidate,production\n")
    for _ in range(2000):
        label = random.random() < 0.4
        candidate = min(max(random.gauss(0.8 if label else 0.2, 0.15), 0.0), 1.0)
        production = min(max(random.gauss(0.6 if label else 0.4, 0.25), 0.0), 1.0)
        out.write(f"{int(label)},{candidate:.4f},{production:.4f}\n")
PY
chown nobody: "$work/scores.csv"
as_user "$mlopsctl" gate evaluate credit-risk-model --candidate 2 "$work/scores.csv" --dry-run --json >"$work/check.json" ||
  fail "a dry run on the samples"
grep -q '"action" *: *"promote"' "$work/check.json" || { cat "$work/check.json"; fail "the samples do not promote"; }

registry=(model-registry-a model-registry-b model-registry-c)
for index in 0 1 2; do registry[index]=${project}_${registry[index]}; done
promoted_before=$(sql "SELECT count(*) FROM retraining_decisions WHERE action = 'promote'")
load_seconds=130
as_user "$mlopsctl" bench gate-evaluate credit-risk-model --candidate 2 --samples-file "$work/scores.csv" \
  --concurrency 8 --duration ${load_seconds}s --json >"$work/dry-runs.json" 2>&1 &
dry_runs=$!
as_user "$mlopsctl" bench gate-evaluate credit-risk-model --candidate 2 --samples-file "$work/scores.csv" \
  --concurrency 2 --duration ${load_seconds}s --logged --json >"$work/logged.json" 2>&1 &
logged=$!
# Two replicas (compose's and a), then each replaced by a new one (b, c).
registry_replica "${registry[0]}"
wait_for_calls "${registry[0]}"
registry_replica "${registry[1]}"
wait_for_calls "${registry[1]}"
stop_cleanly "$(container model-registry)"
registry_replica "${registry[2]}"
wait_for_calls "${registry[2]}"
stop_cleanly "${registry[0]}"
echo "  both replicas replaced after $((SECONDS - began)) s"
kill -0 $dry_runs 2>/dev/null || fail "the load ended before the restart did: a longer --duration"
wait $dry_runs || { cat "$work/dry-runs.json"; fail "the dry-run load"; }
wait $logged || { cat "$work/logged.json"; fail "the logged load"; }
for load in dry-runs logged; do
  summary=$(python3 - "$work/$load.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
l = r["latency_ms"]
print(f"{r['succeeded']} succeeded, {r['failed']} failed, {r['unfinished']} unfinished, {r['rate_per_s']:.0f}/s, "
      f"p50 {l['p50']:.1f} ms, p99 {l['p99']:.1f} ms, max {l['max']:.0f} ms")
PY
  ) || { cat "$work/$load.json"; fail "the $load load's report"; }
  echo "  $load: $summary"
  [[ $summary == *" 0 failed, 0 unfinished"* ]] || fail "calls lost during the rolling restart ($load)"
  [[ $summary != "0 succeeded"* ]] || fail "no call succeeded ($load)"
done

# Each promotion the gate logged is applied once: none left pending (the retrier
# has up to its claim time to finish one whose answer was lost), none failed, and
# no decision on two of the registry's promotions (the versions a promotion
# archives carry its decision too, with archived_by_version set).
promoted=$(($(sql "SELECT count(*) FROM retraining_decisions WHERE action = 'promote'") - promoted_before))
[ "$promoted" -gt 0 ] || fail "the logged load promoted nothing"
for _ in $(seq 60); do
  [ "$(sql "SELECT count(*) FROM retraining_decisions WHERE promotion_state = 'pending'")" = 0 ] && break
  sleep 1
done
states=$(sql "SELECT promotion_state || ' ' || count(*) FROM retraining_decisions WHERE action = 'promote' GROUP BY promotion_state ORDER BY promotion_state" | tr '\n' ',')
echo "  $promoted promotions during the restart; every promotion's state: $states"
[ "$(sql "SELECT count(*) FROM retraining_decisions WHERE action = 'promote' AND promotion_state NOT IN ('applied', 'superseded')")" = 0 ] ||
  fail "promotions not applied: $states"
twice=$(sql "SELECT count(*) FROM (SELECT decision_id FROM model_transitions WHERE decision_id <> '' AND archived_by_version = 0 GROUP BY 1 HAVING count(*) > 1) AS repeated")
[ "$twice" = 0 ] || fail "$twice promotions were applied twice"
unmatched=$(sql "SELECT count(*) FROM retraining_decisions d WHERE promotion_state = 'applied' AND NOT EXISTS (SELECT 1 FROM model_transitions t WHERE t.decision_id = d.id::text)")
[ "$unmatched" = 0 ] || fail "$unmatched applied promotions have no transition in the registry"

echo "== stopping"
for name in "$(container retraining-gate)" "$(container monitoring)" "${registry[1]}" "${registry[2]}" \
  "$(container postgres)"; do
  stop_cleanly "$name"
done

echo "== images"
podman images --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -E "mlops|debian" | sort
echo "container-test passed in $((SECONDS - began)) s"
