import Foundation
import MLOpsMessages
import MLOpsRPC
import MLOpsTLS
import MLOpsTLSTransport
import MLOpsTestSupport
import NIOConcurrencyHelpers
import NIOCore
import NIOHPACK
import ServiceLifecycle
import Testing

/// gRPC beside our framing on one port: what ALPN chooses, what garbage in
/// HTTP/2 gets, and calls from Python's grpcio as a generic caller.
@Suite("gRPC over HTTP/2 on the server's port", .timeLimit(.minutes(2)))
struct GRPCTransportTests {
    @Test func aClientOfferingBothProtocolsGetsOurFraming() async throws {
        try await LiveServer.run(router: .testing) { server in
            // The client prefers h2; the server's preference, our framing, wins.
            let client = try server.client(
                identity: "admin",
                applicationProtocols: [TLSConfiguration.http2Protocol, TLSConfiguration.rpcProtocol]
            )
            let request = ArtifactChunk(contentType: "framed")
            #expect(try await client.unary(TestMethods.echo, request) == request)
            await client.close()
        }
    }

    @Test func garbageInHTTP2FramesEndsTheConnectionWithAGoAway() async throws {
        try await LiveServer.run(router: .testing) { server in
            let raw = try await RawConnection.tls(
                port: server.port,
                server: server,
                applicationProtocols: [TLSConfiguration.http2Protocol]
            )
            // The client preface, then a frame of an unknown kind on stream 0 with a length beyond any limit.
            let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)
            let answer = try await raw.exchange(
                preface + [0xFF, 0xFF, 0xFF, 0x04, 0, 0, 0, 0, 0] + [UInt8](repeating: 7, count: 64)
            )
            #expect(answer.closed)
            #expect(Self.frameTypes(in: answer.received).contains(0x7), "a GOAWAY before the close")
            try await server.expectHealthy()
        }
    }

    /// A client that resets a stream in the same read as its request gets the
    /// answer written to a stream NIOHTTP2 has already closed: that is the
    /// stream's end, not the connection's (grpcio-reflection's client does this).
    @Test func aStreamResetWithItsRequestLeavesTheConnectionUp() async throws {
        try await LiveServer.run(router: .testing) { server in
            let raw = try await RawConnection.tls(
                port: server.port,
                server: server,
                applicationProtocols: [TLSConfiguration.http2Protocol]
            )
            var encoder = HPACKEncoder(allocator: ByteBufferAllocator())
            var block = ByteBuffer()
            try encoder.encode(
                headers: [
                    ":method": "POST", ":scheme": "https", ":path": TestMethods.echo.path,
                    ":authority": "localhost", "content-type": "application/grpc", "te": "trailers",
                ],
                to: &block
            )
            // A request that ends without its message is refused at once, after NIOHTTP2 has seen the reset.
            let bytes =
                Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8) + Self.frame(type: 0x4, flags: 0, stream: 0, [])
                + Self.frame(type: 0x1, flags: 0x4, stream: 1, Array(block.readableBytesView))
                + Self.frame(type: 0x0, flags: 0x1, stream: 1, [])
                + Self.frame(type: 0x3, flags: 0, stream: 1, [0, 0, 0, 8])
                + Self.frame(type: 0x6, flags: 0, stream: 0, [1, 2, 3, 4, 5, 6, 7, 8])
            let answer = try await raw.exchange(bytes, timeout: .seconds(10)) { received in
                Self.frameTypes(in: received).contains(0x6)  // the PING's ACK
            }
            #expect(!answer.closed, "one reset stream ended the connection")
            #expect(!Self.frameTypes(in: answer.received).contains(0x7), "no GOAWAY")
            try await server.expectHealthy()
        }
    }

    @Test func bytesThatAreNotHTTP2AtAllAreClosed() async throws {
        try await LiveServer.run(router: .testing) { server in
            let raw = try await RawConnection.tls(
                port: server.port,
                server: server,
                applicationProtocols: [TLSConfiguration.http2Protocol]
            )
            let answer = try await raw.exchange(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
            #expect(answer.closed)
            try await server.expectHealthy()
        }
    }

    @Test func identitiesStreamsAndCancellationThroughPythonsGRPC() async throws {
        var router = RPCRouter.testing
        let cancellations = NIOLockedValueBox(0)
        router.register(GRPCStreamHandlerTests.hang) { _, _ in
            do {
                try await Task.sleep(for: .seconds(3600))
            } catch {
                cancellations.withLockedValue { $0 += 1 }
                throw error
            }
            return ArtifactChunk()
        }
        try await LiveServer.run(router: router) { server in
            let python = try PythonGRPCCaller(server: server, identities: ["admin", "trainer"])
            defer { python.stop() }

            let whoAmI = try await python.call(TestMethods.whoAmI.path, HealthCheckRequest(), identity: "trainer")
            #expect(whoAmI.code == "OK")
            #expect(try HealthCheckResponse(serializedBytes: whoAmI.responses.first ?? []).reason == "trainer")

            let counted = try await python.call(TestMethods.count.path, GetArtifactRequest(ref: "50"), stream: true)
            #expect(counted.code == "OK")
            #expect(try counted.responses.map { try ArtifactChunk(serializedBytes: $0).totalSize } == Array(0..<50))

            // A stream the client cancels after three answers: the handler stops writing.
            let cancelled = try await python.call(
                TestMethods.count.path,
                GetArtifactRequest(ref: "100000000"),
                stream: true,
                cancelAfter: 3
            )
            #expect(cancelled.code == "CANCELLED" && cancelled.responses.count >= 3)
            // A handler that writes without end still yields its loop: the first answers leave at once.
            #expect(cancelled.seconds < 5)

            let late = try await python.call(GRPCStreamHandlerTests.hang.path, ArtifactChunk(), timeout: 0.3)
            #expect(late.code == "DEADLINE_EXCEEDED")
            for _ in 0..<500 where cancellations.withLockedValue({ $0 }) == 0 {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(cancellations.withLockedValue { $0 } == 1, "the handler of a call past its deadline is cancelled")

            let compressed = try await python.call(
                TestMethods.echo.path,
                ArtifactChunk(contentType: "z"),
                compression: true
            )
            #expect(compressed.code == "UNIMPLEMENTED" && compressed.details.contains("gzip"), "\(compressed)")
            try await server.expectHealthy()
        }
    }

    @Test func aGracefulShutdownLetsGRPCCallsInFlightFinish() async throws {
        let held = HeldCalls()
        var router = RPCRouter.testing
        held.register(in: &router)
        try await LiveServer.runInServiceGroup(router: router) { live, group in
            let inFlight = try PythonGRPCCaller(server: live, identities: ["admin"])
            let later = try PythonGRPCCaller(server: live, identities: ["admin"])
            defer {
                inFlight.stop()
                later.stop()
            }
            #expect(try await later.call(TestMethods.whoAmI.path, HealthCheckRequest()).code == "OK")
            async let heldResult = inFlight.call(HeldCalls.method.path, ArtifactChunk(contentType: "held"), timeout: 30)
            await held.waitForStarts(1)

            // What SIGTERM does: GOAWAY to every connection, no new calls, in-flight ones finish.
            await group.triggerGracefulShutdown()
            var refused = "OK"
            for _ in 0..<100 where refused == "OK" {
                refused = try await later.call(TestMethods.whoAmI.path, HealthCheckRequest(), timeout: 5).code
                if refused == "OK" { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(refused == "UNAVAILABLE")

            held.release(1)
            let finished = try await heldResult
            #expect(finished.code == "OK", "\(finished)")
            #expect(try ArtifactChunk(serializedBytes: finished.responses.first ?? []).contentType == "held")
        }
    }

    private static func frame(type: UInt8, flags: UInt8, stream: UInt32, _ payload: [UInt8]) -> [UInt8] {
        let length = payload.count
        return [UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF), type, flags]
            + withUnsafeBytes(of: stream.bigEndian, Array.init) + payload
    }

    /// The frame types of an HTTP/2 byte stream (after any TLS), in order.
    private static func frameTypes(in bytes: [UInt8]) -> [UInt8] {
        var types: [UInt8] = []
        var index = 0
        while index + 9 <= bytes.count {
            let length = Int(bytes[index]) << 16 | Int(bytes[index + 1]) << 8 | Int(bytes[index + 2])
            types.append(bytes[index + 3])
            index += 9 + length
        }
        return types
    }
}

/// `GRPC/grpc_raw_caller.py`: Python's grpcio calling any method with the
/// bytes given, one JSON command per line.
final class PythonGRPCCaller: @unchecked Sendable {
    struct Result: Decodable, CustomStringConvertible {
        var code: String
        var details: String
        var trailers: [String: String]
        var responsesHex: [String]
        var seconds: Double

        enum CodingKeys: String, CodingKey {
            case code, details, trailers, seconds
            case responsesHex = "responses"
        }

        var responses: [[UInt8]] {
            responsesHex.map { hex in
                stride(from: 0, to: hex.count, by: 2).map { offset in
                    let start = hex.index(hex.startIndex, offsetBy: offset)
                    return UInt8(hex[start..<hex.index(start, offsetBy: 2)], radix: 16)!
                }
            }
        }

        var description: String { "\(code): \(details)" }
    }

    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let lock = NSLock()
    private var buffered = Data()

    init(server: LiveServer, identities: [String]) throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("GRPC/grpc_raw_caller.py")
        var arguments = [
            "python3", script.path, "--target", "127.0.0.1:\(server.port)", "--ca", server.authority.authorityPath,
        ]
        for identity in identities {
            let issued = try server.authority.issue(commonName: identity)
            arguments += ["--identity", "\(identity)=\(issued.certificatePath),\(issued.keyPath)"]
        }
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardInput = input
        process.standardOutput = output
        try process.run()
    }

    func call(
        _ path: String,
        _ request: some ProtobufMessage,
        identity: String = "admin",
        timeout: Double? = nil,
        stream: Bool = false,
        cancelAfter: Int? = nil,
        compression: Bool = false,
        metadata: [(String, String)] = []
    ) async throws -> Result {
        var command: [String: Any] = [
            "path": path,
            "request": try request.serializedBytes().map { String(format: "%02x", $0) }.joined(),
            "identity": identity, "stream": stream, "compression": compression,
            "metadata": metadata.map { [$0.0, $0.1] },
        ]
        if let timeout { command["timeout"] = timeout }
        if let cancelAfter { command["cancel_after"] = cancelAfter }
        let line = try JSONSerialization.data(withJSONObject: command) + Data("\n".utf8)
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Swift.Result { try self.exchange(line) })
            }
        }
    }

    private func exchange(_ line: Data) throws -> Result {
        lock.lock()
        defer { lock.unlock() }
        input.fileHandleForWriting.write(line)
        while true {
            if let newline = buffered.firstIndex(of: UInt8(ascii: "\n")) {
                let answer = buffered[..<newline]
                buffered = Data(buffered[(newline + 1)...])
                return try JSONDecoder().decode(Result.self, from: answer)
            }
            let more = output.fileHandleForReading.availableData
            guard !more.isEmpty else { throw PythonCallerExited() }
            buffered.append(more)
        }
    }

    /// Ends the client and waits for it (Foundation holds a process it has not
    /// seen exit). SIGKILL: a child started from a thread that blocks signals
    /// inherits the mask, and ignores SIGTERM.
    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

struct PythonCallerExited: Error {}
