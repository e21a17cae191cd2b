import Foundation
import LoadGeneration

/// A benchmark's report as ghz shows one (summary, latency percentiles and
/// histogram, statuses, errors over time), or as JSON with every field.
enum BenchPresentation {
    static func text(_ report: LoadReport, scenario: String, server: ServerView?) -> String {
        var lines = [
            "Summary:",
            "  Scenario:     \(scenario), \(describe(report.model))",
            "  Calls:        \(report.sent) sent, \(report.succeeded) succeeded, \(report.failed) failed, "
                + "\(report.unfinished) unfinished",
            "  Duration:     \(format(report.seconds)) s",
            "  Rate:         \(format(report.achievedRate))/s answered"
                + (report.targetRate.map { " of \(format($0))/s scheduled" } ?? ""),
            "  Fastest:      \(format(report.fastestMilliseconds)) ms",
            "  Slowest:      \(format(report.slowestMilliseconds)) ms",
            "  Mean:         \(format(report.meanMilliseconds)) ms",
            "",
            "Latency (successful calls, from each call's "
                + (report.targetRate == nil ? "start" : "scheduled start") + "):",
        ]
        for percentile in LoadReport.reportedPercentiles {
            let name = percentile == 100 ? "max" : "p\(format(percentile))"
            lines.append(
                "  \(name.padding(toLength: 6, withPad: " ", startingAt: 0)) \(format(report.milliseconds(atPercentile: percentile))) ms"
            )
        }
        let buckets = report.histogram()
        if let most = buckets.map(\.calls).max(), most > 0 {
            lines += ["", "Latency histogram:"]
            for bucket in buckets {
                let bar = String(repeating: "∎", count: Int((Double(bucket.calls) / Double(most) * 40).rounded(.up)))
                let label = "\(format(bucket.upToMilliseconds)) ms".padding(toLength: 12, withPad: " ", startingAt: 0)
                lines.append("  ≤ \(label) [\(bucket.calls)] \(bar)")
            }
        }
        lines += ["", "Status:", "  OK  \(report.succeeded)"]
        for status in report.statuses {
            lines.append("  \(status.code)  \(status.count)  (e.g. \(status.example))")
        }
        if let server {
            lines += [
                "", "Server (its own metrics, warm-up included):",
                "  Calls:        \(Int(server.calls)) (\(format(server.rate))/s)",
                "  Latency:      mean \(format(server.meanMilliseconds)) ms, p99 ≈ \(format(server.p99Milliseconds)) ms "
                    + "(from its histogram's buckets)",
                "  Pool waits:   \(Int(server.poolWaits))"
                    + (server.poolWaits > 0 ? ", mean \(format(server.poolWaitMeanMilliseconds)) ms" : ""),
            ]
        }
        let errorSeconds = report.timeline.filter { $0.errors > 0 }
        if !errorSeconds.isEmpty {
            lines += ["", "Errors over time (second: errors of calls):"]
            for second in errorSeconds { lines.append("  \(second.second): \(second.errors) of \(second.calls)") }
        }
        return lines.joined(separator: "\n")
    }

    static func json(
        _ report: LoadReport,
        scenario: String,
        objectives: [ServiceLevelObjective],
        server: ServerView?
    ) -> String {
        JSONValue.object([
            ("scenario", .string(scenario)),
            ("load", .string(describe(report.model))),
            ("seconds", .number(report.seconds)),
            ("sent", .integer(Int64(report.sent))),
            ("succeeded", .integer(Int64(report.succeeded))),
            ("failed", .integer(Int64(report.failed))),
            ("unfinished", .integer(Int64(report.unfinished))),
            ("rate_per_s", .number(report.achievedRate)),
            ("target_rate_per_s", report.targetRate.map(JSONValue.number) ?? .null),
            ("error_rate", .number(report.errorRate)),
            (
                "latency_ms",
                .object(
                    [
                        ("fastest", .number(report.fastestMilliseconds)),
                        ("mean", .number(report.meanMilliseconds)),
                        ("slowest", .number(report.slowestMilliseconds)),
                    ]
                        + LoadReport.reportedPercentiles.map {
                            ($0 == 100 ? "max" : "p\(format($0))", .number(report.milliseconds(atPercentile: $0)))
                        }
                )
            ),
            (
                "histogram",
                .array(
                    report.histogram().map {
                        .object([("up_to_ms", .number($0.upToMilliseconds)), ("calls", .integer(Int64($0.calls)))])
                    }
                )
            ),
            (
                "statuses",
                .array(
                    [JSONValue.object([("code", .string("OK")), ("count", .integer(Int64(report.succeeded)))])]
                        + report.statuses.map {
                            .object([
                                ("code", .string($0.code)), ("count", .integer(Int64($0.count))),
                                ("example", .string($0.example)),
                            ])
                        }
                )
            ),
            (
                "timeline",
                .array(
                    report.timeline.map {
                        .object([
                            ("second", .integer(Int64($0.second))), ("calls", .integer(Int64($0.calls))),
                            ("errors", .integer(Int64($0.errors))),
                        ])
                    }
                )
            ),
            (
                "server",
                server.map {
                    .object([
                        ("calls", .number($0.calls)), ("rate_per_s", .number($0.rate)),
                        ("mean_ms", .number($0.meanMilliseconds)), ("p99_ms_estimate", .number($0.p99Milliseconds)),
                        ("pool_waits", .number($0.poolWaits)),
                        ("pool_wait_mean_ms", .number($0.poolWaitMeanMilliseconds)),
                    ])
                } ?? .null
            ),
            (
                "objectives",
                .array(
                    objectives.map {
                        .object([
                            ("objective", .string($0.description)), ("met", .bool($0.isMet(by: report))),
                            ("observed", .string($0.explain(report))),
                        ])
                    }
                )
            ),
        ]).render()
    }

    /// Each second of the run (by the calls' scheduled or actual start), for a spreadsheet or a plot.
    static func csv(_ report: LoadReport) -> String {
        let rows = report.timeline.map {
            "\($0.second),\($0.calls),\($0.errors),\($0.p50Milliseconds),\($0.p99Milliseconds),\($0.maxMilliseconds)"
        }
        return (["second,calls,errors,p50_ms,p99_ms,max_ms"] + rows).joined(separator: "\n") + "\n"
    }

    static func describe(_ model: LoadModel) -> String {
        switch model {
        case .closed(let concurrency): "closed loop, \(concurrency) callers"
        case .open(let rate): "open loop, \(format(rate))/s"
        case .ramp(let from, let to, let seconds):
            "open loop, \(format(from))/s to \(format(to))/s over \(format(seconds)) s"
        }
    }

    static func format(_ value: Double) -> String {
        let decimals = value >= 100 ? 0 : value >= 10 ? 1 : 2
        var text = String(format: "%.\(decimals)f", value)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }
}
