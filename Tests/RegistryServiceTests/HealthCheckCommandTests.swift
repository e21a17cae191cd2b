import Foundation
import MLOpsTestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `model-registry --health-check`, as a container engine or a Kubernetes
/// probe runs it (NOT_SERVING while the database is down is in LifecycleTests).
@Suite("The executable's health check", .temporaryPostgres, .runningRegistry())
struct HealthCheckCommandTests {
    @Test func aServingRegistryPasses() async throws {
        let registry = try #require(RunningService.current)
        let (status, said) = try await registry.healthCheck()
        #expect(status == 0, "\(said)")
        #expect(said.contains("mlops.v1.ModelRegistry at 127.0.0.1:\(registry.replicas[0].port) is SERVING"))
    }

    /// It asks the RPC port, never the metrics one: a service whose RPC port
    /// is dead must not look healthy because its metrics still answer.
    @Test func aDeadRPCPortFailsThoughMetricsAnswer() async throws {
        let registry = try #require(RunningService.current)
        let metrics = URL(string: "http://127.0.0.1:\(registry.replicas[0].metricsPort)/metrics")!
        let (_, response) = try await URLSession.shared.data(from: metrics)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)

        let (status, said) = try await registry.healthCheck(port: try FreeTCPPort.find())
        #expect(status == 1, "\(said)")
        #expect(said.contains("no health answer from mlops.v1.ModelRegistry"), "\(said)")
        #expect(try await registry.healthCheck(port: try FreeTCPPort.find(), flags: ["--alive"]).0 == 1)
    }
}
