import MLOpsClient
import MLOpsMessages
import MLOpsPostgres
import MLOpsRPC
import MLOpsServiceProtocols
import MLOpsServiceRuntime
import MLOpsTLSTransport
import NIOConcurrencyHelpers
import NIOCore
import Testing

@Suite("Calls over TLS: unary, streaming, errors, deadlines, cancellation", .timeLimit(.minutes(2)))
struct CallTests {
    @Test func unaryEchoAndTheCallersIdentity() async throws {
        try await LiveServer.run(router: .testing) { server in
            let client = try server.client(identity: "retraining-gate")
            let request = ArtifactChunk(data: Array(repeating: 7, count: 200), contentType: "Grüße")
            #expect(try await client.unary(TestMethods.echo, request) == request)
            let mirror = try await client.unary(TestMethods.whoAmI, HealthCheckRequest())
            #expect(mirror.reason == "retraining-gate")
            await client.close()
        }
    }

    @Test func theCallersMetadataReachesTheHandlerWithARequestID() async throws {
        try await LiveServer.run(router: .testing) { server in
            let client = try server.client()
            let sent = ["request-id": "r-42", "tenant": "credit", "trace": "Grüße"]
            let mirrored = try await client.unary(
                TestMethods.mirrorMetadata,
                HealthCheckRequest(),
                options: CallOptions(metadata: sent)
            )
            #expect(mirrored.metadata == sent)
            #expect(mirrored.message == "r-42")

            // Without one, each call gets its own.
            let first = try await client.unary(TestMethods.mirrorMetadata, HealthCheckRequest())
            let second = try await client.unary(TestMethods.mirrorMetadata, HealthCheckRequest())
            #expect(first.metadata.isEmpty)
            #expect(!first.message.isEmpty)
            #expect(first.message != second.message)
            await client.close()
        }
    }

    @Test func serverStreamingDeliversEveryResponseInOrder() async throws {
        try await LiveServer.run(router: .testing) { server in
            let client = try server.client()
            var received: [Int64] = []
            for try await chunk in client.serverStreaming(TestMethods.count, GetArtifactRequest(ref: "50")) {
                received.append(chunk.totalSize)
            }
            #expect(received == Array(0..<50))
            await client.close()
        }
    }

    @Test func leavingAStreamEarlyCancelsTheServersHandler() async throws {
        let (events, continuation) = AsyncStream.makeStream(of: String.self)
        var router = RPCRouter()
        router.registerEndlessCount(pause: .milliseconds(5), reportingCancellationTo: continuation)
        try await LiveServer.run(router: router) { server in
            let client = try server.client()
            var received = 0
            for try await _ in client.serverStreaming(TestMethods.count, GetArtifactRequest()) {
                received += 1
                if received == 3 { break }
            }
            var iterator = events.makeAsyncIterator()
            #expect(await iterator.next() == "cancelled")
            await client.close()
        }
    }

    @Test func aHandlerWritingWithoutPauseStillLetsTheConnectionBeRead() async throws {
        let (events, continuation) = AsyncStream.makeStream(of: String.self)
        var router = RPCRouter.testing
        router.registerEndlessCount(pause: nil, reportingCancellationTo: continuation)
        try await LiveServer.run(router: router) { server in
            let client = try server.client()
            var received = 0
            for try await _ in client.serverStreaming(TestMethods.count, GetArtifactRequest()) {
                received += 1
                if received == 3 { break }
            }
            // The cancel and the next call are read while the handler would still be writing.
            let started = ContinuousClock.now
            var iterator = events.makeAsyncIterator()
            #expect(await iterator.next() == "cancelled")
            let request = ArtifactChunk(contentType: "next")
            #expect(try await client.unary(TestMethods.echo, request, options: .init(timeout: .seconds(30))) == request)
            #expect(ContinuousClock.now - started < .seconds(5))
            await client.close()
        }
    }

    @Test func aStreamToAStalledReaderIsPacedNotBuffered() async throws {
        let written = NIOLockedValueBox(0)
        var router = RPCRouter()
        router.register(
            TestMethods.count,
            streaming: { _, writer, _ in
                let chunk = ArtifactChunk(data: Array(repeating: 0x42, count: 16 * 1024))
                for _ in 0..<20_000 {
                    try await writer.write(chunk)
                    written.withLockedValue { $0 += 1 }
                }
            }
        )
        try await LiveServer.run(router: router) { server in
            let raw = try await RawConnection.tls(port: server.port, server: server)
            var request = ByteBuffer()
            request.writeFrame(kind: .request, streamID: 1) { buffer in
                try! RequestFrame.write(
                    header: RequestHeader(method: TestMethods.count.path),
                    message: try! GetArtifactRequest().serializedBytes(),
                    into: &buffer
                )
            }
            try await raw.sendAndStall(Array(request.readableBytesView), for: .seconds(1))
            // 20,000 × 16 KiB is 320 MB; socket buffers hold a few MB.
            let count = written.withLockedValue { $0 }
            #expect(count > 0)
            #expect(count < 2_000, "\(count) responses written to a client that reads nothing")
        }
    }

    @Test func anUnknownMethodIsUnimplemented() async throws {
        try await LiveServer.run(router: .testing) { server in
            let client = try server.client()
            let missing = RPCMethod<HealthCheckRequest, HealthCheckResponse>(
                service: "mlops.v1.Nothing",
                method: "Here",
                isServerStreaming: false
            )
            let error = await #expect(throws: RPCError.self) { try await client.unary(missing, HealthCheckRequest()) }
            #expect(error?.code == .unimplemented)
            #expect(error?.message.contains("/mlops.v1.Nothing/Here") == true)
            await client.close()
        }
    }

    @Test func aPayloadThatDoesNotDecodeIsInvalidArgument() async throws {
        var router = RPCRouter.testing
        router.register(HealthMethods.check) { request, _ in HealthCheckResponse(reason: request.service) }
        try await LiveServer.run(router: router) { server in
            let client = try server.client()
            // Field 1 as bytes that are not UTF-8, sent where a string is expected.
            let wrongShape = RPCMethod<ArtifactChunk, HealthCheckResponse>(
                service: "mlops.v1.Health",
                method: "Check",
                isServerStreaming: false
            )
            let error = await #expect(throws: RPCError.self) {
                try await client.unary(wrongShape, ArtifactChunk(data: [0xC3, 0x28]))
            }
            #expect(error?.code == .invalidArgument)
            await client.close()
        }
    }

    @Test func handlerErrorsBecomeStatuses() async throws {
        struct Boom: Error, CustomStringConvertible {
            var description: String { "relation \"secret_table\" does not exist" }
        }
        var router = RPCRouter()
        router.register(TestMethods.echo) { request, _ in
            switch request.contentType {
            case "ok": return request
            case "rpc": throw RPCError(code: .notFound, message: "Model Version (name=m, version=9) not found")
            case "caused": throw RPCError.storage(Boom(), retryable: true)
            case "long": throw RPCError(code: .invalidArgument, message: String(repeating: "é", count: 100_000))
            case "refused": throw ServiceRefusal.precondition("upload 7 is already committed")
            case "database":
                throw PostgresError(code: .poolTimeout, message: "no connection to \"secret_db\" within 5 s")
            default: throw Boom()
            }
        }
        try await LiveServer.run(router: router) { server in
            let client = try server.client()
            let notFound = await #expect(throws: RPCError.self) {
                try await client.unary(TestMethods.echo, ArtifactChunk(contentType: "rpc"))
            }
            #expect(notFound?.code == .notFound)
            #expect(notFound?.message == "Model Version (name=m, version=9) not found")
            let unknown = await #expect(throws: RPCError.self) {
                try await client.unary(TestMethods.echo, ArtifactChunk(contentType: "other"))
            }
            // What the handler threw is logged, not sent; the request id lets the caller name the call.
            #expect(unknown?.code == .internal && unknown?.message.contains("secret_table") == false)
            #expect(unknown?.metadata["request-id"]?.isEmpty == false)
            let caused = await #expect(throws: RPCError.self) {
                var options = CallOptions()
                options.metadata["request-id"] = "req-42"
                _ = try await client.unary(TestMethods.echo, ArtifactChunk(contentType: "caused"), options: options)
            }
            #expect(caused?.code == .unavailable && caused?.message.contains("secret_table") == false)
            #expect(caused?.metadata["request-id"] == "req-42" && caused?.message.hasSuffix("(request req-42)") == true)
            let long = await #expect(throws: RPCError.self) {
                try await client.unary(TestMethods.echo, ArtifactChunk(contentType: "long"))
            }
            #expect(long.map { $0.message.utf8.count <= 1_024 && $0.message.hasSuffix("é…") } == true)
            // A service's own error types and the database's become statuses in the server, not in handlers.
            let refused = await #expect(throws: RPCError.self) {
                try await client.unary(TestMethods.echo, ArtifactChunk(contentType: "refused"))
            }
            #expect(refused?.code == .failedPrecondition && refused?.message == "upload 7 is already committed")
            let database = await #expect(throws: RPCError.self) {
                try await client.unary(TestMethods.echo, ArtifactChunk(contentType: "database"))
            }
            #expect(database?.code == .unavailable && database?.message.contains("secret_db") == false)
            #expect(database?.message.hasPrefix("the service's database is unavailable; try again") == true)
            // The connection is fine afterwards.
            #expect(try await client.unary(TestMethods.echo, ArtifactChunk(contentType: "ok")).contentType == "ok")
            await client.close()
        }
    }

    @Test func aDeadlineCancelsTheHandler() async throws {
        let handlerCancelled = AsyncStream.makeStream(of: Bool.self)
        var router = RPCRouter()
        router.register(TestMethods.echo) { request, _ in
            do {
                try await Task.sleep(for: .seconds(30))
            } catch {
                handlerCancelled.continuation.yield(Task.isCancelled)
                throw error
            }
            return request
        }
        try await LiveServer.run(router: router) { server in
            let client = try server.client()
            let started = ContinuousClock.now
            let error = await #expect(throws: RPCError.self) {
                try await client.unary(
                    TestMethods.echo,
                    ArtifactChunk(),
                    options: CallOptions(timeout: .milliseconds(200))
                )
            }
            #expect(error?.code == .deadlineExceeded)
            #expect(ContinuousClock.now - started < .seconds(5))
            var cancellations = handlerCancelled.stream.makeAsyncIterator()
            #expect(await cancellations.next() == true)
            await client.close()
        }
    }

    @Test func aCallWhoseDeadlinePassedBeforeItStartedDoesNotRun() async throws {
        let ran = NIOLockedValueBox(0)
        var router = RPCRouter()
        router.register(TestMethods.echo) { request, _ in
            if request.contentType == "late" { ran.withLockedValue { $0 += 1 } }
            return request
        }
        try await LiveServer.run(router: router) { server in
            let client = try server.client()
            // A microsecond has passed by the time any handler could start.
            for _ in 0..<20 {
                let error = await #expect(throws: RPCError.self) {
                    try await client.unary(
                        TestMethods.echo,
                        ArtifactChunk(contentType: "late"),
                        options: CallOptions(timeout: .microseconds(1))
                    )
                }
                #expect(error?.code == .deadlineExceeded)
            }
            // Calls on one connection start in order: every late one has been decided by now.
            #expect(try await client.unary(TestMethods.echo, ArtifactChunk(contentType: "ok")).contentType == "ok")
            #expect(ran.withLockedValue { $0 } == 0)
            await client.close()
        }
    }

    @Test func cancellingTheCallerCancelsTheHandler() async throws {
        let (events, continuation) = AsyncStream.makeStream(of: String.self)
        var router = RPCRouter()
        router.register(TestMethods.echo) { request, _ in
            continuation.yield("started")
            do {
                try await Task.sleep(for: .seconds(30))
            } catch {
                continuation.yield("cancelled")
                throw error
            }
            return request
        }
        try await LiveServer.run(router: router) { server in
            let client = try server.client()
            let call = Task { try await client.unary(TestMethods.echo, ArtifactChunk()) }
            var iterator = events.makeAsyncIterator()
            #expect(await iterator.next() == "started")
            call.cancel()
            let result = await call.result
            #expect((result.failureValue as? RPCError)?.code == .cancelled)
            #expect(await iterator.next() == "cancelled")
            await client.close()
        }
    }

    @Test func aThousandConcurrentCallsOnOneConnection() async throws {
        try await LiveServer.run(router: .testing) { server in
            let client = try server.client()
            let echoed = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<1000 {
                    group.addTask {
                        let request = ArtifactChunk(contentType: "call \(index)", totalSize: Int64(index))
                        return try await client.unary(TestMethods.echo, request) == request
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(echoed == 1000)
            await client.close()
        }
    }

    @Test func anOversizedRequestIsResourceExhaustedAndTheConnectionLivesOn() async throws {
        try await LiveServer.run(router: .testing, configure: { $0.maximumFrameSize = 64 * 1024 }) { server in
            let client = try server.client()
            let error = await #expect(throws: RPCError.self) {
                try await client.unary(TestMethods.echo, ArtifactChunk(data: Array(repeating: 1, count: 100_000)))
            }
            #expect(error?.code == .resourceExhausted)
            let small = ArtifactChunk(data: Array(repeating: 2, count: 1000))
            #expect(try await client.unary(TestMethods.echo, small) == small)
            await client.close()
        }
    }

    @Test func healthReportsEachService() async throws {
        let health = HealthService(services: ["mlops.v1.ModelRegistry"])
        var router = RPCRouter()
        health.register(in: &router)
        try await LiveServer.run(router: router) { server in
            let client = try server.client()
            let serving = try await client.unary(
                HealthMethods.check,
                HealthCheckRequest(service: "mlops.v1.ModelRegistry")
            )
            #expect(serving.status == .serving)
            health.setStatus(.notServing, for: "mlops.v1.ModelRegistry", reason: "database unreachable")
            let down = try await client.unary(HealthMethods.check, HealthCheckRequest())
            #expect(down.status == .notServing)
            #expect(down.reason.contains("database unreachable"))
            let unknown = try await client.unary(HealthMethods.check, HealthCheckRequest(service: "mlops.v1.Nope"))
            #expect(unknown.status == .unknown)
            await client.close()
        }
    }
}

extension Result {
    var failureValue: Failure? {
        if case .failure(let failure) = self { return failure }
        return nil
    }
}

extension RPCRouter {
    /// `TestMethods.count` as a stream without end, a pause between answers
    /// (or none); says "cancelled" when its handler is.
    fileprivate mutating func registerEndlessCount(
        pause: Duration?,
        reportingCancellationTo events: AsyncStream<String>.Continuation
    ) {
        register(
            TestMethods.count,
            streaming: { _, writer, _ in
                do {
                    for index in 0... {
                        try await writer.write(ArtifactChunk(totalSize: Int64(index)))
                        if let pause { try await Task.sleep(for: pause) }
                    }
                } catch {
                    events.yield("cancelled")
                    throw error
                }
            }
        )
    }
}
