import Foundation
import MLOpsClient
import MLOpsMessages
import MLOpsTestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// One client over three registry replicas (real processes): its calls
/// spread, survive a replica stopping under load, and reach it again once
/// it is back. Each replica's own metrics say how many calls it answered.
@Suite(
    "One client spreads its calls over registry replicas",
    .temporaryPostgres,
    .runningRegistry(replicas: 3),
    .timeLimit(.minutes(5))
)
struct BalancingTests {
    private static let method = "/mlops.v1.ModelRegistry/GetRegisteredModel"

    @Test func callsSpreadSurviveAReplicaStoppingAndReachItAgainWhenItReturns() async throws {
        var running = try #require(RunningRegistry.current)
        let registry = try running.client("admin", replica: nil)
        _ = try await registry.createRegisteredModel(.init(name: "balanced"))

        // 3,000 calls, 32 at a time: each replica answers a fair share.
        let before = try await answered(by: running)
        #expect(try await call(registry, 3000) == 0)
        let spread = zip(try await answered(by: running), before).map { $0 - $1 }
        #expect(spread.reduce(0, +) == 3000, "every call answered once: \(spread)")
        for (replica, count) in spread.enumerated() {
            #expect((600...1410).contains(count), "replica \(replica) answered \(count) of 3000 (\(spread))")
        }

        // A replica stops (SIGTERM: it drains) while calls keep coming: none fails.
        async let failures = call(registry, 3000)
        try await Task.sleep(for: .milliseconds(300))
        await running.stop(replica: 1)
        #expect(try await failures == 0, "calls the stopping replica refused went to the others")

        // mlopsctl, given every replica's address, gets its answer while one of them is down.
        let addresses = running.replicas.map { "127.0.0.1:\($0.port)" }.joined(separator: ",")
        for _ in 0..<4 {
            let (status, output) = try await running.mlopsctl(
                ["registry", "get-model", "balanced"],
                address: addresses
            )
            #expect(status == 0 && output.contains("balanced"), "\(output)")
        }
        let (status, output) = try await running.mlopsctl(["registry", "get-model", "balanced"], address: "registry")
        #expect(status != 0 && output.contains("host:port"), "a malformed address is refused: \(output)")

        // Back on its port, it gets calls again.
        try await running.restart(replica: 1)
        try await Task.sleep(for: .seconds(1))  // past the client's reconnection backoff
        #expect(try await call(registry, 1500) == 0)
        let returned = try await answered(by: running)[1]
        #expect(returned >= 150, "the returned replica answered \(returned) of 1,500")
    }

    /// Makes `count` calls, 32 in flight; returns how many failed.
    private func call(_ registry: ModelRegistryClient, _ count: Int) async throws -> Int {
        try await withThrowingTaskGroup(of: Int.self) { group in
            for worker in 0..<32 {
                group.addTask {
                    var failed = 0
                    for _ in stride(from: worker, to: count, by: 32) {
                        do {
                            _ = try await registry.getRegisteredModel(.init(name: "balanced"))
                        } catch {
                            failed += 1
                            Issue.record("a call failed: \(error)")
                        }
                    }
                    return failed
                }
            }
            return try await group.reduce(0, +)
        }
    }

    /// Each replica's count of answered calls, from its metrics.
    private func answered(by running: RunningRegistry) async throws -> [Int] {
        var counts: [Int] = []
        for replica in running.replicas {
            let url = URL(string: "http://127.0.0.1:\(replica.metricsPort)/metrics")!
            var text: String?
            for _ in 0..<50 where text == nil {
                text = try? await String(decoding: URLSession.shared.data(from: url).0, as: UTF8.self)
                if text == nil { try await Task.sleep(for: .milliseconds(100)) }
            }
            let prefix = #"rpc_server_requests_total{method="\#(Self.method)",code="OK"}"#
            let line = try #require(text).split(separator: "\n").first { $0.hasPrefix(prefix) }
            counts.append(line.flatMap { Int(Double($0.split(separator: " ").last!) ?? 0) } ?? 0)
        }
        return counts
    }
}
