import Foundation
import LoadGeneration

/// How a load test's result is shown: a table by default, JSON with `--json`.
enum LoadPresentation {
    static func print(_ load: LoadResult, callers: Int, json: Bool) {
        if json {
            Swift.print(
                JSONValue.object([
                    ("callers", .integer(Int64(callers))), ("calls", .integer(Int64(load.calls))),
                    ("calls_per_s", .number(load.callsPerSecond)), ("p50_ms", .number(load.p50Milliseconds)),
                    ("p99_ms", .number(load.p99Milliseconds)), ("errors", .integer(Int64(load.errors))),
                    ("last_error", load.lastError.map(JSONValue.string) ?? .null),
                ]).render()
            )
            return
        }
        var table = Table("CALLERS", "CALLS", "CALLS/S", "P50 MS", "P99 MS", "FAILED")
        table.add(
            String(callers),
            String(load.calls),
            String(format: "%.0f", load.callsPerSecond),
            String(format: "%.2f", load.p50Milliseconds),
            String(format: "%.2f", load.p99Milliseconds),
            String(load.errors)
        )
        Swift.print(table.render())
        if let error = load.lastError { Swift.print("last failure: \(error)") }
    }
}
