# Builds benchmark executables of benchmarks/ (its own package) in release
# mode and sets $bench to the folder they are in. Source it, then:
#   build_benchmarks RegistryBenchmark [...]; "$bench/RegistryBenchmark" ...
# With cross-module optimization: a package's release build gets it among its
# own modules, and the load generators, outside ours, would otherwise pay
# 5-10% more CPU per call on the machine they share with the servers.
build_benchmarks() {
  local product flags=(-c release --scratch-path ../.build-benchmarks -Xswiftc -cross-module-optimization)
  for product in "$@"; do
    (cd benchmarks && swift build "${flags[@]}" --product "$product" >/dev/null)
  done
  bench="$(cd benchmarks && swift build "${flags[@]}" --show-bin-path)"
}
