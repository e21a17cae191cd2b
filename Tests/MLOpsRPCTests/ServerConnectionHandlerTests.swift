import Logging
import MLOpsMessages
import MLOpsRPC
import NIOCore
import NIOEmbedded
import Testing

@testable import MLOpsTLS
@testable import MLOpsTLSTransport

/// The server's connection handler alone, between a test and a testing
/// channel: frames in as the TLS handler would pass them on, frames out.
@Suite("The server's connection handler on a testing channel", .timeLimit(.minutes(1)))
struct ServerConnectionHandlerTests {
    private func connection() async throws -> NIOAsyncTestingChannel {
        let channel = NIOAsyncTestingChannel()
        let configuration = RPCServerConfiguration(
            host: "127.0.0.1",
            port: 0,
            tls: .server(certificateChainPath: "", privateKeyPath: "", trustRootsPath: "")
        )
        try await channel.testingEventLoop.submit {
            let handler = ServerConnectionHandler(
                router: RPCRouter.testing,
                configuration: configuration,
                calls: ServerCallTasks(executor: EventLoopTaskExecutor(channel.testingEventLoop)),
                activity: ConnectionActivity(),
                peer: PeerIdentity(commonName: "trainer"),
                logger: Logger(label: "test")
            )
            try channel.pipeline.syncOperations.addHandler(handler)
        }.get()
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1))
        return channel
    }

    private func request(_ streamID: UInt32, _ method: String, _ message: some ProtobufMessage) throws -> ByteBuffer {
        var buffer = ByteBuffer()
        try buffer.writeFrame(kind: .request, streamID: streamID) { payload in
            try RequestFrame.write(
                header: RequestHeader(method: method),
                message: try message.serializedBytes(),
                into: &payload
            )
        }
        return buffer
    }

    @Test func aCallIsAnsweredWithItsResponseAndThenItsStatusAsTheVerifiedPeer() async throws {
        let channel = try await connection()
        try await channel.writeInbound(try request(1, TestMethods.whoAmI.path, HealthCheckRequest()))
        let out = try await channel.writtenFrames(2)
        #expect(out.map(\.kind) == [.message, .status] && out.allSatisfy { $0.streamID == 1 })
        #expect(try HealthCheckResponse(buffer: out[0].payload).reason == "trainer")
        #expect(try Status(buffer: out[1].payload).code == StatusCode.ok.rawValue)
        _ = try await channel.finish()
    }

    @Test func anUnknownMethodIsUnimplementedAndTheConnectionGoesOn() async throws {
        let channel = try await connection()
        try await channel.writeInbound(try request(1, "/mlops.v1.Nope/Nothing", HealthCheckRequest()))
        try await channel.writeInbound(try request(3, TestMethods.echo.path, ArtifactChunk(contentType: "still")))
        let out = try await channel.writtenFrames(3)
        let unknown = try #require(out.first { $0.streamID == 1 })
        let unknownStatus = try Status(buffer: unknown.payload)
        #expect(unknown.kind == .status && unknownStatus.code == StatusCode.unimplemented.rawValue)
        let echoed = try #require(out.first { $0.streamID == 3 && $0.kind == .message })
        #expect(try ArtifactChunk(buffer: echoed.payload).contentType == "still")
        _ = try await channel.finish()
    }

    @Test func bytesThatAreNoFrameEndTheConnectionWithAGoAway() async throws {
        let channel = try await connection()
        var garbage = ByteBuffer()
        garbage.writeFrame(kind: .request, streamID: 0)  // a call on the connection's own stream
        garbage.writeBytes([0xFF, 0xFF, 0xFF, 0xFF, 0x63, 0, 0, 0, 0, 7])
        try await channel.writeInbound(garbage)
        let out = try await channel.writtenFrames(1)
        #expect(out.first?.kind == .goAway)
        try await channel.closeFuture.get()
    }
}
