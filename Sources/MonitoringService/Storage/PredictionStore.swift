import Foundation
package import MLOpsPostgres

/// The prediction log: batches written with COPY into a staging table and
/// moved in with one INSERT … ON CONFLICT DO NOTHING, in one transaction, so
/// a batch is stored whole or not at all and a retried batch is not doubled.
package struct PredictionStore: Sendable {
    package let pool: PostgresPool

    package init(pool: PostgresPool) {
        self.pool = pool
    }

    package struct Logged: Sendable, Equatable {
        package var accepted: Int
        package var duplicates: Int

        package init(accepted: Int, duplicates: Int) {
            self.accepted = accepted
            self.duplicates = duplicates
        }
    }

    package func log(_ batch: [PredictionRecord]) async throws -> Logged {
        try PredictionRecord.validate(batch)
        guard !batch.isEmpty else { return Logged(accepted: 0, duplicates: 0) }
        let rows = batch.map { record -> [String?] in
            [
                record.modelName, record.predictionID, String(record.modelVersion),
                EpochMilliseconds(record.timestamp).postgresText, FeatureJSON.object(record.numericFeatures),
                FeatureJSON.object(record.categoricalFeatures), record.probability.description,
                String(record.predictedLabel),
            ]
        }
        let accepted = try await pool.withTransaction { connection in
            try connection.query(
                """
                CREATE TEMP TABLE IF NOT EXISTS staged_predictions
                    (LIKE predictions INCLUDING DEFAULTS) ON COMMIT DELETE ROWS
                """
            )
            try connection.copyIn(
                table: "staged_predictions",
                columns: [
                    "model_name", "prediction_id", "model_version", "timestamp", "numeric_features",
                    "categorical_features", "probability", "predicted_label",
                ],
                rows: rows
            )
            let inserted = try connection.query(
                """
                WITH moved AS (
                    INSERT INTO predictions (model_name, prediction_id, model_version, timestamp, numeric_features,
                                             categorical_features, probability, predicted_label)
                    SELECT model_name, prediction_id, model_version, timestamp, numeric_features,
                           categorical_features, probability, predicted_label
                    FROM staged_predictions
                    ON CONFLICT (model_name, prediction_id) DO NOTHING
                    RETURNING 1
                )
                SELECT count(*) FROM moved
                """
            )
            return try inserted.value(Int.self, row: 0, column: 0) ?? 0
        }
        return Logged(accepted: accepted, duplicates: batch.count - accepted)
    }

    package struct Labelled: Sendable, Equatable {
        package var updated: Int
        package var unknown: Int
        /// The first 100 ids that matched no prediction.
        package var unknownIDs: [String]

        package init(updated: Int, unknown: Int, unknownIDs: [String]) {
            self.updated = updated
            self.unknown = unknown
            self.unknownIDs = unknownIDs
        }
    }

    /// A label of one model's prediction; `at` 0 means when it arrived.
    package struct Label: Sendable {
        package var model: String
        package var predictionID: String
        package var label: Int32
        package var at: Int64

        package init(model: String, predictionID: String, label: Int32, at: Int64) {
            self.model = model
            self.predictionID = predictionID
            self.label = label
            self.at = at
        }
    }

    /// Labels each named model's prediction. Unknown ids are counted, not an error.
    package func label(_ labels: [Label]) async throws -> Labelled {
        for (row, label) in labels.enumerated() {
            let problem =
                PredictionRecord.problem(model: label.model, predictionID: label.predictionID)
                ?? (label.label == 0 || label.label == 1 ? nil : "label \(label.label) is not 0 or 1")
            if let problem {
                throw InvalidPredictionBatch(row: row, predictionID: label.predictionID, reason: problem)
            }
        }
        let models = labels.map(\.model)
        let ids = labels.map(\.predictionID)
        let values = labels.map { Int($0.label) }
        let times = labels.map(\.at)
        return try await pool.withTransaction { connection in
            let rows = try connection.query(
                """
                WITH input AS (
                    SELECT * FROM unnest(\(models)::text[], \(ids)::text[], \(values)::int[], \(times)::bigint[])
                        AS i(model, id, label, at)
                ), updated AS (
                    UPDATE predictions p
                    SET label = i.label,
                        labeled_at = CASE WHEN i.at = 0 THEN now() AT TIME ZONE 'UTC'
                                          ELSE to_timestamp(i.at / 1000.0) AT TIME ZONE 'UTC' END
                    FROM input i WHERE p.model_name = i.model AND p.prediction_id = i.id
                    RETURNING p.model_name, p.prediction_id
                ), unknown AS (
                    SELECT i.id FROM input i WHERE NOT EXISTS (
                        SELECT 1 FROM updated u WHERE u.model_name = i.model AND u.prediction_id = i.id
                    )
                )
                SELECT (SELECT count(*) FROM updated), (SELECT count(*) FROM unknown),
                       coalesce((SELECT array_agg(id) FROM (SELECT id FROM unknown LIMIT 100) AS first), '{}')
                """
            )
            return Labelled(
                updated: try rows.value(Int.self, row: 0, column: 0) ?? 0,
                unknown: try rows.value(Int.self, row: 0, column: 1) ?? 0,
                unknownIDs: try rows.value([String].self, row: 0, column: 2) ?? []
            )
        }
    }
}
