import MLOpsTLS
import MLOpsTestSupport
import NIOCore
import NIOEmbedded
import Testing

/// The TLS handler between two `EmbeddedChannel`s, bytes carried by hand: no
/// sockets, no threads, time moved by the test (as swift-nio-ssl tests `NIOSSLHandler`).
@Suite("TLSHandler on embedded channels")
struct TLSHandlerTests {
    /// What reaches the handler after TLS: the handshake's outcome, plaintext, errors.
    final class Recorder: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        var established: TLSEstablished?
        var received: [UInt8] = []
        var errors: [any Error] = []

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            received += Array(buffer: unwrapInboundIn(data))
        }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if let event = event as? TLSEstablished { established = event }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            errors.append(error)
        }
    }

    struct Pair {
        let client: EmbeddedChannel
        let server: EmbeddedChannel
        let clientRecorder = Recorder()
        let serverRecorder = Recorder()

        init(client clientTLS: TLSConfiguration, server serverTLS: TLSConfiguration) throws {
            client = EmbeddedChannel()
            server = EmbeddedChannel()
            try client.pipeline.syncOperations.addHandlers([
                try TLSHandler(context: TLSContext(configuration: clientTLS)), clientRecorder,
            ])
            try server.pipeline.syncOperations.addHandlers([
                try TLSHandler(context: TLSContext(configuration: serverTLS)), serverRecorder,
            ])
            let address = try SocketAddress(ipAddress: "127.0.0.1", port: 7001)
            try server.connect(to: address).wait()
            try client.connect(to: address).wait()
        }

        /// Closes what is still open: an EmbeddedChannel left active keeps its
        /// handlers. A handler that failed closes its channel fully a second
        /// after its output: that timer runs only when the test moves time.
        func finish() {
            client.embeddedEventLoop.advanceTime(by: .seconds(1))
            server.embeddedEventLoop.advanceTime(by: .seconds(1))
            _ = try? client.finish()
            _ = try? server.finish()
        }

        /// Carries bytes each way until neither side has any to send.
        func exchange() throws {
            var moved = true
            while moved {
                moved = false
                while let bytes = try client.readOutbound(as: ByteBuffer.self), server.isActive {
                    try server.writeInbound(bytes)
                    moved = true
                }
                while let bytes = try server.readOutbound(as: ByteBuffer.self), client.isActive {
                    try client.writeInbound(bytes)
                    moved = true
                }
            }
        }
    }

    private let authority: TestCertificates
    private let serverTLS: TLSConfiguration
    private let clientTLS: TLSConfiguration

    init() throws {
        authority = try TestCertificates()
        let server = try authority.issue(commonName: "model-registry")
        let client = try authority.issue(commonName: "admin")
        serverTLS = .server(
            certificateChainPath: server.certificatePath,
            privateKeyPath: server.keyPath,
            trustRootsPath: authority.authorityPath
        )
        clientTLS = .client(
            serverName: "127.0.0.1",
            trustRootsPath: authority.authorityPath,
            certificateChainPath: client.certificatePath,
            privateKeyPath: client.keyPath
        )
    }

    @Test func aHandshakeNamesBothPeersAndCarriesDataBothWays() throws {
        let pair = try Pair(client: clientTLS, server: serverTLS)
        defer { pair.finish() }
        try pair.exchange()
        let server = try #require(pair.serverRecorder.established)
        #expect(server.peer?.commonName == "admin")
        #expect(server.applicationProtocol == TLSConfiguration.rpcProtocol && server.protocolVersion == "TLSv1.3")
        #expect(pair.clientRecorder.established?.peer?.commonName == "model-registry")

        try pair.client.writeOutbound(ByteBuffer(string: "ping"))
        try pair.exchange()
        try pair.server.writeOutbound(ByteBuffer(string: "pong"))
        try pair.exchange()
        #expect(pair.serverRecorder.received == Array("ping".utf8))
        #expect(pair.clientRecorder.received == Array("pong".utf8))
        #expect(pair.clientRecorder.errors.isEmpty && pair.serverRecorder.errors.isEmpty)
    }

    @Test func aClientFromAnotherAuthorityIsRefusedAndClosed() throws {
        let stranger = try TestCertificates(authorityName: "someone-else")
        let issued = try stranger.issue(commonName: "admin")
        var tls = clientTLS
        tls.certificateChainPath = issued.certificatePath
        tls.privateKeyPath = issued.keyPath
        let pair = try Pair(client: tls, server: serverTLS)
        defer { pair.finish() }
        try pair.exchange()
        #expect(pair.serverRecorder.established == nil)
        #expect(pair.serverRecorder.errors.contains { $0 is TLSError }, "\(pair.serverRecorder.errors)")
        #expect(!pair.server.isActive)
    }

    @Test func aPeerThatNeverSpeaksIsClosedAtTheHandshakeTimeout() throws {
        let server = EmbeddedChannel()
        defer { _ = try? server.finish() }
        let recorder = Recorder()
        try server.pipeline.syncOperations.addHandlers([
            try TLSHandler(context: TLSContext(configuration: serverTLS)), recorder,
        ])
        try server.connect(to: try SocketAddress(ipAddress: "127.0.0.1", port: 7001)).wait()
        server.embeddedEventLoop.advanceTime(by: .seconds(9))
        #expect(server.isActive)
        server.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(!server.isActive)
        #expect(recorder.errors.contains { ($0 as? TLSError)?.kind == .handshakeTimeout }, "\(recorder.errors)")
    }
}
