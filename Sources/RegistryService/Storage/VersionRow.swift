import Foundation
import MLOpsMessages
import MLOpsPostgres

/// How a model version is read: one select list, one decoder, so every read
/// returns versions the same way (tags and aliases included, unlike MLflow's
/// searches).
enum VersionRow {
    /// Columns of `model_versions v`, in the order `decode` reads them.
    static let columns = """
        v.model_name, v.version, v.creation_timestamp, v.last_updated_timestamp, v.stage, v.description,
        v.source, v.mlflow_run_id, v.run_link, v.status, v.status_message, v.created_by, v.f1_score,
        v.brier_score, coalesce((extract(epoch FROM v.promoted_at AT TIME ZONE 'UTC') * 1000)::bigint, 0),
        coalesce(v.promoted_by, ''),
        \(TagPairs.select(from: "model_version_tags", where: "t.version_id = v.id")),
        coalesce((SELECT array_agg(a.alias ORDER BY a.alias) FROM registered_model_aliases a
                  WHERE a.model_id = v.model_id AND a.version = v.version), '{}'),
        v.last_transition_id, v.model_id
        """
    static let columnCount = 20

    struct Decoded {
        var version: ModelVersion
        var lastTransitionID: Int64
        var modelID: UUID
    }

    /// The version in `row`, its columns starting at `offset`.
    static func decode(_ rows: PostgresRows, row: Int, offset: Int = 0) throws -> Decoded {
        func string(_ column: Int) -> String { rows.text(row: row, column: offset + column) ?? "" }
        func integer(_ column: Int) throws -> Int64 {
            try rows.value(Int64.self, row: row, column: offset + column) ?? 0
        }
        var version = ModelVersion()
        version.name = string(0)
        version.version = try integer(1)
        version.creationTimestamp = try integer(2)
        version.lastUpdatedTimestamp = try integer(3)
        version.currentStage = string(4)
        version.description = string(5)
        version.source = string(6)
        version.runId = string(7)
        version.runLink = string(8)
        version.status = string(9) == "READY" ? .ready : .unspecified
        version.statusMessage = string(10)
        version.createdBy = string(11)
        version.f1Score = try rows.value(Double.self, row: row, column: offset + 12)
        version.brierScore = try rows.value(Double.self, row: row, column: offset + 13)
        version.promotedAt = try integer(14)
        version.promotedBy = string(15)
        version.tags = TagPairs.dictionary(try rows.value([String].self, row: row, column: offset + 16) ?? [])
        version.aliases = try rows.value([String].self, row: row, column: offset + 17) ?? []
        return Decoded(
            version: version,
            lastTransitionID: try integer(18),
            modelID: try rows.value(UUID.self, row: row, column: offset + 19)!
        )
    }

    static func decodeAll(_ rows: PostgresRows) throws -> [ModelVersion] {
        try (0..<rows.count).map { try decode(rows, row: $0).version }
    }
}

extension PostgresQuery {
    /// `VersionRow.columns`, to interpolate as a fragment.
    static let versionColumns = PostgresQuery(stringLiteral: VersionRow.columns)
}
