import MLOpsClient
import MLOpsMessages
import MLOpsPostgres
import MLOpsRPC
import MLOpsTestSupport
import MonitoringService
import Testing

@Suite(
    "Prediction and label ingestion",
    .temporaryPostgres,
    InProcessServiceTrait(MonitoringApplication.self)
)
struct IngestionTests {
    let monitoring: MonitoringClient

    init() throws {
        monitoring = MonitoringClient(try #require(InProcessService.current).channel("serving"))
    }

    private func prediction(_ id: String, model: String = "credit-risk-model", probability: Double = 0.8) -> Prediction
    {
        Prediction(
            predictionId: id,
            modelName: model,
            modelVersion: 1,
            timestamp: recentHour(hoursAgo: 2),
            numericFeatures: ["income": 52_000, "dti": 0.31],
            categoricalFeatures: ["region": "north"],
            probability: probability,
            predictedLabel: probability >= 0.5 ? 1 : 0
        )
    }

    @Test func aRetriedBatchIsStoredOnce() async throws {
        let batch = LogPredictionsRequest(predictions: (0..<50).map { prediction("p-\($0)") })
        let first = try await monitoring.logPredictions(batch)
        #expect(first.accepted == 50 && first.duplicates == 0)
        let retry = try await monitoring.logPredictions(batch)
        #expect(retry.accepted == 0 && retry.duplicates == 50)
    }

    @Test func aBadRowRefusesTheBatchNamingIt() async throws {
        let batch = LogPredictionsRequest(predictions: [prediction("fine"), prediction("broken", probability: -0.1)])
        let error = await rpcError { _ = try await monitoring.logPredictions(batch) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains("prediction 1 (id 'broken')") == true)
        // Nothing of it was stored: the good row goes in on its own now.
        let alone = try await monitoring.logPredictions(.init(predictions: [prediction("fine")]))
        #expect(alone.accepted == 1)
    }

    @Test func labelsArriveLaterAndUnknownIdsAreCounted() async throws {
        _ = try await monitoring.logPredictions(
            .init(predictions: [prediction("labelled-1"), prediction("labelled-2")])
        )
        let model = "credit-risk-model"
        let result = try await monitoring.logLabels(
            .init(labels: [
                Label(predictionId: "labelled-1", label: 1, modelName: model),
                Label(predictionId: "labelled-2", label: 0, modelName: model),
                Label(predictionId: "nobody", label: 1, modelName: model),
            ])
        )
        #expect(result.updated == 2 && result.unknown == 1 && result.unknownPredictionIds == ["nobody"])
        let unnamed = await rpcError {
            _ = try await monitoring.logLabels(.init(labels: [Label(predictionId: "labelled-1", label: 1)]))
        }
        #expect(unnamed?.code == .invalidArgument && unnamed?.message.contains("model name is empty") == true)
    }

    @Test func aLabelLabelsOneModelsPredictionOnly() async throws {
        // Prediction ids are unique per model: two models may both have `shared-1`.
        _ = try await monitoring.logPredictions(
            .init(predictions: [prediction("shared-1", model: "model-a"), prediction("shared-1", model: "model-b")])
        )
        let result = try await monitoring.logLabels(
            .init(labels: [Label(predictionId: "shared-1", label: 1, modelName: "model-a")])
        )
        #expect(result.updated == 1)
        let database = try #require(TestDatabase.current)
        let rows = try PostgresConnection(configuration: database.configuration).query(
            "SELECT model_name, label FROM predictions WHERE prediction_id = 'shared-1' ORDER BY model_name"
        )
        #expect(try rows.value(Int.self, row: 0, column: 1) == 1)
        #expect(try rows.value(Int.self, row: 1, column: 1) == nil)
    }

    @Test func overlongKeysAreRefusedUpFrontWithoutDatabaseText() async throws {
        let long = String(repeating: "x", count: 3_000)
        for batch in [
            LogPredictionsRequest(predictions: [prediction(long)]),
            LogPredictionsRequest(predictions: [prediction("fine-id", model: long)]),
        ] {
            let error = await rpcError { _ = try await monitoring.logPredictions(batch) }
            #expect(error?.code == .invalidArgument && error?.message.contains("longer than 256 bytes") == true)
            #expect(error.map { $0.message.count < 300 } == true, "the value is echoed whole")
            #expect(error?.message.contains("predictions_pkey") == false)
        }
    }
}
