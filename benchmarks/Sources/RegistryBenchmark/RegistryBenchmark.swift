import ArgumentParser
import BenchmarkSupport
import Foundation
import LoadGeneration
import MLOpsClient
import MLOpsMessages
import MLOpsRPC

/// Drives a running model-registry over TLS: one operation, N concurrent
/// callers, for a while; prints one line of results for benchmarks/run-registry.sh.
@main
struct RegistryBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load-tests one ModelRegistry operation at a given number of concurrent callers."
    )

    enum Operation: String, ExpressibleByArgument, CaseIterable {
        case setup, latest, alias, create, transition
        /// SearchRegisteredModels' first page of 100: by name, by last update, by a name prefix.
        case search, searchRecent = "search-recent", searchPrefix = "search-prefix"
    }

    @Option(
        help: "setup (create the model), latest, alias, create, transition, search, search-recent or search-prefix."
    )
    var operation: Operation
    @Option var address = "127.0.0.1:7001"
    @Option var ca: String
    @Option var cert: String
    @Option var key: String
    @Option var model = "bench-model"
    @Option var callers = 1
    @Option(help: "Connections the callers share.") var connections = 2
    @Option var duration = 5.0

    func run() async throws {
        let clients = try (0..<connections).map { _ in
            ModelRegistryClient(try BenchmarkClient.make(address: address, ca: ca, cert: cert, key: key))
        }
        defer { for client in clients { Task { await client.rpc.close() } } }
        if operation == .setup {
            try await setUp(clients[0])
            return
        }
        let counter = VersionCounter()
        try await ClosedLoopLoad.run(operation: operation.rawValue, callers: callers, duration: duration) { caller, _ in
            try await call(clients[caller % clients.count], counter)
        }
    }

    private func call(_ client: ModelRegistryClient, _ counter: VersionCounter) async throws {
        switch operation {
        case .latest:
            _ = try await client.getLatestVersions(.init(name: model, stages: ["Production"]))
        case .alias:
            _ = try await client.getModelVersionByAlias(.init(name: model, alias: "champion"))
        case .create:
            _ = try await client.createModelVersion(.init(name: model, source: "s3://bench/model"))
        case .transition:
            _ = try await client.transitionModelVersionStage(
                .init(name: model, version: counter.next(), stage: "Production", archiveExistingVersions: true)
            )
        case .search:
            _ = try await client.searchRegisteredModels(.init(maxResults: 100))
        case .searchRecent:
            _ = try await client.searchRegisteredModels(
                .init(maxResults: 100, orderBy: ["last_updated_timestamp DESC"])
            )
        case .searchPrefix:
            _ = try await client.searchRegisteredModels(.init(filter: "name LIKE 'model-0421%'", maxResults: 100))
        case .setup:
            break
        }
    }

    /// A model with 50 versions, v1 in Production and aliased `champion`.
    private func setUp(_ client: ModelRegistryClient) async throws {
        _ = try? await client.deleteRegisteredModel(.init(name: model))
        _ = try await client.createRegisteredModel(.init(name: model, description: "benchmark"))
        for _ in 0..<50 { _ = try await client.createModelVersion(.init(name: model, source: "s3://bench/model")) }
        _ = try await client.transitionModelVersionStage(.init(name: model, version: 1, stage: "Production"))
        _ = try await client.setRegisteredModelAlias(.init(name: model, alias: "champion", version: 1))
        print("set up \(model) with 50 versions")
    }
}

/// Cycles promotions through versions 1...50, so each archives the last.
final class VersionCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Int64 = 0

    func next() -> Int64 {
        lock.withLock {
            value += 1
            return value % 50 + 1
        }
    }
}
