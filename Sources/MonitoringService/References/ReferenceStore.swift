package import DriftEngine
package import Foundation
package import MLOpsPostgres
import MLOpsRPC

/// Reference datasets: uploads in three steps (begin, append, commit) so a
/// half-uploaded reference is never used, or a past window of the model's
/// own predictions. Committing gives the model's next version; the highest
/// is in force.
package struct ReferenceStore: Sendable {
    package let pool: PostgresPool
    let cache = ReferenceCache()

    package init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Uploads left uncommitted this long are deleted when the next one begins.
    static let abandonedAfter = "1 day"

    package func begin(model: String, schema: DatasetSchema?, by caller: String) async throws -> UUID {
        guard !model.isEmpty else { throw ServiceRefusal.invalid("the model name is empty") }
        if let schema { try Self.validate(schema) }
        let features = PostgresJSON(schema?.features ?? [])
        return try await pool.withTransaction { connection in
            try connection.query(
                """
                DELETE FROM reference_datasets
                WHERE version IS NULL AND created_at < (now() AT TIME ZONE 'UTC') - \(Self.abandonedAfter)::interval
                """
            )
            let rows = try connection.query(
                """
                INSERT INTO reference_datasets (model_name, source, schema, created_by)
                VALUES (\(model), 'upload', \(features), \(caller)) RETURNING id
                """
            )
            return try rows.value(UUID.self, row: 0, column: 0)!
        }
    }

    /// Adds rows to an open upload; returns how many it holds now.
    package func append(upload: String, rows: [ReferenceRowRecord], by caller: String) async throws -> Int64 {
        let id = try Self.uploadID(upload)
        for (index, row) in rows.enumerated() {
            if let probability = row.probability, !(probability.isFinite && (0...1).contains(probability)) {
                throw ServiceRefusal.invalid(
                    "reference row \(index): probability \(probability) is not a finite number in [0, 1]; nothing was stored"
                )
            }
        }
        let text = rows.map { row -> [String?] in
            [
                id.uuidString, FeatureJSON.object(row.numericFeatures), FeatureJSON.object(row.categoricalFeatures),
                row.probability?.description,
            ]
        }
        return try await pool.withTransaction { connection in
            _ = try Self.openUpload(id, by: caller, connection)
            try connection.copyIn(
                table: "reference_rows",
                columns: ["reference_id", "numeric_features", "categorical_features", "probability"],
                rows: text
            )
            let updated = try connection.query(
                """
                UPDATE reference_datasets SET row_count = row_count + \(rows.count)
                WHERE id = \(id) RETURNING row_count
                """
            )
            return try updated.value(Int64.self, row: 0, column: 0)!
        }
    }

    /// Makes an upload the model's reference in force, inferring its schema if none was given.
    package func commit(upload: String, by caller: String) async throws -> ReferenceRecord {
        let id = try Self.uploadID(upload)
        return try await pool.withTransaction { connection in
            let (model, schema, rowCount) = try Self.openUpload(id, by: caller, connection)
            guard rowCount > 0 else {
                throw ServiceRefusal.precondition("upload \(upload) has no rows; append some before committing")
            }
            // Read once here, so the first window after a new reference does not pay for it.
            let table = try Self.rows(of: id, connection)
            let resolved = try Self.resolved(schema, table)
            cache.keep(table, for: id)
            return try Self.publish(id, model: model, schema: resolved, connection)
        }
    }

    /// Makes the model's own predictions in (start, end] its reference.
    package func setWindow(
        model: String,
        start: Int64,
        end: Int64,
        schema: DatasetSchema?,
        by caller: String
    ) async throws -> ReferenceRecord {
        guard !model.isEmpty else { throw ServiceRefusal.invalid("the model name is empty") }
        guard start >= 0, end > start else {
            throw ServiceRefusal.invalid("the window (\(start), \(end)] is empty: its end must be after its start")
        }
        if let schema { try Self.validate(schema) }
        return try await pool.withTransaction { connection in
            let inserted = try connection.query(
                """
                INSERT INTO reference_datasets (model_name, source, created_by, window_start, window_end)
                VALUES (\(model), 'window', \(caller), \(EpochMilliseconds(start)), \(EpochMilliseconds(end)))
                RETURNING id
                """
            )
            let id = try inserted.value(UUID.self, row: 0, column: 0)!
            let copied = try connection.query(
                """
                WITH copied AS (
                    INSERT INTO reference_rows (reference_id, numeric_features, categorical_features, probability)
                    SELECT \(id), numeric_features, categorical_features, probability FROM predictions
                    WHERE model_name = \(model) AND timestamp > \(EpochMilliseconds(start)) AND timestamp <= \(EpochMilliseconds(end))
                    RETURNING 1
                )
                SELECT count(*) FROM copied
                """
            )
            let count = try copied.value(Int64.self, row: 0, column: 0)!
            guard count > 0 else {
                throw ServiceRefusal.precondition(
                    "model '\(model)' has no predictions in (\(start), \(end)]; nothing to use as a reference"
                )
            }
            try connection.query("UPDATE reference_datasets SET row_count = \(count) WHERE id = \(id)")
            let table = try Self.rows(of: id, connection)
            let resolved = try Self.resolved(schema, table)
            cache.keep(table, for: id)
            return try Self.publish(id, model: model, schema: resolved, connection)
        }
    }

    /// The model's reference in force (version 0) or the given version.
    package func get(model: String, version: Int64) async throws -> ReferenceRecord {
        guard !model.isEmpty else { throw ServiceRefusal.invalid("the model name is empty") }
        let found = try await pool.withConnection { connection in
            try Self.current(model: model, version: version, connection)
        }
        guard let found else {
            throw ServiceRefusal.notFound(
                version == 0
                    ? "model '\(model)' has no reference dataset"
                    : "model '\(model)' has no reference version \(version)"
            )
        }
        return found
    }

    /// The reference in force (version 0) or a given one, on a caller's connection.
    static func current(model: String, version: Int64, _ connection: PostgresConnection) throws -> ReferenceRecord? {
        let rows = try connection.query(
            """
            SELECT \(fragment: ReferenceRecord.columns) FROM reference_datasets
            WHERE model_name = \(model) AND version IS NOT NULL AND (\(version) = 0 OR version = \(version))
            ORDER BY version DESC LIMIT 1
            """
        )
        return rows.count == 0 ? nil : try ReferenceRecord(rows: rows, at: 0)
    }

    /// A reference's rows, by column.
    static func rows(of id: UUID, _ connection: PostgresConnection) throws -> FeatureTable {
        let rows = try connection.query(
            "SELECT numeric_features, categorical_features, probability FROM reference_rows WHERE reference_id = \(id)"
        )
        return try FeatureTableReading.table(rows, probabilityColumn: 2)
    }

    private static func publish(
        _ id: UUID,
        model: String,
        schema: DatasetSchema,
        _ connection: PostgresConnection
    ) throws -> ReferenceRecord {
        // One version at a time per model; the lock ends with the transaction.
        try connection.query("SELECT pg_advisory_xact_lock(hashtextextended('reference ' || \(model), 0))")
        let rows = try connection.query(
            """
            UPDATE reference_datasets SET
                schema = \(PostgresJSON(schema.features)),
                committed_at = now() AT TIME ZONE 'UTC',
                version = (SELECT coalesce(max(version), 0) + 1 FROM reference_datasets WHERE model_name = \(model))
            WHERE id = \(id)
            RETURNING \(fragment: ReferenceRecord.columns)
            """
        )
        return try ReferenceRecord(rows: rows, at: 0)
    }

    /// The upload's model, schema and rows so far; it must be open and the caller's.
    private static func openUpload(
        _ id: UUID,
        by caller: String,
        _ connection: PostgresConnection
    ) throws -> (String, DatasetSchema, Int64) {
        let rows = try connection.query(
            """
            SELECT model_name, schema, row_count, created_by, version FROM reference_datasets
            WHERE id = \(id) AND source = 'upload' FOR UPDATE
            """
        )
        guard rows.count == 1 else {
            throw ServiceRefusal.notFound("no reference upload \(id.uuidString.lowercased())")
        }
        guard try rows.value(Int64.self, row: 0, column: 4) == nil else {
            throw ServiceRefusal.precondition("reference upload \(id.uuidString.lowercased()) is already committed")
        }
        guard try rows.value(String.self, row: 0, column: 3) == caller else {
            throw ServiceRefusal(
                code: .permissionDenied,
                message: "reference upload \(id.uuidString.lowercased()) belongs to another caller"
            )
        }
        let features = try rows.value(PostgresJSON<[DatasetSchema.Feature]>.self, row: 0, column: 1)!.value
        return (
            try rows.value(String.self, row: 0, column: 0)!, DatasetSchema(features: features),
            try rows.value(Int64.self, row: 0, column: 2)!
        )
    }

    /// The given schema, or one inferred from the rows when none was given.
    private static func resolved(_ schema: DatasetSchema?, _ table: FeatureTable) throws -> DatasetSchema {
        if let schema, !schema.features.isEmpty { return schema }
        let inferred = DatasetSchema.inferred(from: table)
        guard !inferred.features.isEmpty else {
            throw ServiceRefusal.precondition("the reference rows have no features to infer a schema from")
        }
        return inferred
    }

    private static func validate(_ schema: DatasetSchema) throws {
        var seen = Set<String>()
        for feature in schema.features {
            guard !feature.name.isEmpty else { throw ServiceRefusal.invalid("a schema feature has no name") }
            guard seen.insert(feature.name).inserted else {
                throw ServiceRefusal.invalid("feature '\(feature.name)' appears twice in the schema")
            }
        }
    }

    private static func uploadID(_ text: String) throws -> UUID {
        guard let id = UUID(uuidString: text) else {
            throw ServiceRefusal.invalid("upload id '\(text)' is not one BeginReferenceUpload returned")
        }
        return id
    }
}
