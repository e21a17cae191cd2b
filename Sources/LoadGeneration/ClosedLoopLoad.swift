import Foundation

/// `callers` concurrent callers, each calling again as soon as its call
/// returns, for `duration` seconds: the service benchmarks' load, on the
/// engine of `mlopsctl bench` (`LoadRun`).
public enum ClosedLoopLoad {
    /// Runs the load and prints one line the scripts read:
    /// `ours operation=… callers=… calls_per_s=… p50_ms=… p99_ms=… errors=…`
    /// (and one failure, if any, on standard error). `call` gets its
    /// caller's number and the caller's count of calls so far.
    public static func run(
        operation: String,
        callers: Int,
        duration: Double,
        call: @escaping @Sendable (_ caller: Int, _ sequence: Int) async throws -> Void
    ) async throws {
        let plan = LoadPlan(model: .closed(concurrency: callers), duration: .milliseconds(Int64(duration * 1000)))
        let report = await LoadRun.run(plan) { index in try await call(index % callers, index / callers) }
        print(
            String(
                format: "ours operation=%@ callers=%d calls_per_s=%.0f p50_ms=%.2f p99_ms=%.2f errors=%d",
                operation,
                callers,
                Double(report.succeeded) / report.seconds,
                report.milliseconds(atPercentile: 50),
                report.milliseconds(atPercentile: 99),
                report.failed
            )
        )
        if let failure = report.statuses.first {
            FileHandle.standardError.write(Data("a failure: \(failure.code): \(failure.example)\n".utf8))
        }
    }
}
