import Foundation
import Logging
package import MLOpsPostgres
import Synchronization

/// The prediction log's daily partitions: made before a prediction needs
/// one, dropped whole past retention. Any replica may do either at any time:
/// both run under one advisory lock and are idempotent.
package final class PredictionPartitions: Sendable {
    let pool: PostgresPool
    package let retention: PredictionRetention
    /// Days known to have a partition, so that a batch costs no catalog query.
    private let known = Mutex<Set<Int>>([])

    package init(pool: PostgresPool, retention: PredictionRetention) {
        self.pool = pool
        self.retention = retention
    }

    /// Makes the partitions missing for `days`, a batch's days.
    func ensure(days: Set<Int>) async throws {
        let missing = known.withLock { days.subtracting($0) }
        guard !missing.isEmpty else { return }
        try await pool.withTransaction { connection in
            try Self.lock(connection)
            for day in missing.sorted() { try Self.create(day, connection) }
        }
        known.withLock { $0.formUnion(missing) }
    }

    /// Makes the partitions ahead of `now` and drops the days past retention.
    /// A day is detached concurrently (inserts and window reads go on), then dropped.
    @discardableResult
    package func maintain(now: Int64) async throws -> (create: [Int], drop: [Int]) {
        let today = PredictionRetention.day(ofMilliseconds: now)
        let retention = retention
        let plan = try await pool.withTransaction { connection in
            try Self.lock(connection)
            let plan = retention.plan(existing: try Self.existing(connection), today: today)
            for day in plan.create { try Self.create(day, connection) }
            return plan
        }
        known.withLock { $0.formUnion(plan.create) }
        guard !plan.drop.isEmpty else { return plan }
        try await pool.withConnection { connection in
            // DETACH … CONCURRENTLY cannot run in a transaction, so this lock is the session's.
            try connection.query("SELECT pg_advisory_lock(hashtextextended(\(Self.lockName), 0))")
            defer { _ = try? connection.query("SELECT pg_advisory_unlock(hashtextextended(\(Self.lockName), 0))") }
            let existing = try Self.existing(connection)
            for day in plan.drop where existing.contains(day) {
                // The name is made from a day number: digits only, no text from outside.
                let name = PredictionRetention.partitionName(ofDay: day)
                try connection.query(
                    PostgresQuery(stringLiteral: "ALTER TABLE predictions DETACH PARTITION \(name) CONCURRENTLY")
                )
                try connection.query(PostgresQuery(stringLiteral: "DROP TABLE \(name)"))
            }
        }
        known.withLock { $0.subtract(plan.drop) }
        return plan
    }

    /// The advisory lock that makes partition changes one at a time, across replicas.
    private static let lockName = "predictions partitions"

    private static func lock(_ connection: PostgresConnection) throws {
        try connection.query("SELECT pg_advisory_xact_lock(hashtextextended(\(lockName), 0))")
    }

    private static func create(_ day: Int, _ connection: PostgresConnection) throws {
        try connection.query(
            "SELECT monitoring_create_prediction_partition(\(PredictionRetention.date(ofDay: day))::date)"
        )
    }

    /// The days that have a partition now.
    package static func existing(_ connection: PostgresConnection) throws -> Set<Int> {
        let rows = try connection.query(
            """
            SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'predictions'::regclass
            """
        )
        return Set(
            try (0..<rows.count).compactMap { try rows.value(String.self, row: $0, column: 0) }
                .compactMap(PredictionRetention.day(ofPartition:))
        )
    }
}
