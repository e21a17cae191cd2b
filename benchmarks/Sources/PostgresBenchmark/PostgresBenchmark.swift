import ArgumentParser
import Foundation
import Logging
import MLOpsPostgres

/// The PostgreSQL layer under write load; run by benchmarks/run-postgres.sh,
/// which starts the server and runs pgbench beside it.
@main
struct PostgresBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "postgres-benchmark",
        abstract: "Inserts decision-shaped rows through the pool, in batches, and COPYs prediction rows."
    )

    enum Mode: String, ExpressibleByArgument { case single, batch, copy }

    @Option(help: "Folder of the server's unix socket.") var host: String
    @Option var port: Int
    @Option var database = "postgres"
    @Option var mode: Mode = .single
    @Option(help: "Concurrent writers (single, batch).") var writers = 1
    @Option(help: "Seconds measured (single, batch).") var duration = 5.0
    @Option(help: "Rows per batch (batch) or rows loaded (copy).") var rows = 100

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
