package import Foundation
import MLOpsPostgres

/// One `monitoring_metrics` row, with its reference's version.
package struct MetricsRecord: Sendable, Equatable {
    package var id: UUID
    /// The window's end, in milliseconds since the epoch.
    package var timestamp: Int64
    package var modelName: String
    package var lookbackHours: Int32
    package var predictions: Int64
    package var positiveRate: Double?
    package var probabilityMean: Double?
    package var probabilityStd: Double?
    package var entropy: Double?
    package var datasetDrift: Bool
    package var featureDriftRatio: Double
    package var driftedFeatures: Int32
    package var summaryRef: String
    package var reportRef: String
    package var referenceVersion: Int64
    package var labeled: Int64
    package var reason: String
    package var createdAt: Int64
    package var revision: Int32
    package var computedBy: String

    /// The columns `init(rows:at:)` reads, from `monitoring_metrics m LEFT JOIN reference_datasets r`.
    static let columns: PostgresQuery = """
        m.id, (extract(epoch FROM m.timestamp) * 1000)::bigint, m.model_name, m.lookback_hours, m.num_predictions,
        m.positive_rate, m.probability_mean, m.probability_std, m.entropy, coalesce(m.dataset_drift_detected, false),
        coalesce(m.feature_drift_ratio, 0), coalesce(m.num_drifted_features, 0), coalesce(m.drift_summary_ref, ''),
        coalesce(m.drift_report_ref, ''), coalesce(r.version, 0), coalesce(m.labeled_predictions, 0),
        coalesce(m.reason, ''), coalesce((extract(epoch FROM m.created_at) * 1000)::bigint, 0), m.revision,
        coalesce(m.computed_by, '')
        """
    static let from: PostgresQuery = "monitoring_metrics m LEFT JOIN reference_datasets r ON r.id = m.reference_id"

    init(rows: PostgresRows, at row: Int) throws {
        id = try rows.value(UUID.self, row: row, column: 0)!
        timestamp = try rows.value(Int64.self, row: row, column: 1)!
        modelName = try rows.value(String.self, row: row, column: 2)!
        lookbackHours = Int32(try rows.value(Int.self, row: row, column: 3)!)
        predictions = try rows.value(Int64.self, row: row, column: 4)!
        positiveRate = try rows.value(Double.self, row: row, column: 5)
        probabilityMean = try rows.value(Double.self, row: row, column: 6)
        probabilityStd = try rows.value(Double.self, row: row, column: 7)
        entropy = try rows.value(Double.self, row: row, column: 8)
        datasetDrift = try rows.value(Bool.self, row: row, column: 9)!
        featureDriftRatio = try rows.value(Double.self, row: row, column: 10)!
        driftedFeatures = Int32(try rows.value(Int.self, row: row, column: 11)!)
        summaryRef = try rows.value(String.self, row: row, column: 12)!
        reportRef = try rows.value(String.self, row: row, column: 13)!
        referenceVersion = try rows.value(Int64.self, row: row, column: 14)!
        labeled = try rows.value(Int64.self, row: row, column: 15)!
        reason = try rows.value(String.self, row: row, column: 16)!
        createdAt = try rows.value(Int64.self, row: row, column: 17)!
        revision = Int32(try rows.value(Int.self, row: row, column: 18)!)
        computedBy = try rows.value(String.self, row: row, column: 19)!
    }

    package var labelCoverage: Double { predictions == 0 ? 0 : Double(labeled) / Double(predictions) }
}
