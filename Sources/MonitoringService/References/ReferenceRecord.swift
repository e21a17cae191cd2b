package import DriftEngine
package import Foundation
import MLOpsPostgres

/// A reference dataset as stored: which version, where its rows came from,
/// and how its features are tested.
package struct ReferenceRecord: Sendable, Equatable {
    package enum Source: String, Sendable {
        case upload, window
    }

    package var id: UUID
    package var modelName: String
    package var version: Int64
    package var source: Source
    package var schema: DatasetSchema
    package var rowCount: Int64
    /// Milliseconds since the epoch; 0 for uploads.
    package var windowStart: Int64
    package var windowEnd: Int64
    package var createdAt: Int64
    package var createdBy: String

    /// The columns `init(rows:at:)` reads, in its order.
    static let columns: PostgresQuery = """
        id, model_name, version, source, schema, row_count,
        coalesce((extract(epoch FROM window_start) * 1000)::bigint, 0),
        coalesce((extract(epoch FROM window_end) * 1000)::bigint, 0),
        (extract(epoch FROM created_at) * 1000)::bigint, created_by
        """

    init(rows: PostgresRows, at row: Int) throws {
        id = try rows.value(UUID.self, row: row, column: 0)!
        modelName = try rows.value(String.self, row: row, column: 1)!
        version = try rows.value(Int64.self, row: row, column: 2) ?? 0
        source = Source(rawValue: try rows.value(String.self, row: row, column: 3)!) ?? .upload
        schema = DatasetSchema(
            features: try rows.value(PostgresJSON<[DatasetSchema.Feature]>.self, row: row, column: 4)!.value
        )
        rowCount = try rows.value(Int64.self, row: row, column: 5)!
        windowStart = try rows.value(Int64.self, row: row, column: 6)!
        windowEnd = try rows.value(Int64.self, row: row, column: 7)!
        createdAt = try rows.value(Int64.self, row: row, column: 8)!
        createdBy = try rows.value(String.self, row: row, column: 9)!
    }
}

/// One uploaded reference row.
package struct ReferenceRowRecord: Sendable {
    package var numericFeatures: [String: Double]
    package var categoricalFeatures: [String: String]
    package var probability: Double?

    package init(numericFeatures: [String: Double], categoricalFeatures: [String: String], probability: Double?) {
        self.numericFeatures = numericFeatures
        self.categoricalFeatures = categoricalFeatures
        self.probability = probability
    }
}
