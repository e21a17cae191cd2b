import DriftEngine
import MLOpsPostgres

/// Rows of (numeric_features, categorical_features, probability, …) read into columns.
enum FeatureTableReading {
    static func table(_ rows: PostgresRows, probabilityColumn: Int) throws -> FeatureTable {
        var table = FeatureTable()
        var numeric = FeatureJSONReader()
        var categorical = FeatureJSONReader()
        for row in 0..<rows.count {
            try rows.withUnsafeText(row: row, column: 0) { try numeric.read($0, into: &table) }
            try rows.withUnsafeText(row: row, column: 1) { try categorical.read($0, into: &table) }
            table.endRow(probability: try rows.value(Double.self, row: row, column: probabilityColumn))
        }
        return table
    }
}
