import Foundation
import Logging
import MLOpsPostgres
import MLOpsRPC
import MLOpsTestSupport
import MonitoringService
import Testing

@Suite("The prediction log by day: partitions ahead, retention by whole days, the migration", .temporaryPostgres)
struct PredictionPartitionTests {
    private let day = PredictionRetention.millisecondsPerDay
    private let now = EpochMilliseconds.now

    private func pool(_ database: String? = nil) async throws -> PostgresPool {
        var configuration = try #require(TestDatabase.current).configuration
        if let database { configuration.database = database }
        return PostgresPool(configuration: configuration, logger: Logger(label: "test"))
    }

    /// A store on a database of its own: the tests run side by side, and each counts partitions.
    private func withStore(retentionDays: Int, _ body: (PredictionStore) async throws -> Void) async throws {
        let database = try #require(TestDatabase.current)
        let name = try database.cluster.createDatabase("partitions-\(UUID().uuidString.prefix(8))")
        defer { try? database.cluster.dropDatabase(name) }
        let pool = try await pool(name)
        try await MonitoringMigrations.migrator.migrate(pool)
        let partitions = PredictionPartitions(pool: pool, retention: .init(retentionDays: retentionDays))
        do {
            try await body(PredictionStore(pool: pool, partitions: partitions))
        } catch {
            await pool.shutdown()
            throw error
        }
        await pool.shutdown()
    }

    private func prediction(_ id: String, at timestamp: Int64, model: String = "credit") -> PredictionRecord {
        PredictionRecord(
            predictionID: id,
            modelName: model,
            modelVersion: 1,
            timestamp: timestamp,
            numericFeatures: ["income": 1],
            probability: 0.5,
            predictedLabel: 1
        )
    }

    private func partitionDays(_ pool: PostgresPool) async throws -> [Int] {
        try await pool.withConnection { try PredictionPartitions.existing($0) }.sorted()
    }

    @Test func daysAndTheirPartitionNames() {
        #expect(PredictionRetention.day(ofMilliseconds: 0) == 0 && PredictionRetention.day(ofMilliseconds: -1) == -1)
        #expect(PredictionRetention.day(ofMilliseconds: 86_400_000) == 1)
        let december7 = PredictionRetention.day(ofMilliseconds: 1_796_601_600_000)
        #expect(PredictionRetention.date(ofDay: december7) == "2026-12-07")
        #expect(PredictionRetention.day(ofPartition: "predictions_20261207") == december7)
        for name in [
            "predictions_20261307", "predictions_20260231", "predictions_2026127", "predictions", "x_20261207",
        ] {
            #expect(PredictionRetention.day(ofPartition: name) == nil, "\(name)")
        }
        let retention = PredictionRetention(retentionDays: 30)
        #expect(retention.horizon(now: 1_796_601_600_000 + 5_000) == 1_796_601_600_000 - 30 * day)
    }

    @Test func thePlanMakesTheDaysAheadAndDropsOnlyWholeDaysPastRetention() {
        let retention = PredictionRetention(retentionDays: 3, daysAhead: 2)
        let plan = retention.plan(existing: [90, 96, 97, 100, 101], today: 100)
        #expect(plan.create == [102] && plan.drop == [90, 96])
        #expect(retention.plan(existing: Set(97...102), today: 100) == ([], []))
    }

    @Test func partitionsAppearAheadAndRetentionDropsOnlyWholeOldDays() async throws {
        try await withStore(retentionDays: 3) { store in
            let today = PredictionRetention.day(ofMilliseconds: now)
            let created = try await store.partitions.maintain(now: now)
            #expect(created.create == Array(today...(today + 2)) && created.drop.isEmpty)
            #expect(try await partitionDays(store.pool) == Array(today...(today + 2)))

            // A batch for a day with no partition yet makes it.
            _ = try await store.log([prediction("old", at: now - 2 * day), prediction("new", at: now)])
            #expect(try await partitionDays(store.pool) == [today - 2] + Array(today...(today + 2)))

            // Three days on, the day of "old" is past retention and goes, whole; today's rows stay.
            let later = try await store.partitions.maintain(now: now + 3 * day)
            #expect(later.drop == [today - 2] && later.create == Array((today + 3)...(today + 5)))
            #expect(try await partitionDays(store.pool) == Array(today...(today + 5)))
            let ids = try await store.pool.withConnection { connection in
                let rows = try connection.query("SELECT prediction_id FROM predictions ORDER BY 1")
                return try (0..<rows.count).compactMap { try rows.value(String.self, row: $0, column: 0) }
            }
            #expect(ids == ["new"])
        }
    }

    @Test func predictionsOutsideTheKeptDaysAreRefused() async throws {
        try await withStore(retentionDays: 3) { store in
            let old = await #expect(throws: InvalidPredictionBatch.self) {
                try await store.log([
                    self.prediction("fine", at: self.now), self.prediction("stale", at: self.now - 5 * self.day),
                ])
            }
            #expect(old?.row == 1 && old?.description.contains("is older than the log keeps (3 days: from ") == true)
            let ahead = await #expect(throws: InvalidPredictionBatch.self) {
                try await store.log([self.prediction("ahead", at: self.now + 2 * self.day)])
            }
            #expect(ahead?.description.contains("more than a day ahead") == true)
        }
    }

    @Test func labelsForADroppedDayAreRefusedWithTheReason() async throws {
        try await withStore(retentionDays: 3) { store in
            let stamp = now - 3_600_000
            _ = try await store.log([prediction("p-1", at: stamp)])
            let past = await #expect(throws: PredictionStore.LabelPastRetention.self) {
                try await store.label([
                    .init(model: "credit", predictionID: "p-1", label: 1, at: 0, predictionTimestamp: stamp),
                    .init(
                        model: "credit",
                        predictionID: "gone",
                        label: 1,
                        at: 0,
                        predictionTimestamp: self.now - 6 * self.day
                    ),
                ])
            }
            #expect(past?.rpcError.code == .failedPrecondition)
            #expect(past?.description.contains("label 1 (id 'gone'): its prediction's day, ") == true)
            #expect(past?.description.contains("is past the log's retention of 3 days") == true)
            // With its prediction's time, a label goes to that prediction only.
            let wrongTime = try await store.label([
                .init(model: "credit", predictionID: "p-1", label: 1, at: 0, predictionTimestamp: stamp + 1)
            ])
            #expect(wrongTime.updated == 0 && wrongTime.unknown == 1)
            let rightTime = try await store.label([
                .init(model: "credit", predictionID: "p-1", label: 1, at: 0, predictionTimestamp: stamp)
            ])
            #expect(rightTime.updated == 1 && rightTime.unknown == 0)
        }
    }

    @Test func aWindowReadsOnlyItsOwnDaysPartitions() async throws {
        try await withStore(retentionDays: 10) { store in
            let today = PredictionRetention.day(ofMilliseconds: now)
            _ = try await store.log((1...4).map { prediction("d\($0)", at: now - Int64($0) * day) })
            let end = Int64(today) * day - 1  // the last millisecond of yesterday
            let plan = try await store.pool.withConnection { connection in
                let rows = try connection.query(
                    """
                    EXPLAIN SELECT prediction_id FROM predictions
                    WHERE model_name = \("credit") AND timestamp > \(EpochMilliseconds(end - 3_600_000))
                        AND timestamp <= \(EpochMilliseconds(end))
                    """
                )
                return try (0..<rows.count).compactMap { try rows.value(String.self, row: $0, column: 0) }
                    .joined(separator: "\n")
            }
            let yesterday =
                PredictionRetention.partitionName(ofDay: today - 1)
            let scanned = Set(plan.matches(of: /predictions_\d{8}/).map { String($0.output) })
            #expect(scanned == [yesterday], "\(plan)")
        }
    }

    @Test func theMigrationKeepsEveryRowOfAnUnpartitionedLog() async throws {
        let database = try #require(TestDatabase.current)
        let name = try database.cluster.createDatabase("unpartitioned")
        defer { try? database.cluster.dropDatabase(name) }
        let pool = try await pool(name)
        let before = Migrator(
            service: "monitoring",
            migrations: Array(MonitoringMigrations.migrator.migrations.prefix(5))
        )
        try await before.migrate(pool)
        try await pool.withConnection { connection in
            // 300 predictions over three days (one older than any retention), every tenth labelled.
            try connection.query(
                """
                INSERT INTO predictions (model_name, prediction_id, model_version, timestamp, numeric_features,
                                         probability, predicted_label, label)
                SELECT 'credit', 'p-' || n, 1, timestamp '2020-03-01 12:00' + (n % 3) * interval '1 day',
                       jsonb_build_object('income', n), 0.5, 1, CASE WHEN n % 10 = 0 THEN 1 END
                FROM generate_series(1, 300) AS n
                """
            )
        }
        try await MonitoringMigrations.migrator.migrate(pool)
        let counts = try await pool.withConnection { connection in
            let rows = try connection.query(
                """
                SELECT count(*), count(label), count(DISTINCT tableoid),
                       (SELECT count(*) FROM pg_partitioned_table WHERE partrelid = 'predictions'::regclass)
                FROM predictions
                """
            )
            return try (0..<4).map { try rows.value(Int.self, row: 0, column: $0) ?? -1 }
        }
        #expect(counts == [300, 30, 3, 1])
        let days = try await partitionDays(pool).map(PredictionRetention.date(ofDay:))
        #expect(days == ["2020-03-01", "2020-03-02", "2020-03-03"])
        // And the log takes new predictions, a retry still stored once.
        let store = PredictionStore(pool: pool, partitions: PredictionPartitions(pool: pool, retention: .init()))
        let batch = [prediction("after", at: now)]
        #expect(try await store.log(batch) == .init(accepted: 1, duplicates: 0))
        #expect(try await store.log(batch) == .init(accepted: 0, duplicates: 1))
        await pool.shutdown()
    }
}
