import Logging
import MLOpsMessages
import MLOpsProcess
import MLOpsRPC
import MLOpsTLS
import MLOpsTLSTransport
import MLOpsTestSupport
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceLifecycle
import Testing

@Suite("Bad input gets a clear answer, never a crash or a hang")
struct BadInputTests {
    /// The server still answers an ordinary client.
    @Test func aPlaintextClientIsTurnedAway() async throws {
        try await LiveServer.run(router: .testing) { server in
            let raw = try await RawConnection.plaintext(port: server.port)
            let answer = try await raw.exchange(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
            #expect(answer.closed)
            try await server.expectHealthy()
        }
    }

    @Test func aClientWithoutACertificateIsRefused() async throws {
        try await LiveServer.run(router: .testing) { server in
            let client = try server.client(identity: nil)
            let error = await #expect(throws: RPCError.self) {
                try await client.unary(TestMethods.echo, ArtifactChunk())
            }
            #expect(error?.code == .unavailable)
            #expect((error?.cause as? TLSError)?.kind == .noClientCertificate, "\(String(describing: error))")
            await client.close()
            try await server.expectHealthy()
        }
    }

    @Test func clientCertificatesAreOptionalWhenConfigured() async throws {
        try await LiveServer.run(router: .testing, configure: { $0.tls.requireClientCertificate = false }) { server in
            let client = try server.client(identity: nil)
            let mirror = try await client.unary(TestMethods.whoAmI, HealthCheckRequest())
            #expect(mirror.reason == "anonymous")
            await client.close()
        }
    }

    @Test func aClientCertificateFromAnotherAuthorityIsRefused() async throws {
        try await LiveServer.run(router: .testing) { server in
            let stranger = try TestCertificates(authorityName: "someone-else")
            let issued = try stranger.issue(commonName: "admin")
            var tls = TLSConfiguration.client(serverName: "127.0.0.1", trustRootsPath: server.authority.authorityPath)
            tls.certificateChainPath = issued.certificatePath
            tls.privateKeyPath = issued.keyPath
            let client = try RPCClient(
                configuration: RPCClientConfiguration(host: "127.0.0.1", port: server.port, tls: tls)
            )
            let error = await #expect(throws: RPCError.self) {
                try await client.unary(TestMethods.echo, ArtifactChunk())
            }
            #expect(error?.code == .unavailable)
            #expect((error?.cause as? TLSError)?.kind == .unknownAuthority, "\(String(describing: error))")
            await client.close()
            try await server.expectHealthy()
        }
    }

    @Test func aServerFromAnUntrustedAuthorityIsRefused() async throws {
        try await LiveServer.run(router: .testing) { server in
            let stranger = try TestCertificates(authorityName: "someone-else")
            let client = try RPCClient(
                configuration: RPCClientConfiguration(
                    host: "127.0.0.1",
                    port: server.port,
                    tls: .client(serverName: "127.0.0.1", trustRootsPath: stranger.authorityPath)
                )
            )
            let error = await #expect(throws: RPCError.self) {
                try await client.unary(TestMethods.echo, ArtifactChunk())
            }
            let tlsError = error?.cause as? TLSError
            #expect(tlsError?.kind == .unknownAuthority)
            #expect(error?.message.contains("certificate verification") == true, "\(String(describing: error))")
            await client.close()
        }
    }

    @Test func anExpiredClientCertificateIsRefused() async throws {
        try await LiveServer.run(router: .testing) { server in
            let expired = try server.authority.issueExpired(commonName: "trainer")
            var tls = TLSConfiguration.client(serverName: "127.0.0.1", trustRootsPath: server.authority.authorityPath)
            tls.certificateChainPath = expired.certificatePath
            tls.privateKeyPath = expired.keyPath
            let client = try RPCClient(
                configuration: RPCClientConfiguration(host: "127.0.0.1", port: server.port, tls: tls)
            )
            let error = await #expect(throws: RPCError.self) {
                try await client.unary(TestMethods.echo, ArtifactChunk())
            }
            #expect((error?.cause as? TLSError)?.kind == .expiredCertificate, "\(String(describing: error))")
            await client.close()
            try await server.expectHealthy()
        }
    }

    @Test func aServerNameMismatchIsRefused() async throws {
        try await LiveServer.run(router: .testing) { server in
            let client = try server.client(serverName: "gate.example.com")
            let error = await #expect(throws: RPCError.self) {
                try await client.unary(TestMethods.echo, ArtifactChunk())
            }
            #expect((error?.cause as? TLSError)?.kind == .hostnameMismatch)
            await client.close()
        }
    }

    @Test func garbageAfterTheHandshakeClosesOnlyThatConnection() async throws {
        try await LiveServer.run(router: .testing) { server in
            let raw = try await RawConnection.tls(port: server.port, server: server)
            let answer = try await raw.exchange(Array("hello, is this the registry?\n".utf8))
            #expect(answer.closed)
            // The goodbye says why.
            #expect(String(decoding: answer.received, as: UTF8.self).contains("protocol error"))
            try await server.expectHealthy()
        }
    }

    @Test(
        "TLS 1.2 offers only forward-secret AEAD suites",
        arguments: [
            ("ECDHE-ECDSA-AES128-SHA", false), ("ECDHE-ECDSA-AES256-SHA384", false),
            ("ECDHE-ECDSA-AES128-GCM-SHA256", true),
        ]
    )
    func tls12CipherSuites(suite: String, accepted: Bool) async throws {
        try await LiveServer.run(router: .testing) { server in
            let client = try server.authority.issue(commonName: "cipher-probe")
            let output: String
            do {
                output = try ChildProcess.output(
                    "/usr/bin/openssl",
                    [
                        "s_client", "-connect", "127.0.0.1:\(server.port)", "-tls1_2", "-cipher", suite,
                        "-CAfile", server.authority.authorityPath, "-cert", client.certificatePath,
                        "-key", client.keyPath, "-alpn", "mlops-rpc/1",
                    ]
                )
            } catch let failed as CommandFailed {
                output = failed.output
            }
            #expect(output.contains("Cipher is \(suite)") == accepted, "\(output)")
        }
    }

    @Test func aRequestOnStream0IsToldWhatIsWrong() async throws {
        try await LiveServer.run(router: .testing) { server in
            let raw = try await RawConnection.tls(port: server.port, server: server)
            // An empty request frame (kind 1) on stream 0.
            let answer = try await raw.exchange([0, 0, 0, 0, 1, 0, 0, 0, 0, 0])
            #expect(answer.closed)
            let goodbye = String(decoding: answer.received, as: UTF8.self)
            #expect(goodbye.contains("stream 0 is the connection's own") && !goodbye.contains("already in use"))
            try await server.expectHealthy()
        }
    }

    @Test func aFrameAnnouncing4GiBIsRefusedBeforeAnythingIsBuffered() async throws {
        try await LiveServer.run(router: .testing) { server in
            let raw = try await RawConnection.tls(port: server.port, server: server)
            // length 0xFFFFFFFF, kind request, no flags, stream 1; no payload follows.
            let header: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 1, 0, 0, 0, 0, 1]
            let answer = try await raw.exchange(header, timeout: .seconds(20)) { Self.firstStatus(in: $0) != nil }
            #expect(!answer.closed)
            let status = try #require(Self.firstStatus(in: answer.received))
            #expect(status.streamID == 1)
            #expect(status.status.code == StatusCode.resourceExhausted.rawValue)
            #expect(status.status.message.contains("4294967295 bytes"))
            try await server.expectHealthy()
        }
    }

    @Test func halfAFrameThenSilenceIsClosedAfterTheIdleTimeout() async throws {
        try await LiveServer.run(router: .testing, configure: { $0.idleTimeout = .seconds(1) }) { server in
            let raw = try await RawConnection.tls(port: server.port, server: server)
            let started = ContinuousClock.now
            let answer = try await raw.exchange([0, 0, 0, 100, 1, 0, 0, 0, 0, 1, 0x0A, 0x0B], timeout: .seconds(10))
            #expect(answer.closed)
            #expect(ContinuousClock.now - started < .seconds(5))
            try await server.expectHealthy()
        }
    }

    @Test func anIdleConnectionIsClosedWithCloseNotify() async throws {
        try await LiveServer.run(router: .testing, configure: { $0.idleTimeout = .seconds(1) }) { server in
            let issued = try server.authority.issue(commonName: "admin")
            let tls = try TLSContext(
                configuration: .client(
                    serverName: "127.0.0.1",
                    trustRootsPath: server.authority.authorityPath,
                    certificateChainPath: issued.certificatePath,
                    privateKeyPath: issued.keyPath
                )
            )
            let recorder = CloseNotifyRecorder()
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandlers([try TLSHandler(context: tls), recorder])
                    }
                }
                .connect(host: "127.0.0.1", port: server.port).get()
            try await channel.closeFuture.get()
            #expect(recorder.received.withLockedValue { $0 })
        }
    }

    @Test func aStoppedServerFinishesInFlightCallsAndRefusesNewOnes() async throws {
        let held = HeldCalls()
        var router = RPCRouter.testing
        held.register(in: &router)
        try await LiveServer.runInServiceGroup(router: router) { server, group in
            let client = try server.client()
            let inFlight = Task { try await client.unary(HeldCalls.method, ArtifactChunk(contentType: "in flight")) }
            await held.waitForStarts(1)

            await group.triggerGracefulShutdown()
            // Once the shutdown has reached the server (on a loaded machine
            // that can take a while), new calls are refused.
            var refused: RPCError?
            for _ in 0..<100 where refused == nil {
                do {
                    _ = try await client.unary(TestMethods.echo, ArtifactChunk())
                    try await Task.sleep(for: .milliseconds(50))
                } catch let error as RPCError {
                    refused = error
                }
            }
            #expect(refused?.code == .unavailable)

            held.release(1)
            #expect(try await inFlight.value.contentType == "in flight")
            await client.close()
        }
    }

    /// The first `status` frame in raw plaintext bytes.
    private static func firstStatus(in bytes: [UInt8]) -> (streamID: UInt32, status: Status)? {
        var offset = 0
        while offset + 10 <= bytes.count {
            let length = bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
            let kind = bytes[offset + 4]
            let streamID = bytes[offset + 6..<offset + 10].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            guard offset + 10 + length <= bytes.count else { return nil }
            if kind == 3, let status = try? Status(serializedBytes: bytes[offset + 10..<offset + 10 + length]) {
                return (streamID, status)
            }
            offset += 10 + length
        }
        return nil
    }
}

@Suite("Limits, reconnection and protocol negotiation")
struct LimitTests {
    @Test func callsOverThePerConnectionLimitAreResourceExhausted() async throws {
        let held = HeldCalls()
        var router = RPCRouter.testing
        held.register(in: &router)
        try await LiveServer.run(router: router, configure: { $0.maximumConcurrentCallsPerConnection = 2 }) { server in
            let client = try server.client()
            let first = Task { try await client.unary(HeldCalls.method, ArtifactChunk(contentType: "1")) }
            let second = Task { try await client.unary(HeldCalls.method, ArtifactChunk(contentType: "2")) }
            await held.waitForStarts(2)
            let error = await #expect(throws: RPCError.self) {
                try await client.unary(TestMethods.echo, ArtifactChunk())
            }
            #expect(error?.code == .resourceExhausted)
            held.release(2)
            #expect(try await first.value.contentType == "1")
            #expect(try await second.value.contentType == "2")
            await client.close()
        }
    }

    @Test func whenFullAnIdleConnectionMakesWayAndABusyOneDoesNot() async throws {
        let held = HeldCalls()
        var router = RPCRouter.testing
        held.register(in: &router)
        try await LiveServer.run(router: router, configure: { $0.maximumConnections = 1 }) { server in
            // Busy: a newcomer is turned away.
            let first = try server.client()
            let busy = Task { try await first.unary(HeldCalls.method, ArtifactChunk(contentType: "held")) }
            await held.waitForStarts(1)
            let second = try server.client()
            let error = await #expect(throws: RPCError.self) {
                try await second.unary(TestMethods.echo, ArtifactChunk())
            }
            #expect(error?.code == .unavailable)
            held.release(1)
            #expect(try await busy.value.contentType == "held")

            // Idle: it is let go for the newcomer, who is served.
            let third = try server.client()
            #expect(try await third.unary(TestMethods.echo, ArtifactChunk(contentType: "c")).contentType == "c")
            await first.close()
            await second.close()
            await third.close()
        }
    }

    @Test func aFloodOfSilentConnectionsDoesNotKeepAuthenticatedClientsOut() async throws {
        try await LiveServer.run(
            router: .testing,
            configure: {
                $0.maximumConnections = 32
                $0.maximumHandshakes = 8
                $0.maximumHandshakesPerAddress = 4
            }
        ) { server in
            // 100 connections from another address that never send a byte, reopened as soon as they close.
            let flood = SilentFlood(port: server.port, from: "127.0.0.2", connections: 100)
            let flooding = Task { await flood.run() }
            defer { flooding.cancel() }
            try await Task.sleep(for: .milliseconds(500))

            var served = 0
            for index in 0..<40 {
                let client = try server.client()
                let answer = try? await client.unary(TestMethods.echo, ArtifactChunk(contentType: "\(index)"))
                if answer?.contentType == "\(index)" { served += 1 }
                await client.close()
            }
            #expect(served >= 38, "\(served) of 40 calls served during the flood")
            #expect(flood.opened > 100, "the flood kept connecting (\(flood.opened) connections)")
        }
    }

    @Test func idleAuthenticatedConnectionsDoNotKeepANewcomerOut() async throws {
        try await LiveServer.run(router: .testing, configure: { $0.maximumConnections = 8 }) { server in
            var idle: [RPCClient] = []
            for _ in 0..<8 {
                let client = try server.client()
                _ = try await client.unary(TestMethods.echo, ArtifactChunk())
                idle.append(client)
            }
            let newcomer = try server.client()
            #expect(try await newcomer.unary(TestMethods.echo, ArtifactChunk(contentType: "in")).contentType == "in")
            await newcomer.close()
            for client in idle { await client.close() }
        }
    }

    @Test func aClientWithoutTheProtocolIdIsTurnedAway() async throws {
        try await LiveServer.run(router: .testing) { server in
            let client = try server.client(identity: "admin", applicationProtocols: ["http/1.1"])
            let error = await #expect(throws: RPCError.self) {
                try await client.unary(TestMethods.echo, ArtifactChunk())
            }
            #expect(error?.code == .unavailable)
            #expect((error?.cause as? TLSError)?.kind == .noApplicationProtocol, "\(String(describing: error))")
            await client.close()
        }
    }

    @Test func theClientReconnectsAfterTheServerRestarts() async throws {
        let authority = try TestCertificates()
        let port = try FreeTCPPort.find()
        func makeServer() throws -> RPCServer {
            try LiveServer.makeServer(authority: authority, port: port, router: .testing)
        }
        let live = LiveServer(port: port, authority: authority, server: try makeServer())
        let client = try live.client()
        for round in 0..<2 {
            try await withThrowingTaskGroup(of: Void.self) { group in
                // The port can take a moment to be free again after the last round.
                var listening = false
                var lastError: (any Error)?
                for _ in 0..<50 where !listening {
                    let server = try makeServer()
                    group.addTask { try? await server.run() }
                    do {
                        _ = try await server.listeningAddress
                        listening = true
                    } catch {
                        lastError = error
                        try await Task.sleep(for: .milliseconds(100))
                    }
                }
                try #require(listening, "round \(round): \(String(describing: lastError))")
                let request = ArtifactChunk(contentType: "round \(round)")
                // A call may race the old connection's end; the client then
                // reconnects for the next one.
                var answer: ArtifactChunk?
                for _ in 0..<5 where answer == nil {
                    answer = try? await client.unary(TestMethods.echo, request)
                    if answer == nil { try await Task.sleep(for: .milliseconds(100)) }
                }
                #expect(answer == request)
                group.cancelAll()
                try await group.waitForAll()
            }
        }
        await client.close()
    }
}
