import Testing

@testable import LoadGeneration

/// Runs against a stand-in server whose delay the test controls: a few
/// milliseconds a call, and a stall that holds every call arriving during it
/// until it ends. Counts are exact by construction; times get the slack a
/// busy two-core machine needs. `scripts/test.sh` runs this suite alone: in
/// parallel with hundreds of other tests, a call can wait a second for a core.
@Suite("Load tests: open and closed loops against a server with a known delay")
struct LoadRunTests {
    /// A server taking `delay` a call, that stalls from `stallStart` to `stallEnd` (if given).
    struct StandInServer: Sendable {
        var delay: Duration = .milliseconds(2)
        var stall: Range<ContinuousClock.Instant>?

        func call() async throws {
            let now = ContinuousClock.now
            if let stall, stall.contains(now) { try await Task.sleep(until: stall.upperBound, clock: .continuous) }
            try await Task.sleep(for: delay)
        }
    }

    @Test func anOpenLoopHoldsItsRate() async {
        let server = StandInServer()
        let report = await LoadRun.run(LoadPlan(model: .open(rate: 200), duration: .seconds(3))) { _ in
            try await server.call()
        }
        #expect(abs(Double(report.sent) - 600) <= 600 * 0.02, "sent \(report.sent)")
        #expect(abs(report.achievedRate - 200) <= 200 * 0.02, "achieved \(report.achievedRate)/s")
        #expect(report.failed == 0 && report.targetRate.map { abs($0 - 200) < 4 } == true)
    }

    /// Coordinated omission, shown: the open loop's p99 holds the stall, the
    /// closed loop's hides it (its callers waited instead of calling).
    @Test func aStallShowsInTheOpenLoopsP99AndHidesInTheClosedLoops() async {
        let stallFor = Duration.seconds(1)
        let openStart = ContinuousClock.now
        let openServer = StandInServer(stall: (openStart + .seconds(1))..<(openStart + .seconds(1) + stallFor))
        let open = await LoadRun.run(LoadPlan(model: .open(rate: 200), duration: .seconds(3))) { _ in
            try await openServer.call()
        }
        let closedStart = ContinuousClock.now
        let closedServer = StandInServer(stall: (closedStart + .seconds(1))..<(closedStart + .seconds(1) + stallFor))
        let closed = await LoadRun.run(LoadPlan(model: .closed(concurrency: 4), duration: .seconds(3))) { _ in
            try await closedServer.call()
        }
        // A third of the open loop's calls were due during the stall: its p99 waited most of it.
        #expect(open.milliseconds(atPercentile: 99) >= 800, "open p99 \(open.milliseconds(atPercentile: 99)) ms")
        #expect(open.milliseconds(atPercentile: 90) >= 500, "open p90 \(open.milliseconds(atPercentile: 90)) ms")
        // Only the 4 calls in flight saw the stall, among hundreds.
        #expect(closed.milliseconds(atPercentile: 99) < 100, "closed p99 \(closed.milliseconds(atPercentile: 99)) ms")
        #expect(closed.slowestMilliseconds >= 800)
    }

    @Test func failuresAreCountedByStatus() async {
        struct Refused: Error {}
        let report = await LoadRun.run(
            LoadPlan(model: .closed(concurrency: 2), total: 100),
            classify: { _ in ("UNAVAILABLE", "refused") }
        ) { index in
            if index % 10 == 0 { throw Refused() }
        }
        #expect(report.sent == 100 && report.succeeded + report.failed == 100)
        #expect(report.failed == 10, "every tenth call fails")
        #expect(report.statuses == [.init(code: "UNAVAILABLE", count: 10, example: "refused")])
    }

    @Test func aClosedLoopStopsAtItsTotal() async {
        let report = await LoadRun.run(LoadPlan(model: .closed(concurrency: 8), total: 1_000)) { _ in }
        #expect(report.sent == 1_000 && report.succeeded == 1_000 && report.unfinished == 0)
    }

    @Test func anOpenLoopStopsAtItsTotal() async {
        let report = await LoadRun.run(LoadPlan(model: .open(rate: 1_000), total: 300)) { _ in }
        #expect(report.sent == 300 && report.succeeded == 300)
    }

    @Test func aRunEndsOnTimeWhenTheServerStopsAnswering() async {
        let started = ContinuousClock.now
        let plan = LoadPlan(model: .open(rate: 100), duration: .seconds(1), grace: .milliseconds(500))
        let report = await LoadRun.run(plan) { _ in
            try await Task.sleep(for: .seconds(3_600))
        }
        // Not the hour the server would take: the duration, the grace and a busy machine's slack.
        #expect(ContinuousClock.now - started < .seconds(10), "the run waited for the server")
        #expect(report.succeeded == 0 && report.failed == 0 && report.unfinished == report.sent && report.sent >= 90)
    }

    /// Calls in flight when the duration ends may finish within the grace:
    /// every call the server answers is counted, none is cut needlessly.
    @Test func callsInFlightAtTheEndFinishWithinTheGrace() async {
        let report = await LoadRun.run(LoadPlan(model: .closed(concurrency: 8), duration: .milliseconds(500))) { _ in
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(report.unfinished == 0 && report.succeeded == report.sent && report.sent > 0, "\(report.sent)")
    }

    @Test func theWarmUpIsNotMeasured() async {
        let report = await LoadRun.run(
            LoadPlan(model: .open(rate: 100), duration: .seconds(1), warmup: .milliseconds(500))
        ) { _ in }
        #expect(abs(report.sent - 100) <= 2, "measured \(report.sent) calls of the 150 made")
    }
}
