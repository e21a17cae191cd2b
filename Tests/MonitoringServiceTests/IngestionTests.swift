import MLOpsClient
import MLOpsMessages
import MLOpsRPC
import MLOpsTestSupport
import Testing

@Suite(
    "Prediction and label ingestion through a real monitoring process",
    .temporaryPostgres,
    RunningServiceTrait(executable: "monitoring", rpcService: "mlops.v1.Monitoring")
)
struct IngestionTests {
    let monitoring: MonitoringClient

    init() throws {
        monitoring = MonitoringClient(try #require(RunningService.current).rpcClient("serving"))
    }

    private func prediction(_ id: String, probability: Double = 0.8) -> Prediction {
        Prediction(
            predictionId: id,
            modelName: "credit-risk-model",
            modelVersion: 1,
            timestamp: 1_764_000_000_000,
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
        let result = try await monitoring.logLabels(
            .init(labels: [
                Label(predictionId: "labelled-1", label: 1), Label(predictionId: "labelled-2", label: 0),
                Label(predictionId: "nobody", label: 1),
            ])
        )
        #expect(result.updated == 2 && result.unknown == 1 && result.unknownPredictionIds == ["nobody"])
    }
}
