import ArgumentParser
import BenchmarkSupport
import Foundation
import LoadGeneration
import MLOpsClient
import MLOpsMessages
import MLOpsRPC

/// Load on the retraining gate: Evaluate with 2,000 labelled samples from
/// `callers` concurrent callers over two TLS connections, dry runs or logged
/// decisions (each with its own idempotency key), for `duration` seconds.
@main
struct GateBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load-tests retraining-gate's Evaluate (benchmarks/run-gate.sh)."
    )

    @Option(help: "setup (register the model through the registry), dry-run or logged.") var operation: Operation
    @Option var address = "127.0.0.1:7003"
    @Option(help: "The registry, for setup.") var registryAddress = "127.0.0.1:7001"
    @Option var ca: String
    @Option var cert: String
    @Option var key: String
    @Option var model = "bench-model"
    @Option var callers = 1
    @Option(help: "Connections the callers share.") var connections = 2
    @Option var duration = 5.0
    @Option var samples = 2000

    enum Operation: String, ExpressibleByArgument {
        case setup
        case dryRun = "dry-run"
        case logged
    }

    func run() async throws {
        if operation == .setup {
            let registry = ModelRegistryClient(
                try BenchmarkClient.make(address: registryAddress, ca: ca, cert: cert, key: key)
            )
            _ = try await registry.createRegisteredModel(.init(name: model))
            for _ in 0..<2 { _ = try await registry.createModelVersion(.init(name: model, source: "s3://bench")) }
            _ = try await registry.transitionModelVersionStage(.init(name: model, version: 1, stage: "Production"))
            print("set up \(model): v1 in Production, v2 the candidate")
            return
        }
        let clients = try (0..<connections).map { _ in
            RetrainingGateClient(try BenchmarkClient.make(address: address, ca: ca, cert: cert, key: key))
        }
        let template = makeRequest()
        let run = UUID().uuidString.prefix(8)
        try await ClosedLoopLoad.run(operation: operation.rawValue, callers: callers, duration: duration) {
            caller,
            sequence in
            var request = template
            request.idempotencyKey = "\(run)-\(caller)-\(sequence)"
            _ = try await clients[caller % clients.count].evaluate(request)
        }
    }

    /// A candidate a little worse than production: decisions are rejects, so
    /// the load stays on the gate rather than on registry promotions.
    private func makeRequest() -> EvaluateRequest {
        var state: UInt64 = 2026
        func uniform() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
        }
        var request = EvaluateRequest(
            modelName: model,
            candidateVersion: 2,
            triggerReason: .scheduled,
            dryRun: operation == .dryRun
        )
        for _ in 0..<samples {
            let label: Int32 = uniform() < 0.4 ? 1 : 0
            request.labels.append(label)
            request.productionProbabilities.append(min(1, max(0, 0.3 + 0.3 * Double(label) + 0.6 * (uniform() - 0.5))))
            request.candidateProbabilities.append(min(1, max(0, 0.3 + 0.28 * Double(label) + 0.6 * (uniform() - 0.5))))
        }
        return request
    }
}
