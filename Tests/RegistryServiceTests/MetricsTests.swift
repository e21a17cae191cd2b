import Foundation
import MLOpsClient
import MLOpsMessages
import MLOpsTestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

@Suite("Prometheus metrics on their own port", .temporaryPostgres, .runningRegistry())
struct MetricsTests {
    @Test func callsAreCountedByMethodAndStatus() async throws {
        let running = try #require(RunningRegistry.current)
        let registry = try running.client("admin")
        _ = try await registry.createRegisteredModel(.init(name: "measured"))
        for _ in 0..<3 { _ = try? await registry.getRegisteredModel(.init(name: "missing")) }

        let url = URL(string: "http://127.0.0.1:\(running.replicas[0].metricsPort)/metrics")!
        // The endpoint starts beside the RPC server: give it a moment.
        var fetched: (Data, URLResponse)?
        for _ in 0..<50 where fetched == nil {
            fetched = try? await URLSession.shared.data(from: url)
            if fetched == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        let (data, response) = try #require(fetched)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        let text = String(decoding: data, as: UTF8.self)
        let lines = text.split(separator: "\n")
        func value(_ prefix: String) -> Double? {
            lines.first { $0.hasPrefix(prefix) }.flatMap { Double($0.split(separator: " ").last!) }
        }
        #expect(
            value(#"rpc_server_requests_total{method="/mlops.v1.ModelRegistry/GetRegisteredModel",code="NOT_FOUND"}"#)
                == 3
        )
        #expect(
            value(#"rpc_server_requests_total{method="/mlops.v1.ModelRegistry/CreateRegisteredModel",code="OK"}"#) == 1
        )
        #expect(text.contains("rpc_server_request_duration_seconds_bucket"))
        #expect(text.contains(#"postgres_pool_connections{pool="model-registry",state="idle"}"#))

        let (_, missing) = try await URLSession.shared.data(
            from: URL(string: "http://127.0.0.1:\(running.replicas[0].metricsPort)/nope")!
        )
        #expect((missing as? HTTPURLResponse)?.statusCode == 404)
    }
}
