import MLOpsMessages
import MLOpsRPC
import MLOpsTLS
import MLOpsTestSupport
import NIOCore
import Testing

@testable import MLOpsTLSTransport

/// The pure parts of client-side balancing, and target lookup.
@Suite("Client-side balancing: picking, targets and lookup")
struct LoadBalancingTests {
    @Test func ofTwoTheLessLoadedIsPicked() {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<100 {
            #expect(LessLoadedOfTwo.pick(loads: [7, 0], using: &random) == 1)
        }
        #expect(LessLoadedOfTwo.pick(loads: [3], using: &random) == 0)
    }

    @Test func equalLoadsSpreadEvenly() {
        var random = SystemRandomNumberGenerator()
        var picks = [0, 0, 0]
        for _ in 0..<3000 { picks[LessLoadedOfTwo.pick(loads: [4, 4, 4], using: &random)] += 1 }
        #expect(picks.allSatisfy { (800...1200).contains($0) }, "\(picks)")
    }

    @Test func theMostLoadedOfThreeIsNeverPicked() {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<300 { #expect(LessLoadedOfTwo.pick(loads: [1, 9, 2], using: &random) != 1) }
    }

    @Test func targetsAreParsed() {
        typealias Target = RPCClientConfiguration.Target
        #expect(Target("registry:7001") == Target(host: "registry", port: 7001))
        #expect(Target("[::1]:7001") == Target(host: "::1", port: 7001))
        #expect(Target("[::1]:7001")?.description == "[::1]:7001")
        for malformed in ["registry", "registry:", ":7001", "registry:0", "registry:70000", "registry:x"] {
            #expect(Target(malformed) == nil, "\(malformed)")
        }
        #expect(Target.list("a:1, b:2") == [Target(host: "a", port: 1), Target(host: "b", port: 2)])
        #expect(Target.list("a:1,b") == nil)
        #expect(Target.list("") == nil)
    }

    @Test func aNameResolvesToItsAddressesAndALiteralToItself() async throws {
        let local = try await TargetResolver.resolve(.init(host: "localhost", port: 7001))
        #expect(local.contains { $0.ipAddress == "127.0.0.1" && $0.port == 7001 }, "\(local)")
        #expect(Set(local).count == local.count, "each address once")
        let literal = try await TargetResolver.resolve(.init(host: "10.1.2.3", port: 9))
        #expect(literal.map(\.ipAddress) == ["10.1.2.3"])
        await #expect(throws: TargetResolver.Failure.self) {
            try await TargetResolver.resolve(.init(host: "no-such-host.invalid", port: 1))
        }
    }

    @Test func aTargetThatResolvesToNothingIsUnavailableAndSaysWhy() async throws {
        let authority = try TestCertificates()
        let client = try RPCClient(
            configuration: RPCClientConfiguration(
                targets: [.init(host: "no-such-host.invalid", port: 7001)],
                tls: .client(serverName: nil, trustRootsPath: authority.authorityPath)
            )
        )
        defer { Task { await client.close() } }
        let error = await #expect(throws: RPCError.self) {
            try await client.unary(TestMethods.whoAmI, HealthCheckRequest())
        }
        #expect(error?.code == .unavailable)
        #expect(error?.message.contains("cannot resolve no-such-host.invalid") == true, "\(String(describing: error))")
    }
}
