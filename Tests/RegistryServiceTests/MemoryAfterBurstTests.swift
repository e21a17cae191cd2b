import Foundation
import MLOpsClient
import MLOpsMessages
import MLOpsRPC
import MLOpsTLSTransport
import MLOpsTestSupport
import NIOCore
import NIOPosix
import Testing

@Suite("Memory after a burst of connections", .temporaryPostgres, .runningRegistry())
struct MemoryAfterBurstTests {
    @Test func whatABurstOfConnectionsUsedGoesBackToTheSystem() async throws {
        let running = try #require(RunningRegistry.current)
        let pid = running.replicas[0].process.pid
        let first = try running.client("admin")
        _ = await rpcError { _ = try await first.getRegisteredModel(.init(name: "warm-up")) }
        let baseline = try residentMegabytes(pid)

        // 900 authenticated connections, each with a call made, all open at once: on a loop of
        // their own, which the suites running beside this one do not share.
        let loop = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { loop.shutdownGracefully { _ in } }
        var clients: [RPCClient] = []
        for _ in 0..<18 {
            let batch = try (0..<50).map { _ in try running.rpcClient("serving", eventLoopGroup: loop) }
            await withTaskGroup(of: Void.self) { group in
                for client in batch {
                    group.addTask {
                        _ = await rpcError {
                            _ = try await ModelRegistryClient(client).getRegisteredModel(.init(name: "x"))
                        }
                    }
                }
            }
            clients += batch
        }
        let peak = try residentMegabytes(pid)
        for client in clients { await client.close() }

        var after = try residentMegabytes(pid)
        let deadline = ContinuousClock.now + .seconds(10)
        while after - baseline > (peak - baseline) / 2, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
            after = try residentMegabytes(pid)
        }
        #expect(peak - baseline >= 10, "the burst took \(peak - baseline) MB: too little to tell")
        #expect(
            after - baseline <= (peak - baseline) / 2,
            "baseline \(baseline) MB, peak \(peak) MB, after \(after) MB"
        )
    }

    private func residentMegabytes(_ pid: pid_t) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") })
        return (Int(line.split(separator: " ")[1]) ?? 0) / 1024
    }
}
