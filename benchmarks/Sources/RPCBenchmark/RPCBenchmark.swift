import ArgumentParser
import Foundation
import Logging
import MLOpsMessages
import MLOpsRPC
import MLOpsTLS
import MLOpsTLSTransport
import NIOCore
import NIOPosix

let echo = RPCMethod<ArtifactChunk, ArtifactChunk>(
    service: "mlops.v1.Benchmark",
    method: "Echo",
    isServerStreaming: false
)

/// MLOPS_EVENT_LOOPS=n runs on n event loop threads (default: one per core).
let benchmarkEventLoops: MultiThreadedEventLoopGroup = {
    guard let text = ProcessInfo.processInfo.environment["MLOPS_EVENT_LOOPS"], let count = Int(text) else {
        return .singleton
    }
    return MultiThreadedEventLoopGroup(numberOfThreads: count)
}()

@main
enum Main {
    static func main() async {
        // Swift tasks run on the event loops: no hop between a call's task and its connection.
        if ProcessInfo.processInfo.environment["MLOPS_EVENT_LOOP_EXECUTOR"] != "0" {
            NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        }
        await RPCBenchmark.main()
    }
}

struct RPCBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rpc-benchmark",
        abstract: "Echo over the MLOps RPC transport (TLS, one connection): a server, and a load client.",
        subcommands: [Server.self, Client.self]
    )
}

struct TLSFiles: ParsableArguments {
    @Option(help: "PEM certificate.") var certificate: String
    @Option(help: "PEM private key.") var key: String
    @Option(help: "PEM CA bundle.") var ca: String
}

struct Server: AsyncParsableCommand {
    @Option var port = 21_001
    @OptionGroup var tls: TLSFiles

    func run() async throws {
        var router = RPCRouter()
        router.register(echo) { request, _ in request }
        var logger = Logger(label: "rpc-benchmark-server")
        logger.logLevel = .warning
        let server = RPCServer(
            configuration: RPCServerConfiguration(
                host: "127.0.0.1",
                port: port,
                tls: .server(certificateChainPath: tls.certificate, privateKeyPath: tls.key, trustRootsPath: tls.ca)
            ),
            router: router,
            logger: logger,
            eventLoopGroup: benchmarkEventLoops
        )
        try await server.run()
    }
}

struct Client: AsyncParsableCommand {
    @Option var port = 21_001
    @OptionGroup var tls: TLSFiles
    @Option(help: "Bytes of payload per call.") var payload = 200
    @Option(help: "Calls in flight at once.") var concurrency = 1
    @Option(help: "Seconds measured.") var duration = 5.0
    @Option(help: "Seconds of warm-up, not measured.") var warmup = 1.0

    func run() async throws {
        let client = try RPCClient(
            configuration: RPCClientConfiguration(
                host: "127.0.0.1",
                port: port,
                tls: .client(
                    serverName: "127.0.0.1",
                    trustRootsPath: tls.ca,
                    certificateChainPath: tls.certificate,
                    privateKeyPath: tls.key
                )
            ),
            eventLoopGroup: benchmarkEventLoops
        )
        let request = ArtifactChunk(data: Array(repeating: 0x5A, count: payload))
        _ = try await client.unary(echo, request)

        let clock = ContinuousClock()
        let warmupEnd = clock.now + .seconds(warmup)
        let end = warmupEnd + .seconds(duration)
        let latencies = try await withTaskExecutorPreference(client.taskExecutor) {
            try await measure(client: client, request: request, clock: clock, warmupEnd: warmupEnd, end: end)
        }
        await client.close()
        report(latencies)
    }

    private func measure(
        client: RPCClient,
        request: ArtifactChunk,
        clock: ContinuousClock,
        warmupEnd: ContinuousClock.Instant,
        end: ContinuousClock.Instant
    ) async throws -> [UInt64] {
        try await withThrowingTaskGroup(of: [UInt64].self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var samples: [UInt64] = []
                    samples.reserveCapacity(100_000)
                    while true {
                        let start = clock.now
                        if start >= end { break }
                        _ = try await client.unary(echo, request)
                        if start >= warmupEnd {
                            let elapsed = clock.now - start
                            samples.append(
                                UInt64(
                                    elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds
                                        / 1_000_000_000_000
                                )
                            )
                        }
                    }
                    return samples
                }
            }
            var all: [UInt64] = []
            for try await samples in group { all += samples }
            return all
        }
    }

    private func report(_ latencies: [UInt64]) {
        let sorted = latencies.sorted()
        func percentile(_ p: Double) -> UInt64 {
            sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p / 100))]
        }
        let rate = Double(latencies.count) / duration
        // One line, read by benchmarks/run-rpc.sh.
        print(
            String(
                format: "mlops payload=%d inflight=%d calls_per_s=%.0f p50_us=%llu p99_us=%llu",
                payload,
                concurrency,
                rate,
                percentile(50),
                percentile(99)
            )
        )
    }
}
