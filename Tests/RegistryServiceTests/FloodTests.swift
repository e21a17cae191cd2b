import Foundation
import MLOpsClient
import MLOpsMessages
import MLOpsRPC
import MLOpsTLSTransport
import MLOpsTestSupport
import Testing

@Suite("A registry process under a flood of connections", .temporaryPostgres)
struct FloodTests {
    @Test func silentConnectionsFromAnotherHostLeaveCallersServed() async throws {
        let registry = try await RunningService.start(
            "model-registry",
            serving: "mlops.v1.ModelRegistry",
            count: 1,
            database: try #require(TestDatabase.current),
            listenSettings: #""maxConnections": 64, "maxHandshakes": 16, "maxHandshakesPerAddress": 8"#
        )
        // Three times the connection limit, never sending a byte, reopened as soon as they close.
        let flood = SilentFlood(port: registry.replicas[0].port, from: "127.0.0.2", connections: 200)
        let flooding = Task { await flood.run() }
        try await Task.sleep(for: .milliseconds(500))

        var served = 0
        for index in 0..<40 {
            let client = try registry.rpcClient("admin")
            let name = "flood-\(index)"
            if let created = try? await ModelRegistryClient(client).createRegisteredModel(.init(name: name)),
                created.registeredModel?.name == name
            {
                served += 1
            }
            await client.close()
        }
        flooding.cancel()
        _ = await flooding.value
        #expect(served >= 38, "\(served) of 40 calls served during the flood")
        #expect(flood.opened > 200, "the flood kept connecting (\(flood.opened) connections)")
        // Refusals are logged at most once a second, not once each.
        let refusals = registry.replicas[0].process.log.components(separatedBy: "refusing a connection").count - 1
        #expect(refusals < 30, "\(refusals) lines about refused connections")
        await registry.stop()
    }
}
