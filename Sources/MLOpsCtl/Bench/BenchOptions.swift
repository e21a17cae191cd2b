import ArgumentParser
import Foundation
import LoadGeneration
import MLOpsRPC

/// How a benchmark loads its service: the load model, how long, how many
/// connections, and the objectives it must meet.
struct BenchOptions: ParsableArguments {
    @Option(
        help: """
            Open loop: calls a second, each started on schedule whether earlier ones were answered or not, its \
            latency counted from its scheduled start (queueing shows). FROM:TO rises (or falls) over --ramp.
            """
    )
    var rate: String?

    @Option(help: "How long a --rate FROM:TO takes to go from FROM to TO: 30s.")
    var ramp: String?

    @Option(help: "Closed loop: callers, each calling again once answered (16 unless --rate).")
    var concurrency: Int?

    @Option(help: "Clients the calls share, each with its own connections.")
    var connections = 2

    @Option(
        help:
            "How long calls are started for, after the warm-up: 10s, 2m, 500ms (the --ramp, else 10s, unless --total)."
    )
    var duration: String?

    @Option(help: "How many measured calls to start (the run ends at --duration first, if given).")
    var total: Int?

    @Option(help: "Calls made first and not measured, for this long: 2s.")
    var warmup = "0s"

    @Option(help: "Objectives the run must meet, else exit status 1: 'p99<50ms,errors<0.1%,rate>=900'.")
    var slo: String?

    @Option(
        help: """
            The service's Prometheus endpoint (http://host:9103/metrics): scraped before and after, to show the \
            server's own count, rate and latency of the calls, and its database pool's waits, beside the client's.
            """
    )
    var metrics: String?

    @Option(help: "Also write the report as one HTML file (inline SVG charts, no scripts).")
    var html: String?

    @Option(help: "Also write each second of the run as CSV: calls, errors, p50, p99 and max latency.")
    var csv: String?

    func validate() throws {
        if rate != nil, concurrency != nil {
            throw ValidationError("--rate (open loop) and --concurrency (closed loop) exclude each other")
        }
        if ramp != nil, rate?.contains(":") != true { throw ValidationError("--ramp needs --rate FROM:TO") }
        guard connections > 0, concurrency ?? 1 > 0, total ?? 1 > 0 else {
            throw ValidationError("--connections, --concurrency and --total must be positive")
        }
        _ = try plan()
        _ = try objectives()
        if let metrics, URL(string: metrics)?.scheme?.hasPrefix("http") != true {
            throw ValidationError("--metrics must be an http:// URL, not '\(metrics)'")
        }
    }

    func plan() throws -> LoadPlan {
        let model: LoadModel
        if let rate {
            let parts = rate.split(separator: ":", omittingEmptySubsequences: false).map { Double($0) }
            guard parts.count <= 2, parts.allSatisfy({ $0.map { $0 > 0 && $0.isFinite } == true }) else {
                throw ValidationError("--rate must be calls a second (500) or FROM:TO (100:2000), not '\(rate)'")
            }
            let rates = parts.compactMap { $0 }
            if rates.count == 2 {
                guard let ramp else { throw ValidationError("--rate FROM:TO needs --ramp: how long the change takes") }
                model = .ramp(from: rates[0], to: rates[1], seconds: try Self.duration(ramp, "--ramp").seconds)
            } else {
                model = .open(rate: rates[0])
            }
        } else {
            model = .closed(concurrency: concurrency ?? 16)
        }
        // With no --duration, a ramp runs its whole length; any other load 10 s, unless --total ends it.
        var length = try duration.map { try Self.duration($0, "--duration") }
        if length == nil, total == nil {
            if case .ramp(_, _, let seconds) = model {
                length = .milliseconds(Int64(seconds * 1000))
            } else {
                length = .seconds(10)
            }
        }
        return LoadPlan(model: model, duration: length, total: total, warmup: try Self.duration(warmup, "--warmup"))
    }

    func objectives() throws -> [ServiceLevelObjective] {
        do {
            return try slo.map(ServiceLevelObjective.parse) ?? []
        } catch {
            throw ValidationError("--slo: \(error)")
        }
    }

    /// `10s`, `2m`, `500ms`, or a number of seconds.
    static func duration(_ text: String, _ flag: String) throws -> Duration {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3_600)]
        let (number, scale) =
            units.first { text.hasSuffix($0.0) }.map { (text.dropLast($0.0.count), $0.1) } ?? (Substring(text), 1)
        guard let value = Double(number), value >= 0, value.isFinite else {
            throw ValidationError("\(flag) must be a duration such as 10s, 2m or 500ms, not '\(text)'")
        }
        return .milliseconds(Int64((value * scale * 1000).rounded()))
    }
}
