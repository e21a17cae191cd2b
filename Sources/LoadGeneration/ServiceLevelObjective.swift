import Foundation

/// One objective a load test must meet, as `--slo` spells it:
/// `p99<50ms`, `p99.9<=1s`, `max<2s`, `mean<10ms`, `errors<0.1%`,
/// `errors<=5` (a count), `rate>=900` (answered calls a second).
public struct ServiceLevelObjective: Sendable, Equatable, CustomStringConvertible {
    public enum Measure: Sendable, Equatable {
        /// Latency at a percentile (100: the slowest), in milliseconds.
        case latency(percentile: Double)
        case meanLatency
        /// Failed calls as a share of those answered (0...1).
        case errorShare
        case errorCount
        /// Answered calls a second.
        case rate
    }

    public enum Comparison: String, Sendable, CaseIterable {
        // Two-character operators first, so `<=` is not read as `<`.
        case atMost = "<=", atLeast = ">=", below = "<", above = ">"
    }

    public var measure: Measure
    public var comparison: Comparison
    /// Milliseconds, a share, a count or a rate, as `measure` says.
    public var threshold: Double
    /// As written.
    public var description: String

    /// The objectives of a comma-separated list.
    /// - Throws: `ObjectiveError` naming the objective that does not read.
    public static func parse(_ list: String) throws(ObjectiveError) -> [ServiceLevelObjective] {
        try list.split(separator: ",").map { part throws(ObjectiveError) in
            try parseOne(part.trimmingCharacters(in: .whitespaces))
        }
    }

    private static func parseOne(_ text: String) throws(ObjectiveError) -> ServiceLevelObjective {
        let explain = ObjectiveError(
            "'\(text)' is not an objective: write p50|p90|p95|p99|p99.9|max|mean <|<=|>|>= a latency (50ms, 1s, "
                + "500us), errors < a share (0.1%) or a count, or rate >= calls a second"
        )
        guard let comparison = Comparison.allCases.first(where: { text.contains($0.rawValue) }),
            let operatorRange = text.range(of: comparison.rawValue)
        else { throw explain }
        let name = text[..<operatorRange.lowerBound].trimmingCharacters(in: .whitespaces).lowercased()
        let value = text[operatorRange.upperBound...].trimmingCharacters(in: .whitespaces).lowercased()
        let measure: Measure
        let threshold: Double
        switch name {
        case "errors":
            if value.hasSuffix("%") {
                guard let share = Double(value.dropLast()), share >= 0 else { throw explain }
                (measure, threshold) = (.errorShare, share / 100)
            } else {
                guard let count = Double(value), count >= 0 else { throw explain }
                (measure, threshold) = (.errorCount, count)
            }
        case "rate":
            guard let rate = Double(value), rate >= 0 else { throw explain }
            (measure, threshold) = (.rate, rate)
        case "mean":
            guard let milliseconds = Self.milliseconds(value) else { throw explain }
            (measure, threshold) = (.meanLatency, milliseconds)
        case "max":
            guard let milliseconds = Self.milliseconds(value) else { throw explain }
            (measure, threshold) = (.latency(percentile: 100), milliseconds)
        default:
            guard name.hasPrefix("p"), let percentile = Double(name.dropFirst()), percentile > 0, percentile <= 100,
                let milliseconds = Self.milliseconds(value)
            else { throw explain }
            (measure, threshold) = (.latency(percentile: percentile), milliseconds)
        }
        return ServiceLevelObjective(measure: measure, comparison: comparison, threshold: threshold, description: text)
    }

    /// `50ms`, `1.5s`, `500us` in milliseconds.
    private static func milliseconds(_ text: String) -> Double? {
        for (unit, scale) in [("ms", 1.0), ("us", 0.001), ("µs", 0.001), ("s", 1000.0)] where text.hasSuffix(unit) {
            guard let number = Double(text.dropLast(unit.count)), number >= 0 else { return nil }
            return number * scale
        }
        return nil
    }

    /// What the report shows for this objective's measure.
    public func observed(in report: LoadReport) -> Double {
        switch measure {
        case .latency(let percentile): report.milliseconds(atPercentile: percentile)
        case .meanLatency: report.meanMilliseconds
        case .errorShare: report.errorRate
        case .errorCount: Double(report.failed)
        case .rate: report.achievedRate
        }
    }

    public func isMet(by report: LoadReport) -> Bool {
        let value = observed(in: report)
        switch comparison {
        case .below: return value < threshold
        case .atMost: return value <= threshold
        case .above: return value > threshold
        case .atLeast: return value >= threshold
        }
    }

    /// The observed value in the objective's own terms: `p99 = 63.2ms`.
    public func explain(_ report: LoadReport) -> String {
        let value = observed(in: report)
        let name = description.prefix { !"<>=".contains($0) }.trimmingCharacters(in: .whitespaces)
        switch measure {
        case .latency, .meanLatency: return "\(name) = \(Self.format(value))ms"
        case .errorShare: return "errors = \(Self.format(value * 100))%"
        case .errorCount: return "errors = \(Int(value))"
        case .rate: return "rate = \(Self.format(value))/s"
        }
    }

    /// Three significant digits or so, without trailing zeros: 99, 12.5, 0.731.
    private static func format(_ value: Double) -> String {
        let decimals = value >= 100 ? 0 : value >= 10 ? 1 : value >= 1 ? 2 : 3
        var text = String(format: "%.\(decimals)f", value)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }
}

/// An `--slo` that does not read.
public struct ObjectiveError: Error, CustomStringConvertible {
    public var description: String

    init(_ description: String) {
        self.description = description
    }
}
