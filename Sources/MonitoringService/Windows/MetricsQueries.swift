import Foundation
package import MLOpsPostgres
package import MLOpsRPC

/// Reading the windows' results: the latest per model, the recent ones (the
/// seed's `v_recent_monitoring`), the drift trend, and the data context the
/// retraining gate asks for.
package struct MetricsQueries: Sendable {
    let pool: PostgresPool

    package init(pool: PostgresPool) {
        self.pool = pool
    }

    package func latest(model: String) async throws -> MonitoringWindows.Outcome? {
        guard !model.isEmpty else { throw ServiceRefusal.invalid("the model name is empty") }
        return try await pool.withConnection { connection in
            let rows = try connection.query(
                """
                SELECT \(fragment: MetricsRecord.columns), m.summary FROM \(fragment: MetricsRecord.from)
                WHERE m.model_name = \(model) ORDER BY m.timestamp DESC, m.created_at DESC LIMIT 1
                """
            )
            guard rows.count == 1 else { return nil }
            let metrics = try MetricsRecord(rows: rows, at: 0)
            let summary = try MonitoringWindows.storedSummary(rows, row: 0, column: rows.columns.count - 1)
            return .init(metrics: metrics, summary: summary ?? WindowSummary(metrics), replayed: true)
        }
    }

    /// Newest first, from the seed's view of the last seven days; paged by (timestamp, id).
    package func recent(model: String, page: PageRequest<KeysetPageToken>) async throws -> Page<MetricsRecord> {
        try await pool.withConnection { connection in
            var query: PostgresQuery = """
                SELECT \(fragment: MetricsRecord.columns) FROM v_recent_monitoring v
                JOIN monitoring_metrics m ON m.id = v.id LEFT JOIN reference_datasets r ON r.id = m.reference_id
                WHERE (\(model) = '' OR v.model_name = \(model))
                """
            if let after = page.after {
                query.append(" AND (v.timestamp, v.id) < (\(EpochMilliseconds(after.timestamp)), \(after.id))")
            }
            query.append(" ORDER BY v.timestamp DESC, v.id DESC LIMIT \(page.fetchLimit)")
            let rows = try connection.query(query)
            let records = try (0..<rows.count).map { try MetricsRecord(rows: rows, at: $0) }
            return page.page(records) { KeysetPageToken(timestamp: $0.timestamp, id: $0.id) }
        }
    }

    package struct TrendPoint: Sendable, Equatable {
        package var timestamp: Int64
        package var featureDriftRatio: Double
        package var driftedFeatures: Int32
        package var datasetDrift: Bool
    }

    /// The seed's "recent drift trend" for one model over (since, until], newest first.
    package func trend(model: String, since: Int64, until: Int64) async throws -> [TrendPoint] {
        guard !model.isEmpty else { throw ServiceRefusal.invalid("the model name is empty") }
        let end = EpochMilliseconds.orNow(until)
        let start = since == 0 ? end - 7 * 86_400_000 : since
        guard start < end else { throw ServiceRefusal.invalid("the period (\(start), \(end)] is empty") }
        return try await pool.withConnection { connection in
            let rows = try connection.query(
                """
                SELECT (extract(epoch FROM timestamp) * 1000)::bigint, feature_drift_ratio, num_drifted_features,
                       coalesce(dataset_drift_detected, false)
                FROM monitoring_metrics
                WHERE model_name = \(model) AND timestamp > \(EpochMilliseconds(start)) AND timestamp <= \(EpochMilliseconds(end))
                ORDER BY timestamp DESC
                """
            )
            return try (0..<rows.count).map { row in
                TrendPoint(
                    timestamp: try rows.value(Int64.self, row: row, column: 0)!,
                    featureDriftRatio: try rows.value(Double.self, row: row, column: 1) ?? 0,
                    driftedFeatures: Int32(try rows.value(Int.self, row: row, column: 2) ?? 0),
                    datasetDrift: try rows.value(Bool.self, row: row, column: 3)!
                )
            }
        }
    }

    package struct DataContext: Sendable {
        package var predictions: Int64
        package var labeled: Int64
        package var windowStart: Int64
        package var windowEnd: Int64
        package var latest: MonitoringWindows.Outcome?

        package var coverage: Double { predictions == 0 ? 0 : Double(labeled) / Double(predictions) }
    }

    /// Predictions in (asOf − lookback, asOf] and how many carry labels, with the latest window's drift.
    package func dataContext(model: String, lookbackHours: Int, asOf: Int64) async throws -> DataContext {
        guard (1...MonitoringWindows.maximumLookbackHours).contains(lookbackHours) else {
            throw ServiceRefusal.invalid(
                "lookback_hours \(lookbackHours) is outside 1...\(MonitoringWindows.maximumLookbackHours)"
            )
        }
        let latest = try await latest(model: model)
        let end = EpochMilliseconds.orNow(asOf)
        let start = end - Int64(lookbackHours) * 3_600_000
        let counts = try await pool.withConnection { connection in
            let rows = try connection.query(
                """
                SELECT count(*), count(label) FROM predictions
                WHERE model_name = \(model) AND timestamp > \(EpochMilliseconds(start)) AND timestamp <= \(EpochMilliseconds(end))
                """
            )
            return (try rows.value(Int64.self, row: 0, column: 0)!, try rows.value(Int64.self, row: 0, column: 1)!)
        }
        return DataContext(predictions: counts.0, labeled: counts.1, windowStart: start, windowEnd: end, latest: latest)
    }

}
