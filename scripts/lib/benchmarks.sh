# Builds benchmark executables of benchmarks/ (its own package) in release
# mode and sets $bench to the folder they are in. Source it, then:
#   build_benchmarks RegistryBenchmark [...]; "$bench/RegistryBenchmark" ...
build_benchmarks() {
  local product
  for product in "$@"; do
    (cd benchmarks && swift build -c release --scratch-path ../.build-benchmarks --product "$product" >/dev/null)
  done
  bench="$(cd benchmarks && swift build -c release --scratch-path ../.build-benchmarks --show-bin-path)"
}
