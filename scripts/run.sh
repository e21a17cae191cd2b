#!/usr/bin/env bash
# The main command: installs what this machine lacks, builds, starts the whole
# system on loopback (`mlopsctl dev up`: a PostgreSQL cluster, a development
# CA, model-registry, monitoring and retraining-gate, all in .mlops-dev/, clean
# each time), runs the end-to-end scenario (`mlopsctl demo`), and leaves the
# stack running for you.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v swift >/dev/null || export PATH=/opt/swift/usr/bin:$PATH
scripts/install-dependencies.sh
echo "building (release)..."
for product in model-registry monitoring retraining-gate mlopsctl; do swift build -c release --product $product; done
mlopsctl=.build/release/mlopsctl  # SwiftPM's link to this platform's release folder
[ -x $mlopsctl ] || mlopsctl="$(swift build -c release --show-bin-path)/mlopsctl"

"$mlopsctl" dev up --reset
"$mlopsctl" demo

cat <<END

The stack keeps running. Call it (mlopsctl finds .mlops-dev by itself; identity admin):
  $mlopsctl registry latest credit-risk-model --stage Production
  $mlopsctl gate list --model credit-risk-model
  $mlopsctl report drift-trend credit-risk-model
From another folder or tool: source .mlops-dev/env   (addresses and the admin certificate)
Stop it: $mlopsctl dev down
END
