import Foundation
import MLOpsClient
import MLOpsMessages
import MLOpsRPC
import MLOpsTestSupport
import Testing

/// The gate with real peers: model-registry, monitoring and retraining-gate
/// processes over one database, with certificates from one CA.
struct GateStack {
    var registry: RunningService
    var monitoring: RunningService
    var gate: RunningService

    static func start(
        policy: String = #"{"minLabeledSamples": 100, "minCoveragePct": 0.2}"#,
        gateEnvironment: [String: String] = [:]
    ) async throws -> GateStack {
        let database = try #require(TestDatabase.current)
        let authority = try TestCertificates()
        let registry = try await RunningService.start(
            "model-registry",
            serving: "mlops.v1.ModelRegistry",
            count: 1,
            database: database,
            authority: authority
        )
        let monitoring = try await RunningService.start(
            "monitoring",
            serving: "mlops.v1.Monitoring",
            count: 1,
            database: database,
            extraSettings: #""artifacts": {"directory": "\#(NSTemporaryDirectory())gate-stack-artifacts"}"#,
            authority: authority
        )
        let gate = try await RunningService.start(
            "retraining-gate",
            serving: "mlops.v1.RetrainingGate",
            count: 1,
            database: database,
            extraSettings: """
                "registry": {"address": "127.0.0.1:\(registry.replicas[0].port)"},
                "monitoring": {"address": "127.0.0.1:\(monitoring.replicas[0].port)", "lookbackHours": 24},
                "promotions": {"retryEverySeconds": 0.3, "claimSeconds": 2},
                "policy": \(policy)
                """,
            authority: authority,
            environment: gateEnvironment
        )
        return GateStack(registry: registry, monitoring: monitoring, gate: gate)
    }

    /// Runs `body` with a fresh stack, stopped (and checked to stop cleanly) afterwards, thrown or not.
    static func with(
        policy: String = #"{"minLabeledSamples": 100, "minCoveragePct": 0.2}"#,
        gateEnvironment: [String: String] = [:],
        _ body: (inout GateStack) async throws -> Void
    ) async throws {
        var stack = try await start(policy: policy, gateEnvironment: gateEnvironment)
        do {
            try await body(&stack)
        } catch {
            await stack.stop()
            throw error
        }
        await stack.stop()
    }

    func stop() async {
        await gate.stop()
        await monitoring.stop()
        await registry.stop()
    }

    func gateClient(_ identity: String = "trainer") throws -> RetrainingGateClient {
        RetrainingGateClient(try gate.rpcClient(identity))
    }

    func registryClient() throws -> ModelRegistryClient {
        ModelRegistryClient(try registry.rpcClient("admin"))
    }

    func monitoringClient() throws -> MonitoringClient {
        MonitoringClient(try monitoring.rpcClient("serving"))
    }

    /// `model` with three versions, version 1 in Production.
    func registerModel(_ model: String) async throws {
        let registry = try registryClient()
        _ = try await registry.createRegisteredModel(.init(name: model))
        for _ in 0..<3 { _ = try await registry.createModelVersion(.init(name: model, source: "s3://models/\(model)")) }
        _ = try await registry.transitionModelVersionStage(.init(name: model, version: 1, stage: "Production"))
        try await logTraffic(model)
    }

    /// Ten predictions of the last hour in monitoring, half of them labelled: coverage 0.5.
    func logTraffic(_ model: String) async throws {
        let monitoring = try monitoringClient()
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let predictions = (0..<10).map {
            Prediction(
                predictionId: "\(model)-\($0)",
                modelName: model,
                modelVersion: 1,
                timestamp: now - Int64($0) * 1000,
                probability: 0.7,
                predictedLabel: 1
            )
        }
        _ = try await monitoring.logPredictions(.init(predictions: predictions))
        _ = try await monitoring.logLabels(
            .init(
                labels: predictions.prefix(5).map { Label(predictionId: $0.predictionId, label: 1, modelName: model) }
            )
        )
    }

    func stage(_ model: String, _ version: Int64) async throws -> String {
        try await registryClient().getModelVersion(.init(name: model, version: version)).modelVersion?.currentStage
            ?? ""
    }
}

/// Labelled samples scored by production and a candidate; `skill` says how
/// well the candidate separates the classes (production's is 0.25).
func scoredSamples(_ n: Int, candidateSkill: Double, seed: UInt64 = 17) -> EvaluateRequest {
    var state = seed
    func uniform() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
    }
    var request = EvaluateRequest()
    for _ in 0..<n {
        let label: Int32 = uniform() < 0.5 ? 1 : 0
        request.labels.append(label)
        let noise = uniform() - 0.5
        request.productionProbabilities.append(min(1, max(0, 0.5 + 0.25 * (Double(label) - 0.5) * 2 + 0.8 * noise)))
        request.candidateProbabilities.append(
            min(1, max(0, 0.5 + candidateSkill * (Double(label) - 0.5) * 2 + 0.8 * (uniform() - 0.5)))
        )
    }
    return request
}
