import ArgumentParser
import Foundation
import Logging
import MLOpsPostgres
import MonitoringService

/// The PostgreSQL layer under write load; run by benchmarks/run-postgres.sh,
/// which starts the server and runs pgbench beside it.
@main
struct PostgresBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "postgres-benchmark",
        abstract: "Inserts decision-shaped rows through the pool, in batches, and COPYs prediction rows."
    )

    enum Mode: String, ExpressibleByArgument { case single, batch, copy, ingest }

    @Option(help: "Folder of the server's unix socket.") var host: String
    @Option var port: Int
    @Option var database = "postgres"
    @Option var mode: Mode = .single
    @Option(help: "Concurrent writers (single, batch).") var writers = 1
    @Option(help: "Seconds measured (single, batch).") var duration = 5.0
    @Option(help: "Rows per batch (batch) or rows loaded (copy, ingest).") var rows = 100

    func run() async throws {
        let pool = PostgresPool(
            configuration: PostgresConfiguration(
                host: host,
                port: port,
                database: database,
                sslMode: "disable",
                applicationName: "postgres-benchmark"
            ),
            options: .init(maximumConnections: max(writers, 2)),
            logger: Logger(label: "postgres-benchmark")
        )
        defer { pool.close() }
        switch mode {
        case .single, .batch:
            let perCall = mode == .single ? 1 : rows
            let end = ContinuousClock.now + .seconds(duration)
            let inserted = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<writers {
                    group.addTask {
                        var count = 0
                        while ContinuousClock.now < end {
                            if perCall == 1 {
                                try await pool.withConnection { try $0.query(Self.decision()) }
                            } else {
                                let batch = (0..<perCall).map { _ in Self.decision() }
                                try await pool.withConnection { try $0.executePipelined(batch) }
                            }
                            count += perCall
                        }
                        return count
                    }
                }
                return try await group.reduce(0, +)
            }
            print(
                String(
                    format: "ours mode=%@ writers=%d rows_per_s=%.0f",
                    mode.rawValue,
                    writers,
                    Double(inserted) / duration
                )
            )
        case .ingest:
            try await ingest(pool)
        case .copy:
            let started = ContinuousClock.now
            let loaded = try await pool.withConnection { connection in
                try connection.copyIn(
                    table: "bench_predictions",
                    columns: [
                        "prediction_id", "model_name", "model_version", "timestamp", "features", "probability",
                        "predicted_label",
                    ],
                    rows: (0..<rows).lazy.map { index in
                        [
                            "p-\(index)", "credit-risk-model", "1", "2026-11-29 12:00:00",
                            "{\"income\": \(50_000 + index % 1000), \"purpose\": \"car\", \"credit_score\": \(600 + index % 200)}",
                            "\(Double(index % 1000) / 1000)", index % 2 == 0 ? "1" : "0",
                        ]
                    }
                )
            }
            let elapsed = ContinuousClock.now - started
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            print(
                String(
                    format: "ours mode=copy rows=%d seconds=%.3f rows_per_s=%.0f",
                    loaded,
                    seconds,
                    Double(loaded) / seconds
                )
            )
        }
    }

    /// The monitoring service's prediction log: `rows` predictions with ten
    /// features each, in batches of 10,000 as serving code sends them.
    private func ingest(_ pool: PostgresPool) async throws {
        try await MonitoringMigrations.migrator.migrate(pool)
        let purposes = ["car", "home", "education", "business"]
        let regions = ["north", "south", "east", "west", "centre"]
        let records = (0..<rows).map { index -> PredictionRecord in
            let numeric: [String: Double] = [
                "income": Double(30_000 + index % 90_000), "loan_amount": Double(1000 + index % 40_000),
                "credit_score": Double(500 + index % 350), "debt_to_income": Double(index % 100) / 100,
                "age": Double(21 + index % 50), "employment_years": Double(index % 30),
                "open_accounts": Double(index % 12),
            ]
            let categorical: [String: String] = [
                "purpose": purposes[index % purposes.count], "region": regions[index % regions.count],
                "home_ownership": index % 3 == 0 ? "own" : "rent",
            ]
            let probability = Double(index % 1000) / 1000
            return PredictionRecord(
                predictionID: "ingest-\(index)",
                modelName: "credit-risk-model",
                modelVersion: 1,
                timestamp: 1_764_000_000_000 + Int64(index) * 1000,
                numericFeatures: numeric,
                categoricalFeatures: categorical,
                probability: probability,
                predictedLabel: probability >= 0.5 ? 1 : 0
            )
        }
        let store = PredictionStore(pool: pool)
        let started = ContinuousClock.now
        // Serving code sends batches from several places at once: two at a time here.
        let batches = stride(from: 0, to: records.count, by: 10_000).map {
            Array(records[$0..<min($0 + 10_000, records.count)])
        }
        let accepted = try await withThrowingTaskGroup(of: Int.self) { group in
            for lane in 0..<2 {
                group.addTask {
                    var accepted = 0
                    for batch in stride(from: lane, to: batches.count, by: 2) {
                        accepted += try await store.log(batches[batch]).accepted
                    }
                    return accepted
                }
            }
            return try await group.reduce(0, +)
        }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print(
            String(
                format: "ours mode=ingest predictions=%d seconds=%.3f (batches of 10,000, two writers)",
                accepted,
                seconds
            )
        )
    }

    /// One row shaped like the gate's decision: a few scalars and three jsonb values.
    static func decision() -> PostgresQuery {
        """
        INSERT INTO bench_decisions (timestamp, trigger_reason, action, drift_context, data_context,
            decision_details, labeled_samples, coverage_pct)
        VALUES (now(), \("scheduled"), \("promote"), \(driftContext)::jsonb, \(dataContext)::jsonb,
            \(details)::jsonb, \(400), \(0.4))
        """
    }

    static let driftContext = #"{"feature_drift_ratio": 0.2, "drifted_features": ["income", "dti"]}"#
    static let dataContext = #"{"predictions": 1000, "labeled": 400}"#
    static let details = #"{"gates": [{"name": "min_f1_gain", "observed": 0.02, "threshold": 0.01, "passed": true}]}"#
}
