/// What a closed-loop load measured: answered calls, their latencies' p50
/// and p99, and the calls that failed (with the last failure).
public struct LoadResult: Sendable {
    public var calls: Int
    public var seconds: Double
    public var p50Milliseconds: Double
    public var p99Milliseconds: Double
    public var errors: Int
    public var lastError: String?

    public var callsPerSecond: Double { Double(calls) / seconds }

    /// The `p` quantile (0...1) of sorted values, 0 when there are none.
    public static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
    }
}
