package import DriftEngine
package import Foundation

/// Everything a window found: the JSON summary artifact, and what replays
/// and reads answer from (stored with the metrics row).
package struct WindowSummary: Sendable, Equatable, Codable {
    package struct Reference: Sendable, Equatable, Codable {
        package var id: UUID
        package var version: Int64
    }

    package var model: String
    /// (windowStart, windowEnd] in milliseconds since the epoch.
    package var windowStart: Int64
    package var windowEnd: Int64
    package var lookbackHours: Int
    package var reference: Reference?
    package var predictions: Int
    package var labeled: Int
    package var statistics: PredictionStatistics?
    package var datasetDrift: Bool
    package var featureDriftRatio: Double
    package var driftedFeatures: Int
    package var testedFeatures: Int
    /// Most drifted first.
    package var features: [ColumnDrift]
    package var prediction: ColumnDrift?
    package var unknownFeatures: [String]
    /// Why there is no verdict: an empty window, no reference, nothing testable.
    package var reason: String?
    /// Set when the window was larger than its budget: numeric columns with
    /// more values were tested on a uniform sample of this many
    /// (`ColumnDrift.currentPopulation` gives the window's count).
    package var sampleLimit: Int?

    package var labelCoverage: Double { predictions == 0 ? 0 : Double(labeled) / Double(predictions) }

    /// JSON has no infinity (a chi-square over a new category is ∞), so non-finite numbers are strings.
    package static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity",
            negativeInfinity: "-Infinity",
            nan: "NaN"
        )
        return encoder
    }()

    package static func decode(_ data: Data) throws -> WindowSummary {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "Infinity",
            negativeInfinity: "-Infinity",
            nan: "NaN"
        )
        return try decoder.decode(WindowSummary.self, from: data)
    }
}

extension WindowSummary {
    /// What a metrics row alone says, for rows stored without a summary.
    init(_ metrics: MetricsRecord) {
        let statistics: PredictionStatistics? =
            metrics.positiveRate.map { positiveRate in
                PredictionStatistics(
                    count: Int(metrics.predictions),
                    positiveRate: positiveRate,
                    mean: metrics.probabilityMean ?? 0,
                    standardDeviation: metrics.probabilityStd ?? 0,
                    entropy: metrics.entropy ?? 0
                )
            }
        self.init(
            model: metrics.modelName,
            windowStart: metrics.timestamp - Int64(metrics.lookbackHours) * 3_600_000,
            windowEnd: metrics.timestamp,
            lookbackHours: Int(metrics.lookbackHours),
            reference: nil,
            predictions: Int(metrics.predictions),
            labeled: Int(metrics.labeled),
            statistics: statistics,
            datasetDrift: metrics.datasetDrift,
            featureDriftRatio: metrics.featureDriftRatio,
            driftedFeatures: Int(metrics.driftedFeatures),
            testedFeatures: 0,
            features: [],
            prediction: nil,
            unknownFeatures: [],
            reason: metrics.reason.isEmpty ? nil : metrics.reason
        )
    }
}

extension ColumnDrift {
    /// How far past its threshold a column is, comparable across tests:
    /// a distance over its threshold, or for p-value tests the p-value's
    /// order of magnitude over the threshold's. 1 is the boundary.
    package var driftStrength: Double {
        guard skipped == nil, let method else { return -1 }
        guard method.givesPValue else { return threshold > 0 ? score / threshold : score }
        let p = max(score, Double.leastNormalMagnitude)
        return log10(p) / log10(max(min(threshold, 0.999_999), Double.leastNormalMagnitude))
    }

    /// Drifted columns first, then by strength; skipped ones last.
    package static func byDrift(_ a: ColumnDrift, _ b: ColumnDrift) -> Bool {
        if a.drifted != b.drifted { return a.drifted }
        if a.driftStrength != b.driftStrength { return a.driftStrength > b.driftStrength }
        return a.feature < b.feature
    }
}
