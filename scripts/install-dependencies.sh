#!/usr/bin/env bash
# Installs what a fresh machine of this kind lacks, and nothing it already has:
# the C libraries the package links (libpq, OpenSSL 3, protobuf-c), the code
# generator, PostgreSQL 15's server binaries for the tests' throwaway
# clusters, PyYAML to read the compose file in its test, iproute2 for the test
# that puts each part of the system on a host of its own, Python's protobuf
# for the interop test, and Python's stock gRPC (grpcio, grpcio-tools for
# stubs from protos/, the health and reflection clients) for the gRPC tests, and
# kubernetes-validate (Kubernetes' schemas) for the deployment manifests' test.
# Safe to run again.
set -euo pipefail

packages=(libpq-dev libssl-dev libprotobuf-c-dev protobuf-c-compiler pkg-config openssl postgresql-15 python3-yaml iproute2)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! python3 -c "import google.protobuf, grpc, grpc_tools, grpc_health, grpc_reflection" 2>/dev/null; then
  echo "installing: Python protobuf and gRPC"
  python3 -m pip install -q --disable-pip-version-check protobuf grpcio grpcio-tools grpcio-health-checking \
    grpcio-reflection
fi

if ! python3 -c "import kubernetes_validate" 2>/dev/null; then
  echo "installing: kubernetes-validate"
  python3 -m pip install -q --disable-pip-version-check kubernetes-validate
fi
