#!/usr/bin/env bash
# Fails when the committed generated code differs from a fresh generation.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/generate-messages.sh
generated=(Sources/CMLOpsProtos Sources/MLOpsMessages/Generated Sources/MLOpsClient/Generated
  Sources/MLOpsServiceProtocols/Generated
  Tests/MLOpsMessagesTests/MessageSamples.swift
  Tests/MLOpsMessagesTests/Interop/mlops.desc)
if ! git diff --exit-code --stat -- "${generated[@]}" || [ -n "$(git status --porcelain -- "${generated[@]}")" ]; then
  echo "generated code is stale: run scripts/generate-messages.sh and commit the result" >&2
  git status --porcelain -- "${generated[@]}" >&2
  exit 1
fi
echo "generated code is current"
