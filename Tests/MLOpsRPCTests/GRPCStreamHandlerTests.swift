import Logging
import MLOpsMessages
import MLOpsRPC
import MLOpsTLS
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import NIOHPACK
import NIOHTTP2
import Testing

@testable import MLOpsTLSTransport

/// One gRPC stream's handler alone, on a testing channel: HTTP/2 frame
/// payloads in as NIOHTTP2's multiplexer passes them on, payloads out.
@Suite("A gRPC stream's handler on a testing channel", .timeLimit(.minutes(1)))
struct GRPCStreamHandlerTests {
    /// A method whose calls wait until cancelled, and say when they were.
    static let hang = RPCMethod<ArtifactChunk, ArtifactChunk>(
        service: "mlops.v1.Testing",
        method: "Hang",
        isServerStreaming: false
    )

    /// A bidirectional method answering each message with itself.
    static let echoEach = RPCMethod<ArtifactChunk, ArtifactChunk>(
        service: "mlops.v1.Testing",
        method: "EchoEach",
        isServerStreaming: true
    )

    private let cancelled = NIOLockedValueBox(false)

    private func stream(
        maximumMessageSize: Int = 1 << 20,
        sharing connection: (loop: NIOAsyncTestingEventLoop, budget: NIOLoopBound<GRPCRequestBudget>)? = nil
    ) async throws -> NIOAsyncTestingChannel {
        let channel = connection.map { NIOAsyncTestingChannel(loop: $0.loop) } ?? NIOAsyncTestingChannel()
        var router = RPCRouter.testing
        let cancelled = self.cancelled
        router.register(Self.hang) { _, _ in
            do {
                try await Task.sleep(for: .seconds(3600))
            } catch {
                cancelled.withLockedValue { $0 = true }
                throw error
            }
            return ArtifactChunk()
        }
        router.registerExchange(Self.echoEach) { request, _ in request }
        var configuration = RPCServerConfiguration(
            host: "127.0.0.1",
            port: 0,
            tls: .server(certificateChainPath: "", privateKeyPath: "", trustRootsPath: "")
        )
        configuration.maximumFrameSize = maximumMessageSize
        let loop = channel.testingEventLoop
        var budget = connection?.budget
        if budget == nil {
            budget = try await loop.submit {
                NIOLoopBound(GRPCRequestBudget(limit: 4 * maximumMessageSize), eventLoop: loop)
            }.get()
        }
        let environment = GRPCConnectionEnvironment(
            router: router,
            configuration: configuration,
            peer: PeerIdentity(commonName: "trainer"),
            calls: ServerCallTasks(executor: EventLoopTaskExecutor(channel.testingEventLoop)),
            activity: ConnectionActivity(),
            logger: Logger(label: "test"),
            connectionTag: "t",
            requestBudget: budget!
        )
        try await channel.testingEventLoop.submit {
            try channel.pipeline.syncOperations.addHandler(
                GRPCServerStreamHandler(environment: environment, streamID: 1)
            )
        }.get()
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1))
        return channel
    }

    private func requestHeaders(
        _ path: String,
        extra: [(String, String)] = [],
        method: String = "POST",
        contentType: String = "application/grpc+proto",
        endStream: Bool = false
    ) -> HTTP2Frame.FramePayload {
        var headers: HPACKHeaders = [
            ":method": method, ":scheme": "https", ":path": path, ":authority": "localhost",
            "content-type": contentType, "te": "trailers",
        ]
        for (name, value) in extra { headers.add(name: name, value: value) }
        return .headers(.init(headers: headers, endStream: endStream))
    }

    private func message(_ message: some ProtobufMessage, flag: UInt8 = 0, endStream: Bool = true) throws
        -> HTTP2Frame.FramePayload
    {
        let bytes = try message.serializedBytes()
        var buffer = ByteBuffer()
        buffer.writeInteger(flag)
        buffer.writeInteger(UInt32(bytes.count))
        buffer.writeBytes(bytes)
        return .data(.init(data: .byteBuffer(buffer), endStream: endStream))
    }

    /// What the handler wrote, once its trailers (a HEADERS with END_STREAM) have come.
    private func response(_ channel: NIOAsyncTestingChannel) async throws -> [HTTP2Frame.FramePayload] {
        var written: [HTTP2Frame.FramePayload] = []
        for _ in 0..<5000 {  // up to ~10 s, for a starved machine
            await channel.testingEventLoop.run()
            while let payload = try await channel.readOutbound(as: HTTP2Frame.FramePayload.self) {
                written.append(payload)
                if case .headers(let headers) = payload, headers.endStream { return written }
            }
            try await Task.sleep(for: .milliseconds(2))
        }
        Issue.record("no trailers after \(written.count) payloads")
        return written
    }

    private func trailers(_ written: [HTTP2Frame.FramePayload]) -> HPACKHeaders {
        guard case .headers(let headers) = written.last else { return [:] }
        return headers.headers
    }

    private func messages(_ written: [HTTP2Frame.FramePayload]) -> [ByteBuffer] {
        written.compactMap { payload in
            guard case .data(let data) = payload, case .byteBuffer(var buffer) = data.data else { return nil }
            buffer.moveReaderIndex(forwardBy: 5)
            return buffer
        }
    }

    @Test func aUnaryCallAnswersWithHeadersMessageAndTrailers() async throws {
        let channel = try await stream()
        try await channel.writeInbound(requestHeaders(TestMethods.whoAmI.path))
        try await channel.writeInbound(try message(HealthCheckRequest()))
        let written = try await response(channel)
        #expect(written.count == 3)
        guard case .headers(let head) = written.first else {
            Issue.record("no response headers")
            return
        }
        #expect(head.headers.first(name: ":status") == "200" && !head.endStream)
        #expect(head.headers.first(name: "content-type") == "application/grpc")
        #expect(try HealthCheckResponse(buffer: messages(written)[0]).reason == "trainer")
        #expect(trailers(written).first(name: "grpc-status") == "0")
        _ = try await channel.finish()
    }

    @Test func anExchangeAnswersEachMessageBeforeTheCallerEndsItsSide() async throws {
        let channel = try await stream()
        try await channel.writeInbound(requestHeaders(Self.echoEach.path))
        try await channel.writeInbound(try message(ArtifactChunk(contentType: "first"), endStream: false))
        await channel.testingEventLoop.run()
        var early: [HTTP2Frame.FramePayload] = []
        while let payload = try await channel.readOutbound(as: HTTP2Frame.FramePayload.self) { early.append(payload) }
        #expect(early.count == 2, "headers and the first answer, with the stream still open")
        #expect(try messages(early).map { try ArtifactChunk(buffer: $0).contentType } == ["first"])

        try await channel.writeInbound(try message(ArtifactChunk(contentType: "second"), endStream: true))
        let rest = try await response(channel)
        #expect(try messages(rest).map { try ArtifactChunk(buffer: $0).contentType } == ["second"])
        #expect(trailers(rest).first(name: "grpc-status") == "0")
        _ = try await channel.finish()
    }

    /// Questions are small and answers may be large: a caller that asks
    /// faster than it reads must not pile answers up in the server's memory.
    @Test func anExchangeWhoseAnswersAreNotReadIsEnded() async throws {
        let channel = try await stream()
        try await channel.writeInbound(requestHeaders(Self.echoEach.path))
        channel.isWritable = false
        try await channel.writeInbound(try message(ArtifactChunk(contentType: "unread"), endStream: false))
        let written = try await response(channel)
        #expect(trailers(written).first(name: "grpc-status") == String(StatusCode.resourceExhausted.rawValue))
        #expect(messages(written).isEmpty, "no answer was written into the full buffer")
        _ = try await channel.finish()
    }

    @Test func anExchangeRefusesAMessageThatDoesNotDecode() async throws {
        let channel = try await stream()
        try await channel.writeInbound(requestHeaders(Self.echoEach.path))
        var garbage = ByteBuffer()
        garbage.writeInteger(UInt8(0))
        garbage.writeInteger(UInt32(3))
        garbage.writeBytes([0xFF, 0xFF, 0xFF])
        try await channel.writeInbound(HTTP2Frame.FramePayload.data(.init(data: .byteBuffer(garbage))))
        let written = try await response(channel)
        #expect(trailers(written).first(name: "grpc-status") == String(StatusCode.invalidArgument.rawValue))
        _ = try await channel.finish()
    }

    @Test func aMessageSplitAcrossDataFramesIsReassembled() async throws {
        let channel = try await stream()
        try await channel.writeInbound(requestHeaders(TestMethods.echo.path))
        guard case .data(let whole) = try message(ArtifactChunk(contentType: "in pieces")),
            case .byteBuffer(var bytes) = whole.data
        else { return }
        while bytes.readableBytes > 0 {
            let piece = bytes.readSlice(length: min(3, bytes.readableBytes))!
            try await channel.writeInbound(HTTP2Frame.FramePayload.data(.init(data: .byteBuffer(piece))))
        }
        try await channel.writeInbound(
            HTTP2Frame.FramePayload.data(.init(data: .byteBuffer(ByteBuffer()), endStream: true))
        )
        let written = try await response(channel)
        #expect(try ArtifactChunk(buffer: messages(written)[0]).contentType == "in pieces")
        _ = try await channel.finish()
    }

    @Test func metadataReachesTheHandler() async throws {
        let channel = try await stream()
        try await channel.writeInbound(
            requestHeaders(TestMethods.mirrorMetadata.path, extra: [("request-id", "r-9"), ("x-team", "py")])
        )
        try await channel.writeInbound(try message(HealthCheckRequest()))
        let status = try Status(buffer: messages(try await response(channel))[0])
        #expect(status.message == "r-9")
        #expect(
            status.metadata == ["request-id": "r-9", "x-team": "py"],
            "pseudo-headers and gRPC's own are not metadata"
        )
        _ = try await channel.finish()
    }

    @Test func theServerEndsACallAtItsGRPCTimeout() async throws {
        let channel = try await stream()
        try await channel.writeInbound(requestHeaders(Self.hang.path, extra: [("grpc-timeout", "10S")]))
        try await channel.writeInbound(try message(ArtifactChunk()))
        await channel.testingEventLoop.run()
        // The loop's time is the test's to move; the clock's (the call's own check) barely moves.
        await channel.testingEventLoop.advanceTime(by: .milliseconds(9999))
        #expect(try await channel.readOutbound(as: HTTP2Frame.FramePayload.self) == nil)
        await channel.testingEventLoop.advanceTime(by: .milliseconds(1))
        let written = try await response(channel)
        #expect(written.count == 1, "trailers only")
        #expect(trailers(written).first(name: "grpc-status") == "4")
        #expect(
            trailers(written).first(name: "grpc-message")?.contains("did not finish within its 10000.0 ms deadline")
                == true
        )
        try await expectEventually(channel) { cancelled.withLockedValue { $0 } }
        _ = try await channel.finish()
    }

    @Test func aResetFromTheClientCancelsTheCall() async throws {
        let channel = try await stream()
        try await channel.writeInbound(requestHeaders(Self.hang.path))
        try await channel.writeInbound(try message(ArtifactChunk()))
        await channel.testingEventLoop.run()
        try await channel.writeInbound(HTTP2Frame.FramePayload.rstStream(.cancel))
        try await expectEventually(channel) { cancelled.withLockedValue { $0 } }
        _ = try await channel.finish()
    }

    @Test(
        "requests the server refuses get a status, not a crash",
        arguments: [
            (RefusedRequest.unknownMethod, "200", "12"),
            (.compressedMessage, "200", "12"),
            (.gzipEncoding, "200", "12"),
            (.oversizedMessage, "200", "8"),
            (.twoMessages, "200", "3"),
            (.noMessage, "200", "3"),
            (.malformedTimeout, "200", "3"),
            (.notGRPC, "415", "3"),
            (.notPOST, "405", "12"),
            (.garbageMessage, "200", "3"),
        ]
    )
    func refusals(request: RefusedRequest, httpStatus: String, grpcStatus: String) async throws {
        let channel = try await stream(maximumMessageSize: 1024)
        let echo = TestMethods.echo.path
        switch request {
        case .unknownMethod:
            try await channel.writeInbound(requestHeaders("/mlops.v1.Nope/Nothing"))
        case .compressedMessage:
            try await channel.writeInbound(requestHeaders(echo))
            try await channel.writeInbound(try message(ArtifactChunk(), flag: 1))
        case .gzipEncoding:
            try await channel.writeInbound(requestHeaders(echo, extra: [("grpc-encoding", "gzip")]))
        case .oversizedMessage:
            try await channel.writeInbound(requestHeaders(echo))
            try await channel.writeInbound(try message(ArtifactChunk(contentType: String(repeating: "x", count: 2000))))
        case .twoMessages:
            try await channel.writeInbound(requestHeaders(echo))
            try await channel.writeInbound(try message(ArtifactChunk(), endStream: false))
            try await channel.writeInbound(try message(ArtifactChunk()))
        case .noMessage:
            try await channel.writeInbound(requestHeaders(echo, endStream: true))
        case .malformedTimeout:
            try await channel.writeInbound(requestHeaders(echo, extra: [("grpc-timeout", "1000000000S")]))
        case .notGRPC:
            try await channel.writeInbound(requestHeaders(echo, contentType: "application/json"))
        case .notPOST:
            try await channel.writeInbound(requestHeaders(echo, method: "GET", endStream: true))
        case .garbageMessage:
            try await channel.writeInbound(requestHeaders(echo))
            var garbage = ByteBuffer(bytes: [0, 0, 0, 0, 4, 0xFF, 0xFF, 0xFF, 0xFF])
            try await channel.writeInbound(
                HTTP2Frame.FramePayload.data(.init(data: .byteBuffer(garbage), endStream: true))
            )
            garbage.clear()
        }
        let written = try await response(channel)
        #expect(written.count == 1, "trailers only")
        let trailers = trailers(written)
        #expect(trailers.first(name: ":status") == httpStatus)
        #expect(trailers.first(name: "grpc-status") == grpcStatus, "\(trailers)")
        #expect(!(trailers.first(name: "grpc-message") ?? "").isEmpty)
        _ = try await channel.finish()
    }

    @Test func requestsArrivingAtOnceOnAConnectionAreBounded() async throws {
        let loop = NIOAsyncTestingEventLoop()
        let budget = try await loop.submit { NIOLoopBound(GRPCRequestBudget(limit: 4096), eventLoop: loop) }.get()
        // Half-sent requests: a prefix announcing 1000 bytes, and 900 of them.
        var partial = ByteBuffer()
        partial.writeInteger(UInt8(0))
        partial.writeInteger(UInt32(1000))
        partial.writeRepeatingByte(0x41, count: 900)
        var streams: [NIOAsyncTestingChannel] = []
        for _ in 0..<4 {
            let stream = try await stream(maximumMessageSize: 1024, sharing: (loop, budget))
            try await stream.writeInbound(requestHeaders(TestMethods.echo.path))
            try await stream.writeInbound(HTTP2Frame.FramePayload.data(.init(data: .byteBuffer(partial))))
            streams.append(stream)
        }
        let fifth = try await stream(maximumMessageSize: 1024, sharing: (loop, budget))
        try await fifth.writeInbound(requestHeaders(TestMethods.echo.path))
        try await fifth.writeInbound(HTTP2Frame.FramePayload.data(.init(data: .byteBuffer(partial))))
        let trailers = trailers(try await response(fifth))
        #expect(trailers.first(name: "grpc-status") == "8")
        #expect(trailers.first(name: "grpc-message")?.contains("4096 bytes of requests") == true)
        // A stream that ends gives its share back.
        _ = try await streams[0].finish()
        #expect(try await loop.submit { budget.value.buffered }.get() == 3 * 905)
        for stream in streams.dropFirst() { _ = try await stream.finish() }
        _ = try await fifth.finish()
        #expect(try await loop.submit { budget.value.buffered }.get() == 0)
    }

    @Test func aFailureCarriesItsRequestIDAndAnEncodedMessage() async throws {
        let channel = try await stream()
        try await channel.writeInbound(
            requestHeaders("/mlops.v1.Nope/Ünïcode 100%", extra: [("request-id", "r-1")], endStream: true)
        )
        let trailers = trailers(try await response(channel))
        let message = try #require(trailers.first(name: "grpc-message"))
        #expect(message.utf8.allSatisfy { $0 >= 0x20 && $0 <= 0x7E })
        #expect(GRPCStatusMessage.decode(message) == "unknown method /mlops.v1.Nope/Ünïcode 100%")
        _ = try await channel.finish()
    }

    /// Turns the channel's loop, where calls run, until `condition` holds (up to ~10 s).
    private func expectEventually(_ channel: NIOAsyncTestingChannel, _ condition: () -> Bool) async throws {
        for _ in 0..<1000 where !condition() {
            await channel.testingEventLoop.run()
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(condition())
    }
}

enum RefusedRequest: Sendable, CustomTestStringConvertible {
    case unknownMethod, compressedMessage, gzipEncoding, oversizedMessage, twoMessages, noMessage
    case malformedTimeout, notGRPC, notPOST, garbageMessage

    var testDescription: String { "\(self)" }
}
