import Foundation
import Logging
import MLOpsPostgres
import MLOpsTestSupport
import MonitoringService
import Testing

@Suite("The prediction log: batches whole or not at all, retries not doubled, labels later", .temporaryPostgres)
struct PredictionLogTests {
    private func store() async throws -> PredictionStore {
        let pool = PostgresPool(
            configuration: try #require(TestDatabase.current).configuration,
            logger: Logger(label: "test")
        )
        try await MonitoringMigrations.migrator.migrate(pool)
        return PredictionStore(pool: pool, partitions: PredictionPartitions(pool: pool, retention: .init()))
    }

    /// Two hours before the last full hour: inside the log's retention, on a whole second.
    private let timestamp = (EpochMilliseconds.now / 3_600_000 - 2) * 3_600_000

    private func record(_ id: String, model: String = "credit", probability: Double = 0.7) -> PredictionRecord {
        PredictionRecord(
            predictionID: id,
            modelName: model,
            modelVersion: 1,
            timestamp: timestamp,
            numericFeatures: ["income": 52_000.5, "dti": .nan, "tab\tkey": 1],
            categoricalFeatures: ["region": "nörth \"east\"\n"],
            probability: probability,
            predictedLabel: 1
        )
    }

    @Test func theSameBatchTwiceIsStoredOnce() async throws {
        let store = try await store()
        let batch = (0..<3).map { record("twice-\($0)") }
        #expect(try await store.log(batch) == .init(accepted: 3, duplicates: 0))
        #expect(try await store.log(batch) == .init(accepted: 0, duplicates: 3))
        // The same id under another model is another prediction; repeated in one batch, stored once.
        #expect(
            try await store.log([record("twice-0", model: "fraud"), record("new"), record("new")])
                == .init(accepted: 2, duplicates: 1)
        )
        let rows = try await store.pool.withConnection {
            try $0.query(
                """
                SELECT numeric_features->>'income', numeric_features ? 'dti', categorical_features->>'region',
                       numeric_features->>'tab\tkey', timestamp
                FROM predictions WHERE prediction_id = 'twice-0' AND model_name = 'credit'
                """
            )
        }
        #expect(rows.text(row: 0, column: 0) == "52000.5")
        #expect(rows.text(row: 0, column: 1) == "f")  // a NaN feature is missing
        #expect(rows.text(row: 0, column: 2) == "nörth \"east\"\n")
        #expect(rows.text(row: 0, column: 3) == "1.0")
        let format = DateFormatter()
        format.timeZone = TimeZone(identifier: "UTC")
        format.dateFormat = "yyyy-MM-dd HH:mm:ss"
        #expect(
            rows.text(row: 0, column: 4) == format.string(from: Date(timeIntervalSince1970: Double(timestamp) / 1000))
        )
    }

    @Test func aBatchWithOneBadRowIsRefusedWholeNamingTheRow() async throws {
        let store = try await store()
        let batch = [record("ok-1"), record("bad", probability: 1.5), record("ok-2")]
        let error = await #expect(throws: InvalidPredictionBatch.self) { try await store.log(batch) }
        #expect(error?.row == 1 && error?.predictionID == "bad")
        #expect(
            error?.description
                == "prediction 1 (id 'bad'): probability 1.5 is not a finite number in [0, 1]; nothing was stored"
        )
        let count = try await store.pool.withConnection {
            try $0.query("SELECT count(*) FROM predictions WHERE prediction_id LIKE 'ok-%'").value(
                Int.self,
                row: 0,
                column: 0
            )
        }
        #expect(count == 0)
        await #expect(throws: InvalidPredictionBatch.self) { try await store.log([record("nan", probability: .nan)]) }
    }

    @Test func labelsJoinTheirPredictionsAndUnknownIdsAreReported() async throws {
        let store = try await store()
        _ = try await store.log([record("l-1"), record("l-2")])
        func label(_ id: String, _ value: Int32, at: Int64 = 0) -> PredictionStore.Label {
            PredictionStore.Label(model: "credit", predictionID: id, label: value, at: at)
        }
        let result = try await store.label([
            label("l-1", 1), label("l-2", 0, at: timestamp + 100_000), label("ghost", 1),
        ])
        #expect(result == .init(updated: 2, unknown: 1, unknownIDs: ["ghost"]))
        let labelled = try await store.pool.withConnection {
            try $0.query("SELECT count(*) FROM predictions WHERE label IS NOT NULL AND prediction_id LIKE 'l-%'")
                .value(Int.self, row: 0, column: 0)
        }
        #expect(labelled == 2)
        await #expect(throws: InvalidPredictionBatch.self) { try await store.label([label("l-1", 2)]) }
    }
}
