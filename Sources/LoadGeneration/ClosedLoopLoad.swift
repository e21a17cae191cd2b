import Foundation

/// `callers` concurrent callers, each calling again as soon as its call
/// returns, for `duration` seconds: what `mlopsctl gate load-test` and the
/// service benchmarks measure.
public enum ClosedLoopLoad {
    /// Runs the load and prints one line the scripts read:
    /// `ours operation=… callers=… calls_per_s=… p50_ms=… p99_ms=… errors=…`
    /// (and the last error, if any, on standard error).
    public static func run(
        operation: String,
        callers: Int,
        duration: Double,
        call: @escaping @Sendable (_ caller: Int, _ sequence: Int) async throws -> Void
    ) async throws {
        let result = try await measure(callers: callers, duration: duration, call: call)
        print(
            String(
                format: "ours operation=%@ callers=%d calls_per_s=%.0f p50_ms=%.2f p99_ms=%.2f errors=%d",
                operation,
                callers,
                result.callsPerSecond,
                result.p50Milliseconds,
                result.p99Milliseconds,
                result.errors
            )
        )
        if let error = result.lastError { FileHandle.standardError.write(Data("last error: \(error)\n".utf8)) }
    }

    /// Runs the load: `call` from every caller, again and again, until `duration` has passed.
    public static func measure(
        callers: Int,
        duration: Double,
        call: @escaping @Sendable (_ caller: Int, _ sequence: Int) async throws -> Void
    ) async throws -> LoadResult {
        let end = ContinuousClock.now + .milliseconds(Int64(duration * 1000))
        let results = try await withThrowingTaskGroup(of: ([Double], Int, String?).self) { group in
            for caller in 0..<callers {
                group.addTask {
                    var latencies: [Double] = []
                    var failures = 0
                    var lastError: String?
                    var sequence = 0
                    while ContinuousClock.now < end {
                        sequence += 1
                        let started = ContinuousClock.now
                        do {
                            try await call(caller, sequence)
                            let elapsed = (ContinuousClock.now - started).components
                            latencies.append(Double(elapsed.seconds) * 1000 + Double(elapsed.attoseconds) / 1e15)
                        } catch {
                            failures += 1
                            lastError = "\(error)"
                        }
                    }
                    return (latencies, failures, lastError)
                }
            }
            return try await group.reduce(into: ([Double](), 0, String?.none)) {
                $0.0 += $1.0
                $0.1 += $1.1
                $0.2 = $0.2 ?? $1.2
            }
        }
        let sorted = results.0.sorted()
        return LoadResult(
            calls: sorted.count,
            seconds: duration,
            p50Milliseconds: LoadResult.percentile(sorted, 0.5),
            p99Milliseconds: LoadResult.percentile(sorted, 0.99),
            errors: results.1,
            lastError: results.2
        )
    }
}
