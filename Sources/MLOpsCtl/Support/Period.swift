import ArgumentParser
import Foundation

/// Milliseconds since the epoch from a number of milliseconds or an ISO 8601 time.
func parseTime(_ text: String, _ what: String) throws -> Int64 {
    if let milliseconds = Int64(text) { return milliseconds }
    if let date = try? Date(text, strategy: .iso8601) { return Int64(date.timeIntervalSince1970 * 1000) }
    throw ValidationError("\(what) '\(text)' is neither milliseconds since the epoch nor an ISO 8601 time")
}

/// `--since` / `--until` as milliseconds since the epoch; 0 leaves that side open.
struct Period: ParsableArguments {
    @Option(help: "Start (exclusive): milliseconds or ISO 8601.") var since: String?
    @Option(help: "End (inclusive): milliseconds or ISO 8601.") var until: String?

    var start: Int64 { get throws { try since.map { try parseTime($0, "--since") } ?? 0 } }
    var end: Int64 { get throws { try until.map { try parseTime($0, "--until") } ?? 0 } }
}
