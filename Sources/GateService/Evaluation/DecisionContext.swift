/// What monitoring said about the model's latest window, or why nothing.
package struct DriftContextFacts: Sendable, Equatable, Codable {
    package var available: Bool
    package var reason: String?
    package var featureDriftRatio: Double = 0
    package var driftedFeatureCount: Int = 0
    package var datasetDrift = false
    package var driftedFeatures: [String] = []
    /// The window's end, milliseconds since the epoch.
    package var windowTimestamp: Int64 = 0

    package static func unavailable(_ reason: String) -> Self { Self(available: false, reason: reason) }
}

/// Predictions in the monitoring window and how many carry labels, or why nothing.
package struct DataContextFacts: Sendable, Equatable, Codable {
    package var available: Bool
    package var reason: String?
    package var predictions: Int64 = 0
    package var labeled: Int64 = 0
    package var coveragePct: Double = 0

    package static func unavailable(_ reason: String) -> Self { Self(available: false, reason: reason) }
}
