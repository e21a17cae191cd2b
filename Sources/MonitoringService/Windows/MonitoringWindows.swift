package import DriftEngine
import Foundation
package import Logging
package import MLOpsPostgres
import MLOpsRPC

/// Runs monitoring windows: reads the window's predictions and the
/// reference in force, computes drift and statistics, leaves the JSON
/// summary and HTML report, and writes exactly one `monitoring_metrics`
/// row per window: (model, end, lookback). A window is computed under a
/// transaction lock on that key, so replicas (and retries) racing for it run
/// it once and the others replay the stored row. Asked to, it computes a
/// window again and replaces the row, whose revision counts the times and
/// names who asked last (earlier revisions' artifacts stay on disk).
package struct MonitoringWindows: Sendable {
    let pool: PostgresPool
    let references: ReferenceStore
    let artifacts: ArtifactStore
    let defaultOptions: DriftOptions
    let logger: Logger

    package init(
        pool: PostgresPool,
        references: ReferenceStore,
        artifacts: ArtifactStore,
        defaultOptions: DriftOptions,
        logger: Logger
    ) {
        self.pool = pool
        self.references = references
        self.artifacts = artifacts
        self.defaultOptions = defaultOptions
        self.logger = logger
    }

    package struct Outcome: Sendable {
        package var metrics: MetricsRecord
        package var summary: WindowSummary
        /// The window had run before; this is its stored result.
        package var replayed: Bool
    }

    package static let maximumLookbackHours = 24 * 366

    /// Runs (or replays, unless `recompute`) the window (asOf − lookback,
    /// asOf]; `asOf` 0 means now. `caller` is recorded with the result.
    package func run(
        model: String,
        lookbackHours: Int,
        asOf: Int64,
        options: DriftOptions?,
        recompute: Bool = false,
        caller: String
    ) async throws -> Outcome {
        guard !model.isEmpty else { throw ServiceRefusal.invalid("the model name is empty") }
        guard (1...Self.maximumLookbackHours).contains(lookbackHours) else {
            throw ServiceRefusal.invalid(
                "lookback_hours \(lookbackHours) is outside 1...\(Self.maximumLookbackHours)"
            )
        }
        guard asOf >= 0 else { throw ServiceRefusal.invalid("as_of \(asOf) is before 1970") }
        let end = EpochMilliseconds.orNow(asOf)
        let start = end - Int64(lookbackHours) * 3_600_000
        let options = options ?? defaultOptions
        let started = ContinuousClock.now
        let outcome = try await pool.withTransaction { connection in
            try connection.query(
                """
                SELECT pg_advisory_xact_lock(
                    hashtextextended('window ' || \(model) || ' ' || \(end) || ' ' || \(lookbackHours), 0))
                """
            )
            if !recompute,
                let stored = try Self.stored(model: model, end: end, lookbackHours: lookbackHours, connection)
            {
                return stored
            }
            return try compute(
                model: model,
                start: start,
                end: end,
                lookbackHours: lookbackHours,
                options,
                caller: caller,
                connection
            )
        }
        if !outcome.replayed {
            logger.info(
                "window analysed",
                metadata: [
                    "model": "\(model)", "window_end": "\(end)", "predictions": "\(outcome.summary.predictions)",
                    "dataset_drift": "\(outcome.summary.datasetDrift)",
                    "drift_ratio": "\(outcome.summary.featureDriftRatio)",
                    "seconds": "\(Self.seconds(since: started))",
                ]
            )
        }
        return outcome
    }

    private func compute(
        model: String,
        start: Int64,
        end: Int64,
        lookbackHours: Int,
        _ options: DriftOptions,
        caller: String,
        _ connection: PostgresConnection
    ) throws -> Outcome {
        let reference = try ReferenceStore.current(model: model, version: 0, connection)
        let referenceTable = try reference.map { reference in
            try references.cache.table(reference.id) { try ReferenceStore.rows(of: reference.id, connection) }
        }
        let window = try connection.query(
            """
            SELECT numeric_features, categorical_features, probability, label IS NOT NULL FROM predictions
            WHERE model_name = \(model) AND timestamp > \(EpochMilliseconds(start)) AND timestamp <= \(EpochMilliseconds(end))
            """
        )
        let current = try FeatureTableReading.table(window, probabilityColumn: 2)
        var labeled = 0
        for row in 0..<window.count {
            if try window.value(Bool.self, row: row, column: 3) == true { labeled += 1 }
        }

        var summary = WindowSummary(
            model: model,
            windowStart: start,
            windowEnd: end,
            lookbackHours: lookbackHours,
            reference: reference.map { .init(id: $0.id, version: $0.version) },
            predictions: current.rowCount,
            labeled: labeled,
            statistics: PredictionStatistics(probabilities: current.probabilities),
            datasetDrift: false,
            featureDriftRatio: 0,
            driftedFeatures: 0,
            testedFeatures: 0,
            features: [],
            prediction: nil,
            unknownFeatures: [],
            reason: nil
        )
        if current.rowCount == 0 {
            summary.reason = "no predictions in the window"
        } else if let reference, let referenceTable {
            let drift = WindowDrift(
                reference: referenceTable,
                schema: reference.schema,
                current: current,
                options: options
            )
            summary.datasetDrift = drift.dataset.datasetDrift
            summary.featureDriftRatio = drift.dataset.featureDriftRatio
            summary.driftedFeatures = drift.dataset.driftedCount
            summary.testedFeatures = drift.dataset.testedCount
            summary.features = drift.dataset.columns.sorted(by: ColumnDrift.byDrift)
            summary.prediction = drift.prediction
            summary.unknownFeatures = drift.unknownFeatures
            summary.reason = drift.dataset.reason
        } else {
            summary.reason = "model '\(model)' has no reference dataset"
        }

        let json = try WindowSummary.encoder.encode(summary)
        let page = DriftReportPage.html(summary, schema: reference?.schema, reference: referenceTable, current: current)
        let refs = try artifacts.write(model: model, windowEnd: end, summary: json, report: page)
        do {
            let statistics = summary.statistics
            let rows = try connection.query(
                """
                WITH m AS (
                    INSERT INTO monitoring_metrics (
                        timestamp, model_name, lookback_hours, num_predictions, positive_rate, probability_mean,
                        probability_std, entropy, dataset_drift_detected, feature_drift_ratio, num_drifted_features,
                        drift_summary_ref, drift_report_ref, reference_id, labeled_predictions, reason, summary,
                        computed_by)
                    VALUES (
                        \(EpochMilliseconds(end)), \(model), \(lookbackHours), \(summary.predictions),
                        \(statistics?.positiveRate), \(statistics?.mean), \(statistics?.standardDeviation),
                        \(statistics?.entropy), \(summary.datasetDrift), \(summary.featureDriftRatio),
                        \(summary.driftedFeatures), \(refs.summary), \(refs.report), \(reference?.id), \(labeled),
                        \(summary.reason), \(String(decoding: json, as: UTF8.self))::jsonb, \(caller))
                    -- A recompute replaces the window's result; created_at stays the first computation's.
                    ON CONFLICT ON CONSTRAINT monitoring_metrics_window DO UPDATE SET
                        num_predictions = excluded.num_predictions, positive_rate = excluded.positive_rate,
                        probability_mean = excluded.probability_mean, probability_std = excluded.probability_std,
                        entropy = excluded.entropy, dataset_drift_detected = excluded.dataset_drift_detected,
                        feature_drift_ratio = excluded.feature_drift_ratio,
                        num_drifted_features = excluded.num_drifted_features,
                        drift_summary_ref = excluded.drift_summary_ref, drift_report_ref = excluded.drift_report_ref,
                        reference_id = excluded.reference_id, labeled_predictions = excluded.labeled_predictions,
                        reason = excluded.reason, summary = excluded.summary, computed_by = excluded.computed_by,
                        revision = monitoring_metrics.revision + 1,
                        recomputed_at = now() AT TIME ZONE 'UTC'
                    RETURNING *
                )
                SELECT \(fragment: MetricsRecord.columns) FROM m LEFT JOIN reference_datasets r ON r.id = m.reference_id
                """
            )
            return Outcome(metrics: try MetricsRecord(rows: rows, at: 0), summary: summary, replayed: false)
        } catch {
            artifacts.remove(refs)
            throw error
        }
    }

    private static func seconds(since start: ContinuousClock.Instant) -> String {
        let elapsed = (ContinuousClock.now - start).components
        return String(format: "%.3f", Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18)
    }

    /// The window's stored row and summary, if it has run.
    static func stored(
        model: String,
        end: Int64,
        lookbackHours: Int,
        _ connection: PostgresConnection
    ) throws -> Outcome? {
        let rows = try connection.query(
            """
            SELECT \(fragment: MetricsRecord.columns), m.summary FROM \(fragment: MetricsRecord.from)
            WHERE m.model_name = \(model) AND m.timestamp = \(EpochMilliseconds(end))
                AND m.lookback_hours = \(lookbackHours)
            """
        )
        guard rows.count == 1 else { return nil }
        let metrics = try MetricsRecord(rows: rows, at: 0)
        return Outcome(
            metrics: metrics,
            summary: try storedSummary(rows, row: 0, column: rows.columns.count - 1) ?? WindowSummary(metrics),
            replayed: true
        )
    }

    /// nil for rows written without one (the seed's own inserts).
    static func storedSummary(_ rows: PostgresRows, row: Int, column: Int) throws -> WindowSummary? {
        try rows.text(row: row, column: column).map { try WindowSummary.decode(Data($0.utf8)) }
    }
}
