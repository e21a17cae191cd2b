#!/usr/bin/env bash
# The main command: installs what this machine lacks, builds everything, and
# runs the system. The three services are not runnable yet (issues #5-#8):
# until they are, this builds them and shows the API they will serve.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v swift >/dev/null || export PATH=/opt/swift/usr/bin:$PATH
scripts/install-dependencies.sh
swift build -c release
bin=$(swift build -c release --show-bin-path)
echo
echo "Built: $bin/model-registry, $bin/monitoring, $bin/retraining-gate, $bin/mlopsctl"
echo
"$bin/mlopsctl" methods
echo
echo "The services are not runnable yet; 'mlopsctl dev up' and 'mlopsctl demo' arrive with issue #8."
