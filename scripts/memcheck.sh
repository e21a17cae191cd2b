#!/usr/bin/env bash
# Runs the message round-trip and malformed-input suites, the TLS and RPC
# suites (OpenSSL objects on every failure path; the call machinery in
# process and the connection handlers on testing channels), and registry and
# monitoring suites (their handlers in process, or service processes that are
# the sanitized build too and must exit 0 on SIGTERM, so a leak or memory
# error there fails them) under
# AddressSanitizer with leak detection: every protobuf-c struct we unpack or
# build must be freed on every path, errors included. Exits non-zero on any
# leak or memory error. Tests run one at a time: sanitized service processes
# are slow, and a machine running dozens at once misses protocol timeouts.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-dependencies.sh
scratch=.build-asan
swift build --build-tests --sanitize=address --scratch-path "$scratch"
ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 LSAN_OPTIONS="suppressions=$PWD/scripts/lsan.supp" \
  swift test --skip-build --sanitize=address --scratch-path "$scratch" --no-parallel \
  --filter 'RoundTripTests|MalformedInputTests|CertificateTests|TLSHandlerTests|CallTests|BadInputTests|LimitTests|InProcessChannelTests|ServerConnectionHandlerTests|ClientConnectionHandlerTests|RegisteredModelTests|StageTransitionTests|AliasTests|WatchTests|LifecycleTests|IngestionTests|WindowTests|GateFlowTests|GRPCStreamHandlerTests|GRPCWireTests|GRPCTransportTests|GRPCInteropTests|ServerReflectionTests|LoadBalancingTests'
