import Histogram
import Synchronization

/// What one call came to.
public enum CallOutcome: Sendable, Equatable {
    case succeeded
    /// `code`: the status (an RPC status name, say); `message`: what it said.
    case failed(code: String, message: String)
}

/// Collects a load test's calls as they end: latencies in an HdrHistogram
/// (microseconds, three significant digits, up to an hour), each status with
/// how often it came and one message it carried, and calls and errors per
/// second of the run. Safe to record into from every caller at once.
final class LoadRecorder: Sendable {
    private struct State {
        var latencies = Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
        var statuses: [String: (count: Int, example: String)] = [:]
        var succeeded = 0
        var failed = 0
        var calls: [Int] = []
        var errors: [Int] = []
        /// Each second's successful latencies, coarser (two digits) to stay small over long runs.
        var perSecond: [Histogram<UInt64>] = []
    }

    private let state = Mutex(State())

    /// A call that started `offset` after the measured part of the run began
    /// and took `latency` (from its scheduled start, in an open loop).
    func record(offset: Duration, latency: Duration, outcome: CallOutcome) {
        let second = max(0, Int(offset.components.seconds))
        let microseconds = UInt64(max(1, latency.microseconds))
        state.withLock { state in
            while state.calls.count <= second {
                state.calls.append(0)
                state.errors.append(0)
                state.perSecond.append(
                    Histogram(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .two)
                )
            }
            state.calls[second] += 1
            switch outcome {
            case .succeeded:
                state.succeeded += 1
                _ = state.latencies.record(min(microseconds, 3_600_000_000))
                _ = state.perSecond[second].record(min(microseconds, 3_600_000_000))
            case .failed(let code, let message):
                state.failed += 1
                state.errors[second] += 1
                let seen = state.statuses[code]
                state.statuses[code] = ((seen?.count ?? 0) + 1, seen?.example ?? message)
            }
        }
    }

    /// What was recorded, for a run whose measured part lasted `seconds`.
    func report(model: LoadModel, seconds: Double, sent: Int, unfinished: Int) -> LoadReport {
        state.withLock { state in
            LoadReport(
                model: model,
                seconds: seconds,
                sent: sent,
                succeeded: state.succeeded,
                failed: state.failed,
                unfinished: unfinished,
                latencies: state.latencies,
                statuses: state.statuses.map {
                    LoadReport.Status(code: $0.key, count: $0.value.count, example: $0.value.example)
                }
                .sorted { $0.count > $1.count },
                timeline: state.calls.indices.map { second in
                    let latencies = state.perSecond[second]
                    func milliseconds(_ percentile: Double) -> Double {
                        latencies.totalCount > 0 ? Double(latencies.valueAtPercentile(percentile)) / 1000 : 0
                    }
                    return LoadReport.Second(
                        second: second,
                        calls: state.calls[second],
                        errors: state.errors[second],
                        p50Milliseconds: milliseconds(50),
                        p99Milliseconds: milliseconds(99),
                        maxMilliseconds: milliseconds(100)
                    )
                }
            )
        }
    }
}

extension Duration {
    var microseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }

    /// The duration in seconds, as a `Double`.
    public var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
