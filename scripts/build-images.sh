#!/usr/bin/env bash
# Builds every image of the stack from binaries compiled on this machine, for
# engines that cannot pull the Swift image (podman or docker; CONTAINER_ENGINE
# chooses): the three services (their Dockerfiles' prebuilt target), the
# certificate authority, and PostgreSQL 15 from Debian's packages. When the
# engine has no debian:bookworm-slim and cannot pull one, mmdebstrap makes it.
# Tags: mlops/<name>:${MLOPS_VERSION:-latest}, mlops/postgres:15.
# Then: POSTGRES_IMAGE=mlops/postgres:15 <compose> -f compose/compose.yaml up --no-build
set -euo pipefail
cd "$(dirname "$0")/.."
command -v swift >/dev/null || export PATH=/opt/swift/usr/bin:$PATH
engine=${CONTAINER_ENGINE:-$(command -v podman >/dev/null && echo podman || echo docker)}
version=${MLOPS_VERSION:-latest}
services=(model-registry monitoring retraining-gate)

base=debian:bookworm-slim
if ! "$engine" image inspect "$base" >/dev/null 2>&1 && ! "$engine" pull -q "$base" >/dev/null 2>&1; then
  echo "making $base with mmdebstrap..."
  # As slim as Debian's own image, for later installs too: no manuals, documentation or
  # translations, and apt keeps neither downloaded packages nor its binary caches.
  mmdebstrap --quiet --variant=minbase --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' --dpkgopt='path-exclude=/usr/share/locale/*' \
    --aptopt='Dir::Cache::pkgcache ""' --aptopt='Dir::Cache::srcpkgcache ""' \
    --aptopt='DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb || true"; }' \
    --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*' \
    bookworm - "deb http://deb.debian.org/debian bookworm main" \
    "deb http://deb.debian.org/debian bookworm-updates main" \
    "deb http://deb.debian.org/debian-security bookworm-security main" |
    "$engine" import --quiet --change 'CMD ["bash"]' - "docker.io/library/$base" >/dev/null
fi

# Output only when a step fails.
quietly() {
  local log
  log=$(mktemp)
  "$@" >"$log" 2>&1 || { cat "$log" >&2; rm -f "$log"; return 1; }
  rm -f "$log"
}

echo "building the services (release, static Swift runtime)..."
mkdir -p .build-images/bin
# A build folder of its own: other flags in .build would make each build undo the other.
static=(-c release --static-swift-stdlib --scratch-path .build-static)
for service in "${services[@]}"; do
  quietly swift build "${static[@]}" --product "$service"
  strip -o ".build-images/bin/$service" "$(swift build "${static[@]}" --show-bin-path)/$service"
done

# podman writes OCI images unless told otherwise, and OCI images drop HEALTHCHECK.
engine_flags=()
[ "$engine" = docker ] || engine_flags=(--pull=never --format docker)
build() { # build TAG DOCKERFILE [FLAG...]
  local tag=$1 file=$2
  shift 2
  echo "image $tag"
  quietly "$engine" build "${engine_flags[@]}" -f "$file" -t "$tag" "$@" .
}
for service in "${services[@]}"; do
  build "mlops/$service:$version" "services/$service/Dockerfile" --target prebuilt
done
build "mlops/certificates:$version" compose/certificates/Dockerfile
build mlops/postgres:15 compose/postgres/Dockerfile
