import GateService
import Synchronization
import Testing

@Suite(
    "The gate's cache of its peers' answers: one fetch at a time, no caller queued behind a refresh",
    .timeLimit(.minutes(1))
)
struct ExpiringCacheTests {
    /// A fetch held until the test lets it go, counting how often it was started.
    final class HeldFetch: Sendable {
        let started = Atomic<Int>(0)
        private let release = AsyncStream<Void>.makeStream()

        func fetch(_ value: String) async -> String {
            started.add(1, ordering: .relaxed)
            for await _ in release.stream { break }
            return value
        }

        func letGo() { release.continuation.finish() }
    }

    @Test func missesAtTheSameTimeShareOneFetch() async throws {
        let cache = ExpiringCache<String>(lifetime: .seconds(60))
        let held = HeldFetch()
        try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<10 { group.addTask { try await cache.value("m") { await held.fetch("a") } } }
            while held.started.load(ordering: .relaxed) == 0 { try await Task.sleep(for: .milliseconds(5)) }
            try await Task.sleep(for: .milliseconds(50))
            held.letGo()
            for try await value in group { #expect(value == "a") }
        }
        #expect(held.started.load(ordering: .relaxed) == 1)
    }

    /// A clock moved by hand: the tests say when a value has expired, whatever the machine's load.
    final class HandClock: Sendable {
        private let start = ContinuousClock.now
        private let elapsed = Atomic<Int64>(0)

        func now() -> ContinuousClock.Instant { start + .milliseconds(elapsed.load(ordering: .relaxed)) }
        func advance(_ milliseconds: Int64) { elapsed.add(milliseconds, ordering: .relaxed) }
    }

    @Test func anExpiredValueIsAnsweredAtOnceWhileOneFetchRefreshesIt() async throws {
        let clock = HandClock()
        let cache = ExpiringCache<String>(lifetime: .seconds(5), servingStale: true, now: clock.now)
        #expect(try await cache.value("m") { "old" } == "old")
        clock.advance(6_000)  // expired, and within one more lifetime
        let held = HeldFetch()
        // The refresh cannot finish until let go, so these answers cannot have waited for it.
        #expect(try await cache.value("m") { await held.fetch("new") } == "old")
        #expect(try await cache.value("m") { await held.fetch("newer") } == "old")
        while held.started.load(ordering: .relaxed) == 0 { try await Task.sleep(for: .milliseconds(5)) }
        try await Task.sleep(for: .milliseconds(50))
        #expect(held.started.load(ordering: .relaxed) == 1, "one refresh, not one per caller")
        held.letGo()
        var answer = "old"
        for _ in 0..<100 where answer == "old" {
            try await Task.sleep(for: .milliseconds(10))
            answer = try await cache.value("m") { "unexpected" }
        }
        #expect(answer == "new")
    }

    @Test func withoutServingStaleAnExpiredValueIsFetchedAgainAndAFailureIsNotKept() async throws {
        struct Unreachable: Error {}
        let clock = HandClock()
        let cache = ExpiringCache<String>(lifetime: .seconds(5), now: clock.now)
        #expect(try await cache.value("m") { "first" } == "first")
        clock.advance(4_000)
        #expect(try await cache.value("m") { "unexpected" } == "first")
        clock.advance(2_000)
        await #expect(throws: Unreachable.self) { try await cache.value("m") { throw Unreachable() } }
        #expect(try await cache.value("m") { "second" } == "second")
    }
}
