import Foundation
package import MLOpsPostgres
package import MLOpsRPC

/// The prediction log: batches written with COPY into a staging table and
/// moved in with one INSERT … ON CONFLICT DO NOTHING, in one transaction, so
/// a batch is stored whole or not at all and a retried batch is not doubled.
/// Each UTC day is a partition; a day past retention is refused.
package struct PredictionStore: Sendable {
    package let pool: PostgresPool
    package let partitions: PredictionPartitions

    package init(pool: PostgresPool, partitions: PredictionPartitions) {
        self.pool = pool
        self.partitions = partitions
    }

    /// How far ahead of the service's clock a prediction may be stamped.
    static let allowedClockSkew: Int64 = PredictionRetention.millisecondsPerDay

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
        let now = EpochMilliseconds.now
        let horizon = partitions.retention.horizon(now: now)
        for (row, record) in batch.enumerated() {
            if record.timestamp < horizon {
                throw InvalidPredictionBatch(
                    row: row,
                    predictionID: record.predictionID,
                    reason: "timestamp \(record.timestamp) is older than the log keeps "
                        + "(\(partitions.retention.retentionDays) days: from \(Self.day(horizon)) on)"
                )
            }
            if record.timestamp > now + Self.allowedClockSkew {
                throw InvalidPredictionBatch(
                    row: row,
                    predictionID: record.predictionID,
                    reason: "timestamp \(record.timestamp) is more than a day ahead of the service's clock"
                )
            }
        }
        try await partitions.ensure(days: Set(batch.map { PredictionRetention.day(ofMilliseconds: $0.timestamp) }))
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
                    ON CONFLICT (model_name, prediction_id, timestamp) DO NOTHING
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
    /// `predictionTimestamp`, when not 0, is the prediction's own time: the
    /// label goes to that prediction only, and is refused if its day is past retention.
    package struct Label: Sendable {
        package var model: String
        package var predictionID: String
        package var label: Int32
        package var at: Int64
        package var predictionTimestamp: Int64

        package init(model: String, predictionID: String, label: Int32, at: Int64, predictionTimestamp: Int64 = 0) {
            self.model = model
            self.predictionID = predictionID
            self.label = label
            self.at = at
            self.predictionTimestamp = predictionTimestamp
        }
    }

    /// A label for a prediction whose day the log no longer keeps.
    package struct LabelPastRetention: RPCErrorConvertible, CustomStringConvertible {
        package var row: Int
        package var predictionID: String
        package var day: String
        package var retentionDays: Int

        package var description: String {
            "label \(row) (id '\(predictionID.prefix(64))'): its prediction's day, \(day), is past the log's "
                + "retention of \(retentionDays) days and was dropped; nothing was stored"
        }

        package var rpcError: RPCError { RPCError(code: .failedPrecondition, message: description) }
    }

    /// `2026-11-07`, the day a time falls on.
    private static func day(_ milliseconds: Int64) -> String {
        PredictionRetention.date(ofDay: PredictionRetention.day(ofMilliseconds: milliseconds))
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
        let horizon = partitions.retention.horizon(now: EpochMilliseconds.now)
        for (row, label) in labels.enumerated() where label.predictionTimestamp != 0 {
            guard label.predictionTimestamp >= horizon else {
                throw LabelPastRetention(
                    row: row,
                    predictionID: label.predictionID,
                    day: Self.day(label.predictionTimestamp),
                    retentionDays: partitions.retention.retentionDays
                )
            }
        }
        let models = labels.map(\.model)
        let ids = labels.map(\.predictionID)
        let values = labels.map { Int($0.label) }
        let times = labels.map(\.at)
        let predictionTimes = labels.map(\.predictionTimestamp)
        return try await pool.withTransaction { connection in
            let rows = try connection.query(
                """
                WITH input AS (
                    SELECT * FROM unnest(\(models)::text[], \(ids)::text[], \(values)::int[], \(times)::bigint[],
                                         \(predictionTimes)::bigint[])
                        AS i(model, id, label, at, predicted_at)
                ), updated AS (
                    UPDATE predictions p
                    SET label = i.label,
                        labeled_at = CASE WHEN i.at = 0 THEN now() AT TIME ZONE 'UTC'
                                          ELSE to_timestamp(i.at / 1000.0) AT TIME ZONE 'UTC' END
                    FROM input i WHERE p.model_name = i.model AND p.prediction_id = i.id
                        AND (i.predicted_at = 0 OR p.timestamp = 'epoch'::timestamp + i.predicted_at * interval '1 millisecond')
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
