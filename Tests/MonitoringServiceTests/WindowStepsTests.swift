import Foundation
import Logging
import MLOpsClient
import MLOpsMessages
import MLOpsPostgres
import MLOpsTestSupport
import Testing

/// A window is read in one transaction, computed holding nothing, and
/// written in another: a slow computation keeps no database connection busy.
@Suite("A window's computation holds no database connection", .temporaryPostgres)
struct WindowStepsTests {
    @Test func aSlowWindowLeavesNoTransactionOpenWhileItComputes() async throws {
        let database = try #require(TestDatabase.current)
        let artifacts = NSTemporaryDirectory() + "monitoring-steps-\(UUID().uuidString.prefix(8))"
        let running = try await RunningService.start(
            "monitoring",
            serving: "mlops.v1.Monitoring",
            count: 1,
            database: database,
            extraSettings: #""artifacts": {"directory": "\#(artifacts)"}"#,
            environment: ["MLOPS_MONITORING_PAUSE_WHILE_COMPUTING": "8"]
        )
        let observer = PostgresPool(configuration: database.configuration, logger: Logger(label: "test"))
        defer { observer.close() }
        try await stopping(running.stop) {
            let monitoring = MonitoringClient(try running.rpcClient("serving"))
            let end = recentHour(hoursAgo: 2)
            var fixtures = Fixtures(seed: 5)
            _ = try await monitoring.uploadReference(model: "slow-model", rows: fixtures.referenceRows(200))
            _ = try await monitoring.logPredictions(
                .init(predictions: fixtures.predictions(200, model: "slow-model", endingAt: end))
            )

            let window = Task {
                let response = try await monitoring.runMonitoring(
                    .init(modelName: "slow-model", lookbackHours: 1, asOf: end)
                )
                return (response, answeredAt: ContinuousClock.now)
            }
            // The claim is written by the read step's transaction: once it shows, that step is over.
            while try await claims(observer) == 0 { try await Task.sleep(for: .milliseconds(20)) }
            // Sample the service's backends while the window computes (its 8 s pause).
            var inTransaction = 0
            for _ in 0..<5 {
                inTransaction += try await observer.withConnection { connection in
                    try connection.query(
                        """
                        SELECT count(*) FROM pg_stat_activity
                        WHERE datname = current_database() AND application_name = 'monitoring'
                            AND state LIKE 'idle in transaction%'
                        """
                    ).value(Int.self, row: 0, column: 0) ?? 0
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            let sampled = ContinuousClock.now
            // The same window, asked for while it is computed: it waits for the row and replays it.
            let replay = try await monitoring.runMonitoring(.init(modelName: "slow-model", lookbackHours: 1, asOf: end))
            let (result, answeredAt) = try await window.value
            #expect(answeredAt > sampled)  // the samples fell inside the computation
            #expect(inTransaction == 0, "a connection sat in a transaction while the window computed")
            #expect(!result.replayed && result.metrics?.numPredictions == 200)
            #expect(replay.replayed && replay.metrics?.id == result.metrics?.id)
            #expect(try await claims(observer) == 0)
        }
    }

    private func claims(_ pool: PostgresPool) async throws -> Int {
        try await pool.withConnection { connection in
            try connection.query("SELECT count(*) FROM monitoring_window_claims").value(Int.self, row: 0, column: 0)
                ?? 0
        }
    }
}
