import GateService
import Logging
import MLOpsPostgres
import MLOpsTestSupport
import MonitoringService
import Testing

@Suite("The seed's tables and views, owned by their services", .temporaryPostgres)
struct SeedSchemaTests {
    private func pool() throws -> PostgresPool {
        PostgresPool(configuration: try #require(TestDatabase.current).configuration, logger: Logger(label: "test"))
    }

    @Test func monitoringMetricsKeepTheSeedColumnsAndOneRowPerWindow() async throws {
        let pool = try pool()
        defer { pool.close() }
        #expect(try await MonitoringMigrations.migrator.migrate(pool) == [1, 2, 3, 4, 5, 6])
        #expect(try await MonitoringMigrations.migrator.migrate(pool) == [])
        try await pool.withConnection { connection in
            // The seed's insert, as its monitoring job wrote it, plus the model.
            try connection.query(
                """
                INSERT INTO monitoring_metrics (timestamp, lookback_hours, num_predictions, positive_rate,
                    probability_mean, probability_std, entropy, dataset_drift_detected, feature_drift_ratio,
                    num_drifted_features, drift_summary_ref, drift_report_ref, model_name)
                VALUES (now() AT TIME ZONE 'UTC', 24, 3529, 0.31, 0.42, 0.2, 0.9, false, 0.5, 4, 'a.json', 'a.html',
                        \("credit-risk-model"))
                """
            )
            let recent = try connection.query("SELECT num_predictions, feature_drift_ratio FROM v_recent_monitoring")
            #expect(try recent.value(Int.self, row: 0, column: 0) == 3529)
            #expect(try recent.value(Double.self, row: 0, column: 1) == 0.5)
            let again = #expect(throws: PostgresError.self) {
                try connection.query(
                    """
                    INSERT INTO monitoring_metrics (timestamp, lookback_hours, num_predictions, model_name)
                    SELECT timestamp, 24, 1, model_name FROM monitoring_metrics
                    """
                )
            }
            #expect(again?.isUniqueViolation == true)
            // The same end with another lookback is another window.
            try connection.query(
                """
                INSERT INTO monitoring_metrics (timestamp, lookback_hours, num_predictions, model_name)
                SELECT timestamp, 1, 1, model_name FROM monitoring_metrics
                """
            )
        }
    }

    @Test func retrainingDecisionsKeepTheSeedColumnsAndTheirHistoryView() async throws {
        let pool = try pool()
        defer { pool.close() }
        #expect(try await GateMigrations.migrator.migrate(pool) == [1, 2])
        try await pool.withConnection { connection in
            try connection.query(
                """
                INSERT INTO retraining_decisions (timestamp, trigger_reason, action, drift_context, data_context,
                    decision_details, labeled_samples, coverage_pct, model_name, candidate_version, decided_by,
                    promotion_state, idempotency_key)
                VALUES (now(), 'drift', 'promote', '{"feature_drift_ratio": 0.5}', '{"labeled": 400}',
                        '{"gates": []}', 400, 0.4, 'credit-risk-model', 2, 'retraining-gate', 'pending', \("key-1"))
                """
            )
            let history = try connection.query("SELECT action, promotion_state FROM v_decision_history")
            #expect(history.text(row: 0, column: 0) == "promote")
            #expect(history.text(row: 0, column: 1) == "pending")
            let bad = #expect(throws: PostgresError.self) {
                try connection.query(
                    """
                    INSERT INTO retraining_decisions (timestamp, trigger_reason, action, model_name, candidate_version,
                        decided_by) VALUES (now(), 'manual', 'maybe', 'm', 1, 'x')
                    """
                )
            }
            #expect(bad?.sqlState == "23514")  // the seed's CHECK on action
        }
    }
}
