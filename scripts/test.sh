#!/usr/bin/env bash
# The test command: installs what this machine lacks, builds, and runs every
# test (unit tests, a throwaway PostgreSQL 15 cluster per database suite,
# certificates made by a test CA, the Python protobuf interop check).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v swift >/dev/null || export PATH=/opt/swift/usr/bin:$PATH
scripts/install-dependencies.sh
swift build --build-tests
swift test --skip-build --skip SystemTests --skip LoadRunTests --skip ScheduleAtScaleTests
# Then the load engine's runs against a stand-in server with a known delay,
# alone: their latencies are the point, and the rest's hundreds of processes
# would add a second of their own.
swift test --skip-build --filter LoadRunTests
# Then a thousand models' windows on two monitoring replicas, alone: beside
# the rest, its minute of both cores starved their processes' shutdowns.
swift test --skip-build --filter ScheduleAtScaleTests
# Then the whole-system tests (each starts a PostgreSQL cluster and three
# services), alone: together with the rest they starve two cores.
swift test --skip-build --filter SystemTests
