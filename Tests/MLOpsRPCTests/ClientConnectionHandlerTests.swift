import MLOpsMessages
import MLOpsRPC
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import Testing

@testable import MLOpsTLS
@testable import MLOpsTLSTransport

/// The client's connection handler alone, between a test playing the server
/// and a testing channel: requests out, responses and statuses in.
@Suite("The client's connection handler on a testing channel", .timeLimit(.minutes(1)))
struct ClientConnectionHandlerTests {
    private struct Connection {
        let channel: NIOAsyncTestingChannel
        let handler: NIOLoopBound<ClientConnectionHandler>
        let acceptsCalls: NIOLockedValueBox<Bool>

        /// Starts a unary call; the returned task ends with its response bytes or error.
        func call(_ method: String, _ request: some ProtobufMessage) throws -> Task<ByteBuffer, any Error> {
            let payload = try RPCClient.requestPayload(method, request, CallOptions())
            let handler = handler
            let loop = channel.testingEventLoop
            return Task {
                try await withUnsafeThrowingContinuation { continuation in
                    let start = ClientCallStart(
                        handle: ClientCallHandle(),
                        method: method,
                        payload: payload,
                        timeout: nil,
                        consumer: .unary(continuation)
                    )
                    loop.execute { handler.value.write([.start(start)]) }
                }
            }
        }

        func sent(_ count: Int) async throws -> [Frame] {
            try await channel.writtenFrames(count)
        }

        func receive(_ kind: Frame.Kind, stream: UInt32, _ message: some ProtobufMessage) async throws {
            var buffer = ByteBuffer()
            let bytes = try message.serializedBytes()
            buffer.writeFrame(kind: kind, streamID: stream) { $0.writeBytes(bytes) }
            try await channel.writeInbound(buffer)
        }
    }

    private func connection() async throws -> Connection {
        let channel = NIOAsyncTestingChannel()
        let ready = channel.testingEventLoop.makePromise(of: Void.self)
        let (handler, acceptsCalls) = try await channel.testingEventLoop.submit {
            let handler = ClientConnectionHandler(address: "test:1", ready: ready, maximumFrameSize: 1 << 20)
            try channel.pipeline.syncOperations.addHandler(handler)
            return (NIOLoopBound(handler, eventLoop: channel.testingEventLoop), handler.acceptsCalls)
        }.get()
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1))
        channel.pipeline.fireUserInboundEventTriggered(
            TLSEstablished(peer: nil, applicationProtocol: TLSConfiguration.rpcProtocol, protocolVersion: "TLSv1.3")
        )
        try await ready.futureResult.get()
        return Connection(channel: channel, handler: handler, acceptsCalls: acceptsCalls)
    }

    @Test func callsGetStreamsOfTheirOwnAndTheirAnswersByStream() async throws {
        let connection = try await connection()
        let first = try connection.call("/mlops.v1.Testing/Echo", ArtifactChunk(contentType: "one"))
        let second = try connection.call("/mlops.v1.Testing/Echo", ArtifactChunk(contentType: "two"))
        let requests = try await connection.sent(2)
        #expect(requests.map(\.kind) == [.request, .request] && Set(requests.map(\.streamID)) == [1, 2])
        // Answered out of order: each caller gets its own.
        try await connection.receive(.message, stream: 2, ArtifactChunk(contentType: "answer two"))
        try await connection.receive(.status, stream: 2, Status(code: 0))
        try await connection.receive(.message, stream: 1, ArtifactChunk(contentType: "answer one"))
        try await connection.receive(.status, stream: 1, Status(code: 0))
        #expect(try ArtifactChunk(buffer: try await second.value).contentType == "answer two")
        #expect(try ArtifactChunk(buffer: try await first.value).contentType == "answer one")
        _ = try await connection.channel.finish()
    }

    @Test func aStatusIsTheCallersError() async throws {
        let connection = try await connection()
        let call = try connection.call("/mlops.v1.Testing/Echo", ArtifactChunk())
        _ = try await connection.sent(1)
        try await connection.receive(.status, stream: 1, Status(code: StatusCode.notFound.rawValue, message: "gone"))
        let error = await #expect(throws: RPCError.self) { try await call.value }
        #expect(error?.code == .notFound && error?.message == "gone")
        _ = try await connection.channel.finish()
    }

    @Test func aLostConnectionFailsEveryOpenCallAsUnavailable() async throws {
        let connection = try await connection()
        let calls = try (0..<3).map { _ in try connection.call("/mlops.v1.Testing/Echo", ArtifactChunk()) }
        _ = try await connection.sent(3)
        try await connection.channel.close()
        for call in calls {
            let error = await #expect(throws: RPCError.self) { try await call.value }
            #expect(error?.code == .unavailable && error?.message.hasPrefix("test:1") == true)
        }
    }

    @Test func afterAGoAwayNewCallsNeedAnotherConnection() async throws {
        let connection = try await connection()
        try await connection.receive(.goAway, stream: 0, GoAway(lastStreamId: 0, reason: "shutting down"))
        await connection.channel.testingEventLoop.run()
        #expect(connection.acceptsCalls.withLockedValue { $0 } == false)
        let late = try connection.call("/mlops.v1.Testing/Echo", ArtifactChunk())
        await connection.channel.testingEventLoop.run()
        // Marked as never sent, so the client may try it on another server.
        let notSent = await #expect(throws: CallNotSent.self) { try await late.value }
        #expect(notSent?.error.code == .unavailable)
        _ = try? await connection.channel.finish()
    }
}
