import Foundation
import Histogram

/// What a load test measured.
public struct LoadReport: Sendable {
    public struct Status: Sendable, Equatable {
        public var code: String
        public var count: Int
        /// The message of one call that ended so.
        public var example: String
    }

    public struct Second: Sendable, Equatable {
        /// Seconds since the measured part of the run began.
        public var second: Int
        /// Calls that started in that second and ended (succeeded or failed).
        public var calls: Int
        public var errors: Int
        /// The successful ones' latencies (two significant digits).
        public var p50Milliseconds: Double
        public var p99Milliseconds: Double
        public var maxMilliseconds: Double
    }

    public var model: LoadModel
    /// How long the measured part (after the warm-up) lasted.
    public var seconds: Double
    /// Calls started in the measured part.
    public var sent: Int
    public var succeeded: Int
    public var failed: Int
    /// Calls still unanswered when the run ended; neither succeeded nor failed.
    public var unfinished: Int

    var latencies: Histogram<UInt64>
    /// Failed calls by status, most frequent first.
    public var statuses: [Status]
    public var timeline: [Second]

    /// Calls answered (either way) per second.
    public var achievedRate: Double { seconds > 0 ? Double(succeeded + failed) / seconds : 0 }

    /// The rate the schedule asked for, on average over the measured part; nil for a closed loop.
    public var targetRate: Double? {
        guard model.schedule != nil, seconds > 0 else { return nil }
        return Double(sent) / seconds
    }

    /// Failed calls as a share of those answered (0...1).
    public var errorRate: Double {
        let answered = succeeded + failed
        return answered > 0 ? Double(failed) / Double(answered) : 0
    }

    /// The latency at `percentile` (0...100) in milliseconds; 0 without successful calls.
    public func milliseconds(atPercentile percentile: Double) -> Double {
        latencies.totalCount > 0 ? Double(latencies.valueAtPercentile(percentile)) / 1000 : 0
    }

    public var fastestMilliseconds: Double { latencies.totalCount > 0 ? Double(latencies.min) / 1000 : 0 }
    public var slowestMilliseconds: Double { latencies.totalCount > 0 ? Double(latencies.max) / 1000 : 0 }
    public var meanMilliseconds: Double { latencies.totalCount > 0 ? latencies.mean / 1000 : 0 }

    /// The latency curve: the latency at each of a run of percentiles that
    /// crowd towards 100 (0, 50, 75, 87.5, …), as HdrHistogram plots it.
    public func percentileCurve() -> [(percentile: Double, milliseconds: Double)] {
        guard latencies.totalCount > 0 else { return [] }
        var points = (0..<14).map { step in 100 * (1 - 1 / pow(2, Double(step))) }
        points.append(100)
        return points.map { ($0, milliseconds(atPercentile: $0)) }
    }

    /// The percentiles every report shows.
    public static let reportedPercentiles: [Double] = [50, 90, 95, 99, 99.9, 100]

    /// The latencies in `count` equal ranges from the fastest to the slowest:
    /// each range's upper end in milliseconds and how many calls fell in it.
    public func histogram(buckets count: Int = 10) -> [(upToMilliseconds: Double, calls: Int)] {
        guard latencies.totalCount > 0, count > 0 else { return [] }
        let (low, high) = (Double(latencies.min), Double(latencies.max))
        let width = max(1, (high - low) / Double(count))
        var calls = [Int](repeating: 0, count: count)
        for recorded in latencies.recordedValues() {
            let index = Int((Double(recorded.value) - low) / width)
            calls[min(max(index, 0), count - 1)] += Int(recorded.count)
        }
        return calls.enumerated().map { ((low + width * Double($0.offset + 1)) / 1000, $0.element) }
    }
}
