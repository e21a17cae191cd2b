/// What a closed-loop load measured: answered calls, their latencies' p50
/// and p99, and the calls that failed (with the last failure).
package struct LoadResult: Sendable {
    package var calls: Int
    package var seconds: Double
    package var p50Milliseconds: Double
    package var p99Milliseconds: Double
    package var errors: Int
    package var lastError: String?

    package var callsPerSecond: Double { Double(calls) / seconds }
}
