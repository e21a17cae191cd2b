import MLOpsMessages
import MLOpsRPC
import NIOConcurrencyHelpers
import Testing

@Suite("Calls in process: the call machinery without sockets or certificates", .timeLimit(.minutes(2)))
struct InProcessChannelTests {
    private func channel(_ identity: String? = "trainer", _ extra: (inout RPCRouter) -> Void = { _ in })
        -> InProcessChannel
    {
        var router = RPCRouter.testing
        extra(&router)
        return InProcessChannel(services: [router], identity: identity)
    }

    @Test func unaryAndStreamingCallsAsAnIdentity() async throws {
        let trainer = channel("trainer")
        let echoed = try await trainer.unary(TestMethods.echo, ArtifactChunk(data: [1, 2, 3], contentType: "x"))
        #expect(echoed == ArtifactChunk(data: [1, 2, 3], contentType: "x"))
        #expect(try await trainer.unary(TestMethods.whoAmI, HealthCheckRequest()).reason == "trainer")
        #expect(try await channel(nil).unary(TestMethods.whoAmI, HealthCheckRequest()).reason == "anonymous")
        var options = CallOptions()
        options.metadata["request-id"] = "req-7"
        let mirrored = try await trainer.unary(TestMethods.mirrorMetadata, HealthCheckRequest(), options: options)
        #expect(mirrored.message == "req-7")
        var sizes: [Int64] = []
        for try await chunk in trainer.serverStreaming(TestMethods.count, GetArtifactRequest(ref: "4")) {
            sizes.append(chunk.totalSize)
        }
        #expect(sizes == [0, 1, 2, 3])
    }

    @Test func failuresBecomeStatusesAsOnTheWire() async throws {
        let refusing = channel { router in
            router.register(TestMethods.echo) { _, _ in throw ServiceRefusal.notFound("no such thing") }
        }
        let refused = await #expect(throws: RPCError.self) {
            try await refusing.unary(TestMethods.echo, ArtifactChunk())
        }
        #expect(refused?.code == .notFound && refused?.message == "no such thing")
        let unknown = RPCMethod<ArtifactChunk, ArtifactChunk>(
            service: "mlops.v1.Nope",
            method: "X",
            isServerStreaming: false
        )
        let unimplemented = await #expect(throws: RPCError.self) {
            try await refusing.unary(unknown, ArtifactChunk())
        }
        #expect(unimplemented?.code == .unimplemented)
    }

    @Test func aDeadlineCancelsTheHandlerAndAnswersAtOnce() async throws {
        let events = NIOLockedValueBox<[String]>([])
        let slow = channel { router in
            router.register(TestMethods.echo) { request, _ in
                events.withLockedValue { $0.append("started") }
                do {
                    try await Task.sleep(for: .seconds(3600))  // only a cancel ends it
                } catch {
                    events.withLockedValue { $0.append("cancelled") }
                    throw error
                }
                return request
            }
        }
        let started = ContinuousClock.now
        let late = await #expect(throws: RPCError.self) {
            try await slow.unary(TestMethods.echo, ArtifactChunk(), options: CallOptions(timeout: .milliseconds(300)))
        }
        #expect(late?.code == .deadlineExceeded)
        // Answered by the deadline, not by the handler: a bound far from both, for a starved machine.
        #expect(ContinuousClock.now - started < .seconds(60))
        // A handler that started is cancelled; one whose deadline passed before it started never runs.
        for _ in 0..<500 where events.withLockedValue({ $0 }) == ["started"] {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(events.withLockedValue { $0 } == ["started", "cancelled"] || events.withLockedValue { $0 }.isEmpty)
    }

    @Test func aCallerThatGivesUpCancelsTheHandler() async throws {
        let (starts, started) = AsyncStream.makeStream(of: Void.self)
        let cancelled = NIOLockedValueBox(false)
        let channel = channel { router in
            router.register(TestMethods.echo) { request, _ in
                started.yield()
                do {
                    try await Task.sleep(for: .seconds(10))
                } catch {
                    cancelled.withLockedValue { $0 = true }
                    throw error
                }
                return request
            }
        }
        let call = Task { try await channel.unary(TestMethods.echo, ArtifactChunk()) }
        for await _ in starts { break }
        call.cancel()
        let error = await #expect(throws: RPCError.self) { try await call.value }
        #expect(error?.code == .cancelled)
        for _ in 0..<500 where !cancelled.withLockedValue({ $0 }) {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(cancelled.withLockedValue { $0 })
    }
}
