import ArgumentParser
import LoadGeneration
import MLOpsClient
import MLOpsMessages
import MLOpsRPC

extension RegistryCommand {
    struct LoadTest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "load-test",
            abstract: "Load-test GetLatestVersions: concurrent callers reading a model's latest versions, for a while.",
            discussion: """
                Each of --callers calls again as soon as its answer arrives, for --duration seconds,
                over --connections clients; prints calls per second, p50 and p99 latency and failed
                calls. Reads only. Given several addresses (a,b,c or a name with several records),
                each client spreads its calls over them.
                Example:
                  mlopsctl registry load-test credit-risk-model --callers 32 --duration 10 --address r1:7001,r2:7001
                """
        )
        @Argument var name: String
        @Option(help: "Only these stages (repeatable); all four by default.") var stage: [String] = []
        @Option var callers = 16
        @Option(help: "Seconds.") var duration = 10.0
        @Option(help: "Clients the callers share, each with its connections.") var connections = 1
        @OptionGroup var connection: ConnectionOptions

        func validate() throws {
            guard callers > 0, connections > 0, duration > 0 else {
                throw ValidationError("--callers, --connections and --duration must be positive")
            }
        }

        func run() async throws {
            let registries = try (0..<connections).map { _ in
                ModelRegistryClient(
                    try connection.client(service: "registry", defaultPort: RegistryCommand.defaultPort)
                )
            }
            defer { Task { for registry in registries { await registry.rpc.close() } } }
            let (request, options) = (GetLatestVersionsRequest(name: name, stages: stage), connection.callOptions)
            let result = try await ClosedLoopLoad.measure(callers: callers, duration: duration) { caller, _ in
                _ = try await registries[caller % registries.count].getLatestVersions(request, options: options)
            }
            LoadPresentation.print(result, callers: callers, json: connection.json)
            if result.calls == 0, let error = result.lastError {
                throw CommandFailure(
                    "model-registry at \(registries[0].rpc.address): no call succeeded; the last: \(error)"
                )
            }
        }
    }
}
